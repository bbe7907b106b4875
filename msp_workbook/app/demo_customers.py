"""The demo reseller's customers (`demo_data`): who they are (name, e-mail domain, country,
VAT ID, discount and kind of business), where they are, the language of their documents, the
debitor numbers the reseller's bookkeeping typed, and the mandates of those who pay by SEPA
direct debit; and each kind of business's size and seasons, which the usage follows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..workbook import schema


@dataclass(frozen=True)
class Kind:
    """A kind of business: its size and how its usage moves over the calendar year."""

    employees: tuple[int, int]
    season: dict[int, float]  # calendar month -> factor on the usual level


KINDS: dict[str, Kind] = {
    "solo": Kind((1, 2), {}),
    "practice": Kind((3, 8), {8: 0.9}),
    "office": Kind((5, 35), {8: 0.95, 12: 0.95}),
    "trade": Kind((4, 30), {1: 0.85, 2: 0.9}),
    "bakery": Kind((8, 40), {12: 1.2}),
    "school": Kind((25, 90), {7: 0.55, 8: 0.45}),
    "hotel": Kind((10, 45), {1: 0.8, 2: 0.85, 6: 1.1, 7: 1.25, 8: 1.25, 11: 0.8}),
}


@dataclass(frozen=True)
class _CustomerSpec:
    name: str
    domain: str
    country: str | None
    vat_id: str | None
    discount: str
    kind: str


CUSTOMERS: tuple[_CustomerSpec, ...] = (
    _CustomerSpec("Bäckerei Huber GmbH", "baeckerei-huber", "DE", "DE811234565", "0", "bakery"),
    _CustomerSpec("Kanzlei Weber & Partner", "kanzlei-weber", "DE", None, "0.10", "office"),
    _CustomerSpec("Praxis Dr. med. Lang", "praxis-lang", None, None, "0.05", "solo"),
    _CustomerSpec("Zahnarztpraxis Dr. Schmitt", "zahnarzt-schmitt", "DE", None, "0", "practice"),
    _CustomerSpec(
        "Elektro Hoffmann GmbH & Co. KG", "elektro-hoffmann", "DE", "DE812345673", "0", "trade"
    ),
    _CustomerSpec("Sanitär Becker GmbH", "sanitaer-becker", "DE", "DE813456783", "0", "trade"),
    _CustomerSpec(
        "Steuerberatung Fischer & Kollegen", "stb-fischer", "DE", "DE814567891", "0", "office"
    ),
    _CustomerSpec("Grundschule am Lindenweg", "gs-lindenweg", "DE", None, "0.10", "school"),
    _CustomerSpec("Gymnasium St. Georg", "gymnasium-st-georg", "DE", None, "0.10", "school"),
    _CustomerSpec("Autohaus Wagner GmbH", "autohaus-wagner", "DE", "DE815678903", "0", "office"),
    _CustomerSpec("Schreinerei Schulz", "schreinerei-schulz", "DE", None, "0", "trade"),
    _CustomerSpec("Architekturbüro Keller", "architektur-keller", "DE", None, "0", "office"),
    _CustomerSpec("Hotel Sonnenhof GmbH", "hotel-sonnenhof", "DE", "DE816789014", "0", "hotel"),
    _CustomerSpec("Physiotherapie Bergmann", "physio-bergmann", "DE", None, "0", "practice"),
    _CustomerSpec("Malerbetrieb Richter", "maler-richter", "DE", None, "0", "trade"),
    _CustomerSpec("Ingenieurbüro Wolf GmbH", "ib-wolf", "DE", "DE817890129", "0", "office"),
    _CustomerSpec("Apotheke am Markt", "apotheke-am-markt", "DE", None, "0", "practice"),
    _CustomerSpec("Metzgerei Schäfer", "metzgerei-schaefer", "DE", None, "0", "bakery"),
    _CustomerSpec(
        "Immobilien Braun GmbH", "immobilien-braun", "DE", "DE818901236", "0.05", "office"
    ),
    _CustomerSpec("Kita Regenbogen e.V.", "kita-regenbogen", "DE", None, "0", "school"),
    _CustomerSpec("Dachdeckerei Zimmermann GmbH", "dach-zimmermann", "DE", None, "0", "trade"),
    _CustomerSpec(
        "Rechtsanwälte Krüger & Neumann", "ra-krueger-neumann", "DE", "DE819012341", "0", "office"
    ),
    _CustomerSpec("Musikschule Klangwerk", "musikschule-klangwerk", "DE", None, "0", "school"),
    _CustomerSpec("Alpen IT e.U.", "alpen-it", "AT", "ATU12345675", "0", "office"),
    _CustomerSpec("Tischlerei Gruber GmbH", "tischlerei-gruber", "AT", "ATU23456784", "0", "trade"),
    _CustomerSpec(
        "Steuerkanzlei Pichler & Partner", "stk-pichler", "AT", "ATU34567894", "0", "office"
    ),
    _CustomerSpec("Ferienwohnungen Hofer", "fewo-hofer", "AT", None, "0", "hotel"),
    _CustomerSpec(
        "Bakkerij de Vries B.V.", "bakkerij-devries", "NL", "NL812345678B01", "0", "bakery"
    ),
    _CustomerSpec(
        "Jansen Installatietechniek B.V.",
        "jansen-installatie",
        "NL",
        "NL823456791B01",
        "0.05",
        "trade",
    ),
    _CustomerSpec(
        "Treuhand Meier AG", "treuhand-meier", "CH", "CHE-123.456.789 MWST", "0", "office"
    ),
)


# Debitor numbers typed by the reseller's bookkeeping (the others are given by the export).
_DEBITORS = {0: "10001", 1: "10002"}
# Customers who pay by SEPA direct debit: debtor IBAN, BIC (may be empty), mandate ID and date.
_MANDATES = {
    2: ("DE89370400440532013000", "COBADEFFXXX", "MUSTER-0003-01", "2025-03-14"),
    3: ("DE12500105170648489890", "", "MUSTER-0004-01", "2025-06-02"),
    4: ("DE75512108001245126199", "", "MUSTER-0005-01", "2026-01-20"),
}

# Where each customer is: street, postcode, city; and the language of its documents.
_ADDRESSES: tuple[tuple[str, str, str], ...] = (
    ("Backstubenweg 4", "80331", "München"),
    ("Kaiserstraße 12", "60311", "Frankfurt am Main"),
    ("Marktplatz 3", "93047", "Regensburg"),
    ("Lindenallee 8", "50667", "Köln"),
    ("Industriestraße 21", "70565", "Stuttgart"),
    ("Am Wasserturm 5", "68161", "Mannheim"),
    ("Schlossstraße 40", "12163", "Berlin"),
    ("Lindenweg 1", "04109", "Leipzig"),
    ("Georgsplatz 2", "30159", "Hannover"),
    ("Autobahnring 9", "28307", "Bremen"),
    ("Werkstattgasse 6", "90402", "Nürnberg"),
    ("Hafenstraße 17", "20457", "Hamburg"),
    ("Sonnenhang 1", "87561", "Oberstdorf"),
    ("Gesundbrunnen 11", "01067", "Dresden"),
    ("Farbenweg 2", "44135", "Dortmund"),
    ("Technikpark 7", "76131", "Karlsruhe"),
    ("Am Markt 1", "55116", "Mainz"),
    ("Fleischergasse 3", "99084", "Erfurt"),
    ("Königsallee 60", "40212", "Düsseldorf"),
    ("Regenbogenstraße 4", "24103", "Kiel"),
    ("Dachsteig 10", "66111", "Saarbrücken"),
    ("Justizplatz 2", "65183", "Wiesbaden"),
    ("Klangweg 5", "39104", "Magdeburg"),
    ("Alpenstraße 14", "6020", "Innsbruck"),
    ("Holzplatz 3", "5020", "Salzburg"),
    ("Ringstraße 22", "1010", "Wien"),
    ("Seeweg 9", "9220", "Velden am Wörther See"),
    ("Bakkerstraat 12", "1012 AB", "Amsterdam"),
    ("Industrieweg 44", "3542 AD", "Utrecht"),
    ("Bahnhofstrasse 50", "8001", "Zürich"),
)
_ENGLISH = {"NL", "CH"}
# Public bodies (the schools) give a Leitweg-ID as buyer reference on e-invoices.
_LEITWEG = {
    "Grundschule am Lindenweg": "14713000-00017-14",
    "Gymnasium St. Georg": "03241000-00022-12",
}

# Who reads the invoices, by the customer's country.
_BILLING_MAILBOX = {"AT": "buchhaltung", "NL": "administratie", "CH": "info"}
_DEFAULT_BILLING_MAILBOX = "rechnung"


def employee_counts(rng: random.Random) -> list[int]:
    """Each customer's number of employees, by its kind of business (one draw per customer,
    in their order)."""
    return [rng.randint(*KINDS[c.kind].employees) for c in CUSTOMERS]


def customer_id(index: int) -> str:
    return f"C-{index + 1:04d}"


def customer_rows() -> list[dict[str, object]]:
    """The Customers table's rows."""
    rows = []
    for i, c in enumerate(CUSTOMERS):
        mailbox = _BILLING_MAILBOX.get(c.country or "", _DEFAULT_BILLING_MAILBOX)
        email = f"{mailbox}@{c.domain}.example"
        street, postcode, city = _ADDRESSES[i]
        values = (
            customer_id(i),
            c.name,
            email,
            c.country,
            c.vat_id,
            Decimal(c.discount),
            street,
            postcode,
            city,
            _LEITWEG.get(c.name),
            "en" if c.country in _ENGLISH else None,
            _DEBITORS.get(i),
            *_payment(i),
        )
        rows.append(dict(zip(schema.CUSTOMERS.headers, values, strict=True)))
    return rows


def _payment(index: int) -> tuple[object, ...]:
    """Payment, Debtor IBAN, Debtor BIC, Mandate ID, Mandate date of a customer."""
    if index not in _MANDATES:
        return (None, None, None, None, None)
    iban, bic, mandate, signed = _MANDATES[index]
    return ("direct debit", iban, bic or None, mandate, date.fromisoformat(signed))
