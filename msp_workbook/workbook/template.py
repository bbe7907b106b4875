"""Build the billing workbook from the schema with XlsxWriter.

Everything about sheets, tables, columns, formats and drop-down sources comes from `schema`; this
module only decides how the workbook looks: the Start page, table styles, tab colours, notes beside
tables and the data validation messages.

The same builder makes the committed template (`templates/MSP_Billing.xlsx`, rebuilt by
`scripts/build_template.py`), the demo workbook and the workbooks tests feed examples into. Builds
are deterministic: the same input gives a byte-identical file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from math import ceil
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from msp_workbook.workbook import schema
from msp_workbook.workbook.schema import Column, Kind, Table

TEMPLATE_PATH: Path = Path(__file__).resolve().parents[2] / "templates" / "MSP_Billing.xlsx"

# Input validations cover the data rows down to this Excel row, so rows added later are covered.
VALIDATED_LAST_ROW = 100_000

INPUT_TABLE_STYLE = "Table Style Medium 2"
GENERATED_TABLE_STYLE = "Table Style Medium 1"
INPUT_TAB_COLOUR = "#4F81BD"
GENERATED_TAB_COLOUR = "#808080"
START_TAB_COLOUR = "#9BBB59"
QUOTE_TAB_COLOUR = "#F79646"
QUOTE_FILL = "#FDE9D9"
INPUT_FILL = "#DCE6F1"
GENERATED_FILL = "#E7E7E7"

EXAMPLE_MARKER = "EXAMPLE PRICES — replace with your own GFI price list and your selling prices"
FMT_VAT_RATE = "0.00"

# A fixed creation time keeps builds byte-identical (XlsxWriter fixes the zip timestamps itself).
_CREATED = datetime(2026, 1, 1, 0, 0, 0)
_EARLIEST_DATE = date(2000, 1, 1)
_MAX_FRACTION = 0.9999

Rows = Sequence[Mapping[str, object]]


# --- Default rows ---------------------------------------------------------------------------------

# (Product ID, Product, Metric, Aggregation, Cost per unit, Price per unit, Minimum units)
_EXAMPLE_PRODUCTS: tuple[tuple[str, str, str, str, str, str, int], ...] = (
    ("KC-MSP", "GFI KerioConnect AI MSP", "mailboxes", "max", "1.60", "2.40", 5),
    ("KCTL-MSP", "GFI KerioControl AI MSP", "users", "max", "1.20", "1.85", 0),
    ("KOP-MSP", "GFI KerioOperator MSP", "users", "max", "1.50", "2.25", 0),
    ("LG-MSP", "GFI LanGuard MSP", "nodes", "max", "0.60", "0.95", 10),
    ("LG-MSP", "GFI LanGuard MSP", "scans", "sum", "0.02", "0.03", 0),
)

# Annual volume tiers per (Product ID, Metric): (Min units, Max units or None, price per unit per
# year). Every term of 1..5 years uses the same yearly rate (no multi-year discount).
_EXAMPLE_TIERS: tuple[tuple[str, str, tuple[tuple[int, int | None, str], ...]], ...] = (
    (
        "KC-MSP",
        "mailboxes",
        ((5, 24, "30.00"), (25, 49, "27.00"), (50, 249, "24.00"), (250, None, "21.00")),
    ),
    (
        "KCTL-MSP",
        "users",
        ((5, 24, "24.00"), (25, 49, "21.60"), (50, 249, "19.20"), (250, None, "16.80")),
    ),
    (
        "KOP-MSP",
        "users",
        ((5, 24, "27.00"), (25, 49, "24.30"), (50, 249, "21.60"), (250, None, "18.90")),
    ),
    ("LG-MSP", "nodes", ((10, 49, "11.00"), (50, 249, "9.90"), (250, None, "8.80"))),
)
_TERMS = (1, 2, 3, 4, 5)


def default_rows() -> dict[str, list[dict[str, object]]]:
    """The template's default rows of Settings, Products and AnnualPrices, keyed by column header.

    Products and AnnualPrices hold example prices that the reseller replaces with its own.
    """
    return {
        schema.SETTINGS.name: _default_settings(),
        schema.PRODUCTS.name: _default_products(),
        schema.ANNUAL_PRICES.name: _default_annual_prices(),
    }


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
    inputs = _quote_inputs(quote_inputs or {})
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
        _add_start_sheet(book, formats)
        by_sheet = {t.sheet: t for t in schema.ALL_TABLES}
        for sheet in schema.SHEET_ORDER[1:]:
            if sheet == schema.QUOTE_SHEET:
                _add_quote_sheet(book, inputs, formats)
                continue
            table = by_sheet[sheet]
            _add_table_sheet(book, table, tables[table.name], formats)
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


def _add_table_sheet(book: Workbook, table: Table, rows: Rows, formats: _Formats) -> None:
    ws = book.add_worksheet(table.sheet)
    ws.set_tab_color(GENERATED_TAB_COLOUR if table.generated else INPUT_TAB_COLOUR)
    ws.freeze_panes(1, 0)
    _set_columns(ws, table, formats)
    _add_table(ws, table, len(rows), formats)
    _write_rows(ws, table, rows, formats)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    if not table.generated:
        last_row = max(VALIDATED_LAST_ROW - 1, len(rows))
        for col, column in enumerate(table.columns):
            _validate_column(ws, col, last_row, column)
    if table is schema.SETTINGS:
        _add_settings_extras(ws, rows, formats)
    if table in (schema.PRODUCTS, schema.ANNUAL_PRICES):
        _add_example_marker(ws, table, formats)


def _set_columns(ws: Worksheet, table: Table, formats: _Formats) -> None:
    """Width and number format of every column, as a column style: new rows pick it up."""
    for col, column in enumerate(table.columns):
        ws.set_column(col, col, column.width, formats.number(column.number_format))


def _add_table(ws: Worksheet, table: Table, n_rows: int, formats: _Formats) -> None:
    """The Excel table at A1; with no rows it holds one blank data row."""
    columns: list[dict[str, Any]] = []
    for column in table.columns:
        spec: dict[str, Any] = {"header": column.header}
        number = formats.number(column.number_format)
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
            _write_value(ws, r, col, value, formats.number(column.number_format))


def _write_value(ws: Worksheet, row: int, col: int, value: object, fmt: Format | None) -> None:
    """One cell: numbers as numbers, dates as Excel dates, text as text (never a formula)."""
    if value is None:
        return
    if isinstance(value, bool):
        raise TypeError(f"cell {row + 1},{col + 1}: booleans are not a workbook value")
    if isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, int | float | Decimal):
        ws.write_number(row, col, float(value), fmt)
    elif isinstance(value, date):  # datetime is a date too
        ws.write_datetime(row, col, value, fmt)
    else:
        raise TypeError(f"cell {row + 1},{col + 1}: unsupported value {value!r}")


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
            _write_value(ws, r, 1, row.get(value_header), formats.vat_rate)
        ws.data_validation(r, 1, r, 1, _setting_validation(spec))


def _setting_validation(spec: schema.SettingSpec) -> dict[str, Any]:
    options: dict[str, Any] = {"validate": "any"}
    if spec.name == schema.SETTING_MISSING_USAGE:
        options = _list_options(spec.name, schema.MISSING_USAGE)
    elif spec.name == schema.SETTING_VAT_RATE:
        options = _fraction_options(spec.name)
    options["input_title"] = spec.name[:32]
    options["input_message"] = spec.help[:255]
    return options


def _add_example_marker(ws: Worksheet, table: Table, formats: _Formats) -> None:
    col = _notes_column(table)
    ws.write_string(0, col, EXAMPLE_MARKER, formats.marker)
    ws.write_string(1, col, _EXAMPLE_EXPLANATION[table.name], formats.note)


_EXAMPLE_EXPLANATION = {
    schema.PRODUCTS.name: (
        "Cost per unit: what GFI charges you per unit and month. "
        "Price per unit: what you charge your customer."
    ),
    schema.ANNUAL_PRICES.name: (
        "Your customer's annual subscription price per unit and year, as volume tiers "
        "(empty Max units = no upper limit)."
    ),
}


# --- Data validation ------------------------------------------------------------------------------


def lookup_name(header: str) -> str:
    """Workbook name of a lookup source column's values, e.g. "Customer ID" -> CustomerIDs."""
    words = re.sub(r"[^0-9A-Za-z ]", "", header).split()
    return "".join(w[:1].upper() + w[1:] for w in words) + "s"


