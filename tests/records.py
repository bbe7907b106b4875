"""Records shared by the pure-engine tests: the worked example's KerioConnect price."""

from __future__ import annotations

from decimal import Decimal

from msp_workbook.core.models import Product

MAILBOXES = Product(
    product_id="KC-MSP",
    product="GFI KerioConnect AI MSP",
    metric="mailboxes",
    aggregation="max",
    cost_per_unit=Decimal("1.60"),
    price_per_unit=Decimal("2.40"),
    minimum_units=5,
)
