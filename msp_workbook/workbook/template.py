"""Build the billing workbook from the schema with XlsxWriter.

Everything about sheets, tables, columns, formats and drop-down sources comes from `schema`; this
module only decides how the workbook looks: the Start page, table styles, tab colours, notes beside
tables and the data validation messages.

The same builder makes the committed template (`templates/MSP_Billing.xlsx`, rebuilt by
`scripts/build_template.py`), the demo workbook and the workbooks tests feed examples into. Builds
are deterministic: the same input gives a byte-identical file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from msp_workbook.app import example_prices
from msp_workbook.core.top_savings import TOP_SAVINGS
from msp_workbook.workbook import schema
from msp_workbook.workbook.schema import Column, Kind, Table

from .generated_look import (
    add_billing_look,
    add_checks_look,
    add_page_header,
    add_typing_guard,
)
from .money_format import shown_format, with_currency
from .quote_sheet import add_quote_sheet, quote_input_values
from .sheet_look import (
    DISTINCT_ROWS,
    DISTINCT_SOURCES,
    INPUT_FILL,
    INPUT_TAB_COLOUR,
    QUOTE_FILL,
    distinct_column,
    distinct_formula,
    lookup_name,
    lookup_source_formula,
    lookups,
    messages,
    number_options,
    prompt,
    write_value,
)
from .start_sheet import add_start_sheet

TEMPLATE_PATH: Path = Path(__file__).resolve().parents[2] / "templates" / "MSP_Billing.xlsx"

# Input validations cover the data rows down to this Excel row, so rows added later are covered.
VALIDATED_LAST_ROW = 100_000

INPUT_TABLE_STYLE = schema.INPUT_TABLE_STYLE
GENERATED_TABLE_STYLE = schema.GENERATED_TABLE_STYLE
GENERATED_TAB_COLOUR = "#808080"
GENERATED_FILL = "#E7E7E7"

EXAMPLE_MARKER = "EXAMPLE PRICES — replace with your own GFI price list and your selling prices"
EXAMPLE_PROFILES_MARKER = "EXAMPLE PROFILES — replace them with the columns of your own reports"
FMT_VAT_RATE = schema.FMT_PERCENT  # 0.19 shows as 19,0 % in German Excel, 19.0% in English

# A fixed creation time keeps builds byte-identical (XlsxWriter fixes the zip timestamps itself).
_CREATED = datetime(2026, 1, 1, 0, 0, 0)
_EARLIEST_DATE = date(2000, 1, 1)
_MAX_FRACTION = 0.9999

Rows = Sequence[Mapping[str, object]]


# --- Default rows ---------------------------------------------------------------------------------

_EXAMPLE_PRODUCTS = example_prices.PRODUCTS
_EXAMPLE_TIERS = example_prices.TIERS
_TERMS = example_prices.TERMS


def default_rows() -> dict[str, list[dict[str, object]]]:
    """The template's default rows of Settings, Products and AnnualPrices, keyed by column header.

    Products and AnnualPrices hold example prices that the reseller replaces with its own.
    """
    return {
        schema.SETTINGS.name: _default_settings(),
        schema.PRODUCTS.name: _default_products(),
        schema.ANNUAL_PRICES.name: _default_annual_prices(),
        schema.IMPORT_PROFILES.name: _default_import_profiles(),
    }


# Two example import profiles: a long report (a Metric column, one reading per line) as a
# product's German export might look, and a wide one (a column per metric).
_EXAMPLE_IMPORT_PROFILES = (
    ("kerio-de", schema.COL_DATE, "Datum", None),
    ("kerio-de", schema.COL_LICENSE_KEY, "Lizenzschlüssel", None),
    ("kerio-de", schema.COL_METRIC, "Einheit", None),
    ("kerio-de", schema.COL_QUANTITY, "Anzahl", None),
    ("languard-wide", schema.COL_DATE, "Report date", None),
    ("languard-wide", schema.COL_LICENSE_KEY, "License", None),
    ("languard-wide", schema.COL_QUANTITY, "Nodes", "nodes"),
    ("languard-wide", schema.COL_QUANTITY, "Scans", "scans"),
)


def _default_import_profiles() -> list[dict[str, object]]:
    headers = schema.IMPORT_PROFILES.headers
    return [dict(zip(headers, row, strict=True)) for row in _EXAMPLE_IMPORT_PROFILES]


def _default_settings() -> list[dict[str, object]]:
    setting, value = schema.SETTINGS.headers
    return [{setting: s.name, value: s.default} for s in schema.SETTINGS_SPEC]


def _default_products() -> list[dict[str, object]]:
    headers = schema.PRODUCTS.headers
    rows = []
    for pid, product, metric, aggregation, cost, price, minimum in _EXAMPLE_PRODUCTS:
        values = (pid, product, metric, aggregation, Decimal(cost), Decimal(price), minimum)
        rows.append(dict(zip(headers, values, strict=True)))
    return rows


def _default_annual_prices() -> list[dict[str, object]]:
    headers = schema.ANNUAL_PRICES.headers
    rows = []
    for pid, metric, tiers in _EXAMPLE_TIERS:
        for term in _TERMS:
            for low, high, price in tiers:
                values = (pid, metric, term, low, high, Decimal(price))
                rows.append(dict(zip(headers, values, strict=True)))
    return rows


# --- Formats --------------------------------------------------------------------------------------


@dataclass
class _Formats:
    """The workbook's cell formats, created once per workbook."""

    book: Workbook
    _number: dict[str, Format] = field(default_factory=dict)

    def __post_init__(self) -> None:
        add = self.book.add_format
        self.title = add({"bold": True, "font_size": 20, "font_color": "#1F3864"})
        self.heading = add({"bold": True, "font_size": 13, "font_color": "#1F3864"})
        self.text = add({"text_wrap": True, "valign": "top"})
        self.step_number = add({"bold": True, "align": "center", "valign": "top"})
        self.code = add({"font_name": "Courier New", "font_color": "#7F3F00"})
        self.table_header = add({"bold": True, "bottom": 1, "valign": "top", "bg_color": "#F2F2F2"})
        self.link = add({"font_color": "#0563C1", "underline": 1, "valign": "top"})
        self.input_kind = add({"bg_color": INPUT_FILL, "text_wrap": True, "valign": "top"})
        self.generated_kind = add({"bg_color": GENERATED_FILL, "text_wrap": True, "valign": "top"})
        self.warning = add({"bold": True, "font_color": "#C00000", "text_wrap": True})
        self.note = add({"italic": True, "font_color": "#808080"})
        self.note_heading = add({"bold": True, "italic": True, "font_color": "#808080"})
        self.marker = add({"bold": True, "font_color": "#C00000", "font_size": 12})
        self.vat_rate = add({"num_format": FMT_VAT_RATE})
        self.quote_kind = add({"bg_color": QUOTE_FILL, "text_wrap": True, "valign": "top"})

    def number(self, number_format: str | None) -> Format | None:
        """The format of a column's number format (None: General)."""
        if number_format is None:
            return None
        if number_format not in self._number:
            self._number[number_format] = self.book.add_format({"num_format": number_format})
        return self._number[number_format]


