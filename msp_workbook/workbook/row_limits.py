"""A workbook that grows towards Excel's row limit (SPEC section 11): Usage gains every month's
readings and the Ledger every closed month's lines; past 80 % of the 1,048,576 rows a sheet can
hold, Checks warns and says what to run before Excel can no longer open the file whole."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from ..core.archive import latest_cut
from ..core.models import Check
from ..core.months import Month
from . import schema
from .cell_refs import MAX_ROW

WARN_SHARE = 0.8  # of Excel's rows per sheet


def row_limit_warnings(
    workbook: Path,
    last_rows: Mapping[str, int],
    closed: Iterable[Month],
    correction_months: int,
) -> list[Check]:
    """A warning for Usage and for the Ledger when its table reaches past 80 % of Excel's rows
    (`last_rows`: the sheet row of each table's last row), with the archive command to run."""
    cut = latest_cut(closed, correction_months)
    if cut is None:
        remedy = (
            "close the months billed so far, then move the oldest into an archive "
            f'(msp-workbook archive "{workbook.name}" --before YYYY-MM)'
        )
    else:
        remedy = (
            f'move the oldest months into an archive: msp-workbook archive "{workbook.name}" '
            f"--before {cut} (the latest month the comparison and correction windows allow), or "
            "the Archive button in Excel"
        )
    found = []
    for spec in (schema.USAGE, schema.LEDGER):
        last = last_rows.get(spec.name, 0)
        if last > WARN_SHARE * MAX_ROW:
            found.append(
                Check(
                    severity="warning",
                    sheet=spec.sheet,
                    cell=f"A{last}",
                    message=f"the {spec.name} table reaches row {last:,} of the {MAX_ROW:,} "
                    f"an Excel sheet can hold ({last / MAX_ROW:.0%}); {remedy}",
                )
            )
    return found
