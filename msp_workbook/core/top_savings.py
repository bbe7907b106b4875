"""The rows the Comparison chart plots: the largest savings (SPEC section 5, the Comparison sheet).

The chart sets MSP cost against the cheapest annual term for the `TOP_SAVINGS` comparison rows
with the largest Saving, largest first; rows with the same saving come in Customer ID order, then
Product ID order (text, as compared by Python: code point by code point). With fewer rows, every
row is plotted. Each bar is labelled "Customer ID Customer · Product ID".
"""

from __future__ import annotations

from collections.abc import Iterable

from .comparison import ComparisonRow

TOP_SAVINGS = 15


def top_savings(rows: Iterable[ComparisonRow], count: int = TOP_SAVINGS) -> list[ComparisonRow]:
    """The `count` rows with the largest saving, largest first (ties: Customer ID, Product ID)."""
    ordered = sorted(rows, key=lambda r: (-r.saving, r.customer_id, r.product_id))
    return ordered[: max(count, 0)]


def label(row: ComparisonRow) -> str:
    """A row's bar label: "C-0012 Kunde GmbH · KC-MSP" (the name left out when empty)."""
    who = f"{row.customer_id} {row.customer}".strip()
    return f"{who} · {row.product_id}"
