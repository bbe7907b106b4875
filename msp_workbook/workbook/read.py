"""Read a whole workbook for billing: every input table, validated, and the Ledger.

The orchestration of the reader's parts: `reader` finds tables and their raw rows,
`validation` turns them into records and checks, `ledger_rows` reads the closed months and
`usage_columns` the Usage sheet in bulk. Kept apart from `reader`, which those modules import,
so nothing imports back into a module that imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.ledger import Ledger
from ..core.models import Check, Settings
from ..core.months import Month
from ..progress import CHECKING, READING, Progress, no_progress
from . import schema
from .cells import column_letter
from .early import EarlyLoads
from .heap import give_back_freed
from .ledger_columns import LedgerLoad, ledger_in_bulk
from .ledger_rows import build_ledger
from .package.file_checks import check_workbook_file
from .places import TablePlace, table_places
from .reader import ReadResult, open_tables, require_tables
from .row_limits import row_limit_warnings
from .validation.collector import Collector
from .validation.master_data import build_inputs, build_master_data
from .validation.plausibility import billing_month_for

if TYPE_CHECKING:
    from .isolated import ChildLoad


def read_workbook(
    path: Path,
    *,
    bulk: bool = True,
    progress: Progress = no_progress,
    usage_load: ChildLoad | EarlyLoads | None = None,
    month: Month | None = None,
    today: date | None = None,
) -> ReadResult:
    """Read and validate every input table; bad rows become error checks and are left out.

    With `bulk` (the default) the Usage table is read and aggregated column-wise
    (`usage_columns`), else row by row into `inputs.usage` (the plain path, same results).
    `usage_load` is the Usage sheet's load when the caller started it already
    (`usage_sheet.start`), or the Usage and Ledger sheets' loads (`early.start`). Readings dated
    far from the billing month (`month`, else Settings', else the month before `today`) are
    warnings."""
    if not bulk:
        raw, below = open_tables(path, schema.INPUT_TABLES, optional=(schema.LEDGER,))
        inputs, found = build_inputs(raw, month, today)
        raw_ledger = raw.get(schema.LEDGER.name)
        ledger, ledger_checks = build_ledger(raw_ledger)
        checks = _in_table_order(below) + found + ledger_checks
        places = table_places(path, (schema.USAGE, schema.LEDGER))
        checks += _near_the_row_limit(path, places, ledger, inputs.settings)
        columns = raw_ledger.columns if raw_ledger else ()
        next_cell = _next_cell(places[schema.USAGE.name])
        return ReadResult(
            inputs, tuple(checks), ledger, ledger_columns=columns, usage_next_cell=next_cell
        )

    # numpy and pyarrow only now: the command line forks the Usage loader before they load,
    # and the Excel face (Pyodide) never gets here.
    from .usage_columns import UsageLoad, read_usage

    progress(READING)
    check_workbook_file(path)
    require_tables(path, schema.INPUT_TABLES)
    # The Usage sheet loads in the background (fastexcel works outside the GIL), and then the
    # Ledger (`ledger_columns`), while the tables the readings refer to are read here.
    early = usage_load if isinstance(usage_load, EarlyLoads) else EarlyLoads(usage_load, None)
    with (
        UsageLoad(path, started=early.usage) as loading,
        LedgerLoad(path, started=early.ledger) as ledger_load,
    ):
        tables = tuple(t for t in schema.INPUT_TABLES if t is not schema.USAGE)
        raw, below = open_tables(path, tables)
        out = Collector()
        master = build_master_data(raw, out)
        # The Ledger's child loads once the Usage sheet's has ended (`early.start`), beside the
        # small tables' checks and the Usage sheet's cell check (`result`) here; the usage rows
        # are checked after it, so that their peak and the Ledger loader's do not add up.
        place, batch = loading.result()
        in_bulk = ledger_in_bulk(ledger_load.place, ledger_load.result())
        if in_bulk is None:  # a row that does not convert: read row by row
            raw_ledger, ledger_below = open_tables(path, (), optional=(schema.LEDGER,))
            below.update(ledger_below)
            found_ledger = raw_ledger.get(schema.LEDGER.name)
            ledger, ledger_checks = build_ledger(found_ledger)
            columns = found_ledger.columns if found_ledger else ()
            del raw_ledger, found_ledger
        else:
            ledger, ledger_checks, columns = in_bulk
        give_back_freed()  # what the Ledger's conversion freed, before the usage checks
        progress(CHECKING)
        billing = billing_month_for(master.settings, month, today)
        usage, usage_below = read_usage(
            path, place, batch, master.key_ids, out, loading.faults, billing
        )
    if usage_below is not None:
        below[schema.USAGE.name] = usage_below
    checks = _in_table_order(below) + out.checks + ledger_checks
    places = {schema.USAGE.name: place, schema.LEDGER.name: ledger_load.place}
    checks += _near_the_row_limit(path, places, ledger, master.settings)
    return ReadResult(
        master.inputs(readings_elsewhere=True),
        tuple(checks),
        ledger,
        usage,
        columns,
        usage_next_cell=_next_cell(place),
    )


def _next_cell(place: TablePlace | None) -> str:
    """The Date cell under the table's range: where the next reading goes (rows typed below
    the range have a warning of their own, which asks to extend the table)."""
    if place is None or schema.COL_DATE not in place.columns:
        return ""
    # Above a Total Row a new row is inserted from the last one (Tab in its last cell).
    row = place.last_row if place.totals_row else place.last_row + 1
    return f"{column_letter(place.columns[schema.COL_DATE])}{row}"


def _near_the_row_limit(
    path: Path, places: Mapping[str, TablePlace | None], ledger: Ledger, settings: Settings
) -> list[Check]:
    last_rows = {name: place.last_row for name, place in places.items() if place is not None}
    return row_limit_warnings(path, last_rows, ledger.closed_months(), settings.correction_months)


def _in_table_order(below: dict[str, Check]) -> list[Check]:
    order = [t.name for t in (*schema.INPUT_TABLES, schema.LEDGER)]
    return [below[name] for name in order if name in below]
