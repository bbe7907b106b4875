"""What the DATEV booking batch needs from Settings, Customers and the invoices, and where each
gap is (SPEC section 9).

`export-datev` reports these as errors and writes no file (a batch with a booking missing would
be silently wrong in the books); `recalc` lists the Settings and Customers ones as warnings once
a DATEV consultant is set, so they are fixed before the month is closed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from stdnum.eu import vat as stdnum_vat

from .datev import DOMESTIC_ACCOUNT_RATE, FIRST_DEBITOR, LAST_DEBITOR, revenue_accounts
from .document_fields import Gaps, missing_customer, setting_place
from .invoice_document import tax_case
from .models import Check, Customer, Invoice, Settings, Severity
from .vocabulary import (
    CURRENCY_SETTING,
    CUSTOMERS_SHEET,
    DATEV_CLIENT_SETTING,
    DATEV_CONSULTANT_SETTING,
    DEBITOR_COLUMN,
    INVOICE_PREFIX_SETTING,
    LEDGER_SHEET,
    REVENUE_ACCOUNT_SETTING,
    VAT_ID_COLUMN,
)

# Belegfeld 1: at most 36 of these characters (DATEV's format description).
BELEGFELD = re.compile(r"^[A-Za-z0-9$&%*+\-/]{1,36}$")
DEBITOR_FORM = re.compile(r"^\d{5}$")
DATEV_CURRENCY = "EUR"


def settings_gaps(settings: Settings, severity: Severity = "error") -> list[Check]:
    """What the batch lacks from Settings: the adviser's and client's numbers, EUR."""
    gaps = Gaps(severity)
    for name, value, what in (
        (DATEV_CONSULTANT_SETTING, settings.datev_consultant, "your tax adviser's Beraternummer"),
        (DATEV_CLIENT_SETTING, settings.datev_client, "your Mandantennummer"),
    ):
        if value is None:
            cell, hint = setting_place(settings, name)
            gaps.add(cell, f"{name} is empty: the DATEV export needs {what}{hint}")
    if settings.currency.upper() != DATEV_CURRENCY:
        cell, _ = setting_place(settings, CURRENCY_SETTING)
        gaps.add(
            cell,
            f"the DATEV export books in EUR only; Currency is {settings.currency}",
        )
    prefix = settings.invoice_prefix
    if not BELEGFELD.match(f"{prefix}2026-0001"):
        cell, _ = setting_place(settings, INVOICE_PREFIX_SETTING)
        gaps.add(
            cell,
            f'invoice numbers with the prefix "{prefix}" cannot be a DATEV Belegfeld 1 (at most '
            "36 letters, digits and $&%*+-/)",
        )
    accounts = revenue_accounts(settings)
    if len(set(accounts.values())) < len(accounts):
        cell, _ = setting_place(settings, REVENUE_ACCOUNT_SETTING)
        gaps.add(cell, "the three revenue accounts must differ: " + _listed(accounts))
    return gaps.checks


def _listed(accounts: Mapping[str, int]) -> str:
    return ", ".join(f"{case} {number}" for case, number in accounts.items())


def typed_debitors(
    customers: Iterable[Customer], given: Mapping[str, int], severity: Severity = "error"
) -> tuple[dict[str, int], list[Check]]:
    """The Debitor numbers typed on Customers (by Customer ID), and each one that cannot be
    used: not 10000-69999, typed twice, or already given to another customer (sheet Debitors)."""
    gaps = Gaps(severity)
    typed: dict[str, int] = {}
    first: dict[int, str] = {}
    given_to = {number: cid for cid, number in given.items()}
    for customer in customers:
        text = customer.debitor.strip()
        if not text:
            continue
        cell = customer.cells.get(DEBITOR_COLUMN, CUSTOMERS_SHEET)
        number = int(text) if DEBITOR_FORM.match(text) else None
        if number is None or not FIRST_DEBITOR <= number <= LAST_DEBITOR:
            gaps.add(
                cell,
                f"Debitor must be a number from {FIRST_DEBITOR} to {LAST_DEBITOR} "
                f'(DATEV debitor accounts), got "{text}"',
            )
            continue
        if number in first:
            gaps.add(cell, f"Debitor {number} is typed for {first[number]} too")
            continue
        owner = given_to.get(number)
        if owner is not None and owner != customer.customer_id:
            gaps.add(
                cell,
                f"Debitor {number} was given to {owner} by an earlier DATEV export "
                "(sheet Debitors): type another number",
            )
            continue
        first[number] = customer.customer_id
        typed[customer.customer_id] = number
    return typed, gaps.checks


def invoice_gaps(
    invoices: Sequence[Invoice],
    customers: Mapping[str, Customer],
    settings: Settings,
    severity: Severity = "error",
) -> list[Check]:
    """What keeps an invoice from its booking: no customer row, a number DATEV cannot take as
    Belegfeld 1, a domestic VAT rate the automatic revenue account does not book."""
    gaps = Gaps(severity)
    unfit: list[str] = []
    for invoice in invoices:
        customer = customers.get(invoice.customer_id)
        if customer is None:
            missing_customer(gaps, invoice, "; its booking needs the customer")
            continue
        if invoice.invoice and not BELEGFELD.match(invoice.invoice):
            unfit.append(invoice.invoice)
        case = tax_case(invoice, customer, settings)
        vat_id = customer.vat_id.replace(" ", "").upper()
        if case == "EU reverse charge" and not stdnum_vat.is_valid(vat_id):
            gaps.add(
                customer.cells.get(VAT_ID_COLUMN, CUSTOMERS_SHEET),
                f"VAT ID of customer {customer.customer_id} is not a valid EU VAT ID (form or "
                f'check sum): "{customer.vat_id}"; its reverse-charge booking needs it',
            )
        if (
            invoice.gross != 0
            and case == "domestic"
            and invoice.vat_rate != DOMESTIC_ACCOUNT_RATE
            and settings.revenue_account is None
        ):
            cell, _ = setting_place(settings, REVENUE_ACCOUNT_SETTING)
            gaps.add(
                cell,
                f"invoice {invoice.invoice} has VAT rate {invoice.vat_rate:.0%}, which the "
                f"chart's automatic revenue account does not book (19 %): type the Revenue "
                "account for that rate",
            )
    if unfit:
        gaps.add(
            LEDGER_SHEET,
            f'{len(unfit)} invoice numbers (first "{unfit[0]}") cannot be a DATEV Belegfeld 1 '
            "(at most 36 letters, digits and $&%*+-/): book them by hand",
        )
    return gaps.checks
