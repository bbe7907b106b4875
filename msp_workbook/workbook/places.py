"""Where an input table is in a workbook, from its table part alone.

Light on imports (no record models, no spreadsheet library): the command line starts loading the
Usage sheet in a child process (`usage_sheet`) before the rest of the program is imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import schema
from .cells import RawValue
from .errors import WorkbookError

MAX_ROW = 1_048_576  # Excel's last row


@dataclass(frozen=True)
class TablePlace:
    """Where a table is, for a reader that loads its columns in bulk (`usage_columns`)."""

    sheet: str
    header_row: int  # 0-based sheet row of the header cells
    last_row: int  # 1-based sheet row of the range's last data row (above a totals row)
    columns: dict[str, int]  # header -> 0-based sheet column
    # 1-based: the last sheet row read as the table's, rows typed below its range included:
    # the row above the next table on the sheet below it that shares a column with it.
    end_row: int = MAX_ROW
    totals_row: int = 0  # 1-based sheet row of its totals row (not input); 0: none


def table_place(path: Path, spec: schema.Table) -> TablePlace:
    """Where a table is, from its table part alone (python-calamine would load its cells)."""
    found = table_places(path, (spec,))[spec.name]
    if found is None:
        raise missing_table(path, spec)
    return found


def table_places(path: Path, specs: Sequence[schema.Table]) -> dict[str, TablePlace | None]:
    """Where each table is (None: not in the workbook), from the table parts alone."""
    from .cell_refs import parse_range
    from .package.opc import open_package, parse_xml

    places: dict[str, TablePlace | None] = {}
    with open_package(path) as package:
        tables = package.tables()
        ranges: dict[str, list[tuple[int, int, int, int]]] = {}  # sheet part -> table ranges
        for spec in specs:
            table = package.table(spec.name, tables)
            if table is None:
                places[spec.name] = None
                continue
            if table.sheet.part not in ranges:
                ranges[table.sheet.part] = [
                    parse_range(_root(package, t.part).get("ref") or "")
                    for t in tables
                    if t.sheet.part == table.sheet.part and t.part != table.part
                ]
            others = ranges[table.sheet.part]
            root = parse_xml(package.read(table.part), table.part)
            places[spec.name] = _place(spec, table.sheet.name, root, others)
    return places


def _root(package: Any, part: str) -> Any:
    from .package.opc import parse_xml

    return parse_xml(package.read(part), part)


def _place(
    spec: schema.Table, sheet: str, root: Any, others: Sequence[tuple[int, int, int, int]] = ()
) -> TablePlace:
    from .cell_refs import parse_range
    from .package.opc import local

    first_row, first_col, last_row, last_col = parse_range(root.get("ref") or "")
    header_rows = 1 if root.get("headerRowCount", "1").strip() != "0" else 0
    headers = [c.get("name") or "" for c in root.iter() if local(c.tag) == "tableColumn"]
    offsets = column_offsets(spec, sheet, headers)
    totals = min(_count(root.get("totalsRowCount")), 1)  # Excel has one at most
    end_row = MAX_ROW
    for top, left, _, right in others:  # another table below, over one of its columns
        if top > last_row and left <= last_col and right >= first_col:
            end_row = min(end_row, top - 1)
    return TablePlace(
        sheet,
        header_row=first_row - 2 + header_rows,  # 0-based; the row above the data
        last_row=last_row - totals,
        columns={h: first_col + c for h, c in offsets.items()},
        end_row=end_row,
        totals_row=last_row if totals else 0,
    )


def _count(text: str | None) -> int:
    """A count attribute of a table part (0 where absent or not a number)."""
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 8 else 0


def missing_table(path: Path, spec: schema.Table) -> WorkbookError:
    return WorkbookError(
        f'{path}: table "{spec.name}" not found (it belongs on sheet "{spec.sheet}"); '
        "start from the template (msp-workbook new)"
    )


def lost_table(where: Path | str, spec: schema.Table, sheet: str) -> WorkbookError:
    """Rows on a table's sheet without the table (the Ledger's closed months)."""
    return WorkbookError(
        f'{where}: sheet "{sheet}" holds rows but no table "{spec.name}" (converted to a range, '
        "or the table removed), so its closed months cannot be read; restore it (select the "
        f'rows, Insert > Table, name it "{spec.name}") or use a backup, then run again'
    )


def unreadable(path: Path, exc: Exception) -> WorkbookError:
    """A reader library's own error about a damaged file, as one line for the user."""
    text = str(exc).strip().splitlines()
    return WorkbookError(
        f"{path}: cannot be read as a workbook ({text[0] if text else type(exc).__name__})"
    )


def column_offsets(spec: schema.Table, sheet: str, headers: Sequence[RawValue]) -> dict[str, int]:
    """Each column of the spec -> its offset among the table's header cells (found by header
    text in any case; extra columns ignored); a missing column is refused, except one the spec
    added later (`Table.added_later`), which is left out."""
    offsets: dict[str, int] = {}
    for offset, header in enumerate(headers):
        offsets.setdefault(header_text(header).strip().lower(), offset)
    positions: dict[str, int] = {}
    for header in spec.headers:
        offset = offsets.get(header.lower())
        if offset is None and header in spec.added_later:
            continue  # a table from before the column existed: its cells read as empty
        if offset is None:
            raise WorkbookError(
                f'table "{spec.name}" on sheet "{sheet}" has no column "{header}" '
                f"(expected columns: {', '.join(spec.headers)})"
            )
        positions[header] = offset
    return positions


def header_text(value: RawValue) -> str:
    """A header cell as text (a number typed as a header reads as 1.0 from some sources)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)
