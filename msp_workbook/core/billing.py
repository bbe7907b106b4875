"""Monthly billing in arrears: usage readings -> billing lines -> invoices.

The rules, in the order they apply to a month M (the product spec, section 3):

1. Which keys are billable: `active` and `cancelled` keys whose Start..End period touches M
   (`cancelled` always has an End). `suspended` keys in that period are billed only for the usage
   actually reported in M: no estimate, no minimum.
2. Metric aggregation per (key, metric, M): max, sum, last (latest date; on a tie the lower row in
   the sheet), avg (mean rounded up to a whole unit).
3. Missing usage (a billable key without readings for a metric in M) gives an `estimated` line:
   0 for `sum` metrics; otherwise the quantity of the latest earlier month with readings
   (`carry forward`, 0 if none) or 0 (`zero`). Each is reported as a warning.
4. Minimum units raise the quantity of active and cancelled keys (Type `minimum`, unless the line is
   `estimated`).
5. Net = round(quantity x unit price x (1 - discount)), Cost = round(quantity x unit cost),
   Margin = Net - Cost, each rounded half up to the cent per line.
6. Lines with quantity 0 are left out, except estimated ones.
7. One invoice per customer; VAT on the invoice's net total; reverse charge (VAT 0) for customers
   in another country that have a VAT ID.
8. Lines sorted by Customer ID, Product ID, License key, Metric; invoices by Customer ID.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import NamedTuple

from .models import (
    BillingLine,
    BillingResult,
    Check,
    Customer,
    Inputs,
    Invoice,
    LicenseKey,
    LineType,
    Product,
    Settings,
)
from .money import ZERO, round_money
from .months import Month, ordinal_of
from .usage import UsageIndex
from .vocabulary import EU_COUNTRIES, USAGE_SHEET

BILLED_STATUSES = ("active", "cancelled")


def period_months(key: LicenseKey) -> tuple[int, int | None]:
    """The months the key's Start..End period touches, as month ordinals (first, last; last is
    None while the key has no End)."""
    return ordinal_of(key.start), ordinal_of(key.end) if key.end is not None else None


def in_period(key: LicenseKey, month: Month) -> bool:
    """Whether the key's Start..End period touches the month."""
    first, last = period_months(key)
    return first <= month.ordinal and (last is None or month.ordinal <= last)


def _by_id(inputs: Inputs) -> tuple[dict[str, list[Product]], dict[str, Customer]]:
    """Each product ID's metrics (Products order), and the customers by ID."""
    products: dict[str, list[Product]] = defaultdict(list)
    for product in inputs.products:
        products[product.product_id].append(product)
    return products, {c.customer_id: c for c in inputs.customers}


def split_source(source: str) -> tuple[str, str]:
    """`Keys!A5` -> ("Keys", "A5")."""
    sheet, _, cell = source.partition("!")
    return sheet, cell


def _warning_at(source: str, message: str) -> Check:
    """A warning pointing at a record's cell (`source`, e.g. `Keys!A5`)."""
    sheet, cell = split_source(source)
    return Check(severity="warning", sheet=sheet, cell=cell, message=message)


def price_line(
    *,
    month: Month,
    key: LicenseKey,
    customer: Customer,
    product: Product,
    quantity: int,
    line_type: LineType,
    note: str = "",
) -> BillingLine:
    """A billing line at the product's list price and the customer's discount."""
    return make_line(
        month=month,
        customer=customer,
        license_key=key.license_key,
        product=product,
        quantity=quantity,
        unit_price=product.price_per_unit,
        discount=customer.discount,
        unit_cost=product.cost_per_unit,
        line_type=line_type,
        note=note,
    )


