"""The input tables: what the reseller types (Settings, Products, AnnualPrices, Customers, Keys,
Usage) and the import profiles a workbook may lack."""

from __future__ import annotations

from ...core import vocabulary
from .choices import (
    AGGREGATIONS,
    COUNTRY_CODES,
    IMPORT_FIELDS,
    LANGUAGES,
    METRICS,
    PAYMENT_METHODS,
    STATUSES,
)
from .columns import (
    COL_AGGREGATION,
    COL_BUYER_REFERENCE,
    COL_CITY,
    COL_COLUMN,
    COL_COST_PER_UNIT,
    COL_COUNTRY,
    COL_CUSTOMER,
    COL_CUSTOMER_ID,
    COL_DATE,
    COL_DEBITOR,
    COL_DEBTOR_BIC,
    COL_DEBTOR_IBAN,
    COL_DISCOUNT,
    COL_EMAIL,
    COL_END,
    COL_FIELD,
    COL_LANGUAGE,
    COL_LICENSE_KEY,
    COL_MANDATE_DATE,
    COL_MANDATE_ID,
    COL_MAX_UNITS,
    COL_METRIC,
    COL_MIN_UNITS,
    COL_MINIMUM_UNITS,
    COL_NOTE,
    COL_PAYMENT,
    COL_POSTCODE,
    COL_PRICE_PER_UNIT,
    COL_PRICE_PER_UNIT_PER_YEAR,
    COL_PRODUCT,
    COL_PRODUCT_ID,
    COL_PROFILE,
    COL_QUANTITY,
    COL_SETTING,
    COL_SOURCE,
    COL_START,
    COL_STATUS,
    COL_STREET,
    COL_TERM_YEARS,
    COL_VALUE,
    COL_VAT_ID,
)
from .formats import FMT_DATE, FMT_TEXT, FMT_UNIT_PRICE
from .table_model import Kind, Table, _col

SETTINGS = Table(
    vocabulary.SETTINGS_SHEET,
    vocabulary.SETTINGS_SHEET,
    (
        _col(COL_SETTING, Kind.ID, 22, required=True),
        _col(COL_VALUE, Kind.ANY, 28),
    ),
    generated=False,
    purpose="Your company, currency, VAT and billing options.",
)

PRODUCTS = Table(
    "Products",
    "Products",
    (
        _col(COL_PRODUCT_ID, Kind.ID, 14, required=True),
        _col(COL_PRODUCT, Kind.TEXT, 30),
        _col(COL_METRIC, Kind.ID, 14, required=True, choices=METRICS, suggest=True),
        _col(COL_AGGREGATION, Kind.CHOICE, 14, choices=AGGREGATIONS, required=True),
        _col(COL_COST_PER_UNIT, Kind.MONEY, 14, number_format=FMT_UNIT_PRICE, required=True),
        _col(COL_PRICE_PER_UNIT, Kind.MONEY, 14, number_format=FMT_UNIT_PRICE, required=True),
        _col(COL_MINIMUM_UNITS, Kind.WHOLE, 14),
    ),
    generated=False,
    purpose="One row per billable metric of a product: what GFI charges you and what you charge.",
)

ANNUAL_PRICES = Table(
    "AnnualPrices",
    "AnnualPrices",
    (
        _col(COL_PRODUCT_ID, Kind.ID, 14, lookup=("Products", COL_PRODUCT_ID), required=True),
        _col(COL_METRIC, Kind.ID, 14, lookup=("Products", COL_METRIC), required=True),
        _col(COL_TERM_YEARS, Kind.WHOLE, 13, required=True),
        _col(COL_MIN_UNITS, Kind.WHOLE, 12, required=True),
        _col(COL_MAX_UNITS, Kind.WHOLE, 12),
        _col(
            COL_PRICE_PER_UNIT_PER_YEAR, Kind.MONEY, 22, number_format=FMT_UNIT_PRICE, required=True
        ),
    ),
    generated=False,
    purpose="Annual subscription prices as volume tiers, for the MSP vs annual comparison.",
)

