"""`msp-workbook`: the headless face. Converts arguments, calls the services (`app/`), reports.

Exit codes: 0 = done without errors; 1 = done, but Checks lists errors; 2 = could not run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .core import vocabulary
from .core.months import Month
from .progress import TerminalProgress
from .workbook import early as early_loads
from .workbook import schema
from .workbook.cells import CellError, as_date
from .workbook.errors import WorkbookError
from .workbook.package import lock, safe_save

if TYPE_CHECKING:
    from .app.compute import RunReport
    from .workbook.early import EarlyLoads

EXIT_OK, EXIT_CHECK_ERRORS, EXIT_CANNOT_RUN = 0, 1, 2
DEMO_PATH = Path("demo") / "MSP_Billing_demo.xlsx"
MAX_LISTED = 50


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit 2."""


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month: {text!r} (expected YYYY-MM)") from None


def _day(text: str) -> date:
    try:
        return as_date(text, "the date")
    except CellError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (expected YYYY-MM-DD)") from None


def _whole(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"not a whole number >= 0: {text!r}")
    return int(text)


def _quote(args: argparse.Namespace, out: list[str]) -> int:
    from .app.quote import quote

    result, currency = quote(args.product, args.term, args.units_now, args.units_12m, args.workbook)
    if args.json:
        out.append(
            json.dumps(
                {
                    "msp_total": str(result.msp_total),
                    "annual_total": str(result.annual_total),
                    "difference": str(result.difference),
                    "cheaper": result.cheaper,
                }
            )
        )
        return EXIT_OK
    years = "year" if result.term == 1 else "years"
    out.append(
        f"Quote {result.product_id} ({result.metric}), {result.term} {years}: "
        f"{args.units_now} units now, {args.units_12m} in 12 months"
    )
    width = max(
        len(f"{v:,.2f}") for v in (result.msp_total, result.annual_total, result.difference)
    )
    out.append(f"MSP total     {result.msp_total:>{width},.2f} {currency}")
    out.append(f"Annual total  {result.annual_total:>{width},.2f} {currency}")
    out.append(f"Difference    {result.difference:>{width},.2f} {currency} (annual minus MSP)")
    out.append(f"Cheaper: {result.cheaper}")
    return EXIT_OK


def _import_usage(args: argparse.Namespace, out: list[str]) -> int:
    from .app.usage_import import import_usage

    report = import_usage(
        args.path, args.files, args.profile, args.month, args.dry_run, wait=args.wait
    )
    readings = "reading" if report.added == 1 else "readings"
    if report.dry_run:
        out.append(
            f"Dry run: {report.added} {readings} would be added to {args.path}; nothing written"
        )
    else:
        out.append(f"Imported {report.added} {readings} into {args.path}")
    for file in report.files:
        if file.already_imported:
            out.append(f"{file.name}: already imported (digest {file.digest}): nothing added")
            continue
        count = len(file.readings)
        line = f"{file.name}: {count} reading{'' if count == 1 else 's'}"
        line += " to add" if report.dry_run else " added"
        if file.notes:
            line += f" ({'; '.join(file.notes)})"
        out.append(line)
    problems = report.problems
    out.append(f"{len(problems)} error{'' if len(problems) == 1 else 's'}")
    for problem in problems[:MAX_LISTED]:
        out.append(f"error: {problem}")
    if len(problems) > MAX_LISTED:
        out.append(f"... and {len(problems) - MAX_LISTED} more")
    return EXIT_CHECK_ERRORS if problems else EXIT_OK


def _reconcile(args: argparse.Namespace, out: list[str], early: EarlyLoads | None) -> int:
    from .app.reconciliation import reconcile_statement

    with TerminalProgress(sys.stderr) as progress:
        report = reconcile_statement(
            args.path,
            args.statement,
            args.month,
            args.profile,
            progress=progress,
            usage_load=early,
            wait=args.wait,
        )
    result, cur = report.reconciliation, report.currency
    lines = f"{report.lines} statement line{'' if report.lines == 1 else 's'}"
    if report.notes:
        lines += f" ({'; '.join(report.notes)})"
    out.append(f"Reconciled {result.month} in {args.path} against {report.statement}: {lines}")
    for status in schema.RECONCILIATION_STATUSES:
        out.append(f"{status}: {result.count(status)}")
    out.append(f"Unbilled revenue {result.unbilled_revenue:,.2f} {cur}")
    out.append(f"Difference {result.difference:,.2f} {cur} (vendor amount minus expected cost)")
    problems = list(report.problems)
    out.append(f"{len(problems)} error{'' if len(problems) == 1 else 's'}")
    for problem in problems[:MAX_LISTED]:
        out.append(f"error: {problem}")
    if len(problems) > MAX_LISTED:
        out.append(f"... and {len(problems) - MAX_LISTED} more")
    for check in report.checks:
        if check.sheet == schema.RECONCILIATION.sheet and check.severity != "info":
            out.append(f"{check.severity}: {check}")  # notes typed on the sheet it rewrites
    if report.errors:
        out.append(
            f"the workbook has {len(report.errors)} error{'' if len(report.errors) == 1 else 's'}"
            " in its input: run check to see them"
        )
    ok = result.all_match and not problems and not report.errors
    return EXIT_OK if ok else EXIT_CHECK_ERRORS


