"""The usage import: readings from report files appended to the Usage table (SPEC section 7).

Read -> check -> append, like every command: the workbook's Keys, Products, import profiles and
the sources already in Usage are read; each report is read (`workbook.report_file`) and turned
into readings (`core.readings`); each reading is checked against Keys and Products; the good
ones are appended to Usage in one save, locked from the read to the save like every write.

Provenance and idempotence: every added row's Source is `<file name>#<12 hex digits of the
file's SHA-256>:<line>`. A file whose digest is already in Usage's Source adds nothing, so
importing a report twice never bills it twice, whatever its name. Lines that cannot be read are
problems named `FILE:LINE` and are not added; the good lines are. Blank lines and a closing
totals line are skipped, and said so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.months import Month
from ..core.readings import (
    STANDARD,
    Profile,
    Reading,
    ReportProblem,
    column_positions,
    data_lines,
    make_profile,
    readings_of_line,
    standard_profile,
)
from ..workbook import schema
from ..workbook.cells import CellError, as_choice, as_text, is_empty, label
from ..workbook.errors import WorkbookError
from ..workbook.package.guard import check_before_parsing
from ..workbook.package.lock import DEFAULT_WAIT, FileStamp, writing
from ..workbook.package.safe_save import check_can_save
from ..workbook.write.cell_xml import CellValue

if TYPE_CHECKING:
    from ..workbook.reader import RawTable
    from ..workbook.report_file import ReportFile

EXCEL_MAX_ROWS = 1_048_576
_DIGEST_IN_SOURCE = re.compile(r"#([0-9a-f]{12}):\d+$")
# The tables a reading is checked against (ImportProfiles is read too where the workbook has it).
CATALOGUE_TABLES = (schema.PRODUCTS, schema.KEYS)


def digests_in(sources: Iterable[object]) -> set[str]:
    """The report digests named by Usage Source values (`FILE#DIGEST:LINE`)."""
    found = set()
    for text in sources:
        if isinstance(text, str) and (match := _DIGEST_IN_SOURCE.search(text)):
            found.add(match[1])
    return found


@dataclass
class FileImport:
    """What one report gave: readings to add, problems by line, and notes (skipped lines)."""

    name: str
    digest: str = ""
    readings: list[Reading] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    already_imported: bool = False


@dataclass(frozen=True)
class ImportReport:
    files: tuple[FileImport, ...]
    added: int
    dry_run: bool

    @property
    def problems(self) -> list[str]:
        return [p for f in self.files for p in f.problems]


def import_usage(
    path: Path,
    files: Sequence[Path],
    profile: str | None = None,
    month: Month | None = None,
    dry_run: bool = False,
    wait: float = DEFAULT_WAIT,
) -> ImportReport:
    """Import the readings of `files` into the workbook's Usage table (nothing is written with
    `dry_run`). Raises WorkbookError (one line) when the import cannot run at all: the workbook
    cannot be read or saved, the profile is unknown or cannot read a report."""
    from ..workbook.reader import check_workbook_file

    check_workbook_file(path)
    if dry_run:
        return _import(path, files, profile, month, dry_run, None)
    check_can_save(path)
    with writing(path, wait) as stamp:
        return _import(path, files, profile, month, dry_run, stamp)


def _import(
    path: Path,
    files: Sequence[Path],
    profile_name: str | None,
    month: Month | None,
    dry_run: bool,
    stamp: FileStamp | None,
) -> ImportReport:
    from ..workbook.write.writer import append_rows

    catalogue = Catalogue.read(path, _digests(files))
    results, rows = plan(catalogue, files, profile_name, month)
    check_room(catalogue.usage_last_row, len(rows), f"{path}: ")
    if rows and not dry_run:
        append_rows(path, path, schema.USAGE.name, rows, unchanged_since=stamp)
    return ImportReport(tuple(results), len(rows), dry_run)


def _digests(files: Sequence[Path]) -> list[str]:
    """The digests of the report files that can be read (the others are reported by `plan`)."""
    from ..workbook.report_file import digest_of

    found = []
    for file in files:
        try:
            found.append(digest_of(Path(file).read_bytes()))
        except OSError:
            continue
    return found


def check_room(last_row: int, adding: int, where: str = "") -> None:
    """Refuse readings that would take Usage past Excel's last row, before anything is written."""
    if last_row + adding > EXCEL_MAX_ROWS:
        raise WorkbookError(
            f"{where}{adding:,} readings would take Usage past Excel's {EXCEL_MAX_ROWS:,} "
            "rows; archive older months first (or import fewer reports at once)"
        )


