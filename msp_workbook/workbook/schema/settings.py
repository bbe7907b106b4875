"""The workbook contract: every sheet, Excel table, column, cell type and format, declared once.

The reader, the writer and the template builder all take names from here; nothing else in the
project spells a sheet, table or column name. Names follow the product spec exactly: users, macros,
formulas and outside scripts depend on them.

The convention: every column header is one module constant, `COL_<HEADER>` (`COL_LICENSE_KEY =
"License key"`, `COL_DISCOUNT = "Discount %"`), one per header text however many tables have the
column. The tables are built from them, and code elsewhere names a column by them:
`row.values[schema.COL_LICENSE_KEY]`. A setting's name is `SETTING_<NAME>` the same way. A row
written by position is made with `Table.row`, from its values keyed by header. The vocabularies
(statuses, line types, aggregations, terms, defaults of Settings) are the core's
(`core.vocabulary`); this module takes them from there. tests/test_contract_spelled_once.py holds
it so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import TypeVar

from ...core import vocabulary
from ...core.months import Month


class Kind(Enum):
    """What a column holds; decides parsing (reader), number format and validation (template)."""

    TEXT = "text"  # free text, may be empty
    ID = "id"  # required text identifier
    CHOICE = "choice"  # one of Column.choices
    WHOLE = "whole"  # whole number >= 0
    MONEY = "money"  # decimal amount >= 0, shown with 2+ decimals
    PERCENT = "percent"  # fraction 0 <= d < 1, shown as a percentage
    DATE = "date"  # a day
    MONTH = "month"  # YYYY-MM text
    TIMESTAMP = "timestamp"  # date and time
    ANY = "any"  # Settings values: parsed per setting


# Number formats (Excel format codes), chosen to follow the user's locale: the separators of
# "#,##0.00" and "0.0%" are the reader's own (German Excel shows 1.234,50 and 19,0 %).
# Money is currency-neutral: the currency is a setting (Settings > Currency, EUR or CHF ...), so
# no symbol is fixed into the format; the sheets where prices are typed show it in a note beside
# the table, taken live from the setting.
FMT_MONEY = "#,##0.00"
FMT_UNIT_PRICE = "#,##0.00##"
FMT_PERCENT = "0.0%"
FMT_WHOLE = "#,##0"
# Excel's built-in short date (numFmtId 14): 06.12.2026 in German Excel, 12/6/2026 in US Excel.
# A number, not a format code: XlsxWriter writes it as the built-in id (a code string would be a
# fixed custom format). xlwings takes format strings only: the Excel face sets no date format.
FMT_DATE = 14
# Timestamps stay ISO with seconds: written by the program (Ledger's Finalized), never typed, an
# audit stamp that sorts and reads the same everywhere (built-in 22 would drop the seconds).
FMT_TIMESTAMP = "yyyy-mm-dd hh:mm:ss"
FMT_TEXT = "@"

# Table styles: the template uses them, and the writer for a generated table it has to create.
INPUT_TABLE_STYLE = "Table Style Medium 2"
GENERATED_TABLE_STYLE = "Table Style Medium 1"

# --- Column names ---------------------------------------------------------------------------------
# Every column header of every table, one constant per header text: a header several tables share
# ("License key" on Keys, Usage, Billing, Ledger, Reconciliation) is one word of the contract and
# one constant. The tables below are built from these; code elsewhere keys rows and cells by them
# (`row[schema.COL_LICENSE_KEY]`), never by a string of its own (tests/test_contract_spelled_once).
# The Comparison's "Annual 1y" ... "Annual 5y" are made from the terms (`annual_header`).
# Grouped by the table that has them first.

# Settings
COL_SETTING = "Setting"
COL_VALUE = "Value"

# Products
COL_PRODUCT_ID = "Product ID"
COL_PRODUCT = "Product"
COL_METRIC = "Metric"
COL_AGGREGATION = "Aggregation"
COL_COST_PER_UNIT = "Cost per unit"
COL_PRICE_PER_UNIT = "Price per unit"
COL_MINIMUM_UNITS = "Minimum units"

# AnnualPrices
COL_TERM_YEARS = "Term (years)"
COL_MIN_UNITS = "Min units"
COL_MAX_UNITS = "Max units"
COL_PRICE_PER_UNIT_PER_YEAR = "Price per unit per year"

# Customers
COL_CUSTOMER_ID = "Customer ID"
COL_CUSTOMER = "Customer"
COL_EMAIL = "Email"
COL_COUNTRY = "Country"
COL_VAT_ID = "VAT ID"
COL_DISCOUNT = "Discount %"
COL_STREET = "Street"
COL_POSTCODE = "Postcode"
COL_CITY = "City"
COL_BUYER_REFERENCE = "Buyer reference"
COL_LANGUAGE = "Language"
COL_DEBITOR = "Debitor"
COL_PAYMENT = "Payment"
COL_DEBTOR_IBAN = "Debtor IBAN"
COL_DEBTOR_BIC = "Debtor BIC"
COL_MANDATE_ID = "Mandate ID"
COL_MANDATE_DATE = "Mandate date"

# Keys
COL_LICENSE_KEY = "License key"
COL_START = "Start"
COL_END = "End"
COL_STATUS = "Status"
COL_NOTE = "Note"

# Usage
COL_DATE = "Date"
COL_QUANTITY = "Quantity"
COL_SOURCE = "Source"

# ImportProfiles
COL_PROFILE = "Profile"
COL_FIELD = "Field"
COL_COLUMN = "Column"

# Billing (and the Ledger)
COL_MONTH = "Month"
COL_UNIT_PRICE = "Unit price"
COL_NET = "Net"
COL_UNIT_COST = "Unit cost"
COL_COST = "Cost"
COL_MARGIN = "Margin"
COL_TYPE = "Type"
COL_CORRECTS = "Corrects"

# Invoices
COL_INVOICE = "Invoice"
COL_VAT_RATE = "VAT rate"
COL_VAT = "VAT"
COL_GROSS = "Gross"
COL_REVERSE_CHARGE = "Reverse charge"
COL_LINES = "Lines"

# Comparison
COL_MONTHS = "Months"
COL_AVERAGE_UNITS = "Average units"
COL_PEAK_UNITS = "Peak units"
COL_MSP_COST = "MSP cost"
COL_BEST_OPTION = "Best option"
COL_SAVING = "Saving"
COL_SAVING_PER_YEAR = "Saving per year"

# Checks
COL_SEVERITY = "Severity"
COL_SHEET = "Sheet"
COL_CELL = "Cell"
COL_MESSAGE = "Message"

# Ledger
COL_FINALIZED = "Finalized"

# Reconciliation
COL_VENDOR_QUANTITY = "Vendor quantity"
COL_USAGE_QUANTITY = "Usage quantity"
COL_BILLED_QUANTITY = "Billed quantity"
COL_VENDOR_AMOUNT = "Vendor amount"
COL_EXPECTED_COST = "Expected cost"
COL_DIFFERENCE = "Difference"

# Collections
COL_SEQUENCE = "Sequence"
COL_AMOUNT = "Amount"
COL_COLLECTION_DATE = "Collection date"


def annual_header(term: int) -> str:
    """The Comparison's column of the annual cost for a term of `term` years."""
    return f"Annual {term}y"