def _invoices(args: argparse.Namespace, out: list[str]) -> int:
    from .app.invoice_documents import invoice_documents

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
    _listed_errors(report.errors, out)
    return EXIT_OK if report.ok else EXIT_CHECK_ERRORS


def _export_datev(args: argparse.Namespace, out: list[str]) -> int:
    from .app.datev_export import export_datev

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
    _listed_errors(report.errors, out)
    return EXIT_OK if report.ok else EXIT_CHECK_ERRORS


def _export_sepa(args: argparse.Namespace, out: list[str]) -> int:
    from .app.sepa_export import export_sepa

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
    _listed_errors(report.errors, out)
    return EXIT_OK if report.ok else EXIT_CHECK_ERRORS


def _archive(args: argparse.Namespace, out: list[str]) -> int:
    from .app.archive import archive, archive_summary

    out.append(archive_summary(archive(args.path, args.before, wait=args.wait)))
    return EXIT_OK


def _listed_errors(errors: Sequence[object], out: list[str]) -> None:
    out.append(f"{len(errors)} error{'' if len(errors) == 1 else 's'}")
    for check in errors[:MAX_LISTED]:
        out.append(f"error: {check}")
    if len(errors) > MAX_LISTED:
        out.append(f"... and {len(errors) - MAX_LISTED} more")


def _month_file_parser(
    sub: Any, name: str, short: str, description: str, default: str
) -> argparse.ArgumentParser:
    """A command that writes one file of a closed month beside the workbook (an export)."""
    p = sub.add_parser(name, help=short, description=description)
    p.add_argument("path", type=Path, metavar="PATH", help="the workbook")
    p.add_argument("--month", type=_month, required=True, help="the closed month, YYYY-MM")
    p.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help=f"the file to write (default: {default} beside the workbook)",
    )
    _wait_option(p)
    return p


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86400:
        raise argparse.ArgumentTypeError(f"not a number of seconds from 0 to 86400: {text!r}")
    return value


