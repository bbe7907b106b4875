"""Charts that follow a generated sheet's new data.

A chart's data comes from ranges (<c:f>) with a copy of their values (the cache) that viewers
show until they recalculate. A range over a generated table's data starts at row 2; after a
rewrite it is made to end at the table's new last row and its cache is rewritten with the new
values. The chart part is edited as text: everything but those references stays byte for byte.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ..cell_refs import column_index
from .cell_xml import CellValue, escape_text, excel_serial
from .worksheet import SideColumns

_SERIES = re.compile(r"<((?:[\w.-]+:)?)ser>(.*?)</\1ser>", re.S)
# The data of a series: categories (cat, xVal) and numbers (val, yVal, bubbleSize, error bars).
_AXIS_DATA = ("cat", "xVal")
_SOURCE = re.compile(
    r"<((?:[\w.-]+:)?)(cat|xVal|val|yVal|bubbleSize|plus|minus)>(.*?)</\1\2>", re.S
)
_REFERENCE = re.compile(r"<((?:[\w.-]+:)?)(numRef|strRef|multiLvlStrRef)>(.*?)</\1\2>", re.S)
_FORMULA = re.compile(r"<((?:[\w.-]+:)?)f>([^<]*)</\1f>")
_FORMAT_CODE = re.compile(r"<((?:[\w.-]+:)?)formatCode>[^<]*</\1formatCode>")
_CACHE = re.compile(
    r"\s*<((?:[\w.-]+:)?)(numCache|strCache|multiLvlStrCache)\b(?:[^>]*/>|.*?</\1\2>)", re.S
)
_AREA = re.compile(r"(\$?[A-Za-z]{1,3}\$?)(\d+)(?::(\$?[A-Za-z]{1,3}\$?)(\d+))?")


@dataclass(frozen=True)
class WrittenSheet:
    """A generated sheet as written: the table's data rows (from row 2) and its side columns."""

    name: str
    rows: Sequence[Sequence[CellValue]]
    side: SideColumns | None = None

    @property
    def last_row(self) -> int:
        """The last row of the table's data (a table keeps one blank data row when empty)."""
        return 1 + max(1, len(self.rows))

    def last_row_of(self, column: int) -> int:
        """The last data row of a column: the table's, or a side block's last value in it."""
        side = self.side
        if side is None or side.aligned or not side.first <= column <= side.last:
            return self.last_row
        filled = [i for i, r in enumerate(side.rows) if r[column - side.first] is not None]
        return 1 + max(1, filled[-1] + 1 if filled else 0)

    def value(self, row: int, column: int) -> CellValue:
        """The value written at a sheet row (from 2) and column index; None for a blank cell."""
        index = row - 2
        side = self.side
        if side is not None and side.first <= column <= side.last:
            inside = 0 <= index < len(side.rows) and (not side.aligned or index < len(self.rows))
            return side.rows[index][column - side.first] if inside else None
        if not 0 <= index < len(self.rows):
            return None
        values = self.rows[index]
        return values[column] if column < len(values) else None


@dataclass(frozen=True)
class _Area:
    """A chart formula that is one range on one sheet: `Sheet!$G$2:$G$31`."""

    sheet: str  # the sheet's name, unquoted
    head: str  # the formula's text up to and including the "!", as written
    first: str  # the first cell's column with its $ signs, e.g. "$G$"
    last: str  # the last cell's column, e.g. "$G$" (the first's when a single cell)
    single: bool  # written as one cell
    row1: int
    row2: int
    col1: int
    col2: int


def _area(formula: str) -> _Area | None:
    at = formula.rfind("!")
    match = _AREA.fullmatch(formula, at + 1) if at > 0 else None
    if match is None:
        return None
    sheet = html.unescape(formula[:at])
    if len(sheet) > 1 and sheet[0] == sheet[-1] == "'":
        sheet = sheet[1:-1].replace("''", "'")
    last = match[3] or match[1]
    row1, row2 = int(match[2]), int(match[4] or match[2])
    col1, col2 = column_index(match[1].replace("$", "")), column_index(last.replace("$", ""))
    return _Area(
        sheet,
        formula[: at + 1],
        match[1],
        last,
        match[3] is None,
        min(row1, row2),
        max(row1, row2),
        min(col1, col2),
        max(col1, col2),
    )


def follow_written_data(chart: str, sheets: Mapping[str, WrittenSheet]) -> str:
    """A chart part's text with its series ranges over the written sheets' data resized.

    `sheets` maps a case-folded sheet name to what was written there. A series range that is one
    range on such a sheet starting at row 2 (values in one column; categories in one or, as
    levels, several columns) ends at the data's new last row and gets a new cache. Ranges on
    other sheets or not starting at row 2, series names and titles are left as they are.
    """
    if not sheets:
        return chart
    return _SERIES.sub(lambda m: _series(m, sheets), chart)