AGGREGATIONS = vocabulary.AGGREGATIONS
STATUSES = vocabulary.STATUSES
LINE_TYPES = vocabulary.LINE_TYPES
SEVERITIES = vocabulary.SEVERITIES
MISSING_USAGE = vocabulary.MISSING_USAGE
LANGUAGES = vocabulary.LANGUAGES
CHARTS_OF_ACCOUNTS = vocabulary.CHARTS_OF_ACCOUNTS
PAYMENT_METHODS = vocabulary.PAYMENT_METHODS
YES_NO = ("yes", "no")
METRICS = vocabulary.METRICS
# The Country drop-downs (Settings, Customers): DACH first, the other EU members, then common
# others. A suggestion list: the program takes any two-letter ISO 3166 code (validation).
COUNTRY_CODES: tuple[str, ...] = (
    "DE",
    "AT",
    "CH",
    *sorted(vocabulary.EU_COUNTRIES - {"DE", "AT"}),
    *("LI", "NO", "IS", "GB", "US", "CA", "AU", "TR", "RS", "UA", "IL", "AE", "JP", "CN", "IN"),
)
# What a column of a report holds, for an import profile (Amount: a vendor statement's money).
IMPORT_FIELDS = (COL_DATE, COL_LICENSE_KEY, COL_METRIC, COL_QUANTITY, COL_AMOUNT)


