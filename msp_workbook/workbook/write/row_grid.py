"""The rows of a sheet's XML text seen as a grid, to look at the cells in a table's columns by
row number and to merge new cells into its rows (or add rows), with the sheet's <dimension>
widened to cover them. Everything else in the sheet stays as it was."""

from __future__ import annotations

from collections.abc import Mapping

from ..cell_refs import parse_range, range_ref
from ..package.xml_text import attrs, first_tag
from ..sheet_scan import Cell, Span, iter_cells, iter_rows, row_search_start, set_attribute


class RowGrid:
    """The rows of a sheet's XML text, to look at the cells in a table's columns by row number."""

    def __init__(self, text: str, sheet_data: Span, columns: range, from_row: int = 1) -> None:
        """`from_row`: only rows from that number on are needed (a window at the sheet's end, so
        a million rows above it are not read); asking for a row above it reads them all."""
        self.text = text
        self.sheet_data = sheet_data
        self.columns = columns
        self._read(row_search_start(text, sheet_data, from_row) if from_row > 1 else None)

    def _read(self, start: int | None) -> None:
        self.rows = list(iter_rows(self.text, self.sheet_data, start))
        self.by_number = {r.number: r for r in self.rows}
        self.complete = start is None
        self.first = self.rows[0].number if self.rows else 1
        self.last = self.rows[-1].number if self.rows else 0

    def cells(self, number: int) -> dict[int, Cell]:
        if number < self.first and not self.complete:
            self._read(None)
        row = self.by_number.get(number)
        return {c.column: c for c in iter_cells(self.text, row)} if row else {}

    def has_values(self, number: int) -> bool:
        """Whether the row holds a value in one of the table's columns."""
        cells = self.cells(number)
        return any(cells[c].has_value for c in self.columns if c in cells)

    def style(self, number: int, column: int) -> int | None:
        cell = self.cells(number).get(column)
        return cell.style if cell else None

    def rows_edit(
        self, new_cells: Mapping[int, Mapping[int, str]], prefix: str
    ) -> tuple[int, int, str]:
        """The edit of the sheet's text (start, stop, new text) that merges new cells into
        existing rows, or adds them in new rows. The row numbers are consecutive; everything
        before and after them stays as it was."""
        data = self.sheet_data
        numbers = sorted(new_cells)
        inside = [r for r in self.rows if numbers[0] <= r.number <= numbers[-1]]
        after = next((r for r in self.rows if r.number > numbers[-1]), None)
        rows = "".join(self._row(n, new_cells[n], prefix) for n in numbers)
        if inside:
            return inside[0].span.start, inside[-1].span.end, rows
        if after is not None:
            return after.span.start, after.span.start, rows
        if data.empty:  # <sheetData/>: open it up
            name = data.tag[1:].split("/")[0].strip()
            return data.start, data.end, f"<{name}>{rows}</{name}>"
        return data.inner_end, data.inner_end, rows

    def _row(self, number: int, cells: Mapping[int, str], prefix: str) -> str:
        row = self.by_number.get(number)
        if row is None:
            content = "".join(cells[c] for c in sorted(cells))
            return f'<{prefix}row r="{number}">{content}</{prefix}row>'
        if not cells:
            return self.text[row.span.start : row.span.end]
        merged = {c.column: self.text[c.start : c.end] for c in iter_cells(self.text, row)}
        merged.update(cells)
        tag = row.span.tag
        first, _, last = attrs(tag).get("spans", "").partition(":")
        if first.isdigit() and last.isdigit():  # spans="1:7" counts columns from 1
            low, high = min(int(first), min(cells) + 1), max(int(last), max(cells) + 1)
            tag = set_attribute(tag, "spans", f"{low}:{high}")
        if row.span.empty:
            tag = tag[:-2].rstrip() + ">"
        content = "".join(merged[c] for c in sorted(merged))
        return f"{tag}{content}</{prefix}row>"


def dimension_edit(sheet: str, covered: str) -> list[tuple[int, int, str]]:
    """The edit that widens the sheet's <dimension ref> to include the `covered` range (none
    when the sheet has no <dimension>)."""
    match = first_tag(sheet, "dimension")
    if match is None:
        return []
    r1, c1, r2, c2 = parse_range(covered)
    old = attrs(match[0]).get("ref")
    if old:
        o1, p1, o2, p2 = parse_range(old)
        r1, c1, r2, c2 = min(r1, o1), min(c1, p1), max(r2, o2), max(c2, p2)
    return [(match.start(), match.end(), set_attribute(match[0], "ref", range_ref(r1, c1, r2, c2)))]
