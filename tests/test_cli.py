"""The command line as a user runs it: every command, exit codes and messages."""

from __future__ import annotations

import zipfile
from datetime import date

import pytest
from conftest import run_cli
from python_calamine import CalamineWorkbook
from status_cells import without_last_run

from msp_workbook.core.keys import is_valid_key
from msp_workbook.core.months import Month
from msp_workbook.workbook import schema
from msp_workbook.workbook.package.opc import open_package
from msp_workbook.workbook.template.builder import TEMPLATE_PATH


def keys_table(path):
    table = CalamineWorkbook.from_path(str(path), load_tables=True).get_table_by_name("Keys")
    return [dict(zip(table.columns, row, strict=True)) for row in table.to_python()]


@pytest.mark.parametrize("command", ["new", "recalc", "check", "new-key", "quote", "demo"])
def test_every_command_has_help(command):
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: msp-workbook {command}")


def test_new_copies_the_template_and_refuses_to_overwrite(tmp_path):
    path = tmp_path / "MSP_Billing.xlsx"
    first = run_cli("new", str(path))
    assert (first.returncode, first.stdout) == (0, f"Created {path}\n")
    assert path.read_bytes() == TEMPLATE_PATH.read_bytes()
    second = run_cli("new", str(path))
    assert second.returncode == 2
    assert second.stderr == (
        f"msp-workbook: {path}: already exists; choose another name or delete it first\n"
    )


def test_recalc_of_a_new_workbook_bills_nothing_and_exits_0(tmp_path):
    path = tmp_path / "MSP_Billing.xlsx"
    run_cli("new", str(path))
    result = run_cli("recalc", str(path), "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:4] == [
        "Billing month 2026-10: 0 lines, 0 invoices",
        "Net 0.00 EUR, VAT 0.00 EUR, Gross 0.00 EUR",
        "0 errors, 0 warnings",
    ]


def test_recalc_writes_to_out_and_leaves_the_input_alone(make_workbook, example_data, tmp_path):
    path = make_workbook(example_data)
    before = path.read_bytes()
    out = tmp_path / "result.xlsx"
    result = run_cli("recalc", str(path), "--month", "2026-10", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == before
    assert result.stdout.startswith(f"Recalculated {out}\nBilling month 2026-10: 8 lines")


def test_recalc_twice_leaves_an_identical_file(make_workbook, example_data):
    """Identical but for the time of the run on the Start sheet's status block."""
    path = make_workbook(example_data)
    run_cli("recalc", str(path), "--month", "2026-10")
    once = without_last_run(path)
    run_cli("recalc", str(path), "--month", "2026-10")
    assert without_last_run(path) == once


def test_new_key_appends_a_valid_unique_key_and_changes_nothing_else(make_workbook, example_data):
    path = make_workbook(example_data)
    with zipfile.ZipFile(path) as z:
        before = {n: z.read(n) for n in z.namelist()}
    result = run_cli(
        "new-key",
        str(path),
        "--customer",
        "C-0002",
        "--product",
        "KOP-MSP",
        "--start",
        "2026-11-01",
    )
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip()
    assert is_valid_key(key)
    rows = keys_table(path)
    assert len(rows) == 10
    assert rows[-1] == {
        "License key": key,
        "Customer ID": "C-0002",
        "Product ID": "KOP-MSP",
        "Start": date(2026, 11, 1),
        "End": "",
        "Status": "active",
        "Note": "",
    }
    with zipfile.ZipFile(path) as z:
        after = {n: z.read(n) for n in z.namelist()}
    changed = {n for n in before if before[n] != after[n]}
    with open_package(path) as package:
        table = package.table("Keys")
        assert changed == {table.sheet.part, table.part}
    assert set(after) == set(before)


def test_new_key_for_an_unknown_customer_is_refused(make_workbook, example_data):
    path = make_workbook(example_data)
    before = path.read_bytes()
    result = run_cli("new-key", str(path), "--customer", "C-9", "--product", "KC-MSP")
    assert (result.returncode, result.stderr) == (
        2,
        'msp-workbook: unknown customer ID "C-9" (not on Customers)\n',
    )
    assert path.read_bytes() == before


def test_demo_builds_and_bills_a_realistic_reseller(tmp_path):
    path = tmp_path / "demo.xlsx"
    result = run_cli("demo", str(path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Demo workbook: {path}"
    # Its two months before the billing month are closed and their documents written.
    billing = Month.parse(lines[3].split()[2].rstrip(":"))
    for at, back in ((1, 2), (2, 1)):
        month = billing.shift(-back)
        closed = int(lines[at].split(": ")[1].split()[0])
        folder = tmp_path / "invoices" / str(month)
        assert lines[at].startswith(f"Closed {month}: {closed} invoices (INV-")
        batch = f"EXTF_Buchungsstapel_{month}.csv"
        # Three demo customers pay by direct debit: first collected in the earlier month.
        sequences = "FRST 3, RCUR 0" if back == 2 else "FRST 0, RCUR 3"
        assert lines[at].endswith(
            f"invoice documents in {folder}: {closed} PDF and XRechnung pairs; "
            f"DATEV booking batch {batch}: {closed} bookings; SEPA direct debit "
            f"SEPA_direct_debit_{month}.xml: 3 collections ({sequences})"
        )
        assert len(list(folder.glob("INV-*.pdf"))) == len(list(folder.glob("INV-*.xml"))) == closed
        # One booking per invoice (none of the demo's is 0.00), after the header and names.
        assert (tmp_path / batch).read_bytes().count(b"\r\n") == 2 + closed
    assert lines[3].startswith("Billing month ")
    invoices = int(lines[3].split(", ")[1].split()[0])
    assert 20 <= invoices <= 30
    assert lines[5].startswith("0 errors")
    assert "estimated line" in result.stdout


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "old.xls",
            b"\xd0\xcf\x11\xe0",
            "an .xls file (Excel 97-2003); save it as .xlsx and try again",
        ),
        ("calc.ods", b"PK\x03\x04", "an OpenDocument spreadsheet; save it as .xlsx and try again"),
        ("notes.txt", b"hello", "not an Excel workbook (.xlsx or .xlsm expected)"),
        (
            "broken.xlsx",
            b"not a zip at all",
            "not a readable .xlsx workbook (damaged, or protected with a password)",
        ),
    ],
)
def test_files_that_are_not_workbooks_exit_2_with_one_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    for command in ("recalc", "check"):
        result = run_cli(command, str(path))
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr == f"msp-workbook: {path}: {message}\n"
    assert path.read_bytes() == content


