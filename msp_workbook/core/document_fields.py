"""What an invoice document needs from Settings and Customers, and where each gap is.

One function finds every gap for one invoice: the `invoices` command reports them as errors
(that invoice's documents are not written) and `recalc` as warnings once a seller address is set
(SPEC section 6). The form of an IBAN, BIC, VAT ID, e-mail address and German postcode is
checked too (SPEC section 9: a wrong check sum is an error for the document that needs it).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.eu import vat as stdnum_vat

from .invoice_document import buyer_country, vat_category
from .models import Check, Customer, Invoice, Settings, Severity
from .vocabulary import (
    BIC_SETTING,
    CITY_COLUMN,
    CITY_SETTING,
    CONTACT_SETTING,
    CUSTOMERS_SHEET,
    EMAIL_COLUMN,
    EMAIL_SETTING,
    EU_COUNTRIES,
    IBAN_SETTING,
    PHONE_SETTING,
    POSTCODE_COLUMN,
    POSTCODE_SETTING,
    RESELLER_SETTING,
    SETTINGS_SHEET,
    STREET_COLUMN,
    STREET_SETTING,
    TAX_NUMBER_SETTING,
    VAT_ID_SETTING,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_GERMAN_POSTCODE = re.compile(r"^\d{5}$")
_VAT_PREFIX = re.compile(r"^[A-Z]{2}")


class Gaps:
    def __init__(self, severity: Severity) -> None:
        self.severity = severity
        self.checks: list[Check] = []

    def add(self, location: str, message: str) -> None:
        sheet, _, cell = location.partition("!")
        self.checks.append(Check(severity=self.severity, sheet=sheet, cell=cell, message=message))


def missing_customer(gaps: Gaps, invoice: Invoice, need: str) -> None:
    """An invoice whose customer is not on Customers (or was left out for its row's errors),
    in the words of every output; `need` says what that output needs the customer for."""
    gaps.add(
        CUSTOMERS_SHEET,
        f"invoice {invoice.invoice}: customer {invoice.customer_id} is not on Customers (or its "
        f"row has errors: run check){need}",
    )


def setting_place(settings: Settings, name: str) -> tuple[str, str]:
    """Where a setting's value is, and a hint when the Settings table has no row for it."""
    cell = settings.cells.get(name)
    if cell:
        return cell, ""
    return SETTINGS_SHEET, f' (Settings has no row "{name}": add it)'


def seller_gaps(settings: Settings, severity: Severity = "error") -> list[Check]:
    """What every document of this workbook lacks from Settings."""
    gaps = Gaps(severity)
    need = "invoice documents need"
    required = (
        (RESELLER_SETTING, settings.reseller, "your company name"),
        (STREET_SETTING, settings.street, "your address"),
        (POSTCODE_SETTING, settings.postcode, "your address"),
        (CITY_SETTING, settings.city, "your address"),
        (CONTACT_SETTING, settings.contact, "who answers questions about invoices"),
        (PHONE_SETTING, settings.phone, "a phone number for invoice questions"),
        (EMAIL_SETTING, settings.email, "your e-mail address"),
        (IBAN_SETTING, settings.iban, "the account your customers pay to"),
    )
    for name, value, what in required:
        if not value.strip():
            cell, hint = setting_place(settings, name)
            gaps.add(cell, f"{name} is empty: {need} {what}{hint}")
    if not settings.vat_id.strip() and not settings.tax_number.strip():
        cell, hint = setting_place(settings, VAT_ID_SETTING)
        gaps.add(cell, f"VAT ID and Tax number are both empty: {need} one of them{hint}")
    _check_forms(
        gaps,
        lambda name: setting_place(settings, name)[0],
        email=settings.email,
        iban=settings.iban,
        bic=settings.bic,
        vat_id=settings.vat_id,
        country=settings.country.upper(),
        postcode=settings.postcode,
        whose="",
    )
    return gaps.checks


def buyer_gaps(
    customer: Customer, settings: Settings, reverse_charge: bool, severity: Severity = "error"
) -> list[Check]:
    """What the documents of one customer's invoice lack from Customers (and, for a customer
    outside the EU, the seller's tax number)."""
    gaps = Gaps(severity)

    def place(header: str) -> str:
        return customer.cells.get(header) or customer.source or CUSTOMERS_SHEET

    def hint(header: str) -> str:
        if header in customer.cells:
            return ""
        return f' (the Customers table has no "{header}" column: add it)'

    who = f"customer {customer.customer_id}"
    required = (
        (STREET_COLUMN, customer.street, "the customer's address"),
        (POSTCODE_COLUMN, customer.postcode, "the customer's address"),
        (CITY_COLUMN, customer.city, "the customer's address"),
        (EMAIL_COLUMN, customer.email, "the customer's e-mail address"),
    )
    for header, value, what in required:
        if not value.strip():
            gaps.add(
                place(header),
                f"{header} of {who} is empty: its invoice documents need {what}{hint(header)}",
            )
    country = buyer_country(customer, settings)
    category = vat_category(reverse_charge, country)
    if category == "O" and not settings.tax_number.strip():
        cell, setting_hint = setting_place(settings, TAX_NUMBER_SETTING)
        gaps.add(
            cell,
            f"Tax number is empty: the invoice documents of {who} (outside the EU, "
            f"reverse charge) must give your tax number, not your VAT ID{setting_hint}",
        )
    if category == "AE" and not settings.vat_id.strip():
        cell, setting_hint = setting_place(settings, VAT_ID_SETTING)
        gaps.add(
            cell,
            f"VAT ID is empty: the reverse-charge invoice documents of {who} must give "
            f"your VAT ID{setting_hint}",
        )
    _check_forms(
        gaps,
        place,
        email=customer.email,
        iban="",
        bic="",
        vat_id=customer.vat_id if category == "AE" else "",
        country=country,
        postcode=customer.postcode,
        whose=f" of {who}",
    )
    return gaps.checks


def _check_forms(
    gaps: Gaps,
    # A field's name -> its location: its Settings row's name, which the Customers column of
    # the buyer's same field shares (core.vocabulary); a buyer's IBAN and BIC come in empty.
    place: Callable[[str], str],
    *,
    email: str,
    iban: str,
    bic: str,
    vat_id: str,
    country: str,
    postcode: str,
    whose: str,
) -> None:
    if email.strip() and not _EMAIL.match(email.strip()):
        gaps.add(place(EMAIL_SETTING), f'Email{whose} is not an e-mail address: "{email}"')
    iban_gap(gaps, place(IBAN_SETTING), f"IBAN{whose}", iban)
    bic_gap(gaps, place(BIC_SETTING), f"BIC{whose}", bic)
    vat = vat_id.strip().replace(" ", "").upper()
    if vat and not _VAT_PREFIX.match(vat):
        gaps.add(
            place(VAT_ID_SETTING),
            f'VAT ID{whose} must start with its country code (DE, AT, ...): "{vat_id}"',
        )
    elif vat[:2] in EU_COUNTRIES | {"EL"} and not stdnum_vat.is_valid(vat):
        gaps.add(
            place(VAT_ID_SETTING),
            f'VAT ID{whose} is not a valid EU VAT ID (form or check sum): "{vat_id}"',
        )
    if country == "DE" and postcode.strip() and not _GERMAN_POSTCODE.match(postcode.strip()):
        gaps.add(
            place(POSTCODE_SETTING),
            f'Postcode{whose} is not a German postcode (five digits): "{postcode}"'
            + (
                " (a leading 0 is lost when typed as a number: type it as text)"
                if postcode.strip().isdigit() and len(postcode.strip()) == 4
                else ""
            ),
        )


def iban_gap(gaps: Gaps, location: str, name: str, iban: str) -> None:
    """An IBAN typed with a wrong form or check sum (python-stdnum), as a gap of `name`: the
    one check of every IBAN (yours, a debtor's) for every output."""
    if iban.strip() and not stdnum_iban.is_valid(iban):
        gaps.add(location, f'{name} is not a valid IBAN (form or check sum): "{iban}"')


def bic_gap(gaps: Gaps, location: str, name: str, bic: str) -> None:
    """A BIC typed with a wrong form, as a gap of `name` (an empty one is no gap here)."""
    if bic.strip() and not stdnum_bic.is_valid(bic):
        gaps.add(location, f'{name} is not a valid BIC: "{bic}"')
