"""The Collections table <-> the direct debits the SEPA export wrote (one row per invoice).

The program writes it (append-only); a row that cannot be read is an error at its cell:
somebody edited the sheet, and a mandate's FRST or RCUR must not be guessed past it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.models import Check
from ..core.sepa import Collected, Collection
from . import schema
from .cells import CellError, as_choice, as_month, as_text
from .reader import RawTable
from .write.cell_xml import CellValue

SEQUENCES = ("FRST", "RCUR")


def build_collections(raw: RawTable | None) -> tuple[list[Collected], list[Check]]:
    """The collections written before, and the rows that cannot be trusted."""
    found: list[Collected] = []
    checks: list[Check] = []
    if raw is None:
        return found, checks
    for row in raw:
        try:
            month = as_month(row.values.get(schema.COL_MONTH), schema.COL_MONTH)
            sequence = as_choice(
                row.values.get(schema.COL_SEQUENCE), schema.COL_SEQUENCE, SEQUENCES
            )
        except CellError as exc:
            header = schema.COL_MONTH if schema.COL_MONTH in str(exc) else schema.COL_SEQUENCE
            checks.append(
                Check(
                    severity="error",
                    sheet=raw.sheet,
                    cell=row.cells[header],
                    message=f"{exc} (a row of the SEPA export: do not edit this sheet)",
                )
            )
            continue
        found.append(
            Collected(
                month=month,
                invoice=as_text(row.values.get(schema.COL_INVOICE)),
                customer_id=as_text(row.values.get(schema.COL_CUSTOMER_ID)),
                mandate_id=as_text(row.values.get(schema.COL_MANDATE_ID)),
                sequence=sequence,  # type: ignore[arg-type]
            )
        )
    return found, checks


def collection_rows(debits: Sequence[Collection], month: str) -> list[list[CellValue]]:
    """The rows of collections written now, in the table's column order."""
    return [
        schema.COLLECTIONS.row(
            {
                schema.COL_MONTH: month,
                schema.COL_INVOICE: d.invoice,
                schema.COL_CUSTOMER_ID: d.customer_id,
                schema.COL_MANDATE_ID: d.mandate_id,
                schema.COL_SEQUENCE: d.sequence,
                schema.COL_AMOUNT: d.amount,
                schema.COL_COLLECTION_DATE: d.collection_date,
            }
        )
        for d in debits
    ]
