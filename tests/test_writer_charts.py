"""Charts over a generated sheet follow its data; side columns are written beside a table.

Most tests here build a Comparison sheet of their own with a chart over the table's columns
(categories Comparison!$B:$C, series Comparison!$G) and a side column Comparison!$Q. A
recalculation resizes the chart's ranges (and those of any other chart over that data) to the
rows written, rewrites their cached values, and leaves every other byte of every chart alone.
The template's own chart plots the block of the 15 largest savings beside the table
(Comparison!$Q:$T): the last tests run a real `msp-workbook recalc` and read it back.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from conftest import run_cli
from defusedxml.ElementTree import fromstring
from libreoffice import convert
from top_savings_books import copied_customers
from xlsx_fixtures import (
    build_book,
    check_rows,
    members,
    rewrite_members,
    sheet_part,
    table_part,
)

from msp_workbook.workbook import schema
from msp_workbook.workbook.package.opc import open_package
from msp_workbook.workbook.write.chart_series import WrittenSheet, follow_written_data
from msp_workbook.workbook.write.worksheet import SideColumns
from msp_workbook.workbook.write.writer import CellValue, write_tables

COMPARISON = schema.COMPARISON.name
OVERVIEW = "Overview"
BEST_ANNUAL = "Best annual cost"
C_NS = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"

# The chart on the Comparison sheet, as the template places it: ranges over the one blank row.
COMPARISON_SERIES = {
    "MSP cost": ("=Comparison!$B$2:$C$2", "=Comparison!$G$2:$G$2"),
    "Best annual": ("=Comparison!$B$2:$C$2", "=Comparison!$Q$2:$Q$2"),
}


# --- Workbooks and rows ---------------------------------------------------------------------------


def build_comparison_book(path: Path, *, chartsheet: bool = False) -> Path:
    """Comparison sheet and table with its chart, and a user sheet with charts of its own."""
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": datetime(2026, 1, 1)})  # the same bytes whenever it is built
    header = book.add_format({"bold": True, "bottom": 1})
    money = book.add_format({"num_format": schema.FMT_MONEY})
    ws = book.add_worksheet(COMPARISON)
    for col, column in enumerate(schema.COMPARISON.columns):
        fmt = book.add_format({"num_format": column.number_format})
        ws.set_column(col, col, column.width, fmt if column.number_format else None)
    ws.set_column(16, 16, 14, money)  # Q: the side column
    ws.freeze_panes(1, 0)
    ws.add_table(
        0,
        0,
        1,
        len(schema.COMPARISON.headers) - 1,
        {
            "name": COMPARISON,
            "style": "Table Style Medium 1",
            "columns": [{"header": h, "header_format": header} for h in schema.COMPARISON.headers],
        },
    )
    chart = book.add_chart({"type": "bar", "subtype": "clustered"})
    for name, (categories, values) in COMPARISON_SERIES.items():
        chart.add_series({"name": name, "categories": categories, "values": values})
    chart.set_title({"name": "MSP cost and the best annual option"})
    chart.set_size({"width": 720, "height": 900})
    ws.insert_chart("S2", chart)

    user = book.add_worksheet(OVERVIEW)
    user.write_row(0, 0, ["Month", "Revenue"])
    for r, (month, revenue) in enumerate([("2026-01", 120), ("2026-02", 135), ("2026-03", 150)]):
        user.write_row(r + 1, 0, [month, revenue])
    over_comparison = book.add_chart({"type": "column"})
    over_comparison.add_series(
        {
            "name": "=Comparison!$G$1",
            "categories": "=Comparison!$A$2:$A$2",
            "values": "='Comparison'!$G$2:$G$2",
        }
    )
    over_comparison.add_series({"name": "Revenue", "values": "=Overview!$B$2:$B$4"})
    user.insert_chart("D2", over_comparison)
    own = book.add_chart({"type": "line"})
    own.add_series({"categories": "=Overview!$A$2:$A$4", "values": "=Overview!$B$2:$B$4"})
    user.insert_chart("D20", own)
    if chartsheet:
        sheet = book.add_chartsheet("Best annual chart")
        best = book.add_chart({"type": "column"})
        best.add_series({"name": "Best annual", "values": "=Comparison!$Q$2:$Q$2"})
        sheet.set_chart(best)
    book.close()
    return path


def comparison_rows(n: int) -> list[list[CellValue]]:
    rows: list[list[CellValue]] = []
    for i in range(n):
        peak = 10 + 7 * (i % 6)
        msp = Decimal(peak * 12) * Decimal("2.35")
        annual = [Decimal(peak) * Decimal(f"{27 - t}.50") * t for t in range(1, 6)]
        options = {"MSP": msp, **{f"Annual {t}y": a / t for t, a in enumerate(annual, start=1)}}
        best = min(options, key=options.__getitem__)
        rows.append(
            [
                f"C{i:03d}",
                f"Kunde {i} & Co",
                ("LG-MSP", "KC-MSP", "KCTL-MSP")[i % 3],
                12,
                Decimal(peak) - Decimal("0.5"),
                peak,
                msp,
                *annual,
                best,
                Decimal("12.34"),
                Decimal("12.34"),
            ]
        )
    return rows


def best_annual(rows: list[list[CellValue]]) -> list[list[CellValue]]:
    return [[min(row[7:12])] for row in rows]  # type: ignore[type-var]


def write(src: Path, dest: Path, rows: list[list[CellValue]]) -> None:
    side = {COMPARISON: ([BEST_ANNUAL], best_annual(rows))}
    write_tables(src, dest, {COMPARISON: rows}, side_columns=side)


# --- Reading charts back --------------------------------------------------------------------------


def charts_on(path: Path, sheet: str) -> list[str]:
    """The chart parts drawn on a sheet (a worksheet or a chart sheet)."""
    with open_package(path) as package:
        book = package.workbook_part
        rels = {r.id: r.target for r in package.relationships(book)}
        root = fromstring(package.read(book))
        ids = [
            el.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
            for el in root.iter()
            if el.tag.endswith("}sheet") and el.get("name") == sheet
        ]
        found = []
        for drawing in package.relationships(rels[ids[0]]):
            if drawing.type.endswith("/drawing"):
                found += [c.target for c in package.relationships(drawing.target)]
        return found


def formulas(chart: bytes) -> list[str]:
    return [f.text or "" for f in fromstring(chart).iter(f"{C_NS}f")]


def series_data(chart: bytes) -> list[dict[str, object]]:
    """Per series: the formula, reference kind and cached points of its categories and values."""
    found = []
    for ser in fromstring(chart).iter(f"{C_NS}ser"):
        data: dict[str, object] = {}
        for source in ("cat", "val"):
            element = ser.find(f"{C_NS}{source}")
            if element is None:
                continue
            reference = element[0]
            data[f"{source} kind"] = reference.tag.removeprefix(C_NS)
            data[f"{source} f"] = reference.findtext(f"{C_NS}f")
            cache = reference[1]
            data[f"{source} count"] = int(cache.find(f"{C_NS}ptCount").get("val"))
            levels = cache.findall(f"{C_NS}lvl") or [cache]
            data[f"{source} points"] = [
                {int(pt.get("idx")): pt.findtext(f"{C_NS}v") for pt in level.iter(f"{C_NS}pt")}
                for level in levels
            ]
        found.append(data)
    return found


def column(rows: list[list[CellValue]], index: int) -> dict[int, str]:
    """The cached points a column's values give: index -> text as in <c:v>."""
    return {
        i: f"{v:f}" if isinstance(v, Decimal) else str(v)
        for i, row in enumerate(rows)
        if (v := row[index]) is not None
    }


