"""The loaded Usage cells checked (`usage_columns`): which rows the bulk tests vouch for, and the
others re-read cell by cell.

The bulk tests only ever vouch for plainly good rows: a date cell, a known license key and one of
its product's metrics written as plain text, a quantity written as digits. Any other non-empty row
is re-read cell by cell and goes through the very same per-row validation as the rows of a small
workbook (`validation.usage.validate_usage`, in `check_rows`), so its messages and cells are the
same; those of them that turn out good join the bulk readings (`with_readings`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.fast.usage import EPOCH_ORDINAL, ReadingColumns
from ..core.models import Product, UsageReading
from ..core.months import ordinal_of
from . import schema
from .cells import MAX_TEXT, column_letter
from .package.fault_scan import Faults
from .places import TablePlace, unreadable
from .reader import RawTable, table_row
from .validation.collector import Collector
from .validation.keys import KnownKey
from .validation.registry import Registry
from .validation.usage import validate_usage

if TYPE_CHECKING:
    import numpy as np

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


def encode(array: Any) -> tuple[np.ndarray, list[str | None]]:
    """Codes per row into the list of distinct texts; code -1 (the last entry) for empty."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(array)
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    return codes, [*encoded.dictionary.to_pylist(), None]


def plain(text: str | None) -> str | None:
    """A key or metric text as looked up (trimmed, lower case), or None when the cell is empty
    or may not be text (then the row is checked cell by cell)."""
    if text is None or _NOT_PLAIN_TEXT.match(text):
        return None
    return text.strip().lower()


def key_metric_pairs(
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


def quantities(column: Any) -> tuple[np.ndarray, np.ndarray]:
    """Whether each row's Quantity is written as digits only, and the quantity (0 where not)."""
    import pyarrow.compute as pc

    digits = pc.fill_null(pc.match_substring_regex(column, _DIGITS), False)
    quantity_ok = digits.to_numpy(zero_copy_only=False)
    quantity = pc.cast(pc.if_else(digits, column, "0"), "int64").to_numpy(zero_copy_only=False)
    return quantity_ok, quantity


def days(column: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whether each row's Date is a date cell (or a whole day number) from 1900-03-01 to Excel's
    last day, and its day (since 1970-01-01, 0 where not) and month (since 1970-01)."""
    import numpy as np

    stamps = column.to_numpy(zero_copy_only=False).astype("datetime64[ms]")
    date_ok = ~np.isnat(stamps)
    ms = stamps.astype(np.int64)
    date_ok &= (ms % _MS_PER_DAY == 0) & (stamps >= np.datetime64(_FIRST_PLAIN_DAY, "ms"))
    date_ok &= stamps <= np.datetime64(_LAST_DAY, "ms")  # Excel's last; a larger day number
    day = np.where(date_ok, ms // _MS_PER_DAY, 0)
    month = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return date_ok, day, month


def over_text_limit(column: Any) -> np.ndarray:
    """Whether each row's text is longer than Excel's limit for a cell."""
    import pyarrow.compute as pc

    return pc.fill_null(pc.greater(pc.utf8_length(column), MAX_TEXT), False).to_numpy(
        zero_copy_only=False
    )


def check_rows(
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


def with_readings(
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
