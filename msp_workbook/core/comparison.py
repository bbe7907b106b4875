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

from .annual import TERMS, annual_cost, orders, tiers_for
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
    names: dict[str, str] = {}
    # (customer, product) -> per window month: the lines' units of each metric, and whether
    # the month has lines; and the MSP cost of the lines.
    units: dict[tuple[str, str], list[dict[str, int] | None]] = {}
    msp_costs: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    line_costs: dict[tuple[int, Decimal], Decimal] = {}  # round(quantity x price), computed once
    for position, m in enumerate(months):
        for line in lines_by_month.get(m, ()):
            if line.type == "correction":
                continue
            group = (line.customer_id, line.product_id)
            names[line.customer_id] = line.customer
            per_month = units.get(group)
            if per_month is None:
                per_month = units[group] = [None] * len(months)
            by_metric = per_month[position]
            if by_metric is None:
                by_metric = per_month[position] = defaultdict(int)
            by_metric[line.metric] += line.quantity
            price = prices.get((line.product_id, line.metric), line.unit_price)
            cost = line_costs.get((line.quantity, price))
            if cost is None:
                cost = line_costs[(line.quantity, price)] = round_money(line.quantity * price)
            msp_costs[group] += cost
    metrics = {
        pid: annual_metric(inputs.products, inputs.annual_prices, pid)
        for pid in {product_id for _, product_id in units}
    }
    tiers = {
        (metric.product_id, term): tiers_for(
            inputs.annual_prices, metric.product_id, metric.metric, term
        )
        for metric in metrics.values()
        if metric is not None
        for term in TERMS
    }
    rows = []
    for (customer_id, product_id), per_month in units.items():
        metric = metrics[product_id]
        if metric is None:
            continue
        first = next(i for i, found in enumerate(per_month) if found is not None)
        span = per_month[first:]  # from the first month with lines
        profile = [found.get(metric.metric, 0) if found else 0 for found in span]
        msp = msp_costs[(customer_id, product_id)]
        placed: dict[int, list[tuple[int, int]]] = {}  # by the lowest tier's Min units
        annual = tuple(
            annual_cost(t, profile, _orders(placed, profile, t[0].min_units))
            if (t := tiers[(product_id, term)])
            else None
            for term in TERMS
        )
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


def _orders(
    known: dict[int, list[tuple[int, int]]], profile: list[int], minimum: int
) -> list[tuple[int, int]]:
    """The profile's orders, worked out once for all terms whose lowest tier starts alike."""
    if minimum not in known:
        known[minimum] = orders(profile, minimum)
    return known[minimum]


def _best(msp: Decimal, annual: tuple[Decimal | None, ...]) -> tuple[str, Decimal]:
    """Cheapest option (ties: MSP, then the shorter term) and its saving against the runner-up."""
    options = [("MSP", msp)] + [
        (f"Annual {t}y", c) for t, c in zip(TERMS, annual, strict=True) if c is not None
    ]
    ranked = sorted(enumerate(options), key=lambda item: (item[1][1], item[0]))
    best = ranked[0][1]
    runner_up = ranked[1][1] if len(ranked) > 1 else best
    return best[0], runner_up[1] - best[1]
