"""
# MSP Billing

Buttons for the monthly billing of your MSP customers, and functions for your cells.

- **Recalculate**: regenerates Billing, Invoices, Comparison and Checks for the billing month
  (Settings' *Billing month*, else last month). Problems are listed on the Checks sheet.
- **New key**: select a row of the Keys table with a Customer ID and a Product ID first.
- **Close month**: numbers the month's invoices and appends its lines to the Ledger (refused
  while Checks has errors or when the month is already closed).

Set-up and function reference: docs/excel.md of msp-workbook.
"""

import xlwings as xw
from xlwings import arg, func, script

# Import the package first: it makes the workbook reader importable without python-calamine,
# which Pyodide does not have.
from msp_workbook.excel import functions, macros

_PRODUCTS, _ANNUAL, _PRODUCT = functions.DOC_PRODUCTS, functions.DOC_ANNUAL, functions.DOC_PRODUCT
_TERM, _PROFILE, _METRIC = functions.DOC_TERM, functions.DOC_PROFILE, functions.DOC_METRIC


# --- Buttons ----------------------------------------------------------------------------------


@script(name="Recalculate")
def recalculate(book: xw.Book):
    """Regenerate Billing, Invoices, Comparison and Checks for the billing month."""
    macros.recalculate(book)


@script(name="New key")
def new_key(book: xw.Book):
    """A new license key for the customer and product of the selected Keys row: written into
    that row when it has no key yet, else added as a new row."""
    macros.new_key(book)


@script(name="Close month")
def close_month(book: xw.Book):
    """Close the billing month: number its invoices and append its lines to the Ledger."""
    macros.close_month(book)


# --- Functions --------------------------------------------------------------------------------


@func
@arg("products", ndim=2, doc=_PRODUCTS)
@arg("annual_prices", ndim=2, doc=_ANNUAL)
@arg("product_id", doc=_PRODUCT)
@arg("term", doc=_TERM)
@arg("units_now", doc="Units today")
@arg("units_12m", doc="Units in 12 months")
def msp_quote(products, annual_prices, product_id, term, units_now, units_12m):
    """MSP monthly vs annual subscription for usage growing in a straight line: one row of MSP
    total, annual total, difference (annual minus MSP) and the cheaper option ("MSP" or
    "Annual"). Returns "#MSP: ..." text when an argument is wrong."""
    return functions.msp_quote(products, annual_prices, product_id, term, units_now, units_12m)


@func
@arg("annual_prices", ndim=2, doc=_ANNUAL)
@arg("product_id", doc=_PRODUCT)
@arg("term", doc=_TERM)
@arg("units_profile", ndim=2, doc=_PROFILE)
@arg("metric", doc=_METRIC)
def msp_annual_cost(annual_prices, product_id, term, units_profile, metric=None):
    """What the monthly units cost as an annual subscription of the term: the licence count
    only grows, additions are paid pro rata for the months left. Returns "#MSP: ..." text when
    an argument is wrong."""
    return functions.msp_annual_cost(annual_prices, product_id, term, units_profile, metric)


@func
@arg("products", ndim=2, doc=_PRODUCTS)
@arg("product_id", doc=_PRODUCT)
@arg("units_profile", ndim=2, doc=_PROFILE)
@arg("metric", doc=_METRIC)
def msp_cost(products, product_id, units_profile, metric=None):
    """What the monthly units cost billed monthly (MSP) at the Products price, minimum units
    applied. Returns "#MSP: ..." text when an argument is wrong."""
    return functions.msp_cost_of(products, product_id, units_profile, metric)


@func
@arg("key", doc="A license key, e.g. from the Keys table")
def msp_key_valid(key):
    """TRUE when the text is a license key in this program's format (XXXXX-XXXXX-XXXXX-XXXXX)
    with a correct check character, else FALSE."""
    return functions.msp_key_valid(key)
