"""The tables a recalculation rewrites (Billing, Invoices, Comparison, Checks), and the columns
and blocks beside them."""

from __future__ import annotations

from ...core import vocabulary
from .choices import LINE_TYPES, SEVERITIES, YES_NO
from .columns import (
    COL_AVERAGE_UNITS,
    COL_BEST_OPTION,
    COL_CELL,
    COL_CORRECTS,
    COL_COST,
    COL_CUSTOMER,
    COL_CUSTOMER_ID,
    COL_DISCOUNT,
    COL_GROSS,
    COL_INVOICE,
    COL_LICENSE_KEY,
    COL_LINES,
    COL_MARGIN,
    COL_MESSAGE,
    COL_METRIC,
    COL_MONTH,
    COL_MONTHS,
    COL_MSP_COST,
    COL_NET,
    COL_NOTE,
    COL_PEAK_UNITS,
    COL_PRODUCT,
    COL_PRODUCT_ID,
    COL_QUANTITY,
    COL_REVERSE_CHARGE,
    COL_SAVING,
    COL_SAVING_PER_YEAR,
    COL_SEVERITY,
    COL_SHEET,
    COL_TYPE,
    COL_UNIT_COST,
    COL_UNIT_PRICE,
    COL_VAT,
    COL_VAT_RATE,
    annual_header,
)
from .formats import FMT_UNIT_PRICE
from .table_model import Kind, Table, _col

BILLING = Table(
    "Billing",
    "Billing",
    (
        _col(COL_MONTH, Kind.MONTH, 9),
        _col(COL_CUSTOMER_ID, Kind.ID, 13),
        _col(COL_CUSTOMER, Kind.TEXT, 28),
        _col(COL_LICENSE_KEY, Kind.ID, 27),
        _col(COL_PRODUCT_ID, Kind.ID, 12),
        _col(COL_PRODUCT, Kind.TEXT, 26),
        _col(COL_METRIC, Kind.ID, 11),
        _col(COL_QUANTITY, Kind.WHOLE, 10),
        _col(COL_UNIT_PRICE, Kind.MONEY, 11, number_format=FMT_UNIT_PRICE),
        _col(COL_DISCOUNT, Kind.PERCENT, 11),
        _col(COL_NET, Kind.MONEY, 12),
        _col(COL_UNIT_COST, Kind.MONEY, 11, number_format=FMT_UNIT_PRICE),
        _col(COL_COST, Kind.MONEY, 12),
        _col(COL_MARGIN, Kind.MONEY, 12),
        _col(COL_TYPE, Kind.CHOICE, 11, choices=LINE_TYPES),
        _col(COL_CORRECTS, Kind.MONTH, 9),
        _col(COL_NOTE, Kind.TEXT, 40),
    ),
    generated=True,
    purpose="The month's billing lines. Rewritten by every recalculation.",
)

INVOICES = Table(
    "Invoices",
    "Invoices",
    (
        _col(COL_MONTH, Kind.MONTH, 9),
        _col(COL_INVOICE, Kind.TEXT, 16),
        _col(COL_CUSTOMER_ID, Kind.ID, 13),
        _col(COL_CUSTOMER, Kind.TEXT, 30),
        _col(COL_NET, Kind.MONEY, 12),
        _col(COL_VAT_RATE, Kind.PERCENT, 9),
        _col(COL_VAT, Kind.MONEY, 11),
        _col(COL_GROSS, Kind.MONEY, 12),
        _col(COL_COST, Kind.MONEY, 12),
        _col(COL_MARGIN, Kind.MONEY, 12),
        _col(COL_REVERSE_CHARGE, Kind.CHOICE, 14, choices=YES_NO),
        _col(COL_LINES, Kind.WHOLE, 8),
    ),
    generated=True,
    purpose="One invoice per customer for the month. Rewritten by every recalculation.",
)
# Beside the Invoices table (one blank column between): how VAT applies to each invoice.
INVOICES_VAT_TREATMENT = "VAT treatment"
# ... and whether it is final (its month closed) or a draft (open; with errors on Checks, so).
INVOICES_STATUS = "Status"

COMPARISON = Table(
    "Comparison",
    "Comparison",
    (
        _col(COL_CUSTOMER_ID, Kind.ID, 13),
        _col(COL_CUSTOMER, Kind.TEXT, 28),
        _col(COL_PRODUCT_ID, Kind.ID, 12),
        _col(COL_MONTHS, Kind.WHOLE, 8),
        _col(COL_AVERAGE_UNITS, Kind.MONEY, 13, number_format="#,##0.0"),
        _col(COL_PEAK_UNITS, Kind.WHOLE, 11),
        _col(COL_MSP_COST, Kind.MONEY, 12),
        *(_col(annual_header(t), Kind.MONEY, 12) for t in vocabulary.TERMS),
        _col(COL_BEST_OPTION, Kind.TEXT, 12),
        _col(COL_SAVING, Kind.MONEY, 12),
        _col(COL_SAVING_PER_YEAR, Kind.MONEY, 14),
    ),
    generated=True,
    purpose="MSP monthly vs annual subscription per customer and product.",
)

# Beside the Comparison table (one blank column between): a block of the rows its chart plots,
# the largest savings (at most core.top_savings.TOP_SAVINGS rows, largest first): a label, then
# MSP cost against the cheapest annual term, and the saving.
COMPARISON_SIDE_HEADERS = ("Top savings", "MSP cost", "Best annual", "Saving")
COMPARISON_MONEY_SIDE = ("MSP cost", "Best annual", "Saving")
# The two its chart sets against each other.
COMPARISON_CHART_SIDE = ("MSP cost", "Best annual")

CHECKS = Table(
    "Checks",
    "Checks",
    (
        _col(COL_SEVERITY, Kind.CHOICE, 10, choices=SEVERITIES),
        _col(COL_SHEET, Kind.TEXT, 14),
        _col(COL_CELL, Kind.TEXT, 8),
        _col(COL_MESSAGE, Kind.TEXT, 100),
    ),
    generated=True,
    purpose="Problems found in your input, with the cell to fix. Rewritten by every recalculation.",
)
# Beside the Checks table: the customer a finding concerns ("C-0021 Name"), where there is one.
CHECKS_CUSTOMER = "Customer"
# Beside the Billing table, a block of one row: whether the month's bill is final (as Invoices'
# Status says), its numbers of lines and invoices and its totals (the invoices' VAT and gross).
BILLING_TOTALS = (
    "Bill",
    "Lines",
    "Invoices",
    "Total net",
    "Total VAT",
    "Total gross",
    "Total cost",
    "Total margin",
)
# Of those, the counts (whole numbers); the others but Bill are money.
BILLING_COUNTS = ("Lines", "Invoices")

# Sheets a recalculation rewrites (Ledger is append-only and written only by closing a month).
RECALC_TABLES: tuple[Table, ...] = (BILLING, INVOICES, COMPARISON, CHECKS)
