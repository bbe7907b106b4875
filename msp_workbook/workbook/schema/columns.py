"""Every column header of every table, one constant per header text: `COL_<HEADER>`
(`COL_LICENSE_KEY = "License key"`, `COL_DISCOUNT = "Discount %"`).

A header several tables share ("License key" on Keys, Usage, Billing, Ledger, Reconciliation) is
one word of the contract and one constant. The tables (`input_tables`, `recalc_tables`,
`program_tables`) are built from these; code elsewhere keys rows and cells by them
(`row.values[schema.COL_LICENSE_KEY]`), never by a string of its own
(tests/test_contract_spelled_once). The Comparison's "Annual 1y" ... "Annual 5y" are made from
the terms (`annual_header`).
"""

from __future__ import annotations

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
