"""What a table of the contract is: its columns (header, kind, width, format, drop-down,
form) and the table itself (sheet, name, whether the program writes it). `_col` is the parts'
shorthand for a column, its number format following from its kind; private to the schema
package."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import TypeVar

from .formats import FMT_DATE, FMT_MONEY, FMT_PERCENT, FMT_TEXT, FMT_TIMESTAMP, FMT_WHOLE


class Kind(Enum):
    """What a column holds; decides parsing (reader), number format and validation (template)."""

    TEXT = "text"  # free text, may be empty
    ID = "id"  # required text identifier
    CHOICE = "choice"  # one of Column.choices
    WHOLE = "whole"  # whole number >= 0
    MONEY = "money"  # decimal amount >= 0, shown with 2+ decimals
    PERCENT = "percent"  # fraction 0 <= d < 1, shown as a percentage
    DATE = "date"  # a day
    MONTH = "month"  # YYYY-MM text
    TIMESTAMP = "timestamp"  # date and time
    ANY = "any"  # Settings values: parsed per setting


_V = TypeVar("_V")


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind
    width: float = 14
    number_format: str | int | None = None  # a format code, or the id of a built-in format
    choices: tuple[str, ...] = ()
    # Drop-down fed by another table's column: (table name, column header).
    lookup: tuple[str, str] | None = None
    required: bool = False
    comment: str = ""
    # A value with a form Excel can check roughly as it is typed: "email", "iban", "bic",
    # "vat_id", "postcode", "creditor_id", "debitor", "date" (the program checks it fully,
    # check sums too).
    form: str = ""
    # `choices` are suggestions: the drop-down lists them and only warns on another value (the
    # program accepts others: any ISO country code, any metric of the Products sheet).
    suggest: bool = False


@dataclass(frozen=True)
class Table:
    sheet: str
    name: str
    columns: tuple[Column, ...]
    generated: bool
    purpose: str
    # Columns a table written by an earlier release may lack (read as empty cells).
    added_later: tuple[str, ...] = ()

    @cached_property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @cached_property
    def _by_header(self) -> dict[str, Column]:
        return {c.header: c for c in self.columns}

    def column(self, header: str) -> Column:
        return self._by_header[header]

    def row(self, values: Mapping[str, _V]) -> list[_V]:
        """A row of this table in its column order, from its values keyed by header. A header
        the table lacks, or one of its columns left out, is an error: no value can land under
        another column."""
        headers = self.headers
        if len(values) == len(headers):
            try:
                return [values[h] for h in headers]
            except KeyError:
                pass
        extra = sorted(set(values) - set(headers))
        missing = [h for h in headers if h not in values]
        raise KeyError(f"{self.name} row: not columns {extra}, columns left out {missing}")


def _col(header: str, kind: Kind, width: float = 14, **kw: object) -> Column:
    fmt = kw.pop("number_format", None) or {
        Kind.MONEY: FMT_MONEY,
        Kind.PERCENT: FMT_PERCENT,
        Kind.WHOLE: FMT_WHOLE,
        Kind.DATE: FMT_DATE,
        Kind.TIMESTAMP: FMT_TIMESTAMP,
        Kind.MONTH: FMT_TEXT,
    }.get(kind)
    return Column(header, kind, width, fmt, **kw)  # type: ignore[arg-type]