# --- The chart follows the data -------------------------------------------------------------------


@pytest.fixture(scope="module")
def thirty(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("thirty")
    src = build_comparison_book(folder / "book.xlsx")
    out = folder / "out.xlsx"
    write(src, out, comparison_rows(30))
    return src, out


def test_chart_ranges_end_at_the_last_written_row(thirty: tuple[Path, Path]) -> None:
    src, out = thirty
    (on_sheet,) = charts_on(out, COMPARISON)
    assert formulas(members(out)[on_sheet]) == [
        "Comparison!$B$2:$C$31",
        "Comparison!$G$2:$G$31",
        "Comparison!$B$2:$C$31",
        "Comparison!$Q$2:$Q$31",
    ]
    over, own = charts_on(out, OVERVIEW)
    assert formulas(members(out)[over]) == [
        "Comparison!$G$1",  # a series name: not data, left alone
        "Comparison!$A$2:$A$31",
        "'Comparison'!$G$2:$G$31",
        "Overview!$B$2:$B$4",  # another sheet: left alone
    ]
    assert members(out)[own] == members(src)[own]


def test_chart_caches_hold_the_written_values(thirty: tuple[Path, Path]) -> None:
    _, out = thirty
    rows = comparison_rows(30)
    (on_sheet,) = charts_on(out, COMPARISON)
    msp, best = series_data(members(out)[on_sheet])
    # Customer and product as two category levels, the innermost (product) first.
    levels = [column(rows, 2), column(rows, 1)]
    assert msp["cat kind"] == best["cat kind"] == "multiLvlStrRef"
    assert msp["cat count"] == best["cat count"] == 30
    assert msp["cat points"] == best["cat points"] == levels
    assert msp["val kind"] == best["val kind"] == "numRef"
    assert msp["val count"] == best["val count"] == 30
    assert msp["val points"] == [column(rows, 6)]
    assert best["val points"] == [column(best_annual(rows), 0)]
    over, _ = charts_on(out, OVERVIEW)
    (series, _) = series_data(members(out)[over])
    assert series["cat kind"] == "strRef"  # customer IDs are text; XlsxWriter guessed numbers
    assert series["cat points"] == [column(rows, 0)]
    assert series["val points"] == [column(rows, 6)]


def test_only_the_sheet_table_and_charts_over_it_change(thirty: tuple[Path, Path]) -> None:
    src, out = thirty
    old, new = members(src), members(out)
    assert list(new) == list(old)
    (on_sheet,) = charts_on(src, COMPARISON)
    over, _ = charts_on(src, OVERVIEW)
    owned = {sheet_part(src, COMPARISON), table_part(src, COMPARISON), on_sheet, over}
    assert {name for name in old if old[name] != new[name]} == owned
    # In the charts, only the data references changed.
    for part in (on_sheet, over):
        outside = r"<c:(cat|val)>.*?</c:\1>"
        assert re.sub(outside, "", new[part].decode()) == re.sub(outside, "", old[part].decode())


def test_side_column_is_written_beside_the_table(thirty: tuple[Path, Path]) -> None:
    _, out = thirty
    rows = comparison_rows(30)
    book = openpyxl.load_workbook(out)
    ws = book[COMPARISON]
    assert ws.tables[COMPARISON].ref == "A1:O31"  # the side column is not in the table
    assert ws["Q1"].value == BEST_ANNUAL
    assert ws["Q1"].font.bold, "the side header looks like the table's headers"
    assert [ws.cell(r, 17).value for r in range(2, 32)] == [float(v[0]) for v in best_annual(rows)]
    assert ws["Q2"].number_format == schema.FMT_MONEY, "the column's style applies"
    assert all(ws.cell(r, 16).value is None for r in range(1, 32)), "P stays blank"
    assert ws.max_column == 17 and ws.max_row == 31
    assert len(ws._charts) == 1  # noqa: SLF001 - openpyxl keeps charts here
    assert len(book[OVERVIEW]._charts) == 2  # noqa: SLF001
    book.close()


def test_libreoffice_draws_the_chart_over_the_written_rows(
    thirty: tuple[Path, Path], tmp_path: Path
) -> None:
    _, out = thirty
    (pdf,) = convert([out], tmp_path / "pdf", to="pdf")
    assert pdf.stat().st_size > 0
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        assert "MSP cost and the best annual option" in text  # the chart's title: it is drawn
    (saved,) = convert([out], tmp_path / "xlsx")
    kept = [
        f for name, data in members(saved).items() if "charts/chart" in name for f in formulas(data)
    ]
    over_comparison = [f for f in kept if "Comparison" in f]
    assert over_comparison, kept
    spans = {re.sub(r"^.*!", "", f).replace("$", "") for f in over_comparison}
    assert {"B2:C31", "G2:G31", "Q2:Q31", "A2:A31"} <= spans, spans
    assert not any(s.endswith("2") for s in spans), spans


@pytest.mark.parametrize(("n", "last"), [(3, 4), (1, 2), (0, 2)])
def test_chart_ranges_shrink_with_the_data(
    thirty: tuple[Path, Path], tmp_path: Path, n: int, last: int
) -> None:
    _, big = thirty
    out = tmp_path / "out.xlsx"
    rows = comparison_rows(n)
    write(big, out, rows)
    (on_sheet,) = charts_on(out, COMPARISON)
    assert formulas(members(out)[on_sheet]) == [
        f"Comparison!$B$2:$C${last}",
        f"Comparison!$G$2:$G${last}",
        f"Comparison!$B$2:$C${last}",
        f"Comparison!$Q$2:$Q${last}",
    ]
    msp, best = series_data(members(out)[on_sheet])
    assert msp["val count"] == best["cat count"] == last - 1
    assert msp["val points"] == [column(rows, 6)]
    assert best["val points"] == [column(best_annual(rows), 0)]
    over, _ = charts_on(out, OVERVIEW)
    assert f"'Comparison'!$G$2:$G${last}" in formulas(members(out)[over])
    ws = openpyxl.load_workbook(out)[COMPARISON]
    assert ws.tables[COMPARISON].ref == f"A1:O{last}"
    assert ws["Q1"].value == BEST_ANNUAL
    assert [ws.cell(r, 17).value for r in range(2, n + 2)] == [
        float(v[0]) for v in best_annual(rows)
    ]
    assert ws.max_row == max(1, n + 1)


def test_libreoffice_sees_the_shrunk_ranges(thirty: tuple[Path, Path], tmp_path: Path) -> None:
    _, big = thirty
    out = tmp_path / "three.xlsx"
    write(big, out, comparison_rows(3))
    (saved,) = convert([out], tmp_path / "lo")
    kept = [
        f for name, data in members(saved).items() if "charts/chart" in name for f in formulas(data)
    ]
    spans = {re.sub(r"^.*!", "", f).replace("$", "") for f in kept if "Comparison" in f}
    assert {"B2:C4", "G2:G4", "Q2:Q4", "A2:A4"} <= spans, spans
    assert not any(s.endswith("31") for s in spans), spans


def test_writing_twice_gives_identical_bytes(thirty: tuple[Path, Path], tmp_path: Path) -> None:
    src, out = thirty
    again = tmp_path / "again.xlsx"
    write(out, again, comparison_rows(30))
    assert again.read_bytes() == out.read_bytes()
    elsewhere = tmp_path / "elsewhere.xlsx"
    write(src, elsewhere, comparison_rows(30))
    assert elsewhere.read_bytes() == out.read_bytes()


def test_a_chart_sheet_over_the_data_follows_it(tmp_path: Path) -> None:
    src = build_comparison_book(tmp_path / "book.xlsx", chartsheet=True)
    out = tmp_path / "out.xlsx"
    write(src, out, comparison_rows(12))
    (part,) = charts_on(out, "Best annual chart")
    assert formulas(members(out)[part]) == ["Comparison!$Q$2:$Q$13"]
    openpyxl.load_workbook(out).close()


def test_charts_over_other_sheets_stay_byte_for_byte(tmp_path: Path) -> None:
    src = build_book(tmp_path / "b.xlsx")
    out = tmp_path / "out.xlsx"
    write_tables(src, out, {schema.CHECKS.name: check_rows()})
    old, new = members(src), members(out)
    charts = [name for name in old if name.startswith("xl/charts/")]
    assert charts and all(old[name] == new[name] for name in charts)


# --- Side columns: what is refused ----------------------------------------------------------------


def test_side_columns_must_match_the_table(tmp_path: Path) -> None:
    src = build_comparison_book(tmp_path / "book.xlsx")
    rows = comparison_rows(3)
    # Beside Invoices, one row of side values per table row (Comparison's are a block).
    invoices = [[None] * len(schema.INVOICES.headers)] * 3
    with pytest.raises(ValueError, match="2 rows for the table's 3"):
        write_tables(
            src,
            src,
            {schema.INVOICES.name: invoices},
            side_columns={schema.INVOICES.name: (["VAT treatment"], [[1], [2]])},
        )
    with pytest.raises(ValueError, match="row 3: 2 values for 1 side columns"):
        write_tables(
            src,
            src,
            {COMPARISON: rows},
            side_columns={COMPARISON: ([BEST_ANNUAL], [[1], [2, 3], [4]])},
        )
    with pytest.raises(ValueError, match="side columns for Billing, which is not written"):
        write_tables(src, src, {COMPARISON: rows}, side_columns={schema.BILLING.name: (["X"], [])})
    assert members(src) == members(build_comparison_book(tmp_path / "again.xlsx"))


def test_side_columns_on_a_new_sheet(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "plain.xlsx"))
    book.add_worksheet("Notes")
    book.close()
    out = tmp_path / "out.xlsx"
    rows = comparison_rows(2)
    write(tmp_path / "plain.xlsx", out, rows)
    ws = openpyxl.load_workbook(out)[COMPARISON]
    assert ws.tables[COMPARISON].ref == "A1:O3"
    assert [ws["Q1"].value, ws["Q2"].value, ws["Q3"].value] == [
        BEST_ANNUAL,
        *(float(v[0]) for v in best_annual(rows)),
    ]


