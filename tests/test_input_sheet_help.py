"""What the input sheets show a billing clerk in German or English Excel (and LibreOffice):
locale-following number formats, help texts that type the same in both Excels, names looked up
beside the codes, drop-downs without duplicates, and an example-price banner that goes away."""

from __future__ import annotations

import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import run_cli
from libreoffice import convert
from openpyxl.styles.numbers import BUILTIN_FORMATS

from msp_workbook.workbook import schema
from msp_workbook.workbook.template import example_prices
from msp_workbook.workbook.template.builder import TEMPLATE_PATH, build_workbook
from msp_workbook.workbook.template.default_rows import EXAMPLE_MARKER, default_rows
from msp_workbook.workbook.template.drop_down_lists import (
    DISTINCT_ROWS,
    distinct_column,
    lookup_name,
)
from msp_workbook.workbook.template.input_sheets import LOOKED_UP_ROWS, looked_up_last_row

SHORT_DATE = 14  # Excel's built-in short date: the user's locale decides how it looks
# A number with a decimal point that is not part of a date such as 31.10.2026.
DOT_DECIMAL = re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")


@pytest.fixture(scope="module")
def template() -> openpyxl.Workbook:
    return openpyxl.load_workbook(TEMPLATE_PATH)


def column_style_format(ws, table: schema.Table, header: str) -> str:
    letter = openpyxl.utils.get_column_letter(table.headers.index(header) + 1)
    for dim in ws.column_dimensions.values():
        if dim.min <= table.headers.index(header) + 1 <= dim.max:
            return dim.number_format
    raise AssertionError(f"{table.name}[{header}] ({letter}) has no column style")


# --- Number formats -------------------------------------------------------------------------------


def test_date_columns_use_the_built_in_short_date(template) -> None:
    assert schema.FMT_DATE == SHORT_DATE
    dated = [
        (t, c.header)
        for t in schema.ALL_TABLES
        for c in t.columns
        if c.kind is schema.Kind.DATE or c.form == "date"
    ]
    assert (schema.USAGE, "Date") in dated and (schema.CUSTOMERS, "Mandate date") in dated
    for table, header in dated:
        assert table.column(header).number_format == SHORT_DATE, (table.name, header)
        ws = template[table.sheet]
        assert column_style_format(ws, table, header) == BUILTIN_FORMATS[SHORT_DATE]
    # No fixed ISO date format is left in the file (the Finalized timestamp keeps its seconds).
    with zipfile.ZipFile(TEMPLATE_PATH) as z:
        styles = z.read("xl/styles.xml").decode()
    codes = re.findall(r'formatCode="([^"]*)"', styles)
    assert "yyyy-mm-dd" not in codes and schema.FMT_TIMESTAMP in codes


def test_percent_and_money_columns_follow_the_locale(template) -> None:
    settings = template[schema.SETTINGS.sheet]
    vat = next(r for r in settings.iter_rows(min_row=2) if r[0].value == schema.SETTING_VAT_RATE)
    assert vat[1].value == pytest.approx(0.19)  # stored as the fraction the program reads
    assert vat[1].number_format == schema.FMT_PERCENT == "0.0%"
    customers = template[schema.CUSTOMERS.sheet]
    assert column_style_format(customers, schema.CUSTOMERS, "Discount %") == "0.0%"
    for table, header, code in (
        (schema.PRODUCTS, "Price per unit", schema.FMT_UNIT_PRICE),
        (schema.ANNUAL_PRICES, "Price per unit per year", schema.FMT_UNIT_PRICE),
        (schema.BILLING, "Net", '#,##0.00 "EUR"'),  # generated: the currency of Settings
        (schema.INVOICES, "Gross", '#,##0.00 "EUR"'),
        (schema.INVOICES, "VAT rate", schema.FMT_PERCENT),
    ):
        assert column_style_format(template[table.sheet], table, header) == code
    # Typed amounts carry no currency symbol: the currency is a setting, shown beside the prices
    # (the generated sheets show its code, set by every run: test_money_format).
    assert "€" not in schema.FMT_MONEY + schema.FMT_UNIT_PRICE
    products = template[schema.PRODUCTS.sheet]
    note = products.cell(3, len(schema.PRODUCTS.columns) + 2).value
    assert 'MATCH("Currency",Settings[Setting],0)' in note


