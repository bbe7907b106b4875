"""What the built sheets share: their colours and cell formats (`Formats`), the messages and
options of Excel's data validation, lookup names, and how one value is written into a cell."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from math import ceil
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from . import schema

INPUT_TAB_COLOUR = "#4F81BD"
LINE_HEIGHT = 15.0  # points a line of wrapped text needs


QUOTE_TAB_COLOUR = "#F79646"


QUOTE_FILL = "#FDE9D9"


INPUT_FILL = "#DCE6F1"


GENERATED_FILL = "#E7E7E7"
FMT_VAT_RATE = schema.FMT_PERCENT  # 0.19 shows as 19,0 % in German Excel, 19.0% in English


def lookup_name(header: str) -> str:
    """Workbook name of a lookup source column's values, e.g. "Customer ID" -> CustomerIDs."""
    words = re.sub(r"[^0-9A-Za-z ]", "", header).split()
    return "".join(w[:1].upper() + w[1:] for w in words) + "s"


def lookups() -> dict[str, tuple[str, str]]:
    """Every lookup source of the schema by its workbook name."""
    names: dict[str, tuple[str, str]] = {}
    for table in schema.INPUT_TABLES:
        for column in table.columns:
            if column.lookup is None:
                continue
            name = lookup_name(column.lookup[1])
            if names.setdefault(name, column.lookup) != column.lookup:
                raise ValueError(f"lookup name {name} is used for two sources")
    return names


# Lookup sources whose values repeat (Products has one row per metric of a product): their
# drop-down lists the distinct values, which array formulas compute in hidden helper columns of
# the source's sheet (classic Excel has no UNIQUE(); LibreOffice computes them too). The sheet is
# an input sheet: the program never rewrites it.
DISTINCT_SOURCES: tuple[tuple[str, str], ...] = (
    (schema.PRODUCTS.name, schema.COL_PRODUCT_ID),
    (schema.PRODUCTS.name, schema.COL_METRIC),
)
DISTINCT_FIRST_COLUMN = 26  # 0-based: column AA, then AB ...
DISTINCT_ROWS = 200  # distinct values a list holds (sheet rows 2..201)


def distinct_column(source: tuple[str, str]) -> int:
    """0-based sheet column of the helper list of a repeating lookup source."""
    return DISTINCT_FIRST_COLUMN + DISTINCT_SOURCES.index(source)


def distinct_range(source: tuple[str, str]) -> str:
    """The helper list's cells, e.g. Products!$AA$2:$AA$201."""
    letter = xl_col_to_name(distinct_column(source))
    return f"{schema.table_by_name(source[0]).sheet}!${letter}$2:${letter}${DISTINCT_ROWS + 1}"


def distinct_formula(source: tuple[str, str], row: int) -> str:
    """The array formula of the helper list's cell on 0-based sheet `row` (>= 1): the first
    value of the source column that no cell above it lists yet, or "" when all are listed."""
    table, header = source
    letter = xl_col_to_name(distinct_column(source))
    values = f"{table}[{header}]"
    above = f"{letter}$1:{letter}{row}"
    return f'{{=IFERROR(INDEX({values},MATCH(0,COUNTIF({above},{values})+({values}=""),0)),"")}}'


def lookup_source_formula(source: tuple[str, str]) -> str:
    """What a lookup name refers to: the table column, or for a repeating source the filled
    part of its helper list (so the drop-down lists no blanks)."""
    table, header = source
    if source not in DISTINCT_SOURCES:
        return f"={table}[{header}]"
    cells = distinct_range(source)
    first = cells.split(":")[0]
    return f"=OFFSET({first},0,0,MAX(1,SUMPRODUCT(--(LEN({cells})>0))),1)"


# Excel's limits of a data validation's input message (longer ones make Excel refuse the file).
MAX_PROMPT_TITLE = 32
MAX_PROMPT = 255


def prompt(title: str, message: str) -> dict[str, Any]:
    """The input message Excel shows while the cell is selected; within Excel's limits."""
    if len(title) > MAX_PROMPT_TITLE or len(message) > MAX_PROMPT:
        raise ValueError(f"input message too long: {title!r} / {message!r}")
    return {"input_title": title, "input_message": message}


def messages(header: str, expected: str) -> dict[str, Any]:
    return {
        "error_title": header[:32],
        "error_message": f"{header}: {expected}."[:255],
    }


def number_options(header: str, validate: str, expected: str) -> dict[str, Any]:
    return {
        "validate": validate,
        "criteria": ">=",
        "value": 0,
        **messages(header, expected),
    }


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


# --- Formats --------------------------------------------------------------------------------------


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
