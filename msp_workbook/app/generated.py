"""From the month's report to the generated tables a run writes whole: the rows of Billing,
Invoices, Comparison and Checks, the columns beside them (Billing's totals, each invoice's VAT
treatment and status, the customer a finding concerns, the largest savings) and the links from
Checks' cells to the cells they name. Nothing is written here: the writer does that.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core.models import Check
from ..core.money import ZERO
from ..core.vocabulary import DEFAULT_CURRENCY
from ..workbook import schema
from ..workbook.rows import (
    billing_row,
    check_row,
    comparison_row,
    invoice_row,
    top_savings_rows,
)
from ..workbook.write.cell_xml import CellValue
from ..workbook.write.worksheet import Link
from .compute import RunReport

__all__ = [
    "SIDE_COLUMNS",
    "GeneratedTables",
    "billing_totals",
    "check_links",
    "generated_tables",
    "invoice_status",
    "written_widths",
]


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


def generated_tables(report: RunReport) -> GeneratedTables:
    status = invoice_status(report)  # the same for every invoice: counted once
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


def invoice_status(report: RunReport) -> str:
    """What the Invoices sheet says of every invoice of the month: final once the month is
    closed, else a draft, and why it cannot be closed yet."""
    if report.closed:
        return "final"
    errors = len(report.errors)
    if errors:
        return f"draft: {errors} error{'' if errors == 1 else 's'} on Checks"
    return "draft"


def billing_totals(report: RunReport) -> list[list[CellValue]]:
    """The block beside Billing: whether the bill is final, its lines, invoices and money (the
    totals the command line prints, and the lines' cost and margin)."""
    lines = report.result.lines
    cost = sum((line.cost for line in lines), ZERO)
    return [
        [
            invoice_status(report),
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
