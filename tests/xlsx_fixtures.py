"""Workbooks for writer tests, built with XlsxWriter like the template, plus what users add.

`build_book` makes input-like sheets and the generated sheets with their tables (headers from the
schema, per-column number formats as column styles, frozen header, tab colours) and, on request,
the things a user adds that a careless save would lose: a chart, an image, a form button, a
comment, a sheet with formulas over the generated tables, defined names and a VBA project.
"""

from __future__ import annotations

import html
import io
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.workbook import Workbook

from msp_workbook.workbook import schema
from msp_workbook.workbook.write.writer import CellValue

INPUT_TABLES = (schema.SETTINGS, schema.CUSTOMERS, schema.KEYS, schema.USAGE)
GENERATED_TABLES = (schema.BILLING, schema.INVOICES, schema.CHECKS, schema.LEDGER)
REPORT_SHEET = "Report"

# Report!B cells holding formulas over the generated tables.
NET_TOTAL_CELL = "B8"
CHECKS_COUNT_CELL = "B9"


def tiny_png() -> bytes:
    """A valid 2x2 RGB PNG, built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def fake_vba_project() -> bytes:
    """Stand-in for a vbaProject.bin: an OLE compound file signature and random bytes.

    Not a working VBA project (no test runs macros); it only has to survive byte for byte.
    """
    rng = random.Random(20260101)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256) for _ in range(4096))


def build_book(
    path: Path,
    *,
    extras: bool = True,
    vba: bool = False,
    generated: Sequence[schema.Table] = GENERATED_TABLES,
    rows: Mapping[str, Sequence[Mapping[str, object]]] | None = None,
    column_order: Mapping[str, Sequence[str]] | None = None,
    cells: Mapping[str, Mapping[str, object]] | None = None,
) -> Path:
    """Write a test workbook and return `path`.

    `rows` fills tables by header, `column_order` reorders a table's columns on the sheet, and
    `cells` writes single cells by sheet and A1 reference, e.g. below or beside a table; a
    value may be a (value, XlsxWriter format properties) pair.
    """
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": datetime(2026, 1, 1)})
    formats: dict[str, object] = {}
    header = book.add_format({"bold": True, "bottom": 1})
    for table in (*INPUT_TABLES, *generated):
        headers = list((column_order or {}).get(table.name, table.headers))
        _table_sheet(book, table, headers, (rows or {}).get(table.name, []), formats, header)
    for sheet, values in (cells or {}).items():
        for ref, value in values.items():
            fmt = None
            if isinstance(value, tuple):
                value, props = value
                fmt = book.add_format(props)
            book.get_worksheet_by_name(sheet).write(ref, value, fmt)
    if extras:
        _report_sheet(book)
    if vba:
        book.add_vba_project(io.BytesIO(fake_vba_project()), is_stream=True)  # type: ignore[arg-type]
        book.set_vba_name("ThisWorkbook")
    book.close()
    return path


def _number_format(book: Workbook, formats: dict[str, object], code: str | None) -> object:
    if code is None:
        return None
    if code not in formats:
        formats[code] = book.add_format({"num_format": code})
    return formats[code]


def _table_sheet(
    book: Workbook,
    table: schema.Table,
    headers: list[str],
    rows: Sequence[Mapping[str, object]],
    formats: dict[str, object],
    header_format: object,
) -> None:
    ws = book.add_worksheet(table.sheet)
    ws.set_tab_color("#808080" if table.generated else "#4F81BD")
    ws.freeze_panes(1, 0)
    for col, name in enumerate(headers):
        column = table.column(name)
        ws.set_column(col, col, column.width, _number_format(book, formats, column.number_format))
    ws.add_table(
        0,
        0,
        max(1, len(rows)),
        len(headers) - 1,
        {
            "name": table.name,
            "style": "Table Style Medium 1" if table.generated else "Table Style Medium 2",
            "columns": [{"header": h, "header_format": header_format} for h in headers],
        },
    )
    for r, row in enumerate(rows, start=1):
        for col, name in enumerate(headers):
            value = row.get(name)
            fmt = _number_format(book, formats, table.column(name).number_format)
            if isinstance(value, str):
                ws.write_string(r, col, value, fmt)
            elif isinstance(value, (int, float, Decimal)):
                ws.write_number(r, col, float(value), fmt)
            elif isinstance(value, date):
                ws.write_datetime(r, col, value, fmt)


def _report_sheet(book: Workbook) -> None:
    """A user's sheet: data with a chart, an image, a button, a comment and formulas."""
    ws = book.add_worksheet(REPORT_SHEET)
    ws.write_row(0, 0, ["Month", "Revenue"])
    for r, (month, revenue) in enumerate([("2026-01", 120), ("2026-02", 135), ("2026-03", 150)]):
        ws.write_string(r + 1, 0, month)
        ws.write_number(r + 1, 1, revenue)
    chart = book.add_chart({"type": "column"})
    chart.add_series({"categories": "=Report!$A$2:$A$4", "values": "=Report!$B$2:$B$4"})
    ws.insert_chart("D2", chart)
    ws.insert_image("D20", "dot.png", {"image_data": io.BytesIO(tiny_png())})
    ws.insert_button("A12", {"macro": "Recalculate", "caption": "Recalculate"})
    ws.write_comment("A1", "Revenue per month, typed by hand.")
    ws.write_string("A8", "Billed net")
    ws.write_formula(NET_TOTAL_CELL, f"=SUM({schema.BILLING.name}[Net])", None, 0)
    ws.write_string("A9", "Checks")
    ws.write_formula(CHECKS_COUNT_CELL, f"=COUNTA({schema.CHECKS.name}[Message])", None, 0)
    book.define_name("BilledNet", f"=SUM({schema.BILLING.name}[Net])")
    book.define_name("ReportData", "=Report!$A$1:$B$4")


