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

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from .. import schema, status_block
from ..cell_refs import MAX_COL
from ..errors import WorkbookError
from ..money_format import styles_for_currency
from ..package.lock import FileStamp
from ..package.names import RT_STYLES
from ..package.opc import open_package
from ..package.zip_writer import save_package
from ..text_search import RT_SHARED_STRINGS
from . import table_rows
from .cell_patch import KEEP, Kept, SharedStrings, labelled_cells
from .cell_xml import CellValue
from .generated_tables import GeneratedTables
from .package_edit import PackageEdit
from .worksheet import Link, SideColumns

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
        edit = PackageEdit(package)
        generated = GeneratedTables(edit)
        for spec in specs:
            generated.write_table(
                spec, tables[spec.name], sides[spec.name], (links or {}).get(spec.name, ())
            )
        for name, rows in (appended or {}).items():
            generated.append_generated(_generated_table(name), rows)
        if currency is not None:
            _show_currency(edit, currency)
        generated.follow_charts()
        edit.drop_calc_chain()
        edit.ensure_full_calc_on_load()
        if start_status:
            values: dict[str, CellValue | Kept] = dict(start_status)
            if not edit.changes_anything():
                # A run that changes nothing leaves the file alone (no save, no backup): the
                # last run shown stays the last one that changed the workbook.
                values[status_block.LAST_RUN] = KEEP
            _set_status_block(edit, values)
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
        edit = PackageEdit(package)
        written = table_rows.append(edit, table_name, rows) if rows else []
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
        edit = PackageEdit(package)
        for table_name, rows_of_table in rows.items():
            if rows_of_table:
                table_rows.append(edit, table_name, rows_of_table)
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
        edit = PackageEdit(package)
        for table_name, numbers in rows.items():
            if numbers:
                table_rows.remove_rows(edit, table_name, numbers)
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


def _show_currency(edit: PackageEdit, currency: str) -> None:
    """The generated sheets' money formats in this currency (styles.xml, when it has any)."""
    part = edit.book_part(RT_STYLES)
    if part is not None:
        edit.edit(part, lambda text: styles_for_currency(text, currency))


def _set_status_block(edit: PackageEdit, values: Mapping[str, CellValue | Kept]) -> None:
    """Set the Start sheet's status block's value cells; nothing when the sheet or a label is
    missing."""
    sheet = edit.package.sheet(status_block.SHEET)
    if sheet is None:
        return
    text = edit.text(sheet.part)
    edits = labelled_cells(
        text,
        status_block.LABELS,
        status_block.FIRST_ROW,
        status_block.LABEL_COLUMN,
        status_block.VALUE_COLUMN,
        status_block.ordered(values),
        SharedStrings(lambda: _shared_strings(edit)),
    )
    if edits:
        edit.patch(sheet.part, text, edits)


def _shared_strings(edit: PackageEdit) -> str | None:
    part = edit.book_part(RT_SHARED_STRINGS)
    return edit.text(part) if part is not None else None
