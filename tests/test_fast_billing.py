"""Property: the comparison window worked out in arrays (`core.fast.billable` billing the open
months for all keys at once, `core.fast.comparison` making the rows) equals the plain rules, key by
key and profile by profile (`billable.bill_window`, `WindowUnits.rows`): the same Comparison rows,
and the same `Billed` for the billing month, whatever the keys, usage, prices and closed months.
The corrections of closed months found in arrays equal those found key by key, too."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msp_workbook.core.corrections import CorrectionWindow, correction_lines, correction_window
from msp_workbook.core.fast.billable import billed_quantities
from msp_workbook.core.ledger import Ledger, LedgerLine
from msp_workbook.core.lines import billing_lines, make_line
from msp_workbook.core.models import (
    AnnualPrice,
    Customer,
    Inputs,
    LicenseKey,
    Product,
    Settings,
    UsageReading,
)
from msp_workbook.core.months import Month
from msp_workbook.core.usage import UsageIndex
from msp_workbook.engine import ARRAYS, PLAIN
from msp_workbook.workbook.reader import ReadResult

TARGET = Month(2026, 12)
MONTHS = [TARGET.shift(i) for i in range(-14, 1)]  # two months before the window, then the window
PRODUCTS = (
    Product(product_id="KC", product="KerioConnect", metric="mailboxes", aggregation="max",
            cost_per_unit=D("1.60"), price_per_unit=D("2.4"), minimum_units=5),
    Product(product_id="LG", product="LanGuard", metric="nodes", aggregation="last",
            cost_per_unit=D("0.60"), price_per_unit=D("0.955"), minimum_units=10),
    Product(product_id="LG", product="LanGuard", metric="scans", aggregation="sum",
            cost_per_unit=D("0.02"), price_per_unit=D("0.035"), minimum_units=0),
    Product(product_id="KO", product="KerioOperator", metric="users", aggregation="avg",
            cost_per_unit=D("1.00"), price_per_unit=D("1.125"), minimum_units=3),
    Product(product_id="KT", product="KerioControl", metric="users", aggregation="max",
            cost_per_unit=D("1.00"), price_per_unit=D("1.85"), minimum_units=0),
)  # fmt: skip
METRICS = {"KC": ["mailboxes"], "LG": ["nodes", "scans"], "KO": ["users"], "KT": ["users"]}
CUSTOMERS = tuple(Customer(customer_id=f"C-{i}", customer=f"Customer {i}") for i in range(3))


def tier(product_id: str, metric: str, term: int, low: int, high: int | None, rate: str):
    return AnnualPrice(product_id=product_id, metric=metric, term_years=term, min_units=low,
                       max_units=high, price_per_unit_per_year=D(rate))  # fmt: skip


# KC: three tiers for terms 1 and 3 only; LG nodes: a gap between tiers (16..19 take the lower
# tier's rate), odd rates; KO: one tier starting above small orders; KT has no annual prices.
ANNUAL = (
    tier("KC", "mailboxes", 1, 5, 24, "30"), tier("KC", "mailboxes", 1, 25, 49, "27.5"),
    tier("KC", "mailboxes", 1, 50, None, "24.99"), tier("KC", "mailboxes", 3, 1, None, "26"),
    tier("LG", "nodes", 2, 10, 15, "11.125"), tier("LG", "nodes", 2, 20, None, "9.5"),
    tier("LG", "nodes", 5, 0, None, "8.333"),
    tier("KO", "users", 1, 8, None, "17.7"), tier("KO", "users", 4, 8, None, "15"),
)  # fmt: skip

key = st.tuples(
    st.sampled_from(sorted(METRICS)),
    st.sampled_from(["active", "suspended", "cancelled"]),
    st.integers(0, 6) | st.integers(0, 14),  # start month (index into MONTHS)
    st.integers(0, 14),  # months to the End
    st.booleans(),  # has an End (cancelled keys always)
    st.integers(0, 2),  # customer
)
reading = st.tuples(
    st.integers(0, 7),  # key (modulo the number of keys)
    st.integers(0, 14),  # month
    st.integers(1, 28),  # day
    st.integers(0, 12) | st.integers(0, 60),  # quantity: often below a Minimum units
)


def make_inputs(keys, readings, missing: str) -> Inputs:
    licence_keys = []
    for i, (product_id, status, start, length, ends, customer) in enumerate(keys):
        last = MONTHS[min(14, start + length)].last_day
        licence_keys.append(
            LicenseKey(license_key=f"K-{i}", customer_id=CUSTOMERS[customer].customer_id,
                       product_id=product_id, start=MONTHS[start].first_day.replace(day=3),
                       end=last if ends or status == "cancelled" else None, status=status,
                       source=f"Keys!A{i + 2}")
        )  # fmt: skip
    usage = []
    for row, (k, m, day, quantity) in enumerate(readings, 2):
        found = licence_keys[k % len(licence_keys)]
        for metric in METRICS[found.product_id]:
            usage.append(
                UsageReading(day=MONTHS[m].first_day.replace(day=day),
                             license_key=found.license_key, metric=metric, quantity=quantity,
                             row=row, source=f"Usage!B{row}")
            )  # fmt: skip
    return Inputs(settings=Settings(missing_usage=missing), products=PRODUCTS,
                  annual_prices=ANNUAL, customers=CUSTOMERS, keys=tuple(licence_keys),
                  usage=tuple(usage))  # fmt: skip


def closed_ledger(inputs: Inputs, closed: set[int], renamed: bool) -> Ledger:
    """Closed months as they were billed then: with fewer readings (the latest were entered
    after closing) and, with `renamed`, under the customers' old names."""
    then = inputs.model_copy(update={"usage": inputs.usage[: len(inputs.usage) // 2]})
    if renamed:
        old = tuple(c.model_copy(update={"customer": f"{c.customer} (old)"}) for c in CUSTOMERS)
        then = then.model_copy(update={"customers": old})
    lines = []
    for i in sorted(closed):
        for line in billing_lines(then, MONTHS[i], UsageIndex.of_inputs(then))[0]:
            lines.append(LedgerLine(invoice="INV-1", line=line, finalized=datetime(2027, 1, 5)))
    return Ledger(lines)


@settings(max_examples=300, deadline=None)
@given(
    keys=st.lists(key, min_size=2, max_size=8),
    readings=st.lists(reading, min_size=1, max_size=60),
    missing=st.sampled_from(["carry forward", "zero"]),
    closed=st.sets(st.integers(2, 14), max_size=5),
    renamed=st.booleans(),
)
def test_the_window_in_arrays_equals_the_window_key_by_key(
    keys, readings, missing, closed, renamed
):
    inputs = make_inputs(keys, readings, missing)
    read = ReadResult(inputs=inputs, checks=(), ledger=closed_ledger(inputs, closed, renamed))
    usage = UsageIndex.of_inputs(inputs)
    bulk_rows, bulk_precomputed = ARRAYS.comparison_window(read, TARGET, usage)
    rows, precomputed = PLAIN.comparison_window(read, TARGET, usage)
    assert bulk_rows == rows
    assert bulk_precomputed == precomputed


@settings(max_examples=200, deadline=None)
@given(
    keys=st.lists(key, min_size=2, max_size=8),
    readings=st.lists(reading, min_size=1, max_size=60),
    missing=st.sampled_from(["carry forward", "zero"]),
    closed=st.sets(st.integers(2, 13), min_size=1, max_size=6),
    window=st.integers(0, 14),
)
def test_corrections_found_in_arrays_equal_those_found_key_by_key(
    keys, readings, missing, closed, window
):
    # The closed months were billed with half the readings: late readings make corrections.
    inputs = make_inputs(keys, readings, missing)
    inputs = inputs.model_copy(
        update={"settings": Settings(missing_usage=missing, correction_months=window)}
    )
    ledger = closed_ledger(inputs, closed, renamed=False)
    usage = UsageIndex.of_inputs(inputs)
    months = correction_window(ledger.closed_months(), TARGET, window)
    quantities = billed_quantities(inputs, months, usage)
    assert quantities is not None
    in_arrays = CorrectionWindow(months, quantities)
    key_by_key = CorrectionWindow(months, None)
    assert correction_lines(inputs, TARGET, ledger, usage, in_arrays) == correction_lines(
        inputs, TARGET, ledger, usage, key_by_key
    )
    assert ARRAYS.bill_open_month(inputs, TARGET, ledger, usage) == PLAIN.bill_open_month(
        inputs, TARGET, ledger, usage
    )


def test_the_window_in_arrays_matches_a_worked_example():
    # One KC key of C-0 from 2026-09 (4 months of the window): 30, no reading (carried
    # forward: 30), 12, 60 mailboxes. MSP: (30 + 30 + 12 + 60) x 2.40 = 316.80.
    # Annual 1y: 30 in month 1 at 27.50 for 4 months = 275.00; +30 in month 4 (an order of 30:
    # 27.50) for 1 month = 68.75; total 343.75. Annual 3y: 30 x 26 x 4/12 = 260.00, + 30 x 26 x
    # 1/12 = 65.00; total 325.00.
    inputs = make_inputs(
        [("KC", "active", 11, 0, False, 0)],
        [(0, 11, 5, 30), (0, 13, 5, 12), (0, 14, 5, 60)],
        "carry forward",
    )
    read = ReadResult(inputs=inputs, checks=(), ledger=Ledger())
    rows, precomputed = ARRAYS.comparison_window(read, TARGET, UsageIndex.of_inputs(inputs))
    assert [(r.customer_id, r.months, r.peak_units, r.average_units, r.msp_cost) for r in rows] == [
        ("C-0", 4, 60, D("33.00"), D("316.80"))
    ]
    assert rows[0].annual == (D("343.75"), None, D("325.00"), None, None)
    assert (rows[0].best_option, rows[0].saving, rows[0].saving_per_year) == (
        "MSP",
        D("8.20"),
        D("24.60"),
    )
    assert precomputed[("K-0", "mailboxes")].quantity == 60


@pytest.mark.parametrize(
    "quantity",
    [
        10**20,  # does not fit 64 bits at all
        4 * 10**18,  # fits, but twelve months of it would not
        10**15,  # fits, but the annual cost's sums in cents could not
    ],
)
def test_numbers_too_large_for_the_arrays_are_compared_key_by_key(quantity):
    inputs = make_inputs([("KC", "active", 10, 0, False, 1)], [(0, 14, 5, quantity)], "zero")
    read = ReadResult(inputs=inputs, checks=(), ledger=Ledger())
    usage = UsageIndex.of_inputs(inputs)
    rows, precomputed = ARRAYS.comparison_window(read, TARGET, usage)
    assert (rows, precomputed) == PLAIN.comparison_window(read, TARGET, usage)
    assert rows[0].peak_units == quantity
    # Aug..Nov have no readings: estimated 0 (Missing usage = zero), raised to the minimum of 5.
    assert rows[0].msp_cost == D(quantity) * D("2.4") + 4 * 5 * D("2.4")
    assert precomputed[("K-0", "mailboxes")].quantity == quantity


def test_the_window_of_a_closed_billing_month_needs_nothing_from_it():
    inputs = make_inputs([("KC", "active", 0, 0, False, 0)], [(0, 14, 5, 7)], "carry forward")
    ledger = closed_ledger(inputs, {14}, renamed=False)
    read = ReadResult(inputs=inputs, checks=(), ledger=ledger)
    usage = UsageIndex.of_inputs(inputs)
    assert ARRAYS.comparison_window(read, TARGET, usage) == PLAIN.comparison_window(
        read, TARGET, usage
    )
    assert ARRAYS.comparison_window(read, TARGET, usage)[1] == {}


def test_a_closed_line_of_a_metric_no_longer_on_products_costs_what_it_was_billed():
    # K-0 (KC) from 2026-10: 10 mailboxes a month. October is closed; its ledger also has 4
    # "archives" at 0.50, a metric KC no longer has. MSP: 3 x 10 x 2.40 + 4 x 0.50 = 74.00;
    # the archives are not mailboxes (the annual-priced metric): 10 units a month.
    inputs = make_inputs(
        [("KC", "active", 12, 0, False, 0)],
        [(0, 12, 5, 10), (0, 13, 5, 10), (0, 14, 5, 10)],
        "zero",
    )
    archives = Product(
        product_id="KC",
        product="KerioConnect",
        metric="archives",
        aggregation="max",
        cost_per_unit=D("0.10"),
        price_per_unit=D("0.50"),
    )
    ledger = closed_ledger(inputs, {12}, renamed=False)
    extra = make_line(month=MONTHS[12], customer=CUSTOMERS[0], license_key="K-0", product=archives,
                      quantity=4, unit_price=D("0.50"), discount=D(0), unit_cost=D("0.10"),
                      line_type="usage")  # fmt: skip
    ledger = Ledger(
        [*ledger.lines, LedgerLine(invoice="INV-1", line=extra, finalized=datetime(2027, 1, 5))]
    )
    read = ReadResult(inputs=inputs, checks=(), ledger=ledger)
    usage = UsageIndex.of_inputs(inputs)
    rows, precomputed = ARRAYS.comparison_window(read, TARGET, usage)
    assert (rows, precomputed) == PLAIN.comparison_window(read, TARGET, usage)
    assert [(r.months, r.peak_units, r.average_units, r.msp_cost) for r in rows] == [
        (3, 10, D("10.00"), D("74.00"))
    ]


def test_a_rate_too_fine_for_whole_cents_in_64_bits_is_compared_profile_by_profile():
    # A rate with 16 decimals: twelfths of it in cents need more than 64 bits: the plain rules
    # works the annual cost out (30 mailboxes x 0.1234567890123456 x 3 / 12 = 0.93 rounded).
    fine = (tier("KC", "mailboxes", 1, 0, None, "0.1234567890123456"),)
    inputs = make_inputs(
        [("KC", "active", 12, 0, False, 0)],
        [(0, 12, 5, 30), (0, 13, 5, 30), (0, 14, 5, 30)],
        "zero",
    ).model_copy(update={"annual_prices": fine})
    read = ReadResult(inputs=inputs, checks=(), ledger=Ledger())
    usage = UsageIndex.of_inputs(inputs)
    rows, precomputed = ARRAYS.comparison_window(read, TARGET, usage)
    assert (rows, precomputed) == PLAIN.comparison_window(read, TARGET, usage)
    assert rows[0].annual == (D("0.93"), None, None, None, None)