# --- Help texts -----------------------------------------------------------------------------------


def help_texts(path: Path) -> list[tuple[str, str]]:
    """(where, text) of every data validation prompt and message, comment and note beside the
    Settings table in a workbook."""
    book = openpyxl.load_workbook(path)
    texts: list[tuple[str, str]] = []
    for ws in book.worksheets:
        for dv in ws.data_validations.dataValidation:
            for what in (dv.promptTitle, dv.prompt, dv.errorTitle, dv.error):
                if what:
                    texts.append((f"{ws.title}!{dv.sqref} validation", what))
    settings = book[schema.SETTINGS.sheet]
    for row in settings.iter_rows(min_row=2, min_col=4, max_col=4, values_only=True):
        if row[0]:
            texts.append(("Settings help", row[0]))
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if re.fullmatch(r"xl/comments\d+\.xml", name):
                for text in re.findall(r"<t[^>]*>([^<]*)</t>", z.read(name).decode()):
                    texts.append((name, text))
    return texts


def test_help_texts_have_no_example_that_german_excel_turns_into_a_date() -> None:
    """An example such as 2.40 typed into German Excel becomes a date: every dot decimal stands
    beside its German twin (2,40), or is not there at all."""
    texts = help_texts(TEMPLATE_PATH)
    assert len(texts) > 50
    bad = [
        (where, text)
        for where, text in texts
        for number in DOT_DECIMAL.findall(text)
        if number.replace(".", ",") not in text
    ]
    assert not bad


def test_prompts_are_bilingual_where_a_german_user_stumbles(template) -> None:
    keys, products = template[schema.KEYS.sheet], template[schema.PRODUCTS.sheet]
    start = next(dv for dv in keys.data_validations.dataValidation if "D2" in str(dv.sqref))
    assert "31.10.2026" in start.prompt and "2026-10-31" in start.prompt
    price = next(dv for dv in products.data_validations.dataValidation if "F2" in str(dv.sqref))
    assert "2,40" in price.prompt and "2.40" in price.prompt
    assert price.prompt.index("2,40") < price.prompt.index("2.40")  # German first
    vat = next(s for s in schema.SETTINGS_SPEC if s.name == schema.SETTING_VAT_RATE)
    assert "19%" in vat.help and "0.19" not in vat.help
    for ws in template.worksheets:
        for dv in ws.data_validations.dataValidation:
            assert len(dv.promptTitle or "") <= 32 and len(dv.prompt or "") <= 255


# --- Drop-downs -----------------------------------------------------------------------------------


def validation_at(ws, cell: str):
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) == 1, (ws.title, cell)
    return found[0]


def test_country_and_metric_have_drop_downs(template) -> None:
    codes = '"' + ",".join(schema.COUNTRY_CODES) + '"'
    assert {"DE", "AT", "CH"} <= set(schema.COUNTRY_CODES[:3])
    assert set(schema.COUNTRY_CODES) >= {"FR", "IT", "NL", "PL", "GB", "US"}
    customers = template[schema.CUSTOMERS.sheet]
    country = validation_at(customers, "D2")
    assert (country.type, country.formula1, country.errorStyle) == ("list", codes, "warning")
    settings = template[schema.SETTINGS.sheet]
    row = next(r[0].row for r in settings.iter_rows(min_row=2) if r[0].value == "Country")
    assert validation_at(settings, f"B{row}").formula1 == codes
    products = template[schema.PRODUCTS.sheet]
    metric = validation_at(products, "C2")
    assert metric.formula1 == '"' + ",".join(schema.METRICS) + '"'
    assert metric.errorStyle == "warning"  # a reseller may bill another metric
    assert {p[2] for p in example_prices.PRODUCTS} <= set(schema.METRICS)
    for table in (schema.USAGE, schema.ANNUAL_PRICES):
        letter = openpyxl.utils.get_column_letter(table.headers.index("Metric") + 1)
        dv = validation_at(template[table.sheet], f"{letter}2")
        assert dv.formula1 == lookup_name("Metric") == "Metrics"


