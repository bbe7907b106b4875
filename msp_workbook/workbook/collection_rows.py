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
from .sheet_xml import CellValue

SEQUENCES = ("FRST", "RCUR")


def build_collections(raw: RawTable | None) -> tuple[list[Collected], list[Check]]:
    """The collections written before, and the rows that cannot be trusted."""
    found: list[Collected] = []
    checks: list[Check] = []
    if raw is None:
        return found, checks
    for row in raw:
        try:
            month = as_month(row.values.get("Month"), "Month")
            sequence = as_choice(row.values.get("Sequence"), "Sequence", SEQUENCES)
        except CellError as exc:
            header = "Month" if "Month" in str(exc) else "Sequence"
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
                invoice=as_text(row.values.get("Invoice")),
                customer_id=as_text(row.values.get("Customer ID")),
                mandate_id=as_text(row.values.get("Mandate ID")),
                sequence=sequence,  # type: ignore[arg-type]
            )
        )
    return found, checks


def collection_rows(debits: Sequence[Collection], month: str) -> list[list[CellValue]]:
    """The rows of collections written now, in the table's column order."""
    assert schema.COLLECTIONS.headers == (
        "Month",
        "Invoice",
        "Customer ID",
        "Mandate ID",
        "Sequence",
        "Amount",
        "Collection date",
    )
    return [
        [month, d.invoice, d.customer_id, d.mandate_id, d.sequence, d.amount, d.collection_date]
        for d in debits
    ]
