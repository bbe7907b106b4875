"""Build the billing workbook from the schema with XlsxWriter: the Start sheet, a sheet per
table and the Quote sheet in the schema's sheet order, then the hidden xlwings settings.

The same builder makes the committed template (`templates/MSP_Billing.xlsx`, rebuilt by
`scripts/build_template.py`), the demo workbook and the workbooks tests feed examples into. Builds
are deterministic: the same input gives a byte-identical file.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import xlsxwriter

from .. import schema
from ..schema import Table
from .default_rows import default_rows
from .drop_down_lists import define_lookup_names
from .look import Formats, Rows
from .quote_sheet import add_quote_sheet, quote_input_values
from .start_sheet import add_start_sheet
from .table_sheets import add_table_sheet
from .xlwings_conf import add_xlwings_conf

TEMPLATE_PATH: Path = Path(__file__).resolve().parents[3] / "templates" / "MSP_Billing.xlsx"

# A fixed creation time keeps builds byte-identical (XlsxWriter fixes the zip timestamps itself).
_CREATED = datetime(2026, 1, 1, 0, 0, 0)


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
        formats = Formats(book)
        define_lookup_names(book)
        add_start_sheet(book, formats)
        by_sheet = {t.sheet: t for t in schema.ALL_TABLES}
        for sheet in schema.SHEET_ORDER[1:]:
            if sheet == schema.QUOTE_SHEET:
                add_quote_sheet(book, inputs)
                continue
            table = by_sheet[sheet]
            add_table_sheet(book, table, tables[table.name], formats, tables)
        add_xlwings_conf(book)
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
