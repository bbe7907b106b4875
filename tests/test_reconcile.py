"""`msp-workbook reconcile`: the distributor's statement against the month's billing (SPEC 8).

The statements are real files written here; the figures are worked out by hand from the basic
example (its Billing for 2026-10 is in tests/examples/basic/expected_Billing_2026-10.csv), run
through the real command line and read back with openpyxl and LibreOffice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import load_example, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from msp_workbook.core.models import BillingLine, Customer, LicenseKey, Product
from msp_workbook.core.months import Month
from msp_workbook.core.reconcile import reconcile
from msp_workbook.core.statement import Charge
from msp_workbook.workbook.template.builder import build_workbook

OCT = "2026-10"
KC2 = "K1111-AAAAA-BBBBB-CCCC2"  # C-0001 KC-MSP mailboxes: 42 billed, cost 1.60
LG3 = "K1111-AAAAA-BBBBB-CCCC3"  # C-0001 LG-MSP nodes 10 (minimum; 7 used), scans 215 (0.02)
KC4 = "K2222-AAAAA-BBBBB-CCCC4"  # C-0002 KC-MSP 5 (minimum; 3 used)
KCTL5 = "K2222-AAAAA-BBBBB-CCCC5"  # C-0002 KCTL-MSP users 12 (cost 1.20), its only metric
KOP6 = "K3333-AAAAA-BBBBB-CCCC6"  # C-0003 KOP-MSP users 20 (cost 1.50)
KC7 = "K3333-AAAAA-BBBBB-CCCC7"  # C-0003 KC-MSP suspended, 4 reported
KC8 = "K4444-AAAAA-BBBBB-CCCC8"  # C-0004 KC-MSP 12 estimated (carried forward)
KCTL9 = "K4444-AAAAA-BBBBB-CCCC9"  # C-0004 KCTL-MSP, starts 2026-11-03: no line in October
STRANGER = "K9999-ZZZZZ-ZZZZZ-ZZZZ1"

EVERY_STATUS = f"""License key;Metric;Quantity;Amount
{KC2};mailboxes;42;67,20
{LG3};scans;215;4,50
{KCTL5};;12;14,40
{KOP6};users;22;33,00
{KCTL9};users;3;3,60
{STRANGER};mailboxes;10;16,00
{KC8};mailboxes;12;19,20
"""


@pytest.fixture
def book(tmp_path) -> Path:
    path = tmp_path / "MSP_Billing.xlsx"
    build_workbook(path, load_example("basic"))
    return path


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


def sheet_rows(path: Path) -> list[tuple]:
    ws = openpyxl.load_workbook(path)["Reconciliation"]
    table = ws.tables["Reconciliation"]
    return [tuple(c.value for c in row) for row in list(ws[table.ref])[1:]]


def test_every_status_with_the_figures_worked_out_by_hand(book, tmp_path):
    statement = write(tmp_path / "gfi-2026-10.csv", EVERY_STATUS)
    result = run_cli("reconcile", str(book), str(statement), "--month", OCT)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"Reconciled {OCT} in {book} against gfi-2026-10.csv: 7 statement lines",
        "unknown key: 1",
        "unbilled: 1",
        "quantity differs: 1",
        "amount differs: 1",
        "not on statement: 3",
        "match: 3",
        "Unbilled revenue 5.55 EUR",  # 3 users x 1.85
        "Difference 16.20 EUR (vendor amount minus expected cost)",  # 16.00 + 0.20
        "0 errors",
    ]
    huber, weber, alpen, lang = (
        "Bäckerei Huber GmbH",
        "Kanzlei Weber & Partner",
        "Alpen IT e.U.",
        "Praxis Dr. Lang",
    )
    assert sheet_rows(book) == [
        (OCT, STRANGER, None, None, None, "mailboxes", 10, None, 0, 16, None, 16, "unknown key",
         "not on Keys"),
        (OCT, KCTL9, "C-0004", lang, "KCTL-MSP", "users", 3, None, 0, 3.6, 3.6, 0, "unbilled",
         "no billing line: the key runs from 2026-11-03 (Keys)"),
        (OCT, KOP6, "C-0003", alpen, "KOP-MSP", "users", 22, 20, 20, 33, 33, 0,
         "quantity differs", None),
        (OCT, LG3, "C-0001", huber, "LG-MSP", "scans", 215, 215, 215, 4.5, 4.3, 0.2,
         "amount differs", None),
        (OCT, LG3, "C-0001", huber, "LG-MSP", "nodes", None, 7, 10, None, None, None,
         "not on statement", None),
        (OCT, KC4, "C-0002", weber, "KC-MSP", "mailboxes", None, 3, 5, None, None, None,
         "not on statement", None),
        (OCT, KC7, "C-0003", alpen, "KC-MSP", "mailboxes", None, 4, 4, None, None, None,
         "not on statement", None),
        (OCT, KC2, "C-0001", huber, "KC-MSP", "mailboxes", 42, 42, 42, 67.2, 67.2, 0, "match",
         None),
        (OCT, KCTL5, "C-0002", weber, "KCTL-MSP", "users", 12, 12, 12, 14.4, 14.4, 0, "match",
         None),
        (OCT, KC8, "C-0004", lang, "KC-MSP", "mailboxes", 12, 12, 12, 19.2, 19.2, 0, "match",
         None),
    ]  # fmt: skip


def test_the_block_beside_the_table_sums_per_product_and_summarises(book, tmp_path):
    statement = write(tmp_path / "gfi.csv", EVERY_STATUS)
    run_cli("reconcile", str(book), str(statement), "--month", OCT)
    ws = openpyxl.load_workbook(book)["Reconciliation"]
    block = [[ws.cell(r, c).value for c in range(16, 23)] for r in range(1, 12)]
    assert block[0] == [
        "Product", "Vendor charged", "Billed revenue", "Billed cost", "Summary", "Rows", "Amount"
    ]  # fmt: skip
    # Vendor: KC 67.20 + 19.20; Billed (expected_Billing): KC 100.80 + 10.80 + 9.60 + 27.36.
    assert [row[:4] for row in block[1:6]] == [
        ["GFI KerioConnect AI MSP", 86.4, 148.56, 100.8],
        ["GFI KerioControl AI MSP", 18, 19.98, 14.4],
        ["GFI KerioOperator MSP", 33, 45, 30],
        ["GFI LanGuard MSP", 4.5, 15.95, 10.3],
        ["(unknown key)", 16, 0, 0],
    ]
    from xlsx_fixtures import members

    [chart] = [
        v.decode() for n, v in members(book).items() if b"Reconciliation!" in v and "/charts/" in n
    ]
    assert "<c:f>Reconciliation!$Q$2:$Q$6</c:f>" in chart  # the chart follows the five products
    assert "<c:f>Reconciliation!$P$2:$P$6</c:f>" in chart
    assert [row[4:] for row in block[1:11]] == [
        ["2026-10: gfi.csv", 7, None],
        ["unknown key", 1, 16],
        ["unbilled", 1, 0],
        ["quantity differs", 1, 0],
        ["amount differs", 1, 0.2],
        ["not on statement", 3, None],
        ["match", 3, 0],
        ["Unbilled revenue", None, 5.55],
        ["Difference", None, 16.2],
        [None, None, None],
    ]


def test_a_statement_that_matches_exits_0(book, tmp_path):
    """The vendor charges what was used (7 nodes, 3 mailboxes), not the reseller's minimums."""
    statement = write(
        tmp_path / "ok.csv",
        "License key,Metric,Quantity,Amount\n"
        f"{KC2},mailboxes,42,67.20\n{LG3},nodes,7,4.20\n{LG3},scans,215,4.30\n"
        f"{KC4},mailboxes,3,4.80\n{KCTL5},users,12,14.40\n{KOP6},users,20,30.00\n"
        f"{KC7},mailboxes,4,6.40\n{KC8},mailboxes,12,19.20\n",
    )
    result = run_cli("reconcile", str(book), str(statement), "--month", OCT)
    assert result.returncode == 0, result.stdout
    assert "match: 8" in result.stdout.splitlines()
    assert "Difference 0.00 EUR (vendor amount minus expected cost)" in result.stdout


