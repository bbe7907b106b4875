"""The XML text of a sheet, scanned by position: its top-level elements, its rows and their
cells, found without parsing (or expanding anything in) the cell data, so that a row can be
replaced or inserted while every other byte of the sheet stays where it was. Used by the writer's
edits and by the reader (whether a sheet holds rows).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .cell_refs import MAX_COL, parse_cell
from .errors import WorkbookError
from .package.xml_text import attrs, escape_attr

_QUOTED = r"""(?:[^>"']|"[^"]*"|'[^']*')"""
_ANY_TAG = re.compile(
    r"<(?:!--.*?-->|\?.*?\?>|!\[CDATA\[.*?\]\]>|(/?)([\w.:-]+)(" + _QUOTED + r"*?)(/?)>)", re.S
)


@dataclass(frozen=True)
class Span:
    """One element of the XML text: its local name, where it starts and ends, its start tag."""

    name: str
    start: int
    end: int
    tag: str  # the start tag's text
    empty: bool  # written as <name .../>
    inner_start: int = 0  # where its content starts and ends (not for empty elements)
    inner_end: int = 0


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def top_level(text: str) -> tuple[Span, list[Span]]:
    """The root element of a part and its children, by position. sheetData is skipped unread."""
    if "<!DOCTYPE" in text[:4096]:
        raise WorkbookError("refused: a workbook part declares a DOCTYPE")
    root_match = next((m for m in _ANY_TAG.finditer(text) if m[2]), None)
    if root_match is None or root_match[1] or root_match[4]:
        raise WorkbookError("damaged workbook: a sheet part has no root element")
    children: list[Span] = []
    pos, depth, current = root_match.end(), 0, None
    root_end = len(text)
    while True:
        match = _ANY_TAG.search(text, pos)
        if match is None:
            raise WorkbookError("damaged workbook: a sheet part ends too early")
        pos = match.end()
        closing, name, _, empty = match[1], match[2], match[3], match[4]
        if not name:
            continue
        if depth == 0:
            if closing:  # the root's end tag
                root_end = match.start()
                break
            if empty:
                children.append(Span(_local(name), match.start(), pos, match[0], True))
                continue
            if _local(name) == "sheetData":
                close = text.find(f"</{name}>", pos)
                if close < 0:
                    raise WorkbookError("damaged workbook: a sheet's data has no end")
                end = close + len(name) + 3
                children.append(Span("sheetData", match.start(), end, match[0], False, pos, close))
                pos = end
                continue
            current, depth = match, 1
        elif closing:
            depth -= 1
            if depth == 0 and current is not None:
                children.append(
                    Span(
                        _local(current[2]),
                        current.start(),
                        pos,
                        current[0],
                        False,
                        current.end(),
                        match.start(),
                    )
                )
        elif not empty:
            depth += 1
    root = Span(
        _local(root_match[2]),
        root_match.start(),
        root_end,
        root_match[0],
        False,
        root_match.end(),
        root_end,
    )
    return root, children


@dataclass(frozen=True)
class Cell:
    column: int
    start: int
    end: int
    style: int | None
    has_value: bool


@dataclass(frozen=True)
class Row:
    number: int
    span: Span


_VALUE_INSIDE = re.compile(r"<(?:[\w.-]+:)?f\b|<(?:[\w.-]+:)?(?:v|t)\b" + _QUOTED + r"*?>[^<]")


def iter_rows(text: str, sheet_data: Span, start: int | None = None) -> Iterator[Row]:
    """The <row> elements of sheetData in order, numbered (a row without r= follows the last).

    `start` (from `row_search_start`) begins at a row with its number written, further down.
    """
    if sheet_data.empty:
        return
    pos, end, number = sheet_data.inner_start, sheet_data.inner_end, 0
    if start is not None:
        pos = start
    while True:
        match = _ANY_TAG.search(text, pos, end)
        if match is None:
            return
        if not match[2] or match[1] or _local(match[2]) != "row":
            pos = match.end()
            continue
        r = attrs(match[3]).get("r")
        number = int(r) if r else number + 1
        if match[4]:
            span = Span("row", match.start(), match.end(), match[0], True)
        else:
            close = text.find(f"</{match[2]}>", match.end(), end)
            if close < 0:
                raise WorkbookError(f"damaged workbook: row {number} has no end")
            stop = close + len(match[2]) + 3
            span = Span("row", match.start(), stop, match[0], False, match.end(), close)
        yield Row(number, span)
        pos = span.end


_ROW_START = re.compile(r"<(?:[\w.-]+:)?row[\s/>]")


def _numbered_row_at_or_after(text: str, pos: int, end: int) -> tuple[int, int] | None:
    """The position and number of the first <row> with r= that starts at or after `pos`."""
    while True:
        found = _ROW_START.search(text, pos, end)
        if found is None:
            return None
        tag = _ANY_TAG.match(text, found.start(), end)
        if tag is None:
            return None
        r = attrs(tag[3] or "").get("r", "")
        if r.isdigit():
            return found.start(), int(r)
        pos = tag.end()


def row_search_start(text: str, sheet_data: Span, number: int) -> int | None:
    """Where to start `iter_rows` so that it still yields every row numbered `number` or more,
    found by halving the text instead of reading every row before it; None means from the
    beginning. Rows are in ascending order in a sheet's XML; with a comment or CDATA section
    inside sheetData, where a "<row" need not be a row, the answer is always None."""
    if sheet_data.empty:
        return None
    low, high = sheet_data.inner_start, sheet_data.inner_end
    if text.find("<!", low, high) >= 0:
        return None
    start = low
    while high - low > 4096:
        middle = (low + high) // 2
        found = _numbered_row_at_or_after(text, middle, sheet_data.inner_end)
        if found is None or found[1] >= number:
            high = middle
        else:
            low = middle
    if low == start:
        return None
    found = _numbered_row_at_or_after(text, low, sheet_data.inner_end)
    return found[0] if found is not None else None


def iter_cells(text: str, row: Row) -> Iterator[Cell]:
    """The <c> elements of a row, with their column, style and whether they hold a value."""
    if row.span.empty:
        return
    pos, end, column = row.span.inner_start, row.span.inner_end, -1
    while True:
        match = _ANY_TAG.search(text, pos, end)
        if match is None:
            return
        if not match[2] or match[1] or _local(match[2]) != "c":
            pos = match.end()
            continue
        found = attrs(match[3])
        column = parse_cell(found["r"])[1] if "r" in found else column + 1
        style = int(found["s"]) if found.get("s", "").isdigit() else None
        if match[4]:
            yield Cell(column, match.start(), match.end(), style, False)
            pos = match.end()
            continue
        close = text.find(f"</{match[2]}>", match.end(), end)
        if close < 0:
            raise WorkbookError(f"damaged workbook: a cell in row {row.number} has no end")
        inner = text[match.end() : close]
        stop = close + len(match[2]) + 3
        yield Cell(column, match.start(), stop, style, bool(_VALUE_INSIDE.search(inner)))
        pos = stop


def column_styles(cols_xml: str) -> dict[int, int]:
    """Column index -> the style of the <col> element covering it."""
    styles: dict[int, int] = {}
    for match in re.finditer(r"<(?:[\w.-]+:)?col\b" + _QUOTED + r"*>", cols_xml):
        found = attrs(match[0])
        style, low, high = found.get("style", ""), found.get("min", ""), found.get("max", "")
        if style.isdigit() and low.isdigit() and high.isdigit():
            for col in range(int(low) - 1, min(int(high), MAX_COL)):
                styles[col] = int(style)
    return styles


def set_attribute(tag: str, name: str, value: str) -> str:
    """A start tag's text with one attribute set (added before the end when missing)."""
    pattern = re.compile(r"(\s" + re.escape(name) + r"""\s*=\s*)(?:"[^"]*"|'[^']*')""")
    if pattern.search(tag):
        return pattern.sub(lambda m: f'{m[1]}"{escape_attr(value)}"', tag, count=1)
    close = len(tag) - (2 if tag.endswith("/>") else 1)
    return f'{tag[:close].rstrip()} {name}="{escape_attr(value)}"{tag[close:]}'


def holds_rows(sheet: str) -> bool:
    """Whether a sheet's XML has values in more than one row: rows under a header (a header
    row alone, or formatted blank cells, hold none)."""
    _, children = top_level(sheet)
    data = next((c for c in children if c.name == "sheetData"), None)
    if data is None:
        return False
    found = 0
    for row in iter_rows(sheet, data):
        if any(cell.has_value for cell in iter_cells(sheet, row)):
            found += 1
            if found > 1:
                return True
    return False
