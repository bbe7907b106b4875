"""The input tables of an open workbook -> the same validated inputs and checks as the CLI reads.

Excel hands over its cells as 2-D lists (None for empty cells, float for every number, datetime
for dates); these become the reader's `RawTable`/`TableRow` records, with the same sheet cell
references, and go through the same `build_inputs`. A reading taken from Excel and one taken from
the saved file therefore give identical checks, messages and cells.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.models import Check
from ..workbook import schema
from ..workbook.cells import RawValue, column_letter, is_empty
from ..workbook.errors import WorkbookError
from ..workbook.ledger_rows import build_ledger
from ..workbook.reader import RawTable, ReadResult, TableRow
from ..workbook.validation import build_inputs
from .port import TableData, WorkbookPort

__all__ = ["raw_table", "read_inputs", "read_raw_tables", "validated"]


def read_inputs(port: WorkbookPort) -> ReadResult:
    """Read and validate every input table of the open workbook, and its Ledger (closed months)
    when it has one; bad rows become checks."""
    raw, checks = read_raw_tables(port, schema.INPUT_TABLES, optional=(schema.LEDGER,))
    return validated(raw, checks)


def validated(raw: dict[str, RawTable], checks: list[Check]) -> ReadResult:
    """Raw tables -> what the file reader returns for them (inputs, ledger, checks in order)."""
    inputs, found = build_inputs(raw)
    ledger, ledger_checks = build_ledger(raw.get(schema.LEDGER.name))
    return ReadResult(inputs, tuple(checks + found + ledger_checks), ledger)


def read_raw_tables(
    port: WorkbookPort, specs: Sequence[schema.Table], optional: Sequence[schema.Table] = ()
) -> tuple[dict[str, RawTable], list[Check]]:
    """Raw rows of the given tables (and of the optional ones the workbook has), plus a warning
    per table about rows typed below it."""
    found: dict[str, RawTable] = {}
    checks: list[Check] = []
    for spec in (*specs, *optional):
        data = port.read_table(spec.name)
        if data is None and spec in optional:
            continue
        if data is None:
            raise WorkbookError(
                f'table "{spec.name}" not found (it belongs on sheet "{spec.sheet}"); '
                "start from the template (msp-workbook new)"
            )
        table, below = raw_table(spec, data)
        found[spec.name] = table
        if below:
            checks.append(_below_warning(spec, table.sheet, below))
    return found, checks


def raw_table(spec: schema.Table, data: TableData) -> tuple[RawTable, list[TableRow]]:
    """A table's rows as the reader makes them: columns found by header (any order, any case,
    extra columns ignored), all-empty rows skipped, rows below the table's range kept at the end
    and returned separately too."""
    offsets: dict[str, int] = {}
    for offset, header in enumerate(data.headers):
        offsets.setdefault(_header_text(header).strip().lower(), offset)
    positions: dict[str, int] = {}
    for header in spec.headers:
        offset = offsets.get(header.lower())
        if offset is None:
            raise WorkbookError(
                f'table "{spec.name}" on sheet "{data.sheet}" has no column "{header}" '
                f"(expected columns: {', '.join(spec.headers)})"
            )
        positions[header] = offset
    letters = {h: column_letter(data.first_column - 1 + o) for h, o in positions.items()}
    table = RawTable(spec, data.sheet)
    below: list[TableRow] = []
    for index, cells in enumerate(data.rows):
        number = data.first_row + index
        row = _row(cells, number, positions, letters)
        if row is None:
            continue
        (table.rows if number <= data.last_row else below).append(row)
    table.rows.extend(below)
    return table, below


def _header_text(value: RawValue) -> str:
    """A header cell as text; Excel keeps a table's headers as text, but a number reads as a
    float (1.0), which the file reader sees as "1"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _row(
    cells: Sequence[RawValue], number: int, positions: dict[str, int], letters: dict[str, str]
) -> TableRow | None:
    values = {h: (cells[o] if o < len(cells) else None) for h, o in positions.items()}
    if all(is_empty(v) for v in values.values()):
        return None
    values = {h: (None if is_empty(v) else v) for h, v in values.items()}
    return TableRow(number, values, {h: f"{letters[h]}{number}" for h in positions})


def _below_warning(spec: schema.Table, sheet: str, below: list[TableRow]) -> Check:
    first = below[0]
    count = len(below)
    rows = "1 row" if count == 1 else f"{count} rows"
    return Check(
        severity="warning",
        sheet=sheet,
        cell=first.cells[spec.headers[0]],
        message=(
            f'{rows} below the table "{spec.name}" (from row {first.row}) were read too; '
            "extend the table to include them (Table Design > Resize Table)"
        ),
    )
