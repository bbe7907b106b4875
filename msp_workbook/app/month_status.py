"""The billing month's state in a few figures: what the command line prints after a run and what
the Start sheet's status block shows (both faces, every run that rewrites the generated sheets).
One function makes them from the run's report (`RunReport`, what a recalculation, closing or
check found), so the terminal and the sheet always agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ..core.months import Month
from ..workbook import status_block as block
from ..workbook.write.cell_xml import CellValue
from .compute import RunReport


@dataclass(frozen=True)
class StatusFigures:
    month: Month
    closed: bool
    lines: int
    invoices: int
    currency: str
    net: Decimal
    vat: Decimal
    gross: Decimal
    errors: int
    warnings: int
    state: str  # one line: closed / N errors ... / ready to close / not ended yet


def status_figures(report: RunReport) -> StatusFigures:
    """The figures of a run (recalculation, closing or check)."""
    return StatusFigures(
        month=report.month,
        closed=report.closed,
        lines=len(report.result.lines),
        invoices=len(report.result.invoices),
        currency=report.currency,
        net=report.net,
        vat=report.vat,
        gross=report.gross,
        errors=len(report.errors),
        warnings=len(report.warnings),
        state=state_line(report),
    )


def state_line(report: RunReport) -> str:
    """What is next for the month, in one line (the rule of "ready to close" is the report's,
    the same that puts "no errors: ... is ready to close" on Checks)."""
    if report.closed:
        return "closed"
    errors = len(report.errors)
    if errors:
        return f"{errors} error{'' if errors == 1 else 's'} on Checks: fix them, then recalculate"
    if report.ready_to_close:
        return "ready to close"
    return "month not ended yet: close it once it has ended"


def summary_lines(figures: StatusFigures) -> list[str]:
    """The command line's summary of a run, three lines."""
    cur = figures.currency
    return [
        f"Billing month {figures.month}: {figures.lines} lines, {figures.invoices} invoices",
        f"Net {figures.net:,.2f} {cur}, VAT {figures.vat:,.2f} {cur}, "
        f"Gross {figures.gross:,.2f} {cur}",
        f"{figures.errors} errors, {figures.warnings} warnings",
    ]


def status_cells(figures: StatusFigures, last_run: datetime) -> dict[str, CellValue]:
    """The status block's values by label (`workbook.status_block`)."""
    return {
        block.BILLING_MONTH: str(figures.month),
        block.MONTH_IS: "closed" if figures.closed else "open",
        block.LAST_RUN: last_run.replace(microsecond=0),
        block.ERRORS: figures.errors,
        block.WARNINGS: figures.warnings,
        block.LINES: figures.lines,
        block.INVOICES: figures.invoices,
        block.CURRENCY: figures.currency,
        block.NET: figures.net,
        block.VAT: figures.vat,
        block.GROSS: figures.gross,
        block.STATE: figures.state,
    }


def report_cells(report: RunReport, last_run: datetime | None = None) -> dict[str, CellValue]:
    """The status block's values after a run (`last_run`: now)."""
    return status_cells(status_figures(report), last_run or datetime.now())
