"""Bad input in a real workbook, edited the way Excel or LibreOffice stores the edit.

Each case takes the demo workbook (built once, billing month 2026-10), changes its XML the way
Excel would store the change (an error value, a formula without a stored result, rows inserted
above a table, a totals row, a second table), and runs the real reader and billing on it: the
change is an error at its cell, or leaves the billing as it was, never a silent change in money.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from xlsx_edits import chain, edited, number_cell, sheet_part, shift_rows, table_part, text_cell

from msp_workbook import operations
from msp_workbook.operations import RunReport

TODAY = date(2026, 11, 15)  # the demo bills 2026-10


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    operations.build_demo(path, today=TODAY)
    return path


@pytest.fixture(scope="module")
def usage_rows(demo: Path) -> list[list[object]]:
    import python_calamine as calamine

    book = calamine.CalamineWorkbook.from_path(str(demo))
    try:
        return book.get_sheet_by_name("Usage").to_python()
    finally:
        book.close()


def check(path: Path) -> RunReport:
    return operations.check_workbook(path, today=TODAY)


def errors(report: RunReport) -> list[str]:
    return [f"{c.sheet}!{c.cell}: {c.message}" for c in report.errors]


def quantities(report: RunReport) -> dict[tuple[str, str], int]:
    return {(line.license_key, line.metric): line.quantity for line in report.result.lines}


def first_row(rows: list[list[object]], metric: str, month_from: date) -> int:
    """The sheet row of the first reading of `metric` dated from `month_from`."""
    for number, row in enumerate(rows, start=1):
        if row[2] == metric and isinstance(row[0], date) and row[0] >= month_from:
            return number
    raise AssertionError(metric)


def test_bad_quantity_is_found_when_the_usage_table_starts_below_row_1(
    demo: Path, usage_rows: list[list[object]], tmp_path: Path
) -> None:
    """Issue 21 item 2: with two rows inserted above the Usage table, `abc` in a quantity is an
    error at its (moved) cell and that reading alone is left out; no other row is billed twice."""
    number = first_row(usage_rows, "scans", date(2026, 10, 1))
    key, scans = usage_rows[number - 1][1], int(usage_rows[number - 1][3])
    assert scans > 0
    sheet, table = sheet_part(demo, "Usage"), table_part(demo, "Usage")
    flat = edited(demo, tmp_path / "flat.xlsx", {sheet: text_cell(f"D{number}", "abc")})
    moved = edited(
        demo,
        tmp_path / "moved.xlsx",
        {sheet: chain(shift_rows(2), text_cell(f"D{number + 2}", "abc")), table: shift_rows(2)},
    )
    before, at_flat, at_moved = check(demo), check(flat), check(moved)
    message = 'quantity must be a whole number >= 0, got "abc"'
    assert errors(at_flat) == [f"Usage!D{number}: {message}"]
    assert errors(at_moved) == [f"Usage!D{number + 2}: {message}"]
    # The reading's scans are gone from its key's sum, and nothing else changed.
    expected = quantities(before)
    expected[(key, "scans")] -= scans
    expected = {pair: q for pair, q in expected.items() if q}
    assert {p: q for p, q in quantities(at_moved).items() if q} == expected
    assert at_moved.net == at_flat.net < before.net


def test_rows_inserted_above_the_usage_table_change_nothing(demo: Path, tmp_path: Path) -> None:
    sheet, table = sheet_part(demo, "Usage"), table_part(demo, "Usage")
    moved = edited(demo, tmp_path / "moved.xlsx", {sheet: shift_rows(3), table: shift_rows(3)})
    before, after = check(demo), check(moved)
    assert errors(after) == []
    assert after.net == before.net == Decimal("3818.67")
    assert quantities(after) == quantities(before)


_ = number_cell  # used by later cases
