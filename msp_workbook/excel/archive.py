"""The "Archive" button: `msp-workbook archive` on the open workbook, before the latest month it
accepts (the first month of the first open month's comparison or correction window).

The same plan as the command (`archive.plan`) on the open workbook's tables. The safety order is
the command's: the archive files beside the saved workbook are written and synced first, then
the moved rows are taken out of the open workbook's Usage and Ledger tables, and the message
says to save it. Closed without saving, the rows are in both; pressed again, nothing is added
to the archive twice and the move completes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..app.archive import ArchiveReport, archive_summary, plan
from ..app.archive_files import archived_months, write_archives
from ..app.archive_input import ARCHIVED_TABLES, input_of_tables
from ..core.archive import latest_cut
from ..workbook import schema
from ..workbook.validation.settings import read_settings
from .inputs import read_tables
from .macros import UserError, _guarded, port_of
from .port import TableData, WorkbookPort

WORKING = "MSP Billing: archiving old months..."


def archive_button(book: Any) -> ArchiveReport | None:
    """Archive what may be archived (see the module); the report, or None when it could not."""
    port = port_of(book)
    return _guarded(port, "Could not archive", lambda: _archive(port))


def _archive(port: WorkbookPort) -> ArchiveReport:
    saved = port.saved_path
    if not saved:
        raise UserError("Save the workbook first: the archive files are written beside it")
    raw, _, tables = read_tables(port, (schema.SETTINGS, schema.USAGE), optional=(schema.LEDGER,))
    found_tables = {t.name: tables[t.name] for t in ARCHIVED_TABLES if t.name in tables}
    found_input, values = input_of_tables(
        raw,
        {name: data.last_row for name, data in found_tables.items()},
        {name: data.headers for name, data in found_tables.items()},
    )
    settings, _ = read_settings(raw[schema.SETTINGS.name])
    cut = latest_cut(found_input.ledger.closed_months(), settings.correction_months)
    if cut is None:
        raise UserError("Nothing is closed yet: only closed months are archived")
    port.status(WORKING)
    found = plan(found_input, cut, archived_months(Path(saved)))
    if not (found.moved_usage or found.moved_ledger):
        report = ArchiveReport(found, (), 0)
    else:
        moved = {
            schema.USAGE.name: {n for rows in found.usage_rows.values() for n in rows},
            schema.LEDGER.name: {n for rows in found.ledger_rows.values() for n in rows},
        }
        kept = {name: _kept_rows(data, moved[name]) for name, data in found_tables.items()}
        # First: the archives, saved and synced.
        files, already = write_archives(Path(saved), found, found_input.columns, values)
        report = ArchiveReport(found, files, already)
        for name, data in found_tables.items():
            if moved[name]:
                port.replace_rows(name, data.headers, kept[name])
    message = archive_summary(report)
    if report.moved:
        message += ": save the workbook now to finish"
    port.status(message)
    port.alert(message)
    return report


def _kept_rows(data: TableData, moved: set[int]) -> list[tuple[object, ...]]:
    """The table's rows without the moved ones; refused while rows are typed below it (the
    table is rewritten from its first row to its new last)."""
    kept = [
        row
        for at, row in enumerate(data.rows)
        if data.first_row + at <= data.last_row
        and data.first_row + at not in moved
        and any(v is not None for v in row)
    ]
    below = [
        row
        for at, row in enumerate(data.rows)
        if data.first_row + at > data.last_row and any(v is not None for v in row)
    ]
    if below:
        raise UserError(
            f"The {data.name} table has rows typed below it: extend the table over them "
            "(or move them) first, then archive"
        )
    return kept