def test_lines_that_cannot_be_read_are_named_and_the_rest_is_reconciled(book, tmp_path):
    statement = write(
        tmp_path / "gfi.csv",
        "License key;Metric;Quantity;Amount\n"
        f"{KC2};mailboxes;42;67,20\n"
        f"{LG3};;10;6,00\n"  # LanGuard bills nodes and scans: which one?
        f"{KOP6};users;zwanzig;30,00\n"
        f"{KC8};mailboxes;12;19,2O\n"  # a letter O
        "\n"
        "Summe;;;\n",
    )
    result = run_cli("reconcile", str(book), str(statement), "--month", OCT)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"Reconciled {OCT} in {book} against gfi.csv: 2 statement lines (1 blank line "
        "skipped; line 7 skipped: a totals line)"
    )
    assert lines[-4:] == [
        "3 errors",
        'error: gfi.csv:4: quantity must be a whole number >= 0, got "zwanzig"',
        'error: gfi.csv:5: amount must be a number of euros with at most two decimals, got "19,2O"',
        f"error: gfi.csv:3: the line names no metric, and the product LG-MSP of key {LG3} "
        "bills nodes, scans: name the metric",
    ]
    assert [r[1] for r in sheet_rows(book) if r[12] == "match"] == [KC2]


def test_a_profile_reads_an_xlsx_statement_with_its_own_headers(tmp_path):
    data = load_example("basic")
    data["ImportProfiles"] = [
        {"Profile": "distributor", "Field": "License key", "Column": "Lizenz"},
        {"Profile": "distributor", "Field": "Metric", "Column": "Einheit"},
        {"Profile": "distributor", "Field": "Quantity", "Column": "Menge"},
        {"Profile": "distributor", "Field": "Amount", "Column": "Betrag EUR"},
    ]
    book = tmp_path / "b.xlsx"
    build_workbook(book, data)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Lizenz", "Einheit", "Menge", "Betrag EUR"])
    ws.append([KC2, "Mailboxes", 42, 67.2])
    ws.append([KOP6, "users", 20, 30])
    statement = tmp_path / "abrechnung.xlsx"
    wb.save(statement)
    result = run_cli(
        "reconcile", str(book), str(statement), "--month", OCT, "--profile", "distributor"
    )
    assert "match: 2" in result.stdout.splitlines(), result.stdout + result.stderr
    assert "not on statement: 6" in result.stdout.splitlines()


