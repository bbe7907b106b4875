"""The Ledger read like Usage: its columns in bulk with fastexcel, in a child process while the
parent reads the small tables (`isolated.ChildLoad`), each column's distinct values converted once
(`ledger_rows`), kept as columns (`core.ledger.Ledger.of_columns`: line records are made only for
the months a run shows or corrects).

A year's Ledger at 10,000 customers is 185,000 lines of 21 cells; read cell by cell with
python-calamine it cost more than the whole Usage sheet. When a row does not convert (somebody
edited the Ledger), the table is read again the reference way (`ledger_rows.build_ledger` over
python-calamine's cells), which names each bad row's problem exactly as before.
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path
from typing import Any

from ..core.ledger import Ledger, LedgerColumns
from ..core.models import Check
from . import isolated, schema
from .isolated import ChildFailed, ChildLoad
from .ledger_rows import READ_ORDER, check_row_taxes, converted_column
from .places import TablePlace, table_places, unreadable
from .reader import refuse_lost_table, rows_below_warning
from .usage_sheet import LOAD_IMPORTS

_FINALIZED = "Finalized"


def load_ledger_columns(path: Path, place: TablePlace) -> Any:
    """The Ledger table's columns from its first data row to the end of the sheet, as an Arrow
    record batch (texts as read, Finalized as a datetime); None when there are no rows."""
    import fastexcel

    ordered = sorted(place.columns, key=place.columns.__getitem__)
    dtypes = {place.columns[h]: ("datetime" if h == _FINALIZED else "string") for h in ordered}
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:
        raise unreadable(path, exc) from exc
    try:
        return reader.load_sheet(
            place.sheet,
            header_row=None,
            skip_rows=place.header_row + 1,
            use_columns=[place.columns[h] for h in ordered],
            dtypes=dtypes,
            eager=True,
        )
    except fastexcel.InvalidParametersError:
        return None  # the sheet ends at the table's header: no rows
    except Exception as exc:
        raise unreadable(path, exc) from exc


class LedgerLoad:
    """The Ledger's columns loading in a child process (in this process where there is none)
    while the caller reads the other tables."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.place = table_places(path, (schema.LEDGER,))[schema.LEDGER.name]
        self._child: ChildLoad | None = None
        if self.place is None:
            refuse_lost_table(path, schema.LEDGER)  # rows without their table: stop
            return
        if isolated.available():
            with contextlib.suppress(OSError):
                self._child = ChildLoad(
                    functools.partial(load_ledger_columns, path, self.place), LOAD_IMPORTS
                )

    def result(self) -> Any:
        """The loaded batch (None: no Ledger table, or no rows)."""
        if self.place is None:
            return None
        if self._child is None:
            return load_ledger_columns(self.path, self.place)
        try:
            return self._child.result()
        except ChildFailed:
            # Whatever stopped the child (memory, a temporary folder with no room), the sheet
            # is read the reference way, which refuses a sheet too large to read with a reason.
            return load_ledger_columns(self.path, self.place)

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
    a row does not convert (the caller reads the table the reference way for its messages)."""
    if place is None:
        return Ledger(), [], ()
    ordered = tuple(sorted(place.columns, key=place.columns.__getitem__))
    if batch is None:
        return Ledger(), [], ordered
    loaded = {h: batch.column(i).to_pylist() for i, h in enumerate(ordered)}
    first = place.header_row + 2  # the sheet row of the batch's first row
    count = min(batch.num_rows, max(place.end_row - first + 1, 0))
    # All-empty rows are no rows; rows below the table's range are read too (with a warning).
    present = [loaded[h] for h in ordered]
    keep = [i for i in range(count) if any(column[i] is not None for column in present)]
    if len(keep) == batch.num_rows:
        picked = loaded
    else:
        picked = {h: [values[i] for i in keep] for h, values in loaded.items()}
    empty = [None] * len(keep)
    bad: set[int] = set()
    columns = [converted_column(h, picked.get(h, empty), bad) for h in READ_ORDER]
    if bad:
        return None
    try:
        taxes: dict[object, tuple[object, object]] = {}
        for invoice, vat_rate, reverse in zip(columns[0], columns[-3], columns[-2], strict=True):
            check_row_taxes(vat_rate, reverse)
            if taxes.setdefault(invoice, (vat_rate, reverse)) != (vat_rate, reverse):
                return None
    except ValueError:
        return None
    checks = []
    below = [first + i for i in keep if first + i > place.last_row]
    if below:
        letter = _letter(place.columns[schema.LEDGER.headers[0]])
        checks.append(
            rows_below_warning(
                schema.LEDGER, place.sheet, below[0], f"{letter}{below[0]}", len(below)
            )
        )
    return Ledger.of_columns(LedgerColumns(*columns)), checks, ordered


def _letter(column: int) -> str:
    from .cells import column_letter

    return column_letter(column)
