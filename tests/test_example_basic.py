"""The worked example end to end: inputs into a workbook on disk, the real CLI, results read."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import EXAMPLES, read_csv, run_cli
from libreoffice import convert
from workbook_tables import table_rows

from msp_workbook.workbook import schema


def same(expected: str, actual: object) -> bool:
    """A CSV cell equals a cell read back: numbers by value, text as text."""
    if isinstance(actual, float):
        return Decimal(expected or "0") == Decimal(repr(actual))
    return expected == ("" if actual is None else str(actual))


@pytest.fixture
def recalculated(make_workbook, example_data) -> tuple[Path, str]:
    path = make_workbook(example_data)
    result = run_cli("recalc", str(path), "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    return path, result.stdout


def assert_matches(expected_csv: Path, rows: list[dict[str, object]]) -> None:
    expected = read_csv(expected_csv)
    assert len(rows) == len(expected)
    for want, got in zip(expected, rows, strict=True):
        for column, value in want.items():
            assert same(value, got[column]), f"{column}: expected {value!r}, got {got[column]!r}"


def test_billing_lines_equal_the_worked_example(recalculated):
    path, _ = recalculated
    assert_matches(EXAMPLES / "basic" / "expected_Billing_2026-10.csv", table_rows(path, "Billing"))


def test_invoices_equal_the_worked_example(recalculated):
    path, _ = recalculated
    assert_matches(
        EXAMPLES / "basic" / "expected_Invoices_2026-10.csv", table_rows(path, "Invoices")
    )


def test_estimated_line_and_unbilled_usage_are_warned_about_on_checks(recalculated):
    path, stdout = recalculated
    checks = [(r["Severity"], r["Sheet"], r["Cell"]) for r in table_rows(path, "Checks")]
    # The missing reading points at the Usage row where it goes (the table ends at row 18);
    # ... and, with no error, that the month (over by now) is ready to close.
    assert checks == [("warning", "Usage", "A19"), ("warning", "Usage", "B18"), ("info", "", "")]
    ready = [r["Message"] for r in table_rows(path, "Checks")][-1]
    assert ready == (
        "no errors: 2026-10 is ready to close (Close month in Excel, or msp-workbook close PATH "
        "--month 2026-10)"
    )
    assert (
        "warning: Usage!A19: key K4444-AAAAA-BBBBB-CCCC8: no mailboxes reported for 2026-10"
        in stdout
    )


def test_summary_gives_counts_and_totals(recalculated):
    _, stdout = recalculated
    lines = stdout.splitlines()
    assert lines[1] == "Billing month 2026-10: 8 lines, 4 invoices"
    # Net 116.75 + 30.78 + 54.60 + 27.36; VAT 22.18 + 5.85 + 0 + 5.20
    assert lines[2] == "Net 229.49 EUR, VAT 33.23 EUR, Gross 262.72 EUR"
    assert lines[3] == "0 errors, 2 warnings"


def test_billing_month_defaults_to_the_settings_month(make_workbook, example_data):
    path = make_workbook(example_data)
    result = run_cli("recalc", str(path))
    assert result.returncode == 0, result.stderr
    assert "Billing month 2026-10: 8 lines, 4 invoices" in result.stdout


def test_libreoffice_shows_the_values_we_wrote(recalculated, tmp_path):
    path, _ = recalculated
    [converted] = convert([path], tmp_path / "lo")
    for name in (schema.BILLING.name, schema.INVOICES.name, schema.CHECKS.name):
        assert table_rows(converted, name) == table_rows(path, name)


def test_check_validates_without_writing(make_workbook, example_data):
    path = make_workbook(example_data)
    before = path.read_bytes()
    result = run_cli("check", str(path), "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    assert "Billing month 2026-10: 8 lines, 4 invoices" in result.stdout
    assert path.read_bytes() == before


def test_comparison_chart_follows_the_comparison_rows(recalculated):
    import re
    import zipfile

    path, _ = recalculated
    rows = table_rows(path, "Comparison")
    assert rows, "the worked example has customers with annual prices"
    last = 1 + min(15, len(rows))  # the block of the 15 largest savings beside the table
    with zipfile.ZipFile(path) as z:
        chart = next(
            z.read(n).decode()
            for n in z.namelist()
            if n.startswith("xl/charts/") and b"<c:barChart>" in z.read(n)
        )
    refs = re.findall(r"<c:f>([^<]+)</c:f>", chart)
    assert f"Comparison!$Q$2:$Q${last}" in refs  # the bars' labels
    assert f"Comparison!$R$2:$R${last}" in refs  # MSP cost
    assert f"Comparison!$S$2:$S${last}" in refs  # best annual


def test_template_filled_by_a_script_with_openpyxl_bills_the_worked_example(tmp_path, example_data):
    """Another program's route: `new`, fill the tables with openpyxl, save, `recalc --month`."""
    import openpyxl

    path = tmp_path / "filled.xlsx"
    assert run_cli("new", str(path)).returncode == 0
    book = openpyxl.load_workbook(path)
    for table_spec in schema.INPUT_TABLES:
        sheet = book[table_spec.sheet]
        table = sheet.tables[table_spec.name]
        rows = example_data[table_spec.name]
        for r in range(2, sheet.max_row + 1):  # clear the template's rows
            for c in range(1, len(table_spec.columns) + 1):
                sheet.cell(row=r, column=c).value = None
        for r, row in enumerate(rows, start=2):
            for c, header in enumerate(table_spec.headers, start=1):
                value = row[header]
                sheet.cell(row=r, column=c).value = (
                    float(value) if isinstance(value, Decimal) else value
                )
        last = openpyxl.utils.get_column_letter(len(table_spec.columns))
        table.ref = f"A1:{last}{max(2, len(rows) + 1)}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref
    book.save(path)
    result = run_cli("recalc", str(path), "--month", "2026-10")
    assert result.returncode == 0, result.stderr + result.stdout
    assert_matches(EXAMPLES / "basic" / "expected_Billing_2026-10.csv", table_rows(path, "Billing"))
    assert_matches(
        EXAMPLES / "basic" / "expected_Invoices_2026-10.csv", table_rows(path, "Invoices")
    )
