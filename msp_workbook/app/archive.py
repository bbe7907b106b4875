"""`msp-workbook archive PATH --before YYYY-MM` (SPEC section 11): old Usage rows and Ledger
lines move into `NAME.archive-YYYY.xlsx` beside the workbook, one file per calendar year of the
moved data, added to when it exists.

Which rows move and when it is refused is `core.archive`. The order keeps the data safe: every
archive file is written and synced first, then the workbook is replaced without the moved rows
(locked from its read to its save, and saved only if no other program saved it meanwhile). A
crash in between leaves the rows in both files, never in neither; running the command again
finds them in the archive already and does not add them twice (a Ledger month that is in the
archive is not added again; a Usage row is not added again as often as the archive holds the
same row), then completes the move.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..core.archive import ArchivePlan, ArchiveRefused, LedgerRow, UsageRow, plan_archive
from ..core.ledger import Ledger
from ..core.models import Check
from ..core.months import Month
from ..workbook import schema
from ..workbook.cells import CellError, RawValue, as_date, as_month
from ..workbook.errors import WorkbookError
from ..workbook.ledger_rows import build_ledger
from ..workbook.package.file_checks import check_workbook_file
from ..workbook.package.guard import check_before_parsing
from ..workbook.package.lock import DEFAULT_WAIT, writing
from ..workbook.package.opc import local, open_package, parse_xml
from ..workbook.package.safe_save import check_can_save, copy_file
from ..workbook.places import TablePlace, missing_table, table_places
from ..workbook.reader import (
    RawTable,
    TableRow,
    open_tables,
    refuse_lost_table,
    refuse_unreadable_errors,
)
from ..workbook.validation.settings import read_settings
from ..workbook.write.cell_xml import CellValue

ARCHIVED_TABLES = (schema.USAGE, schema.LEDGER)


@dataclass(frozen=True)
class ArchiveReport:
    plan: ArchivePlan
    files: tuple[Path, ...]  # the archive files the moved rows are in
    already: int  # rows found in an archive already (a run completed after an interruption)

    @property
    def moved(self) -> bool:
        return bool(self.plan.moved_usage or self.plan.moved_ledger)


def archive_summary(report: ArchiveReport) -> str:
    """What was moved where, in one line (a face prints it)."""
    found = report.plan
    if not report.moved:
        return f"Nothing to archive before {found.cut}"
    months = found.ledger_months
    lines = (
        f"{found.moved_ledger:,} Ledger lines of {_span(months)}" if months else "no Ledger lines"
    )
    files = ", ".join(f.name for f in report.files)
    text = (
        f"Archived before {found.cut}: {found.moved_usage:,} usage readings and {lines} moved "
        f"to {files}; {found.kept:,} latest readings stay in Usage"
    )
    if report.already:
        text += f" ({report.already:,} rows were in the archive already: not added twice)"
    return text


def _span(months: Sequence[Month]) -> str:
    return str(months[0]) if len(months) == 1 else f"{months[0]} .. {months[-1]}"


def archive_files(workbook: Path) -> list[Path]:
    """The archive files beside the workbook (`NAME.archive-YYYY.xlsx`), oldest year first."""
    pattern = re.compile(re.escape(workbook.stem) + r"\.archive-(\d{4})\.xlsx")
    found = [f for f in workbook.parent.glob(f"{workbook.stem}.archive-*.xlsx")]
    return sorted(f for f in found if pattern.fullmatch(f.name))


def archived_months(workbook: Path) -> set[Month]:
    """The closed months whose Ledger lines are in the archive files beside the workbook: still
    closed months (a reading kept from one of them is not unbilled usage)."""
    months: set[Month] = set()
    for file in archive_files(workbook):
        place = table_places(file, (schema.LEDGER,))[schema.LEDGER.name]
        if place is not None:
            months |= _ledger_months(file, place)
    return months


def _ledger_months(file: Path, place: TablePlace) -> set[Month]:
    """The months of the Ledger lines of a file, read a row at a time."""
    from ..workbook.table_stream import stream_rows

    found = (_month_of(values) for _, values in stream_rows(file, place, (schema.COL_MONTH,)))
    return {month for month in found if month is not None}


def archive_path(workbook: Path, year: int) -> Path:
    """`NAME.archive-YYYY.xlsx` beside the workbook."""
    return workbook.with_name(f"{workbook.stem}.archive-{year}.xlsx")


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


def plan(found: ArchiveInput, cut: Month, archived: Collection[Month] = ()) -> ArchivePlan:
    """What archiving before `cut` moves (`archived`: the closed months whose lines are in the
    archive files already). WorkbookError says why it cannot."""
    if not schema.FIRST_MONTH <= cut <= schema.LAST_MONTH:
        raise WorkbookError(
            f"cannot archive before {cut}: the month must be from {schema.FIRST_MONTH} to "
            f"{schema.LAST_MONTH}"
        )
    settings, setting_checks = read_settings(found.settings)
    cell = settings.cells.get(schema.SETTING_CORRECTION_MONTHS, "")
    wrong = [c for c in setting_checks if c.severity == "error" and f"{c.sheet}!{c.cell}" == cell]
    if wrong:
        raise WorkbookError(f"cannot archive before {cut}: {wrong[0]}; fix it first")
    if found.problems:
        raise WorkbookError(
            f"cannot archive before {cut}: {len(found.problems)} Ledger rows cannot be read "
            f"(first: {found.problems[0]}); the closed months must be known before anything "
            "is moved"
        )
    _refuse_unknown_columns(cut, found.headers)
    try:
        closed = sorted({*found.ledger.closed_months(), *archived})
        return plan_archive(
            cut, closed, found.ledger_rows, found.usage_rows, settings.correction_months
        )
    except ArchiveRefused as exc:
        raise WorkbookError(str(exc)) from None


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
    usage_columns = _in_order(usage_place.columns)
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
    else:  # a row that does not convert: the reference reader says which and why
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


def _in_order(columns: Mapping[str, int]) -> tuple[str, ...]:
    return tuple(sorted(columns, key=columns.__getitem__))


def _usage_row(row: int, values: Mapping[str, RawValue]) -> UsageRow:
    return UsageRow(
        row, _day(values), _text(values, schema.COL_LICENSE_KEY), _text(values, schema.COL_METRIC)
    )


def archive(path: Path, before: Month, wait: float = DEFAULT_WAIT) -> ArchiveReport:
    """Archive the rows before month `before` (see the module)."""
    from ..workbook.write.writer import remove_rows

    check_workbook_file(path)
    check_can_save(path)
    with writing(path, wait) as stamp:
        found_input, values = input_of_file(path)
        found = plan(found_input, before, archived_months(path))
        if not (found.moved_usage or found.moved_ledger):
            return ArchiveReport(found, (), 0)
        files, already = write_archives(path, found, found_input.columns, values)
        remove_rows(
            path,
            path,
            {
                schema.USAGE.name: _moved(found.usage_rows),
                schema.LEDGER.name: _moved(found.ledger_rows),
            },
            unchanged_since=stamp,
        )
    return ArchiveReport(found, files, already)


def write_archives(
    workbook: Path,
    found: ArchivePlan,
    columns: Mapping[str, Sequence[str]],
    values: RowValues,
    wait: float = DEFAULT_WAIT,
) -> tuple[tuple[Path, ...], int]:
    """Add the plan's rows to the archive file of each year (created when missing), each saved
    and synced before the next; returns the files and how many rows were in them already.
    `columns`: the schema columns of Usage and Ledger in the workbook's order (a new archive's);
    `values`: the moved rows' values."""
    from ..workbook.template.archive_workbook import build_archive_workbook
    from ..workbook.write.writer import append_to_tables

    usage = values(schema.USAGE.name, _moved(found.usage_rows))
    ledger = values(schema.LEDGER.name, _moved(found.ledger_rows))
    files: list[Path] = []
    already = 0
    for year in found.years:
        target = archive_path(workbook, year)
        with writing(target, wait) as stamp, contextlib.ExitStack() as aside:
            folder = None
            source = target
            if not target.exists():  # built and filled aside, then saved in one go
                folder = aside.enter_context(tempfile.TemporaryDirectory())
                source = Path(folder) / target.name
                build_archive_workbook(source, columns)
                stamp = None
            there = _Archived.of(source) if folder is None else _Archived.empty(columns)
            new_usage, skipped = there.not_there([usage[n] for n in found.usage_rows.get(year, ())])
            lines = [ledger[n] for n in found.ledger_rows.get(year, ())]
            new_lines = [v for v in lines if _month_of(v) not in there.months]
            already += skipped + len(lines) - len(new_lines)
            if new_usage or new_lines:
                append_to_tables(
                    source,
                    source if folder is not None else target,
                    {
                        schema.USAGE.name: [_cells(v, there.usage_columns) for v in new_usage],
                        schema.LEDGER.name: [_cells(v, there.ledger_columns) for v in new_lines],
                    },
                    unchanged_since=stamp,
                )
            if folder is not None:
                copy_file(source, target)  # saved and synced, like every save
        files.append(target)
    return tuple(files), already


