"""A quick quote for a prospect: MSP monthly vs an annual subscription over the term.

The prospect's units grow in a straight line from "units now" to "units in 12 months" and go on
at that pace; month m (1..12T) has u(m) = max(0, round half up(now + (in12 - now) x (m - 1)/12)).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .annual import annual_cost, annual_payments_x12, licensed_counts, msp_cost, tiers_for
from .models import AnnualPrice, Product
from .money import round_half_up, round_money
from .vocabulary import TERMS, TERMS_TEXT


@dataclass(frozen=True)
class QuoteMonth:
    month: int
    units: int
    licensed: int
    msp_cost: Decimal
    msp_cumulative: Decimal
    annual_cumulative: Decimal


@dataclass(frozen=True)
class Quote:
    product_id: str
    metric: str
    term: int
    msp_total: Decimal
    annual_total: Decimal
    months: tuple[QuoteMonth, ...]

    @property
    def difference(self) -> Decimal:
        """Annual minus MSP: positive when MSP is cheaper."""
        return self.annual_total - self.msp_total

    @property
    def cheaper(self) -> str:
        return "MSP" if self.msp_total <= self.annual_total else "Annual"


def quote_profile(units_now: int, units_12m: int, term: int) -> list[int]:
    """Monthly units over the term, on the straight line through now and 12 months from now."""
    return [
        max(0, round_half_up(Decimal(units_now) + Decimal(units_12m - units_now) * (m - 1) / 12))
        for m in range(1, 12 * term + 1)
    ]


class QuoteError(ValueError):
    """A quote that cannot be made (unknown product, no annual prices); str() says why."""


def make_quote(
    products: Sequence[Product],
    prices: Sequence[AnnualPrice],
    product_id: str,
    term: int,
    units_now: int,
    units_12m: int,
) -> Quote:
    """The quote for the product's metric that has annual prices."""
    if term not in TERMS:
        raise QuoteError(f"term must be {TERMS_TEXT} years, got {term}")
    if units_now < 0 or units_12m < 0:
        raise QuoteError("units must be whole numbers >= 0")
    candidates = [p for p in products if p.product_id.lower() == product_id.strip().lower()]
    if not candidates:
        raise QuoteError(f'unknown product ID "{product_id}"')
    for product in candidates:
        tiers = tiers_for(prices, product.product_id, product.metric, term)
        if tiers:
            break
    else:
        raise QuoteError(
            f"product {candidates[0].product_id} has no annual prices for a {term}-year term"
        )
    profile = quote_profile(units_now, units_12m, term)
    licensed = licensed_counts(tiers, profile)
    payments = annual_payments_x12(tiers, profile)
    rows = []
    msp_running = annual_running = Decimal(0)
    for m, units in enumerate(profile, 1):
        month_cost = max(units, product.minimum_units) * product.price_per_unit
        msp_running += month_cost
        annual_running += payments[m - 1]
        rows.append(
            QuoteMonth(
                month=m,
                units=units,
                licensed=licensed[m - 1],
                msp_cost=round_money(month_cost),
                msp_cumulative=round_money(msp_running),
                annual_cumulative=round_money(annual_running / 12),
            )
        )
    return Quote(
        product_id=product.product_id,
        metric=product.metric,
        term=term,
        msp_total=msp_cost(product, profile),
        annual_total=annual_cost(tiers, profile),
        months=tuple(rows),
    )
