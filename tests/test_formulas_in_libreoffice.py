"""Every formula the workbook holds computes in a real spreadsheet engine without the xlwings
add-in: LibreOffice recalculates the template and the recalculated demo from scratch, and no
cell of any sheet holds an error value (#NAME?, #VALUE!, #REF!, ...). The one exception is by
design: the Quote chart's hidden series columns hold #N/A beyond the quote's term, so that
neither Excel nor LibreOffice plots those months."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from conftest import DEMO_TODAY, run_cli
from libreoffice import convert

from msp_workbook.app.demo import build_demo
from msp_workbook.workbook import schema
from msp_workbook.workbook.template import quote_layout
from msp_workbook.workbook.template.builder import TEMPLATE_PATH

ERRORS = ("#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")


def _chart_series_columns() -> set[int]:
    first = quote_layout.CHART_DATA_COL + 1  # 1-based
    return set(range(first, first + len(quote_layout.CHART_DATA_HEADERS)))


def _error_cells(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path, data_only=True)
    found = []
    allowed = _chart_series_columns()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str) or not value.startswith(ERRORS):
                    continue
                if ws.title == schema.QUOTE_SHEET and cell.column in allowed and value == "#N/A":
                    continue
                found.append(f"{ws.title}!{cell.coordinate}: {value}")
    return found


@pytest.fixture(scope="module")
def recalculated_by_libreoffice(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("lo-formulas")
    demo = folder / "demo.xlsx"
    build_demo(demo, today=DEMO_TODAY)
    assert run_cli("recalc", str(demo)).returncode in (0, 1)
    template = folder / "template.xlsx"
    template.write_bytes(TEMPLATE_PATH.read_bytes())
    converted = convert([template, demo], folder / "out", "xlsx")
    return {"template": converted[0], "demo": converted[1]}


@pytest.mark.parametrize("which", ["template", "demo"])
def test_no_cell_holds_an_error_value_after_libreoffice_recalculates(
    recalculated_by_libreoffice, which
):
    assert _error_cells(recalculated_by_libreoffice[which]) == []


def test_the_check_finds_an_error_value_where_there_is_one(tmp_path):
    """The scan is no test that cannot fail: a formula dividing by zero is found."""
    book = openpyxl.Workbook()
    book.active.title = "Sheet"
    book.active["B3"] = "=1/0"
    path = tmp_path / "bad.xlsx"
    book.save(path)
    [converted] = convert([path], tmp_path / "out", "xlsx")
    assert _error_cells(converted) == ["Sheet!B3: #DIV/0!"]
