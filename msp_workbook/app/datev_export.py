"""The DATEV export: a closed month's invoices as an EXTF booking batch (SPEC section 9).

Read -> check -> compute -> remember -> write. Settings, Products, AnnualPrices, Customers,
Keys, the Ledger and the Debitors sheet are read (never Usage: a closed month is what the
Ledger says). Any error in them, or anything the batch lacks (`core.datev_fields`), and no file
is written: a batch missing one booking would be silently wrong in the books. Debitor numbers
given now are appended to the Debitors sheet first, in the same locked run, and the file is
written after: a customer keeps its number in every later export.

The same workbook and month give the same bytes: the header's creation time is the month's
closing time, and numbers once given are read back, not given again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.closing import closed_month_view
from ..core.datev import Booking, assign_debitors, bookings, fiscal_year_start
from ..core.datev_fields import invoice_gaps, settings_gaps, typed_debitors
from ..core.ledger import Ledger
from ..core.models import Check, Inputs
from ..core.months import Month
from ..workbook import schema
from ..workbook.errors import WorkbookError
from ..workbook.package.lock import DEFAULT_WAIT
from . import export_files
from .export_files import existing, other_content, refuse_open

if TYPE_CHECKING:
    from ..workbook.reader import RawTable

CHARTS = {"SKR03": "03", "SKR04": "04"}


@dataclass
class DatevReport:
    month: Month
    file: Path
    status: str = "not written"  # "written", "unchanged", "not written", "no bookings"
    bookings: tuple[Booking, ...] = ()
    given: tuple[tuple[str, int], ...] = ()  # debitor numbers given by this run
    errors: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def total(self, debit: bool) -> Decimal:
        return sum((b.amount for b in self.bookings if b.debit == debit), Decimal("0.00"))


def default_file(path: Path, month: Month) -> Path:
    return path.parent / f"EXTF_Buchungsstapel_{month}.csv"


def export_datev(
    path: Path, month: Month, out: Path | None = None, wait: float = DEFAULT_WAIT
) -> DatevReport:
    """Write the month's booking batch (default: beside the workbook). Raises WorkbookError (one
    line) when it cannot run: the workbook cannot be read or saved, the month is not closed."""
    from ..workbook.debitor_rows import debitor_rows

    target = out or default_file(path, month)
    report, new = export_files.export_closed_month(
        path,
        schema.DEBITORS,
        lambda raw: plan(*export_input(raw), month, target),
        debitor_rows,
        wait,
    )
    report.given = tuple(new)
    return report


def plan(
    inputs: Inputs,
    ledger: Ledger,
    given: dict[str, int],
    errors: list[Check],
    month: Month,
    target: Path,
) -> tuple[DatevReport, bytes | None, list[tuple[str, int]]]:
    """What the export of `month` to `target` does: its report, the file's bytes (None when
    nothing is to be written) and the debitor numbers it gives. Nothing is written here."""
    if not ledger.is_closed(month):
        raise refuse_open(month, "the DATEV export is")
    report = DatevReport(month, target)
    _, invoices, _ = closed_month_view(ledger, inputs, month)
    customers = {c.customer_id: c for c in inputs.customers}
    typed, debitor_errors = typed_debitors(inputs.customers, given)
    report.errors = [
        *errors,
        *settings_gaps(inputs.settings),
        *debitor_errors,
        *invoice_gaps(invoices, customers, inputs.settings),
    ]
    if report.errors:
        return report, None, []
    numbers, new = assign_debitors(invoices, typed, given)
    closed_at = ledger.finalized(month)
    report.bookings = tuple(
        bookings(
            invoices,
            customers,
            inputs.settings,
            numbers,
            {number: moment.date() for number, moment in closed_at.items()},
        )
    )
    if not report.bookings:
        report.status = "no bookings"
        return report, None, []
    data = _render(inputs, month, report.bookings, max(closed_at.values()))
    found = existing(target, data)
    if found == "unchanged":  # numbers a restored workbook lacks are still recorded
        report.status = "unchanged"
        return report, data, new
    if found == "other":
        report.errors.append(other_content(target))
        return report, None, []
    return report, data, new


def _render(inputs: Inputs, month: Month, booked: tuple[Booking, ...], created: datetime) -> bytes:
    from ..exports.datev_file import DatevFileError, Header, render

    settings = inputs.settings
    days = sorted({b.day for b in booked})
    years = {fiscal_year_start(day, settings.fiscal_year_start) for day in days}
    if len(years) != 1:  # one close gives one issue date; several closes of a month cannot be
        raise WorkbookError(f"the invoices of {month} fall in two fiscal years: {sorted(years)}")
    assert settings.datev_consultant is not None and settings.datev_client is not None
    header = Header(
        created=created,
        consultant=settings.datev_consultant,
        client=settings.datev_client,
        fiscal_year_start=years.pop(),
        period_from=days[0],
        period_to=days[-1],
        description=f"Rechnungen {month}",
        currency=settings.currency.upper(),
        chart=CHARTS[settings.chart_of_accounts],
    )
    try:
        return render(header, booked)
    except DatevFileError as exc:
        raise WorkbookError(
            f"the DATEV file failed its own format check and is not written (a defect of this "
            f"program: please report it): {exc}"
        ) from exc


def export_input(
    raw: dict[str, RawTable],
) -> tuple[Inputs, Ledger, dict[str, int], list[Check]]:
    """Settings, Customers (Products and Keys, which their checks need), the Ledger and the
    debitor numbers given before; and every error in them."""
    from ..workbook.debitor_rows import build_debitors

    closed = export_files.closed_input(raw)
    given, debitor_errors = build_debitors(raw.get(schema.DEBITORS.name))
    return closed.inputs, closed.ledger, given, [*closed.errors, *debitor_errors]
