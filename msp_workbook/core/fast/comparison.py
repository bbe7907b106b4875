"""Comparison rows for every customer and product at once, in arrays.

The same rows as `WindowUnits.rows` (the plain rule; the rules are in `comparison`'s and
`annual`'s module docs), worked out with numpy in whole cents instead of one Decimal profile at a
time:

- the profile of a customer's product starts at its first month with lines; a month without
  lines counts 0 units;
- an annual term's cost: the licensed count is the running maximum of the profile, starting at
  least at the lowest tier's Min units; every rise is an order, priced at the rate of the tier
  its own size falls in, for the months left; the sum is divided by 12 and rounded half up to the
  cent once, at the end (in cents: exactly, with integers);
- the best option is the cheapest (ties: MSP, then the shorter term), the saving is what it saves
  against the best option of the other model (the cheapest term when MSP is best, else MSP),
  and per year saving x 12 / months, rounded half up.

`comparison_rows_in_bulk` returns None where an amount could pass 64 bits or a price is negative:
then the caller uses the reference. `tests/test_fast_billing.py` holds the two to equal rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ..annual import TierRates, tiers_for
from ..comparison import ComparisonRow, GroupKey, WindowUnits
from ..vocabulary import TERMS
from .billable import LIMIT, WindowBlock

if TYPE_CHECKING:
    import numpy as np

_NONE = LIMIT  # the cost of a term without prices: never the cheapest, never the runner-up
OPTIONS = ("MSP", *(f"Annual {term}y" for term in TERMS))


def comparison_rows_in_bulk(window: WindowUnits, block: WindowBlock) -> list[ComparisonRow] | None:
    """Comparison rows, largest saving first, from the open months' `block` and the closed
    months' lines already added to `window`. None where the integers could overflow."""
    groups, names, units, msp = _merged(window, block)
    if (msp < 0).any() or (units.size and int(units.max()) * units.shape[1] * 400 >= LIMIT):
        return None
    by_product: dict[str, list[int]] = {}
    for i, (_, product_id) in enumerate(groups):
        if window.annual_metrics.get(product_id) is not None:
            by_product.setdefault(product_id, []).append(i)
    rows: list[ComparisonRow] = []
    try:
        for product_id, chosen in by_product.items():
            customers = [(groups[i][0], names[groups[i][0]][1]) for i in chosen]
            rows += _product_rows(window, product_id, customers, units[chosen], msp[chosen])
    except _TooLarge:
        return None
    rows.sort(key=lambda r: (-r.saving, r.customer_id, r.product_id))
    return rows


def _product_rows(
    window: WindowUnits,
    product_id: str,
    customers: list[tuple[str, str]],
    units: np.ndarray,
    msp: np.ndarray,
) -> list[ComparisonRow]:
    """The rows of one product: one per customer (ID and name), from its units per window month
    (-1 without lines) and its MSP cost in cents."""
    import numpy as np

    width = units.shape[1]
    first = np.argmax(units >= 0, axis=1)  # every group has a month with lines
    profile = units.clip(0)
    months = width - first
    costs = [msp]
    for term in TERMS:
        cost = _annual_cents(window, product_id, term, profile, first)
        costs.append(np.full(len(msp), _NONE, dtype=np.int64) if cost is None else cost)
    table = np.stack(costs, axis=1)
    best = np.argmin(table, axis=1)  # the first of equal costs: MSP, then the shorter term
    cheapest_term = table[:, 1:].min(axis=1)
    saving = np.where(
        best == 0,
        np.where(cheapest_term == _NONE, 0, cheapest_term - table[:, 0]),
        table[:, 0] - cheapest_term,
    )
    average = _half_up(profile.sum(axis=1) * 100, months)
    per_year = _half_up(saving * 12, months)
    return [
        ComparisonRow(
            customer_id=customer[0],
            customer=customer[1],
            product_id=product_id,
            months=months_of,
            average_units=_money(avg),
            peak_units=top,
            msp_cost=_money(row_costs[0]),
            annual=tuple(None if c == _NONE else _money(c) for c in row_costs[1:]),
            best_option=OPTIONS[best_at],
            saving=_money(save),
            saving_per_year=_money(save_year),
        )
        for customer, row_costs, best_at, months_of, avg, top, save, save_year in zip(
            customers,
            table.tolist(),
            best.tolist(),
            months.tolist(),
            average.tolist(),
            profile.max(axis=1).tolist(),
            saving.tolist(),
            per_year.tolist(),
            strict=True,
        )
    ]


