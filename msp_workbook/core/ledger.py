"""The Ledger: the closed months' lines (the product spec, section 4), the record a closed month
is read from and corrections are measured against. Closing a month appends its lines
(`closing.closing_entries`, numbered by `numbering.number_invoices`); a closed month never
changes. Billing an open month compares the closed months of its correction window with what
the Ledger billed for them so far (`corrections.correction_lines`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from .models import BillingLine, Record
from .months import Month

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
