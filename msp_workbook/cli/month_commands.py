"""The commands on the workbook and its month: `new`, `new-key`, `check`, `recalc`, `close` and
`demo`. They call their services (imported only then) and print the month's summary."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ..progress import TerminalProgress
from .parser import DEMO_PATH
from .report import EXIT_CHECK_ERRORS, EXIT_OK, summary

if TYPE_CHECKING:
    from ..workbook.early import EarlyLoads


def month_command(args: argparse.Namespace, out: list[str], early: EarlyLoads | None) -> int:
    """Run `new`, `new-key`, `close`, `demo`, `check` or `recalc` (what is left: the parser
    knows no other command)."""
    from ..app.check import check_workbook
    from ..app.close import close_month, number_range
    from ..app.demo import run_demo
    from ..app.new_workbook import new_workbook
    from ..app.recalc import recalculate

    if args.command == "new":
        new_workbook(args.path)
        out.append(f"Created {args.path}")
        return EXIT_OK
    if args.command == "new-key":
        from ..app.new_key import new_key

        key = new_key(args.path, args.customer, args.product, args.start, wait=args.wait)
        out.append(key)
        return EXIT_OK
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
        summary(closed.report, out)
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
    summary(report, out)
    return EXIT_CHECK_ERRORS if report.errors else EXIT_OK
