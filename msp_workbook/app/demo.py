"""Demo: the demo reseller's workbook (`demo_data.py`) built, recalculated, its two months
before the billing month closed with their invoice documents, DATEV booking batches and SEPA
direct debits (`msp-workbook demo`)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.months import previous_month
from ..workbook.errors import WorkbookError
from .close import CloseReport, close_month
from .compute import RunReport
from .recalc import recalculate

if TYPE_CHECKING:
    from .datev_export import DatevReport
    from .invoice_documents import DocumentsReport
    from .sepa_export import SepaReport

__all__ = ["DEMO_CLOSED_MONTHS", "DemoReport", "build_demo", "run_demo"]


def build_demo(path: Path, replace: bool = False, today: date | None = None) -> RunReport:
    """A demo reseller's workbook with 14 months of usage up to last month, recalculated."""
    from ..workbook.template.builder import build_workbook
    from .demo_data import demo_data

    if path.exists() and not replace:
        raise WorkbookError(f"{path}: already exists; choose another name or delete it first")
    path.parent.mkdir(parents=True, exist_ok=True)
    last_month = previous_month(today or date.today())
    with tempfile.TemporaryDirectory() as folder:
        draft = Path(folder) / path.name
        build_workbook(draft, demo_data(last_month))
        return recalculate(draft, last_month, out=path, today=today)


DEMO_CLOSED_MONTHS = 2


@dataclass(frozen=True)
class DemoReport:
    report: RunReport  # the billing month, recalculated after the earlier months were closed
    closed: tuple[CloseReport, ...]
    documents: tuple[DocumentsReport, ...]
    exports: tuple[DatevReport, ...]
    debits: tuple[SepaReport, ...]


def run_demo(path: Path, replace: bool = False, today: date | None = None) -> DemoReport:
    """The demo reseller's workbook (`build_demo`) with its two months before the billing month
    closed (each on the 2nd of the next month, 09:00), their invoice documents written into
    `invoices/YYYY-MM` and their DATEV booking batches and SEPA direct-debit files beside it;
    the billing month recalculated last."""
    from .datev_export import export_datev
    from .invoice_documents import invoice_documents
    from .sepa_export import export_sepa

    report = build_demo(path, replace, today)
    closed, documents, exports, debits = [], [], [], []
    for back in range(DEMO_CLOSED_MONTHS, 0, -1):
        month = report.month.shift(-back)
        closing = datetime.combine(month.shift(1).first_day.replace(day=2), time(9))
        closed.append(close_month(path, month, today=today, now=closing))
        documents.append(invoice_documents(path, month))
        exports.append(export_datev(path, month))
        debits.append(export_sepa(path, month))
    report = recalculate(path, report.month, today=today)
    return DemoReport(report, tuple(closed), tuple(documents), tuple(exports), tuple(debits))
