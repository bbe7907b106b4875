"""The sheets: every table, the order of the template's sheets, the Start and Quote sheets and
the Quote sheet's defined names, and a table by its name."""

from __future__ import annotations

from .input_tables import (
    ANNUAL_PRICES,
    CUSTOMERS,
    IMPORT_PROFILES,
    INPUT_TABLES,
    KEYS,
    OPTIONAL_INPUT_TABLES,
    PRODUCTS,
    SETTINGS,
    USAGE,
)
from .program_tables import COLLECTIONS, DEBITORS, LEDGER, RECONCILIATION
from .recalc_tables import BILLING, CHECKS, COMPARISON, INVOICES
from .table_model import Table

# Tables whose side columns are a block of their own, not one row of values per table row.
SIDE_BLOCK_TABLES = (COMPARISON.name, RECONCILIATION.name, BILLING.name)

GENERATED_TABLES: tuple[Table, ...] = (
    BILLING,
    INVOICES,
    COMPARISON,
    CHECKS,
    LEDGER,
    RECONCILIATION,
    DEBITORS,
    COLLECTIONS,
)
ALL_TABLES: tuple[Table, ...] = INPUT_TABLES + OPTIONAL_INPUT_TABLES + GENERATED_TABLES

START_SHEET = "Start"
QUOTE_SHEET = "Quote"

# Named cells of the Quote sheet: inputs, then live results (native formulas).
QUOTE_PRODUCT = "QuoteProduct"
QUOTE_TERM = "QuoteTerm"
QUOTE_UNITS_NOW = "QuoteUnitsNow"
QUOTE_UNITS_12M = "QuoteUnits12m"
QUOTE_MSP_TOTAL = "QuoteMSPTotal"
QUOTE_ANNUAL_TOTAL = "QuoteAnnualTotal"
QUOTE_DIFFERENCE = "QuoteDifference"
QUOTE_CHEAPER = "QuoteCheaper"
QUOTE_INPUTS = (QUOTE_PRODUCT, QUOTE_TERM, QUOTE_UNITS_NOW, QUOTE_UNITS_12M)
QUOTE_RESULTS = (QUOTE_MSP_TOTAL, QUOTE_ANNUAL_TOTAL, QUOTE_DIFFERENCE, QUOTE_CHEAPER)
QUOTE_MAX_MONTHS = 60
QUOTE_MONTH_HEADERS = (
    "Month",
    "Units",
    "Licensed (annual)",
    "MSP cost",
    "Cumulative MSP",
    "Cumulative annual",
)

# Order of sheets in the template.
SHEET_ORDER: tuple[str, ...] = (
    START_SHEET,
    QUOTE_SHEET,
    SETTINGS.sheet,
    PRODUCTS.sheet,
    ANNUAL_PRICES.sheet,
    CUSTOMERS.sheet,
    KEYS.sheet,
    USAGE.sheet,
    IMPORT_PROFILES.sheet,
    BILLING.sheet,
    INVOICES.sheet,
    COMPARISON.sheet,
    CHECKS.sheet,
    LEDGER.sheet,
    RECONCILIATION.sheet,
    DEBITORS.sheet,
    COLLECTIONS.sheet,
)


def table_by_name(name: str) -> Table:
    for t in ALL_TABLES:
        if t.name == name:
            return t
    raise KeyError(name)
