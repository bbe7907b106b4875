"""The reseller and its customers in the seeded workbooks: names, countries, addresses, VAT IDs
with right check sums, who pays by SEPA direct debit, and the Settings rows (the seller's
address, bank account, DATEV numbers and creditor ID), as invoice documents and the exports
need them."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from msp_workbook.app.demo_data import SELLER as demo_seller
from msp_workbook.core.months import Month
from msp_workbook.workbook import schema

from .sizes import Rows

_COUNTRIES = (("DE", 0.75), ("AT", 0.10), ("NL", 0.07), ("CH", 0.05), (None, 0.03))
_DISCOUNTS = (("0", 0.80), ("0.05", 0.10), ("0.10", 0.10))
_FAMILY = (
    "Huber",
    "Weber",
    "Lang",
    "Schmitt",
    "Hoffmann",
    "Becker",
    "Fischer",
    "Wagner",
    "Schulz",
    "Keller",
    "Bergmann",
    "Richter",
    "Wolf",
    "Braun",
    "Zimmermann",
    "Krüger",
    "Neumann",
    "Gruber",
    "Pichler",
    "de Vries",
    "Jansen",
    "Meier",
)
_TRADES = (
    "Bäckerei",
    "Kanzlei",
    "Praxis",
    "Elektro",
    "Sanitär",
    "Steuerberatung",
    "Autohaus",
    "Schreinerei",
    "Architekturbüro",
    "Hotel",
    "Physiotherapie",
    "Malerbetrieb",
    "Ingenieurbüro",
    "Immobilien",
    "Dachdeckerei",
    "Metzgerei",
    "Apotheke",
    "Musikschule",
)
_FORMS = ("GmbH", "GmbH & Co. KG", "e.K.", "AG", "KG", "", "OHG")


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, float]]) -> Any:
    values = [v for v, _ in weighted]
    weights = [w for _, w in weighted]
    return rng.choices(values, weights)[0]


def vat_id(rng: random.Random, country: str | None) -> str | None:
    """None for half the customers; otherwise a VAT ID of the country whose check sum is right
    (its last digits adjusted: the invoices command refuses a wrong one)."""
    if country is None or rng.random() < 0.5:
        return None
    digits = "".join(rng.choice("0123456789") for _ in range(9))
    if country == "CH":  # not an EU VAT ID: no check sum is checked
        return f"CHE-{digits[:3]}.{digits[3:6]}.{digits[6:]} MWST"
    german = digits.replace("0", "1", 1) if digits[0] == "0" else digits  # no leading 0
    prefix, body, suffix = {"DE": ("DE", german, ""), "AT": ("ATU", digits[:8], "")}.get(
        country, ("NL", digits, "B01")
    )
    return _checked_vat_id(prefix, body, suffix)


def _checked_vat_id(prefix: str, body: str, suffix: str) -> str:
    """`prefix + body + suffix` with the fewest trailing digits of `body` changed (the first
    candidate in a fixed order) so that its check sum is right."""
    from stdnum.eu import vat

    for tail in range(100):
        candidate = f"{prefix}{body[:-2]}{(int(body[-2:]) + tail) % 100:02d}{suffix}"
        if vat.is_valid(candidate):
            return candidate
    raise ValueError(f"no valid VAT ID near {prefix}{body}{suffix}")  # pragma: no cover


_STREETS = (
    "Hauptstraße",
    "Bahnhofstraße",
    "Gartenweg",
    "Industriestraße",
    "Marktplatz",
    "Lindenallee",
    "Kirchgasse",
    "Am Hafen",
    "Schillerstraße",
    "Ringstraße",
)
# Digits of the postcode, what follows them, and cities, by country (None: the reseller's own
# country, Germany: five digits, as the documents check).
_PLACES: dict[str | None, tuple[int, str, tuple[str, ...]]] = {
    "DE": (5, "", ("Berlin", "München", "Köln", "Leipzig", "Freiburg im Breisgau", "Kiel")),
    None: (5, "", ("Hamburg", "Dresden", "Mainz")),
    "AT": (4, "", ("Wien", "Graz", "Linz", "Salzburg")),
    "NL": (4, " AB", ("Amsterdam", "Utrecht", "Rotterdam")),
    "CH": (4, "", ("Zürich", "Basel", "Bern")),
}
# Customers whose documents are in English (the others: Settings' Language, German).
_ENGLISH = {"NL", "CH"}


def address(rng: random.Random, country: str | None) -> dict[str, object]:
    """Street, Postcode, City and Language of a customer in `country`."""
    digits, after, cities = _PLACES.get(country, _PLACES["DE"])
    postcode = f"{rng.randint(1010, 10**digits - 1):0{digits}d}{after}"
    return {
        "Street": f"{rng.choice(_STREETS)} {rng.randint(1, 120)}",
        "Postcode": postcode,
        "City": rng.choice(cities),
        "Language": "en" if country in _ENGLISH else None,
    }


# Customers who pay by SEPA direct debit: about this share of all, all of them German (Country
# DE or empty: the reseller's own), each with a German IBAN and a mandate signed before the first
# month of usage; the others pay by transfer (Payment and mandate columns empty).
_DIRECT_DEBIT_SHARE = 0.30
_GERMAN_SHARE = sum(share for country, share in _COUNTRIES if country in ("DE", None))


def payment(rng: random.Random, index: int, country: str | None, first: Month) -> dict[str, object]:
    """Payment, Debtor IBAN, Mandate ID and Mandate date of customer `index` (0-based): direct
    debit for about _DIRECT_DEBIT_SHARE of all customers, else nothing (transfer)."""
    if country not in ("DE", None) or rng.random() >= _DIRECT_DEBIT_SHARE / _GERMAN_SHARE:
        return {}
    from stdnum import iban

    bban = f"{rng.randrange(10**7, 9 * 10**7)}{rng.randrange(10**10):010d}"  # bank code, account
    signed = first.first_day.toordinal() - rng.randint(1, 3 * 365)
    return {
        "Payment": "direct debit",
        "Debtor IBAN": f"DE{iban.calc_check_digits(f'DE00{bban}')}{bban}",
        "Mandate ID": f"BENCH-C{index + 1:05d}-01",
        "Mandate date": date.fromordinal(signed),
    }


def settings_rows(month: Month) -> Rows:
    values: dict[str, object] = {
        schema.SETTING_RESELLER: "Benchmark IT GmbH",
        schema.SETTING_COUNTRY: "DE",
        schema.SETTING_CURRENCY: "EUR",
        schema.SETTING_VAT_RATE: Decimal("0.19"),
        schema.SETTING_BILLING_MONTH: str(month),
        schema.SETTING_MISSING_USAGE: "carry forward",
        schema.SETTING_INVOICE_PREFIX: "INV-",
        **SELLER,
    }
    return [
        {"Setting": s.name, "Value": values.get(s.name, s.default)} for s in schema.SETTINGS_SPEC
    ]


# The seller's rows of Settings, for invoice documents (valid IBAN and VAT ID).
SELLER: dict[str, object] = {
    **demo_seller,
    schema.SETTING_STREET: "Benchmarkweg 1",
    schema.SETTING_EMAIL: "rechnung@benchmark-it.example",
}


def customer_row(
    rng: random.Random, places: random.Random, payments: random.Random, index: int, first: Month
) -> dict[str, object]:
    """The Customers row of customer `index` (0-based): its name, country, VAT ID and discount
    drawn from `rng`, its address from `places`, how it pays from `payments` (`first`: the first
    month of usage, before which a mandate was signed)."""
    country = _pick(rng, _COUNTRIES)
    form = rng.choice(_FORMS)
    name = f"{rng.choice(_TRADES)} {rng.choice(_FAMILY)} {form}".strip()
    return {
        "Customer ID": f"C-{index + 1:05d}",
        "Customer": name,
        "Email": f"rechnung@c{index + 1:05d}.example",
        "Country": country,
        "VAT ID": vat_id(rng, country),
        "Discount %": Decimal(_pick(rng, _DISCOUNTS)),
        **address(places, country),
        **payment(payments, index, country, first),
    }