def make_line(
    *,
    month: Month,
    customer: Customer,
    license_key: str,
    product: Product,
    quantity: int,
    unit_price: Decimal,
    discount: Decimal,
    unit_cost: Decimal,
    line_type: LineType,
    corrects: Month | None = None,
    note: str = "",
) -> BillingLine:
    net = round_money(quantity * unit_price * (1 - discount))
    cost = round_money(quantity * unit_cost)
    return BillingLine(
        month=month,
        customer_id=customer.customer_id,
        customer=customer.customer,
        license_key=license_key,
        product_id=product.product_id,
        product=product.product,
        metric=product.metric,
        quantity=quantity,
        unit_price=unit_price,
        discount=discount,
        net=net,
        unit_cost=unit_cost,
        cost=cost,
        margin=net - cost,
        type=line_type,
        corrects=corrects,
        note=note,
    )


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


def _key_lines(
    key: LicenseKey,
    customer: Customer,
    products: Sequence[Product],
    month: Month,
    settings: Settings,
    usage: UsageIndex,
    checks: list[Check],
    precomputed: Mapping[tuple[str, str], Billed | None],
) -> list[BillingLine]:
    lines: list[BillingLine] = []
    for product in products:
        pair = (key.license_key, product.metric)
        if pair in precomputed:
            billed = precomputed[pair]
        else:
            billed = billed_months(key, product, (month,), settings, usage)[0]
        if billed is None:
            continue
        if billed.estimate:
            # What to change is the missing reading: the warning points at Usage (the run
            # gives it the row where the next reading goes).
            message = f"key {key.license_key}: {billed.estimate} (estimated line)"
            checks.append(Check(severity="warning", sheet=USAGE_SHEET, cell="", message=message))
        lines.append(
            price_line(
                month=month,
                key=key,
                customer=customer,
                product=product,
                quantity=billed.quantity,
                line_type=billed.type,
                note=billed.note,
            )
        )
    return lines