# --- Chart references, one by one -----------------------------------------------------------------

SHEETS = {
    "comparison": WrittenSheet(
        "Comparison",
        [["a", 1], ["b", None], ["c", 3]],
        SideColumns(3, ["Side"], [[Decimal("1.50")], [None], [Decimal("2")]]),
    ),
    "r&d's": WrittenSheet("R&D's", [["x", 5]]),
}


def source(formula: str, kind: str = "numRef", element: str = "val", cache: str = "") -> str:
    reference = f"<c:{kind}><c:f>{formula}</c:f>{cache}</c:{kind}>"
    return f"<c:ser><c:{element}>{reference}</c:{element}></c:ser>"


@pytest.mark.parametrize(
    "formula",
    [
        "Billing!$B$2:$B$9",  # another sheet
        "Comparison!$B$1:$B$9",  # not from row 2
        "Comparison!$B$3:$B$9",
        "Comparison!$A$2:$B$2",  # numbers along a row
        "(Comparison!$B$2:$B$3,Comparison!$B$5:$B$6)",  # a union
        "Comparison!MyName",
        "[1]Comparison!$B$2:$B$3",  # another workbook
        "'Comparison'!$B:$B",
    ],
)
def test_references_that_do_not_cover_the_data_are_left_alone(formula: str) -> None:
    chart = source(formula, cache="<c:numCache><c:ptCount val='1'/></c:numCache>")
    assert follow_written_data(chart, SHEETS) == chart


