"""A closed month stays as it was closed (SPEC sections 2 and 4): its Billing and Invoices come
from the Ledger alone, whatever Settings and Customers say later; an open month sees today's
values. Real files, the real command line; amounts worked out by hand from the worked example."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import REPO, run_cli
from sheet_edits import invoices, set_customer, set_setting
from workbook_tables import table_rows

from msp_workbook.workbook.package.opc import open_package

FIXTURE = REPO / "tests" / "fixtures" / "ledger_before_vat_columns.xlsx"


def set_price(path: Path, product_id: str, price: Decimal) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Products"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == product_id:
            row[5].value = price  # Price per unit
    book.save(path)


def recalc(path: Path, month: str) -> str:
    result = run_cli("recalc", str(path), "--month", month)
    assert result.returncode == 0, result.stderr
    return result.stdout


# The worked example's October as closed (tests/examples/basic/expected_Invoices_2026-10.csv):
# VAT 19 % on the net total; C-0003 (AT, with a VAT ID) under reverse charge.
OCTOBER = [
    ("INV-2026-0001", "C-0001", "Bäckerei Huber GmbH", 116.75, 0.19, 22.18, 138.93, "no"),
    ("INV-2026-0002", "C-0002", "Kanzlei Weber & Partner", 30.78, 0.19, 5.85, 36.63, "no"),
    ("INV-2026-0003", "C-0003", "Alpen IT e.U.", 54.60, 0.0, 0.0, 54.60, "yes"),
    ("INV-2026-0004", "C-0004", "Praxis Dr. Lang", 27.36, 0.19, 5.20, 32.56, "no"),
]


def change_everything(path: Path) -> None:
    """VAT rate 19 % -> 16 %; C-0002 moves to France with a VAT ID (reverse charge from now
    on); C-0003 moves to Germany (no longer reverse charge); C-0001 renamed; KC-MSP's price
    2.40 -> 2.60; C-0004's discount 5 % -> 20 %."""
    set_setting(path, "VAT rate", Decimal("0.16"))
    set_customer(path, "C-0002", Country="FR", VAT_ID="FR12345678901")
    set_customer(path, "C-0003", Country="DE")
    set_customer(path, "C-0001", Customer="Huber Backwaren AG")
    set_customer(path, "C-0004", Discount_pct=Decimal("0.20"))
    set_price(path, "KC-MSP", Decimal("2.60"))


