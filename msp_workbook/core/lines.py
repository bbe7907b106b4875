"""A month's billing lines (the product spec, section 3: rules 5, 6 and 8 of `billing`'s module
doc): what `billable` bills for each key's metric, priced, with the warnings found on the way.

5. Net = round(quantity x unit price x (1 - discount)), Cost = round(quantity x unit cost),
   Margin = Net - Cost, each rounded half up to the cent per line.
6. Lines with quantity 0 are left out, except estimated ones (`billable.billed_in_period`).
8. Lines sorted by Customer ID, Product ID, License key, Metric.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from .billable import Billed, billed_months, by_id, in_period
from .models import BillingLine, Check, Customer, Inputs, LicenseKey, LineType, Product, Settings
from .money import round_money
from .months import Month
from .usage import UsageIndex
from .vocabulary import USAGE_SHEET


def split_source(source: str) -> tuple[str, str]:
    """`Keys!A5` -> ("Keys", "A5")."""
    sheet, _, cell = source.partition("!")
    return sheet, cell


def warning_at(source: str, message: str) -> Check:
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
    `billable.bill_window` (the comparison bills the month too)."""
    precomputed = precomputed or {}
    products_by_id, customers = by_id(inputs)
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
        checks.append(warning_at(first.source, message))
    return checks
