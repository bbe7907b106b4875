"""Closed months: the ledger, invoice numbers and corrections (the product spec, section 4).

- Closing month M appends M's billing lines to the ledger, each with its invoice number
  `{prefix}{YYYY}-{NNNN}`: YYYY is M's year, NNNN counts on from the invoices already in the ledger
  for that year, gap-free, one per customer in Customer ID order. A closed month never changes.
- Billing an open month M recomputes the closed months M' among the `correction_months` months
  before M (Settings' `Correction months`; older closed months are final) from today's sheets.
  For each (key, metric) whose recomputed quantity (0 without a line) differs from what was
  billed for M' so far (its ledger lines plus ledger corrections of M'), M gets a `correction`
  line for the difference, priced as the original line of M' (today's price list where there
  was none).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from .billing import (
    Billed,
    bill_window,
    billing_lines,
    invoices_for,
    line_sort_key,
    lines_by_customer,
    make_invoice,
    make_line,
    price_line,
)
from .models import (
    BillingLine,
    BillingResult,
    Check,
    Customer,
    Inputs,
    Invoice,
    LicenseKey,
    Product,
    Record,
)
from .months import Month
from .usage import UsageIndex
from .vocabulary import LEDGER_SHEET

LineKey = tuple[str, str]  # (license key, metric)


class LedgerLine(Record):
    """A closed line, with the VAT rate and reverse charge of its invoice as they were at
    closing (None on lines closed before the Ledger recorded them)."""

    invoice: str
    line: BillingLine
    finalized: datetime
    vat_rate: Decimal | None = None
    reverse_charge: bool | None = None


class LedgerColumns(NamedTuple):
    """The Ledger's values column by column, converted (a reader's bulk form: line records are
    made only for the months asked for)."""

    invoice: Sequence[str]
    month: Sequence[Month]
    customer_id: Sequence[str]
    customer: Sequence[str]
    license_key: Sequence[str]
    product_id: Sequence[str]
    product: Sequence[str]
    metric: Sequence[str]
    quantity: Sequence[int]
    unit_price: Sequence[Decimal]
    discount: Sequence[Decimal]
    net: Sequence[Decimal]
    unit_cost: Sequence[Decimal]
    cost: Sequence[Decimal]
    margin: Sequence[Decimal]
    type: Sequence[str]
    corrects: Sequence[Month | None]
    note: Sequence[str]
    vat_rate: Sequence[Decimal | None]
    reverse_charge: Sequence[bool | None]
    finalized: Sequence[datetime]

    @classmethod
    def of_lines(cls, lines: Sequence[LedgerLine]) -> LedgerColumns:
        rows = [
            (e.invoice, *(getattr(e.line, f) for f in _LINE_FIELDS), e.vat_rate,
             e.reverse_charge, e.finalized)
            for e in lines
        ]  # fmt: skip
        if not rows:
            return cls(*([] for _ in cls._fields))
        return cls(*(list(column) for column in zip(*rows, strict=True)))


# The BillingLine fields in LedgerColumns, in its order (between invoice and vat_rate).
_LINE_FIELDS = LedgerColumns._fields[1:-3]


class Ledger:
    """The ledger's lines, indexed by month; kept as columns, a month's line records made when
    they are first asked for (a year's ledger has hundreds of thousands of lines, of which a
    run needs the records of a few months)."""

    def __init__(self, lines: Iterable[LedgerLine] = ()) -> None:
        given = list(lines)
        self._init(LedgerColumns.of_lines(given), given)

    @classmethod
    def of_columns(cls, columns: LedgerColumns) -> Ledger:
        ledger = cls.__new__(cls)
        ledger._init(columns, None)
        return ledger

    def _init(self, columns: LedgerColumns, given: list[LedgerLine] | None) -> None:
        self.columns = columns
        self._given = given
        self._by_month: dict[Month, list[int]] = defaultdict(list)
        for at, month in enumerate(columns.month):
            self._by_month[month].append(at)
        self._made: dict[Month, list[LedgerLine]] = {}

    def __len__(self) -> int:
        return len(self.columns.month)

    def _line(self, at: int) -> LedgerLine:
        if self._given is not None:
            return self._given[at]
        c = self.columns
        line = BillingLine.model_construct(**{f: getattr(c, f)[at] for f in _LINE_FIELDS})
        return LedgerLine.model_construct(
            invoice=c.invoice[at],
            line=line,
            finalized=c.finalized[at],
            vat_rate=c.vat_rate[at],
            reverse_charge=c.reverse_charge[at],
        )

    @property
    def lines(self) -> list[LedgerLine]:
        """Every line, in ledger order (records made for all: for small ledgers and tests)."""
        return [self._line(at) for at in range(len(self))]

    def is_closed(self, month: Month) -> bool:
        return month in self._by_month

    def closed_months(self) -> list[Month]:
        return sorted(self._by_month)

    def month_lines(self, month: Month) -> list[LedgerLine]:
        made = self._made.get(month)
        if made is None:
            made = self._made[month] = [self._line(at) for at in self._by_month.get(month, ())]
        return list(made)

    def line_rows(self, month: Month) -> Iterable[tuple[str, str, str, str, str, int, Decimal]]:
        """A month's lines as `comparison.WindowUnits.add_rows` reads them: (type, customer ID,
        customer, product ID, metric, quantity, unit price), from the columns (a month's lines
        are one run of rows in the usual Ledger: sliced at once)."""
        at = self._by_month.get(month, [])
        c = self.columns
        fields = (c.type, c.customer_id, c.customer, c.product_id, c.metric, c.quantity,
                  c.unit_price)  # fmt: skip
        if at and at[-1] - at[0] == len(at) - 1:
            first, stop = at[0], at[-1] + 1
            return zip(*(f[first:stop] for f in fields), strict=True)
        return zip(*([f[i] for i in at] for f in fields), strict=True)

    def finalized(self, month: Month) -> dict[str, datetime]:
        """When each invoice of a closed month was closed (its issue date), by invoice number."""
        c = self.columns
        return {c.invoice[at]: c.finalized[at] for at in self._by_month.get(month, ())}

    def billed_so_far(self, month: Month) -> dict[LineKey, int]:
        """Quantity billed for `month` per (key, metric): its own lines plus later corrections."""
        return dict(self.billed_by_month((month,)).get(month, {}))

    def billed_by_month(
        self, months: Iterable[Month] | None = None
    ) -> dict[Month, dict[LineKey, int]]:
        """`billed_so_far` of every month (or of these months), in one pass over the ledger."""
        wanted = None if months is None else set(months)
        billed: dict[Month, dict[LineKey, int]] = defaultdict(lambda: defaultdict(int))
        c = self.columns
        for line_type, corrects, month, key, metric, quantity in zip(
            c.type, c.corrects, c.month, c.license_key, c.metric, c.quantity, strict=True
        ):
            target = corrects if line_type == "correction" else month
            if target is not None and (wanted is None or target in wanted):
                billed[target][(key, metric)] += quantity
        return billed

    def original_lines(self, month: Month) -> dict[LineKey, BillingLine]:
        return {
            (e.line.license_key, e.line.metric): e.line
            for e in self.month_lines(month)
            if e.line.type != "correction"
        }

    def corrections_of(self, month: Month) -> dict[LineKey, BillingLine]:
        """The latest correction line of `month` per (key, metric), in ledger order."""
        c = self.columns
        found = {}
        for at, (line_type, corrects) in enumerate(zip(c.type, c.corrects, strict=True)):
            if line_type == "correction" and corrects == month:
                found[(c.license_key[at], c.metric[at])] = self._line(at).line
        return found

    def invoices_in_year(self, year: int) -> set[str]:
        c = self.columns
        return {
            invoice
            for invoice, month in zip(c.invoice, c.month, strict=True)
            if month.year == year and invoice
        }


# Per closed month (in `correction_window` order): the quantity each (license key, metric)
# bills there by today's sheets, where it bills a line (`fast.billing.billed_quantities`).
Quantities = Sequence[Mapping[LineKey, int]]


def correction_lines(
    inputs: Inputs,
    month: Month,
    ledger: Ledger,
    usage: UsageIndex,
    quantities: Quantities | None = None,
) -> list[BillingLine]:
    """Correction lines for month M: differences between what closed months M' billed so far
    and what today's sheets give for them, for the closed months among the Settings'
    `correction_months` months before M (older closed months are final).

    Every key is billed again for those months (`billing.bill_window`), unless the months'
    `quantities` are given (worked out for all keys at once, in arrays: the engine's choice):
    then only the keys whose quantity differs are."""
    earlier = correction_window(ledger.closed_months(), month, inputs.settings.correction_months)
    if not earlier:
        return []
    customers = {c.customer_id: c for c in inputs.customers}
    products = {(p.product_id, p.metric): p for p in inputs.products}
    billed_by_month = ledger.billed_by_month(earlier)
    suspects: set[str] | None = None  # the keys that may differ (None: every key)
    if quantities is not None:
        suspects = _differing_keys(earlier, quantities, billed_by_month)
        if not suspects:  # the usual case: nothing changed since the months were closed
            return []
    billed_inputs = inputs
    if suspects is not None:  # only those keys billed the reference way, with their notes
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


def correction_window(closed: Iterable[Month], month: Month, months: int) -> list[Month]:
    """The closed months that billing `month` corrects: those among the `months` before it."""
    first = month.shift(-months)
    return [m for m in sorted(closed) if first <= m < month]


def _differing_keys(
    months: Sequence[Month],
    quantities: Sequence[Mapping[LineKey, int]],
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


def number_invoices(
    invoices: Sequence[Invoice], ledger: Ledger, prefix: str, month: Month
) -> dict[str, str]:
    """Invoice number per Customer ID: gap-free within the billed month's year, in Customer ID
    order, continuing after the invoices of that year already in the ledger."""
    first = len(ledger.invoices_in_year(month.year)) + 1
    return {
        invoice.customer_id: f"{prefix}{month.year:04d}-{n:04d}"
        for n, invoice in enumerate(sorted(invoices, key=lambda i: i.customer_id), start=first)
    }


def closed_month_view(
    ledger: Ledger, inputs: Inputs, month: Month
) -> tuple[list[BillingLine], list[Invoice], list[Check]]:
    """A closed month as it was closed: its ledger lines and the invoices they make, with the
    VAT rate, reverse charge and customer name of the Ledger (never today's Settings or
    Customers). Lines closed before the Ledger recorded VAT rate and reverse charge take
    today's, and the month gets one `info` check saying so."""
    entries = ledger.month_lines(month)
    lines = [e.line for e in entries]
    recorded = {e.line.customer_id: e for e in entries if e.vat_rate is not None}
    numbers = {e.line.customer_id: e.invoice for e in entries}
    today = {i.customer_id: i for i in invoices_for(lines, inputs, month, numbers)}
    invoices: list[Invoice] = []
    unrecorded = False
    for customer_id, customer_lines in lines_by_customer(lines):
        entry = recorded.get(customer_id)
        if entry is None:
            unrecorded = True
            rate, reverse = today[customer_id].vat_rate, today[customer_id].reverse_charge
        else:
            rate, reverse = entry.vat_rate, bool(entry.reverse_charge)
        invoices.append(
            make_invoice(
                month,
                numbers[customer_id],
                customer_lines[0].customer,
                customer_lines,
                rate,
                reverse,
            )
        )
    checks = []
    if unrecorded:
        checks.append(
            Check(
                severity="info",
                sheet=LEDGER_SHEET,
                cell="",
                message=f"{month} was closed before the Ledger recorded each invoice's VAT rate "
                "and reverse charge: its invoices use today's VAT rate (Settings) and "
                "customers' Country and VAT ID (Customers)",
            )
        )
    return lines, invoices, checks


def closing_entries(
    lines: Sequence[BillingLine],
    invoices: Sequence[Invoice],
    numbers: dict[str, str],
    finalized: datetime,
) -> list[LedgerLine]:
    """The Ledger lines of a month being closed: each line with its invoice's number, VAT rate
    and reverse charge."""
    by_customer = {i.customer_id: i for i in invoices}
    return [
        LedgerLine(
            invoice=numbers[li.customer_id],
            line=li,
            finalized=finalized,
            vat_rate=by_customer[li.customer_id].vat_rate,
            reverse_charge=by_customer[li.customer_id].reverse_charge,
        )
        for li in lines
    ]


def bill_open_month(
    inputs: Inputs,
    month: Month,
    ledger: Ledger,
    usage: UsageIndex,
    precomputed: Mapping[tuple[str, str], Billed | None] | None = None,
    quantities: Quantities | None = None,
) -> BillingResult:
    """An open month's billing: its own lines plus corrections of earlier closed months
    (`usage`, `precomputed`: see `billing.billing_lines`; `quantities`: `correction_lines`)."""
    lines, checks = billing_lines(inputs, month, usage, precomputed)
    corrections = correction_lines(inputs, month, ledger, usage, quantities)
    if corrections:
        closed = sorted({str(c.corrects) for c in corrections})
        checks.append(
            Check(
                severity="info",
                sheet=LEDGER_SHEET,
                cell="",
                message=f"{len(corrections)} correction lines for closed months "
                f"{', '.join(closed)}: usage or prices changed since they were closed",
            )
        )
    lines = with_corrections(lines, corrections)
    return BillingResult(
        month=month,
        lines=tuple(lines),
        invoices=tuple(invoices_for(lines, inputs, month)),
        checks=tuple(checks),
    )