def _wait_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--wait",
        type=_seconds,
        default=lock.DEFAULT_WAIT,
        metavar="SECONDS",
        help="while another run writes the workbook, wait this long for it to finish, then give "
        f"up with exit 2 (default: {lock.DEFAULT_WAIT:g})",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="msp-workbook",
        description="Monthly MSP billing for GFI resellers, in an Excel workbook.",
        epilog="Exit codes: 0 done without errors; 1 done, Checks lists errors; 2 could not run.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("new", help="create a fresh workbook from the template")
    p.add_argument("path", type=Path, metavar="PATH", help="the workbook to create (.xlsx)")

    for name, text in (
        ("recalc", "regenerate Billing, Invoices, Comparison and Checks for a month"),
        ("check", "validate the input sheets and bill the month without writing anything"),
    ):
        p = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        p.add_argument("path", type=Path, metavar="PATH", help="the workbook (.xlsx or .xlsm)")
        p.add_argument(
            "--month",
            type=_month,
            help="month to bill, YYYY-MM (default: Settings' Billing month, else last month)",
        )
        if name == "recalc":
            p.add_argument(
                "--out", type=Path, metavar="PATH", help="write the result here instead of in place"
            )
            _wait_option(p)

    p = sub.add_parser(
        "close",
        help="close a month: number its invoices and append its lines to the Ledger",
        description="Close a month once its billing is final: number its invoices "
        "({Invoice prefix}{YYYY}-{NNNN}, gap-free within the year, in Customer ID order) and "
        "append its lines to the Ledger with their invoice's VAT rate and reverse charge. "
        "Refused while Checks has errors, when the month is already closed, when it has not "
        "ended yet, or when a later month is closed already (months are closed in order). A "
        "closed month never changes, whatever Settings and Customers say later; later changes "
        "to its usage become correction lines on the next open month.",
    )
    p.add_argument("path", type=Path, metavar="PATH", help="the workbook")
    p.add_argument(
        "--month",
        type=_month,
        help="month to close, YYYY-MM (default: Settings' Billing month, else last month)",
    )
    _wait_option(p)

    p = sub.add_parser(
        "new-key",
        help="create a license key and append it to the Keys table",
        description="Create a license key (XXXXX-XXXXX-XXXXX-XXXXX with a check character) "
        "for a customer and product, append it to the Keys table as active, and print it.",
    )
    p.add_argument("path", type=Path, metavar="PATH", help="the workbook")
    p.add_argument("--customer", required=True, metavar="ID", help="Customer ID (from Customers)")
    p.add_argument("--product", required=True, metavar="ID", help="Product ID (from Products)")
    p.add_argument(
        "--start", type=_day, metavar="DATE", help="start date, YYYY-MM-DD (default: today)"
    )
    _wait_option(p)

    p = sub.add_parser(
        "import-usage",
        help="append readings from report files (CSV or .xlsx) to the Usage table",
        description="Append the readings of report files (CSV: UTF-8 or Windows-1252, separated "
        "by ; , or tab; or an .xlsx's first sheet) to the Usage table. The profile (sheet "
        "Imports) says which report column holds what; `standard` reads the Usage table's own "
        "headers. Each row's Source names the file, its digest and line: a file imported "
        "before adds nothing. Bad lines are listed as FILE:LINE and not added (exit 1).",
    )
    p.add_argument("path", type=Path, metavar="PATH", help="the workbook")
    p.add_argument("files", type=Path, nargs="+", metavar="FILE", help="report files")
    p.add_argument(
        "--profile", default="standard", metavar="NAME", help="import profile (default: standard)"
    )
    p.add_argument(
        "--month",
        type=_month,
        help="month of the readings, YYYY-MM, for a profile without a Date column",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="report what would be added; write nothing"
    )
    _wait_option(p)

    p = sub.add_parser(
        "reconcile",
        help="compare the distributor's statement with what the month billed",
        description="Compare the distributor's statement for a month (per license key and "
        "metric a quantity and an amount; CSV or .xlsx, read with an import profile: "
        "`standard` reads License key, Metric, Quantity, Amount) with the month's usage and "
        "billing, and write the Reconciliation sheet. Exit 0 when every row matches, else 1.",
    )
    p.add_argument("path", type=Path, metavar="PATH", help="the workbook")
    p.add_argument("statement", type=Path, metavar="STATEMENT", help="the statement file")
    p.add_argument(
        "--month",
        type=_month,
        help="month of the statement, YYYY-MM (default: Settings' Billing month, else last month)",
    )
    p.add_argument(
        "--profile", default="standard", metavar="NAME", help="import profile (default: standard)"
    )
    _wait_option(p)

    p = sub.add_parser(
        "invoices",
        help="write the invoice documents of a closed month (XRechnung XML and ZUGFeRD PDF)",
        description="Write, per invoice of a closed month, an XRechnung 3.0 e-invoice "
        "<Invoice>.xml and a PDF/A-3 <Invoice>.pdf carrying the same invoice as ZUGFeRD / "
        "Factur-X EN 16931 XML, in the customer's language. Each XML is checked against the CII "
        "XSD and the EN 16931 and XRechnung rules before anything is written. An invoice whose "
        "documents lack a field (an address, your VAT ID or tax number, ...) or fail a rule is "
        "listed and not written (exit 1); a file issued before with other content is never "
        "overwritten (exit 1).",
    )
    p.add_argument("path", type=Path, metavar="PATH", help="the workbook")
    p.add_argument("--month", type=_month, required=True, help="the closed month, YYYY-MM")
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder for the documents (default: invoices/YYYY-MM beside the workbook)",
    )

    p = _month_file_parser(
        sub,
        "export-datev",
        "write the DATEV booking batch of a closed month (EXTF Buchungsstapel)",
        "Write the DATEV booking batch (EXTF Buchungsstapel, format 13) of a closed month for "
        "your tax adviser: one booking per invoice, Gross on the customer's debitor against the "
        "revenue account of its tax case. Customers without a Debitor get a number that is kept "
        "on the Debitors sheet. Nothing is written when the workbook has errors or the batch "
        "lacks a setting (exit 1).",
        "EXTF_Buchungsstapel_YYYY-MM.csv",
    )

    p = _month_file_parser(
        sub,
        "export-sepa",
        "write the SEPA direct-debit file of a closed month (pain.008)",
        "Write the SEPA Core direct-debit file (pain.008.001.02) of a closed month for your "
        "bank: one collection per invoice with a positive Gross of each customer whose Payment "
        "is direct debit, FRST for a mandate's first collection and RCUR after (the Collections "
        "sheet remembers them). Nothing is written when the workbook has errors or a mandate, "
        "IBAN or your creditor ID is missing or wrong (exit 1).",
        "SEPA_direct_debit_YYYY-MM.xml",
    )
    p.add_argument(
        "--collection-date",
        type=_day,
        metavar="YYYY-MM-DD",
        help="the day to collect (default: each invoice's due date)",
    )

    p = sub.add_parser(
        "archive",
        help="move old usage and closed months into NAME.archive-YYYY.xlsx",
        description="Move the Usage rows dated before a month and the Ledger lines of the "
        "closed months before it into NAME.archive-YYYY.xlsx beside the workbook (one file per "
        "calendar year, added to when it exists). The latest readings of each key and metric "
        "stay, so estimates do not change. Refused (exit 2) unless every month it moves is "
        "closed and lies before the comparison and correction windows of the first open month. "
        "The archive is saved before the workbook; after an interruption, run it again.",
    )
    p.add_argument("path", type=Path, metavar="PATH", help="the workbook")
    p.add_argument(
        "--before", type=_month, required=True, metavar="YYYY-MM", help="the first month kept"
    )
    _wait_option(p)

    p = sub.add_parser(
        "quote",
        help="quote MSP monthly against an annual subscription",
        description="Quote a prospect: MSP monthly against an annual subscription of the given "
        "term, for usage growing in a straight line from --units-now to --units-12m.",
    )
    p.add_argument("--product", required=True, metavar="ID", help="Product ID with annual prices")
    p.add_argument(
        "--term",
        required=True,
        type=int,
        choices=vocabulary.TERMS,
        metavar="N",
        help=f"term in years, {vocabulary.TERMS[0]}-{vocabulary.TERMS[-1]}",
    )
    p.add_argument("--units-now", required=True, type=_whole, metavar="A", help="units today")
    p.add_argument(
        "--units-12m", required=True, type=_whole, metavar="B", help="units in 12 months"
    )
    p.add_argument(
        "--workbook",
        type=Path,
        metavar="PATH",
        help="take prices from this workbook (default: the template)",
    )
    p.add_argument("--json", action="store_true", help="print the results as JSON")

    p = sub.add_parser(
        "demo",
        help="build a demo reseller workbook, recalculate it and print the summary",
        description="Build a realistic demo reseller (about 30 customers, 80 keys, 14 months of "
        "usage) into a workbook, recalculate last month and print the summary.",
    )
    p.add_argument(
        "path",
        type=Path,
        metavar="PATH",
        nargs="?",
        help=f"where to write it (default: {DEMO_PATH})",
    )
    return parser


