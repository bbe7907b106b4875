"""`msp-workbook import-usage`: readings from report files into Usage (SPEC section 7).

Reports are real files in the dialects a German office meets (written here byte for byte), run
through the real command line; the workbook is read back with openpyxl, and billed with the
real `check`.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import load_example, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msp_workbook.app import usage_import
from msp_workbook.app.check import check_workbook
from msp_workbook.core.months import Month
from msp_workbook.workbook.errors import WorkbookError
from msp_workbook.workbook.template.builder import build_workbook

KC2 = "K1111-AAAAA-BBBBB-CCCC2"  # KC-MSP (mailboxes, max), C-0001
LG3 = "K1111-AAAAA-BBBBB-CCCC3"  # LG-MSP (nodes max, scans sum)


@pytest.fixture
def book(tmp_path) -> Path:
    path = tmp_path / "MSP_Billing.xlsx"
    build_workbook(path, load_example("basic"))  # with the template's example profiles
    return path


def write(path: Path, text: str, encoding: str = "utf-8", bom: bool = False) -> Path:
    data = text.replace("\n", "\r\n").encode(encoding)
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def usage_rows(path: Path) -> list[tuple]:
    ws = openpyxl.load_workbook(path)["Usage"]
    table = ws.tables["Usage"]
    rows = list(ws[table.ref])[1:]
    return [tuple(c.value for c in row) for row in rows]


def imported(path: Path) -> list[tuple]:
    return [r for r in usage_rows(path) if r[4] != "example"]


def net(path: Path, month: str = "2026-10") -> str:
    result = run_cli("check", str(path), "--month", month)
    return next(line for line in result.stdout.splitlines() if line.startswith("Net "))


GERMAN = """Datum;Lizenzschlüssel;Einheit;Anzahl
31.10.2026;K1111-AAAAA-BBBBB-CCCC2;Mailboxes;1.234

