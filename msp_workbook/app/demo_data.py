"""A demo reseller: realistic input tables to try the workbook with, and to test it against.

`demo_data(last_month)` returns the rows of every input table for "Muster IT GmbH", a German
reseller with about 30 small-business customers in Germany, Austria, the Netherlands and
Switzerland, about 80 license keys over all four GFI MSP products and 14 months of usage readings
ending at `last_month` (the month to bill). Rows are keyed by table name and column header exactly
as `workbook.schema` spells them, with the values a user would type: `Decimal` prices, `int`
quantities, `date` days, `None` for an empty cell. The same `last_month` and `seed` always give
the same rows, license keys included.

What a billing run of `last_month` meets in this data (product spec, section 3):

- Every aggregation the price list uses: `max` (mailboxes, users, nodes; 1-4 readings a month)
  and `sum` (LanGuard scans; 2-6 scan reports a month).
- Minimum units: small customers below 5 mailboxes or 10 LanGuard nodes (Type `minimum`).
- Growth, onboarding ramps and seasonality: schools and the Kita dip in July and August, hotels
  peak in summer, bakeries and butchers hire extra staff in December, trades are slower in winter.
- Missing usage: one active KerioConnect key has no reading in `last_month` (its Note says so), so
  with `carry forward` it gets an `estimated` line from the month before and a warning in Checks.
- Statuses: suspended keys that report only in some months (one reports in `last_month`, one does
  not: no estimate, no minimum); cancelled keys that ended before the 14 months, inside them, and
  one whose End falls in `last_month` itself (still billed for that month); one key that starts
  after `last_month` and is not billable yet.
- Invoices: customer discounts of 5 % and 10 %; reverse charge for Austrian, Dutch and Swiss
  customers with a VAT ID; an Austrian customer without a VAT ID (VAT charged); one customer with
  no country at all; German customers with and without a VAT ID (always VAT charged).
- The MSP vs annual comparison: AnnualPrices tiers for every annual-priced metric, customers that
  grow through a tier boundary over the 14 months.

E-mail addresses use the reserved `.example` top-level domain, so nothing can reach a real
mailbox. VAT IDs have the right shape but are made up.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..core.keys import generate_key
from ..core.months import Month
from ..workbook import schema
from ..workbook.template import example_prices

__all__ = ["DEMO_MONTHS", "demo_data"]

Rows = list[dict[str, object]]

# Months of usage in the demo, ending at (and including) the month to bill.
DEMO_MONTHS = 14

RESELLER = "Muster IT GmbH"

_PRODUCTS = example_prices.PRODUCTS
_TIERS = example_prices.TIERS
_TERMS = example_prices.TERMS

KC, KCTL, KOP, LG = "KC-MSP", "KCTL-MSP", "KOP-MSP", "LG-MSP"

# Where readings come from, per product; a few are typed in by hand ("manual").
_SOURCES = {
    KC: "KerioConnect admin",
    KCTL: "KerioControl admin",
    KOP: "KerioOperator admin",
    LG: "LanGuard report",
}
_MANUAL = "manual"
_MANUAL_SHARE = 0.04

# Units per employee of the customer (low, high) and a fixed extra (low, high): shared mailboxes
# (info@, rechnung@), servers and printers among LanGuard nodes.
_UNITS_PER_EMPLOYEE: dict[str, tuple[float, float, int, int]] = {
    KC: (0.9, 1.2, 1, 3),
    KCTL: (0.6, 1.0, 0, 0),
    KOP: (0.4, 0.8, 0, 1),
    LG: (0.8, 1.3, 1, 3),
}


@dataclass(frozen=True)
class _Kind:
    """A kind of business: its size and how its usage moves over the calendar year."""

    employees: tuple[int, int]
    season: dict[int, float]  # calendar month -> factor on the usual level


_KINDS: dict[str, _Kind] = {
    "solo": _Kind((1, 2), {}),
    "practice": _Kind((3, 8), {8: 0.9}),
    "office": _Kind((5, 35), {8: 0.95, 12: 0.95}),
    "trade": _Kind((4, 30), {1: 0.85, 2: 0.9}),
    "bakery": _Kind((8, 40), {12: 1.2}),
    "school": _Kind((25, 90), {7: 0.55, 8: 0.45}),
    "hotel": _Kind((10, 45), {1: 0.8, 2: 0.85, 6: 1.1, 7: 1.25, 8: 1.25, 11: 0.8}),
}

# How strongly a metric follows the season: accounts and devices stay, people and scans move.
_SEASON_SENSITIVITY = {"mailboxes": 0.2, "users": 1.0, "nodes": 0.3, "scans": 1.0}


@dataclass(frozen=True)
class _CustomerSpec:
    name: str
    domain: str
    country: str | None
    vat_id: str | None
    discount: str
    kind: str


_CUSTOMERS: tuple[_CustomerSpec, ...] = (
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

# The demo reseller on its invoice documents (a made-up company; the IBAN is a well-known test
# account number with a right check sum).
SELLER: dict[str, object] = {
    schema.SETTING_STREET: "Friedrichstraße 123",
    schema.SETTING_POSTCODE: "10117",
    schema.SETTING_CITY: "Berlin",
    schema.SETTING_VAT_ID: "DE136695976",
    schema.SETTING_TAX_NUMBER: "30/123/45678",
    schema.SETTING_CONTACT: "Anna Schmidt",
    schema.SETTING_PHONE: "+49 30 1234567",
    schema.SETTING_EMAIL: "rechnung@muster-it.example",
    schema.SETTING_IBAN: "DE02120300000000202051",
    schema.SETTING_BIC: "BYLADEM1001",
    schema.SETTING_PAYMENT_DAYS: 14,
    schema.SETTING_LANGUAGE: "de",
    schema.SETTING_CREDITOR_ID: "DE98ZZZ09999999999",  # the Bundesbank's test creditor ID
    # DATEV's own example numbers; the chart's default accounts.
    schema.SETTING_DATEV_CONSULTANT: 29098,
    schema.SETTING_DATEV_CLIENT: 55003,
    schema.SETTING_CHART: "SKR03",
    schema.SETTING_FISCAL_YEAR_START: 1,
    schema.SETTING_REVENUE_ACCOUNT: None,
    schema.SETTING_REVERSE_CHARGE_ACCOUNT: None,
    schema.SETTING_NON_EU_ACCOUNT: None,
}
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

# Every customer has KerioConnect; this many further keys go to random customer/product pairs.
_EXTRA_KEYS = 50

_SUSPENDED_NOTES = (
    "Suspended: invoices overdue",
    "Suspended: closed for renovation",
    "Suspended on the customer's request",
    None,
)
_CANCELLED_NOTES = (
    "Moved to another provider",
    "Business closed",
    "Replaced by an on-premise installation",
    "Merged into the parent company's tenant",
    "Cancelled at the end of the contract",
)
_ACTIVE_NOTES = (
    "Migrated from an on-premise server",
    "Set up together with new hardware",
    "Contact: office manager",
    "Referred by another customer",
)
_ACTIVE_NOTE_SHARE = 0.08


@dataclass
class _Key:
    """A license key being made, with the demo's plan for its usage."""

    customer: int  # index into _CUSTOMERS
    product_id: str
    start: date
    end: date | None = None
    status: str = "active"
    note: str | None = None
    license_key: str = ""
    # Suspended keys: the months with readings. None: every month the key is live.
    reporting: set[Month] | None = None
    # A month without readings although the key is live and active.
    skipped: Month | None = None


