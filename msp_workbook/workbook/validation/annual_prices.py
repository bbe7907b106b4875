"""The AnnualPrices table: a product's tiered prices per metric and term, whose units must not
overlap."""

from __future__ import annotations

from ...core.models import AnnualPrice, Product
from ...core.vocabulary import TERMS, TERMS_TEXT
from .. import schema
from ..reader import RawTable
from .collector import Collector, RowCheck
from .products import metric_of
from .registry import Registry


def validate_annual_prices(
    table: RawTable, out: Collector, products: Registry[list[Product]]
) -> list[AnnualPrice]:
    """The AnnualPrices rows of known products and metrics, their tiers not overlapping."""
    prices: list[AnnualPrice] = []
    tiers: dict[tuple[str, str, int], list[AnnualPrice]] = {}  # by product, metric, term
    for row in table:
        check = RowCheck(table, row, out)
        v = {h: check.value(h) for h in table.spec.headers}
        metrics = (
            products.resolve(check, schema.COL_PRODUCT_ID, v[schema.COL_PRODUCT_ID], "product ID")
            if v[schema.COL_PRODUCT_ID]
            else None
        )
        metric = v[schema.COL_METRIC]
        if metrics and metric:
            metric = metric_of(check, metrics, metric, "is not a metric of")
        term = v[schema.COL_TERM_YEARS]
        if term is not None and term not in TERMS:
            check.error(schema.COL_TERM_YEARS, f"term (years) must be {TERMS_TEXT}, got {term}")
        low, high = v[schema.COL_MIN_UNITS], v[schema.COL_MAX_UNITS]
        if low is not None and high is not None and high < low:
            check.error(
                schema.COL_MAX_UNITS, f"max units must be empty or >= min units ({low}), got {high}"
            )
        if not check.ok:
            continue
        price = AnnualPrice(
            product_id=metrics[0].product_id,
            metric=metric,
            term_years=term,
            min_units=low,
            max_units=high,
            price_per_unit_per_year=v[schema.COL_PRICE_PER_UNIT_PER_YEAR],
            source=check.source(schema.COL_PRODUCT_ID),
        )
        if _overlapping(check, price, tiers):
            continue
        prices.append(price)
    products.report_dependents(table, out)
    return prices


def _overlapping(
    check: RowCheck, price: AnnualPrice, tiers: dict[tuple[str, str, int], list[AnnualPrice]]
) -> bool:
    """An error on a tier whose units overlap an earlier row's tier of the same product,
    metric and term (an order of n units must have one rate); else the tier is kept in
    `tiers`."""
    same = tiers.setdefault((price.product_id, price.metric, price.term_years), [])
    high = price.max_units
    for other in same:
        if (other.max_units is None or other.max_units >= price.min_units) and (
            high is None or high >= other.min_units
        ):
            check.error(
                schema.COL_MIN_UNITS,
                f"the tier {_units(price)} overlaps the tier {_units(other)} of "
                f"{other.source} (same product, metric and term); an order of n units must "
                "fall in one tier",
            )
            return True
    same.append(price)
    return False


def _units(price: AnnualPrice) -> str:
    top = "" if price.max_units is None else str(price.max_units)
    return f"{price.min_units}-{top}" if top else f"{price.min_units} and up"
