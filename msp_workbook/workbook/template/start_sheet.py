"""The Start sheet of the template: what the workbook is for, the monthly steps on each route
(the classic xlwings add-in, xlwings Lite, the command line), the status block beside the steps
(`status_block`: labels here, values written by every recalculation and closing) and the list of
sheets."""

from __future__ import annotations

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import schema, status_block
from ..schema import Table
from .look import GENERATED_FILL, LINE_HEIGHT, Formats, line_count
from .quote_sheet import QUOTE_PURPOSE

START_TAB_COLOUR = "#9BBB59"
STATUS_FILL = GENERATED_FILL  # the generated sheets' grey: the program writes these cells

_START_WIDTHS = (4, 16, 34, 90)  # A: step numbers, B: sheet, C: kind, D: purpose
_STATUS_WIDTHS = (3, 20, 44)  # E: a gap, F: labels, G: values

_INTRO = (
    "Bills your customers every month, in arrears, for the GFI MSP licenses you run for them: "
    "KerioConnect AI, KerioControl AI, KerioOperator and LanGuard.",
    "You keep the customers, license keys and usage readings; a recalculation turns them into "
    "billing lines, invoices, the MSP-vs-annual comparison and checks for the billing month "
    "(see Settings).",
    "Blue tabs hold your data. Grey tabs are generated: do not edit them. "
    "The orange Quote tab compares MSP monthly with an annual subscription for a prospect.",
    "Three ways to run it. In Excel with the classic xlwings add-in (Python on this PC): the "
    "xlwings tab's Run main recalculates; the other steps are macros of MSP_Billing.py that you "
    "put on buttons of your own in a macro-enabled copy (docs/excel.md): this workbook has no "
    "buttons. In Excel with xlwings Lite: its pane has the buttons Recalculate, New key and "
    "Close month. On the command line: every step, as shown under it.",
)

_STEPS: tuple[tuple[str, str], ...] = (
    (
        "Keep Customers, Keys and Usage up to date: new customers, new or ended keys, "
        "and the month's usage readings.",
        "",
    ),
    (
        "Recalculate. Classic add-in: xlwings tab > Run main; xlwings Lite: Recalculate; "
        'command line (also on a server without Excel): see below. "This month" on the right '
        "then shows the month's figures and what is next.",
        "msp-workbook recalc MSP_Billing.xlsx",
    ),
    (
        "Open Checks and fix everything listed as error (it names the sheet and cell), "
        'then recalculate again, until "This month" says ready to close.',
        "",
    ),
    ("Review Billing and Invoices.", ""),
    (
        "Close the month once it has ended and is final (its lines, prices, VAT rate and "
        "reverse charge are then kept on Ledger and never change). Classic add-in: the macro "
        "close_month on a button of your own; xlwings Lite: Close month; command line:",
        "msp-workbook close MSP_Billing.xlsx --month YYYY-MM",
    ),
    (
        "Write the closed month's invoice documents (a PDF to read and an XRechnung e-invoice "
        "per invoice) into the folder invoices\\YYYY-MM beside this workbook. Classic add-in: "
        "the macro invoice_documents on a button of your own; not with xlwings Lite (it cannot "
        "write files to your disk); command line:",
        "msp-workbook invoices MSP_Billing.xlsx --month YYYY-MM",
    ),
    (
        "Write the closed month's DATEV booking batch for your tax adviser, "
        "EXTF_Buchungsstapel_YYYY-MM.csv beside this workbook. Classic add-in: the macro "
        "datev_export on a button of your own; not with xlwings Lite; command line:",
        "msp-workbook export-datev MSP_Billing.xlsx --month YYYY-MM",
    ),
    (
        "For the customers who pay by direct debit, write the SEPA file for your bank, "
        "SEPA_direct_debit_YYYY-MM.xml beside this workbook. Classic add-in: the macro "
        "sepa_export on a button of your own; not with xlwings Lite; command line:",
        "msp-workbook export-sepa MSP_Billing.xlsx --month YYYY-MM",
    ),
)

_FIRST_TIME = (
    "Before the first month: fill in Settings (your address, VAT ID or tax number, contact and "
    "bank account go on every invoice document) and each customer's address on Customers. "
    "Products and AnnualPrices hold EXAMPLE prices: replace them with your own GFI price list "
    "and your selling prices."
)

_STATUS_NOTE = "Written by every recalculation and closing."

