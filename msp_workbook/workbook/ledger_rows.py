"""The Ledger table <-> ledger lines. The program writes it; reading it back must be exact.

Ledger rows are what was invoiced: corrections may carry negative quantities and amounts, so
numbers are read with their sign. A row that cannot be read is an error on Checks (somebody
edited the ledger) and is left out, which blocks closing further months until it is fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from ..core.ledger import Ledger, LedgerLine
from ..core.models import BillingLine, Check
from . import schema
from .cells import CellError, RawValue, as_choice, as_date, as_decimal, as_month, as_text, show
from .reader import RawTable, TableRow
from .rows import billing_row
from .sheet_xml import CellValue

T = TypeVar("T")


def _integer(value: RawValue, what: str) -> int:
    number = as_decimal(value, what, "a whole number")
    if number != number.to_integral_value():
        raise CellError(f"{what} must be a whole number, got {show(value)}")
    return int(number)


def _timestamp(value: RawValue, what: str) -> datetime:
    if isinstance(value, datetime):
        return value
    day = as_date(value, what)
    return datetime(day.year, day.month, day.day)


class _Converted:
    """Cell conversions of one ledger read, each worked out once per distinct cell value: a
    year's ledger repeats its months, customers, products, prices and dates on every line.
    Keyed by type and value (1, 1.0 and True are equal keys in a dict, not equal cells);
    a value that cannot be converted is not kept, and raises again where it is met."""

    def __init__(self) -> None:
        self._known: dict[tuple[object, ...], object] = {}

    def __call__(self, convert: Callable[..., T], value: RawValue, *args: object) -> T:
        key = (convert, value.__class__, value)
        found = self._known.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = self._known[key] = convert(value, *args)
        return found  # type: ignore[return-value]


_UNSEEN = object()


def _line(row: TableRow, once: _Converted) -> LedgerLine:
    v = row.values

    def text(header: str) -> str:
        return once(as_text, v[header])

    def money(header: str) -> Decimal:
        return once(as_decimal, v[header], header.lower(), "a number")

    corrects = v["Corrects"]
    line = BillingLine(
        month=once(as_month, v["Month"], "month"),
        customer_id=text("Customer ID"),
        customer=text("Customer"),
        license_key=as_text(v["License key"]),  # one per line: not worth keeping
        product_id=text("Product ID"),
        product=text("Product"),
        metric=text("Metric"),
        quantity=once(_integer, v["Quantity"], "quantity"),
        unit_price=money("Unit price"),
        discount=money("Discount %") if v["Discount %"] is not None else Decimal(0),
        net=money("Net"),
        unit_cost=money("Unit cost"),
        cost=money("Cost"),
        margin=money("Margin"),
        type=once(as_choice, v["Type"], "type", schema.LINE_TYPES),
        corrects=once(as_month, corrects, "corrects") if corrects is not None else None,
        note=text("Note"),
    )
    return LedgerLine(
        invoice=text("Invoice"), line=line, finalized=once(_timestamp, v["Finalized"], "finalized")
    )


def build_ledger(raw: RawTable | None) -> tuple[Ledger, list[Check]]:
    """The ledger of a workbook (empty when it has no Ledger table) and its problems."""
    if raw is None:
        return Ledger(), []
    entries: list[LedgerLine] = []
    checks: list[Check] = []
    once = _Converted()
    for row in raw:
        try:
            entries.append(_line(row, once))
        except (CellError, TypeError, ValueError) as exc:
            checks.append(
                Check(
                    severity="error",
                    sheet=raw.sheet,
                    cell=row.cells[schema.LEDGER.headers[0]],
                    message=f"ledger row {row.row} cannot be read ({exc}); the ledger is written "
                    "by closing a month and must not be edited",
                )
            )
    return Ledger(entries), checks


def ledger_row(entry: LedgerLine) -> list[CellValue]:
    """A ledger line as a Ledger table row (schema column order)."""
    return [entry.invoice, *billing_row(entry.line), entry.finalized]
