"""The library behind the faces: what the CLI and the Excel macros do, as plain functions.

Data flows one way: read -> validate -> compute -> write. A file that cannot be worked on at all
raises `WorkbookError` (one line for the user); bad rows never do: they become checks.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from .core import billing, comparison
from .core import ledger as ledger_core
from .core.billing import Billed, missing_vat_id_warnings
from .core.check_customers import customers_of
from .core.comparison import ComparisonRow
from .core.fast import billing as fast_billing
from .core.fast import comparison as fast_comparison
from .core.invoice_document import tax_case
from .core.models import BillingResult, Check
from .core.money import ZERO
from .core.months import Month, previous_month
from .core.quote import Quote, QuoteError, make_quote
from .core.usage import UsageIndex
from .core.vocabulary import DEFAULT_CURRENCY, USAGE_SHEET
from .month_status import RunReport, ready_to_close, report_cells
from .output_gaps import output_gaps
from .progress import COMPUTING, WRITING, Progress, no_progress
from .workbook import schema
from .workbook.early import EarlyLoads
from .workbook.errors import WorkbookError
from .workbook.isolated import ChildLoad
from .workbook.ledger_rows import ledger_row
from .workbook.package.lock import DEFAULT_WAIT, writing
from .workbook.package.safe_save import backup_path, check_can_save, check_same_kind, copy_file
from .workbook.read import read_workbook
from .workbook.reader import ReadResult, check_workbook_file
from .workbook.rows import (
    billing_row,
    check_row,
    comparison_row,
    invoice_row,
    sorted_checks,
    top_savings_rows,
)
from .workbook.write.cell_xml import CellValue
from .workbook.write.worksheet import Link

if TYPE_CHECKING:
    from .datev_export import DatevReport
    from .invoice_documents import DocumentsReport
    from .sepa_export import SepaReport

__all__ = [
    "WorkbookError",
    "billing_month",
    "build_demo",
    "check_workbook",
    "close",
    "close_month",
    "compute",
    "generated_tables",
    "new_workbook",
    "quote",
    "recalculate",
]


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
        lines, invoices, closed_checks = ledger_core.closed_month_view(ledger, read.inputs, target)
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
        rows, _ = comparison_window(read, target, usage)
    else:
        rows, precomputed = comparison_window(read, target, usage)
        result = ledger_core.bill_open_month(read.inputs, target, ledger, usage, precomputed)
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


def at_next_reading(checks: Sequence[Check], next_cell: str) -> list[Check]:
    """The checks, those about Usage without a cell (a reading that is missing) pointing at
    `next_cell`, where the next reading goes."""
    if not next_cell:
        return list(checks)
    return [
        c.model_copy(update={"cell": next_cell}) if c.sheet == USAGE_SHEET and not c.cell else c
        for c in checks
    ]


def comparison_window(
    read: ReadResult, target: Month, usage: UsageIndex, *, bulk: bool = True
) -> tuple[list[ComparisonRow], dict[tuple[str, str], Billed | None]]:
    """The Comparison rows of the window ending with `target`: closed months as the Ledger has
    them, the others as billed from today's sheets; and what `target` bills for each
    (license key, metric) when it is open (the billing month need not work it out again).
    `bulk` bills the open months for all keys at once (`core.fast.billing`); else, or where that
    cannot, key by key (`billing.bill_window`, the reference)."""
    ledger = read.ledger
    units = comparison.WindowUnits(read.inputs, target)
    for month in units.months:  # oldest first: the latest name of a customer is the one shown
        if ledger.is_closed(month):
            units.add_rows(month, ledger.line_rows(month))
    still_open = [m for m in units.months if not ledger.is_closed(m)]
    target_open = bool(still_open) and still_open[-1] == target
    if bulk:
        billed = fast_billing.bill_open_months(
            units, read.inputs, still_open, usage, last_month=target_open
        )
        if billed is not None:
            block, precomputed = billed
            rows = fast_comparison.comparison_rows_in_bulk(units, block)
            if rows is not None:
                return rows, precomputed
    positions = units.positions(still_open)
    precomputed = {}  # the reference, key by key
    for key, customer, product, billed in billing.bill_window(read.inputs, still_open, usage):
        units.add_billed(positions, customer, product, billed)
        if target_open:
            precomputed[(key.license_key, product.metric)] = billed[-1]
    return units.rows(), precomputed


# The tables recalc and close write whole (closing appends to the Ledger, which keeps its rows
# and whatever is typed beside them).
WRITTEN_WHOLE = (schema.BILLING, schema.INVOICES, schema.COMPARISON, schema.CHECKS)


@dataclass(frozen=True)
class GeneratedTables:
    """What a recalculation writes: rows per generated table (schema column order), and the
    side columns beside a table."""

    tables: dict[str, list[list[CellValue]]]
    side_columns: dict[str, tuple[list[str], list[list[CellValue]]]]
    # Links from cells of a table's sheet to places in the workbook (Checks' cells).
    links: dict[str, list[Link]] = field(default_factory=dict)
    # Tables whose rows are in another column order than the schema's (an older Ledger's).
    orders: dict[str, tuple[str, ...]] = field(default_factory=dict)
    currency: str = DEFAULT_CURRENCY  # Settings': the money formats show it


# Columns written beside a generated table (one blank column after it): the block of the largest
# savings the Comparison chart plots, ...
SIDE_COLUMNS = {
    schema.COMPARISON.name: list(schema.COMPARISON_SIDE_HEADERS),
    schema.INVOICES.name: [schema.INVOICES_VAT_TREATMENT, schema.INVOICES_STATUS],
    schema.CHECKS.name: [schema.CHECKS_CUSTOMER],
    schema.BILLING.name: list(schema.BILLING_TOTALS),  # a block: the month's totals
    schema.RECONCILIATION.name: list(schema.RECONCILIATION_SIDE_HEADERS),  # written by reconcile
}


def written_widths(tables: Sequence[schema.Table]) -> dict[str, int]:
    """How many columns from A a write fills on each of these tables' sheets."""
    return {
        t.name: len(t.headers) + (1 + len(SIDE_COLUMNS[t.name]) if t.name in SIDE_COLUMNS else 0)
        for t in tables
    }