# --- Building -------------------------------------------------------------------------------------


def build_workbook(
    path: Path,
    data: Mapping[str, Rows] | None = None,
    quote_inputs: Mapping[str, object] | None = None,
) -> None:
    """Write a fresh workbook to `path`.

    `data` maps a table name to its rows, keyed by column header (missing headers are empty).
    It is meant for the input tables ("Settings", "Products", "AnnualPrices", "Customers",
    "Keys", "Usage"); generated tables are accepted too (a test may seed Ledger). A table given in
    `data` gets exactly those rows instead of its defaults; the others get `default_rows()` or
    stay empty. Values: str, int, float, Decimal, date, datetime or None (an empty cell).

    `quote_inputs` sets input cells of the Quote sheet by their workbook name (`QuoteProduct`,
    `QuoteTerm`, `QuoteUnitsNow`, `QuoteUnits12m`); the others keep `QUOTE_DEFAULTS`.
    """
    tables = _rows_per_table(data or {})
    inputs = quote_input_values(quote_inputs or {})
    book = xlsxwriter.Workbook(str(path))
    try:
        book.set_properties(
            {
                "title": "MSP Billing",
                "subject": "Monthly billing of GFI MSP products",
                "created": _CREATED,
            }
        )
        formats = _Formats(book)
        _define_lookup_names(book)
        add_start_sheet(book, formats)
        by_sheet = {t.sheet: t for t in schema.ALL_TABLES}
        for sheet in schema.SHEET_ORDER[1:]:
            if sheet == schema.QUOTE_SHEET:
                add_quote_sheet(book, inputs)
                continue
            table = by_sheet[sheet]
            _add_table_sheet(book, table, tables[table.name], formats, tables)
        _add_xlwings_conf(book)
    finally:
        book.close()


def _rows_per_table(data: Mapping[str, Rows]) -> dict[str, Rows]:
    """Rows for every schema table: `data` where given, else defaults, else none."""
    known = {t.name: t for t in schema.ALL_TABLES}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValueError(f"unknown table(s) {unknown}; expected some of {sorted(known)}")
    for name, rows in data.items():
        _check_headers(known[name], rows)
    merged: dict[str, Rows] = {name: [] for name in known}
    merged.update(default_rows())
    merged.update(data)
    return merged


def _check_headers(table: Table, rows: Rows) -> None:
    headers = set(table.headers)
    for i, row in enumerate(rows):
        extra = sorted(set(row) - headers)
        if extra:
            raise ValueError(f"{table.name} row {i + 1}: unknown column(s) {extra}")


# --- Table sheets ---------------------------------------------------------------------------------


# Generated sheets with many columns keep the customer in view while they scroll right.
_KEEP_IN_VIEW = schema.COL_CUSTOMER


def frozen_columns(table: Table) -> int:
    """How many columns stay in view: a generated table's columns up to its Customer, else none
    (the header row always stays)."""
    headers = table.headers
    if table.generated and _KEEP_IN_VIEW in headers:
        return headers.index(_KEEP_IN_VIEW) + 1
    return 0