def keys_in_window(
    inputs: Inputs, months: Sequence[Month]
) -> Iterator[tuple[LicenseKey, tuple[int, int | None], Customer, list[Product]]]:
    """Each key whose period touches `months` (ascending, not empty), with its period
    (`period_months`), its customer and its product's metrics."""
    products_by_id, customers = _by_id(inputs)
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
    whose period touches the months (the MSP vs annual comparison's input)."""
    if not months:
        return
    for key, period, customer, products in keys_in_window(inputs, months):
        for product in products:
            billed = billed_months(key, product, months, inputs.settings, usage, period)
            yield key, customer, product, billed


def _join(first: str, second: str) -> str:
    return f"{first}; {second}" if first else second


def line_sort_key(line: BillingLine) -> tuple[str, str, str, str]:
    return (line.customer_id, line.product_id, line.license_key, line.metric)


def billing_lines(
    inputs: Inputs,
    month: Month,
    usage: UsageIndex,
    precomputed: Mapping[tuple[str, str], Billed | None] | None = None,
) -> tuple[list[BillingLine], list[Check]]:
    """The month's billing lines (sorted) and the warnings found while computing them, from the
    readings in `usage` (`UsageIndex.of_inputs`, or the reader's `ReadResult.usage_index()`).
    `precomputed` may hold what the month bills for (license key, metric), already worked out by
    `bill_window` (the comparison bills the month too)."""
    precomputed = precomputed or {}
    products_by_id, customers = _by_id(inputs)
    checks: list[Check] = []
    lines: list[BillingLine] = []
    billed_keys: set[str] = set()
    for key in inputs.keys:
        if not in_period(key, month):
            continue
        billed_keys.add(key.license_key)
        lines.extend(
            _key_lines(
                key,
                customers[key.customer_id],
                products_by_id[key.product_id],
                month,
                inputs.settings,
                usage,
                checks,
                precomputed,
            )
        )
    checks.extend(_unbilled_usage(inputs.keys, usage, month, billed_keys))
    lines.sort(key=line_sort_key)
    return lines, checks


def _unbilled_usage(
    keys: Sequence[LicenseKey], usage: UsageIndex, month: Month, billed: set[str]
) -> list[Check]:
    """Warn about usage reported in the month for keys outside their Start..End period."""
    by_key = {k.license_key: k for k in keys}
    checks = []
    for key_id, first in usage.first_readings(month):
        key = by_key.get(key_id)
        if key is None or key_id in billed:
            continue
        period = f"starts {key.start}" if key.start > month.last_day else f"ended {key.end}"
        message = f"usage reported for key {key_id} in {month} is not billed: the key {period}"
        checks.append(_warning_at(first.source, message))
    return checks


def is_reverse_charge(customer: Customer, settings: Settings) -> bool:
    """Customer in another country with a VAT ID: the customer accounts for the VAT."""
    country = customer.country.strip().upper()
    return (
        bool(country)
        and country != settings.country.strip().upper()
        and bool(customer.vat_id.strip())
    )


def missing_vat_id_warnings(
    customers: Mapping[str, Customer], settings: Settings, invoices: Sequence[Invoice]
) -> list[Check]:
    """A customer in another EU country without a VAT ID is billed like a domestic one (VAT
    charged): right for a consumer, but a business customer would want reverse charge. One
    warning per such invoice, at the customer's VAT ID cell."""
    home = settings.country.strip().upper()
    found = []
    for invoice in invoices:
        customer = customers.get(invoice.customer_id)
        if customer is None or customer.vat_id.strip() or invoice.reverse_charge:
            continue
        country = customer.country.strip().upper()
        if country and country != home and country in EU_COUNTRIES:
            found.append(
                _warning_at(
                    customer.cells.get("VAT ID", customer.source),
                    f"{customer.customer_id} is in {country} (EU) and has no VAT ID: billed with "
                    f"{invoice.vat_rate:.0%} VAT like a domestic customer; type its VAT ID for EU "
                    "reverse charge if it is a business",
                )
            )
    return found


def invoices_for(
    lines: Sequence[BillingLine],
    inputs: Inputs,
    month: Month,
    numbers: dict[str, str] | None = None,
) -> list[Invoice]:
    """One invoice per customer with lines, VAT on the invoice's net total, by Customer ID."""
    customers = {c.customer_id: c for c in inputs.customers}
    invoices = []
    for customer_id, customer_lines in lines_by_customer(lines):
        customer = customers.get(customer_id)
        reverse = customer is not None and is_reverse_charge(customer, inputs.settings)
        invoices.append(
            make_invoice(
                month,
                (numbers or {}).get(customer_id, ""),
                customer.customer if customer else customer_lines[0].customer,
                customer_lines,
                ZERO if reverse else inputs.settings.vat_rate,
                reverse,
            )
        )
    return invoices


def lines_by_customer(
    lines: Sequence[BillingLine],
) -> list[tuple[str, list[BillingLine]]]:
    """The lines of each customer (in their order), by Customer ID."""
    by_customer: dict[str, list[BillingLine]] = defaultdict(list)
    for line in lines:
        by_customer[line.customer_id].append(line)
    return sorted(by_customer.items())


def make_invoice(
    month: Month,
    number: str,
    customer: str,
    lines: Sequence[BillingLine],
    vat_rate: Decimal,
    reverse_charge: bool,
) -> Invoice:
    """One customer's invoice of its lines: VAT = round(net total x VAT rate), once."""
    net = sum((line.net for line in lines), ZERO)
    cost = sum((line.cost for line in lines), ZERO)
    vat = round_money(net * vat_rate)
    return Invoice(
        month=month,
        invoice=number,
        customer_id=lines[0].customer_id,
        customer=customer,
        net=net,
        vat_rate=vat_rate,
        vat=vat,
        gross=net + vat,
        cost=cost,
        margin=net - cost,
        reverse_charge=reverse_charge,
        lines=len(lines),
    )


def bill_month(inputs: Inputs, month: Month, usage: UsageIndex) -> BillingResult:
    """Bill month M from validated inputs and their readings: lines, invoices and the warnings
    found."""
    lines, checks = billing_lines(inputs, month, usage)
    return BillingResult(
        month=month,
        lines=tuple(lines),
        invoices=tuple(invoices_for(lines, inputs, month)),
        checks=tuple(checks),
    )
