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
  saves against the best option of the other model (the cheapest annual term when MSP is best,
  MSP when an annual term is: equal annual prices per term never hide a saving), and per year
  Saving x 12 / W.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from .annual import TierRates, annual_cost, orders, tiers_for
from .billable import Billed
from .models import AnnualPrice, BillingLine, Customer, Inputs, Product, Record
from .money import ZERO, round_money
from .months import Month
from .vocabulary import TERMS

WINDOW_MONTHS = 12
GroupKey = tuple[str, str]  # (customer ID, product ID)


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
    lines_by_month: Mapping[Month, Sequence[BillingLine]],
) -> list[ComparisonRow]:
    """Comparison rows, largest saving first, from the billing lines of the window's months
    (only their quantities and list prices count)."""
    units = WindowUnits(inputs, month)
    for m in units.months:
        units.add_lines(m, lines_by_month.get(m, ()))
    return units.rows()


class BilledLine(Protocol):
    """What the comparison reads of a month's line (a `BillingLine` has it)."""

    type: str
    customer_id: str
    customer: str
    product_id: str
    metric: str
    quantity: int
    unit_price: Decimal


class WindowUnits:
    """The units billed in the window per customer, product and month (of the product's
    annual-priced metric) and their MSP cost (all metrics): filled month by month, oldest first,
    then turned into comparison rows."""

    def __init__(self, inputs: Inputs, month: Month) -> None:
        self.inputs = inputs
        self.months = window(month)
        self._position = {m: i for i, m in enumerate(self.months)}
        self._prices = {(p.product_id, p.metric): p.price_per_unit for p in inputs.products}
        # product ID -> its annual-priced metric (None: no annual prices, not compared)
        self.annual_metrics = {
            pid: annual_metric(inputs.products, inputs.annual_prices, pid)
            for pid in dict.fromkeys(p.product_id for p in inputs.products)
        }
        self._names: dict[str, tuple[int, str]] = {}
        # (customer, product) -> per window month: units of the annual-priced metric, None in a
        # month without lines of the product
        self._units: dict[GroupKey, list[int | None]] = {}
        self._msp: dict[GroupKey, Decimal] = defaultdict(lambda: ZERO)
        # (product, metric) -> quantity -> round(quantity x list price)
        self._costs: dict[tuple[str, str], dict[int, Decimal]] = {}

    def counts_units(self, product_id: str, metric: str) -> bool:
        """Whether the metric is its product's annual-priced one (its units are compared)."""
        found = self.annual_metrics.get(product_id)
        return found is not None and found.metric == metric

    def add_lines(self, month: Month, lines: Iterable[BilledLine]) -> None:
        """A month's billing lines (corrections are not usage of the month: left out)."""
        self.add_rows(
            month,
            (
                (li.type, li.customer_id, li.customer, li.product_id, li.metric, li.quantity,
                 li.unit_price)
                for li in lines
            ),
        )  # fmt: skip

    def add_rows(
        self, month: Month, rows: Iterable[tuple[str, str, str, str, str, int, Decimal]]
    ) -> None:
        """`add_lines` of lines given as (type, customer ID, customer, product ID, metric,
        quantity, unit price) rows: a year of closed months at L size is 200,000 lines, read
        from the Ledger's columns without records (`Ledger.line_rows`)."""
        position = self._position[month]
        names, units, msp = self._names, self._units, self._msp
        width = len(self.months)
        # (product, metric) -> (list price or None, its costs by quantity, counts units)
        metrics: dict[tuple[str, str], tuple[Decimal | None, dict[int, Decimal], bool]] = {}
        for line_type, customer_id, customer, product_id, metric, quantity, unit_price in rows:
            if line_type == "correction":
                continue
            group = (customer_id, product_id)
            per_month = units.get(group)
            if per_month is None:
                per_month = units[group] = [None] * width
            named = names.get(customer_id)
            if named is None or position >= named[0]:  # the name on the latest month's lines
                names[customer_id] = (position, customer)
            found = metrics.get((product_id, metric))
            if found is None:
                found = metrics[(product_id, metric)] = (
                    self._prices.get((product_id, metric)),
                    self._costs.setdefault((product_id, metric), {}),
                    self.counts_units(product_id, metric),
                )
            price, costs, counted = found
            if price is None:  # a product no longer on Products: the price it was billed at
                cost = round_money(quantity * unit_price)
            else:
                cost = costs.get(quantity)
                if cost is None:
                    cost = costs[quantity] = round_money(quantity * price)
            per_month[position] = (per_month[position] or 0) + (quantity if counted else 0)
            msp[group] += cost

    def positions(self, months: Iterable[Month]) -> list[int]:
        """Where months are in the window (for `add_billed`)."""
        return [self._position[m] for m in months]

    def add_billed(
        self,
        positions: Sequence[int],
        customer: Customer,
        product: Product,
        billed: Sequence[Billed | None],
    ) -> None:
        """One key's metric over some of the window's months (at `positions`), as
        `billable.bill_window` gives it: one entry per month, None where it bills nothing."""
        found = [(p, b.quantity) for p, b in zip(positions, billed, strict=True) if b is not None]
        if not found:
            return
        group = self._group(
            customer.customer_id, customer.customer, product.product_id, found[-1][0]
        )
        metric, price = product.metric, product.price_per_unit
        counted = self.counts_units(product.product_id, metric)
        costs = self._costs.setdefault((product.product_id, metric), {})
        per_month = self._units[group]
        msp = ZERO
        for position, quantity in found:  # `_cost`, inline: a call per key-month
            per_month[position] = (per_month[position] or 0) + (quantity if counted else 0)
            cost = costs.get(quantity)
            if cost is None:
                cost = costs[quantity] = round_money(quantity * price)
            msp += cost
        self._msp[group] += msp

    def totals(self) -> Iterator[tuple[GroupKey, list[int | None], Decimal]]:
        """What has been added, per (customer, product): the units per window month (None
        without lines) and the MSP cost."""
        for group, per_month in self._units.items():
            yield group, per_month, self._msp[group]

    def name_of(self, customer_id: str) -> tuple[int, str]:
        """The customer's name on the latest lines added, and that month's window position."""
        return self._names[customer_id]

    def _group(self, customer_id: str, customer: str, product_id: str, position: int) -> GroupKey:
        group = (customer_id, product_id)
        if group not in self._units:
            self._units[group] = [None] * len(self.months)
        named = self._names.get(customer_id)
        if named is None or position >= named[0]:  # the name on the latest month's lines
            self._names[customer_id] = (position, customer)
        return group

    def rows(self) -> list[ComparisonRow]:
        """Comparison rows, largest saving first."""
        inputs = self.inputs
        metrics = self.annual_metrics
        tiers = {
            (metric.product_id, term): tiers_for(
                inputs.annual_prices, metric.product_id, metric.metric, term
            )
            for metric in metrics.values()
            if metric is not None
            for term in TERMS
        }
        rates = {key: TierRates(found) for key, found in tiers.items()}
        known: dict[tuple[str | int, ...], tuple[Decimal | None, ...]] = {}
        rows = []
        for (customer_id, product_id), per_month in self._units.items():
            metric = metrics.get(product_id)
            if metric is None:
                continue
            first = next(i for i, found in enumerate(per_month) if found is not None)
            span = per_month[first:]  # from the first month with lines
            profile = [found or 0 for found in span]
            msp = self._msp[(customer_id, product_id)]
            annual = known.get((product_id, *profile))
            if annual is None:  # customers of a product often use it alike: once per profile
                placed: dict[int, list[tuple[int, int]]] = {}  # by the lowest tier's Min units
                annual = known[(product_id, *profile)] = tuple(
                    annual_cost(t, profile, _orders(placed, profile, t[0].min_units), rates[key])
                    if (t := tiers[(key := (product_id, term))])
                    else None
                    for term in TERMS
                )
            best, saving = _best(msp, annual)
            rows.append(
                ComparisonRow(
                    customer_id=customer_id,
                    customer=self._names[customer_id][1],
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
    """Cheapest option (ties: MSP, then the shorter term) and its saving against the best option
    of the other model (SPEC 5): the cheapest annual term when MSP is best, else MSP."""
    best, lowest = "MSP", msp
    for term, cost in zip(TERMS, annual, strict=True):
        if cost is not None and cost < lowest:  # strictly: on a tie the earlier option stays
            best, lowest = f"Annual {term}y", cost
    if best != "MSP":
        return best, msp - lowest
    terms = [cost for cost in annual if cost is not None]
    return best, (min(terms) - msp) if terms else Decimal("0.00")
