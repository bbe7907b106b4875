"""The template builder and the committed template: structure, defaults, data, LibreOffice."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import EXAMPLES, load_example, read_csv
from libreoffice import convert, soffice
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from msp_workbook.workbook import schema
from msp_workbook.workbook.money_format import shown_format, with_currency
from msp_workbook.workbook.schema import Kind, Table
from msp_workbook.workbook.template.builder import TEMPLATE_PATH, build_workbook
from msp_workbook.workbook.template.data_validations import VALIDATED_LAST_ROW
from msp_workbook.workbook.template.default_rows import EXAMPLE_MARKER, default_rows
from msp_workbook.workbook.template.drop_down_lists import (
    DISTINCT_SOURCES,
    lookup_name,
    lookup_source_formula,
)
from msp_workbook.workbook.template.look import (
    GENERATED_TAB_COLOUR,
    INPUT_TAB_COLOUR,
    QUOTE_TAB_COLOUR,
)
from msp_workbook.workbook.template.quote_sheet import (
    PYTHON_QUOTE_FORMULA,
    QUOTE_DEFAULTS,
    QUOTE_PURPOSE,
)
from msp_workbook.workbook.template.xlwings_conf import XLWINGS_CONF_SHEET

# --- helpers --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def book() -> Iterator[openpyxl.Workbook]:
    wb = openpyxl.load_workbook(TEMPLATE_PATH)
    yield wb
    wb.close()


def table_of(ws: Worksheet, name: str):
    tables = {t.name: t for t in ws.tables.values()}
    assert name in tables, f"sheet {ws.title} has no table {name}; it has {sorted(tables)}"
    return tables[name]


def header_cells(ws: Worksheet, table: Table) -> list[object]:
    return [ws.cell(1, c).value for c in range(1, len(table.columns) + 1)]


def column_dimension(ws: Worksheet, index: int):
    """The <col> element covering 1-based column `index` (XlsxWriter merges equal neighbours)."""
    for dim in ws.column_dimensions.values():
        if dim.min is not None and dim.min <= index <= dim.max:
            return dim
    raise AssertionError(f"{ws.title}: no <col> covers column {index}")


def validations_at(ws: Worksheet, cell: str) -> list[DataValidation]:
    return [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]


def only_validation(ws: Worksheet, cell: str) -> DataValidation:
    found = validations_at(ws, cell)
    assert len(found) == 1, f"{ws.title}!{cell}: expected one validation, found {len(found)}"
    return found[0]


def column_letter(table: Table, header: str) -> str:
    return openpyxl.utils.get_column_letter(table.headers.index(header) + 1)


def table_rows(path: Path, name: str) -> list[list[object]]:
    return (
        CalamineWorkbook.from_path(str(path), load_tables=True).get_table_by_name(name).to_python()
    )


def csv_value(column: schema.Column, text: str) -> object:
    """A CSV cell as the builder's default row holds it."""
    if text == "":
        return None
    if column.kind is Kind.WHOLE:
        return int(text)
    if column.kind is Kind.MONEY:
        return Decimal(text)
    return text


def as_decimal(value: object) -> object:
    return Decimal(repr(value)) if isinstance(value, float) else value


# --- the committed file ---------------------------------------------------------------------------


