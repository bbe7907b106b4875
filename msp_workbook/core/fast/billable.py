"""The comparison window's open months billed for every key at once, in arrays.

`billable.bill_window` bills one key's metric month by month (`billable.billed_months`: the
plain rules). Here the same rules (billable's module doc, rules 1-4 and 6) are applied with numpy
to every (license key, metric) and every open month of the window together:

- a month outside the key's Start..End period bills nothing;
- a month with readings bills their aggregated quantity (`usage`);
- a month without: nothing for a suspended key, else an estimate (0 for a `sum` metric or with
  Missing usage = zero, else the latest earlier month's quantity, 0 if none);
- a key that is not suspended is raised to its metric's Minimum units;
- a quantity of 0 bills nothing, unless the line is an estimate.

What the comparison needs is then summed per customer and product (a `WindowBlock`): the units
of the product's annual-priced metric per month, and the MSP cost of all its lines,
round(quantity x list price) each, added up in whole cents (`fast.comparison` makes the rows
from it). What the window's last month bills for each (key, metric) can come back as
`billable.Billed` too, made by `billable.billed_in_period` from the same arrays, so that billing
that month need not work it out again.

numpy is not everywhere the workbook runs (xlwings Lite), and amounts could in principle pass 64
bits: in both cases `bill_open_months` says so, and the caller uses the plain rules.
`tests/test_fast_billing.py` holds the two to equal results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..billable import Billed, billed_in_period, keys_in_window
from ..comparison import WindowUnits
from ..models import Customer, Inputs, LicenseKey, Product, Settings
from ..money import round_money
from ..months import Month
from ..usage import UsageIndex

if TYPE_CHECKING:
    import numpy as np

_NO_END = 1 << 40  # a month ordinal after every real one: the last month of a key without End
_STRIDE = 1 << 17  # more than any month ordinal (9999-12 is 119,999)
LIMIT = 1 << 62  # sums of units and of cents must stay below this to be exact in int64

LastMonth = dict[tuple[str, str], Billed | None]  # (license key, metric) -> what it bills


@dataclass(frozen=True)
class WindowBlock:
    """What the open months bill per (customer, product), over the window's months: the units of
    the product's annual-priced metric per month (-1 in a month without lines of the product)
    and the MSP cost of all its lines, in cents."""

    groups: list[tuple[Customer, str]]  # the customer (as on Customers) and the product ID
    units: np.ndarray  # int64, one row per group, one column per window month
    msp_cents: np.ndarray  # int64, one per group


def bill_open_months(
    window: WindowUnits,
    inputs: Inputs,
    months: Sequence[Month],
    usage: UsageIndex,
    *,
    last_month: bool = False,
) -> tuple[WindowBlock, LastMonth] | None:
    """Bill `months` (ascending, months of the `window`) for every key's metrics and sum them per
    customer and product. With `last_month`, also what the last of the months bills for each
    (license key, metric) of the keys whose period touches `months` (else an empty mapping).
    None where numpy is missing or a number does not fit 64 bits: then bill with
    `billable.bill_window`."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a dependency wherever fastexcel is
        return None
    bill = _bill(inputs, months, usage)
    if bill is None:
        return None
    width = len(window.months)
    pairs = bill.pairs
    if not pairs.keys:
        empty = np.zeros((0, width), dtype=np.int64)
        return WindowBlock([], empty, np.zeros(0, dtype=np.int64)), {}
    billed, quantity, product = bill.billed, bill.quantity, bill.product
    found = _group_sums(window, inputs, pairs, billed, quantity, product)
    if found is None:
        return None
    present, summed, msp_cents = found
    units = np.full((len(pairs.groups), width), -1, dtype=np.int64)
    units[:, window.positions(months)] = np.where(present, summed, -1)
    billing = present.any(axis=1)  # a group whose keys bill nothing in the months is left out
    groups = [group for group, kept in zip(pairs.groups, billing.tolist(), strict=True) if kept]
    block = WindowBlock(groups, units[billing], msp_cents[billing])
    if not last_month:
        return block, {}
    return block, _last_month(
        pairs,
        months[-1],
        inputs.settings,
        bill.in_period,
        bill.reported,
        bill.earlier,
        bill.at,
        bill.month_of,
        bill.quantity_of,
    )


