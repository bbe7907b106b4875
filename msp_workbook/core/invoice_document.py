"""An invoice document: what a customer receives for a closed month (SPEC section 6).

Built from a closed month's invoice and lines as the Ledger holds them, the seller from Settings
and the buyer from Customers. The rules of what a document says live here (dates, type code, VAT
category, buyer reference, each line's item); how it is written (XML, PDF, language) lives in
`msp_workbook.documents`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from .models import BillingLine, Customer, Invoice, Settings
from .months import Month
from .sepa import compact, due_date, pays_by_direct_debit
from .vocabulary import EU_COUNTRIES, LANGUAGES

TaxCase = Literal["domestic", "EU reverse charge", "outside the EU"]
VatCategory = Literal["S", "AE", "O"]

INVOICE = "380"
CREDIT_NOTE = "381"


@dataclass(frozen=True)
class Party:
    """Seller or buyer as a document names them."""

    name: str
    street: str
    postcode: str
    city: str
    country: str
    vat_id: str = ""
    tax_number: str = ""
    contact: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class DocumentLine:
    """One invoice line: a Billing line of the invoice."""

    number: int
    product: str
    metric: str
    license_key: str
    quantity: int
    unit_price: Decimal  # list price per unit
    discount: Decimal  # fraction
    net: Decimal
    corrects: Month | None  # the month a correction line corrects
    note: str

    @property
    def net_unit_price(self) -> Decimal:
        """The price per unit after the discount (BT-146)."""
        return self.unit_price * (1 - self.discount)

    @property
    def unit_discount(self) -> Decimal:
        """The discount per unit (BT-147)."""
        return self.unit_price * self.discount

    @property
    def item(self) -> str:
        """The item name (BT-153): product, metric and license key."""
        return f"{self.product} {self.metric} {self.license_key}".strip()


@dataclass(frozen=True)
class DirectDebit:
    """How the amount is collected: the customer's mandate, your creditor ID, its account."""

    mandate_id: str
    creditor_id: str
    debtor_iban: str


@dataclass(frozen=True)
class InvoiceDocument:
    number: str
    type_code: str  # 380 invoice, 381 credit note (net total below 0)
    issue_date: date
    due_date: date
    month: Month  # the service period: its first to last day
    currency: str
    language: str
    seller: Party
    buyer: Party
    customer_id: str
    buyer_reference: str
    lines: tuple[DocumentLine, ...]
    net: Decimal
    vat_rate: Decimal  # fraction
    vat: Decimal
    gross: Decimal
    vat_category: VatCategory
    iban: str
    bic: str
    # Paid by SEPA direct debit (SPEC section 9), else None: paid by credit transfer to `iban`.
    direct_debit: DirectDebit | None = None

    @property
    def is_credit_note(self) -> bool:
        return self.type_code == CREDIT_NOTE

    @property
    def period_start(self) -> date:
        """The invoice period (BG-14) starts with the month, or with the earliest month a
        correction line corrects: a line's period must lie within the invoice's (the XRechnung
        rules, PEPPOL-EN16931-R110)."""
        corrected = [line.corrects for line in self.lines if line.corrects is not None]
        return min([self.month, *corrected]).first_day

    @property
    def period_end(self) -> date:
        return self.month.last_day


def vat_category(reverse_charge: bool, buyer_country: str) -> VatCategory:
    """S: VAT charged; AE: reverse charge to a buyer in the EU; O: to a buyer outside it."""
    if not reverse_charge:
        return "S"
    return "AE" if buyer_country in EU_COUNTRIES else "O"


def tax_case(invoice: Invoice, customer: Customer, settings: Settings) -> TaxCase:
    """How VAT applies (`vocabulary.VAT_TREATMENTS`): domestic when VAT was charged; else EU
    reverse charge or outside the EU by the buyer's country (the same decision as the
    e-invoice's VAT category S / AE / O, the DATEV tax case and the Invoices sheet's VAT
    treatment)."""
    category = vat_category(invoice.reverse_charge, buyer_country(customer, settings))
    return {"S": "domestic", "AE": "EU reverse charge"}.get(category, "outside the EU")  # type: ignore[return-value]


def buyer_country(customer: Customer, settings: Settings) -> str:
    """The customer's Country; empty means the reseller's own country (as billing reads it)."""
    return (customer.country or settings.country).upper()


def document_language(customer: Customer, settings: Settings) -> str:
    language = customer.language or settings.language
    return language if language in LANGUAGES else LANGUAGES[0]


def seller_party(settings: Settings) -> Party:
    return Party(
        name=settings.reseller,
        street=settings.street,
        postcode=settings.postcode,
        city=settings.city,
        country=settings.country.upper(),
        vat_id=settings.vat_id,
        tax_number=settings.tax_number,
        contact=settings.contact,
        phone=settings.phone,
        email=settings.email,
    )


def invoice_document(
    invoice: Invoice,
    lines: list[BillingLine],
    settings: Settings,
    customer: Customer,
    finalized: date,
) -> InvoiceDocument:
    """The document of one closed invoice. `invoice` and `lines` as the Ledger holds them (the
    customer's name too); address, language and references from today's Customers."""
    country = buyer_country(customer, settings)
    category = vat_category(invoice.reverse_charge, country)
    buyer = Party(
        name=invoice.customer,
        street=customer.street,
        postcode=customer.postcode,
        city=customer.city,
        country=country,
        vat_id=customer.vat_id,
        email=customer.email,
    )
    return InvoiceDocument(
        number=invoice.invoice,
        type_code=CREDIT_NOTE if invoice.net < 0 else INVOICE,
        issue_date=finalized,
        due_date=due_date(finalized, settings),
        month=invoice.month,
        currency=settings.currency,
        language=document_language(customer, settings),
        seller=seller_party(settings),
        buyer=buyer,
        customer_id=invoice.customer_id,
        buyer_reference=customer.buyer_reference or invoice.customer_id,
        lines=tuple(
            DocumentLine(
                number=n,
                product=line.product,
                metric=line.metric,
                license_key=line.license_key,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                net=line.net,
                corrects=line.corrects if line.type == "correction" else None,
                note=line.note,
            )
            for n, line in enumerate(lines, start=1)
        ),
        net=invoice.net,
        vat_rate=invoice.vat_rate,
        vat=invoice.vat,
        gross=invoice.gross,
        vat_category=category,
        iban=settings.iban.replace(" ", "").upper(),
        bic=settings.bic.replace(" ", "").upper(),
        direct_debit=DirectDebit(
            mandate_id=customer.mandate_id.strip(),
            creditor_id=compact(settings.creditor_id),
            debtor_iban=compact(customer.debtor_iban),
        )
        if pays_by_direct_debit(customer) and invoice.gross > 0
        else None,
    )
