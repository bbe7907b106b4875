"""The workbook's Python functions for classic xlwings (Windows; `UDF Modules` = this module).

In a cell: `=MSP_QUOTE(Products[#All], AnnualPrices[#All], "KC-MSP", 3, 20, 35)`. The functions,
their arguments and help are listed once in `udf_list.py` (the logic in `functions.py`); this
module registers them with classic xlwings' decorators under their Excel names, and xlwings Lite
registers the same list from `xlwings_lite/main.py`. The parameters carry no type hints on
purpose: classic xlwings would take a hint for a converter.
"""

from __future__ import annotations

import xlwings as xw

from .udf_list import CATEGORY, registered

__all__ = ["MSP_ANNUAL_COST", "MSP_COST", "MSP_KEY_VALID", "MSP_QUOTE"]

# Classic xlwings calls a function by the name it registered it under: bound here by that name.
_UDFS = registered(xw.func(category=CATEGORY), xw.arg, __name__)
MSP_QUOTE = _UDFS["MSP_QUOTE"]
MSP_ANNUAL_COST = _UDFS["MSP_ANNUAL_COST"]
MSP_COST = _UDFS["MSP_COST"]
MSP_KEY_VALID = _UDFS["MSP_KEY_VALID"]
