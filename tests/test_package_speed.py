"""The two package operations a million-row workbook makes costly, kept safe while made fast.

A save copies every member it does not replace as the file holds it, still compressed (no inflate,
no deflate): the copy must be byte for byte the source's data under the same CRC, sizes, method,
name, time and attributes, and the zip must stay readable by zipfile, openpyxl and
python-calamine. A zip that would need ZIP64 is refused rather than written wrong.

The check of how far a sheet's cells reach scans the text once per block instead of cell by cell;
it may overstate (then the exact reading decides) but never understate: a far cell is found
wherever it stands, whatever row tag it stands in.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Iterable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook
from xlsx_fixtures import all_tables, build_book, members, rewrite_members, sheet_part

from msp_workbook.workbook import schema
from msp_workbook.workbook.cells import column_letter
from msp_workbook.workbook.errors import WorkbookError
from msp_workbook.workbook.package import cell_extent, opc, zip_writer
from msp_workbook.workbook.package.cell_extent import _at_most, extent, plain_extent
from msp_workbook.workbook.package.guard import MAX_SHEET_CELLS, check_before_parsing
from msp_workbook.workbook.package.safe_save import backup_path, temp_files
from msp_workbook.workbook.write import writer
from msp_workbook.workbook.write.writer import write_tables

INPUT_TABLE_NAMES = [t.name for t in schema.INPUT_TABLES]
STAMP = (2024, 5, 17, 13, 45, 58)  # an even second: what a zip timestamp can hold
UNICODE_MEMBER = "customXml/notiz-ü.bin"


# --- Helpers --------------------------------------------------------------------------------------


def stored_data(path: Path, info: zipfile.ZipInfo) -> bytes:
    """A member's data as the file holds it (still compressed), found from its local header."""
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        header = f.read(30)
        assert header[:4] == b"PK\x03\x04"
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        f.seek(info.header_offset + 30 + name_length + extra_length)
        data = f.read(info.compress_size)
    assert len(data) == info.compress_size
    return data


class _Unseekable:
    """A file zipfile cannot seek in: it then writes each member with a data descriptor."""

    def __init__(self, f) -> None:
        self._f = f

    def write(self, data: bytes) -> int:
        return self._f.write(data)

    def flush(self) -> None:
        self._f.flush()


def repack(
    src: Path,
    dest: Path,
    *,
    stored: Iterable[str] = (),
    added: dict[str, bytes] | None = None,
    descriptors: bool = False,
) -> Path:
    """A copy of a workbook zipped another way: the members in `stored` not compressed, every
    member with the same time and Unix attributes, level 9, maybe with data descriptors."""
    stored = set(stored)
    with open(dest, "wb") as f:
        target = _Unseekable(f) if descriptors else f
        with zipfile.ZipFile(target, "w") as out:  # type: ignore[arg-type]
            for name, data in {**members(src), **(added or {})}.items():
                info = zipfile.ZipInfo(name, STAMP)
                info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
                info.create_system = 3
                info.external_attr = 0o100644 << 16
                out.writestr(info, data, compresslevel=9)
    return dest


def write_recording(src: Path, dest: Path) -> set[str]:
    """Rewrite the generated tables of `src` into `dest`; the names of the parts replaced."""
    replaced: set[str] = set()
    real = writer.save_package

    def recording(pkg, replacements, target, **options):
        replaced.update(name.lower() for name in replacements)
        return real(pkg, replacements, target, **options)

    original, writer.save_package = writer.save_package, recording
    try:
        write_tables(src, dest, all_tables())
    finally:
        writer.save_package = original
    return replaced


def assert_copied_as_stored(src: Path, out: Path, replaced: set[str]) -> int:
    """The output is a sound zip and every member not replaced is the source's, unchanged;
    the number of such members."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(out) as new:
        assert new.testzip() is None  # every member's CRC checks out
        assert new.namelist()[0] == "[Content_Types].xml"
        before = {i.filename: i for i in old.infolist()}
        copied = 0
        for info in new.infolist():
            assert info.flag_bits & 0x8 == 0, "sizes in the local header, no data descriptor"
            if info.filename.lower() in replaced:
                assert info.compress_type == zipfile.ZIP_DEFLATED
                continue
            was = before[info.filename]
            for field in (
                "compress_type",
                "CRC",
                "compress_size",
                "file_size",
                "date_time",
                "external_attr",
                "create_system",
            ):
                assert getattr(info, field) == getattr(was, field), (info.filename, field)
            assert stored_data(out, info) == stored_data(src, was), info.filename
            assert new.read(info) == old.read(was)
            copied += 1
    return copied


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbook with what users add (chart, image, comment, VBA project)."""
    folder = tmp_path_factory.mktemp("source")
    return build_book(folder / "book.xlsm", vba=True)


