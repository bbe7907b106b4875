"""Close: number the month's invoices and append its lines to the Ledger (`msp-workbook close`,
the Close month button), refused while the month cannot be closed; the Ledger whole for a face
that rewrites it instead of appending (Excel)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from ..core.closing import closing_entries
from ..core.months import Month
from ..core.numbering import number_invoices
from ..progress import COMPUTING, WRITING, Progress, no_progress
from ..workbook import schema
from ..workbook.early import EarlyLoads
from ..workbook.errors import WorkbookError
from ..workbook.isolated import ChildLoad
from ..workbook.package.lock import DEFAULT_WAIT, writing
from ..workbook.reader import ReadResult, check_workbook_file
from ..workbook.write.cell_xml import CellValue
from .compute import RunReport, billing_month, compute
from .generated import GeneratedTables, generated_tables
from .month_status import report_cells
from .recalc import read_for_writing

__all__ = [
    "CloseReport",
    "close",
    "close_month",
    "ledger_order",
    "number_range",
    "with_whole_ledger",
]


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
    from ..workbook.ledger_rows import ledger_row

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
    numbers = number_invoices(report.result.invoices, ledger, settings.invoice_prefix, target)
    finalized = (now or datetime.now()).replace(microsecond=0)
    entries = closing_entries(report.result.lines, report.result.invoices, numbers, finalized)
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
    from ..workbook.ledger_rows import ledger_row

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
    from ..workbook.package.safe_save import check_can_save
    from ..workbook.write.writer import write_tables

    check_workbook_file(path)
    check_can_save(path)
    with writing(path, wait) as stamp:
        read = read_for_writing(path, path, month, today, progress, usage_load)
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