_KIND_INPUT = "Your data"
_KIND_GENERATED = "Generated — do not edit, rewritten every recalculation"
_KIND_LEDGER = "Generated — do not edit; months are added when you close them"
_KIND_QUOTE = "Live quote — type in its blue cells"
_KIND_OTHERS = {
    schema.RECONCILIATION.name: "Generated — do not edit, rewritten by every reconcile",
    schema.DEBITORS.name: "Generated — do not edit; numbers are added by the DATEV export",
    schema.COLLECTIONS.name: "Generated — do not edit; rows are added by the SEPA export",
}


def add_start_sheet(book: Workbook, formats: Formats) -> None:
    ws = book.add_worksheet(schema.START_SHEET)
    ws.set_tab_color(START_TAB_COLOUR)
    ws.hide_gridlines(2)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    for col, width in enumerate((*_START_WIDTHS, *_STATUS_WIDTHS)):
        ws.set_column(col, col, width)
    ws.set_row(0, 30)
    ws.write_string(0, 0, "MSP Billing for GFI MSP products", formats.title)
    row = 2
    for line in _INTRO:
        _write_paragraph(ws, row, 0, line, formats.text)
        row += 1
    _write_status_block(book, ws, row + 1, formats)
    row = _write_steps(ws, row + 1, formats)
    _write_paragraph(ws, row + 1, 0, _FIRST_TIME, formats.warning)
    _write_sheet_list(ws, row + 3, formats)


def _write_steps(ws: Worksheet, row: int, formats: Formats) -> int:
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


def _write_status_block(book: Workbook, ws: Worksheet, row: int, formats: Formats) -> None:
    """The status block beside the steps: its heading on the steps' heading row, then a label
    and an empty value cell per row (formatted for its value), and a note under it."""
    if row + 2 != status_block.FIRST_ROW:
        raise AssertionError(f"status_block.FIRST_ROW must be {row + 2}")
    label_col, value_col = status_block.LABEL_COLUMN, status_block.VALUE_COLUMN
    ws.write_string(row, label_col, status_block.HEADING, formats.heading)
    base = {"bg_color": STATUS_FILL, "valign": "top", "border": 1, "border_color": "#BFBFBF"}
    label = book.add_format(base)
    for i, name in enumerate(status_block.LABELS, start=1):
        options = {**base, "align": "left"}
        if name in status_block.FORMATS:
            options["num_format"] = status_block.FORMATS[name]
        if name == status_block.STATE:
            options["bold"] = True
        ws.write_string(row + i, label_col, name, label)
        if name == status_block.STATE:
            ws.write_string(row + i, value_col, status_block.NOT_RUN_YET, book.add_format(options))
        else:
            ws.write_blank(row + i, value_col, None, book.add_format(options))
    errors = status_block.LABELS.index(status_block.ERRORS) + row + 1
    state = status_block.LABELS.index(status_block.STATE) + row + 1
    red = book.add_format({"font_color": "#C00000", "bold": True})
    green = book.add_format({"font_color": "#006100", "bold": True})
    ws.conditional_format(errors, value_col, errors, value_col, _above_zero(red))
    ws.conditional_format(state, value_col, state, value_col, _containing("error", red))
    ws.conditional_format(state, value_col, state, value_col, _containing("ready", green))
    ws.write_string(row + len(status_block.LABELS) + 1, label_col, _STATUS_NOTE, formats.note)


def _above_zero(fmt: Format) -> dict[str, object]:
    return {"type": "cell", "criteria": ">", "value": 0, "format": fmt}


def _containing(text: str, fmt: Format) -> dict[str, object]:
    return {"type": "text", "criteria": "containing", "value": text, "format": fmt}


def _write_sheet_list(ws: Worksheet, row: int, formats: Formats) -> None:
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
        lines = max(line_count(kind, _START_WIDTHS[2]), line_count(purpose, _START_WIDTHS[3]))
        ws.set_row(row, lines * LINE_HEIGHT)


def _sheet_kind(table: Table, formats: Formats) -> tuple[str, Format]:
    if not table.generated:
        return _KIND_INPUT, formats.input_kind
    if table is schema.LEDGER:
        return _KIND_LEDGER, formats.generated_kind
    return _KIND_OTHERS.get(table.name, _KIND_GENERATED), formats.generated_kind


def _write_paragraph(ws: Worksheet, row: int, first_col: int, text: str, fmt: Format) -> None:
    """Wrapped text across the columns from `first_col` to D, with a row tall enough for it."""
    last_col = len(_START_WIDTHS) - 1
    width = sum(_START_WIDTHS[first_col:])
    ws.merge_range(row, first_col, row, last_col, text, fmt)
    ws.set_row(row, line_count(text, width) * LINE_HEIGHT)
