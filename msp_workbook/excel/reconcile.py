"""The "Reconcile" button: the distributor's statement against the open workbook's month.

The same reconciliation as `msp-workbook reconcile` (`reconciliation.reconcile_read`): the same
profiles, statuses, figures and messages; the Reconciliation table and the block beside it are
rewritten in Excel, which saves them.

Which file: where Excel can show its Open dialog (classic xlwings on Windows) the button asks.
Elsewhere it takes the path typed in the selected cell, with the profile's name in the cell
right of it (empty: `standard`) and the month (YYYY-MM; empty: the billing month) in the next:
the row *Report file / Profile / Month* on the Imports sheet serves statements too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..app.reconciliation import ReconcileReport, read_statement, reconcile_read, statement_profile
from ..core.readings import STANDARD
from ..core.vocabulary import RECONCILIATION_STATUSES
from ..workbook import schema
from .import_usage import requested
from .inputs import read_raw_tables
from .macros import BILLING, WRITING, UserError, _guarded, _read, port_of
from .port import WorkbookPort

HOW = (
    "Select the cell holding the statement's full path (the profile's name in the cell right "
    "of it, the month in the next), then press Reconcile again"
)


def reconcile(book: Any, files: list[str] | None = None) -> ReconcileReport | None:
    """Reconcile the month against the distributor's statement (see the module). Returns the
    report, or None when it could not run."""
    port = port_of(book)
    return _guarded(port, "Could not reconcile", lambda: _reconcile(port, files))


def _reconcile(port: WorkbookPort, files: list[str] | None) -> ReconcileReport:
    files, profile, month = requested(port, files)
    if len(files) != 1:
        raise UserError(HOW if not files else "Pick one statement file")
    read = _read(port)
    raw, _ = read_raw_tables(port, (), optional=(schema.IMPORT_PROFILES,))
    statement = Path(files[0])
    chosen = statement_profile(raw, profile or STANDARD)
    charges, problems, notes = read_statement(statement, chosen)
    port.status(BILLING)
    report, rows, side = reconcile_read(read, month, None, statement.name, charges, problems, notes)
    port.status(WRITING)
    port.replace_rows(
        schema.RECONCILIATION.name,
        schema.RECONCILIATION.headers,
        rows,
        (schema.RECONCILIATION_SIDE_HEADERS, side),
    )
    message = summary(report)
    port.status(message)
    port.alert(message)
    return report


def summary(report: ReconcileReport) -> str:
    """One line: the month, each status's count, the money, and the first problem if any."""
    result = report.reconciliation
    counts = ", ".join(f"{result.count(s)} {s}" for s in RECONCILIATION_STATUSES)
    cur = report.currency
    text = (
        f"Reconciled {result.month} against {report.statement}: {counts}; unbilled revenue "
        f"{result.unbilled_revenue:,.2f} {cur}, difference {result.difference:,.2f} {cur}"
    )
    if report.problems:
        text += f"; {len(report.problems)} lines not used (first: {report.problems[0]})"
    return text
