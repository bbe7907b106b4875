"""Billing records -> rows of the generated tables, one value per schema column, in schema order."""

from __future__ import annotations

from collections.abc import Iterable

from ..core.comparison import ComparisonRow
from ..core.models import BillingLine, Check, Invoice
from ..core.top_savings import label, top_savings
from . import schema
from .cells import MAX_TEXT
from .sheet_xml import CellValue

SEVERITY_ORDER = {s: i for i, s in enumerate(schema.SEVERITIES)}


def billing_row(line: BillingLine) -> list[CellValue]:
    return [
        str(line.month),
        line.customer_id,
        line.customer,
        line.license_key,
        line.product_id,
        line.product,
        line.metric,
        line.quantity,
        line.unit_price,
        line.discount,
        line.net,
        line.unit_cost,
        line.cost,
        line.margin,
        line.type,
        str(line.corrects) if line.corrects else None,
        line.note or None,
    ]


def invoice_row(invoice: Invoice) -> list[CellValue]:
    return [
        str(invoice.month),
        invoice.invoice or None,
        invoice.customer_id,
        invoice.customer,
        invoice.net,
        invoice.vat_rate,
        invoice.vat,
        invoice.gross,
        invoice.cost,
        invoice.margin,
        "yes" if invoice.reverse_charge else "no",
        invoice.lines,
    ]


def comparison_row(row: ComparisonRow) -> list[CellValue]:
    return [
        row.customer_id,
        row.customer,
        row.product_id,
        row.months,
        row.average_units,
        row.peak_units,
        row.msp_cost,
        *row.annual,
        row.best_option,
        row.saving,
        row.saving_per_year,
    ]


def top_savings_rows(rows: Iterable[ComparisonRow]) -> list[list[CellValue]]:
    """The block beside the Comparison table that its chart plots (schema order of
    COMPARISON_SIDE_HEADERS): the largest savings, largest first."""
    return [[label(row), row.msp_cost, row.best_annual, row.saving] for row in top_savings(rows)]


def check_row(check: Check) -> list[CellValue]:
    message = check.message
    if len(message) > MAX_TEXT:  # never more than a cell holds (Excel would repair the file)
        message = message[: MAX_TEXT - 3] + "..."
    return [check.severity, check.sheet or None, check.cell or None, message]


def sorted_checks(checks: Iterable[Check]) -> list[Check]:
    """Errors first, then warnings, then infos; each in the order found."""
    return sorted(checks, key=lambda c: SEVERITY_ORDER[c.severity])
