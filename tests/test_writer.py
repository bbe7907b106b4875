"""The workbook writer: generated tables written whole, rows appended to input tables in place."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from defusedxml.ElementTree import fromstring
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from libreoffice import convert
from openpyxl.styles.numbers import BUILTIN_FORMATS
from python_calamine import CalamineWorkbook
from xlsx_fixtures import (
    billing_rows,
    build_book,
    check_rows,
    members,
    rewrite_members,
    sheet_part,
    table_part,
)

from msp_workbook.workbook import schema
from msp_workbook.workbook.errors import WorkbookError
from msp_workbook.workbook.write.cell_xml import cell_xml, excel_serial
from msp_workbook.workbook.write.writer import append_rows, write_tables

BILLING = schema.BILLING.name
CHECKS = schema.CHECKS.name
KEYS = schema.KEYS.name


def sheet_xml(path: Path, sheet: str) -> str:
    return members(path)[sheet_part(path, sheet)].decode("utf-8")


def table_xml(path: Path, table: str) -> str:
    return members(path)[table_part(path, table)].decode("utf-8")


def table_ref(path: Path, table: str) -> str:
    ref = re.search(r'<table\b[^>]*\sref="([^"]+)"', table_xml(path, table))
    assert ref is not None
    return ref[1]


def check_message_rows(*messages: str) -> list[list[object]]:
    return [["info", "", "", m] for m in messages]


# --- Cell values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "xml"),
    [
        ("text", '<c r="B2" s="3" t="inlineStr"><is><t>text</t></is></c>'),
        ("=1+1", '<c r="B2" s="3" t="inlineStr"><is><t>=1+1</t></is></c>'),
        ('a&b<c>"d"', '<c r="B2" s="3" t="inlineStr"><is><t>a&amp;b&lt;c&gt;&quot;d&quot;</t>'),
        (" padded ", '<t xml:space="preserve"> padded </t>'),
        ("a\x00b\x1fc\ufffed", "<t>abcd</t>"),
        ("_x0041_", "<t>_x005F_x0041_</t>"),
        (7, '<c r="B2" s="3"><v>7</v></c>'),
        (Decimal("1E+3"), "<v>1000</v>"),
        (Decimal("0.00000001"), "<v>0.00000001</v>"),
        (Decimal("-2.40"), "<v>-2.40</v>"),
        (True, '<c r="B2" s="3" t="b"><v>1</v></c>'),
        (date(2026, 1, 31), "<v>46053</v>"),
        (datetime(2026, 1, 31, 12, 0), "<v>46053.5</v>"),
    ],
)
def test_cell_values_are_written_as_excel_stores_them(value: object, xml: str) -> None:
    assert xml in cell_xml("B2", 3, value)  # type: ignore[arg-type]


def test_no_cell_is_written_for_none_and_no_style_attribute_without_a_style() -> None:
    assert cell_xml("A1", 3, None) == ""
    assert cell_xml("A1", None, 1) == '<c r="A1"><v>1</v></c>'


def test_excel_serials_use_the_1900_date_system() -> None:
    assert excel_serial(date(1900, 3, 1)) == 61
    assert excel_serial(date(2026, 1, 1)) == 46023
    assert excel_serial(datetime(2026, 1, 1, 6, 0)) == 46023.25


def test_values_that_a_cell_cannot_hold_are_refused() -> None:
    with pytest.raises(ValueError):
        cell_xml("A1", None, Decimal("NaN"))
    with pytest.raises(TypeError):
        cell_xml("A1", None, object())  # type: ignore[arg-type]


def test_strings_starting_with_equals_are_text_not_formulas(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    write_tables(build_book(tmp_path / "b.xlsx", extras=False), out, {CHECKS: check_rows()})
    assert "<f>" not in sheet_xml(out, CHECKS)
    ws = openpyxl.load_workbook(out)[CHECKS]
    assert ws["D2"].data_type == "s" and ws["D2"].value == check_rows()[0][3]


def test_illegal_xml_characters_are_dropped(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    write_tables(
        build_book(tmp_path / "b.xlsx", extras=False),
        out,
        {CHECKS: check_message_rows("bell\x07 and\x00 nul\ud800", "tab\tand\nnewline")},
    )
    fromstring(members(out)[sheet_part(out, CHECKS)])  # well-formed
    ws = openpyxl.load_workbook(out)[CHECKS]
    assert [ws["D2"].value, ws["D3"].value] == ["bell and nul", "tab\tand\nnewline"]


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(_TEXT, min_size=1, max_size=5))
def test_any_text_reads_back_as_written_less_illegal_characters(
    tmp_path: Path, texts: list[str]
) -> None:
    src = tmp_path / "b.xlsx"
    if not src.exists():
        build_book(src, extras=False, generated=(schema.CHECKS,))
    out = tmp_path / "out.xlsx"
    write_tables(src, out, {CHECKS: check_message_rows(*texts)})
    book = CalamineWorkbook.from_path(str(out))
    got = [row[3] for row in book.get_sheet_by_name(CHECKS).to_python()[1:]]
    legal = [re.sub("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", "", t) for t in texts]
    # XML turns CR and CRLF into LF, as in any file Excel reads.
    assert got == [t.replace("\r\n", "\n").replace("\r", "\n") for t in legal]


# --- Generated tables -----------------------------------------------------------------------------


def test_writing_the_same_tables_twice_gives_identical_bytes(tmp_path: Path) -> None:
    src = build_book(tmp_path / "b.xlsx")
    first, second, again = tmp_path / "1.xlsx", tmp_path / "2.xlsx", tmp_path / "3.xlsx"
    tables = {BILLING: billing_rows(7), CHECKS: check_rows()}
    write_tables(src, first, tables)
    write_tables(src, second, tables)
    write_tables(first, again, tables)
    assert first.read_bytes() == second.read_bytes() == again.read_bytes()


def test_empty_table_keeps_one_blank_data_row(tmp_path: Path) -> None:
    src = build_book(tmp_path / "b.xlsx", extras=False)
    out = tmp_path / "out.xlsx"
    write_tables(src, out, {BILLING: billing_rows(5)})
    write_tables(out, out, {BILLING: []})
    assert table_ref(out, BILLING) == "A1:Q2"
    assert '<autoFilter ref="A1:Q2"/>' in table_xml(out, BILLING)
    xml = sheet_xml(out, BILLING)
    assert '<dimension ref="A1:Q1"/>' in xml and '<row r="2"' not in xml
    ws = openpyxl.load_workbook(out)[BILLING]
    assert ws.tables[BILLING].ref == "A1:Q2" and ws.max_row == 1


def test_shrinking_a_table_leaves_no_stale_rows(tmp_path: Path) -> None:
    src = build_book(tmp_path / "b.xlsx", extras=False)
    out = tmp_path / "out.xlsx"
    write_tables(src, out, {BILLING: billing_rows(50)})
    assert table_ref(out, BILLING) == "A1:Q51"
    write_tables(out, out, {BILLING: billing_rows(3)})
    assert table_ref(out, BILLING) == "A1:Q4"
    assert not re.search(r'<row r="([5-9]|\d\d+)"', sheet_xml(out, BILLING))
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(BILLING).to_python()
    assert len(rows) == 4


def test_sheet_settings_survive_a_rewrite(tmp_path: Path) -> None:
    src = build_book(tmp_path / "b.xlsx", extras=False)
    out = tmp_path / "out.xlsx"
    before = sheet_xml(src, BILLING)
    write_tables(src, out, {BILLING: billing_rows(2)})
    after = sheet_xml(out, BILLING)
    for name in ("sheetPr", "sheetViews", "sheetFormatPr", "cols", "pageMargins", "tableParts"):
        element = re.search(rf"<{name}\b.*?(?:/>|</{name}>)", before)
        assert element is not None and element[0] in after, name


def test_chart_placed_on_a_generated_sheet_stays_anchored(tmp_path: Path) -> None:
    import xlsxwriter

    src = tmp_path / "b.xlsx"
    book = xlsxwriter.Workbook(str(src))
    ws = book.add_worksheet(CHECKS)
    ws.add_table(
        0, 0, 1, 3, {"name": CHECKS, "columns": [{"header": h} for h in schema.CHECKS.headers]}
    )
    chart = book.add_chart({"type": "line"})
    chart.add_series({"values": f"={CHECKS}!$A$1:$A$3"})
    ws.insert_chart("F2", chart)
    ws.write_comment("F1", "a note on the Checks sheet")
    book.close()
    out = tmp_path / "out.xlsx"
    write_tables(src, out, {CHECKS: check_rows()})
    xml = sheet_xml(out, CHECKS)
    assert re.search(r"<drawing r:id=", xml) and re.search(r"<legacyDrawing r:id=", xml)
    wb = openpyxl.load_workbook(out)
    assert len(wb[CHECKS]._charts) == 1  # noqa: SLF001 - openpyxl keeps charts here


def test_missing_generated_sheet_is_created_with_its_table(tmp_path: Path) -> None:
    src = build_book(tmp_path / "b.xlsx", generated=(schema.BILLING,))
    out = tmp_path / "out.xlsx"
    write_tables(src, out, {BILLING: billing_rows(2), CHECKS: check_rows()})
    old, new = members(src), members(out)
    added = sorted(set(new) - set(old))
    assert added == sorted(
        [sheet_part(out, CHECKS), table_part(out, CHECKS), _rels_of(sheet_part(out, CHECKS))]
    )
    assert list(new)[: len(old)] == list(old) and list(new)[0] == "[Content_Types].xml"
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[-1] == CHECKS
    ws = book[CHECKS]
    assert ws.tables[CHECKS].ref == "A1:D3"
    assert [c.value for c in ws[1]] == list(schema.CHECKS.headers)
    assert [c.value for c in ws[3]] == check_rows()[1]
    ids = [int(re.search(r'\sid="(\d+)"', new[p].decode())[1]) for p in new if "tables/" in p]
    assert len(ids) == len(set(ids)), "table ids stay unique"
    assert new["docProps/app.xml"] == old["docProps/app.xml"]
    # and LibreOffice opens it and sees the new table and the values
    (converted,) = convert([out], tmp_path / "lo")
    lo = openpyxl.load_workbook(converted, data_only=True)
    assert lo[CHECKS]["D2"].value == check_rows()[0][3]
    assert {t.name: t.ref for t in lo[CHECKS].tables.values()} == {CHECKS: "A1:D3"}
    assert lo["Report"]["B9"].value == 2  # =COUNTA(Checks[Message]) found the new table


def _rels_of(part: str) -> str:
    folder, name = part.rsplit("/", 1)
    return f"{folder}/_rels/{name}.rels"


def test_generated_sheet_without_its_table_gets_one(tmp_path: Path) -> None:
    import xlsxwriter

    src = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(str(src))
    book.add_worksheet(CHECKS).write("A1", "the table was converted to a range")
    book.close()
    out = tmp_path / "out.xlsx"
    write_tables(src, out, {CHECKS: check_rows()})
    ws = openpyxl.load_workbook(out)[CHECKS]
    assert ws.tables[CHECKS].ref == "A1:D3"
    assert ws["A1"].value == "Severity"


def test_table_on_another_sheet_is_refused(tmp_path: Path) -> None:
    import xlsxwriter

    src = tmp_path / "b.xlsx"
    book = xlsxwriter.Workbook(str(src))
    ws = book.add_worksheet("Old checks")
    ws.add_table(
        0, 0, 1, 3, {"name": CHECKS, "columns": [{"header": h} for h in schema.CHECKS.headers]}
    )
    book.close()
    with pytest.raises(WorkbookError, match=r'table "Checks" is on sheet "Old checks"'):
        write_tables(src, tmp_path / "out.xlsx", {CHECKS: check_rows()})


def test_another_table_on_a_generated_sheet_is_refused(tmp_path: Path) -> None:
    import xlsxwriter

    src = tmp_path / "b.xlsx"
    book = xlsxwriter.Workbook(str(src))
    ws = book.add_worksheet(CHECKS)
    ws.add_table(
        0, 0, 1, 3, {"name": CHECKS, "columns": [{"header": h} for h in schema.CHECKS.headers]}
    )
    ws.add_table(0, 6, 1, 7, {"name": "MyNotes"})
    book.close()
    with pytest.raises(WorkbookError, match="MyNotes"):
        write_tables(src, tmp_path / "out.xlsx", {CHECKS: check_rows()})


def test_stale_calc_chain_is_dropped_and_full_recalc_requested(tmp_path: Path) -> None:
    plain = build_book(tmp_path / "b.xlsx")
    old = members(plain)
    calc_chain = b'<?xml version="1.0"?><calcChain xmlns="x"><c r="B8" i="5"/></calcChain>'
    content_types = old["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.calcChain+xml"/></Types>',
    )
    rels = old["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/calcChain" Target="calcChain.xml"/></Relationships>',
    )
    workbook = re.sub(rb"<calcPr[^>]*/>", b'<calcPr calcId="191029"/>', old["xl/workbook.xml"])
    src = rewrite_members(
        plain,
        tmp_path / "with_chain.xlsx",
        {
            "[Content_Types].xml": content_types,
            "xl/_rels/workbook.xml.rels": rels,
            "xl/workbook.xml": workbook,
        },
        {"xl/calcChain.xml": calc_chain},
    )
    out = tmp_path / "out.xlsx"
    write_tables(src, out, {BILLING: billing_rows(2)})
    new = members(out)
    assert "xl/calcChain.xml" not in new
    assert b"calcChain" not in new["[Content_Types].xml"]
    assert b"calcChain" not in new["xl/_rels/workbook.xml.rels"]
    assert new["[Content_Types].xml"] == old["[Content_Types].xml"]
    assert new["xl/_rels/workbook.xml.rels"] == old["xl/_rels/workbook.xml.rels"]
    assert new["xl/workbook.xml"] == workbook.replace(
        b'<calcPr calcId="191029"/>', b'<calcPr calcId="191029" fullCalcOnLoad="1"/>'
    )
    openpyxl.load_workbook(out).close()


def test_missing_calc_settings_are_added_in_schema_position() -> None:
    from msp_workbook.workbook.write.workbook_xml import full_calc_on_load

    book = '<workbook xmlns="m"><sheets/><definedNames/><extLst><ext/></extLst></workbook>'
    assert full_calc_on_load(book) == (
        '<workbook xmlns="m"><sheets/><definedNames/><calcPr fullCalcOnLoad="1"/>'
        "<extLst><ext/></extLst></workbook>"
    )
    assert full_calc_on_load('<workbook><calcPr fullCalcOnLoad="0"/></workbook>') == (
        '<workbook><calcPr fullCalcOnLoad="1"/></workbook>'
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "Excel 97-2003"),
        ("sheet.ods", None, "OpenDocument"),
        ("notes.xlsx", b"just text", "not an .xlsx/.xlsm workbook"),
    ],
)
def test_files_that_are_not_xlsx_are_refused_in_one_line(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            z.writestr("content.xml", "<office:document-content/>")
    else:
        path.write_bytes(content)
    with pytest.raises(WorkbookError, match=message) as error:
        write_tables(path, tmp_path / "out.xlsx", {CHECKS: []})
    assert "\n" not in str(error.value)
    assert not (tmp_path / "out.xlsx").exists()


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match="no such file"):
        write_tables(tmp_path / "nope.xlsx", tmp_path / "out.xlsx", {CHECKS: []})


def test_programming_errors_are_not_workbook_errors(tmp_path: Path) -> None:
    src = build_book(tmp_path / "b.xlsx", extras=False)
    with pytest.raises(ValueError, match="unknown table"):
        write_tables(src, src, {"Nope": []})
    with pytest.raises(ValueError, match="input table"):
        write_tables(src, src, {KEYS: []})
    with pytest.raises(ValueError, match="4 columns"):
        write_tables(src, src, {CHECKS: [["error", "Usage"]]})


# --- Appending to input tables --------------------------------------------------------------------

NEW_KEY = {
    "License key": "AB2CD-EF3GH-JK4LM-NP5QR",
    "Customer ID": "C001",
    "Product ID": "KC-MSP",
    "Start": date(2026, 1, 15),
    "Status": "active",
}


def key_row(n: int) -> dict[str, object]:
    return {**NEW_KEY, "License key": f"KEY-{n:04d}", "Note": f"row {n}"}


def keys_values(path: Path) -> list[list[object]]:
    ws = openpyxl.load_workbook(path)[KEYS]
    return [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]


def expected(row: dict[str, object]) -> list[object]:
    values = {**row, "Start": datetime.combine(row["Start"], datetime.min.time())}  # type: ignore[arg-type]
    return [values.get(h) for h in schema.KEYS.headers]


def assert_only_keys_changed(src: Path, out: Path) -> None:
    old, new = members(src), members(out)
    assert list(old) == list(new)
    owned = {sheet_part(src, KEYS), table_part(src, KEYS)}
    assert {n for n in old if old[n] != new[n]} <= owned


def without_dimension(xml: str) -> str:
    return re.sub(r'<dimension ref="[^"]*"/>', "", xml)


def test_append_fills_the_blank_row_of_an_empty_table(tmp_path: Path) -> None:
    src = build_book(tmp_path / "b.xlsx")
    assert table_ref(src, KEYS) == "A1:G2"
    out = tmp_path / "out.xlsx"

    assert append_rows(src, out, KEYS, [NEW_KEY]) == [2]

    assert table_ref(out, KEYS) == "A1:G2"
    assert keys_values(out) == [expected(NEW_KEY)]
    assert_only_keys_changed(src, out)
    old, new = sheet_xml(src, KEYS), sheet_xml(out, KEYS)
    assert '<dimension ref="A1:G2"/>' in new
    inserted = re.search(r'<row r="2">.*?</row>', new)
    assert inserted is not None
    assert without_dimension(new.replace(inserted[0], "")) == without_dimension(old)


def test_append_after_existing_rows(tmp_path: Path) -> None:
    src = build_book(tmp_path / "b.xlsx", rows={KEYS: [key_row(1), key_row(2)]})
    out = tmp_path / "out.xlsx"

    assert append_rows(src, out, KEYS, [key_row(3), key_row(4)]) == [4, 5]

    assert table_ref(out, KEYS) == "A1:G5"
    assert '<autoFilter ref="A1:G5"/>' in table_xml(out, KEYS)
    assert keys_values(out) == [expected(key_row(n)) for n in (1, 2, 3, 4)]
    assert openpyxl.load_workbook(out)[KEYS].tables[KEYS].ref == "A1:G5"
    assert_only_keys_changed(src, out)
    old, new = sheet_xml(src, KEYS), sheet_xml(out, KEYS)
    inserted = re.search(r'<row r="4">.*?</row><row r="5">.*?</row>', new)
    assert inserted is not None
    assert without_dimension(new.replace(inserted[0], "")) == without_dimension(old)


def test_append_goes_after_rows_typed_below_the_table_and_takes_them_in(tmp_path: Path) -> None:
    src = build_book(
        tmp_path / "b.xlsx",
        rows={KEYS: [key_row(1)]},
        cells={KEYS: {"A3": "TYPED-0001", "B3": "C002", "A4": "TYPED-0002"}},
    )
    assert table_ref(src, KEYS) == "A1:G2"
    out = tmp_path / "out.xlsx"

    assert append_rows(src, out, KEYS, [key_row(5)]) == [5]

    assert table_ref(out, KEYS) == "A1:G5"
    values = keys_values(out)
    assert [v[0] for v in values] == ["KEY-0001", "TYPED-0001", "TYPED-0002", "KEY-0005"]


def test_append_finds_columns_by_header_in_any_order(tmp_path: Path) -> None:
    order = list(reversed(schema.KEYS.headers))
    src = build_book(tmp_path / "b.xlsx", column_order={KEYS: order})
    out = tmp_path / "out.xlsx"

    append_rows(src, out, KEYS, [NEW_KEY])

    ws = openpyxl.load_workbook(out)[KEYS]
    got = {ws.cell(1, c).value: ws.cell(2, c).value for c in range(1, len(order) + 1)}
    assert got["License key"] == NEW_KEY["License key"]
    assert got["Status"] == "active"
    assert got["Start"] == datetime(2026, 1, 15)
    assert got["Note"] is None


def test_append_uses_the_style_of_the_cell_above(tmp_path: Path) -> None:
    bold_date = {"bold": True, "num_format": "dd.mm.yyyy"}
    src = build_book(
        tmp_path / "b.xlsx",
        rows={KEYS: [key_row(1), key_row(2)]},
        cells={KEYS: {"D3": (date(2026, 1, 1), bold_date)}},
    )
    out = tmp_path / "out.xlsx"

    append_rows(src, out, KEYS, [key_row(3)])

    ws = openpyxl.load_workbook(out)[KEYS]
    assert ws["D4"].font.bold and ws["D4"].number_format == "dd.mm.yyyy"
    assert ws["D4"].value == datetime(2026, 1, 15)
    assert ws["A4"].style_id == ws["A3"].style_id


def test_append_uses_the_column_style_when_filling_the_first_row(tmp_path: Path) -> None:
    src = build_book(tmp_path / "b.xlsx")
    out = tmp_path / "out.xlsx"
    append_rows(src, out, KEYS, [NEW_KEY])
    ws = openpyxl.load_workbook(out)[KEYS]
    # FMT_DATE is Excel's built-in short date (id 14), which openpyxl reads as its code.
    assert ws["D2"].number_format == BUILTIN_FORMATS[schema.FMT_DATE]
    assert not ws["D2"].font.bold, "not the header's style"


def test_append_merges_into_a_row_holding_cells_beside_the_table(tmp_path: Path) -> None:
    src = build_book(tmp_path / "b.xlsx", cells={KEYS: {"I2": "my note beside the table"}})
    out = tmp_path / "out.xlsx"

    assert append_rows(src, out, KEYS, [NEW_KEY]) == [2]

    xml = sheet_xml(out, KEYS)
    assert len(re.findall(r'<row r="2"', xml)) == 1
    ws = openpyxl.load_workbook(out)[KEYS]
    assert ws["A2"].value == NEW_KEY["License key"]
    assert ws["I2"].value == "my note beside the table"
    assert re.search(r'<row r="2" spans="1:9"', xml)


def test_append_in_place_keeps_a_macro_workbook_intact(tmp_path: Path) -> None:
    book = build_book(tmp_path / "b.xlsm", vba=True)
    before = members(book)
    append_rows(book, book, KEYS, [NEW_KEY])
    after = members(book)
    owned = {sheet_part(book, KEYS), table_part(book, KEYS)}
    assert list(after) == list(before)
    assert {n for n in before if before[n] != after[n]} == {sheet_part(book, KEYS)} <= owned
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.backup-1.xlsm", "b.xlsm"]


def test_append_refuses_what_it_cannot_do_in_one_line(tmp_path: Path) -> None:
    src = build_book(tmp_path / "b.xlsx", rows={KEYS: [key_row(1)]}, cells={KEYS: {"C5": "x"}})
    out = tmp_path / "out.xlsx"
    with pytest.raises(WorkbookError, match='no table named "Nope"'):
        append_rows(src, out, "Nope", [NEW_KEY])
    with pytest.raises(WorkbookError, match='table "Keys" has no column "Colour"'):
        append_rows(src, out, KEYS, [{"Colour": "red"}])
    with pytest.raises(WorkbookError, match="row 5 .* is not empty"):
        append_rows(src, out, KEYS, [key_row(n) for n in range(2, 6)])
    assert not out.exists()


def test_appending_nothing_changes_nothing(tmp_path: Path) -> None:
    src = build_book(tmp_path / "b.xlsx")
    out = tmp_path / "out.xlsx"
    assert append_rows(src, out, KEYS, []) == []
    assert members(out) == members(src)


def test_appended_rows_show_in_libreoffice(tmp_path: Path) -> None:
    src = build_book(tmp_path / "b.xlsx", rows={KEYS: [key_row(1)]})
    out = tmp_path / "out.xlsx"
    append_rows(src, out, KEYS, [key_row(2), key_row(3)])
    (converted,) = convert([out], tmp_path / "lo")
    ws = openpyxl.load_workbook(converted, data_only=True)[KEYS]
    assert [ws.cell(r, 1).value for r in (2, 3, 4)] == ["KEY-0001", "KEY-0002", "KEY-0003"]
    assert {t.name: t.ref for t in ws.tables.values()} == {KEYS: "A1:G4"}


# --- Files from other producers -------------------------------------------------------------------


def prefixed(xml: bytes) -> bytes:
    """A worksheet as some producers write it: the main namespace bound to x: on every element."""
    text = re.sub(r"<(/?)(?!\?)([A-Za-z]\w*)([\s/>])", r"<\1x:\2\3", xml.decode())
    return text.replace(' xmlns="', ' xmlns:x="', 1).encode()


def test_sheets_with_a_namespace_prefix_are_rewritten_and_appended_to(tmp_path: Path) -> None:
    plain = build_book(tmp_path / "b.xlsx", extras=False, rows={KEYS: [key_row(1)]})
    old = members(plain)
    billing, keys = sheet_part(plain, BILLING), sheet_part(plain, KEYS)
    src = rewrite_members(
        plain,
        tmp_path / "prefixed.xlsx",
        {billing: prefixed(old[billing]), keys: prefixed(old[keys])},
    )
    assert b"<x:sheetData>" in members(src)[keys]
    out = tmp_path / "out.xlsx"

    write_tables(src, out, {BILLING: billing_rows(2)})
    assert append_rows(out, out, KEYS, [key_row(2)]) == [3]

    book = openpyxl.load_workbook(out)
    assert book[BILLING].tables[BILLING].ref == "A1:Q3"
    assert book[BILLING]["C2"].value == billing_rows(2)[0][2]
    assert book[BILLING].freeze_panes == "A2"
    assert [book[KEYS].cell(r, 1).value for r in (2, 3)] == ["KEY-0001", "KEY-0002"]
    assert '<x:row r="3">' in sheet_xml(out, KEYS)


def test_a_workbook_last_saved_by_libreoffice_can_be_written_and_appended_to(
    tmp_path: Path,
) -> None:
    src = build_book(tmp_path / "b.xlsx", rows={KEYS: [key_row(1)]})
    (saved,) = convert([src], tmp_path / "saved")  # shared strings, spans, s="0" cells
    out = tmp_path / "out.xlsx"

    write_tables(saved, out, {BILLING: billing_rows(3), CHECKS: check_rows()})
    assert append_rows(out, out, KEYS, [key_row(2)]) == [3]

    old, new = members(saved), members(out)
    owned = {sheet_part(saved, t) for t in (BILLING, CHECKS, KEYS)}
    owned |= {table_part(saved, t) for t in (BILLING, CHECKS, KEYS)}
    content_types_first = sorted(old, key=lambda name: name != "[Content_Types].xml")
    assert list(new) == content_types_first
    assert {n for n in old if old[n] != new[n]} <= owned | {"xl/workbook.xml"}
    # LibreOffice does not ask for a recalculation on load; the writer adds just that
    calc = re.search(rb"<calcPr[^>]*/>", old["xl/workbook.xml"])
    assert calc is not None
    assert new["xl/workbook.xml"] == old["xl/workbook.xml"].replace(
        calc[0], calc[0][:-2] + b' fullCalcOnLoad="1"/>'
    )
    book = openpyxl.load_workbook(out)
    assert [c.value for c in book[BILLING][4]][:3] == billing_rows(3)[2][:3]
    assert book[KEYS].tables[KEYS].ref == "A1:G3"
    assert book[KEYS]["A3"].value == "KEY-0002"


# --- Hostile files --------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    plain = build_book(tmp_path / "b.xlsx", extras=False)
    bomb = rewrite_members(
        plain, tmp_path / "bomb.xlsx", {}, {"xl/media/huge.bin": bytes(32 << 20)}
    )
    with pytest.raises(WorkbookError, match="inflate"):
        write_tables(bomb, tmp_path / "out.xlsx", {CHECKS: []})


def test_entities_in_a_table_part_are_refused(tmp_path: Path) -> None:
    plain = build_book(tmp_path / "b.xlsx", extras=False)
    part = table_part(plain, KEYS)
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<table xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" id="3" '
        b'name="Keys" displayName="&b;" ref="A1:G2"/>'
    )
    src = rewrite_members(plain, tmp_path / "laughs.xlsx", {part: laughs})
    with pytest.raises(WorkbookError, match="not valid XML"):
        append_rows(src, tmp_path / "out.xlsx", KEYS, [NEW_KEY])


def test_a_doctype_in_a_sheet_is_refused(tmp_path: Path) -> None:
    plain = build_book(tmp_path / "b.xlsx", extras=False)
    part = sheet_part(plain, KEYS)
    xml = members(plain)[part].replace(
        b"<worksheet", b'<!DOCTYPE w [<!ENTITY e "x">]><worksheet', 1
    )
    src = rewrite_members(plain, tmp_path / "doctype.xlsx", {part: xml})
    with pytest.raises(WorkbookError, match="DOCTYPE"):
        append_rows(src, tmp_path / "out.xlsx", KEYS, [NEW_KEY])
