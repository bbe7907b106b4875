"""The Excel buttons over a fake xlwings book built from a real workbook: recalculate writes the
very cells `msp-workbook recalc` writes, problems end on Checks and in one line, new keys land in
the Keys table."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from bad_input_cases import CASES, with_change
from conftest import REPO, run_cli
from fake_xlwings import FakeBook
from top_savings_books import copied_customers

from msp_workbook.app import close, recalc
from msp_workbook.core.keys import is_valid_key
from msp_workbook.excel import XlwingsBook, close_month, new_key, read_inputs, recalculate
from msp_workbook.excel import macros as macros_module
from msp_workbook.workbook import schema
from msp_workbook.workbook.errors import WorkbookError
from msp_workbook.workbook.read import read_workbook

GENERATED = (schema.BILLING, schema.INVOICES, schema.COMPARISON, schema.CHECKS)
TODAY = date(2026, 11, 9)


def _cells(ws) -> dict[str, object]:
    """Every non-empty cell of a sheet; numbers as float (openpyxl reads 5 as int, 5.0 as float)."""
    cells = {}
    for row in ws.iter_rows():
        for cell in row:
            value = cell.value
            if value is None:
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = float(value)
            cells[cell.coordinate] = value
    return cells


def sheet_cells(path: Path, sheet: str) -> dict[str, object]:
    return _cells(openpyxl.load_workbook(path)[sheet])


def table_ref(path: Path, sheet: str, name: str) -> str:
    return openpyxl.load_workbook(path)[sheet].tables[name].ref


def assert_same_generated_sheets(
    expected: Path, actual: Path, specs: tuple[schema.Table, ...] = GENERATED
) -> None:
    """The generated sheets hold the same cells and their tables the same ranges."""
    want_book, got_book = openpyxl.load_workbook(expected), openpyxl.load_workbook(actual)
    for spec in specs:
        want, got = _cells(want_book[spec.sheet]), _cells(got_book[spec.sheet])
        diff = {
            k: (want.get(k), got.get(k)) for k in set(want) | set(got) if want.get(k) != got.get(k)
        }
        assert not diff, f"{spec.sheet}: {sorted(diff.items())[:10]}"
        want_ref = want_book[spec.sheet].tables[spec.name].ref
        assert got_book[spec.sheet].tables[spec.name].ref == want_ref, spec.name


def cli_recalc(path: Path, tmp_path: Path, name: str = "cli.xlsx") -> Path:
    """A copy of the workbook recalculated by the real command line."""
    out = tmp_path / name
    shutil.copyfile(path, out)
    result = run_cli("recalc", str(out))
    assert result.returncode in (0, 1) and result.stdout.startswith("Recalculated"), result.stderr
    return out


def excel_recalc(path: Path, tmp_path: Path, **options) -> tuple[FakeBook, Path]:
    book = FakeBook(path, **options)
    recalculate(book, today=TODAY)
    out = tmp_path / "excel.xlsx"
    book.save(out)
    return book, out


def written_sheets(book: FakeBook) -> set[str]:
    return {sheet.name for sheet in book.sheets if sheet.cells_written()}


# --- Recalculate ------------------------------------------------------------------------------


def test_recalculate_writes_the_cells_msp_workbook_recalc_writes(
    make_workbook, example_data, tmp_path
):
    path = make_workbook(example_data)
    expected = cli_recalc(path, tmp_path)
    book, actual = excel_recalc(path, tmp_path)
    assert_same_generated_sheets(expected, actual)
    # Billing lines, invoices and comparison rows of the worked example are all there.
    assert table_ref(actual, "Billing", "Billing") == "A1:Q9"
    assert table_ref(actual, "Comparison", "Comparison") == "A1:O9"
    comparison = sheet_cells(actual, "Comparison")
    assert [comparison[f"{c}1"] for c in "QRST"] == list(schema.COMPARISON_SIDE_HEADERS)
    # Only the generated sheets and the status block on Start were touched.
    assert written_sheets(book) == {spec.sheet for spec in GENERATED} | {schema.START_SHEET}


def test_recalculate_writes_the_block_of_the_15_largest_savings_as_recalc_does(
    make_workbook, tmp_path
):
    """24 Comparison rows: beside them the block of the 15 the chart plots, from row 2 to 16,
    the same cells the command line writes."""
    path = make_workbook(copied_customers(2))
    expected = cli_recalc(path, tmp_path)
    book, actual = excel_recalc(path, tmp_path)
    assert_same_generated_sheets(expected, actual)
    assert table_ref(actual, "Comparison", "Comparison") == "A1:O25"
    cells = sheet_cells(actual, "Comparison")
    block = [k for k in cells if k[0] in "QRST" and k[1:] != "1"]
    assert sorted({int(k[1:]) for k in block}) == list(range(2, 17))
    assert cells["Q2"].startswith("C-0003 ") and cells["Q2"].endswith(" · KOP-MSP")


def test_recalculate_clears_a_longer_old_block_beside_comparison(
    make_workbook, example_data, tmp_path
):
    """8 Comparison rows under an old block of 19 rows: the 8-row block replaces it whole."""
    path = make_workbook(example_data)
    expected = cli_recalc(path, tmp_path)
    book = FakeBook(path)
    book.sheets["Comparison"].range("Q2:T20").value = [["old", 1, 2, 3]] * 19
    recalculate(book, today=TODAY)
    book.save(tmp_path / "excel.xlsx")
    assert_same_generated_sheets(expected, tmp_path / "excel.xlsx")
    cells = sheet_cells(tmp_path / "excel.xlsx", "Comparison")
    assert max(int(k[1:]) for k in cells if k[0] in "QRST") == 9


def test_recalculate_shows_each_stage_and_the_outcome_in_the_status_bar(
    make_workbook, example_data, tmp_path
):
    book, _ = excel_recalc(make_workbook(example_data), tmp_path)
    assert book.app.status_history == [
        "Reading…",
        "Checking…",
        "Billing…",
        "Writing…",
        "Billed 2026-10: 8 lines, 4 invoices, net 229.49 EUR, gross 262.72 EUR. "
        "No errors; 2 warnings on the Checks sheet.",
    ]
    assert book.app.alerts == []


def test_month_cells_stay_text_and_ids_are_not_reread_by_excel(
    make_workbook, example_data, tmp_path
):
    # IDs and names Excel would turn into a number, a date or a formula when typed in.
    data = example_data
    renames = {"C-0001": "0012", "C-0002": "2026-10"}
    for table in ("Customers", "Keys"):
        data = {
            **data,
            table: [
                {**r, "Customer ID": renames.get(r["Customer ID"], r["Customer ID"])}
                for r in data[table]
            ],
        }
    data["Customers"][0]["Customer"] = "=HYPERLINK(1)"
    data["Customers"][1]["Customer"] = "10%"
    path = make_workbook(data)
    expected = cli_recalc(path, tmp_path)
    _, actual = excel_recalc(path, tmp_path)
    assert_same_generated_sheets(expected, actual)
    billing = sheet_cells(actual, "Billing")
    assert (billing["A2"], billing["B2"], billing["C2"]) == ("2026-10", "0012", "=HYPERLINK(1)")
    assert openpyxl.load_workbook(actual)["Billing"]["C2"].data_type == "s"


def test_recalculating_again_after_a_change_rewrites_the_tables_whole(
    make_workbook, example_data, tmp_path
):
    # The workbook already holds last run's 8 lines; then two keys go: fewer rows remain.
    path = make_workbook(example_data)
    previous = cli_recalc(path, tmp_path, "previous.xlsx")
    book = FakeBook(previous)
    keys = book.sheets["Keys"]
    keys.range("F2").value = "'suspended"  # K1111-...-CCCC2 billed for its usage only
    keys.range("F3").value = "'paused"  # an error: this key and its usage are left out
    recalculate(book, today=TODAY)
    actual = tmp_path / "excel.xlsx"
    book.save(actual)

    changed = with_change(example_data, "Keys", 0, "Status", "suspended")
    changed = with_change(changed, "Keys", 1, "Status", "paused")
    expected = cli_recalc(make_workbook(changed, name="changed.xlsx"), tmp_path)
    assert_same_generated_sheets(expected, actual)
    assert table_ref(actual, "Billing", "Billing") != table_ref(previous, "Billing", "Billing")


def test_rows_typed_below_a_table_are_read_with_the_same_warning(
    make_workbook, example_data, tmp_path
):
    path = make_workbook(example_data)
    book = openpyxl.load_workbook(path)
    for col, value in enumerate((date(2026, 10, 30), "K2222-AAAAA-BBBBB-CCCC4", "mailboxes", 9), 1):
        book["Usage"].cell(row=19, column=col, value=value)
    book.save(path)
    expected = cli_recalc(path, tmp_path)
    _, actual = excel_recalc(path, tmp_path)
    assert_same_generated_sheets(expected, actual)
    assert "below the table" in str(sheet_cells(actual, "Checks"))


def test_read_inputs_gives_the_inputs_and_checks_of_the_file_reader(make_workbook, example_data):
    path = make_workbook(with_change(example_data, "Usage", 1, "Quantity", "12,5"))
    from_file = read_workbook(path, bulk=False)  # Usage row by row, as the Excel face reads it
    from_excel = read_inputs(XlwingsBook(FakeBook(path)))
    assert from_excel.checks == from_file.checks
    assert from_excel.inputs == from_file.inputs
    # The command line reads Usage in bulk: the same checks and the same aggregated usage.
    in_bulk = read_workbook(path)
    assert from_excel.checks == in_bulk.checks
    assert from_excel.usage_index() == in_bulk.usage_index()


@pytest.mark.parametrize(
    ("table", "index", "column", "value", "cell", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_ends_on_checks_with_the_same_messages_and_cells(
    make_workbook, example_data, tmp_path, table, index, column, value, cell, message
):
    path = make_workbook(with_change(example_data, table, index, column, value))
    expected = tmp_path / "expected.xlsx"
    recalc.recalculate(path, out=expected)  # what `msp-workbook recalc` runs
    book, actual = excel_recalc(path, tmp_path)
    assert_same_generated_sheets(expected, actual)
    checks = sheet_cells(actual, "Checks")
    assert any(v == message for k, v in checks.items() if k.startswith("D")), checks


def test_errors_on_checks_are_also_shown_in_a_message_box(make_workbook, example_data, tmp_path):
    path = make_workbook(with_change(example_data, "Usage", 1, "Quantity", "12,5"))
    expected = cli_recalc(path, tmp_path)
    book, actual = excel_recalc(path, tmp_path)
    assert_same_generated_sheets(expected, actual)
    outcome = (
        "Billed 2026-10: 8 lines, 4 invoices, net 229.49 EUR, gross 262.72 EUR. 1 error on the "
        "Checks sheet: those rows are left out; fix them and recalculate."
    )
    assert book.app.status_history[-1] == outcome
    assert book.app.alerts == [outcome]
    assert sheet_cells(actual, "Checks")["D2"] == 'quantity must be a whole number >= 0, got "12,5"'


def test_an_unexpected_error_is_one_line_and_changes_nothing(make_workbook, example_data, capsys):
    """Excel refuses the writes (the user is editing a cell: the COM call is rejected, an error
    the macro does not know): one line in the status bar and a message box, its first line
    only, no traceback, and no cell of the book written."""
    book = FakeBook(make_workbook(example_data))
    book.refuse_writes = RuntimeError("Call was rejected by callee.\n  File x.py, line 1")
    assert recalculate(book) is None
    line = "Could not recalculate: unexpected RuntimeError: Call was rejected by callee."
    assert book.app.status_history[-1] == line
    assert book.app.alerts == [line]
    assert written_sheets(book) == set()
    assert not [sheet.name for sheet in book.sheets if sheet.tables_resized()]
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err and out.err == ""


def test_a_workbook_without_an_input_table_is_one_line(make_workbook, example_data):
    book = FakeBook(make_workbook(example_data))
    book.sheets["Usage"].tables._items.clear()
    recalculate(book)
    line = (
        'Could not recalculate: table "Usage" not found (it belongs on sheet "Usage"); '
        "start from the template (msp-workbook new)"
    )
    assert book.app.status_history[-1] == line
    assert book.app.alerts == [line]
    assert written_sheets(book) == set()


def test_without_a_status_bar_the_messages_are_printed(make_workbook, example_data, capsys):
    # xlwings Lite has no status bar: its output pane shows what is printed.
    book = FakeBook(make_workbook(example_data), status_bar_supported=False)
    assert recalculate(book, today=TODAY) is not None
    printed = capsys.readouterr().out.splitlines()
    assert printed[:4] == ["Reading…", "Checking…", "Billing…", "Writing…"]
    assert printed[4].startswith("Billed 2026-10: 8 lines")


def test_main_is_recalculate(make_workbook, example_data, tmp_path):
    path = make_workbook(example_data)
    book = FakeBook(path)
    macros_module.main(book, today=TODAY)
    out = tmp_path / "main.xlsx"
    book.save(out)
    assert_same_generated_sheets(cli_recalc(path, tmp_path), out)


# --- Close month ------------------------------------------------------------------------------

NOW = datetime(2026, 11, 9, 10, 30, 0)


def test_close_month_writes_what_msp_workbook_close_writes(make_workbook, example_data, tmp_path):
    path = make_workbook(example_data)
    expected = tmp_path / "cli.xlsx"
    shutil.copyfile(path, expected)
    close.close_month(expected, now=NOW)  # what `msp-workbook close` runs
    book = FakeBook(path)
    message = close_month(book, today=TODAY, now=NOW)
    actual = tmp_path / "excel.xlsx"
    book.save(actual)
    assert_same_generated_sheets(expected, actual, (*GENERATED, schema.LEDGER))
    assert message == (
        "Closed 2026-10: 4 invoices (INV-2026-0001 .. INV-2026-0004), 8 lines appended to the "
        "Ledger; net 229.49 EUR, gross 262.72 EUR."
    )
    assert book.app.status_history[-1] == message
    assert book.app.alerts == [message]
    assert sheet_cells(actual, "Invoices")["B2"] == "INV-2026-0001"
    written = {spec.sheet for spec in (*GENERATED, schema.LEDGER)} | {schema.START_SHEET}
    assert written_sheets(book) == written

    # Closed: recalculating shows the month as it was closed, like the CLI does.
    result = run_cli("recalc", str(expected))
    assert result.returncode == 0, result.stderr
    recalculate(book, today=TODAY)
    book.save(actual)
    assert_same_generated_sheets(expected, actual, (*GENERATED, schema.LEDGER))
    assert book.app.status_history[-1].startswith(
        "Billed 2026-10 (closed: shown as it was closed): 8 lines, 4 invoices"
    )

    # And it cannot be closed twice.
    before = {sheet.name: sheet.cells_written() for sheet in book.sheets}
    assert close_month(book, today=TODAY, now=NOW) is None
    line = (
        "Could not close the month: 2026-10 is already closed "
        "(invoices INV-2026-0001 .. INV-2026-0004)"
    )
    assert book.app.status_history[-1] == line
    assert book.app.alerts[-1] == line
    assert {sheet.name: sheet.cells_written() for sheet in book.sheets} == before


def test_close_month_is_refused_while_checks_has_errors(make_workbook, example_data, tmp_path):
    path = make_workbook(with_change(example_data, "Usage", 1, "Quantity", "12,5"))
    with pytest.raises(WorkbookError) as refused:
        close.close_month(path, now=NOW)
    book = FakeBook(path)
    assert close_month(book, today=TODAY, now=NOW) is None
    assert book.app.status_history[-1] == f"Could not close the month: {refused.value}"
    assert "cannot be closed: Checks has 1 errors" in book.app.status_history[-1]
    assert written_sheets(book) == set()


# --- New key ----------------------------------------------------------------------------------


def keys_rows(path: Path) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)["Keys"]
    ref = ws.tables["Keys"].ref
    rows = [[c.value for c in row] for row in ws[ref]]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_new_key_appends_a_row_for_the_selected_customer_and_product(
    make_workbook, example_data, tmp_path
):
    path = make_workbook(example_data)
    book = FakeBook(path)
    book.select("Keys", "C4")  # K2222-...-CCCC4: C-0002, KC-MSP
    key = new_key(book, today=TODAY)
    assert key is not None and is_valid_key(key)
    message = f"New key {key} for C-0002 (Kanzlei Weber & Partner), KC-MSP: Keys row 11"
    assert book.app.status_history[-1] == message
    assert book.app.alerts == [message]
    out = tmp_path / "out.xlsx"
    book.save(out)
    rows = keys_rows(out)
    assert len(rows) == len(example_data["Keys"]) + 1
    assert rows[-1] == {
        "License key": key,
        "Customer ID": "C-0002",
        "Product ID": "KC-MSP",
        "Start": datetime(2026, 11, 9),
        "End": None,
        "Status": "active",
        "Note": None,
    }
    assert written_sheets(book) == {"Keys"}
    # The file reader sees the new key like any other, without a problem.
    read = read_workbook(out)
    assert key in [k.license_key for k in read.inputs.keys]
    assert not read.errors


def test_new_key_fills_the_selected_row_that_has_no_key_yet(make_workbook, example_data, tmp_path):
    data = {**example_data, "Keys": [], "Usage": []}
    book = FakeBook(make_workbook(data))
    keys = book.sheets["Keys"]
    keys.range("B2").value = "'C-0003"  # typed into the template's empty first row
    keys.range("C2").value = "'kop-msp"
    keys.range("G2").value = "'new site"
    book.select("Keys", "G2")
    key = new_key(book, today=TODAY)
    assert key is not None
    out = tmp_path / "out.xlsx"
    book.save(out)
    assert keys_rows(out) == [
        {
            "License key": key,
            "Customer ID": "C-0003",
            "Product ID": "kop-msp",
            "Start": datetime(2026, 11, 9),
            "End": None,
            "Status": "active",
            "Note": "new site",
        }
    ]
    assert not read_workbook(out).errors


@pytest.mark.parametrize(
    ("sheet", "cell", "message"),
    [
        ("Customers", "A2", macros_module.SELECT_KEYS_ROW),
        ("Keys", "A30", macros_module.SELECT_KEYS_ROW),
        ("Keys", "A1", macros_module.SELECT_KEYS_ROW),
    ],
)
def test_new_key_needs_a_selected_keys_row(make_workbook, example_data, sheet, cell, message):
    book = FakeBook(make_workbook(example_data))
    book.select(sheet, cell)
    assert new_key(book) is None
    assert book.app.status_history[-1] == f"No new key: {message}"
    assert written_sheets(book) == set()


def test_new_key_for_an_unknown_customer_says_so_like_the_cli(
    make_workbook, example_data, tmp_path
):
    path = make_workbook(with_change(example_data, "Keys", 0, "Customer ID", "C-9999"))
    book = FakeBook(path)
    book.select("Keys", "A2")
    assert new_key(book) is None
    assert book.app.status_history[-1] == (
        'No new key: unknown customer ID "C-9999" (not on Customers)'
    )
    cli = run_cli("new-key", str(path), "--customer", "C-9999", "--product", "KC-MSP")
    assert cli.stderr.strip().endswith('unknown customer ID "C-9999" (not on Customers)')


# --- Entry points -----------------------------------------------------------------------------


def load_by_path(name: str, path: Path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_run_main_module_recalculates_the_calling_book(
    make_workbook, example_data, tmp_path, monkeypatch
):
    import xlwings as xw

    module = load_by_path("MSP_Billing", REPO / "MSP_Billing.py")
    path = make_workbook(example_data)
    book = FakeBook(path)
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: book))
    module.main()
    assert book.app.status_history[-1].startswith("Billed 2026-10: 8 lines, 4 invoices")
    out = tmp_path / "main.xlsx"
    book.save(out)
    assert_same_generated_sheets(cli_recalc(path, tmp_path), out)


def test_lite_scripts_run_the_macros(make_workbook, example_data, tmp_path):
    module = load_by_path("lite_main", REPO / "xlwings_lite" / "main.py")
    path = make_workbook(example_data)
    book = FakeBook(path, status_bar_supported=False)
    module.recalculate(book)
    out = tmp_path / "lite.xlsx"
    book.save(out)
    assert_same_generated_sheets(cli_recalc(path, tmp_path), out)


def test_the_excel_face_runs_without_python_calamine(make_workbook, example_data, tmp_path):
    """xlwings Lite (Pyodide) has no python-calamine: importing the package and the Lite
    module and running a macro over a book must work without it."""
    path = make_workbook(example_data)
    script = textwrap.dedent(
        """
        import importlib.abc, importlib.util, sys
        tests, lite_main, workbook = sys.argv[1:4]
        sys.path.insert(0, tests)

        class NoCalamine(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name == "python_calamine" or name.startswith("python_calamine."):
                    raise ImportError("python-calamine is not installed here")
                return None

        sys.meta_path.insert(0, NoCalamine())
        sys.modules.pop("python_calamine", None)

        spec = importlib.util.spec_from_file_location("lite_main", lite_main)
        main = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(main)
        from fake_xlwings import FakeBook

        book = FakeBook(workbook)
        main.recalculate(book)
        print(book.app.status_history[-1])
        assert "python_calamine" not in sys.modules
        print("ok")
        """
    )
    lite_main = REPO / "xlwings_lite" / "main.py"
    result = subprocess.run(
        [sys.executable, "-c", script, str(REPO / "tests"), str(lite_main), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2].startswith("Billed 2026-10: 8 lines")
    assert result.stdout.splitlines()[-1] == "ok"


def test_run_main_without_msp_workbook_says_which_python_to_set(
    make_workbook, example_data, monkeypatch
):
    import xlwings as xw

    monkeypatch.setitem(sys.modules, "msp_workbook.excel", None)  # as in a Python without it
    module = load_by_path("MSP_Billing", REPO / "MSP_Billing.py")
    book = FakeBook(make_workbook(example_data))
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: book))
    module.main()
    assert book.app.status_history[-1].startswith(
        "MSP Billing: the Python set as interpreter for this workbook cannot load msp-workbook"
    )
    assert "Interpreter_Win/Interpreter_Mac on the xlwings.conf sheet" in book.app.alerts[-1]
    assert written_sheets(book) == set()


def test_close_month_of_a_ledger_from_before_vat_columns_writes_what_the_command_writes(
    tmp_path,
):
    """The Ledger of the previous release (no VAT rate, Reverse charge): both faces keep its
    columns where they are and add the two at its right end."""
    fixture = REPO / "tests" / "fixtures" / "ledger_before_vat_columns.xlsx"
    expected, path = tmp_path / "cli.xlsx", tmp_path / "excel.xlsx"
    shutil.copyfile(fixture, expected)
    shutil.copyfile(fixture, path)
    for book_path in (expected, path):  # bill November: Settings' Billing month is 2026-10
        set_billing_month(book_path, "2026-11")
    close.close_month(expected, today=date(2026, 12, 2), now=NOW)
    book = FakeBook(path)
    message = close_month(book, today=date(2026, 12, 2), now=NOW)
    assert message is not None and message.startswith("Closed 2026-11: 4 invoices")
    actual = tmp_path / "excel-saved.xlsx"
    book.save(actual)
    assert_same_generated_sheets(expected, actual, (*GENERATED, schema.LEDGER))
    headers = [c.value for c in openpyxl.load_workbook(actual)["Ledger"][1]]
    assert headers[-3:] == ["Finalized", "VAT rate", "Reverse charge"]


def set_billing_month(path: Path, month: str) -> None:
    book = openpyxl.load_workbook(path)
    [row] = [r for r in book["Settings"].iter_rows(min_row=2) if r[0].value == "Billing month"]
    row[1].value = month
    book.save(path)


def test_a_ledger_whose_table_is_gone_stops_recalculate_and_close_month(tmp_path):
    from xml_edits import convert_to_range

    fixture = REPO / "tests" / "fixtures" / "ledger_before_vat_columns.xlsx"
    path = tmp_path / "lost.xlsx"
    shutil.copyfile(fixture, path)
    convert_to_range(path, "Ledger")
    book = FakeBook(path)
    lost = (
        f'{book.name}: sheet "Ledger" holds rows but no table "Ledger" (converted to a range, '
        "or the table removed), so its closed months cannot be read; restore it (select the "
        'rows, Insert > Table, name it "Ledger") or use a backup, then run again'
    )
    assert recalculate(book, today=TODAY) is None
    assert book.app.alerts[-1] == f"Could not recalculate: {lost}"
    assert close_month(book, today=date(2026, 12, 2), now=NOW) is None
    assert book.app.alerts[-1] == f"Could not close the month: {lost}"
    assert written_sheets(book) == set()
