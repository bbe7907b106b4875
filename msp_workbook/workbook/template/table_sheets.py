"""A sheet per schema table: the Excel table at A1 with its columns' widths and number
formats, the rows, frozen panes, tab colour and print setup; then what a particular sheet has
beside its table (input sheets: validations, notes, helper columns; generated sheets: their
look, side blocks and charts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import schema
from ..money_format import shown_format
from ..schema import Table
from .data_validations import VALIDATED_LAST_ROW, validate_column
from .default_rows import add_example_marker
from .drop_down_lists import add_distinct_lists
from .generated_charts import add_comparison_chart, add_reconciliation_side
from .generated_look import add_billing_look, add_checks_look, add_page_header, add_typing_guard
from .input_sheets import (
    LOOKED_UP,
    add_currency_note,
    add_import_request,
    add_looked_up_names,
    add_settings_extras,
)
from .look import GENERATED_TAB_COLOUR, INPUT_TAB_COLOUR, Formats, Rows, write_value

INPUT_TABLE_STYLE = schema.INPUT_TABLE_STYLE
GENERATED_TABLE_STYLE = schema.GENERATED_TABLE_STYLE

# Generated sheets with many columns keep the customer in view while they scroll right.
_KEEP_IN_VIEW = schema.COL_CUSTOMER


def frozen_columns(table: Table) -> int:
    """How many columns stay in view: a generated table's columns up to its Customer, else none
    (the header row always stays)."""
    headers = table.headers
    if table.generated and _KEEP_IN_VIEW in headers:
        return headers.index(_KEEP_IN_VIEW) + 1
    return 0


def add_table_sheet(
    book: Workbook,
    table: Table,
    rows: Rows,
    formats: Formats,
    tables: Mapping[str, Rows] | None = None,
) -> None:
    """The sheet of `table` with these rows; `tables` (every table's rows) gives what the notes
    beside it show before any recalculation (the Settings currency, looked-up names)."""
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
            validate_column(ws, col, last_row, column)
    if table is schema.SETTINGS:
        add_settings_extras(ws, rows, formats)
    if table in (schema.PRODUCTS, schema.ANNUAL_PRICES, schema.IMPORT_PROFILES):
        add_example_marker(ws, table, rows, formats)
    if table in (schema.PRODUCTS, schema.ANNUAL_PRICES):
        add_currency_note(ws, table, (tables or {}).get(schema.SETTINGS.name, ()), formats)
    if table is schema.PRODUCTS:
        add_distinct_lists(ws, rows, formats)
    if table.name in LOOKED_UP:
        add_looked_up_names(ws, table, len(rows), tables or {}, formats)
    if table is schema.IMPORT_PROFILES:
        add_import_request(ws, formats)
    if table is schema.COMPARISON:
        add_comparison_chart(book, ws, formats)
    if table is schema.RECONCILIATION:
        add_reconciliation_side(book, ws, formats)
    if table is schema.BILLING:
        add_billing_look(book, ws)
    if table is schema.CHECKS:
        add_checks_look(book, ws)


def _set_columns(ws: Worksheet, table: Table, formats: Formats) -> None:
    """Width and number format of every column, as a column style: new rows pick it up."""
    for col, column in enumerate(table.columns):
        number_format = shown_format(column, table)
        # Room for the currency after the amount (" EUR").
        width = column.width + (4 if number_format != column.number_format else 0)
        ws.set_column(col, col, width, formats.number(number_format))


def _add_table(ws: Worksheet, table: Table, n_rows: int, formats: Formats) -> None:
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


def _write_rows(ws: Worksheet, table: Table, rows: Rows, formats: Formats) -> None:
    for r, row in enumerate(rows, start=1):
        for col, column in enumerate(table.columns):
            value = row.get(column.header)
            write_value(ws, r, col, value, formats.number(shown_format(column, table)))
