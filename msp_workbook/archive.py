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

from .core.archive import ArchivePlan, ArchiveRefused, LedgerRow, UsageRow, plan_archive
from .core.months import Month
from .workbook import schema
from .workbook.cells import CellError, RawValue, as_date, as_month
from .workbook.errors import WorkbookError
from .workbook.ledger_rows import build_ledger
from .workbook.lock import DEFAULT_WAIT, writing
from .workbook.reader import RawTable, TableRow, open_tables
from .workbook.sheet_xml import CellValue
from .workbook.validation import read_settings

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
        raw, _ = open_tables(file, (schema.LEDGER,))
        for row in raw[schema.LEDGER.name].rows:
            with contextlib.suppress(CellError, TypeError, ValueError):
                months.add(as_month(row.values.get("Month"), "month"))
    return months


def archive_path(workbook: Path, year: int) -> Path:
    """`NAME.archive-YYYY.xlsx` beside the workbook."""
    return workbook.with_name(f"{workbook.stem}.archive-{year}.xlsx")


def plan(
    raw: Mapping[str, RawTable],
    last_rows: Mapping[str, int],
    headers: Mapping[str, Sequence[str]],
    cut: Month,
    archived: Collection[Month] = (),
) -> ArchivePlan:
    """What archiving before `cut` moves, from the raw Settings, Usage and Ledger tables
    (`last_rows`: the last sheet row of each table's range, rows typed below it stay;
    `headers`: every header of the Usage and Ledger tables; `archived`: the closed months whose
    lines are in the archive files already). WorkbookError says why it cannot."""
    if not schema.FIRST_MONTH <= cut <= schema.LAST_MONTH:
        raise WorkbookError(
            f"cannot archive before {cut}: the month must be from {schema.FIRST_MONTH} to "
            f"{schema.LAST_MONTH}"
        )
    settings, setting_checks = read_settings(raw[schema.SETTINGS.name])
    cell = settings.cells.get(schema.SETTING_CORRECTION_MONTHS, "")
    wrong = [c for c in setting_checks if c.severity == "error" and f"{c.sheet}!{c.cell}" == cell]
    if wrong:
        raise WorkbookError(f"cannot archive before {cut}: {wrong[0]}; fix it first")
    ledger_raw = raw.get(schema.LEDGER.name)
    ledger, problems = build_ledger(ledger_raw)
    if problems:
        raise WorkbookError(
            f"cannot archive before {cut}: {len(problems)} Ledger rows cannot be read (first: "
            f"{problems[0]}); the closed months must be known before anything is moved"
        )
    _refuse_unknown_columns(cut, headers)
    ledger_rows = [
        LedgerRow(row.row, as_month(row.values["Month"], "month"))
        for row in _in_range(ledger_raw, last_rows)
    ]
    usage_rows = [
        UsageRow(row.row, _day(row.values), _text(row.values, "License key"),
                 _text(row.values, "Metric"))
        for row in _in_range(raw.get(schema.USAGE.name), last_rows)
    ]  # fmt: skip
    try:
        closed = sorted({*ledger.closed_months(), *archived})
        return plan_archive(cut, closed, ledger_rows, usage_rows, settings.correction_months)
    except ArchiveRefused as exc:
        raise WorkbookError(str(exc)) from None


