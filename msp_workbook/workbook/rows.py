"""Billing records -> rows of the generated tables, one value per schema column, in schema order."""

from __future__ import annotations

from collections.abc import Iterable

from ..core.comparison import ComparisonRow
from ..core.models import BillingLine, Check, Invoice
from ..core.top_savings import label, top_savings
from ..core.vocabulary import TERMS
from . import schema
from .cells import MAX_TEXT
from .write.cell_xml import CellValue

SEVERITY_ORDER = {s: i for i, s in enumerate(schema.SEVERITIES)}


def billing_values(line: BillingLine) -> dict[str, CellValue]:
    """A billing line's cells by header (the Ledger's rows hold them too)."""
    return {
        schema.COL_MONTH: str(line.month),
        schema.COL_CUSTOMER_ID: line.customer_id,
        schema.COL_CUSTOMER: line.customer,
        schema.COL_LICENSE_KEY: line.license_key,
        schema.COL_PRODUCT_ID: line.product_id,
        schema.COL_PRODUCT: line.product,
        schema.COL_METRIC: line.metric,
        schema.COL_QUANTITY: line.quantity,
        schema.COL_UNIT_PRICE: line.unit_price,
        schema.COL_DISCOUNT: line.discount,
        schema.COL_NET: line.net,
        schema.COL_UNIT_COST: line.unit_cost,
        schema.COL_COST: line.cost,
        schema.COL_MARGIN: line.margin,
        schema.COL_TYPE: line.type,
        schema.COL_CORRECTS: str(line.corrects) if line.corrects else None,
        schema.COL_NOTE: line.note or None,
    }


def billing_row(line: BillingLine) -> list[CellValue]:
    return schema.BILLING.row(billing_values(line))


def invoice_row(invoice: Invoice) -> list[CellValue]:
    return schema.INVOICES.row(
        {
            schema.COL_MONTH: str(invoice.month),
            schema.COL_INVOICE: invoice.invoice or None,
            schema.COL_CUSTOMER_ID: invoice.customer_id,
            schema.COL_CUSTOMER: invoice.customer,
            schema.COL_NET: invoice.net,
            schema.COL_VAT_RATE: invoice.vat_rate,
            schema.COL_VAT: invoice.vat,
            schema.COL_GROSS: invoice.gross,
            schema.COL_COST: invoice.cost,
            schema.COL_MARGIN: invoice.margin,
            schema.COL_REVERSE_CHARGE: "yes" if invoice.reverse_charge else "no",
            schema.COL_LINES: invoice.lines,
        }
    )


def comparison_row(row: ComparisonRow) -> list[CellValue]:
    return schema.COMPARISON.row(
        {
            schema.COL_CUSTOMER_ID: row.customer_id,
            schema.COL_CUSTOMER: row.customer,
            schema.COL_PRODUCT_ID: row.product_id,
            schema.COL_MONTHS: row.months,
            schema.COL_AVERAGE_UNITS: row.average_units,
            schema.COL_PEAK_UNITS: row.peak_units,
            schema.COL_MSP_COST: row.msp_cost,
            **{schema.annual_header(t): cost for t, cost in zip(TERMS, row.annual, strict=True)},
            schema.COL_BEST_OPTION: row.best_option,
            schema.COL_SAVING: row.saving,
            schema.COL_SAVING_PER_YEAR: row.saving_per_year,
        }
    )


def top_savings_rows(rows: Iterable[ComparisonRow]) -> list[list[CellValue]]:
    """The block beside the Comparison table that its chart plots (schema order of
    COMPARISON_SIDE_HEADERS): the largest savings, largest first."""
    return [[label(row), row.msp_cost, row.best_annual, row.saving] for row in top_savings(rows)]


def check_row(check: Check) -> list[CellValue]:
    message = check.message
    if len(message) > MAX_TEXT:  # never more than a cell holds (Excel would repair the file)
        message = message[: MAX_TEXT - 3] + "..."
    return schema.CHECKS.row(
        {
            schema.COL_SEVERITY: check.severity,
            schema.COL_SHEET: check.sheet or None,
            schema.COL_CELL: check.cell or None,
            schema.COL_MESSAGE: message,
        }
    )


def sorted_checks(checks: Iterable[Check]) -> list[Check]:
    """Errors first, then warnings, then infos; each in the order found."""
    return sorted(checks, key=lambda c: SEVERITY_ORDER[c.severity])
