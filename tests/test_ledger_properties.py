"""Property: whatever edits to past usage happen between closes, once the corrections are
closed every closed month's ledger (its lines plus its corrections) equals that month billed
from today's sheets, and invoice numbers stay gap-free."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from msp_workbook.core.closing import closing_entries
from msp_workbook.core.ledger import Ledger
from msp_workbook.core.lines import billing_lines
from msp_workbook.core.models import Customer, Inputs, LicenseKey, Product, Settings, UsageReading
from msp_workbook.core.months import Month
from msp_workbook.core.numbering import number_invoices
from msp_workbook.core.usage import UsageIndex
from msp_workbook.engine import PLAIN

FIRST = Month(2026, 9)
MONTHS = [FIRST.shift(i) for i in range(7)]  # 2026-09 .. 2027-03: crosses a year
PRODUCTS = (
    Product(product_id="KC", product="KerioConnect", metric="mailboxes", aggregation="max",
            cost_per_unit=D("1.60"), price_per_unit=D("2.40"), minimum_units=5),
    Product(product_id="LG", product="LanGuard", metric="nodes", aggregation="avg",
            cost_per_unit=D("0.60"), price_per_unit=D("0.95"), minimum_units=10),
    Product(product_id="LG", product="LanGuard", metric="scans", aggregation="sum",
            cost_per_unit=D("0.02"), price_per_unit=D("0.03"), minimum_units=0),
)  # fmt: skip
CUSTOMERS = (
    Customer(customer_id="C-1", customer="One"),
    Customer(customer_id="C-2", customer="Two", country="AT", vat_id="ATU1"),
)
KEYS = (
    LicenseKey(license_key="K-A", customer_id="C-1", product_id="KC", start=date(2026, 1, 1),
               end=None, status="active", source="Keys!A2"),
    LicenseKey(license_key="K-B", customer_id="C-2", product_id="LG", start=date(2026, 1, 1),
               end=None, status="active", source="Keys!A3"),
    LicenseKey(license_key="K-C", customer_id="C-2", product_id="KC", start=date(2026, 1, 1),
               end=None, status="suspended", source="Keys!A4"),
)  # fmt: skip
METRICS = [("K-A", "mailboxes"), ("K-B", "nodes"), ("K-B", "scans"), ("K-C", "mailboxes")]

reading = st.tuples(
    st.sampled_from(range(len(MONTHS))), st.sampled_from(METRICS), st.integers(0, 60)
)
action = st.one_of(
    st.tuples(st.just("close")),
    st.tuples(st.just("edit"), reading),
    st.tuples(st.just("drop"), st.integers(0, 10_000)),
)


def inputs_with(usage: list[tuple[int, tuple[str, str], int]]) -> Inputs:
    readings = tuple(
        UsageReading(day=MONTHS[m].first_day.replace(day=1 + (i % 27)), license_key=key,
                     metric=metric, quantity=q, row=i + 2, source=f"Usage!B{i + 2}")
        for i, (m, (key, metric), q) in enumerate(usage)
    )  # fmt: skip
    return Inputs(
        settings=Settings(),
        products=PRODUCTS,
        annual_prices=(),
        customers=CUSTOMERS,
        keys=KEYS,
        usage=readings,
    )


def _counts_for(line, month: Month) -> bool:
    """Whether a ledger line is part of what was billed for the month."""
    own = line.month == month and line.type != "correction"
    return own or line.corrects == month


def close(inputs: Inputs, month: Month, ledger: Ledger) -> Ledger:
    result = PLAIN.bill_open_month(inputs, month, ledger, UsageIndex.of_inputs(inputs))
    numbers = number_invoices(result.invoices, ledger, "INV-", month)
    finalized = datetime(2027, 6, 1)
    entries = closing_entries(result.lines, result.invoices, numbers, finalized)
    return Ledger([*ledger.lines, *entries])


@settings(max_examples=60, deadline=None)
@given(initial=st.lists(reading, max_size=25), actions=st.lists(action, max_size=12))
def test_closed_months_equal_their_recomputed_billing_once_corrections_are_closed(initial, actions):
    usage = list(initial)
    ledger = Ledger()
    closed = 0
    for act in actions:
        if act[0] == "close" and closed < len(MONTHS) - 1:
            ledger = close(inputs_with(usage), MONTHS[closed], ledger)
            closed += 1
        elif act[0] == "edit":
            usage.append(act[1])
        elif act[0] == "drop" and usage:
            usage.pop(act[1] % len(usage))
    # Close one more month: it carries the corrections of every edit so far.
    inputs = inputs_with(usage)
    ledger = close(inputs, MONTHS[closed], ledger)
    for month in MONTHS[:closed]:
        now = {
            (li.license_key, li.metric): li
            for li in billing_lines(inputs, month, UsageIndex.of_inputs(inputs))[0]
        }
        billed = {k: q for k, q in ledger.billed_so_far(month).items() if q != 0}
        assert billed == {k: li.quantity for k, li in now.items() if li.quantity != 0}, month
        ledger_net = sum((e.line.net for e in ledger.lines if _counts_for(e.line, month)), D(0))
        assert ledger_net == sum((li.net for li in now.values()), D(0)), month
    for year in {m.year for m in MONTHS}:
        numbers = sorted(ledger.invoices_in_year(year))
        assert numbers == [f"INV-{year}-{n:04d}" for n in range(1, len(numbers) + 1)]


def test_a_correction_of_usage_later_removed_is_undone_at_todays_price():
    # K-C (suspended) bills nothing in September; late usage for September is corrected in
    # October; once that usage is removed again, November undoes the correction: there is no
    # original line and no line today, only the earlier correction to go by.
    late = [(0, ("K-C", "mailboxes"), 1)]
    ledger = close(inputs_with([]), MONTHS[0], ledger=Ledger())
    ledger = close(inputs_with(late), MONTHS[1], ledger)
    november = PLAIN.bill_open_month(
        inputs_with([]), MONTHS[2], ledger, UsageIndex.of_inputs(inputs_with([]))
    )
    undo = [li for li in november.lines if li.type == "correction"]
    assert [
        (li.customer_id, li.license_key, li.metric, li.quantity, li.unit_price, li.net, li.note)
        for li in undo
    ] == [("C-2", "K-C", "mailboxes", -1, D("2.40"), D("-2.40"),
           "correction of 2026-09: billed 1, now 0")]  # fmt: skip
    assert undo[0].corrects == MONTHS[0]