def _add_table_sheet(
    book: Workbook,
    table: Table,
    rows: Rows,
    formats: _Formats,
    tables: Mapping[str, Rows] | None = None,
) -> None:
    ws = book.add_worksheet(table.sheet)
    ws.set_tab_color(GENERATED_TAB_COLOUR if table.generated else INPUT_TAB_COLOUR)
    ws.freeze_panes(1, frozen_columns(table))
    _set_columns(ws, table, formats)
    _add_table(ws, table, len(rows), formats)
    _write_rows(ws, table, rows, formats)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    add_page_header(ws)
    if table.generated:
        add_typing_guard(ws)
    if not table.generated:
        last_row = max(VALIDATED_LAST_ROW - 1, len(rows))
        for col, column in enumerate(table.columns):
            _validate_column(ws, col, last_row, column)
    if table is schema.SETTINGS:
        _add_settings_extras(ws, rows, formats)
    if table in (schema.PRODUCTS, schema.ANNUAL_PRICES, schema.IMPORT_PROFILES):
        _add_example_marker(ws, table, rows, formats)
    if table in (schema.PRODUCTS, schema.ANNUAL_PRICES):
        _add_currency_note(ws, table, (tables or {}).get(schema.SETTINGS.name, ()), formats)
    if table is schema.PRODUCTS:
        _add_distinct_lists(ws, rows, formats)
    if table.name in _LOOKED_UP:
        _add_looked_up_names(ws, table, len(rows), tables or {}, formats)
    if table is schema.IMPORT_PROFILES:
        _add_import_request(ws, formats)
    if table is schema.COMPARISON:
        _add_comparison_chart(book, ws, formats)
    if table is schema.RECONCILIATION:
        _add_reconciliation_side(book, ws, formats)
    if table is schema.BILLING:
        add_billing_look(book, ws)
    if table is schema.CHECKS:
        add_checks_look(book, ws)


def _add_reconciliation_side(book: Workbook, ws: Worksheet, formats: _Formats) -> None:
    """Beside the Reconciliation table: the month per product (which the chart plots) and the
    run's summary, written by `reconcile`; the chart's ranges start on the one blank row and
    every reconcile stretches them over the products it writes."""
    side = len(schema.RECONCILIATION.columns) + 1  # one blank column between table and block
    headers = schema.RECONCILIATION_SIDE_HEADERS
    money = formats.number(with_currency(schema.FMT_MONEY))
    ws.set_column(side - 1, side - 1, 3)
    for i, header in enumerate(headers):
        width = 22 if header in schema.RECONCILIATION_LABEL_SIDE else 15
        fmt = money if header in schema.RECONCILIATION_MONEY_SIDE else None
        if header == "Rows":
            width, fmt = 8, formats.number(schema.FMT_WHOLE)
        ws.set_column(side + i, side + i, width, fmt)
        ws.write(0, side + i, header, formats.table_header)
    sheet = schema.RECONCILIATION.sheet
    chart = book.add_chart({"type": "column"})
    for offset, colour in ((1, "#C0504D"), (2, "#4F81BD"), (3, "#9BBB59")):
        chart.add_series(
            {
                "name": [sheet, 0, side + offset],
                "categories": [sheet, 1, side, 1, side],
                "values": [sheet, 1, side + offset, 1, side + offset],
                "fill": {"color": colour},
            }
        )
    chart.set_title({"name": "Vendor charged vs billed, per product", "name_font": {"size": 12}})
    chart.set_y_axis({"num_format": schema.FMT_MONEY, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "top"})
    chart.set_size({"width": 720, "height": 360})
    ws.insert_chart(1, side + len(headers) + 1, chart)


def _add_comparison_chart(book: Workbook, ws: Worksheet, formats: _Formats) -> None:
    """Beside the Comparison table: the block of its largest savings (a label, MSP cost, the
    best annual cost, the saving; at most TOP_SAVINGS rows, largest first), and under the block
    a chart of horizontal bars setting MSP cost against the best annual cost for those rows.
    Its ranges cover the TOP_SAVINGS rows the block can fill; every recalculation makes them end
    at the block's last row."""
    side = len(schema.COMPARISON.columns) + 1  # one blank column between table and block
    headers = schema.COMPARISON_SIDE_HEADERS
    money = formats.number(with_currency(schema.FMT_MONEY))
    ws.set_column(side - 1, side - 1, 3)
    for i, header in enumerate(headers):
        if header in schema.COMPARISON_MONEY_SIDE:
            ws.set_column(side + i, side + i, 13, money)
        else:
            ws.set_column(side + i, side + i, 42)
        ws.write(0, side + i, header, formats.table_header)
    sheet = schema.COMPARISON.sheet
    last = TOP_SAVINGS  # 0-based index of the block's last possible row
    chart = book.add_chart({"type": "bar"})  # horizontal bars: long labels fit
    categories = [sheet, 1, side, last, side]
    for header, colour in zip(schema.COMPARISON_CHART_SIDE, ("#4F81BD", "#F79646"), strict=True):
        col = side + headers.index(header)
        chart.add_series(
            {
                "name": [sheet, 0, col],
                "categories": categories,
                "values": [sheet, 1, col, last, col],
                "fill": {"color": colour},
                "gap": 40,
                "data_labels": {
                    "value": True,
                    "num_format": schema.FMT_WHOLE,
                    "font": {"size": 8},
                },
            }
        )
    chart.set_title(
        {
            "name": f"The {TOP_SAVINGS} largest savings: MSP cost vs best annual (last 12 months)",
            "name_font": {"size": 12},
        }
    )
    chart.set_x_axis({"num_format": schema.FMT_WHOLE, "major_gridlines": {"visible": True}})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})  # largest saving at the top
    chart.set_legend({"position": "top"})
    chart.set_size({"width": 900, "height": 720})
    ws.insert_chart(last + 2, side, chart)  # under the block, one blank row between


