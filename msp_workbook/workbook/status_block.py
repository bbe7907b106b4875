"""Where the Start sheet's status block is and what it holds.

The template writes the block beside the monthly steps: a heading, then one label per row in
column F and the value cell beside it in column G. Every run that rewrites the generated sheets
(recalculate, close; the command line and the Excel buttons alike) sets the value cells, and
nothing else on the sheet. A face finds the block by its labels: when a label is not in its
cell (the sheet was deleted, rows were inserted or the block was moved), nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from . import schema

SHEET = schema.START_SHEET
HEADING = "This month"
LABEL_COLUMN = 5  # 0-based: F
VALUE_COLUMN = 6  # 0-based: G
FIRST_ROW = 9  # Excel row of the first label (the heading is the row above, beside "Every month")

BILLING_MONTH = "Billing month"
MONTH_IS = "Month is"
LAST_RUN = "Last run"
ERRORS = "Errors on Checks"
WARNINGS = "Warnings on Checks"
LINES = "Billing lines"
INVOICES = "Invoices"
CURRENCY = "Currency"
NET = "Net"
VAT = "VAT"
GROSS = "Gross"
STATE = "State"

LABELS: tuple[str, ...] = (
    BILLING_MONTH,
    MONTH_IS,
    LAST_RUN,
    ERRORS,
    WARNINGS,
    LINES,
    INVOICES,
    CURRENCY,
    NET,
    VAT,
    GROSS,
    STATE,
)

# Number formats of the value cells (the others: General, or text).
FORMATS: dict[str, str] = {
    LAST_RUN: "yyyy-mm-dd hh:mm",
    ERRORS: schema.FMT_WHOLE,
    WARNINGS: schema.FMT_WHOLE,
    LINES: schema.FMT_WHOLE,
    INVOICES: schema.FMT_WHOLE,
    NET: schema.FMT_MONEY,
    VAT: schema.FMT_MONEY,
    GROSS: schema.FMT_MONEY,
}
# What the template's State cell says before the first run.
NOT_RUN_YET = "not recalculated yet"

V = TypeVar("V")


def ordered(values: Mapping[str, V]) -> list[V | None]:
    """The block's values from top to bottom (a label without a value: None)."""
    unknown = sorted(set(values) - set(LABELS))
    if unknown:
        raise ValueError(f"not in the status block: {unknown}")
    return [values.get(label) for label in LABELS]


def in_place(labels: Sequence[object]) -> bool:
    """Whether the label cells (top to bottom, as read) hold the block's labels."""
    found = [str(v).strip() if v is not None else "" for v in labels]
    return found == list(LABELS)