def demo_data(last_month: Month, seed: int = 2026) -> dict[str, list[dict[str, object]]]:
    """Rows of every input table of the demo reseller, billing `last_month`.

    Keys: table names; values: rows keyed by column header. Deterministic for (last_month, seed).
    """
    rng = random.Random(seed)
    first_month = last_month.shift(-(DEMO_MONTHS - 1))
    employees = [rng.randint(*_KINDS[c.kind].employees) for c in _CUSTOMERS]
    keys = _plan_keys(rng, first_month, last_month)
    existing: list[str] = []
    for key in keys:
        key.license_key = generate_key(existing, rng=rng)
        existing.append(key.license_key)
    return {
        schema.SETTINGS.name: _settings(last_month),
        schema.PRODUCTS.name: _products(),
        schema.ANNUAL_PRICES.name: _annual_prices(),
        schema.CUSTOMERS.name: _customers(),
        schema.KEYS.name: _keys(keys),
        schema.USAGE.name: _usage(rng, keys, employees, first_month),
    }


# --- Tables without randomness --------------------------------------------------------------------


def _row(table: schema.Table, *values: object) -> dict[str, object]:
    return dict(zip(table.headers, values, strict=True))


def _settings(last_month: Month) -> Rows:
    values: dict[str, object] = {
        schema.SETTING_RESELLER: RESELLER,
        schema.SETTING_COUNTRY: "DE",
        schema.SETTING_CURRENCY: "EUR",
        schema.SETTING_VAT_RATE: Decimal("0.19"),
        schema.SETTING_BILLING_MONTH: str(last_month),
        schema.SETTING_MISSING_USAGE: "carry forward",
        schema.SETTING_INVOICE_PREFIX: "INV-",
        schema.SETTING_CORRECTION_MONTHS: 12,
        **SELLER,
    }
    return [_row(schema.SETTINGS, spec.name, values[spec.name]) for spec in schema.SETTINGS_SPEC]


