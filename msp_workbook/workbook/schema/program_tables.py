"""The tables one command each writes, never a recalculation: the Ledger (closing a month,
append-only), Reconciliation (reconcile), Debitors (export-datev) and Collections (export-sepa),
and the block beside Reconciliation."""

from __future__ import annotations

from ...core import vocabulary
from .choices import RECONCILIATION_STATUSES, YES_NO
from .columns import (
    COL_AMOUNT,
    COL_BILLED_QUANTITY,
    COL_COLLECTION_DATE,
    COL_CUSTOMER,
    COL_CUSTOMER_ID,
    COL_DEBITOR,
    COL_DIFFERENCE,
    COL_EXPECTED_COST,
    COL_FINALIZED,
    COL_INVOICE,
    COL_LICENSE_KEY,
    COL_MANDATE_ID,
    COL_METRIC,
    COL_MONTH,
    COL_NOTE,
    COL_PRODUCT_ID,
    COL_REVERSE_CHARGE,
    COL_SEQUENCE,
    COL_STATUS,
    COL_USAGE_QUANTITY,
    COL_VAT_RATE,
    COL_VENDOR_AMOUNT,
    COL_VENDOR_QUANTITY,
)
from .recalc_tables import BILLING
from .table_model import Kind, Table, _col

LEDGER = Table(
    vocabulary.LEDGER_SHEET,
    vocabulary.LEDGER_SHEET,
    (
        _col(COL_INVOICE, Kind.TEXT, 16),
        # The Billing table's columns: a closed month's lines as they were billed.
        *BILLING.columns,
        _col(COL_VAT_RATE, Kind.PERCENT, 9),
        _col(COL_REVERSE_CHARGE, Kind.CHOICE, 14, choices=YES_NO),
        _col(COL_FINALIZED, Kind.TIMESTAMP, 19),
    ),
    generated=True,
    purpose="Closed months, append-only. Never rewritten.",
    # The VAT rate and reverse charge of each line's invoice at closing: a Ledger closed before
    # they were recorded lacks them (its invoices then use today's, with an info on Checks).
    added_later=(COL_VAT_RATE, COL_REVERSE_CHARGE),
)

RECONCILIATION = Table(
    "Reconciliation",
    "Reconciliation",
    (
        _col(COL_MONTH, Kind.MONTH, 9),
        _col(COL_LICENSE_KEY, Kind.TEXT, 27),
        _col(COL_CUSTOMER_ID, Kind.TEXT, 13),
        _col(COL_CUSTOMER, Kind.TEXT, 28),
        _col(COL_PRODUCT_ID, Kind.TEXT, 12),
        _col(COL_METRIC, Kind.TEXT, 12),
        _col(COL_VENDOR_QUANTITY, Kind.WHOLE, 10),
        _col(COL_USAGE_QUANTITY, Kind.WHOLE, 10),
        _col(COL_BILLED_QUANTITY, Kind.WHOLE, 10),
        _col(COL_VENDOR_AMOUNT, Kind.MONEY, 12),
        _col(COL_EXPECTED_COST, Kind.MONEY, 12),
        _col(COL_DIFFERENCE, Kind.MONEY, 12),
        _col(COL_STATUS, Kind.CHOICE, 16, choices=RECONCILIATION_STATUSES),
        _col(COL_NOTE, Kind.TEXT, 50),
    ),
    generated=True,
    purpose="The distributor's statement against what was billed. Written by reconcile only.",
)
# Beside the Reconciliation table (one blank column between): the month per product, which its
# chart plots, and the summary of the run.
RECONCILIATION_SIDE_HEADERS = (
    "Product",
    "Vendor charged",
    "Billed revenue",
    "Billed cost",
    "Summary",
    "Rows",
    "Amount",
)
RECONCILIATION_MONEY_SIDE = ("Vendor charged", "Billed revenue", "Billed cost", "Amount")
# Its columns of labels (the products, the summary's rows): wide.
RECONCILIATION_LABEL_SIDE = ("Product", "Summary")

DEBITORS = Table(
    "Debitors",
    "Debitors",
    (
        _col(COL_CUSTOMER_ID, Kind.TEXT, 14),
        _col(COL_DEBITOR, Kind.WHOLE, 10, number_format="0"),
        _col(COL_MONTH, Kind.MONTH, 9),
    ),
    generated=True,
    purpose="DATEV debitor numbers the export gave to customers without one, with the month of "
    "that export: a customer keeps its number. Append-only, written by export-datev.",
)

COLLECTIONS = Table(
    "Collections",
    "Collections",
    (
        _col(COL_MONTH, Kind.MONTH, 9),
        _col(COL_INVOICE, Kind.TEXT, 16),
        _col(COL_CUSTOMER_ID, Kind.TEXT, 13),
        _col(COL_MANDATE_ID, Kind.TEXT, 16),
        _col(COL_SEQUENCE, Kind.TEXT, 9),
        _col(COL_AMOUNT, Kind.MONEY, 12),
        _col(COL_COLLECTION_DATE, Kind.DATE, 12),
    ),
    generated=True,
    purpose="SEPA direct debits written by export-sepa, one row per invoice: a mandate collected "
    "before is collected as RCUR, a new one as FRST. Append-only.",
)
