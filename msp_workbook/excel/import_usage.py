"""The "Import usage" button: readings from report files into the open workbook's Usage table.

The same import as `msp-workbook import-usage` (`usage_import.plan`): the same profiles, checks,
messages and Source column; the rows are appended to the table in Excel, which saves them.

Which files: where Excel can show its Open dialog (classic xlwings on Windows) the button asks.
Elsewhere (macOS, xlwings Lite) it takes the path typed in the selected cell: select the cell
holding the report's full path (several paths separated by `;`), with the profile's name in the
cell right of it (empty: `standard`) and, for a profile without dates, the month (YYYY-MM) in
the next, then press the button. The Imports sheet has such a row ready beside its table.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..app.usage_import import (
    CATALOGUE_TABLES,
    Catalogue,
    FileImport,
    ImportReport,
    check_room,
    digests_in,
    plan,
)
from ..core.months import Month
from ..workbook import schema
from ..workbook.cells import RawValue, as_month, is_empty
from ..workbook.errors import WorkbookError
from .inputs import read_raw_tables
from .macros import READING, WRITING, UserError, _guarded, port_of
from .port import WorkbookPort

HOW = (
    "Select the cell holding the report's full path (the profile's name in the cell right of "
    "it, the month in the next where the profile has no dates), then press Import usage again"
)


def import_usage(book: Any, files: list[str] | None = None) -> ImportReport | None:
    """Import readings from report files into Usage (see the module). Returns what was
    imported, or None when nothing could be."""
    port = port_of(book)
    return _guarded(port, "Could not import usage", lambda: _import(port, files))


def _import(port: WorkbookPort, files: list[str] | None) -> ImportReport:
    files, profile, month = requested(port, files)
    if not files:
        raise UserError(HOW)

    port.status(READING)
    raw, _ = read_raw_tables(port, CATALOGUE_TABLES, optional=(schema.IMPORT_PROFILES,))
    usage = port.read_table(schema.USAGE.name)
    if usage is None:
        raise WorkbookError(f'table "{schema.USAGE.name}" not found; start from the template')
    at = next((i for i, h in enumerate(usage.headers) if h.strip().lower() == "source"), None)
    sources = [row[at] for row in usage.rows] if at is not None else []
    catalogue = Catalogue.of(raw, digests_in(sources), usage.last_row)
    results, rows = plan(catalogue, [Path(f) for f in files], profile, month)
    check_room(usage.last_row, len(rows))
    port.status(WRITING)
    for row in rows:
        port.append_row(schema.USAGE.name, row)
    report = ImportReport(tuple(results), len(rows), dry_run=False)
    message = summary(report)
    port.status(message)
    port.alert(message)
    return report


def summary(report: ImportReport) -> str:
    """One line: what was added from which files, and the first problem if any."""
    readings = "reading" if report.added == 1 else "readings"
    parts = [f"Imported {report.added} {readings}"]
    already = [f.name for f in report.files if f.already_imported]
    added = [_file_part(f) for f in report.files if not f.already_imported]
    if added:
        parts.append("from " + ", ".join(added))
    if already:
        parts.append(f"already imported before: {', '.join(already)}")
    problems = report.problems
    if problems:
        parts.append(f"{len(problems)} lines not imported (first: {problems[0]})")
    return "; ".join(parts)


def _file_part(file: FileImport) -> str:
    return f"{file.name} ({len(file.readings)})"


def requested(
    port: WorkbookPort, files: list[str] | None
) -> tuple[list[str], str | None, Month | None]:
    """The files to read (those given, else picked in Excel's Open dialog, else the paths in
    the selected cell), and the profile and month in the two cells right of that cell."""
    path_cell, profile_cell, month_cell = _selected_request(port)
    if files is None:
        files = port.ask_files()
    if files is None:  # no dialog here: the selected cell says
        files = _paths(path_cell)
    profile = None if is_empty(profile_cell) else str(profile_cell).strip()
    return files, profile, _month(month_cell)


def _selected_request(port: WorkbookPort) -> tuple[RawValue, RawValue, RawValue]:
    selected = port.selection()
    if selected is None:
        return None, None, None
    return tuple(  # type: ignore[return-value]
        port.cell_value(selected.sheet, selected.row, selected.column + i) for i in range(3)
    )


def _paths(value: RawValue) -> list[str]:
    if not isinstance(value, str):
        return []
    return [p.strip().strip('"') for p in re.split(r"[;\n]", value) if p.strip()]


def _month(value: RawValue) -> Month | None:
    if is_empty(value):
        return None
    try:
        return as_month(value, "the month beside the profile")
    except ValueError as exc:
        raise UserError(str(exc)) from exc
