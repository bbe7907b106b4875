"""A recalculation rewrites only the generated sheets: everything else in the file survives.

Workbooks carry what users add and a load-and-save would lose (a chart, an image, a form button,
a comment, formulas over the generated tables, defined names, a VBA project). After the writer
has run, every zip member other than the rewritten sheet and table parts is byte-identical, and
Excel's stand-ins (openpyxl, python-calamine, LibreOffice) read back exactly what was written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from libreoffice import convert
from python_calamine import CalamineWorkbook
from xlsx_fixtures import (
    CHECKS_COUNT_CELL,
    NET_TOTAL_CELL,
    REPORT_SHEET,
    all_tables,
    billing_rows,
    build_book,
    charts_over,
    check_rows,
    comparison_rows,
    fake_vba_project,
    members,
    sheet_part,
    table_part,
)

from msp_workbook.workbook import schema
from msp_workbook.workbook.template.builder import TEMPLATE_PATH
from msp_workbook.workbook.write.writer import CellValue, write_tables


def rewritten_parts(path: Path, names: Sequence[str]) -> set[str]:
    """The sheet and table parts the writer owns for these tables, and the charts over them."""
    parts = set()
    for name in names:
        table = schema.table_by_name(name)
        parts |= {sheet_part(path, table.sheet), table_part(path, name)}
    return parts | charts_over(path, [schema.table_by_name(name).sheet for name in names])


def as_read(value: CellValue) -> object:
    """A written value as openpyxl reads it back from a cell with a number format."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    return value


def assert_same_members_except(
    old: dict[str, bytes], new: dict[str, bytes], rewritten: set[str]
) -> None:
    """Same members in the same order, all byte-identical except the writer's own parts."""
    assert list(new) == list(old), "the member list and its order stay the same"
    changed = sorted(name for name in old if old[name] != new[name])
    assert set(changed) <= rewritten, f"members changed that the writer does not own: {changed}"


# --- Byte-for-byte preservation -------------------------------------------------------------------


def test_chart_image_button_comment_survive_recalc_byte_for_byte(tmp_path: Path) -> None:
    src = build_book(tmp_path / "book.xlsx")
    names = set(members(src))
    assert any(n.startswith("xl/charts/chart") for n in names)
    assert any(n.startswith("xl/media/") for n in names)
    assert any(n.startswith("xl/drawings/vmlDrawing") for n in names)  # button and comment
    assert any(n.startswith("xl/comments") for n in names)
    out = tmp_path / "out.xlsx"

    write_tables(src, out, all_tables())

    old, new = members(src), members(out)
    assert_same_members_except(old, new, rewritten_parts(src, list(all_tables())))
    for name in all_tables():  # every table got rows, so its sheet really was rewritten
        part = sheet_part(src, schema.table_by_name(name).sheet)
        assert old[part] != new[part], part
    for kept in ("xl/workbook.xml", "xl/styles.xml", "xl/sharedStrings.xml", "[Content_Types].xml"):
        assert new[kept] == old[kept], kept


def test_vba_project_survives_recalc_byte_for_byte(tmp_path: Path) -> None:
    src = build_book(tmp_path / "book.xlsm", vba=True)
    assert members(src)["xl/vbaProject.bin"] == fake_vba_project()
    out = tmp_path / "out.xlsm"

    write_tables(src, out, all_tables())

    rewritten = rewritten_parts(src, list(all_tables()))
    assert_same_members_except(members(src), members(out), rewritten)
    assert members(out)["xl/vbaProject.bin"] == fake_vba_project()


def test_recalc_in_place_replaces_the_file_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    book = build_book(tmp_path / "book.xlsx")
    before = members(book)

    write_tables(book, book, all_tables())

    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.backup-1.xlsx", "book.xlsx"]
    assert_same_members_except(before, members(book), rewritten_parts(book, list(all_tables())))


def test_committed_template_keeps_every_other_part_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "template_out.xlsx"
    rows = {**all_tables(), schema.COMPARISON.name: comparison_rows()}
    tables = {t.name: rows[t.name] for t in schema.RECALC_TABLES}

    write_tables(TEMPLATE_PATH, out, tables)

    rewritten = rewritten_parts(TEMPLATE_PATH, list(tables))
    assert_same_members_except(members(TEMPLATE_PATH), members(out), rewritten)


