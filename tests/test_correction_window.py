"""Setting `Correction months` (SPEC section 11): billing an open month recomputes only the
closed months among the `Correction months` months before it; older closed months are final."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest
from conftest import load_example, run_cli
from sheet_edits import set_cells, set_setting
from workbook_tables import table_rows

from msp_workbook import engine
from msp_workbook.app.check import check_workbook
from msp_workbook.core import corrections
from msp_workbook.core.closing import closing_entries
from msp_workbook.core.corrections import CorrectionWindow, correction_lines, correction_window
from msp_workbook.core.ledger import Ledger
from msp_workbook.core.models import Customer, Inputs, LicenseKey, Product, Settings, UsageReading
from msp_workbook.core.months import Month
from msp_workbook.core.numbering import number_invoices
from msp_workbook.core.usage import UsageIndex
from msp_workbook.engine import ARRAYS, PLAIN
from msp_workbook.workbook.template.builder import build_workbook

KC = Product(product_id="KC", product="KerioConnect", metric="mailboxes", aggregation="max",
             cost_per_unit=D("1.60"), price_per_unit=D("2.40"))  # fmt: skip
KEY = LicenseKey(license_key="K-A", customer_id="C-1", product_id="KC", start=date(2025, 1, 1),
                 end=None, status="active", source="Keys!A2")  # fmt: skip


def inputs(readings: dict[Month, int], correction_months: int) -> Inputs:
    usage = tuple(
        UsageReading(day=m.first_day.replace(day=10), license_key="K-A", metric="mailboxes",
                     quantity=q, row=i + 2, source=f"Usage!A{i + 2}")
        for i, (m, q) in enumerate(sorted(readings.items()))
    )  # fmt: skip
    return Inputs(
        settings=Settings(correction_months=correction_months),
        products=(KC,),
        annual_prices=(),
        customers=(Customer(customer_id="C-1", customer="One"),),
        keys=(KEY,),
        usage=usage,
    )


def closed_through(last: Month, first: Month, quantity: int, window: int) -> Ledger:
    """A ledger with every month from `first` to `last` closed, each billing `quantity`."""
    ledger, month = Ledger(), first
    readings = {}
    while month <= last:
        readings[month] = quantity
        given = inputs(readings, window)
        result = PLAIN.bill_open_month(given, month, ledger, UsageIndex.of_inputs(given))
        numbers = number_invoices(result.invoices, ledger, "INV-", month)
        entries = closing_entries(result.lines, result.invoices, numbers, datetime(2027, 1, 2))
        ledger = Ledger([*ledger.lines, *entries])
        month = month.shift(1)
    return ledger


def corrected_months(window: int, late: Month) -> list[str]:
    """The months corrected when billing 2026-12 after `late`'s usage rose from 10 to 11
    (every month from 2025-01 to 2026-11 closed at 10 mailboxes)."""
    ledger = closed_through(Month(2026, 11), Month(2025, 1), 10, window)
    readings = {m: 10 for m in ledger.closed_months()}
    readings[late] = 11
    given = inputs(readings, window)
    result = PLAIN.bill_open_month(given, Month(2026, 12), ledger, UsageIndex.of_inputs(given))
    return [str(li.corrects) for li in result.lines if li.type == "correction"]


def with_correction_months(folder, months: int):
    """The basic example's workbook with a `Correction months` row (the example has none)."""
    data = load_example("basic")
    data["Settings"].append({"Setting": "Correction months", "Value": months})
    path = folder / "book.xlsx"
    build_workbook(path, data)
    return path


def test_the_window_is_the_months_before_the_billing_month_up_to_the_setting():
    closed = [Month(2026, m) for m in range(1, 12)]
    assert correction_window(closed, Month(2026, 12), 3) == [
        Month(2026, 9),
        Month(2026, 10),
        Month(2026, 11),
    ]
    assert correction_window(closed, Month(2026, 12), 0) == []
    # Closed months after the billing month are never corrected by it.
    assert correction_window(closed, Month(2026, 6), 12) == closed[:5]


