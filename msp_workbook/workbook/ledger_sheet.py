"""The Ledger sheet's columns, loaded with fastexcel, and the command line's early start of it.

Light on imports, like `usage_sheet`: `start(path)` forks the loader (`isolated.ChildLoad`) as
soon as the command line knows the workbook, beside the Usage sheet's loader, while the rest of
the program is still being imported (a child forked then shares little with the parent);
`ledger_columns.LedgerLoad` takes it over and converts what it loaded.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from . import isolated, schema
from .isolated import ChildLoad
from .places import TablePlace, table_places
from .usage_sheet import load_table_columns, place_of, start_load, with_place

__all__ = ["load_ledger_columns", "place_of", "start"]

_FINALIZED = schema.COL_FINALIZED


def start(path: Path, after: isolated.Gate | None = None) -> ChildLoad | None:
    """The Ledger sheet loading in a child process, once the children started before `after`
    have ended (None where loads do not run in a child, where the workbook has no Ledger table
    or is no file, or where no child can be started)."""
    if not isolated.available() or not Path(path).is_file():
        return None
    try:
        place = table_places(Path(path), (schema.LEDGER,))[schema.LEDGER.name]
    except Exception:  # the reader says what is wrong with the file
        return None
    if place is None:
        return None
    return start_load(path, functools.partial(load_ledger_columns, Path(path), place), after)


def load_ledger_columns(path: Path, place: TablePlace) -> Any:
    """The Ledger table's columns from its first data row to the end of the sheet, as an Arrow
    record batch (texts as read, Finalized as a datetime); None when there are no rows. The
    place goes with the batch, so that a load started early is known to be of this table."""
    ordered = sorted(place.columns, key=place.columns.__getitem__)
    batch = load_table_columns(path, place, ordered, _FINALIZED)
    return None if batch is None else with_place(batch, place)