_V = TypeVar("_V")


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind
    width: float = 14
    number_format: str | int | None = None  # a format code, or the id of a built-in format
    choices: tuple[str, ...] = ()
    # Drop-down fed by another table's column: (table name, column header).
    lookup: tuple[str, str] | None = None
    required: bool = False
    comment: str = ""
    # A value with a form Excel can check roughly as it is typed: "email", "iban", "bic",
    # "vat_id", "postcode", "creditor_id", "debitor", "date" (the program checks it fully,
    # check sums too).
    form: str = ""
    # `choices` are suggestions: the drop-down lists them and only warns on another value (the
    # program accepts others: any ISO country code, any metric of the Products sheet).
    suggest: bool = False


@dataclass(frozen=True)
class Table:
    sheet: str
    name: str
    columns: tuple[Column, ...]
    generated: bool
    purpose: str
    # Columns a table written by an earlier release may lack (read as empty cells).
    added_later: tuple[str, ...] = ()

    @cached_property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @cached_property
    def _by_header(self) -> dict[str, Column]:
        return {c.header: c for c in self.columns}

    def column(self, header: str) -> Column:
        return self._by_header[header]

    def row(self, values: Mapping[str, _V]) -> list[_V]:
        """A row of this table in its column order, from its values keyed by header. A header
        the table lacks, or one of its columns left out, is an error: no value can land under
        another column."""
        headers = self.headers
        if len(values) == len(headers):
            try:
                return [values[h] for h in headers]
            except KeyError:
                pass
        extra = sorted(set(values) - set(headers))
        missing = [h for h in headers if h not in values]
        raise KeyError(f"{self.name} row: not columns {extra}, columns left out {missing}")


def _col(header: str, kind: Kind, width: float = 14, **kw: object) -> Column:
    fmt = kw.pop("number_format", None) or {
        Kind.MONEY: FMT_MONEY,
        Kind.PERCENT: FMT_PERCENT,
        Kind.WHOLE: FMT_WHOLE,
        Kind.DATE: FMT_DATE,
        Kind.TIMESTAMP: FMT_TIMESTAMP,
        Kind.MONTH: FMT_TEXT,
    }.get(kind)
    return Column(header, kind, width, fmt, **kw)  # type: ignore[arg-type]


# --- Settings -------------------------------------------------------------------------------------