def _set_columns(ws: Worksheet, table: Table, formats: _Formats) -> None:
    """Width and number format of every column, as a column style: new rows pick it up."""
    for col, column in enumerate(table.columns):
        number_format = shown_format(column, table)
        # Room for the currency after the amount (" EUR").
        width = column.width + (4 if number_format != column.number_format else 0)
        ws.set_column(col, col, width, formats.number(number_format))


def _add_table(ws: Worksheet, table: Table, n_rows: int, formats: _Formats) -> None:
    """The Excel table at A1; with no rows it holds one blank data row."""
    columns: list[dict[str, Any]] = []
    for column in table.columns:
        spec: dict[str, Any] = {"header": column.header}
        number = formats.number(shown_format(column, table))
        if number is not None:
            spec["format"] = number
        columns.append(spec)
    style = GENERATED_TABLE_STYLE if table.generated else INPUT_TABLE_STYLE
    last_row = max(n_rows, 1)
    ws.add_table(
        0,
        0,
        last_row,
        len(table.columns) - 1,
        {"name": table.name, "style": style, "columns": columns},
    )
    for col, column in enumerate(table.columns):
        if column.comment:
            ws.write_comment(0, col, column.comment)


def _write_rows(ws: Worksheet, table: Table, rows: Rows, formats: _Formats) -> None:
    for r, row in enumerate(rows, start=1):
        for col, column in enumerate(table.columns):
            value = row.get(column.header)
            write_value(ws, r, col, value, formats.number(shown_format(column, table)))


def _notes_column(table: Table) -> int:
    """Column of notes beside a table: one empty column between the table and the notes."""
    return len(table.columns) + 1


def _add_settings_extras(ws: Worksheet, rows: Rows, formats: _Formats) -> None:
    """Help beside each setting, the VAT rate's format and per-setting validations."""
    setting_header, value_header = schema.SETTINGS.headers
    specs = {s.name: s for s in schema.SETTINGS_SPEC}
    notes = _notes_column(schema.SETTINGS)
    ws.set_column(notes, notes, 70, formats.note)
    ws.write_string(0, notes, "What it means", formats.note_heading)
    for r, row in enumerate(rows, start=1):
        spec = specs.get(str(row.get(setting_header)))
        if spec is None:
            continue
        ws.write_string(r, notes, spec.help, formats.note)
        if spec.name == schema.SETTING_VAT_RATE:
            write_value(ws, r, 1, row.get(value_header), formats.vat_rate)
        ws.data_validation(r, 1, r, 1, _setting_validation(spec, r + 1))


def _setting_validation(spec: schema.SettingSpec, row: int) -> dict[str, Any]:
    options: dict[str, Any] = {"validate": "any"}
    if spec.name == schema.SETTING_MISSING_USAGE:
        options = _list_options(spec.name, schema.MISSING_USAGE)
    elif spec.name == schema.SETTING_LANGUAGE:
        options = _list_options(spec.name, schema.LANGUAGES)
    elif spec.name == schema.SETTING_CHART:
        options = _list_options(spec.name, schema.CHARTS_OF_ACCOUNTS)
    elif spec.name == schema.SETTING_COUNTRY:
        options = _list_options(spec.name, schema.COUNTRY_CODES, suggest=True)
    elif spec.name == schema.SETTING_PAYMENT_DAYS:
        options = number_options(spec.name, "integer", "a whole number of days >= 0")
    elif spec.name in schema.SETTING_RANGES:
        low, high, what = schema.SETTING_RANGES[spec.name]
        options = {
            "validate": "integer",
            "criteria": "between",
            "minimum": low,
            "maximum": high,
            **messages(spec.name, f"{what}, a whole number from {low} to {high}"),
        }
    elif spec.name == schema.SETTING_VAT_RATE:
        options = _fraction_options(spec.name)
    elif spec.name in schema.SETTING_FORMS:
        options = _form_options(schema.SETTING_FORMS[spec.name], f"B{row}", spec.name)
    options["input_title"] = spec.name[:32]
    options["input_message"] = spec.help[:255]
    return options