# --- Reading back ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("written")
    src = build_book(folder / "source.xlsx")
    out = folder / "written.xlsx"
    write_tables(src, out, all_tables())
    return out


@pytest.mark.parametrize("read_only", [False, True])
def test_openpyxl_reads_back_exactly_the_written_values(written: Path, read_only: bool) -> None:
    book = openpyxl.load_workbook(written, read_only=read_only)
    try:
        for name, rows in all_tables().items():
            table = schema.table_by_name(name)
            ws = book[table.sheet]
            got = [list(r) for r in ws.iter_rows(values_only=True)]
            assert got[0] == list(table.headers)
            assert got[1:] == [[as_read(v) for v in row] for row in rows], name
    finally:
        book.close()


def test_openpyxl_sees_the_tables_resized_and_column_formats_applied(written: Path) -> None:
    book = openpyxl.load_workbook(written)
    ws = book[schema.BILLING.sheet]
    assert ws.tables[schema.BILLING.name].ref == "A1:Q5"
    assert ws.freeze_panes == "A2"
    net = schema.BILLING.headers.index("Net") + 1
    assert ws.cell(2, net).number_format == schema.FMT_MONEY
    assert ws.cell(1, 1).font.bold, "header cells keep their own style"
    checks = book[schema.CHECKS.sheet]
    message = checks.cell(2, 4)
    assert message.data_type == "s" and message.value.startswith("=SUM")
    ledger = book[schema.LEDGER.sheet]
    assert ledger.cell(2, len(schema.LEDGER.columns)).number_format == schema.FMT_TIMESTAMP
    book.close()


def test_calamine_reads_back_the_written_values(written: Path) -> None:
    book = CalamineWorkbook.from_path(str(written), load_tables=True)
    for name, rows in all_tables().items():
        table = book.get_table_by_name(name)
        assert list(table.columns) == list(schema.table_by_name(name).headers)
        got = table.to_python()
        assert len(got) == len(rows)
        for got_row, row in zip(got, rows, strict=True):
            for got_value, value in zip(got_row, row, strict=True):
                if value is None:
                    assert got_value == ""
                elif isinstance(value, (Decimal, int)) and not isinstance(value, bool):
                    assert got_value == float(value)
                elif isinstance(value, datetime):
                    assert got_value == value
                elif isinstance(value, date):
                    assert got_value in (value, datetime.combine(value, datetime.min.time()))
                else:
                    assert got_value == value


# --- LibreOffice recalculates what Excel would ----------------------------------------------------


@pytest.fixture(scope="module")
def recalculated(
    written: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[openpyxl.Workbook]:
    """The written workbook opened, fully recalculated and saved by LibreOffice."""
    (converted,) = convert([written], tmp_path_factory.mktemp("lo"))
    book = openpyxl.load_workbook(converted, data_only=True)
    yield book
    book.close()


def test_libreoffice_shows_the_written_values(recalculated: openpyxl.Workbook) -> None:
    for name, rows in all_tables().items():
        table = schema.table_by_name(name)
        ws = recalculated[table.sheet]
        got = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
        want = [[as_read(v) for v in row] for row in rows]
        for got_row, want_row in zip(got, want, strict=True):
            assert got_row[: len(want_row)] == [
                pytest.approx(v) if isinstance(v, float) else v for v in want_row
            ], name


def test_libreoffice_computes_user_formulas_over_the_written_tables(
    recalculated: openpyxl.Workbook,
) -> None:
    net = schema.BILLING.headers.index("Net")
    report = recalculated[REPORT_SHEET]
    total = sum(row[net] for row in billing_rows(4))
    assert report[NET_TOTAL_CELL].value == pytest.approx(float(total))
    assert report[CHECKS_COUNT_CELL].value == len(check_rows())


def test_libreoffice_sees_the_resized_table_ranges(recalculated: openpyxl.Workbook) -> None:
    for name, rows in all_tables().items():
        table = schema.table_by_name(name)
        refs = {t.name: t.ref for t in recalculated[table.sheet].tables.values()}
        last = openpyxl.utils.get_column_letter(len(table.columns))
        assert refs.get(name) == f"A1:{last}{1 + len(rows)}", name
