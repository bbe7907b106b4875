"""Property: billing a window of months at once (what the MSP vs annual comparison reads) gives,
month by month, exactly the lines `billing_lines` gives for each month on its own; and the last
month billed from the window's results is the month billed on its own."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from msp_workbook.core.billable import bill_window
from msp_workbook.core.lines import billing_lines
from msp_workbook.core.models import Customer, Inputs, LicenseKey, Product, Settings, UsageReading
from msp_workbook.core.months import Month
from msp_workbook.core.usage import UsageIndex

MONTHS = [Month(2026, 1).shift(i) for i in range(12)]
PRODUCTS = (
    Product(product_id="KC", product="KerioConnect", metric="mailboxes", aggregation="max",
            cost_per_unit=D("1.60"), price_per_unit=D("2.40"), minimum_units=5),
    Product(product_id="LG", product="LanGuard", metric="nodes", aggregation="last",
            cost_per_unit=D("0.60"), price_per_unit=D("0.95"), minimum_units=0),
    Product(product_id="LG", product="LanGuard", metric="scans", aggregation="sum",
            cost_per_unit=D("0.02"), price_per_unit=D("0.03"), minimum_units=0),
    Product(product_id="KO", product="KerioOperator", metric="users", aggregation="avg",
            cost_per_unit=D("1.00"), price_per_unit=D("1.50"), minimum_units=3),
)  # fmt: skip
CUSTOMERS = (
    Customer(customer_id="C-1", customer="One"),
    Customer(customer_id="C-2", customer="Two"),
)
METRICS = {"KC": ["mailboxes"], "LG": ["nodes", "scans"], "KO": ["users"]}

key = st.tuples(
    st.sampled_from(["KC", "LG", "KO"]),
    st.sampled_from(["active", "suspended", "cancelled"]),
    st.integers(0, 11),  # start month
    st.integers(0, 11),  # months to the end (cancelled keys, some active ones)
    st.booleans(),  # has an end
)


@settings(max_examples=80, deadline=None)
@given(
    keys=st.lists(key, min_size=1, max_size=5),
    readings=st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 11), st.integers(1, 28), st.integers(0, 40)),
        max_size=40,
    ),
    missing=st.sampled_from(["carry forward", "zero"]),
)
def test_a_window_bills_each_month_as_billing_lines_does(keys, readings, missing):
    licence_keys = []
    for i, (product_id, status, start, length, ends) in enumerate(keys):
        end = MONTHS[min(11, start + length)].last_day if ends or status == "cancelled" else None
        licence_keys.append(
            LicenseKey(license_key=f"K-{i}", customer_id=CUSTOMERS[i % 2].customer_id,
                       product_id=product_id, start=MONTHS[start].first_day.replace(day=10),
                       end=end, status=status, source=f"Keys!A{i + 2}")
        )  # fmt: skip
    usage = []
    for row, (k, m, day, quantity) in enumerate(readings, 2):
        if k >= len(licence_keys):
            continue
        found = licence_keys[k]
        day_of = MONTHS[m].first_day.replace(day=day)
        for metric in METRICS[found.product_id]:
            usage.append(
                UsageReading(day=day_of, license_key=found.license_key, metric=metric,
                             quantity=quantity, row=row, source=f"Usage!B{row}")
            )  # fmt: skip
    inputs = Inputs(
        settings=Settings(missing_usage=missing), products=PRODUCTS, annual_prices=(),
        customers=CUSTOMERS, keys=tuple(licence_keys), usage=tuple(usage),
    )  # fmt: skip
    index = UsageIndex.of_inputs(inputs)
    billed_window = list(bill_window(inputs, MONTHS, index))
    window = [
        (position, customer.customer_id, product.product_id, product.metric, found.quantity)
        for _, customer, product, billed in billed_window
        for position, found in enumerate(billed)
        if found is not None
    ]
    one_by_one = [
        (position, line.customer_id, line.product_id, line.metric, line.quantity)
        for position, month in enumerate(MONTHS)
        for line in billing_lines(inputs, month, index)[0]
    ]
    assert sorted(window) == sorted(one_by_one)

    # The last month billed from what the window worked out: the same lines and warnings.
    precomputed = {
        (k.license_key, product.metric): billed[-1] for k, _, product, billed in billed_window
    }
    assert billing_lines(inputs, MONTHS[-1], index, precomputed) == billing_lines(
        inputs, MONTHS[-1], index
    )