# --- LibreOffice computes the formulas ----------------------------------------------------------


def changed_prices(rows: list[dict[str, object]], price_headers: tuple[str, ...], every: bool):
    out = []
    for i, row in enumerate(rows):
        row = dict(row)
        if every or i == 0:
            for header in price_headers:
                row[header] = Decimal(str(row[header])) + Decimal("0.11")
        out.append(row)
    return out


@pytest.fixture(scope="module")
def computed(tmp_path_factory, demo: Path) -> dict[str, openpyxl.Workbook]:
    """The demo and three price lists (as shipped, every price changed, one row changed),
    recalculated by LibreOffice."""
    folder = tmp_path_factory.mktemp("input_help")
    defaults = default_rows()
    products, annual = defaults[schema.PRODUCTS.name], defaults[schema.ANNUAL_PRICES.name]
    money = ("Cost per unit", "Price per unit")
    yearly = ("Price per unit per year",)
    books = {
        "demo": shutil.copy(demo, folder / "demo.xlsx"),
        "template": folder / "template.xlsx",
        "all_changed": folder / "all_changed.xlsx",
        "some_changed": folder / "some_changed.xlsx",
    }
    shutil.copy(TEMPLATE_PATH, books["template"])
    for name, every in (("all_changed", True), ("some_changed", False)):
        build_workbook(
            books[name],
            {
                schema.PRODUCTS.name: changed_prices(products, money, every),
                schema.ANNUAL_PRICES.name: changed_prices(annual, yearly, every),
            },
        )
    out = convert([Path(p) for p in books.values()], folder / "lo")
    return {
        name: openpyxl.load_workbook(path, data_only=True)
        for name, path in zip(books, out, strict=True)
    }


def test_libreoffice_shows_the_customer_beside_each_key_and_reading(computed, demo) -> None:
    source = openpyxl.load_workbook(demo, data_only=True)
    names = {
        r[0]: r[1] for r in source["Customers"].iter_rows(min_row=2, max_col=2, values_only=True)
    }
    products = {
        r[0]: r[1] for r in source["Products"].iter_rows(min_row=2, max_col=2, values_only=True)
    }
    keys = computed["demo"]["Keys"]
    side = len(schema.KEYS.columns) + 2
    assert [keys.cell(1, side).value, keys.cell(1, side + 1).value] == [
        "Customer name",
        "Product name",
    ]
    owner: dict[str, str] = {}
    rows = list(keys.iter_rows(min_row=2, max_col=side + 1, values_only=True))
    key_rows = [r for r in rows if r[0]]
    assert len(key_rows) == 80
    for row in key_rows:
        assert row[side - 1] == names[row[1]], row
        assert row[side] == products[row[2]], row
        owner[row[0]] = row[side - 1]
    # The rows below the keys hold the formulas, showing nothing, down to the stated row.
    last = looked_up_last_row(len(key_rows))
    assert last == LOOKED_UP_ROWS
    assert keys.cell(last, side).value in (None, "") and keys.cell(last + 1, side).value is None
    usage = computed["demo"]["Usage"]
    u_side = len(schema.USAGE.columns) + 2
    assert usage.cell(1, u_side).value == "Customer name"
    readings = [r for r in usage.iter_rows(min_row=2, max_col=u_side, values_only=True) if r[1]]
    assert readings and all(r[u_side - 1] == owner[r[1]] for r in readings)