def test_a_reference_is_resized_and_its_cache_rewritten() -> None:
    chart = (
        '<c:chartSpace xmlns:c="c"><c:ser><c:tx><c:strRef><c:f>Comparison!$B$2</c:f></c:strRef>'
        "</c:tx><c:val><c:numRef><c:f>comparison!$B$2</c:f><c:numCache><c:formatCode>0.00"
        '</c:formatCode><c:ptCount val="1"/><c:pt idx="0"><c:v>9</c:v></c:pt></c:numCache>'
        '<c:extLst><c:ext uri="x"/></c:extLst></c:numRef></c:val></c:ser></c:chartSpace>'
    )
    assert follow_written_data(chart, SHEETS) == (
        '<c:chartSpace xmlns:c="c"><c:ser><c:tx><c:strRef><c:f>Comparison!$B$2</c:f></c:strRef>'
        "</c:tx><c:val><c:numRef><c:f>comparison!$B$2:$B$4</c:f><c:numCache><c:formatCode>0.00"
        '</c:formatCode><c:ptCount val="3"/><c:pt idx="0"><c:v>1</c:v></c:pt><c:pt idx="2">'
        '<c:v>3</c:v></c:pt></c:numCache><c:extLst><c:ext uri="x"/></c:extLst></c:numRef>'
        "</c:val></c:ser></c:chartSpace>"
    )


