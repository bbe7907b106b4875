"""Hostile and broken files through the real command line: each ends with one line and exit 2,
before any spreadsheet parser sees it, and the file is left exactly as it was. Formula-looking
text in the inputs is written back as text, never as a formula."""

from __future__ import annotations

import html
import random
import re
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from conftest import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from usage_cells import usage_with_cells
from xlsx_fixtures import members, rewrite_members, sheet_part

from msp_workbook.workbook import schema
from msp_workbook.workbook.errors import WorkbookError
from msp_workbook.workbook.package.file_checks import MAX_RATIO
from msp_workbook.workbook.package.guard import MAX_SHEET_CELLS, check_before_parsing
from msp_workbook.workbook.package.opc import open_package

MONTH = "2026-10"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PASSWORD = (
    "is protected with a password; remove the password in Excel "
    "(File > Info > Protect Workbook) and save it again"
)
FORMULAS = ['=HYPERLINK("http://x","click")', "=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3"]


# --- Building the corpus --------------------------------------------------------------------------


def write_raw_zip(path: Path, entries: list[tuple[str, bytes, int, int, int]]) -> Path:
    """A zip written by hand: (name, stored bytes, method, crc, declared size) per member, so a
    test can store data it compressed itself, and declare what sizes it likes."""
    out, central = bytearray(), bytearray()
    for name, data, method, crc, size in entries:
        encoded = name.encode()
        offset = len(out)
        fields = (method, 0, 0x21, crc, len(data), size, len(encoded))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, *fields, 0) + encoded + data
        central += (
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, *fields, 0, 0, 0, 0, 0, offset)
            + encoded
        )
    start = len(out)
    count = len(entries)
    out += central + struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), start, 0
    )
    path.write_bytes(bytes(out))
    return path


def deflated(data: bytes) -> tuple[bytes, int, int, int]:
    c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush(), zipfile.ZIP_DEFLATED, zlib.crc32(data), len(data)


def with_members(src: Path, dest: Path, replaced: dict[str, tuple[bytes, int, int, int]]) -> Path:
    """A copy of a workbook written by hand, with some members' stored bytes replaced."""
    entries = []
    for name, data in members(src).items():
        entries.append((name, *(replaced.get(name) or deflated(data))))
    return write_raw_zip(dest, entries)


