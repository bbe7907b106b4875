"""The checks of a validation and the parsing of one row's cells.

`Collector` gathers the checks (errors, warnings, notes) with their cells; `RowCheck` parses the
cells of one table row by their column's kind, reporting every bad cell against that cell, and
remembers whether the row had an error (so it is left out) and where to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...core.models import Check
from .. import schema
from ..cells import (
    CellError,
    CellFault,
    RawValue,
    as_choice,
    as_date,
    as_fraction,
    as_money,
    as_text,
    as_whole,
    label,
    show,
)
from ..reader import RawTable, TableRow
from ..schema import Kind

_EXPECTED = {
    Kind.ID: "an identifier",
    Kind.TEXT: "text",
    Kind.WHOLE: "a whole number >= 0",
    Kind.MONEY: "a number >= 0",
    Kind.PERCENT: "a fraction from 0 to below 1",
    Kind.DATE: "a date (YYYY-MM-DD)",
}


@dataclass
class Collector:
    """Collects checks; knows which rows had errors."""

    checks: list[Check] = field(default_factory=list)

    def error(self, sheet: str, cell: str, message: str) -> None:
        self.checks.append(Check(severity="error", sheet=sheet, cell=cell, message=message))

    def warning(self, sheet: str, cell: str, message: str) -> None:
        self.checks.append(Check(severity="warning", sheet=sheet, cell=cell, message=message))

    def info(self, sheet: str, cell: str, message: str) -> None:
        self.checks.append(Check(severity="info", sheet=sheet, cell=cell, message=message))


class RowCheck:
    """Typed values of one row; every problem is reported against its cell."""

    def __init__(self, table: RawTable, row: TableRow, out: Collector) -> None:
        self.table, self.row, self.out = table, row, out
        self.ok = True
        self.first_error = ""  # where the row's first error of its own is ("Keys!C4")
        self.caused_by = ""  # the root cause of a record it refers to that was left out

    @property
    def root(self) -> str:
        """Where to fix what left this row out: its own first error, else its reference's."""
        return self.first_error or self.caused_by

    def cell(self, header: str) -> str:
        return self.row.cells[header]

    def source(self, header: str) -> str:
        return f"{self.table.sheet}!{self.cell(header)}"

    def error(self, header: str, message: str) -> None:
        self.ok = False
        self.first_error = self.first_error or self.source(header)
        self.out.error(self.table.sheet, self.cell(header), message)

    def value(self, header: str) -> Any:
        """The cell parsed by its column's kind; None when empty (an error if required)."""
        column = self.table.spec.column(header)
        # A column added in a later release may be missing from an older workbook: empty.
        raw = (
            self.row.values.get(header)
            if header in self.table.spec.added_later
            else (self.row.values[header])
        )
        if isinstance(raw, CellFault):
            self.error(header, f"{label(header)} is {raw}; expected {_expected(column)}")
            return None
        if raw is None:
            if column.required:
                self.error(header, f"{label(header)} is empty; expected {_expected(column)}")
            return None
        try:
            return _parse(column, raw)
        except CellError as exc:
            self.error(header, str(exc))
            return None


def _expected(column: schema.Column) -> str:
    if column.kind is Kind.CHOICE:
        return "one of " + ", ".join(column.choices)
    return _EXPECTED.get(column.kind, "a value")


_TEXT_KINDS = (Kind.ID, Kind.TEXT, Kind.ANY)


def _parse(column: schema.Column, raw: RawValue) -> Any:
    kind = column.kind
    if kind in _TEXT_KINDS:
        if isinstance(raw, bool) and kind is not Kind.ANY:
            # Excel's TRUE/FALSE is no name, ID or text typed by a person: never read as "True".
            raise CellError(
                f"{label(column.header)} must be text, got the logical value {show(raw)}"
            )
        return as_text(raw)
    what = label(column.header)
    if kind is Kind.CHOICE:
        return as_choice(raw, what, column.choices)
    if kind is Kind.WHOLE:
        return as_whole(raw, what)
    if kind is Kind.MONEY:
        return as_money(raw, what)
    if kind is Kind.PERCENT:
        return as_fraction(raw, what)
    if kind is Kind.DATE:
        return as_date(raw, what, month_text=column is schema.USAGE.column(schema.COL_DATE))
    raise AssertionError(f"no parser for {kind}")  # pragma: no cover