def archive(path: Path, before: Month, wait: float = DEFAULT_WAIT) -> ArchiveReport:
    """Archive the rows before month `before` (see the module)."""
    from .workbook.package import check_workbook_file
    from .workbook.places import table_places
    from .workbook.safe_save import check_can_save
    from .workbook.writer import remove_rows

    check_workbook_file(path)
    check_can_save(path)
    with writing(path, wait) as stamp:
        raw, _ = open_tables(path, (schema.SETTINGS, schema.USAGE), optional=(schema.LEDGER,))
        places = table_places(path, ARCHIVED_TABLES)
        last_rows = {name: place.last_row for name, place in places.items() if place}
        found = plan(raw, last_rows, table_headers(path), before, archived_months(path))
        if not (found.moved_usage or found.moved_ledger):
            return ArchiveReport(found, (), 0)
        files, already = write_archives(path, found, raw)
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
    raw: Mapping[str, RawTable],
    wait: float = DEFAULT_WAIT,
    after_each: Callable[[Path], None] | None = None,
) -> tuple[tuple[Path, ...], int]:
    """Add the plan's rows to the archive file of each year (created when missing), each saved
    and synced before the next; returns the files and how many rows were in them already."""
    from .workbook.archive_template import build_archive_workbook
    from .workbook.safe_save import copy_file
    from .workbook.writer import append_to_tables

    usage = {r.row: r for r in raw[schema.USAGE.name].rows}
    ledger_raw = raw.get(schema.LEDGER.name)
    ledger = {r.row: r for r in ledger_raw.rows} if ledger_raw else {}
    headers = {
        schema.USAGE.name: raw[schema.USAGE.name].columns,
        schema.LEDGER.name: ledger_raw.columns if ledger_raw else schema.LEDGER.headers,
    }
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
                build_archive_workbook(source, headers)
                stamp = None
            there, _ = open_tables(source, (schema.USAGE, schema.LEDGER))
            new_usage, skipped = _not_there(
                [usage[n] for n in found.usage_rows.get(year, ())], there[schema.USAGE.name]
            )
            months_there = {_month_text(r) for r in there[schema.LEDGER.name].rows}
            lines = [ledger[n] for n in found.ledger_rows.get(year, ())]
            new_lines = [r for r in lines if _month_text(r) not in months_there]
            already += skipped + len(lines) - len(new_lines)
            if new_usage or new_lines:
                append_to_tables(
                    source,
                    source if folder is not None else target,
                    {
                        schema.USAGE.name: [
                            _cells(r, headers[schema.USAGE.name]) for r in new_usage
                        ],
                        schema.LEDGER.name: [
                            _cells(r, headers[schema.LEDGER.name]) for r in new_lines
                        ],
                    },
                    unchanged_since=stamp,
                )
            if folder is not None:
                copy_file(source, target)  # saved and synced, like every save
        files.append(target)
        if after_each is not None:
            after_each(target)
    return tuple(files), already


def _moved(by_year: Mapping[int, Sequence[int]]) -> list[int]:
    return sorted(n for rows in by_year.values() for n in rows)


def _in_range(table: RawTable | None, last_rows: Mapping[str, int]) -> list[TableRow]:
    if table is None:
        return []
    last = last_rows.get(table.spec.name, 0)
    return [r for r in table.rows if r.row <= last]


def _day(values: Mapping[str, RawValue]) -> date | None:
    try:
        return as_date(values.get("Date"), "date")
    except (CellError, TypeError, ValueError):
        return None  # not a date: the row stays


def _text(values: Mapping[str, RawValue], header: str) -> str:
    value = values.get(header)
    return "" if value is None else str(value)


def _month_text(row: TableRow) -> str:
    return str(as_month(row.values["Month"], "month"))


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
    from .workbook.package import local, open_package, parse_xml

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


def _not_there(rows: Sequence[TableRow], archived: RawTable) -> tuple[list[TableRow], int]:
    """The rows the archive does not hold yet: each archived row stands for one equal row."""
    headers = archived.columns
    there = Counter(_identity(r.values, headers) for r in archived.rows)
    new: list[TableRow] = []
    skipped = 0
    for row in rows:
        key = _identity(row.values, headers)
        if there[key] > 0:
            there[key] -= 1
            skipped += 1
        else:
            new.append(row)
    return new, skipped


def _cells(row: TableRow, headers: Sequence[str]) -> dict[str, CellValue]:
    """A raw row as cell values to write (an error value as its text, e.g. #N/A)."""
    cells: dict[str, CellValue] = {}
    for header in headers:
        value = row.values.get(header)
        if value is not None and not isinstance(value, (str, int, float, bool, date)):
            value = str(value)
        cells[header] = value
    return cells
