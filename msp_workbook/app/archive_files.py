"""The archive workbooks beside a workbook, `NAME.archive-YYYY.xlsx` (SPEC section 11): their
paths, the closed months whose Ledger lines are in them, and the moved rows added to them
(`write_archives`), each file saved and synced before the next. A row an archive holds already
(a run completed after an interruption) is not added again.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..core.archive import ArchivePlan
from ..core.months import Month
from ..workbook import schema
from ..workbook.cells import CellError, RawValue, as_month
from ..workbook.package.lock import DEFAULT_WAIT, writing
from ..workbook.package.safe_save import copy_file
from ..workbook.places import TablePlace, missing_table, table_places
from ..workbook.write.cell_xml import CellValue
from .archive_input import ARCHIVED_TABLES, RowValues, in_order


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

    usage = values(schema.USAGE.name, moved_rows(found.usage_rows))
    ledger = values(schema.LEDGER.name, moved_rows(found.ledger_rows))
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
        usage_columns = in_order(usage_place.columns)
        rows = Counter(
            _identity(v, usage_columns) for _, v in stream_rows(path, usage_place, usage_columns)
        )
        months = _ledger_months(path, ledger_place)
        return cls(usage_columns, in_order(ledger_place.columns), rows, months)

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


def moved_rows(by_year: Mapping[int, Sequence[int]]) -> list[int]:
    """The sheet rows a plan moves (`ArchivePlan.usage_rows`, `ledger_rows`), in sheet order."""
    return sorted(n for rows in by_year.values() for n in rows)


def _month_of(values: Mapping[str, RawValue]) -> Month | None:
    try:
        return as_month(values.get(schema.COL_MONTH), "month")
    except (CellError, TypeError, ValueError):
        return None


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