def _add_example_marker(ws: Worksheet, table: Table, rows: Rows, formats: _Formats) -> None:
    """The red banner above the notes. On Products and AnnualPrices a formula: it shows while
    any row still holds an example price and disappears by itself once all are replaced."""
    col = _notes_column(table)
    if table is schema.IMPORT_PROFILES:
        ws.write_string(0, col, EXAMPLE_PROFILES_MARKER, formats.marker)
    else:
        shown = any(_example_key(table, row) in _example_keys(table) for row in rows)
        formula = example_banner_formula(table)
        ws.write_formula(0, col, formula, formats.marker, EXAMPLE_MARKER if shown else "")
    ws.write_string(1, col, _EXAMPLE_EXPLANATION[table.name], formats.note)


# What makes a row an example row: its product, metric and example prices (Products: cost and
# price, so a row counts as replaced once either is the reseller's own; AnnualPrices: the tier's
# Min units and price, the same for every term).
_EXAMPLE_COLUMNS = {
    schema.PRODUCTS.name: (
        schema.COL_PRODUCT_ID,
        schema.COL_METRIC,
        schema.COL_COST_PER_UNIT,
        schema.COL_PRICE_PER_UNIT,
    ),
    schema.ANNUAL_PRICES.name: (
        schema.COL_PRODUCT_ID,
        schema.COL_METRIC,
        schema.COL_MIN_UNITS,
        schema.COL_PRICE_PER_UNIT_PER_YEAR,
    ),
}


def _example_keys(table: Table) -> list[tuple[str, str, Decimal, Decimal]]:
    if table is schema.PRODUCTS:
        return [
            (pid, metric, Decimal(cost), Decimal(price))
            for pid, _, metric, _, cost, price, _ in _EXAMPLE_PRODUCTS
        ]
    return [
        (pid, metric, Decimal(low), Decimal(price))
        for pid, metric, tiers in _EXAMPLE_TIERS
        for low, _, price in tiers
    ]


def _example_key(table: Table, row: Mapping[str, object]) -> tuple[object, ...]:
    values: list[object] = []
    for header in _EXAMPLE_COLUMNS[table.name]:
        value = row.get(header)
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            value = Decimal(str(value))
        values.append(value)
    return tuple(values)


def example_banner_formula(table: Table) -> str:
    """=IF(SUMPRODUCT(COUNTIFS(...))>0,banner,""): COUNTIFS counts, per example row, the table
    rows with its product, metric and both example numbers; Excel and LibreOffice compute it."""
    keys = _example_keys(table)
    criteria = []
    for i, header in enumerate(_EXAMPLE_COLUMNS[table.name]):
        items = [f'"{k[i]}"' if isinstance(k[i], str) else _number_text(k[i]) for k in keys]
        criteria.append(f"{table.name}[{header}],{{{','.join(items)}}}")
    return f'=IF(SUMPRODUCT(COUNTIFS({",".join(criteria)}))>0,"{EXAMPLE_MARKER}","")'


def _number_text(value: object) -> str:
    """A number as a formula spells it (always a dot, whatever the user's locale)."""
    return format(Decimal(str(value)).normalize(), "f")


def _setting_value(settings: Rows, name: str) -> object:
    setting, value = schema.SETTINGS.headers
    return next((row.get(value) for row in settings if row.get(setting) == name), None)


def _add_currency_note(ws: Worksheet, table: Table, settings: Rows, formats: _Formats) -> None:
    """Under the notes: the currency of the prices, live from Settings (amounts are formatted
    without a symbol, see schema.FMT_MONEY), and how to type a price in either Excel."""
    col = _notes_column(table)
    ws.set_column(col, col, _PRICE_NOTES_WIDTH)  # the notes fit in it, printed too
    setting, value = schema.SETTINGS.headers
    currency = (
        f"INDEX({schema.SETTINGS.name}[{value}],"
        f'MATCH("{schema.SETTING_CURRENCY}",{schema.SETTINGS.name}[{setting}],0))'
    )
    tail = " (Settings › Currency)"
    formula = f'=IFERROR("Preise in / prices in "&{currency}&"{tail}","")'
    code = _setting_value(settings, schema.SETTING_CURRENCY)
    cached = f"Preise in / prices in {code}{tail}" if code is not None else ""
    ws.write_formula(2, col, formula, formats.note_heading, cached)
    ws.write_string(3, col, _PRICE_TYPING, formats.note)


_PRICE_NOTES_WIDTH = 95
_PRICE_TYPING = "Preise tippen wie 2,40 (deutsches Excel) / type prices as 2.40 (English Excel)."