SETTING_RESELLER = "Reseller"
SETTING_COUNTRY = "Country"
SETTING_CURRENCY = "Currency"
SETTING_VAT_RATE = "VAT rate"
SETTING_BILLING_MONTH = "Billing month"
# The months that can be billed: a twelve-month window before them and a year after them stay
# within the calendar (a billing month of 0001-05 ended the run with a traceback).
FIRST_MONTH, LAST_MONTH = Month(2000, 1), Month(9998, 12)
SETTING_MISSING_USAGE = "Missing usage"
SETTING_INVOICE_PREFIX = "Invoice prefix"
# Years of data (SPEC section 11): how far back billing an open month corrects closed months.
SETTING_CORRECTION_MONTHS = "Correction months"
# The seller on invoice documents (SPEC section 6).
SETTING_STREET = "Street"
SETTING_POSTCODE = "Postcode"
SETTING_CITY = "City"
SETTING_VAT_ID = "VAT ID"
SETTING_TAX_NUMBER = "Tax number"
SETTING_CONTACT = "Contact"
SETTING_PHONE = "Phone"
SETTING_EMAIL = "Email"
SETTING_IBAN = "IBAN"
SETTING_BIC = "BIC"
SETTING_PAYMENT_DAYS = "Payment days"
SETTING_LANGUAGE = "Language"
# The DATEV booking batch (SPEC section 9).
SETTING_DATEV_CONSULTANT = "DATEV consultant"
SETTING_DATEV_CLIENT = "DATEV client"
SETTING_CHART = "Chart of accounts"
SETTING_FISCAL_YEAR_START = "Fiscal year start"
SETTING_REVENUE_ACCOUNT = "Revenue account"
SETTING_REVERSE_CHARGE_ACCOUNT = "Reverse charge account"
SETTING_NON_EU_ACCOUNT = "Non-EU account"
# The SEPA direct debit (SPEC section 9).
SETTING_CREDITOR_ID = "Creditor ID"
DATEV_ACCOUNT_SETTINGS = (
    SETTING_REVENUE_ACCOUNT,
    SETTING_REVERSE_CHARGE_ACCOUNT,
    SETTING_NON_EU_ACCOUNT,
)
# The seller's address: once one of them is set, recalc lists what documents would lack.
SELLER_ADDRESS_SETTINGS = (SETTING_STREET, SETTING_POSTCODE, SETTING_CITY)
# Settings that are whole numbers in a range: (lowest, highest, what). DATEV's own ranges:
# Beraternummer 1001-9999999, Mandantennummer 1-99999, four-digit accounts at account length 4.
SETTING_RANGES: dict[str, tuple[int, int, str]] = {
    SETTING_DATEV_CONSULTANT: (1001, 9999999, "a DATEV Beraternummer"),
    SETTING_DATEV_CLIENT: (1, 99999, "a DATEV Mandantennummer"),
    SETTING_FISCAL_YEAR_START: (1, 12, "a month"),
    SETTING_CORRECTION_MONTHS: (0, 120, "a number of months"),
    **{name: (1000, 9999, "a four-digit account") for name in DATEV_ACCOUNT_SETTINGS},
}
# Settings whose value has a form (see Column.form).
SETTING_FORMS = {
    SETTING_POSTCODE: "postcode",
    SETTING_VAT_ID: "vat_id",
    SETTING_EMAIL: "email",
    SETTING_IBAN: "iban",
    SETTING_CREDITOR_ID: "creditor_id",
    SETTING_BIC: "bic",
}


@dataclass(frozen=True)
class SettingSpec:
    name: str
    default: str | float | None
    help: str


