"""The "DATEV export" button: the booking batch of a closed month for the tax adviser.

The same plan as `msp-workbook export-datev` (`datev_export.plan`), on the open workbook's
tables: the month is Settings' Billing month when it is closed, else the latest closed month;
the file goes beside the workbook's saved file. Debitor numbers given now are appended to the
Debitors table of the open workbook (saved with it: the message says to save).
"""

from __future__ import annotations

from typing import Any

from ..app.datev_export import (
    DatevReport,
    default_file,
    export_input,
    plan,
)
from ..workbook import schema
from ..workbook.debitor_rows import debitor_rows
from .macros import _guarded, port_of
from .month_export import export_month
from .port import WorkbookPort

WORKING = "MSP Billing: writing the DATEV booking batch..."


def datev_export_button(book: Any) -> DatevReport | None:
    """Write the DATEV booking batch of the closed month (see the module). Returns the report,
    or None when it could not run."""
    port = port_of(book)
    return _guarded(port, "Could not write the DATEV export", lambda: _export(port))


def _export(port: WorkbookPort) -> DatevReport:
    report, new = export_month(
        port,
        schema.DEBITORS,
        export_input,
        plan,
        default_file,
        debitor_rows,
        "This workbook has no Debitors table, where the export keeps the debitor numbers it "
        "gives: type a Debitor for each customer on Customers, or run msp-workbook "
        "export-datev once on the saved file (it adds the table)",
        WORKING,
    )
    report.given = tuple(new)
    message = summary(report)
    port.status(message)
    port.alert(message)
    return report


def summary(report: DatevReport) -> str:
    count = len(report.bookings)
    if report.errors:
        return (
            f"DATEV export of {report.month} not written: {len(report.errors)} problems "
            f"(first: {report.errors[0]})"
        )
    if report.status == "no bookings":
        return f"DATEV export of {report.month}: no bookings (every invoice is 0.00)"
    text = f"DATEV export of {report.month}: {count} bookings {report.status} in {report.file}"
    if report.given:
        text += (
            f"; {len(report.given)} debitor numbers given and added to the Debitors sheet: "
            "save the workbook to keep them"
        )
    return text