@dataclass
class _Archived:
    """What an archive file holds already: its Usage rows (as compared with new ones) and the
    months of its Ledger lines; read a row at a time."""

    usage_columns: tuple[str, ...]
    ledger_columns: tuple[str, ...]
    rows: Counter[tuple[object, ...]]
    months: set[Month]

    @classmethod
    def empty(cls, columns: Mapping[str, Sequence[str]]) -> _Archived:
        usage, ledger = columns[schema.USAGE.name], columns[schema.LEDGER.name]
        return cls(tuple(usage), tuple(ledger), Counter(), set())

    @classmethod
    def of(cls, path: Path) -> _Archived:
        from ..workbook.table_stream import stream_rows

        places = table_places(path, ARCHIVED_TABLES)
        usage_place, ledger_place = places[schema.USAGE.name], places[schema.LEDGER.name]
        if usage_place is None:
            raise missing_table(path, schema.USAGE)
        if ledger_place is None:
            raise missing_table(path, schema.LEDGER)
        usage_columns = _in_order(usage_place.columns)
        rows = Counter(
            _identity(v, usage_columns) for _, v in stream_rows(path, usage_place, usage_columns)
        )
        months = _ledger_months(path, ledger_place)
        return cls(usage_columns, _in_order(ledger_place.columns), rows, months)

    def not_there(
        self, rows: Sequence[dict[str, RawValue]]
    ) -> tuple[list[dict[str, RawValue]], int]:
        """The rows the archive does not hold yet: each archived row stands for one equal row."""
        there = Counter(self.rows)
        new: list[dict[str, RawValue]] = []
        skipped = 0
        for row in rows:
            key = _identity(row, self.usage_columns)
            if there[key] > 0:
                there[key] -= 1
                skipped += 1
            else:
                new.append(row)
        return new, skipped


