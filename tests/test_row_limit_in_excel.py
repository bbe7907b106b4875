"""The Excel buttons warn, as `check` does, when Usage or the Ledger reaches past 80 % of Excel's
1,048,576 rows (SPEC section 11), with what to run: a clerk who only presses buttons sees it.
(Below 80 %, no warning: tests/test_archive.py, through the command line.)"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from conftest import load_example
from fake_xlwings import FakeBook
from workbook_tables import table_rows

from msp_workbook.excel import recalculate
from msp_workbook.workbook.template.builder import build_workbook

LOW = 838_860  # the table's header row: its rows start past 80 % (838,860.8)


def usage_far_down(path: Path, header_row: int) -> Path:
    """The basic example with its Usage table moved down so that its header is `header_row`."""
    build_workbook(path, load_example("basic"))
    book = openpyxl.load_workbook(path)
    sheet = book["Usage"]
    table = sheet.tables["Usage"]
    first, last = table.ref.split(":")
    rows = int(last[1:])
    sheet.move_range(f"A1:E{rows}", rows=header_row - 1)
    table.ref = f"A{header_row}:E{header_row + rows - 1}"
    table.autoFilter.ref = table.ref
    book.save(path)
    return path


def limit_rows(path: Path) -> list[dict[str, object]]:
    return [r for r in table_rows(path, "Checks") if "an Excel sheet can hold" in str(r["Message"])]


def test_recalculate_in_excel_warns_when_usage_passes_80_percent(tmp_path):
    path = usage_far_down(tmp_path / "book.xlsx", LOW)
    book = FakeBook(path)
    report = recalculate(book)
    assert report is not None
    book.save(path)
    [found] = limit_rows(path)
    last = LOW + len(load_example("basic")["Usage"])
    assert (found["Severity"], found["Sheet"], found["Cell"]) == ("warning", "Usage", f"A{last}")
    assert found["Message"] == (
        f"the Usage table reaches row {last:,} of the 1,048,576 an Excel sheet can hold (80%); "
        "close the months billed so far, then move the oldest into an archive (msp-workbook "
        'archive "book.xlsx" --before YYYY-MM)'
    )
