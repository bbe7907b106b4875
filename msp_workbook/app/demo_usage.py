"""The demo's usage readings (`demo_data`): every key's metrics in every month of the demo that
the key is live, from the customer's size, with growth, an onboarding ramp and the seasons of its
kind of business; in the order of the Usage sheet.
"""

from __future__ import annotations

import random
from datetime import date

from ..core.months import Month
from ..workbook import schema
from ..workbook.template import example_prices
from .demo_customers import CUSTOMERS, KINDS
from .demo_keys import DEMO_MONTHS, KC, KCTL, KOP, LG, PlannedKey

_PRODUCTS = example_prices.PRODUCTS

# Where readings come from, per product; a few are typed in by hand ("manual").
_SOURCES = {
    KC: "KerioConnect admin",
    KCTL: "KerioControl admin",
    KOP: "KerioOperator admin",
    LG: "LanGuard report",
}
_MANUAL = "manual"
_MANUAL_SHARE = 0.04

# Units per employee of the customer (low, high) and a fixed extra (low, high): shared mailboxes
# (info@, rechnung@), servers and printers among LanGuard nodes.
_UNITS_PER_EMPLOYEE: dict[str, tuple[float, float, int, int]] = {
    KC: (0.9, 1.2, 1, 3),
    KCTL: (0.6, 1.0, 0, 0),
    KOP: (0.4, 0.8, 0, 1),
    LG: (0.8, 1.3, 1, 3),
}

# How strongly a metric follows the season: accounts and devices stay, people and scans move.
_SEASON_SENSITIVITY = {"mailboxes": 0.2, "users": 1.0, "nodes": 0.3, "scans": 1.0}


def usage_rows(
    rng: random.Random, keys: list[PlannedKey], employees: list[int], first_month: Month
) -> list[dict[str, object]]:
    """Readings of every key's metrics in every month of the demo that the key is live."""
    metrics: dict[str, list[tuple[str, str]]] = {}
    for product_id, _, metric, aggregation, *_ in _PRODUCTS:
        metrics.setdefault(product_id, []).append((metric, aggregation))

    # (date, key's row, metric's row, metric, quantity, source); sorted, this is the sheet order.
    readings: list[tuple[date, int, int, str, int, str]] = []
    for key_index, key in enumerate(keys):
        low, high, extra_low, extra_high = _UNITS_PER_EMPLOYEE[key.product_id]
        base = employees[key.customer] * rng.uniform(low, high) + rng.randint(extra_low, extra_high)
        growth = rng.uniform(-0.005, 0.025)  # per month
        season = KINDS[CUSTOMERS[key.customer].kind].season
        key_start = Month.of(key.start)
        for offset in range(DEMO_MONTHS):
            month = first_month.shift(offset)
            first_day = max(month.first_day, key.start)
            last_day = min(month.last_day, key.end or month.last_day)
            if first_day > last_day:
                continue  # not live this month
            if key.reporting is not None and month not in key.reporting:
                continue  # suspended, nothing reported
            if month == key.skipped:
                continue  # the missing export: billed as `estimated` by carry forward
            # Onboarding: users move over in the first months. Growth counts from the key's start
            # or from the first demo month, whichever is later.
            ramp = min(1.0, 0.55 + 0.2 * _months_between(key_start, month))
            grown = (1 + growth) ** _months_between(max(key_start, first_month), month)
            level = base * grown * ramp
            for metric_index, (metric, aggregation) in enumerate(metrics[key.product_id]):
                factor = 1 + (season.get(month.month, 1.0) - 1) * _SEASON_SENSITIVITY[metric]
                for day, quantity in _month_readings(
                    rng, aggregation, level * factor, first_day, last_day
                ):
                    source = _MANUAL if rng.random() < _MANUAL_SHARE else _SOURCES[key.product_id]
                    readings.append((day, key_index, metric_index, metric, quantity, source))
    readings.sort()
    rows = []
    for day, key_index, _, metric, quantity, source in readings:
        values = (day, keys[key_index].license_key, metric, quantity, source)
        rows.append(dict(zip(schema.USAGE.headers, values, strict=True)))
    return rows


def _month_readings(
    rng: random.Random, aggregation: str, level: float, first_day: date, last_day: date
) -> list[tuple[date, int]]:
    """One metric's readings in one month, on distinct days between first_day and last_day.

    `sum` metrics (LanGuard scans) get 2-6 scan reports, each a scan of roughly all nodes;
    the others 1-4 readings of the current count, a unit or so apart.
    """
    count = rng.randint(2, 6) if aggregation == "sum" else rng.randint(1, 4)
    days = range(first_day.day, last_day.day + 1)
    count = min(count, len(days))
    readings = []
    for day in sorted(rng.sample(days, count)):
        if aggregation == "sum":
            quantity = round(level * rng.uniform(0.8, 1.2))
        else:
            quantity = round(level * rng.uniform(0.97, 1.03)) + rng.choice((-1, 0, 0, 0, 1))
        readings.append((first_day.replace(day=day), max(0, quantity)))
    return readings


def _months_between(earlier: Month, later: Month) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month
