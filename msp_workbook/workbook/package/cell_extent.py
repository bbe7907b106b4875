"""How far a sheet's cells reach: the last row and column of its cells, found in its XML as it is
inflated, without building the grid (a reader that builds it for a cell far out would run out of
memory). A quick route for cells in the plain form Excel writes (`plain_extent`), and a cell by
cell one for any other (`extent`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

from ..cells import column_letter
from ..errors import WorkbookError

# Cell start tags in the plain form Excel and most writers use: unprefixed, r first, "B7" style.
_PLAIN_REF = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"')
# Cell start tags in any other form (a namespace prefix, no r, other white space): rare.
_UNPLAIN_CELL = (re.compile(rb"<c[\t\n\r/>]"), re.compile(rb":c[\s/>]"))
_ROW_OR_CELL = re.compile(
    rb"""<(?:[^\s<>/!?:]+:)?(row|c)(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>"""
)
R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
REF = re.compile(rb"\s*([A-Za-z]+)([0-9]+)\s*")
_DIGITS, _LETTERS = b"0123456789", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MAX_TAG = 1 << 20


def _blocks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Inflated XML in blocks that end between tags (a tag split by a chunk goes to the next)."""
    carry = b""
    for chunk in chunks:
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"<")
        if cut >= 0 and data.find(b">", cut) < 0:
            data, carry = data[:cut], data[cut:]
            if len(carry) > _MAX_TAG:
                raise WorkbookError("damaged workbook: a sheet holds a tag over 1 MiB long")
        else:
            carry = b""
        yield data
    yield carry


def column_number(letters: bytes) -> int:
    """b"A" -> 1, b"XFD" -> 16384."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


def plain_extent(chunks: Iterable[bytes], limit: int = 0) -> tuple[int, int] | None:
    """(last row, last column), 1-based, of the cells, when every cell is in the plain form
    <c r="B7" ...>: found without looking at each cell in Python (empty cells count too, which
    can only overstate). None when some cell is not (then `extent` reads cell by cell).

    A sheet is written row by row, so the last cell of a block of its text is normally as far
    down (and, in a table, as far right) as any cell in the block. That cell and the blocks
    before make a guess that some cell reaches; one scan of the block (`_outside`) shows whether
    every cell tag in it is plain and within the guess: then the guess is exact. Only a block
    where that fails is measured reference by reference (`_block_extent`), as before.
    With a `limit`, the row is rounded up to all nines (9,999, 99,999, ...: a quicker scan)
    where rows times the columns so far stays within the limit: the answer then overstates."""
    last_row = last_col = 0
    for block in _blocks(chunks):
        if _UNPLAIN_CELL[1].search(block):  # a cell with a namespace prefix
            return None
        rows, cols = last_row, last_col
        at = block.rfind(b'<c r="')
        last = _PLAIN_REF.match(block, at) if at >= 0 else None
        if last:
            row, col = _split_ref(last[1])
            rows, cols = max(rows, row), max(cols, col)
        if limit and rows and (rounded := 10 ** len(str(rows)) - 1) * cols <= limit:
            rows = rounded
        if _outside(rows, cols).search(block):
            extent = _block_extent(block)
            if extent is None:
                return None
            rows, cols = max(last_row, extent[0]), max(last_col, extent[1])
        last_row, last_col = rows, cols
    return last_row, last_col


def _block_extent(block: bytes) -> tuple[int, int] | None:
    """(last row, last column) of the plain cells of one block; None when a cell is not plain."""
    refs = _PLAIN_REF.findall(block)
    if block.count(b"<c ") != len(refs) or any(p.search(block) for p in _UNPLAIN_CELL):
        return None
    if not refs:
        return 0, 0
    joined = b" ".join(refs)
    letters = set(joined.translate(None, _DIGITS).split())
    last_col = column_number(max(letters, key=lambda c: (len(c), c)))
    return max(map(int, joined.translate(None, _LETTERS).split())), last_col


def _split_ref(ref: bytes) -> tuple[int, int]:
    """b"E12" -> (12, 5): the row and column of a plain cell reference."""
    letters = ref.rstrip(_DIGITS)
    return int(ref[len(letters) :]), column_number(letters)


@functools.lru_cache(maxsize=64)
def _outside(rows: int, cols: int) -> re.Pattern[bytes]:
    """Finds a cell start tag that is not plain or lies past row `rows` or column `cols`: where
    it finds none, every cell is plain and within them. Any `<c` followed by white space, / or >
    is a cell tag here (a superset of what `_block_extent` counts)."""
    if not rows or not cols:
        return re.compile(rb"<c[\s/>]")
    ref = _at_most(column_letter(cols - 1), "A", "Z") + _at_most(str(rows), "0", "9")
    return re.compile(rb'<c(?! r="' + ref.encode() + rb'")[\s/>]')


def _at_most(bound: str, low: str, high: str) -> str:
    """A regular expression for the strings of the characters low..high that come at most to
    `bound` when a shorter string comes first and strings of one length compare character by
    character: column letters up to a column, and row numbers up to a row (`bound` without
    leading zeros; a row number with them is still accepted only when it is at most `bound`).
    No longer string matches it whole, so what follows it must be none of these characters."""
    if not bound.strip(high):  # all nines, or all Zs: any string up to its length
        return f"[{low}-{high}]{{1,{len(bound)}}}+"
    shorter = f"|[{low}-{high}]{{1,{len(bound) - 1}}}+" if len(bound) > 1 else ""
    return f"(?:{_same_length_at_most(bound, low, high)}{shorter})"


def _same_length_at_most(bound: str, low: str, high: str) -> str:
    """`_at_most` for the strings as long as `bound`."""
    first, rest = bound[0], bound[1:]
    tail = f"[{low}-{high}]{{{len(rest)}}}" if rest else ""
    if not rest.strip(high):  # any tail will do
        return f"[{low}-{first}]{tail}"
    below = f"[{low}-{chr(ord(first) - 1)}]{tail}|" if first > low else ""
    return f"(?:{below}{first}{_same_length_at_most(rest, low, high)})"


def extent(chunks: Iterable[bytes]) -> tuple[int, int]:
    """(last row, last column), 1-based, of the cells holding a value, placed the way a reader
    places them: by their r attribute, else after the previous cell of the row (rows likewise)."""
    last_row = last_col = row = col = 0
    for block in _blocks(chunks):
        for match in _ROW_OR_CELL.finditer(block):
            found = R_ATTR.search(match[2])
            ref = (found[1] if found[1] is not None else found[2]) if found else None
            if match[1] == b"row":
                row = int(ref) if ref and ref.strip().isdigit() else row + 1
                col = 0
                continue
            cell = REF.fullmatch(ref) if ref else None
            if cell:
                cell_row, col = int(cell[2]), column_number(cell[1])
            else:
                cell_row, col = max(row, 1), col + 1
            if not match[2].rstrip().endswith(b"/"):
                last_row, last_col = max(last_row, cell_row), max(last_col, col)
    return last_row, last_col
