"""Appending to a large sheet reads a window of it (its head and last rows, `SheetWindow`) instead
of decoding it whole: the saved sheet is byte for byte what the whole-text append gives, with
non-ASCII text before and inside the window, and the whole text is read where the window cannot
be trusted (blank rows at the table's end reaching above it)."""

from __future__ import annotations

import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from msp_workbook.workbook.ledger_rows import ledger_row
from msp_workbook.workbook.package.opc import open_package
from msp_workbook.workbook.template.builder import build_workbook
from msp_workbook.workbook.write import package_edit, writer
from msp_workbook.workbook.write.row_removal import without_rows_in_bytes
from msp_workbook.workbook.write.sheet_window import SheetWindow

SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="x"><dimension ref="A1:B{last}"/>'
    "<sheetData>{rows}</sheetData><pageMargins/></worksheet>"
)


def sheet_bytes(count: int) -> bytes:
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Bäckerei Müller {n}</t></is></c>'
        f'<c r="B{n}"><v>{n}</v></c></row>'
        for n in range(1, count + 1)
    )
    return SHEET.format(last=count, rows=rows).encode("utf-8")


def test_edits_to_the_window_land_where_they_would_in_the_whole_text():
    data = sheet_bytes(20_000)
    window = SheetWindow.of(data, 19_990)
    assert window is not None and window.first_row <= 19_990
    assert len(window.text) < len(data) // 10
    whole = data.decode("utf-8")
    new_row = '<row r="20001"><c r="A20001" t="inlineStr"><is><t>Größe</t></is></c></row>'
    in_window = [
        (window.text.index("</sheetData>"),) * 2 + (new_row,),
        (window.text.index("A1:B20000"), window.text.index("A1:B20000") + 9, "A1:B20001"),
    ]
    in_whole = [
        (whole.index("</sheetData>"),) * 2 + (new_row,),
        (whole.index("A1:B20000"), whole.index("A1:B20000") + 9, "A1:B20001"),
    ]
    expected = whole
    for start, stop, new in sorted(in_whole, reverse=True):
        expected = expected[:start] + new + expected[stop:]
    assert window.patched(in_window).applied() == expected.encode("utf-8")


def test_no_window_for_a_sheet_without_rows_or_with_a_comment_among_its_last_rows():
    assert SheetWindow.of(SHEET.format(last=1, rows="").encode(), 1) is None
    commented = sheet_bytes(3000).replace(b'<row r="2999">', b'<!-- x --><row r="2999">')
    assert SheetWindow.of(commented, 2990) is None


def closed_lines(count: int) -> list[dict[str, object]]:
    from msp_workbook.core.ledger import LedgerLine
    from msp_workbook.core.models import BillingLine
    from msp_workbook.core.months import Month
    from msp_workbook.workbook import schema

    rows = []
    for n in range(count):
        line = BillingLine(
            month=Month(2026, 1 + n % 9), customer_id=f"C-{n % 700:05d}",
            customer=f"Bäckerei Müller {n % 700}", license_key=f"K-{n:06d}", product_id="KC",
            product="KerioConnect", metric="mailboxes", quantity=5 + n % 40,
            unit_price=Decimal("2.40"), discount=Decimal(0), net=Decimal("12.00"),
            unit_cost=Decimal("1.60"), cost=Decimal("8.00"), margin=Decimal("4.00"),
            type="usage",
        )  # fmt: skip
        entry = LedgerLine(
            invoice=f"INV-2026-{n // 3 + 1:04d}", line=line,
            finalized=datetime(2026, 10, 2, 9), vat_rate=Decimal("0.19"), reverse_charge=False,
        )  # fmt: skip
        rows.append(dict(zip(schema.LEDGER.headers, ledger_row(entry), strict=True)))
    return rows


@pytest.fixture(scope="module")
def large_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "book.xlsx"
    build_workbook(path, {"Ledger": closed_lines(7_000)})
    return path


def ledger_sheet_xml(path: Path) -> bytes:
    with open_package(path) as package:
        part = package.table("Ledger").sheet.part
    with zipfile.ZipFile(path) as z:
        return z.read(part)


def test_closing_into_a_large_ledger_writes_what_the_whole_text_append_writes(
    large_ledger, tmp_path, monkeypatch
):
    added = [list(r.values()) for r in closed_lines(7_050)[7_000:]]
    before = ledger_sheet_xml(large_ledger)
    assert len(before) > package_edit.WINDOW_FROM  # the window is used
    assert SheetWindow.of(before, 7_000) is not None
    windowed = tmp_path / "windowed.xlsx"
    writer.write_tables(large_ledger, windowed, {}, appended={"Ledger": added})
    monkeypatch.setattr(package_edit, "WINDOW_FROM", 1 << 40)  # the reference: the whole text
    whole = tmp_path / "whole.xlsx"
    writer.write_tables(large_ledger, whole, {}, appended={"Ledger": added})
    assert ledger_sheet_xml(windowed) == ledger_sheet_xml(whole)
    assert b'<row r="7051">' in ledger_sheet_xml(windowed)


def test_taking_rows_out_of_a_large_sheet_as_bytes_gives_what_the_text_path_gives(
    large_ledger, tmp_path, monkeypatch
):
    # Rows scattered over the table (archive takes a Ledger's oldest months and the Usage rows
    # of any date), the rows after them renumbered, the table shortened.
    removed = {2, 3, 500, 501, 502, 4_999, 7_001}
    assert without_rows_in_bytes(ledger_sheet_xml(large_ledger), removed, 7_001) is not None
    as_bytes = tmp_path / "bytes.xlsx"
    writer.remove_rows(large_ledger, as_bytes, {"Ledger": removed})
    monkeypatch.setattr(package_edit, "WINDOW_FROM", 1 << 40)  # the reference: the whole text
    as_text = tmp_path / "text.xlsx"
    writer.remove_rows(large_ledger, as_text, {"Ledger": removed})
    assert ledger_sheet_xml(as_bytes) == ledger_sheet_xml(as_text)
    xml = ledger_sheet_xml(as_bytes)
    assert b'<row r="6994"' in xml and b'<row r="6995"' not in xml
    with zipfile.ZipFile(as_bytes) as z:
        tables = [n for n in z.namelist() if n.startswith("xl/tables/")]
        assert any(b'ref="A1:U6994"' in z.read(n) for n in tables)