# --- Saving copies members as they are ------------------------------------------------------------


def test_members_not_replaced_are_copied_byte_for_byte_and_pass_the_crc_check(source, tmp_path):
    out = tmp_path / "out.xlsm"
    replaced = write_recording(source, out)
    assert replaced, "the writer replaces the generated sheets"
    copied = assert_copied_as_stored(source, out, replaced)
    assert copied >= 10
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out) as new:
        assert [i.filename for i in new.infolist()] == [i.filename for i in old.infolist()]


def test_stored_members_and_data_descriptors_and_unicode_names_are_copied_as_they_are(
    source, tmp_path
):
    image = next(name for name in members(source) if name.startswith("xl/media/"))
    kept_sheet = sheet_part(source, "Usage")
    src = repack(
        source,
        tmp_path / "repacked.xlsm",
        stored={image, kept_sheet, "xl/vbaProject.bin", UNICODE_MEMBER},
        added={UNICODE_MEMBER: bytes(range(256)) * 3},
        descriptors=True,
    )
    with zipfile.ZipFile(src) as z:
        assert all(i.flag_bits & 0x8 for i in z.infolist()), "the source uses data descriptors"
        assert z.getinfo(image).compress_type == zipfile.ZIP_STORED
    out = tmp_path / "out.xlsm"
    replaced = write_recording(src, out)
    assert_copied_as_stored(src, out, replaced)
    with zipfile.ZipFile(out) as z:
        for name in (image, kept_sheet, "xl/vbaProject.bin", UNICODE_MEMBER):
            info = z.getinfo(name)
            assert info.compress_type == zipfile.ZIP_STORED, name
            assert info.date_time == STAMP and info.external_attr == 0o100644 << 16
        assert z.getinfo(UNICODE_MEMBER).flag_bits & 0x800, "a UTF-8 name says so"
        assert z.read(UNICODE_MEMBER) == bytes(range(256)) * 3


def test_the_saved_workbook_opens_in_openpyxl_and_calamine(source, tmp_path):
    src = repack(source, tmp_path / "repacked.xlsm", stored={"xl/vbaProject.bin"})
    out = tmp_path / "out.xlsm"
    write_tables(src, out, all_tables())
    book = openpyxl.load_workbook(out, keep_vba=True)
    try:
        for name, rows in all_tables().items():
            ws = book[schema.table_by_name(name).sheet]
            got = list(ws.iter_rows(values_only=True))
            assert list(got[0]) == list(schema.table_by_name(name).headers)
            assert len(got) == len(rows) + 1, name
    finally:
        book.close()
    calamine = CalamineWorkbook.from_path(str(out), load_tables=True)
    for name, rows in all_tables().items():
        table = calamine.get_table_by_name(name)
        assert list(table.columns) == list(schema.table_by_name(name).headers)
        assert len(table.to_python()) == len(rows)
    usage = calamine.get_sheet_by_name(schema.USAGE.sheet).to_python()
    assert usage[0][: len(schema.USAGE.headers)] == list(schema.USAGE.headers)


def test_saving_over_the_source_copies_from_the_file_being_replaced(source, tmp_path):
    path = tmp_path / "book.xlsm"
    path.write_bytes(source.read_bytes())
    replaced = write_recording(path, path)
    backup = backup_path(path, 1)
    assert backup.read_bytes() == source.read_bytes()
    assert_copied_as_stored(backup, path, replaced)
    assert temp_files(path) == []
    again = path.read_bytes()
    write_tables(path, path, all_tables())  # the same content again: the same bytes
    assert path.read_bytes() == again
    assert not backup_path(path, 2).exists()


