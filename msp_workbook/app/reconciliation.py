"""The vendor reconciliation service: the distributor's statement against the month's billing,
written to the Reconciliation sheet (SPEC section 8).

Read -> check -> compute -> write, like every command: the workbook is read and billed as `check`
bills it (a closed month as the Ledger has it); the statement is read with an import profile
(`workbook.report_file`, `core.statement`); `core.reconcile` compares the two; the Reconciliation
table and the block beside it are written, every other sheet copied as it is. Locked from the read
to the save like every write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.billable import month_usage
from ..core.models import Check, LicenseKey, Product
from ..core.months import Month
from ..core.readings import STANDARD, ReportProblem, column_positions, data_lines
from ..core.reconcile import STATUSES, Reconciliation, reconcile
from ..core.statement import (
    Charge,
    StatementProfile,
    charge_of_line,
    make_statement_profile,
    standard_statement_profile,
)
from ..progress import COMPUTING, WRITING, Progress, no_progress
from ..workbook import schema
from ..workbook.early import EarlyLoads
from ..workbook.errors import WorkbookError
from ..workbook.isolated import ChildLoad
from ..workbook.package.lock import DEFAULT_WAIT, writing
from ..workbook.package.safe_save import check_can_save
from ..workbook.write.cell_xml import CellValue
from .compute import billing_month, compute
from .generated import written_widths

if TYPE_CHECKING:
    from ..workbook.reader import RawTable, ReadResult


@dataclass(frozen=True)
class ReconcileReport:
    reconciliation: Reconciliation
    statement: str  # the statement file's name
    lines: int  # statement lines read as charges
    problems: tuple[str, ...]  # statement lines that could not be used, `FILE:LINE: ...`
    notes: tuple[str, ...]  # lines skipped (blank, totals)
    checks: tuple[Check, ...]  # the workbook's own findings, as `check` gives them
    currency: str

    @property
    def errors(self) -> list[Check]:
        return [c for c in self.checks if c.severity == "error"]


def reconcile_statement(
    path: Path,
    statement: Path,
    month: Month | None = None,
    profile: str | None = None,
    today: date | None = None,
    progress: Progress = no_progress,
    usage_load: ChildLoad | EarlyLoads | None = None,
    wait: float = DEFAULT_WAIT,
) -> ReconcileReport:
    """Reconcile the month (default: as `recalc` picks it) against the statement file and write
    the Reconciliation sheet in place. Raises WorkbookError (one line) when it cannot run: the
    workbook or the statement cannot be read, the profile is unknown or cannot read it."""
    from ..workbook.reader import check_workbook_file
    from ..workbook.write.writer import write_tables

    check_workbook_file(path)
    check_can_save(path)
    with writing(path, wait) as stamp:
        report, rows, side = _reconcile(
            path, statement, month, profile, today, progress, usage_load
        )
        progress(WRITING)
        write_tables(
            path,
            path,
            {schema.RECONCILIATION.name: rows},
            side_columns={
                schema.RECONCILIATION.name: (list(schema.RECONCILIATION_SIDE_HEADERS), side)
            },
            unchanged_since=stamp,
        )
    return report


def _reconcile(
    path: Path,
    statement: Path,
    month: Month | None,
    profile_name: str | None,
    today: date | None,
    progress: Progress,
    usage_load: ChildLoad | EarlyLoads | None,
) -> tuple[ReconcileReport, list[list[CellValue]], list[list[CellValue]]]:
    from ..workbook.read import read_workbook
    from ..workbook.reader import open_tables
    from ..workbook.typed_notes import typed_notes

    raw, _ = open_tables(path, (), optional=(schema.IMPORT_PROFILES,))
    profile = statement_profile(raw, profile_name or STANDARD)
    charges, problems, notes = read_statement(statement, profile)
    read = read_workbook(path, progress=progress, usage_load=usage_load, month=month, today=today)
    widths = written_widths((schema.RECONCILIATION,))
    read = replace(read, checks=(*read.checks, *typed_notes(path, widths, path.name)))
    progress(COMPUTING)
    return reconcile_read(read, month, today, statement.name, charges, problems, notes)


def reconcile_read(
    read: ReadResult,
    month: Month | None,
    today: date | None,
    statement: str,
    charges: Sequence[Charge],
    problems: Sequence[str],
    notes: Sequence[str],
) -> tuple[ReconcileReport, list[list[CellValue]], list[list[CellValue]]]:
    """The reconciliation of a workbook already read (any face) against a statement already
    read: the report, the Reconciliation table's rows and the block beside it."""
    target = billing_month(read, month, today)
    billed = compute(read, target, today)
    inputs, ledger = read.inputs, read.ledger
    usage = read.usage_index()
    corrections = []
    if ledger.is_closed(target):
        corrections = [
            e.line
            for e in ledger.lines
            if e.line.type == "correction" and e.line.corrects == target
        ]

    def usage_of(key: LicenseKey, product: Product) -> int | None:
        return month_usage(key, product, target, inputs.settings, usage)

    result = reconcile(
        target,
        [(statement, c) for c in charges],
        inputs.keys,
        inputs.customers,
        inputs.products,
        billed.result.lines,
        usage_of,
        corrections,
    )
    report = ReconcileReport(
        result,
        statement,
        len(charges),
        (*problems, *result.problems),
        tuple(notes),
        billed.checks,
        inputs.settings.currency,
    )
    return report, table_rows(result), side_block(report)


