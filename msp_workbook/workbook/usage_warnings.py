"""The warnings on accepted usage readings (`validation.plausibility`) over the columns of the
bulk reader (`usage_columns`): the same warnings, in the same order, from arrays.

`usage_plausibility` and `overlapping_reports` here are those of `validation.plausibility` (the
row-by-row reader's, the plain one: `tests/test_usage_columns.py` holds the two readers
equal) with the same messages (`far_date_warning`, `repeated_warning`, `overlap_warning`). They
are kept out of `validation`, which the Excel face (Pyodide) imports, as they work in numpy and
pyarrow; and out of `core.fast`, as they say their warnings at the sheet's cells.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ..core.fast.usage import ReadingColumns
from ..core.models import Product
from ..core.months import Month
from . import schema
from .cells import column_letter
from .places import TablePlace
from .usage_cells import encode
from .validation.collector import Collector
from .validation.plausibility import (
    EARLIEST_PLAUSIBLE,
    IMPORTED_SOURCE,
    far_date_warning,
    latest_plausible,
    overlap_warning,
    repeated_warning,
)

if TYPE_CHECKING:
    import numpy as np

_DATE = schema.USAGE.headers[0]


def usage_plausibility(
    columns: ReadingColumns,
    pairs: list[tuple[str, Product]],
    place: TablePlace,
    out: Collector,
    billing: Month,
) -> None:
    """`plausibility.usage_plausibility` over the accepted readings' columns: dates far from the
    billing month, and the same (key, metric, date, quantity) twice; a sort of one packed
    number per reading, and nothing per reading in Python unless there is something to say."""
    import numpy as np

    letter = column_letter(place.columns[_DATE])
    epoch = date(1970, 1, 1).toordinal()
    early = EARLIEST_PLAUSIBLE.toordinal() - epoch
    late = latest_plausible(billing).toordinal() - epoch
    far = np.flatnonzero((columns.day < early) | (columns.day > late))
    for at in sorted(far.tolist(), key=lambda i: int(columns.row[i])):
        day = date.fromordinal(int(columns.day[at]) + epoch)
        row, quantity = int(columns.row[at]), int(columns.quantity[at])
        far_date_warning(out, place.sheet, f"{letter}{row}", day, quantity, billing)
    if columns.quantity.dtype != np.int64:  # pragma: no cover - quantities are below 10**9
        return
    # Readings with equal (pair, date, quantity) packed into one number, sorted: equal
    # neighbours are repeats (almost never: then rows are worked out).
    fields = (columns.pair, columns.day - int(columns.day.min()), columns.quantity)
    widths = [max(int(f.max()), 0).bit_length() or 1 for f in fields]
    if sum(widths) <= 63:
        packed = np.zeros(len(columns.row), dtype=np.int64)
        for field_values, width in zip(fields, widths, strict=True):
            packed = (packed << width) | field_values.astype(np.int64)
        in_order = np.sort(packed)
        if not (in_order[1:] == in_order[:-1]).any():
            return
        order = np.lexsort((columns.row, packed))
        same = packed[order][1:] == packed[order][:-1]
    else:
        order = np.lexsort((columns.row, columns.quantity, columns.day, columns.pair))
        same = (
            (columns.pair[order][1:] == columns.pair[order][:-1])
            & (columns.day[order][1:] == columns.day[order][:-1])
            & (columns.quantity[order][1:] == columns.quantity[order][:-1])
        )
    # Each sorted position's group start (the first of equal neighbours, the lowest row).
    positions = np.arange(len(order))
    starts = np.maximum.accumulate(np.where(np.concatenate(([False], same)), 0, positions))
    repeats = np.flatnonzero(same) + 1
    at_rows = columns.row[order]
    found = sorted(
        zip(
            at_rows[repeats].tolist(),
            at_rows[starts[repeats]].tolist(),
            order[repeats].tolist(),
            strict=True,
        )
    )  # (row, first row, index), by row
    for row, first_row, at in found:
        key, product = pairs[int(columns.pair[at])]
        day = date.fromordinal(int(columns.day[at]) + epoch)
        repeated_warning(
            out, place.sheet, f"{letter}{row}", first_row, key, product.metric, day,
            int(columns.quantity[at]),
        )  # fmt: skip


def overlapping_reports(
    source: Any,
    good: np.ndarray,
    pair_i: np.ndarray,
    day: np.ndarray,
    rows: np.ndarray,
    first_row: int,
    pairs: list[tuple[str, Product]],
    place: TablePlace,
    out: Collector,
) -> None:
    """`plausibility.overlapping_reports` over the columns: readings of one (key, metric, day)
    imported from different reports (Source digests). Rows checked cell by cell are left out
    of this look (they are few and not imported ones: an import writes plain cells)."""
    import numpy as np
    import pyarrow.compute as pc

    named = IMPORTED_SOURCE.pattern.replace("(", "(?P<digest>", 1)  # Arrow names its groups
    digests = pc.struct_field(pc.extract_regex(source, named), [0])
    codes, _ = encode(digests)
    mine = good & (codes >= 0)
    if not mine.any():
        return
    p, d, c, r = pair_i[mine], day[mine], codes[mine], rows[mine]
    order = np.lexsort((r, c, d, p))  # by pair, day, report, row
    p, d, c, r = p[order], d[order], c[order], r[order]
    first_of_report = np.concatenate(
        ([True], (p[1:] != p[:-1]) | (d[1:] != d[:-1]) | (c[1:] != c[:-1]))
    )
    p, d, r = p[first_of_report], d[first_of_report], r[first_of_report]
    if len(p) < 2 or not ((p[1:] == p[:-1]) & (d[1:] == d[:-1])).any():
        return
    letter = column_letter(place.columns[_DATE])
    epoch = date(1970, 1, 1).toordinal()
    groups: dict[tuple[int, int], list[int]] = {}
    for pair, when, row in zip(p.tolist(), d.tolist(), r.tolist(), strict=True):
        groups.setdefault((pair, when), []).append(row)
    found = []
    for (pair, when), report_rows in groups.items():
        if len(report_rows) < 2:
            continue
        report_rows.sort()
        key, product = pairs[pair]
        day_value = date.fromordinal(when + epoch)
        first = report_rows[0]
        for row in report_rows[1:]:
            found.append((row, first, key, product.metric, day_value))
    for row, first, key, metric, day_value in sorted(found):
        first_source = source[first - first_row].as_py()
        reading = (key, metric, day_value, source[row - first_row].as_py())
        overlap_warning(out, place.sheet, f"{letter}{row}", (first, first_source), reading)