def zeros_bomb(gib: int = 1) -> tuple[bytes, int, int, int]:
    """`gib` GiB of zeros, deflated to about 1 MB without compressing them: after a full flush a
    deflate stream starts afresh, so the same 1 MiB block can simply be repeated."""
    block = bytes(1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
    crc = 0
    for _ in range(gib << 10):
        crc = zlib.crc32(block, crc)
    return piece * (gib << 10) + end, zipfile.ZIP_DEFLATED, crc, gib << 30


def with_doctype(xml: bytes, doctype: str) -> bytes:
    """The part with a DOCTYPE right after its XML declaration."""
    declaration = re.match(rb"<\?xml[^>]*\?>\s*", xml)
    at = declaration.end() if declaration else 0
    return xml[:at] + doctype.encode() + xml[at:]


@pytest.fixture
def book(make_workbook, example_data) -> Path:
    return make_workbook(example_data, name="MSP_Billing.xlsx")


def listing(folder: Path) -> list[str]:
    """The files in a folder, less a workbook's lock file: a writing command that got as far as
    locking a file (it is a zip with a workbook's name) leaves the empty `.~msp-lock.NAME`."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".~msp-lock."))


def assert_refused(path: Path, message: str, *commands: str) -> str:
    """Every command exits 2 with one line, and leaves the file and its folder as they were."""
    before = path.read_bytes()
    folder = listing(path.parent)
    for command in commands or ("recalc",):
        result = run_cli(command, str(path), "--month", MONTH)
        assert result.returncode == 2, result.stdout + result.stderr
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("msp-workbook: ")
        assert message in lines[0], lines[0]
    assert path.read_bytes() == before
    assert listing(path.parent) == folder
    return lines[0]


# --- Not a workbook -------------------------------------------------------------------------------


def test_a_workbook_cut_in_half_is_refused_as_incomplete(book, tmp_path):
    path = tmp_path / "cut.xlsx"
    data = book.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    line = assert_refused(path, "damaged workbook (the file is incomplete", "recalc", "check")
    assert line.startswith(f"msp-workbook: {path}: ")


def test_a_text_file_named_xlsx_is_refused(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_bytes(b"Customer list, to do\n" * 40)
    assert_refused(path, "not a readable .xlsx workbook", "recalc", "check")


def test_a_workbook_with_a_password_is_refused_with_what_to_do(tmp_path):
    rng = random.Random(7)
    path = tmp_path / "secret.xlsx"
    path.write_bytes(OLE_MAGIC + bytes(rng.randrange(256) for _ in range(4096)))
    line = assert_refused(path, PASSWORD, "recalc", "check")
    assert line == f"msp-workbook: {path} {PASSWORD}"


def test_an_encrypted_package_is_refused_even_under_an_xls_looking_directory(tmp_path):
    rng = random.Random(8)
    junk = bytes(rng.randrange(256) for _ in range(2048))
    path = tmp_path / "secret.xlsx"
    names = "".join(n + "\0" for n in ("Workbook", "EncryptionInfo", "EncryptedPackage"))
    path.write_bytes(OLE_MAGIC + junk + names.encode("utf-16-le") + junk)
    assert_refused(path, PASSWORD)


def test_an_xls_file_is_refused_by_name_and_by_content(tmp_path):
    rng = random.Random(9)
    ole = OLE_MAGIC + bytes(512) + "Workbook\0".encode("utf-16-le") + rng.randbytes(2048)
    named = tmp_path / "old.xls"
    named.write_bytes(ole)
    assert_refused(named, "an .xls file (Excel 97-2003); save it as .xlsx and try again")
    renamed = tmp_path / "old.xlsx"
    renamed.write_bytes(ole)
    assert_refused(renamed, "an .xls file (Excel 97-2003); save it as .xlsx and try again")


@pytest.mark.parametrize("name", ["calc.ods", "calc.xlsx"])
def test_an_opendocument_spreadsheet_is_refused_by_name_and_by_content(tmp_path, name):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
        z.writestr("content.xml", "<office:document-content/>", zipfile.ZIP_DEFLATED)
    assert_refused(path, "an OpenDocument spreadsheet; save it as .xlsx and try again")


# --- Zip bombs ------------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_from_the_zip_directory(book, tmp_path):
    usage = sheet_part(book, "Usage")
    path = with_members(book, tmp_path / "bomb.xlsx", {usage: zeros_bomb()})
    assert path.stat().st_size < 3 << 20
    info = zipfile.ZipFile(path).getinfo(usage)
    assert info.file_size == 1 << 30 and info.file_size / info.compress_size > MAX_RATIO
    assert_refused(path, f"refused, {usage} would inflate", "recalc", "check")


def test_a_part_that_inflates_past_its_declared_size_is_refused(book, tmp_path):
    """A zip directory can lie about sizes: the parts a reader parses are measured while
    inflating, and refused the moment they grow past what is declared."""
    strings = "xl/sharedStrings.xml"
    real = members(book)[strings]
    padded = real.replace(b"</sst>", b"<!--" + b" " * (30 << 20) + b"--></sst>")
    data, method, _, _ = deflated(padded)
    # the CRC of what the declared size covers: a reader that stops there finds nothing wrong
    crc = zlib.crc32(padded[: len(real)])
    path = with_members(book, tmp_path / "liar.xlsx", {strings: (data, method, crc, len(real))})
    assert_refused(path, f"refused, {strings} inflates past the size the zip declares")


def test_the_limits_leave_room_for_a_large_real_workbook():
    # a million usage rows: a sheet of about 40 MiB per 200k rows, compressing about 11 times
    assert MAX_RATIO >= 50
    assert MAX_SHEET_CELLS >= 1_048_576 * 16


# --- Hostile XML ----------------------------------------------------------------------------------

XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE sst [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
    '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">'
    '<!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]>'
)


def test_an_external_entity_in_a_sheet_is_refused(book, tmp_path):
    part = sheet_part(book, "Usage")
    xml = with_doctype(members(book)[part], XXE).replace(
        b"</sheetData>", b'<row r="99"><c r="A99" t="str"><v>&xxe;</v></c></row></sheetData>'
    )
    path = rewrite_members(book, tmp_path / "xxe.xlsx", {part: xml})
    assert_refused(path, f"refused, {part} is not valid XML for a workbook (it declares a DOCTYPE)")


def test_an_external_entity_in_the_workbook_part_is_refused(book, tmp_path):
    part = "xl/workbook.xml"
    xml = with_doctype(members(book)[part], XXE).replace(b'name="Settings"', b'name="&xxe;"', 1)
    path = rewrite_members(book, tmp_path / "xxe_book.xlsx", {part: xml})
    assert_refused(path, f"refused, {part} is not valid XML", "recalc", "check")


def test_billion_laughs_in_shared_strings_is_refused(book, tmp_path):
    part = "xl/sharedStrings.xml"
    xml = with_doctype(members(book)[part], LAUGHS)
    xml = re.sub(rb"<t>[^<]*</t>", b"<t>&i;</t>", xml, count=1)
    path = rewrite_members(book, tmp_path / "laughs.xlsx", {part: xml})
    assert_refused(path, f"refused, {part} is not valid XML for a workbook (it declares a DOCTYPE)")


def test_a_doctype_behind_comments_and_in_utf16_is_found(book, tmp_path):
    part = "xl/styles.xml"
    xml = members(book)[part].decode()
    xml = xml.replace("?>", "?><!-- <a> --><?pi x?>" + LAUGHS, 1).replace('"UTF-8"', '"UTF-16"')
    path = rewrite_members(book, tmp_path / "utf16.xlsx", {part: xml.encode("utf-16")})
    assert_refused(path, f"refused, {part} is not valid XML for a workbook")


# --- Sheets too large to hold ---------------------------------------------------------------------


def full_row(first: int = 0) -> str:
    from msp_workbook.workbook.cells import column_letter

    return "".join(
        f'<c r="{column_letter(c)}1" t="inlineStr"><is><t>x</t></is></c>'
        for c in range(max(first, 6), 16384)
    )


def test_a_row_across_all_16384_columns_of_a_small_usage_sheet_is_read(book, tmp_path):
    path = usage_with_cells(book, tmp_path / "wide.xlsx", full_row())
    result = run_cli("check", str(path), "--month", MONTH)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert "Billing month 2026-10: 8 lines" in result.stdout


def test_a_value_in_the_last_cell_of_the_sheet_is_refused(book, tmp_path):
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = usage_with_cells(book, tmp_path / "far.xlsx", far, row=None)
    line = assert_refused(path, 'sheet "Usage" is too large to read', "recalc", "check")
    assert "column XFD and row 1,048,576" in line


@pytest.mark.parametrize(
    "cells",
    [
        # cells without r, after a row far down
        '<row r="1048576">' + "<c><v>1</v></c>" * 600 + "</row>",
        # a namespace prefix, r not first, single quotes
        "<x:row xmlns:x='http://schemas.openxmlformats.org/spreadsheetml/2006/main' r='900000'>"
        "<x:c s='0' r='ZZ900000'><x:v>1</x:v></x:c></x:row>",
    ],
)
def test_far_cells_in_unusual_forms_are_found(book, tmp_path, cells):
    path = usage_with_cells(book, tmp_path / "odd.xlsx", cells, row=None)
    assert_refused(path, 'sheet "Usage" is too large to read')


def test_a_full_row_on_a_sheet_of_over_a_thousand_rows_is_refused(book, tmp_path):
    tall = '<row r="1100"><c r="A1100"><v>1</v></c></row>'
    wide = usage_with_cells(book, tmp_path / "wide.xlsx", full_row())
    path = usage_with_cells(wide, tmp_path / "wide_tall.xlsx", tall, row=None)
    line = assert_refused(path, 'sheet "Usage" is too large to read')
    assert "column XFD and row 1,100 (18,022,400 cells" in line


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(
        st.tuples(st.integers(1, 1_048_576), st.integers(1, 16_384), st.booleans(), st.booleans()),
        max_size=40,
    ),
    cuts=st.lists(st.integers(0, 4000), max_size=8),
)
def test_the_extent_of_cells_is_found_in_any_form_across_chunks(cells, cuts):
    """Both ways of finding how far the cells reach agree with the cells written, however the
    inflated text is cut into chunks; empty cells never count in the exact one."""
    from msp_workbook.workbook.cells import column_letter
    from msp_workbook.workbook.package.cell_extent import extent, plain_extent

    pieces = ['<worksheet><sheetData><row r="1">']
    for row, col, has_value, plain in cells:
        ref = f"{column_letter(col - 1)}{row}"
        attrs = f'r="{ref}" s="1"' if plain else f"s='1'  r='{ref}'"
        pieces.append(f"<c {attrs}><v>1</v></c>" if has_value else f"<c {attrs}/>")
    xml = ("".join(pieces) + "</row></sheetData></worksheet>").encode()
    bounds = sorted({c % (len(xml) + 1) for c in cuts})
    chunks = [xml[a:b] for a, b in zip([0, *bounds], [*bounds, len(xml)], strict=True)]

    valued = [(r, c) for r, c, v, _ in cells if v]
    expected = (max((r for r, _ in valued), default=0), max((c for _, c in valued), default=0))
    assert extent(iter(chunks)) == expected
    everything = (max((r for r, *_ in cells), default=0), max((c for _, c, *_ in cells), default=0))
    plain = plain_extent(iter(chunks))
    assert plain == (everything if all(p for *_, p in cells) else None)


def test_empty_formatted_cells_far_away_do_not_count(book, tmp_path):
    """A formatted cell without a value is not read: it may sit anywhere. The checks find
    nothing more in the sheet than without it, and `check` bills the month exactly as before."""
    far = '<row r="1048576"><c r="XFD1048576" s="1"/></row>'
    path = usage_with_cells(book, tmp_path / "formatted.xlsx", far, row=None)
    tables = [t.name for t in schema.INPUT_TABLES]
    assert check_before_parsing(path, tables) == check_before_parsing(book, tables)
    checked, unedited = (run_cli("check", str(p), "--month", MONTH) for p in (path, book))
    assert (checked.returncode, checked.stderr) == (0, "")
    assert checked.stdout == unedited.stdout


def test_the_checks_refuse_in_the_library_too(book, tmp_path):
    usage = sheet_part(book, "Usage")
    path = with_members(book, tmp_path / "bomb.xlsx", {usage: zeros_bomb()})
    with pytest.raises(WorkbookError, match="inflate") as error:
        check_before_parsing(path, [schema.USAGE.name])
    assert "\n" not in str(error.value)
    with pytest.raises(WorkbookError, match="inflate"), open_package(path):
        pass


# --- Formula injection ----------------------------------------------------------------------------


def test_formula_like_names_are_written_as_text(make_workbook, example_data, tmp_path):
    customers = example_data[schema.CUSTOMERS.name]
    for row, text in zip(customers, FORMULAS, strict=False):
        row["Customer"] = text
    products = {"KC-MSP": FORMULAS[4], "KCTL-MSP": FORMULAS[0], "LG-MSP": FORMULAS[3]}
    for row in example_data[schema.PRODUCTS.name]:
        row["Product"] = products.get(str(row["Product ID"]), row["Product"])
    for row, text in zip(example_data[schema.KEYS.name], FORMULAS, strict=False):
        row["Note"] = text
    path = make_workbook(example_data, name="MSP_Billing.xlsx")

    result = run_cli("recalc", str(path), "--month", MONTH)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""

    parts = members(path)
    written: set[str] = set()
    for sheet in (schema.BILLING.sheet, schema.INVOICES.sheet, schema.COMPARISON.sheet):
        xml = parts[sheet_part(path, sheet)].decode()
        assert not re.search(r"<(\w+:)?f[\s>/]", xml), f"a formula on {sheet}"
        cells = re.findall(r'<c [^>]*t="inlineStr"[^>]*><is><t[^>]*>([^<]*)</t></is></c>', xml)
        written |= {html.unescape(text) for text in cells}
    assert set(FORMULAS) <= written

    billing = openpyxl.load_workbook(path)[schema.BILLING.sheet]
    texts = {c.value: c.data_type for row in billing.iter_rows(min_row=2) for c in row}
    for text in FORMULAS:
        assert texts[text] == "s", text
