"""Taking rows out of a table on a sheet's XML (what `archive` does to Usage and Ledger): the rows
below them inside the table move up, everything else on the sheet stays as it was.

A row's cells keep their XML (values, styles, shared strings); only the row and cell references
change. Rows below the table's range keep their place."""

from __future__ import annotations

import re
from collections.abc import Collection

from ..errors import WorkbookError
from ..sheet_scan import Span, iter_rows, row_search_start
from .sheet_window import SHEET_DATA_START

# The r="..." reference of a <row> or <c> start tag (any prefix): group 1 up to the quote, 2 the
# column letters (none on a row), 3 the row number.
_REFERENCE = re.compile(r'(<(?:[\w.-]+:)?(?:row|c)\b[^>]*?\sr=")([A-Z]*)(\d+)"')


def renumbered(row_xml: str, shift: int) -> str:
    """A <row> element moved up by `shift` rows: its r= and its cells' r= references."""
    return _REFERENCE.sub(lambda m: f'{m[1]}{m[2]}{int(m[3]) - shift}"', row_xml)


def without_rows(
    text: str, sheet_data: Span, removed: Collection[int], last_row: int
) -> tuple[tuple[int, int, str], int]:
    """The edit (start, stop, new text) of the sheet's text that drops the `removed` rows and
    moves the rows after them, up to the table's `last_row`, up; and how many rows it drops."""
    if not removed:
        return (sheet_data.inner_start, sheet_data.inner_start, ""), 0
    first = min(removed)
    pieces: list[str] = []
    start = stop = -1
    gone = 0
    for row in iter_rows(text, sheet_data, row_search_start(text, sheet_data, first)):
        if row.number < first:
            continue
        if row.number > last_row:
            break
        if start < 0:
            start = row.span.start
        stop = row.span.end
        if row.number in removed:
            gone += 1
            continue
        own = text[row.span.start : row.span.end]
        pieces.append(renumbered(own, gone) if gone else own)
    if start < 0:
        raise WorkbookError("damaged workbook: the rows to take out are not on the sheet")
    return (start, stop, "".join(pieces)), gone


_ROW_START = re.compile(rb'<((?:[\w.-]+:)?)row\b((?:[^>"\']|"[^"]*"|\'[^\']*\')*?)(/?)>')
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_REFERENCE_BYTES = re.compile(_REFERENCE.pattern.encode())


def without_rows_in_bytes(
    data: bytes, removed: Collection[int], last_row: int
) -> tuple[tuple[int, int, bytes], int] | None:
    """`without_rows` over the sheet's bytes, for a large sheet (no text decoded, half the
    memory): the edit in bytes and how many rows it drops; None where the rows cannot be told
    apart this way (a comment or CDATA section among them, no sheetData)."""
    if not removed:
        return None
    opening = SHEET_DATA_START.search(data)
    if opening is None or opening[0].endswith(b"/>"):
        return None
    first = min(removed)
    pieces: list[bytes] = []
    start = stop = -1
    gone = number = 0
    pos = opening.end()
    while True:
        tag = _ROW_START.search(data, pos)
        if tag is None:
            break
        found = _ROW_NUMBER.search(tag[2])
        number = int(found[1]) if found else number + 1
        if tag[3]:  # <row .../>
            end = tag.end()
        else:
            close = data.find(b"</" + tag[1] + b"row>", tag.end())
            if close < 0:
                raise WorkbookError(f"damaged workbook: row {number} has no end")
            end = close + len(tag[1]) + 6
        if b"<!" in data[pos : tag.start()] or b"<!" in data[tag.start() : end]:
            return None
        pos = end
        if number < first:
            continue
        if number > last_row:
            break
        if start < 0:
            start = tag.start()
        stop = end
        if number in removed:
            gone += 1
            continue
        own = data[tag.start() : end]
        pieces.append(_renumbered_bytes(own, gone) if gone else own)
    if start < 0:
        raise WorkbookError("damaged workbook: the rows to take out are not on the sheet")
    return (start, stop, b"".join(pieces)), gone


def _renumbered_bytes(row_xml: bytes, shift: int) -> bytes:
    return _REFERENCE_BYTES.sub(lambda m: m[1] + m[2] + b"%d" % (int(m[3]) - shift) + b'"', row_xml)
