"""MSP monthly vs annual subscription for every customer and product (the Comparison sheet).

For each customer and product that has annual prices, over the window of the billing month and
up to 11 months before it, starting at the customer's first month with billing lines for that
product:

- u(m) is the billed quantity of the product's annual-priced metric, summed over the customer's
  keys of that product (0 in a month without lines);
- MSP cost is the sum over the window of round(quantity x Price per unit) of every billing line
  of that customer and product, all metrics (list prices: no customer discount);
- Annual Ty is the annual cost of the profile u for a term of T years (see `annual`);
- the best option is the cheapest (on a tie MSP, then the shorter term); the saving is what it
  saves against the runner-up, and per year Saving x 12 / W.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from .annual import TERMS, annual_cost, tiers_for
from .billing import UnpricedLine
from .models import AnnualPrice, BillingLine, Inputs, Product, Record
from .money import ZERO, round_money
from .months import Month

WINDOW_MONTHS = 12


class ComparisonRow(Record):
    customer_id: str
    customer: str
    product_id: str
    months: int
    average_units: Decimal
    peak_units: int
    msp_cost: Decimal
    annual: tuple[Decimal | None, ...]  # terms 1..5; None where there are no prices for a term
    best_option: str
    saving: Decimal
    saving_per_year: Decimal

    @property
    def best_annual(self) -> Decimal | None:
        """The cheapest annual term's cost (what the Comparison chart sets against MSP)."""
        costs = [c for c in self.annual if c is not None]
        return min(costs) if costs else None


def window(month: Month) -> list[Month]:
    """The billing month and the 11 months before it, oldest first."""
    return [month.shift(-back) for back in range(WINDOW_MONTHS - 1, -1, -1)]


def annual_metric(
    products: Sequence[Product], prices: Sequence[AnnualPrice], product_id: str
) -> Product | None:
    """The product's metric that has annual prices (the first, in Products order)."""
    priced = {(p.product_id, p.metric) for p in prices}
    for product in products:
        if product.product_id == product_id and (product_id, product.metric) in priced:
            return product
    return None


def comparison_rows(
    inputs: Inputs,
    month: Month,
    lines_by_month: Mapping[Month, Sequence[BillingLine | UnpricedLine]],
) -> list[ComparisonRow]:
    """Comparison rows, largest saving first, from the billing lines of the window's months
    (priced or not: only quantities and list prices count)."""
    prices = {(p.product_id, p.metric): p.price_per_unit for p in inputs.products}
    months = window(month)
    # (customer, product) -> month -> lines
    usage: dict[tuple[str, str], dict[Month, list[BillingLine | UnpricedLine]]] = defaultdict(
        lambda: defaultdict(list)
    )
    names: dict[str, str] = {}
    for m in months:
        for line in lines_by_month.get(m, ()):
            if line.type == "correction":
                continue
            usage[(line.customer_id, line.product_id)][m].append(line)
            names[line.customer_id] = line.customer
    rows = []
    for (customer_id, product_id), by_month in usage.items():
        metric = annual_metric(inputs.products, inputs.annual_prices, product_id)
        if metric is None:
            continue
        first = min(by_month)
        span = [m for m in months if m >= first]
        profile = [
            sum(li.quantity for li in by_month.get(m, ()) if li.metric == metric.metric)
            for m in span
        ]
        msp = sum(
            (
                round_money(li.quantity * prices.get((li.product_id, li.metric), li.unit_price))
                for m in span
                for li in by_month.get(m, ())
            ),
            ZERO,
        )
        annual = tuple(_annual(inputs.annual_prices, metric, term, profile) for term in TERMS)
        best, saving = _best(msp, annual)
        rows.append(
            ComparisonRow(
                customer_id=customer_id,
                customer=names[customer_id],
                product_id=product_id,
                months=len(span),
                average_units=(Decimal(sum(profile)) / len(span)).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                ),
                peak_units=max(profile),
                msp_cost=msp,
                annual=annual,
                best_option=best,
                saving=saving,
                saving_per_year=round_money(saving * 12 / Decimal(len(span))),
            )
        )
    rows.sort(key=lambda r: (-r.saving, r.customer_id, r.product_id))
    return rows


def _annual(
    prices: Sequence[AnnualPrice], metric: Product, term: int, profile: list[int]
) -> Decimal | None:
    tiers = tiers_for(prices, metric.product_id, metric.metric, term)
    return annual_cost(tiers, profile) if tiers else None


def _best(msp: Decimal, annual: tuple[Decimal | None, ...]) -> tuple[str, Decimal]:
    """Cheapest option (ties: MSP, then the shorter term) and its saving against the runner-up."""
    options = [("MSP", msp)] + [
        (f"Annual {t}y", c) for t, c in zip(TERMS, annual, strict=True) if c is not None
    ]
    ranked = sorted(enumerate(options), key=lambda item: (item[1][1], item[0]))
    best = ranked[0][1]
    runner_up = ranked[1][1] if len(ranked) > 1 else best
    return best[0], runner_up[1] - best[1]
