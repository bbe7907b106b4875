"""What the export buttons share: read the open workbook's tables, plan the closed month's file
with the command's own `export_input` and `plan` (the month: Settings' Billing month when it is
closed, else the latest closed month; the file: the command's default beside the saved
workbook), keep what the export gives (debitor numbers, collections) in the open workbook's own
table, and write the file (the end of the run is the command's: `export_files.deliver`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..app.export_files import EXPORT_TABLES, deliver
from ..core.months import Month
from ..workbook import schema
from ..workbook.reader import RawTable
from ..workbook.write.cell_xml import CellValue
from .inputs import read_raw_tables
from .invoice_documents import documents_month
from .macros import UserError
from .port import WorkbookPort


def export_month(
    port: WorkbookPort,
    own: schema.Table,
    export_input: Callable[[dict[str, RawTable]], tuple[Any, ...]],
    plan: Callable[..., tuple[Any, bytes | None, Sequence[Any]]],
    default_file: Callable[[Path, Month], Path],
    rows_of: Callable[[Sequence[Any], str], list[list[CellValue]]],
    no_table: str,
    working: str,
) -> tuple[Any, Sequence[Any]]:
    """Run one export on the open workbook; returns its report and what was added to `own`.
    `export_input` gives (inputs, ledger, what the export read before, errors), `plan` takes
    them with the month and the file, as the command's do."""
    saved = port.saved_path
    if not saved:
        raise UserError("Save the workbook first: the file is written beside it")
    raw, _ = read_raw_tables(port, EXPORT_TABLES, optional=(schema.LEDGER, own))
    port.status(working)
    inputs, ledger, before, errors = export_input(raw)
    month = documents_month(inputs.settings.billing_month, ledger.closed_months())
    report, data, new = plan(
        inputs, ledger, before, errors, month, default_file(Path(saved), month)
    )

    def keep(given: Sequence[Any]) -> None:
        table = raw.get(own.name)
        if table is None:
            raise UserError(no_table)
        kept = [[row.values.get(h) for h in own.headers] for row in table]
        port.replace_rows(own.name, own.headers, kept + rows_of(given, str(report.month)))

    return report, deliver(report, data, new, keep)