def test_a_zip_of_too_many_parts_is_refused_and_nothing_is_written(source, tmp_path):
    """A real workbook of 65,535 parts (the most a zip holds without zip64; here empty notes a
    user's tool might have added): the save, which would add no part but needs the count below
    that, is refused in one line, and the file and its folder stay as they were."""
    path = tmp_path / "book.xlsm"
    path.write_bytes(source.read_bytes())
    with zipfile.ZipFile(path, "a") as z:
        for n in range(0xFFFF - len(z.namelist())):
            z.writestr(f"customXml/note{n}.xml", b"")
    before = path.read_bytes()
    with pytest.raises(WorkbookError) as error:
        write_tables(path, path, all_tables())
    assert str(error.value) == (
        f"{path}: cannot save, the workbook would have over 65,534 parts "
        "(too many for an .xlsx file)"
    )
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsm"]


def test_a_zip_that_would_need_zip64_is_refused_and_nothing_is_written(
    source, tmp_path, monkeypatch
):
    """The 4 GiB limit lowered to 20,000 bytes (a workbook of 4 GiB is beyond a test's reach):
    a save past it is refused in one line, and nothing is written."""
    path = tmp_path / "book.xlsm"
    path.write_bytes(source.read_bytes())
    monkeypatch.setattr(zip_writer, "_ZIP32_LIMIT", 20_000)
    with pytest.raises(WorkbookError) as error:
        write_tables(path, path, all_tables())
    assert str(error.value) == (
        f"{path}: cannot save, the workbook would be 4 GiB or more (too large for an .xlsx file)"
    )
    assert path.read_bytes() == source.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsm"]


def test_a_member_whose_local_header_does_not_match_the_directory_is_refused(source, tmp_path):
    path = tmp_path / "book.xlsm"
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as z:
        info = z.getinfo("xl/vbaProject.bin")
    at = info.header_offset + 30 + len("xl/")
    data[at : at + 3] = b"VBA"  # the local header names another member
    path.write_bytes(bytes(data))
    out = tmp_path / "out.xlsm"
    with pytest.raises(WorkbookError, match=r"damaged workbook \(xl/vbaProject.bin") as error:
        write_tables(path, out, all_tables())
    assert "\n" not in str(error.value)
    assert not out.exists() and temp_files(out) == []


# --- How far the cells reach ----------------------------------------------------------------------


def sheet(rows: Iterable[tuple[int, Iterable[str]]], cell: str = '<c r="{}"><v>1</v></c>') -> bytes:
    """Worksheet XML with these rows: (row tag number, cell references)."""
    body = "".join(
        f'<row r="{r}">' + "".join(cell.format(ref) for ref in refs) + "</row>" for r, refs in rows
    )
    return f"<worksheet><sheetData>{body}</sheetData></worksheet>".encode()


def in_chunks(xml: bytes, size: int) -> list[bytes]:
    return [xml[i : i + size] for i in range(0, len(xml), size)]


def table_rows(first: int, last: int, columns: int) -> list[tuple[int, list[str]]]:
    letters = [column_letter(c) for c in range(columns)]
    return [(r, [f"{c}{r}" for c in letters]) for r in range(first, last + 1)]


def old_plain_extent(chunks: Iterable[bytes]) -> tuple[int, int] | None:
    """`plain_extent` as it was, cell by cell: the reference the new one must agree with."""
    plain = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"')
    unplain = (re.compile(rb"<c[\t\n\r/>]"), re.compile(rb":c[\s/>]"))
    last_row = last_col = 0
    for block in cell_extent._blocks(chunks):
        refs = plain.findall(block)
        if block.count(b"<c ") != len(refs) or any(p.search(block) for p in unplain):
            return None
        for ref in refs:
            letters = ref.rstrip(b"0123456789")
            last_row = max(last_row, int(ref[len(letters) :]))
            last_col = max(last_col, cell_extent.column_number(letters))
    return last_row, last_col


def test_a_normal_sheet_is_measured_without_reading_its_cells_one_by_one(monkeypatch):
    xml = sheet(table_rows(1, 30_000, 5))
    measured = []
    real = cell_extent._block_extent
    monkeypatch.setattr(cell_extent, "_block_extent", lambda b: measured.append(b) or real(b))
    assert plain_extent(in_chunks(xml, 1 << 16)) == (30_000, 5)
    assert measured == []
    bound = plain_extent(in_chunks(xml, 1 << 16), limit=MAX_SHEET_CELLS)
    assert bound == (99_999, 5), "rows rounded up to all nines: never below the true extent"
    assert measured == []


