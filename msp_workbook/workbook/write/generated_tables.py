"""The generated tables of a save (Billing, Invoices, Checks, ...): each one's sheet and table
part written whole (a missing sheet or table created), rows added at the end of an append-only
one (the Ledger, with columns the schema added later), and the charts over the rewritten data
made to follow it."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from .. import schema
from ..cell_refs import MAX_COL, parse_range, range_ref
from ..cells import column_letter
from ..errors import WorkbookError
from ..package.names import (
    CONTENT_TYPES,
    CT_TABLE,
    CT_WORKSHEET,
    RT_TABLE,
    RT_WORKSHEET,
    relative_target,
    rels_part,
)
from ..package.opc import TableRef, local, parse_xml
from ..package.part_edits import add_override, add_relationship, new_rel_id, rel_ids
from ..package.xml_text import tag_prefix
from ..places import lost_table
from ..sheet_scan import holds_rows, top_level
from . import table_rows
from .cell_xml import CellValue, cell_xml
from .chart_series import WrittenSheet, follow_written_data
from .package_edit import PackageEdit, utf8
from .row_grid import RowGrid, dimension_edit
from .sheet_layout import new_layout, read_layout
from .table_part import (
    TableSpec,
    default_style_info,
    table_spec_of,
    table_xml,
    with_table_columns,
)
from .workbook_xml import append_sheet
from .worksheet import Link, SideColumns, worksheet_xml


class GeneratedTables:
    """The generated tables written in one edit of a package, and what the charts follow."""

    def __init__(self, edit: PackageEdit) -> None:
        self.edit = edit
        self._added_table_ids: list[int] = []
        self._written: dict[str, WrittenSheet] = {}  # by case-folded sheet name

    def write_table(
        self,
        spec: schema.Table,
        rows: Sequence[Sequence[CellValue]],
        side: SideColumns | None = None,
        links: Sequence[Link] = (),
    ) -> None:
        """Write a generated table's sheet (with any side columns and links) and table part
        whole."""
        package = self.edit.package
        sheet = package.sheet(spec.sheet)
        table = package.table(spec.name)
        if table is not None and (sheet is None or table.sheet.part != sheet.part):
            raise WorkbookError(
                f'table "{spec.name}" is on sheet "{table.sheet.name}", but it belongs on sheet '
                f'"{spec.sheet}": rename that sheet back to "{spec.sheet}"'
            )
        name = spec.sheet if sheet is None else sheet.name
        self._written[name.casefold()] = WrittenSheet(name, rows, side)
        links = self._leading_somewhere(links)
        if sheet is None:
            self._add_sheet(spec, rows, side, links)
            return
        others = [t.name for t in package.tables() if t.sheet.part == sheet.part and t != table]
        if others:
            raise WorkbookError(
                f'sheet "{sheet.name}" is rewritten by every recalculation, but it also holds '
                f"the table {', '.join(others)}: move that table to another sheet"
            )
        layout = read_layout(utf8(package.read(sheet.part), sheet.part))
        if table is None:
            table_spec = self._new_table_spec(spec)
            table_part, rel_id = self._add_table_part(sheet.part)
            layout = layout.with_table_part(rel_id)
        else:
            table_spec = table_spec_of(package.read(table.part), table.part)
            table_part = table.part
            if not layout.has("tableParts"):
                layout = layout.with_table_part(table.rel_id)
        self.edit.set(sheet.part, worksheet_xml(layout, spec.headers, rows, side, links))
        self.edit.set(table_part, table_xml(table_spec, spec.headers, len(rows)))

    def _leading_somewhere(self, links: Sequence[Link]) -> list[Link]:
        """The links whose sheet is in the workbook (a finding may name a file, or a lost
        sheet). The workbook's sheets are listed once, however many links there are."""
        if not links:
            return []
        names = {sheet.name.casefold() for sheet in self.edit.package.sheets()}
        return [link for link in links if link.sheet.casefold() in names]

    def _new_table_spec(self, spec: schema.Table) -> TableSpec:
        """A new table: the next free table id (ids are unique in the workbook)."""
        ids = [t.id for t in self.edit.package.tables()] + self._added_table_ids
        table_id = max(ids, default=0) + 1
        self._added_table_ids.append(table_id)
        return TableSpec(table_id, spec.name, spec.name, style_info=default_style_info())

    def _add_table_part(self, sheet_part: str) -> tuple[str, str]:
        """A new table part related to the sheet: (its part name, its relationship id)."""
        folder = posixpath.join(posixpath.dirname(self.edit.package.workbook_part), "tables")
        table_part = self.edit.free_part(folder + "/table{}.xml")
        rels = rels_part(sheet_part)
        existing = self.edit.text(rels) if self.edit.exists(rels) else None
        rel_id = new_rel_id(rel_ids(existing or ""))
        target = relative_target(sheet_part, table_part)
        self.edit.set(rels, add_relationship(existing, rel_id, RT_TABLE, target))
        self.edit.edit(CONTENT_TYPES, lambda t: add_override(t, table_part, CT_TABLE))
        return table_part, rel_id

    def _add_sheet(
        self,
        spec: schema.Table,
        rows: Sequence[Sequence[CellValue]],
        side: SideColumns | None,
        links: Sequence[Link] = (),
    ) -> None:
        """Create a missing generated sheet with its table, after the other sheets."""
        book = self.edit.package.workbook_part
        folder = posixpath.join(posixpath.dirname(book), "worksheets")
        sheet_part = self.edit.free_part(folder + "/sheet{}.xml")
        book_rels = rels_part(book)
        rel_id = new_rel_id(rel_ids(self.edit.text(book_rels)))
        target = relative_target(book, sheet_part)
        self.edit.edit(book_rels, lambda t: add_relationship(t, rel_id, RT_WORKSHEET, target))
        self.edit.edit(book, lambda t: append_sheet(t, spec.sheet, rel_id))
        self.edit.edit(CONTENT_TYPES, lambda t: add_override(t, sheet_part, CT_WORKSHEET))
        table_spec = self._new_table_spec(spec)
        table_part, table_rel_id = self._add_table_part(sheet_part)
        layout = new_layout([c.width for c in spec.columns], table_rel_id)
        self.edit.set(sheet_part, worksheet_xml(layout, spec.headers, rows, side, links))
        self.edit.set(table_part, table_xml(table_spec, spec.headers, len(rows)))

    # Append-only generated tables.

    def append_generated(self, spec: schema.Table, rows: Sequence[Sequence[CellValue]]) -> None:
        """Add rows (schema column order) at the end of an append-only table such as Ledger."""
        table = self.edit.package.table(spec.name)
        if table is None:
            sheet = self.edit.package.sheet(spec.sheet)
            if sheet is not None and holds_rows(self.edit.text(sheet.part)):
                raise lost_table(self.edit.package.path, spec, sheet.name)
            self.write_table(spec, rows)
            return
        root = parse_xml(self.edit.text(table.part).encode("utf-8"), table.part)
        have = {
            (el.get("name") or "").strip().casefold()
            for el in root.iter()
            if local(el.tag) == "tableColumn"
        }
        missing = [h for h in spec.headers if h.casefold() not in have]
        wrong = [h for h in missing if h not in spec.added_later]
        if wrong:
            raise WorkbookError(f'table "{spec.name}" has no column "{wrong[0]}"')
        if missing:
            self._add_columns(table, missing)
        if rows:
            values = [dict(zip(spec.headers, row, strict=True)) for row in rows]
            table_rows.append(self.edit, spec.name, values, like=_formatted_alike(spec, missing))

    def _add_columns(self, table: TableRef, headers: Sequence[str]) -> None:
        """New columns at the table's right end: header cells and table columns; the cells of
        its existing rows in them stay empty. Refused when the sheet has values there."""
        sheet = table.sheet
        text = self.edit.text(table.part)
        root = parse_xml(text.encode("utf-8"), table.part)
        first_row, first_col, last_row, last_col = parse_range(root.get("ref", ""))
        if int(root.get("headerRowCount") or 1) != 1 or int(root.get("totalsRowCount") or 0):
            raise WorkbookError(
                f'table "{table.name}" needs a header row and no total row to add columns to it'
            )
        added = range(last_col + 1, last_col + 1 + len(headers))
        if added.stop > MAX_COL:
            raise WorkbookError(f'table "{table.name}" has no room for more columns')
        sheet_text = self.edit.text(sheet.part)
        _, children = top_level(sheet_text)
        sheet_data = next((c for c in children if c.name == "sheetData"), None)
        if sheet_data is None:
            raise WorkbookError(f'damaged workbook: sheet "{sheet.name}" has no cell data')
        grid = RowGrid(sheet_text, sheet_data, added)
        for number in range(first_row, last_row + 1):
            if grid.has_values(number):
                raise WorkbookError(
                    f'cannot add the column "{headers[0]}" to table "{table.name}": column '
                    f'{column_letter(added.start)} on sheet "{sheet.name}" is not empty'
                )
        ids = [int(el.get("id") or 0) for el in root.iter() if local(el.tag) == "tableColumn"]
        new_ref = range_ref(first_row, first_col, last_row, added.stop - 1)
        self.edit.set(table.part, with_table_columns(text, headers, max(ids, default=0), new_ref))
        prefix = tag_prefix(sheet_data.tag)
        style = grid.style(first_row, last_col)
        cells = {
            c: cell_xml(f"{column_letter(c)}{first_row}", style, header, prefix)
            for c, header in zip(added, headers, strict=True)
        }
        edits = [grid.rows_edit({first_row: cells}, prefix), *dimension_edit(sheet_text, new_ref)]
        self.edit.patch(sheet.part, sheet_text, edits)

    # Charts.

    def follow_charts(self) -> None:
        """Resize the series ranges over the rewritten sheets' data in every chart, anywhere."""
        if not self._written:
            return
        for part in self.edit.package.chart_parts():
            try:
                text = self.edit.package.read(part).decode("utf-8")
            except UnicodeDecodeError:  # not ours to convert: left as it is
                continue
            new = follow_written_data(text, self._written)
            if new != text:
                self.edit.set(part, new)


def _formatted_alike(spec: schema.Table, headers: Sequence[str]) -> dict[str, str]:
    """For each of these columns, the first other column of the table shown the same way
    (same kind and number format): an added column's cells borrow its style."""
    alike = {}
    for header in headers:
        column = spec.column(header)
        for other in spec.columns:
            same = (other.kind, other.number_format) == (column.kind, column.number_format)
            if same and other.header not in headers:
                alike[header] = other.header
                break
    return alike
