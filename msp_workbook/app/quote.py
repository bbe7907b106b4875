"""Quote: a quick quote, MSP against annual, with the prices of a workbook (default: the
template) (`msp-workbook quote`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..core.quote import Quote, QuoteError, make_quote
from ..workbook import schema
from ..workbook.errors import WorkbookError
from ..workbook.read import read_workbook

__all__ = ["quote"]


def quote(
    product_id: str, term: int, units_now: int, units_12m: int, workbook: Path | None = None
) -> tuple[Quote, str]:
    """A quick quote with the prices of the workbook (default: the template) and its currency."""
    from ..workbook.template.builder import TEMPLATE_PATH, build_workbook

    if workbook is None and not TEMPLATE_PATH.exists():
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "template.xlsx"
            build_workbook(path)
            return quote(product_id, term, units_now, units_12m, path)
    read = read_workbook(workbook or TEMPLATE_PATH)
    inputs = read.inputs
    # A price row left out for its errors would change the quote without a word.
    price_sheets = (schema.PRODUCTS.sheet, schema.ANNUAL_PRICES.sheet)
    bad = [c for c in read.errors if c.sheet in price_sheets]
    if bad:
        rows = "1 error" if len(bad) == 1 else f"{len(bad)} errors"
        raise WorkbookError(
            f"cannot quote from {workbook or TEMPLATE_PATH}: {rows} on "
            f"{' and '.join(price_sheets)} (first: {bad[0].sheet}!{bad[0].cell}: "
            f"{bad[0].message}); fix them first (msp-workbook check lists them)"
        )
    try:
        result = make_quote(
            inputs.products, inputs.annual_prices, product_id, term, units_now, units_12m
        )
    except QuoteError as exc:
        raise WorkbookError(str(exc)) from exc
    return result, inputs.settings.currency
