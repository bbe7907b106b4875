"""Notes a user typed on a generated sheet, where the next write will not keep them.

Billing, Invoices, Comparison, Checks (and at closing the Ledger) are written whole by every run:
their rows change in number and order, so a "paid on" column typed beside Invoices cannot stay
beside the invoice it was typed for. Such cells are not silently dropped: before the write, each
generated sheet is searched for values right of the columns the program writes there (the table
and its side columns) and below the table's last row, and each sheet that has some gets one
warning on Checks naming the cells and where the notes are kept (the backup the save makes).

The search looks only for cells beyond those columns or rows, with regular expressions over the
sheet's XML: a generated sheet of 20,000 lines costs a few hundredths of a second.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from ..core.models import Check
from . import schema
from .cell_refs import parse_range
from .cells import column_letter
from .package.opc import open_package, parse_xml

_ROW = re.compile(r'<(?:[\w.-]+:)?row\b[^>]*?\br="(\d+)"')
_SHEET_DATA_END = re.compile(r"</(?:[\w.-]+:)?sheetData>")
_CELL = r'<(?:[\w.-]+:)?c\b[^>]*?\br="({columns})(\d+)"[^>]*?(/?)>'
_CELL_END = re.compile(r"</(?:[\w.-]+:)?c>")
_HAS_VALUE = re.compile(r"<(?:[\w.-]+:)?(?:v|is|f)\b")


def typed_notes(path: Path, widths: Mapping[str, int], kept_in: str) -> list[Check]:
    """A warning per generated sheet of the workbook that holds values the write will drop.

    `widths` maps a generated table's name to the number of columns the program writes on its
    sheet from column A (the table's own, plus a blank one and the side columns, if any);
    `kept_in` names the file where the notes stay (the backup an in-place save makes)."""
    checks = []
    with open_package(Path(path)) as package:
        tables = package.tables()
        for name, width in widths.items():
            spec = schema.table_by_name(name)
            sheet = package.sheet(spec.sheet)
            table = package.table(name, tables)
            if sheet is None or table is None or table.sheet.part != sheet.part:
                continue  # the writer says what is wrong with such a sheet
            last_row = parse_range(parse_xml(package.read(table.part), table.part).get("ref"))[2]
            text = package.read(sheet.part).decode("utf-8", errors="replace")
            below = _below(text, last_row)
            if name in schema.SIDE_BLOCK_TABLES:  # its block beside may run below the table
                below = [(r, c) for r, c in below if c < len(spec.headers) or c >= width]
            cells = _beside(text, width) + below
            if cells:
                checks.append(_warning(sheet.name, cells, kept_in))
    return checks


def _beside(text: str, width: int) -> list[tuple[int, int]]:
    """(row, 0-based column) of the cells with a value right of the first `width` columns."""
    pattern = re.compile(_CELL.format(columns=_columns_after(width)))
    return [
        (int(m[2]), _column_number(m[1]) - 1) for m in pattern.finditer(text) if _valued(text, m)
    ]


def _below(text: str, last_row: int) -> list[tuple[int, int]]:
    """(row, column) of the cells with a value in the rows after the table's last row."""
    start = next((m.start() for m in _ROW.finditer(text) if int(m[1]) > last_row), None)
    if start is None:
        return []
    end_match = _SHEET_DATA_END.search(text, start)
    end = end_match.start() if end_match else len(text)
    pattern = re.compile(_CELL.format(columns="[A-Z]{1,3}"))
    return [
        (int(m[2]), _column_number(m[1]) - 1)
        for m in pattern.finditer(text, start, end)
        if _valued(text, m)
    ]


def _valued(text: str, match: re.Match[str]) -> bool:
    if match[3]:  # <c r="N2" s="3"/>: a formatted empty cell
        return False
    end = _CELL_END.search(text, match.end())
    stop = end.start() if end else len(text)
    return _HAS_VALUE.search(text, match.end(), stop) is not None


def _columns_after(width: int) -> str:
    """A regular expression for the letters of the columns after the first `width` ones: those
    of the same length as the first such column that sort after it (or equal it), and all
    longer ones (Excel's columns run to XFD: three letters)."""
    first = column_letter(width)  # 0-based: the column right after the first `width`
    options = [first]
    for i, letter in enumerate(first):
        if letter < "Z":
            rest = len(first) - i - 1
            tail = f"[A-Z]{{{rest}}}" if rest else ""
            options.append(f"{first[:i]}[{chr(ord(letter) + 1)}-Z]{tail}")
    options += [f"[A-Z]{{{n}}}" for n in range(len(first) + 1, 4)]
    return "(?:" + "|".join(options) + ")"


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def _warning(sheet: str, cells: list[tuple[int, int]], kept_in: str) -> Check:
    rows = [r for r, _ in cells]
    columns = [c for _, c in cells]
    first = f"{column_letter(min(columns))}{min(rows)}"
    last = f"{column_letter(max(columns))}{max(rows)}"
    where = first if first == last else f"{first}:{last}"
    count = f"{len(cells)} cell" if len(cells) == 1 else f"{len(cells)} cells"
    return Check(
        severity="warning",
        sheet=sheet,
        cell=where,
        message=(
            f"{count} typed beside the generated table {'is' if len(cells) == 1 else 'are'} not "
            f"kept: this sheet is rewritten by every run (they stay in {kept_in}); "
            "keep notes on a sheet of your own"
        ),
    )