def plan(
    catalogue: Catalogue,
    files: Sequence[Path],
    profile_name: str | None,
    month: Month | None,
) -> tuple[list[FileImport], list[dict[str, CellValue]]]:
    """What importing `files` would add: per file what it gave, and the Usage rows (by header)
    to append, in file and line order. Reads the report files; writes nothing."""
    from ..workbook.report_file import read_report

    profile = catalogue.profile(profile_name or STANDARD)
    if profile.date is None and month is None:
        raise WorkbookError(
            f"profile {profile.name} reads no date from a report: give the readings' month "
            "with --month YYYY-MM"
        )
    results: list[FileImport] = []
    seen_digests = set(catalogue.imported)
    rows: list[dict[str, CellValue]] = []
    for file in files:
        result = FileImport(Path(file).name)
        results.append(result)
        try:
            report = read_report(Path(file), profile.columns)
        except ReportProblem as exc:
            result.problems.append(f"{result.name}: {exc}")
            continue
        result.digest = report.digest
        if report.digest in seen_digests:
            result.already_imported = True
            continue
        seen_digests.add(report.digest)
        try:
            at = column_positions(profile, report.header)
        except ReportProblem as exc:
            result.problems.append(f"{result.name}:{report.header_line}: {exc}")
            continue
        _read_lines(report, profile, at, month, catalogue, result)
        for reading in result.readings:
            rows.append(
                {
                    schema.COL_DATE: reading.day,
                    schema.COL_LICENSE_KEY: reading.license_key,
                    schema.COL_METRIC: reading.metric,
                    schema.COL_QUANTITY: reading.quantity,
                    schema.COL_SOURCE: f"{report.source_prefix}:{reading.line}",
                }
            )
    return results, rows


def _read_lines(
    report: ReportFile,
    profile: Profile,
    at: Mapping[str, int],
    month: Month | None,
    catalogue: Catalogue,
    result: FileImport,
) -> None:
    lines, notes = data_lines(report.lines, profile, at)
    for number, line in lines:
        where = f"{result.name}:{number}"
        try:
            readings = readings_of_line(line, number, profile, at, report.separator, month)
        except ReportProblem as exc:
            result.problems.append(f"{where}: {exc}")
            continue
        for reading in readings:
            problem = catalogue.check(reading)
            if problem:
                result.problems.append(f"{where}: {problem}")
            else:
                result.readings.append(catalogue.canonical(reading))
    result.notes.extend(notes)


@dataclass
class Catalogue:
    """What a reading is checked against: the keys and the metrics each key's product bills,
    the import profiles, the digests of the reports already imported, and Usage's last row."""

    keys: dict[str, tuple[str, str]]  # key (lower case) -> (key as on Keys, product ID)
    metrics: dict[str, dict[str, str]]  # product ID (lower) -> metric (lower) -> metric
    profiles: dict[str, Profile]
    profile_problems: dict[str, str]
    imported: set[str]
    usage_last_row: int

    @classmethod
    def read(cls, path: Path, digests: Sequence[str] | None = None) -> Catalogue:
        """From the workbook file. With `digests` (of the reports about to be imported), Usage's
        Source column is only read when its sheet may hold one of them."""
        from ..workbook.reader import open_tables

        raw, _ = open_tables(path, CATALOGUE_TABLES, optional=(schema.IMPORT_PROFILES,))
        imported, last_row = _usage_sources(path, digests)
        return cls.of(raw, imported, last_row)

    @classmethod
    def of(cls, raw: Mapping[str, RawTable], imported: set[str], last_row: int) -> Catalogue:
        """From the raw Products, Keys and (when the workbook has it) ImportProfiles tables,
        the digests already in Usage's Source column and Usage's last sheet row."""
        metrics: dict[str, dict[str, str]] = {}
        for row in raw[schema.PRODUCTS.name]:
            pid, metric = row.values[schema.COL_PRODUCT_ID], row.values[schema.COL_METRIC]
            if isinstance(pid, str) and isinstance(metric, str) and pid.strip() and metric.strip():
                metrics.setdefault(pid.strip().lower(), {})[metric.strip().lower()] = metric.strip()
        keys: dict[str, tuple[str, str]] = {}
        for row in raw[schema.KEYS.name]:
            key, pid = row.values[schema.COL_LICENSE_KEY], row.values[schema.COL_PRODUCT_ID]
            if isinstance(key, str) and key.strip() and isinstance(pid, str):
                keys.setdefault(key.strip().lower(), (key.strip(), pid.strip().lower()))
        grouped, names, problems = profile_rows(raw)
        sheet = schema.IMPORT_PROFILES.sheet
        profiles = {STANDARD: standard_profile()}
        for key, fields in grouped.items():
            if key in problems:
                continue
            try:
                usage_fields = [f for f in fields if f[0] != schema.COL_AMOUNT]
                profiles[key] = make_profile(names[key], usage_fields)
            except ReportProblem as exc:
                problems[key] = f"{sheet}: {exc}"
        return cls(keys, metrics, profiles, problems, set(imported), last_row)

    def profile(self, name: str) -> Profile:
        known = [p.name for p in self.profiles.values()]
        return self.profiles[profile_key(name, self.profile_problems, known)]

    def check(self, reading: Reading) -> str | None:
        key = self.keys.get(reading.license_key.lower())
        if key is None:
            return f'unknown license key "{reading.license_key}" (not on {schema.KEYS.sheet})'
        billed = self.metrics.get(key[1], {})
        if reading.metric.lower() not in billed:
            names = ", ".join(sorted(billed.values())) or "none"
            return (
                f"license key {key[0]}: its product {key[1].upper()} does not bill the metric "
                f'"{reading.metric}" (it bills: {names})'
            )
        return None

    def canonical(self, reading: Reading) -> Reading:
        """The key and metric as Keys and Products write them."""
        key, pid = self.keys[reading.license_key.lower()]
        metric = self.metrics[pid][reading.metric.lower()]
        return Reading(reading.day, key, metric, reading.quantity, reading.line)


