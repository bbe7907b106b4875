"""Appending to a long table reads and copies only the end of its sheet.

An append (import-usage, new-key) finds the rows near the table's last row by halving the
sheet's XML instead of reading the million rows above it (`row_search_start`), keeps the new
sheet as the old text plus a few edits (`TextPatch`), and asks whether a report was imported
before by searching the sheet's stored text for its digest (`sheet_may_hold`). Each shortcut is
pinned here against the long way round: reading every row, applying the edits to a string,
loading the Source column.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from conftest import load_example, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from msp_workbook.workbook.package.patches import TextPatch
from msp_workbook.workbook.sheet_scan import Span, iter_rows, row_search_start, top_level
from msp_workbook.workbook.template.builder import build_workbook
from msp_workbook.workbook.text_search import sheet_may_hold
from msp_workbook.workbook.write.writer import append_rows

KC2 = "K1111-AAAAA-BBBBB-CCCC2"  # KC-MSP (mailboxes), in the basic example


def sheet_data_of(text: str) -> Span:
    _, children = top_level(text)
    return next(c for c in children if c.name == "sheetData")


def sheet_text(rows: list[tuple[int | None, int]]) -> str:
    """A worksheet whose rows are (number or None for a row without r=, cells of padding)."""
    body = "".join(
        (f'<row r="{n}">' if n is not None else "<row>")
        + "".join(f'<c t="inlineStr"><is><t>{"x" * 40}</t></is></c>' for _ in range(cells))
        + "</row>"
        for n, cells in rows
    )
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    )


@st.composite
def numbered_rows(draw: st.DrawFn) -> list[tuple[int | None, int]]:
    """Ascending row numbers with gaps; some rows without r= (they follow the row before)."""
    rows: list[tuple[int | None, int]] = []
    number = 0
    for _ in range(draw(st.integers(0, 400))):
        written = draw(st.sampled_from([True, True, True, False]))
        number += draw(st.sampled_from([1, 1, 1, 2, 7])) if written else 1  # r-less: the next
        rows.append((number if written else None, draw(st.integers(0, 3))))
    return rows


@settings(max_examples=150, deadline=None)
@given(numbered_rows(), st.integers(1, 600))
def test_a_search_from_a_row_number_yields_every_row_from_it_as_a_full_read_does(rows, wanted):
    text = sheet_text(rows)
    data = sheet_data_of(text)
    every = list(iter_rows(text, data))
    start = row_search_start(text, data, wanted)
    found = list(iter_rows(text, data, start))
    assert found == every[len(every) - len(found) :]  # the tail of the full read, same numbers
    assert [r for r in every if r.number >= wanted] == [r for r in found if r.number >= wanted]


def test_a_search_in_a_long_sheet_starts_close_to_the_row_and_never_inside_a_comment():
    rows: list[tuple[int | None, int]] = [(n, 1) for n in range(1, 5001)]
    text = sheet_text(rows)
    data = sheet_data_of(text)
    found = list(iter_rows(text, data, row_search_start(text, data, 4990)))
    assert 1 <= found[0].number <= 4990
    assert len(found) < 100  # a few rows read, not five thousand
    commented = text.replace("<sheetData>", "<sheetData><!-- <row r='9999'> -->")
    assert row_search_start(commented, sheet_data_of(commented), 4990) is None


@pytest.mark.parametrize("size", [1, 3, 7, 1 << 20])
def test_a_text_patch_writes_what_the_edited_string_would_be(size):
    text = "<a><dimension ref='A1:B2'/><rows>ÄÖÜ one two three</rows></a>"
    edits = (
        (3, 27, "<dimension ref='A1:B9'/>"),
        (34, 34, "<new/>"),
        (len(text) - 4, len(text), ""),
    )
    patch = TextPatch(text, edits)
    by_hand = (
        text[:3] + "<dimension ref='A1:B9'/>" + text[27:34] + "<new/>" + text[34 : len(text) - 4]
    )
    assert b"".join(patch.chunks(size)).decode("utf-8") == by_hand
    assert patch.applied() == by_hand
    with pytest.raises(ValueError, match="overlap"):
        TextPatch(text, ((5, 10, "x"), (8, 12, "y"))).applied()


@pytest.fixture
def long_book(tmp_path: Path) -> Path:
    """The basic example with 600 more Usage rows, the last 150 of them cleared by openpyxl
    (formatted cells without values, as a clerk's deleted rows are)."""
    data = load_example("basic")
    for i in range(600):
        data["Usage"].append(
            {
                "Date": date(2026, 10, 1 + i % 28),
                "License key": KC2,
                "Metric": "mailboxes",
                "Quantity": 40 + i % 5,
                "Source": f"typed {i}",
            }
        )
    path = tmp_path / "MSP_Billing.xlsx"
    build_workbook(path, data)
    return path


def test_an_append_reuses_blank_rows_that_start_far_above_the_tables_end(long_book, tmp_path):
    """The table ends in 150 blank rows: the new rows fill the first of them, as a full read
    of the sheet would decide (the search near the end falls back to reading every row)."""
    wb = openpyxl.load_workbook(long_book)
    ws = wb["Usage"]
    last = int(ws.tables["Usage"].ref.split(":")[1][1:])
    first_blank = last - 149
    for row in ws.iter_rows(min_row=first_blank, max_row=last):
        for cell in row:
            cell.value = None
    wb.save(long_book)
    new = {"Date": date(2026, 11, 2), "License key": KC2, "Metric": "mailboxes", "Quantity": 5}
    out = tmp_path / "out.xlsx"
    assert append_rows(long_book, out, "Usage", [new, new]) == [first_blank, first_blank + 1]
    ws = openpyxl.load_workbook(out)["Usage"]
    assert ws.tables["Usage"].ref == f"A1:E{last}"
    assert ws.cell(first_blank, 4).value == 5 and ws.cell(first_blank + 2, 4).value is None
    assert ws.cell(first_blank - 1, 5).value == "typed 449"


def test_an_append_to_a_long_table_goes_after_its_last_row(long_book, tmp_path):
    ws = openpyxl.load_workbook(long_book)["Usage"]
    last = int(ws.tables["Usage"].ref.split(":")[1][1:])
    new = {"Date": date(2026, 11, 2), "License key": KC2, "Metric": "mailboxes", "Quantity": 5}
    out = tmp_path / "out.xlsx"
    assert append_rows(long_book, out, "Usage", [new]) == [last + 1]
    ws = openpyxl.load_workbook(out)["Usage"]
    assert ws.tables["Usage"].ref == f"A1:E{last + 1}"
    assert [ws.cell(last, 5).value, ws.cell(last + 1, 4).value] == ["typed 599", 5]


def test_a_report_imported_before_is_found_in_shared_strings_after_a_save_by_libreoffice(
    long_book, tmp_path
):
    """The new rows' Source is written as inline text; LibreOffice (like Excel) moves it into
    the shared strings when it saves. Either way the second import adds nothing, and a report
    never imported is told apart without loading the Source column."""
    from libreoffice import convert

    report = tmp_path / "nutzung.csv"
    report.write_bytes(
        b"Date;License key;Metric;Quantity\r\n31.10.2026;" + KC2.encode() + b";mailboxes;61\r\n"
    )
    digest = hashlib.sha256(report.read_bytes()).hexdigest()[:12]
    assert not sheet_may_hold(long_book, "Usage", [f"#{digest}:"])
    assert run_cli("import-usage", str(long_book), str(report)).returncode == 0
    assert sheet_may_hold(long_book, "Usage", [f"#{digest}:"])
    assert not sheet_may_hold(long_book, "Usage", ["#0123456789ab:"])
    [saved] = convert([long_book], tmp_path / "lo")
    assert sheet_may_hold(saved, "Usage", [f"#{digest}:"])
    again = run_cli("import-usage", str(saved), str(report))
    assert again.returncode == 0
    assert again.stdout.splitlines()[1] == (
        f"nutzung.csv: already imported (digest {digest}): nothing added"
    )


def test_a_rich_text_run_in_the_shared_strings_makes_the_answer_maybe(tmp_path):
    """A text split into formatted runs cannot be found by searching: the answer is "maybe",
    so the caller reads the cells."""
    import xlsxwriter  # writes its texts to the shared strings

    with xlsxwriter.Workbook(tmp_path / "plain.xlsx") as book:
        book.add_worksheet("Usage").write_string(0, 0, "Source")
    assert not sheet_may_hold(tmp_path / "plain.xlsx", "Usage", ["#0123456789ab:"])
    from xlsx_fixtures import members, rewrite_members

    assert "xl/sharedStrings.xml" in members(tmp_path / "plain.xlsx")
    shared = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><r><t>a.csv#0123</t></r>'
        b"<r><rPr><b/></rPr><t>456789ab:2</t></r></si></sst>"
    )
    rich = rewrite_members(
        tmp_path / "plain.xlsx", tmp_path / "rich.xlsx", {"xl/sharedStrings.xml": shared}
    )
    assert sheet_may_hold(rich, "Usage", ["#0123456789ab:"])
