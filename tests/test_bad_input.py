"""Every kind of bad input becomes an error on Checks with its cell and an exact message.

Each case changes one cell of the worked example (shared/examples/basic), writes the workbook to
disk, runs the real reader and billing, and asserts the exact check, that the bad row is left out
of the billing, and that the rest of the month is still billed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from bad_input_cases import CASES, with_change
from conftest import run_cli

from msp_workbook.app.check import check_workbook
from msp_workbook.core.models import Check
from msp_workbook.core.months import Month

OCT = Month(2026, 10)


@pytest.mark.parametrize(
    ("table", "index", "column", "value", "cell", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_cell_is_an_error_on_checks_with_its_cell(
    make_workbook, example_data, table, index, column, value, cell, message
):
    path = make_workbook(with_change(example_data, table, index, column, value))
    report = check_workbook(path, OCT)
    expected = Check(severity="error", sheet=table, cell=cell, message=message)
    assert expected in report.checks, [str(c) for c in report.errors]
    # One error for the bad cell in its own sheet; rows elsewhere that depend on the left-out row
    # are reported once per left-out record.
    assert [c for c in report.errors if c.sheet == table] == [expected]


def test_bad_usage_row_is_left_out_and_the_rest_is_billed(make_workbook, example_data):
    # Usage row 4 (42 mailboxes on CCCC2) is the month's maximum; without it the max is 41.
    path = make_workbook(with_change(example_data, "Usage", 2, "Quantity", "42 mailboxes"))
    report = check_workbook(path, OCT)
    line = next(li for li in report.result.lines if li.license_key.endswith("CCCC2"))
    assert (line.quantity, line.net) == (41, Decimal("98.40"))
    assert len(report.result.lines) == 8


def test_usage_of_a_key_with_errors_points_at_the_key(make_workbook, example_data):
    path = make_workbook(with_change(example_data, "Keys", 0, "Status", "paused"))
    report = check_workbook(path, OCT)
    assert (
        Check(
            severity="error",
            sheet="Usage",
            cell="B2",
            message='license key "K1111-AAAAA-BBBBB-CCCC2" has errors on Keys; fix them first '
            "(its 4 rows here left out: 2, 3, 4, 5)",
        )
        in report.checks
    )
    assert not any(li.license_key.endswith("CCCC2") for li in report.result.lines)


def test_cli_reports_errors_with_cells_and_exits_1(make_workbook, example_data):
    path = make_workbook(with_change(example_data, "Usage", 1, "Quantity", "12,5"))
    result = run_cli("recalc", str(path), "--month", "2026-10")
    assert result.returncode == 1
    assert 'error: Usage!D3: quantity must be a whole number >= 0, got "12,5"' in result.stdout
    assert "1 errors, 2 warnings" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_rows_typed_below_the_table_are_read_with_a_warning(make_workbook, example_data, tmp_path):
    import openpyxl

    path = make_workbook(example_data)
    book = openpyxl.load_workbook(path)
    sheet = book["Usage"]
    # Directly under the table (rows 2..18): a reading for CCCC4, 9 mailboxes (above its minimum 5).
    for col, value in enumerate((date(2026, 10, 30), "K2222-AAAAA-BBBBB-CCCC4", "mailboxes", 9), 1):
        sheet.cell(row=19, column=col, value=value)
    book.save(path)
    report = check_workbook(path, OCT)
    assert (
        Check(
            severity="warning",
            sheet="Usage",
            cell="A19",
            message='1 row below the table "Usage" (from row 19) were read too; '
            "extend the table to include them (Table Design > Resize Table)",
        )
        in report.checks
    )
    line = next(li for li in report.result.lines if li.license_key.endswith("CCCC4"))
    assert (line.quantity, line.type) == (9, "usage")


def test_numbers_typed_as_text_are_read_as_numbers(make_workbook, example_data):
    path = make_workbook(with_change(example_data, "Usage", 2, "Quantity", "43"))
    report = check_workbook(path, OCT)
    assert report.errors == []
    line = next(li for li in report.result.lines if li.license_key.endswith("CCCC2"))
    assert line.quantity == 43
