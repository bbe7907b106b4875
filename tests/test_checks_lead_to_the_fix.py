"""Checks lead a billing clerk to the fix: each Cell is a link to the cell it names, the customer
a finding concerns stands beside it, follow-on errors of one root cause are said once with the
cell to fix, and a missing reading's warning points at the Usage row where it goes. Billing
shows the month's totals and whether its bill is final beside its lines.

Everything is read back from the real file after the real command, with openpyxl and calamine
(not the program's reader), and worked out from the workbook's own rows."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import DEMO_TODAY, run_cli
from sheet_edits import set_cells
from workbook_tables import table_rows

from msp_workbook.app.demo import build_demo
from msp_workbook.core.check_customers import customers_of
from msp_workbook.core.models import Check, Customer, LicenseKey

MONTH = "2026-10"  # the demo's billing month (DEMO_TODAY)


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo workbook (its estimated line and the Austrian customer without a VAT ID give
    two warnings), recalculated by the command line: the file and what the command printed."""
    path = tmp_path_factory.mktemp("checks") / "demo.xlsx"
    build_demo(path, today=DEMO_TODAY)
    result = run_cli("recalc", str(path), "--month", MONTH)
    assert result.returncode == 0, result.stderr
    return path, result.stdout


@pytest.fixture(scope="module")
def demo_last_month(recalculated: tuple[Path, str]) -> Path:
    return recalculated[0]


def _checks(path: Path) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(path)["Checks"]
    return [
        (row[0].value, row[1].value, row[2].value, row[3].value, row[5].value, row[2].hyperlink)
        for row in sheet.iter_rows(min_row=2, max_col=6)
        if row[0].value
    ]


def _table_last_row(path: Path, table: str) -> int:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/tables/"):
                text = z.read(name).decode()
                if f'name="{table}"' in text:
                    ref = re.search(r'ref="[A-Z]+\d+:[A-Z]+(\d+)"', text)
                    assert ref
                    return int(ref[1])
    raise AssertionError(f"no table {table}")


def test_every_cell_on_checks_links_to_the_cell_it_names(demo_last_month):
    rows = _checks(demo_last_month)
    book = openpyxl.load_workbook(demo_last_month)
    linked = [r for r in rows if r[1] and r[2]]
    assert linked, rows
    for _severity, sheet, cell, _message, _customer, link in linked:
        assert link is not None, (sheet, cell)
        assert link.location == f"'{sheet}'!{cell}"
        assert sheet in book.sheetnames  # the link leads somewhere that exists
        book[sheet][cell]  # a cell of that sheet  # noqa: B018
    # A finding without a cell (the ready-to-close info) has no link.
    assert all(r[5] is None for r in rows if not r[2])


def test_the_estimated_lines_warning_points_at_the_usage_row_where_the_reading_goes(
    demo_last_month,
):
    """Keys!A13 was where the key is, but what to change is the missing reading on Usage: the
    warning points at the Date cell under the Usage table."""
    [estimated] = [r for r in _checks(demo_last_month) if "(estimated line)" in r[3]]
    assert estimated[1] == "Usage"
    assert estimated[2] == f"A{_table_last_row(demo_last_month, 'Usage') + 1}"


def test_checks_name_the_customer_a_finding_concerns(demo_last_month):
    customers = {r["Customer ID"]: r["Customer"] for r in table_rows(demo_last_month, "Customers")}
    key_owner = {r["License key"]: r["Customer ID"] for r in table_rows(demo_last_month, "Keys")}
    rows = _checks(demo_last_month)
    [vat] = [r for r in rows if "has no VAT ID" in r[3]]
    assert vat[4] == f"C-0027 {customers['C-0027']}"
    [estimated] = [r for r in rows if "(estimated line)" in r[3]]
    key = re.search(r"key (\S+):", estimated[3])[1]
    owner = key_owner[key]
    assert estimated[4] == f"{owner} {customers[owner]}"
    [ready] = [r for r in rows if r[0] == "info"]
    assert ready[4] is None  # about the whole month: no one


