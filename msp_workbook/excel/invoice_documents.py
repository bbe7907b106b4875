"""The "Invoice documents" button: the PDF and XRechnung documents of a closed month.

The same operation as `msp-workbook invoices` (`invoice_documents.invoice_documents`), on the
workbook's file as last saved (documents are made from what was closed and saved, never from
unsaved edits): the month is Settings' Billing month when it is closed, else the latest closed
month. The message says where the files went and what was not written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..app.invoice_documents import DocumentsReport, default_folder, read_checked, write_documents
from ..core.months import Month
from .macros import UserError, _guarded, port_of
from .port import WorkbookPort

WORKING = "MSP Billing: writing invoice documents..."


def invoice_documents_button(book: Any) -> DocumentsReport | None:
    """Write the documents of the closed month (see the module). Returns the report, or None
    when it could not run."""
    port = port_of(book)
    return _guarded(port, "Could not write invoice documents", lambda: _documents(port))


def _documents(port: WorkbookPort) -> DocumentsReport:
    saved = port.saved_path
    if not saved:
        raise UserError("Save the workbook first: documents are made from its saved file")
    path = Path(saved)
    inputs, ledger = read_checked(path)  # read once: for the month and for the documents
    month = documents_month(inputs.settings.billing_month, ledger.closed_months())
    port.status(WORKING)
    report = write_documents(inputs, ledger, month, default_folder(path, month))
    message = summary(report)
    port.status(message)
    port.alert(message)
    return report


def documents_month(billing: Month | None, closed: list[Month]) -> Month:
    """Settings' Billing month when it is closed, else the latest closed month."""
    if billing is not None and billing in closed:
        return billing
    if not closed:
        raise UserError("No month is closed yet: close the month first (Close month)")
    return closed[-1]


def summary(report: DocumentsReport) -> str:
    text = (
        f"Invoice documents for {report.month}: {len(report.written)} written"
        + (f", {len(report.unchanged)} unchanged" if report.unchanged else "")
        + f" of {report.invoices} invoices, in {report.folder}"
    )
    if report.errors:
        text += f"; {len(report.errors)} problems (first: {report.errors[0]})"
    return text
