"""The SEPA direct debit's rules (SPEC section 9): what is collected from whom, and when.

Pure: no I/O. The file itself (pain.008.001.02, SEPA Core) is written and checked by
`exports.sepa_file`.

- One collection per invoice with a positive Gross of a customer whose Payment is
  `direct debit`: the Gross from the customer's Debtor IBAN under its Mandate ID; the invoice
  number is the end-to-end ID, "invoice and month" the remittance text.
- Sequence: FRST for a mandate's first collection, RCUR once it was collected in an earlier
  month (the Collections sheet remembers every collection written); an invoice collected before
  keeps the sequence it was written with, so the same month gives the same file again.
- Collection date: the one asked for, else the invoice's due date (issue date + Payment days).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from .models import Customer, Invoice, Settings
from .months import Month
from .vocabulary import PAYMENT_METHODS

SequenceType = Literal["FRST", "RCUR"]
DIRECT_DEBIT = PAYMENT_METHODS[1]


@dataclass(frozen=True)
class Collected:
    """A collection written before (a row of the Collections sheet)."""

    month: Month
    invoice: str
    customer_id: str
    mandate_id: str
    sequence: SequenceType


@dataclass(frozen=True)
class Collection:
    """One direct-debit transaction."""

    invoice: str
    customer_id: str
    debtor: str  # the customer's name
    iban: str
    bic: str  # empty: not given
    mandate_id: str
    mandate_date: date
    amount: Decimal
    sequence: SequenceType
    collection_date: date
    text: str  # remittance information


def pays_by_direct_debit(customer: Customer) -> bool:
    return customer.payment.strip().lower() == DIRECT_DEBIT


def mandate_day(text: str) -> date | None:
    """A Mandate date as typed: ISO (a date cell reads so) or German `TT.MM.JJJJ`."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


class History:
    """The collections written before, indexed once: the sequence each (month, invoice) was
    written with, and the first month each mandate was collected in."""

    def __init__(self, collected: Iterable[Collected]) -> None:
        self.written: dict[tuple[Month, str], SequenceType] = {}
        self.first_month: dict[str, Month] = {}
        for c in collected:
            self.written.setdefault((c.month, c.invoice), c.sequence)
            first = self.first_month.get(c.mandate_id)
            if first is None or c.month < first:
                self.first_month[c.mandate_id] = c.month

    def sequence_of(self, mandate_id: str, invoice: str, month: Month) -> SequenceType:
        """FRST for a mandate's first collection, RCUR once it was collected in an earlier
        month; an invoice collected before keeps its sequence."""
        recorded = self.written.get((month, invoice))
        if recorded is not None:
            return recorded
        first = self.first_month.get(mandate_id)
        return "RCUR" if first is not None and first < month else "FRST"


def due_date(issue: date, settings: Settings) -> date:
    return issue + timedelta(days=settings.payment_days)


def collections(
    invoices: Sequence[Invoice],
    customers: Mapping[str, Customer],
    settings: Settings,
    month: Month,
    issue_dates: Mapping[str, date],
    history: Sequence[Collected],
    collection_date: date | None = None,
) -> list[Collection]:
    """The month's direct debits, in invoice order. The customers' mandate fields are taken as
    checked (`sepa_fields.customer_gaps`)."""
    written = History(history)
    out = []
    for invoice in invoices:
        customer = customers[invoice.customer_id]
        if not pays_by_direct_debit(customer) or invoice.gross <= 0:
            continue
        mandate = customer.mandate_id.strip()
        signed = mandate_day(customer.mandate_date)
        assert signed is not None, "checked by sepa_fields"
        out.append(
            Collection(
                invoice=invoice.invoice,
                customer_id=invoice.customer_id,
                debtor=invoice.customer or customer.customer,
                iban=compact(customer.debtor_iban),
                bic=compact(customer.debtor_bic),
                mandate_id=mandate,
                mandate_date=signed,
                amount=invoice.gross,
                sequence=written.sequence_of(mandate, invoice.invoice, month),
                collection_date=collection_date or due_date(issue_dates[invoice.invoice], settings),
                text=f"{invoice.invoice} {month}",
            )
        )
    return out


def compact(code: str) -> str:
    """An IBAN, BIC or creditor ID without spaces, in capitals."""
    return "".join(code.split()).upper()
