"""Invoice numbers of a month being closed (the product spec, section 4): `{prefix}{YYYY}-{NNNN}`,
YYYY the month's year, NNNN counting on from the invoices already in the Ledger for that year,
gap-free, one per customer in Customer ID order.
"""

from __future__ import annotations

from collections.abc import Sequence

from .ledger import Ledger
from .models import Invoice
from .months import Month


def number_invoices(
    invoices: Sequence[Invoice], ledger: Ledger, prefix: str, month: Month
) -> dict[str, str]:
    """Invoice number per Customer ID: gap-free within the billed month's year, in Customer ID
    order, continuing after the invoices of that year already in the ledger."""
    first = len(ledger.invoices_in_year(month.year)) + 1
    return {
        invoice.customer_id: f"{prefix}{month.year:04d}-{n:04d}"
        for n, invoice in enumerate(sorted(invoices, key=lambda i: i.customer_id), start=first)
    }