SETTINGS_SPEC: tuple[SettingSpec, ...] = (
    SettingSpec(SETTING_RESELLER, None, "Your company name, shown on invoices."),
    SettingSpec(
        SETTING_COUNTRY,
        vocabulary.DEFAULT_COUNTRY,
        "Your country, ISO 3166 alpha-2 (DE, AT, CH, ...).",
    ),
    SettingSpec(
        SETTING_CURRENCY, vocabulary.DEFAULT_CURRENCY, "ISO 4217 currency code of all prices."
    ),
    SettingSpec(
        SETTING_VAT_RATE,
        float(vocabulary.DEFAULT_VAT_RATE),
        "MwSt.-Satz in Prozent, z. B. 19% tippen. / VAT rate as a percentage: type e.g. 19%.",
    ),
    SettingSpec(
        SETTING_BILLING_MONTH,
        None,
        "Month to bill, YYYY-MM or any date in it; empty = the month before today.",
    ),
    SettingSpec(
        SETTING_MISSING_USAGE,
        MISSING_USAGE[0],
        "No reading in the month: carry forward or zero.",
    ),
    SettingSpec(
        SETTING_INVOICE_PREFIX, vocabulary.DEFAULT_INVOICE_PREFIX, "Prefix of invoice numbers."
    ),
    SettingSpec(
        SETTING_CORRECTION_MONTHS,
        vocabulary.DEFAULT_CORRECTION_MONTHS,
        "Closed months this far back are corrected when usage or prices change; older ones "
        "are final (0 = no corrections).",
    ),
    SettingSpec(
        SETTING_STREET, None, "Your street and number, on invoices. Example: Hauptstraße 1"
    ),
    SettingSpec(SETTING_POSTCODE, None, "Your postcode. Example: 10115"),
    SettingSpec(SETTING_CITY, None, "Your city. Example: Berlin"),
    SettingSpec(SETTING_VAT_ID, None, "Your VAT ID (USt-IdNr.), on invoices. Example: DE136695976"),
    SettingSpec(
        SETTING_TAX_NUMBER,
        None,
        "Your tax number (Steuernummer); an invoice needs VAT ID or tax number, and a customer "
        "outside the EU the tax number. Example: 30/123/45678",
    ),
    SettingSpec(
        SETTING_CONTACT, None, "Who answers questions about invoices. Example: Anna Schmidt"
    ),
    SettingSpec(SETTING_PHONE, None, "Phone number for invoice questions. Example: +49 30 1234567"),
    SettingSpec(
        SETTING_EMAIL,
        None,
        "E-mail for invoice questions; also your electronic address on e-invoices. "
        "Example: rechnung@example.de",
    ),
    SettingSpec(
        SETTING_IBAN, None, "The account your customers pay to. Example: DE02120300000000202051"
    ),
    SettingSpec(SETTING_BIC, None, "BIC of that account (optional). Example: BYLADEM1001"),
    SettingSpec(
        SETTING_PAYMENT_DAYS,
        vocabulary.DEFAULT_PAYMENT_DAYS,
        "Days from the invoice date to the due date.",
    ),
    SettingSpec(SETTING_LANGUAGE, LANGUAGES[0], "Language of invoice documents: de or en."),
    SettingSpec(
        SETTING_CREDITOR_ID,
        None,
        "Your SEPA creditor ID (Gläubiger-ID), for direct debits. Example: DE98ZZZ09999999999",
    ),
    SettingSpec(
        SETTING_DATEV_CONSULTANT,
        None,
        "DATEV Beraternummer of your tax adviser, for the DATEV export. Example: 29098",
    ),
    SettingSpec(
        SETTING_DATEV_CLIENT, None, "Your DATEV Mandantennummer at that adviser. Example: 55003"
    ),
    SettingSpec(
        SETTING_CHART,
        CHARTS_OF_ACCOUNTS[0],
        "Chart of accounts of your bookkeeping: SKR03 or SKR04.",
    ),
    SettingSpec(
        SETTING_FISCAL_YEAR_START,
        vocabulary.DEFAULT_FISCAL_YEAR_START,
        "Month your fiscal year starts in, 1-12 (1 = January).",
    ),
    SettingSpec(
        SETTING_REVENUE_ACCOUNT,
        None,
        "Revenue account of domestic invoices (19 % VAT); empty = 8400 (SKR03) or 4400 (SKR04).",
    ),
    SettingSpec(
        SETTING_REVERSE_CHARGE_ACCOUNT,
        None,
        "Revenue account of EU reverse-charge invoices; empty = 8336 (SKR03) or 4336 (SKR04).",
    ),
    SettingSpec(
        SETTING_NON_EU_ACCOUNT,
        None,
        "Revenue account of invoices outside the EU; empty = 8338 (SKR03) or 4338 (SKR04).",
    ),
)


# --- Input tables ---------------------------------------------------------------------------------

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

# --- Generated tables -----------------------------------------------------------------------------

_BILLING_COLUMNS: tuple[Column, ...] = (
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
)

BILLING = Table(
    "Billing",
    "Billing",
    _BILLING_COLUMNS,
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

LEDGER = Table(
    vocabulary.LEDGER_SHEET,
    vocabulary.LEDGER_SHEET,
    (
        _col(COL_INVOICE, Kind.TEXT, 16),
        *_BILLING_COLUMNS,
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

# The statuses of a reconciliation row, in the order its rows are sorted (SPEC section 8).
RECONCILIATION_STATUSES = vocabulary.RECONCILIATION_STATUSES

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
# Tables whose side columns are a block of their own, not one row of values per table row.
SIDE_BLOCK_TABLES = (COMPARISON.name, RECONCILIATION.name, BILLING.name)

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

# Sheets a recalculation rewrites (Ledger is append-only and written only by closing a month).
RECALC_TABLES: tuple[Table, ...] = (BILLING, INVOICES, COMPARISON, CHECKS)
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
