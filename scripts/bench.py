"""Benchmark `msp-workbook recalc` against its floor, openpyxl and LibreOffice.

    python scripts/bench.py --sizes S M L --repeat 3 --json bench-results/bench.json

Builds reproducible reseller workbooks (seeded; cached in the work folder, rebuilt when the
generator changes):

    S   200 customers,     about 6,000 usage rows
    M   2,000 customers,   about 150,000 usage rows
    L   10,000 customers,  about 1,000,000 usage rows

and measures, each the median of --repeat runs (peak RSS: the highest run; recalc and floor runs
alternate):

- recalc: `msp-workbook recalc FILE --month 2026-10 --out OUT` as a subprocess, on a fresh copy of
  the workbook each run: wall time and peak RSS (process start-up included; the RSS of the
  command and its child process together, sampled every 50 ms, when that is higher);
- floor: reading the Usage sheet alone with the fastest reader available (fastexcel, straight
  into Arrow arrays), plus writing the generated sheets alone (`writer.write_tables`, from rows
  computed beforehand); the two parts are timed separately and added (start-up and imports not
  included);
- openpyxl: `load_workbook` + `save` of the same workbook as a subprocess, start-up included (at
  L once by default: it takes minutes and gigabytes; `--openpyxl-timeout` caps every run and a
  run past it is reported as "n/a (> N s)", `--skip-openpyxl-at` skips sizes);
- libreoffice (S and M by default): LibreOffice headless opening an equivalent hand-built
  workbook whose Billing sheet computes every line with MAXIFS/SUMIFS over the Usage rows and
  whose Invoices sheet sums it with SUMIFS, recalculating everything (forced) and saving it. The
  same workbook without formulas is converted as well, to show what is load and save alone.
- closed months and years of data (L by default, `--closed-months-at`), each on a fresh copy each
  run, with the peak RSS of the command and its children:
  - recalc of the same workbook after the 11 months before the billing month were closed one by
    one with `msp-workbook close` (`--closed-months`), as a reseller's workbook is after a year:
    the Ledger then holds a year of lines and most of the comparison window comes from it
    (cached beside the workbook as `...-closed11.xlsx`);
  - alternating with it, recalc of the same workbook with an empty Ledger, recalculated once
    beforehand (cached as `...-recalculated.xlsx`) so that its generated sheets are full as the
    closed workbook's are (recalc reads and rewrites them): the ratio closed/empty, goal 1.3x, and
    the closed recalc's peak RSS, goal 700 MB;
  - alternating with both, `msp-workbook close` of the billing month on the closed workbook:
    the ratio close/closed recalc, goal 1.3x;
  - `msp-workbook archive --before 2025-12` with Settings' Correction months set to 0 (at the
    default 12 the correction window of the first open month, 2026-11, covers every month of
    usage: nothing could move; the setting's row is replaced by `writer.remove_rows` and
    `writer.append_rows`, without loading the sheets) on a workbook whose every month of usage
    is closed, 2025-09 .. 2026-10 (the archive refuses to move usage of a month that is not
    closed: the workbook after the close above with `--closed-months 13`, else the size's
    workbook closed month by month, cached as `...-closed14-to-2026-10.xlsx`): wall time, peak
    RSS, what it moved (its line of output; checked: exit 0, something moved, the
    `NAME.archive-2025.xlsx` file beside the workbook); then recalc of the first open month
    2026-11 on the archived workbook against the same before the archive, alternately (goal: no
    slower; within 5 % counts as noise), and whether Billing, Invoices and Comparison of the two
    outputs are equal (Checks is shown too: its messages name Usage rows, which move up).
- invoice documents (`--documents-at S M L`; not by default): `msp-workbook invoices` of the
  billing month once it is closed with `msp-workbook close` (the closed workbook is cached beside
  the workbook), into a fresh --out folder each run: wall time, peak RSS of the process and its
  worker processes together (and their summed PSS: forked workers share pages), invoices per
  second, and that every invoice got its XML and a PDF/A-3b carrying factur-x.xml. Alternating
  with it, the peer: WeasyPrint (pip-installed into this Python when missing, unless
  `--no-install-peer`) rendering the month's first `--documents-peer-sample` invoices (300) in
  one process as an equivalent HTML/CSS invoice to PDF/A-3b from `documents.pdf.layout_data`,
  each invoice timed (scripts/weasyprint_peer.py). Before each run the benchmark waits up to
  `--quiet-wait` seconds for other work on the machine to settle, measures a run again (twice at
  most) when other work kept a quarter of a core busy during it, and reports the cores other work
  kept busy during each run. One run of the smallest size is also made under a
  pseudo-terminal to see its progress line.
- DATEV and SEPA exports (`--exports-at S M L`; not by default): on a fresh copy of the closed
  workbook each run, `msp-workbook export-datev` then `msp-workbook export-sepa` of the billing
  month (a fixed --collection-date), each first on the copy (the file written, debitor numbers
  and collections appended to the workbook) and then once more on the same copy (unchanged: the
  same file, nothing written): wall time and peak RSS of each, the bookings, debits and file
  sizes. Every run is checked: a booking for each of the month's invoices whose Gross is not 0
  (the batch has two lines more), the SEPA file valid against the pain.008.001.02 XSD with a
  transaction for each direct-debit customer's invoice with a positive Gross, the second run's
  file the same and the workbook's bytes unchanged.

Every run has a timeout (`--timeout`) and is killed with its children past it; a measurement whose
first run takes longer than `--once-above` seconds is not repeated (the output says so).
`--profile` also writes a cProfile of one recalc per size; `--from-json` reprints the tables.

Correctness: the generated tables of the recalc output (Billing, Invoices, Comparison, Checks)
equal the rows of the plain path, computed in-process: Usage read row by row into one record
per reading (`read_workbook(..., bulk=False)`) and aggregated reading by reading
(`UsageIndex.from_readings`), then `app.compute.compute` + `app.generated.generated_tables`; at S
the generated sheets also equal those of a plain in-process `app.recalc.recalculate`.
LibreOffice's quantities and net amounts are compared with recalc's lines that come from readings
(usage and minimum lines).

Prints a table with the ratios recalc/floor, openpyxl/recalc and LibreOffice/recalc, the time per
usage row and the growth exponent between sizes (1.0 = linear), and writes every figure to the
JSON file. Exit code 1 when a correctness check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import pickle
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from msp_workbook.app import example_prices

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lo_headless import convert_command, find_soffice, make_profile  # noqa: E402

from msp_workbook.app.demo_data import SELLER as demo_seller
from msp_workbook.core.keys import ALPHABET, PAYLOAD_LENGTH, check_character
from msp_workbook.core.months import Month
from msp_workbook.workbook import schema

REPO = Path(__file__).resolve().parents[1]
DEFAULT_WORKDIR = REPO / "bench-results"
GENERATOR_VERSION = 3  # bump when the generated data changes: cached workbooks are rebuilt
SEED = 2026
BILL_MONTH = Month(2026, 10)
MONTHS = 14  # months of usage, ending at the billed month (the comparison looks at 12)
JSON_VERSION = 1

Rows = list[dict[str, object]]


# --- Sizes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    name: str
    customers: int
    usage_rows: int  # aimed at; the generated count is close to it


SIZES: dict[str, Size] = {
    "S": Size("S", 200, 6_000),
    "M": Size("M", 2_000, 150_000),
    "L": Size("L", 10_000, 1_000_000),
}


# --- Data -----------------------------------------------------------------------------------------

KC, KCTL, KOP, LG = "KC-MSP", "KCTL-MSP", "KOP-MSP", "LG-MSP"
# Share of customers with each further product (every customer has KerioConnect).
_EXTRA_PRODUCTS = ((KCTL, 0.35), (KOP, 0.15), (LG, 0.30))
_SECOND_KC_SHARE = 0.05  # a second KerioConnect tenant
_SOURCES = {
    KC: "KerioConnect admin",
    KCTL: "KerioControl admin",
    KOP: "KerioOperator admin",
    LG: "LanGuard report",
}
_MANUAL_SHARE = 0.04
_SUSPENDED_SHARE = 0.03
_CANCELLED_SHARE = 0.06
_LATE_START_SHARE = 0.02  # ordered, starts after the billed month
_NEW_SHARE = 0.35  # started inside the 14 months (the others before)
_MISSING_SHARE = 0.01  # active key-metric with no reading in the billed month: estimated

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


def _metrics() -> dict[str, list[tuple[str, str]]]:
    metrics: dict[str, list[tuple[str, str]]] = {}
    for product_id, _, metric, aggregation, *_ in example_prices.PRODUCTS:
        metrics.setdefault(product_id, []).append((metric, aggregation))
    return metrics


def _new_key(rng: random.Random, taken: set[str]) -> str:
    """A license key in the program's format (check character included), unique in `taken`."""
    while True:
        payload = "".join(rng.choice(ALPHABET) for _ in range(PAYLOAD_LENGTH))
        chars = payload + check_character(payload)
        key = "-".join(chars[i : i + 5] for i in range(0, 20, 5))
        if key not in taken:
            taken.add(key)
            return key


@dataclass
class _Key:
    license_key: str
    customer: int
    product_id: str
    start: date
    end: date | None
    status: str
    level: float  # units at the start of the 14 months
    growth: float  # per month
    reporting: set[Month] | None = None  # suspended keys: months with readings
    missing: bool = False  # no readings in the billed month


def _vat_id(rng: random.Random, country: str | None) -> str | None:
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


def _address(rng: random.Random, country: str | None) -> dict[str, object]:
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


def _payment(
    rng: random.Random, index: int, country: str | None, first: Month
) -> dict[str, object]:
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


def bench_data(size: Size, month: Month = BILL_MONTH, seed: int = SEED) -> dict[str, Rows]:
    """Rows of every input table of a reseller of the given size, billing `month`.

    Deterministic for (size, month, seed). Customers have KerioConnect and some further products;
    keys start before or inside the 14 months, a few are suspended (reporting now and then),
    cancelled or not live yet; a few active keys have no reading in the billed month (estimated
    lines); readings per key, metric and month are spread to give about `size.usage_rows` rows.
    Settings and Customers hold what invoice documents need (the seller's address and bank
    account; each customer's address, VAT IDs with a right check sum) and what the DATEV and SEPA
    exports need (the seller's DATEV numbers and creditor ID; about 30 % of customers pay by
    direct debit, with a valid IBAN and a mandate; no customer has a Debitor number yet)."""
    rng = random.Random(f"{seed}-{size.name}")
    # Addresses and payments have their own streams: the keys and usage stay those of the first
    # generator.
    places = random.Random(f"{seed}-{size.name}-addresses")
    payments = random.Random(f"{seed}-{size.name}-payments")
    first = month.shift(-(MONTHS - 1))
    metrics = _metrics()
    customers: Rows = []
    keys: list[_Key] = []
    taken: set[str] = set()
    for i in range(size.customers):
        cid = f"C-{i + 1:05d}"
        country = _pick(rng, _COUNTRIES)
        form = rng.choice(_FORMS)
        name = f"{rng.choice(_TRADES)} {rng.choice(_FAMILY)} {form}".strip()
        customers.append(
            {
                "Customer ID": cid,
                "Customer": name,
                "Email": f"rechnung@c{i + 1:05d}.example",
                "Country": country,
                "VAT ID": _vat_id(rng, country),
                "Discount %": Decimal(_pick(rng, _DISCOUNTS)),
                **_address(places, country),
                **_payment(payments, i, country, first),
            }
        )
        employees = max(1, int(rng.lognormvariate(2.3, 0.9)))
        products = [KC] + [p for p, share in _EXTRA_PRODUCTS if rng.random() < share]
        if rng.random() < _SECOND_KC_SHARE:
            products.append(KC)
        for product_id in products:
            keys.append(_plan_key(rng, taken, i, product_id, employees, first, month))
    keys.sort(key=lambda k: (k.start, k.customer, k.product_id, k.license_key))
    return {
        schema.SETTINGS.name: _settings(month),
        schema.CUSTOMERS.name: customers,
        schema.KEYS.name: [_key_row(k) for k in keys],
        schema.USAGE.name: _usage(rng, keys, metrics, first, month, size.usage_rows),
    }


def _plan_key(
    rng: random.Random,
    taken: set[str],
    customer: int,
    product_id: str,
    employees: int,
    first: Month,
    month: Month,
) -> _Key:
    r = rng.random()
    if r < _LATE_START_SHARE:
        start_month = month.shift(1)
    elif r < _LATE_START_SHARE + _NEW_SHARE:
        start_month = first.shift(rng.randrange(MONTHS))
    else:
        start_month = first.shift(-rng.randint(1, 36))
    start = date(start_month.year, start_month.month, rng.randint(1, 28))
    status, end, reporting = "active", None, None
    r = rng.random()
    if r < _CANCELLED_SHARE and start_month <= month:
        status = "cancelled"
        end_month = max(start_month, first.shift(rng.randrange(-3, MONTHS)))
        end = date(end_month.year, end_month.month, rng.randint(1, 28))
        end = max(end, start)
    elif r < _CANCELLED_SHARE + _SUSPENDED_SHARE:
        status = "suspended"
        reporting = {first.shift(m) for m in range(MONTHS) if rng.random() < 0.4}
    per_employee = {KC: 1.1, KCTL: 0.8, KOP: 0.6, LG: 1.05}[product_id]
    return _Key(
        license_key=_new_key(rng, taken),
        customer=customer,
        product_id=product_id,
        start=start,
        end=end,
        status=status,
        level=employees * per_employee + rng.randint(0, 3),
        growth=rng.uniform(-0.005, 0.02),
        reporting=reporting,
        missing=status == "active" and rng.random() < _MISSING_SHARE,
    )


def _settings(month: Month) -> Rows:
    values: dict[str, object] = {
        schema.SETTING_RESELLER: "Benchmark IT GmbH",
        schema.SETTING_COUNTRY: "DE",
        schema.SETTING_CURRENCY: "EUR",
        schema.SETTING_VAT_RATE: Decimal("0.19"),
        schema.SETTING_BILLING_MONTH: str(month),
        schema.SETTING_MISSING_USAGE: "carry forward",
        schema.SETTING_INVOICE_PREFIX: "INV-",
        **_SELLER,
    }
    return [
        {"Setting": s.name, "Value": values.get(s.name, s.default)} for s in schema.SETTINGS_SPEC
    ]


# The seller's rows of Settings, for invoice documents (valid IBAN and VAT ID).
_SELLER: dict[str, object] = {
    **demo_seller,
    schema.SETTING_STREET: "Benchmarkweg 1",
    schema.SETTING_EMAIL: "rechnung@benchmark-it.example",
}