def _products() -> Rows:
    return [
        _row(schema.PRODUCTS, pid, name, metric, aggregation, Decimal(cost), Decimal(price), low)
        for pid, name, metric, aggregation, cost, price, low in _PRODUCTS
    ]


def _annual_prices() -> Rows:
    return [
        _row(schema.ANNUAL_PRICES, pid, metric, term, low, high, Decimal(price))
        for pid, metric, tiers in _TIERS
        for term in _TERMS
        for low, high, price in tiers
    ]


def _customer_id(index: int) -> str:
    return f"C-{index + 1:04d}"


def _customers() -> Rows:
    rows = []
    for i, c in enumerate(_CUSTOMERS):
        mailbox = _BILLING_MAILBOX.get(c.country or "", _DEFAULT_BILLING_MAILBOX)
        email = f"{mailbox}@{c.domain}.example"
        street, postcode, city = _ADDRESSES[i]
        rows.append(
            _row(
                schema.CUSTOMERS,
                _customer_id(i),
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
        )
    return rows


def _payment(index: int) -> tuple[object, ...]:
    """Payment, Debtor IBAN, Debtor BIC, Mandate ID, Mandate date of a customer."""
    if index not in _MANDATES:
        return (None, None, None, None, None)
    iban, bic, mandate, signed = _MANDATES[index]
    return ("direct debit", iban, bic or None, mandate, date.fromisoformat(signed))


# --- Keys -----------------------------------------------------------------------------------------


def _day(rng: random.Random, month: Month, first: int = 1, last: int = 28) -> date:
    return date(month.year, month.month, rng.randint(first, last))


def _plan_keys(rng: random.Random, first_month: Month, last_month: Month) -> list[_Key]:
    """Which customer has which product since when, in which status; in the order keys were made."""
    pairs = [(c, KC) for c in range(len(_CUSTOMERS))]
    others = [(c, p) for c in range(len(_CUSTOMERS)) for p in (KCTL, KOP, LG)]
    pairs += rng.sample(others, _EXTRA_KEYS)

    keys = []
    for customer, product_id in pairs:
        if rng.random() < 0.4:  # a customer from before the 14 months
            start_month = first_month.shift(-rng.randint(1, 36))
        else:
            start_month = first_month.shift(rng.randint(0, DEMO_MONTHS - 1))
        keys.append(_Key(customer, product_id, _day(rng, start_month)))

    # Special roles, each on a different key.
    kc_keys = [i for i, k in enumerate(keys) if k.product_id == KC]
    unused = list(range(len(keys)))
    skipped = rng.choice(kc_keys)
    unused.remove(skipped)
    roles = rng.sample(unused, 1 + 4 + 5)
    future, suspended, cancelled = roles[0], roles[1:5], roles[5:]

    # Carry forward: a long-standing active KerioConnect key whose usage export for the month to
    # bill never arrived. Billing estimates it from the month before (Type `estimated`) and
    # warns in Checks.
    key = keys[skipped]
    key.start = _day(rng, first_month.shift(-rng.randint(3, 24)))
    key.skipped = last_month
    key.note = f"Usage export for {last_month} not received yet; billed as an estimate"

    # Ordered, goes live after the month to bill: not billable yet, no usage.
    key = keys[future]
    key.start = _day(rng, last_month.shift(1), 1, 15)
    key.note = f"Goes live on {key.start.isoformat()}"

    # Suspended keys report only now and then; the first one in the month to bill, the second not.
    live = [first_month.shift(m) for m in range(DEMO_MONTHS)]
    for n, i in enumerate(suspended):
        key = keys[i]
        key.status = "suspended"
        key.start = _day(rng, first_month.shift(rng.randint(-24, 3)))
        key.note = _SUSPENDED_NOTES[n % len(_SUSPENDED_NOTES)]
        key.reporting = {m for m in live if rng.random() < 0.4}
        if n == 0:
            key.reporting.add(last_month)
        elif n == 1:
            key.reporting.discard(last_month)

    # Cancelled: one before the 14 months, three inside them, one ending in the month to bill.
    for n, i in enumerate(cancelled):
        key = keys[i]
        key.status = "cancelled"
        key.note = _CANCELLED_NOTES[n % len(_CANCELLED_NOTES)]
        if n == 0:  # never billed in the 14 months
            end_index = -rng.randint(1, 6)
        elif n < 4:  # billed up to and including the month it ended
            end_index = rng.randint(1, DEMO_MONTHS - 2)
        else:  # still billed for the month to bill
            end_index = DEMO_MONTHS - 1
        end_month = first_month.shift(end_index)
        if n < 4 and rng.random() < 0.5:
            key.end = end_month.last_day  # notice to the end of a month
        else:
            key.end = _day(rng, end_month, 5, 25)
        key.start = _day(rng, first_month.shift(rng.randint(end_index - 24, end_index - 1)))

    for key in keys:
        if key.note is None and key.status == "active" and rng.random() < _ACTIVE_NOTE_SHARE:
            key.note = rng.choice(_ACTIVE_NOTES)

    keys.sort(key=lambda k: (k.start, k.customer, k.product_id))
    return keys


def _keys(keys: list[_Key]) -> Rows:
    return [
        _row(
            schema.KEYS,
            k.license_key,
            _customer_id(k.customer),
            k.product_id,
            k.start,
            k.end,
            k.status,
            k.note,
        )
        for k in keys
    ]


# --- Usage ----------------------------------------------------------------------------------------


def _usage(rng: random.Random, keys: list[_Key], employees: list[int], first_month: Month) -> Rows:
    """Readings of every key's metrics in every month of the demo that the key is live."""
    metrics: dict[str, list[tuple[str, str]]] = {}
    for product_id, _, metric, aggregation, *_ in _PRODUCTS:
        metrics.setdefault(product_id, []).append((metric, aggregation))

    # (date, key's row, metric's row, metric, quantity, source); sorted, this is the sheet order.
    readings: list[tuple[date, int, int, str, int, str]] = []
    for key_index, key in enumerate(keys):
        low, high, extra_low, extra_high = _UNITS_PER_EMPLOYEE[key.product_id]
        base = employees[key.customer] * rng.uniform(low, high) + rng.randint(extra_low, extra_high)
        growth = rng.uniform(-0.005, 0.025)  # per month
        season = _KINDS[_CUSTOMERS[key.customer].kind].season
        key_start = Month.of(key.start)
        for offset in range(DEMO_MONTHS):
            month = first_month.shift(offset)
            first_day = max(month.first_day, key.start)
            last_day = min(month.last_day, key.end or month.last_day)
            if first_day > last_day:
                continue  # not live this month
            if key.reporting is not None and month not in key.reporting:
                continue  # suspended, nothing reported
            if month == key.skipped:
                continue  # the missing export: billed as `estimated` by carry forward
            # Onboarding: users move over in the first months. Growth counts from the key's start
            # or from the first demo month, whichever is later.
            ramp = min(1.0, 0.55 + 0.2 * _months_between(key_start, month))
            grown = (1 + growth) ** _months_between(max(key_start, first_month), month)
            level = base * grown * ramp
            for metric_index, (metric, aggregation) in enumerate(metrics[key.product_id]):
                factor = 1 + (season.get(month.month, 1.0) - 1) * _SEASON_SENSITIVITY[metric]
                for day, quantity in _month_readings(
                    rng, aggregation, level * factor, first_day, last_day
                ):
                    source = _MANUAL if rng.random() < _MANUAL_SHARE else _SOURCES[key.product_id]
                    readings.append((day, key_index, metric_index, metric, quantity, source))
    readings.sort()
    return [
        _row(schema.USAGE, day, keys[key_index].license_key, metric, quantity, source)
        for day, key_index, _, metric, quantity, source in readings
    ]


def _month_readings(
    rng: random.Random, aggregation: str, level: float, first_day: date, last_day: date
) -> list[tuple[date, int]]:
    """One metric's readings in one month, on distinct days between first_day and last_day.

    `sum` metrics (LanGuard scans) get 2-6 scan reports, each a scan of roughly all nodes;
    the others 1-4 readings of the current count, a unit or so apart.
    """
    count = rng.randint(2, 6) if aggregation == "sum" else rng.randint(1, 4)
    days = range(first_day.day, last_day.day + 1)
    count = min(count, len(days))
    readings = []
    for day in sorted(rng.sample(days, count)):
        if aggregation == "sum":
            quantity = round(level * rng.uniform(0.8, 1.2))
        else:
            quantity = round(level * rng.uniform(0.97, 1.03)) + rng.choice((-1, 0, 0, 0, 1))
        readings.append((first_day.replace(day=day), max(0, quantity)))
    return readings


def _months_between(earlier: Month, later: Month) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month
