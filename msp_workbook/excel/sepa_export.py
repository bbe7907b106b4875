"""The "SEPA direct debit" button: the direct-debit file of a closed month for the bank.

The same plan as `msp-workbook export-sepa` (`sepa_export.plan`), on the open workbook's
tables: the month is Settings' Billing month when it is closed, else the latest closed month;
each invoice is collected on its due date; the file goes beside the workbook's saved file. The
collections written are appended to the Collections table of the open workbook (saved with it:
the message says to save).
"""

from __future__ import annotations

from typing import Any

from ..app.sepa_export import SepaReport, default_file, export_input, plan
from ..workbook import schema
from ..workbook.collection_rows import collection_rows
from .macros import _guarded, port_of
from .month_export import export_month
from .port import WorkbookPort

WORKING = "MSP Billing: writing the SEPA direct debit..."


def sepa_export_button(book: Any) -> SepaReport | None:
    """Write the SEPA direct-debit file of the closed month (see the module). Returns the
    report, or None when it could not run."""
    port = port_of(book)
    return _guarded(port, "Could not write the SEPA direct debit", lambda: _export(port))


def _export(port: WorkbookPort) -> SepaReport:
    report, new = export_month(
        port,
        schema.COLLECTIONS,
        export_input,
        plan,
        default_file,
        collection_rows,
        "This workbook has no Collections table, where the export remembers which mandates "
        "were collected: run msp-workbook export-sepa once on the saved file (it adds the "
        "table)",
        WORKING,
    )
    report.recorded = len(new)
    message = summary(report)
    port.status(message)
    port.alert(message)
    return report


def summary(report: SepaReport) -> str:
    if report.errors:
        return (
            f"SEPA direct debit of {report.month} not written: {len(report.errors)} problems "
            f"(first: {report.errors[0]})"
        )
    if report.status == "no direct debits":
        return f"SEPA direct debit of {report.month}: no customer of the month pays by direct debit"
    text = (
        f"SEPA direct debit of {report.month}: {len(report.debits)} collections "
        f"(FRST {report.count('FRST')}, RCUR {report.count('RCUR')}), {report.total:,.2f} EUR, "
        f"{report.status} in {report.file}"
    )
    if report.recorded:
        text += "; added to the Collections sheet: save the workbook to keep them"
    return text