def _read_for_writing(
    path: Path,
    dest: Path,
    month: Month | None,
    today: date | None,
    progress: Progress,
    usage_load: ChildLoad | EarlyLoads | None,
) -> ReadResult:
    """The workbook read for a command that rewrites the generated sheets into `dest`, with a
    warning for values typed on those sheets that the write will not keep (they stay in the
    backup, or in `path` when `dest` is another file)."""
    from .workbook.typed_notes import typed_notes

    read = read_workbook(path, progress=progress, usage_load=usage_load, month=month, today=today)
    kept_in = backup_path(dest, 1).name if dest == path else path.name
    notes = typed_notes(path, written_widths(WRITTEN_WHOLE), kept_in)
    return replace(read, checks=(*read.checks, *notes))


def generated_tables(report: RunReport) -> GeneratedTables:
    status = report.invoice_status  # the same for every invoice: counted once
    return GeneratedTables(
        tables={
            schema.BILLING.name: [billing_row(line) for line in report.result.lines],
            schema.INVOICES.name: [invoice_row(inv) for inv in report.result.invoices],
            schema.COMPARISON.name: [comparison_row(row) for row in report.comparison],
            schema.CHECKS.name: [check_row(check) for check in report.checks],
        },
        side_columns={
            schema.COMPARISON.name: (
                SIDE_COLUMNS[schema.COMPARISON.name],
                top_savings_rows(report.comparison),
            ),
            schema.INVOICES.name: (
                SIDE_COLUMNS[schema.INVOICES.name],
                [[treatment, status] for treatment in report.treatments],
            ),
            schema.CHECKS.name: (
                SIDE_COLUMNS[schema.CHECKS.name],
                [[name or None] for name in report.check_customers],
            ),
            schema.BILLING.name: (SIDE_COLUMNS[schema.BILLING.name], billing_totals(report)),
        },
        links={schema.CHECKS.name: check_links(report.checks)},
        currency=report.currency,
    )


def billing_totals(report: RunReport) -> list[list[CellValue]]:
    """The block beside Billing: whether the bill is final, its lines, invoices and money (the
    totals the command line prints, and the lines' cost and margin)."""
    lines = report.result.lines
    cost = sum((line.cost for line in lines), ZERO)
    return [
        [
            report.invoice_status,
            len(lines),
            len(report.result.invoices),
            report.net,
            report.vat,
            report.gross,
            cost,
            report.net - cost,
        ]
    ]


# A cell or range a link can go to: "A13", "$B$2", "A2:D9".
_CELL = re.compile(r"\$?[A-Z]{1,3}\$?[1-9][0-9]{0,6}(:\$?[A-Z]{1,3}\$?[1-9][0-9]{0,6})?")


def check_links(checks: Sequence[Check]) -> list[Link]:
    """Links from Checks' Cell column to the cells the findings name (the writer keeps those
    on sheets the workbook has)."""
    column = schema.CHECKS.headers.index(schema.COL_CELL)
    return [
        Link(row, column, check.sheet, check.cell)
        for row, check in enumerate(checks)
        if check.sheet and _CELL.fullmatch(check.cell)
    ]