# --- Rows for the generated tables, one value per schema column ---------------------------------

Rows = list[list[CellValue]]


def billing_rows(n: int) -> Rows:
    rows: Rows = []
    for i in range(n):
        quantity = 5 + i
        net = (Decimal("2.40") * quantity * Decimal("0.9")).quantize(Decimal("0.01"))
        cost = Decimal("1.60") * quantity
        rows.append(
            [
                "2026-01",
                f"C{i:03d}",
                f"Müller & Söhne <{i}>",
                f"AB2CD-EF3GH-JK4LM-NP5Q{i % 10}",
                "KC-MSP",
                "GFI KerioConnect AI MSP",
                "mailboxes",
                quantity,
                Decimal("2.40"),
                Decimal("0.1"),
                net,
                Decimal("1.60"),
                cost,
                net - cost,
                "usage",
                "2025-12" if i % 2 else None,
                f"  note {i} " if i % 3 == 0 else None,
            ]
        )
    return rows


def invoice_rows() -> Rows:
    return [
        [
            "2026-01",
            None,
            "C000",
            "Müller & Söhne",
            Decimal("10.80"),
            Decimal("0.19"),
            Decimal("2.05"),
            Decimal("12.85"),
            Decimal("8.00"),
            Decimal("2.80"),
            "no",
            1,
        ]
    ]


def check_rows() -> Rows:
    return [
        ["error", "Usage", "C17", "=SUM(A1) looks like a formula but is a message"],
        ["warning", "Keys", "B3", 'quantity "12,5" is not a whole number'],
    ]


def ledger_rows() -> Rows:
    line = billing_rows(1)[0]
    return [
        ["INV-2026-0001", *line, Decimal("0.19"), "no", datetime(2026, 2, 1, 9, 30, 15)],
        ["INV-2026-0002", *line, Decimal("0.19"), "no", date(2026, 2, 2)],
    ]


def comparison_rows() -> Rows:
    return [
        ["C000", "Müller & Söhne", "KC-MSP", 12, Decimal("10.5"), 14, Decimal("120.00")]
        + [Decimal("96.00")] * 5
        + ["annual 1y", Decimal("24.00"), Decimal("24.00")]
    ]


def all_tables() -> dict[str, Rows]:
    return {
        schema.BILLING.name: billing_rows(4),
        schema.INVOICES.name: invoice_rows(),
        schema.CHECKS.name: check_rows(),
        schema.LEDGER.name: ledger_rows(),
    }


# --- Zip members ----------------------------------------------------------------------------------


def members(path: Path) -> dict[str, bytes]:
    """Every zip member's decompressed bytes, by name, in zip order."""
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def rewrite_members(
    src: Path,
    dest: Path,
    changed: Mapping[str, bytes | None],
    added: Mapping[str, bytes] | None = None,
) -> Path:
    """Copy a zip, replacing (bytes) or removing (None) some members and adding others."""
    old = members(src)
    added = added or {}
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in old.items():
            data = changed.get(name, data)
            if data is not None:
                z.writestr(name, data)
        for name, data in added.items():
            z.writestr(name, data)
    return dest


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member holding a sheet, found the way Excel does (workbook.xml and its rels)."""
    from msp_workbook.workbook.package.opc import open_package

    with open_package(path) as package:
        ref = package.sheet(sheet)
        assert ref is not None, f"no sheet {sheet}"
        return ref.part


def table_part(path: Path, table: str) -> str:
    from msp_workbook.workbook.package.opc import open_package

    with open_package(path) as package:
        ref = package.table(table)
        assert ref is not None, f"no table {table}"
        return ref.part


def charts_over(path: Path, sheets: Sequence[str]) -> set[str]:
    """The chart parts with a range (<c:f>) on one of these sheets."""
    from msp_workbook.workbook.package.opc import open_package

    names = {s.casefold() for s in sheets}
    found = set()
    with open_package(path) as package:
        for part in package.chart_parts():
            text = package.read(part).decode("utf-8", "replace")
            for formula in re.findall(r"<(?:\w+:)?f>([^<]*)</(?:\w+:)?f>", text):
                sheet = html.unescape(formula.rpartition("!")[0]).strip("'").replace("''", "'")
                if sheet.casefold() in names:
                    found.add(part)
    return found