def _key_row(k: _Key) -> dict[str, object]:
    return {
        "License key": k.license_key,
        "Customer ID": f"C-{k.customer + 1:05d}",
        "Product ID": k.product_id,
        "Start": k.start,
        "End": k.end,
        "Status": k.status,
        "Note": None,
    }


def _live_days(key: _Key, m: Month) -> tuple[date, date] | None:
    first_day = max(m.first_day, key.start)
    last_day = min(m.last_day, key.end or m.last_day)
    return (first_day, last_day) if first_day <= last_day else None


def _usage(
    rng: random.Random,
    keys: list[_Key],
    metrics: dict[str, list[tuple[str, str]]],
    first: Month,
    month: Month,
    target: int,
) -> Rows:
    months = [first.shift(i) for i in range(MONTHS)]
    groups: list[tuple[int, Month, date, date, str, str]] = []
    for index, key in enumerate(keys):
        for m in months:
            days = _live_days(key, m)
            if days is None or (key.reporting is not None and m not in key.reporting):
                continue
            if key.missing and m == month:
                continue
            for metric, aggregation in metrics[key.product_id]:
                groups.append((index, m, days[0], days[1], metric, aggregation))
    per_group = target / max(1, len(groups))
    whole, fraction = int(per_group), per_group - int(per_group)
    readings: list[tuple[date, int, str, int, str]] = []
    for index, m, first_day, last_day, metric, aggregation in groups:
        key = keys[index]
        count = max(1, whole + (rng.random() < fraction))
        offset = (m.year - first.year) * 12 + m.month - first.month
        level = key.level * (1 + key.growth) ** offset
        if aggregation == "sum":
            level = level * 4 / count  # scans: about four full scans a month, split over reports
        span = (last_day - first_day).days
        for _ in range(count):
            day = date.fromordinal(first_day.toordinal() + rng.randint(0, span))
            quantity = max(0, round(level * rng.uniform(0.95, 1.05)))
            manual = rng.random() < _MANUAL_SHARE
            source = "manual" if manual else _SOURCES[key.product_id]
            readings.append((day, index, metric, quantity, source))
    readings.sort(key=lambda r: (r[0], r[1], r[2]))
    return [
        {
            "Date": day,
            "License key": keys[index].license_key,
            "Metric": metric,
            "Quantity": quantity,
            "Source": source,
        }
        for day, index, metric, quantity, source in readings
    ]


# --- Workbooks ------------------------------------------------------------------------------------


def _fingerprint(size: Size) -> str:
    """What a cached workbook depends on: the generator and the template builder's sources."""
    digest = hashlib.sha256(f"{GENERATOR_VERSION}|{SEED}|{BILL_MONTH}|{size}".encode())
    package = REPO / "msp_workbook"
    for part in ("workbook/template.py", "workbook/schema.py", "app/example_prices.py"):
        digest.update((package / part).read_bytes())
    return digest.hexdigest()[:12]


def bench_workbook(size: Size, workdir: Path, rebuild: bool = False) -> tuple[Path, float | None]:
    """The size's workbook in workdir (built once, then reused), and its build time if built."""
    from msp_workbook.workbook.template import build_workbook

    path = workdir / f"bench-{size.name}-{_fingerprint(size)}.xlsx"
    if path.exists() and not rebuild:
        return path, None
    for old in workdir.glob(f"bench-{size.name}-*.xlsx"):
        old.unlink()
    started = time.perf_counter()
    draft = path.with_suffix(".tmp.xlsx")
    build_workbook(draft, bench_data(size))
    draft.replace(path)
    return path, time.perf_counter() - started


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- Running and measuring subprocesses -----------------------------------------------------------

# Runs a command and reports its wall time and its peak memory: the highest of the largest single
# process's peak RSS (getrusage) and the RSS of the command and all its descendants together,
# sampled every 50 ms from /proc (recalc loads the Usage sheet in a child process). The tree's
# summed PSS is sampled too (every 50 ms for a second, then twice a second): forked workers
# share their parent's pages, which the RSS sum counts once per process and PSS splits between
# them. The CPU time the rest of the machine used meanwhile (all CPUs' busy time from /proc/stat
# less the command's and this wrapper's) tells whether other work shared the cores with the run.
_MEASURE = r"""
import json, os, resource, subprocess, sys, threading, time

def busy_s():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")  # less idle and iowait

def tree_kb(pid, with_pss):
    total, pss, todo = 0, 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
            if with_pss:  # walks the page tables: a tenth of a core if read every 50 ms
                with open(f"/proc/{p}/smaps_rollup") as f:
                    pss += next((int(l.split()[1]) for l in f if l.startswith("Pss:")), 0)
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError, IndexError):
            pass
    return total, pss

env = dict(os.environ)
out_file = env.pop("BENCH_STDOUT", "")  # where the command's output goes, if kept
out = open(out_file, "wb") if out_file else subprocess.DEVNULL
started, busy_start = time.perf_counter(), busy_s()
proc = subprocess.Popen(sys.argv[2:], stdout=out, stderr=subprocess.PIPE, env=env)
err = []
reader = threading.Thread(target=lambda: err.append(proc.stderr.read()))
reader.start()
tree_peak = pss_peak = samples = 0
while proc.poll() is None:
    rss, pss = tree_kb(proc.pid, samples < 20 or samples % 10 == 0)  # then twice a second
    tree_peak, pss_peak, samples = max(tree_peak, rss), max(pss_peak, pss), samples + 1
    time.sleep(0.05)
wall = time.perf_counter() - started
reader.join()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
own = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime
others = busy_s() - busy_start - cpu - own.ru_utime - own.ru_stime
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump({"rc": proc.returncode, "wall_s": wall, "cpu_s": cpu, "others_cpu_s": max(0, others),
               "maxrss_kb": max(usage.ru_maxrss, tree_peak), "tree_pss_kb": pss_peak,
               "stderr": err[0].decode("utf-8", "replace")[-2000:]}, f)
"""


@dataclass
class Run:
    wall_s: float | None  # None: timed out
    rss_mb: float | None
    rc: int | None
    stderr: str = ""
    extra: dict[str, Any] | None = None  # what the command itself reported (child commands)
    pss_mb: float | None = None  # the process tree's summed PSS at its sampled peak
    cpu_s: float | None = None  # CPU time of the command and its descendants
    others_cpu_s: float | None = None  # CPU time the rest of the machine used meanwhile
    stdout: str = ""  # the command's output, when `measure` was asked to keep it


def measure(cmd: Sequence[str], timeout: float, tmp: Path, keep_stdout: bool = False) -> Run:
    """Run `cmd` once under the measuring wrapper, in its own session (killed whole on timeout).
    With `keep_stdout` the command's output is written to a file (not a pipe: nothing but the
    command reads it meanwhile) and returned in the run."""
    report = tmp / f"measure-{time.monotonic_ns()}.json"
    extra_file = tmp / f"extra-{time.monotonic_ns()}.json"
    stdout_file = tmp / f"stdout-{time.monotonic_ns()}.txt"
    child_env = dict(os.environ)
    child_env["BENCH_EXTRA"] = str(extra_file)
    if keep_stdout:
        child_env["BENCH_STDOUT"] = str(stdout_file)
    proc = subprocess.Popen(
        [sys.executable, "-c", _MEASURE, str(report), *cmd],
        start_new_session=True,
        env=child_env,
        stdout=subprocess.DEVNULL,
    )
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()
        stdout_file.unlink(missing_ok=True)
        return Run(None, None, None, f"timed out after {timeout:.0f} s", {"timeout_s": timeout})
    data = json.loads(report.read_text(encoding="utf-8"))
    report.unlink()
    stdout = ""
    if stdout_file.exists():
        stdout = stdout_file.read_text(encoding="utf-8", errors="replace")
        stdout_file.unlink()
    extra = None
    if extra_file.exists():
        extra = json.loads(extra_file.read_text(encoding="utf-8"))
        extra_file.unlink()
    pss = data.get("tree_pss_kb") or None
    return Run(
        data["wall_s"],
        data["maxrss_kb"] / 1024,
        data["rc"],
        data["stderr"],
        extra,
        pss / 1024 if pss else None,
        data.get("cpu_s"),
        data.get("others_cpu_s"),
        stdout,
    )


def _report_extra(values: dict[str, Any]) -> None:
    """A child command's own figures, for `measure` (BENCH_EXTRA names the file)."""
    target = os.environ.get("BENCH_EXTRA")
    if target:
        Path(target).write_text(json.dumps(values), encoding="utf-8")


@dataclass
class Measured:
    """Repeated runs of one measurement."""

    runs: list[Run]
    planned: int
    note: str = ""

    @property
    def ok(self) -> list[Run]:
        return [r for r in self.runs if r.wall_s is not None and r.rc == 0]

    @property
    def median_s(self) -> float | None:
        ok = self.ok
        return statistics.median(r.wall_s for r in ok) if ok and len(ok) == len(self.runs) else None

    @property
    def peak_rss_mb(self) -> float | None:
        ok = self.ok
        return max(r.rss_mb for r in ok) if ok else None  # type: ignore[type-var]

    @property
    def peak_pss_mb(self) -> float | None:
        values = [r.pss_mb for r in self.ok if r.pss_mb is not None]
        return max(values) if values else None

    def extra_median(self, name: str) -> float | None:
        values = [r.extra[name] for r in self.ok if r.extra and name in r.extra]
        return statistics.median(values) if values else None

    def status(self) -> str:
        if not self.runs:
            return "skipped"
        if any(r.wall_s is None for r in self.runs):
            return "timeout"
        if any(r.rc != 0 for r in self.runs):
            return "failed"
        return "ok"

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status(),
            "note": self.note,
            "runs": len(self.runs),
            "median_s": self.median_s,
            "peak_rss_mb": self.peak_rss_mb,
            "peak_pss_mb": self.peak_pss_mb,
            "wall_s": [r.wall_s for r in self.runs],
            "rss_mb": [r.rss_mb for r in self.runs],
            "cpu_s": [r.cpu_s for r in self.runs],
            "others_cores": [
                r.others_cpu_s / r.wall_s if r.others_cpu_s is not None and r.wall_s else None
                for r in self.runs
            ],
            "reported": [r.extra for r in self.runs if r.extra],
            "errors": [r.stderr for r in self.runs if r.rc not in (0, None) or r.wall_s is None],
            "timeout_s": max((r.extra or {}).get("timeout_s", 0) for r in self.runs)
            if self.status() == "timeout"
            else None,
        }


# A measurement whose first run takes longer than this is not repeated (set by --once-above).
ONCE_ABOVE_S = 600.0


def repeat_runs(times: int, run: Callable[[int], Run], note: str = "") -> Measured:
    """`times` runs; stops after a failed or timed-out run, and after a first run longer than
    ONCE_ABOVE_S (the note says so)."""
    measured = Measured([], times, note)
    for i in range(times):
        result = run(i)
        measured.runs.append(result)
        if result.wall_s is None or result.rc != 0:
            break
        if i == 0 and times > 1 and result.wall_s > ONCE_ABOVE_S:
            once = f"run once: the first run took {result.wall_s:.0f} s (> {ONCE_ABOVE_S:.0f} s)"
            measured.note = f"{note}; {once}" if note else once
            break
    return measured


def alternate_runs(times: int, *runs: Callable[[int], Run]) -> tuple[Measured, ...]:
    """`times` runs of each, one of the first, then one of the second, and so on; a measurement
    stops after a failed or timed-out run (the others go on)."""
    measured = tuple(Measured([], times) for _ in runs)
    for i in range(times):
        for m, run in zip(measured, runs, strict=True):
            if m.runs and (m.runs[-1].wall_s is None or m.runs[-1].rc != 0):
                continue
            m.runs.append(run(i))
    return measured


def _child(*args: str) -> list[str]:
    """This script run as a child command (see `child_main`)."""
    return [sys.executable, str(Path(__file__).resolve()), "--child", *args]


def _msp_workbook() -> list[str]:
    exe = Path(sys.executable).with_name("msp-workbook")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "msp_workbook.cli"]


# --- Child commands (run in their own process, so their time and memory are theirs alone) ---------


def child_prepare(src: str, month: str, out: str, plain_out: str) -> None:
    """The billing as the plain path computes it in-process (the expected result: Usage read row
    by row, aggregated reading by reading), pickled for the floor's writer and the checks; with
    `plain_out`, also a plain in-process recalculation."""
    from msp_workbook.app.compute import compute
    from msp_workbook.app.generated import generated_tables
    from msp_workbook.app.recalc import recalculate
    from msp_workbook.workbook.read import read_workbook

    target = Month.parse(month)
    # Read under the name the measured recalc reads (SIZE-input.xlsx): Checks may name the file
    # (the row-limit warning says what to run on it).
    named = Path(out).with_name(Path(out).stem.removesuffix("-expected") + "-input.xlsx")
    shutil.copyfile(src, named)
    started = time.perf_counter()
    report = compute(read_workbook(named, bulk=False), target)
    named.unlink()
    generated = generated_tables(report)
    computed = time.perf_counter() - started
    with open(out, "wb") as f:
        pickle.dump({"tables": generated.tables, "side_columns": generated.side_columns}, f)
    values: dict[str, Any] = {"check_workbook_s": computed}
    if plain_out:
        copy = Path(plain_out).with_suffix(".src.xlsx")
        shutil.copyfile(src, copy)
        recalculate(copy, target, out=Path(plain_out))
        copy.unlink()
    _report_extra(values)


def child_floor(src: str, tables_pickle: str, out: str) -> None:
    """The floor: the Usage sheet read alone with the fastest reader available (fastexcel, into
    Arrow arrays), and the generated sheets written alone from rows computed beforehand. Times
    each part."""
    import fastexcel

    from msp_workbook.workbook.writer import write_tables

    with open(tables_pickle, "rb") as f:
        generated = pickle.load(f)
    started = time.perf_counter()
    batch = fastexcel.read_excel(src).load_sheet(schema.USAGE.sheet, eager=True)
    read_s = time.perf_counter() - started
    count = batch.num_rows + 1  # with the header row
    del batch
    started = time.perf_counter()
    write_tables(Path(src), Path(out), generated["tables"], side_columns=generated["side_columns"])
    write_s = time.perf_counter() - started
    _report_extra({"read_usage_s": read_s, "write_generated_s": write_s, "usage_rows": count - 1})


def child_openpyxl(src: str, out: str) -> None:
    """openpyxl's load-and-save of the whole workbook."""
    started = time.perf_counter()
    import openpyxl

    imported = time.perf_counter()
    book = openpyxl.load_workbook(src)
    loaded = time.perf_counter()
    book.save(out)
    saved = time.perf_counter()
    _report_extra(
        {"import_s": imported - started, "load_s": loaded - imported, "save_s": saved - loaded}
    )


