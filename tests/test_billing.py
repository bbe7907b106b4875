"""The billing rules of a month, one behaviour per test, with numbers worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from records import MAILBOXES

from msp_workbook.core.billing import bill_month
from msp_workbook.core.models import (
    Customer,
    Inputs,
    LicenseKey,
    Product,
    Settings,
    UsageReading,
)
from msp_workbook.core.months import Month
from msp_workbook.core.usage import UsageIndex

OCT = Month(2026, 10)
NODES = Product(
    product_id="LG-MSP",
    product="GFI LanGuard MSP",
    metric="nodes",
    aggregation="max",
    cost_per_unit=D("0.60"),
    price_per_unit=D("0.95"),
    minimum_units=10,
)
SCANS = NODES.model_copy(
    update={
        "metric": "scans",
        "aggregation": "sum",
        "cost_per_unit": D("0.02"),
        "price_per_unit": D("0.03"),
        "minimum_units": 0,
    }
)
ACME = Customer(customer_id="C-1", customer="Acme GmbH", country="DE", source="Customers!A2")


def key(name: str = "K-1", product: str = "KC-MSP", **kw: object) -> LicenseKey:
    fields: dict = {
        "license_key": name,
        "customer_id": "C-1",
        "product_id": product,
        "start": date(2026, 1, 1),
        "end": None,
        "status": "active",
        "source": "Keys!A2",
    }
    fields.update(kw)
    return LicenseKey(**fields)


def reading(day: date, qty: int, key_name: str = "K-1", metric: str = "mailboxes", row: int = 2):
    return UsageReading(
        day=day, license_key=key_name, metric=metric, quantity=qty, row=row, source=f"Usage!B{row}"
    )


def run(keys, usage, products=(MAILBOXES,), customers=(ACME,), settings=None, month=OCT):
    inputs = Inputs(
        settings=settings or Settings(country="DE", vat_rate=D("0.19")),
        products=tuple(products),
        annual_prices=(),
        customers=tuple(customers),
        keys=tuple(keys),
        usage=tuple(usage),
    )
    return bill_month(inputs, month, UsageIndex.of_inputs(inputs))


def quantities(result) -> list[tuple[str, str, int, str]]:
    return [(li.license_key, li.metric, li.quantity, li.type) for li in result.lines]


# --- 1. which keys are billable ------------------------------------------------------------------


def test_key_starting_after_the_month_is_not_billed():
    result = run([key(start=date(2026, 11, 1))], [reading(date(2026, 10, 5), 20)])
    assert result.lines == ()


def test_key_ending_before_the_month_is_not_billed_and_its_usage_is_reported():
    result = run(
        [key(status="cancelled", end=date(2026, 9, 30))], [reading(date(2026, 10, 5), 20, row=7)]
    )
    assert result.lines == ()
    assert [(c.severity, c.sheet, c.cell) for c in result.checks] == [("warning", "Usage", "B7")]
    assert "not billed" in result.checks[0].message


def test_key_cancelled_inside_the_month_is_billed_for_the_whole_month():
    result = run([key(status="cancelled", end=date(2026, 10, 1))], [reading(date(2026, 10, 1), 20)])
    assert quantities(result) == [("K-1", "mailboxes", 20, "usage")]


def test_key_starting_on_the_last_day_is_billed():
    result = run([key(start=date(2026, 10, 31))], [reading(date(2026, 10, 31), 8)])
    assert quantities(result) == [("K-1", "mailboxes", 8, "usage")]


# --- 2. aggregation ------------------------------------------------------------------------------


def test_max_takes_the_highest_reading_of_the_month_only():
    usage = [
        reading(date(2026, 9, 30), 99),
        reading(date(2026, 10, 2), 40),
        reading(date(2026, 10, 9), 42),
    ]
    assert quantities(run([key()], usage)) == [("K-1", "mailboxes", 42, "usage")]


def test_sum_adds_the_readings():
    usage = [
        reading(date(2026, 10, 8), 120, "K-1", "scans"),
        reading(date(2026, 10, 22), 95, "K-1", "scans"),
        reading(date(2026, 10, 31), 12, "K-1", "nodes"),
    ]
    result = run([key(product="LG-MSP")], usage, products=(NODES, SCANS))
    assert quantities(result) == [("K-1", "nodes", 12, "usage"), ("K-1", "scans", 215, "usage")]


def test_avg_is_rounded_up_to_a_whole_unit():
    avg = MAILBOXES.model_copy(update={"aggregation": "avg", "minimum_units": 0})
    up = run(
        [key()], [reading(date(2026, 10, 1), 10), reading(date(2026, 10, 9), 13)], products=(avg,)
    )
    exact = run(
        [key()], [reading(date(2026, 10, 1), 10), reading(date(2026, 10, 9), 12)], products=(avg,)
    )
    assert quantities(up)[0][2] == 12  # 11.5 -> 12
    assert quantities(exact)[0][2] == 11  # 11 stays 11


def test_last_takes_the_latest_date_and_on_a_tie_the_lower_row():
    last = MAILBOXES.model_copy(update={"aggregation": "last", "minimum_units": 0})
    usage = [
        reading(date(2026, 10, 31), 21, row=4),
        reading(date(2026, 10, 31), 20, row=9),
        reading(date(2026, 10, 20), 50, row=12),
    ]
    assert quantities(run([key()], usage, products=(last,)))[0][2] == 20


# --- 3. missing usage ----------------------------------------------------------------------------


def test_missing_reading_is_carried_forward_from_the_latest_earlier_month():
    usage = [
        reading(date(2026, 7, 31), 11),
        reading(date(2026, 8, 31), 12),
        reading(date(2026, 8, 1), 9),
    ]
    result = run([key(source="Keys!A9")], usage)
    assert quantities(result) == [("K-1", "mailboxes", 12, "estimated")]
    [warning] = result.checks
    # What to change is the missing reading: the warning is about Usage; the run gives it the
    # row where the next reading goes (the billing rules do not know the sheet's rows).
    assert (warning.severity, warning.sheet, warning.cell) == ("warning", "Usage", "")
    assert warning.message == (
        "key K-1: no mailboxes reported for 2026-10: carried forward 12 from 2026-08 "
        "(estimated line)"
    )


def test_missing_reading_with_zero_setting_bills_the_minimum_as_estimated():
    settings = Settings(missing_usage="zero")
    result = run([key()], [reading(date(2026, 9, 30), 30)], settings=settings)
    assert quantities(result) == [("K-1", "mailboxes", 5, "estimated")]


def test_missing_reading_without_history_is_an_estimated_zero_line_that_is_kept():
    free = MAILBOXES.model_copy(update={"minimum_units": 0})
    result = run([key()], [], products=(free,))
    assert quantities(result) == [("K-1", "mailboxes", 0, "estimated")]
    assert result.lines[0].net == D("0.00")


def test_missing_sum_metric_is_zero_even_with_carry_forward():
    usage = [
        reading(date(2026, 9, 10), 300, "K-1", "scans"),
        reading(date(2026, 10, 3), 12, "K-1", "nodes"),
    ]
    result = run([key(product="LG-MSP")], usage, products=(NODES, SCANS))
    assert quantities(result) == [("K-1", "nodes", 12, "usage"), ("K-1", "scans", 0, "estimated")]


# --- 4. minimum --------------------------------------------------------------------------------


def test_minimum_raises_quantity_and_marks_line():
    result = run([key()], [reading(date(2026, 10, 31), 3)])
    line = result.lines[0]
    assert (line.quantity, line.type, line.net) == (5, "minimum", D("12.00"))


def test_suspended_key_is_billed_for_reported_usage_without_minimum():
    result = run([key(status="suspended")], [reading(date(2026, 10, 15), 4)])
    assert quantities(result) == [("K-1", "mailboxes", 4, "usage")]


def test_suspended_key_without_usage_gets_no_estimate():
    result = run([key(status="suspended")], [reading(date(2026, 9, 15), 4)])
    assert result.lines == () and result.checks == ()


# --- 5. money ------------------------------------------------------------------------------------


def test_net_is_rounded_half_up_per_line_after_discount():
    # 1 user x 2.25 x (1 - 0.10) = 2.025 -> 2.03 (half up; binary floats would give 2.02)
    product = MAILBOXES.model_copy(update={"price_per_unit": D("2.25"), "minimum_units": 0})
    customer = ACME.model_copy(update={"discount": D("0.10")})
    line = run(
        [key()], [reading(date(2026, 10, 1), 1)], products=(product,), customers=(customer,)
    ).lines[0]
    assert (line.net, line.cost, line.margin) == (D("2.03"), D("1.60"), D("0.43"))


def test_cost_is_quantity_times_unit_cost_rounded_half_up():
    # 3 x 0.335 = 1.005 -> 1.01
    product = MAILBOXES.model_copy(update={"cost_per_unit": D("0.335"), "minimum_units": 0})
    line = run([key()], [reading(date(2026, 10, 1), 3)], products=(product,)).lines[0]
    assert (line.net, line.cost, line.margin) == (D("7.20"), D("1.01"), D("6.19"))


# --- 6. zero lines -------------------------------------------------------------------------------


def test_line_with_quantity_zero_is_left_out():
    free = MAILBOXES.model_copy(update={"minimum_units": 0})
    assert run([key()], [reading(date(2026, 10, 1), 0)], products=(free,)).lines == ()


# --- 7. invoices ---------------------------------------------------------------------------------


def test_vat_is_computed_on_the_invoice_total_not_per_line():
    # two lines of 0.03: per line 0.0057 -> 0.01 each (0.02);
    # on the total 0.06 x 0.19 = 0.0114 -> 0.01
    cheap = MAILBOXES.model_copy(update={"price_per_unit": D("0.03"), "minimum_units": 0})
    result = run(
        [key("K-1"), key("K-2")],
        [reading(date(2026, 10, 1), 1, "K-1"), reading(date(2026, 10, 1), 1, "K-2")],
        products=(cheap,),
    )
    [invoice] = result.invoices
    assert (invoice.net, invoice.vat, invoice.gross, invoice.lines) == (
        D("0.06"),
        D("0.01"),
        D("0.07"),
        2,
    )


def test_foreign_customer_with_vat_id_gets_reverse_charge():
    at = ACME.model_copy(update={"country": "AT", "vat_id": "ATU12345678"})
    [invoice] = run([key()], [reading(date(2026, 10, 1), 10)], customers=(at,)).invoices
    assert (invoice.net, invoice.vat_rate, invoice.vat, invoice.reverse_charge) == (
        D("24.00"),
        D("0"),
        D("0.00"),
        True,
    )


def test_foreign_customer_without_vat_id_or_without_country_pays_vat():
    for customer in (
        ACME.model_copy(update={"country": "AT"}),
        ACME.model_copy(update={"country": "", "vat_id": "XX123"}),
    ):
        [invoice] = run([key()], [reading(date(2026, 10, 1), 10)], customers=(customer,)).invoices
        assert (invoice.vat, invoice.gross, invoice.reverse_charge) == (
            D("4.56"),
            D("28.56"),
            False,
        )


# --- 8. order ------------------------------------------------------------------------------------


def test_lines_sorted_by_customer_product_key_metric_and_invoices_by_customer():
    other = Customer(customer_id="C-0", customer="Zeta AG", country="DE")
    keys = [
        key("K-9", product="LG-MSP"),
        key("K-2"),
        key("K-1", customer_id="C-0"),
        key("K-3"),
    ]
    usage = [reading(date(2026, 10, 1), 20, k.license_key) for k in keys]
    usage += [
        reading(date(2026, 10, 1), 20, "K-9", "nodes"),
        reading(date(2026, 10, 1), 5, "K-9", "scans"),
    ]
    result = run(keys, usage, products=(MAILBOXES, NODES, SCANS), customers=(ACME, other))
    assert [(li.customer_id, li.product_id, li.license_key, li.metric) for li in result.lines] == [
        ("C-0", "KC-MSP", "K-1", "mailboxes"),
        ("C-1", "KC-MSP", "K-2", "mailboxes"),
        ("C-1", "KC-MSP", "K-3", "mailboxes"),
        ("C-1", "LG-MSP", "K-9", "nodes"),
        ("C-1", "LG-MSP", "K-9", "scans"),
    ]
    assert [i.customer_id for i in result.invoices] == ["C-0", "C-1"]


# --- One input: the readings billed are the reader's ----------------------------------------------


def test_billing_a_bulk_read_needs_its_usage_index_and_then_matches_the_command(demo):
    """The command line's reader aggregates Usage in bulk and leaves `inputs.usage` empty. The
    obvious call without the readings is refused, never billed as all-estimated lines."""
    from conftest import run_cli

    from msp_workbook.workbook.read import read_workbook

    month = Month(2026, 10)
    read = read_workbook(demo, month=month)
    assert read.inputs.readings_elsewhere and read.inputs.usage == ()
    with pytest.raises(TypeError):
        bill_month(read.inputs, month)  # type: ignore[call-arg]  # no silent default
    with pytest.raises(ValueError, match="aggregated them in bulk"):
        UsageIndex.of_inputs(read.inputs)
    result = bill_month(read.inputs, month, read.usage_index())
    lines = run_cli("check", str(demo), "--month", str(month)).stdout.splitlines()
    assert lines[0] == (
        f"Billing month {month}: {len(result.lines)} lines, {len(result.invoices)} invoices"
    )
    net = sum((i.net for i in result.invoices), D(0))
    assert lines[1].startswith(f"Net {net:,.2f} EUR")
    estimated = [line for line in result.lines if line.type == "estimated"]
    assert len(estimated) == sum("(estimated line)" in line for line in lines) < 5