def _summary(report: RunReport, out: list[str]) -> None:
    from .app.month_status import status_figures, summary_lines

    out.extend(summary_lines(status_figures(report)))  # the figures of the Start sheet's block
    listed = [c for c in report.checks if c.severity != "info"]
    for check in listed[:MAX_LISTED]:
        out.append(f"{check.severity}: {check}")
    if len(listed) > MAX_LISTED:
        out.append(f"... and {len(listed) - MAX_LISTED} more on the Checks sheet")


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code. Output goes to stdout, problems to stderr."""
    args = _parser().parse_args(argv)
    lines: list[str] = []
    try:
        with _no_cycle_collection():
            code = _dispatch(args, lines)
    except (WorkbookError, UsageError) as exc:
        print(f"msp-workbook: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    _print("\n".join(lines))
    return code


def _print(text: str) -> None:
    """Print the report; a reader that left early (`... | head -1`) is no failure of the run."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's final flush would fail again


# Commands that read the Usage sheet: its load starts in a child process before the rest of the
# program is imported (see `workbook/usage_sheet.py`), and so does the Ledger sheet's
# (`workbook/ledger_sheet.py`).
READS_USAGE = ("recalc", "check", "close", "reconcile")
# Commands that write the workbook: each holds its lock from the first read to the save.
WRITES = ("recalc", "close", "new-key", "import-usage", "reconcile", "archive")


def _dispatch(args: argparse.Namespace, out: list[str]) -> int:
    with _write_lock(args):
        early = early_loads.start(args.path) if args.command in READS_USAGE else None
        try:
            return _command(args, out, early)
        finally:
            if early is not None:
                early.close()


