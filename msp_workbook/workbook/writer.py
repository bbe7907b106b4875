"""Write into the user's workbook without disturbing anything the program does not own.

A recalculation rewrites the generated sheets (Billing, Invoices, Checks, ...) whole: their
worksheet part and their table part. Every other member of the file (input and user sheets,
charts, images, buttons, comments, names, shared strings, styles, the VBA project) is copied byte
for byte; the file is never loaded and saved by a spreadsheet library, which would lose some of it.

Side columns (values that belong with a table's rows but not in it, such as a chart's extra
series) are written beside the table, outside it, and rewritten with it. Every chart in the
workbook whose series ranges cover a rewritten table's data (from row 2 down) is made to follow
the new rows: its ranges end at the new last row and its cached values are the new ones; only
those references in the chart part change.

Appending rows to an input table (a new license key) inserts the new <row> elements into that
sheet's XML and widens the table's range; nothing else in the file changes.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path

from . import schema, status_block
from .cell_patch import KEEP, Kept, SharedStrings, labelled_cells
from .cells import column_letter
from .errors import WorkbookError
from .money_format import styles_for_currency
from .package.lock import FileStamp
from .package.names import (
    CONTENT_TYPES,
    CT_TABLE,
    CT_WORKSHEET,
    REL_NS,
    RT_CALC_CHAIN,
    RT_STYLES,
    RT_TABLE,
    RT_WORKSHEET,
    relative_target,
    rels_part,
)
from .package.opc import Package, TableRef, local, open_package, parse_xml
from .package.part_edits import (
    add_override,
    add_relationship,
    new_rel_id,
    rel_ids,
    remove_override,
    remove_relationship,
)
from .package.patches import BytesPatch, Content, TextPatch
from .package.xml_text import attrs, escape_attr, first_tag, tag_prefix, tags
from .package.zip_writer import save_package
from .places import lost_table
from .row_removal import without_rows, without_rows_in_bytes
from .sheet_window import WINDOW_FROM, SheetWindow
from .sheet_xml import (
    KEPT_TABLE_ATTRIBUTES,
    MAX_COL,
    Cell,
    CellValue,
    Link,
    SideColumns,
    Span,
    TableSpec,
    WrittenSheet,
    cell_xml,
    column_styles,
    follow_written_data,
    holds_rows,
    iter_cells,
    iter_rows,
    new_layout,
    parse_range,
    range_ref,
    read_layout,
    row_search_start,
    set_attribute,
    table_xml,
    top_level,
    worksheet_xml,
)
from .text_search import RT_SHARED_STRINGS

__all__ = [
    "CellValue",
    "Link",
    "SideColumnValues",
    "WorkbookError",
    "append_rows",
    "append_to_tables",
    "remove_rows",
    "write_tables",
]


# Per table name: (headers, rows) of the columns written beside it.
SideColumnValues = Mapping[str, tuple[Sequence[str], Sequence[Sequence[CellValue]]]]


def write_tables(
    src: Path,
    dest: Path,
    tables: Mapping[str, Sequence[Sequence[CellValue]]],
    *,
    side_columns: SideColumnValues | None = None,
    appended: Mapping[str, Sequence[Sequence[CellValue]]] | None = None,
    unchanged_since: FileStamp | None = None,
    links: Mapping[str, Sequence[Link]] | None = None,
    start_status: Mapping[str, CellValue] | None = None,
    currency: str | None = None,
) -> None:
    """Rewrite the named generated tables (schema table names, e.g. "Billing") with these data
    rows (one value per schema column, in schema column order) and save to `dest` (may be `src`).

    `appended` adds rows (schema column order too) at the end of append-only generated tables
    (the Ledger): their existing rows stay byte for byte, and columns the schema added later
    (`Table.added_later`) that the table lacks are added at its right end first. Such a table
    that is missing is created, unless its sheet holds anything (refused: its rows are not ours
    to overwrite).

    `side_columns` maps a table name to (headers, rows) written to the right of that table, one
    blank column after it and outside it: headers in row 1, one row of values per table row, in
    the same order. Charts whose series cover a rewritten table's data (ranges from row 2, also
    over side columns) are resized to the new rows. Everything else is copied byte for byte.
    `links` maps a table name to links from cells of its sheet to places in the workbook
    (Checks' cells to the cells they name); they replace the sheet's old links.
    With `unchanged_since`, nothing is saved unless `dest` is still the file of that stamp.
    `start_status` sets the value cells of the Start sheet's status block (by label,
    `status_block`); nothing there when the block is not where the template put it.
    `currency` (Settings') is shown by the generated sheets' money formats (`money_format`)."""
    specs = [_generated_table(name) for name in tables]
    sides = {spec.name: _side_columns(spec, tables[spec.name], side_columns) for spec in specs}
    unknown = sorted(set(side_columns or {}) - {spec.name for spec in specs})
    if unknown:
        raise ValueError(f"side columns for {', '.join(unknown)}, which is not written")
    with open_package(Path(src)) as package:
        edit = _Edit(package)
        for spec in specs:
            edit.write_table(
                spec, tables[spec.name], sides[spec.name], (links or {}).get(spec.name, ())
            )
        for name, rows in (appended or {}).items():
            edit.append_generated(_generated_table(name), rows)
        if currency is not None:
            edit.show_currency(currency)
        edit.follow_charts()
        edit.drop_calc_chain()
        edit.ensure_full_calc_on_load()
        if start_status:
            values: dict[str, CellValue | Kept] = dict(start_status)
            if not edit.changes_anything():
                # A run that changes nothing leaves the file alone (no save, no backup): the
                # last run shown stays the last one that changed the workbook.
                values[status_block.LAST_RUN] = KEEP
            edit.status_block(values)
        save_package(package, edit.replacements, Path(dest), unchanged_since=unchanged_since)


def append_rows(
    src: Path,
    dest: Path,
    table_name: str,
    rows: Sequence[Mapping[str, CellValue]],
    *,
    unchanged_since: FileStamp | None = None,
) -> list[int]:
    """Append rows (keyed by column header; headers may be in any order on the sheet; missing
    keys = empty) to an input table such as Keys, save to `dest` (may be `src`) and return the
    sheet row numbers written. Nothing else in that sheet or the file changes."""
    with open_package(Path(src)) as package:
        edit = _Edit(package)
        written = edit.append(table_name, rows) if rows else []
        save_package(package, edit.replacements, Path(dest), unchanged_since=unchanged_since)
    return written


def append_to_tables(
    src: Path,
    dest: Path,
    rows: Mapping[str, Sequence[Mapping[str, CellValue]]],
    *,
    unchanged_since: FileStamp | None = None,
) -> None:
    """`append_rows` to several tables (by table name) in one save."""
    with open_package(Path(src)) as package:
        edit = _Edit(package)
        for table_name, table_rows in rows.items():
            if table_rows:
                edit.append(table_name, table_rows)
        save_package(package, edit.replacements, Path(dest), unchanged_since=unchanged_since)


def remove_rows(
    src: Path,
    dest: Path,
    rows: Mapping[str, Collection[int]],
    *,
    unchanged_since: FileStamp | None = None,
) -> None:
    """Take these sheet rows (by table name) out of their tables and save to `dest`: the rows
    below them inside the table move up and the table shrinks; nothing else changes."""
    with open_package(Path(src)) as package:
        edit = _Edit(package)
        for table_name, numbers in rows.items():
            if numbers:
                edit.remove_rows(table_name, numbers)
        edit.drop_calc_chain()
        save_package(package, edit.replacements, Path(dest), unchanged_since=unchanged_since)


def _generated_table(name: str) -> schema.Table:
    try:
        spec = schema.table_by_name(name)
    except KeyError:
        raise ValueError(f"unknown table {name!r}") from None
    if not spec.generated:
        raise ValueError(f"{name!r} is an input table; only generated tables are rewritten")
    return spec


def _side_columns(
    spec: schema.Table, rows: Sequence[Sequence[CellValue]], given: SideColumnValues | None
) -> SideColumns | None:
    """The side columns of a table, checked: they start one blank column after the table."""
    if not given or spec.name not in given:
        return None
    headers, values = given[spec.name]
    first = len(spec.columns) + 1
    aligned = spec.name not in schema.SIDE_BLOCK_TABLES
    if aligned and len(values) != len(rows):
        raise ValueError(
            f"side columns of {spec.name}: {len(values)} rows for the table's {len(rows)}"
        )
    if first + len(headers) > MAX_COL:
        raise ValueError(f"side columns of {spec.name}: too many columns for one sheet")
    return SideColumns(first, list(headers), values, aligned)


def _utf8(data: bytes, part: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise WorkbookError(f"cannot work on {part}: it is not stored as UTF-8") from None


class _Edit:
    """The parts a save changes, kept as text, and the edits that keep the package consistent."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self.replacements: dict[str, Content | None] = {}
        self._added_table_ids: list[int] = []
        self._written: dict[str, WrittenSheet] = {}  # by case-folded sheet name

    # Parts: the package's, as changed so far.

    def _key(self, part: str) -> str:
        return self.package.name(part) if self.package.has(part) else part

    def exists(self, part: str) -> bool:
        key = self._key(part)
        if key in self.replacements:
            return self.replacements[key] is not None
        return self.package.has(part)

    def text(self, part: str) -> str:
        data = self.replacements.get(self._key(part))
        if isinstance(data, TextPatch):
            return data.applied()
        if isinstance(data, BytesPatch):
            return _utf8(data.applied(), part)
        return _utf8(data if data is not None else self.package.read(part), part)

    def window(self, part: str, last_row: int) -> SheetWindow | None:
        """A large sheet not changed yet, as the text of its head and of its rows from one at or
        above `last_row` to its end (`SheetWindow`); None for a small sheet, or where no such
        window can be told apart safely (the whole text is read then)."""
        if self._key(part) in self.replacements:
            return None
        data = self.package.read(part)
        if len(data) < WINDOW_FROM:
            return None
        return SheetWindow.of(data, last_row)

    def patch_window(
        self, part: str, window: SheetWindow, edits: Sequence[tuple[int, int, str]]
    ) -> None:
        """`patch` of edits made to a window's text: the part's bytes with them applied."""
        self.replacements[self._key(part)] = window.patched(edits)

    def set(self, part: str, text: str) -> None:
        self.replacements[self._key(part)] = text.encode("utf-8")

    def patch(self, part: str, text: str, edits: Sequence[tuple[int, int, str]]) -> None:
        """The part's text (as `text` gave it) with these spans replaced, kept as a patch."""
        self.replacements[self._key(part)] = TextPatch(text, tuple(sorted(edits)))

    def edit(self, part: str, change: Callable[[str], str]) -> None:
        """Apply a textual edit; the part counts as changed only if its text did change."""
        before = self.text(part)
        after = change(before)
        if after != before:
            self.set(part, after)

    def drop(self, part: str) -> None:
        """Leave a part out, with its content-type override."""
        if self.package.has(part):
            self.replacements[self._key(part)] = None
        self.edit(CONTENT_TYPES, lambda t: remove_override(t, part))

    def free_part(self, pattern: str) -> str:
        """The first unused part name of the pattern: xl/tables/table{}.xml -> ...table12.xml."""
        n = 1
        while self.exists(pattern.format(n)):
            n += 1
        return pattern.format(n)

    # Generated tables.

    def write_table(
        self,
        spec: schema.Table,
        rows: Sequence[Sequence[CellValue]],
        side: SideColumns | None = None,
        links: Sequence[Link] = (),
    ) -> None:
        """Write a generated table's sheet (with any side columns and links) and table part
        whole."""
        package = self.package
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
        layout = read_layout(_utf8(package.read(sheet.part), sheet.part))
        if table is None:
            table_spec = self._new_table_spec(spec)
            table_part, rel_id = self._add_table_part(sheet.part)
            layout = layout.with_table_part(rel_id)
        else:
            table_spec = self._old_table_spec(table.part)
            table_part = table.part
            if not layout.has("tableParts"):
                layout = layout.with_table_part(table.rel_id)
        self.set(sheet.part, worksheet_xml(layout, spec.headers, rows, side, links))
        self.set(table_part, table_xml(table_spec, spec.headers, len(rows)))

    def changes_anything(self) -> bool:
        """Whether the edits so far make any part other than it was. A patch is compared by its
        edits alone: a Ledger of a million rows that gains rows is not put together again."""
        for key, data in self.replacements.items():
            if data is None or not self.package.has(key):
                return True
            if isinstance(data, TextPatch):
                if any(data.text[start:stop] != new for start, stop, new in data.edits):
                    return True
            elif isinstance(data, BytesPatch):
                if any(data.data[start:stop] != new for start, stop, new in data.edits):
                    return True
            elif data != self.package.read(key):
                return True
        return False

    def show_currency(self, currency: str) -> None:
        """The generated sheets' money formats in this currency (styles.xml, when it has any)."""
        part = self._book_part(RT_STYLES)
        if part is not None:
            self.edit(part, lambda text: styles_for_currency(text, currency))

    def _leading_somewhere(self, links: Sequence[Link]) -> list[Link]:
        """The links whose sheet is in the workbook (a finding may name a file, or a lost
        sheet). The workbook's sheets are listed once, however many links there are."""
        if not links:
            return []
        names = {sheet.name.casefold() for sheet in self.package.sheets()}
        return [link for link in links if link.sheet.casefold() in names]

    def _old_table_spec(self, part: str) -> TableSpec:
        """Identity, formats and style of the table part being replaced."""
        root = parse_xml(self.package.read(part), part)
        column_dxf: dict[str, str] = {}
        style_info = _default_style_info()
        for el in root.iter():
            if local(el.tag) == "tableColumn" and el.get("dataDxfId"):
                column_dxf[el.get("name", "")] = el.get("dataDxfId", "")
            elif local(el.tag) == "tableStyleInfo":
                style_info = tuple((k, v) for k, v in el.attrib.items() if "}" not in k)
        name = root.get("name", "")
        return TableSpec(
            table_id=int(root.get("id", "0")),
            name=name,
            display_name=root.get("displayName", name),
            extra=tuple((a, root.get(a, "")) for a in KEPT_TABLE_ATTRIBUTES if a in root.attrib),
            column_dxf=column_dxf,
            style_info=style_info,
        )

    def _new_table_spec(self, spec: schema.Table) -> TableSpec:
        """A new table: the next free table id (ids are unique in the workbook)."""
        ids = [t.id for t in self.package.tables()] + self._added_table_ids
        table_id = max(ids, default=0) + 1
        self._added_table_ids.append(table_id)
        return TableSpec(table_id, spec.name, spec.name, style_info=_default_style_info())

    def _add_table_part(self, sheet_part: str) -> tuple[str, str]:
        """A new table part related to the sheet: (its part name, its relationship id)."""
        folder = posixpath.join(posixpath.dirname(self.package.workbook_part), "tables")
        table_part = self.free_part(folder + "/table{}.xml")
        rels = rels_part(sheet_part)
        existing = self.text(rels) if self.exists(rels) else None
        rel_id = new_rel_id(rel_ids(existing or ""))
        target = relative_target(sheet_part, table_part)
        self.set(rels, add_relationship(existing, rel_id, RT_TABLE, target))
        self.edit(CONTENT_TYPES, lambda t: add_override(t, table_part, CT_TABLE))
        return table_part, rel_id

    def _add_sheet(
        self,
        spec: schema.Table,
        rows: Sequence[Sequence[CellValue]],
        side: SideColumns | None,
        links: Sequence[Link] = (),
    ) -> None:
        """Create a missing generated sheet with its table, after the other sheets."""
        book = self.package.workbook_part
        folder = posixpath.join(posixpath.dirname(book), "worksheets")
        sheet_part = self.free_part(folder + "/sheet{}.xml")
        book_rels = rels_part(book)
        rel_id = new_rel_id(rel_ids(self.text(book_rels)))
        target = relative_target(book, sheet_part)
        self.edit(book_rels, lambda t: add_relationship(t, rel_id, RT_WORKSHEET, target))
        self.edit(book, lambda t: _append_sheet(t, spec.sheet, rel_id))
        self.edit(CONTENT_TYPES, lambda t: add_override(t, sheet_part, CT_WORKSHEET))
        table_spec = self._new_table_spec(spec)
        table_part, table_rel_id = self._add_table_part(sheet_part)
        layout = new_layout([c.width for c in spec.columns], table_rel_id)
        self.set(sheet_part, worksheet_xml(layout, spec.headers, rows, side, links))
        self.set(table_part, table_xml(table_spec, spec.headers, len(rows)))

    # Append-only generated tables.

    def append_generated(self, spec: schema.Table, rows: Sequence[Sequence[CellValue]]) -> None:
        """Add rows (schema column order) at the end of an append-only table such as Ledger."""
        table = self.package.table(spec.name)
        if table is None:
            sheet = self.package.sheet(spec.sheet)
            if sheet is not None and holds_rows(self.text(sheet.part)):
                raise lost_table(self.package.path, spec, sheet.name)
            self.write_table(spec, rows)
            return
        root = parse_xml(self.text(table.part).encode("utf-8"), table.part)
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
            self.append(spec.name, values, like=_formatted_alike(spec, missing))

    def _add_columns(self, table: TableRef, headers: Sequence[str]) -> None:
        """New columns at the table's right end: header cells and table columns; the cells of
        its existing rows in them stay empty. Refused when the sheet has values there."""
        sheet = table.sheet
        text = self.text(table.part)
        root = parse_xml(text.encode("utf-8"), table.part)
        first_row, first_col, last_row, last_col = parse_range(root.get("ref", ""))
        if int(root.get("headerRowCount") or 1) != 1 or int(root.get("totalsRowCount") or 0):
            raise WorkbookError(
                f'table "{table.name}" needs a header row and no total row to add columns to it'
            )
        added = range(last_col + 1, last_col + 1 + len(headers))
        if added.stop > MAX_COL:
            raise WorkbookError(f'table "{table.name}" has no room for more columns')
        sheet_text = self.text(sheet.part)
        _, children = top_level(sheet_text)
        sheet_data = next((c for c in children if c.name == "sheetData"), None)
        if sheet_data is None:
            raise WorkbookError(f'damaged workbook: sheet "{sheet.name}" has no cell data')
        grid = _Grid(sheet_text, sheet_data, added)
        for number in range(first_row, last_row + 1):
            if grid.has_values(number):
                raise WorkbookError(
                    f'cannot add the column "{headers[0]}" to table "{table.name}": column '
                    f'{column_letter(added.start)} on sheet "{sheet.name}" is not empty'
                )
        ids = [int(el.get("id") or 0) for el in root.iter() if local(el.tag) == "tableColumn"]
        new_ref = range_ref(first_row, first_col, last_row, added.stop - 1)
        self.set(table.part, _with_table_columns(text, headers, max(ids, default=0), new_ref))
        prefix = tag_prefix(sheet_data.tag)
        style = grid.style(first_row, last_col)
        cells = {
            c: cell_xml(f"{column_letter(c)}{first_row}", style, header, prefix)
            for c, header in zip(added, headers, strict=True)
        }
        edits = [grid.rows_edit({first_row: cells}, prefix), *_dimension_edit(sheet_text, new_ref)]
        self.patch(sheet.part, sheet_text, edits)

    # Charts.

    def follow_charts(self) -> None:
        """Resize the series ranges over the rewritten sheets' data in every chart, anywhere."""
        if not self._written:
            return
        for part in self.package.chart_parts():
            try:
                text = self.package.read(part).decode("utf-8")
            except UnicodeDecodeError:  # not ours to convert: left as it is
                continue
            new = follow_written_data(text, self._written)
            if new != text:
                self.set(part, new)

    # The Start sheet's status block.

    def status_block(self, values: Mapping[str, CellValue | Kept]) -> None:
        """Set the status block's value cells; nothing when the sheet or a label is missing."""
        sheet = self.package.sheet(status_block.SHEET)
        if sheet is None:
            return
        text = self.text(sheet.part)
        edits = labelled_cells(
            text,
            status_block.LABELS,
            status_block.FIRST_ROW,
            status_block.LABEL_COLUMN,
            status_block.VALUE_COLUMN,
            status_block.ordered(values),
            SharedStrings(self._shared_strings),
        )
        if edits:
            self.patch(sheet.part, text, edits)

    def _shared_strings(self) -> str | None:
        part = self._book_part(RT_SHARED_STRINGS)
        return self.text(part) if part is not None else None

    def _book_part(self, rel_type: str) -> str | None:
        """The workbook's part of this relationship type (styles, shared strings), or None."""
        for rel in self.package.relationships(self.package.workbook_part):
            if rel.type == rel_type and not rel.external and self.exists(rel.target):
                return rel.target
        return None

    # Workbook-wide settings.

    def drop_calc_chain(self) -> None:
        """Leave out the calculation chain: Excel rebuilds it, and a stale one makes it repair."""
        book = self.package.workbook_part
        for rel in self.package.relationships(book):
            if rel.type == RT_CALC_CHAIN:
                self.edit(rels_part(book), lambda t, rel_id=rel.id: remove_relationship(t, rel_id))
                self.drop(rel.target)
        default = posixpath.join(posixpath.dirname(book), "calcChain.xml")
        if self.exists(default):
            self.drop(default)

    def ensure_full_calc_on_load(self) -> None:
        """Have Excel recalculate every formula on open: formulas elsewhere read our cells."""
        self.edit(self.package.workbook_part, _full_calc_on_load)

    # Input tables.

    def append(
        self,
        table_name: str,
        rows: Sequence[Mapping[str, CellValue]],
        like: Mapping[str, str] | None = None,
        whole: bool = False,
    ) -> list[int]:
        """Insert rows at the end of a table; returns their sheet row numbers. A new cell takes
        its own style, else that of the cell above, else its column's; `like` (header -> header)
        gives a column with none of these the style of another (a column just added). A large
        sheet is read from a window of its last rows (`SheetWindow`) unless `whole`."""
        package = self.package
        table = package.table(table_name)
        if table is None:
            raise WorkbookError(f'{package.path.name}: there is no table named "{table_name}"')
        sheet = table.sheet
        root = parse_xml(self.text(table.part).encode("utf-8"), table.part)
        first_row, first_col, last_row, last_col = parse_range(root.get("ref", ""))
        if int(root.get("totalsRowCount") or 0):
            raise WorkbookError(
                f'table "{table.name}" has a total row: turn it off in Excel to add rows'
            )
        headers = [el.get("name", "") for el in root.iter() if local(el.tag) == "tableColumn"]
        if len(headers) != last_col - first_col + 1:
            raise WorkbookError(f'damaged workbook: table "{table.name}" has a wrong column count')
        positions = _positions(table.name, headers, first_col, rows)
        first_data = first_row + int(root.get("headerRowCount") or 1)

        # A large sheet (a year's Ledger) is read from its last rows on, not whole.
        window = None if whole else self.window(sheet.part, last_row - 1)
        text = window.text if window is not None else self.text(sheet.part)
        _, children = top_level(text)
        sheet_data = next((c for c in children if c.name == "sheetData"), None)
        if sheet_data is None:
            raise WorkbookError(f'damaged workbook: sheet "{sheet.name}" has no cell data')
        grid = _Grid(text, sheet_data, range(first_col, last_col + 1), last_row - 1)

        # Rows typed right below the table belong to it; else trailing blank rows are reused.
        end = last_row
        while grid.has_values(end + 1):
            end += 1
        start = end + 1
        if end == last_row:
            while start - 1 >= first_data and not grid.has_values(start - 1):
                start -= 1
        if window is not None and start - 1 < window.first_row:
            # Blank rows at the table's end reach above the window: read the sheet whole.
            return self.append(table_name, rows, like, whole=True)
        targets = list(range(start, start + len(rows)))
        new_last = max(end, targets[-1])
        for number in targets:
            if number > end and grid.has_values(number):
                raise WorkbookError(
                    f'cannot add rows to table "{table.name}": row {number} on sheet '
                    f'"{sheet.name}" below the table is not empty'
                )
        self._check_room(table, last_row, new_last, first_col, last_col)

        # Style of a new cell: its own (a formatted blank cell), else the data cell above, else
        # the column's.
        cols = "".join(text[c.start : c.end] for c in children if c.name == "cols")
        col_styles = column_styles(cols)
        above = {
            c: grid.style(start - 1, c) if start - 1 >= first_data else None for c in grid.columns
        }
        # A column with no style of its own above or on the sheet takes that of a column like it.
        for header, other in (like or {}).items():
            if header in positions and other in positions:
                column, model = positions[header], positions[other]
                if above[column] is None and col_styles.get(column) is None:
                    above[column] = above[model] or col_styles.get(model)
        prefix = tag_prefix(sheet_data.tag)
        new_cells: dict[int, dict[int, str]] = {}
        for number, values in zip(targets, rows, strict=True):
            cells: dict[int, str] = {}
            existing = number <= grid.last  # a row the sheet has (else a new one: no styles)
            for header, value in values.items():
                column = positions[header]
                style = grid.style(number, column) if existing else None
                for fallback in (above[column], col_styles.get(column)):
                    style = fallback if style is None else style
                xml = cell_xml(f"{column_letter(column)}{number}", style, value, prefix)
                if xml:
                    cells[column] = xml
            new_cells[number] = cells

        new_ref = range_ref(first_row, first_col, new_last, last_col)
        edits = [grid.rows_edit(new_cells, prefix), *_dimension_edit(text, new_ref)]
        if window is not None:
            self.patch_window(sheet.part, window, edits)
        else:
            self.patch(sheet.part, text, edits)
        self.edit(table.part, lambda t: _set_table_ref(t, new_ref))
        return targets

    def remove_rows(self, table_name: str, numbers: Collection[int]) -> None:
        """Take rows out of a table (see `row_removal`)."""
        table = self.package.table(table_name)
        if table is None:
            raise WorkbookError(f'{self.package.path.name}: there is no table named "{table_name}"')
        root = parse_xml(self.text(table.part).encode("utf-8"), table.part)
        first_row, first_col, last_row, last_col = parse_range(root.get("ref", ""))
        first_data = first_row + int(root.get("headerRowCount") or 1)
        if int(root.get("totalsRowCount") or 0):
            raise WorkbookError(
                f'table "{table.name}" has a total row: turn it off in Excel to take rows out'
            )
        outside = [n for n in numbers if not first_data <= n <= last_row]
        if outside:
            raise ValueError(f"row {outside[0]} is not a data row of table {table_name!r}")
        found = None
        if self._key(table.sheet.part) not in self.replacements:  # a large sheet: as bytes
            data = self.package.read(table.sheet.part)
            if len(data) >= WINDOW_FROM:
                found = without_rows_in_bytes(data, set(numbers), last_row)
        if found is not None:
            (start, stop, new), gone = found
            self.replacements[self._key(table.sheet.part)] = BytesPatch(data, ((start, stop, new),))
        else:
            text = self.text(table.sheet.part)
            _, children = top_level(text)
            sheet_data = next((c for c in children if c.name == "sheetData"), None)
            if sheet_data is None:
                raise WorkbookError(
                    f'damaged workbook: sheet "{table.sheet.name}" has no cell data'
                )
            edit, gone = without_rows(text, sheet_data, set(numbers), last_row)
            self.patch(table.sheet.part, text, [edit])
        new_last = max(last_row - gone, first_data)  # a table keeps one (blank) data row
        new_ref = range_ref(first_row, first_col, new_last, last_col)
        self.edit(table.part, lambda t: _set_table_ref(t, new_ref))

    def _check_room(self, table: TableRef, last_row: int, new_last: int, c1: int, c2: int) -> None:
        """Refuse to grow a table into another table on the same sheet."""
        for other in self.package.tables():
            if other.sheet.part != table.sheet.part or other == table:
                continue
            root = parse_xml(self.package.read(other.part), other.part)
            r1, o1, r2, o2 = parse_range(root.get("ref", "A1"))
            if r1 <= new_last and r2 > last_row and o1 <= c2 and o2 >= c1:
                raise WorkbookError(
                    f'cannot add rows to table "{table.name}": table "{other.name}" is in the '
                    f'way on sheet "{table.sheet.name}"'
                )


class _Grid:
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


def _positions(
    table: str, headers: list[str], first_col: int, rows: Sequence[Mapping[str, CellValue]]
) -> dict[str, int]:
    """The sheet column of every key the rows use, by header: exact, else ignoring case."""
    exact = {h: first_col + i for i, h in enumerate(headers)}
    folded = {h.strip().casefold(): first_col + i for i, h in reversed(list(enumerate(headers)))}
    positions: dict[str, int] = {}
    for row in rows:
        for key in row:
            if key not in positions:
                column = exact.get(key, folded.get(key.strip().casefold()))
                if column is None:
                    raise WorkbookError(f'table "{table}" has no column "{key}"')
                positions[key] = column
    return positions


def _default_style_info() -> tuple[tuple[str, str], ...]:
    """The table style of a table the writer creates: the template's for generated tables."""
    return (
        ("name", schema.GENERATED_TABLE_STYLE.replace(" ", "")),
        ("showFirstColumn", "0"),
        ("showLastColumn", "0"),
        ("showRowStripes", "1"),
        ("showColumnStripes", "0"),
    )


# --- Minimal textual edits of workbook.xml, sheets and tables -------------------------------------

# What may follow <calcPr> in workbook.xml, in schema order.
_AFTER_CALC_PR = (
    "oleSize",
    "customWorkbookViews",
    "pivotCaches",
    "smartTagPr",
    "smartTagTypes",
    "webPublishing",
    "fileRecoveryPr",
    "webPublishObjects",
    "extLst",
)


def _full_calc_on_load(book: str) -> str:
    """workbook.xml with <calcPr fullCalcOnLoad="1">; unchanged where it is already set."""
    match = first_tag(book, "calcPr")
    if match is not None:
        if attrs(match[0]).get("fullCalcOnLoad") in ("1", "true"):
            return book
        tag = set_attribute(match[0], "fullCalcOnLoad", "1")
        return book[: match.start()] + tag + book[match.end() :]
    root = first_tag(book, "workbook")
    if root is None:
        raise WorkbookError("damaged workbook: workbook.xml has no workbook element")
    following = [m.start() for name in _AFTER_CALC_PR for m in [first_tag(book, name)] if m]
    at = min(following, default=book.rindex("</"))
    return f'{book[:at]}<{tag_prefix(root[0])}calcPr fullCalcOnLoad="1"/>{book[at:]}'


def _append_sheet(book: str, name: str, rel_id: str) -> str:
    """workbook.xml with a <sheet> entry for a new sheet at the end (next free sheetId)."""
    root = first_tag(book, "workbook")
    if root is None:
        raise WorkbookError("damaged workbook: workbook.xml has no workbook element")
    entries = [attrs(m[0]) for m in tags(book, "sheet")]
    if any(e.get("name", "").casefold() == name.casefold() for e in entries):
        raise WorkbookError(f'sheet "{name}" is not a worksheet: rename it, the program needs it')
    ids = [int(e.get("sheetId") or 0) for e in entries]
    declared = [k[6:] for k, v in attrs(root[0]).items() if k.startswith("xmlns:") and v == REL_NS]
    r = declared[0] if declared else "r"
    prefix = tag_prefix(root[0])
    tag = (
        f'<{prefix}sheet name="{escape_attr(name)}" sheetId="{max(ids, default=0) + 1}" '
        f'{r}:id="{rel_id}"{"" if declared else f" xmlns:r={chr(34)}{REL_NS}{chr(34)}"}/>'
    )
    end = re.search(rf"</{re.escape(prefix)}sheets\s*>", book)
    if end is None:
        raise WorkbookError("damaged workbook: workbook.xml lists no sheets")
    return book[: end.start()] + tag + book[end.start() :]


def _dimension_edit(sheet: str, covered: str) -> list[tuple[int, int, str]]:
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


def _with_table_columns(table: str, headers: Sequence[str], last_id: int, ref: str) -> str:
    """A table part with columns added after its last one, and its range set to `ref`."""
    match = first_tag(table, "tableColumns")
    end = re.search(r"</(?:[\w.-]+:)?tableColumns\s*>", table)
    if match is None or end is None:
        raise WorkbookError("damaged workbook: a table part lists no columns")
    prefix = tag_prefix(match[0])
    count = int(attrs(match[0]).get("count") or 0) + len(headers)
    new = "".join(
        f'<{prefix}tableColumn id="{last_id + i}" name="{escape_attr(header)}"/>'
        for i, header in enumerate(headers, start=1)
    )
    table = table[: end.start()] + new + table[end.start() :]
    tag = set_attribute(match[0], "count", str(count))
    table = table[: match.start()] + tag + table[match.end() :]
    return _set_table_ref(table, ref)


def _set_table_ref(table: str, ref: str) -> str:
    """A table part with its range, and its filter's range, set to `ref`."""
    for name in ("table", "autoFilter"):
        match = first_tag(table, name)
        if match is not None:
            tag = set_attribute(match[0], "ref", ref)
            table = table[: match.start()] + tag + table[match.end() :]
    return table