@pytest.mark.parametrize("where", ["first", "middle", "last"])
@pytest.mark.parametrize("far", ["XFD1048576", "A1048576", "XFD2", "AAA99"])
def test_a_far_cell_in_a_low_row_tag_is_found_anywhere_in_a_block(where, far):
    rows = table_rows(1, 3000, 5)
    at = {"first": 1, "middle": 1500, "last": 2999}[where]
    refs = rows[at][1]
    rows[at] = (rows[at][0], [far, *refs] if where != "last" else [*refs, far])
    xml = sheet(rows)
    far_row, far_col = cell_extent._split_ref(far.encode())
    for size in (1 << 12, 1 << 16, len(xml)):
        for limit in (0, MAX_SHEET_CELLS):
            last_row, last_col = plain_extent(in_chunks(xml, size), limit=limit)
            assert last_row >= max(far_row, 3000) and last_col >= max(far_col, 5)
            if not limit:
                assert (last_row, last_col) == (max(far_row, 3000), max(far_col, 5))


@pytest.mark.parametrize("where", ["first", "last"])
def test_a_far_cell_in_a_low_row_tag_of_a_workbook_is_refused(make_workbook, example_data, where):
    book = make_workbook(example_data)
    part = sheet_part(book, "Usage")
    xml = members(book)[part].decode()
    far = '<c r="XFD1048576"><v>1</v></c>'
    if where == "first":
        xml = re.sub(r'<row r="2"[^>]*>', lambda m: m[0] + far, xml, count=1)
    else:
        xml = re.sub(r"</c></row></sheetData>", "</c>" + far + "</row></sheetData>", xml)
    assert far in xml
    path = rewrite_members(book, book.with_name("far.xlsx"), {part: xml.encode()})
    with pytest.raises(WorkbookError, match="too large to read") as error:
        check_before_parsing(path, INPUT_TABLE_NAMES)
    assert "column XFD and row 1,048,576" in str(error.value)


def test_a_seven_digit_row_is_measured_exactly():
    rows = [*table_rows(1, 200, 17), (1_234_567, ["A1234567", "Q1234567"])]
    xml = sheet(rows)
    for size in (1 << 10, len(xml)):
        assert plain_extent(in_chunks(xml, size)) == (1_234_567, 17)
        assert plain_extent(in_chunks(xml, size), limit=MAX_SHEET_CELLS) == (1_234_567, 17)
    assert extent(in_chunks(xml, 1 << 10)) == (1_234_567, 17)


def with_usage_row(book, name: str, row: int, cells: str):
    """A copy of the workbook with one more row of these cells at the end of the Usage sheet."""
    part = sheet_part(book, "Usage")
    xml = (
        members(book)[part]
        .decode()
        .replace("</sheetData>", f'<row r="{row}">{cells}</row></sheetData>')
    )
    return rewrite_members(book, book.with_name(name), {part: xml.encode()})


def test_a_seven_digit_row_in_a_workbook_is_refused_with_its_exact_row(make_workbook, example_data):
    far = "".join(f'<c r="{column_letter(c)}1000001"><v>1</v></c>' for c in range(17))
    path = with_usage_row(make_workbook(example_data), "tall.xlsx", 1_000_001, far)
    with pytest.raises(WorkbookError, match="too large to read") as error:
        check_before_parsing(path, INPUT_TABLE_NAMES)
    assert "column Q and row 1,000,001 (17,000,017 cells" in str(error.value)


@pytest.mark.parametrize("chunk", [1 << 20, 1 << 12])
def test_a_wide_sheet_of_few_rows_is_neither_refused_nor_read_cell_by_cell(
    make_workbook, example_data, monkeypatch, chunk
):
    """16,384 columns by 1,000 rows is within the limit, and the quick routes alone say so: also
    when the rows were rounded up (to 9,999) before the wide row came, in a block of its own."""
    wide = "".join(f'<c r="{column_letter(c)}1000"><v>1</v></c>' for c in range(16_384))
    path = with_usage_row(make_workbook(example_data), "wide.xlsx", 1000, wide)
    assert 1000 * 16_384 <= MAX_SHEET_CELLS < 9_999 * 16_384

    def no_exact_reading(chunks):
        raise AssertionError("the exact reading was needed")

    monkeypatch.setattr(cell_extent, "extent", no_exact_reading)
    monkeypatch.setattr(opc, "CHUNK", chunk)
    check_before_parsing(path, INPUT_TABLE_NAMES)
    xml = members(path)[sheet_part(path, "Usage")]
    assert plain_extent(in_chunks(xml, chunk)) == (1000, 16_384)


