"""The Ledger read like Usage: its columns in bulk with fastexcel, in a child process while the
parent reads the small tables (`isolated.ChildLoad`), each column's distinct values converted once
(`ledger_rows`), kept as columns (`core.ledger.Ledger.of_columns`: line records are made only for
the months a run shows or corrects).

A year's Ledger at 10,000 customers is 185,000 lines of 21 cells; read cell by cell with
python-calamine it cost more than the whole Usage sheet. When a row does not convert (somebody
edited the Ledger), the table is read again row by row (`ledger_rows.build_ledger` over
python-calamine's cells), which names each bad row's problem exactly as before.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ..core.ledger import Ledger, LedgerColumns
from ..core.models import Check
from . import schema
from .cells import column_letter
from .errors import WorkbookError
from .isolated import ChildFailed, ChildLoad
from .ledger_rows import NOT_CONVERTED, READ_ORDER, check_row_taxes, convert_value
from .ledger_sheet import load_ledger_columns, place_of
from .places import TablePlace, table_places
from .reader import refuse_lost_table, rows_below_warning
from .usage_sheet import start_load


class LedgerLoad:
    """The Ledger's columns loading in a child process (in this process where there is none)
    while the caller reads the other tables; `started`: the load the command line started
    (`ledger_sheet.start`)."""

    def __init__(self, path: Path, started: ChildLoad | None = None) -> None:
        self.path = path
        self.place = table_places(path, (schema.LEDGER,))[schema.LEDGER.name]
        self._child: ChildLoad | None = started
        if self.place is None:
            refuse_lost_table(path, schema.LEDGER)  # rows without their table: stop
            return
        if self._child is None:
            self._child = start_load(path, functools.partial(load_ledger_columns, path, self.place))

    def result(self) -> Any:
        """The loaded batch (None: no Ledger table, or no rows)."""
        if self.place is None:
            return None
        if self._child is None:
            return load_ledger_columns(self.path, self.place)
        try:
            batch = self._child.result()
        except ChildFailed:
            # Whatever stopped the child (memory, a temporary folder with no room), the sheet
            # is read row by row, which refuses a sheet too large to read with a reason.
            return load_ledger_columns(self.path, self.place)
        if batch is not None and place_of(batch) != self.place:
            raise WorkbookError(f"{self.path}: the workbook changed while it was read; try again")
        return batch

    def close(self) -> None:
        if self._child is not None:
            self._child.close()

    def __enter__(self) -> LedgerLoad:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def ledger_in_bulk(
    place: TablePlace | None, batch: Any
) -> tuple[Ledger, list[Check], tuple[str, ...]] | None:
    """The Ledger, its checks and its columns (the table's order) from a loaded batch; None when
    a row does not convert (the caller reads the table row by row for its messages)."""
    found = ledger_rows_in_bulk(place, batch)
    return None if found is None else found[:3]


def ledger_rows_in_bulk(
    place: TablePlace | None, batch: Any
) -> tuple[Ledger, list[Check], tuple[str, ...], list[int]] | None:
    """`ledger_in_bulk`, and each line's sheet row.

    Column by column in Arrow: each column's distinct values are converted once in Python and
    put back in place by index (numpy), so no cell is touched one by one."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if place is None:
        return Ledger(), [], (), []
    ordered = tuple(sorted(place.columns, key=place.columns.__getitem__))
    if batch is None:
        return Ledger(), [], ordered, []
    first = place.header_row + 2  # the sheet row of the batch's first row
    count = min(batch.num_rows, max(place.end_row - first + 1, 0))
    batch = batch.slice(0, count)
    # All-empty rows are no rows; rows below the table's range are read too (with a warning).
    filled = pc.is_valid(batch.column(0))
    for column in batch.columns[1:]:
        filled = pc.or_(filled, pc.is_valid(column))
    positions = np.flatnonzero(filled.to_numpy(zero_copy_only=False))
    if len(positions) < count:
        batch = batch.filter(filled)
    rows = len(positions)
    loaded = {h: batch.column(i) for i, h in enumerate(ordered)}
    columns: list[list[object]] = []
    codes: dict[str, Any] = {}
    for header in READ_ORDER:
        array = loaded.get(header)
        if array is None:  # a column the Ledger lacks (closed before it was recorded)
            array = pa.nulls(rows, pa.string())
        encoded = pc.dictionary_encode(array)
        distinct = encoded.dictionary.to_pylist()
        values = [convert_value(header, v) for v in distinct]
        values.append(convert_value(header, None))  # the empty cell, at the end
        if any(v is NOT_CONVERTED for v in values):
            used = set(np.unique(_indices(encoded, len(distinct))).tolist())
            if any(values[i] is NOT_CONVERTED for i in used):
                return None
        index = _indices(encoded, len(distinct))
        codes[header] = index
        table = np.empty(len(values), dtype=object)
        table[:] = values
        columns.append(table[index].tolist())
    if not _taxes_agree(columns, codes, np):
        return None
    checks = []
    below = [first + int(i) for i in positions if first + i > place.last_row]
    if below:
        letter = _letter(place.columns[schema.LEDGER.headers[0]])
        checks.append(
            rows_below_warning(
                schema.LEDGER, place.sheet, below[0], f"{letter}{below[0]}", len(below)
            )
        )
    numbers = [first + int(i) for i in positions]
    return Ledger.of_columns(LedgerColumns(*columns)), checks, ordered, numbers


def _indices(encoded: Any, empty: int) -> Any:
    """A dictionary-encoded column's indices as numpy, an empty cell pointing past the
    dictionary (`empty`)."""
    import pyarrow.compute as pc

    return pc.fill_null(encoded.indices, empty).to_numpy(zero_copy_only=False)


def _taxes_agree(columns: list[list[object]], codes: dict[str, Any], np: Any) -> bool:
    """Every row's VAT rate and reverse charge agree, and all lines of an invoice carry the
    same (`ledger_rows.check_row_taxes` and its invoice rule, over distinct values)."""
    vat, reverse = codes[schema.COL_VAT_RATE], codes[schema.COL_REVERSE_CHARGE]
    width = int(reverse.max(initial=0)) + 1
    pair = vat.astype(np.int64) * width + reverse
    for code in np.unique(pair).tolist():
        at = int(np.flatnonzero(pair == code)[0])
        try:
            check_row_taxes(columns[-3][at], columns[-2][at])
        except ValueError:
            return False
    invoice = codes[schema.COL_INVOICE].astype(np.int64)
    per_invoice = np.unique(invoice * (int(pair.max(initial=0)) + 1) + pair)
    return len(per_invoice) == len(np.unique(invoice))


def _letter(column: int) -> str:

    return column_letter(column)
