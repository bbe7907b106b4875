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

This module holds the reseller (Settings, `SELLER`) and its price lists; the customers are
`demo_customers`, the license keys `demo_keys`, the usage readings `demo_usage`. One random
generator makes all of it, drawn from in a fixed order (`demo_data`).
"""

from __future__ import annotations

import random
from decimal import Decimal

from ..core.keys import generate_key
from ..core.months import Month
from ..workbook import schema
from ..workbook.template import example_prices
from .demo_customers import customer_rows, employee_counts
from .demo_keys import DEMO_MONTHS, key_rows, plan_keys
from .demo_usage import usage_rows

__all__ = ["DEMO_MONTHS", "demo_data"]

Rows = list[dict[str, object]]

RESELLER = "Muster IT GmbH"

_PRODUCTS = example_prices.PRODUCTS
_TIERS = example_prices.TIERS
_TERMS = example_prices.TERMS

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


def demo_data(last_month: Month, seed: int = 2026) -> dict[str, list[dict[str, object]]]:
    """Rows of every input table of the demo reseller, billing `last_month`.

    Keys: table names; values: rows keyed by column header. Deterministic for (last_month, seed).
    """
    # One generator, drawn from in this order: the customers' sizes, the keys' plan, their
    # license keys, the readings. A change in the order changes every row after it.
    rng = random.Random(seed)
    first_month = last_month.shift(-(DEMO_MONTHS - 1))
    employees = employee_counts(rng)
    keys = plan_keys(rng, first_month, last_month)
    existing: list[str] = []
    for key in keys:
        key.license_key = generate_key(existing, rng=rng)
        existing.append(key.license_key)
    return {
        schema.SETTINGS.name: _settings(last_month),
        schema.PRODUCTS.name: _products(),
        schema.ANNUAL_PRICES.name: _annual_prices(),
        schema.CUSTOMERS.name: customer_rows(),
        schema.KEYS.name: key_rows(keys),
        schema.USAGE.name: usage_rows(rng, keys, employees, first_month),
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
