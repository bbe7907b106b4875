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
from ..workbook.cells import column_letter
from ..workbook.errors import WorkbookError
from ..workbook.ledger_rows import build_ledger
from ..workbook.places import lost_table
from ..workbook.reader import (
    RawTable,
    ReadResult,
    TableRow,
    below_warning,
    table_from_rows,
)
from ..workbook.validation.master_data import build_inputs
from .port import TableData, WorkbookPort

__all__ = ["raw_table", "read_inputs", "read_raw_tables", "validated"]


def read_inputs(port: WorkbookPort) -> ReadResult:
    """Read and validate every input table of the open workbook, and its Ledger (closed months)
    when it has one; bad rows become checks."""
    raw, checks, given = read_tables(port, schema.INPUT_TABLES, optional=(schema.LEDGER,))
    return validated(raw, checks, next_cell_below(given.get(schema.USAGE.name), schema.COL_DATE))


def next_cell_below(table: TableData | None, header: str) -> str:
    """The cell of a table's column under its range ("" without that column): for Usage, where
    the next reading goes (the same cell as the file reader finds)."""
    if table is None:
        return ""
    headers = [str(h or "").strip().casefold() for h in table.headers]
    if header.casefold() not in headers:
        return ""
    column = table.first_column - 1 + headers.index(header.casefold())
    # Above a Total Row a new row is inserted from the last one (Tab in its last cell).
    row = table.last_row if table.totals_row else table.last_row + 1
    return f"{column_letter(column)}{row}"


def validated(
    raw: dict[str, RawTable], checks: list[Check], usage_next_cell: str = ""
) -> ReadResult:
    """Raw tables -> what the file reader returns for them (inputs, ledger, checks in order)."""
    inputs, found = build_inputs(raw)
    raw_ledger = raw.get(schema.LEDGER.name)
    ledger, ledger_checks = build_ledger(raw_ledger)
    columns = raw_ledger.columns if raw_ledger else ()
    return ReadResult(
        inputs,
        tuple(checks + found + ledger_checks),
        ledger,
        ledger_columns=columns,
        usage_next_cell=usage_next_cell,
    )


def read_raw_tables(
    port: WorkbookPort, specs: Sequence[schema.Table], optional: Sequence[schema.Table] = ()
) -> tuple[dict[str, RawTable], list[Check]]:
    """Raw rows of the given tables (and of the optional ones the workbook has), plus a warning
    per table about rows typed below it."""
    raw, checks, _ = read_tables(port, specs, optional)
    return raw, checks


def read_tables(
    port: WorkbookPort, specs: Sequence[schema.Table], optional: Sequence[schema.Table] = ()
) -> tuple[dict[str, RawTable], list[Check], dict[str, TableData]]:
    """`read_raw_tables`, and each table as Excel gave it (`TableData`: where it is, its
    headers), each read from the workbook once."""
    found: dict[str, RawTable] = {}
    checks: list[Check] = []
    given: dict[str, TableData] = {}
    for spec in (*specs, *optional):
        data = port.read_table(spec.name)
        if data is None and spec in optional:
            # Rows left on the sheet without their table (the Ledger's closed months) would
            # otherwise be taken for no rows at all.
            if port.sheet_holds_rows(spec.sheet):
                raise lost_table(port.name, spec, spec.sheet)
            continue
        if data is None:
            raise WorkbookError(
                f'table "{spec.name}" not found (it belongs on sheet "{spec.sheet}"); '
                "start from the template (msp-workbook new)"
            )
        given[spec.name] = data
        table, below = raw_table(spec, data)
        found[spec.name] = table
        if below:
            checks.append(below_warning(spec, table.sheet, below))
    return found, checks, given


def raw_table(spec: schema.Table, data: TableData) -> tuple[RawTable, list[TableRow]]:
    """A table's rows exactly as the file reader makes them (see `reader.table_from_rows`)."""
    return table_from_rows(
        spec,
        data.sheet,
        data.headers,
        enumerate(data.rows, start=data.first_row),
        last_row=data.last_row,
        first_column=data.first_column - 1,
    )