def check_workbook(
    path: Path,
    month: Month | None = None,
    today: date | None = None,
    progress: Progress = no_progress,
    usage_load: ChildLoad | EarlyLoads | None = None,
) -> RunReport:
    """Read, validate and bill the month (and compare MSP with annual) without writing anything.
    `progress` is told each stage as it starts (see `progress.py`); `usage_load` is the Usage
    sheet's load when the caller started it already (`workbook.usage_sheet.start`)."""
    read = read_workbook(path, progress=progress, usage_load=usage_load, month=month, today=today)
    progress(COMPUTING)
    return compute(read, month, today)


def recalculate(
    path: Path,
    month: Month | None = None,
    out: Path | None = None,
    today: date | None = None,
    progress: Progress = no_progress,
    usage_load: ChildLoad | EarlyLoads | None = None,
    wait: float = DEFAULT_WAIT,
) -> RunReport:
    """Regenerate Billing, Invoices, Comparison and Checks for the month, in `out` (default:
    in place). The file written is locked from the read to the save (`wait`: seconds to wait for
    another run's lock); in place, it is saved only if no other program saved it meanwhile."""
    from .workbook.write.writer import write_tables

    dest = out or path
    check_workbook_file(path)
    if out is not None:
        check_same_kind(path, out)
    check_can_save(dest)
    with writing(dest, wait) as stamp:
        read = _read_for_writing(path, dest, month, today, progress, usage_load)
        progress(COMPUTING)
        report = compute(read, month, today)
        generated = generated_tables(report)
        progress(WRITING)
        write_tables(
            path,
            dest,
            generated.tables,
            side_columns=generated.side_columns,
            unchanged_since=stamp if out is None else None,
            links=generated.links,
            start_status=report_cells(report),
            currency=report.currency,
        )
    return report


