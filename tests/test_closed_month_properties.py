"""Property: edits of Settings (VAT rate, Country) and Customers (Country, VAT ID, Discount)
between closes never change a closed month's lines or invoices; an open month bills with them.
In memory through the core functions, and on a real file for a couple of cases."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path

from conftest import load_example
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sheet_edits import invoices, set_customer, set_setting

from msp_workbook.app.close import close_month
from msp_workbook.app.recalc import recalculate
from msp_workbook.core.closing import closed_month_view, closing_entries
from msp_workbook.core.ledger import Ledger
from msp_workbook.core.models import Customer, Inputs, LicenseKey, Product, Settings, UsageReading
from msp_workbook.core.months import Month
from msp_workbook.core.numbering import number_invoices
from msp_workbook.core.usage import UsageIndex
from msp_workbook.engine import PLAIN
from msp_workbook.workbook.template.builder import build_workbook

MONTHS = [Month(2026, 9).shift(i) for i in range(5)]
PRODUCTS = (
    Product(product_id="KC", product="KerioConnect", metric="mailboxes", aggregation="max",
            cost_per_unit=D("1.60"), price_per_unit=D("2.40"), minimum_units=5),
    Product(product_id="LG", product="LanGuard", metric="nodes", aggregation="max",
            cost_per_unit=D("0.60"), price_per_unit=D("0.95"), minimum_units=10),
)  # fmt: skip
CUSTOMER_IDS = ("C-1", "C-2", "C-3")
KEYS = tuple(
    LicenseKey(license_key=f"K-{i}{p}", customer_id=c, product_id=p, start=date(2026, 1, 1),
               end=None, status="active", source=f"Keys!A{i + 2}")
    for i, c in enumerate(CUSTOMER_IDS) for p in ("KC", "LG")
)  # fmt: skip
USAGE = tuple(
    UsageReading(day=m.first_day, license_key=k.license_key,
                 metric="mailboxes" if k.product_id == "KC" else "nodes",
                 quantity=7 + 3 * n + i, row=2 + n * 10 + i, source=f"Usage!B{2 + n * 10 + i}")
    for n, m in enumerate(MONTHS) for i, k in enumerate(KEYS)
)  # fmt: skip

rates = st.sampled_from([D("0"), D("0.07"), D("0.16"), D("0.19"), D("0.2")])
countries = st.sampled_from(["", "DE", "AT", "FR"])
customer_edit = st.tuples(
    countries, st.sampled_from(["", "ATU12345678"]), st.sampled_from([D(0), D("0.05"), D("0.5")])
)
edit = st.tuples(rates, st.sampled_from(["DE", "AT"]), st.tuples(*[customer_edit] * 3))


def inputs_after(change: tuple) -> Inputs:
    rate, country, customers = change
    return Inputs(
        settings=Settings(vat_rate=rate, country=country),
        products=PRODUCTS,
        annual_prices=(),
        customers=tuple(
            Customer(customer_id=cid, customer=f"Customer {cid}", country=c, vat_id=v, discount=d)
            for cid, (c, v, d) in zip(CUSTOMER_IDS, customers, strict=True)
        ),
        keys=KEYS,
        usage=USAGE,
    )


@settings(max_examples=40, deadline=None)
@given(changes=st.lists(edit, min_size=2, max_size=len(MONTHS)))
def test_edits_between_closes_never_change_a_closed_months_invoices(changes):
    ledger = Ledger()
    as_closed: dict[Month, tuple] = {}
    for month, change in zip(MONTHS, changes, strict=False):
        inputs = inputs_after(change)
        for closed, (lines, closed_invoices) in as_closed.items():
            assert closed_month_view(ledger, inputs, closed) == (lines, closed_invoices, [])
        # The open month bills with today's values.
        result = PLAIN.bill_open_month(inputs, month, ledger, UsageIndex.of_inputs(inputs))
        for invoice in result.invoices:
            expected = D(0) if invoice.reverse_charge else inputs.settings.vat_rate
            assert invoice.vat_rate == expected
        numbers = number_invoices(result.invoices, ledger, "INV-", month)
        finalized = datetime(2027, 6, 1)
        entries = closing_entries(result.lines, result.invoices, numbers, finalized)
        ledger = Ledger([*ledger.lines, *entries])
        numbered = [
            i.model_copy(update={"invoice": numbers[i.customer_id]}) for i in result.invoices
        ]
        as_closed[month] = (list(result.lines), numbered)


_EXAMPLE = itertools.count()


@settings(
    max_examples=2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(change=edit)
def test_on_a_real_file_edits_after_closing_leave_the_closed_invoices_as_they_were(
    tmp_path: Path, change
):
    path = tmp_path / f"book-{next(_EXAMPLE)}.xlsx"  # the fixture's folder serves every example
    build_workbook(path, load_example("basic"))
    close_month(path, Month(2026, 10), today=date(2026, 11, 5))
    closed = invoices(path)
    rate, country, customers = change
    set_setting(path, "VAT rate", rate)
    set_setting(path, "Country", country)
    for cid, (c, v, d) in zip(("C-0001", "C-0002", "C-0003"), customers, strict=True):
        set_customer(path, cid, Country=c or None, VAT_ID=v or None, Discount_pct=d)
    recalculate(path, Month(2026, 10))
    assert invoices(path) == closed
