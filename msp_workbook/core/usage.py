"""Metric aggregation: usage readings -> one quantity per license key, metric and month.

The month's quantity of a key and metric comes from its readings in that month by the metric's
aggregation (the product spec, section 3.2):

- max: the highest reading; sum: all readings added up;
- last: the reading with the latest date (on a tie, the lower row in the sheet);
- avg: the mean, rounded up to a whole unit.

`UsageIndex` holds the result for every key, metric and month that has readings, and where each
key's first reading of a month is (for warnings about usage outside a key's period). It is built
either from `UsageReading` records (`UsageIndex.from_readings`, the plain rule) or from columns
aggregated in bulk (`workbook.usage_columns`); both give equal indexes for equal readings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from .models import Inputs, LicenseKey, Product, UsageReading
from .money import ceil_whole
from .months import Month

if TYPE_CHECKING:
    import numpy as np


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
    """Aggregated usage: the quantity per (license key, metric) and month, and the first reading
    of every key in every month with readings.

    Held as flat lists (built in one go, by `from_readings` or in bulk by `from_groups`):
    the groups sorted by (license key, metric) pair and month, a span of them per pair, and per
    month the keys with readings in the order of their first row.
    """

    def __init__(
        self,
        spans: dict[tuple[str, str], tuple[int, int]],
        months: list[int],
        quantities: list[int],
        first: Mapping[int, tuple[list[str], list[int]]],
        source_prefix: str,
        arrays: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self._spans = spans
        self._months = months  # month ordinals, ascending within each pair's span
        self._quantities = quantities
        # month ordinal -> (keys, their first rows), by row; may be worked out on first access
        self._first = first
        self._prefix = source_prefix  # "Usage!B": a first reading's cell is this + its row
        self._arrays = arrays  # months and quantities as numpy arrays, when built in bulk

    @classmethod
    def empty(cls) -> UsageIndex:
        return cls({}, [], [], {}, "")

    @classmethod
    def from_groups(
        cls,
        groups: Iterable[tuple[tuple[str, str], int, int]],
        first: Iterable[tuple[int, str, int]],
        source_prefix: str,
    ) -> UsageIndex:
        """From ((key, metric), month ordinal, quantity) sorted by pair and month, and
        (month ordinal, key, first row) sorted by month and row."""
        spans: dict[tuple[str, str], tuple[int, int]] = {}
        months: list[int] = []
        quantities: list[int] = []
        previous = None
        for pair, month, quantity in groups:
            if pair != previous:
                if previous is not None:
                    spans[previous] = (spans[previous][0], len(months))
                spans[pair] = (len(months), len(months))
                previous = pair
            months.append(month)
            quantities.append(quantity)
        if previous is not None:
            spans[previous] = (spans[previous][0], len(months))
        firsts: dict[int, tuple[list[str], list[int]]] = {}
        for month, key, row in first:
            keys, rows = firsts.setdefault(month, ([], []))
            keys.append(key)
            rows.append(row)
        return cls(spans, months, quantities, firsts, source_prefix)

    @classmethod
    def from_readings(
        cls,
        readings: Iterable[UsageReading],
        keys: Iterable[LicenseKey],
        products: Iterable[Product],
    ) -> UsageIndex:
        """The index of validated readings, aggregated one group at a time (the plain rule)."""
        rules = aggregations(keys, products)
        groups: dict[tuple[str, str], dict[int, list[UsageReading]]] = defaultdict(
            lambda: defaultdict(list)
        )
        first: dict[tuple[int, str], int] = {}
        prefix = ""
        for reading in readings:
            month = reading.month.ordinal
            groups[(reading.license_key, reading.metric)][month].append(reading)
            seen = first.get((month, reading.license_key))
            if seen is None or reading.row < seen:
                first[(month, reading.license_key)] = reading.row
            if not prefix and reading.source.endswith(str(reading.row)):
                prefix = reading.source[: -len(str(reading.row))]
        aggregated = [
            (pair, month, aggregate(group, rules[pair]))
            for pair, by_month in sorted(groups.items())
            if pair in rules  # a reading of a key or metric the inputs do not bill is left out
            for month, group in sorted(by_month.items())
        ]
        firsts = sorted((month, row, key) for (month, key), row in first.items())
        return cls.from_groups(aggregated, ((m, k, r) for m, r, k in firsts), prefix)

    @classmethod
    def of_inputs(cls, inputs: Inputs) -> UsageIndex:
        """The index of the readings held in `inputs`. Refused for inputs whose readings the
        reader kept elsewhere (an empty index would bill every key as estimated, silently)."""
        if inputs.readings_elsewhere:
            raise ValueError(
                "these inputs hold no readings: the reader aggregated them in bulk; use "
                "ReadResult.usage_index()"
            )
        return cls.from_readings(inputs.usage, inputs.keys, inputs.products)

    def history(self, key: str, metric: str) -> tuple[list[int], list[int]]:
        """The month ordinals with readings (ascending) and their quantities."""
        span = self._spans.get((key, metric))
        if span is None:
            return [], []
        lo, hi = span
        return self._months[lo:hi], self._quantities[lo:hi]

    def span(self, key: str, metric: str) -> tuple[int, int] | None:
        """Where the pair's months are in `arrays()` (start, end), or None without readings."""
        return self._spans.get((key, metric))

    def spans(self) -> list[tuple[int, int]]:
        """Every pair's span, in the order of the flat arrays."""
        return sorted(self._spans.values())

    def arrays(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The month ordinals and quantities of every pair, flat, as int64 arrays (see `span`);
        None when a quantity does not fit 64 bits."""
        if self._arrays is None:
            import numpy as np

            try:
                self._arrays = (
                    np.array(self._months, dtype=np.int64),
                    np.array(self._quantities, dtype=np.int64),
                )
            except OverflowError:
                return None
        return self._arrays

    def first_readings(self, month: Month) -> list[tuple[str, FirstReading]]:
        """(license key, its first reading in the month) for every key with readings in it,
        by row."""
        keys, rows = self._first.get(month.ordinal, ((), ()))
        prefix = self._prefix
        return [
            (key, FirstReading(row, f"{prefix}{row}" if prefix else ""))
            for key, row in zip(keys, rows, strict=True)
        ]

    def _view(self) -> tuple[dict, dict, str]:
        groups = {
            pair: dict(zip(self._months[lo:hi], self._quantities[lo:hi], strict=True))
            for pair, (lo, hi) in self._spans.items()
        }
        first = {m: list(zip(*kr, strict=True)) for m, kr in self._first.items() if kr[0]}
        return groups, first, self._prefix

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UsageIndex):
            return NotImplemented
        return self._view() == other._view()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        groups, first, prefix = self._view()
        return f"UsageIndex(groups={groups!r}, first={first!r}, prefix={prefix!r})"