def test_a_closed_month_compares_with_the_ledger_and_names_later_corrections(book, tmp_path):
    """October closed with 42 mailboxes; a reading of 45 arrives later and November's closing
    books a correction of +3 for October. October's reconciliation: billed 42 (the Ledger),
    used 45 (today's readings), the correction in Note."""
    assert run_cli("close", str(book), "--month", OCT).returncode == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["Usage"]
    table = ws.tables["Usage"]
    last = int(table.ref.split(":")[1][1:]) + 1
    for column, value in enumerate([date(2026, 10, 30), KC2, "mailboxes", 45, "late"], start=1):
        ws.cell(last, column, value)
    table.ref = f"A1:E{last}"
    wb.save(book)
    assert run_cli("close", str(book), "--month", "2026-11").returncode == 0, "November closes"
    statement = write(
        tmp_path / "gfi.csv", f"License key;Metric;Quantity;Amount\n{KC2};;45;72,00\n"
    )
    result = run_cli("reconcile", str(book), str(statement), "--month", OCT)
    assert "quantity differs: 0" in result.stdout.splitlines()
    [row] = [r for r in sheet_rows(book) if r[1] == KC2]
    assert row[6:] == (
        45, 45, 42, 72, 72, 0, "match", "corrected in 2026-11 by +3"
    )  # fmt: skip


def test_recalc_leaves_the_reconciliation_and_reconcile_leaves_the_rest(book, tmp_path):
    from xlsx_fixtures import members, sheet_part, table_part

    statement = write(tmp_path / "gfi.csv", EVERY_STATUS)
    assert run_cli("recalc", str(book), "--month", OCT).returncode == 0
    before = members(book)
    run_cli("reconcile", str(book), str(statement), "--month", OCT)
    after = members(book)
    changed = {name for name in before if before[name] != after.get(name)}
    owned = {sheet_part(book, "Reconciliation"), table_part(book, "Reconciliation")}
    assert owned <= changed
    assert changed - owned <= {"xl/workbook.xml"} | {n for n in changed if "/charts/" in n}
    assert set(after) == set(before)
    reconciled = members(book)
    assert run_cli("recalc", str(book), "--month", OCT).returncode == 0
    again = members(book)
    assert {n: again[n] for n in owned} == {n: reconciled[n] for n in owned}