def test_billing_shows_the_months_totals_and_that_the_bill_is_a_draft(recalculated):
    demo_last_month, printed = recalculated
    lines = table_rows(demo_last_month, "Billing")
    net = sum(Decimal(str(r["Net"])) for r in lines)
    cost = sum(Decimal(str(r["Cost"])) for r in lines)
    sheet = openpyxl.load_workbook(demo_last_month, data_only=True)["Billing"]
    headers = [c.value for c in sheet[1]]
    block = headers.index("Bill")
    assert headers[block : block + 8] == [
        "Bill",
        "Lines",
        "Invoices",
        "Total net",
        "Total VAT",
        "Total gross",
        "Total cost",
        "Total margin",
    ]
    values = [c.value for c in sheet[2]][block : block + 8]
    summary = re.search(
        r"(\d+) lines, (\d+) invoices\nNet ([\d,.]+) EUR, VAT ([\d,.]+) EUR, Gross ([\d,.]+) EUR",
        printed,
    )
    money = [Decimal(summary[i].replace(",", "")) for i in (3, 4, 5)]
    invoices = table_rows(demo_last_month, "Invoices")
    assert values[0] == "draft"
    assert values[1] == len(lines) == int(summary[1])
    assert values[2] == len(invoices) == int(summary[2])
    assert [Decimal(str(v)) for v in values[3:6]] == money
    assert Decimal(str(values[3])) == net
    assert Decimal(str(values[4])) == sum(Decimal(str(r["VAT"])) for r in invoices)
    assert Decimal(str(values[6])) == cost
    assert Decimal(str(values[7])) == net - cost


def test_the_highlighting_and_links_survive_a_recalculation(demo_last_month, tmp_path):
    """The template's conditional formats (Billing by Type, Checks by severity) are the
    sheet's, kept by every rewrite; the links are rewritten with the rows."""
    path = tmp_path / "again.xlsx"
    shutil.copy(demo_last_month, path)
    assert run_cli("recalc", str(path), "--month", MONTH).returncode == 0
    book = openpyxl.load_workbook(path)
    billing = book["Billing"].conditional_formatting
    formulas = {r.formula[0] for cf in billing for r in cf.rules}
    assert {'$O2="estimated"', '$O2="minimum"', '$O2="correction"'} <= formulas
    checks = book["Checks"].conditional_formatting
    formulas = {r.formula[0] for cf in checks for r in cf.rules}
    assert {'$A2="error"', '$A2="warning"', '$A2="info"'} <= formulas
    links = [c.hyperlink.location for row in book["Checks"].iter_rows() for c in row if c.hyperlink]
    assert len(links) == 2
    assert book["Billing"].HeaderFooter.oddHeader.left.text == "&A"


def test_follow_on_errors_of_one_root_cause_are_said_once(demo_last_month, tmp_path):
    """A product's price typed wrong leaves out the product, its keys, and their readings. The
    price is one error; Keys says once that the product's rows are left out; Usage says once
    that the readings of all those keys are left out, naming the cell to fix, instead of one
    error per key."""
    path = tmp_path / "broken.xlsx"
    shutil.copy(demo_last_month, path)
    products = table_rows(path, "Products")
    [row] = [i for i, r in enumerate(products, start=2) if r["Product ID"] == "KC-MSP"]
    set_cells(path, "Products", {f"F{row}": "abc"})
    result = run_cli("check", str(path), "--month", MONTH)
    errors = [line for line in result.stdout.splitlines() if line.startswith("error: ")]
    keys = [r["License key"] for r in table_rows(path, "Keys") if r["Product ID"] == "KC-MSP"]
    readings = [r for r in table_rows(path, "Usage") if r["License key"] in keys]
    annual = [r for r in table_rows(path, "AnnualPrices") if r["Product ID"] == "KC-MSP"]
    assert errors[0] == (f'error: Products!F{row}: price per unit must be a number >= 0, got "abc"')
    assert errors[1].startswith(
        f'error: AnnualPrices!A2: product ID "KC-MSP" has errors on Products; fix them first '
        f"(its {len(annual)} rows here left out"
    )
    assert (
        f'product ID "KC-MSP" has errors on Products; fix them first (its {len(keys)} rows'
        in (errors[2])
    )
    usage = [e for e in errors if e.startswith("error: Usage!")]
    assert len(usage) == 1, usage
    assert (
        f"{len({r['License key'] for r in readings})} license keys left out on Keys because of "
        f"Products!F{row}: fix that cell first ({len(readings)} rows here left out too"
    ) in usage[0]
    assert len(errors) == 4