def zip_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def test_committed_template_matches_a_fresh_build(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.xlsx"
    build_workbook(fresh)
    hint = "templates/MSP_Billing.xlsx is stale: run `python scripts/build_template.py`"
    assert TEMPLATE_PATH.exists(), hint
    committed, built = zip_members(TEMPLATE_PATH), zip_members(fresh)
    assert sorted(committed) == sorted(built), hint
    differing = [name for name in built if committed[name] != built[name]]
    assert not differing, f"{hint} (differing parts: {differing})"


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    build_workbook(tmp_path / "a.xlsx", load_example())
    build_workbook(tmp_path / "b.xlsx", load_example())
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


# --- structure ------------------------------------------------------------------------------------


def test_sheets_are_in_schema_order_then_the_hidden_xlwings_settings(book) -> None:
    assert tuple(book.sheetnames) == (*schema.SHEET_ORDER, XLWINGS_CONF_SHEET)
    assert [ws.sheet_state for ws in book.worksheets].count("hidden") == 1


def test_xlwings_add_in_finds_its_settings_on_the_hidden_sheet(book) -> None:
    ws = book[XLWINGS_CONF_SHEET]
    assert ws.sheet_state == "hidden"
    rows = [(a.value, b.value) for a, b in ws.iter_rows(min_col=1, max_col=2)]
    assert rows == [
        ("Interpreter_Win", r"%USERPROFILE%\msp-workbook\.venv\Scripts\pythonw.exe"),
        ("Interpreter_Mac", "$HOME/msp-workbook/.venv/bin/python"),
        ("PYTHONPATH", None),
        ("UDF Modules", "msp_workbook.excel.udfs"),
    ]


def test_quote_sheet_has_the_python_quote_beside_the_native_formulas(book) -> None:
    ws = book[schema.QUOTE_SHEET]
    cells = [c for row in ws.iter_rows() for c in row if "MSP_QUOTE" in str(formula_text(c.value))]
    assert len(cells) == 1
    assert formula_text(cells[0].value) == PYTHON_QUOTE_FORMULA


@pytest.mark.parametrize("table", schema.ALL_TABLES, ids=lambda t: t.name)
def test_every_schema_table_is_an_excel_table_at_a1_with_the_exact_headers(book, table) -> None:
    ws = book[table.sheet]
    excel_table = table_of(ws, table.name)
    assert excel_table.ref.startswith("A1:")
    assert [c.name for c in excel_table.tableColumns] == list(table.headers)
    assert header_cells(ws, table) == list(table.headers)


@pytest.mark.parametrize("table", schema.ALL_TABLES, ids=lambda t: t.name)
def test_every_table_sheet_freezes_its_header_row(book, table) -> None:
    """And a generated sheet its columns up to the customer's name, which stays in view while
    the clerk scrolls to the amounts (Billing: Month, Customer ID, Customer -> D2)."""
    headers = list(table.headers)
    frozen = headers.index("Customer") + 1 if table.generated and "Customer" in headers else 0
    assert book[table.sheet].freeze_panes == f"{'ABCDEFGH'[frozen]}2"
    if table.name == "Billing":
        assert book[table.sheet].freeze_panes == "D2"


def test_input_and_generated_sheets_differ_in_table_style_and_tab_colour(book) -> None:
    def looks(table: Table) -> tuple[str, str]:
        ws = book[table.sheet]
        return table_of(ws, table.name).tableStyleInfo.name, ws.sheet_properties.tabColor.rgb

    input_looks = {looks(t) for t in schema.INPUT_TABLES}
    generated_looks = {looks(t) for t in schema.GENERATED_TABLES}
    assert len(input_looks) == 1 and len(generated_looks) == 1
    assert input_looks != generated_looks
    assert next(iter(input_looks))[1].endswith(INPUT_TAB_COLOUR.lstrip("#"))
    assert next(iter(generated_looks))[1].endswith(GENERATED_TAB_COLOUR.lstrip("#"))


def format_code(number_format: str | int | None) -> str:
    """The format code openpyxl reads for a schema format (a built-in id: Excel's code)."""
    if isinstance(number_format, int):
        return BUILTIN_FORMATS[number_format]
    return number_format or "General"


@pytest.mark.parametrize("table", schema.ALL_TABLES, ids=lambda t: t.name)
def test_every_column_carries_its_width_and_number_format_as_column_style(book, table) -> None:
    ws = book[table.sheet]
    for index, column in enumerate(table.columns, start=1):
        dim = column_dimension(ws, index)
        shown = shown_format(column, table)  # money on generated sheets: with the currency
        assert dim.number_format == format_code(shown), column.header
        # XlsxWriter stores the width plus Excel's padding of about 0.71 character, and money
        # with its currency four characters more.
        width = column.width + (4 if shown != column.number_format else 0)
        assert width <= dim.width <= width + 1, column.header


def test_generated_money_columns_have_the_money_format_as_column_style(book) -> None:
    ws = book[schema.BILLING.sheet]
    for header in ("Net", "Cost", "Margin"):
        index = schema.BILLING.headers.index(header) + 1
        assert column_dimension(ws, index).number_format == '#,##0.00 "EUR"'  # the default


@pytest.mark.parametrize("table", schema.GENERATED_TABLES, ids=lambda t: t.name)
def test_generated_tables_are_empty_with_one_blank_row(book, table) -> None:
    ws = book[table.sheet]
    assert table_of(ws, table.name).ref.endswith("2")
    assert table_rows(TEMPLATE_PATH, table.name) == [[""] * len(table.columns)]


# --- data validation ------------------------------------------------------------------------------


def input_columns(predicate) -> list[tuple[Table, schema.Column]]:
    return [(t, c) for t in schema.INPUT_TABLES for c in t.columns if predicate(c)]


@pytest.mark.parametrize(
    ("table", "column"),
    input_columns(lambda c: bool(c.choices) and c.lookup is None),
    ids=lambda x: getattr(x, "name", getattr(x, "header", "")),
)
def test_choice_columns_have_a_drop_down_of_their_choices_down_to_the_last_row(
    book, table, column
) -> None:
    ws = book[table.sheet]
    letter = column_letter(table, column.header)
    for row in (2, VALIDATED_LAST_ROW):
        dv = only_validation(ws, f"{letter}{row}")
        assert dv.type == "list"
        assert dv.formula1 == '"' + ",".join(column.choices) + '"'
        assert dv.showErrorMessage and column.header in dv.error


@pytest.mark.parametrize(
    ("table", "column"),
    input_columns(lambda c: c.lookup is not None),
    ids=lambda x: getattr(x, "name", getattr(x, "header", "")),
)
def test_lookup_columns_have_a_drop_down_of_the_source_table_column(book, table, column) -> None:
    ws = book[table.sheet]
    source_table, source_header = column.lookup
    name = lookup_name(source_header)
    if column.lookup in DISTINCT_SOURCES:  # the helper list of distinct values
        assert "=" + book.defined_names[name].attr_text == lookup_source_formula(column.lookup)
    else:
        assert book.defined_names[name].attr_text == f"{source_table}[{source_header}]"
    letter = column_letter(table, column.header)
    for row in (2, VALIDATED_LAST_ROW):
        dv = only_validation(ws, f"{letter}{row}")
        assert dv.type == "list" and dv.formula1 == name
        assert dv.allow_blank
        assert source_table in dv.error


EXPECTED_RULES = {
    Kind.WHOLE: ("whole", "greaterThanOrEqual", "0", None, "whole number >= 0"),
    Kind.MONEY: ("decimal", "greaterThanOrEqual", "0", None, ">= 0"),
    Kind.PERCENT: ("decimal", "between", "0", "0.9999", "percentage from 0 to below 100 %"),
    Kind.DATE: ("date", "greaterThanOrEqual", "36526", None, "a date from 2000-01-01 on"),
}


@pytest.mark.parametrize(
    ("table", "column"),
    input_columns(lambda c: c.kind in EXPECTED_RULES),
    ids=lambda x: getattr(x, "name", getattr(x, "header", "")),
)
def test_numeric_and_date_columns_are_validated_with_a_message_saying_what_is_expected(
    book, table, column
) -> None:
    ws = book[table.sheet]
    kind, operator, formula1, formula2, expected = EXPECTED_RULES[column.kind]
    dv = only_validation(ws, f"{column_letter(table, column.header)}{VALIDATED_LAST_ROW}")
    operator_read = dv.operator or "between"  # the default operator is left out of the file
    assert (dv.type, operator_read, dv.formula1, dv.formula2) == (
        kind,
        operator,
        formula1,
        formula2,
    )
    assert dv.error.startswith(f"{column.header}: ") and expected in dv.error


@pytest.mark.parametrize(
    ("table", "column"),
    input_columns(
        lambda c: (
            c.kind in (Kind.ID, Kind.TEXT) and c.lookup is None and not c.form and not c.choices
        )
    ),
    ids=lambda x: getattr(x, "name", getattr(x, "header", "")),
)
def test_free_text_columns_have_no_validation(book, table, column) -> None:
    ws = book[table.sheet]
    assert validations_at(ws, f"{column_letter(table, column.header)}2") == []


@pytest.mark.parametrize(
    ("table", "column"),
    input_columns(lambda c: bool(c.form)),
    ids=lambda x: getattr(x, "name", getattr(x, "header", "")),
)
def test_columns_with_a_form_warn_on_a_value_of_another_form(book, table, column) -> None:
    """E-mail, VAT ID and postcode columns get Excel's rough check, as a warning (the program
    checks fully): the formula is the form's, relative to the column's first cell."""
    ws = book[table.sheet]
    letter = column_letter(table, column.header)
    (dv,) = validations_at(ws, f"{letter}2")
    assert dv.type == "custom" and dv.errorStyle == "warning"
    assert dv.formula1.startswith(f'OR({letter}2=""')
    assert dv.error.startswith(f"{column.header}: ")


# --- defaults -------------------------------------------------------------------------------------


def settings_cells(ws: Worksheet) -> dict[str, tuple[int, object]]:
    return {ws.cell(r, 1).value: (r, ws.cell(r, 2).value) for r in range(2, ws.max_row + 1)}


def test_settings_rows_hold_every_setting_with_its_default(book) -> None:
    ws = book[schema.SETTINGS.sheet]
    assert table_of(ws, schema.SETTINGS.name).ref == f"A1:B{len(schema.SETTINGS_SPEC) + 1}"
    cells = settings_cells(ws)
    assert list(cells) == [s.name for s in schema.SETTINGS_SPEC]
    assert {name: value for name, (_, value) in cells.items()} == {
        s.name: s.default for s in schema.SETTINGS_SPEC
    }
    vat_row = cells[schema.SETTING_VAT_RATE][0]
    assert ws.cell(vat_row, 2).number_format == schema.FMT_PERCENT  # 19.0 % / 19,0 %


def test_settings_help_stands_beside_the_table_in_column_d(book) -> None:
    ws = book[schema.SETTINGS.sheet]
    for row, spec in enumerate(schema.SETTINGS_SPEC, start=2):
        assert ws.cell(row, 3).value is None
        assert ws.cell(row, 4).value == spec.help
        assert ws.cell(row, 4).font.italic


def test_settings_missing_usage_and_vat_rate_are_validated(book) -> None:
    ws = book[schema.SETTINGS.sheet]
    cells = settings_cells(ws)
    missing = only_validation(ws, f"B{cells[schema.SETTING_MISSING_USAGE][0]}")
    assert missing.type == "list"
    assert missing.formula1 == '"' + ",".join(schema.MISSING_USAGE) + '"'
    vat = only_validation(ws, f"B{cells[schema.SETTING_VAT_RATE][0]}")
    assert (vat.type, vat.operator or "between", vat.formula1, vat.formula2) == (
        "decimal",
        "between",
        "0",
        "0.9999",
    )
    for spec in schema.SETTINGS_SPEC:
        dv = only_validation(ws, f"B{cells[spec.name][0]}")
        assert dv.prompt == spec.help, spec.name


def example_csv_rows(table: Table) -> list[dict[str, object]]:
    rows = read_csv(EXAMPLES / "basic" / f"{table.name}.csv")
    return [{c.header: csv_value(c, row[c.header]) for c in table.columns} for row in rows]


def workbook_rows(ws: Worksheet, table: Table) -> list[dict[str, object]]:
    last = int(re.sub(r"^[A-Z]+", "", ws.tables[table.name].ref.split(":")[1]))
    rows = ws.iter_rows(min_row=2, max_row=last, max_col=len(table.columns), values_only=True)
    return [dict(zip(table.headers, map(as_decimal, r), strict=True)) for r in rows]


def test_default_annual_prices_equal_the_example_csv(book) -> None:
    table = schema.ANNUAL_PRICES
    expected = example_csv_rows(table)
    assert default_rows()[table.name] == expected
    assert workbook_rows(book[table.sheet], table) == expected


def test_default_products_are_the_example_prices_with_max_aggregation_except_scans(book) -> None:
    table = schema.PRODUCTS
    expected = example_csv_rows(table)
    for row in expected:
        row["Aggregation"] = "sum" if row["Metric"] == "scans" else "max"
    assert default_rows()[table.name] == expected
    assert workbook_rows(book[table.sheet], table) == expected


@pytest.mark.parametrize("table", [schema.PRODUCTS, schema.ANNUAL_PRICES], ids=lambda t: t.name)
def test_example_prices_are_marked_beside_the_table_not_inside_it(book, table) -> None:
    ws = book[table.sheet]
    marker_col = len(table.columns) + 2
    # A formula that shows the banner while example prices remain (tests/test_input_sheet_help.py)
    assert f'"{EXAMPLE_MARKER}"' in ws.cell(1, marker_col).value
    assert ws.cell(1, marker_col).font.bold
    assert ws.cell(2, marker_col).value
    last_table_col = openpyxl.utils.column_index_from_string(
        table_of(ws, table.name).ref.split(":")[1].rstrip("0123456789")
    )
    assert last_table_col == len(table.columns)


# --- building with data ---------------------------------------------------------------------------

DATA = {
    "Customers": [
        {"Customer ID": "C-1", "Customer": "Bäckerei Huber", "Discount %": Decimal("0.10")},
        {"Customer ID": "C-2", "Customer": "=1+1 is text", "Country": "AT", "VAT ID": "ATU1"},
    ],
    "Keys": [
        {
            "License key": "K1",
            "Customer ID": "C-1",
            "Product ID": "KC-MSP",
            "Start": date(2025, 3, 1),
            "End": date(2026, 10, 31),
            "Status": "cancelled",
        },
    ],
    "Usage": [
        {"Date": date(2026, 10, 5), "License key": "K1", "Metric": "mailboxes", "Quantity": 40},
        {"Date": "2026-09", "License key": "K1", "Metric": "mailboxes", "Quantity": "many"},
    ],
    "Products": [
        {
            "Product ID": "X",
            "Metric": "users",
            "Aggregation": "avg",
            "Cost per unit": Decimal("1.2345"),
            "Price per unit": 2,
        },
    ],
    "Ledger": [
        {"Invoice": "INV-2026-0001", "Month": "2026-09", "Finalized": datetime(2026, 10, 2, 9, 30)},
    ],
}


def expected_cells(table: Table, row: dict[str, object]) -> list[object]:
    def cell(value: object) -> object:
        if value is None:
            return ""
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return float(value)
        return value

    return [cell(row.get(h)) for h in table.headers]


@pytest.fixture(scope="module")
def with_data(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "data.xlsx"
    build_workbook(path, DATA)
    return path


@pytest.mark.parametrize("name", sorted(DATA))
def test_data_rows_read_back_with_calamine_as_given(with_data, name) -> None:
    table = schema.table_by_name(name)
    assert table_rows(with_data, name) == [expected_cells(table, r) for r in DATA[name]]


def test_tables_not_given_in_data_keep_their_defaults_or_stay_empty(with_data) -> None:
    annual = table_rows(with_data, schema.ANNUAL_PRICES.name)
    assert len(annual) == len(default_rows()[schema.ANNUAL_PRICES.name])
    assert len(table_rows(with_data, schema.SETTINGS.name)) == len(schema.SETTINGS_SPEC)
    assert table_rows(with_data, schema.BILLING.name) == [[""] * len(schema.BILLING.columns)]


def test_data_cells_carry_their_column_format(with_data) -> None:
    wb = openpyxl.load_workbook(with_data)
    keys, usage, customers = wb["Keys"], wb["Usage"], wb["Customers"]
    assert keys["D2"].number_format == format_code(schema.FMT_DATE)
    assert keys["D2"].value == datetime(2025, 3, 1)
    assert usage["D2"].number_format == schema.FMT_WHOLE
    assert customers["F2"].number_format == schema.FMT_PERCENT
    assert customers["B3"].data_type == "s"  # text that looks like a formula stays text
    finalized = column_letter(schema.LEDGER, "Finalized")
    assert wb["Ledger"][f"{finalized}2"].number_format == schema.FMT_TIMESTAMP


def test_validations_cover_more_rows_than_given(tmp_path: Path) -> None:
    n = VALIDATED_LAST_ROW + 5
    rows = [{"Date": date(2026, 10, 1), "License key": "K", "Quantity": 1}] * n
    path = tmp_path / "big.xlsx"
    build_workbook(path, {"Usage": rows})
    sheet = f"xl/worksheets/sheet{schema.SHEET_ORDER.index(schema.USAGE.sheet) + 1}.xml"
    with zipfile.ZipFile(path) as z:
        xml = z.read(sheet).decode()
    ranges = re.findall(r'<dataValidation type="whole"[^>]*sqref="([^"]+)"', xml)
    assert ranges == [f"D2:D{n + 1}"]


def test_unknown_tables_columns_and_values_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Custmers"):
        build_workbook(tmp_path / "a.xlsx", {"Custmers": []})
    with pytest.raises(ValueError, match="Name"):
        build_workbook(tmp_path / "b.xlsx", {"Customers": [{"Name": "x"}]})
    with pytest.raises(TypeError):
        build_workbook(tmp_path / "c.xlsx", {"Customers": [{"Customer": True}]})


# --- Start sheet ----------------------------------------------------------------------------------


def start_text(book) -> str:
    ws = book[schema.START_SHEET]
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def test_start_sheet_explains_the_monthly_workflow(book) -> None:
    text = start_text(book)
    for needle in (
        "msp-workbook recalc MSP_Billing.xlsx",
        "msp-workbook close MSP_Billing.xlsx --month YYYY-MM",
        "Checks",
        "EXAMPLE prices",
    ):
        assert needle in text


def test_start_sheet_lists_every_sheet_with_its_kind_and_purpose(book) -> None:
    ws = book[schema.START_SHEET]
    rows = {r[1]: (r[2], r[3]) for r in ws.iter_rows(min_col=1, max_col=4, values_only=True)}
    for table in schema.ALL_TABLES:
        kind, purpose = rows[table.sheet]
        assert purpose == table.purpose
        assert kind.startswith("Generated — do not edit") == table.generated
        assert (kind == "Your data") == (not table.generated)
    kind, purpose = rows[schema.QUOTE_SHEET]
    assert purpose == QUOTE_PURPOSE
    assert "Quote" in start_text(book) and "blue cells" in kind


# --- LibreOffice ----------------------------------------------------------------------------------


def test_libreoffice_renders_the_template_to_pdf_pages(tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    (pdf,) = convert([TEMPLATE_PATH], tmp_path, "pdf")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= len(schema.SHEET_ORDER)
    assert all(p.stat().st_size > 1000 for p in pages)


def test_libreoffice_keeps_the_tables_when_saving_as_xlsx(tmp_path: Path) -> None:
    (saved,) = convert([TEMPLATE_PATH], tmp_path / "out", "xlsx")
    wb = openpyxl.load_workbook(saved)
    assert tuple(wb.sheetnames) == (*schema.SHEET_ORDER, XLWINGS_CONF_SHEET)
    for table in schema.ALL_TABLES:
        ws = wb[table.sheet]
        assert [c.name for c in table_of(ws, table.name).tableColumns] == list(table.headers)


# Runs inside the Python that has LibreOffice's UNO bridge: loads a workbook, types a listed
# and an unlisted value into validated cells and asks LibreOffice which of them it finds invalid.
_UNO_PROBE = r"""
import json, os, subprocess, sys, tempfile, time, uno
from com.sun.star.beans import PropertyValue

book, soffice, cases = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
profile = tempfile.mkdtemp()
pipe = f"msp{os.getpid()}"
office = subprocess.Popen(
    [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
     "--nolockcheck", f"--accept=pipe,name={pipe};urp;"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(240):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.25)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    hidden = PropertyValue()
    hidden.Name, hidden.Value = "Hidden", True
    doc = desktop.loadComponentFromURL("file://" + os.path.abspath(book), "_blank", 0, (hidden,))
    results = []
    for sheet, col, row, values in cases:
        ws = doc.Sheets.getByName(sheet)
        cell = ws.getCellByPosition(col, row)
        marks = []
        for value in values:
            cell.setString(value) if isinstance(value, str) else cell.setValue(value)
            ws.clearArrows()
            marks.append(bool(ws.showInvalid()))
            cell.clearContents(1 | 2 | 4 | 16)
        results.append(marks)
    doc.close(True)
    print(json.dumps(results))
finally:
    try:
        desktop.terminate()
    except Exception:
        pass
    try:
        office.wait(timeout=30)
    except subprocess.TimeoutExpired:
        office.kill()
"""


def uno_python() -> str:
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if (
            candidate
            and subprocess.run([candidate, "-c", "import uno"], capture_output=True).returncode == 0
        ):
            return candidate
    pytest.skip("no Python with LibreOffice's UNO bridge (python3-uno)")


def test_libreoffice_drop_downs_accept_listed_values_and_flag_others(tmp_path: Path) -> None:
    office = soffice()
    python = uno_python()
    path = tmp_path / "example.xlsx"
    build_workbook(path, load_example())
    # (sheet, 0-based column, 0-based row, [a valid value, an invalid value]) below the data.
    cases = [
        ["Keys", 1, 30, ["C-0002", "C-9999"]],  # Customer ID from Customers
        ["Keys", 2, 30, ["LG-MSP", "NOPE"]],  # Product ID from Products
        ["Usage", 1, 40, ["K4444-AAAAA-BBBBB-CCCCA", "K-UNKNOWN"]],  # License key from Keys
        ["AnnualPrices", 0, 90, ["KOP-MSP", "NOPE"]],
        ["Keys", 5, 30, ["suspended", "paused"]],
        ["Usage", 3, 40, [5, 2.5]],
        ["Usage", 0, 40, [46000, 30000]],  # 2025-12-09 vs 1982-02-18
        ["Customers", 5, 50, [0.1, 1.0]],
    ]
    result = subprocess.run(
        [python, "-c", _UNO_PROBE, str(path), office, json.dumps(cases)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    marks = json.loads(result.stdout.strip().splitlines()[-1])
    assert marks == [[False, True]] * len(cases), list(zip(cases, marks, strict=True))


# --- Quote sheet ----------------------------------------------------------------------------------

# Functions that Excel 2016+ and LibreOffice 7.4+ both compute (no XLOOKUP, LET, FILTER, MINIFS).
QUOTE_FUNCTIONS = {
    "ABS", "AND", "COUNTIF", "COUNTIFS", "FIXED", "IF", "IFERROR", "INDEX", "INT", "ISNA",
    "ISNUMBER", "MATCH", "MAX", "MIN", "NA", "NOT", "OR", "ROUND", "ROW", "SUMIFS", "SUMPRODUCT",
}  # fmt: skip


def quote_sheet_xml(path: Path) -> str:
    index = schema.SHEET_ORDER.index(schema.QUOTE_SHEET) + 1
    with zipfile.ZipFile(path) as z:
        return z.read(f"xl/worksheets/sheet{index}.xml").decode()


def named_cell(book, name: str) -> tuple[str, str]:
    ((sheet, ref),) = list(book.defined_names[name].destinations)
    return sheet, ref.replace("$", "")


def formula_text(value: object) -> str:
    return getattr(value, "text", value)  # array formulas keep their text in .text


def test_quote_sheet_has_a_tab_colour_of_its_own(book) -> None:
    colours = {
        sheet: book[sheet].sheet_properties.tabColor.rgb[-6:] for sheet in schema.SHEET_ORDER
    }
    quote = colours.pop(schema.QUOTE_SHEET)
    assert quote == QUOTE_TAB_COLOUR.lstrip("#")
    assert quote not in colours.values()


def test_quote_inputs_are_named_cells_holding_the_defaults(book) -> None:
    assert dict(QUOTE_DEFAULTS) == {
        schema.QUOTE_PRODUCT: "KC-MSP",
        schema.QUOTE_TERM: 3,
        schema.QUOTE_UNITS_NOW: 20,
        schema.QUOTE_UNITS_12M: 35,
    }
    for name in schema.QUOTE_INPUTS:
        sheet, cell = named_cell(book, name)
        assert sheet == schema.QUOTE_SHEET
        assert book[sheet][cell].value == QUOTE_DEFAULTS[name], name


def test_quote_results_are_named_formula_cells(book) -> None:
    cells = set()
    for name in schema.QUOTE_RESULTS:
        sheet, cell = named_cell(book, name)
        assert sheet == schema.QUOTE_SHEET
        assert str(book[sheet][cell].value).startswith("=IF("), name
        cells.add(cell)
    assert len(cells) == len(schema.QUOTE_RESULTS)
    money = [named_cell(book, n)[1] for n in schema.QUOTE_RESULTS[:3]]
    assert all(book[schema.QUOTE_SHEET][c].number_format == schema.FMT_MONEY for c in money)


def test_quote_inputs_have_drop_downs_and_validations_with_an_input_message(book) -> None:
    ws = book[schema.QUOTE_SHEET]
    product = only_validation(ws, named_cell(book, schema.QUOTE_PRODUCT)[1])
    assert (product.type, product.formula1) == ("list", lookup_name("Product ID"))
    term = only_validation(ws, named_cell(book, schema.QUOTE_TERM)[1])
    assert (term.type, term.formula1) == ("list", '"1,2,3,4,5"')
    for name in (schema.QUOTE_UNITS_NOW, schema.QUOTE_UNITS_12M):
        dv = only_validation(ws, named_cell(book, name)[1])
        assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
    for name in schema.QUOTE_INPUTS:
        dv = only_validation(ws, named_cell(book, name)[1])
        assert dv.showInputMessage and dv.prompt, name
        assert dv.showErrorMessage and dv.error, name


def month_table_header_row(ws: Worksheet) -> int:
    width = len(schema.QUOTE_MONTH_HEADERS)
    for row in ws.iter_rows(max_col=width):
        if tuple(c.value for c in row) == schema.QUOTE_MONTH_HEADERS:
            return row[0].row
    raise AssertionError("no month table on the Quote sheet")


def test_quote_month_table_is_a_plain_range_of_60_formula_rows(book) -> None:
    ws = book[schema.QUOTE_SHEET]
    assert not ws.tables  # a plain range: it never grows or shrinks
    header = month_table_header_row(ws)
    width = len(schema.QUOTE_MONTH_HEADERS)
    for row in range(header + 1, header + schema.QUOTE_MAX_MONTHS + 1):
        for col in range(1, width + 1):
            assert str(ws.cell(row, col).value).startswith("="), (row, col)
    below = header + schema.QUOTE_MAX_MONTHS + 1
    assert all(ws.cell(below, col).value is None for col in range(1, width + 1))
    # Month m is shown while m <= the months of the term, else the row is blank.
    assert re.fullmatch(r'=IF\(1<=\$C\$\d+,1,""\)', ws.cell(header + 1, 1).value)
    assert re.fullmatch(r'=IF\(60<=\$C\$\d+,60,""\)', ws.cell(below - 1, 1).value)


def test_quote_formulas_use_only_functions_both_engines_compute(book) -> None:
    ws = book[schema.QUOTE_SHEET]
    formulas = [
        formula_text(c.value)
        for row in ws.iter_rows()
        for c in row
        if str(formula_text(c.value)).startswith("=")
        and formula_text(c.value) != PYTHON_QUOTE_FORMULA
    ]
    assert len(formulas) > 6 * schema.QUOTE_MAX_MONTHS
    used = {f for text in formulas for f in re.findall(r"([A-Z][A-Z0-9.]*)\(", text)}
    assert used <= QUOTE_FUNCTIONS, sorted(used - QUOTE_FUNCTIONS)
    assert not any("_xlfn" in text or "_xlws" in text for text in formulas)
    # Prices come from the tables by structured reference, so the reseller's rows flow in.
    text = "\n".join(formulas)
    for ref in ("Products[Price per unit]", "Products[Minimum units]", "AnnualPrices[Min units]"):
        assert ref in text


def test_quote_formulas_carry_no_cached_value_so_libreoffice_computes_them_on_opening() -> None:
    xml = quote_sheet_xml(TEMPLATE_PATH)
    cells = re.findall(r"<c [^>]*>(?:(?!</c>).)*<f[ >](?:(?!</c>).)*</c>", xml)
    assert len(cells) > 6 * schema.QUOTE_MAX_MONTHS
    assert all("<v></v>" in cell for cell in cells)


def test_quote_chart_plots_both_cumulative_costs_over_the_month_rows(book) -> None:
    with zipfile.ZipFile(TEMPLATE_PATH) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    # An XY chart: month (x) against the cumulative costs (y), so the month axis spans only
    # the months that have points (a line chart's category axis would span all 60 rows).
    (chart,) = [c for c in charts if "<c:scatterChart>" in c]
    x_refs = re.findall(r"<c:xVal><c:numRef><c:f>([^<]+)</c:f>", chart)
    y_refs = re.findall(r"<c:yVal><c:numRef><c:f>([^<]+)</c:f>", chart)
    assert len(x_refs) == len(y_refs) == 2
    assert len(set(x_refs)) == 1
    header = month_table_header_row(book[schema.QUOTE_SHEET])
    first, last = header + 1, header + schema.QUOTE_MAX_MONTHS
    for ref in x_refs + y_refs:
        assert re.fullmatch(rf"{schema.QUOTE_SHEET}!\$[A-Z]+\${first}:\$[A-Z]+\${last}", ref)
    # Months beyond the term are #N/A in the series; without an explicit setting LibreOffice
    # would draw them as zeros.
    assert '<c:dispBlanksAs val="span"/>' in chart


def test_unknown_quote_inputs_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="QuoteUnits"):
        build_workbook(tmp_path / "a.xlsx", quote_inputs={"QuoteUnits": 3})


def test_quote_inputs_given_to_the_builder_land_in_the_named_cells(tmp_path: Path) -> None:
    path = tmp_path / "quote.xlsx"
    given = {schema.QUOTE_PRODUCT: "LG-MSP", schema.QUOTE_UNITS_12M: 120}
    build_workbook(path, quote_inputs=given)
    wb = openpyxl.load_workbook(path)
    values = {n: wb[schema.QUOTE_SHEET][named_cell(wb, n)[1]].value for n in schema.QUOTE_INPUTS}
    assert values == {**QUOTE_DEFAULTS, **given}


def test_comparison_chart_plots_the_15_largest_savings_block_as_horizontal_bars() -> None:
    """MSP cost against the best annual cost for the block of the largest savings beside the
    table (Q..T, one blank column after it): its 15 rows, which recalc shortens to the block's."""
    with zipfile.ZipFile(TEMPLATE_PATH) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    (chart,) = [c for c in charts if "<c:f>Comparison!" in c]
    values = re.findall(r"<c:val><c:numRef><c:f>([^<]+)</c:f>", chart)
    assert values == ["Comparison!$R$2:$R$16", "Comparison!$S$2:$S$16"]
    names = re.findall(r"<c:tx><c:strRef><c:f>([^<]+)</c:f>", chart)
    assert names == ["Comparison!$R$1", "Comparison!$S$1"]
    assert (
        re.findall(r"<c:cat><c:(?:str|num)Ref><c:f>([^<]+)</c:f>", chart)
        == ["Comparison!$Q$2:$Q$16"] * 2
    )
    assert '<c:barDir val="bar"/>' in chart  # horizontal: long labels fit
    assert "The 15 largest savings" in chart
    assert "<c:dLbls>" in chart


def test_reconciliation_chart_plots_the_block_beside_the_table() -> None:
    """Vendor charged, billed revenue and billed cost per product (P..S beside the table, one
    blank column after it); one blank row, which reconcile stretches over its products."""
    with zipfile.ZipFile(TEMPLATE_PATH) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    (chart,) = [c for c in charts if "<c:f>Reconciliation!" in c]
    values = re.findall(r"<c:val><c:numRef><c:f>([^<]+)</c:f>", chart)
    assert values == ["Reconciliation!$Q$2", "Reconciliation!$R$2", "Reconciliation!$S$2"]
    assert (
        re.findall(r"<c:cat><c:(?:str|num)Ref><c:f>([^<]+)</c:f>", chart)
        == ["Reconciliation!$P$2"] * 3
    )


def test_the_top_savings_block_sits_beside_the_comparison_table(book) -> None:
    ws = book[schema.COMPARISON.sheet]
    assert [c.value for c in ws["Q1:T1"][0]] == list(schema.COMPARISON_SIDE_HEADERS)
    assert ws["P1"].value is None
    for index in (18, 19, 20):  # R, S, T: MSP cost, best annual, saving
        assert column_dimension(ws, index).number_format == with_currency(schema.FMT_MONEY)
