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
from msp_workbook.excel import macros, udf_list

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

# The same functions as classic xlwings' (msp_workbook/excel/udfs.py), from the one list in
# msp_workbook/excel/udf_list.py: =MSP_QUOTE(...), =MSP_ANNUAL_COST(...), =MSP_COST(...) and
# =MSP_KEY_VALID(...). xlwings Lite calls a function by its Python name: bound here by that name.
_UDFS = udf_list.registered(func, arg, __name__, python_name=str.lower)
msp_quote = _UDFS["msp_quote"]
msp_annual_cost = _UDFS["msp_annual_cost"]
msp_cost = _UDFS["msp_cost"]
msp_key_valid = _UDFS["msp_key_valid"]