def test_what_surrounds_formula_and_cache_in_a_reference_stays() -> None:
    chart = (
        "<c:ser><c:val><c:numRef> <c:f>Comparison!$B$2</c:f> <c:numCache><c:ptCount val='1'/>"
        '<c:extLst><c:ext uri="in-cache"/></c:extLst></c:numCache><c:extLst><c:ext uri="ref"/>'
        "</c:extLst></c:numRef></c:val></c:ser>"
    )
    assert follow_written_data(chart, SHEETS) == (
        "<c:ser><c:val><c:numRef> <c:f>Comparison!$B$2:$B$4</c:f><c:numCache><c:formatCode>"
        'General</c:formatCode><c:ptCount val="3"/><c:pt idx="0"><c:v>1</c:v></c:pt>'
        '<c:pt idx="2"><c:v>3</c:v></c:pt></c:numCache><c:extLst><c:ext uri="ref"/></c:extLst>'
        "</c:numRef></c:val></c:ser>"
    )
    empty = "<c:ser><c:val><c:numRef><c:f>Comparison!$B$2</c:f><c:numCache/></c:numRef></c:val>"
    assert "<c:numCache/>" not in follow_written_data(empty + "</c:ser>", SHEETS)


def test_quoted_and_escaped_sheet_names_and_side_columns() -> None:
    chart = source("'R&amp;D''s'!$A$2:$A$9", kind="strRef", element="cat")
    assert follow_written_data(chart, SHEETS) == (
        "<c:ser><c:cat><c:strRef><c:f>'R&amp;D''s'!$A$2:$A$2</c:f><c:strCache>"
        '<c:ptCount val="1"/><c:pt idx="0"><c:v>x</c:v></c:pt></c:strCache></c:strRef>'
        "</c:cat></c:ser>"
    )
    side = follow_written_data(source("Comparison!D2:D2"), SHEETS)  # relative refs too
    assert "<c:f>Comparison!D2:D4</c:f>" in side
    assert '<c:pt idx="0"><c:v>1.50</c:v></c:pt><c:pt idx="2"><c:v>2</c:v></c:pt>' in side