def test_a_key_with_an_error_of_its_own_keeps_its_own_follow_on_error(tmp_path, demo_last_month):
    """Two keys left out for errors of their own: each is a root cause, and its readings get
    an error of their own naming the key, as before."""
    path = tmp_path / "keys.xlsx"
    shutil.copy(demo_last_month, path)
    keys = table_rows(path, "Keys")
    used = Counter(r["License key"] for r in table_rows(path, "Usage"))
    picked = [i for i, r in enumerate(keys, start=2) if used[r["License key"]]][:2]
    set_cells(path, "Keys", {f"E{row}": "someday" for row in picked})
    result = run_cli("check", str(path), "--month", MONTH)
    usage = [line for line in result.stdout.splitlines() if line.startswith("error: Usage!")]
    assert len(usage) == 2
    for row in picked:
        key = keys[row - 2]["License key"]
        assert any(f'license key "{key}" has errors on Keys; fix them first' in u for u in usage)


def test_the_customer_of_a_finding_by_its_row_or_by_an_id_in_its_message():
    customers = [
        Customer(customer_id="C-1", customer="Alpha GmbH", cells={"Country": "Customers!D2"}),
        Customer(customer_id="C-2", customer="Beta KG", cells={"Country": "Customers!D3"}),
    ]
    from datetime import date

    keys = [
        LicenseKey(
            license_key="AAAAA-11111",
            customer_id="C-2",
            product_id="P",
            start=date(2026, 1, 1),
            end=None,
            status="active",
            source="Keys!A7",
        )
    ]

    def check(sheet: str, cell: str, message: str) -> Check:
        return Check(severity="warning", sheet=sheet, cell=cell, message=message)

    found = customers_of(
        [
            check("Customers", "E3", "VAT ID wrong"),  # the row of C-2
            check("Keys", "C7", "end before start"),  # the row of C-2's key
            check("Usage", "A99", "key AAAAA-11111: no users reported"),  # by the key
            check("Usage", "A98", "Schlüssel aaaaa-11111: Überschneidung"),  # not ASCII
            check("Ledger", "", 'customer ID "c-1" has changed'),  # by the ID, any case
            check("Usage", "B5", 'unknown license key "ZZZZZ"'),  # no one known
            check("", "", "C-1 and C-2 both ..."),  # two: no one
        ],
        customers,
        keys,
    )
    assert found == [
        "C-2 Beta KG",
        "C-2 Beta KG",
        "C-2 Beta KG",
        "C-2 Beta KG",
        "C-1 Alpha GmbH",
        "",
        "",
    ]


def test_generated_sheets_refuse_typing_and_input_sheets_do_not(demo_last_month):
    """After a recalculation every generated sheet still holds the template's guard (a custom
    validation that is always false, with a message saying why); the input sheets have none.
    The program's own writes are not typing: the sheets were just written."""
    from msp_workbook.workbook import schema

    book = openpyxl.load_workbook(demo_last_month)
    for table in schema.ALL_TABLES:
        rules = book[table.sheet].data_validations.dataValidation
        guards = [r for r in rules if r.type == "custom" and r.formula1 == "FALSE"]
        if table.generated:
            assert len(guards) == 1, table.sheet
            assert str(guards[0].sqref) == "A1:AZ1048576"
            assert guards[0].errorStyle in (None, "stop")  # stop is the default
            assert guards[0].showErrorMessage and "rewritten" in guards[0].error
        else:
            assert guards == [], table.sheet


