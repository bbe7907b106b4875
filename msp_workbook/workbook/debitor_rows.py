"""The Debitors table <-> the debitor numbers the DATEV export gave (customer ID -> number).

The program writes it (append-only); a row that cannot be read, or a customer or number that
appears twice, is an error at its cell: somebody edited the sheet, and an export guessing past
it could give one number to two customers.
"""

from __future__ import annotations

from ..core.models import Check
from . import schema
from .cells import CellError, as_text, as_whole
from .reader import RawTable


def build_debitors(raw: RawTable | None) -> tuple[dict[str, int], list[Check]]:
    """The numbers given before, by Customer ID, and the rows that cannot be trusted."""
    given: dict[str, int] = {}
    checks: list[Check] = []
    if raw is None:
        return given, checks
    owner: dict[int, str] = {}
    for row in raw:

        def error(header: str, message: str, row=row) -> None:  # noqa: ANN001
            checks.append(Check(severity="error", sheet=raw.sheet, cell=row.cells[header],
                                message=message))  # fmt: skip

        cid = as_text(row.values.get(schema.COL_CUSTOMER_ID))
        try:
            number = as_whole(row.values.get(schema.COL_DEBITOR), schema.COL_DEBITOR)
        except CellError as exc:
            error(schema.COL_DEBITOR, f"{exc} (a row of the DATEV export: do not edit this sheet)")
            continue
        if not cid:
            error(schema.COL_CUSTOMER_ID, "Customer ID is empty (do not edit this sheet)")
        elif cid in given:
            error(
                schema.COL_CUSTOMER_ID, f"{cid} has a debitor number twice (do not edit this sheet)"
            )
        elif number in owner:
            error(schema.COL_DEBITOR, f"Debitor {number} is given to {owner[number]} too")
        else:
            given[cid] = number
            owner[number] = cid
    return given, checks


def debitor_rows(new: list[tuple[str, int]], month: str) -> list[list[object]]:
    """The rows of newly given numbers, in the table's column order."""
    return [
        schema.DEBITORS.row(
            {schema.COL_CUSTOMER_ID: cid, schema.COL_DEBITOR: number, schema.COL_MONTH: month}
        )
        for cid, number in new
    ]