def statement_profile(raw: Mapping[str, RawTable], name: str) -> StatementProfile:
    """The statement profile of that name: the built-in `standard`, else the one on the Imports
    sheet (`raw`: the raw ImportProfiles table, where the workbook has one)."""
    from .usage_import import profile_key, profile_rows

    key = name.strip().lower()
    if key == STANDARD:
        return standard_statement_profile()
    grouped, names, problems = profile_rows(raw)
    key = profile_key(name, problems, [STANDARD, *names.values()])
    try:
        return make_statement_profile(names[key], grouped[key])
    except ReportProblem as exc:
        raise WorkbookError(f"{schema.IMPORT_PROFILES.sheet}: {exc}") from None


def read_statement(
    file: Path, profile: StatementProfile
) -> tuple[list[Charge], list[str], list[str]]:
    """The statement's charges, its lines that cannot be read (`FILE:LINE: ...`) and notes on
    lines skipped. A file that cannot be read at all, or lacks a column, raises WorkbookError."""
    from ..workbook.report_file import read_report

    name = file.name
    try:
        report = read_report(file, profile.columns)
        at = column_positions(profile, report.header)
    except ReportProblem as exc:
        raise WorkbookError(f"{name}: {exc}") from None
    lines, notes = data_lines(report.lines, profile, at)
    charges, problems = [], []
    for number, line in lines:
        try:
            charges.append(charge_of_line(line, number, profile, at, report.separator))
        except ReportProblem as exc:
            problems.append(f"{name}:{number}: {exc}")
    return charges, problems, notes


def table_rows(result: Reconciliation) -> list[list[CellValue]]:
    """The Reconciliation table's rows, in schema column order (a text left empty is a blank
    cell, as Excel has it)."""
    return [
        schema.RECONCILIATION.row(
            {
                schema.COL_MONTH: str(r.month),
                schema.COL_LICENSE_KEY: r.license_key,
                schema.COL_CUSTOMER_ID: r.customer_id or None,
                schema.COL_CUSTOMER: r.customer or None,
                schema.COL_PRODUCT_ID: r.product_id or None,
                schema.COL_METRIC: r.metric or None,
                schema.COL_VENDOR_QUANTITY: r.vendor_quantity,
                schema.COL_USAGE_QUANTITY: r.usage_quantity,
                schema.COL_BILLED_QUANTITY: r.billed_quantity,
                schema.COL_VENDOR_AMOUNT: r.vendor_amount,
                schema.COL_EXPECTED_COST: r.expected_cost,
                schema.COL_DIFFERENCE: r.difference,
                schema.COL_STATUS: r.status,
                schema.COL_NOTE: r.note or None,
            }
        )
        for r in result.rows
    ]


def side_block(report: ReconcileReport) -> list[list[CellValue]]:
    """Beside the table: per product (the chart's data), then the summary, one row each."""
    result = report.reconciliation
    products: list[list[CellValue]] = [
        [p.product, p.vendor_amount, p.billed_revenue, p.cost] for p in result.products
    ]
    summary: list[list[CellValue]] = [[f"{result.month}: {report.statement}", report.lines, None]]
    for status in STATUSES:
        rows = [r for r in result.rows if r.status == status]
        differences = [r.difference for r in rows if r.difference is not None]
        summary.append([status, len(rows), sum(differences, Decimal(0)) if differences else None])
    summary.append(["Unbilled revenue", None, result.unbilled_revenue])
    summary.append([schema.COL_DIFFERENCE, None, result.difference])
    height = max(len(products), len(summary))
    blank: list[CellValue] = [None] * 4
    return [
        [
            *(products[i] if i < len(products) else blank),
            *(summary[i] if i < len(summary) else blank[:3]),
        ]
        for i in range(height)
    ]