def test_categories_become_text_or_levels_as_the_data_needs() -> None:
    text = follow_written_data(source("Comparison!$A$2:$A$2", element="cat"), SHEETS)
    assert "<c:strRef><c:f>Comparison!$A$2:$A$4</c:f><c:strCache>" in text
    numbers = follow_written_data(
        source("Comparison!$B$2:$B$2", kind="strRef", element="cat"), SHEETS
    )
    assert "<c:numRef><c:f>Comparison!$B$2:$B$4</c:f><c:numCache>" in numbers
    levels = follow_written_data(source("Comparison!$A$2:$B$2", element="cat"), SHEETS)
    assert levels == (
        "<c:ser><c:cat><c:multiLvlStrRef><c:f>Comparison!$A$2:$B$4</c:f><c:multiLvlStrCache>"
        '<c:ptCount val="3"/><c:lvl><c:pt idx="0"><c:v>1</c:v></c:pt><c:pt idx="2"><c:v>3</c:v>'
        '</c:pt></c:lvl><c:lvl><c:pt idx="0"><c:v>a</c:v></c:pt><c:pt idx="1"><c:v>b</c:v>'
        '</c:pt><c:pt idx="2"><c:v>c</c:v></c:pt></c:lvl></c:multiLvlStrCache></c:multiLvlStrRef>'
        "</c:cat></c:ser>"
    )


def test_categories_of_a_series_along_a_row_are_left_alone() -> None:
    chart = (
        "<c:ser><c:cat><c:strRef><c:f>Comparison!$A$2:$B$2</c:f></c:strRef></c:cat>"
        "<c:val><c:numRef><c:f>Other!$A$2:$B$2</c:f></c:numRef></c:val></c:ser>"
    )
    assert follow_written_data(chart, SHEETS) == chart


def test_charts_in_the_default_namespace_are_followed_too() -> None:
    chart = "<ser><val><numRef><f>Comparison!$B$2:$B$2</f></numRef></val></ser>"
    assert follow_written_data(chart, SHEETS) == (
        "<ser><val><numRef><f>Comparison!$B$2:$B$4</f><numCache><formatCode>General"
        '</formatCode><ptCount val="3"/><pt idx="0"><v>1</v></pt><pt idx="2"><v>3</v></pt>'
        "</numCache></numRef></val></ser>"
    )


