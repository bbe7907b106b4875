"""What a monthly unit profile costs as an annual subscription, and as MSP.

An annual subscription is a fixed licence count for a term of T years that can only grow; an
order of n units is priced entirely at the rate of the volume tier that n falls in, and units
added during the term are paid pro rata for the months that remain (the product spec, section 5):

    L = max(u(1), lowest tier's Min units);  paid = L x p(T, L) x W/12
    for m = 2..W, when u(m) > L:  a = u(m) - L;  paid += a x p(T, a) x (W - m + 1)/12;  L = u(m)

rounded to the cent once, at the end. The MSP cost of the same profile is the sum over the months
of max(u(m), Minimum units) x Price per unit, also rounded once at the end. Both use list prices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal

from .models import AnnualPrice, Product
from .money import ZERO, round_money


def tiers_for(
    prices: Sequence[AnnualPrice], product_id: str, metric: str, term: int
) -> list[AnnualPrice]:
    """The volume tiers of one product, metric and term, lowest first."""
    return sorted(
        (
            p
            for p in prices
            if p.product_id == product_id and p.metric == metric and p.term_years == term
        ),
        key=lambda p: p.min_units,
    )


def tier_rate(tiers: Sequence[AnnualPrice], units: int) -> Decimal:
    """Price per unit per year for an order of `units`: the tier with Min <= units <= Max;
    below the lowest tier, the lowest tier's rate; in a gap between tiers, the tier below."""
    if not tiers:
        raise ValueError("no annual price tiers")
    rate = tiers[0].price_per_unit_per_year
    for tier in tiers:
        if tier.min_units <= units and (tier.max_units is None or units <= tier.max_units):
            return tier.price_per_unit_per_year
        if tier.min_units <= units:
            rate = tier.price_per_unit_per_year
    return rate


def orders(profile: Sequence[int], minimum: int) -> list[tuple[int, int]]:
    """What an annual subscription orders over the profile: (month, units) for the initial count
    in month 1 (at least `minimum`, the lowest tier's Min units) and for each month where usage
    passes the licensed count."""
    placed: list[tuple[int, int]] = []
    licensed = 0
    for m, units in enumerate(profile, 1):
        if m == 1:
            licensed = max(units, minimum)
            placed.append((1, licensed))
        elif units > licensed:
            placed.append((m, units - licensed))
            licensed = units
    return placed


def annual_payments_x12(tiers: Sequence[AnnualPrice], profile: Sequence[int]) -> list[Decimal]:
    """Twelve times what each month of the profile orders (exact: no division yet): the initial
    count in month 1, the pro-rata expansion in a month where usage passes the licensed count,
    else 0. Dividing by 12 once, after summing, keeps half-cent totals exact."""
    months = len(profile)
    payments = [ZERO] * months
    placed = orders(profile, tiers[0].min_units)
    for m, paid in _payments_x12(placed, TierRates(tiers), months):
        payments[m - 1] = paid
    return payments


def annual_cost(
    tiers: Sequence[AnnualPrice],
    profile: Sequence[int],
    placed: Sequence[tuple[int, int]] | None = None,
    rate: Callable[[int], Decimal] | None = None,
) -> Decimal:
    """Cost of covering the monthly unit profile with an annual subscription (these tiers).
    `placed` may pass `orders(profile, tiers[0].min_units)` and `rate` a `TierRates(tiers)`
    when they are already at hand."""
    months = len(profile)
    if placed is None:
        placed = orders(profile, tiers[0].min_units)
    total = ZERO
    for _, paid in _payments_x12(placed, rate or TierRates(tiers), months):
        total += paid
    return round_money(total / 12)


def _payments_x12(
    placed: Iterable[tuple[int, int]], rate: Callable[[int], Decimal], months: int
) -> Iterator[tuple[int, Decimal]]:
    """(month, twelve times its payment) of each order: its units at the rate of the tier they
    fall in, for the months left in the profile."""
    for m, units in placed:
        yield m, units * rate(units) * (months - m + 1)


class TierRates:
    """`tier_rate` of one list of tiers, worked out once per order size."""

    def __init__(self, tiers: Sequence[AnnualPrice]) -> None:
        self.tiers = tiers
        self._known: dict[int, Decimal] = {}

    def __call__(self, units: int) -> Decimal:
        rate = self._known.get(units)
        if rate is None:
            rate = self._known[units] = tier_rate(self.tiers, units)
        return rate


def licensed_counts(tiers: Sequence[AnnualPrice], profile: Sequence[int]) -> list[int]:
    """The licensed count in each month of the profile (it never shrinks)."""
    counts: list[int] = []
    licensed = 0
    for m, units in enumerate(profile, 1):
        licensed = max(units, tiers[0].min_units) if m == 1 else max(licensed, units)
        counts.append(licensed)
    return counts


def msp_cost(product: Product, profile: Sequence[int]) -> Decimal:
    """Cost of the same profile billed monthly at the MSP list price, minimum units applied."""
    units = sum(max(u, product.minimum_units) for u in profile)
    return round_money(units * product.price_per_unit)