def _add_distinct_lists(ws: Worksheet, rows: Rows, formats: _Formats) -> None:
    """Hidden helper columns of the Products sheet: each repeating lookup source's values once,
    for the drop-downs (see sheet_look.DISTINCT_SOURCES)."""
    for source in DISTINCT_SOURCES:
        col = distinct_column(source)
        header = source[1]
        values: dict[str, str] = {}
        for row in rows:
            value = row.get(header)
            if value is not None and str(value).strip():
                values.setdefault(str(value).casefold(), str(value))
        listed = list(values.values())
        ws.write_string(0, col, f"{header} list (drop-downs)", formats.note_heading)
        for i in range(DISTINCT_ROWS):
            cached = listed[i] if i < len(listed) else ""
            formula = distinct_formula(source, i + 1)
            ws.write_array_formula(i + 1, col, i + 1, col, formula, None, cached)
        ws.set_column(col, col, 16, None, {"hidden": True})
    # The helper rows are not printed: the print area is the table and its notes.
    ws.print_area(0, 0, _LAST_ROW, _notes_column(schema.PRODUCTS))


# Beside Keys and Usage, outside their tables: names looked up from each row's codes, so a row
# shows whose key it is. Per side column: header, width, the lookup. Plain formulas that Excel and
# LibreOffice compute (INDEX/MATCH over the tables; this row's code by a [#This Row] reference,
# which survives rows moving up when archive takes Usage rows out); "" for an empty or unknown
# code. The program reads only the tables' own columns: these cells are never input.
_LOOKED_UP: dict[str, tuple[tuple[str, float, str], ...]] = {
    schema.KEYS.name: (
        (
            "Customer name",
            28,
            "INDEX(Customers[Customer],MATCH(Keys[[#This Row],[Customer ID]],"
            "Customers[Customer ID],0))",
        ),
        (
            "Product name",
            26,
            "INDEX(Products[Product],MATCH(Keys[[#This Row],[Product ID]],Products[Product ID],0))",
        ),
    ),
    schema.USAGE.name: (
        (
            "Customer name",
            28,
            "INDEX(Customers[Customer],MATCH(INDEX(Keys[Customer ID],MATCH("
            "Usage[[#This Row],[License key]],Keys[License key],0)),Customers[Customer ID],0))",
        ),
    ),
}
# The formulas reach this sheet row at least, and LOOKED_UP_ROOM rows below the last data row of
# a longer table, but never past LOOKED_UP_MAX_ROW (a large Usage sheet stays light to read).
LOOKED_UP_ROWS = 1000
LOOKED_UP_ROOM = 500
LOOKED_UP_MAX_ROW = 5000
_LAST_ROW = 1_048_574  # 0-based: the print area reaches (almost) the last row


def looked_up_last_row(n_rows: int) -> int:
    """The last sheet row (1-based) of the looked-up columns beside a table of n_rows rows."""
    return min(max(LOOKED_UP_ROWS, n_rows + 1 + LOOKED_UP_ROOM), LOOKED_UP_MAX_ROW)


def _add_looked_up_names(
    ws: Worksheet, table: Table, n_rows: int, tables: Mapping[str, Rows], formats: _Formats
) -> None:
    first = _notes_column(table)
    last_row = looked_up_last_row(n_rows)
    # Printing stops at the table's columns: the formulas' empty results down to last_row would
    # print as blank pages (Excel and LibreOffice count them as used cells).
    ws.print_area(0, 0, _LAST_ROW, len(table.columns) - 1)
    cached = _looked_up_values(table, tables)
    for i, (header, width, lookup) in enumerate(_LOOKED_UP[table.name]):
        col = first + i
        ws.set_column(col, col, width, formats.note)
        ws.write_string(0, col, header, formats.note_heading)
        ws.write_comment(
            0,
            col,
            f"Looked up from the codes of each row (not input: the program does not read it). "
            f"The formula reaches row {last_row}; for rows below, copy it down.",
            {"x_scale": 1.6, "y_scale": 0.8},
        )
        formula = f'=IFERROR({lookup}&"","")'
        values = cached[i]
        for r in range(1, last_row):
            value = values[r - 1] if r - 1 < len(values) else ""
            ws.write_formula(r, col, formula, formats.note, value)


def _looked_up_values(table: Table, tables: Mapping[str, Rows]) -> list[list[str]]:
    """What the looked-up formulas compute for the rows built, as their cached results (a
    spreadsheet showing cached values shows the names before any recalculation)."""

    def index(name: str, key: str, value: str) -> dict[str, str]:
        found: dict[str, str] = {}
        for row in tables.get(name, ()):
            code, result = row.get(key), row.get(value)
            if code is not None:
                found.setdefault(str(code).casefold(), "" if result is None else str(result))
        return found

    def get(found: Mapping[str, str], code: object) -> str:
        return "" if code is None else found.get(str(code).casefold(), "")

    customers = index(schema.CUSTOMERS.name, schema.COL_CUSTOMER_ID, schema.COL_CUSTOMER)
    rows = tables.get(table.name, ())
    if table is schema.KEYS:
        products = index(schema.PRODUCTS.name, schema.COL_PRODUCT_ID, schema.COL_PRODUCT)
        return [
            [get(customers, row.get(schema.COL_CUSTOMER_ID)) for row in rows],
            [get(products, row.get(schema.COL_PRODUCT_ID)) for row in rows],
        ]
    key_customers = index(schema.KEYS.name, schema.COL_LICENSE_KEY, schema.COL_CUSTOMER_ID)
    return [[get(customers, get(key_customers, row.get(schema.COL_LICENSE_KEY))) for row in rows]]