def child_openpyxl_import(src: str, report: str, out: str) -> None:
    """The same import done with openpyxl: load the workbook, append the report's readings
    under the Usage table (Source as import-usage writes it), grow the table, save."""
    import csv

    import openpyxl

    started = time.perf_counter()
    book = openpyxl.load_workbook(src)
    loaded = time.perf_counter()
    ws = book[schema.USAGE.sheet]
    table = ws.tables[schema.USAGE.name]
    first, last = table.ref.split(":")
    last_row = int("".join(c for c in last if c.isdigit()))
    column = "".join(c for c in last if c.isalpha())
    name = Path(report).name
    digest = hashlib.sha256(Path(report).read_bytes()).hexdigest()[:12]
    with open(report, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))[1:]
    for line, (day, key, metric, quantity) in enumerate(rows, start=2):
        d, m, y = (int(x) for x in day.split("."))
        last_row += 1
        ws.cell(last_row, 1, datetime(y, m, d)).number_format = "yyyy-mm-dd"
        ws.cell(last_row, 2, key)
        ws.cell(last_row, 3, metric)
        ws.cell(last_row, 4, int(quantity.replace(".", "")))
        ws.cell(last_row, 5, f"{name}#{digest}:{line}")
    table.ref = f"{first}:{column}{last_row}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref
    appended = time.perf_counter()
    book.save(out)
    saved = time.perf_counter()
    _report_extra(
        {"load_s": loaded - started, "append_s": appended - loaded, "save_s": saved - appended}
    )


def child_weasyprint(src: str, month: str, sample: str, outdir: str) -> None:
    """The invoice documents' peer: WeasyPrint rendering the month's first `sample` invoices."""
    from weasyprint_peer import render_sample

    _report_extra(render_sample(src, month, int(sample), outdir))


def child_main(argv: Sequence[str]) -> None:
    command, *args = argv
    {
        "prepare": child_prepare,
        "floor": child_floor,
        "openpyxl": child_openpyxl,
        "openpyxl-import": child_openpyxl_import,
        "weasyprint": child_weasyprint,
        "correction-months": child_correction_months,
    }[command](*args)


# --- Usage import --------------------------------------------------------------------------------

EXCEL_MAX_ROWS = 1_048_576
IMPORT_MARGIN = 10_000  # rows kept free besides the report's (the generated count varies a little)


def import_report(size: Size, readings: int, path: Path) -> int:
    """A German report (`;`, 31.10.2026, 1.234) of `readings` readings for the size's keys, in
    the month after the billing month; returns how many lines it has."""
    data = bench_data(size)
    metrics = _metrics()
    pairs = [
        (k["License key"], metric)
        for k in data[schema.KEYS.name]
        for metric, _ in metrics.get(str(k["Product ID"]), [])
    ]
    rng = random.Random(SEED + 7)
    month = BILL_MONTH.shift(1)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("Date;License key;Metric;Quantity\r\n")
        for _ in range(readings):
            key, metric = pairs[rng.randrange(len(pairs))]
            day = rng.randint(1, 28)
            quantity = f"{rng.randint(0, 5000):,}".replace(",", ".")
            f.write(f"{day:02}.{month.month:02}.{month.year};{key};{metric};{quantity}\r\n")
    return readings


def import_target(size: Size, readings: int) -> Size:
    """The size itself, or where its Usage leaves no room for the readings below Excel's last
    row (L holds about a million rows), the same customers with as many rows as leave room."""
    room = EXCEL_MAX_ROWS - readings - IMPORT_MARGIN
    if size.usage_rows <= room:
        return size
    return Size(f"{size.name}room{readings // 1000}k", size.customers, room)