def _links(path: Path) -> dict[str, str]:
    sheet = openpyxl.load_workbook(path)["Checks"]
    return {
        c.coordinate: c.hyperlink.location for row in sheet.iter_rows() for c in row if c.hyperlink
    }


def test_the_excel_buttons_write_the_same_links_and_leave_no_stale_one(recalculated, tmp_path):
    """A product's price typed wrong gives errors with cells (links on Checks, written by the
    command line). Fixed, and recalculated with the Excel button: Checks has the links the
    command line writes for the fixed workbook, and none of the old ones."""
    from fake_xlwings import FakeBook

    from msp_workbook.excel import recalculate

    demo, _ = recalculated
    broken = tmp_path / "broken.xlsx"
    shutil.copy(demo, broken)
    products = table_rows(broken, "Products")
    [row] = [i for i, r in enumerate(products, start=2) if r["Product ID"] == "KC-MSP"]
    set_cells(broken, "Products", {f"F{row}": "abc"})
    assert run_cli("recalc", str(broken), "--month", MONTH).returncode == 1
    assert len(_links(broken)) >= 4
    set_cells(broken, "Products", {f"F{row}": products[row - 2]["Price per unit"]})
    expected = tmp_path / "expected.xlsx"
    shutil.copy(broken, expected)
    assert run_cli("recalc", str(expected), "--month", MONTH).returncode == 0

    book = FakeBook(broken)
    recalculate(book, today=DEMO_TODAY)
    out = tmp_path / "excel.xlsx"
    book.save(out)
    assert (
        _links(out)
        == _links(expected)
        == {f"C{i}": f"'{r[1]}'!{r[2]}" for i, r in enumerate(_checks(expected), start=2) if r[2]}
    )


def test_where_links_cannot_be_removed_none_are_made(recalculated, tmp_path):
    """xlwings Lite has no way to remove a link: the button writes none (a stale link would
    lead to the wrong cell), and the rows are written all the same."""
    from fake_xlwings import FakeBook

    from msp_workbook.excel import recalculate

    demo, _ = recalculated
    path = tmp_path / "lite.xlsx"
    shutil.copy(demo, path)
    book = FakeBook(path, has_api=False)
    book.sheets["Checks"]._links.clear()
    recalculate(book, today=DEMO_TODAY)
    book.save(path)
    assert _links(path) == {}
    assert [r[0] for r in _checks(path)] == ["warning", "warning", "info"]


def test_the_excel_buttons_link_the_first_thousand_findings(recalculated, tmp_path):
    """Excel makes a link one cell at a time, so the buttons link Checks' first 1,000 findings
    (excel.macros.LINK_LIMIT) where the command line links all: a reading entered 1,005 more
    times gives 1,005 more warnings, each with its Usage cell."""
    from fake_xlwings import FakeBook

    from msp_workbook.excel import recalculate
    from msp_workbook.excel.macros import LINK_LIMIT

    demo, _ = recalculated
    path = tmp_path / "many.xlsx"
    book = openpyxl.load_workbook(demo)
    usage = book["Usage"]
    table = usage.tables["Usage"]
    first, last = table.ref.split(":")
    last_row = int(re.sub(r"[A-Z]", "", last))
    reading = [cell.value for cell in usage[2][:5]]
    for row in range(last_row + 1, last_row + 1006):
        for column, value in enumerate(reading, start=1):
            usage.cell(row, column, value)
    table.ref = f"{first}:{re.sub(r'[0-9]', '', last)}{last_row + 1005}"
    book.save(path)

    cli = tmp_path / "cli.xlsx"
    shutil.copy(path, cli)
    assert run_cli("recalc", str(cli), "--month", MONTH).returncode == 0
    everything = _links(cli)
    assert len(everything) >= 1005 + 2  # the demo's own two warnings, with cells

    excel = FakeBook(path)
    recalculate(excel, today=DEMO_TODAY)
    out = tmp_path / "excel.xlsx"
    excel.save(out)
    assert LINK_LIMIT == 1000
    assert _links(out) == {f"C{row}": everything[f"C{row}"] for row in range(2, 1002)}