def _lookups() -> dict[str, tuple[str, str]]:
    """Every lookup source of the schema by its workbook name."""
    names: dict[str, tuple[str, str]] = {}
    for table in schema.INPUT_TABLES:
        for column in table.columns:
            if column.lookup is None:
                continue
            name = lookup_name(column.lookup[1])
            if names.setdefault(name, column.lookup) != column.lookup:
                raise ValueError(f"lookup name {name} is used for two sources")
    return names


def _define_lookup_names(book: Workbook) -> None:
    """Names such as CustomerIDs =Customers[Customer ID]: they follow the table as it grows."""
    for name, (table, header) in sorted(_lookups().items()):
        book.define_name(name, f"={table}[{header}]")


def _validate_column(ws: Worksheet, col: int, last_row: int, column: Column) -> None:
    options = _column_validation(column)
    if options is not None:
        ws.data_validation(1, col, last_row, col, options)


def _column_validation(column: Column) -> dict[str, Any] | None:
    """The data validation of an input column, or None where any text goes."""
    if column.lookup is not None:
        return _lookup_options(column)
    if column.kind is Kind.CHOICE:
        return _list_options(column.header, column.choices)
    if column.kind is Kind.WHOLE:
        return _number_options(column.header, "integer", "a whole number >= 0")
    if column.kind is Kind.MONEY:
        return _number_options(column.header, "decimal", "an amount >= 0, e.g. 2.40")
    if column.kind is Kind.PERCENT:
        return _fraction_options(column.header)
    if column.kind is Kind.DATE:
        return _date_options(column.header)
    return None


