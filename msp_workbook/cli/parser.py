"""The command line's arguments: the argparse definition of every command and the parsers of
its values (a month, a day, a whole number, seconds)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from .. import __version__
from ..core import vocabulary
from ..core.months import Month
from ..workbook.cells import CellError, as_date
from ..workbook.package import lock

DEMO_PATH = Path("demo") / "MSP_Billing_demo.xlsx"  # where `demo` writes without a PATH


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


def build_parser() -> argparse.ArgumentParser:
    """The command line: `msp-workbook`, its options and one subcommand per command."""
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
