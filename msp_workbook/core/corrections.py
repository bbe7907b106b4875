"""Corrections of closed months (the product spec, section 4).

Billing an open month M recomputes the closed months M' among the `correction_months` months
before M (Settings' `Correction months`; older closed months are final: `correction_window`)
from today's sheets. For each (key, metric) whose recomputed quantity (0 without a line) differs
from what was billed for M' so far (its Ledger lines plus Ledger corrections of M'), M gets a
`correction` line for the difference, priced as the original line of M' (today's price list
where there was none).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from .billable import Billed, bill_window
from .ledger import Ledger, LineKey
from .lines import line_sort_key, make_line, price_line
from .models import BillingLine, Customer, Inputs, LicenseKey, Product
from .months import Month
from .usage import UsageIndex

# Per closed month of a window (in its order): the quantity each (license key, metric) bills
# there by today's sheets, where it bills a line (`fast.billable.billed_quantities`).
Quantities = Sequence[Mapping[LineKey, int]]


class CorrectionWindow(NamedTuple):
    """The closed months that billing an open month corrects (`correction_window`, worked out
    once for the month: `engine.Engine.bill_open_month`), and their `quantities` by today's
    sheets where those were worked out for every key at once (one mapping per month, in the
    order of `months`: the engine's arrays), or None: every key is billed again for them."""

    months: Sequence[Month]
    quantities: Quantities | None


def correction_window(closed: Iterable[Month], month: Month, months: int) -> list[Month]:
    """The closed months that billing `month` corrects: those among the `months` before it
    (Settings' `Correction months`; older closed months are final)."""
    first = month.shift(-months)
    return [m for m in sorted(closed) if first <= m < month]


def correction_lines(
    inputs: Inputs,
    month: Month,
    ledger: Ledger,
    usage: UsageIndex,
    window: CorrectionWindow,
) -> list[BillingLine]:
    """Correction lines for month M: differences between what the closed months M' of its
    `window` billed so far and what today's sheets give for them.

    Every key is billed again for those months (`billable.bill_window`), unless the window
    carries their `quantities` (worked out for all keys at once, in arrays: the engine's
    choice): then only the keys whose quantity differs are."""
    earlier = window.months
    if not earlier:
        return []
    customers = {c.customer_id: c for c in inputs.customers}
    products = {(p.product_id, p.metric): p for p in inputs.products}
    billed_by_month = ledger.billed_by_month(earlier)
    suspects: set[str] | None = None  # the keys that may differ (None: every key)
    if window.quantities is not None:
        suspects = _differing_keys(earlier, window.quantities, billed_by_month)
        if not suspects:  # the usual case: nothing changed since the months were closed
            return []
    billed_inputs = inputs
    if suspects is not None:  # only those keys billed by the plain rules, with their notes
        billed_inputs = inputs.model_copy(
            update={"keys": tuple(k for k in inputs.keys if k.license_key in suspects)}
        )
        billed_by_month = {
            m: {k: q for k, q in found.items() if k[0] in suspects}
            for m, found in billed_by_month.items()
        }
    # Today's quantities of the closed months at once (`bill_window`: what `billing_lines`
    # gives month by month, without pricing a line that matches what was billed).
    now: dict[Month, dict[LineKey, _Today]] = {m: {} for m in earlier}
    for key, customer, product, billed in bill_window(billed_inputs, earlier, usage):
        for closed, found in zip(earlier, billed, strict=True):
            if found is not None:
                now[closed][(key.license_key, product.metric)] = _Today(
                    key, customer, product, found
                )
    corrections: list[BillingLine] = []
    for closed in earlier:
        today = now[closed]
        so_far = billed_by_month.get(closed, {})
        differing = [k for k, t in today.items() if t.billed.quantity != so_far.get(k, 0)]
        differing += [k for k, q in so_far.items() if q != 0 and k not in today]
        if not differing:  # the usual case: nothing changed since the month was closed
            continue
        originals = ledger.original_lines(closed)
        corrected: dict[LineKey, BillingLine] | None = None  # the month's corrections, if needed
        for line_key in differing:  # in any order: the month's lines are sorted afterwards
            recomputed = today[line_key].billed.quantity if line_key in today else 0
            billed = so_far.get(line_key, 0)
            difference = recomputed - billed
            original = originals.get(line_key)
            if original is not None:
                template = original
            elif line_key in today:
                template = today[line_key].line(closed)
            else:  # billed so far by corrections alone
                corrected = corrected or ledger.corrections_of(closed)
                template = corrected[line_key]
            note = f"correction of {closed}: billed {billed}, now {recomputed}"
            corrections.append(
                _correction(
                    month, closed, template, original, difference, note, customers, products
                )
            )
    return corrections


def _differing_keys(
    months: Sequence[Month],
    quantities: Quantities,
    billed_by_month: Mapping[Month, Mapping[LineKey, int]],
) -> set[str]:
    """The license keys with a (metric, month) whose quantity today differs from what was
    billed for it so far (0 where there is no line)."""
    keys: set[str] = set()
    for month, today in zip(months, quantities, strict=True):
        so_far = billed_by_month.get(month, {})
        keys.update(k[0] for k, q in today.items() if q != so_far.get(k, 0))
        keys.update(k[0] for k, q in so_far.items() if q != 0 and k not in today)
    return keys


class _Today(NamedTuple):
    """What a closed month bills for a key's metric by today's sheets."""

    key: LicenseKey
    customer: Customer
    product: Product
    billed: Billed

    def line(self, month: Month) -> BillingLine:
        return price_line(
            month=month,
            key=self.key,
            customer=self.customer,
            product=self.product,
            quantity=self.billed.quantity,
            line_type=self.billed.type,
            note=self.billed.note,
        )


def _correction(
    month: Month,
    closed: Month,
    template: BillingLine,
    original: BillingLine | None,
    difference: int,
    note: str,
    customers: dict[str, Customer],
    products: dict[tuple[str, str], Product],
) -> BillingLine:
    """A correction priced as the original line; with none, at today's price list."""
    customer = customers.get(template.customer_id) or Customer(
        customer_id=template.customer_id, customer=template.customer, discount=template.discount
    )
    product = products.get((template.product_id, template.metric)) or Product(
        product_id=template.product_id,
        product=template.product,
        metric=template.metric,
        aggregation="max",
        cost_per_unit=template.unit_cost,
        price_per_unit=template.unit_price,
    )
    if original is not None:
        unit_price, discount, unit_cost = original.unit_price, original.discount, original.unit_cost
    elif template.type != "correction":  # the line billed today: today's price list
        unit_price, discount, unit_cost = template.unit_price, template.discount, template.unit_cost
    else:  # only corrections so far: today's price list, where the product is still on it
        unit_price, discount, unit_cost = (
            product.price_per_unit,
            customer.discount,
            product.cost_per_unit,
        )
    return make_line(
        month=month,
        customer=customer if original is None else _as_billed(original, customer),
        license_key=template.license_key,
        product=product,
        quantity=difference,
        unit_price=unit_price,
        discount=discount,
        unit_cost=unit_cost,
        line_type="correction",
        corrects=closed,
        note=note,
    )


def _as_billed(original: BillingLine, customer: Customer) -> Customer:
    return customer.model_copy(update={"customer": original.customer})


def correction_sort_key(line: BillingLine) -> tuple:
    corrects = str(line.corrects) if line.corrects else ""
    return (*line_sort_key(line), line.type == "correction", corrects)


def with_corrections(
    lines: Sequence[BillingLine], corrections: Sequence[BillingLine]
) -> list[BillingLine]:
    """The month's lines and its corrections, sorted: corrections after the key's own line."""
    return sorted([*lines, *corrections], key=correction_sort_key)
