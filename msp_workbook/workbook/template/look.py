"""What the built sheets share: their tab colours and fills, the workbook's cell formats
(`Formats`), where the notes beside a table go, and how one value is written into a cell."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from math import ceil

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import schema
from ..schema import Table

INPUT_TAB_COLOUR = "#4F81BD"
INPUT_FILL = "#DCE6F1"
GENERATED_TAB_COLOUR = "#808080"
GENERATED_FILL = "#E7E7E7"
QUOTE_TAB_COLOUR = "#F79646"
QUOTE_FILL = "#FDE9D9"

LINE_HEIGHT = 15.0  # points a line of wrapped text needs
FMT_VAT_RATE = schema.FMT_PERCENT  # 0.19 shows as 19,0 % in German Excel, 19.0% in English

# A table's rows as the builder takes them: per row, the values by column header.
Rows = Sequence[Mapping[str, object]]

LAST_ROW = 1_048_574  # 0-based: the print area reaches (almost) the last row


@dataclass
class Formats:
    """The workbook's cell formats, created once per workbook."""

    book: Workbook
    _number: dict[str, Format] = field(default_factory=dict)

    def __post_init__(self) -> None:
        add = self.book.add_format
        self.title = add({"bold": True, "font_size": 20, "font_color": "#1F3864"})
        self.heading = add({"bold": True, "font_size": 13, "font_color": "#1F3864"})
        self.text = add({"text_wrap": True, "valign": "top"})
        self.step_number = add({"bold": True, "align": "center", "valign": "top"})
        self.code = add({"font_name": "Courier New", "font_color": "#7F3F00"})
        self.table_header = add({"bold": True, "bottom": 1, "valign": "top", "bg_color": "#F2F2F2"})
        self.link = add({"font_color": "#0563C1", "underline": 1, "valign": "top"})
        self.input_kind = add({"bg_color": INPUT_FILL, "text_wrap": True, "valign": "top"})
        self.generated_kind = add({"bg_color": GENERATED_FILL, "text_wrap": True, "valign": "top"})
        self.warning = add({"bold": True, "font_color": "#C00000", "text_wrap": True})
        self.note = add({"italic": True, "font_color": "#808080"})
        self.note_heading = add({"bold": True, "italic": True, "font_color": "#808080"})
        self.marker = add({"bold": True, "font_color": "#C00000", "font_size": 12})
        self.vat_rate = add({"num_format": FMT_VAT_RATE})
        self.quote_kind = add({"bg_color": QUOTE_FILL, "text_wrap": True, "valign": "top"})

    def number(self, number_format: str | None) -> Format | None:
        """The format of a column's number format (None: General)."""
        if number_format is None:
            return None
        if number_format not in self._number:
            self._number[number_format] = self.book.add_format({"num_format": number_format})
        return self._number[number_format]


def notes_column(table: Table) -> int:
    """Column of notes beside a table: one empty column between the table and the notes."""
    return len(table.columns) + 1


def write_value(ws: Worksheet, row: int, col: int, value: object, fmt: Format | None) -> None:
    """One cell: numbers as numbers, dates as Excel dates, text as text (never a formula)."""
    if value is None:
        return
    if isinstance(value, bool):
        raise TypeError(f"cell {row + 1},{col + 1}: booleans are not a workbook value")
    if isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, int | float | Decimal):
        ws.write_number(row, col, float(value), fmt)
    elif isinstance(value, date):  # datetime is a date too
        ws.write_datetime(row, col, value, fmt)
    else:
        raise TypeError(f"cell {row + 1},{col + 1}: unsupported value {value!r}")


def line_count(text: str, width: float) -> int:
    """Lines a wrapped text needs in a column `width` characters wide.

    Conservative: a width unit holds about one average character of the default font, so rows
    come out tall enough in Excel and LibreOffice alike (merged cells do not grow by themselves).
    """
    per_line = max(1, int(width) - 2)
    return max(1, ceil(len(text) / per_line))
