"""Rows added at the end of a table, or taken out of it, in its sheet's XML: the new <row>
elements are inserted (or the rows below the removed ones move up) and the table's range is
widened or shrunk; nothing else in the sheet or the file changes."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from ..cell_refs import parse_range, range_ref
from ..cells import column_letter
from ..errors import WorkbookError
from ..package.opc import TableRef, local, parse_xml
from ..package.xml_text import tag_prefix
from ..sheet_scan import column_styles, top_level
from .cell_xml import CellValue, cell_xml
from .package_edit import PackageEdit
from .row_grid import RowGrid, dimension_edit
from .row_removal import without_rows, without_rows_in_bytes
from .table_part import set_table_ref


def append(
    edit: PackageEdit,
    table_name: str,
    rows: Sequence[Mapping[str, CellValue]],
    like: Mapping[str, str] | None = None,
    whole: bool = False,
) -> list[int]:
    """Insert rows at the end of a table; returns their sheet row numbers. A new cell takes
    its own style, else that of the cell above, else its column's; `like` (header -> header)
    gives a column with none of these the style of another (a column just added). A large
    sheet is read from a window of its last rows (`SheetWindow`) unless `whole`."""
    package = edit.package
    table = package.table(table_name)
    if table is None:
        raise WorkbookError(f'{package.path.name}: there is no table named "{table_name}"')
    sheet = table.sheet
    root = parse_xml(edit.text(table.part).encode("utf-8"), table.part)
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
    window = None if whole else edit.window(sheet.part, last_row - 1)
    text = window.text if window is not None else edit.text(sheet.part)
    _, children = top_level(text)
    sheet_data = next((c for c in children if c.name == "sheetData"), None)
    if sheet_data is None:
        raise WorkbookError(f'damaged workbook: sheet "{sheet.name}" has no cell data')
    grid = RowGrid(text, sheet_data, range(first_col, last_col + 1), last_row - 1)

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
        return append(edit, table_name, rows, like, whole=True)
    targets = list(range(start, start + len(rows)))
    new_last = max(end, targets[-1])
    for number in targets:
        if number > end and grid.has_values(number):
            raise WorkbookError(
                f'cannot add rows to table "{table.name}": row {number} on sheet '
                f'"{sheet.name}" below the table is not empty'
            )
    _check_room(edit, table, last_row, new_last, first_col, last_col)

    # Style of a new cell: its own (a formatted blank cell), else the data cell above, else
    # the column's.
    cols = "".join(text[c.start : c.end] for c in children if c.name == "cols")
    col_styles = column_styles(cols)
    above = {c: grid.style(start - 1, c) if start - 1 >= first_data else None for c in grid.columns}
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
    edits = [grid.rows_edit(new_cells, prefix), *dimension_edit(text, new_ref)]
    if window is not None:
        edit.patch_window(sheet.part, window, edits)
    else:
        edit.patch(sheet.part, text, edits)
    edit.edit(table.part, lambda t: set_table_ref(t, new_ref))
    return targets


def remove_rows(edit: PackageEdit, table_name: str, numbers: Collection[int]) -> None:
    """Take rows out of a table (see `row_removal`)."""
    table = edit.package.table(table_name)
    if table is None:
        raise WorkbookError(f'{edit.package.path.name}: there is no table named "{table_name}"')
    root = parse_xml(edit.text(table.part).encode("utf-8"), table.part)
    first_row, first_col, last_row, last_col = parse_range(root.get("ref", ""))
    first_data = first_row + int(root.get("headerRowCount") or 1)
    if int(root.get("totalsRowCount") or 0):
        raise WorkbookError(
            f'table "{table.name}" has a total row: turn it off in Excel to take rows out'
        )
    outside = [n for n in numbers if not first_data <= n <= last_row]
    if outside:
        raise ValueError(f"row {outside[0]} is not a data row of table {table_name!r}")
    data = edit.large_part(table.sheet.part)  # a large sheet: as bytes
    found = None if data is None else without_rows_in_bytes(data, set(numbers), last_row)
    if data is not None and found is not None:
        (start, stop, new), gone = found
        edit.patch_bytes(table.sheet.part, data, ((start, stop, new),))
    else:
        text = edit.text(table.sheet.part)
        _, children = top_level(text)
        sheet_data = next((c for c in children if c.name == "sheetData"), None)
        if sheet_data is None:
            raise WorkbookError(f'damaged workbook: sheet "{table.sheet.name}" has no cell data')
        change, gone = without_rows(text, sheet_data, set(numbers), last_row)
        edit.patch(table.sheet.part, text, [change])
    new_last = max(last_row - gone, first_data)  # a table keeps one (blank) data row
    new_ref = range_ref(first_row, first_col, new_last, last_col)
    edit.edit(table.part, lambda t: set_table_ref(t, new_ref))


def _check_room(
    edit: PackageEdit, table: TableRef, last_row: int, new_last: int, c1: int, c2: int
) -> None:
    """Refuse to grow a table into another table on the same sheet."""
    for other in edit.package.tables():
        if other.sheet.part != table.sheet.part or other == table:
            continue
        root = parse_xml(edit.package.read(other.part), other.part)
        r1, o1, r2, o2 = parse_range(root.get("ref", "A1"))
        if r1 <= new_last and r2 > last_row and o1 <= c2 and o2 >= c1:
            raise WorkbookError(
                f'cannot add rows to table "{table.name}": table "{other.name}" is in the '
                f'way on sheet "{table.sheet.name}"'
            )


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
