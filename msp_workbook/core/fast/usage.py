"""The aggregation of usage readings (`core.usage`) over arrays: a million readings per key,
metric and month with numpy, with no Python object per reading.

The same rules as `core.usage.aggregate` (max, sum, avg rounded up, last: the latest date, on
a tie the lower row), which stays the plain rule: `tests/test_usage_columns.py` holds the two
equal on every case and on random readings. The Usage sheet's bulk reader
(`workbook.usage_columns`) hands its accepted readings over as `ReadingColumns`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..models import Product
from ..months import Month
from ..usage import UsageIndex
from ..vocabulary import AGGREGATIONS

if TYPE_CHECKING:
    import numpy as np

# A product's aggregation as a number: its place in the vocabulary.
_CODE = {a: i for i, a in enumerate(AGGREGATIONS)}
_MAX, _AVG, _LAST, _SUM = _CODE["max"], _CODE["avg"], _CODE["last"], _CODE["sum"]
EPOCH_ORDINAL = Month(1970, 1).ordinal  # numpy counts months from 1970-01


@dataclass
class ReadingColumns:
    """Accepted readings as parallel arrays, in sheet order."""

    pair: np.ndarray  # index into the (license key, product metric) pairs
    key: np.ndarray  # index into the accepted license keys
    month: np.ndarray  # months since 1970-01
    day: np.ndarray  # days since 1970-01-01
    quantity: np.ndarray
    row: np.ndarray  # 1-based sheet row


def usage_index(
    columns: ReadingColumns,
    pairs: Sequence[tuple[str, Product]],
    key_names: Sequence[str],
    key_cells: str,
) -> UsageIndex:
    """`UsageIndex.from_readings` over arrays: the readings aggregated per (pair, month) by
    each metric's rule, and each key's first row per month. `pairs` are the (license key,
    product metric) pairs `columns.pair` counts in, `key_names` the keys `columns.key` counts in,
    `key_cells` the column of the keys' cells ("Usage!B")."""
    import numpy as np

    if len(columns.row) == 0:
        return UsageIndex.empty()
    rules = np.array([_CODE[p.aggregation] for _, p in pairs], dtype=np.int64)
    found = _grouped_in_place(columns, rules)
    if found is None:
        found = _grouped_by_sorting(columns, rules)
    group_pair, group_month, chosen = found
    # Each pair's groups are consecutive: its span in the flat lists.
    edges = np.flatnonzero(group_pair[1:] != group_pair[:-1]) + 1
    lows = np.concatenate(([0], edges)).tolist()
    highs = np.concatenate((edges, [len(group_pair)])).tolist()
    spans = {
        (pairs[p][0], pairs[p][1].metric): (lo, hi)
        for p, lo, hi in zip(group_pair[lows].tolist(), lows, highs, strict=True)
    }

    firsts = _FirstRows(columns.key, columns.month, columns.row, key_names)
    ordinals = (group_month + EPOCH_ORDINAL).astype(np.int64)
    return UsageIndex(
        spans,
        ordinals.tolist(),
        chosen.tolist(),
        firsts,
        key_cells,
        arrays=(ordinals, chosen) if chosen.dtype == np.int64 else None,  # object: huge numbers
    )


# Aggregated in place (one slot per pair and month) while that table stays within this many
# slots per reading; else by sorting the readings.
_SLOTS_PER_READING = 4