def test_an_older_workbook_gets_the_sheet_and_libreoffice_opens_it(tmp_path):
    """A workbook made before reconciliation existed (no Reconciliation sheet) gets it added;
    LibreOffice opens the result and sees the table's rows."""
    from libreoffice import convert

    old = tmp_path / "old.xlsx"
    old.write_bytes(
        (Path(__file__).parent / "fixtures" / "ledger_before_vat_columns.xlsx").read_bytes()
    )
    assert "Reconciliation" not in openpyxl.load_workbook(old).sheetnames
    statement = write(
        tmp_path / "gfi.csv", f"License key;Metric;Quantity;Amount\n{STRANGER};mailboxes;1;1,60\n"
    )
    result = run_cli("reconcile", str(old), str(statement), "--month", OCT)
    assert result.returncode == 1, result.stderr
    assert "unknown key: 1" in result.stdout.splitlines()
    [converted] = convert([old], tmp_path / "lo")
    ws = openpyxl.load_workbook(converted)["Reconciliation"]
    assert [ws.cell(2, c).value for c in (1, 2, 7, 10, 13)] == [
        OCT,
        STRANGER,
        1,
        1.6,
        "unknown key",
    ]


def test_an_unknown_profile_or_a_statement_without_its_columns_cannot_run(book, tmp_path):
    statement = write(tmp_path / "gfi.csv", "Key;Qty\nK;1\n")
    result = run_cli("reconcile", str(book), str(statement), "--month", OCT)
    assert result.returncode == 2
    assert result.stderr == (
        'msp-workbook: gfi.csv: its first line is no header with the columns "License key", '
        '"Metric", "Quantity", "Amount" separated by ; , or a tab (the first line is "Key;Qty")\n'
    )
    result = run_cli("reconcile", str(book), str(statement), "--profile", "nope")
    assert result.returncode == 2
    assert 'unknown import profile "nope"' in result.stderr


# --- The rule, over random resellers with planted differences -------------------------------------

PRODUCTS = [
    Product(product_id="A", product="Alpha", metric="users", aggregation="max",
            cost_per_unit=Decimal("1.20"), price_per_unit=Decimal("2.00")),
    Product(product_id="B", product="Beta", metric="nodes", aggregation="max",
            cost_per_unit=Decimal("0.60"), price_per_unit=Decimal("0.95")),
    Product(product_id="B", product="Beta", metric="scans", aggregation="sum",
            cost_per_unit=Decimal("0.02"), price_per_unit=Decimal("0.03")),
]  # fmt: skip
PLANTS = ("unknown key", "unbilled", "quantity differs", "amount differs", "not on statement")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B"]), st.integers(1, 500), st.sampled_from([None, *PLANTS])
        ),
        min_size=1,
        max_size=40,
    )
)
def test_every_planted_difference_is_found_and_nothing_else_is_flagged(keys):
    month = Month(2026, 10)
    customers = [Customer(customer_id="C1", customer="One")]
    license_keys, lines, charges, usage, planted = [], [], [], {}, {}
    for i, (pid, quantity, plant) in enumerate(keys):
        key = f"K{i:04}"
        license_keys.append(
            LicenseKey(license_key=key, customer_id="C1", product_id=pid,
                       start=date(2025, 1, 1), end=None, status="active")
        )  # fmt: skip
        for product in [p for p in PRODUCTS if p.product_id == pid]:
            usage[(key, product.metric)] = quantity
            vendor_quantity, amount = quantity, quantity * product.cost_per_unit
            if plant != "unbilled":
                lines.append(_line(month, key, product, quantity))
            if plant == "quantity differs":
                vendor_quantity += 1
                amount = vendor_quantity * product.cost_per_unit
            if plant == "amount differs":
                amount += Decimal("0.01")
            if plant == "unknown key":  # a key the reseller never entered, besides this one
                stranger = "K-UNKNOWN-" + key
                charges.append(("s.csv", _charge(stranger, product.metric, quantity, amount, i)))
                planted[(stranger, product.metric)] = plant
            if plant != "not on statement":
                charges.append(("s.csv", _charge(key, product.metric, vendor_quantity, amount, i)))
            named = plant if plant in ("unbilled", "quantity differs", "amount differs") else None
            planted[(key, product.metric)] = (
                "not on statement" if plant == "not on statement" else named or "match"
            )
    result = reconcile(
        month, charges, license_keys, customers, PRODUCTS, lines,
        lambda k, p: usage.get((k.license_key, p.metric)),
    )  # fmt: skip
    found = {(r.license_key, r.metric): r.status for r in result.rows}
    assert found == planted
    assert result.problems == ()
    assert result.unbilled_revenue == sum(
        (Decimal(usage[(k, m)]) * next(p.price_per_unit for p in PRODUCTS if p.metric == m)
         for (k, m), s in planted.items() if s == "unbilled"),
        Decimal(0),
    )  # fmt: skip


