"""Money on the generated sheets shows the Settings currency (`1,234.56 CHF`), set by every run
that writes them, on the command line and through the Excel buttons; amounts typed on input
sheets stay plain numbers."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import DEMO_TODAY, run_cli
from sheet_edits import set_setting

from msp_workbook.app.demo import build_demo
from msp_workbook.workbook import schema
from msp_workbook.workbook.money_format import (
    money_formats,
    styles_for_currency,
    with_currency,
)
from msp_workbook.workbook.template.builder import TEMPLATE_PATH


def _formats(path: Path, sheet: str, headers: list[str]) -> dict[str, str]:
    """The number format of each named column's first data cell."""
    ws = openpyxl.load_workbook(path)[sheet]
    first = [c.value for c in ws[1]]
    return {h: ws.cell(2, first.index(h) + 1).number_format for h in headers}


def _styles(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/styles.xml")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("money") / "demo.xlsx"
    build_demo(path, today=DEMO_TODAY)
    return path


def test_the_template_shows_the_default_currency_on_generated_money_only():
    book = openpyxl.load_workbook(TEMPLATE_PATH)
    invoices = book["Invoices"]
    headers = [c.value for c in invoices[1]]
    net = invoices.column_dimensions[openpyxl.utils.get_column_letter(headers.index("Net") + 1)]
    assert net.number_format == '#,##0.00 "EUR"'
    products = book["Products"]
    headers = [c.value for c in products[1]]
    price = products.cell(2, headers.index("Price per unit") + 1).number_format
    assert price == schema.FMT_UNIT_PRICE  # typed by a person: a plain amount


def test_recalc_shows_the_settings_currency_on_every_money_column(demo, tmp_path):
    path = tmp_path / "chf.xlsx"
    shutil.copy(demo, path)
    set_setting(path, "Currency", "CHF")
    result = run_cli("recalc", str(path))
    assert result.returncode in (0, 1), result.stderr
    assert "CHF" in result.stdout
    assert _formats(path, "Billing", ["Unit price", "Net", "Cost", "Margin"]) == {
        "Unit price": '#,##0.00## "CHF"',
        "Net": '#,##0.00 "CHF"',
        "Cost": '#,##0.00 "CHF"',
        "Margin": '#,##0.00 "CHF"',
    }
    assert _formats(path, "Invoices", ["Net", "VAT", "Gross", "VAT rate"]) == {
        "Net": '#,##0.00 "CHF"',
        "VAT": '#,##0.00 "CHF"',
        "Gross": '#,##0.00 "CHF"',
        "VAT rate": schema.FMT_PERCENT,
    }
    assert _formats(path, "Products", ["Price per unit"]) == {"Price per unit": "#,##0.00##"}


def test_the_styles_stay_byte_for_byte_when_the_currency_is_shown_already(demo, tmp_path):
    path = tmp_path / "eur.xlsx"
    shutil.copy(demo, path)
    before = _styles(path)
    assert run_cli("recalc", str(path)).returncode in (0, 1)
    assert _styles(path) == before


def test_the_excel_buttons_set_the_same_formats(demo, tmp_path):
    from fake_xlwings import FakeBook

    from msp_workbook.excel import recalculate

    path = tmp_path / "excel.xlsx"
    shutil.copy(demo, path)
    set_setting(path, "Currency", "CHF")
    book = FakeBook(path)
    recalculate(book, today=DEMO_TODAY)
    book.save(path)
    assert _formats(path, "Invoices", ["Net", "Gross"]) == {
        "Net": '#,##0.00 "CHF"',
        "Gross": '#,##0.00 "CHF"',
    }


def test_only_the_generated_sheets_money_shape_changes_in_the_styles():
    styles = (
        '<numFmt numFmtId="164" formatCode="#,##0.00 &quot;EUR&quot;"/>'
        '<numFmt numFmtId="165" formatCode="#,##0.00## &quot;EUR&quot;"/>'
        '<numFmt numFmtId="166" formatCode="#,##0.00"/>'
        '<numFmt numFmtId="167" formatCode="0.00 &quot;EUR&quot;"/>'
    )
    assert styles_for_currency(styles, "CHF") == (
        '<numFmt numFmtId="164" formatCode="#,##0.00 &quot;CHF&quot;"/>'
        '<numFmt numFmtId="165" formatCode="#,##0.00## &quot;CHF&quot;"/>'
        '<numFmt numFmtId="166" formatCode="#,##0.00"/>'
        '<numFmt numFmtId="167" formatCode="0.00 &quot;EUR&quot;"/>'
    )
    assert styles_for_currency(styles, "ch") == styles  # no currency code: left alone
    assert with_currency("#,##0.00") == '#,##0.00 "EUR"'
    assert money_formats(schema.PRODUCTS, "CHF") == {}
    assert money_formats(schema.INVOICES, "CHF")["Gross"] == '#,##0.00 "CHF"'
