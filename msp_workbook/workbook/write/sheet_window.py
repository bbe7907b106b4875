"""A window onto a large sheet part: its head (everything before the rows) and its last rows, as
text, with the edits made to that text applied to the part's bytes.

Closing a month appends about 20,000 rows to a Ledger sheet that a year later holds 200,000
(180 MB of XML): decoding it whole to add rows at its end cost a second and twice its size in
memory. The window decodes a few kilobytes instead; the rows between head and tail are copied as
bytes when the part is saved (`package.patches.BytesPatch`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..package.patches import BytesPatch

WINDOW_FROM = 4 << 20  # parts smaller than this are read whole
_TAIL = 64 << 10  # bytes of rows before the end of sheetData that the window starts with
# The start tag of a sheet's sheetData, in its bytes (also `row_removal`'s).
SHEET_DATA_START = re.compile(rb"<(?:[\w.-]+:)?sheetData(?=[\s>/])[^>]*>")
_SHEET_DATA_END = re.compile(rb"</(?:[\w.-]+:)?sheetData>")
_ROW = re.compile(rb'<(?:[\w.-]+:)?row\b[^>]*?\sr="(\d+)"')


@dataclass(frozen=True)
class SheetWindow:
    data: bytes
    head_end: int  # bytes [0, head_end) are the head, up to and including <sheetData>
    tail_start: int  # bytes [tail_start, end) are the tail, from a <row> start
    text: str  # head + tail, decoded
    head_chars: int  # characters of the head in `text`
    first_row: int  # the number of the tail's first row

    @classmethod
    def of(cls, data: bytes, last_row: int) -> SheetWindow | None:
        """The window whose tail starts at a row numbered `last_row` or less (so that every row
        after it is in the tail); None where the sheet's layout does not allow one (no
        sheetData, a comment or CDATA among the rows, no numbered row near the end)."""
        opening = SHEET_DATA_START.search(data)
        if opening is None or opening[0].endswith(b"/>"):
            return None
        ends = list(_SHEET_DATA_END.finditer(data, max(opening.end(), len(data) - (1 << 20))))
        if not ends:
            return None
        closing = ends[-1]
        start = max(opening.end(), closing.start() - _TAIL)
        while True:
            row = _ROW.search(data, start, closing.start())
            if row is None:
                return None
            if int(row[1]) <= last_row or start == opening.end():
                break
            start = max(opening.end(), start - 4 * _TAIL)  # further back: the rows are long
        if b"<!" in data[row.start() : closing.start()]:
            return None
        head = data[: opening.end()].decode("utf-8")
        tail = data[row.start() :].decode("utf-8")
        return cls(data, opening.end(), row.start(), head + tail, len(head), int(row[1]))

    def byte_offset(self, at: int) -> int:
        """The byte in `data` of a character position in `text`."""
        if at <= self.head_chars:
            return len(self.text[:at].encode("utf-8"))
        return self.tail_start + len(self.text[self.head_chars : at].encode("utf-8"))

    def patched(self, edits: Sequence[tuple[int, int, str]]) -> BytesPatch:
        return BytesPatch(
            self.data,
            tuple(
                (self.byte_offset(start), self.byte_offset(stop), new.encode("utf-8"))
                for start, stop, new in sorted(edits)
            ),
        )