def _charge(key: str, metric: str, quantity: int, amount: Decimal, line: int) -> Charge:
    return Charge(license_key=key, metric=metric, quantity=quantity, amount=amount, line=line)


def _line(month: Month, key: str, product: Product, quantity: int) -> BillingLine:
    net = quantity * product.price_per_unit
    cost = quantity * product.cost_per_unit
    return BillingLine(
        month=month, customer_id="C1", customer="One", license_key=key,
        product_id=product.product_id, product=product.product, metric=product.metric,
        quantity=quantity, unit_price=product.price_per_unit, discount=Decimal(0), net=net,
        unit_cost=product.cost_per_unit, cost=cost, margin=net - cost, type="usage",
    )  # fmt: skip


# --- The Excel button ---------------------------------------------------------------------------


def test_the_excel_button_writes_what_the_command_line_writes(book, tmp_path):
    """Without an Open dialog (the fake, like macOS), the button takes the statement's path,
    profile and month from the selected request row on Imports; the sheet it writes holds the
    very rows and block `msp-workbook reconcile` writes."""
    from fake_xlwings import FakeBook

    from msp_workbook.excel import reconcile as reconcile_button

    statement = write(tmp_path / "gfi.csv", EVERY_STATUS)
    by_cli = tmp_path / "cli.xlsx"
    by_cli.write_bytes(book.read_bytes())
    run_cli("reconcile", str(by_cli), str(statement), "--month", OCT)

    excel = FakeBook(book)
    excel.sheets["Imports"].range("F7").value = str(statement)
    excel.sheets["Imports"].range("H7").value = OCT
    excel.select("Imports", "F7")
    report = reconcile_button(excel)
    assert report is not None
    assert excel.app.alerts == [
        "Reconciled 2026-10 against gfi.csv: 1 unknown key, 1 unbilled, 1 quantity differs, "
        "1 amount differs, 3 not on statement, 3 match; unbilled revenue 5.55 EUR, difference "
        "16.20 EUR"
    ]
    saved = tmp_path / "excel.xlsx"
    excel.save(saved)
    assert sheet_rows(saved) == sheet_rows(by_cli)
    ws_excel = openpyxl.load_workbook(saved)["Reconciliation"]
    ws_cli = openpyxl.load_workbook(by_cli)["Reconciliation"]
    block = [[(r, c) for c in range(16, 23)] for r in range(1, 12)]
    assert [[ws_excel.cell(r, c).value for r, c in row] for row in block] == [
        [ws_cli.cell(r, c).value for r, c in row] for row in block
    ]


def test_a_second_run_keeps_quiet_about_its_own_block_but_names_a_typed_note(book, tmp_path):
    """The block beside the table (it may run below the table's rows) is the program's own;
    a note typed further right is named before it is dropped."""
    statement = write(
        tmp_path / "gfi.csv", f"License key;Metric;Quantity;Amount\n{KC2};;42;67,20\n"
    )
    run_cli("reconcile", str(book), str(statement), "--month", OCT)
    again = run_cli("reconcile", str(book), str(statement), "--month", OCT)
    assert not [line for line in again.stdout.splitlines() if line.startswith("warning")]
    wb = openpyxl.load_workbook(book)
    wb["Reconciliation"]["X3"] = "paid 12.11."
    wb.save(book)
    third = run_cli("reconcile", str(book), str(statement), "--month", OCT)
    [warning] = [line for line in third.stdout.splitlines() if line.startswith("warning")]
    assert warning.startswith("warning: Reconciliation!X3: 1 cell typed beside the generated table")
