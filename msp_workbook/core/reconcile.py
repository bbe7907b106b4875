"""Vendor reconciliation: what the distributor charged against what the customers were billed
(SPEC section 8). Pure: the statement's charges and the month's billing come in as values.

For every key and metric on the statement, and every one billed to a customer:

- Vendor quantity and amount: the statement's (lines of one key and metric added up);
- Usage quantity: the month's aggregated readings before any minimum (estimated as billing
  estimates, where there are none);
- Billed quantity: the month's billing line (the Ledger's, once the month is closed; 0 where
  there is none);
- Expected cost = round(Vendor quantity x Cost per unit); Difference = Vendor amount - Expected.

The first status that applies, in this order, is the row's: `unknown key` (not on Keys),
`unbilled` (charged, but no billing line: revenue lost), `quantity differs` (from Usage),
`amount differs` (by a cent or more from Expected), `not on statement` (billed, not charged),
`match`. Rows are sorted by that order, then license key and metric.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal

from .billable import in_period
from .models import BillingLine, Customer, LicenseKey, Product, Record
from .money import ZERO, round_money
from .months import Month
from .statement import Charge
from .vocabulary import RECONCILIATION_STATUSES

ReconciliationStatus = Literal[
    "unknown key", "unbilled", "quantity differs", "amount differs", "not on statement", "match"
]
STATUSES: tuple[ReconciliationStatus, ...] = RECONCILIATION_STATUSES  # type: ignore[assignment]
UNKNOWN_PRODUCT = "(unknown key)"


class ReconciliationRow(Record):
    """One row of the sheet; a figure that does not apply is None (a blank cell)."""

    month: Month
    license_key: str
    metric: str
    status: ReconciliationStatus
    customer_id: str = ""
    customer: str = ""
    product_id: str = ""
    vendor_quantity: int | None = None
    usage_quantity: int | None = None
    billed_quantity: int = 0
    vendor_amount: Decimal | None = None
    expected_cost: Decimal | None = None
    difference: Decimal | None = None
    note: str = ""
    unbilled_revenue: Decimal = ZERO  # round(Vendor quantity x Price per unit) where unbilled


class ProductTotals(Record):
    """One product's month at a glance: what the vendor charged, what its customers were
    billed (net) and the billing's cost of that."""

    product: str
    vendor_amount: Decimal
    billed_revenue: Decimal
    cost: Decimal


class Reconciliation(Record):
    month: Month
    rows: tuple[ReconciliationRow, ...]
    products: tuple[ProductTotals, ...]
    problems: tuple[str, ...]  # statement lines that cannot be matched, as `FILE:LINE: ...`

    def count(self, status: ReconciliationStatus) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def unbilled_revenue(self) -> Decimal:
        return sum((r.unbilled_revenue for r in self.rows), ZERO)

    @property
    def difference(self) -> Decimal:
        return sum((r.difference for r in self.rows if r.difference is not None), ZERO)

    @property
    def all_match(self) -> bool:
        return all(r.status == "match" for r in self.rows)


# The month's usage of a key's metric before minimums (`billable.month_usage` bound to a month).
UsageOf = Callable[[LicenseKey, Product], "int | None"]


