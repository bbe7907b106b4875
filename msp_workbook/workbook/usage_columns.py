"""Read the Usage table in bulk: columns, not rows.

A reseller's Usage sheet can hold up to a million readings. They are loaded column by column
with fastexcel (Arrow arrays straight from the file), checked with vectorised tests and
aggregated per license key, metric and month with numpy (`core.fast.usage`), with no Python
object per reading.

The bulk tests only ever vouch for plainly good rows: a date cell, a known license key and one of
its product's metrics written as plain text, a quantity written as digits. Any other non-empty row
is re-read cell by cell and goes through the very same per-row validation as the rows of a small
workbook (`validation.usage.validate_usage`), so its messages and cells are the same; those of
them that turn out good join the bulk readings before aggregation. Aggregation follows
`core.usage.aggregate` rule for rule (`tests/test_usage_columns.py` checks they agree).
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.fast.usage import EPOCH_ORDINAL, ReadingColumns, usage_index
from ..core.models import Check, Product, UsageReading
from ..core.months import Month, ordinal_of
from ..core.usage import UsageIndex
from . import isolated, schema
from .cells import MAX_TEXT, column_letter
from .errors import WorkbookError
from .isolated import ChildFailed, ChildLoad, NotHandedBack
from .package.fault_scan import Faults
from .package.guard import check_before_parsing
from .places import TablePlace, table_place, unreadable
from .reader import RawTable, refuse_unreadable_errors, rows_below_warning, table_row
from .usage_sheet import LOAD_IMPORTS, load_columns, ordered_headers, place_of
from .validation.collector import Collector
from .validation.keys import KnownKey
from .validation.plausibility import (
    EARLIEST_PLAUSIBLE,
    IMPORTED_SOURCE,
    far_date_warning,
    latest_plausible,
    overlap_warning,
    repeated_warning,
)
from .validation.registry import Registry
from .validation.usage import validate_usage

if TYPE_CHECKING:
    import numpy as np

_DATE, _KEY, _METRIC, _QUANTITY, _SOURCE = schema.USAGE.headers
# Whole numbers >= 0 written as digits, at most 9 (`cells.MAX_NUMBER`: a larger quantity is an
# error, read cell by cell); sums of a million readings stay far within int64.
_DIGITS = r"^[0-9]{1,9}$"
# Text a number, a date or TRUE/FALSE cell reads as: such cells are checked one by one, since
# their text in Arrow is not what the per-row reader sees.
_NOT_PLAIN_TEXT = re.compile(
    r"^\s*([+-]?[0-9.]+([eE][+-]?[0-9]+)?|\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?|true|false)\s*$",
    re.IGNORECASE,
)
_MS_PER_DAY = 86_400_000
# Excel's day numbers differ from the calendar before 1900-03-01 (its 1900 leap-year bug).
_FIRST_PLAIN_DAY = "1900-03-01"
_LAST_DAY = "9999-12-31"  # Excel's last date (and Python's)


class UsageLoad:
    """The Usage table's place and columns, loaded while the caller reads the small tables.

    Like every sheet a reader parses, the Usage sheet's cells are checked before anything else
    uses them (`package.guard.check_before_parsing`). On Linux the sheet loads in a child process
    (`isolated.ChildLoad`: a file that would exhaust the reader's memory ends the child, not the
    run) and the check runs here in the meantime, in `result()`; elsewhere the sheet is checked
    first and then loaded in a background thread (fastexcel works outside the GIL)."""

    def __init__(
        self, path: Path, *, in_child: bool | None = None, started: ChildLoad | None = None
    ) -> None:
        self.path = path
        self.place = table_place(path, schema.USAGE)
        self._child: ChildLoad | None = started  # `usage_sheet.start(path)`, already loading
        self._pool: ThreadPoolExecutor | None = None
        self.faults: Faults = {}  # the sheet's cells a reader reads as empty but are not
        if started is None and (isolated.available() if in_child is None else in_child):
            with contextlib.suppress(OSError):  # no child to be had: loaded in a thread
                self._child = ChildLoad(
                    functools.partial(load_columns, path, self.place), LOAD_IMPORTS
                )
        if self._child is None:  # checked before the thread loads it
            self._check()
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="usage-load")
            self._future: Future[Any] = self._pool.submit(load_columns, path, self.place)
        # Imported here, while the sheet loads, rather than after it.
        import numpy  # noqa: F401
        import pyarrow.compute  # noqa: F401

    def _check(self) -> None:
        found = check_before_parsing(self.path, [schema.USAGE.name])
        refuse_unreadable_errors(self.path, found)
        self.faults = found.get(self.place.sheet, {})

    def result(self) -> tuple[TablePlace, Any]:
        if self._child is None:
            return self.place, self._future.result()
        self._check()  # here, while the child loads it
        try:
            batch = self._child.result()
        except NotHandedBack:
            # Loaded, but the temporary folder took no file: the sheet's cells passed the check
            # above, so it is loaded here as where there is no child.
            return self.place, load_columns(self.path, self.place)
        except ChildFailed as exc:
            raise WorkbookError(
                f'{self.path}: the sheet "{self.place.sheet}" could not be read ({exc.reason})'
            ) from None
        loaded_at = place_of(batch) if batch is not None else None
        if loaded_at is not None and loaded_at != self.place:
            raise WorkbookError(f"{self.path}: the workbook changed while it was read; try again")
        return self.place, batch

    def __enter__(self) -> UsageLoad:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._child is not None:
            self._child.close()
        if self._pool is not None:
            self._pool.shutdown(wait=exc[0] is None, cancel_futures=True)


def read_usage(
    path: Path,
    place: TablePlace,
    batch: Any,
    keys: Registry[KnownKey],
    out: Collector,
    faults: Faults | None = None,
    billing: Month | None = None,
) -> tuple[UsageIndex, Check | None]:
    """The aggregated usage of the Usage table at `place` (its columns in `batch`), and a
    warning when rows lie below the table's range; bad rows become errors in `out` (same
    messages as the per-row reader). `faults` are the sheet's cells that read as empty but
    hold an error value or a formula without a result (`UsageLoad.faults`): their rows are
    checked cell by cell. With the `billing` month, readings implausible for it are warnings
    (`validation.plausibility.usage_plausibility`, the same for the row-by-row reader)."""
    import numpy as np
    import pyarrow.compute as pc

    faults = faults or {}

    first_row = place.header_row + 2  # sheet row of the first data row
    n = batch.num_rows if batch is not None else 0
    if n == 0:
        return UsageIndex.empty(), None
    column = {h: batch.column(i) for i, h in enumerate(ordered_headers(place))}
    rows = np.arange(first_row, first_row + n, dtype=np.int64)

    empty = np.ones(n, dtype=bool)
    for header in schema.USAGE.headers:
        empty &= column[header].is_null().to_numpy(zero_copy_only=False)
    outside = (rows > place.end_row) | (rows == place.totals_row)  # not input

    # License keys and metrics: each distinct text is looked up once.
    key_records = [known.key for known in keys.accepted.values()]
    key_of = {record.license_key: i for i, record in enumerate(key_records)}
    key_codes, key_texts = _encode(column[_KEY])
    found = [keys.accepted.get(text) if text else None for text in map(_plain, key_texts)]
    key_index = np.array([key_of[f.key.license_key] if f else -1 for f in found], dtype=np.int64)
    key_i = key_index[key_codes]
    metric_codes, metric_texts = _encode(column[_METRIC])
    metric_names = [_plain(text) for text in metric_texts]
    pairs, pair_i = _pairs(key_i, metric_codes, metric_names, key_records, keys)

    # Quantities: digits only; dates: date cells (or whole day numbers) from 1900-03-01 on.
    digits = pc.fill_null(pc.match_substring_regex(column[_QUANTITY], _DIGITS), False)
    quantity_ok = digits.to_numpy(zero_copy_only=False)
    quantity = pc.cast(pc.if_else(digits, column[_QUANTITY], "0"), "int64").to_numpy(
        zero_copy_only=False
    )
    stamps = column[_DATE].to_numpy(zero_copy_only=False).astype("datetime64[ms]")
    date_ok = ~np.isnat(stamps)
    ms = stamps.astype(np.int64)
    date_ok &= (ms % _MS_PER_DAY == 0) & (stamps >= np.datetime64(_FIRST_PLAIN_DAY, "ms"))
    date_ok &= stamps <= np.datetime64(_LAST_DAY, "ms")  # Excel's last; a larger day number
    day = np.where(date_ok, ms // _MS_PER_DAY, 0)
    month = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)

    good = ~empty & date_ok & quantity_ok & (pair_i >= 0)
    # Texts over Excel's limit (a key or metric that long is unknown anyway).
    good &= ~pc.fill_null(pc.greater(pc.utf8_length(column[_SOURCE]), MAX_TEXT), False).to_numpy(
        zero_copy_only=False
    )
    if faults:  # rows holding error values or formulas without a result
        table_columns = set(place.columns.values())
        faulty = [r for r, c in faults if c in table_columns and first_row <= r < first_row + n]
        if faulty:
            marked = np.zeros(n, dtype=bool)
            marked[np.array(faulty, dtype=np.int64) - first_row] = True
            good &= ~marked
            empty &= ~marked
    good &= ~outside
    suspect = ~empty & ~good & ~outside
    columns = ReadingColumns(
        pair=pair_i[good], key=key_i[good], month=month[good], day=day[good],
        quantity=quantity[good], row=rows[good],
    )  # fmt: skip
    below = rows[good & (rows > place.last_row)].tolist()
    if suspect.any():
        readings, kept = _check_rows(path, place, rows[suspect].tolist(), keys, out, faults)
        columns = _with_readings(columns, readings, pairs, key_of, keys)
        below = sorted(below + [r for r in kept if r > place.last_row])
    if billing is not None and len(columns.row):
        _plausibility(columns, pairs, place, out, billing)
    _overlapping_reports(column[_SOURCE], good, pair_i, day, rows, first_row, pairs, place, out)
    warning = None
    if below:
        letter = column_letter(place.columns[schema.USAGE.headers[0]])
        warning = rows_below_warning(
            schema.USAGE, place.sheet, below[0], f"{letter}{below[0]}", len(below)
        )
    key_cells = f"{place.sheet}!{column_letter(place.columns[_KEY])}"
    key_names = [record.license_key for record in key_records]
    return usage_index(columns, pairs, key_names, key_cells), warning


def _plausibility(
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


def _overlapping_reports(
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
    codes, _ = _encode(digests)
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


def _encode(array: Any) -> tuple[np.ndarray, list[str | None]]:
    """Codes per row into the list of distinct texts; code -1 (the last entry) for empty."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(array)
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    return codes, [*encoded.dictionary.to_pylist(), None]


