"""The Ledger read in bulk (`workbook/ledger_columns.py`: fastexcel columns, each distinct value
converted once, kept as columns) gives the same closed lines and the same checks as the
row-by-row reader (`ledger_rows.build_ledger` over python-calamine's cells), on real files: a
clean Ledger, edited rows (read again row by row for their messages), rows typed below
the table, and a Ledger closed before it recorded VAT rate and reverse charge."""

from __future__ import annotations

import dataclasses
import functools
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from conftest import load_example

from msp_workbook.app.close import close_month
from msp_workbook.core.months import Month
from msp_workbook.workbook import ledger_sheet
from msp_workbook.workbook.errors import WorkbookError
from msp_workbook.workbook.isolated import ChildLoad
from msp_workbook.workbook.ledger_columns import LedgerLoad, ledger_in_bulk
from msp_workbook.workbook.ledger_sheet import load_ledger_columns
from msp_workbook.workbook.read import read_workbook
from msp_workbook.workbook.template.builder import build_workbook

TODAY = date(2027, 1, 15)


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The basic example with October, November and December 2026 closed."""
    path = tmp_path_factory.mktemp("closed") / "book.xlsx"
    build_workbook(path, load_example("basic"))
    for month in (Month(2026, 10), Month(2026, 11), Month(2026, 12)):
        close_month(path, month, today=TODAY)
    return path


def both(path: Path):
    bulk = read_workbook(path, month=Month(2027, 1), today=TODAY)
    plain = read_workbook(path, bulk=False, month=Month(2027, 1), today=TODAY)
    return bulk, plain


def ledger_checks(read) -> list[str]:
    return [str(c) for c in read.checks if c.sheet == "Ledger"]


def edited(closed: Path, tmp_path: Path, cells: dict[str, object]) -> Path:
    path = tmp_path / "book.xlsx"
    shutil.copyfile(closed, path)
    book = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        book["Ledger"][ref] = value
    book.save(path)
    return path


def test_a_clean_ledger_reads_the_same_lines_in_bulk(closed):
    bulk, plain = both(closed)
    assert len(bulk.ledger) == len(plain.ledger) > 20
    assert bulk.ledger.lines == plain.ledger.lines
    assert bulk.ledger.closed_months() == [Month(2026, 10), Month(2026, 11), Month(2026, 12)]
    assert bulk.ledger_columns == plain.ledger_columns
    assert ledger_checks(bulk) == ledger_checks(plain) == []


def test_month_records_and_rows_agree_with_the_lines(closed):
    bulk, _ = both(closed)
    ledger = bulk.ledger
    for month in ledger.closed_months():
        lines = ledger.month_lines(month)
        assert [e.line.month for e in lines] == [month] * len(lines)
        assert list(ledger.line_rows(month)) == [
            (e.line.type, e.line.customer_id, e.line.customer, e.line.product_id, e.line.metric,
             e.line.quantity, e.line.unit_price)
            for e in lines
        ]  # fmt: skip
    assert ledger.invoices_in_year(2026) == {e.invoice for e in ledger.lines}


@pytest.mark.parametrize(
    "cells",
    [
        {"I2": "twelve"},  # Quantity: text where a whole number belongs
        {"I3": 2.5},  # a fractional quantity
        {"B4": "2026-13"},  # no month
        {"P2": "usage?"},  # an unknown type
        {"S2": None},  # VAT rate gone, Reverse charge still there
        {"J2": "1.000"},  # an ambiguous unit price
    ],
)
def test_an_edited_row_gives_the_reference_readers_error_at_its_row(closed, tmp_path, cells):
    path = edited(closed, tmp_path, cells)
    bulk, plain = both(path)
    found = ledger_checks(bulk)
    assert found == ledger_checks(plain)
    assert len(found) == 1 and "cannot be read" in found[0]
    assert bulk.ledger.lines == plain.ledger.lines


def test_rows_typed_below_the_ledger_are_read_with_the_same_warning(closed, tmp_path):
    book = openpyxl.load_workbook(closed)
    sheet = book["Ledger"]
    last = sheet.max_row
    copy = [c.value for c in sheet[last]]
    path = tmp_path / "book.xlsx"
    for column, value in enumerate(copy, start=1):
        sheet.cell(row=last + 1, column=column, value=value)
    book.save(path)
    bulk, plain = both(path)
    assert (
        [str(c) for c in bulk.checks if "below the table" in c.message]
        == [str(c) for c in plain.checks if "below the table" in c.message]
        != []
    )
    assert bulk.ledger.lines == plain.ledger.lines


def test_a_ledger_load_started_early_is_taken_over_by_the_reader(closed):
    started = ledger_sheet.start(closed)
    assert started is not None
    with LedgerLoad(closed, started=started) as loading:
        early = loading.result()
    assert early.equals(load_ledger_columns(closed, loading.place))
    assert ledger_sheet.place_of(early) == loading.place


def test_a_workbook_changed_during_the_early_ledger_load_is_refused(closed):
    place = LedgerLoad(closed).place
    moved = dataclasses.replace(place, last_row=place.last_row + 5)
    child = ChildLoad(functools.partial(load_ledger_columns, closed, moved))
    with LedgerLoad(closed, started=child) as loading, pytest.raises(WorkbookError) as error:
        loading.result()
    assert str(error.value) == f"{closed}: the workbook changed while it was read; try again"


def test_an_empty_ledger_loads_as_no_lines(tmp_path):
    path = tmp_path / "book.xlsx"
    build_workbook(path, load_example("basic"))  # a Ledger table with no rows
    with LedgerLoad(path, started=ledger_sheet.start(path)) as loading:
        batch = loading.result()
        assert batch is None or batch.num_rows == 0
        ledger, checks, _ = ledger_in_bulk(loading.place, batch)
    assert (len(ledger), checks) == (0, [])
    assert ledger_sheet.start(tmp_path / "missing.xlsx") is None