def _ref(row: int, col: int) -> str:
    return f"{column_letter(col - 1)}{row}"


# Plain references: mostly near a table, some anywhere on the sheet (and past it).
_PLAIN_REFS = st.one_of(
    st.builds(_ref, st.integers(1, 40), st.integers(1, 8)),
    st.builds(_ref, st.integers(1, 9_999_999), st.integers(1, 18_278)),
)
_PLAIN_CELLS = st.one_of(
    _PLAIN_REFS.map(lambda ref: f'<c r="{ref}"><v>1</v></c>'),
    _PLAIN_REFS.map(lambda ref: f'<c r="{ref}" s="1"/>'),
)
# Cells in other forms, or with references no reader places by their letters and digits.
_ODD_REFS = st.one_of(
    _PLAIN_REFS,
    st.sampled_from(["A007", "e5", "ABCD1", "A12345678", "B", "7", "A1B2", "", "XFD1048576"]),
)
_ODD_CELLS = st.one_of(
    _ODD_REFS.map(lambda ref: f'<c r="{ref}"><v>1</v></c>'),
    _ODD_REFS.map(lambda ref: f"<c s='1' r='{ref}'><v>1</v></c>"),
    _ODD_REFS.map(lambda ref: f'<x:c r="{ref}"><x:v>1</x:v></x:c>'),
    _ODD_REFS.map(lambda ref: f'<c\n r="{ref}"/>'),
    _ODD_REFS.map(lambda ref: f'<c  r="{ref}"/>'),
    st.sampled_from(["<c><v>1</v></c>", "<c/>", '<col min="1"/>', "<cfRule/>", "<c\x0b/>"]),
)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.integers(1, 2_000_000), st.lists(_PLAIN_CELLS, max_size=12)), max_size=12
    ),
    odd=st.none() | st.tuples(_ODD_CELLS, st.integers(0, 200)),
    filler=st.integers(0, 300),
    size=st.integers(16, 4000),
)
def test_the_quick_extent_agrees_with_the_cell_by_cell_one(rows, odd, filler, size):
    """Exact where it was exact (the same answer as reading every reference), and with a limit
    never less; None exactly where some cell is not plain."""
    cells = [[f'<c r="{c}"><v>1</v></c>' for c in refs] for _, refs in table_rows(1, filler, 3)]
    numbers = list(range(1, filler + 1)) + [r for r, _ in rows]
    cells += [list(row_cells) for _, row_cells in rows]
    if odd is not None and cells:
        cell, at = odd
        cells[at % len(cells)].insert(at % 3, cell)
    pairs = zip(numbers, cells, strict=True)
    body = "".join(f'<row r="{r}">' + "".join(c) + "</row>" for r, c in pairs)
    xml = f"<worksheet><sheetData>{body}</sheetData></worksheet>".encode()
    expected = old_plain_extent(in_chunks(xml, size))
    assert plain_extent(in_chunks(xml, size)) == expected
    bound = plain_extent(in_chunks(xml, size), limit=MAX_SHEET_CELLS)
    if expected is None:
        assert bound is None
    else:
        assert bound is not None and bound[0] >= expected[0] and bound[1] >= expected[1]
        exact = extent(in_chunks(xml, size))
        assert exact[0] <= bound[0] and exact[1] <= bound[1]


@settings(max_examples=400, deadline=None)
@given(bound=st.integers(1, 9_999_999), text=st.text("0123456789", min_size=1, max_size=9))
def test_the_row_pattern_accepts_exactly_the_rows_up_to_the_bound(bound, text):
    accepted = re.fullmatch(_at_most(str(bound), "0", "9"), text) is not None
    assert accepted == (len(text) <= len(str(bound)) and int(text) <= bound)


@settings(max_examples=400, deadline=None)
@given(
    bound=st.integers(1, 18_278),
    text=st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=4),
)
def test_the_column_pattern_accepts_exactly_the_columns_up_to_the_bound(bound, text):
    accepted = re.fullmatch(_at_most(column_letter(bound - 1), "A", "Z"), text) is not None
    assert accepted == (len(text) <= 3 and cell_extent.column_number(text.encode()) <= bound)
