"""Excel's cell addresses: "B7" and "A1:G5" as row numbers and column indexes and back, and the
largest row and column a sheet can have. Used by the reader and the writer alike."""

from __future__ import annotations

import re

from .cells import column_letter
from .errors import WorkbookError

# Excel's limits: row 1..1048576, column A..XFD.
MAX_ROW = 1_048_576
MAX_COL = 16_384

_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def column_index(letters: str) -> int:
    """A -> 0, Z -> 25, AA -> 26."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


def parse_cell(ref: str) -> tuple[int, int]:
    """ "B7" -> (row 7, column index 1)."""
    match = _CELL_REF.fullmatch(ref.strip())
    if not match:
        raise WorkbookError(f'damaged workbook: "{ref}" is not a cell reference')
    return int(match[2]), column_index(match[1])


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """ "A1:G5" -> (first row 1, first column 0, last row 5, last column 6); "A1" is A1:A1."""
    first, _, last = ref.partition(":")
    r1, c1 = parse_cell(first)
    r2, c2 = parse_cell(last or first)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def range_ref(first_row: int, first_col: int, last_row: int, last_col: int) -> str:
    return f"{column_letter(first_col)}{first_row}:{column_letter(last_col)}{last_row}"
