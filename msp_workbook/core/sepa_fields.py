"""What the SEPA direct debit needs from Settings and Customers, and where each gap is (SPEC
section 9).

`export-sepa` reports these as errors and writes no file; `recalc` lists them as warnings once a
customer pays by direct debit, so they are fixed before the month is closed. IBAN, BIC and the
creditor ID are checked with python-stdnum (their check sums, not a pattern); IBAN and BIC by
`document_fields.iban_gap` and `bic_gap`, as for the invoice documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from stdnum.eu import at_02 as stdnum_creditor_id

from .document_fields import Gaps, bic_gap, iban_gap, setting_place
from .models import Check, Customer, Invoice, Settings, Severity
from .sepa import mandate_day, pays_by_direct_debit
from .vocabulary import (
    BIC_SETTING,
    CREDITOR_ID_SETTING,
    CURRENCY_SETTING,
    CUSTOMERS_SHEET,
    DEBTOR_BIC_COLUMN,
    DEBTOR_IBAN_COLUMN,
    IBAN_SETTING,
    LEDGER_SHEET,
    MANDATE_DATE_COLUMN,
    MANDATE_ID_COLUMN,
    PAYMENT_COLUMN,
    PAYMENT_METHODS,
    RESELLER_SETTING,
)

# SEPA's identifiers (mandate, end-to-end ID): at most 35 of these (the EPC's restricted set).
SEPA_ID = re.compile(r"^[A-Za-z0-9+?/\-:().,' ]{1,35}$")
SEPA_CURRENCY = "EUR"


def settings_gaps(settings: Settings, severity: Severity = "error") -> list[Check]:
    """What every direct debit lacks from Settings: your name, account and creditor ID."""
    gaps = Gaps(severity)
    need = "the SEPA direct debit needs"
    for name, value, what in (
        (RESELLER_SETTING, settings.reseller, "your company name"),
        (CREDITOR_ID_SETTING, settings.creditor_id, "your creditor ID (Gläubiger-ID)"),
        (IBAN_SETTING, settings.iban, "the account the money goes to"),
        (BIC_SETTING, settings.bic, "the BIC of that account"),
    ):
        if not value.strip():
            cell, hint = setting_place(settings, name)
            gaps.add(cell, f"{name} is empty: {need} {what}{hint}")
    if settings.creditor_id.strip():
        _check_creditor_id(gaps, settings)
    iban_gap(gaps, setting_place(settings, IBAN_SETTING)[0], IBAN_SETTING, settings.iban)
    bic_gap(gaps, setting_place(settings, BIC_SETTING)[0], BIC_SETTING, settings.bic)
    if settings.currency.upper() != SEPA_CURRENCY:
        cell, _ = setting_place(settings, CURRENCY_SETTING)
        gaps.add(cell, f"SEPA direct debits are in EUR only; Currency is {settings.currency}")
    return gaps.checks


def customer_gaps(
    customers: Iterable[Customer], severity: Severity = "error", collected_on: date | None = None
) -> list[Check]:
    """Each Payment that is neither transfer nor direct debit, and what a direct-debit
    customer's mandate lacks: Debtor IBAN (check sum), Debtor BIC (when typed), Mandate ID,
    Mandate date (signed before `collected_on`)."""
    gaps = Gaps(severity)
    for customer in customers:
        cells = customer.cells
        payment = customer.payment.strip().lower()
        if payment and payment not in PAYMENT_METHODS:
            gaps.add(
                cells.get(PAYMENT_COLUMN, CUSTOMERS_SHEET),
                f"Payment must be {' or '.join(PAYMENT_METHODS)} (empty = transfer), got "
                f'"{customer.payment}"',
            )
            continue
        if not pays_by_direct_debit(customer):
            continue
        whose = f" of {customer.customer_id}"
        iban, bic = customer.debtor_iban, customer.debtor_bic
        if not iban.strip():
            gaps.add(
                cells.get(DEBTOR_IBAN_COLUMN, CUSTOMERS_SHEET),
                f"Debtor IBAN{whose} is empty: a direct debit needs the account to debit",
            )
        else:
            iban_gap(
                gaps, cells.get(DEBTOR_IBAN_COLUMN, CUSTOMERS_SHEET), f"Debtor IBAN{whose}", iban
            )
        bic_gap(gaps, cells.get(DEBTOR_BIC_COLUMN, CUSTOMERS_SHEET), f"Debtor BIC{whose}", bic)
        mandate = customer.mandate_id.strip()
        if not mandate:
            gaps.add(
                cells.get(MANDATE_ID_COLUMN, CUSTOMERS_SHEET),
                f"Mandate ID{whose} is empty: a direct debit needs the customer's mandate",
            )
        elif not SEPA_ID.match(mandate):
            gaps.add(
                cells.get(MANDATE_ID_COLUMN, CUSTOMERS_SHEET),
                f"Mandate ID{whose} must be at most 35 letters, digits, spaces and +?/-:().,' "
                f'(SEPA), got "{mandate}"',
            )
        signed = mandate_day(customer.mandate_date)
        if not customer.mandate_date.strip():
            gaps.add(
                cells.get(MANDATE_DATE_COLUMN, CUSTOMERS_SHEET),
                f"Mandate date{whose} is empty: a direct debit needs the day the mandate was "
                "signed",
            )
        elif signed is None:
            gaps.add(
                cells.get(MANDATE_DATE_COLUMN, CUSTOMERS_SHEET),
                f"Mandate date{whose} must be the day the mandate was signed (a date), got "
                f'"{customer.mandate_date}"',
            )
        elif collected_on is not None and signed > collected_on:
            gaps.add(
                cells.get(MANDATE_DATE_COLUMN, CUSTOMERS_SHEET),
                f"Mandate date{whose} ({signed}) is after the collection date ({collected_on})",
            )
    return gaps.checks


def mandate_gaps(
    customer: Customer, settings: Settings, severity: Severity = "error"
) -> list[Check]:
    """What the invoice documents of a direct-debit customer need to say how the amount is
    collected: its mandate and account, and your creditor ID."""
    gaps = Gaps(severity)
    if not settings.creditor_id.strip():
        cell, hint = setting_place(settings, CREDITOR_ID_SETTING)
        gaps.add(
            cell,
            f"Creditor ID is empty: the invoice documents of {customer.customer_id} (direct "
            f"debit) must give your creditor ID{hint}",
        )
    else:
        _check_creditor_id(gaps, settings)
    return [*gaps.checks, *customer_gaps([customer], severity)]


def _check_creditor_id(gaps: Gaps, settings: Settings) -> None:
    """The creditor ID's form and check sum (python-stdnum's at_02, ISO 7064 MOD 97-10)."""
    creditor = settings.creditor_id
    if not stdnum_creditor_id.is_valid(creditor):
        cell, _ = setting_place(settings, CREDITOR_ID_SETTING)
        gaps.add(
            cell, f'Creditor ID is not a valid SEPA creditor ID (form or check sum): "{creditor}"'
        )


def invoice_gaps(invoices: Iterable[Invoice], severity: Severity = "error") -> list[Check]:
    """An invoice number SEPA cannot take as end-to-end ID."""
    gaps = Gaps(severity)
    for invoice in invoices:
        if invoice.invoice and not SEPA_ID.match(invoice.invoice):
            gaps.add(
                LEDGER_SHEET,
                f'invoice number "{invoice.invoice}" cannot be a SEPA end-to-end ID (at most 35 '
                "letters, digits, spaces and +?/-:().,')",
            )
    return gaps.checks