def test_a_closed_month_keeps_its_billing_and_invoices_when_settings_customers_prices_change(
    make_workbook, example_data
):
    path = make_workbook(example_data)
    result = run_cli("close", str(path), "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    closed_billing, closed_invoices = table_rows(path, "Billing"), table_rows(path, "Invoices")
    assert invoices(path) == OCTOBER

    change_everything(path)
    stdout = recalc(path, "2026-10")
    assert stdout.splitlines()[2] == "Net 229.49 EUR, VAT 33.23 EUR, Gross 262.72 EUR"
    assert table_rows(path, "Billing") == closed_billing  # cell for cell
    assert table_rows(path, "Invoices") == closed_invoices
    assert invoices(path) == OCTOBER


def test_an_open_month_after_a_closed_one_sees_the_new_values(make_workbook, example_data):
    path = make_workbook(example_data)
    assert run_cli("close", str(path), "--month", "2026-10").returncode == 0
    change_everything(path)
    recalc(path, "2026-11")
    # November's lines (estimates carried forward from October, minimums) at today's values:
    # C-0001: 42 mailboxes x 2.60 = 109.20 + 10 nodes (minimum) x 0.95 = 9.50 -> 118.70;
    #         VAT 16 % = 18.992 -> 18.99.
    # C-0002: 5 mailboxes (minimum) x 2.60 x 0.90 = 11.70; France with a VAT ID: reverse charge.
    # C-0003: 20 users x 2.25 = 45.00 (the suspended key reports nothing); Germany: VAT 7.20.
    # C-0004: 12 mailboxes x 2.60 x 0.80 = 24.96 (+ 0 users); VAT 3.9936 -> 3.99.
    assert invoices(path) == [
        ("", "C-0001", "Huber Backwaren AG", 118.70, 0.16, 18.99, 137.69, "no"),
        ("", "C-0002", "Kanzlei Weber & Partner", 11.70, 0.0, 0.0, 11.70, "yes"),
        ("", "C-0003", "Alpen IT e.U.", 45.00, 0.16, 7.20, 52.20, "no"),
        ("", "C-0004", "Praxis Dr. Lang", 24.96, 0.16, 3.99, 28.95, "no"),
    ]


def test_every_closed_month_stays_as_closed_across_several_closes(make_workbook, example_data):
    path = make_workbook(example_data)
    assert run_cli("close", str(path), "--month", "2026-10").returncode == 0
    october = (table_rows(path, "Billing"), table_rows(path, "Invoices"))
    change_everything(path)
    assert run_cli("close", str(path), "--month", "2026-11").returncode == 0
    november = (table_rows(path, "Billing"), table_rows(path, "Invoices"))
    # Closed with the values of its closing (the open-month figures above, now numbered).
    assert [(i[0], i[3], i[5], i[7]) for i in invoices(path)] == [
        ("INV-2026-0005", 118.70, 18.99, "no"),
        ("INV-2026-0006", 11.70, 0.0, "yes"),
        ("INV-2026-0007", 45.00, 7.20, "no"),
        ("INV-2026-0008", 24.96, 3.99, "no"),
    ]
    # And again: VAT 20 %, C-0002 loses its VAT ID, C-0003 goes back to Austria.
    set_setting(path, "VAT rate", Decimal("0.20"))
    set_customer(path, "C-0002", VAT_ID=None)
    set_customer(path, "C-0003", Country="AT")
    for month, (billing, closed) in (("2026-10", october), ("2026-11", november)):
        recalc(path, month)
        assert (table_rows(path, "Billing"), table_rows(path, "Invoices")) == (billing, closed)


# --- A Ledger closed before it recorded VAT rate and reverse charge ------------------------------


def ledger_rows_xml(path: Path) -> dict[int, str]:
    """The Ledger sheet's <row> elements by row number, as stored."""
    with open_package(path) as package:
        sheet = package.sheet("Ledger")
        assert sheet is not None
        text = package.read(sheet.part).decode()
    return {int(m[1]): m[0] for m in re.finditer(r'<row r="(\d+)".*?</row>', text, re.S)}


@pytest.fixture
def old_ledger(tmp_path) -> Path:
    path = tmp_path / "old.xlsx"
    shutil.copyfile(FIXTURE, path)
    return path


def test_a_ledger_from_before_keeps_its_rows_byte_for_byte_when_closed_onward(old_ledger):
    path = old_ledger
    before = ledger_rows_xml(path)
    assert sorted(before) == list(range(1, 10))  # header and October's 8 lines
    result = run_cli("close", str(path), "--month", "2026-11")
    assert result.returncode == 0, result.stderr
    after = ledger_rows_xml(path)
    assert {n: after[n] for n in range(2, 10)} == {n: before[n] for n in range(2, 10)}
    rows = table_rows(path, "Ledger")
    assert list(rows[0])[-3:] == ["Finalized", "VAT rate", "Reverse charge"]  # added at the end
    assert {(r["VAT rate"], r["Reverse charge"]) for r in rows[:8]} == {("", "")}
    # November's lines carry their invoice's VAT rate and reverse charge (C-0003: AT, VAT ID).
    assert [(r["Customer ID"], r["VAT rate"], r["Reverse charge"]) for r in rows[8:]] == [
        ("C-0001", 0.19, "no"),
        ("C-0001", 0.19, "no"),
        ("C-0001", 0.19, "no"),
        ("C-0002", 0.19, "no"),
        ("C-0003", 0.0, "yes"),
        ("C-0004", 0.19, "no"),
        ("C-0004", 0.19, "no"),
    ]
    # The added VAT rate column shows a percentage, like the table's Discount % column.
    sheet = openpyxl.load_workbook(path)["Ledger"]
    assert [sheet.cell(r, 20).number_format for r in (9, 10, 16)] == ["General", "0.0%", "0.0%"]


def test_a_month_closed_before_uses_todays_vat_with_one_info_check(old_ledger):
    path = old_ledger
    stdout = recalc(path, "2026-10")
    assert stdout.splitlines()[2] == "Net 229.49 EUR, VAT 33.23 EUR, Gross 262.72 EUR"
    assert invoices(path) == OCTOBER
    infos = [r for r in table_rows(path, "Checks") if "recorded" in r["Message"]]
    assert infos == [
        {
            "Severity": "info",
            "Sheet": "Ledger",
            "Cell": "",
            "Message": "2026-10 was closed before the Ledger recorded each invoice's VAT rate "
            "and reverse charge: its invoices use today's VAT rate (Settings) and customers' "
            "Country and VAT ID (Customers)",
        }
    ]
    # Today's values, as the check says: VAT 16 % on the three invoices not under reverse
    # charge: 116.75 x 0.16 = 18.68; 30.78 x 0.16 = 4.9248 -> 4.92; 27.36 x 0.16 = 4.3776 -> 4.38.
    set_setting(path, "VAT rate", Decimal("0.16"))
    recalc(path, "2026-10")
    assert [(i[0], i[5]) for i in invoices(path)] == [
        ("INV-2026-0001", 18.68),
        ("INV-2026-0002", 4.92),
        ("INV-2026-0003", 0.0),
        ("INV-2026-0004", 4.38),
    ]


def test_a_month_closed_after_the_old_ones_keeps_its_own_vat(old_ledger):
    path = old_ledger
    assert run_cli("close", str(path), "--month", "2026-11").returncode == 0
    closed = table_rows(path, "Invoices")
    set_setting(path, "VAT rate", Decimal("0.16"))
    set_customer(path, "C-0003", Country="DE")
    stdout = recalc(path, "2026-11")
    assert table_rows(path, "Invoices") == closed
    # 2026-11 was closed with the Ledger's new columns: no info check about it.
    assert not [r for r in table_rows(path, "Checks") if "recorded" in r["Message"]]
    assert "Billing month 2026-11: 7 lines, 4 invoices" in stdout
