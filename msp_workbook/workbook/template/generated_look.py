"""How the template's sheets look in print and on screen beyond their tables: page headers and
footers on every table sheet, and on the generated sheets highlighting a clerk checks by
(Billing's line types, Checks' severities), the columns beside their tables and links.

Everything here is kept by a recalculation: the file writer rewrites a generated sheet's rows
but keeps its conditional formats, column styles, header and footer
(`write.sheet_layout.SheetLayout`).
"""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import schema
from ..cell_refs import MAX_ROW
from ..money_format import with_currency

# Page header: the sheet's name left, the date printed right; footer: the file and the page.
PAGE_HEADER = '&L&"-,Bold"&A&R&D'
PAGE_FOOTER = "&L&F&RPage &P of &N"

# Billing lines that are not plain usage, by Type: the fill that marks them.
LINE_TYPE_FILLS = {
    "estimated": "#FFF2CC",  # light yellow: no reading, carried forward or zero
    "minimum": "#DDEBF7",  # light blue: raised to a product's minimum units
    "correction": "#FCE4D6",  # light orange: a closed month corrected
}
# Checks by severity: the fill and font colour of the row.
SEVERITY_LOOKS = {
    "error": ("#FFC7CE", "#9C0006"),
    "warning": ("#FFEB9C", "#9C5700"),
    "info": ("#C6EFCE", "#006100"),
}
LINK_COLOUR = "#0563C1"


# Typing on a generated sheet is refused with this message. A guard, not sheet protection: a
# protected sheet refuses the program's own writes in Excel too (xlwings Lite has no way to lift
# the protection), while a validation only checks what a person types. Pasting passes it; what
# is pasted beside a table is then warned about on Checks and kept in the backup.
GUARD_TITLE = "Written by the program"
GUARD_MESSAGE = (
    "Diese Tabelle schreibt das Programm bei jeder Neuberechnung neu. / This sheet is rewritten "
    "by every recalculation: what you type here would be lost. Keep notes on a sheet of your own."
)


# The guard covers the columns A:AZ of every row (the tables, their side columns and blocks, and
# room beside them); a guard over whole rows is saved by LibreOffice as a range other
# programs cannot read.
GUARDED_COLUMNS = 52


def add_typing_guard(ws: Worksheet) -> None:
    """Refuse what a person types on a generated sheet, with a message saying why."""
    ws.data_validation(
        0,
        0,
        MAX_ROW - 1,
        GUARDED_COLUMNS - 1,
        {
            "validate": "custom",
            "value": "=FALSE",
            "ignore_blank": False,
            "error_type": "stop",
            "error_title": GUARD_TITLE,
            "error_message": GUARD_MESSAGE,
        },
    )


def add_page_header(ws: Worksheet) -> None:
    """Sheet name and print date on top of every printed page, file and page number below."""
    ws.set_header(PAGE_HEADER)
    ws.set_footer(PAGE_FOOTER)


def _rows_by_column(
    book: Workbook, ws: Worksheet, table: schema.Table, header: str, looks: dict[str, dict]
) -> None:
    """Highlight a generated table's rows by the value of one column (whole rows, every row
    a recalculation may write)."""
    column = xl_col_to_name(table.headers.index(header))
    last_col = len(table.columns) - 1
    for value, look in looks.items():
        ws.conditional_format(
            1,
            0,
            MAX_ROW - 1,
            last_col,
            {
                "type": "formula",
                "criteria": f'=${column}2="{value}"',
                "format": book.add_format(look),
            },
        )


def add_billing_look(book: Workbook, ws: Worksheet) -> None:
    """Billing: lines highlighted by Type; the block of the month's totals beside the table."""
    table = schema.BILLING
    looks = {t: {"bg_color": fill} for t, fill in LINE_TYPE_FILLS.items()}
    _rows_by_column(book, ws, table, schema.COL_TYPE, looks)
    side = len(table.columns) + 1  # one blank column between table and block
    header = book.add_format({"bold": True, "bottom": 1, "bg_color": "#F2F2F2"})
    formats = {
        **{n: book.add_format({"num_format": schema.FMT_WHOLE}) for n in schema.BILLING_COUNTS},
        "Bill": book.add_format({"bold": True}),
    }
    money = book.add_format({"num_format": with_currency(schema.FMT_MONEY)})
    ws.set_column(side - 1, side - 1, 3)
    # Printed: the lines (the block is on screen; a page as wide as both is unreadably small).
    ws.print_area(0, 0, MAX_ROW - 1, len(table.columns) - 1)
    for i, name in enumerate(schema.BILLING_TOTALS):
        width = 26 if name == "Bill" else 9 if name in schema.BILLING_COUNTS else 16
        ws.set_column(side + i, side + i, width, formats.get(name, money))
        ws.write_string(0, side + i, name, header)


def add_checks_look(book: Workbook, ws: Worksheet) -> None:
    """Checks: rows coloured by severity, the Cell column styled as the links it holds, the
    customer a finding concerns beside the table."""
    table = schema.CHECKS
    looks = {
        s: {"bg_color": fill, "font_color": font} for s, (fill, font) in SEVERITY_LOOKS.items()
    }
    _rows_by_column(book, ws, table, schema.COL_SEVERITY, looks)
    cell = table.headers.index(schema.COL_CELL)
    link = book.add_format({"font_color": LINK_COLOUR, "underline": 1})
    ws.set_column(cell, cell, table.columns[cell].width, link)
    side = len(table.columns) + 1
    header = book.add_format({"bold": True, "bottom": 1, "bg_color": "#F2F2F2"})
    ws.set_column(side - 1, side - 1, 3)
    ws.set_column(side, side, 34)
    ws.write_string(0, side, schema.CHECKS_CUSTOMER, header)