def reconcile(
    month: Month,
    charges: Sequence[tuple[str, Charge]],
    keys: Sequence[LicenseKey],
    customers: Sequence[Customer],
    products: Sequence[Product],
    billed: Sequence[BillingLine],
    usage_of: UsageOf,
    corrections: Sequence[BillingLine] = (),
) -> Reconciliation:
    """The month's reconciliation. `charges` are (file name, charge); `billed` the month's own
    billing lines (no corrections of other months); `corrections` the later lines that
    correct this month (closed months only), named in Note."""
    key_of = {k.license_key.strip().lower(): k for k in keys}
    customer_of = {c.customer_id: c for c in customers}
    metrics_of: dict[str, dict[str, Product]] = {}
    for product in products:
        metrics_of.setdefault(product.product_id, {})[product.metric.lower()] = product
    billed = [b for b in billed if b.corrects is None]  # corrections of other months are not
    line_of = {(b.license_key.lower(), b.metric.lower()): b for b in billed}
    corrected: dict[tuple[str, str], list[BillingLine]] = {}
    for c in corrections:
        corrected.setdefault((c.license_key.lower(), c.metric.lower()), []).append(c)

    problems: list[str] = []
    grouped: dict[tuple[str, str], list[tuple[str, Charge]]] = {}
    for name, charge in charges:
        key = key_of.get(charge.license_key.strip().lower())
        metric = charge.metric.strip()
        if key is not None and not metric:
            billed_metrics = sorted(p.metric for p in metrics_of.get(key.product_id, {}).values())
            if len(billed_metrics) != 1:
                problems.append(
                    f"{name}:{charge.line}: the line names no metric, and the product "
                    f"{key.product_id} of key {key.license_key} bills "
                    f"{', '.join(billed_metrics) or 'no metric'}: name the metric"
                )
                continue
            metric = billed_metrics[0]
        grouped.setdefault((charge.license_key.strip().lower(), metric.lower()), []).append(
            (name, charge)
        )

    rows: list[ReconciliationRow] = []
    for (key_text, metric_text), found in grouped.items():
        first = found[0][1]
        quantity = sum(c.quantity for _, c in found)
        amount = sum((c.amount for _, c in found), ZERO)
        notes = []
        if len(found) > 1:
            lines = ", ".join(str(c.line) for _, c in found)
            notes.append(f"{len(found)} statement lines ({lines}) added up")
        key = key_of.get(key_text)
        if key is None:
            rows.append(
                ReconciliationRow(
                    month=month,
                    license_key=first.license_key.strip(),
                    metric=first.metric.strip(),
                    status="unknown key",
                    vendor_quantity=quantity,
                    vendor_amount=amount,
                    difference=amount,
                    note=_join(["not on Keys", *notes]),
                )
            )
            continue
        customer = customer_of.get(key.customer_id)
        product = metrics_of.get(key.product_id, {}).get(metric_text)
        if product is None:
            notes.insert(0, f"product {key.product_id} does not bill this metric (Products)")
            rows.append(
                _charged(
                    month,
                    key,
                    customer,
                    metric=first.metric.strip(),
                    status="unbilled",
                    product_id=key.product_id,
                    vendor_quantity=quantity,
                    vendor_amount=amount,
                    difference=amount,
                    note=_join(notes),
                )
            )
            continue
        line = line_of.pop((key_text, metric_text), None)
        usage = usage_of(key, product)
        expected = round_money(quantity * product.cost_per_unit)
        difference = amount - expected
        if line is None:
            status: ReconciliationStatus = "unbilled"
            notes.insert(0, _why_unbilled(key, month))
        elif quantity != (usage or 0):
            status = "quantity differs"
        elif abs(difference) >= Decimal("0.01"):
            status = "amount differs"
        else:
            status = "match"
        notes += _correction_notes(corrected.get((key_text, metric_text), ()))
        rows.append(
            _charged(
                month,
                key,
                customer,
                metric=product.metric,
                status=status,
                product_id=product.product_id,
                vendor_quantity=quantity,
                usage_quantity=usage,
                billed_quantity=line.quantity if line else 0,
                vendor_amount=amount,
                expected_cost=expected,
                difference=difference,
                note=_join(notes),
                unbilled_revenue=(
                    round_money(quantity * product.price_per_unit) if line is None else ZERO
                ),
            )
        )

    for (key_text, metric_text), line in line_of.items():
        if line.quantity == 0:
            continue  # billed nothing: the vendor has nothing to charge either
        key = key_of.get(key_text)
        product = metrics_of.get(line.product_id, {}).get(metric_text)
        usage = usage_of(key, product) if key is not None and product is not None else None
        rows.append(
            ReconciliationRow(
                month=month,
                license_key=line.license_key,
                metric=line.metric,
                status="not on statement",
                customer_id=line.customer_id,
                customer=line.customer,
                product_id=line.product_id,
                usage_quantity=usage,
                billed_quantity=line.quantity,
                note=_join(_correction_notes(corrected.get((key_text, metric_text), ()))),
            )
        )

    order = {s: i for i, s in enumerate(STATUSES)}
    rows.sort(key=lambda r: (order[r.status], r.license_key.lower(), r.metric.lower()))
    return Reconciliation(
        month=month,
        rows=tuple(rows),
        products=_product_totals(rows, billed, {p.product_id: p.product for p in products}),
        problems=tuple(problems),
    )


def _charged(
    month: Month, key: LicenseKey, customer: Customer | None, **figures: Any
) -> ReconciliationRow:
    """A row of a charge on a known key: the key's customer, and the figures given."""
    return ReconciliationRow(
        month=month,
        license_key=key.license_key,
        customer_id=key.customer_id,
        customer=customer.customer if customer else "",
        **figures,
    )


def _why_unbilled(key: LicenseKey, month: Month) -> str:
    if not in_period(key, month):
        end = f" to {key.end}" if key.end else ""
        return f"no billing line: the key runs from {key.start}{end} (Keys)"
    if key.status == "suspended":
        return "no billing line: the key is suspended (Keys)"
    return f"no billing line for {month}: its usage billed nothing"


def _correction_notes(lines: Sequence[BillingLine]) -> list[str]:
    return [f"corrected in {c.month} by {c.quantity:+d}" for c in lines]


def _join(notes: Sequence[str]) -> str:
    return "; ".join(n for n in notes if n)


def _product_totals(
    rows: Sequence[ReconciliationRow], billed: Sequence[BillingLine], names: Mapping[str, str]
) -> tuple[ProductTotals, ...]:
    """Per product (its name, by Product ID order): the vendor's amount, the month's net and
    cost as billed; charges on unknown keys under their own heading, last."""
    vendor: dict[str, Decimal] = {}
    revenue: dict[str, Decimal] = {}
    cost: dict[str, Decimal] = {}
    for row in rows:
        if row.vendor_amount is not None:
            product = row.product_id or UNKNOWN_PRODUCT
            vendor[product] = vendor.get(product, ZERO) + row.vendor_amount
    for line in billed:
        revenue[line.product_id] = revenue.get(line.product_id, ZERO) + line.net
        cost[line.product_id] = cost.get(line.product_id, ZERO) + line.cost
    ids = sorted({*vendor, *revenue} - {UNKNOWN_PRODUCT})
    if UNKNOWN_PRODUCT in vendor:
        ids.append(UNKNOWN_PRODUCT)
    return tuple(
        ProductTotals(
            product=names.get(pid, pid),
            vendor_amount=vendor.get(pid, ZERO),
            billed_revenue=revenue.get(pid, ZERO),
            cost=cost.get(pid, ZERO),
        )
        for pid in ids
    )