def test_libreoffice_lists_each_product_id_once(computed) -> None:
    ws = computed["demo"]["Products"]
    ids = [r[0] for r in ws.iter_rows(min_row=2, max_col=1, values_only=True) if r[0]]
    assert ids.count("LG-MSP") == 2  # one row per metric
    for header in ("Product ID", "Metric"):
        col = distinct_column((schema.PRODUCTS.name, header)) + 1
        listed = [ws.cell(r, col).value for r in range(2, DISTINCT_ROWS + 2)]
        filled = [v for v in listed if v not in (None, "")]
        column = [
            r[0]
            for r in ws.iter_rows(
                min_row=2,
                min_col=schema.PRODUCTS.headers.index(header) + 1,
                max_col=schema.PRODUCTS.headers.index(header) + 1,
                values_only=True,
            )
            if r[0]
        ]
        assert filled == list(dict.fromkeys(column)), header
        assert listed[: len(filled)] == filled  # the list has no gaps
    assert [v for v in listed if v][:4] == ["mailboxes", "users", "nodes", "scans"]


def test_product_id_drop_downs_use_the_list_without_duplicates() -> None:
    book = openpyxl.load_workbook(TEMPLATE_PATH)
    text = book.defined_names["ProductIDs"].attr_text
    assert text.startswith("OFFSET(Products!$AA$2,") and "Products[" not in text
    keys = book[schema.KEYS.sheet]
    assert validation_at(keys, "C2").formula1 == "ProductIDs"
    quote = book[schema.QUOTE_SHEET].data_validations.dataValidation
    assert any(dv.formula1 == "ProductIDs" for dv in quote)
    assert book[schema.PRODUCTS.sheet].column_dimensions["AA"].hidden


@pytest.mark.parametrize(
    ("book", "shown"), [("template", True), ("all_changed", False), ("some_changed", True)]
)
def test_the_example_banner_shows_while_any_example_price_remains(computed, book, shown) -> None:
    for table in (schema.PRODUCTS, schema.ANNUAL_PRICES):
        banner = computed[book][table.sheet].cell(1, len(table.columns) + 2).value
        assert (banner == EXAMPLE_MARKER) if shown else banner in (None, ""), (book, table.name)


def test_the_banner_is_cached_as_built(tmp_path) -> None:
    """Without a recalculation (a viewer, LibreOffice keeping cached values) the banner's stored
    result is already right."""
    defaults = default_rows()
    path = tmp_path / "own.xlsx"
    own = changed_prices(defaults[schema.PRODUCTS.name], ("Cost per unit", "Price per unit"), True)
    build_workbook(path, {schema.PRODUCTS.name: own})
    for source, shown in ((TEMPLATE_PATH, True), (path, False)):
        book = openpyxl.load_workbook(source, data_only=True)
        value = book[schema.PRODUCTS.sheet].cell(1, len(schema.PRODUCTS.columns) + 2).value
        assert (value == EXAMPLE_MARKER) if shown else value in (None, "")


# --- The program reads past the side columns ------------------------------------------------------


def test_check_finds_the_same_problems_with_and_without_the_side_columns(demo, tmp_path) -> None:
    """The looked-up names and the hidden lists are no input: `check` on the demo says exactly
    what it says once they are deleted."""
    with_side = shutil.copy(demo, tmp_path / "with.xlsx")
    book = openpyxl.load_workbook(demo)
    book[schema.KEYS.sheet].delete_cols(len(schema.KEYS.columns) + 2, 2)
    book[schema.USAGE.sheet].delete_cols(len(schema.USAGE.columns) + 2, 1)
    book[schema.PRODUCTS.sheet].delete_cols(
        distinct_column((schema.PRODUCTS.name, "Product ID")) + 1, 2
    )
    without = tmp_path / "without.xlsx"
    book.save(without)
    outputs = []
    for path in (with_side, without):
        result = run_cli("check", str(path))
        assert result.returncode in (0, 1), result.stderr
        outputs.append(result.stdout.replace(Path(path).name, "BOOK"))
    assert outputs[0] == outputs[1]
    assert "below the table" not in outputs[0]