@contextmanager
def _write_lock(args: argparse.Namespace) -> Iterator[None]:
    """A writing command takes the workbook's lock before anything reads it (the Usage sheet's
    load starts right after); the operation it calls finds the lock held. Where the workbook is
    no file, or cannot be saved, the operation says why without a lock being made."""
    if (
        args.command not in WRITES
        or getattr(args, "dry_run", False)
        or not Path(args.path).is_file()
    ):
        yield
        return
    from .workbook.package.file_checks import check_workbook_file

    check_workbook_file(args.path)  # a file that is no workbook gets no lock file beside it
    dest = getattr(args, "out", None) or args.path
    if dest != args.path:
        safe_save.check_same_kind(args.path, dest)
    safe_save.check_can_save(dest)
    with lock.writing(dest, args.wait):
        yield


def _command(args: argparse.Namespace, out: list[str], early: EarlyLoads | None) -> int:
    from .app.check import check_workbook
    from .app.close import close_month, number_range
    from .app.demo import run_demo
    from .app.new_workbook import new_workbook
    from .app.recalc import recalculate

    if args.command == "new":
        new_workbook(args.path)
        out.append(f"Created {args.path}")
        return EXIT_OK
    if args.command == "new-key":
        from .app.new_key import new_key

        key = new_key(args.path, args.customer, args.product, args.start, wait=args.wait)
        out.append(key)
        return EXIT_OK
    if args.command == "quote":
        return _quote(args, out)
    if args.command == "import-usage":
        return _import_usage(args, out)
    if args.command == "reconcile":
        return _reconcile(args, out, early)
    if args.command == "invoices":
        return _invoices(args, out)
    if args.command == "export-datev":
        return _export_datev(args, out)
    if args.command == "export-sepa":
        return _export_sepa(args, out)
    if args.command == "archive":
        return _archive(args, out)
    if args.command == "close":
        with TerminalProgress(sys.stderr) as progress:
            closed = close_month(
                args.path, args.month, progress=progress, usage_load=early, wait=args.wait
            )
        out.append(
            f"Closed {closed.report.month}: {len(closed.numbers)} invoices "
            f"({number_range(closed.numbers)}), "
            f"{closed.appended} lines appended to the Ledger"
        )
        _summary(closed.report, out)
        return EXIT_OK
    if args.command == "demo":
        path = args.path or DEMO_PATH
        demo = run_demo(path, replace=args.path is None)
        report = demo.report
        out.append(f"Demo workbook: {path}")
        for closed, documents, export, debit in zip(
            demo.closed, demo.documents, demo.exports, demo.debits, strict=True
        ):
            out.append(
                f"Closed {closed.report.month}: {len(closed.numbers)} invoices "
                f"({number_range(closed.numbers)}); invoice documents in "
                f"{documents.folder}: "
                f"{len(documents.written) + len(documents.unchanged)} PDF and XRechnung pairs"
                + (f", {len(documents.errors)} errors" if documents.errors else "")
                + f"; DATEV booking batch {export.file.name}: {len(export.bookings)} bookings"
                + (f", {len(export.errors)} errors" if export.errors else "")
                + f"; SEPA direct debit {debit.file.name}: {len(debit.debits)} collections "
                f"(FRST {debit.count('FRST')}, RCUR {debit.count('RCUR')})"
                + (f", {len(debit.errors)} errors" if debit.errors else "")
            )
    elif args.command == "check":
        with TerminalProgress(sys.stderr) as progress:
            report = check_workbook(args.path, args.month, progress=progress, usage_load=early)
    else:
        with TerminalProgress(sys.stderr) as progress:
            report = recalculate(
                args.path, args.month, args.out, progress=progress, usage_load=early, wait=args.wait
            )
        out.append(f"Recalculated {args.out or args.path}")
    _summary(report, out)
    return EXIT_CHECK_ERRORS if report.errors else EXIT_OK


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """A run creates millions of short-lived objects (Decimals, lines, rows) that form no cycles:
    reference counting frees them. The cyclic garbage collector would still scan everything alive,
    over and over (about half a second of a million-row recalculation, with no memory to show for
    it: the peak is the same without it). It is off for the run and as it was afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def main() -> None:
    # numpy asks the kernel for huge pages for its large arrays; touching one the first time
    # then zeroes 2 MiB at once, which cost a million-row run a quarter of a second of system
    # time for no gain in a process this short. Read when numpy is imported; an admin may set it.
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    sys.exit(run())


if __name__ == "__main__":
    main()