30.10.2026;k1111-aaaaa-bbbbb-cccc3;NODES;12
Summe;;;1.246
"""


def test_a_german_excel_csv_with_bom_semicolons_and_thousands(book, tmp_path):
    """Excel's "CSV UTF-8" from a German office: BOM, `;`, CRLF, 31.10.2026, 1.234 = 1234.
    Profile kerio-de (one of the template's examples). Keys and metrics are written as Keys
    and Products spell them; the blank line and the totals line are skipped, and said so."""
    report = write(tmp_path / "nutzung oktober.csv", GERMAN, bom=True)
    result = run_cli("import-usage", str(book), str(report), "--profile", "kerio-de")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"Imported 2 readings into {book}",
        "nutzung oktober.csv: 2 readings added (1 blank line skipped; line 5 skipped: a "
        "totals line)",
        "0 errors",
    ]
    source = f"nutzung oktober.csv#{digest(report)}"
    assert imported(book) == [
        (datetime(2026, 10, 31), KC2, "mailboxes", 1234, f"{source}:2"),
        (datetime(2026, 10, 30), LG3, "nodes", 12, f"{source}:4"),
    ]
    # max(40, 42, 41, 1234) mailboxes at 2.40 and max(7, 12) nodes at 0.95 (minimum 10 -> 12):
    # 229.49 + (1234 - 42) x 2.40 + (12 - 10) x 0.95 = 229.49 + 2860.80 + 1.90
    assert net(book).startswith("Net 3,092.19 EUR,")


def test_windows_1252_is_read_as_such(book, tmp_path):
    report = write(tmp_path / "alt.csv", GERMAN.replace("Summe;;;1.246\n", ""), "cp1252")
    assert "ü".encode("cp1252") in report.read_bytes()
    result = run_cli("import-usage", str(book), str(report), "--profile", "kerio-de")
    assert result.returncode == 0, result.stderr
    assert [r[3] for r in imported(book)] == [1234, 12]


def test_a_comma_separated_report_groups_thousands_with_commas(book, tmp_path):
    text = (
        'Date,License key,Metric,Quantity\n2026-10-31,K1111-AAAAA-BBBBB-CCCC2,mailboxes,"1,500"\n'
    )
    report = write(tmp_path / "en.csv", text)
    assert run_cli("import-usage", str(book), str(report)).returncode == 0
    assert [r[3] for r in imported(book)] == [1500]


def test_in_a_tab_separated_report_a_grouped_number_is_refused_not_guessed(book, tmp_path):
    text = (
        "Date\tLicense key\tMetric\tQuantity\n10/2026\tK1111-AAAAA-BBBBB-CCCC2\tmailboxes\t1.234\n"
    )
    report = write(tmp_path / "tab.tsv", text)
    result = run_cli("import-usage", str(book), str(report))
    assert result.returncode == 1
    assert (
        'error: tab.tsv:2: quantity must be a whole number >= 0, got "1.234" (in a '
        "tab-separated report . and , may be decimal or thousands: write 1234)"
    ) in result.stdout.splitlines()
    assert imported(book) == []


def test_bad_lines_are_named_by_file_and_line_and_the_good_ones_added(book, tmp_path):
    text = (
        "Date;License key;Metric;Quantity\n"
        "31.10.2026;K1111-AAAAA-BBBBB-CCCC2;mailboxes;50\n"
        "31.10.2026;K9999-NOT-ON-KEYS;mailboxes;5\n"
        "31.10.2026;K1111-AAAAA-BBBBB-CCCC2;users;5\n"
        "31.13.2026;K1111-AAAAA-BBBBB-CCCC2;mailboxes;5\n"
        "31.10.2026;K1111-AAAAA-BBBBB-CCCC2;mailboxes;12,5\n"
        "31.10.2026;K1111-AAAAA-BBBBB-CCCC2;mailboxes;-3\n"
    )
    report = write(tmp_path / "mixed.csv", text)
    result = run_cli("import-usage", str(book), str(report))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"Imported 1 reading into {book}",
        "mixed.csv: 1 reading added",
        "5 errors",
        'error: mixed.csv:3: unknown license key "K9999-NOT-ON-KEYS" (not on Keys)',
        "error: mixed.csv:4: license key K1111-AAAAA-BBBBB-CCCC2: its product KC-MSP does not "
        'bill the metric "users" (it bills: mailboxes)',
        "error: mixed.csv:5: date must be a day (31.10.2026 or 2026-10-31) or a month "
        '(10/2026), got "31.13.2026"',
        'error: mixed.csv:6: quantity must be a whole number >= 0, got "12,5"',
        'error: mixed.csv:7: quantity must be a whole number >= 0, got "-3"',
    ]
    assert [r[3] for r in imported(book)] == [50]


def test_importing_twice_adds_nothing_the_second_time_even_under_another_name(book, tmp_path):
    report = write(tmp_path / "a.csv", GERMAN, bom=True)
    assert run_cli("import-usage", str(book), str(report), "--profile", "kerio-de").returncode == 0
    once = usage_rows(book)
    renamed = tmp_path / "a-copy.csv"
    renamed.write_bytes(report.read_bytes())
    for again in (report, renamed):
        result = run_cli("import-usage", str(book), str(again), "--profile", "kerio-de")
        assert result.returncode == 0
        assert result.stdout.splitlines()[1] == (
            f"{again.name}: already imported (digest {digest(report)}): nothing added"
        )
    assert usage_rows(book) == once


def test_the_same_file_twice_in_one_run_is_imported_once(book, tmp_path):
    report = write(tmp_path / "a.csv", GERMAN, bom=True)
    result = run_cli("import-usage", str(book), str(report), str(report), "--profile", "kerio-de")
    assert result.returncode == 0
    assert len(imported(book)) == 2


def test_dry_run_writes_nothing(book, tmp_path):
    report = write(tmp_path / "a.csv", GERMAN, bom=True)
    before = book.read_bytes()
    result = run_cli("import-usage", str(book), str(report), "--profile", "kerio-de", "--dry-run")
    assert result.returncode == 0
    assert result.stdout.splitlines()[:2] == [
        f"Dry run: 2 readings would be added to {book}; nothing written",
        "a.csv: 2 readings to add (1 blank line skipped; line 5 skipped: a totals line)",
    ]
    assert book.read_bytes() == before


def test_a_wide_xlsx_report_with_a_column_per_metric(book, tmp_path):
    """languard-wide (template example): Report date, License, Nodes -> nodes, Scans -> scans;
    Excel date cells; an empty Scans cell is no reading."""
    report = tmp_path / "languard.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([])  # the header is the first non-empty row
    ws.append(["Scans", "License", "Report date", "Nodes"])  # in the report's own order
    ws.append([40, LG3, datetime(2026, 10, 25), 15])
    ws.append([None, LG3, datetime(2026, 10, 26), 16])
    wb.save(report)
    result = run_cli("import-usage", str(book), str(report), "--profile", "languard-wide")
    assert result.returncode == 0, result.stdout + result.stderr
    source = f"languard.xlsx#{digest(report)}"
    assert imported(book) == [
        (datetime(2026, 10, 25), LG3, "nodes", 15, f"{source}:3"),
        (datetime(2026, 10, 25), LG3, "scans", 40, f"{source}:3"),
        (datetime(2026, 10, 26), LG3, "nodes", 16, f"{source}:4"),
    ]


def test_a_profile_without_dates_needs_the_month(tmp_path):
    data = load_example("basic")
    data["ImportProfiles"] = [
        {"Profile": "portal", "Field": "License key", "Column": "Key"},
        {"Profile": "portal", "Field": "Quantity", "Column": "Mailboxes", "Metric": "mailboxes"},
    ]
    book = tmp_path / "b.xlsx"
    build_workbook(book, data)
    report = write(tmp_path / "portal.csv", f"Key,Mailboxes\n{KC2},77\n")
    result = run_cli("import-usage", str(book), str(report), "--profile", "portal")
    assert result.returncode == 2
    assert result.stderr == (
        "msp-workbook: profile portal reads no date from a report: give the readings' month "
        "with --month YYYY-MM\n"
    )
    result = run_cli(
        "import-usage", str(book), str(report), "--profile", "portal", "--month", "2026-10"
    )
    assert result.returncode == 0, result.stderr
    assert [r[:4] for r in imported(book)] == [(datetime(2026, 10, 1), KC2, "mailboxes", 77)]


def test_an_unknown_profile_and_a_report_without_its_columns(book, tmp_path):
    report = write(tmp_path / "r.csv", "Foo;Bar\n1;2\n")
    result = run_cli("import-usage", str(book), str(report), "--profile", "nope")
    assert result.returncode == 2
    assert result.stderr == (
        'msp-workbook: unknown import profile "nope" (not on Imports; known: kerio-de, '
        "languard-wide, standard)\n"
    )
    result = run_cli("import-usage", str(book), str(report))
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == (
        'error: r.csv: its first line is no header with the columns "Date", "License key", '
        '"Metric", "Quantity" separated by ; , or a tab (the first line is "Foo;Bar")'
    )


def test_a_report_that_would_pass_excels_row_limit_is_refused(book, tmp_path, monkeypatch):
    """Usage holds rows 2..18 (17 readings); with the limit set to 19 rows two more do not fit.
    Nothing is written (the real limit, 1,048,576, works the same)."""
    monkeypatch.setattr(usage_import, "EXCEL_MAX_ROWS", 19)
    report = write(tmp_path / "a.csv", GERMAN, bom=True)
    before = book.read_bytes()
    with pytest.raises(WorkbookError) as error:
        usage_import.import_usage(book, [report], "kerio-de")
    assert str(error.value) == (
        f"{book}: 2 readings would take Usage past Excel's 19 rows; archive older months "
        "first (or import fewer reports at once)"
    )
    assert book.read_bytes() == before


def test_the_excel_view_of_the_imported_rows(book, tmp_path):
    """The new rows are inside the Usage table, formatted like the rows above them."""
    report = write(tmp_path / "a.csv", GERMAN, bom=True)
    run_cli("import-usage", str(book), str(report), "--profile", "kerio-de")
    ws = openpyxl.load_workbook(book)["Usage"]
    assert ws.tables["Usage"].ref == "A1:E20"
    assert ws["A19"].number_format == ws["A18"].number_format
    assert ws["A19"].is_date


# --- Imported readings bill as typed readings -------------------------------------------------

KEYS_AND_METRICS = [(KC2, "mailboxes"), (LG3, "nodes"), (LG3, "scans")]


def as_csv(rows: list[tuple[date, str, str, int]], separator: str, shuffle: list[int]) -> str:
    headers = ["Date", "License key", "Metric", "Quantity"]
    order = [headers[i] for i in shuffle]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\n")
    writer.writerow(order)
    for day, key, metric, quantity in rows:
        values = {
            "Date": day.strftime("%d.%m.%Y") if separator == ";" else day.isoformat(),
            "License key": key.lower(),
            "Metric": metric.upper(),
            "Quantity": f"{quantity:,}".replace(",", "." if separator == ";" else ","),
        }
        writer.writerow([values[h] for h in order])
    return out.getvalue()


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(
        st.tuples(
            st.dates(date(2026, 9, 1), date(2026, 10, 31)),
            st.sampled_from(KEYS_AND_METRICS),
            st.integers(0, 25_000),
        ),
        min_size=1,
        max_size=12,
    ),
    separator=st.sampled_from([";", ","]),
    shuffle=st.permutations([0, 1, 2, 3]),
)
def test_imported_readings_bill_as_the_same_readings_typed_into_usage(
    tmp_path_factory, rows, separator, shuffle
):
    folder = tmp_path_factory.mktemp("prop")
    readings = [(day, key, metric, qty) for day, (key, metric), qty in rows]
    typed_data = load_example("basic")
    typed_data["Usage"] = typed_data["Usage"] + [
        {"Date": d, "License key": k, "Metric": m, "Quantity": q, "Source": "typed"}
        for d, k, m, q in readings
    ]
    typed = folder / "typed.xlsx"
    build_workbook(typed, typed_data)
    importing = folder / "imported.xlsx"
    build_workbook(importing, load_example("basic"))
    report = folder / "report.csv"
    report.write_text(as_csv(readings, separator, shuffle), encoding="utf-8")
    result = usage_import.import_usage(importing, [report])
    assert result.problems == [] and result.added == len(readings)
    for month in (Month(2026, 9), Month(2026, 10)):
        a = check_workbook(typed, month)
        b = check_workbook(importing, month)
        assert [(x.license_key, x.metric, x.quantity, x.net) for x in a.result.lines] == [
            (x.license_key, x.metric, x.quantity, x.net) for x in b.result.lines
        ]
        assert a.net == b.net


# --- The Excel button ---------------------------------------------------------------------------


def test_the_excel_button_imports_what_the_command_line_imports(book, tmp_path):
    """Without an Open dialog (the fake, like macOS), the button reads the path and profile from
    the selected request row beside the ImportProfiles table; the rows it appends are the very
    rows `msp-workbook import-usage` appends, and a second press adds nothing."""
    from fake_xlwings import FakeBook

    from msp_workbook.excel import import_usage

    report = write(tmp_path / "nutzung.csv", GERMAN, bom=True)
    by_cli = tmp_path / "cli.xlsx"
    by_cli.write_bytes(book.read_bytes())
    assert (
        run_cli("import-usage", str(by_cli), str(report), "--profile", "kerio-de").returncode == 0
    )

    excel = FakeBook(book)
    excel.sheets["Imports"].range("F7").value = str(report)
    excel.sheets["Imports"].range("G7").value = "kerio-de"
    excel.select("Imports", "F7")
    result = import_usage(excel)
    assert result is not None and result.added == 2 and result.problems == []
    message = "Imported 2 readings; from nutzung.csv (2)"
    assert excel.app.alerts == [message]
    saved = tmp_path / "excel.xlsx"
    excel.save(saved)
    assert imported(saved) == imported(by_cli)

    again = import_usage(excel)
    assert again is not None and again.added == 0
    assert excel.app.alerts[-1] == "Imported 0 readings; already imported before: nutzung.csv"


def test_the_excel_button_without_a_path_says_how(book):
    from fake_xlwings import FakeBook

    from msp_workbook.excel import import_usage
    from msp_workbook.excel.import_usage import HOW

    excel = FakeBook(book)
    excel.select("Imports", "F7")  # the request row, empty
    assert import_usage(excel) is None
    assert excel.app.alerts == [f"Could not import usage: {HOW}"]


def test_libreoffice_opens_the_imported_workbook_with_the_rows_in_the_table(book, tmp_path):
    """LibreOffice as a real spreadsheet: it opens the file, the Usage table covers the new
    rows and their dates are dates; the converted workbook bills as before."""
    from libreoffice import convert

    report = write(tmp_path / "nutzung.csv", GERMAN, bom=True)
    assert run_cli("import-usage", str(book), str(report), "--profile", "kerio-de").returncode == 0
    [converted] = convert([book], tmp_path / "lo")
    ws = openpyxl.load_workbook(converted)["Usage"]
    assert ws.tables["Usage"].ref == "A1:E20"
    assert [ws.cell(19, c).value for c in range(1, 6)] == [
        datetime(2026, 10, 31),
        KC2,
        "mailboxes",
        1234,
        f"nutzung.csv#{digest(report)}:2",
    ]
    assert net(converted) == net(book)


def test_check_warns_of_two_reports_with_the_same_key_metric_and_day(book, tmp_path):
    """Two different reports with readings of one key, metric and day: both readings are kept
    and billed (max 70), and `check` warns at the second report's row, on both readers."""
    from msp_workbook.workbook.read import read_workbook

    first = write(
        tmp_path / "a.csv", f"Date;License key;Metric;Quantity\n31.10.2026;{KC2};mailboxes;60\n"
    )
    second = write(
        tmp_path / "b.csv",
        "Date;License key;Metric;Quantity\n"
        f"2026-10-30;{KC2};mailboxes;50\n31.10.2026;{KC2};mailboxes;70\n",
    )
    assert run_cli("import-usage", str(book), str(first)).returncode == 0
    assert run_cli("import-usage", str(book), str(second)).returncode == 0
    warning = (
        f"warning: Usage!A21: {KC2}, mailboxes on 2026-10-31 comes from two reports: "
        f"a.csv#{digest(first)}:2 (row 19) and b.csv#{digest(second)}:3; both readings are "
        "counted: check that the reports do not overlap"
    )
    result = run_cli("check", str(book), "--month", "2026-10")
    assert warning in result.stdout.splitlines()
    assert [line for line in result.stdout.splitlines() if "two reports" in line] == [warning]
    # 229.49 + (70 - 42) x 2.40
    assert net(book).startswith("Net 296.69 EUR,")
    bulk = [str(c) for c in read_workbook(book, month=Month(2026, 10)).checks]
    plain = [str(c) for c in read_workbook(book, bulk=False, month=Month(2026, 10)).checks]
    assert [c for c in bulk if "two reports" in c] == [c for c in plain if "two reports" in c]
    assert len([c for c in bulk if "two reports" in c]) == 1


def test_the_rows_already_in_usage_and_every_other_part_stay_byte_for_byte(book, tmp_path):
    """Only the Usage sheet and its table part change; in the sheet, the XML of the rows
    already there is kept as it was and the new rows follow the last one."""
    from xlsx_fixtures import members, sheet_part, table_part

    before = members(book)
    report = write(tmp_path / "a.csv", GERMAN, bom=True)
    assert run_cli("import-usage", str(book), str(report), "--profile", "kerio-de").returncode == 0
    after = members(book)
    sheet, table = sheet_part(book, "Usage"), table_part(book, "Usage")
    changed = {name for name in before if before[name] != after.get(name)}
    assert changed == {sheet, table}
    assert set(after) == set(before)
    old, new = before[sheet].decode(), after[sheet].decode()
    # Rows 19 and 20 held only the customer name looked up beside the table: the new cells go
    # in front of it, and the rows after them stay as they were.
    below = old.index('<row r="19"')
    old_rows = old[old.index("<sheetData>") : below]
    assert new.startswith(old[:below].replace('ref="A1:E18"', 'ref="A1:E20"'))
    assert old_rows in new
    rest = old[old.index('<row r="21"') : old.index("</sheetData>")]
    assert rest in new
    for number in (19, 20):
        row = re.search(rf'<row r="{number}".*?</row>', new)[0]
        assert f'<c r="A{number}"' in row and "Usage[[#This Row],[License key]]" in row
        assert row.index(f'<c r="A{number}"') < row.index(f'<c r="G{number}"')


def test_a_profile_row_that_cannot_be_read_stops_that_profile_naming_its_cell(tmp_path):
    """A Field that is not one of the five, on the profile's second row: the import says where
    (never a row silently left out of the profile); other profiles still import."""
    data = load_example("basic")
    data["ImportProfiles"] = [
        {"Profile": "portal", "Field": "License key", "Column": "Key"},
        {"Profile": "portal", "Field": "Datum", "Column": "Day"},
        {"Profile": "portal", "Field": "Quantity", "Column": "Mailboxes", "Metric": "mailboxes"},
    ]
    book = tmp_path / "b.xlsx"
    build_workbook(book, data)
    report = write(tmp_path / "portal.csv", f"Key,Day,Mailboxes\n{KC2},2026-10-31,77\n")
    result = run_cli("import-usage", str(book), str(report), "--profile", "portal")
    assert result.returncode == 2
    assert result.stderr == (
        "msp-workbook: Imports!B3: field must be one of Date, License key, Metric, Quantity, "
        'Amount, got "Datum"; fix it and run again\n'
    )
    standard = write(
        tmp_path / "s.csv", f"Date,License key,Metric,Quantity\n2026-10-31,{KC2},mailboxes,50\n"
    )
    assert run_cli("import-usage", str(book), str(standard)).returncode == 0
