"""Taking rows out of a table on a sheet's XML (what `archive` does to Usage and Ledger): the rows
below them inside the table move up, everything else on the sheet stays as it was.

A row's cells keep their XML (values, styles, shared strings); only the row and cell references
change. Rows below the table's range keep their place."""

from __future__ import annotations

import re
from collections.abc import Collection

from .errors import WorkbookError
from .sheet_xml import Span, iter_rows, row_search_start

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
