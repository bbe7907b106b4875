"""Notes typed on a generated sheet are not dropped without a word (issue: a "paid on" column
typed beside Invoices vanished at the next recalculation).

The cells are put into the sheet's XML the way Excel stores what a clerk types (a text cell,
a number, a formula with its cached result, a formatted empty cell), on a real workbook; the
real command line then runs on it.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from conftest import run_cli
from xlsx_fixtures import members, rewrite_members, sheet_part

from msp_workbook.workbook.package.safe_save import backup_path
from msp_workbook.workbook.typed_notes import typed_notes


@pytest.fixture
def book(make_workbook, example_data) -> Path:
    path = make_workbook(example_data, name="MSP_Billing.xlsx")
    result = run_cli("recalc", str(path), "--month", "2026-10")
    assert result.returncode in (0, 1), result.stderr
    return path


def type_cells(path: Path, sheet: str, cells: dict[int, str]) -> None:
    """Put cells (row number -> <c> elements) into the sheet's XML: into the row when it exists,
    else as a new row at the end of sheetData (rows below every existing one)."""
    part = sheet_part(path, sheet)
    xml = members(path)[part].decode("utf-8")
    for number, content in sorted(cells.items()):
        row = re.search(rf'<row r="{number}"[^>]*>(.*?)</row>', xml, re.S)
        if row:
            xml = xml[: row.end(1)] + content + xml[row.end(1) :]
        else:
            end = xml.index("</sheetData>")
            xml = xml[:end] + f'<row r="{number}">{content}</row>' + xml[end:]
    tmp = path.with_name("edited.xlsx")
    rewrite_members(path, tmp, {part: xml.encode("utf-8")})
    tmp.replace(path)


def value(path: Path, sheet: str, ref: str) -> object:
    book = openpyxl.load_workbook(path, data_only=True)
    try:
        return book[sheet][ref].value
    finally:
        book.close()


# Beside the Invoices table: its VAT treatment and status columns are N and O (after one blank
# column), the clerk's notes are in P.
PAID = '<c r="P2" t="inlineStr"><is><t>bezahlt 03.11.2026</t></is></c>'
PAID_2 = '<c r="P3"><v>46329</v></c>'
FORMATTED_EMPTY = '<c r="R4" s="1"/>'
TOTAL_BELOW = '<c r="E8"><f>SUM(E2:E5)</f><v>229.49</v></c>'


def test_notes_beside_invoices_are_reported_and_stay_in_the_backup(book):
    """Invoices of 2026-10 fill A1:L5 (4 invoices), their VAT treatment and status N1:O5. P2,
    P3 and a total in E8 are the clerk's; the formatted empty R4 is no note. One warning names
    the cells and where they stay."""
    type_cells(book, "Invoices", {2: PAID, 3: PAID_2, 4: FORMATTED_EMPTY, 8: TOTAL_BELOW})
    result = run_cli("recalc", str(book), "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    warning = (
        "warning: Invoices!E2:P8: 3 cells typed beside the generated table are not kept: this "
        "sheet is rewritten by every run (they stay in MSP_Billing.backup-1.xlsx); keep notes "
        "on a sheet of your own"
    )
    assert warning in result.stdout.splitlines()
    checks = openpyxl.load_workbook(book, data_only=True)["Checks"]
    found = [
        [c.value for c in row]
        for row in checks.iter_rows(min_row=2)
        if row[1].value == "Invoices" and row[2].value == "E2:P8"
    ]
    assert found and found[0][0] == "warning"
    assert value(book, "Invoices", "P2") is None
    assert value(backup_path(book, 1), "Invoices", "P2") == "bezahlt 03.11.2026"
    assert value(backup_path(book, 1), "Invoices", "E8") == pytest.approx(229.49)


def test_a_recalculation_of_an_untouched_workbook_warns_of_nothing(book):
    """The program's own cells (the tables, the Comparison chart's block beside it, Billing's
    totals block, Checks' customer column) are no notes."""
    result = run_cli("recalc", str(book), "--month", "2026-10")
    assert "typed beside" not in result.stdout
    widths = {"Billing": 26, "Invoices": 15, "Comparison": 20, "Checks": 6}
    assert typed_notes(book, widths, "x") == []


def test_one_note_in_the_first_column_right_of_comparisons_side_block(book):
    """Comparison writes A..O (table), a blank P and the block its chart plots, Q..T: U1 is the
    clerk's."""
    type_cells(book, "Comparison", {1: '<c r="U1" t="inlineStr"><is><t>Notiz</t></is></c>'})
    result = run_cli("recalc", str(book), "--month", "2026-10")
    assert (
        "warning: Comparison!U1: 1 cell typed beside the generated table is not kept"
        in result.stdout
    )


def test_closing_keeps_notes_beside_the_ledger(book):
    """Closing appends to the Ledger and keeps its rows as they are, a note beside them too."""
    assert run_cli("close", str(book), "--month", "2026-09").returncode == 0
    type_cells(book, "Ledger", {3: '<c r="Z3" t="inlineStr"><is><t>geprüft</t></is></c>'})
    result = run_cli("close", str(book), "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    assert "typed beside" not in result.stdout
    assert value(book, "Ledger", "Z3") == "geprüft"
