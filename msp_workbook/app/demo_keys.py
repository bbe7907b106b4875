"""The demo reseller's license keys (`demo_data`): which customer has which product since when,
in which status and with which note, planned over the demo's months with the roles a billing run
should meet (a missing reading, a key not live yet, suspended and cancelled keys), in the order
the keys were made.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from ..core.months import Month
from ..workbook import schema
from .demo_customers import CUSTOMERS, customer_id

# Months of usage in the demo, ending at (and including) the month to bill.
DEMO_MONTHS = 14

# The products' IDs (`example_prices.PRODUCTS`).
KC, KCTL, KOP, LG = "KC-MSP", "KCTL-MSP", "KOP-MSP", "LG-MSP"

# Every customer has KerioConnect; this many further keys go to random customer/product pairs.
_EXTRA_KEYS = 50

_SUSPENDED_NOTES = (
    "Suspended: invoices overdue",
    "Suspended: closed for renovation",
    "Suspended on the customer's request",
    None,
)
_CANCELLED_NOTES = (
    "Moved to another provider",
    "Business closed",
    "Replaced by an on-premise installation",
    "Merged into the parent company's tenant",
    "Cancelled at the end of the contract",
)
_ACTIVE_NOTES = (
    "Migrated from an on-premise server",
    "Set up together with new hardware",
    "Contact: office manager",
    "Referred by another customer",
)
_ACTIVE_NOTE_SHARE = 0.08


@dataclass
class PlannedKey:
    """A license key being made, with the demo's plan for its usage."""

    customer: int  # index into CUSTOMERS
    product_id: str
    start: date
    end: date | None = None
    status: str = "active"
    note: str | None = None
    license_key: str = ""
    # Suspended keys: the months with readings. None: every month the key is live.
    reporting: set[Month] | None = None
    # A month without readings although the key is live and active.
    skipped: Month | None = None


def _day(rng: random.Random, month: Month, first: int = 1, last: int = 28) -> date:
    return date(month.year, month.month, rng.randint(first, last))


def plan_keys(rng: random.Random, first_month: Month, last_month: Month) -> list[PlannedKey]:
    """Which customer has which product since when, in which status; in the order keys were made."""
    pairs = [(c, KC) for c in range(len(CUSTOMERS))]
    others = [(c, p) for c in range(len(CUSTOMERS)) for p in (KCTL, KOP, LG)]
    pairs += rng.sample(others, _EXTRA_KEYS)

    keys = []
    for customer, product_id in pairs:
        if rng.random() < 0.4:  # a customer from before the 14 months
            start_month = first_month.shift(-rng.randint(1, 36))
        else:
            start_month = first_month.shift(rng.randint(0, DEMO_MONTHS - 1))
        keys.append(PlannedKey(customer, product_id, _day(rng, start_month)))

    # Special roles, each on a different key.
    kc_keys = [i for i, k in enumerate(keys) if k.product_id == KC]
    unused = list(range(len(keys)))
    skipped = rng.choice(kc_keys)
    unused.remove(skipped)
    roles = rng.sample(unused, 1 + 4 + 5)
    future, suspended, cancelled = roles[0], roles[1:5], roles[5:]

    # Carry forward: a long-standing active KerioConnect key whose usage export for the month to
    # bill never arrived. Billing estimates it from the month before (Type `estimated`) and
    # warns in Checks.
    key = keys[skipped]
    key.start = _day(rng, first_month.shift(-rng.randint(3, 24)))
    key.skipped = last_month
    key.note = f"Usage export for {last_month} not received yet; billed as an estimate"

    # Ordered, goes live after the month to bill: not billable yet, no usage.
    key = keys[future]
    key.start = _day(rng, last_month.shift(1), 1, 15)
    key.note = f"Goes live on {key.start.isoformat()}"

    # Suspended keys report only now and then; the first one in the month to bill, the second not.
    live = [first_month.shift(m) for m in range(DEMO_MONTHS)]
    for n, i in enumerate(suspended):
        key = keys[i]
        key.status = "suspended"
        key.start = _day(rng, first_month.shift(rng.randint(-24, 3)))
        key.note = _SUSPENDED_NOTES[n % len(_SUSPENDED_NOTES)]
        key.reporting = {m for m in live if rng.random() < 0.4}
        if n == 0:
            key.reporting.add(last_month)
        elif n == 1:
            key.reporting.discard(last_month)

    # Cancelled: one before the 14 months, three inside them, one ending in the month to bill.
    for n, i in enumerate(cancelled):
        key = keys[i]
        key.status = "cancelled"
        key.note = _CANCELLED_NOTES[n % len(_CANCELLED_NOTES)]
        if n == 0:  # never billed in the 14 months
            end_index = -rng.randint(1, 6)
        elif n < 4:  # billed up to and including the month it ended
            end_index = rng.randint(1, DEMO_MONTHS - 2)
        else:  # still billed for the month to bill
            end_index = DEMO_MONTHS - 1
        end_month = first_month.shift(end_index)
        if n < 4 and rng.random() < 0.5:
            key.end = end_month.last_day  # notice to the end of a month
        else:
            key.end = _day(rng, end_month, 5, 25)
        key.start = _day(rng, first_month.shift(rng.randint(end_index - 24, end_index - 1)))

    for key in keys:
        if key.note is None and key.status == "active" and rng.random() < _ACTIVE_NOTE_SHARE:
            key.note = rng.choice(_ACTIVE_NOTES)

    keys.sort(key=lambda k: (k.start, k.customer, k.product_id))
    return keys


def key_rows(keys: list[PlannedKey]) -> list[dict[str, object]]:
    """The Keys table's rows."""
    rows = []
    for k in keys:
        values = (
            k.license_key,
            customer_id(k.customer),
            k.product_id,
            k.start,
            k.end,
            k.status,
            k.note,
        )
        rows.append(dict(zip(schema.KEYS.headers, values, strict=True)))
    return rows
