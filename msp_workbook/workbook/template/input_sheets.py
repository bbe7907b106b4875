"""What the input sheets hold beside their tables: the help beside each setting, the
currency of the prices beside Products and AnnualPrices, the names looked up beside Keys and
Usage, and the row the "Import usage" button reads beside ImportProfiles. (Their drop-downs:
`data_validations` and `drop_down_lists`; the example banner: `default_rows`.)"""

from __future__ import annotations

from collections.abc import Mapping

from xlsxwriter.worksheet import Worksheet

from .. import schema
from ..schema import Table
from .data_validations import setting_validation
from .look import LAST_ROW, Formats, Rows, notes_column, write_value


def add_settings_extras(ws: Worksheet, rows: Rows, formats: Formats) -> None:
    """Help beside each setting, the VAT rate's format and per-setting validations."""
    setting_header, value_header = schema.SETTINGS.headers
    specs = {s.name: s for s in schema.SETTINGS_SPEC}
    notes = notes_column(schema.SETTINGS)
    ws.set_column(notes, notes, 70, formats.note)
    ws.write_string(0, notes, "What it means", formats.note_heading)
    for r, row in enumerate(rows, start=1):
        spec = specs.get(str(row.get(setting_header)))
        if spec is None:
            continue
        ws.write_string(r, notes, spec.help, formats.note)
        if spec.name == schema.SETTING_VAT_RATE:
            write_value(ws, r, 1, row.get(value_header), formats.vat_rate)
        ws.data_validation(r, 1, r, 1, setting_validation(spec, r + 1))


def _setting_value(settings: Rows, name: str) -> object:
    setting, value = schema.SETTINGS.headers
    return next((row.get(value) for row in settings if row.get(setting) == name), None)


def add_currency_note(ws: Worksheet, table: Table, settings: Rows, formats: Formats) -> None:
    """Under the notes: the currency of the prices, live from Settings (amounts are formatted
    without a symbol, see schema.FMT_MONEY), and how to type a price in either Excel."""
    col = notes_column(table)
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


# Beside Keys and Usage, outside their tables: names looked up from each row's codes, so a row
# shows whose key it is. Per side column: header, width, the lookup. Plain formulas that Excel and
# LibreOffice compute (INDEX/MATCH over the tables; this row's code by a [#This Row] reference,
# which survives rows moving up when archive takes Usage rows out); "" for an empty or unknown
# code. The program reads only the tables' own columns: these cells are never input.
LOOKED_UP: dict[str, tuple[tuple[str, float, str], ...]] = {
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


def looked_up_last_row(n_rows: int) -> int:
    """The last sheet row (1-based) of the looked-up columns beside a table of n_rows rows."""
    return min(max(LOOKED_UP_ROWS, n_rows + 1 + LOOKED_UP_ROOM), LOOKED_UP_MAX_ROW)


def add_looked_up_names(
    ws: Worksheet, table: Table, n_rows: int, tables: Mapping[str, Rows], formats: Formats
) -> None:
    """The LOOKED_UP columns beside Keys or Usage, down to `looked_up_last_row`."""
    first = notes_column(table)
    last_row = looked_up_last_row(n_rows)
    # Printing stops at the table's columns: the formulas' empty results down to last_row would
    # print as blank pages (Excel and LibreOffice count them as used cells).
    ws.print_area(0, 0, LAST_ROW, len(table.columns) - 1)
    cached = _looked_up_values(table, tables)
    for i, (header, width, lookup) in enumerate(LOOKED_UP[table.name]):
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


def add_import_request(ws: Worksheet, formats: Formats) -> None:
    """The import request row beside ImportProfiles: headers, blank input cells, a note."""
    col = notes_column(schema.IMPORT_PROFILES)
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
