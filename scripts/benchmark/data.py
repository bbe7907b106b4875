"""The seeded input tables of a reseller of a given size: customers, their keys and 14 months of
usage readings (`bench_data`), the same for the same size, month and seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from msp_workbook.core.keys import ALPHABET, PAYLOAD_LENGTH, check_character
from msp_workbook.core.months import Month
from msp_workbook.workbook import schema
from msp_workbook.workbook.template import example_prices

from .parties import customer_row, settings_rows
from .sizes import BILL_MONTH, MONTHS, SEED, Rows, Size

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


def product_metrics() -> dict[str, list[tuple[str, str]]]:
    """Each product's metrics and their aggregation, from the example price list."""
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
    metrics = product_metrics()
    customers: Rows = []
    keys: list[_Key] = []
    taken: set[str] = set()
    for i in range(size.customers):
        customers.append(customer_row(rng, places, payments, i, first))
        employees = max(1, int(rng.lognormvariate(2.3, 0.9)))
        products = [KC] + [p for p, share in _EXTRA_PRODUCTS if rng.random() < share]
        if rng.random() < _SECOND_KC_SHARE:
            products.append(KC)
        for product_id in products:
            keys.append(_plan_key(rng, taken, i, product_id, employees, first, month))
    keys.sort(key=lambda k: (k.start, k.customer, k.product_id, k.license_key))
    return {
        schema.SETTINGS.name: settings_rows(month),
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
