"""Typing into a workbook's input sheets as a user would (openpyxl), and reading its Invoices
back, for tests of what recalc and close do with the change."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from workbook_tables import table_rows


def set_setting(path: Path, name: str, value: object) -> str:
    """Type a setting's value; returns its cell (B12)."""
    book = openpyxl.load_workbook(path)
    sheet = book["Settings"]
    [row] = [r for r in sheet.iter_rows(min_row=2) if r[0].value == name]
    row[1].value = value
    book.save(path)
    return row[1].coordinate


def set_cells(path: Path, sheet_name: str, values: dict[str, object]) -> None:
    """Type values into cells of a sheet ({"D4": 50})."""
    book = openpyxl.load_workbook(path)
    sheet = book[sheet_name]
    for ref, value in values.items():
        sheet[ref] = value
    book.save(path)


def set_customer(path: Path, customer_id: str, **values: object) -> None:
    """Type into the Customers sheet: keyword = header with spaces as _ (VAT_ID)."""
    book = openpyxl.load_workbook(path)
    sheet = book["Customers"]
    headers = [c.value for c in sheet[1]]
    [row] = [r for r in sheet.iter_rows(min_row=2) if r[0].value == customer_id]
    for key, value in values.items():
        row[headers.index(key.replace("_", " ").replace("pct", "%"))].value = value
    book.save(path)


def invoices(path: Path) -> list[tuple[object, ...]]:
    keys = ("Invoice", "Customer ID", "Customer", "Net", "VAT rate", "VAT", "Gross")
    rows = table_rows(path, "Invoices")
    return [(*(r[k] for k in keys), r["Reverse charge"]) for r in rows]
