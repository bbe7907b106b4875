"""From inputs read to the month's report, for any face: the billing month, its bill (a closed
month as the Ledger has it, an open one with corrections of closed months before it), the
comparison window, the checks and whether the month is ready to close. Nothing is written here.

Data flows one way: read -> validate -> compute -> write. A file that cannot be worked on at all
raises `WorkbookError` (one line for the user); bad rows never do: they become checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..core.check_customers import customers_of
from ..core.closing import closed_month_view
from ..core.comparison import ComparisonRow
from ..core.invoice_document import tax_case
from ..core.invoices import missing_vat_id_warnings
from ..core.models import BillingResult, Check
from ..core.money import ZERO
from ..core.months import Month, previous_month
from ..core.vocabulary import USAGE_SHEET
from ..engine import ENGINE
from ..workbook import schema
from ..workbook.errors import WorkbookError
from ..workbook.reader import ReadResult
from ..workbook.rows import sorted_checks
from .output_gaps import output_gaps

__all__ = [
    "RunReport",
    "at_next_reading",
    "billing_month",
    "compute",
    "ready_to_close",
]


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


def billing_month(read: ReadResult, month: Month | None, today: date | None = None) -> Month:
    """The month to bill: the one asked for, else Settings' Billing month, else last month."""
    if month is not None:
        if not schema.FIRST_MONTH <= month <= schema.LAST_MONTH:
            raise WorkbookError(
                f"cannot bill {month}: the billing month must be from {schema.FIRST_MONTH} "
                f"to {schema.LAST_MONTH}"
            )
        return month
    if read.inputs.settings.billing_month is not None:
        return read.inputs.settings.billing_month
    return previous_month(today or date.today())


def compute(read: ReadResult, month: Month | None = None, today: date | None = None) -> RunReport:
    """Bill the month and compare MSP with annual, from inputs already read (any face).

    A closed month shows its ledger lines unchanged; an open month gets correction lines for
    closed months before it whose quantities changed since they were closed."""
    target = billing_month(read, month, today)
    ledger = read.ledger
    checks = list(read.checks)
    usage = read.usage_index()  # one index for every month billed below
    if ledger.is_closed(target):
        lines, invoices, closed_checks = closed_month_view(ledger, read.inputs, target)
        result = BillingResult(
            month=target, lines=tuple(lines), invoices=tuple(invoices), checks=tuple(closed_checks)
        )
        checks.append(
            Check(
                severity="info",
                sheet=schema.LEDGER.sheet,
                cell="",
                message=f"{target} is closed: Billing and Invoices show it as it was closed",
            )
        )
        rows, _ = ENGINE.comparison_window(read, target, usage)
    else:
        rows, precomputed = ENGINE.comparison_window(read, target, usage)
        result = ENGINE.bill_open_month(read.inputs, target, ledger, usage, precomputed)
    inputs = read.inputs
    customers = {c.customer_id: c for c in inputs.customers}
    checks += missing_vat_id_warnings(customers, inputs.settings, result.invoices)
    checks += output_gaps(inputs, result.invoices)
    treatments = tuple(
        tax_case(i, customers[i.customer_id], inputs.settings) if i.customer_id in customers else ""
        for i in result.invoices
    )
    found = at_next_reading([*checks, *result.checks], read.usage_next_cell)
    ended = target <= previous_month(today or date.today())
    closed = ledger.is_closed(target)
    if ready_to_close(ended, closed, any(c.severity == "error" for c in found)):
        found.append(
            Check(
                severity="info",
                sheet="",
                cell="",
                message=f"no errors: {target} is ready to close (Close month in Excel, or "
                f"msp-workbook close PATH --month {target})",
            )
        )
    all_checks = tuple(sorted_checks(found))
    return RunReport(
        target,
        result,
        all_checks,
        inputs.settings.currency,
        tuple(rows),
        treatments,
        closed=closed,
        ended=ended,
        check_customers=tuple(customers_of(all_checks, inputs.customers, inputs.keys)),
    )


def ready_to_close(ended: bool, closed: bool, errors: bool) -> bool:
    """A month can be closed once it has ended, while it is open and Checks has no errors."""
    return ended and not closed and not errors


def at_next_reading(checks: Sequence[Check], next_cell: str) -> list[Check]:
    """The checks, those about Usage without a cell (a reading that is missing) pointing at
    `next_cell`, where the next reading goes."""
    if not next_cell:
        return list(checks)
    return [
        c.model_copy(update={"cell": next_cell}) if c.sheet == USAGE_SHEET and not c.cell else c
        for c in checks
    ]