def test_the_corrections_are_of_the_window_given_not_one_worked_out_again():
    # Every month of 2026 up to November was closed at 10 mailboxes and now has 11; the
    # Settings say 12 months, the window given says two: only those two are corrected.
    ledger = closed_through(Month(2026, 11), Month(2026, 1), 10, 12)
    given = inputs({m: 11 for m in ledger.closed_months()}, 12)
    usage = UsageIndex.of_inputs(given)
    two = [Month(2026, 10), Month(2026, 11)]
    for quantities in (None, [{("K-A", "mailboxes"): 11}] * 2):
        lines = correction_lines(
            given, Month(2026, 12), ledger, usage, CorrectionWindow(two, quantities)
        )
        assert [(str(li.corrects), li.quantity) for li in lines] == [("2026-10", 1), ("2026-11", 1)]


def test_an_open_month_works_its_correction_window_out_once(monkeypatch):
    # The engine works the window out; the arrays' quantities and the corrections take it.
    ledger = closed_through(Month(2026, 11), Month(2026, 6), 10, 12)
    given = inputs({m: 11 for m in ledger.closed_months()}, 12)
    usage = UsageIndex.of_inputs(given)
    expected = PLAIN.bill_open_month(given, Month(2026, 12), ledger, usage)
    worked_out = []

    def counted(*args):
        worked_out.append(args)
        return correction_window(*args)

    monkeypatch.setattr(engine, "correction_window", counted)
    monkeypatch.setattr(corrections, "correction_window", counted)
    for chosen in (ARRAYS, PLAIN):
        assert chosen.bill_open_month(given, Month(2026, 12), ledger, usage) == expected
    assert len(worked_out) == 2  # once per open month billed
    assert sum(li.type == "correction" for li in expected.lines) == 6


@pytest.mark.parametrize(
    ("window", "late", "corrected"),
    [
        (12, Month(2025, 12), ["2025-12"]),  # the 12th month back: still corrected
        (12, Month(2025, 11), []),  # the 13th: final
        (3, Month(2026, 9), ["2026-09"]),
        (3, Month(2026, 8), []),
        (0, Month(2026, 11), []),  # no corrections at all
        (24, Month(2025, 1), ["2025-01"]),
    ],
)
def test_late_usage_is_corrected_only_inside_the_window(window, late, corrected):
    assert corrected_months(window, late) == corrected


def test_a_final_month_still_shows_as_it_was_closed_and_a_later_one_is_corrected(tmp_path):
    # The same rule on a real workbook through the command line: with `Correction months` = 1
    # late usage for October is not corrected in December; November, which carried October's
    # reading forward (it has no usage), is. With 2, October is corrected as well.
    path = with_correction_months(tmp_path, 1)
    for month in ("2026-10", "2026-11"):
        result = run_cli("close", str(path), "--month", month)
        assert result.returncode == 0, result.stderr
    rows = table_rows(path, "Usage")
    october = next(i for i, r in enumerate(rows, start=2) if str(r["Date"]).startswith("2026-10"))
    set_cells(path, "Usage", {f"D{october}": 999})
    result = run_cli("recalc", str(path), "--month", "2026-12")
    assert result.returncode == 0, result.stderr
    assert corrects(path) == ["2026-11"]
    set_setting(path, "Correction months", 2)
    result = run_cli("recalc", str(path), "--month", "2026-12")
    assert result.returncode == 0, result.stderr
    assert corrects(path) == ["2026-10", "2026-11"]


def corrects(path) -> list[str]:
    return sorted(r["Corrects"] for r in table_rows(path, "Billing") if r["Type"] == "correction")


@pytest.mark.parametrize("typed", [-1, 121, "twelve", 2.5])
def test_a_correction_months_value_out_of_range_is_an_error_on_its_cell(tmp_path, typed):
    path = with_correction_months(tmp_path, 12)
    cell = set_setting(path, "Correction months", typed)
    report = check_workbook(path, Month(2026, 10), today=date(2026, 12, 6))
    [found] = [c for c in report.checks if c.sheet == "Settings" and c.cell == cell]
    assert found.severity == "error"
    assert "from 0 to 120" in found.message or "whole number" in found.message