@dataclass(frozen=True)
class _Billed:
    """Every (license key, metric) of keys whose period touches the months (`pairs`, one row
    each) against the months (one column each): what they bill and how it came about."""

    pairs: _Pairs
    billed: np.ndarray  # bool: the pair bills a line in the month
    quantity: np.ndarray  # int64: the quantity billed (where `billed`)
    product: np.ndarray  # the index of each pair's product in inputs.products
    in_period: np.ndarray
    reported: np.ndarray
    earlier: np.ndarray
    at: np.ndarray
    month_of: np.ndarray
    quantity_of: np.ndarray


def _bill(inputs: Inputs, months: Sequence[Month], usage: UsageIndex) -> _Billed | None:
    """Rules 1-4 and 6 for every pair and month at once (None: no arrays, or too large)."""
    import numpy as np

    flat = usage.arrays()
    if flat is None:
        return None
    if max((p.minimum_units for p in inputs.products), default=0) >= LIMIT:
        return None
    pairs = _Pairs.of(inputs, months, usage) if months else _Pairs()
    if not pairs.keys:
        nothing = np.zeros((0, len(months)), dtype=bool)
        return _Billed(pairs, nothing, nothing.astype(np.int64), np.zeros(0, dtype=np.int64),
                       *(nothing for _ in range(4)), np.zeros(0), np.zeros(0))  # fmt: skip
    ordinals = np.array([m.ordinal for m in months], dtype=np.int64)
    month_of, quantity_of = (np.append(a, fill) for a, fill in zip(flat, (-1, 0), strict=True))

    # Where each pair's readings stand against each month: one sorted search over all pairs.
    lo = np.array(pairs.lows, dtype=np.int64)
    hi = np.array(pairs.highs, dtype=np.int64)
    spans = np.array(usage.spans(), dtype=np.int64).reshape(-1, 2)
    owner = np.repeat(spans[:, 0], spans[:, 1] - spans[:, 0])  # each reading's span start
    at = np.searchsorted(owner * _STRIDE + flat[0], lo[:, None] * _STRIDE + ordinals)
    reported = (at < hi[:, None]) & (month_of[at] == ordinals)
    earlier = (hi > lo)[:, None] & (at > lo[:, None])

    product = np.array(pairs.product_index, dtype=np.int64)
    carry = inputs.settings.missing_usage == "carry forward"
    carries = np.array([carry and p.aggregation != "sum" for p in inputs.products])[product]
    minimum = np.array([p.minimum_units for p in inputs.products], dtype=np.int64)[product]
    first = np.array(pairs.firsts, dtype=np.int64)[:, None]
    last = np.array(pairs.lasts, dtype=np.int64)[:, None]
    suspended = np.array(pairs.suspended, dtype=bool)[:, None]

    in_period = (ordinals >= first) & (ordinals <= last)
    estimated = in_period & ~reported & ~suspended
    estimate = np.where(carries[:, None] & earlier, quantity_of[at - 1], 0)
    quantity = np.where(reported, quantity_of[at], estimate)
    raised = in_period & ~suspended & (quantity < minimum[:, None])
    quantity = np.where(raised, minimum[:, None], quantity)
    billed = in_period & (reported | ~suspended) & ((quantity != 0) | estimated)

    return _Billed(
        pairs, billed, quantity, product, in_period, reported, earlier, at, month_of, quantity_of
    )


def billed_quantities(
    inputs: Inputs, months: Sequence[Month], usage: UsageIndex
) -> list[dict[tuple[str, str], int]] | None:
    """Per month (in the order given): the quantity each (license key, metric) bills, where it
    bills a line; the same as `billable.bill_window` gives, for every key at once (a
    `corrections.CorrectionWindow`'s quantities). None where numpy is missing or a number does
    not fit 64 bits."""
    try:
        import numpy  # noqa: F401
    except ImportError:  # pragma: no cover - numpy is a dependency wherever fastexcel is
        return None
    bill = _bill(inputs, months, usage) if months else None
    if bill is None:
        return None if months else []
    pairs = [
        (k.license_key, p.metric) for k, p in zip(bill.pairs.keys, bill.pairs.products, strict=True)
    ]
    found: list[dict[tuple[str, str], int]] = []
    for column in range(len(months)):
        rows = bill.billed[:, column].nonzero()[0]
        quantities = bill.quantity[rows, column].tolist()
        found.append({pairs[r]: q for r, q in zip(rows.tolist(), quantities, strict=True)})
    return found