def _series(series: re.Match[str], sheets: Mapping[str, WrittenSheet]) -> str:
    sources = list(_SOURCE.finditer(series[0]))
    # A series whose numbers run along a row has its categories along a row too: leave it.
    by_row = False
    for source in sources:
        if source[2] not in _AXIS_DATA:
            reference = _REFERENCE.search(source[3])
            formula = _FORMULA.search(reference[3]) if reference else None
            area = _area(formula[2]) if formula else None
            by_row = by_row or (area is not None and area.col1 != area.col2)
    pieces, pos = [], 0
    for source in sources:
        new = _source(source, sheets, by_row)
        if new is not None:
            pieces += [series[0][pos : source.start()], new]
            pos = source.end()
    return "".join(pieces) + series[0][pos:] if pieces else series[0]


def _source(source: re.Match[str], sheets: Mapping[str, WrittenSheet], by_row: bool) -> str | None:
    """A series data element (<c:val> etc.) pointing at the new data, or None to keep it."""
    reference = _REFERENCE.search(source[3])
    if reference is None:  # literal values
        return None
    formula = _FORMULA.search(reference[3])
    area = _area(formula[2]) if formula else None
    if formula is None or area is None or area.row1 != 2:
        return None
    sheet = sheets.get(area.sheet.casefold())
    axis = source[2] in _AXIS_DATA
    if sheet is None or (area.col1 != area.col2 and (not axis or by_row)):
        return None
    last = sheet.last_row_of(area.col1)
    text = f"{area.head}{area.first}2:{area.last}{last}"
    if area.single and last == 2:
        text = formula[2]
    # The formula and its cache are replaced; what comes before or after them (an extLst) stays.
    p, old = reference[1], reference[3]
    rest = old[formula.end() :]
    cache = _CACHE.match(rest)
    if cache is not None:
        rest = rest[cache.end() :]
    kind, content = _reference(p, reference[2], cache[0] if cache else "", text, area, sheet, axis)
    new = f"<{p}{kind}>{old[: formula.start()]}{content}{rest}</{p}{kind}>"
    body = source[3]
    body = body[: reference.start()] + new + body[reference.end() :]
    return f"<{source[1]}{source[2]}>{body}</{source[1]}{source[2]}>"


def _reference(
    p: str, kind: str, old_cache: str, formula: str, area: _Area, sheet: WrittenSheet, axis: bool
) -> tuple[str, str]:
    """The kind of reference element (numRef, strRef, multiLvlStrRef) the new data needs and
    its formula and cache of the values."""
    rows = range(2, sheet.last_row_of(area.col1) + 1)
    count = f'<{p}ptCount val="{len(rows)}"/>'
    f = f"<{p}f>{formula}</{p}f>"
    if area.col1 != area.col2:  # category levels in columns; the innermost (last) comes first
        levels = "".join(
            f"<{p}lvl>{_points(p, [sheet.value(r, c) for r in rows], _cache_text)}</{p}lvl>"
            for c in range(area.col2, area.col1 - 1, -1)
        )
        return "multiLvlStrRef", f"{f}<{p}multiLvlStrCache>{count}{levels}</{p}multiLvlStrCache>"
    values = [sheet.value(r, area.col1) for r in rows]
    present = [v for v in values if v is not None]
    numbers = [v for v in present if _cache_number(v) is not None]
    # Categories are text unless every one is a number (or date); numbers are always numbers.
    if axis and (len(numbers) < len(present) or (not present and kind != "numRef")):
        return "strRef", f"{f}<{p}strCache>{count}{_points(p, values, _cache_text)}</{p}strCache>"
    code = _FORMAT_CODE.search(old_cache) if kind == "numRef" else None
    form = code[0] if code else f"<{p}formatCode>General</{p}formatCode>"
    points = _points(p, values, _cache_number)
    return "numRef", f"{f}<{p}numCache>{form}{count}{points}</{p}numCache>"


def _points(p: str, values: Sequence[CellValue], show: Callable[[CellValue], str | None]) -> str:
    pieces = []
    for i, value in enumerate(values):
        text = show(value)
        if text is not None:
            pieces.append(f'<{p}pt idx="{i}"><{p}v>{text}</{p}v></{p}pt>')
    return "".join(pieces)


def _cache_number(value: CellValue) -> str | None:
    """A value as a chart's number cache holds it; None for blanks and text."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value:f}" if value.is_finite() else None
    if isinstance(value, (date, datetime)):
        return repr(excel_serial(value))
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else None
    return None


def _cache_text(value: CellValue) -> str | None:
    """A value as a chart's text cache holds it; None for blanks."""
    if value is None:
        return None
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return _cache_number(value)
