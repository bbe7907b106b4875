"""Closing months: ledger, invoice numbers, corrections (SPEC section 4), on real files."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from conftest import run_cli
from workbook_tables import table_rows

from msp_workbook.app.close import close_month
from msp_workbook.core.months import Month


@pytest.fixture
def closed_october(make_workbook, example_data):
    path = make_workbook(example_data)
    result = run_cli("close", str(path), "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    return path, result.stdout


def set_usage(path, row: int, values: dict[str, object]) -> None:
    """Type into the Usage sheet as a user would (columns A..E = Date, License key, Metric,
    Quantity, Source), extending the table when the row is below it."""
    book = openpyxl.load_workbook(path)
    sheet = book["Usage"]
    for column, value in values.items():
        sheet[f"{column}{row}"] = value
    table = sheet.tables["Usage"]
    last = int(table.ref.split(":")[1][1:])
    if row > last:
        table.ref = f"A1:E{row}"
        table.autoFilter.ref = table.ref
    book.save(path)


def ledger(path) -> list[dict[str, object]]:
    return table_rows(path, "Ledger")


def test_close_numbers_invoices_in_customer_order_and_appends_the_lines(closed_october):
    path, stdout = closed_october
    assert stdout.splitlines()[0] == (
        "Closed 2026-10: 4 invoices (INV-2026-0001 .. INV-2026-0004), "
        "8 lines appended to the Ledger"
    )
    invoices = [(r["Customer ID"], r["Invoice"]) for r in table_rows(path, "Invoices")]
    assert invoices == [
        ("C-0001", "INV-2026-0001"),
        ("C-0002", "INV-2026-0002"),
        ("C-0003", "INV-2026-0003"),
        ("C-0004", "INV-2026-0004"),
    ]
    rows = ledger(path)
    assert [(r["Invoice"], r["License key"][-5:], r["Metric"], r["Quantity"]) for r in rows] == [
        ("INV-2026-0001", "CCCC2", "mailboxes", 42.0),
        ("INV-2026-0001", "CCCC3", "nodes", 10.0),
        ("INV-2026-0001", "CCCC3", "scans", 215.0),
        ("INV-2026-0002", "CCCC4", "mailboxes", 5.0),
        ("INV-2026-0002", "CCCC5", "users", 12.0),
        ("INV-2026-0003", "CCCC7", "mailboxes", 4.0),
        ("INV-2026-0003", "CCCC6", "users", 20.0),
        ("INV-2026-0004", "CCCC8", "mailboxes", 12.0),
    ]
    assert all(r["Finalized"] for r in rows)


def test_a_month_cannot_be_closed_twice(closed_october):
    path, _ = closed_october
    before = path.read_bytes()
    result = run_cli("close", str(path), "--month", "2026-10")
    assert (result.returncode, result.stderr) == (
        2,
        "msp-workbook: 2026-10 is already closed (invoices INV-2026-0001 .. INV-2026-0004)\n",
    )
    assert path.read_bytes() == before


def test_close_is_refused_while_checks_has_errors(make_workbook, example_data):
    data = dict(example_data)
    data["Usage"] = [dict(r) for r in data["Usage"]]
    data["Usage"][1]["Quantity"] = "12,5"
    path = make_workbook(data)
    before = path.read_bytes()
    result = run_cli("close", str(path), "--month", "2026-10")
    assert result.returncode == 2
    assert result.stderr == (
        "msp-workbook: 2026-10 cannot be closed: Checks has 1 errors (first: Usage!D3: quantity "
        'must be a whole number >= 0, got "12,5"); fix them and run again\n'
    )
    assert path.read_bytes() == before


def test_a_closed_month_is_shown_unchanged_after_its_usage_changed(closed_october):
    path, _ = closed_october
    set_usage(path, 4, {"D": 50})  # CCCC2's 42 mailboxes on 2026-10-20 become 50
    result = run_cli("recalc", str(path), "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    line = next(r for r in table_rows(path, "Billing") if r["License key"].endswith("CCCC2"))
    assert (line["Quantity"], line["Net"], line["Type"]) == (42.0, 100.8, "usage")
    assert [r["Invoice"] for r in table_rows(path, "Invoices")][0] == "INV-2026-0001"


def test_late_usage_becomes_a_correction_line_on_the_next_open_month(closed_october):
    path, _ = closed_october
    set_usage(path, 4, {"D": 45})  # October for CCCC2 now peaks at 45: 3 more mailboxes
    result = run_cli("recalc", str(path), "--month", "2026-11")
    assert result.returncode == 0, result.stderr
    [correction] = [r for r in table_rows(path, "Billing") if r["Type"] == "correction"]
    assert correction["License key"].endswith("CCCC2")
    assert (correction["Month"], correction["Corrects"], correction["Quantity"]) == (
        "2026-11",
        "2026-10",
        3.0,
    )
    # priced as the original line: 3 x 2.40 = 7.20; cost 3 x 1.60 = 4.80
    assert (correction["Unit price"], correction["Net"], correction["Cost"]) == (2.4, 7.2, 4.8)


def test_a_month_corrected_twice_nets_out(closed_october):
    path, _ = closed_october
    set_usage(path, 4, {"D": 45})
    assert run_cli("close", str(path), "--month", "2026-11").returncode == 0
    set_usage(path, 4, {"D": 42})  # back to what October first billed
    result = run_cli("recalc", str(path), "--month", "2026-12")
    assert result.returncode == 0, result.stderr
    corrections = [r for r in table_rows(path, "Billing") if r["Type"] == "correction"]
    # October: billed 42 + 3 (corrected in November), now 42 again: -3. November's estimated line
    # carried October forward (45 when it was closed, 42 now): -3 as well.
    assert [(r["Corrects"], r["Quantity"], r["Net"]) for r in corrections] == [
        ("2026-10", -3.0, -7.2),
        ("2026-11", -3.0, -7.2),
    ]


def test_invoice_numbers_continue_within_the_year_and_restart_with_a_new_year(closed_october):
    path, _ = closed_october
    result = run_cli("close", str(path), "--month", "2026-11")
    assert result.returncode == 0, result.stderr
    assert "INV-2026-0005 .. INV-2026-" in result.stdout.splitlines()[0]
    # Usage for January 2027: CCCC2 reports 40 mailboxes.
    set_usage(
        path,
        19,
        {"A": date(2027, 1, 15), "B": "K1111-AAAAA-BBBBB-CCCC2", "C": "mailboxes", "D": 40},
    )
    # Only a month that has ended can be closed: December and January are closed as on the
    # days after they end (the command line takes today's date; the same function behind it).
    close_month(path, Month(2026, 12), today=date(2027, 1, 4))
    january = close_month(path, Month(2027, 1), today=date(2027, 2, 1))
    assert january.numbers == tuple(f"INV-2027-{n:04d}" for n in range(1, 5))
    numbers = sorted({r["Invoice"] for r in ledger(path) if r["Invoice"].startswith("INV-2026")})
    assert numbers == [f"INV-2026-{n:04d}" for n in range(1, len(numbers) + 1)]


def test_closing_never_rewrites_earlier_ledger_rows(closed_october):
    path, _ = closed_october
    before = ledger(path)
    set_usage(path, 4, {"D": 45})
    assert run_cli("close", str(path), "--month", "2026-11").returncode == 0
    after = ledger(path)
    assert after[: len(before)] == before
    assert Decimal(str(sum(r["Net"] for r in after if r["Month"] == "2026-11"))) > 0
