"""The cells whose value a reader cannot give (`FaultScan`): error values and formulas without a
stored result, found in a sheet's XML as it is inflated.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator

from .cell_extent import R_ATTR, REF, column_number

# (sheet row, 0-based column) -> an error value's text, or "" for a formula without a result.
Faults = dict[tuple[int, int], str]
_ROW_END = re.compile(rb"</(?:[\w.-]+:)?row>")
_CELL_END = rb"\s*</(?:[\w.-]+:)?c>"  # what follows a formula without a result
_FORMULA_LAST = re.compile(
    rb"""(?:</(?:[\w.-]+:)?f>|<(?:[\w.-]+:)?f\b(?:[^>"']|"[^"]*"|'[^']*')*/>)""" + _CELL_END
)
# What every formula without a result ends with right before its cell's end tag: "f>" (its
# `</f>`) or "/>" (an `<f .../>`). Each starts with a literal, which the regex engine finds
# quickly; the full pattern above tries every "<" of the sheet.
_RESULTLESS_ENDS = (re.compile(rb"f>" + _CELL_END), re.compile(rb"/>" + _CELL_END))
_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
_CELL_START = re.compile(rb"""<(?:[\w.-]+:)?c(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)</")
_ROW_BLOCK_LIMIT = 16 << 20


class FaultScan:
    """Finds, in a sheet's XML as it is inflated, the cells whose value a reader (calamine,
    fastexcel) reads as empty: an error value (`t="e"`: #N/A, #VALUE!, ...) and a formula with
    no stored result (its `<f>` is the cell's last element: no `<v>` follows, as in a file
    saved by a writer that computes nothing). Cheap where there are none: each block of whole
    rows is searched for "#" and "f" (single bytes), and only blocks that hold an error type or
    a formula are scanned with a regular expression; once a formula has been seen every later
    block is (a shared formula's followers are `<f .../>`, whose master may be blocks before).
    Cells without an `r` attribute are not placed (Excel and LibreOffice always write one)."""

    def __init__(self) -> None:
        self.faults: Faults = {}
        self.complete = False
        self._formulas = False

    def watch(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """The chunks, passed on unchanged and scanned on the way; `complete` once the last
        has passed."""
        self.faults, self.complete, self._formulas = {}, False, False
        carry = b""
        for chunk in chunks:
            yield chunk
            data = carry + chunk if carry else chunk
            end = _last_row_end(data)
            if end < 0 and len(data) < _ROW_BLOCK_LIMIT:
                carry = data
                continue
            if end < 0:
                end = len(data)
            self._scan(data[:end] if end < len(data) else data)
            carry = data[end:]
        if carry:
            self._scan(carry)
        self.complete = True

    def _scan(self, block: bytes) -> None:
        # Plain byte searches first: every error value starts with "#" and its type attribute
        # quotes an "e"; every formula holds an "f". Sheets of numbers and shared strings hold
        # none, and a "#" in a text (an imported reading's Source) costs no scan of its own.
        if b"#" in block and (b'"e"' in block or b"'e'" in block):
            for match in _ERROR_TYPE.finditer(block):
                self._fault_at(block, match.start(), error=True)
        if not self._formulas and not (b"f" in block and (b"<f" in block or b":f" in block)):
            return
        self._formulas = True
        if not any(end.search(block) for end in _RESULTLESS_ENDS):
            return  # every formula has its result (a calculated column, as Excel saves it)
        for match in _FORMULA_LAST.finditer(block):
            self._fault_at(block, match.start(), error=False)

    def _fault_at(self, block: bytes, at: int, *, error: bool) -> None:
        """Record the cell whose start tag holds (error) or whose content ends at (formula)
        position `at`."""
        start = block.rfind(b"<", 0, at + 1)
        tag = _CELL_START.match(block, start) if start >= 0 else None
        if error:
            if tag is None or tag.end() <= at:
                return  # "t='e'" in a text, not a cell's type
        else:
            while tag is None and start > 0:
                start = block.rfind(b"<", 0, start)
                tag = _CELL_START.match(block, start) if start >= 0 else None
            if tag is None:
                return
        found = R_ATTR.search(tag[1])
        ref = REF.fullmatch((found[1] if found[1] is not None else found[2]) if found else b"")
        if ref is None:
            return
        place = (int(ref[2]), column_number(ref[1]) - 1)
        if not error:
            self.faults.setdefault(place, "")
            return
        following = _CELL_START.search(block, tag.end())
        value = _VALUE.search(block, tag.end(), following.start() if following else len(block))
        text = value[1].decode("utf-8", "replace") if value else ""
        self.faults[place] = html.unescape(text).strip() or "#N/A"


def _last_row_end(data: bytes) -> int:
    """The position just after the last `</row>` of `data`, or -1."""
    at = data.rfind(b"row>")
    while at >= 0:
        found = _ROW_END.match(data, data.rfind(b"<", 0, at))
        if found is not None and found.end() == at + 4:
            return found.end()
        at = data.rfind(b"row>", 0, at)
    return -1
