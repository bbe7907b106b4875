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

from ..core.ledger import Ledger, LedgerColumns, LedgerLine
from ..core.models import Check
from . import schema
from .cells import CellError, RawValue, as_choice, as_date, as_decimal, as_month, as_text, show
from .reader import RawTable
from .rows import billing_values
from .write.cell_xml import CellValue

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


def build_ledger(raw: RawTable | None) -> tuple[Ledger, list[Check]]:
    """The ledger of a workbook (empty when it has no Ledger table) and its problems.

    Column by column: a year's ledger repeats its months, customers, products, prices and dates
    on every line, so each column's distinct values are converted once. A row with a value that
    does not convert is converted again cell by cell, which says what is wrong with it."""
    if raw is None:
        return Ledger(), []
    rows = raw.rows
    bad: set[int] = set()  # positions of the rows with a value that does not convert
    # A column the Ledger lacks (one closed before it was recorded) reads as empty cells.
    columns = [converted_column(h, [r.values.get(h) for r in rows], bad) for h in _READ]
    good: list[tuple[object, ...]] = []
    checks: list[Check] = []
    taxes: dict[str, tuple[object, object]] = {}  # invoice -> its first line's VAT rate, reverse
    for at, (row, values) in enumerate(zip(rows, zip(*columns, strict=True), strict=True)):
        try:
            if at in bad:  # raises at the row's first cell that does not convert
                values = tuple(convert(row.values.get(h)) for h, convert in _CONVERT.items())
            check_row_taxes(values[-3], values[-2])
            invoice, vat_rate, reverse_charge = values[0], values[-3], values[-2]
            tax = taxes.setdefault(invoice, (vat_rate, reverse_charge))
            if tax != (vat_rate, reverse_charge):
                raise ValueError(
                    f"its VAT rate and reverse charge differ from those of invoice "
                    f"{invoice}'s earlier lines; all lines of an invoice carry the same"
                )
            good.append(values)
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
    if not bad and len(good) == len(rows):  # the usual case: the columns as they are
        return Ledger.of_columns(LedgerColumns(*columns)), checks
    if not good:
        return Ledger(), checks
    return Ledger.of_columns(LedgerColumns(*(list(c) for c in zip(*good, strict=True)))), checks


def check_row_taxes(vat_rate: object, reverse_charge: object) -> None:
    """A row's VAT rate and reverse charge agree."""
    if (vat_rate is None) != (reverse_charge is None):
        raise ValueError(
            "VAT rate and Reverse charge are both set (closed with them) or both empty "
            "(closed before the Ledger recorded them)"
        )
    if reverse_charge and vat_rate != 0:
        raise ValueError(f"a reverse-charge invoice has VAT rate 0, got {vat_rate}")


def _money(header: str) -> Callable[[RawValue], Decimal]:
    return lambda value: as_decimal(value, header.lower(), "a number")


def _optional(convert: Callable[[RawValue], T], empty: object) -> Callable[[RawValue], object]:
    return lambda value: empty if value is None else convert(value)


_BAD = NOT_CONVERTED = object()  # a cell value that does not convert
_TEXT = (
    schema.COL_CUSTOMER_ID,
    schema.COL_CUSTOMER,
    schema.COL_LICENSE_KEY,
    schema.COL_PRODUCT_ID,
    schema.COL_PRODUCT,
    schema.COL_METRIC,
)
# Each column's conversion, in the order `_line` unpacks a row's values.
_CONVERT: dict[str, Callable[[RawValue], object]] = {
    schema.COL_INVOICE: as_text,
    schema.COL_MONTH: lambda value: as_month(value, "month"),
    **{h: as_text for h in _TEXT},
    schema.COL_QUANTITY: lambda value: _integer(value, "quantity"),
    schema.COL_UNIT_PRICE: _money(schema.COL_UNIT_PRICE),
    schema.COL_DISCOUNT: _optional(_money(schema.COL_DISCOUNT), Decimal(0)),
    **{
        h: _money(h)
        for h in (schema.COL_NET, schema.COL_UNIT_COST, schema.COL_COST, schema.COL_MARGIN)
    },
    schema.COL_TYPE: lambda value: as_choice(value, "type", schema.LINE_TYPES),
    schema.COL_CORRECTS: _optional(lambda value: as_month(value, "corrects"), None),
    schema.COL_NOTE: as_text,
    schema.COL_VAT_RATE: _optional(_money(schema.COL_VAT_RATE), None),
    schema.COL_REVERSE_CHARGE: _optional(
        lambda value: as_choice(value, "reverse charge", schema.YES_NO) == "yes", None
    ),
    schema.COL_FINALIZED: lambda value: _timestamp(value, "finalized"),
}
_READ = tuple(_CONVERT)
READ_ORDER = _READ  # the Ledger's columns in the order of `core.ledger.LedgerColumns`


def convert_value(header: str, value: RawValue) -> object:
    """One cell of a Ledger column converted, or `NOT_CONVERTED`."""
    return _or_bad(_CONVERT[header], value)


_NUMBERS = (bool, int, float)  # equal values of different types: 1, 1.0 and True


def converted_column(header: str, values: list[RawValue], bad: set[int]) -> list[object]:
    """A column's values converted, each distinct value once; _BAD where one does not (its
    position is added to `bad`)."""
    convert = _CONVERT[header]
    classes = set(map(type, values))
    if sum(c in classes for c in _NUMBERS) > 1:  # 1 and 1.0 would share a key: keep the type
        keyed = [(v.__class__, v) for v in values]
        done = {k: _or_bad(convert, k[1]) for k in set(keyed)}
        found = [done[k] for k in keyed]
    else:
        done = {v: _or_bad(convert, v) for v in set(values)}
        found = list(map(done.__getitem__, values))
    if _BAD in done.values():
        bad.update(at for at, value in enumerate(found) if value is _BAD)
    return found


def _or_bad(convert: Callable[[RawValue], object], value: RawValue) -> object:
    try:
        return convert(value)
    except (CellError, TypeError, ValueError):
        return _BAD


def ledger_row(entry: LedgerLine) -> list[CellValue]:
    """A ledger line as a Ledger table row (schema column order); VAT rate and Reverse charge
    are empty on a line closed before the Ledger recorded them."""
    reverse = None if entry.reverse_charge is None else "yes" if entry.reverse_charge else "no"
    return schema.LEDGER.row(
        {
            schema.COL_INVOICE: entry.invoice,
            **billing_values(entry.line),
            schema.COL_VAT_RATE: entry.vat_rate,
            schema.COL_REVERSE_CHARGE: reverse,
            schema.COL_FINALIZED: entry.finalized,
        }
    )