# Beside the ImportProfiles table: the row the "Import usage" button reads where Excel has no
# Open dialog (select its first cell, press the button).
IMPORT_REQUEST_HEADERS = (
    "Report file (full path; several: separate with ;)",
    schema.COL_PROFILE,
    schema.COL_MONTH,
)
IMPORT_REQUEST_ROW = 5  # 0-based: the headers; the cells to fill are on the next row


def _add_import_request(ws: Worksheet, formats: _Formats) -> None:
    col = _notes_column(schema.IMPORT_PROFILES)
    ws.set_column(col, col, 52)
    ws.set_column(col + 1, col + 2, 16)
    ws.write_string(IMPORT_REQUEST_ROW - 1, col, "Import usage in Excel", formats.note_heading)
    for i, header in enumerate(IMPORT_REQUEST_HEADERS):
        ws.write_string(IMPORT_REQUEST_ROW, col + i, header, formats.table_header)
        ws.write_blank(IMPORT_REQUEST_ROW + 1, col + i, None, formats.input_kind)
    ws.write_string(
        IMPORT_REQUEST_ROW + 2,
        col,
        "Where Excel shows no Open dialog (macOS), fill this row, select its first cell and "
        "press Import usage. Profile empty = standard; Month only for a profile without dates. "
        "On a server: msp-workbook import-usage.",
        formats.note,
    )


_EXAMPLE_EXPLANATION = {
    schema.PRODUCTS.name: (
        "Cost per unit: what GFI charges you per unit and month. "
        "Price per unit: what you charge your customer."
    ),
    schema.ANNUAL_PRICES.name: (
        "Your customer's annual subscription price per unit and year, as volume tiers "
        "(empty Max units = no upper limit)."
    ),
    schema.IMPORT_PROFILES.name: (
        "One row per column of a report: Field says what it holds, Column is the report's "
        "header. A report with one column per metric has a Quantity row per metric, naming "
        "it under Metric. Without a Date row, import with --month. The profile 'standard' is "
        "built in: the Usage headers Date, License key, Metric, Quantity."
    ),
}


# --- Data validation ------------------------------------------------------------------------------


def _define_lookup_names(book: Workbook) -> None:
    """Names such as CustomerIDs =Customers[Customer ID]: they follow the table as it grows.
    A repeating source (Product ID, Metric) names its helper list of distinct values instead."""
    for name, source in sorted(lookups().items()):
        book.define_name(name, lookup_source_formula(source))


def _validate_column(ws: Worksheet, col: int, last_row: int, column: Column) -> None:
    options = _column_validation(column)
    if column.form:
        options = _form_options(column.form, f"{xl_col_to_name(col)}2", column.header)
    if options is not None:
        ws.data_validation(1, col, last_row, col, options)


def _column_validation(column: Column) -> dict[str, Any] | None:
    """The data validation of an input column, or None where any text goes."""
    if column.lookup is not None:
        return _lookup_options(column)
    if column.choices:
        return _list_options(column.header, column.choices, suggest=column.suggest)
    if column.kind is Kind.WHOLE:
        return number_options(column.header, "integer", "a whole number >= 0")
    if column.kind is Kind.MONEY:
        return {
            **number_options(column.header, "decimal", _MONEY_EXPECTED),
            **prompt(column.header[:32], _MONEY_PROMPT),
        }
    if column.kind is Kind.PERCENT:
        return _fraction_options(column.header)
    if column.kind is Kind.DATE:
        return _date_options(column.header)
    return None


# Rough checks Excel makes as a value is typed (a warning: the program checks fully, check sums
# too). `{c}` is the first cell of the range; Excel moves it along the range.
_FORMS: dict[str, tuple[str, str]] = {
    "email": (
        '=OR({c}="",AND(ISNUMBER(FIND("@",{c})),ISNUMBER(FIND(".",{c},FIND("@",{c})))))',
        "an e-mail address, e.g. rechnung@example.de",
    ),
    "iban": (
        '=OR({c}="",AND(LEN(SUBSTITUTE({c}," ",""))>=15,LEN(SUBSTITUTE({c}," ",""))<=34,'
        "ISERROR(VALUE(LEFT({c},1))),ISERROR(VALUE(MID({c},2,1)))))",
        "an IBAN: two letters, then up to 32 digits and letters, e.g. DE02120300000000202051",
    ),
    "bic": (
        '=OR({c}="",OR(LEN(SUBSTITUTE({c}," ",""))=8,LEN(SUBSTITUTE({c}," ",""))=11))',
        "a BIC of 8 or 11 characters, e.g. COBADEFFXXX (optional)",
    ),
    "vat_id": (
        '=OR({c}="",AND(LEN({c})>=4,ISERROR(VALUE(LEFT({c},1))),ISERROR(VALUE(MID({c},2,1)))))',
        "a VAT ID starting with its country code, e.g. DE136695976",
    ),
    "debitor": (
        '=OR({c}="",AND(ISNUMBER(--{c}),--{c}>=10000,--{c}<=69999))',
        "a DATEV debitor account from 10000 to 69999, or empty (the export gives one)",
    ),
    "date": ('=OR({c}="",ISNUMBER({c}))', "ein Datum, z. B. 14.03.2025 / a date, e.g. 2025-03-14"),
    "creditor_id": (
        '=OR({c}="",AND(LEN(SUBSTITUTE({c}," ",""))>=8,LEN(SUBSTITUTE({c}," ",""))<=35,'
        "ISERROR(VALUE(LEFT({c},1))),ISERROR(VALUE(MID({c},2,1)))))",
        "a SEPA creditor ID starting with its country code, e.g. DE98ZZZ09999999999",
    ),
    "postcode": (
        '=OR({c}="",LEN({c})<=10)',
        "a postcode (at most 10 characters; a German one has five digits, e.g. 01067)",
    ),
}