def test_a_chart_part_in_another_encoding_is_left_alone(tmp_path: Path) -> None:
    src = build_comparison_book(tmp_path / "book.xlsx")
    over, _ = charts_on(src, OVERVIEW)
    old = members(src)[over].decode()
    utf16 = old.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    odd = rewrite_members(src, tmp_path / "odd.xlsx", {over: utf16})
    out = tmp_path / "out.xlsx"
    write(odd, out, comparison_rows(4))
    assert members(out)[over] == utf16
    (on_sheet,) = charts_on(out, COMPARISON)
    assert "Comparison!$G$2:$G$5" in formulas(members(out)[on_sheet])


# --- The template's chart: the block of the largest savings, after a real recalc ------------------


def recalc_by_cli(path: Path) -> Path:
    result = run_cli("recalc", str(path))
    assert result.returncode in (0, 1) and result.stdout.startswith("Recalculated"), result.stderr
    return path


def comparison_chart(path: Path) -> list[dict[str, object]]:
    (on_sheet,) = charts_on(path, COMPARISON)
    return series_data(members(path)[on_sheet])


def block_and_table(path: Path) -> tuple[list[tuple], list[tuple], str]:
    """The block beside the Comparison table (Q..T from row 2, to its last filled row), the
    table's rows and its range."""
    ws = openpyxl.load_workbook(path)[COMPARISON]
    assert [c.value for c in ws["Q1:T1"][0]] == list(schema.COMPARISON_SIDE_HEADERS)
    block = [r for r in ws.iter_rows(min_row=2, min_col=17, max_col=20, values_only=True)]
    while block and all(v is None for v in block[-1]):
        block.pop()
    table = list(ws.iter_rows(min_row=2, max_col=15, values_only=True))
    return block, table, ws.tables[COMPARISON].ref


def test_recalc_plots_the_15_largest_savings_of_24_comparison_rows(make_workbook) -> None:
    path = recalc_by_cli(make_workbook(copied_customers(2)))
    block, table, ref = block_and_table(path)
    assert ref == "A1:O25"  # 24 rows; the chart plots the first 15 of them
    headers = schema.COMPARISON.headers
    saving, customer_id, product_id = (
        headers.index(h) for h in ("Saving", "Customer ID", "Product ID")
    )
    ranked = sorted(table, key=lambda r: (-r[saving], r[customer_id], r[product_id]))
    assert [b[0] for b in block] == [f"{r[0]} {r[1]} · {r[2]}" for r in ranked[:15]]
    assert [b[3] for b in block] == [r[saving] for r in ranked[:15]]
    # The largest saving is C-0003's KOP-MSP, tied with its two copies: in Customer ID order.
    assert [b[0].split(" ")[0] for b in block[:3]] == ["C-0003", "C-1003", "C-2003"]
    msp_cost, best_annual_cost = [b[1] for b in block], [b[2] for b in block]

    series = comparison_chart(path)
    assert [s["cat f"] for s in series] == ["Comparison!$Q$2:$Q$16"] * 2
    assert [s["val f"] for s in series] == ["Comparison!$R$2:$R$16", "Comparison!$S$2:$S$16"]
    labels = {i: b[0] for i, b in enumerate(block)}
    for s, values in zip(series, (msp_cost, best_annual_cost), strict=True):
        assert s["cat kind"] == "strRef" and s["cat count"] == s["val count"] == 15
        assert s["cat points"] == [labels]
        assert [float(v) for v in s["val points"][0].values()] == values


def test_recalc_plots_every_row_when_there_are_fewer_than_15(make_workbook, example_data):
    path = recalc_by_cli(make_workbook(example_data))
    block, table, ref = block_and_table(path)
    assert ref == "A1:O9" and len(block) == len(table) == 8
    series = comparison_chart(path)
    assert [s["cat f"] for s in series] == ["Comparison!$Q$2:$Q$9"] * 2
    assert [s["val f"] for s in series] == ["Comparison!$R$2:$R$9", "Comparison!$S$2:$S$9"]
    assert series[0]["cat points"] == [{i: b[0] for i, b in enumerate(block)}]