def bench_import(size: Size, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """`msp-workbook import-usage` of a report into the size's workbook against openpyxl doing
    the same append (load, append, save)."""
    size = import_target(size, args.import_readings)
    workbook, _ = bench_workbook(size, args.workdir, args.rebuild)
    report = tmp / f"usage-report-{size.name}.csv"
    lines = import_report(size, args.import_readings, report)

    def ours(i: int) -> Run:
        copy = tmp / f"import-{i}.xlsx"
        shutil.copyfile(workbook, copy)
        run = measure([*_msp_workbook(), "import-usage", str(copy), str(report)], args.timeout, tmp)
        if i == 0:
            from msp_workbook.workbook.places import table_place

            added = table_place(copy, schema.USAGE).last_row
            run.extra = {"usage_last_row_after": added}
        copy.unlink()
        return run

    _progress(f"{size.name}: import-usage of {lines:,} readings")
    measured = repeat_runs(args.repeat, ours)
    _progress(f"{size.name}: the same import with openpyxl (once)")
    out = tmp / "openpyxl-import.xlsx"
    peer = measure(
        _child("openpyxl-import", str(workbook), str(report), str(out)),
        args.openpyxl_timeout,
        tmp,
    )
    with contextlib.suppress(OSError):
        out.unlink()
    ratio = _ratio(peer.wall_s, measured.median_s)
    return {
        "readings": lines,
        "usage_rows_before": table_rows(workbook),
        "import": measured.to_json(),
        "openpyxl": {
            "wall_s": peer.wall_s,
            "peak_rss_mb": peer.rss_mb,
            "rc": peer.rc,
            "stages": peer.extra,
        },
        "openpyxl_over_import": ratio,
    }


def table_rows(path: Path) -> int:
    from msp_workbook.workbook.places import table_place

    place = table_place(path, schema.USAGE)
    return place.last_row - place.header_row - 1


def import_text(imports: dict[str, Any]) -> str:
    rows = []
    for name, entry in imports.items():
        ours, peer = entry["import"], entry["openpyxl"]
        rows.append(
            [
                name,
                f"{entry['usage_rows_before']:,}",
                f"{entry['readings']:,}",
                _timed(ours),
                _mb(ours["peak_rss_mb"]),
                _s(peer["wall_s"]),
                _mb(peer["peak_rss_mb"]),
                _x(entry["openpyxl_over_import"]),
            ]
        )
    header = [
        "size",
        "usage rows",
        "imported",
        "import-usage s",
        "RSS MB",
        "openpyxl s",
        "RSS MB",
        "openpyxl/import",
    ]
    return "Usage import (goal: openpyxl/import >= 20x, peak RSS < 1 GB)\n" + _table(header, rows)


# --- Vendor reconciliation ------------------------------------------------------------------------


def statement_file(size: Size, lines: int, path: Path) -> int:
    """A distributor's statement (German CSV) for the billing month: `lines` distinct keys and
    metrics of the size's workbook, each charged a random quantity at its cost per unit."""
    data = bench_data(size)
    cost = {(p[0], p[2]): Decimal(p[4]) for p in example_prices.PRODUCTS}
    metrics = _metrics()
    pairs = [
        (k["License key"], str(k["Product ID"]), metric)
        for k in data[schema.KEYS.name]
        for metric, _ in metrics.get(str(k["Product ID"]), [])
    ]
    rng = random.Random(SEED + 11)
    chosen = rng.sample(pairs, min(lines, len(pairs)))
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("License key;Metric;Quantity;Amount\r\n")
        for key, product, metric in chosen:
            quantity = rng.randint(0, 500)
            amount = f"{quantity * cost[(product, metric)]:.2f}".replace(".", ",")
            f.write(f"{key};{metric};{quantity};{amount}\r\n")
    return len(chosen)


def bench_reconcile(size: Size, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """`msp-workbook reconcile` of the billing month against a statement, alternating with a
    `recalc` of the same workbook and month (its peer: the same read and billing, a bigger
    write)."""
    workbook, _ = bench_workbook(size, args.workdir, args.rebuild)
    statement = tmp / f"statement-{size.name}.csv"
    lines = statement_file(size, args.statement_lines, statement)

    def run(command: list[str]) -> Callable[[int], Run]:
        def once(i: int) -> Run:
            copy = tmp / f"reconcile-{i}.xlsx"
            shutil.copyfile(workbook, copy)
            result = measure(
                [*_msp_workbook(), command[0], str(copy), *command[1:], "--month", str(BILL_MONTH)],
                args.timeout,
                tmp,
            )
            copy.unlink()
            if command[0] == "reconcile" and result.rc == 1:
                result.rc = 0  # rows that differ (the random statement has many): its result
            return result

        return once

    _progress(f"{size.name}: reconcile against {lines:,} statement lines, alternating with recalc")
    ours, peer = alternate_runs(args.repeat, run(["reconcile", str(statement)]), run(["recalc"]))
    return {
        "statement_lines": lines,
        "reconcile": ours.to_json(),
        "recalc": peer.to_json(),
        "reconcile_over_recalc": _ratio(ours.median_s, peer.median_s),
    }


def reconcile_text(entries: dict[str, Any]) -> str:
    rows = [
        [
            name,
            f"{e['statement_lines']:,}",
            _timed(e["reconcile"]),
            _mb(e["reconcile"]["peak_rss_mb"]),
            _timed(e["recalc"]),
            _mb(e["recalc"]["peak_rss_mb"]),
            _x(e["reconcile_over_recalc"]),
        ]
        for name, e in entries.items()
    ]
    header = ["size", "lines", "reconcile s", "RSS MB", "recalc s", "RSS MB", "reconcile/recalc"]
    return "Vendor reconciliation (goal: reconcile/recalc <= 1.2x)\n" + _table(header, rows)


# --- Invoice documents ----------------------------------------------------------------------------

DOCUMENTS_GOAL_S = 180.0  # L's documents within 3 minutes
DOCUMENTS_GOAL_RATIO = 5.0  # at least 5x the peer's invoices per second
DOCUMENTS_GOAL_MB = 1024.0  # peak RSS of the process tree under 1 GB
WEASYPRINT = "weasyprint"  # installed into this Python's environment when missing


def _busy_s() -> float:
    """CPU seconds all CPUs spent busy since boot (/proc/stat, less idle and iowait)."""
    with open("/proc/stat", encoding="ascii") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


QUIET_CORES = 0.25  # other work below this many busy cores leaves a run's figures alone


def wait_for_quiet(limit_s: float, below: float = QUIET_CORES, window_s: float = 2.0) -> float:
    """Wait (at most `limit_s`) until other work keeps less than `below` cores busy over
    `window_s`; the load last seen (cores). The machine is shared: a run next to other work
    measures the other work too."""
    if limit_s <= 0:
        return 0.0
    deadline = time.monotonic() + limit_s
    while True:
        before = _busy_s()
        time.sleep(window_s)
        load = (_busy_s() - before) / window_s
        if load < below or time.monotonic() >= deadline:
            return load
        _progress(f"waiting for a quiet machine (other work keeps {load:.1f} cores busy)")
        time.sleep(min(10.0, max(0.0, deadline - time.monotonic())))


def quiet_measure(
    cmd: Sequence[str], args: argparse.Namespace, tmp: Path, before: Callable[[], None]
) -> Run:
    """`measure` after waiting for a quiet machine; measured again (twice at most, `before`
    called first each time) when other work kept more than a quarter of a core busy during the
    run. The run's extra says how many runs were dropped."""
    dropped = 0
    while True:
        before()
        wait_for_quiet(args.quiet_wait)
        run = measure(cmd, args.timeout, tmp)
        load = _ratio(run.others_cpu_s, run.wall_s) or 0.0
        if args.quiet_wait <= 0 or load < QUIET_CORES or dropped == 2 or run.rc != 0:
            run.extra = {**(run.extra or {}), "dropped_runs": dropped}
            return run
        dropped += 1
        _progress(f"other work kept {load:.1f} cores busy during the run: measuring it again")


def closed_month_workbook(
    size: Size, path: Path, args: argparse.Namespace
) -> tuple[Path, float | None]:
    """The size's workbook with the billing month closed by `msp-workbook close` (cached beside
    it), and the time the close took if it ran now."""
    closed = path.with_name(f"{path.stem}-closed-{BILL_MONTH}.xlsx")
    if closed.exists() and not args.rebuild:
        return closed, None
    work = closed.with_suffix(".partial.xlsx")
    shutil.copyfile(path, work)
    _progress(f"{size.name}: closing {BILL_MONTH}")
    started = time.perf_counter()
    cmd = [*_msp_workbook(), "close", str(work), "--month", str(BILL_MONTH)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    if done.returncode != 0:
        work.unlink(missing_ok=True)
        raise RuntimeError(f"closing {BILL_MONTH} failed: {done.stderr.strip()}")
    work.replace(closed)
    for leftover in (
        *path.parent.glob(f"{work.stem}.backup-*.xlsx"),
        *path.parent.glob(f".~*{work.name}"),
    ):
        leftover.unlink()  # close's backup of the draft and its lock file
    return closed, time.perf_counter() - started


def ensure_weasyprint(timeout: float, install: bool = True) -> str:
    """'' once WeasyPrint imports in this Python (pip-installed first when it is missing and
    `install`), or why it cannot be used."""

    def importable() -> subprocess.CompletedProcess[str]:
        check = f"import {WEASYPRINT}"
        return subprocess.run(
            [sys.executable, "-c", check], capture_output=True, text=True, timeout=300
        )

    done = importable()
    if done.returncode != 0 and "ModuleNotFoundError" in done.stderr and not install:
        return f"{WEASYPRINT} is not installed (--no-install-peer)"
    if done.returncode != 0 and "ModuleNotFoundError" in done.stderr:
        _progress(f"installing {WEASYPRINT} (pip) for the peer measurement")
        pip = [sys.executable, "-m", "pip", "install", "--quiet", WEASYPRINT]
        try:
            installed = subprocess.run(pip, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return f"pip install {WEASYPRINT} took longer than {timeout:.0f} s"
        if installed.returncode != 0:
            lines = installed.stderr.strip().splitlines()
            return f"pip install {WEASYPRINT} failed: {lines[-1] if lines else '?'}"
        done = importable()
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        last = lines[-1] if lines else "?"
        if "OSError" in done.stderr:  # pango, harfbuzz or fontconfig missing
            return (
                f"WeasyPrint cannot load its libraries ({last}): apt-get install "
                "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
            )
        return f"WeasyPrint does not import: {last}"
    return ""


def pdf_facts(path: Path) -> dict[str, Any]:
    """What a PDF says it is: pages, PDF/A part and conformance, attached files."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        return {
            "bytes": path.stat().st_size,
            "pages": len(pdf.pages),
            "pdfa": f"{meta.get('pdfaid:part', '')}{meta.get('pdfaid:conformance', '')}".lower(),
            "attachments": sorted(pdf.attachments.keys()),
        }


def terminal_progress(cmd: Sequence[str], timeout: float) -> dict[str, Any]:
    """Run `cmd` with its stderr on a pseudo-terminal (the progress line shown at once): how
    many progress updates it drew, the last one, and whether it cleared the line at the end."""
    import pty
    import re
    import select

    env = dict(os.environ, MSP_WORKBOOK_PROGRESS_AFTER="0")
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal closed: the command ended
                break
            if not data:
                break
            chunks.append(data)
        else:
            os.killpg(proc.pid, 9)
    finally:
        proc.wait()
        os.close(master)
    text = b"".join(chunks).decode("utf-8", "replace")
    shown = [
        re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", part).strip()
        for part in re.split(r"[\r\n]", text)
        if "invoice documents" in part
    ]
    return {
        "rc": proc.returncode,
        "updates": len(shown),
        "last": shown[-1] if shown else "",
        "cleared": text.endswith("\r\x1b[K") or not shown,
    }


def bench_documents(
    size: Size, args: argparse.Namespace, tmp: Path, show_progress: bool = False
) -> dict[str, Any]:
    """`msp-workbook invoices` of the closed billing month (wall time, peak RSS of the process
    and its workers, invoices per second) and WeasyPrint rendering the same invoices in one
    process (its invoices per second, on the first --documents-peer-sample invoices)."""
    workbook, _ = bench_workbook(size, args.workdir, args.rebuild)
    try:
        closed, close_s = closed_month_workbook(size, workbook, args)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        return {"error": str(exc), "correct": False}
    month = str(BILL_MONTH)

    def command(out: Path) -> list[str]:
        return [*_msp_workbook(), "invoices", str(closed), "--month", month, "--out", str(out)]

    first: dict[str, Any] = {}

    def ours(i: int) -> Run:
        out = tmp / f"documents-{size.name}-{i}"  # a fresh folder: every file is written

        def fresh() -> None:
            shutil.rmtree(out, ignore_errors=True)

        run = quiet_measure(command(out), args, tmp, fresh)
        pdfs, xmls = sorted(out.glob("*.pdf")), sorted(out.glob("*.xml"))
        run.extra = {**(run.extra or {}), "pdf_files": len(pdfs), "xml_files": len(xmls)}
        if i == 0 and pdfs:
            first["pdf"] = pdf_facts(pdfs[0])
            first["pdf_bytes"] = sum(f.stat().st_size for f in pdfs)
            first["xml_bytes"] = sum(f.stat().st_size for f in xmls)
        shutil.rmtree(out, ignore_errors=True)
        return run

    sample = args.documents_peer_sample
    peer_pdf: dict[str, Any] = {}

    def weasyprint_run(i: int) -> Run:
        out = tmp / f"weasyprint-{size.name}-{i}"
        cmd = _child("weasyprint", str(closed), month, str(sample), str(out))
        run = quiet_measure(cmd, args, tmp, lambda: shutil.rmtree(out, ignore_errors=True))
        rendered = sorted(out.glob("*.pdf"))
        if i == 0 and rendered:
            peer_pdf.update(pdf_facts(rendered[0]))
        shutil.rmtree(out, ignore_errors=True)
        return run

    reason = ensure_weasyprint(args.timeout, install=args.install_peer)
    if reason:
        _progress(f"{size.name}: msp-workbook invoices x{args.repeat} (no peer: {reason})")
        measured, peer_m = repeat_runs(args.repeat, ours), Measured([], 0, reason)
    else:
        # Alternated, so that a slow spell of the machine weighs on both sides of the ratio.
        _progress(
            f"{size.name}: msp-workbook invoices and WeasyPrint on {sample or 'all'} invoices "
            f"(one process), alternately, x{args.repeat}"
        )
        measured, peer_m = alternate_runs(args.repeat, ours, weasyprint_run)
        peer_m.note = (
            "one process; the first invoices of the month; HTML/CSS from layout_data, PDF/A-3b "
            "with the Factur-X XML attached (built beforehand, not timed)"
        )
    result: dict[str, Any] = {
        "workbook": str(closed),
        "close_s": close_s,
        "workers": os.cpu_count(),
        "invoices": measured.to_json(),
        "written": measured.runs[0].extra["pdf_files"] if measured.runs else 0,
        "first_run": first,
    }
    written, median = result["written"], measured.median_s
    result["invoices_per_s"] = _ratio(written, median) if written else None
    peer = peer_m.to_json()
    reported = peer["reported"]
    peer["others_cores"] = [_ratio(r.others_cpu_s, r.wall_s) for r in peer_m.runs]
    peer["invoices_per_s"] = peer_m.extra_median("invoices_per_s")
    for name in ("per_invoice_median_s", "per_invoice_max_s", "import_s", "read_s"):
        peer[name] = peer_m.extra_median(name)
    for name in ("weasyprint", "month_invoices", "rendered"):
        peer[name] = reported[0].get(name) if reported else None
    peer["pdf"] = peer_pdf
    result["weasyprint"] = peer
    result["ours_over_peer"] = _ratio(result["invoices_per_s"], peer["invoices_per_s"])
    # Ours uses every core, the peer one: against the peer on every core, scaling perfectly.
    result["ours_over_peer_per_core"] = _ratio(result["ours_over_peer"], os.cpu_count())

    if show_progress:
        _progress(f"{size.name}: the progress line on a terminal (one run under a pty)")
        out = tmp / f"documents-{size.name}-tty"
        result["terminal"] = terminal_progress(command(out), args.timeout)
        shutil.rmtree(out, ignore_errors=True)

    expected = peer.get("month_invoices")
    facts = first.get("pdf", {})
    result["correct"] = bool(
        measured.status() == "ok"
        and written > 0
        and all(r.extra and r.extra["xml_files"] == written for r in measured.runs)
        and all(r.extra and r.extra["pdf_files"] == written for r in measured.runs)
        and (expected is None or expected == written)
        and facts.get("pdfa") == "3b"
        and facts.get("attachments") == ["factur-x.xml"]
    )
    return result


def documents_goals(entries: dict[str, Any]) -> list[tuple[str, str]]:
    """The issue's goals for invoice documents, at L."""
    entry = entries.get("L")
    found = []

    def check(name: str, value: float | None, ok: Callable[[float], bool], shown: str) -> None:
        verdict = "n/a" if value is None else ("met" if ok(value) else "NOT met")
        found.append((name, f"{shown} -> {verdict}"))

    if entry is None or "invoices" not in entry:
        return [("L", "not measured")]
    seconds = entry["invoices"]["median_s"]
    check("L in at most 3 minutes", seconds, lambda v: v <= DOCUMENTS_GOAL_S, f"{_s(seconds)} s")
    ratio = entry["ours_over_peer"]
    check(
        "at least 5x WeasyPrint's invoices/s", ratio, lambda v: v >= DOCUMENTS_GOAL_RATIO, _x(ratio)
    )
    rss, pss = entry["invoices"]["peak_rss_mb"], entry["invoices"].get("peak_pss_mb")
    shown = f"{_mb(rss)} MB (PSS {_mb(pss)} MB)"
    check("peak RSS of the process tree under 1 GB", rss, lambda v: v < DOCUMENTS_GOAL_MB, shown)
    return found


def documents_text(entries: dict[str, Any]) -> str:
    rows, notes = [], []
    for name, e in entries.items():
        if "invoices" not in e:
            rows.append([name, e.get("error", "?"), *[""] * 7])
            continue
        peer = e["weasyprint"]
        rate = e["invoices_per_s"]
        rates = [r["invoices_per_s"] for r in peer.get("reported") or () if "invoices_per_s" in r]
        rows.append(
            [
                name,
                f"{e['written']:,}",
                _timed(e["invoices"]),
                "n/a" if rate is None else f"{rate:.1f}",
                _mb(e["invoices"]["peak_rss_mb"]),
                _mb(e["invoices"].get("peak_pss_mb")),
                f"{peer['rendered']:,}" if peer.get("rendered") else peer["status"],
                "n/a"
                if peer.get("invoices_per_s") is None
                else f"{peer['invoices_per_s']:.2f} ({len(rates)})",
                _x(e["ours_over_peer"]),
            ]
        )
        if peer.get("note") and peer["status"] != "ok":
            notes.append(f"{name}: WeasyPrint: {peer['note']}")
        for error in peer.get("errors") or ():
            notes.append(f"{name}: WeasyPrint: {error.strip().splitlines()[-1:]}")
        for error in e["invoices"].get("errors") or ():
            notes.append(f"{name}: invoices: {error.strip().splitlines()[-1:]}")
        if rates:
            notes.append(
                f"{name}: WeasyPrint runs: {', '.join(f'{r:.2f}' for r in rates)} invoices/s; "
                f"per invoice median {peer['per_invoice_median_s'] * 1000:.0f} ms, max "
                f"{peer['per_invoice_max_s'] * 1000:.0f} ms; besides: import "
                f"{peer['import_s']:.2f} s, reading the workbook {peer['read_s']:.2f} s "
                "(not counted)"
            )
        dropped = sum(
            r.get("dropped_runs", 0) for r in (*e["invoices"]["reported"], *peer["reported"])
        )
        if dropped:
            notes.append(f"{name}: {dropped} runs shared with other work were measured again")
        loads = [v for v in e["invoices"].get("others_cores") or () if v is not None]
        peer_loads = [v for v in peer.get("others_cores") or () if v is not None]
        if loads or peer_loads:
            notes.append(
                f"{name}: other work on the machine during the runs (cores busy): ours "
                + (", ".join(f"{v:.2f}" for v in loads) or "n/a")
                + "; WeasyPrint "
                + (", ".join(f"{v:.2f}" for v in peer_loads) or "n/a")
            )
        if e.get("ours_over_peer_per_core") is not None:
            notes.append(
                f"{name}: against WeasyPrint on all {e['workers']} cores (perfect scaling "
                f"assumed): {_x(e['ours_over_peer_per_core'])}"
            )
        terminal = e.get("terminal")
        if terminal:
            notes.append(
                f"{name}: progress line on a terminal: {terminal['updates']} updates, last "
                f"{terminal['last']!r}, cleared at the end: "
                + ("yes" if terminal["cleared"] else "no")
            )
        if not e["correct"]:
            notes.append(f"{name}: the documents written are NOT as expected (see the JSON)")
    header = [
        "size",
        "invoices",
        "invoices s",
        "invoices/s",
        "RSS MB",
        "PSS MB",
        "peer sample",
        "WeasyPrint inv/s",
        "ours/peer",
    ]
    out = [
        "Invoice documents of the closed month (XRechnung XML + PDF/A-3, "
        f"{next(iter(entries.values())).get('workers', '?')} workers) against WeasyPrint "
        "(PDF/A-3b only, one process)",
        _table(header, rows),
        *notes,
        "Goals:",
        *[f"  {n}: {v}" for n, v in documents_goals(entries)],
    ]
    return "\n".join(out)


# --- DATEV and SEPA exports -----------------------------------------------------------------------

# The collection date given to export-sepa: fixed, so that every run writes the same file; after
# the billing month and after the day the benchmark closes it on the machine it was written for
# (the command warns, without changing what it does, once the date is no longer in the future).
SEPA_COLLECTION_DATE = date(2027, 1, 15)

_DATEV_DONE = re.compile(
    r"DATEV booking batch for \S+: .* (written|unchanged), ([\d,]+) bookings? "
    r"\(S ([\d,.]+), H ([\d,.]+)\)"
)
_DATEV_GIVEN = re.compile(r"^([\d,]+) debitor numbers? given", re.MULTILINE)
_SEPA_DONE = re.compile(
    r"SEPA direct debit for \S+: .* (written|unchanged), ([\d,]+) direct debits? "
    r"\(FRST (\d+), RCUR (\d+)\), ([\d,.]+) EUR"
)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def datev_facts(stdout: str, file: Path) -> dict[str, Any]:
    """What export-datev printed (status, bookings, S and H totals, debitor numbers given) and
    what its file holds (bytes, lines)."""
    done, given = _DATEV_DONE.search(stdout), _DATEV_GIVEN.search(stdout)
    facts: dict[str, Any] = {"status": done.group(1) if done else None}
    if done:
        facts["bookings"] = int(_number(done.group(2)))
        facts["s_total"], facts["h_total"] = _number(done.group(3)), _number(done.group(4))
    facts["given"] = int(_number(given.group(1))) if given else 0
    if file.exists():
        data = file.read_bytes()
        facts["bytes"] = len(data)
        facts["lines"] = data.count(b"\r\n")
        facts["sha256"] = hashlib.sha256(data).hexdigest()
    return facts


def sepa_facts(stdout: str, file: Path) -> dict[str, Any]:
    """What export-sepa printed (status, direct debits, FRST/RCUR, total) and what its file holds:
    bytes, NbOfTxs, and whether it validates against pain.008.001.02's XSD (sepaxml's copy)."""
    done = _SEPA_DONE.search(stdout)
    facts: dict[str, Any] = {"status": done.group(1) if done else None}
    if done:
        facts["debits"] = int(_number(done.group(2)))
        facts["frst"], facts["rcur"] = int(done.group(3)), int(done.group(4))
        facts["total"] = _number(done.group(5))
    if file.exists():
        from importlib.resources import files

        from lxml import etree

        data = file.read_bytes()
        facts["bytes"] = len(data)
        facts["sha256"] = hashlib.sha256(data).hexdigest()
        xsd_file = files("sepaxml") / "schemas" / "pain.008.001.02.xsd"
        xsd = etree.XMLSchema(etree.fromstring(xsd_file.read_bytes()))
        doc = etree.fromstring(data)
        facts["xsd_valid"] = xsd.validate(doc)
        if not facts["xsd_valid"]:
            facts["xsd_error"] = str(xsd.error_log.last_error)
        count = doc.findtext(".//{*}GrpHdr/{*}NbOfTxs")
        facts["nb_of_txs"] = int(count) if count is not None else None
    return facts


def expected_exports(closed: Path) -> dict[str, int]:
    """What the exports of the closed month must hold, from the closed workbook's Invoices table
    (the month's invoices, written by close) and its Customers table (bench_data's rows; read
    back rather than generated again, which at L means a million usage rows): a booking for each
    invoice whose Gross is not 0, a direct debit for each invoice with a positive Gross of a
    customer who pays by direct debit."""
    import python_calamine as calamine

    invoice_headers, customer_headers = schema.INVOICES.headers, schema.CUSTOMERS.headers
    customer, gross = invoice_headers.index("Customer ID"), invoice_headers.index("Gross")
    book = calamine.CalamineWorkbook.from_path(str(closed), load_tables=True)
    try:
        invoices = book.get_table_by_name(schema.INVOICES.name).to_python()
        customers = book.get_table_by_name(schema.CUSTOMERS.name).to_python()
    finally:
        book.close()
    cid, payment = customer_headers.index("Customer ID"), customer_headers.index("Payment")
    debtors = {row[cid] for row in customers if row[payment] == "direct debit"}
    return {
        "invoices": len(invoices),
        "bookings": sum(1 for row in invoices if _amount(row[gross]) != 0),
        "direct_debit_customers": len(debtors),
        "debits": sum(
            1 for row in invoices if row[customer] in debtors and _amount(row[gross]) > 0
        ),
    }


def _amount(cell: Any) -> float:
    return float(cell) if isinstance(cell, int | float) else 0.0


def bench_exports(size: Size, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """`msp-workbook export-datev` then `export-sepa` of the closed billing month on a fresh copy
    of the closed workbook each run (both write rows to the workbook: debitor numbers, the
    collections), then each again on the same copy (unchanged: the same file, nothing written).
    Every run's files are checked: the DATEV batch has a header line, a column line and a line
    per booking, a booking for each invoice whose Gross is not 0; the SEPA file validates against
    the pain.008.001.02 XSD and holds a transaction for each direct-debit invoice."""
    workbook, _ = bench_workbook(size, args.workdir, args.rebuild)
    try:
        closed, close_s = closed_month_workbook(size, workbook, args)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        return {"error": str(exc), "correct": False}
    expected = expected_exports(closed)
    month = str(BILL_MONTH)
    datev_file = f"EXTF_Buchungsstapel_{month}.csv"  # the commands' default files, beside it
    sepa_file = f"SEPA_direct_debit_{month}.xml"
    runs: dict[str, Measured] = {
        name: Measured([], args.repeat)
        for name in ("datev", "sepa", "datev_unchanged", "sepa_unchanged")
    }
    problems: list[str] = []
    _progress(
        f"{size.name}: export-datev and export-sepa of {month} on a fresh copy, then again, "
        f"x{args.repeat}"
    )
    for i in range(args.repeat):
        folder = tmp / f"exports-{size.name}-{i}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        copy = folder / closed.name
        shutil.copyfile(closed, copy)
        wait_for_quiet(args.quiet_wait)
        commands = {
            "datev": [*_msp_workbook(), "export-datev", str(copy), "--month", month],
            "sepa": [
                *_msp_workbook(),
                *("export-sepa", str(copy), "--month", month),
                *("--collection-date", str(SEPA_COLLECTION_DATE)),
            ],
        }
        written: dict[str, Any] = {}
        for name in ("datev", "sepa", "datev_unchanged", "sepa_unchanged"):
            kind = name.split("_")[0]
            before = _sha256(copy) if name.endswith("unchanged") else None
            run = measure(commands[kind], args.timeout, tmp, keep_stdout=True)
            facts = (
                datev_facts(run.stdout, folder / datev_file)
                if kind == "datev"
                else sepa_facts(run.stdout, folder / sepa_file)
            )
            if before is not None:
                facts["workbook_unchanged"] = _sha256(copy) == before
            run.extra = facts
            runs[name].runs.append(run)
            problems += [
                f"run {i + 1}: {name}: {p}"
                for p in _export_problems(name, run, facts, expected, written.get(kind))
            ]
            written.setdefault(kind, facts)
        shutil.rmtree(folder, ignore_errors=True)
    result: dict[str, Any] = {
        "workbook": str(closed),
        "close_s": close_s,
        "collection_date": str(SEPA_COLLECTION_DATE),
        "expected": expected,
        **{name: m.to_json() for name, m in runs.items()},
    }
    first = {name: m.runs[0].extra for name, m in runs.items() if m.runs and m.runs[0].extra}
    result["first_run"] = first
    result["problems"] = problems
    result["correct"] = not problems and all(m.status() == "ok" for m in runs.values())
    return result


def _export_problems(
    name: str,
    run: Run,
    facts: dict[str, Any],
    expected: dict[str, int],
    first: dict[str, Any] | None,
) -> list[str]:
    """What is wrong with one export run: its exit code, its status, the counts in its output
    and its file against the expected ones; a second run must write nothing (the same file, the
    workbook's bytes unchanged)."""
    if run.rc != 0:
        lines = (run.stderr or run.stdout).strip().splitlines()
        return [f"exit code {run.rc}: {lines[-1] if lines else '?'}"]
    again = name.endswith("unchanged")
    problems = []
    if facts.get("status") != ("unchanged" if again else "written"):
        problems.append(f"status {facts.get('status')!r}")
    if name.startswith("datev"):
        if facts.get("bookings") != expected["bookings"]:
            problems.append(f"{facts.get('bookings')} bookings, {expected['bookings']} expected")
        if facts.get("lines") != 2 + expected["bookings"]:
            problems.append(f"{facts.get('lines')} lines, {2 + expected['bookings']} expected")
    else:
        if not facts.get("xsd_valid"):
            problems.append(f"not valid against the XSD: {facts.get('xsd_error', 'no file')}")
        for what in ("debits", "nb_of_txs"):
            if facts.get(what) != expected["debits"]:
                problems.append(f"{what} {facts.get(what)}, {expected['debits']} expected")
    if again and not facts.get("workbook_unchanged"):
        problems.append("the workbook changed")
    if again and first is not None and facts.get("sha256") != first.get("sha256"):
        problems.append("the file differs from the first run's")
    return problems


def exports_text(entries: dict[str, Any]) -> str:
    rows, notes = [], []
    names = ("datev", "datev_unchanged", "sepa", "sepa_unchanged")
    for name, e in entries.items():
        if "datev" not in e:
            rows.append([name, e.get("error", "?"), *[""] * 11])
            continue
        expected, first = e["expected"], e["first_run"]
        datev, sepa = first.get("datev", {}), first.get("sepa", {})
        row = [name, f"{expected['invoices']:,}", f"{datev.get('bookings', 0):,}"]
        for what in names:
            if what == "sepa":
                row.append(f"{sepa.get('debits', 0):,}")
            row += [_timed(e[what]), _mb(e[what]["peak_rss_mb"])]
        row.append("yes" if e["correct"] else "NO")
        rows.append(row)
        if datev:
            notes.append(
                f"{name}: DATEV batch {datev.get('bytes', 0):,} bytes, {datev.get('lines', 0):,} "
                f"lines, S {datev.get('s_total', 0):,.2f} EUR, {datev.get('given', 0):,} debitor "
                f"numbers given; SEPA file {sepa.get('bytes', 0):,} bytes, NbOfTxs "
                f"{sepa.get('nb_of_txs')}, XSD {'valid' if sepa.get('xsd_valid') else 'NOT valid'}"
                f", {sepa.get('total', 0):,.2f} EUR from {expected['direct_debit_customers']:,} "
                "direct-debit customers"
            )
        loads = [v for what in names for v in e[what].get("others_cores") or () if v is not None]
        if loads:
            notes.append(
                f"{name}: other work on the machine during the runs: up to {max(loads):.2f} cores"
            )
        for what in names:
            for error in e[what].get("errors") or ():
                notes.append(f"{name}: {what}: {error.strip().splitlines()[-1:]}")
        notes += [f"{name}: {p}" for p in e.get("problems", ())]
    header = [
        "size",
        "invoices",
        "bookings",
        "DATEV s",
        "RSS MB",
        "again s",
        "RSS MB",
        "debits",
        "SEPA s",
        "RSS MB",
        "again s",
        "RSS MB",
        "files as expected",
    ]
    return "\n".join(
        [
            "DATEV and SEPA exports of the closed month (first run on a fresh copy: writes the "
            "file and rows to the workbook; again: the same file, nothing written)",
            _table(header, rows),
            *notes,
        ]
    )


# --- LibreOffice: the hand-built alternative ------------------------------------------------------


# Columns of the formula workbook's Billing sheet; the last four are formulas.
_LO_BILLING = (
    "Customer ID",
    "Customer",
    "License key",
    "Product ID",
    "Product",
    "Metric",
    "Aggregation",
    "From",
    "To",
    "Minimum units",
    "Unit price",
    "Discount %",
    "Unit cost",
    "Quantity",
    "Net",
    "Cost",
    "Margin",
)
_LO_QUANTITY = _LO_BILLING.index("Quantity")
_LO_NET = _LO_BILLING.index("Net")


def build_formula_workbook(
    path: Path,
    data: dict[str, Rows],
    billing: Sequence[Sequence[Any]],
    invoices: Sequence[Sequence[Any]],
    month: Month,
    formulas: bool = True,
) -> None:
    """The month's billing as a reseller would build it by hand: the same Usage rows; Billing has
    one row per billing line (key, metric, prices typed in) whose Quantity is
    MAX(minimum, SUMIFS or MAXIFS over the month's readings) and whose Net, Cost and Margin are
    rounded formulas; Invoices sums Billing per customer with SUMIFS and adds VAT.

    With `formulas` False the same cells hold the expected numbers instead (load and save only).
    """
    import xlsxwriter

    headers = schema.BILLING.headers
    col = {h: i for i, h in enumerate(headers)}
    products = {(p[0], p[2]): p for p in example_prices.PRODUCTS}
    status = {k["License key"]: k["Status"] for k in data[schema.KEYS.name]}
    usage = data[schema.USAGE.name]
    book = xlsxwriter.Workbook(str(path))
    try:
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        ws = book.add_worksheet("Usage")
        ws.write_row(0, 0, schema.USAGE.headers)
        for r, row in enumerate(usage, start=1):
            ws.write_datetime(r, 0, row["Date"], day)
            ws.write_string(r, 1, row["License key"])
            ws.write_string(r, 2, row["Metric"])
            ws.write_number(r, 3, row["Quantity"])
            ws.write_string(r, 4, row["Source"])
        last = len(usage) + 1

        def rng(letter: str) -> str:
            return f"Usage!${letter}$2:${letter}${last}"

        ws = book.add_worksheet("Billing")
        ws.write_row(0, 0, _LO_BILLING)
        for r, line in enumerate(billing, start=1):
            n = r + 1  # Excel row
            product = products[(line[col["Product ID"]], line[col["Metric"]])]
            minimum = 0 if status[line[col["License key"]]] == "suspended" else product[6]
            values = (
                line[col["Customer ID"]],
                line[col["Customer"]],
                line[col["License key"]],
                line[col["Product ID"]],
                line[col["Product"]],
                line[col["Metric"]],
                product[3],
            )
            ws.write_row(r, 0, values)
            ws.write_datetime(r, 7, month.first_day, day)
            ws.write_datetime(r, 8, month.last_day, day)
            ws.write_number(r, 9, minimum)
            ws.write_number(r, 10, float(line[col["Unit price"]]))
            ws.write_number(r, 11, float(line[col["Discount %"]]))
            ws.write_number(r, 12, float(line[col["Unit cost"]]))
            if not formulas:
                for c, header in zip(
                    range(13, 17), ("Quantity", "Net", "Cost", "Margin"), strict=True
                ):
                    ws.write_number(r, c, float(line[col[header]]))
                continue
            criteria = f'{rng("B")},C{n},{rng("C")},F{n},{rng("A")},">="&H{n},{rng("A")},"<="&I{n}'
            ws.write_formula(
                r,
                13,
                f'=MAX(J{n},IF(G{n}="sum",SUMIFS({rng("D")},{criteria}),'
                f"_xlfn.MAXIFS({rng('D')},{criteria})))",
            )
            ws.write_formula(r, 14, f"=ROUND(N{n}*K{n}*(1-L{n}),2)")
            ws.write_formula(r, 15, f"=ROUND(N{n}*M{n},2)")
            ws.write_formula(r, 16, f"=O{n}-P{n}")
        lines = len(billing) + 1

        ws = book.add_worksheet("Invoices")
        ws.write_row(0, 0, ("Customer ID", "Customer", "Net", "VAT rate", "VAT", "Gross", "Cost"))
        icol = {h: i for i, h in enumerate(schema.INVOICES.headers)}
        for r, invoice in enumerate(invoices, start=1):
            n = r + 1
            ws.write_string(r, 0, invoice[icol["Customer ID"]])
            ws.write_string(r, 1, invoice[icol["Customer"]])
            ws.write_number(r, 3, float(invoice[icol["VAT rate"]]))
            if not formulas:
                for c, header in ((2, "Net"), (4, "VAT"), (5, "Gross"), (6, "Cost")):
                    ws.write_number(r, c, float(invoice[icol[header]]))
                continue
            ws.write_formula(r, 2, f"=SUMIFS(Billing!$O$2:$O${lines},Billing!$A$2:$A${lines},A{n})")
            ws.write_formula(r, 4, f"=ROUND(C{n}*D{n},2)")
            ws.write_formula(r, 5, f"=C{n}+E{n}")
            ws.write_formula(r, 6, f"=SUMIFS(Billing!$P$2:$P${lines},Billing!$A$2:$A${lines},A{n})")
    finally:
        book.close()


def libreoffice_agreement(converted: Path, billing: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """LibreOffice's Quantity and Net against recalc's lines that come from readings."""
    import python_calamine as calamine

    col = {h: i for i, h in enumerate(schema.BILLING.headers)}
    book = calamine.CalamineWorkbook.from_path(str(converted))
    grid = book.get_sheet_by_name("Billing").to_python(skip_empty_area=False)[1:]
    book.close()
    compared = agreed = 0
    for line, computed in zip(billing, grid, strict=False):
        if line[col["Type"]] not in ("usage", "minimum"):
            continue
        compared += 1
        quantity, net = computed[_LO_QUANTITY], computed[_LO_NET]
        if (
            isinstance(quantity, int | float)
            and isinstance(net, int | float)
            and quantity == line[col["Quantity"]]
            and abs(net - float(line[col["Net"]])) < 0.0051
        ):
            agreed += 1
    return {"compared": compared, "agreed": agreed, "rows_read": len(grid)}


# --- Correctness ----------------------------------------------------------------------------------

_GENERATED = (schema.BILLING, schema.INVOICES, schema.COMPARISON, schema.CHECKS)


def _cell(value: Any) -> Any:
    """A cell value as python-calamine reads it back: numbers as floats, no cell as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return float(value)
    return value


def _sheets(path: Path, names: Sequence[str]) -> dict[str, list[list[Any]]]:
    import python_calamine as calamine

    book = calamine.CalamineWorkbook.from_path(str(path))
    try:
        return {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in names}
    finally:
        book.close()


def compare_with_expected(out: Path, expected: dict[str, Any]) -> dict[str, str]:
    """Each generated table of the recalc output against the rows the library computed."""
    grids = _sheets(out, [t.sheet for t in _GENERATED])
    result = {}
    for table in _GENERATED:
        rows = expected["tables"][table.name]
        side = expected["side_columns"].get(table.name)
        width = len(table.headers)
        grid = [row for row in grids[table.sheet] if any(v != "" for v in row)]
        problem = ""
        if not grid or [str(v) for v in grid[0][:width]] != list(table.headers):
            problem = "headers differ"
        elif len(grid) - 1 != len(rows):
            problem = f"{len(grid) - 1} rows written, {len(rows)} computed"
        else:
            for i, (got, want) in enumerate(zip(grid[1:], rows, strict=True)):
                want_cells = [_cell(v) for v in want]
                if side is not None and i < len(side[1]):  # a side block may be shorter
                    want_cells += [""] + [_cell(v) for v in side[1][i]]
                got_cells = list(got[: len(want_cells)])
                got_cells += [""] * (len(want_cells) - len(got_cells))
                if got_cells != want_cells:
                    problem = f"row {i + 2} differs: {got_cells} != {want_cells}"
                    break
        result[table.name] = problem or f"equal ({len(rows)} rows)"
    return result


def compare_outputs(
    first: Path, second: Path, tables: Sequence[schema.Table] = _GENERATED
) -> dict[str, str]:
    """The generated sheets of two output workbooks, cell by cell."""
    names = [t.sheet for t in tables]
    a, b = _sheets(first, names), _sheets(second, names)
    return {n: f"equal ({len(a[n]) - 1} rows)" if a[n] == b[n] else "differ" for n in names}


def _all_equal(results: dict[str, str]) -> bool:
    return all(v.startswith("equal") for v in results.values())


# --- One size -------------------------------------------------------------------------------------


def _progress(text: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {text}", file=sys.stderr, flush=True)


def _counts(
    path: Path, tables: Sequence[schema.Table] = (schema.CUSTOMERS, schema.KEYS, schema.USAGE)
) -> dict[str, int]:
    """Data rows of the tables (what calamine sees in each Excel table)."""
    import python_calamine as calamine

    book = calamine.CalamineWorkbook.from_path(str(path), load_tables=True)
    try:
        return {t.name: len(book.get_table_by_name(t.name).to_python()) for t in tables}
    finally:
        book.close()


def bench_size(size: Size, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    month = str(BILL_MONTH)
    _progress(f"{size.name}: workbook")
    path, build_s = bench_workbook(size, args.workdir, args.rebuild)
    counts = _counts(path)
    result: dict[str, Any] = {
        "workbook": {
            "path": str(path),
            "bytes": path.stat().st_size,
            "sha256": _sha256(path),
            "build_s": build_s,
            "customers": counts[schema.CUSTOMERS.name],
            "keys": counts[schema.KEYS.name],
            "usage_rows": counts[schema.USAGE.name],
        }
    }

    _progress(f"{size.name}: expected billing (in-process library run)")
    expected_file = tmp / f"{size.name}-expected.pickle"
    plain = tmp / f"{size.name}-plain.xlsx" if size.name in args.plain_at else None
    prepare = measure(
        _child("prepare", str(path), month, str(expected_file), str(plain or "")),
        args.timeout,
        tmp,
    )
    if prepare.rc != 0:
        result["error"] = f"the in-process billing failed: {prepare.stderr}"
        return result
    with open(expected_file, "rb") as f:
        expected = pickle.load(f)
    billing = expected["tables"][schema.BILLING.name]
    invoices = expected["tables"][schema.INVOICES.name]
    result["workbook"]["billing_lines"] = len(billing)
    result["workbook"]["invoices"] = len(invoices)
    result["expected"] = {"wall_s": prepare.wall_s, **(prepare.extra or {})}

    _progress(f"{size.name}: recalc and floor, alternately, x{args.repeat}")
    recalc_out = tmp / f"{size.name}-recalc.xlsx"

    def recalc(i: int) -> Run:
        src = tmp / f"{size.name}-input.xlsx"
        out = tmp / f"{size.name}-recalc-{i}.xlsx"
        shutil.copyfile(path, src)
        cmd = [*_msp_workbook(), "recalc", str(src), "--month", month, "--out", str(out)]
        run = measure(cmd, args.timeout, tmp)
        src.unlink(missing_ok=True)
        if i == 0 and out.exists():
            out.replace(recalc_out)
        out.unlink(missing_ok=True)
        return run

    floor_out = tmp / f"{size.name}-floor.xlsx"

    def floor(i: int) -> Run:
        run = measure(
            _child("floor", str(path), str(expected_file), str(floor_out)), args.timeout, tmp
        )
        floor_out.unlink(missing_ok=True)
        return run

    # Alternated, so that a slow spell of the machine weighs on both sides of the ratio.
    recalc_m, floor_m = alternate_runs(args.repeat, recalc, floor)
    result["recalc"] = recalc_m.to_json()
    floor_sums = [
        r.extra["read_usage_s"] + r.extra["write_generated_s"] for r in floor_m.ok if r.extra
    ]
    floor_json = floor_m.to_json()
    floor_json["process_wall_s"] = floor_json.pop("wall_s")
    result["floor"] = {
        **floor_json,
        "median_s": statistics.median(floor_sums) if floor_sums else None,
        "read_usage_s": floor_m.extra_median("read_usage_s"),
        "write_generated_s": floor_m.extra_median("write_generated_s"),
        "note": "fastexcel reading Usage into Arrow + write_tables of the generated sheets; "
        "process start-up and imports not included",
    }

    openpyxl_m = Measured([], 0, "skipped (--skip-openpyxl-at)")
    if size.name not in args.skip_openpyxl_at:
        times = 1 if size.name in args.openpyxl_once_at else args.repeat
        note = f"run once at {size.name} (--openpyxl-once-at)" if times == 1 < args.repeat else ""
        _progress(
            f"{size.name}: openpyxl load+save x{times} (timeout {args.openpyxl_timeout:.0f} s)"
        )
        openpyxl_out = tmp / f"{size.name}-openpyxl.xlsx"

        def openpyxl_run(i: int) -> Run:
            run = measure(
                _child("openpyxl", str(path), str(openpyxl_out)), args.openpyxl_timeout, tmp
            )
            openpyxl_out.unlink(missing_ok=True)
            return run

        openpyxl_m = repeat_runs(times, openpyxl_run, note)
    result["openpyxl"] = openpyxl_m.to_json()

    lo_m = Measured([], 0, f"not run at {size.name} (--libreoffice-at)")
    binary = find_soffice()
    if size.name in args.libreoffice_at and binary is None:
        lo_m.note = "skipped: LibreOffice (soffice) is not installed"
    elif size.name in args.libreoffice_at:
        result["libreoffice"] = bench_libreoffice(size, binary, billing, invoices, args, tmp)
        lo_m = result["libreoffice"].pop("_measured")
    if "libreoffice" not in result:
        result["libreoffice"] = lo_m.to_json()

    if size.name in args.closed_months_at:
        result["closed_months"] = bench_closed_months(size, path, args, tmp)

    _progress(f"{size.name}: checks")
    correct: dict[str, Any] = {}
    if recalc_out.exists():
        correct["recalc_vs_library"] = compare_with_expected(recalc_out, expected)
        if plain is not None and plain.exists():
            correct["recalc_vs_plain_run"] = compare_outputs(recalc_out, plain)
        correct["ok"] = all(_all_equal(v) for v in correct.values())
    else:
        correct["ok"] = False
        correct["reason"] = "recalc wrote no output"
    result["correct"] = correct

    rows = result["workbook"]["usage_rows"]
    recalc_s, floor_s = recalc_m.median_s, result["floor"]["median_s"]
    result["ratios"] = {
        "recalc_over_floor": _ratio(recalc_s, floor_s),
        "openpyxl_over_recalc": _ratio(openpyxl_m.median_s, recalc_s),
        "libreoffice_over_recalc": _ratio(lo_m.median_s, recalc_s),
    }
    result["per_usage_row_us"] = {
        "recalc": _ratio(recalc_s, rows / 1e6),
        "floor": _ratio(floor_s, rows / 1e6),
    }
    for leftover in (recalc_out, plain, expected_file):
        if leftover is not None and not args.keep:
            leftover.unlink(missing_ok=True)
    return result


CLOSED_GOAL_RATIO = 1.3  # recalc with the months closed: at most 1.3x the same with an empty Ledger
CLOSED_GOAL_MB = 700.0  # and its peak RSS
CLOSE_GOAL_RATIO = 1.3  # close of the billing month: at most 1.3x the recalc
ARCHIVE_NOISE = 1.05  # recalc after an archive "no slower" than before: within 5 % (noise)
FIRST_OPEN = BILL_MONTH.shift(1)  # the first open month once the billing month is closed
# The latest month `archive --before` accepts then with Correction months 0: the first month of
# the first open month's comparison window (it and the 11 months before it).
ARCHIVE_BEFORE = FIRST_OPEN.shift(-11)
ARCHIVE_CORRECTION_MONTHS = 0  # the default 12 covers every month of usage: nothing could move
ARCHIVE_COMPARED = (schema.BILLING, schema.INVOICES, schema.COMPARISON)  # must stay the same


def _remove_leftovers(*workbooks: Path) -> None:
    """The backups the program's saves keep of these workbooks, and their lock files."""
    for work in workbooks:
        for leftover in (
            *work.parent.glob(f"{work.stem}.backup-*.xlsx"),
            *work.parent.glob(f".~*{work.name}"),
        ):
            leftover.unlink(missing_ok=True)


def closed_workbook(
    size: Size, path: Path, months: int, args: argparse.Namespace, last: Month | None = None
) -> Path:
    """The size's workbook after a reseller closed the `months` months up to `last` (default: the
    months before the billing month) one by one with `msp-workbook close` (cached beside it)."""
    last = last or BILL_MONTH.shift(-1)
    name = f"closed{months}" if last == BILL_MONTH.shift(-1) else f"closed{months}-to-{last}"
    closed = path.with_name(f"{path.stem}-{name}.xlsx")
    if closed.exists() and not args.rebuild:
        return closed
    work = closed.with_suffix(".partial.xlsx")
    shutil.copyfile(path, work)
    try:
        for back in range(months - 1, -1, -1):
            month = str(last.shift(-back))
            _progress(f"{size.name}: closing {month}")
            cmd = [*_msp_workbook(), "close", str(work), "--month", month]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
            if done.returncode != 0:
                work.unlink(missing_ok=True)
                raise RuntimeError(f"closing {month} failed: {done.stderr.strip()}")
    finally:
        _remove_leftovers(work)
    work.replace(closed)
    return closed


def recalculated_workbook(
    size: Size, path: Path, args: argparse.Namespace
) -> tuple[Path, float | None]:
    """The size's workbook recalculated once for the billing month (`recalc --out`: its
    generated sheets full, as a closed workbook's are), cached beside it; and the time the recalc
    took if it ran now."""
    recalculated = path.with_name(f"{path.stem}-recalculated.xlsx")
    if recalculated.exists() and not args.rebuild:
        return recalculated, None
    src = recalculated.with_suffix(".source.xlsx")
    work = recalculated.with_suffix(".partial.xlsx")
    shutil.copyfile(path, src)
    _progress(f"{size.name}: recalculating the workbook once (empty Ledger)")
    started = time.perf_counter()
    cmd = [*_msp_workbook(), "recalc", str(src), "--month", str(BILL_MONTH), "--out", str(work)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    finally:
        src.unlink(missing_ok=True)
        _remove_leftovers(src, work)
    if done.returncode != 0 or not work.exists():
        work.unlink(missing_ok=True)
        raise RuntimeError(f"recalc {BILL_MONTH} failed: {done.stderr.strip()}")
    work.replace(recalculated)
    return recalculated, time.perf_counter() - started


def child_correction_months(path: str, value: str) -> None:
    """Settings' Correction months set to `value` in the workbook at `path` without loading its
    sheets (openpyxl takes minutes and gigabytes at L): the setting's row is taken out of the
    Settings table (`writer.remove_rows`) and a row with the new value appended
    (`writer.append_rows`); every other part of the file is copied as it is. Checked by reading
    the Settings table back."""
    from msp_workbook.workbook.reader import open_tables
    from msp_workbook.workbook.validation import read_settings
    from msp_workbook.workbook.writer import append_rows, remove_rows

    book, name, wanted = Path(path), schema.SETTING_CORRECTION_MONTHS, int(value)
    raw, _ = open_tables(book, (schema.SETTINGS,))
    rows = [
        r.row
        for r in raw[schema.SETTINGS.name].rows
        if str(r.values.get("Setting") or "").strip().lower() == name.lower()
    ]
    if rows:
        remove_rows(book, book, {schema.SETTINGS.name: rows})
    append_rows(book, book, schema.SETTINGS.name, [{"Setting": name, "Value": wanted}])
    raw, _ = open_tables(book, (schema.SETTINGS,))
    settings, _ = read_settings(raw[schema.SETTINGS.name])
    if settings.correction_months != wanted:
        raise SystemExit(f"{name} reads {settings.correction_months} after the edit, not {wanted}")
    _report_extra({"replaced_rows": rows})


_ARCHIVED = re.compile(
    r"Archived before (?P<cut>\S+): (?P<usage>[\d,]+) usage readings and "
    r"(?:(?P<ledger>[\d,]+) Ledger lines of (?P<months>[^;]+?)|no Ledger lines) moved to "
    r"(?P<files>[^;]+); (?P<kept>[\d,]+) latest readings stay"
)


def archive_facts(line: str) -> dict[str, Any]:
    """What `archive` says it moved, from its line of output."""
    found = _ARCHIVED.search(line)
    if not found:
        return {"moved_usage": 0, "moved_ledger": 0}
    return {
        "moved_usage": int(found["usage"].replace(",", "")),
        "moved_ledger": int((found["ledger"] or "0").replace(",", "")),
        "ledger_months": found["months"],
        "kept_usage": int(found["kept"].replace(",", "")),
        "files": found["files"].split(", "),
    }


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _recalc_runs(
    size: Size,
    source: Path,
    month: Month,
    tag: str,
    args: argparse.Namespace,
    tmp: Path,
    keep: Path | None = None,
) -> Callable[[int], Run]:
    """`recalc SRC --month M --out OUT` runs on a fresh copy of `source` each; the first run's
    output is kept at `keep`."""

    def run(i: int) -> Run:
        src = tmp / f"{size.name}-{tag}-input.xlsx"
        out = tmp / f"{size.name}-{tag}-recalc.xlsx"
        shutil.copyfile(source, src)
        cmd = [*_msp_workbook(), "recalc", str(src), "--month", str(month), "--out", str(out)]
        result = measure(cmd, args.timeout, tmp)
        src.unlink(missing_ok=True)
        if keep is not None and i == 0 and result.rc == 0 and out.exists():
            out.replace(keep)
        out.unlink(missing_ok=True)
        _remove_leftovers(src, out)
        return result

    return run


def bench_closed_months(
    size: Size, path: Path, args: argparse.Namespace, tmp: Path
) -> dict[str, Any]:
    """recalc of the billing month once the months before it are closed: the Ledger holds a
    year of lines and the comparison reads most of its window from it; against the same
    workbook recalculated once (an empty Ledger), alternately. Then `close` of the billing month
    on a fresh copy each run, and `archive` of the oldest months with every month of usage closed
    (`bench_archive`). Errors are reported in the result, not raised."""
    months = args.closed_months
    try:
        closed = closed_workbook(size, path, months, args)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        return {"months": months, "error": str(exc)}
    result: dict[str, Any] = {
        "months": months,
        "workbook": str(closed),
        "ledger_lines": _counts(closed, (schema.LEDGER,))[schema.LEDGER.name],
    }
    empty: dict[str, Any] = {}
    try:
        recalculated, build_s = recalculated_workbook(size, path, args)
        empty.update({"workbook": str(recalculated), "build_s": build_s})
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        recalculated, empty["error"] = None, str(exc)

    month = str(BILL_MONTH)
    after_close = tmp / f"{size.name}-closed-through-{BILL_MONTH}.xlsx"
    close_output: list[str] = []

    def close(i: int) -> Run:
        folder = tmp / f"{size.name}-close-{i}"
        folder.mkdir()
        copy = folder / closed.name
        shutil.copyfile(closed, copy)
        run = measure(
            [*_msp_workbook(), "close", str(copy), "--month", month],
            args.timeout,
            tmp,
            keep_stdout=True,
        )
        if i == 0:
            close_output.append(_first_line(run.stdout))
            if run.rc == 0:
                copy.replace(after_close)  # the workbook after the close, for the archive
        shutil.rmtree(folder)
        return run

    # Alternated, so that a slow spell of the machine weighs on every side of the ratios.
    runs = [_recalc_runs(size, closed, BILL_MONTH, "closed", args, tmp), close]
    if recalculated is not None:
        runs.append(_recalc_runs(size, recalculated, BILL_MONTH, "empty-ledger", args, tmp))
    _progress(
        f"{size.name}: recalc with {months} months closed, close {month} on it"
        + (", recalc with an empty Ledger" if recalculated is not None else "")
        + f", alternately, x{args.repeat}"
    )
    closed_m, close_m, *empty_m = alternate_runs(args.repeat, *runs)
    result["recalc"] = closed_m.to_json()
    if empty_m:
        empty["recalc"] = empty_m[0].to_json()
    result["empty_ledger"] = empty
    result["closed_over_empty"] = _ratio(
        closed_m.median_s, empty_m[0].median_s if empty_m else None
    )
    result["close"] = {
        "month": month,
        **close_m.to_json(),
        "output": close_output[0] if close_output else "",
    }
    result["close_over_recalc"] = _ratio(close_m.median_s, closed_m.median_s)
    result["archive"] = bench_archive(
        size, path, after_close if after_close.exists() else None, args, tmp
    )
    if not args.keep:
        after_close.unlink(missing_ok=True)
    return result


def bench_archive(
    size: Size, path: Path, after_close: Path | None, args: argparse.Namespace, tmp: Path
) -> dict[str, Any]:
    """`archive --before ARCHIVE_BEFORE` on a fresh copy each run of a workbook whose months are
    closed up to the billing month, with Correction months 0; then recalc of the first open month
    on the archived copy against the same on the copy before the archive (alternately), and
    whether their Billing, Invoices and Comparison are equal.

    The archive moves nothing unless every month before the cut that has usage is closed: the
    workbook after the close above when it closed every month of usage (`--closed-months 13`),
    else the size's workbook with every month of usage closed one by one (cached beside it)."""
    result: dict[str, Any] = {
        "before": str(ARCHIVE_BEFORE),
        "first_open": str(FIRST_OPEN),
        "correction_months": ARCHIVE_CORRECTION_MONTHS,
    }
    first_usage = BILL_MONTH.shift(-(MONTHS - 1))
    if args.closed_months >= MONTHS - 1 and after_close is not None:
        source = after_close
        result["workbook"] = f"the workbook after the close of {BILL_MONTH} above"
    else:
        try:
            source = closed_workbook(size, path, MONTHS, args, last=BILL_MONTH)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            return {**result, "error": f"closing every month of usage: {exc}"}
        result["workbook"] = str(source)
    result["closed"] = f"{first_usage} .. {BILL_MONTH}"

    # The archive's input: that workbook with Correction months 0.
    before = tmp / f"{size.name}-before-archive.xlsx"
    shutil.copyfile(source, before)
    _progress(f"{size.name}: Settings' Correction months = {ARCHIVE_CORRECTION_MONTHS}")
    setting = measure(
        _child("correction-months", str(before), str(ARCHIVE_CORRECTION_MONTHS)),
        args.timeout,
        tmp,
    )
    result["setting_s"] = setting.wall_s
    _remove_leftovers(before)
    if setting.rc != 0:
        before.unlink(missing_ok=True)
        return {**result, "error": f"setting Correction months failed: {setting.stderr.strip()}"}
    result["ledger_lines"] = _counts(before, (schema.LEDGER,))[schema.LEDGER.name]

    archived = tmp / f"{size.name}-archived.xlsx"
    year = ARCHIVE_BEFORE.shift(-1).year

    def archive(i: int) -> Run:
        folder = tmp / f"{size.name}-archive-{i}"
        folder.mkdir()
        copy = folder / f"{size.name}-years.xlsx"
        shutil.copyfile(before, copy)
        cmd = [*_msp_workbook(), "archive", str(copy), "--before", str(ARCHIVE_BEFORE)]
        run = measure(cmd, args.timeout, tmp, keep_stdout=True)
        line = _first_line(run.stdout)
        facts = archive_facts(line)
        file = copy.with_name(f"{copy.stem}.archive-{year}.xlsx")
        if run.rc == 0 and not file.exists():
            run.rc, run.stderr = -1, f"{file.name} did not appear beside the workbook: {line}"
        elif run.rc == 0 and not (facts["moved_usage"] or facts["moved_ledger"]):
            run.rc, run.stderr = -1, f"nothing was archived: {line}"
        if file.exists():
            facts["archive_file_bytes"] = file.stat().st_size
        run.extra = {**(run.extra or {}), "output": line, **facts}
        if i == 0 and run.rc == 0:
            copy.replace(archived)
        shutil.rmtree(folder)
        return run

    _progress(f"{size.name}: archive --before {ARCHIVE_BEFORE} x{args.repeat}")
    archive_m = repeat_runs(args.repeat, archive)
    first = (archive_m.runs[0].extra or {}) if archive_m.runs else {}
    result["command"] = {
        **archive_m.to_json(),
        "output": first.get("output", ""),
        "archive_file": f"NAME.archive-{year}.xlsx",
        **{
            k: first[k]
            for k in ("moved_usage", "moved_ledger", "kept_usage", "archive_file_bytes")
            if k in first
        },
    }
    if not archived.exists():
        before.unlink(missing_ok=True)
        return {**result, "error": "the archive failed: recalc after it is not measured"}

    _progress(f"{size.name}: recalc {FIRST_OPEN} before and after the archive x{args.repeat}")
    outputs = (tmp / f"{size.name}-before-archive-out.xlsx", tmp / f"{size.name}-archived-out.xlsx")
    before_m, after_m = alternate_runs(
        args.repeat,
        _recalc_runs(size, before, FIRST_OPEN, "before-archive", args, tmp, keep=outputs[0]),
        _recalc_runs(size, archived, FIRST_OPEN, "archived", args, tmp, keep=outputs[1]),
    )
    result["recalc_before"] = before_m.to_json()
    result["recalc_after"] = after_m.to_json()
    result["after_over_before"] = _ratio(after_m.median_s, before_m.median_s)
    if all(o.exists() for o in outputs):
        generated = compare_outputs(*outputs, tables=(*ARCHIVE_COMPARED, schema.CHECKS))
        result["generated"] = generated
        result["generated_equal"] = _all_equal(
            {t.sheet: generated[t.sheet] for t in ARCHIVE_COMPARED}
        )
    else:
        result["generated_equal"] = None
    for leftover in (before, archived, *outputs):
        if not args.keep:
            leftover.unlink(missing_ok=True)
    return result


def bench_libreoffice(
    size: Size,
    binary: str,
    billing: Sequence[Sequence[Any]],
    invoices: Sequence[Sequence[Any]],
    args: argparse.Namespace,
    tmp: Path,
) -> dict[str, Any]:
    _progress(f"{size.name}: LibreOffice formula workbook")
    data = bench_data(size)
    formulas = tmp / f"{size.name}-formulas.xlsx"
    values = tmp / f"{size.name}-values.xlsx"
    build_formula_workbook(formulas, data, billing, invoices, BILL_MONTH, formulas=True)
    build_formula_workbook(values, data, billing, invoices, BILL_MONTH, formulas=False)
    del data
    profile = make_profile(tmp / "lo-profile")
    outdir = tmp / "lo-out"
    outdir.mkdir(exist_ok=True)
    warm = tmp / "lo-warm-up.xlsx"
    build_formula_workbook(warm, {schema.KEYS.name: [], schema.USAGE.name: []}, [], [], BILL_MONTH)
    measure(convert_command(binary, profile, [warm], outdir), args.timeout, tmp)  # new profile

    agreement: dict[str, Any] = {}

    def convert(src: Path, check: bool) -> Callable[[int], Run]:
        def run(i: int) -> Run:
            converted = outdir / src.name
            converted.unlink(missing_ok=True)
            result = measure(convert_command(binary, profile, [src], outdir), args.timeout, tmp)
            if result.rc == 0 and not converted.exists():
                result.rc, result.stderr = -1, "LibreOffice wrote no output"
            if check and i == 0 and converted.exists():
                agreement.update(libreoffice_agreement(converted, billing))
            converted.unlink(missing_ok=True)
            return result

        return run

    _progress(
        f"{size.name}: LibreOffice recalculation x{args.repeat} (timeout {args.timeout:.0f} s)"
    )
    with_formulas = repeat_runs(
        args.repeat,
        convert(formulas, check=True),
        "open, recalculate every formula (forced), save as xlsx; start-up included",
    )
    _progress(f"{size.name}: LibreOffice load+save without formulas x{args.repeat}")
    load_save = repeat_runs(args.repeat, convert(values, check=False), "same cells as numbers")
    for leftover in (formulas, values, warm):
        if not args.keep:
            leftover.unlink(missing_ok=True)
    result = with_formulas.to_json()
    result["load_save_only"] = load_save.to_json()
    result["agreement"] = agreement
    result["formula_lines"] = len(billing)
    result["_measured"] = with_formulas
    return result


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


# --- Report ---------------------------------------------------------------------------------------


def _s(value: float | None, measured: dict[str, Any] | None = None) -> str:
    if value is not None:
        return f"{value:.2f}" if value < 100 else f"{value:.0f}"
    if measured is None:
        return "n/a"
    status = measured.get("status")
    if status == "timeout":
        return f"n/a (> {measured.get('timeout_s') or 0:.0f} s)"
    return "n/a" if status in (None, "ok") else status


def _timed(entry: dict[str, Any]) -> str:
    """Median seconds and the run count, or why there is none."""
    if not entry.get("runs"):
        return entry.get("status") or "n/a"
    return f"{_s(entry['median_s'], entry)} ({entry['runs']})"


def _x(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}x"


def _mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    lines = [" | ".join(str(c).rjust(w) for c, w in zip(header, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(str(c).rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def scaling(sizes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Growth exponent of time against usage rows between measured sizes: 1.0 = linear."""
    names = [n for n in SIZES if n in sizes and "recalc" in sizes[n]]
    out: dict[str, Any] = {}
    pairs = list(zip(names, names[1:], strict=False))
    if len(names) > 2:
        pairs.append((names[0], names[-1]))
    for a, b in pairs:
        ra, rb = (sizes[n]["workbook"]["usage_rows"] for n in (a, b))
        entry = {}
        for what in ("recalc", "floor"):
            ta, tb = sizes[a][what]["median_s"], sizes[b][what]["median_s"]
            if ta and tb:
                entry[what] = math.log(tb / ta) / math.log(rb / ra)
        out[f"{a}->{b}"] = entry
    return out


def targets(sizes: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """The issue's targets, as measured (informational: the work to meet them comes later)."""
    found = []

    def check(name: str, value: float | None, ok: Callable[[float], bool], shown: str) -> None:
        verdict = "n/a" if value is None else ("met" if ok(value) else "NOT met")
        found.append((name, f"{shown} -> {verdict}"))

    if "L" in sizes:
        ratio = sizes["L"]["ratios"]["recalc_over_floor"]
        check("L recalc <= 2x floor", ratio, lambda v: v <= 2, _x(ratio))
        rss = sizes["L"]["recalc"]["peak_rss_mb"]
        check("L recalc peak RSS <= 1 GB", rss, lambda v: v <= 1024, f"{_mb(rss)} MB")
    for n in ("M", "L"):
        if n in sizes:
            ratio = sizes[n]["ratios"]["openpyxl_over_recalc"]
            check(f"{n} openpyxl/recalc >= 10x", ratio, lambda v: v >= 10, _x(ratio))
    if "M" in sizes:
        ratio = sizes["M"]["ratios"]["libreoffice_over_recalc"]
        check("M LibreOffice/recalc >= 5x", ratio, lambda v: v >= 5, _x(ratio))
    # Years of data (the issue's goals are L's; other sizes with --closed-months-at are shown too).
    for n in [n for n in SIZES if n in sizes]:
        closed = sizes[n].get("closed_months")
        if closed is None or "error" in closed:
            continue
        months = f"{closed['months']} months closed"
        ratio = closed.get("closed_over_empty")
        check(
            f"{n} recalc with {months} <= {CLOSED_GOAL_RATIO}x empty Ledger",
            ratio,
            lambda v: v <= CLOSED_GOAL_RATIO,
            _x2(ratio),
        )
        rss = closed["recalc"]["peak_rss_mb"]
        check(
            f"{n} recalc with {months} peak RSS <= {CLOSED_GOAL_MB:.0f} MB",
            rss,
            lambda v: v <= CLOSED_GOAL_MB,
            f"{_mb(rss)} MB",
        )
        ratio = closed.get("close_over_recalc")
        check(
            f"{n} close <= {CLOSE_GOAL_RATIO}x recalc with {months}",
            ratio,
            lambda v: v <= CLOSE_GOAL_RATIO,
            _x2(ratio),
        )
        archive = closed.get("archive") or {}
        ratio = archive.get("after_over_before")
        took = (archive.get("command") or {}).get("median_s")
        check(
            f"{n} recalc after archive no slower (after/before <= {ARCHIVE_NOISE}: noise)",
            ratio,
            lambda v: v <= ARCHIVE_NOISE,
            f"archive {_s(took)} s; after/before {_x2(ratio)}",
        )
        equal = archive.get("generated_equal")
        found.append(
            (
                f"{n} recalc after archive: Billing, Invoices, Comparison unchanged",
                "n/a" if equal is None else ("equal -> met" if equal else "differ -> NOT met"),
            )
        )
    return found


def _x2(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def _rss(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} MB"


def closed_lines(closed: dict[str, Any]) -> list[str]:
    """The closed-months measurement in a few lines (the later ones indented)."""
    what = f"recalc with the {closed['months']} months before the billing month closed"
    if "error" in closed:
        return [f"{what}: not measured ({closed['error']})"]

    def timed(entry: dict[str, Any]) -> str:
        return f"{_timed(entry)} s, peak RSS {_rss(entry.get('peak_rss_mb'))}"

    recalc = closed["recalc"]
    lines = [f"{what} ({closed['ledger_lines']:,} Ledger lines): {timed(recalc)}"]
    empty = closed.get("empty_ledger")
    if empty is not None:
        shown = f"not measured ({empty['error']})" if "error" in empty else timed(empty["recalc"])
        lines.append(
            f"  the same workbook with an empty Ledger (recalculated once): {shown}; "
            f"closed/empty {_x2(closed.get('closed_over_empty'))} "
            f"(goal <= {CLOSED_GOAL_RATIO}x)"
        )
    close = closed.get("close")
    if close is not None:
        lines.append(
            f"  close {close['month']} on it: {timed(close)}; close/recalc "
            f"{_x2(closed.get('close_over_recalc'))} (goal <= {CLOSE_GOAL_RATIO}x)"
            + (f'; "{close["output"]}"' if close.get("output") else "")
        )
        for error in close.get("errors") or ():
            lines.append(f"  close: {error.strip().splitlines()[-1:]}")
    archive = closed.get("archive")
    if archive is not None:
        lines += archive_lines(archive)
    return lines


def archive_lines(archive: dict[str, Any]) -> list[str]:
    what = (
        f"archive --before {archive['before']} (Correction months "
        f"{archive['correction_months']}, {archive.get('closed', '?')} closed"
    )
    if "ledger_lines" in archive:
        what += f", {archive['ledger_lines']:,} Ledger lines"
    command = archive.get("command")
    if command is None:
        return [f"  {what}): not measured ({archive.get('error', '?')})"]
    lines = [
        f"  {what}): {_timed(command)} s, peak RSS {_rss(command['peak_rss_mb'])}"
        + (f'; "{command["output"]}"' if command.get("output") else "")
    ]
    for error in command.get("errors") or ():
        lines.append(f"  archive: {error.strip().splitlines()[-1:]}")
    if "error" in archive:
        lines.append(f"  {archive['error']}")
    if "recalc_before" in archive:
        before, after = archive["recalc_before"], archive["recalc_after"]
        lines.append(
            f"  recalc {archive['first_open']} before the archive {_timed(before)} s (RSS "
            f"{_rss(before['peak_rss_mb'])}), after it {_timed(after)} s (RSS "
            f"{_rss(after['peak_rss_mb'])}): after/before {_x2(archive.get('after_over_before'))}"
        )
        generated = archive.get("generated")
        equal = archive.get("generated_equal")
        verdict = "n/a" if equal is None else "equal" if equal else "NOT equal"
        shown = ", ".join(f"{k} {v}" for k, v in generated.items()) if generated else "n/a"
        lines.append(
            f"  its outputs before/after the archive: Billing, Invoices, Comparison {verdict} "
            f"({shown}; Checks names Usage rows, which move up)"
        )
    return lines


def report_text(result: dict[str, Any]) -> str:
    sizes = result["sizes"]
    times, ratios = [], []
    for name, s in sizes.items():
        if "recalc" not in s:
            times.append([name, s.get("error", "?")] + [""] * 9)
            continue
        recalc, floor, op, lo = s["recalc"], s["floor"], s["openpyxl"], s["libreoffice"]
        lo_base = lo.get("load_save_only")
        times.append(
            [
                name,
                f"{s['workbook']['usage_rows']:,}",
                f"{s['workbook']['billing_lines']:,}",
                _timed(recalc),
                _mb(recalc["peak_rss_mb"]),
                f"{_s(floor['median_s'])} = {_s(floor['read_usage_s'])} + "
                f"{_s(floor['write_generated_s'])}",
                _timed(op),
                _mb(op["peak_rss_mb"]),
                _timed(lo),
                _timed(lo_base) if lo_base else "n/a",
                _mb(lo["peak_rss_mb"]),
            ]
        )
        r = s["ratios"]
        ratios.append(
            [
                name,
                _x(r["recalc_over_floor"]),
                _x(r["openpyxl_over_recalc"]),
                _x(r["libreoffice_over_recalc"]),
                f"{s['per_usage_row_us']['recalc']:.1f}",
                f"{s['per_usage_row_us']['floor']:.1f}",
                "yes" if s["correct"]["ok"] else "NO",
            ]
        )
    out = [
        f"Month {result['month']}; seconds are medians of the run count in brackets; RSS in MB "
        f"(highest run); msp-workbook start-up alone: {_s(result['startup_s'])} s",
        "",
        _table(
            [
                "size",
                "usage rows",
                "lines",
                "recalc s",
                "RSS",
                "floor s = read + write",
                "openpyxl s",
                "RSS",
                "LibreOffice s",
                "LO load+save only s",
                "RSS",
            ],
            times,
        ),
        "",
        _table(
            [
                "size",
                "recalc/floor",
                "openpyxl/recalc",
                "LibreOffice/recalc",
                "recalc us/usage row",
                "floor us/usage row",
                "results equal",
            ],
            ratios,
        ),
        "",
    ]
    for pair, entry in result["scaling"].items():
        shown = ", ".join(f"{k} {v:.2f}" for k, v in entry.items())
        out.append(f"growth exponent of time vs usage rows {pair}: {shown} (1.0 = linear)")
    for name, s in sizes.items():
        lo = s.get("libreoffice", {})
        agreement = lo.get("agreement")
        if agreement:
            out.append(
                f"{name}: LibreOffice's formulas agree with recalc on {agreement['agreed']} of "
                f"{agreement['compared']} usage/minimum lines (quantity and net)"
            )
        for key in ("recalc_vs_library", "recalc_vs_plain_run"):
            if key in s.get("correct", {}):
                shown = ", ".join(f"{k} {v}" for k, v in s["correct"][key].items())
                out.append(f"{name}: {key.replace('_', ' ')}: {shown}")
        for what in ("openpyxl", "libreoffice"):
            entry = s.get(what, {})
            if entry.get("note") and entry.get("runs"):
                out.append(f"{name}: {what}: {entry['note']}")
            for error in entry.get("errors") or ():
                out.append(f"{name}: {what}: {error.strip().splitlines()[-1:]}")
        closed = s.get("closed_months")
        if closed:
            out += [f"{name}: {line}" for line in closed_lines(closed)]
    out.append("")
    out.append("Targets (later work):")
    out += [f"  {name}: {verdict}" for name, verdict in result["targets"]]
    return "\n".join(out)


# --- Main -----------------------------------------------------------------------------------------


def _machine() -> dict[str, Any]:
    from importlib.metadata import version

    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    for package in (
        "fastexcel",
        "pyarrow",
        "numpy",
        "python-calamine",
        "openpyxl",
        "xlsxwriter",
        "msp-workbook",
    ):
        try:
            info[package] = version(package)
        except Exception:
            info[package] = None
    binary = find_soffice()
    if binary:
        done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60)
        info["libreoffice"] = done.stdout.strip()
    return info


def profile_recalc(size: Size, args: argparse.Namespace, tmp: Path) -> str:
    """One recalc under cProfile: the .prof file and the top functions by own time."""
    import pstats

    path, _ = bench_workbook(size, args.workdir)
    src, out = tmp / f"{size.name}-profile-input.xlsx", tmp / f"{size.name}-profile-out.xlsx"
    shutil.copyfile(path, src)
    prof = args.workdir / f"recalc-{size.name}.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "msp_workbook.cli"]
    cmd += ["recalc", str(src), "--month", str(BILL_MONTH), "--out", str(out)]
    subprocess.run(cmd, check=False, capture_output=True, timeout=args.timeout)
    src.unlink(missing_ok=True)
    out.unlink(missing_ok=True)
    import io

    text = io.StringIO()
    stats = pstats.Stats(str(prof), stream=text)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)
    return f"profile of recalc at {size.name}: {prof}\n{text.getvalue()}"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench.py",
        description="Benchmark msp-workbook recalc against its floor, openpyxl and LibreOffice.",
    )
    names = list(SIZES)
    parser.add_argument("--sizes", nargs="*", choices=names, default=["S", "M"])
    parser.add_argument(
        "--import-at",
        nargs="*",
        choices=names,
        default=[],
        help="also measure import-usage of a report into these sizes against openpyxl",
    )
    parser.add_argument(
        "--import-readings", type=int, default=100_000, help="readings in that report"
    )
    parser.add_argument(
        "--reconcile-at",
        nargs="*",
        choices=names,
        default=[],
        help="also measure reconcile of these sizes against a statement, beside their recalc",
    )
    parser.add_argument(
        "--statement-lines", type=int, default=20_000, help="lines of that statement"
    )
    parser.add_argument(
        "--documents-at",
        nargs="*",
        choices=names,
        default=[],
        help="also measure the invoice documents of these sizes' closed billing month against "
        "WeasyPrint (installed with pip when missing)",
    )
    parser.add_argument(
        "--documents-peer-sample",
        type=int,
        default=300,
        help="invoices WeasyPrint renders per size (its first; 0 = all)",
    )
    parser.add_argument(
        "--no-install-peer",
        dest="install_peer",
        action="store_false",
        help="do not pip-install WeasyPrint when it is missing (the peer is then skipped)",
    )
    parser.add_argument(
        "--exports-at",
        nargs="*",
        choices=names,
        default=[],
        help="also measure export-datev and export-sepa of these sizes' closed billing month",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=300,
        help="seconds to wait before each invoice documents run (and each run of the exports) "
        "for other work on the machine to settle (below 0.25 busy cores); an invoice documents "
        "run that other work shared is measured again, twice at most (0: neither)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_WORKDIR / "bench.json", help="where the figures go"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=DEFAULT_WORKDIR,
        help="cached workbooks and scratch files (default: bench-results/)",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    parser.add_argument("--openpyxl-timeout", type=float, default=1200, help="seconds per run")
    parser.add_argument(
        "--once-above",
        type=float,
        default=ONCE_ABOVE_S,
        help="do not repeat a measurement whose first run took longer (seconds)",
    )
    parser.add_argument("--openpyxl-once-at", nargs="*", choices=names, default=["L"])
    parser.add_argument("--skip-openpyxl-at", nargs="*", choices=names, default=[])
    parser.add_argument("--libreoffice-at", nargs="*", choices=names, default=["S", "M"])
    parser.add_argument(
        "--plain-at",
        nargs="*",
        choices=names,
        default=["S"],
        help="sizes where the output is also compared with a plain in-process recalculation",
    )
    parser.add_argument(
        "--closed-months-at",
        nargs="*",
        choices=names,
        default=["L"],
        help="also recalc these sizes with the months before the billing month closed "
        "(against an empty Ledger), close the billing month, and archive the oldest months",
    )
    parser.add_argument(
        "--closed-months", type=int, default=11, help="how many months (with --closed-months-at)"
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached workbooks")
    parser.add_argument("--keep", action="store_true", help="keep scratch files")
    parser.add_argument(
        "--profile", action="store_true", help="also profile one recalc per size (cProfile)"
    )
    parser.add_argument(
        "--from-json", type=Path, metavar="JSON", help="only print the tables of an earlier run"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.workdir = args.workdir.resolve()
    return args


def main(argv: Sequence[str] | None = None) -> int:
    raw = list(sys.argv[1:] if argv is None else argv)
    if raw[:1] == ["--child"]:
        child_main(raw[1:])
        return 0
    args = parse_args(raw)
    global ONCE_ABOVE_S
    ONCE_ABOVE_S = args.once_above
    if args.from_json:
        earlier = json.loads(args.from_json.read_text(encoding="utf-8"))
        print(report_text(earlier))
        if earlier.get("documents"):
            print("\n" + documents_text(earlier["documents"]))
        if earlier.get("exports"):
            print("\n" + exports_text(earlier["exports"]))
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "version": JSON_VERSION,
        "command": ["scripts/bench.py", *raw],
        "created": datetime.now().isoformat(timespec="seconds"),
        "machine": _machine(),
        "month": str(BILL_MONTH),
        "repeat": args.repeat,
        "seed": SEED,
        "sizes": {},
    }
    with tempfile.TemporaryDirectory(prefix="scratch-", dir=args.workdir) as folder:
        tmp = Path(folder)
        startup = repeat_runs(
            args.repeat, lambda i: measure([*_msp_workbook(), "--version"], 120, tmp)
        )
        result["startup_s"] = startup.median_s
        for name in [n for n in SIZES if n in args.sizes]:
            result["sizes"][name] = bench_size(SIZES[name], args, tmp)
        if args.import_at:
            result["imports"] = {
                name: bench_import(SIZES[name], args, tmp)
                for name in [n for n in SIZES if n in args.import_at]
            }
        if args.reconcile_at:
            result["reconciliations"] = {
                name: bench_reconcile(SIZES[name], args, tmp)
                for name in [n for n in SIZES if n in args.reconcile_at]
            }
        if args.documents_at:
            names = [n for n in SIZES if n in args.documents_at]
            result["documents"] = {
                name: bench_documents(SIZES[name], args, tmp, show_progress=name == names[0])
                for name in names
            }
            result["documents_goals"] = documents_goals(result["documents"])
        if args.exports_at:
            result["exports"] = {
                name: bench_exports(SIZES[name], args, tmp)
                for name in [n for n in SIZES if n in args.exports_at]
            }
        result["scaling"] = scaling(result["sizes"])
        result["targets"] = targets(result["sizes"])
        result["correct"] = all(
            s.get("correct", {}).get("ok", False) for s in result["sizes"].values()
        ) and all(
            d["correct"]
            for d in (*result.get("documents", {}).values(), *result.get("exports", {}).values())
        )
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
        print(report_text(result))
        if result.get("imports"):
            print("\n" + import_text(result["imports"]))
        if result.get("reconciliations"):
            print("\n" + reconcile_text(result["reconciliations"]))
        if result.get("documents"):
            print("\n" + documents_text(result["documents"]))
        if result.get("exports"):
            print("\n" + exports_text(result["exports"]))
        print(f"\nfigures: {args.json}")
        if args.profile:
            for name in [n for n in SIZES if n in args.sizes]:
                print("\n" + profile_recalc(SIZES[name], args, tmp))
    return 0 if result["correct"] else 1


if __name__ == "__main__":
    sys.exit(main())
