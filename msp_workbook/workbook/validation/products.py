"""The Products table: a product's metric rows, and a metric named elsewhere resolved to its
product's spelling."""

from __future__ import annotations

from ...core.models import Product
from .. import schema
from ..cells import quoted
from ..reader import RawTable
from .collector import Collector, RowCheck
from .registry import Registry


def validate_products(
    table: RawTable, out: Collector
) -> tuple[list[Product], Registry[list[Product]]]:
    """The Products rows (one per product and metric) and the products' IDs, each with its
    metric rows."""
    products: list[Product] = []
    ids: Registry[list[Product]] = Registry(table.sheet)
    pairs: Registry[object] = Registry(table.sheet)
    for row in table:
        check = RowCheck(table, row, out)
        v = {h: check.value(h) for h in table.spec.headers}
        pid, metric = v[schema.COL_PRODUCT_ID], v[schema.COL_METRIC]
        if pid and metric:
            pairs.claim(check, schema.COL_METRIC, f"{pid} / {metric}", "product ID and metric")
        if not check.ok:
            if pid:
                ids.reject(pid, check)
            continue
        product = Product(
            product_id=pid,
            product=v[schema.COL_PRODUCT] or pid,
            metric=metric,
            aggregation=v[schema.COL_AGGREGATION],
            cost_per_unit=v[schema.COL_COST_PER_UNIT],
            price_per_unit=v[schema.COL_PRICE_PER_UNIT],
            minimum_units=v[schema.COL_MINIMUM_UNITS] or 0,
            source=check.source(schema.COL_PRODUCT_ID),
        )
        products.append(product)
        ids.accepted.setdefault(pid.lower(), [])
        ids.accepted[pid.lower()].append(product)
    # A product with one bad metric row is still known; its bad row is what the user must fix.
    ids.rejected -= set(ids.accepted)
    return products, ids


def metric_of(check: RowCheck, metrics: list[Product], metric: str, relation: str) -> str:
    """The product's spelling of a metric typed in any case; an error on the Metric cell when
    the product has no such metric."""
    for product in metrics:
        if product.metric.lower() == metric.lower():
            return product.metric
    check.error(
        schema.COL_METRIC,
        f"metric {quoted(metric)} {relation} product {metrics[0].product_id} "
        f"(its metrics: {', '.join(p.metric for p in metrics)})",
    )
    return metric
