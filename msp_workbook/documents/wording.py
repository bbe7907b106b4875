"""What an invoice document says, in German and English, and how each language writes numbers,
amounts and dates (`1.234,56 €` and `01.12.2026` in German; `€1,234.56` and `1 Dec 2026` in
English)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..core.months import Month

_CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}

_MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_MONTH_NAMES = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "en": "January February March April May June July August September October November December",
}

LABELS: dict[str, dict[str, str]] = {
    "de": {
        "invoice": "Rechnung",
        # Not "Gutschrift": in German VAT law that is a self-billed invoice.
        "credit_note": "Rechnungskorrektur",
        "number": "Rechnungsnummer",
        "credit_number": "Nummer",
        "issue_date": "Rechnungsdatum",
        "credit_date": "Datum",
        "period": "Leistungszeitraum",
        "customer_id": "Kundennummer",
        "buyer_reference": "Ihre Referenz",
        "due_date": "Fällig am",
        "pos": "Pos.",
        "item": "Leistung",
        "license_key": "Lizenzschlüssel",
        "quantity": "Menge",
        "unit_price": "Einzelpreis",
        "discount": "Rabatt",
        "net": "Netto",
        "net_total": "Summe netto",
        "vat": "Umsatzsteuer",
        "gross": "Gesamtbetrag",
        "credit_total": "Erstattungsbetrag",
        "correction": "Korrektur für {month}",
        "vat_id": "USt-IdNr.",
        "tax_number": "Steuernummer",
        "your_vat_id": "Ihre USt-IdNr.",
        "contact": "Ansprechpartner",
        "phone": "Telefon",
        "email": "E-Mail",
        "bank": "Bankverbindung",
        "page": "Seite",
        "of": "von",
        "pay": "Bitte überweisen Sie den Gesamtbetrag von {amount} bis zum {due} unter Angabe "
        "der Rechnungsnummer {number} auf das Konto IBAN {iban}{bic}.",
        "debit": "Den Gesamtbetrag von {amount} ziehen wir zum {due} per SEPA-Lastschrift von "
        "Ihrem Konto IBAN {iban} ein (Mandatsreferenz {mandate}, Gläubiger-ID {creditor}).",
        "refund": "Den Betrag von {amount} erstatten wir Ihnen auf Ihr Konto.",
        "reverse_charge": "Steuerschuldnerschaft des Leistungsempfängers",
        "reverse_charge_note": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge): "
        "Die Umsatzsteuer schuldet der Leistungsempfänger.",
        "not_taxable": "Nicht im Inland steuerbare Leistung",
        "not_taxable_note": "Nicht im Inland steuerbare Leistung: keine deutsche Umsatzsteuer "
        "(Leistungsempfänger außerhalb der EU).",
        "thanks": "Vielen Dank für Ihren Auftrag.",
        "monthly": "Monatliche Abrechnung nach Verbrauch (MSP) für {period}.",
        "e_invoice": "Dieses Dokument enthält die strukturierten Rechnungsdaten (ZUGFeRD/Factur-X "
        "EN 16931) als eingebettete Datei factur-x.xml.",
    },
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "number": "Invoice number",
        "credit_number": "Credit note number",
        "issue_date": "Invoice date",
        "credit_date": "Date",
        "period": "Service period",
        "customer_id": "Customer number",
        "buyer_reference": "Your reference",
        "due_date": "Due date",
        "pos": "No.",
        "item": "Service",
        "license_key": "License key",
        "quantity": "Qty",
        "unit_price": "Unit price",
        "discount": "Discount",
        "net": "Net",
        "net_total": "Net total",
        "vat": "VAT",
        "gross": "Total",
        "credit_total": "Amount credited",
        "correction": "Correction for {month}",
        "vat_id": "VAT ID",
        "tax_number": "Tax number",
        "your_vat_id": "Your VAT ID",
        "contact": "Contact",
        "phone": "Phone",
        "email": "Email",
        "bank": "Bank account",
        "page": "Page",
        "of": "of",
        "pay": "Please transfer the total of {amount} by {due}, quoting invoice number {number}, "
        "to IBAN {iban}{bic}.",
        "debit": "We will collect the total of {amount} by SEPA direct debit from your account "
        "IBAN {iban} on {due} (mandate reference {mandate}, creditor ID {creditor}).",
        "refund": "We will refund the amount of {amount} to your account.",
        "reverse_charge": "Reverse charge",
        "reverse_charge_note": "Reverse charge: the recipient of the service is liable for VAT.",
        "not_taxable": "Not subject to VAT",
        "not_taxable_note": "Not subject to German VAT: the recipient is outside the EU.",
        "thanks": "Thank you for your business.",
        "monthly": "Monthly usage-based (MSP) billing for {period}.",
        "e_invoice": "This document carries its structured data (ZUGFeRD/Factur-X EN 16931) as the "
        "embedded file factur-x.xml.",
    },
}


def _grouped(amount: Decimal, decimals: int, thousands: str, point: str) -> str:
    text = f"{abs(amount):,.{decimals}f}"
    text = text.replace(",", "\0").replace(".", point).replace("\0", thousands)
    return ("-" if amount < 0 else "") + text


def number(value: Decimal | int, language: str, decimals: int = 0) -> str:
    """A number as the language writes it: 1.234 / 1,234."""
    if language == "de":
        return _grouped(Decimal(value), decimals, ".", ",")
    return _grouped(Decimal(value), decimals, ",", ".")


def price_decimals(value: Decimal) -> int:
    """Two decimals, more where a unit price has them (up to six)."""
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return min(max(places, 2), 6)


def money(amount: Decimal, currency: str, language: str, decimals: int = 2) -> str:
    """`1.234,56 €` in German, `€1,234.56` in English (the currency code where no sign)."""
    sign = _CURRENCY_SIGNS.get(currency, currency)
    digits = number(amount, language, decimals)
    if language == "de":
        return f"{digits}\u00a0{sign}"
    if len(sign) == 1:
        return f"-{sign}{digits[1:]}" if digits.startswith("-") else f"{sign}{digits}"
    return f"{sign}\u00a0{digits}"


def percent(fraction: Decimal, language: str) -> str:
    value = (fraction * 100).normalize()
    decimals = price_decimals(value) if value != value.to_integral_value() else 0
    text = number(value, language, min(decimals, 2))
    return f"{text}\u00a0%" if language == "de" else f"{text}%"


def day(value: date, language: str) -> str:
    if language == "de":
        return value.strftime("%d.%m.%Y")
    # No-break spaces: a date is never split over two lines.
    return f"{value.day}\u00a0{_MONTHS_EN[value.month - 1]}\u00a0{value.year}"


def month_name(month: Month, language: str) -> str:
    return f"{_MONTH_NAMES[language].split()[month.month - 1]} {month.year}"


def period(start: date, end: date, language: str) -> str:
    return f"{day(start, language)} – {day(end, language)}"
