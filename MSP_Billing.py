"""The MSP Billing workbook's buttons for the classic xlwings add-in (Windows and macOS).

Keep this file next to the workbook (or on the `PYTHONPATH` of its `xlwings.conf` sheet). The
add-in's "Run main" button runs `import MSP_Billing; MSP_Billing.main()` for a workbook named
MSP_Billing.xlsx; buttons in a macro-enabled copy call the other macros the same way, e.g.
`RunPython "import MSP_Billing; MSP_Billing.new_key()"`. See docs/excel.md.
"""

from __future__ import annotations

import xlwings as xw

try:
    import msp_workbook.excel as macros
except ImportError as exc:  # the interpreter in xlwings.conf is not the one with msp-workbook
    macros = None
    _MISSING = (
        "MSP Billing: the Python set as interpreter for this workbook cannot load msp-workbook "
        f"({exc}); point Interpreter_Win/Interpreter_Mac on the xlwings.conf sheet to the "
        "Python where msp-workbook is installed (docs/excel.md)"
    )


def _run(name: str) -> None:
    book = xw.Book.caller()
    if macros is None:
        book.app.status_bar = _MISSING[:255]
        book.app.alert(_MISSING, title="MSP Billing")
        return
    getattr(macros, name)(book)


def main() -> None:
    """Run main: regenerate Billing, Invoices, Comparison and Checks."""
    _run("main")


def recalculate() -> None:
    """Regenerate Billing, Invoices, Comparison and Checks."""
    _run("recalculate")


def new_key() -> None:
    """A new license key for the customer and product of the selected Keys row."""
    _run("new_key")


def close_month() -> None:
    """Close the billing month: number its invoices and append its lines to the Ledger."""
    _run("close_month")


def import_usage() -> None:
    """Import readings from report files (Excel's Open dialog, or the path in the selected
    cell) into the Usage table."""
    _run("import_usage")


def reconcile() -> None:
    """Compare the distributor's statement (Excel's Open dialog, or the path in the selected
    cell) with the month's billing, on the Reconciliation sheet."""
    _run("reconcile")


def invoice_documents() -> None:
    """Write the closed month's invoice documents (PDF and XRechnung) into invoices/YYYY-MM
    beside the saved workbook."""
    _run("invoice_documents")


def datev_export() -> None:
    """Write the closed month's DATEV booking batch (EXTF_Buchungsstapel_YYYY-MM.csv) beside the
    saved workbook; debitor numbers it gives go to the Debitors sheet (save the workbook)."""
    _run("datev_export")


def sepa_export() -> None:
    """Write the closed month's SEPA direct-debit file (SEPA_direct_debit_YYYY-MM.xml) beside
    the saved workbook; its collections go to the Collections sheet (save the workbook)."""
    _run("sepa_export")


def archive() -> None:
    """Move the usage and closed months older than the comparison and correction windows into
    NAME.archive-YYYY.xlsx beside the saved workbook (save the workbook afterwards)."""
    _run("archive")


if __name__ == "__main__":
    # Run from a terminal with the workbook open in Excel: acts on that workbook.
    xw.Book("MSP_Billing.xlsx").set_mock_caller()
    main()
