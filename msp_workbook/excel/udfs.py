"""The workbook's Python functions for classic xlwings (Windows; `UDF Modules` = this module).

In a cell: `=MSP_QUOTE(Products[#All], AnnualPrices[#All], "KC-MSP", 3, 20, 35)`. The logic is
in `functions.py`; xlwings Lite registers the same functions from `xlwings_lite/main.py`.
Parameters carry no type hints on purpose: classic xlwings would take a hint for a converter.
"""

from __future__ import annotations

import xlwings as xw

from . import functions

__all__ = ["MSP_ANNUAL_COST", "MSP_COST", "MSP_KEY_VALID", "MSP_QUOTE"]

_PRODUCTS, _ANNUAL, _PRODUCT = functions.DOC_PRODUCTS, functions.DOC_ANNUAL, functions.DOC_PRODUCT
_TERM, _PROFILE, _METRIC = functions.DOC_TERM, functions.DOC_PROFILE, functions.DOC_METRIC


@xw.func(category="MSP Billing")
@xw.arg("products", ndim=2, doc=_PRODUCTS)
@xw.arg("annual_prices", ndim=2, doc=_ANNUAL)
@xw.arg("product_id", doc=_PRODUCT)
@xw.arg("term", doc=_TERM)
@xw.arg("units_now", doc="Units today")
@xw.arg("units_12m", doc="Units in 12 months")
def MSP_QUOTE(products, annual_prices, product_id, term, units_now, units_12m):  # noqa: N802
    """MSP monthly vs annual subscription for usage growing in a straight line: one row of MSP
    total, annual total, difference (annual minus MSP) and the cheaper option ("MSP" or
    "Annual"). Returns "#MSP: ..." text when an argument is wrong."""
    return functions.msp_quote(products, annual_prices, product_id, term, units_now, units_12m)


@xw.func(category="MSP Billing")
@xw.arg("annual_prices", ndim=2, doc=_ANNUAL)
@xw.arg("product_id", doc=_PRODUCT)
@xw.arg("term", doc=_TERM)
@xw.arg("units_profile", ndim=2, doc=_PROFILE)
@xw.arg("metric", doc=_METRIC)
def MSP_ANNUAL_COST(annual_prices, product_id, term, units_profile, metric=None):  # noqa: N802
    """What the monthly units cost as an annual subscription of the term: the licence count
    only grows, additions are paid pro rata for the months left. Returns "#MSP: ..." text when
    an argument is wrong."""
    return functions.msp_annual_cost(annual_prices, product_id, term, units_profile, metric)


@xw.func(category="MSP Billing")
@xw.arg("products", ndim=2, doc=_PRODUCTS)
@xw.arg("product_id", doc=_PRODUCT)
@xw.arg("units_profile", ndim=2, doc=_PROFILE)
@xw.arg("metric", doc=_METRIC)
def MSP_COST(products, product_id, units_profile, metric=None):  # noqa: N802
    """What the monthly units cost billed monthly (MSP) at the Products price, minimum units
    applied. Returns "#MSP: ..." text when an argument is wrong."""
    return functions.msp_cost_of(products, product_id, units_profile, metric)


@xw.func(category="MSP Billing")
@xw.arg("key", doc="A license key, e.g. from the Keys table")
def MSP_KEY_VALID(key):  # noqa: N802
    """TRUE when the text is a license key in this program's format (XXXXX-XXXXX-XXXXX-XXXXX)
    with a correct check character, else FALSE."""
    return functions.msp_key_valid(key)