def _merged(
    window: WindowUnits, block: WindowBlock
) -> tuple[list[GroupKey], dict[str, tuple[int, str]], np.ndarray, np.ndarray]:
    """The block's groups and the closed months' groups of `window` in one set of arrays
    (units -1 in a month without lines; MSP in cents), and each customer's name with the window
    position it was taken from (the name on its latest lines)."""
    import numpy as np

    groups: list[GroupKey] = [(c.customer_id, product_id) for c, product_id in block.groups]
    names: dict[str, tuple[int, str]] = {}
    latest = (block.units.shape[1] - 1 - np.argmax(block.units[:, ::-1] >= 0, axis=1)).tolist()
    for (customer, _), position in zip(block.groups, latest, strict=True):
        named = names.get(customer.customer_id)
        if named is None or position > named[0]:
            names[customer.customer_id] = (position, customer.customer)
    index = {group: i for i, group in enumerate(groups)}
    units, msp = block.units.copy(), block.msp_cents.copy()
    extra_units: list[list[int]] = []
    extra_msp: list[int] = []
    for group, per_month, cost in window.totals():
        row = [-1 if u is None else u for u in per_month]
        cents = int(cost.scaleb(2))  # exact: a sum of amounts rounded to the cent
        at = index.get(group)
        if at is None:
            index[group] = len(groups)
            groups.append(group)
            extra_units.append(row)
            extra_msp.append(cents)
        else:  # closed and open months of the same group: different months
            theirs = np.array(row, dtype=np.int64)
            units[at] = np.where(
                (units[at] >= 0) & (theirs >= 0), units[at] + theirs, np.maximum(units[at], theirs)
            )
            msp[at] += cents
        position, name = window.name_of(group[0])
        named = names.get(group[0])
        if named is None or position > named[0]:  # open months win a tie: added after
            names[group[0]] = (position, name)
    if extra_units:
        units = np.concatenate([units, np.array(extra_units, dtype=np.int64)])
        msp = np.concatenate([msp, np.array(extra_msp, dtype=np.int64)])
    return groups, names, units, msp


class _TooLarge(Exception):
    """An amount that integers of 64 bits might not hold exactly (or a negative rate)."""


def _annual_cents(
    window: WindowUnits, product_id: str, term: int, profile: np.ndarray, first: np.ndarray
) -> np.ndarray | None:
    """Each profile's annual cost for the term in cents; None without prices for the term.
    Raises _TooLarge where the integers could overflow (or a rate is negative)."""
    import numpy as np

    metric = window.annual_metrics[product_id]
    assert metric is not None
    tiers = tiers_for(window.inputs.annual_prices, product_id, metric.metric, term)
    if not tiers:
        return None
    rows = np.arange(len(profile))
    licensed = profile.copy()
    licensed[rows, first] = np.maximum(licensed[rows, first], tiers[0].min_units)
    licensed = np.maximum.accumulate(licensed, axis=1)
    orders = np.diff(licensed, axis=1, prepend=0)  # what each month orders (0: nothing)
    sizes = np.unique(orders[orders > 0])
    rate_of = TierRates(tiers)
    rates = [rate_of(size) for size in sizes.tolist()]
    if any(r < 0 for r in rates):
        raise _TooLarge
    places = max([0, *(-r.as_tuple().exponent for r in rates)])  # decimals of the finest rate
    scaled = [int(r.scaleb(places)) for r in rates]
    width = profile.shape[1]
    top = int(orders.max()) if orders.size else 0
    if top * max(scaled, default=0) * width * width * 200 >= LIMIT or places > 15:
        raise _TooLarge
    rate = np.zeros(orders.shape, dtype=np.int64)
    ordered = orders > 0
    rate[ordered] = np.array(scaled, dtype=np.int64)[np.searchsorted(sizes, orders[ordered])]
    months_left = width - np.arange(width)  # an order in the window's month c runs to its end
    paid_x12 = (orders * rate * months_left).sum(axis=1)
    return _half_up(paid_x12 * 100, 12 * 10**places)


def _half_up(numerator: np.ndarray, denominator: np.ndarray | int) -> np.ndarray:
    """numerator / denominator rounded half up to a whole number (both >= 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)
