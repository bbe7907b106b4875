"""Read the Usage table in bulk: columns, not rows.

A reseller's Usage sheet can hold up to a million readings. They are loaded column by column
with fastexcel (Arrow arrays straight from the file: `UsageLoad`), checked with vectorised tests
(`usage_cells`) and aggregated per license key, metric and month with numpy (`core.fast.usage`),
with no Python object per reading (`read_usage`).

The bulk tests only ever vouch for plainly good rows; any other non-empty row is re-read cell by
cell and goes through the very same per-row validation as the rows of a small workbook
(`usage_cells.check_rows`), so its messages and cells are the same; those of them that turn out
good join the bulk readings before aggregation. Aggregation follows `core.usage.aggregate` rule
for rule, and the warnings on plausible-looking readings are `validation.plausibility`'s
(`usage_warnings`); `tests/test_usage_columns.py` checks they agree.
"""

from __future__ import annotations

import contextlib
import functools
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..core.fast.usage import ReadingColumns, usage_index
from ..core.models import Check
from ..core.months import Month
from ..core.usage import UsageIndex
from . import isolated, schema
from .cells import column_letter
from .errors import WorkbookError
from .isolated import ChildFailed, ChildLoad, NotHandedBack
from .package.fault_scan import Faults
from .package.guard import check_before_parsing
from .places import TablePlace, table_place
from .reader import refuse_unreadable_errors, rows_below_warning
from .usage_cells import (
    check_rows,
    days,
    encode,
    key_metric_pairs,
    over_text_limit,
    plain,
    quantities,
    with_readings,
)
from .usage_sheet import LOAD_IMPORTS, load_columns, ordered_headers, place_of
from .usage_warnings import overlapping_reports, usage_plausibility
from .validation.collector import Collector
from .validation.keys import KnownKey
from .validation.registry import Registry

_DATE, _KEY, _METRIC, _QUANTITY, _SOURCE = schema.USAGE.headers


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
    (`usage_warnings`: `validation.plausibility`'s, the same for the row-by-row reader)."""
    import numpy as np

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
    key_codes, key_texts = encode(column[_KEY])
    found = [keys.accepted.get(text) if text else None for text in map(plain, key_texts)]
    key_index = np.array([key_of[f.key.license_key] if f else -1 for f in found], dtype=np.int64)
    key_i = key_index[key_codes]
    metric_codes, metric_texts = encode(column[_METRIC])
    metric_names = [plain(text) for text in metric_texts]
    pairs, pair_i = key_metric_pairs(key_i, metric_codes, metric_names, key_records, keys)

    # Quantities: digits only; dates: date cells (or whole day numbers) from 1900-03-01 on.
    quantity_ok, quantity = quantities(column[_QUANTITY])
    date_ok, day, month = days(column[_DATE])

    good = ~empty & date_ok & quantity_ok & (pair_i >= 0)
    # Texts over Excel's limit (a key or metric that long is unknown anyway).
    good &= ~over_text_limit(column[_SOURCE])
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
        readings, kept = check_rows(path, place, rows[suspect].tolist(), keys, out, faults)
        columns = with_readings(columns, readings, pairs, key_of, keys)
        below = sorted(below + [r for r in kept if r > place.last_row])
    if billing is not None and len(columns.row):
        usage_plausibility(columns, pairs, place, out, billing)
    overlapping_reports(column[_SOURCE], good, pair_i, day, rows, first_row, pairs, place, out)
    warning = None
    if below:
        letter = column_letter(place.columns[schema.USAGE.headers[0]])
        warning = rows_below_warning(
            schema.USAGE, place.sheet, below[0], f"{letter}{below[0]}", len(below)
        )
    key_cells = f"{place.sheet}!{column_letter(place.columns[_KEY])}"
    key_names = [record.license_key for record in key_records]
    return usage_index(columns, pairs, key_names, key_cells), warning