def profile_key(name: str, problems: Mapping[str, str], known: Sequence[str]) -> str:
    """The key of the profile of that name (the name in lower case) once it can be used;
    WorkbookError when a row of it cannot be read (`problems`, by key; a row without a readable
    name may belong to any profile but the built-in one), or when it is none of `known`."""
    key = name.strip().lower()
    problem = problems.get(key) or (problems.get("") if key != STANDARD else None)
    if problem:
        raise WorkbookError(f"{problem}; fix it and run again")
    if key not in {k.lower() for k in known}:
        raise WorkbookError(
            f'unknown import profile "{name}" (not on {schema.IMPORT_PROFILES.sheet}; '
            f"known: {', '.join(sorted(known))})"
        )
    return key


ProfileFields = list[tuple[str, str, str | None]]  # (field, column header, metric) per row


def profile_rows(
    raw: Mapping[str, RawTable],
) -> tuple[dict[str, ProfileFields], dict[str, str], dict[str, str]]:
    """The ImportProfiles rows (when the workbook has the table) grouped by profile: the fields
    per profile (by its name in lower case), the names as written, and the first problem of
    each profile whose rows cannot all be read (the cell named; "" for rows without a name)."""
    grouped: dict[str, ProfileFields] = {}
    names: dict[str, str] = {}
    problems: dict[str, str] = {}
    sheet = schema.IMPORT_PROFILES.sheet
    for row in raw.get(schema.IMPORT_PROFILES.name, ()):
        values = row.values
        if all(is_empty(values[h]) for h in schema.IMPORT_PROFILES.headers):
            continue
        name = "" if is_empty(values[schema.COL_PROFILE]) else as_text(values[schema.COL_PROFILE])
        try:
            for header in (schema.COL_PROFILE, schema.COL_COLUMN):
                if is_empty(values[header]):
                    raise CellError(f"{label(header)} is empty")
            field_name = as_choice(
                values[schema.COL_FIELD], label(schema.COL_FIELD), schema.IMPORT_FIELDS
            )
            column = as_text(values[schema.COL_COLUMN])
            metric = (
                None if is_empty(values[schema.COL_METRIC]) else as_text(values[schema.COL_METRIC])
            )
        except CellError as exc:
            header = next(
                (h for h in (schema.COL_PROFILE, schema.COL_COLUMN) if is_empty(values[h])),
                schema.COL_FIELD,
            )
            problems.setdefault(name.lower(), f"{sheet}!{row.cells[header]}: {exc}")
            continue
        names.setdefault(name.lower(), name)
        grouped.setdefault(name.lower(), []).append((field_name, column, metric))
    return grouped, names, problems


def _usage_sources(path: Path, wanted: Sequence[str] | None = None) -> tuple[set[str], int]:
    """The report digests already in Usage's Source column (rows typed below the table
    included), and the table's last sheet row. Only that column is loaded (fastexcel), and
    not even that when `wanted` is given and the sheet's text holds none of those digests."""
    import fastexcel

    from ..workbook.places import table_place, unreadable
    from ..workbook.text_search import sheet_may_hold

    place = table_place(path, schema.USAGE)
    column = place.columns.get(schema.COL_SOURCE)
    if column is None:
        return set(), place.last_row
    if wanted is not None and not sheet_may_hold(path, place.sheet, [f"#{d}:" for d in wanted]):
        return set(), place.last_row
    check_before_parsing(path, [schema.USAGE.name])  # what fastexcel must not be given
    try:
        sheet = fastexcel.read_excel(str(path)).load_sheet(
            place.sheet,
            header_row=None,
            skip_rows=place.header_row + 1,
            use_columns=[column],
            dtypes={column: "string"},
            eager=True,
        )
    except fastexcel.InvalidParametersError:
        return set(), place.last_row  # no rows under the header
    except Exception as exc:
        raise unreadable(path, exc) from exc
    return digests_in(sheet.column(0).unique().to_pylist()), place.last_row
