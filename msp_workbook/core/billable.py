"""Which keys and months bill, and what quantity (the product spec, section 3: rules 1-4 and 6 of
`billing`'s module doc), for one key's metric month by month.

1. Which keys are billable: `active` and `cancelled` keys whose Start..End period touches M
   (`cancelled` always has an End). `suspended` keys in that period are billed only for the usage
   actually reported in M: no estimate, no minimum.
2. Metric aggregation per (key, metric, M) is `usage`'s (max, sum, last, avg): here the month's
   aggregated quantity is read from the `UsageIndex`.
3. Missing usage (a billable key without readings for a metric in M) gives an `estimated` line:
   0 for `sum` metrics; otherwise the quantity of the latest earlier month with readings
   (`carry forward`, 0 if none) or 0 (`zero`). Each is reported as a warning (`lines`).
4. Minimum units raise the quantity of active and cancelled keys (Type `minimum`, unless the line is
   `estimated`).
6. A quantity of 0 bills no line, except an estimated one.

`fast/billable.py` applies the same rules to every key and month at once, in arrays.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from .models import Customer, Inputs, LicenseKey, LineType, Product, Settings
from .months import Month, ordinal_of
from .usage import UsageIndex

BILLED_STATUSES = ("active", "cancelled")


def period_months(key: LicenseKey) -> tuple[int, int | None]:
    """The months the key's Start..End period touches, as month ordinals (first, last; last is
    None while the key has no End)."""
    return ordinal_of(key.start), ordinal_of(key.end) if key.end is not None else None


def in_period(key: LicenseKey, month: Month) -> bool:
    """Whether the key's Start..End period touches the month."""
    first, last = period_months(key)
    return first <= month.ordinal and (last is None or month.ordinal <= last)


def by_id(inputs: Inputs) -> tuple[dict[str, list[Product]], dict[str, Customer]]:
    """Each product ID's metrics (Products order), and the customers by ID."""
    products: dict[str, list[Product]] = defaultdict(list)
    for product in inputs.products:
        products[product.product_id].append(product)
    return products, {c.customer_id: c for c in inputs.customers}


class Billed(NamedTuple):
    """What one month bills for a key's metric: the quantity, the line type, the line's note,
    and for an estimated line the warning's explanation."""

    quantity: int
    type: LineType
    note: str
    estimate: str = ""


def billed_months(
    key: LicenseKey,
    product: Product,
    months: Sequence[Month],
    settings: Settings,
    usage: UsageIndex,
    period: tuple[int, int | None] | None = None,
) -> list[Billed | None]:
    """The line billed for the key's metric in each of `months` (ascending), or None where the
    month bills nothing: rules 1-4 and 6 of the module doc, month by month. `period` may pass
    `period_months(key)` when it is at hand."""
    reported_months, reported = usage.history(key.license_key, product.metric)
    suspended = key.status == "suspended"
    count, at = len(reported_months), 0
    first, last = period or period_months(key)
    billed: list[Billed | None] = []
    for month in months:
        ordinal = month.ordinal
        while at < count and reported_months[at] < ordinal:
            at += 1
        if ordinal < first or (last is not None and ordinal > last):
            billed.append(None)
            continue
        found = reported[at] if at < count and reported_months[at] == ordinal else None
        earlier = (reported_months[at - 1], reported[at - 1]) if at else None
        billed.append(billed_in_period(product, month, settings, suspended, found, earlier))
    return billed


def billed_in_period(
    product: Product,
    month: Month,
    settings: Settings,
    suspended: bool,
    reported: int | None,
    earlier: tuple[int, int] | None,
) -> Billed | None:
    """What a month in the key's period bills for one metric (rules 1-4 and 6), or None:
    `reported` is the month's aggregated quantity (None without readings), `earlier` the latest
    earlier month with readings (its ordinal and quantity)."""
    estimate = ""
    if reported is not None:
        quantity, line_type, note = reported, "usage", ""
    elif suspended:
        return None
    else:
        quantity, estimate = _estimate(product, month, settings, earlier)
        line_type, note = "estimated", estimate
    if not suspended and quantity < product.minimum_units:
        note = _join(note, f"raised from {quantity} to the minimum of {product.minimum_units}")
        quantity = product.minimum_units
        if line_type != "estimated":
            line_type = "minimum"
    if quantity == 0 and line_type != "estimated":
        return None
    return Billed(quantity, line_type, note, estimate)


def month_usage(
    key: LicenseKey, product: Product, month: Month, settings: Settings, usage: UsageIndex
) -> int | None:
    """The month's aggregated quantity of the key's metric before any minimum: as reported,
    else as billing estimates it (carried forward, or 0); None outside the key's period, and for
    a suspended key without readings (billed nothing)."""
    if not in_period(key, month):
        return None
    reported_months, reported = usage.history(key.license_key, product.metric)
    at = bisect_left(reported_months, month.ordinal)
    if at < len(reported_months) and reported_months[at] == month.ordinal:
        return reported[at]
    if key.status == "suspended":
        return None
    earlier = (reported_months[at - 1], reported[at - 1]) if at else None
    return _estimate(product, month, settings, earlier)[0]


def _estimate(
    product: Product, month: Month, settings: Settings, earlier: tuple[int, int] | None
) -> tuple[int, str]:
    """Quantity and explanation for a billable key without readings for a metric in the month;
    `earlier` is the latest earlier month with readings (its ordinal and quantity)."""
    if product.aggregation == "sum":
        return 0, f"no {product.metric} reported for {month}: billed as 0"
    if settings.missing_usage == "zero":
        return 0, f"no {product.metric} reported for {month}: billed as 0 (Missing usage = zero)"
    if earlier is None:
        return 0, f"no {product.metric} reported for {month} or before: billed as 0"
    from_month, quantity = Month.from_ordinal(earlier[0]), earlier[1]
    return (
        quantity,
        f"no {product.metric} reported for {month}: carried forward {quantity} from {from_month}",
    )


def _join(first: str, second: str) -> str:
    return f"{first}; {second}" if first else second


def keys_in_window(
    inputs: Inputs, months: Sequence[Month]
) -> Iterator[tuple[LicenseKey, tuple[int, int | None], Customer, list[Product]]]:
    """Each key whose period touches `months` (ascending, not empty), with its period
    (`period_months`), its customer and its product's metrics."""
    products_by_id, customers = by_id(inputs)
    start, end = months[0].ordinal, months[-1].ordinal
    for key in inputs.keys:
        period = first, last = period_months(key)
        if first > end or (last is not None and last < start):
            continue  # no month of the window in its period
        yield key, period, customers[key.customer_id], products_by_id[key.product_id]


def bill_window(
    inputs: Inputs, months: Sequence[Month], usage: UsageIndex
) -> Iterator[tuple[LicenseKey, Customer, Product, list[Billed | None]]]:
    """What each of `months` (ascending) bills for every key's metrics, without prices or
    warnings: (key, customer, product metric, one entry per month) for each key and metric
    whose period touches the months (the MSP vs annual comparison's input, and the closed
    months' quantities a correction compares)."""
    if not months:
        return
    for key, period, customer, products in keys_in_window(inputs, months):
        for product in products:
            billed = billed_months(key, product, months, inputs.settings, usage, period)
            yield key, customer, product, billed
