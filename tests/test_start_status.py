"""The Start sheet's status block: every recalculation and closing (command line and Excel face)
writes the month's state beside the steps, with the figures the command line prints; nothing
else on Start changes, and a workbook whose block is gone or moved is recalculated all the same.
"""

from __future__ import annotations

import re
import shutil
import warnings
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from bad_input_cases import with_change
from conftest import run_cli
from fake_xlwings import FakeBook
from libreoffice import convert
from status_cells import VALUE_ROWS, status, value_cells_left_out
from xlsx_fixtures import members, sheet_part

from msp_workbook.app import recalc
from msp_workbook.app.demo_data import demo_data
from msp_workbook.core.months import Month, previous_month
from msp_workbook.excel import close_month, recalculate
from msp_workbook.workbook import schema
from msp_workbook.workbook import status_block as block
from msp_workbook.workbook.template.builder import TEMPLATE_PATH, build_workbook

LAST_MONTH = previous_month(date.today())  # the month the command line bills by default
_SUMMARY = re.compile(
    r"Billing month (?P<month>\d{4}-\d{2}): (?P<lines>\d+) lines, (?P<invoices>\d+) invoices\n"
    r"Net (?P<net>[\d,.-]+) (?P<currency>\w+), VAT (?P<vat>[\d,.-]+) \w+, "
    r"Gross (?P<gross>[\d,.-]+) \w+\n"
    r"(?P<errors>\d+) errors, (?P<warnings>\d+) warnings"
)


def printed(stdout: str) -> dict[str, object]:
    """The command line's summary, parsed."""
    found = _SUMMARY.search(stdout)
    assert found, stdout
    money = {k: Decimal(found[k].replace(",", "")) for k in ("net", "vat", "gross")}
    counts = {k: int(found[k]) for k in ("lines", "invoices", "errors", "warnings")}
    return {"month": found["month"], "currency": found["currency"], **money, **counts}


def assert_block_equals_summary(cells: dict[str, object], summary: dict[str, object]) -> None:
    assert cells[block.BILLING_MONTH] == summary["month"]
    assert cells[block.LINES] == summary["lines"]
    assert cells[block.INVOICES] == summary["invoices"]
    assert cells[block.ERRORS] == summary["errors"]
    assert cells[block.WARNINGS] == summary["warnings"]
    assert cells[block.CURRENCY] == summary["currency"]
    for label, key in ((block.NET, "net"), (block.VAT, "vat"), (block.GROSS, "gross")):
        assert Decimal(str(cells[label])) == summary[key], label


def assert_just_run(cells: dict[str, object]) -> None:
    last_run = cells[block.LAST_RUN]
    assert isinstance(last_run, datetime)
    assert timedelta(0) <= datetime.now() - last_run < timedelta(minutes=10)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, str]:
    """The demo reseller's workbook recalculated by the command line, and what it printed."""
    path = tmp_path_factory.mktemp("demo") / "MSP_Billing.xlsx"
    build_workbook(path, demo_data(LAST_MONTH))
    result = run_cli("recalc", str(path))
    assert result.returncode == 0, result.stderr
    return path, result.stdout


# --- The template -------------------------------------------------------------------------------


def test_the_template_has_the_block_beside_the_monthly_steps() -> None:
    ws = openpyxl.load_workbook(TEMPLATE_PATH)[schema.START_SHEET]
    heading = block.FIRST_ROW - 1
    assert ws.cell(heading, 1).value == "Every month"
    assert ws.cell(heading, block.LABEL_COLUMN + 1).value == block.HEADING
    labels = [ws.cell(row, block.LABEL_COLUMN + 1).value for row in VALUE_ROWS]
    assert labels == list(block.LABELS)
    cells = zip(VALUE_ROWS, labels, strict=True)
    values = {label: ws.cell(row, block.VALUE_COLUMN + 1) for row, label in cells}
    assert values[block.STATE].value == block.NOT_RUN_YET
    assert all(c.value is None for label, c in values.items() if label != block.STATE)
    for label, number_format in block.FORMATS.items():
        assert values[label].number_format == number_format, label


def test_start_promises_no_button_the_template_does_not_have() -> None:
    ws = openpyxl.load_workbook(TEMPLATE_PATH)[schema.START_SHEET]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "press" not in text.lower()
    assert "this workbook has no buttons" in text
    for route in ("classic xlwings add-in", "Run main", "xlwings Lite", "command line"):
        assert route in text, route


# --- The command line ---------------------------------------------------------------------------


def test_the_blocks_figures_equal_the_command_lines(demo) -> None:
    path, stdout = demo
    cells = status(path)
    assert_block_equals_summary(cells, printed(stdout))
    assert cells[block.MONTH_IS] == "open"
    assert_just_run(cells)
    assert printed(stdout)["errors"] == 0
    assert cells[block.STATE] == "ready to close"


def test_errors_say_fix_them_then_recalculate(make_workbook, example_data) -> None:
    path = make_workbook(with_change(example_data, "Usage", 1, "Quantity", "12,5"))
    result = run_cli("recalc", str(path), "--month", "2026-10")
    assert result.returncode == 1, result.stderr
    cells = status(path)
    assert_block_equals_summary(cells, printed(result.stdout))
    assert cells[block.ERRORS] == 1
    assert cells[block.STATE] == "1 error on Checks: fix them, then recalculate"


