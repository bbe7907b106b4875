"""Read the input tables of a workbook: find tables by name and columns by header.

Tables are found by their Excel table name wherever they are, columns by header text in any
order (extra user columns are ignored). Rows typed directly under a table's range are read too,
with a warning to extend the table. Cell values are typed and cross-checked in `validation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.ledger import Ledger
from ..core.models import Check, Inputs
from ..core.usage import UsageIndex
from . import schema
from .cells import MAX_TEXT, RawValue, column_letter, fault_of, too_long
from .errors import WorkbookError
from .package.file_checks import check_workbook_file
from .package.guard import check_before_parsing
from .package.opc import open_package
from .places import (
    TablePlace,
    column_offsets,
    lost_table,
    missing_table,
    table_places,
    unreadable,
)
from .sheet_scan import holds_rows

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class TableRow:
    """One data row of a table: its sheet row number, raw values and cell references by header."""

    row: int
    values: dict[str, RawValue]
    cells: Mapping[str, str]


class RowCells(Mapping[str, str]):
    """The cell reference of each column in one sheet row (`Usage!B17` without the sheet),
    made when asked for: most rows are never pointed at."""

    __slots__ = ("_letters", "_row")

    def __init__(self, letters: Mapping[str, str], row: int) -> None:
        self._letters = letters
        self._row = row

    def __getitem__(self, header: str) -> str:
        return f"{self._letters[header]}{self._row}"

    def __iter__(self) -> Iterator[str]:
        return iter(self._letters)

    def __len__(self) -> int:
        return len(self._letters)


@dataclass
class RawTable:
    spec: schema.Table
    sheet: str
    rows: list[TableRow] = field(default_factory=list)
    # The spec's headers the table has, in the table's order.
    columns: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[TableRow]:
        return iter(self.rows)


@dataclass(frozen=True)
class ReadResult:
    inputs: Inputs
    checks: tuple[Check, ...]
    ledger: Ledger = field(default_factory=Ledger)
    # Aggregated usage when the reader built it in bulk (then inputs.usage is empty).
    usage: UsageIndex | None = None
    # The Ledger table's columns in its order (a Ledger from an earlier release lacks some).
    ledger_columns: tuple[str, ...] = ()
    # Where the next Usage reading goes (the Date cell under the last row read, e.g. "A2400"):
    # a finding about Usage that has no row of its own (a reading that is missing) points here.
    usage_next_cell: str = ""

    def usage_index(self) -> UsageIndex:
        return self.usage if self.usage is not None else UsageIndex.of_inputs(self.inputs)

    @property
    def errors(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.severity == "error")


def open_tables(
    path: Path, tables: tuple[schema.Table, ...], optional: tuple[schema.Table, ...] = ()
) -> tuple[dict[str, RawTable], dict[str, Check]]:
    """Raw rows of the given tables (and of the optional ones the workbook has), and a warning
    per table with rows found below its range."""
    check_workbook_file(path)
    # calamine ends the whole process when it runs out of memory (no exception): a zip bomb, a
    # DOCTYPE or a sheet too large to hold as a grid is refused before it opens the file.
    faults = check_before_parsing(path, [spec.name for spec in tables + optional])
    refuse_unreadable_errors(path, faults)
    # Where each table is, from its table part (python-calamine's tables would parse the cells
    # of the table's sheet once more, only to say where they are).
    places = table_places(path, tables + optional)
    for spec in tables:
        if places[spec.name] is None:
            raise missing_table(path, spec)
    for spec in optional:
        if places[spec.name] is None:
            refuse_lost_table(path, spec)
    try:
        # Imported here: the Excel face runs where python-calamine cannot be installed (Pyodide).
        import python_calamine as calamine

        book = calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise unreadable(path, exc) from exc
    try:
        sheets: dict[str, list[list[RawValue]]] = {}
        found: dict[str, RawTable] = {}
        below_table: dict[str, Check] = {}
        for spec in tables + optional:
            place = places[spec.name]
            if place is None:  # an optional table the workbook does not have
                continue
            if place.sheet not in sheets:
                sheets[place.sheet] = book.get_sheet_by_name(place.sheet).to_python(
                    skip_empty_area=False
                )
            # Error values and formulas without a result are errors in an input table (the
            # Ledger, which the program writes, reads them as its conversions do).
            found_faults = faults.get(place.sheet, {}) if spec in schema.INPUT_TABLES else None
            raw, below = _table_rows(spec, place, sheets[place.sheet], found_faults)
            found[spec.name] = raw
            if below:
                below_table[spec.name] = below_warning(spec, raw.sheet, below)
    except WorkbookError:
        raise
    except Exception as exc:
        raise unreadable(path, exc) from exc
    finally:
        book.close()
    return found, below_table


def refuse_lost_table(path: Path, spec: schema.Table) -> None:
    """An optional table (the Ledger) may be missing only where its sheet holds nothing: rows
    left on its sheet without the table (Excel's Convert to Range, a removed table part) are
    closed months that would otherwise be taken for open ones."""
    with open_package(path) as package:
        sheet = package.sheet(spec.sheet)
        if sheet is None:
            return
        text = package.read(sheet.part).decode("utf-8", errors="replace")
    if holds_rows(text):
        raise lost_table(path, spec, sheet.name)


# The error values python-calamine and fastexcel read; a newer one (#SPILL!, #CALC!,
# #GETTING_DATA, ...) makes them refuse the whole sheet.
READABLE_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})


def refuse_unreadable_errors(
    path: Path, faults: Mapping[str, Mapping[tuple[int, int], str]]
) -> None:
    """Refuse, naming its cell, an error value the spreadsheet libraries cannot read (they
    would refuse the sheet without saying where)."""
    for sheet, found in faults.items():
        for (row, column), value in sorted(found.items()):
            if value and value.upper() not in READABLE_ERRORS:
                raise WorkbookError(
                    f"{path}: {sheet}!{column_letter(column)}{row} holds the error value "
                    f"{value}, which cannot be read here (a newer Excel error); replace it "
                    "with a value and try again"
                )


def require_tables(path: Path, specs: Iterable[schema.Table]) -> None:
    """Refuse a workbook without one of these tables (the first missing one, in this order)."""
    with open_package(path) as package:
        names = {table.name.lower() for table in package.tables()}
    for spec in specs:
        if spec.name.lower() not in names:
            raise missing_table(path, spec)


def _table_rows(
    spec: schema.Table,
    place: TablePlace,
    grid: list[list[RawValue]],
    faults: Mapping[tuple[int, int], str] | None,
) -> tuple[RawTable, list[TableRow]]:
    end = min(len(grid), place.end_row)  # not another table below
    rows = (
        (index + 1, grid[index])
        for index in range(place.header_row + 1, end)
        if index + 1 != place.totals_row  # nor the totals row
    )
    letters = {h: column_letter(c) for h, c in place.columns.items()}
    return collect_rows(
        spec, place.sheet, rows, place.columns, letters, place.last_row, faults=faults
    )


def table_from_rows(
    spec: schema.Table,
    sheet: str,
    headers: Sequence[RawValue],
    rows: Iterable[tuple[int, Sequence[RawValue]]],
    *,
    last_row: int,
    first_column: int,
    skip: int = 0,
) -> tuple[RawTable, list[TableRow]]:
    """A table's rows from its header cells and its sheet rows, for any source (a file, Excel).

    `rows` gives (sheet row number, cells) from the table's first data row down, where the
    table's first column is cells[skip]; `last_row` is the table range's last row and
    `first_column` its 0-based column. Columns are found by header (any order, any case, extra
    columns ignored), all-empty rows are skipped, rows below the range are kept at the end and
    returned separately too."""
    positions = {h: skip + c for h, c in column_offsets(spec, sheet, headers).items()}
    letters = {h: column_letter(first_column + c - skip) for h, c in positions.items()}
    return collect_rows(spec, sheet, rows, positions, letters, last_row)


def collect_rows(
    spec: schema.Table,
    sheet: str,
    rows: Iterable[tuple[int, Sequence[RawValue]]],
    positions: dict[str, int],
    letters: dict[str, str],
    last_row: int,
    *,
    faults: Mapping[tuple[int, int], str] | None = None,
) -> tuple[RawTable, list[TableRow]]:
    """The table's non-empty rows (`positions`: where each column is in a row's cells, which
    start at column A where `faults` are given, `letters`: its column letter), rows below the
    range kept at the end and given separately. With `faults` (an input table: see
    `table_row`) cells a reader could not give are faults."""
    raw = RawTable(spec, sheet, columns=tuple(sorted(positions, key=positions.__getitem__)))
    below: list[TableRow] = []
    for number, cells in rows:
        row = table_row(cells, number, positions, letters, faults, positions)
        if row is None:
            continue
        (raw.rows if number <= last_row else below).append(row)
    raw.rows.extend(below)
    return raw, below


def table_row(
    cells: Sequence[RawValue],
    number: int,
    positions: dict[str, int],
    letters: dict[str, str],
    faults: Mapping[tuple[int, int], str] | None = None,
    columns: Mapping[str, int] | None = None,
) -> TableRow | None:
    """Sheet row `number` of a table (its cells from `cells[positions[header]]`), or None when
    all its cells are empty.

    For an input table `faults` are the sheet's cells a reader reads as empty but are not
    (`package.fault_scan.FaultScan`: error values, formulas without a result) by (row, sheet
    column), and `columns` each header's sheet column: such a cell, and a text longer than
    Excel's 32,767 characters, becomes a `CellFault` for the validation to report."""
    width = len(cells)
    values: dict[str, RawValue] = {}
    found = False
    for header, c in positions.items():
        value = cells[c] if c < width else None
        if isinstance(value, str):
            if not value.strip():
                value = None  # blank text is an empty cell
            elif faults is not None and len(value) > MAX_TEXT:
                value = too_long(len(value))
        if faults and columns is not None:
            fault = faults.get((number, columns[header]))
            if fault is not None:
                value = fault_of(fault)
        values[header] = value
        found = found or value is not None
    return TableRow(number, values, RowCells(letters, number)) if found else None


def below_warning(spec: schema.Table, sheet: str, below: list[TableRow]) -> Check:
    first = below[0]
    return rows_below_warning(spec, sheet, first.row, first.cells[spec.headers[0]], len(below))


def rows_below_warning(spec: schema.Table, sheet: str, first: int, cell: str, count: int) -> Check:
    """Rows typed under a table's range are read too; the user should extend the table."""
    rows = "1 row" if count == 1 else f"{count} rows"
    return Check(
        severity="warning",
        sheet=sheet,
        cell=cell,
        message=(
            f'{rows} below the table "{spec.name}" (from row {first}) were read too; '
            "extend the table to include them (Table Design > Resize Table)"
        ),
    )
