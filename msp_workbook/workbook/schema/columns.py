"""Every column header of every table, one constant per header text: `COL_<HEADER>`
(`COL_LICENSE_KEY = "License key"`, `COL_DISCOUNT = "Discount %"`).

A header several tables share ("License key" on Keys, Usage, Billing, Ledger, Reconciliation) is
one word of the contract and one constant. The tables (`input_tables`, `recalc_tables`,
`program_tables`) are built from these; code elsewhere keys rows and cells by them
(`row.values[schema.COL_LICENSE_KEY]`), never by a string of its own
(tests/test_contract_spelled_once). The Comparison's "Annual 1y" ... "Annual 5y" are made from
the terms (`annual_header`). A header the core's rules name too (a Customers column a finding
points at, an import profile's field) is the core's word (`core.vocabulary`, `<HEADER>_COLUMN`),
taken from there.
"""

from __future__ import annotations

from ...core import vocabulary

# Grouped by the table that has them first.

# Settings
COL_SETTING = "Setting"
COL_VALUE = "Value"

# Products
COL_PRODUCT_ID = "Product ID"
COL_PRODUCT = "Product"
COL_METRIC = vocabulary.METRIC_COLUMN
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
COL_EMAIL = vocabulary.EMAIL_COLUMN
COL_COUNTRY = "Country"
COL_VAT_ID = vocabulary.VAT_ID_COLUMN
COL_DISCOUNT = "Discount %"
COL_STREET = vocabulary.STREET_COLUMN
COL_POSTCODE = vocabulary.POSTCODE_COLUMN
COL_CITY = vocabulary.CITY_COLUMN
COL_BUYER_REFERENCE = "Buyer reference"
COL_LANGUAGE = "Language"
COL_DEBITOR = vocabulary.DEBITOR_COLUMN
COL_PAYMENT = vocabulary.PAYMENT_COLUMN
COL_DEBTOR_IBAN = vocabulary.DEBTOR_IBAN_COLUMN
COL_DEBTOR_BIC = vocabulary.DEBTOR_BIC_COLUMN
COL_MANDATE_ID = vocabulary.MANDATE_ID_COLUMN
COL_MANDATE_DATE = vocabulary.MANDATE_DATE_COLUMN

# Keys
COL_LICENSE_KEY = vocabulary.LICENSE_KEY_COLUMN
COL_START = "Start"
COL_END = "End"
COL_STATUS = "Status"
COL_NOTE = "Note"

# Usage
COL_DATE = vocabulary.DATE_COLUMN
COL_QUANTITY = vocabulary.QUANTITY_COLUMN
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
COL_AMOUNT = vocabulary.AMOUNT_COLUMN
COL_COLLECTION_DATE = "Collection date"


def annual_header(term: int) -> str:
    """The Comparison's column of the annual cost for a term of `term` years."""
    return f"Annual {term}y"