def test_a_month_not_ended_is_not_ready_to_close(make_workbook, example_data) -> None:
    path = make_workbook(example_data)
    recalc.recalculate(path, Month(2026, 10), today=date(2026, 10, 20))
    cells = status(path)
    assert cells[block.ERRORS] == 0
    assert cells[block.STATE] == "month not ended yet: close it once it has ended"
    recalc.recalculate(path, Month(2026, 10), today=date(2026, 11, 2))
    assert status(path)[block.STATE] == "ready to close"


def test_a_closed_month_says_closed(make_workbook, example_data) -> None:
    path = make_workbook(example_data)
    result = run_cli("close", str(path), "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    cells = status(path)
    assert_block_equals_summary(cells, printed(result.stdout))
    assert (cells[block.MONTH_IS], cells[block.STATE]) == ("closed", "closed")
    assert_just_run(cells)
    result = run_cli("recalc", str(path), "--month", "2026-10")  # shown as it was closed
    assert status(path)[block.STATE] == "closed"
    assert_block_equals_summary(status(path), printed(result.stdout))


def test_only_the_value_cells_of_start_change(make_workbook, example_data) -> None:
    path = make_workbook(example_data)
    before = members(path)
    assert run_cli("recalc", str(path), "--month", "2026-10").returncode == 0
    after = members(path)
    part = sheet_part(path, schema.START_SHEET)
    assert after[part] != before[part]
    assert value_cells_left_out(after[part]) == value_cells_left_out(before[part])
    for kept in ("xl/sharedStrings.xml", "xl/styles.xml"):
        assert after[kept] == before[kept], kept


# --- Where the block is not -----------------------------------------------------------------------


def _resaved(path: Path, change) -> Path:
    """The workbook after a user's edit, saved by openpyxl."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path)
        change(book)
        book.save(path)
    return path


def test_a_workbook_without_start_is_recalculated(make_workbook, example_data) -> None:
    path = _resaved(make_workbook(example_data), lambda b: b.remove(b[schema.START_SHEET]))
    result = run_cli("recalc", str(path), "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    assert printed(result.stdout)["lines"] == 8
    book = FakeBook(path)
    assert recalculate(book, today=date(2026, 11, 9)) is not None
    assert book.app.alerts == []


def test_a_moved_block_is_left_alone(make_workbook, example_data) -> None:
    path = _resaved(make_workbook(example_data), lambda b: b[schema.START_SHEET].insert_rows(1))
    part = sheet_part(path, schema.START_SHEET)
    before = members(path)[part]
    result = run_cli("recalc", str(path), "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    assert members(path)[part] == before
    book = FakeBook(path)
    recalculate(book, today=date(2026, 11, 9))
    assert not book.sheets[schema.START_SHEET].cells_written()


# --- The Excel face -------------------------------------------------------------------------------


def test_the_excel_buttons_write_the_same_block(make_workbook, example_data, tmp_path) -> None:
    path = make_workbook(example_data)
    cli = tmp_path / "cli.xlsx"
    shutil.copyfile(path, cli)
    result = run_cli("recalc", str(cli))
    book = FakeBook(path)
    recalculate(book, today=date.today())
    excel = tmp_path / "excel.xlsx"
    book.save(excel)
    got, want = status(excel), status(cli)
    assert_just_run(got)
    assert {k: v for k, v in got.items() if k != block.LAST_RUN} == {
        k: v for k, v in want.items() if k != block.LAST_RUN
    }
    assert_block_equals_summary(got, printed(result.stdout))
    written = book.sheets[schema.START_SHEET].cells_written()
    assert written == {(row, block.VALUE_COLUMN + 1) for row in VALUE_ROWS}


def test_the_close_month_button_writes_closed(make_workbook, example_data, tmp_path) -> None:
    book = FakeBook(make_workbook(example_data))
    assert close_month(book, today=date(2026, 11, 9)) is not None
    book.save(tmp_path / "closed.xlsx")
    cells = status(tmp_path / "closed.xlsx")
    assert (cells[block.MONTH_IS], cells[block.STATE]) == ("closed", "closed")
    assert cells[block.BILLING_MONTH] == "2026-10" and cells[block.INVOICES] == 4


# --- LibreOffice ----------------------------------------------------------------------------------


def test_libreoffice_opens_the_recalculated_demo_and_keeps_the_block(demo, tmp_path) -> None:
    path, stdout = demo
    (pdf,) = convert([path], tmp_path / "pdf", "pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    (saved,) = convert([path], tmp_path / "xlsx", "xlsx")
    assert_block_equals_summary(status(saved), printed(stdout))
    # Saved by LibreOffice (its own shared strings and styles), the block is found again.
    result = run_cli("recalc", str(saved))
    assert result.returncode == 0, result.stderr
    assert_block_equals_summary(status(saved), printed(result.stdout))
    assert_just_run(status(saved))
