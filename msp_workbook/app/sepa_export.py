"""The SEPA export: a closed month's direct debits as a pain.008 file for the bank (SPEC 9).

Read -> check -> compute -> remember -> write, like the DATEV export: the tables it reads and
the errors that stop it are the same (`export_files`), plus what a direct debit needs from
Settings and from each direct-debit customer (`core.sepa_fields`). The collections written are
appended to the Collections sheet first, in the same locked run, and the file after: a
mandate's next month is RCUR, and the same month again gives the same file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.closing import closed_month_view
from ..core.document_fields import Gaps, missing_customer
from ..core.ledger import Ledger
from ..core.models import Check, Inputs
from ..core.months import Month
from ..core.sepa import Collected, Collection, collections, due_date
from ..core.sepa_fields import customer_gaps, invoice_gaps, settings_gaps
from ..workbook import schema
from ..workbook.errors import WorkbookError
from ..workbook.package.lock import DEFAULT_WAIT
from . import export_files
from .export_files import existing, other_content, refuse_open

if TYPE_CHECKING:
    from ..workbook.reader import RawTable


@dataclass
class SepaReport:
    month: Month
    file: Path
    status: str = "not written"  # "written", "unchanged", "not written", "no direct debits"
    debits: tuple[Collection, ...] = ()
    recorded: int = 0  # collections added to the Collections sheet by this run
    errors: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> Decimal:
        return sum((d.amount for d in self.debits), Decimal("0.00"))

    def count(self, sequence: str) -> int:
        return sum(1 for d in self.debits if d.sequence == sequence)


def default_file(path: Path, month: Month) -> Path:
    return path.parent / f"SEPA_direct_debit_{month}.xml"


def export_sepa(
    path: Path,
    month: Month,
    collection_date: date | None = None,
    out: Path | None = None,
    wait: float = DEFAULT_WAIT,
) -> SepaReport:
    """Write the month's direct debits (default: beside the workbook). Raises WorkbookError (one
    line) when it cannot run: the workbook cannot be read or saved, the month is not closed."""
    from ..workbook.collection_rows import collection_rows

    target = out or default_file(path, month)
    report, new = export_files.export_closed_month(
        path,
        schema.COLLECTIONS,
        lambda raw: plan(*export_input(raw), month, target, collection_date),
        collection_rows,
        wait,
    )
    report.recorded = len(new)
    return report


def export_input(
    raw: dict[str, RawTable],
) -> tuple[Inputs, Ledger, list[Collected], list[Check]]:
    """Settings, Customers (Products and Keys, which their checks need), the Ledger and the
    collections written before; and every error in them."""
    from ..workbook.collection_rows import build_collections

    closed = export_files.closed_input(raw)
    history, history_errors = build_collections(raw.get(schema.COLLECTIONS.name))
    return closed.inputs, closed.ledger, history, [*closed.errors, *history_errors]


def plan(
    inputs: Inputs,
    ledger: Ledger,
    history: list[Collected],
    errors: list[Check],
    month: Month,
    target: Path,
    collection_date: date | None = None,
) -> tuple[SepaReport, bytes | None, list[Collection]]:
    """What the export of `month` to `target` does: its report, the file's bytes (None when
    nothing is to be written) and the collections to record. Nothing is written here."""
    if not ledger.is_closed(month):
        raise refuse_open(month, "the SEPA direct debit is")
    report = SepaReport(month, target)
    _, invoices, _ = closed_month_view(ledger, inputs, month)
    customers = {c.customer_id: c for c in inputs.customers}
    closed_at = ledger.finalized(month)
    issued = {number: moment.date() for number, moment in closed_at.items()}
    settings = inputs.settings
    first_collection = collection_date or min(
        (due_date(day, settings) for day in issued.values()), default=None
    )
    debtors = [
        customers[i.customer_id] for i in invoices if i.customer_id in customers and i.gross > 0
    ]
    report.errors = [*errors, *customer_gaps(debtors, collected_on=first_collection)]
    missing = Gaps("error")
    for invoice in invoices:
        if invoice.customer_id not in customers:
            missing_customer(missing, invoice, "")
    report.errors += missing.checks
    if report.errors:
        return report, None, []
    debits = collections(invoices, customers, settings, month, issued, history, collection_date)
    if not debits:
        report.status = "no direct debits"
        return report, None, []
    report.errors = [*settings_gaps(settings), *invoice_gaps(invoices)]
    if report.errors:
        return report, None, []
    report.debits = tuple(debits)
    data = _render(inputs, month, report.debits, max(closed_at.values()))
    found = existing(target, data)
    if found == "other":
        report.errors.append(other_content(target))
        return report, None, []
    if found == "unchanged":
        report.status = "unchanged"
    written = {(c.month, c.invoice) for c in history}
    return report, data, [d for d in debits if (month, d.invoice) not in written]


def _render(
    inputs: Inputs, month: Month, debits: tuple[Collection, ...], created: datetime
) -> bytes:
    from ..exports.sepa_file import Creditor, SepaFileError, render

    settings = inputs.settings
    creditor = Creditor(settings.reseller, settings.iban, settings.bic, settings.creditor_id)
    try:
        return render(creditor, debits, created, str(month))
    except SepaFileError as exc:
        raise WorkbookError(
            f"the SEPA file failed its own check and is not written (a defect of this program: "
            f"please report it): {exc}"
        ) from exc
