"""What archiving reads of a workbook to plan the move (`archive.plan`), by either face: the
Settings table, the Ledger, and each Usage row's date, license key and metric (`ArchiveInput`);
and how the values of the rows that move are read when they are written (`RowValues`).

The Excel face hands over the open workbook's tables (`input_of_tables`); the command line reads
the file without holding its large tables as rows (`input_of_file`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..core.archive import LedgerRow, UsageRow
from ..core.ledger import Ledger
from ..core.models import Check
from ..workbook import schema
from ..workbook.cells import CellError, RawValue, as_date, as_month
from ..workbook.ledger_rows import build_ledger
from ..workbook.package.guard import check_before_parsing
from ..workbook.package.opc import local, open_package, parse_xml
from ..workbook.places import missing_table, table_places
from ..workbook.reader import (
    RawTable,
    TableRow,
    open_tables,
    refuse_lost_table,
    refuse_unreadable_errors,
)

# The tables whose old rows move into the archive files.
ARCHIVED_TABLES = (schema.USAGE, schema.LEDGER)


@dataclass
class ArchiveInput:
    """What archiving reads of a workbook to plan the move, by either face."""

    settings: RawTable  # the Settings table
    ledger: Ledger
    problems: list[Check]  # Ledger rows that cannot be read
    usage_rows: list[UsageRow]  # the Usage table's rows (in its range)
    ledger_rows: list[LedgerRow]  # the Ledger table's rows (in its range)
    # The schema columns of Usage and Ledger in the table's order; every header of the tables.
    columns: dict[str, tuple[str, ...]]
    headers: dict[str, list[str]]


# (table name, sheet rows) -> those rows' values by header: the rows that move.
RowValues = Callable[[str, Collection[int]], dict[int, dict[str, RawValue]]]


def input_of_tables(
    raw: Mapping[str, RawTable],
    last_rows: Mapping[str, int],
    headers: Mapping[str, Sequence[str]],
) -> tuple[ArchiveInput, RowValues]:
    """The archive input from raw tables (the Excel face's: `last_rows` is the last sheet row of
    each table's range, rows typed below it stay; `headers` every header of the tables)."""
    ledger_raw = raw.get(schema.LEDGER.name)
    ledger, problems = build_ledger(ledger_raw)
    ledger_rows = []
    if not problems:
        ledger_rows = [
            LedgerRow(row.row, as_month(row.values[schema.COL_MONTH], "month"))
            for row in _in_range(ledger_raw, last_rows)
        ]
    usage_rows = [
        _usage_row(row.row, row.values) for row in _in_range(raw.get(schema.USAGE.name), last_rows)
    ]
    found = ArchiveInput(
        raw[schema.SETTINGS.name],
        ledger,
        problems,
        usage_rows,
        ledger_rows,
        {
            schema.USAGE.name: raw[schema.USAGE.name].columns,
            schema.LEDGER.name: ledger_raw.columns if ledger_raw else schema.LEDGER.headers,
        },
        {name: list(h) for name, h in headers.items()},
    )
    by_row = {name: {r.row: r.values for r in table.rows} for name, table in raw.items()}

    def values(table: str, rows: Collection[int]) -> dict[int, dict[str, RawValue]]:
        return {n: by_row[table][n] for n in rows}

    return found, values


def input_of_file(path: Path) -> tuple[ArchiveInput, RowValues]:
    """The archive input of a workbook file, without holding its large tables as rows: Usage is
    streamed (python-calamine's rows, one at a time: its date, key and metric kept), the Ledger
    read in bulk (`ledger_columns`); the values of the rows that move are streamed again."""
    from ..workbook.ledger_columns import ledger_rows_in_bulk
    from ..workbook.ledger_sheet import load_ledger_columns
    from ..workbook.table_stream import stream_rows

    raw, _ = open_tables(path, (schema.SETTINGS,))
    refuse_unreadable_errors(path, check_before_parsing(path, [t.name for t in ARCHIVED_TABLES]))
    places = table_places(path, ARCHIVED_TABLES)
    usage_place, ledger_place = places[schema.USAGE.name], places[schema.LEDGER.name]
    if usage_place is None:
        raise missing_table(path, schema.USAGE)
    if ledger_place is None:
        refuse_lost_table(path, schema.LEDGER)
    usage_columns = in_order(usage_place.columns)
    usage_rows = [
        _usage_row(n, values) for n, values in stream_rows(path, usage_place, usage_columns)
    ]
    bulk = None
    if ledger_place is not None:
        bulk = ledger_rows_in_bulk(ledger_place, load_ledger_columns(path, ledger_place))
    if ledger_place is None:
        ledger, problems, ledger_rows = Ledger(), [], []
        ledger_columns = schema.LEDGER.headers
    elif bulk is not None:
        ledger, _, ledger_columns, numbers = bulk
        problems = []
        ledger_rows = [
            LedgerRow(n, m)
            for n, m in zip(numbers, ledger.columns.month, strict=True)
            if n <= ledger_place.last_row
        ]
    else:  # a row that does not convert: the row-by-row reader says which and why
        ledger_raw = open_tables(path, (), optional=(schema.LEDGER,))[0].get(schema.LEDGER.name)
        ledger, problems = build_ledger(ledger_raw)
        ledger_rows, ledger_columns = [], ledger_raw.columns if ledger_raw else ()
    found = ArchiveInput(
        raw[schema.SETTINGS.name],
        ledger,
        problems,
        usage_rows,
        ledger_rows,
        {schema.USAGE.name: usage_columns, schema.LEDGER.name: tuple(ledger_columns)},
        table_headers(path),
    )

    def values(table: str, rows: Collection[int]) -> dict[int, dict[str, RawValue]]:
        wanted = set(rows)
        place = places[table]
        if not wanted or place is None:
            return {}
        columns = found.columns[table]
        return {n: v for n, v in stream_rows(path, place, columns) if n in wanted}

    return found, values


def table_headers(path: Path) -> dict[str, list[str]]:
    """Every header of the workbook's Usage and Ledger tables (the reader keeps the schema's)."""
    found: dict[str, list[str]] = {}
    with open_package(path) as package:
        for spec in ARCHIVED_TABLES:
            table = package.table(spec.name)
            if table is not None:
                root = parse_xml(package.read(table.part), table.part)
                found[spec.name] = [
                    c.get("name") or "" for c in root.iter() if local(c.tag) == "tableColumn"
                ]
    return found


def in_order(columns: Mapping[str, int]) -> tuple[str, ...]:
    """A table's columns (header -> sheet column) by their place on the sheet."""
    return tuple(sorted(columns, key=columns.__getitem__))


def _usage_row(row: int, values: Mapping[str, RawValue]) -> UsageRow:
    return UsageRow(
        row, _day(values), _text(values, schema.COL_LICENSE_KEY), _text(values, schema.COL_METRIC)
    )


def _in_range(table: RawTable | None, last_rows: Mapping[str, int]) -> list[TableRow]:
    if table is None:
        return []
    last = last_rows.get(table.spec.name, 0)
    return [r for r in table.rows if r.row <= last]


def _day(values: Mapping[str, RawValue]) -> date | None:
    try:
        return as_date(values.get(schema.COL_DATE), "date")
    except (CellError, TypeError, ValueError):
        return None  # not a date: the row stays


def _text(values: Mapping[str, RawValue], header: str) -> str:
    value = values.get(header)
    return "" if value is None else str(value)
