"""The billing month's state in a few figures: what the command line prints after a run and what
the Start sheet's status block shows (both faces, every run that rewrites the generated sheets).
One function makes them from the run's report (`RunReport`, what a recalculation, closing or
check found), so the terminal and the sheet always agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .core.comparison import ComparisonRow
from .core.models import BillingResult, Check
from .core.money import ZERO
from .core.months import Month
from .workbook import status_block as block
from .workbook.write.cell_xml import CellValue


@dataclass(frozen=True)
class RunReport:
    """What a run found and computed, for the summary a face shows."""

    month: Month
    result: BillingResult
    checks: tuple[Check, ...]
    currency: str
    comparison: tuple[ComparisonRow, ...] = ()
    # How VAT applies to each invoice, in the order of `result.invoices` (`VAT_TREATMENTS`).
    treatments: tuple[str, ...] = ()
    closed: bool = False  # the month is closed: its invoices are final
    # Per check, in order: the customer it concerns ("C-0021 Name"), or "".
    check_customers: tuple[str, ...] = ()
    ended: bool = False  # the month has ended (it is before today's month)

    @property
    def ready_to_close(self) -> bool:
        """Whether the month can be closed now (see `ready_to_close`)."""
        return ready_to_close(self.ended, self.closed, bool(self.errors))

    @property
    def invoice_status(self) -> str:
        """What the Invoices sheet says of every invoice of the month: final once the month is
        closed, else a draft, and why it cannot be closed yet."""
        if self.closed:
            return "final"
        errors = len(self.errors)
        if errors:
            return f"draft: {errors} error{'' if errors == 1 else 's'} on Checks"
        return "draft"

    @property
    def errors(self) -> list[Check]:
        return [c for c in self.checks if c.severity == "error"]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.severity == "warning"]

    @property
    def net(self) -> Decimal:
        return sum((i.net for i in self.result.invoices), ZERO)

    @property
    def vat(self) -> Decimal:
        return sum((i.vat for i in self.result.invoices), ZERO)

    @property
    def gross(self) -> Decimal:
        return sum((i.gross for i in self.result.invoices), ZERO)


def ready_to_close(ended: bool, closed: bool, errors: bool) -> bool:
    """A month can be closed once it has ended, while it is open and Checks has no errors."""
    return ended and not closed and not errors


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