def test_missing_file_exits_2(tmp_path):
    result = run_cli("recalc", str(tmp_path / "nope.xlsx"))
    assert (result.returncode, result.stderr) == (
        2,
        f"msp-workbook: {tmp_path / 'nope.xlsx'}: no such file\n",
    )


def test_workbook_without_a_required_table_exits_2(tmp_path):
    import xlsxwriter

    path = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("Usage").write("A1", "Date")
    book.close()
    result = run_cli("recalc", str(path))
    assert result.returncode == 2
    assert result.stderr == (
        f'msp-workbook: {path}: table "Settings" not found (it belongs on sheet "Settings"); '
        "start from the template (msp-workbook new)\n"
    )


def test_renamed_column_exits_2_naming_it(make_workbook, example_data):
    import openpyxl

    path = make_workbook(example_data)
    book = openpyxl.load_workbook(path)
    book["Usage"]["D1"] = "Qty"
    book["Usage"].tables["Usage"].tableColumns[3].name = "Qty"
    book.save(path)
    result = run_cli("check", str(path))
    assert result.returncode == 2
    assert result.stderr == (
        'msp-workbook: table "Usage" on sheet "Usage" has no column "Quantity" '
        f"(expected columns: {', '.join(schema.USAGE.headers)})\n"
    )


def test_readme_documents_every_command_and_option():
    import argparse
    import re
    from pathlib import Path

    from msp_workbook.cli.parser import build_parser

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert commands.choices, "no commands found"
    for name, command in commands.choices.items():
        usage = re.search(rf"^msp-workbook {re.escape(name)}\b.*$", readme, re.M)
        assert usage, f"README has no usage line for `msp-workbook {name}`"
        for action in command._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in usage[0], f"README's `{name}` line lacks {option}"
    assert "MSP_WORKBOOK_PROGRESS_AFTER" in readme


def test_recalc_rewrites_exactly_the_tables_the_contract_names(demo, tmp_path):
    """schema.RECALC_TABLES is what recalc writes: Billing, Invoices, Comparison and Checks."""
    from msp_workbook.app.check import check_workbook
    from msp_workbook.app.generated import generated_tables
    from msp_workbook.workbook import schema

    report = check_workbook(demo, Month(2026, 10))
    written = generated_tables(report).tables
    assert list(written) == [t.name for t in schema.RECALC_TABLES]
    assert list(written) == ["Billing", "Invoices", "Comparison", "Checks"]
