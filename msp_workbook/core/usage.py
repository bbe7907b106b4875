"""Metric aggregation: usage readings -> one quantity per license key, metric and month.

The month's quantity of a key and metric comes from its readings in that month by the metric's
aggregation (the product spec, section 3.2):

- max: the highest reading; sum: all readings added up;
- last: the reading with the latest date (on a tie, the lower row in the sheet);
- avg: the mean, rounded up to a whole unit.

`UsageIndex` holds the result for every key, metric and month that has readings, and where each
key's first reading of a month is (for warnings about usage outside a key's period). It is built
either from `UsageReading` records (`UsageIndex.from_readings`, the reference) or from columns
aggregated in bulk (`workbook.usage_columns`); both give equal indexes for equal readings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import NamedTuple

from .models import Inputs, LicenseKey, Product, UsageReading
from .money import ceil_whole
from .months import Month

# (license key, metric) -> month -> quantity
Quantities = dict[tuple[str, str], dict[Month, int]]


class FirstReading(NamedTuple):
    """Where a key's first reading of a month is: its sheet row and cell reference."""

    row: int
    source: str  # "Usage!B17"


def aggregate(readings: Sequence[UsageReading], aggregation: str) -> int:
    """The month's quantity of one key and metric from its readings, by the metric's rule."""
    quantities = [r.quantity for r in readings]
    if aggregation == "max":
        return max(quantities)
    if aggregation == "sum":
        return sum(quantities)
    if aggregation == "avg":
        return ceil_whole(Decimal(sum(quantities)) / Decimal(len(quantities)))
    if aggregation == "last":
        return max(readings, key=lambda r: (r.day, r.row)).quantity
    raise ValueError(f"unknown aggregation {aggregation!r}")


def aggregations(
    keys: Iterable[LicenseKey], products: Iterable[Product]
) -> dict[tuple[str, str], str]:
    """(license key, metric) -> the aggregation of that metric of the key's product."""
    by_product: dict[str, list[Product]] = defaultdict(list)
    for product in products:
        by_product[product.product_id].append(product)
    return {
        (key.license_key, product.metric): product.aggregation
        for key in keys
        for product in by_product.get(key.product_id, ())
    }


class UsageIndex:
    """Aggregated usage: quantity per (license key, metric) and month, and the first reading of
    every key in every month with readings."""

    def __init__(
        self,
        quantities: Quantities,
        first_readings: Mapping[Month, Mapping[str, FirstReading]],
    ) -> None:
        self._quantities = quantities
        self._first = first_readings

    @classmethod
    def from_readings(
        cls,
        readings: Iterable[UsageReading],
        keys: Iterable[LicenseKey],
        products: Iterable[Product],
    ) -> UsageIndex:
        """The index of validated readings, aggregated one group at a time (the reference)."""
        rules = aggregations(keys, products)
        groups: dict[tuple[str, str], dict[Month, list[UsageReading]]] = defaultdict(
            lambda: defaultdict(list)
        )
        first: dict[Month, dict[str, FirstReading]] = defaultdict(dict)
        for reading in readings:
            month = reading.month
            groups[(reading.license_key, reading.metric)][month].append(reading)
            seen = first[month].get(reading.license_key)
            if seen is None or reading.row < seen.row:
                first[month][reading.license_key] = FirstReading(reading.row, reading.source)
        quantities: Quantities = {}
        for pair, months in groups.items():
            rule = rules.get(pair)
            if rule is None:  # a reading of a key or metric the inputs do not bill
                continue
            quantities[pair] = {m: aggregate(rs, rule) for m, rs in months.items()}
        return cls(quantities, first)

    @classmethod
    def of_inputs(cls, inputs: Inputs) -> UsageIndex:
        """The index of the readings held in `inputs`."""
        return cls.from_readings(inputs.usage, inputs.keys, inputs.products)

    def quantity(self, key: str, metric: str, month: Month) -> int | None:
        """The month's aggregated quantity, or None when the month has no readings."""
        months = self._quantities.get((key, metric))
        return months.get(month) if months else None

    def latest_before(self, key: str, metric: str, month: Month) -> tuple[Month, int] | None:
        """The latest month before `month` with readings, and its quantity."""
        months = self._quantities.get((key, metric))
        earlier = [m for m in months or () if m < month]
        if not earlier:
            return None
        latest = max(earlier)
        return latest, months[latest]  # type: ignore[index]

    def first_readings(self, month: Month) -> Mapping[str, FirstReading]:
        """License key -> its first reading in the month, for every key with readings in it."""
        return self._first.get(month, {})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UsageIndex):
            return NotImplemented
        mine = {m: dict(f) for m, f in self._first.items() if f}
        theirs = {m: dict(f) for m, f in other._first.items() if f}
        return self._quantities == other._quantities and mine == theirs

    __hash__ = None  # type: ignore[assignment]