def _plain(text: str | None) -> str | None:
    """A key or metric text as looked up (trimmed, lower case), or None when the cell is empty
    or may not be text (then the row is checked cell by cell)."""
    if text is None or _NOT_PLAIN_TEXT.match(text):
        return None
    return text.strip().lower()


def _pairs(
    key_i: np.ndarray,
    metric_codes: np.ndarray,
    metric_names: Sequence[str | None],
    key_records: Sequence[Any],
    keys: Registry[KnownKey],
) -> tuple[list[tuple[str, Product]], np.ndarray]:
    """The distinct (license key, product metric) pairs of the rows, and each row's pair index
    (-1 where the key is unknown or its product has no such metric)."""
    import numpy as np

    width = len(metric_names)
    codes = np.where(
        key_i >= 0, key_i * width + np.where(metric_codes < 0, width - 1, metric_codes), -1
    )
    # The (key, metric text) combinations present: counted in a table when it is small (one
    # pass), else found by sorting.
    if len(key_records) * width <= 4 * len(codes) + 1024:
        present = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=1))
        lookup = np.full(len(key_records) * width + 1, -1, dtype=np.int64)  # last: code -1
        distinct, inverse = present, None
    else:
        distinct, inverse = np.unique(codes, return_inverse=True)
        lookup = None
    pairs: list[tuple[str, Product]] = []
    seen: dict[tuple[str, str], int] = {}
    pair_of_code = np.full(len(distinct), -1, dtype=np.int64)
    for position, code in enumerate(distinct.tolist()):
        if code < 0:
            continue
        key_record = key_records[code // width]
        name = metric_names[code % width]
        if name is None:
            continue
        metrics = keys.accepted[key_record.license_key.lower()].metrics
        product = next((p for p in metrics if p.metric.lower() == name), None)
        if product is not None:  # metrics spelled in other cases share one pair
            pair = seen.setdefault((key_record.license_key, product.metric), len(pairs))
            if pair == len(pairs):
                pairs.append((key_record.license_key, product))
            pair_of_code[position] = pair
    if lookup is not None:
        lookup[distinct] = pair_of_code
        return pairs, lookup[codes]  # code -1 takes the last entry: -1
    return pairs, pair_of_code[inverse.reshape(-1)]


def _check_rows(
    path: Path,
    place: TablePlace,
    wanted: list[int],
    keys: Registry[KnownKey],
    out: Collector,
    faults: Faults,
) -> tuple[list[UsageReading], list[int]]:
    """The rows the bulk tests could not vouch for, read cell by cell and validated row by row
    exactly as a small workbook's rows are: the good readings, and the numbers of the rows that
    are not empty."""
    import python_calamine as calamine

    letters = {h: column_letter(place.columns[h]) for h in schema.USAGE.headers}
    table = RawTable(schema.USAGE, place.sheet)
    wanted_set, last = set(wanted), wanted[-1]
    book = calamine.CalamineWorkbook.from_path(str(path))
    try:
        sheet = book.get_sheet_by_name(place.sheet)
        # python-calamine's rows start at the sheet's row 1 whatever its first row with cells,
        # but its columns start at the first column with cells (`left`); the table's columns
        # are on the sheet, so they start at or right of it.
        left = sheet.start[1]
        offsets = {h: place.columns[h] - left for h in schema.USAGE.headers}
        for offset, cells in enumerate(sheet.iter_rows()):
            number = offset + 1
            if number > last:
                break
            if number not in wanted_set:
                continue
            row = table_row(cells, number, offsets, letters, faults, place.columns)
            if row is not None:
                table.rows.append(row)
    except Exception as exc:
        raise unreadable(path, exc) from exc
    finally:
        book.close()
    return validate_usage(table, out, keys), [row.row for row in table.rows]


def _with_readings(
    columns: ReadingColumns,
    readings: Sequence[UsageReading],
    pairs: list[tuple[str, Product]],
    key_of: dict[str, int],
    keys: Registry[KnownKey],
) -> ReadingColumns:
    """The bulk columns plus readings that passed the per-row checks."""
    import numpy as np

    if not readings:
        return columns
    pair_of = {(k, p.metric): i for i, (k, p) in enumerate(pairs)}
    extra: dict[str, list[int]] = {
        f: [] for f in ("pair", "key", "month", "day", "quantity", "row")
    }
    epoch = np.datetime64("1970-01-01", "D")
    for reading in readings:
        pair = pair_of.get((reading.license_key, reading.metric))
        if pair is None:  # a key or metric the bulk tests could not read as plain text
            metrics = keys.accepted[reading.license_key.lower()].metrics
            product = next(p for p in metrics if p.metric == reading.metric)
            pair = pair_of[(reading.license_key, reading.metric)] = len(pairs)
            pairs.append((reading.license_key, product))
        day = int((np.datetime64(reading.day, "D") - epoch).astype(np.int64))
        extra["pair"].append(pair)
        extra["key"].append(key_of[reading.license_key])
        extra["month"].append(ordinal_of(reading.day) - EPOCH_ORDINAL)
        extra["day"].append(day)
        extra["quantity"].append(reading.quantity)
        extra["row"].append(reading.row)
    big = any(q >= 10**12 for q in extra["quantity"])
    dtype = object if big else np.int64

    def joined(name: str, kind: Any = np.int64) -> np.ndarray:
        return np.concatenate(
            [getattr(columns, name).astype(kind), np.array(extra[name], dtype=kind)]
        )

    return ReadingColumns(
        pair=joined("pair"), key=joined("key"), month=joined("month"), day=joined("day"),
        quantity=joined("quantity", dtype), row=joined("row"),
    )  # fmt: skip
