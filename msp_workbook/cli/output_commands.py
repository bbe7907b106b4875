"""The commands that write a closed month's outputs beside the workbook: `invoices` (XRechnung
and ZUGFeRD documents), `export-datev` (the booking batch) and `export-sepa` (the direct debits).
Each calls its service (imported only then) and reports what it wrote."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from ..progress import TerminalProgress
from .report import EXIT_CHECK_ERRORS, EXIT_OK, listed_errors


def invoices_command(args: argparse.Namespace, out: list[str]) -> int:
    """Write the invoice documents of a closed month; list the invoices not written."""
    from ..app.invoice_documents import invoice_documents

    with TerminalProgress(sys.stderr) as progress:

        def counted(done: int, total: int) -> None:
            progress(f"invoice documents {done} of {total}")

        report = invoice_documents(args.path, args.month, args.out, progress=counted)
    written, same = len(report.written), len(report.unchanged)
    out.append(
        f"Invoice documents for {report.month} in {report.folder}: {written} written"
        + (f", {same} unchanged" if same else "")
        + f", {report.invoices - written - same} not written, of {report.invoices} invoices"
    )
    listed_errors(report.errors, out)
    return EXIT_OK if report.ok else EXIT_CHECK_ERRORS


def export_datev_command(args: argparse.Namespace, out: list[str]) -> int:
    """Write the DATEV booking batch of a closed month."""
    from ..app.datev_export import export_datev

    report = export_datev(args.path, args.month, args.out, wait=args.wait)
    count = len(report.bookings)
    if report.status in ("written", "unchanged"):
        out.append(
            f"DATEV booking batch for {report.month}: {report.file} {report.status}, "
            f"{count} booking{'' if count == 1 else 's'} (S {report.total(True):,.2f}, "
            f"H {report.total(False):,.2f})"
        )
        if report.given:
            numbers = [n for _, n in report.given]
            out.append(
                f"{len(numbers)} debitor number{'' if len(numbers) == 1 else 's'} given "
                f"({min(numbers)}-{max(numbers)}), kept on the Debitors sheet"
            )
    elif report.status == "no bookings":
        out.append(f"DATEV booking batch for {report.month}: no bookings (every invoice is 0.00)")
    else:
        out.append(f"DATEV booking batch for {report.month}: not written")
    listed_errors(report.errors, out)
    return EXIT_OK if report.ok else EXIT_CHECK_ERRORS


def export_sepa_command(args: argparse.Namespace, out: list[str]) -> int:
    """Write the SEPA direct-debit file of a closed month; warn of a past date."""
    from ..app.sepa_export import export_sepa

    report = export_sepa(args.path, args.month, args.collection_date, args.out, wait=args.wait)
    count = len(report.debits)
    head = f"SEPA direct debit for {report.month}: "
    if report.status in ("written", "unchanged"):
        days = sorted({d.collection_date for d in report.debits})
        out.append(
            f"{head}{report.file} {report.status}, {count} direct debit"
            f"{'' if count == 1 else 's'} (FRST {report.count('FRST')}, RCUR "
            f"{report.count('RCUR')}), {report.total:,.2f} EUR, collected on "
            + ", ".join(str(d) for d in days)
        )
        if days[0] <= date.today():
            out.append(
                f"warning: the collection date {days[0]} is not in the future: the bank will "
                "refuse it (give --collection-date)"
            )
    elif report.status == "no direct debits":
        out.append(f"{head}no direct debits (no customer of the month pays by direct debit)")
    else:
        out.append(f"{head}not written")
    listed_errors(report.errors, out)
    return EXIT_OK if report.ok else EXIT_CHECK_ERRORS
