"""What the export buttons share: read the open workbook's tables, plan the closed month's file
with the command's own `plan`, keep what the export gives (debitor numbers, collections) in the
open workbook's own table, and write the file beside the saved workbook (the end of the run is
the command's: `export_files.deliver`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..export_files import EXPORT_TABLES, deliver
from ..workbook import schema
from ..workbook.reader import RawTable
from ..workbook.sheet_xml import CellValue
from .inputs import read_raw_tables
from .macros import UserError
from .port import WorkbookPort

# (the raw tables, the saved workbook's path) -> (report, the file's bytes or None, what to keep)
Planner = Callable[[dict[str, RawTable], Path], tuple[Any, bytes | None, Sequence[Any]]]


def export_month(
    port: WorkbookPort,
    own: schema.Table,
    plan: Planner,
    rows_of: Callable[[Sequence[Any], str], list[list[CellValue]]],
    no_table: str,
    working: str,
) -> tuple[Any, Sequence[Any]]:
    """Run one export on the open workbook; returns its report and what was added to `own`."""
    saved = port.saved_path
    if not saved:
        raise UserError("Save the workbook first: the file is written beside it")
    raw, _ = read_raw_tables(port, EXPORT_TABLES, optional=(schema.LEDGER, own))
    port.status(working)
    report, data, new = plan(raw, Path(saved))

    def keep(given: Sequence[Any]) -> None:
        table = raw.get(own.name)
        if table is None:
            raise UserError(no_table)
        kept = [[row.values.get(h) for h in own.headers] for row in table]
        port.replace_rows(own.name, own.headers, kept + rows_of(given, str(report.month)))

    return report, deliver(report, data, new, keep)
