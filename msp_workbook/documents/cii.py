"""An invoice document as EN 16931 XML in UN/CEFACT CII syntax, built with drafthorse.

Two flavours of the same invoice differ only in the specification identifier (BT-24): the
XRechnung 3.0 `<Invoice>.xml` and the ZUGFeRD / Factur-X EN 16931 `factur-x.xml` in the PDF.
`documents.rules` checks both against the XSD and the Schematron rules before they are written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from drafthorse.models.accounting import ApplicableTradeTax
from drafthorse.models.document import Document
from drafthorse.models.note import IncludedNote
from drafthorse.models.party import TaxRegistration
from drafthorse.models.payment import PaymentMeans, PaymentTerms
from drafthorse.models.tradelines import AllowanceCharge, LineItem

from ..core.invoice_document import InvoiceDocument, Party
from . import wording

Flavour = Literal["xrechnung", "factur-x"]

XRECHNUNG_ID = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
EN16931_ID = "urn:cen.eu:en16931:2017"
SPECIFICATION = {"xrechnung": XRECHNUNG_ID, "factur-x": EN16931_ID}
# BT-23: the Peppol billing process, which the XRechnung rules expect.
BUSINESS_PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
UNIT = "C62"  # one (a unit of count)
CREDIT_TRANSFER = "58"  # SEPA credit transfer
DIRECT_DEBIT = "59"  # SEPA direct debit
EXEMPTION_CODES = {"AE": "VATEX-EU-AE", "O": "VATEX-EU-O"}
EXEMPTION_WORDS = {"AE": "reverse_charge", "O": "not_taxable"}


class _Plain(Decimal):
    """A Decimal that drafthorse writes without an exponent (0E-8 -> 0.00000000)."""

    def __str__(self) -> str:
        return format(self, "f")


def _plain(value: Decimal | int) -> Decimal:
    return _Plain(value)


def _price(value: Decimal) -> Decimal:
    """A unit price: two decimals or as many as it has."""
    places = wording.price_decimals(value)
    return _Plain(value.quantize(Decimal(1).scaleb(-places)))


def _percent(fraction: Decimal) -> Decimal:
    return _Plain((fraction * 100).quantize(Decimal("0.01")))


def _party(target, party: Party, *, vat_id: bool, tax_number: bool) -> None:  # noqa: ANN001
    target.name = party.name
    target.address.line_one = party.street
    target.address.postcode = party.postcode
    target.address.city_name = party.city
    target.address.country_id = party.country
    if party.email:
        target.electronic_address.uri_ID = ("EM", party.email)
    if vat_id and party.vat_id:
        target.tax_registrations.add(TaxRegistration(id=("VA", party.vat_id.replace(" ", ""))))
    if tax_number and party.tax_number:
        target.tax_registrations.add(TaxRegistration(id=("FC", party.tax_number)))


def build(doc: InvoiceDocument, flavour: Flavour) -> Document:
    """The drafthorse model of one document."""
    words = wording.LABELS[doc.language]
    category = doc.vat_category
    rate = Decimal(0) if category != "S" else doc.vat_rate

    out = Document()
    out.context.business_parameter.id = BUSINESS_PROCESS
    out.context.guideline_parameter.id = SPECIFICATION[flavour]
    out.header.id = doc.number
    out.header.type_code = doc.type_code
    out.header.issue_date_time = doc.issue_date
    if category != "S":
        note = IncludedNote()
        note.content = words[f"{EXEMPTION_WORDS[category]}_note"]
        out.header.notes.add(note)

    agreement = out.trade.agreement
    agreement.buyer_reference = doc.buyer_reference
    seller = agreement.seller
    # Category O: no VAT IDs on the invoice (BR-O-02); the seller's tax number instead. Without
    # a VAT ID on the invoice the tax number also identifies the seller (BT-29: BR-CO-26).
    if category == "O" or not doc.seller.vat_id:
        seller.id = doc.seller.tax_number
    _party(seller, doc.seller, vat_id=category != "O", tax_number=True)
    seller.contact.person_name = doc.seller.contact
    seller.contact.telephone.number = doc.seller.phone
    seller.contact.email.address = doc.seller.email
    _party(agreement.buyer, doc.buyer, vat_id=category == "AE", tax_number=False)

    settlement = out.trade.settlement
    settlement.currency_code = doc.currency
    means = PaymentMeans()
    debit = doc.direct_debit
    if debit is None:
        means.type_code = CREDIT_TRANSFER
        means.payee_account.iban = doc.iban
        if doc.bic:
            means.payee_institution.bic = doc.bic
    else:  # BG-19: the debited account (BT-91), the creditor ID (BT-90), the mandate (BT-89)
        means.type_code = DIRECT_DEBIT
        means.payer_account.iban = debit.debtor_iban
        settlement.creditor_reference_id = debit.creditor_id
    settlement.payment_means.add(means)
    settlement.period.start = doc.period_start
    settlement.period.end = doc.period_end

    for line in doc.lines:
        settlement_line = _line(line, category, rate, words)
        out.trade.items.add(settlement_line)

    tax = ApplicableTradeTax()
    tax.calculated_amount = _plain(doc.vat)
    tax.type_code = "VAT"
    if category != "S":
        tax.exemption_reason = words[EXEMPTION_WORDS[category]]
    tax.basis_amount = _plain(doc.net)
    tax.category_code = category
    if category != "S":
        tax.exemption_reason_code = EXEMPTION_CODES[category]
    # 0 for "not subject to VAT" too: XRechnung wants the rate in the breakdown (BR-DE-14).
    tax.rate_applicable_percent = _percent(rate)
    settlement.trade_tax.add(tax)

    terms = PaymentTerms()
    terms.due = doc.due_date
    if debit is not None:
        terms.debit_mandate_id = debit.mandate_id
    settlement.terms.add(terms)

    total = settlement.monetary_summation
    total.line_total = _plain(doc.net)
    total.charge_total = _plain(Decimal("0.00"))
    total.allowance_total = _plain(Decimal("0.00"))
    total.tax_basis_total = _plain(doc.net)
    total.tax_total = (_plain(doc.vat), doc.currency)
    total.grand_total = _plain(doc.gross)
    total.due_amount = _plain(doc.gross)
    return out


def _line(line, category: str, rate: Decimal, words: dict[str, str]) -> LineItem:  # noqa: ANN001
    item = LineItem()
    item.document.line_id = str(line.number)
    if line.corrects is not None:
        note = IncludedNote()
        note.content = words["correction"].format(month=line.corrects)
        item.document.notes.add(note)
    item.product.name = line.item
    if line.discount:
        item.agreement.gross.amount = _price(line.unit_price)
        discount = AllowanceCharge()
        discount.indicator = False
        discount.actual_amount = _price(line.unit_discount)
        item.agreement.gross.charge.add(discount)
    item.agreement.net.amount = _price(line.net_unit_price)
    item.delivery.billed_quantity = (_plain(line.quantity), UNIT)
    item.settlement.trade_tax.type_code = "VAT"
    item.settlement.trade_tax.category_code = category
    if category != "O":  # a line not subject to VAT has no rate (BR-O-05)
        item.settlement.trade_tax.rate_applicable_percent = _percent(rate)
    if line.corrects is not None:
        item.settlement.period.start = line.corrects.first_day
        item.settlement.period.end = line.corrects.last_day
    item.settlement.monetary_summation.total_amount = _plain(line.net)
    return item


def to_xml(doc: InvoiceDocument, flavour: Flavour) -> bytes:
    """The document's XML, not yet checked (`documents.rules.check` does that)."""
    return build(doc, flavour).serialize(schema=None)


def as_flavour(xml: bytes, flavour: Flavour) -> bytes:
    """The same XML with the other specification identifier (BT-24): the two flavours differ in
    nothing else, so the model is built and serialised once. Checked like any other XML."""
    ids = {f"<ram:ID>{SPECIFICATION[f]}</ram:ID>".encode(): f for f in SPECIFICATION}
    found = [(tag, f) for tag, f in ids.items() if xml.count(tag) == 1]
    if len(found) != 1:
        raise ValueError("not an invoice of ours: no single specification identifier")
    tag, _ = found[0]
    return xml.replace(tag, f"<ram:ID>{SPECIFICATION[flavour]}</ram:ID>".encode(), 1)