def _grouped_in_place(
    columns: ReadingColumns, rules: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(pair, month, quantity) of every (pair, month) with readings, by pair and month: each
    reading added to its slot in a table of all pairs x months (no sort). None where that
    table would be large against the readings, or quantities are too large for int64."""
    import numpy as np

    quantity = columns.quantity
    if quantity.dtype != np.int64:
        return None
    low = int(columns.month.min())
    months = int(columns.month.max()) - low + 1
    slots = len(rules) * months
    if slots > _SLOTS_PER_READING * len(quantity) + 1024:
        return None
    slot = columns.pair * months + (columns.month - low)
    counts = np.bincount(slot, minlength=slots)
    used = np.flatnonzero(counts)
    rule = rules[used // months]  # each slot's aggregation
    wanted = set(np.unique(rule).tolist())
    chosen = np.zeros(len(used), dtype=np.int64)
    if wanted & {_SUM, _AVG}:
        sums = np.zeros(slots, dtype=np.int64)
        np.add.at(sums, slot, quantity)
        sums = sums[used]
        chosen = np.where(rule == _SUM, sums, chosen)
        chosen = np.where(rule == _AVG, -(-sums // counts[used]), chosen)  # mean, rounded up
    if _MAX in wanted:
        top = np.zeros(slots, dtype=np.int64)  # quantities are >= 0
        np.maximum.at(top, slot, quantity)
        chosen = np.where(rule == _MAX, top[used], chosen)
    if _LAST in wanted:
        # The latest date, on a tie the lower row: the largest (day, row), packed in one number.
        rows = columns.row - int(columns.row.min())
        days = columns.day - int(columns.day.min())
        latest = days * (int(rows.max()) + 1) + rows
        best = np.full(slots, -1, dtype=np.int64)
        np.maximum.at(best, slot, latest)
        last = np.zeros(slots, dtype=np.int64)
        winner = latest == best[slot]
        last[slot[winner]] = quantity[winner]
        chosen = np.where(rule == _LAST, last[used], chosen)
    return used // months, used % months + low, chosen


def _grouped_by_sorting(
    columns: ReadingColumns, rules: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """As `_grouped_in_place`, by sorting the readings by pair, month, date and row."""
    import numpy as np

    # Sorted by pair, month, date, row: one int64 key when the ranges fit, else a lexsort.
    order = _sort_order(columns.pair, columns.month, columns.day, columns.row)
    pair = columns.pair[order]
    month = columns.month[order]
    quantity = columns.quantity[order]
    n = len(order)
    change = np.flatnonzero((pair[1:] != pair[:-1]) | (month[1:] != month[:-1])) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [n]))
    counts = ends - starts
    sums = np.add.reduceat(quantity, starts)
    results = {
        "max": np.maximum.reduceat(quantity, starts),
        "sum": sums,
        "avg": -(-sums // counts),  # the mean rounded up to a whole unit, in whole numbers
        "last": quantity[ends - 1],  # sorted by date, then row: the latest, lowest in the sheet
    }
    group_pair = pair[starts]
    chosen = np.choose(rules[group_pair], [results[a] for a in AGGREGATIONS])
    return group_pair, month[starts], chosen


class _FirstRows(Mapping[int, tuple[list[str], list[int]]]):
    """Month ordinal -> the keys with readings in that month and the row of each one's first
    reading, by row; worked out for a month when it is asked for (billing asks for one)."""

    def __init__(
        self, key: np.ndarray, month: np.ndarray, row: np.ndarray, key_names: list[str]
    ) -> None:
        import numpy as np

        self._key, self._month, self._row, self._names = key, month, row, key_names
        lowest = int(month.min()) if len(month) else 0
        present = np.flatnonzero(np.bincount(month - lowest)) + lowest
        self._months = (present + EPOCH_ORDINAL).tolist()
        self._found: dict[int, tuple[list[str], list[int]]] = {}

    def __getitem__(self, ordinal: int) -> tuple[list[str], list[int]]:
        import numpy as np

        if ordinal not in self._found:
            if ordinal not in self._months:
                raise KeyError(ordinal)
            mask = self._month == ordinal - EPOCH_ORDINAL
            keys, rows = self._key[mask], self._row[mask]
            by_row = np.argsort(rows, kind="stable")
            keys, rows = keys[by_row], rows[by_row]
            _, first = np.unique(keys, return_index=True)  # each key's first, lowest row
            first.sort()
            self._found[ordinal] = (
                [self._names[k] for k in keys[first].tolist()],
                rows[first].tolist(),
            )
        return self._found[ordinal]

    def __iter__(self) -> Iterator[int]:
        return iter(self._months)

    def __len__(self) -> int:
        return len(self._months)


def _sort_order(*columns: np.ndarray) -> np.ndarray:
    """Indexes that sort by the columns, the first most significant; the last is a row number,
    so no two rows tie. Packed into one int64 key when the value ranges fit, else a lexsort."""
    import numpy as np

    shifted = [c - c.min() for c in columns]
    widths = [int(c.max()).bit_length() for c in shifted]
    if sum(widths) > 62:
        return np.lexsort(tuple(reversed(columns)))
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for column, width in zip(shifted, widths, strict=True):
        combined = (combined << width) | column.astype(np.int64)
    return np.argsort(combined)  # the last column (a row number) makes every key unique
