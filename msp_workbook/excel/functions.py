"""The workbook's Python functions (UDFs), as plain functions of what Excel passes.

Excel passes a range as a 2-D list (a price table with its header row, e.g. `Products[#All]`),
every number as a float, an empty cell as None. Price tables go through the same validation as a
recalculation, columns are found by header, amounts are computed in Decimal by the engine and
returned as floats rounded to the cent (Excel cells are doubles). A problem never raises: the
result is a short text starting with "#MSP: " that says what is wrong.

`udf_list.py` lists them once as Excel functions (names, arguments, help); `udfs.py` registers
that list for classic xlwings, `xlwings_lite/main.py` for xlwings Lite.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ..core.annual import annual_cost, msp_cost, tiers_for
from ..core.keys import is_valid_key
from ..core.models import Inputs, Product
from ..core.quote import QuoteError, make_quote
from ..core.vocabulary import TERMS, TERMS_TEXT
from ..workbook import schema
from ..workbook.cells import CellError, RawValue, as_text, as_whole, column_letter, is_empty
from ..workbook.errors import WorkbookError
from ..workbook.reader import RawTable, TableRow
from ..workbook.validation.master_data import build_inputs
from .inputs import raw_table
from .port import TableData

__all__ = [
    "ERROR_PREFIX",
    "msp_annual_cost",
    "msp_cost_of",
    "msp_key_valid",
    "msp_quote",
]

ERROR_PREFIX = "#MSP: "

# What Excel's function wizard says about each argument (classic xlwings and xlwings Lite).
DOC_PRODUCTS = "The Products table with its headers: Products[#All]"
DOC_ANNUAL = "The AnnualPrices table with its headers: AnnualPrices[#All]"
DOC_PRODUCT = 'Product ID, e.g. "KC-MSP"'
DOC_TERM = f"Term in years: {TERMS_TEXT}"
DOC_PROFILE = "Units per month, one row or one column (its length is the number of months)"
DOC_METRIC = "Optional: the metric, for a product billed by more than one"

_CELL = re.compile(r"^[A-Z]+(\d+)$")

Result = Any  # what goes back into the cell: float, text, bool or a row of them


class _Problem(Exception):
    """A problem with the arguments; str() is the text after "#MSP: "."""


def _error(text: str) -> str:
    return ERROR_PREFIX + text


def _money(amount: Decimal) -> float:
    return float(amount.quantize(Decimal("0.01")))


# --- Arguments --------------------------------------------------------------------------------


def _grid(value: Any) -> list[list[RawValue]]:
    """Any range argument as a list of rows: a single cell, a 1-D list (a row) or a 2-D list."""
    if not isinstance(value, (list, tuple)):
        return [[value]]
    if not value:
        return []
    if not isinstance(value[0], (list, tuple)):
        return [list(value)]
    return [list(row) for row in value]


def _text(value: Any, what: str) -> str:
    if isinstance(value, (list, tuple)):
        raise _Problem(f"{what} must be one cell, not a range")
    text = as_text(value)
    if not text:
        raise _Problem(f"{what} is empty")
    return text


def _whole(value: Any, what: str) -> int:
    if isinstance(value, (list, tuple)):
        raise _Problem(f"{what} must be one cell, not a range")
    if is_empty(value):
        raise _Problem(f"{what} is empty; expected a whole number >= 0")
    try:
        return as_whole(value, what)
    except CellError as exc:
        raise _Problem(str(exc)) from None


def _term(value: Any) -> int:
    term = _whole(value, "term")
    if term not in TERMS:
        raise _Problem(f"term must be {TERMS_TEXT} years, got {term}")
    return term


def _profile(value: Any) -> list[int]:
    """Monthly units from a row or a column range (trailing empty cells ignored)."""
    grid = _grid(value)
    if len(grid) > 1 and any(len(row) > 1 for row in grid):
        raise _Problem("the units profile must be one row or one column")
    cells = [cell for row in grid for cell in row]
    while cells and is_empty(cells[-1]):
        cells.pop()
    if not cells:
        raise _Problem("the units profile is empty")
    units = []
    for month, cell in enumerate(cells, 1):
        if is_empty(cell):
            raise _Problem(f"units in month {month} is empty; expected a whole number >= 0")
        try:
            units.append(as_whole(cell, f"units in month {month}"))
        except CellError as exc:
            raise _Problem(str(exc)) from None
    return units


# --- Price tables -----------------------------------------------------------------------------


def _table(spec: schema.Table, value: Any, argument: str) -> RawTable:
    """A price table passed with its header row -> raw rows, as the reader makes them; row
    numbers count within the range (the header is row 1)."""
    grid = _grid(value)
    if not grid:
        raise _Problem(f"{argument} is empty; pass the whole table with its headers")
    data = TableData(
        name=spec.name,
        sheet=spec.sheet,
        headers=tuple(as_text(h) for h in grid[0]),
        first_row=2,
        first_column=1,
        last_row=len(grid),
        rows=tuple(tuple(row) for row in grid[1:]),
    )
    try:
        table, _ = raw_table(spec, data)
    except WorkbookError:
        missing = [h for h in spec.headers if h.lower() not in {x.lower() for x in data.headers}]
        raise _Problem(
            f'{argument} has no column "{missing[0]}"; pass the whole table with its headers, '
            f"e.g. {spec.name}[#All]"
        ) from None
    return table


def _products_from_annual(annual: RawTable) -> RawTable:
    """Stand-in Products rows for the products and metrics named in AnnualPrices, so the annual
    rows validate on their own (for MSP_ANNUAL_COST, which gets no Products table)."""
    table = RawTable(schema.PRODUCTS, schema.PRODUCTS.sheet)
    seen: set[tuple[str, str]] = set()
    for row in annual:
        pid, metric = (
            as_text(row.values[schema.COL_PRODUCT_ID]),
            as_text(row.values[schema.COL_METRIC]),
        )
        if not pid or not metric or (pid.lower(), metric.lower()) in seen:
            continue
        seen.add((pid.lower(), metric.lower()))
        number = len(table.rows) + 2
        values: dict[str, RawValue] = {
            schema.COL_PRODUCT_ID: pid,
            schema.COL_PRODUCT: pid,
            schema.COL_METRIC: metric,
            schema.COL_AGGREGATION: "max",
            schema.COL_COST_PER_UNIT: 0.0,
            schema.COL_PRICE_PER_UNIT: 0.0,
            schema.COL_MINIMUM_UNITS: None,
        }
        cells = {h: f"{column_letter(i)}{number}" for i, h in enumerate(schema.PRODUCTS.headers)}
        table.rows.append(TableRow(number, values, cells))
    return table


def _inputs(
    product_id: str,
    products: RawTable | None,
    annual: RawTable | None,
) -> Inputs:
    """Validated price tables; an error in a row of the asked product is the function's result
    (other products' rows are left out, as a recalculation leaves them out)."""
    if products is None:
        products = _products_from_annual(annual) if annual is not None else None
    raw: dict[str, RawTable] = {
        spec.name: RawTable(spec, spec.sheet)
        for spec in schema.INPUT_TABLES
        if spec not in (schema.PRODUCTS, schema.ANNUAL_PRICES)
    }
    raw[schema.PRODUCTS.name] = products or RawTable(schema.PRODUCTS, schema.PRODUCTS.sheet)
    raw[schema.ANNUAL_PRICES.name] = annual or RawTable(
        schema.ANNUAL_PRICES, schema.ANNUAL_PRICES.sheet
    )
    inputs, checks = build_inputs(raw)
    wanted = product_id.strip().lower()
    names = {schema.PRODUCTS.sheet: "products", schema.ANNUAL_PRICES.sheet: "annual prices"}
    for check in checks:
        if check.severity != "error" or check.sheet not in names:
            continue
        found = _CELL.match(check.cell)
        if found is None:
            continue
        number = int(found.group(1))
        table = raw[
            schema.PRODUCTS.name
            if check.sheet == schema.PRODUCTS.sheet
            else schema.ANNUAL_PRICES.name
        ]
        row = next((r for r in table.rows if r.row == number), None)
        if row is not None and as_text(row.values[schema.COL_PRODUCT_ID]).lower() == wanted:
            raise _Problem(f"row {number} of the {names[check.sheet]}: {check.message}")
    return inputs


def _product(inputs: Inputs, product_id: str, metric: Any, position: str) -> Product:
    """The product row (metric) asked for: the only metric of the product, or the one named."""
    rows = [p for p in inputs.products if p.product_id.lower() == product_id.strip().lower()]
    if not rows:
        raise _Problem(f'unknown product ID "{product_id}"')
    if not is_empty(metric):
        name = _text(metric, "metric")
        match = [p for p in rows if p.metric.lower() == name.lower()]
        if not match:
            raise _Problem(
                f'product {rows[0].product_id} has no metric "{name}" '
                f"(its metrics: {', '.join(p.metric for p in rows)})"
            )
        return match[0]
    if len(rows) > 1:
        raise _Problem(
            f"product {rows[0].product_id} has several metrics "
            f"({', '.join(p.metric for p in rows)}): give the metric as {position} argument"
        )
    return rows[0]


# --- The functions ----------------------------------------------------------------------------


def msp_quote(
    products: Any,
    annual_prices: Any,
    product_id: Any,
    term: Any,
    units_now: Any,
    units_12m: Any,
) -> Result:
    """[MSP total, annual total, difference (annual minus MSP), cheaper ("MSP" or "Annual")]
    for usage growing in a straight line from units now to units in 12 months."""
    try:
        pid = _text(product_id, "product ID")
        years = _term(term)
        now = _whole(units_now, "units now")
        later = _whole(units_12m, "units in 12 months")
        inputs = _inputs(
            pid,
            _table(schema.PRODUCTS, products, "products"),
            _table(schema.ANNUAL_PRICES, annual_prices, "annual prices"),
        )
        quote = make_quote(inputs.products, inputs.annual_prices, pid, years, now, later)
    except (_Problem, QuoteError) as exc:
        return _error(str(exc))
    return [
        _money(quote.msp_total),
        _money(quote.annual_total),
        _money(quote.difference),
        quote.cheaper,
    ]


def msp_annual_cost(
    annual_prices: Any, product_id: Any, term: Any, units_profile: Any, metric: Any = None
) -> Result:
    """What a monthly unit profile costs as an annual subscription of the term."""
    try:
        pid = _text(product_id, "product ID")
        years = _term(term)
        profile = _profile(units_profile)
        inputs = _inputs(pid, None, _table(schema.ANNUAL_PRICES, annual_prices, "annual prices"))
        prices = [p for p in inputs.annual_prices if p.product_id.lower() == pid.lower()]
        if not prices:
            raise _Problem(f'no annual prices for product ID "{pid}"')
        metrics = sorted({p.metric for p in prices})
        if not is_empty(metric):
            name = _text(metric, "metric")
            metrics = [m for m in metrics if m.lower() == name.lower()]
            if not metrics:
                raise _Problem(f'product {prices[0].product_id} has no annual prices for "{name}"')
        elif len(metrics) > 1:
            raise _Problem(
                f"product {prices[0].product_id} has annual prices for several metrics "
                f"({', '.join(metrics)}): give the metric as 5th argument"
            )
        tiers = tiers_for(inputs.annual_prices, prices[0].product_id, metrics[0], years)
        if not tiers:
            raise _Problem(
                f"product {prices[0].product_id} has no annual prices for a {years}-year term"
            )
    except _Problem as exc:
        return _error(str(exc))
    return _money(annual_cost(tiers, profile))


def msp_cost_of(products: Any, product_id: Any, units_profile: Any, metric: Any = None) -> Result:
    """What a monthly unit profile costs billed monthly (MSP), minimum units applied."""
    try:
        pid = _text(product_id, "product ID")
        profile = _profile(units_profile)
        inputs = _inputs(pid, _table(schema.PRODUCTS, products, "products"), None)
        product = _product(inputs, pid, metric, "4th")
    except _Problem as exc:
        return _error(str(exc))
    return _money(msp_cost(product, profile))


def msp_key_valid(key: Any) -> bool:
    """Whether the text is a license key in this program's format with a correct check
    character."""
    return isinstance(key, str) and is_valid_key(key)