class _Pairs:
    """Every (license key, metric) whose key's period touches the months, as columns, and the
    (customer, product) group each one is summed into."""

    def __init__(self) -> None:
        self.keys: list[LicenseKey] = []
        self.products: list[Product] = []
        self.product_index: list[int] = []
        self.firsts: list[int] = []
        self.lasts: list[int] = []
        self.suspended: list[bool] = []
        self.lows: list[int] = []
        self.highs: list[int] = []
        self.group: list[int] = []
        self.groups: list[tuple[Customer, str]] = []

    @classmethod
    def of(cls, inputs: Inputs, months: Sequence[Month], usage: UsageIndex) -> _Pairs:
        found = cls()
        index_of = {id(p): i for i, p in enumerate(inputs.products)}
        groups: dict[tuple[str, str], int] = {}
        for key, (first, last), customer, products in keys_in_window(inputs, months):
            group = groups.get((key.customer_id, key.product_id))
            if group is None:
                group = groups[(key.customer_id, key.product_id)] = len(found.groups)
                found.groups.append((customer, key.product_id))
            for product in products:
                lo, hi = usage.span(key.license_key, product.metric) or (0, 0)
                found.keys.append(key)
                found.products.append(product)
                found.product_index.append(index_of[id(product)])
                found.firsts.append(first)
                found.lasts.append(_NO_END if last is None else last)
                found.suspended.append(key.status == "suspended")
                found.lows.append(lo)
                found.highs.append(hi)
                found.group.append(group)
        return found


def _group_sums(
    window: WindowUnits,
    inputs: Inputs,
    pairs: _Pairs,
    billed: np.ndarray,
    quantity: np.ndarray,
    product: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Per group and month: whether it has lines and the units of the annual-priced metric; per
    group: the MSP cost in cents. None when a sum could pass 64 bits."""
    import numpy as np

    rows, columns = np.nonzero(billed)
    quantities = quantity[rows, columns]
    products = product[rows]
    groups = np.array(pairs.group, dtype=np.int64)[rows]
    top = int(quantities.max()) + 1 if len(quantities) else 1
    if top * (len(quantities) + len(inputs.products)) >= LIMIT:
        return None
    # round(quantity x list price), worked out once per product and quantity
    distinct, where = np.unique(products * top + quantities, return_inverse=True)
    cents = [
        int(round_money(q * inputs.products[p].price_per_unit).scaleb(2))
        for p, q in (divmod(d, top) for d in distinct.tolist())
    ]
    if cents and max(abs(c) for c in cents) * len(quantities) >= LIMIT:
        return None
    counted = np.array(
        [window.counts_units(p.product_id, p.metric) for p in inputs.products], dtype=bool
    )
    shape = (len(pairs.groups), billed.shape[1])
    present = np.zeros(shape, dtype=bool)
    present[groups, columns] = True
    summed = np.zeros(shape, dtype=np.int64)
    np.add.at(summed, (groups, columns), np.where(counted[products], quantities, 0))
    msp_cents = np.zeros(len(pairs.groups), dtype=np.int64)
    np.add.at(msp_cents, groups, np.array(cents, dtype=np.int64)[where])
    return present, summed, msp_cents


def _last_month(
    pairs: _Pairs,
    month: Month,
    settings: Settings,
    in_period: np.ndarray,
    reported: np.ndarray,
    earlier: np.ndarray,
    at: np.ndarray,
    month_of: np.ndarray,
    quantity_of: np.ndarray,
) -> LastMonth:
    """What the months' last one bills per (license key, metric), by `billed_in_period`
    (`month_of` and `quantity_of`: the flat readings and one filler after them)."""
    here = at[:, -1]
    found: LastMonth = {}
    for key, product, inside, has, quantity, before, earlier_month, earlier_quantity in zip(
        pairs.keys,
        pairs.products,
        in_period[:, -1].tolist(),
        reported[:, -1].tolist(),
        quantity_of[here].tolist(),
        earlier[:, -1].tolist(),
        month_of[here - 1].tolist(),
        quantity_of[here - 1].tolist(),
        strict=True,
    ):
        found[(key.license_key, product.metric)] = (
            billed_in_period(
                product,
                month,
                settings,
                key.status == "suspended",
                quantity if has else None,
                (earlier_month, earlier_quantity) if before else None,
            )
            if inside
            else None
        )
    return found