def new_workbook(path: Path) -> None:
    """A fresh workbook from the template; never overwrites."""
    from .workbook.template.builder import TEMPLATE_PATH, build_workbook

    if path.exists():
        raise WorkbookError(f"{path}: already exists; choose another name or delete it first")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise WorkbookError(f"{path}: the name must end in .xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    if TEMPLATE_PATH.exists():
        copy_file(TEMPLATE_PATH, path)
        return
    with tempfile.TemporaryDirectory() as folder:
        draft = Path(folder) / path.name
        build_workbook(draft)
        copy_file(draft, path)


def build_demo(path: Path, replace: bool = False, today: date | None = None) -> RunReport:
    """A demo reseller's workbook with 14 months of usage up to last month, recalculated."""
    from .demo import demo_data
    from .workbook.template.builder import build_workbook

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


def quote(
    product_id: str, term: int, units_now: int, units_12m: int, workbook: Path | None = None
) -> tuple[Quote, str]:
    """A quick quote with the prices of the workbook (default: the template) and its currency."""
    from .workbook.template.builder import TEMPLATE_PATH, build_workbook

    if workbook is None and not TEMPLATE_PATH.exists():
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "template.xlsx"
            build_workbook(path)
            return quote(product_id, term, units_now, units_12m, path)
    read = read_workbook(workbook or TEMPLATE_PATH)
    inputs = read.inputs
    # A price row left out for its errors would change the quote without a word.
    price_sheets = (schema.PRODUCTS.sheet, schema.ANNUAL_PRICES.sheet)
    bad = [c for c in read.errors if c.sheet in price_sheets]
    if bad:
        rows = "1 error" if len(bad) == 1 else f"{len(bad)} errors"
        raise WorkbookError(
            f"cannot quote from {workbook or TEMPLATE_PATH}: {rows} on "
            f"{' and '.join(price_sheets)} (first: {bad[0].sheet}!{bad[0].cell}: "
            f"{bad[0].message}); fix them first (msp-workbook check lists them)"
        )
    try:
        result = make_quote(
            inputs.products, inputs.annual_prices, product_id, term, units_now, units_12m
        )
    except QuoteError as exc:
        raise WorkbookError(str(exc)) from exc
    return result, inputs.settings.currency


@dataclass(frozen=True)
class CloseReport:
    """A closed month: its report, invoice numbers, and what is written. `generated` holds
    the generated tables recalc writes whole; `ledger_rows` are the rows added to the Ledger
    (the file face appends them; `with_whole_ledger` gives the Ledger whole for the Excel
    face)."""

    report: RunReport
    numbers: tuple[str, ...]
    appended: int
    generated: GeneratedTables
    ledger_rows: tuple[list[CellValue], ...] = ()


def close(
    read: ReadResult,
    month: Month | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> CloseReport:
    """Close the month from inputs already read (any face): number its invoices, and give the
    generated tables with the Ledger's new lines appended. Nothing is written here.

    Refused (WorkbookError) when the month is already closed, has not ended yet (it must be
    before today's month), a later month is closed already (months are closed in order), or
    Checks has errors."""
    day = today or date.today()
    target = billing_month(read, month, day)
    ledger = read.ledger
    if ledger.is_closed(target):
        numbers = sorted({e.invoice for e in ledger.month_lines(target)})
        raise WorkbookError(f"{target} is already closed (invoices {number_range(numbers)})")
    if target >= Month.of(day):
        raise WorkbookError(
            f"{target} cannot be closed: it has not ended yet (today is {day.isoformat()}); "
            "only a month that has ended can be closed"
        )
    later = [m for m in ledger.closed_months() if m > target]
    if later:
        raise WorkbookError(
            f"{target} cannot be closed: {later[-1]} is closed already; months are closed in "
            "order, so that invoice numbers follow the months"
        )
    report = compute(read, target, day)
    if report.errors:
        first = report.errors[0]
        raise WorkbookError(
            f"{target} cannot be closed: Checks has {len(report.errors)} errors "
            f"(first: {first}); fix them and run again"
        )
    if not report.result.lines:
        raise WorkbookError(f"{target} has no billing lines: nothing to close")
    settings = read.inputs.settings
    numbers = ledger_core.number_invoices(
        report.result.invoices, ledger, settings.invoice_prefix, target
    )
    finalized = (now or datetime.now()).replace(microsecond=0)
    entries = ledger_core.closing_entries(
        report.result.lines, report.result.invoices, numbers, finalized
    )
    invoices = tuple(
        i.model_copy(update={"invoice": numbers[i.customer_id]}) for i in report.result.invoices
    )
    closed = replace(
        report, result=report.result.model_copy(update={"invoices": invoices}), closed=True
    )
    generated = generated_tables(closed)
    added = tuple(ledger_row(e) for e in entries)
    ordered = tuple(numbers[c] for c in sorted(numbers))
    return CloseReport(closed, ordered, len(entries), generated, added)


def with_whole_ledger(read: ReadResult, closed: CloseReport) -> GeneratedTables:
    """The closed month's generated tables with the Ledger whole (its rows and the new ones),
    for a face that rewrites the Ledger instead of appending to it (Excel): in the table's own
    column order, so that an older Ledger's columns stay where they are (and keep their
    formats); the columns it lacks come last."""
    generated = closed.generated
    order = ledger_order(read.ledger_columns)
    at = [schema.LEDGER.headers.index(h) for h in order]
    rows = [*(ledger_row(e) for e in read.ledger.lines), *closed.ledger_rows]
    tables = {**generated.tables, schema.LEDGER.name: [[row[i] for i in at] for row in rows]}
    orders = dict(generated.orders)
    if order != schema.LEDGER.headers:
        orders[schema.LEDGER.name] = order
    return replace(generated, tables=tables, orders=orders)


def ledger_order(columns: Sequence[str]) -> tuple[str, ...]:
    """The Ledger's columns as written: the table's own order (`columns`; none without a
    table: the schema's), then the schema's columns it lacks."""
    order = tuple(columns) or schema.LEDGER.headers
    return order + tuple(h for h in schema.LEDGER.headers if h not in order)


def close_month(
    path: Path,
    month: Month | None = None,
    today: date | None = None,
    now: datetime | None = None,
    progress: Progress = no_progress,
    usage_load: ChildLoad | EarlyLoads | None = None,
    wait: float = DEFAULT_WAIT,
) -> CloseReport:
    """Close the month in the workbook file, in one save (see `close`), locked from the read to
    the save and saved only if no other program saved the file meanwhile."""
    from .workbook.write.writer import write_tables

    check_workbook_file(path)
    check_can_save(path)
    with writing(path, wait) as stamp:
        read = _read_for_writing(path, path, month, today, progress, usage_load)
        progress(COMPUTING)
        closed = close(read, month, today, now)
        progress(WRITING)
        # The Ledger is appended to: its rows already there stay byte for byte.
        write_tables(
            path,
            path,
            closed.generated.tables,
            side_columns=closed.generated.side_columns,
            appended={schema.LEDGER.name: closed.ledger_rows},
            links=closed.generated.links,
            unchanged_since=stamp,
            start_status=report_cells(closed.report),
            currency=closed.report.currency,
        )
    return closed


def number_range(numbers: Sequence[str]) -> str:
    """`INV-2026-0001 .. INV-2026-0004` (or the one number, or "none")."""
    if not numbers:
        return "none"
    return numbers[0] if len(numbers) == 1 else f"{numbers[0]} .. {numbers[-1]}"
