"""The Usage sheet's columns, loaded with fastexcel, and the command line's early start of it.

Light on imports, like `places`: `start(path)` forks the loader (`isolated.ChildLoad`) as soon as
the command line knows the workbook, so the sheet loads while the rest of the program is still
being imported; `usage_columns.UsageLoad` takes the started child over.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import isolated, schema
from .isolated import ChildLoad
from .places import TablePlace, table_place, unreadable

_DATE = schema.USAGE.headers[0]
_PLACE = b"msp_workbook.place"  # the batch's metadata: where the loaded table was
# What a load imports (see `isolated.ChildLoad`).
LOAD_IMPORTS = (
    "fastexcel",
    "pyarrow",
    "pyarrow.ipc",
    "msp_workbook.workbook.package.opc",
    "msp_workbook.workbook.cell_refs",
)


def start(path: Path) -> ChildLoad | None:
    """The Usage sheet loading in a child process (None where loads do not run in a child,
    where `path` is no file, the reader then says why, or where no child can be started)."""
    return start_load(path, functools.partial(load_with_place, Path(path)))


def start_load(
    path: Path, load: Callable[[], Any], after: isolated.Gate | None = None
) -> ChildLoad | None:
    """`load` running in a child process for the command line's early start, once the children
    started before `after` have ended (None where loads do not run in a child, where `path` is
    no file, or where no child can be started: the reader then loads it itself)."""
    if not isolated.available() or not Path(path).is_file():
        return None
    try:
        return ChildLoad(load, LOAD_IMPORTS, after)
    except OSError:
        return None


def load_with_place(path: Path) -> Any:
    """`load_columns` at the table's place, found here; the place goes with the batch."""
    place = table_place(path, schema.USAGE)
    batch = load_columns(path, place)
    return None if batch is None else with_place(batch, place)


def with_place(batch: Any, place: TablePlace) -> Any:
    """The batch carrying the place it was loaded from (a load started early is checked to be
    of the table the reader finds)."""
    return batch.replace_schema_metadata({_PLACE: json.dumps(_place_fields(place))})


def place_of(batch: Any) -> TablePlace | None:
    """The place a batch was loaded from (`with_place`)."""
    found = (batch.schema.metadata or {}).get(_PLACE)
    return TablePlace(**json.loads(found)) if found else None


def _place_fields(place: TablePlace) -> dict[str, Any]:
    return {
        "sheet": place.sheet,
        "header_row": place.header_row,
        "last_row": place.last_row,
        "end_row": place.end_row,
        "totals_row": place.totals_row,
        "columns": place.columns,
    }


def ordered_headers(place: TablePlace) -> list[str]:
    """The Usage headers in the order of their sheet columns (the order fastexcel returns)."""
    return sorted(schema.USAGE.headers, key=lambda h: place.columns[h])


def load_columns(path: Path, place: TablePlace) -> Any:
    """The table's columns from its first data row to the end of the sheet (rows typed below
    the range included), as an Arrow record batch; None when there are no such rows."""
    return load_table_columns(path, place, ordered_headers(place), _DATE)


def load_table_columns(
    path: Path, place: TablePlace, ordered: list[str], datetime_header: str
) -> Any:
    """The `ordered` columns of a table (in the order of their sheet columns) from its first
    data row to the end of the sheet, as an Arrow record batch: `datetime_header` as datetimes,
    the others as text; None when there are no rows."""
    import fastexcel

    indexes = [place.columns[h] for h in ordered]
    dtypes = {place.columns[h]: ("datetime" if h == datetime_header else "string") for h in ordered}
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:
        raise unreadable(path, exc) from exc
    try:
        return reader.load_sheet(
            place.sheet,
            header_row=None,
            skip_rows=place.header_row + 1,
            use_columns=indexes,
            dtypes=dtypes,
            eager=True,
        )
    except fastexcel.InvalidParametersError:
        return None  # the sheet ends at the table's header: no rows
    except Exception as exc:
        raise unreadable(path, exc) from exc
