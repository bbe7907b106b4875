"""The commands around the billing data: `import-usage` (readings in), `reconcile` (the
distributor's statement against the month), `archive` (old years out) and `quote` (a prospect's
prices). Each converts its arguments, calls its service (imported only then) and reports."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from ..progress import TerminalProgress
from ..workbook import schema
from .report import EXIT_CHECK_ERRORS, EXIT_OK, listed_errors

if TYPE_CHECKING:
    from ..workbook.early import EarlyLoads


def import_usage_command(args: argparse.Namespace, out: list[str]) -> int:
    """Append the readings of report files to the Usage table; list the bad lines."""
    from ..app.usage_import import import_usage

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
    listed_errors(problems, out)
    return EXIT_CHECK_ERRORS if problems else EXIT_OK


def reconcile_command(args: argparse.Namespace, out: list[str], early: EarlyLoads | None) -> int:
    """Compare the distributor's statement with the month; count the rows per status."""
    from ..app.reconciliation import reconcile_statement

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
    listed_errors(problems, out)
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


def archive_command(args: argparse.Namespace, out: list[str]) -> int:
    """Move old usage and closed months into the archive files."""
    from ..app.archive import archive, archive_summary

    out.append(archive_summary(archive(args.path, args.before, wait=args.wait)))
    return EXIT_OK


def quote_command(args: argparse.Namespace, out: list[str]) -> int:
    """Quote MSP monthly against an annual subscription, as text or JSON."""
    from ..app.quote import quote

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
