"""Words of the contract that the core's rules decide and the workbook shows, defined once.

Kept free of imports: the workbook contract (`workbook.schema`) takes them from here, and the
command line imports that contract before the rest of the program loads.
"""

from __future__ import annotations

# The statuses of a reconciliation row, in the order its rows are sorted (SPEC section 8).
RECONCILIATION_STATUSES = (
    "unknown key",
    "unbilled",
    "quantity differs",
    "amount differs",
    "not on statement",
    "match",
)

# Terms of an annual subscription, in years (SPEC section 5).
TERMS = (1, 2, 3, 4, 5)
# ... as messages say them: "1, 2, 3, 4 or 5", "1 to 5".
TERMS_TEXT = ", ".join(str(t) for t in TERMS[:-1]) + f" or {TERMS[-1]}"
TERMS_SPAN = f"{TERMS[0]} to {TERMS[-1]}"

# What a license key is (SPEC section 2), what a billing line is (section 3), what a month
# without a reading bills (the first: the default), how a product's readings of a month make its
# quantity (section 1), how grave a finding is. `core.models` types them as Literals; a test
# holds both equal.
STATUSES = ("active", "suspended", "cancelled")
LINE_TYPES = ("usage", "minimum", "estimated", "correction")
MISSING_USAGE = ("carry forward", "zero")
AGGREGATIONS = ("max", "avg", "last", "sum")
SEVERITIES = ("error", "warning", "info")
# A key the program makes (new-key, the Excel button) starts as the first status: active.
NEW_KEY_STATUS = STATUSES[0]

# What a setting left empty bills with (SPEC section 2): the Settings model's defaults and the
# values the template's Settings sheet shows. The others that have one are the first of their
# list: MISSING_USAGE, LANGUAGES, CHARTS_OF_ACCOUNTS.
DEFAULT_COUNTRY = "DE"
DEFAULT_CURRENCY = "EUR"
DEFAULT_VAT_RATE = "0.19"  # a decimal's text: the model holds a Decimal, the template a number
DEFAULT_INVOICE_PREFIX = "INV-"
DEFAULT_CORRECTION_MONTHS = 12
DEFAULT_PAYMENT_DAYS = 14
DEFAULT_FISCAL_YEAR_START = 1

# How VAT applies to an invoice (SPEC sections 3, 6, 9): VAT charged; reverse charge to a buyer
# in another EU country; a supply to a buyer outside the EU, not taxable here.
VAT_TREATMENTS = ("domestic", "EU reverse charge", "outside the EU")

# Charts of accounts of the DATEV booking batch (SPEC section 9); the first is the default.
CHARTS_OF_ACCOUNTS = ("SKR03", "SKR04")

# How a customer pays (SPEC section 9); empty means the first.
PAYMENT_METHODS = ("transfer", "direct debit")

# Languages of invoice documents (SPEC section 6); the first is the default.
LANGUAGES = ("de", "en")

# Member states of the European Union (ISO 3166 alpha-2): a reverse-charge invoice to a buyer in
# one of them is VAT category AE, to a buyer elsewhere category O (SPEC section 6).
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)

# The sheet (and table) of usage readings: a finding about a reading that is missing points
# there, at the row where the next reading goes (the reader knows which row that is).
USAGE_SHEET = "Usage"
# The other sheets (and tables) the core's findings point at: a setting or a customer lacking
# what a document or an export needs, the Ledger's invoice numbers.
SETTINGS_SHEET = "Settings"
CUSTOMERS_SHEET = "Customers"
LEDGER_SHEET = "Ledger"

# The Settings rows the core's findings point at (what an invoice document, the DATEV batch or a
# direct debit lacks, and where): `Settings.cells` holds each one's cell under its name.
RESELLER_SETTING = "Reseller"
CURRENCY_SETTING = "Currency"
INVOICE_PREFIX_SETTING = "Invoice prefix"
STREET_SETTING = "Street"
POSTCODE_SETTING = "Postcode"
CITY_SETTING = "City"
VAT_ID_SETTING = "VAT ID"
TAX_NUMBER_SETTING = "Tax number"
CONTACT_SETTING = "Contact"
PHONE_SETTING = "Phone"
EMAIL_SETTING = "Email"
IBAN_SETTING = "IBAN"
BIC_SETTING = "BIC"
DATEV_CONSULTANT_SETTING = "DATEV consultant"
DATEV_CLIENT_SETTING = "DATEV client"
REVENUE_ACCOUNT_SETTING = "Revenue account"
CREDITOR_ID_SETTING = "Creditor ID"

# The Customers columns they point at (`Customer.cells` holds each one's cell under its header).
# The buyer's address, e-mail and VAT ID are named as the seller's Settings rows: one word each,
# under which the form checks of an invoice document look a value up on either sheet.
STREET_COLUMN = STREET_SETTING
POSTCODE_COLUMN = POSTCODE_SETTING
CITY_COLUMN = CITY_SETTING
EMAIL_COLUMN = EMAIL_SETTING
VAT_ID_COLUMN = VAT_ID_SETTING
DEBITOR_COLUMN = "Debitor"
PAYMENT_COLUMN = "Payment"
DEBTOR_IBAN_COLUMN = "Debtor IBAN"
DEBTOR_BIC_COLUMN = "Debtor BIC"
MANDATE_ID_COLUMN = "Mandate ID"
MANDATE_DATE_COLUMN = "Mandate date"

# The fields of an import profile (SPEC sections 7 and 8), which a report's columns are mapped
# to: the Usage table's own headers (its standard profile), and a vendor statement's Amount (the
# Collections' column of that name).
DATE_COLUMN = "Date"
LICENSE_KEY_COLUMN = "License key"
METRIC_COLUMN = "Metric"
QUANTITY_COLUMN = "Quantity"
AMOUNT_COLUMN = "Amount"

# What the GFI MSP products bill per (SPEC section 1), as the template's Products sheet names
# them: the Metric drop-down of Products suggests them (a reseller may add others).
METRICS = ("mailboxes", "users", "nodes", "scans")
