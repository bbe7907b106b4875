"""Closing a month, and a closed month as the Ledger has it (the product spec, section 4).

Closing month M appends M's billing lines to the Ledger, each with its invoice's number
(`numbering.number_invoices`), VAT rate and reverse charge (`closing_entries`). A closed month
never changes: it is shown from its Ledger lines, never billed again (`closed_month_view`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .invoices import invoices_for, lines_by_customer, make_invoice
from .ledger import Ledger, LedgerLine
from .models import BillingLine, Check, Inputs, Invoice
from .months import Month
from .vocabulary import LEDGER_SHEET


def closed_month_view(
    ledger: Ledger, inputs: Inputs, month: Month
) -> tuple[list[BillingLine], list[Invoice], list[Check]]:
    """A closed month as it was closed: its ledger lines and the invoices they make, with the
    VAT rate, reverse charge and customer name of the Ledger (never today's Settings or
    Customers). Lines closed before the Ledger recorded VAT rate and reverse charge take
    today's, and the month gets one `info` check saying so."""
    entries = ledger.month_lines(month)
    lines = [e.line for e in entries]
    recorded = {e.line.customer_id: e for e in entries if e.vat_rate is not None}
    numbers = {e.line.customer_id: e.invoice for e in entries}
    today = {i.customer_id: i for i in invoices_for(lines, inputs, month, numbers)}
    invoices: list[Invoice] = []
    unrecorded = False
    for customer_id, customer_lines in lines_by_customer(lines):
        entry = recorded.get(customer_id)
        if entry is None:
            unrecorded = True
            rate, reverse = today[customer_id].vat_rate, today[customer_id].reverse_charge
        else:
            rate, reverse = entry.vat_rate, bool(entry.reverse_charge)
        invoices.append(
            make_invoice(
                month,
                numbers[customer_id],
                customer_lines[0].customer,
                customer_lines,
                rate,
                reverse,
            )
        )
    checks = []
    if unrecorded:
        checks.append(
            Check(
                severity="info",
                sheet=LEDGER_SHEET,
                cell="",
                message=f"{month} was closed before the Ledger recorded each invoice's VAT rate "
                "and reverse charge: its invoices use today's VAT rate (Settings) and "
                "customers' Country and VAT ID (Customers)",
            )
        )
    return lines, invoices, checks


def closing_entries(
    lines: Sequence[BillingLine],
    invoices: Sequence[Invoice],
    numbers: dict[str, str],
    finalized: datetime,
) -> list[LedgerLine]:
    """The Ledger lines of a month being closed: each line with its invoice's number, VAT rate
    and reverse charge."""
    by_customer = {i.customer_id: i for i in invoices}
    return [
        LedgerLine(
            invoice=numbers[li.customer_id],
            line=li,
            finalized=finalized,
            vat_rate=by_customer[li.customer_id].vat_rate,
            reverse_charge=by_customer[li.customer_id].reverse_charge,
        )
        for li in lines
    ]
