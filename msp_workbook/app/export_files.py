"""What the outputs of a closed month share: reading the workbook for a closed month (the
invoice documents and both exports), the refusal of an open month, the run of an export (read,
plan, keep what it gives in its own table, write the file) and writing a file whole, never over
one with other content (it may have been handed on already)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

from ..core.ledger import Ledger
from ..core.models import Check, Inputs
from ..core.months import Month
from ..workbook import schema
from ..workbook.errors import WorkbookError
from ..workbook.package.lock import DEFAULT_WAIT, writing

if TYPE_CHECKING:
    from ..workbook.reader import RawTable
    from ..workbook.write.cell_xml import CellValue

# What an export of a closed month reads besides its own sheet (never Usage: a closed month is
# what the Ledger says).
EXPORT_TABLES = (
    schema.SETTINGS,
    schema.PRODUCTS,
    schema.ANNUAL_PRICES,
    schema.CUSTOMERS,
    schema.KEYS,
)


def read_tables(path: Path, own: tuple[schema.Table, ...] = ()) -> dict[str, RawTable]:
    """The raw tables an output of a closed month reads from the workbook's file:
    `EXPORT_TABLES`, the Ledger and the export's own sheets (`own`, which an older workbook may
    lack)."""
    from ..workbook.reader import open_tables

    raw, _ = open_tables(path, EXPORT_TABLES, optional=(schema.LEDGER, *own))
    return raw


class ClosedInput(NamedTuple):
    """What the outputs of a closed month read: Settings and Customers, the Ledger, and the
    errors in them (the tables' and the Ledger's apart: the invoice documents are refused for
    the Ledger's only, an export for any)."""

    inputs: Inputs
    ledger: Ledger
    table_errors: list[Check]
    ledger_errors: list[Check]

    @property
    def errors(self) -> list[Check]:
        return [*self.table_errors, *self.ledger_errors]


def closed_input(raw: dict[str, RawTable]) -> ClosedInput:
    """Settings, Customers (Products and Keys, which their checks need) and the Ledger, with
    every error in them."""
    from ..workbook.ledger_rows import build_ledger
    from ..workbook.validation.collector import Collector
    from ..workbook.validation.master_data import build_master_data

    out = Collector()
    master = build_master_data(raw, out)
    ledger, ledger_errors = build_ledger(raw.get(schema.LEDGER.name))
    errors = [c for c in out.checks if c.severity == "error"]
    return ClosedInput(master.inputs(), ledger, errors, ledger_errors)


class Report(Protocol):
    """What the export run needs of an export's report."""

    month: Month
    file: Path
    status: str


R = TypeVar("R", bound=Report)
# The planned export: its report, the file's bytes (None: nothing to write), what to keep.
Planned = tuple[R, bytes | None, Sequence[Any]]
RowsOf = Callable[[Sequence[Any], str], "list[list[CellValue]]"]


def export_closed_month(
    path: Path,
    own: schema.Table,
    plan: Callable[[dict[str, RawTable]], Planned[R]],
    rows_of: RowsOf,
    wait: float = DEFAULT_WAIT,
) -> tuple[R, Sequence[Any]]:
    """Run one export on the workbook's file: read it (`read_tables` with the export's own
    table), `plan` the file, append what it gives to `own` (rows by `rows_of`) in the same
    locked run, unless the file changed since it was read, then write the file. Returns the
    report and what was appended. Raises WorkbookError (one line) when it cannot run: the
    workbook cannot be read or saved, the month is not closed."""
    from ..workbook.package.safe_save import check_can_save
    from ..workbook.reader import check_workbook_file
    from ..workbook.write.writer import write_tables

    check_workbook_file(path)
    check_can_save(path)
    with writing(path, wait) as stamp:
        report, data, new = plan(read_tables(path, (own,)))

        def keep(given: Sequence[Any]) -> None:
            write_tables(
                path,
                path,
                {},
                appended={own.name: rows_of(given, str(report.month))},
                unchanged_since=stamp,
            )

        return report, deliver(report, data, new, keep)


def deliver(
    report: Report, data: bytes | None, new: Sequence[Any], keep: Callable[[Sequence[Any]], None]
) -> Sequence[Any]:
    """A planned export done: what it gives kept first (also when the file is there unchanged:
    a restored workbook may lack it), then the file written whole. Returns what was kept."""
    if data is None:
        return ()
    if new:
        keep(new)
    if report.status != "unchanged":
        write_whole(report.file, data)
        report.status = "written"
    return new


def refuse_open(month: Month, what: str) -> WorkbookError:
    """The refusal of an open month: `what` ("the DATEV export is", "invoice documents are")
    made for closed months only."""
    return WorkbookError(
        f"{month} is not closed: {what} made for closed months only "
        f"(close it first: msp-workbook close PATH --month {month})"
    )


def existing(target: Path, data: bytes) -> str | None:
    """ "unchanged" when `target` holds `data` already, "other" when it holds something else,
    None when there is no such file."""
    if not target.exists():
        return None
    return "unchanged" if target.read_bytes() == data else "other"


def other_content(target: Path) -> Check:
    return Check(
        severity="error",
        sheet="",
        cell="",
        message=f"{target} exists with other content (an earlier export, perhaps sent "
        "already) and is not overwritten: move it away to write this one",
    )


def write_whole(target: Path, data: bytes) -> None:
    """The file appears whole or not at all: written beside it, then renamed over it."""
    temporary = target.with_name(f".{target.name}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except OSError as exc:
        raise WorkbookError(f"cannot write {target}: {exc.strerror or exc}") from exc