CUSTOMERS = Table(
    vocabulary.CUSTOMERS_SHEET,
    vocabulary.CUSTOMERS_SHEET,
    (
        _col(COL_CUSTOMER_ID, Kind.ID, 14, required=True),
        _col(COL_CUSTOMER, Kind.TEXT, 32, required=True),
        _col(COL_EMAIL, Kind.TEXT, 28, form="email"),
        _col(COL_COUNTRY, Kind.TEXT, 10, choices=COUNTRY_CODES, suggest=True),
        _col(COL_VAT_ID, Kind.TEXT, 18, form="vat_id"),
        _col(COL_DISCOUNT, Kind.PERCENT, 12),
        _col(COL_STREET, Kind.TEXT, 26),
        # Text: a German postcode such as 01067 keeps its leading zero.
        _col(COL_POSTCODE, Kind.TEXT, 10, number_format=FMT_TEXT, form="postcode"),
        _col(COL_CITY, Kind.TEXT, 18),
        _col(
            COL_BUYER_REFERENCE,
            Kind.TEXT,
            18,
            comment="The customer's order reference or, for public bodies, the Leitweg-ID; "
            "empty = the Customer ID.",
        ),
        _col(COL_LANGUAGE, Kind.CHOICE, 10, choices=LANGUAGES),
        # Text, checked by the DATEV export: a wrong number must not stop the customer's billing.
        _col(
            COL_DEBITOR,
            Kind.TEXT,
            10,
            form="debitor",
            comment="DATEV debitor account, 10000-69999; empty = the DATEV export gives one "
            "and keeps it (sheet Debitors).",
        ),
        # How the customer pays; its direct-debit mandate. Text, checked by the SEPA export and
        # the documents: a wrong value must not stop the customer's billing.
        _col(
            COL_PAYMENT,
            Kind.TEXT,
            13,
            choices=PAYMENT_METHODS,
            comment="transfer or direct debit (a SEPA mandate below); empty = transfer.",
        ),
        _col(COL_DEBTOR_IBAN, Kind.TEXT, 26, form="iban"),
        _col(COL_DEBTOR_BIC, Kind.TEXT, 13, form="bic"),
        _col(COL_MANDATE_ID, Kind.TEXT, 16),
        _col(COL_MANDATE_DATE, Kind.TEXT, 12, number_format=FMT_DATE, form="date"),
    ),
    generated=False,
    purpose="Your customers.",
    # Columns for invoice documents and exports: a workbook made before them works without them.
    added_later=(
        COL_STREET,
        COL_POSTCODE,
        COL_CITY,
        COL_BUYER_REFERENCE,
        COL_LANGUAGE,
        COL_DEBITOR,
        COL_PAYMENT,
        COL_DEBTOR_IBAN,
        COL_DEBTOR_BIC,
        COL_MANDATE_ID,
        COL_MANDATE_DATE,
    ),
)

KEYS = Table(
    "Keys",
    "Keys",
    (
        _col(COL_LICENSE_KEY, Kind.ID, 28, required=True),
        _col(COL_CUSTOMER_ID, Kind.ID, 14, lookup=("Customers", COL_CUSTOMER_ID), required=True),
        _col(COL_PRODUCT_ID, Kind.ID, 14, lookup=("Products", COL_PRODUCT_ID), required=True),
        _col(COL_START, Kind.DATE, 12, required=True),
        _col(COL_END, Kind.DATE, 12),
        _col(COL_STATUS, Kind.CHOICE, 12, choices=STATUSES, required=True),
        _col(COL_NOTE, Kind.TEXT, 30),
    ),
    generated=False,
    purpose="License keys you created for your customers.",
)

USAGE = Table(
    vocabulary.USAGE_SHEET,
    vocabulary.USAGE_SHEET,
    (
        _col(COL_DATE, Kind.DATE, 12, required=True),
        _col(COL_LICENSE_KEY, Kind.ID, 28, lookup=("Keys", COL_LICENSE_KEY), required=True),
        _col(COL_METRIC, Kind.ID, 14, lookup=("Products", COL_METRIC), required=True),
        _col(COL_QUANTITY, Kind.WHOLE, 12, required=True),
        _col(COL_SOURCE, Kind.TEXT, 20),
    ),
    generated=False,
    purpose="Usage readings: one row per reading; any day of the month it belongs to.",
)

INPUT_TABLES: tuple[Table, ...] = (SETTINGS, PRODUCTS, ANNUAL_PRICES, CUSTOMERS, KEYS, USAGE)

IMPORT_PROFILES = Table(
    "Imports",
    "ImportProfiles",
    (
        _col(COL_PROFILE, Kind.ID, 16, required=True),
        _col(COL_FIELD, Kind.CHOICE, 12, choices=IMPORT_FIELDS, required=True),
        _col(COL_COLUMN, Kind.ID, 28, required=True),
        _col(COL_METRIC, Kind.TEXT, 14),
    ),
    generated=False,
    purpose="Where the readings are in the reports you import: one row per column of a report.",
)

# Input tables a workbook may lack (older workbooks): read when present.
OPTIONAL_INPUT_TABLES: tuple[Table, ...] = (IMPORT_PROFILES,)