def _form_options(form: str, cell: str, header: str) -> dict[str, Any]:
    formula, expected = _FORMS[form]
    return {
        "validate": "custom",
        "value": formula.format(c=cell),
        "error_type": "warning",
        "input_title": header[:32],
        "input_message": f"{header}: {expected}."[:255],
        **messages(header, expected),
    }


def _list_options(header: str, choices: Iterable[str], suggest: bool = False) -> dict[str, Any]:
    """A drop-down of fixed choices; with `suggest` the choices are suggestions: another value
    gets a warning the user may answer with Yes (the program accepts it)."""
    choices = list(choices)
    if suggest:
        return {
            "validate": "list",
            "source": choices,
            "error_type": "warning",
            **messages(header, "not in the list; choose Yes to keep it anyway"),
        }
    return {
        "validate": "list",
        "source": choices,
        **messages(header, "one of " + ", ".join(choices)),
    }


def _lookup_options(column: Column) -> dict[str, Any]:
    assert column.lookup is not None
    table, header = column.lookup
    return {
        "validate": "list",
        "source": "=" + lookup_name(header),
        "ignore_blank": True,
        # A warning, not a stop: the referenced row may be added after this one.
        "error_type": "warning",
        "error_title": column.header[:32],
        "error_message": (
            f"{column.header}: a {header} from the {table} sheet. "
            f"This one is not there yet: add it on {table}, or choose Yes to keep it anyway."
        )[:255],
    }


def _fraction_options(header: str) -> dict[str, Any]:
    return {
        "validate": "decimal",
        "criteria": "between",
        "minimum": 0,
        "maximum": _MAX_FRACTION,
        **messages(header, _PERCENT_EXPECTED),
        **prompt(header[:32], _PERCENT_PROMPT),
    }


def _date_options(header: str) -> dict[str, Any]:
    return {
        "validate": "date",
        "criteria": ">=",
        "value": datetime.combine(_EARLIEST_DATE, datetime.min.time()),
        **messages(header, _DATE_EXPECTED),
        **prompt(header[:32], _DATE_PROMPT),
    }


# What a German and an English Excel user type: German first, then English. No example with a
# decimal point alone (German Excel turns 2.40 into a date) and none with a comma alone. Dates:
# ISO 2026-10-31 is read as a date by Excel in every language; German users know 31.10.2026.
_MONEY_EXPECTED = "ein Betrag >= 0 / an amount >= 0"
_MONEY_PROMPT = (
    "Betrag >= 0, z. B. 2,40 (deutsches Excel). Währung: Settings › Currency.\n"
    "Amount >= 0, e.g. 2.40 (English Excel). Currency: Settings › Currency."
)
_PERCENT_EXPECTED = "Prozent von 0 bis unter 100 % / a percentage from 0 to below 100 %"
_PERCENT_PROMPT = (
    "In Prozent tippen, z. B. 5% (leer = 0 %).\nType it as a percentage, e.g. 5% (empty = 0 %)."
)
_DATE_EXPECTED = "ein Datum ab 01.01.2000 / a date from 2000-01-01 on"
_DATE_PROMPT = "Datum, z. B. 31.10.2026 (oder 2026-10-31).\nA date, e.g. 2026-10-31 (in any Excel)."


# --- xlwings settings ----------------------------------------------------------------------------

# The hidden sheet the classic xlwings add-in reads its settings from (keys in A, values in B).
XLWINGS_CONF_SHEET = "xlwings.conf"
XLWINGS_CONF: tuple[tuple[str, str], ...] = (
    ("Interpreter_Win", r"%USERPROFILE%\msp-workbook\.venv\Scripts\pythonw.exe"),
    ("Interpreter_Mac", "$HOME/msp-workbook/.venv/bin/python"),
    ("PYTHONPATH", ""),
    ("UDF Modules", "msp_workbook.excel.udfs"),
)


def _add_xlwings_conf(book: Workbook) -> None:
    ws = book.add_worksheet(XLWINGS_CONF_SHEET)
    for row, (key, value) in enumerate(XLWINGS_CONF):
        ws.write_string(row, 0, key)
        if value:
            ws.write_string(row, 1, value)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 50)
    ws.hide()
