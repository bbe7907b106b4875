"""Recalc: regenerate Billing, Invoices, Comparison and Checks for the month in the workbook
file (`msp-workbook recalc`), and the read every command that rewrites those sheets starts
with (closing a month too)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from ..core.months import Month
from ..progress import COMPUTING, WRITING, Progress, no_progress
from ..workbook import schema
from ..workbook.early import EarlyLoads
from ..workbook.isolated import ChildLoad
from ..workbook.package.lock import DEFAULT_WAIT, writing
from ..workbook.read import read_workbook
from ..workbook.reader import ReadResult, check_workbook_file
from .compute import RunReport, compute
from .generated import generated_tables, written_widths
from .month_status import report_cells

__all__ = ["read_for_writing", "recalculate"]


def read_for_writing(
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
    from ..workbook.package.safe_save import backup_path
    from ..workbook.typed_notes import typed_notes

    read = read_workbook(path, progress=progress, usage_load=usage_load, month=month, today=today)
    kept_in = backup_path(dest, 1).name if dest == path else path.name
    # The tables recalc and close write whole (closing appends to the Ledger, which keeps its
    # rows and whatever is typed beside them).
    notes = typed_notes(path, written_widths(schema.RECALC_TABLES), kept_in)
    return replace(read, checks=(*read.checks, *notes))


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
    from ..workbook.package.safe_save import check_can_save, check_same_kind
    from ..workbook.write.writer import write_tables

    dest = out or path
    check_workbook_file(path)
    if out is not None:
        check_same_kind(path, out)
    check_can_save(dest)
    with writing(dest, wait) as stamp:
        read = read_for_writing(path, dest, month, today, progress, usage_load)
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