def _messages(header: str, expected: str) -> dict[str, Any]:
    return {
        "error_title": header[:32],
        "error_message": f"{header}: {expected}."[:255],
    }


def _list_options(header: str, choices: Iterable[str]) -> dict[str, Any]:
    choices = list(choices)
    return {
        "validate": "list",
        "source": choices,
        **_messages(header, "one of " + ", ".join(choices)),
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


def _number_options(header: str, validate: str, expected: str) -> dict[str, Any]:
    return {
        "validate": validate,
        "criteria": ">=",
        "value": 0,
        **_messages(header, expected),
    }


def _fraction_options(header: str) -> dict[str, Any]:
    return {
        "validate": "decimal",
        "criteria": "between",
        "minimum": 0,
        "maximum": _MAX_FRACTION,
        **_messages(header, "a fraction from 0 to 0.9999 (10 % = 0.1)"),
    }


def _date_options(header: str) -> dict[str, Any]:
    return {
        "validate": "date",
        "criteria": ">=",
        "value": datetime.combine(_EARLIEST_DATE, datetime.min.time()),
        **_messages(header, "a date, e.g. 2026-10-31, not before 2000-01-01"),
    }


# --- Start sheet ----------------------------------------------------------------------------------

_START_WIDTHS = (4, 16, 34, 90)  # A: step numbers, B: sheet, C: kind, D: purpose
_LINE_HEIGHT = 15.0

_INTRO = (
    "Bills your customers every month, in arrears, for the GFI MSP licenses you run for them: "
    "KerioConnect AI, KerioControl AI, KerioOperator and LanGuard.",
    "You keep the customers, license keys and usage readings; a recalculation turns them into "
    "billing lines, invoices and checks for the billing month (see Settings).",
    "Blue tabs hold your data. Grey tabs are generated: do not edit them. "
    "The orange Quote tab compares MSP monthly with an annual subscription for a prospect.",
)

_STEPS: tuple[tuple[str, str], ...] = (
    (
        "Keep Customers, Keys and Usage up to date: new customers, new or ended keys, "
        "and the month's usage readings.",
        "",
    ),
    (
        "Recalculate: press the button in Excel, or on a server run",
        "msp-workbook recalc MSP_Billing.xlsx",
    ),
    (
        "Open Checks and fix everything listed as error (it names the sheet and cell), "
        "then recalculate again.",
        "",
    ),
    ("Review Billing and Invoices.", ""),
    (
        "Close the month once it is final (it is then kept on Ledger and never changes):",
        "msp-workbook close MSP_Billing.xlsx --month YYYY-MM",
    ),
)

_FIRST_TIME = (
    "Before the first month: fill in Settings. Products and AnnualPrices hold EXAMPLE prices: "
    "replace them with your own GFI price list and your selling prices."
)

_KIND_INPUT = "Your data"
_KIND_GENERATED = "Generated — do not edit, rewritten every recalculation"
_KIND_LEDGER = "Generated — do not edit; months are added when you close them"
_KIND_QUOTE = "Live quote — type in its blue cells"


def _add_start_sheet(book: Workbook, formats: _Formats) -> None:
    ws = book.add_worksheet(schema.START_SHEET)
    ws.set_tab_color(START_TAB_COLOUR)
    ws.hide_gridlines(2)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    for col, width in enumerate(_START_WIDTHS):
        ws.set_column(col, col, width)
    ws.set_row(0, 30)
    ws.write_string(0, 0, "MSP Billing for GFI MSP products", formats.title)
    row = 2
    for line in _INTRO:
        _write_paragraph(ws, row, 0, line, formats.text)
        row += 1
    row = _write_steps(ws, row + 1, formats)
    _write_paragraph(ws, row + 1, 0, _FIRST_TIME, formats.warning)
    _write_sheet_list(ws, row + 3, formats)


def _write_steps(ws: Worksheet, row: int, formats: _Formats) -> int:
    """The monthly workflow; returns the next free row."""
    ws.write_string(row, 0, "Every month", formats.heading)
    row += 1
    for number, (text, command) in enumerate(_STEPS, start=1):
        ws.write_string(row, 0, f"{number}.", formats.step_number)
        _write_paragraph(ws, row, 1, text, formats.text)
        row += 1
        if command:
            ws.write_string(row, 1, command, formats.code)
            row += 1
    return row


def _write_sheet_list(ws: Worksheet, row: int, formats: _Formats) -> None:
    """The sheets with their purpose, each name a link to its sheet."""
    ws.write_string(row, 0, "The sheets", formats.heading)
    row += 1
    for col, header in enumerate(("Sheet", "Kind", "Purpose"), start=1):
        ws.write_string(row, col, header, formats.table_header)
    by_sheet = {t.sheet: t for t in schema.ALL_TABLES}
    for sheet in schema.SHEET_ORDER[1:]:
        row += 1
        if sheet == schema.QUOTE_SHEET:
            kind, kind_format, purpose = _KIND_QUOTE, formats.quote_kind, QUOTE_PURPOSE
        else:
            table = by_sheet[sheet]
            kind, kind_format = _sheet_kind(table, formats)
            purpose = table.purpose
        ws.write_url(row, 1, f"internal:'{sheet}'!A1", formats.link, sheet)
        ws.write_string(row, 2, kind, kind_format)
        ws.write_string(row, 3, purpose, formats.text)
        lines = max(_line_count(kind, _START_WIDTHS[2]), _line_count(purpose, _START_WIDTHS[3]))
        ws.set_row(row, lines * _LINE_HEIGHT)


def _sheet_kind(table: Table, formats: _Formats) -> tuple[str, Format]:
    if not table.generated:
        return _KIND_INPUT, formats.input_kind
    if table is schema.LEDGER:
        return _KIND_LEDGER, formats.generated_kind
    return _KIND_GENERATED, formats.generated_kind


def _write_paragraph(ws: Worksheet, row: int, first_col: int, text: str, fmt: Format) -> None:
    """Wrapped text across the columns from `first_col` to D, with a row tall enough for it."""
    last_col = len(_START_WIDTHS) - 1
    width = sum(_START_WIDTHS[first_col:])
    ws.merge_range(row, first_col, row, last_col, text, fmt)
    ws.set_row(row, _line_count(text, width) * _LINE_HEIGHT)


def _line_count(text: str, width: float) -> int:
    """Lines a wrapped text needs in a column `width` characters wide.

    Conservative: a width unit holds about one average character of the default font, so rows
    come out tall enough in Excel and LibreOffice alike (merged cells do not grow by themselves).
    """
    per_line = max(1, int(width) - 2)
    return max(1, ceil(len(text) / per_line))
