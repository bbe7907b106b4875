"""Set a few cells of a sheet found by the labels beside them, in the sheet's XML text.

Used for the Start sheet's status block: a column of labels and, beside it, the value cells the
program owns. Each value cell is replaced where it stands (keeping its style, so the template's
number formats apply); every other byte of the sheet stays as it was. When a label is not found
in its cell, nothing is set: the block is not where the template put it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence

from ..cells import column_letter
from ..package.xml_text import tag_prefix
from ..sheet_scan import Row, iter_cells, iter_rows, top_level
from .cell_xml import CellValue, cell_xml

Edit = tuple[int, int, str]

_TYPE = re.compile(r"""\bt\s*=\s*["']([^"']*)["']""")
_V = re.compile(r"<(?:[\w.-]+:)?v\b[^>]*>([^<]*)</(?:[\w.-]+:)?v>")
_T = re.compile(r"<(?:[\w.-]+:)?t\b[^>]*?(?:/>|>([^<]*)</(?:[\w.-]+:)?t>)")
_PHONETIC = re.compile(r"<(?:[\w.-]+:)?rPh\b.*?</(?:[\w.-]+:)?rPh>", re.S)
_SI = re.compile(r"<(?:[\w.-]+:)?si\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?si>)", re.S)


class SharedStrings:
    """The shared-strings part's texts by index, read only as far as asked (`text()`: the
    part's XML, or None when there is none)."""

    def __init__(self, text: Callable[[], str | None]) -> None:
        self._text = text
        self._found: list[str] | None = None
        self._items: Iterator[re.Match[str]] = iter(())

    def __call__(self, index: int) -> str | None:
        if self._found is None:
            self._found = []
            xml = self._text()
            if xml:
                self._items = _SI.finditer(xml)
        while len(self._found) <= index:
            item = next(self._items, None)
            if item is None:
                return None
            self._found.append(_texts(item[1] or ""))
        return self._found[index]


def _texts(xml: str) -> str:
    """The text of a string item or inline string: its <t> elements, phonetic runs left out."""
    xml = _PHONETIC.sub("", xml)
    return html.unescape("".join(m[1] or "" for m in _T.finditer(xml)))


def cell_text(element: str, shared: Callable[[int], str | None]) -> str | None:
    """The text a <c> element shows, for a text cell (shared, inline or a formula's text);
    None for a number, an empty cell, or a shared string not found."""
    head = element[: element.find(">") + 1]
    kind = _TYPE.search(head)
    kind_name = kind[1] if kind else "n"
    if kind_name == "inlineStr":
        return _texts(element[len(head) :])
    value = _V.search(element)
    if value is None:
        return None
    if kind_name == "s":
        index = value[1].strip()
        return shared(int(index)) if index.isdigit() else None
    if kind_name == "str":
        return html.unescape(value[1])
    return None


class Kept:
    """A value for `labelled_cells` that leaves its cell as it is."""


KEEP = Kept()


def labelled_cells(
    text: str,
    labels: Sequence[str],
    first_row: int,
    label_column: int,
    value_column: int,
    values: Sequence[CellValue | Kept],
    shared: Callable[[int], str | None],
) -> list[Edit] | None:
    """The edits of the sheet's text that set the value cells beside `labels` (one per row from
    `first_row` down, labels in `label_column`, values in `value_column`, 0-based columns) to
    `values` (None: an empty cell, its style kept; KEEP: the cell as it is). None, and nothing to
    do, when a label is not in its cell."""
    if len(labels) != len(values):
        raise ValueError(f"{len(values)} values for {len(labels)} labels")
    _, children = top_level(text)
    sheet_data = next((c for c in children if c.name == "sheetData"), None)
    if sheet_data is None:
        return None
    last_row = first_row + len(labels) - 1
    rows: dict[int, Row] = {}
    for row in iter_rows(text, sheet_data):
        if row.number > last_row:
            break
        if row.number >= first_row:
            rows[row.number] = row
    prefix = tag_prefix(sheet_data.tag)
    edits: list[Edit] = []
    for offset, (label, value) in enumerate(zip(labels, values, strict=True)):
        number = first_row + offset
        row = rows.get(number)
        if row is None:
            return None
        cells = {c.column: c for c in iter_cells(text, row)}
        found = cells.get(label_column)
        if found is None or (cell_text(text[found.start : found.end], shared) or "").strip() != (
            label
        ):
            return None
        if isinstance(value, Kept):
            continue
        ref = f"{column_letter(value_column)}{number}"
        target = cells.get(value_column)
        style = target.style if target is not None else None
        new = cell_xml(ref, style, value, prefix) or _blank(ref, style, prefix)
        if target is not None:
            edits.append((target.start, target.end, new))
        else:  # after the cells left of it (the label's at least)
            before = [c for c in cells.values() if c.column < value_column]
            at = max(c.end for c in before)
            edits.append((at, at, new))
    return edits


def _blank(ref: str, style: int | None, prefix: str) -> str:
    return f'<{prefix}c r="{ref}"' + ("" if style is None else f' s="{style}"') + "/>"
