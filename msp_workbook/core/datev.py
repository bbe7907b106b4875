"""The DATEV booking batch's rules (SPEC section 9): one booking per invoice of a closed month.

Pure: no I/O. The file itself (EXTF Buchungsstapel, format version 13) is written and checked by
`exports.datev_file`; this module decides what each booking says.

- Konto is the customer's debitor account: the one typed on Customers, else the one the export
  gave before (sheet Debitors), else the lowest free number from 10000 (`assign_debitors`).
- Gegenkonto is the revenue account of the invoice's tax case: domestic (VAT charged), EU reverse
  charge, outside the EU. These are DATEV's automatic accounts (SKR03 8400 / 8336 / 8338, SKR04
  4400 / 4336 / 4338): the account itself books the VAT, so no tax key (BU-Schlüssel) is written.
- Umsatz is the invoice's Gross as a positive amount; S (debit to the customer) for an invoice,
  H for a negative one (a credit). An invoice of 0.00 is not booked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stdnum.eu import vat as stdnum_vat

from .invoice_document import TaxCase, tax_case
from .models import Customer, Invoice, Settings
from .months import Month

FIRST_DEBITOR, LAST_DEBITOR = 10000, 69999
ACCOUNT_LENGTH = 4  # Sachkontenlänge: four-digit accounts, five-digit debitors
BOOKING_TEXT_LENGTH = 60

# The automatic revenue accounts of each chart, by tax case.
DEFAULT_ACCOUNTS: dict[str, dict[TaxCase, int]] = {
    "SKR03": {"domestic": 8400, "EU reverse charge": 8336, "outside the EU": 8338},
    "SKR04": {"domestic": 4400, "EU reverse charge": 4336, "outside the EU": 4338},
}
# The VAT rate DATEV's automatic domestic revenue account (8400 / 4400) books.
DOMESTIC_ACCOUNT_RATE = Decimal("0.19")


@dataclass(frozen=True)
class Booking:
    """One line of the booking batch."""

    amount: Decimal  # > 0, two decimals
    debit: bool  # S (True) or H
    account: int  # Konto: the debitor
    contra_account: int  # Gegenkonto: the revenue account
    day: date  # Belegdatum: the invoice's issue date
    invoice: str  # Belegfeld 1
    text: str  # Buchungstext
    vat_id: str  # EU-Land u. UStID (Bestimmung): the customer's, under EU reverse charge
    tax_case: TaxCase


def revenue_accounts(settings: Settings) -> dict[TaxCase, int]:
    """The Gegenkonto of each tax case: Settings' account where typed, else the chart's."""
    chart = DEFAULT_ACCOUNTS[settings.chart_of_accounts]
    return {
        "domestic": settings.revenue_account or chart["domestic"],
        "EU reverse charge": settings.reverse_charge_account or chart["EU reverse charge"],
        "outside the EU": settings.non_eu_account or chart["outside the EU"],
    }


def fiscal_year_start(day: date, start_month: int) -> date:
    """The first day of the fiscal year `day` falls in, for a year starting in `start_month`."""
    year = day.year if day.month >= start_month else day.year - 1
    return date(year, start_month, 1)


def booking_text(customer: str, month: Month) -> str:
    """The customer and the month of service, at most 60 characters (the name is shortened)."""
    suffix = f" {month}"
    room = BOOKING_TEXT_LENGTH - len(suffix)
    name = " ".join(customer.split())
    if len(name) > room:
        name = name[: room - 1].rstrip() + "…"
    return name + suffix


def assign_debitors(
    invoices: Sequence[Invoice],
    typed: Mapping[str, int],
    given: Mapping[str, int],
) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """The debitor of each booked invoice's customer (Gross not 0), and the numbers given now
    (customer ID, number), in invoice order. A typed number wins; else the number given
    before; else the lowest number from 10000 that is neither typed for nor given to any
    customer."""
    taken = set(typed.values()) | set(given.values())
    numbers: dict[str, int] = {}
    new: list[tuple[str, int]] = []
    candidate = FIRST_DEBITOR
    for invoice in invoices:
        cid = invoice.customer_id
        if cid in numbers or invoice.gross == 0:  # no booking, no number
            continue
        if cid in typed:
            numbers[cid] = typed[cid]
        elif cid in given:
            numbers[cid] = given[cid]
        else:
            while candidate in taken:
                candidate += 1
            if candidate > LAST_DEBITOR:
                raise OverflowError("no free debitor number is left from 10000 to 69999")
            numbers[cid] = candidate
            taken.add(candidate)
            new.append((cid, candidate))
    return numbers, new


def bookings(
    invoices: Iterable[Invoice],
    customers: Mapping[str, Customer],
    settings: Settings,
    debitors: Mapping[str, int],
    issue_dates: Mapping[str, date],
) -> list[Booking]:
    """The bookings of the invoices (none for an invoice of 0.00), in invoice order."""
    accounts = revenue_accounts(settings)
    out = []
    for invoice in invoices:
        if invoice.gross == 0:
            continue
        customer = customers[invoice.customer_id]
        case = tax_case(invoice, customer, settings)
        out.append(
            Booking(
                amount=abs(invoice.gross),
                debit=invoice.gross > 0,
                account=debitors[invoice.customer_id],
                contra_account=accounts[case],
                day=issue_dates[invoice.invoice],
                invoice=invoice.invoice,
                text=booking_text(invoice.customer or customer.customer, invoice.month),
                vat_id=stdnum_vat.compact(customer.vat_id) if case == "EU reverse charge" else "",
                tax_case=case,
            )
        )
    return out