def _moved(by_year: Mapping[int, Sequence[int]]) -> list[int]:
    return sorted(n for rows in by_year.values() for n in rows)


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


def _month_of(values: Mapping[str, RawValue]) -> Month | None:
    try:
        return as_month(values.get(schema.COL_MONTH), "month")
    except (CellError, TypeError, ValueError):
        return None


def _refuse_unknown_columns(cut: Month, headers: Mapping[str, Sequence[str]]) -> None:
    """The archive holds the schema's columns: the values of a column of the reseller's own in
    Usage or the Ledger would be lost with the rows moved."""
    for spec in ARCHIVED_TABLES:
        known = {h.casefold() for h in spec.headers}
        other = [h for h in headers.get(spec.name, ()) if h.strip().casefold() not in known]
        if other:
            raise WorkbookError(
                f'cannot archive before {cut}: the {spec.name} table has a column "{other[0]}" '
                "of your own, which the archive does not keep; move its values elsewhere and "
                "delete the column first"
            )


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


def _identity(values: Mapping[str, RawValue], headers: Sequence[str]) -> tuple[object, ...]:
    """A row's values as compared with an archive's: a date or midnight datetime as the date,
    numbers as float, texts without surrounding spaces."""
    out: list[object] = []
    for header in headers:
        value = values.get(header)
        if isinstance(value, datetime) and value.time() == datetime.min.time():
            value = value.date()
        elif isinstance(value, bool):
            pass
        elif isinstance(value, (int, float)):
            value = float(value)
        elif isinstance(value, str):
            value = value.strip()
        elif value is not None and not isinstance(value, date):
            value = str(value)
        out.append(value)
    return tuple(out)


def _cells(values: Mapping[str, RawValue], headers: Sequence[str]) -> dict[str, CellValue]:
    """A raw row as cell values to write (an error value as its text, e.g. #N/A)."""
    cells: dict[str, CellValue] = {}
    for header in headers:
        value = values.get(header)
        if value is not None and not isinstance(value, (str, int, float, bool, date)):
            value = str(value)
        cells[header] = value
    return cells
