"""The workbook contract: every sheet, Excel table, column, cell type and format, declared once.

The reader, the writer and the template builder all take names from here; nothing else in the
project spells a sheet, table or column name. Names follow the product spec exactly: users, macros,
formulas and outside scripts depend on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property

from ..core import vocabulary
from ..core.months import Month


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

AGGREGATIONS = ("max", "avg", "last", "sum")
STATUSES = vocabulary.STATUSES
LINE_TYPES = vocabulary.LINE_TYPES
SEVERITIES = ("error", "warning", "info")
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
IMPORT_FIELDS = ("Date", "License key", "Metric", "Quantity", "Amount")


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

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @cached_property
    def _by_header(self) -> dict[str, Column]:
        return {c.header: c for c in self.columns}

    def column(self, header: str) -> Column:
        return self._by_header[header]


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
    SettingSpec(SETTING_COUNTRY, "DE", "Your country, ISO 3166 alpha-2 (DE, AT, CH, ...)."),
    SettingSpec(SETTING_CURRENCY, "EUR", "ISO 4217 currency code of all prices."),
    SettingSpec(
        SETTING_VAT_RATE,
        0.19,
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
    SettingSpec(SETTING_INVOICE_PREFIX, "INV-", "Prefix of invoice numbers."),
    SettingSpec(
        SETTING_CORRECTION_MONTHS,
        12,
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
    SettingSpec(SETTING_PAYMENT_DAYS, 14, "Days from the invoice date to the due date."),
    SettingSpec(SETTING_LANGUAGE, "de", "Language of invoice documents: de or en."),
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
    SettingSpec(SETTING_CHART, "SKR03", "Chart of accounts of your bookkeeping: SKR03 or SKR04."),
    SettingSpec(
        SETTING_FISCAL_YEAR_START, 1, "Month your fiscal year starts in, 1-12 (1 = January)."
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
    "Settings",
    "Settings",
    (
        _col("Setting", Kind.ID, 22, required=True),
        _col("Value", Kind.ANY, 28),
    ),
    generated=False,
    purpose="Your company, currency, VAT and billing options.",
)

PRODUCTS = Table(
    "Products",
    "Products",
    (
        _col("Product ID", Kind.ID, 14, required=True),
        _col("Product", Kind.TEXT, 30),
        _col("Metric", Kind.ID, 14, required=True, choices=METRICS, suggest=True),
        _col("Aggregation", Kind.CHOICE, 14, choices=AGGREGATIONS, required=True),
        _col("Cost per unit", Kind.MONEY, 14, number_format=FMT_UNIT_PRICE, required=True),
        _col("Price per unit", Kind.MONEY, 14, number_format=FMT_UNIT_PRICE, required=True),
        _col("Minimum units", Kind.WHOLE, 14),
    ),
    generated=False,
    purpose="One row per billable metric of a product: what GFI charges you and what you charge.",
)

ANNUAL_PRICES = Table(
    "AnnualPrices",
    "AnnualPrices",
    (
        _col("Product ID", Kind.ID, 14, lookup=("Products", "Product ID"), required=True),
        _col("Metric", Kind.ID, 14, lookup=("Products", "Metric"), required=True),
        _col("Term (years)", Kind.WHOLE, 13, required=True),
        _col("Min units", Kind.WHOLE, 12, required=True),
        _col("Max units", Kind.WHOLE, 12),
        _col(
            "Price per unit per year", Kind.MONEY, 22, number_format=FMT_UNIT_PRICE, required=True
        ),
    ),
    generated=False,
    purpose="Annual subscription prices as volume tiers, for the MSP vs annual comparison.",
)

CUSTOMERS = Table(
    "Customers",
    "Customers",
    (
        _col("Customer ID", Kind.ID, 14, required=True),
        _col("Customer", Kind.TEXT, 32, required=True),
        _col("Email", Kind.TEXT, 28, form="email"),
        _col("Country", Kind.TEXT, 10, choices=COUNTRY_CODES, suggest=True),
        _col("VAT ID", Kind.TEXT, 18, form="vat_id"),
        _col("Discount %", Kind.PERCENT, 12),
        _col("Street", Kind.TEXT, 26),
        # Text: a German postcode such as 01067 keeps its leading zero.
        _col("Postcode", Kind.TEXT, 10, number_format=FMT_TEXT, form="postcode"),
        _col("City", Kind.TEXT, 18),
        _col(
            "Buyer reference",
            Kind.TEXT,
            18,
            comment="The customer's order reference or, for public bodies, the Leitweg-ID; "
            "empty = the Customer ID.",
        ),
        _col("Language", Kind.CHOICE, 10, choices=LANGUAGES),
        # Text, checked by the DATEV export: a wrong number must not stop the customer's billing.
        _col(
            "Debitor",
            Kind.TEXT,
            10,
            form="debitor",
            comment="DATEV debitor account, 10000-69999; empty = the DATEV export gives one "
            "and keeps it (sheet Debitors).",
        ),
        # How the customer pays; its direct-debit mandate. Text, checked by the SEPA export and
        # the documents: a wrong value must not stop the customer's billing.
        _col(
            "Payment",
            Kind.TEXT,
            13,
            choices=PAYMENT_METHODS,
            comment="transfer or direct debit (a SEPA mandate below); empty = transfer.",
        ),
        _col("Debtor IBAN", Kind.TEXT, 26, form="iban"),
        _col("Debtor BIC", Kind.TEXT, 13, form="bic"),
        _col("Mandate ID", Kind.TEXT, 16),
        _col("Mandate date", Kind.TEXT, 12, number_format=FMT_DATE, form="date"),
    ),
    generated=False,
    purpose="Your customers.",
    # Columns for invoice documents and exports: a workbook made before them works without them.
    added_later=(
        "Street",
        "Postcode",
        "City",
        "Buyer reference",
        "Language",
        "Debitor",
        "Payment",
        "Debtor IBAN",
        "Debtor BIC",
        "Mandate ID",
        "Mandate date",
    ),
)

KEYS = Table(
    "Keys",
    "Keys",
    (
        _col("License key", Kind.ID, 28, required=True),
        _col("Customer ID", Kind.ID, 14, lookup=("Customers", "Customer ID"), required=True),
        _col("Product ID", Kind.ID, 14, lookup=("Products", "Product ID"), required=True),
        _col("Start", Kind.DATE, 12, required=True),
        _col("End", Kind.DATE, 12),
        _col("Status", Kind.CHOICE, 12, choices=STATUSES, required=True),
        _col("Note", Kind.TEXT, 30),
    ),
    generated=False,
    purpose="License keys you created for your customers.",
)

USAGE = Table(
    vocabulary.USAGE_SHEET,
    vocabulary.USAGE_SHEET,
    (
        _col("Date", Kind.DATE, 12, required=True),
        _col("License key", Kind.ID, 28, lookup=("Keys", "License key"), required=True),
        _col("Metric", Kind.ID, 14, lookup=("Products", "Metric"), required=True),
        _col("Quantity", Kind.WHOLE, 12, required=True),
        _col("Source", Kind.TEXT, 20),
    ),
    generated=False,
    purpose="Usage readings: one row per reading; any day of the month it belongs to.",
)

INPUT_TABLES: tuple[Table, ...] = (SETTINGS, PRODUCTS, ANNUAL_PRICES, CUSTOMERS, KEYS, USAGE)

IMPORT_PROFILES = Table(
    "Imports",
    "ImportProfiles",
    (
        _col("Profile", Kind.ID, 16, required=True),
        _col("Field", Kind.CHOICE, 12, choices=IMPORT_FIELDS, required=True),
        _col("Column", Kind.ID, 28, required=True),
        _col("Metric", Kind.TEXT, 14),
    ),
    generated=False,
    purpose="Where the readings are in the reports you import: one row per column of a report.",
)

# Input tables a workbook may lack (older workbooks): read when present.
OPTIONAL_INPUT_TABLES: tuple[Table, ...] = (IMPORT_PROFILES,)

# --- Generated tables -----------------------------------------------------------------------------

_BILLING_COLUMNS: tuple[Column, ...] = (
    _col("Month", Kind.MONTH, 9),
    _col("Customer ID", Kind.ID, 13),
    _col("Customer", Kind.TEXT, 28),
    _col("License key", Kind.ID, 27),
    _col("Product ID", Kind.ID, 12),
    _col("Product", Kind.TEXT, 26),
    _col("Metric", Kind.ID, 11),
    _col("Quantity", Kind.WHOLE, 10),
    _col("Unit price", Kind.MONEY, 11, number_format=FMT_UNIT_PRICE),
    _col("Discount %", Kind.PERCENT, 11),
    _col("Net", Kind.MONEY, 12),
    _col("Unit cost", Kind.MONEY, 11, number_format=FMT_UNIT_PRICE),
    _col("Cost", Kind.MONEY, 12),
    _col("Margin", Kind.MONEY, 12),
    _col("Type", Kind.CHOICE, 11, choices=LINE_TYPES),
    _col("Corrects", Kind.MONTH, 9),
    _col("Note", Kind.TEXT, 40),
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
        _col("Month", Kind.MONTH, 9),
        _col("Invoice", Kind.TEXT, 16),
        _col("Customer ID", Kind.ID, 13),
        _col("Customer", Kind.TEXT, 30),
        _col("Net", Kind.MONEY, 12),
        _col("VAT rate", Kind.PERCENT, 9),
        _col("VAT", Kind.MONEY, 11),
        _col("Gross", Kind.MONEY, 12),
        _col("Cost", Kind.MONEY, 12),
        _col("Margin", Kind.MONEY, 12),
        _col("Reverse charge", Kind.CHOICE, 14, choices=YES_NO),
        _col("Lines", Kind.WHOLE, 8),
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
        _col("Customer ID", Kind.ID, 13),
        _col("Customer", Kind.TEXT, 28),
        _col("Product ID", Kind.ID, 12),
        _col("Months", Kind.WHOLE, 8),
        _col("Average units", Kind.MONEY, 13, number_format="#,##0.0"),
        _col("Peak units", Kind.WHOLE, 11),
        _col("MSP cost", Kind.MONEY, 12),
        *(_col(f"Annual {t}y", Kind.MONEY, 12) for t in vocabulary.TERMS),
        _col("Best option", Kind.TEXT, 12),
        _col("Saving", Kind.MONEY, 12),
        _col("Saving per year", Kind.MONEY, 14),
    ),
    generated=True,
    purpose="MSP monthly vs annual subscription per customer and product.",
)

# Beside the Comparison table (one blank column between): a block of the rows its chart plots,
# the largest savings (at most core.top_savings.TOP_SAVINGS rows, largest first): a label, then
# MSP cost against the cheapest annual term, and the saving.
COMPARISON_SIDE_HEADERS = ("Top savings", "MSP cost", "Best annual", "Saving")
COMPARISON_MONEY_SIDE = ("MSP cost", "Best annual", "Saving")

CHECKS = Table(
    "Checks",
    "Checks",
    (
        _col("Severity", Kind.CHOICE, 10, choices=SEVERITIES),
        _col("Sheet", Kind.TEXT, 14),
        _col("Cell", Kind.TEXT, 8),
        _col("Message", Kind.TEXT, 100),
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

LEDGER = Table(
    "Ledger",
    "Ledger",
    (
        _col("Invoice", Kind.TEXT, 16),
        *_BILLING_COLUMNS,
        _col("VAT rate", Kind.PERCENT, 9),
        _col("Reverse charge", Kind.CHOICE, 14, choices=YES_NO),
        _col("Finalized", Kind.TIMESTAMP, 19),
    ),
    generated=True,
    purpose="Closed months, append-only. Never rewritten.",
    # The VAT rate and reverse charge of each line's invoice at closing: a Ledger closed before
    # they were recorded lacks them (its invoices then use today's, with an info on Checks).
    added_later=("VAT rate", "Reverse charge"),
)

# The statuses of a reconciliation row, in the order its rows are sorted (SPEC section 8).
RECONCILIATION_STATUSES = vocabulary.RECONCILIATION_STATUSES

RECONCILIATION = Table(
    "Reconciliation",
    "Reconciliation",
    (
        _col("Month", Kind.MONTH, 9),
        _col("License key", Kind.TEXT, 27),
        _col("Customer ID", Kind.TEXT, 13),
        _col("Customer", Kind.TEXT, 28),
        _col("Product ID", Kind.TEXT, 12),
        _col("Metric", Kind.TEXT, 12),
        _col("Vendor quantity", Kind.WHOLE, 10),
        _col("Usage quantity", Kind.WHOLE, 10),
        _col("Billed quantity", Kind.WHOLE, 10),
        _col("Vendor amount", Kind.MONEY, 12),
        _col("Expected cost", Kind.MONEY, 12),
        _col("Difference", Kind.MONEY, 12),
        _col("Status", Kind.CHOICE, 16, choices=RECONCILIATION_STATUSES),
        _col("Note", Kind.TEXT, 50),
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
# Tables whose side columns are a block of their own, not one row of values per table row.
SIDE_BLOCK_TABLES = (COMPARISON.name, RECONCILIATION.name, BILLING.name)

DEBITORS = Table(
    "Debitors",
    "Debitors",
    (
        _col("Customer ID", Kind.TEXT, 14),
        _col("Debitor", Kind.WHOLE, 10, number_format="0"),
        _col("Month", Kind.MONTH, 9),
    ),
    generated=True,
    purpose="DATEV debitor numbers the export gave to customers without one, with the month of "
    "that export: a customer keeps its number. Append-only, written by export-datev.",
)

COLLECTIONS = Table(
    "Collections",
    "Collections",
    (
        _col("Month", Kind.MONTH, 9),
        _col("Invoice", Kind.TEXT, 16),
        _col("Customer ID", Kind.TEXT, 13),
        _col("Mandate ID", Kind.TEXT, 16),
        _col("Sequence", Kind.TEXT, 9),
        _col("Amount", Kind.MONEY, 12),
        _col("Collection date", Kind.DATE, 12),
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
