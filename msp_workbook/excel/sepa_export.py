"""The "SEPA direct debit" button: the direct-debit file of a closed month for the bank.

The same plan as `msp-workbook export-sepa` (`sepa_export.plan`), on the open workbook's
tables: the month is Settings' Billing month when it is closed, else the latest closed month;
each invoice is collected on its due date; the file goes beside the workbook's saved file. The
collections written are appended to the Collections table of the open workbook (saved with it:
the message says to save).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..export_files import EXPORT_TABLES, write_whole
from ..sepa_export import SepaReport, default_file, export_input, plan
from ..workbook import schema
from ..workbook.collection_rows import collection_rows
from .inputs import read_raw_tables
from .invoice_documents import documents_month
from .macros import UserError, _guarded, port_of
from .port import WorkbookPort

WORKING = "MSP Billing: writing the SEPA direct debit..."


def sepa_export_button(book: Any) -> SepaReport | None:
    """Write the SEPA direct-debit file of the closed month (see the module). Returns the
    report, or None when it could not run."""
    port = port_of(book)
    return _guarded(port, "Could not write the SEPA direct debit", lambda: _export(port))


def _export(port: WorkbookPort) -> SepaReport:
    saved = port.saved_path
    if not saved:
        raise UserError("Save the workbook first: the file is written beside it")
    optional = (schema.LEDGER, schema.COLLECTIONS)
    raw, _ = read_raw_tables(port, EXPORT_TABLES, optional=optional)
    inputs, ledger, history, errors = export_input(raw)
    month = documents_month(inputs.settings.billing_month, ledger.closed_months())
    port.status(WORKING)
    target = default_file(Path(saved), month)
    report, data, new = plan(inputs, ledger, history, errors, month, target)
    if data is not None:
        if new:
            table = raw.get(schema.COLLECTIONS.name)
            if table is None:
                raise UserError(
                    "This workbook has no Collections table, where the export remembers which "
                    "mandates were collected: run msp-workbook export-sepa once on the saved "
                    "file (it adds the table)"
                )
            kept = [[row.values.get(h) for h in schema.COLLECTIONS.headers] for row in table]
            port.replace_rows(
                schema.COLLECTIONS.name,
                schema.COLLECTIONS.headers,
                kept + collection_rows(new, str(month)),
            )
            report.recorded = len(new)
        if report.status != "unchanged":
            write_whole(target, data)
            report.status = "written"
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
