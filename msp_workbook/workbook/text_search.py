"""Whether a sheet can hold a text, found in its stored XML without loading its cells.

A text cell keeps its characters in the sheet's XML (an inline string, a formula's cached
result) or in the shared-strings part. Searching both, inflated chunk by chunk, answers "may
this text be on that sheet?" far faster than reading a million cells: "no" is certain, "yes"
means the caller reads the cells to be sure. A rich-text run (`<r>`, in the shared strings or
in a sheet's inline string) can split a text across elements, so a part with the end tag of a
run (`</r>`, `</x:r>`) always answers "yes".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from .package.names import REL_NS
from .package.opc import open_package

RT_SHARED_STRINGS = REL_NS + "/sharedStrings"
# The end tag of a rich-text run, with or without a namespace prefix.
_RUN_END = (b"</r>", b":r>")


def sheet_may_hold(path: Path, sheet_name: str, texts: Sequence[str]) -> bool:
    """Whether any of `texts` (plain ASCII, nothing XML would escape) may be in a cell of the
    sheet: False only when neither its XML nor the shared strings contain it."""
    if not texts:
        return False
    needles = [t.encode("ascii") for t in texts]
    with open_package(path) as package:
        sheet = package.sheet(sheet_name)
        if sheet is None:
            return True
        parts = [sheet.part]
        parts += [
            r.target
            for r in package.relationships(package.workbook_part)
            if r.type == RT_SHARED_STRINGS and not r.external and package.has(r.target)
        ]
        return any(_found(package.inflate(part), [*needles, *_RUN_END]) for part in parts)


def _found(chunks: Iterable[bytes], needles: Sequence[bytes]) -> bool:
    """Whether one of the needles occurs in the stream (across chunk borders too)."""
    keep = max(len(n) for n in needles) - 1
    tail = b""
    for chunk in chunks:
        block = tail + chunk
        if any(n in block for n in needles):
            return True
        tail = block[-keep:]
    return False
