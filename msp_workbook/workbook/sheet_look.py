"""What the built sheets share: their colours, the messages and options of Excel's data
validation, lookup names, and how one value is written into a cell."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from math import ceil
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from . import schema

INPUT_TAB_COLOUR = "#4F81BD"
LINE_HEIGHT = 15.0  # points a line of wrapped text needs


QUOTE_TAB_COLOUR = "#F79646"


QUOTE_FILL = "#FDE9D9"


INPUT_FILL = "#DCE6F1"


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
