"""The Quote sheet: a live quote for a prospect in native Excel formulas (no add-in needed).

On top, the part a prospect sees and the print area holds: the inputs, the totals, a sentence
saying which option saves how much, and a chart of the cumulative cost over the term. Below it,
for the salesperson only: the prices used, the same quote by Python for those who have the
xlwings add-in, the signed difference, notes, and the month-by-month table the chart is drawn
from. Built by `builder.build_workbook`; its formulas: `quote_formulas`, its chart:
`quote_chart`, where things are: `quote_layout`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ...core.vocabulary import TERMS, TERMS_SPAN, TERMS_TEXT
from .. import schema
from .data_validations import messages, number_options
from .drop_down_lists import lookup_name, lookups
from .look import (
    INPUT_FILL,
    INPUT_TAB_COLOUR,
    LINE_HEIGHT,
    QUOTE_TAB_COLOUR,
    line_count,
    write_value,
)
from .quote_chart import add_quote_chart
from .quote_formulas import QuoteRefs
from .quote_layout import (
    BACKSTAGE_ROW,
    CHART_DATA_COL,
    CHART_DATA_HEADERS,
    DIFFERENCE_ROW,
    HELPER_HEADING_ROW,
    INPUT_ROW,
    NOTES_HEADING_ROW,
    QUOTE_PRINT_AREA,
    QUOTE_STATUS_CELL,
    QUOTE_VERDICT_CELL,
    STATUS_ROW,
    TABLE_HEADER_ROW,
    TABLE_HEADING_ROW,
    VERDICT_ROW,
    WIDTHS,
)

QUOTE_PURPOSE = (
    "Quick quote for a prospect: MSP monthly against an annual subscription of "
    f"{TERMS_SPAN} years, "
    "calculated live from Products and AnnualPrices."
)
QUOTE_DEFAULTS: Mapping[str, object] = {
    schema.QUOTE_PRODUCT: "KC-MSP",
    schema.QUOTE_TERM: 3,
    schema.QUOTE_UNITS_NOW: 20,
    schema.QUOTE_UNITS_12M: 35,
}


_Q_INPUT_LABELS = {
    schema.QUOTE_PRODUCT: schema.COL_PRODUCT_ID,
    schema.QUOTE_TERM: schema.COL_TERM_YEARS,
    schema.QUOTE_UNITS_NOW: "Units now",
    schema.QUOTE_UNITS_12M: "Units in 12 months",
}
_Q_RESULT_LABELS = {
    schema.QUOTE_MSP_TOTAL: "MSP monthly, total over the term",
    schema.QUOTE_ANNUAL_TOTAL: "Annual subscription, total",
    schema.QUOTE_DIFFERENCE: "Difference (annual minus MSP)",
    schema.QUOTE_CHEAPER: "Cheaper",
}
# Result cells in F from INPUT_ROW down; the signed difference sits below the print area.
_Q_SHOWN_RESULTS = (schema.QUOTE_MSP_TOTAL, schema.QUOTE_ANNUAL_TOTAL, schema.QUOTE_CHEAPER)
# Helper cells in column C below the "Prices used" heading: (key, label).
_Q_HELPERS = (
    ("metric", "Billed per"),
    ("price", "MSP price per unit and month"),
    ("minimum", "MSP minimum units per month"),
    ("lowest", "Annual: lowest tier's Min units"),
    ("first_rate", "Annual price per unit and year, first order"),
    ("months", "Months in the term"),
    ("currency", "Currency (Settings)"),
)
_Q_PRODUCT_NAME_CELL = f"C{INPUT_ROW}"  # the product's name beside its ID
_Q_NOTES = (
    "MSP total: the prospect pays every month, in arrears, for the units actually used (at least "
    "the product's minimum) at the MSP Price per unit.",
    "Annual total: a fixed licence count for the whole term, paid up front at the volume tier's "
    "rate. The count can only grow: units added later are paid for the rest of the term.",
    "Units grow in a straight line from Units now to Units in 12 months and keep that pace. "
    "Difference above 0: MSP is cheaper by that much over the term.",
    "Prices are your list prices (no customer discount) from the Products and AnnualPrices "
    "sheets: change them there and this quote follows.",
    "Printing this sheet prints only the part above (inputs, results and chart) on one A4 page "
    "in landscape, to hand to the prospect.",
)
_Q_SUBTITLE = (
    "MSP monthly: each month you pay for the units you use. Annual subscription: a licence "
    "count for the whole term, paid up front."
)
_Q_INSTRUCTIONS = (
    "For you, not printed: type in the blue cells above; everything is calculated as you type, "
    "from your prices on Products and AnnualPrices."
)


def quote_input_values(given: Mapping[str, object]) -> dict[str, object]:
    """The Quote sheet's inputs by workbook name: QUOTE_DEFAULTS, overridden by `given`."""
    unknown = sorted(set(given) - set(schema.QUOTE_INPUTS))
    if unknown:
        raise ValueError(
            f"unknown Quote input(s) {unknown}; expected some of {list(schema.QUOTE_INPUTS)}"
        )
    return {**QUOTE_DEFAULTS, **given}


@dataclass
class _QuoteFormats:
    """Formats of the Quote sheet."""

    book: Workbook

    def __post_init__(self) -> None:
        add = self.book.add_format
        navy = "#1F3864"
        grid = {"border": 1, "border_color": "#D9D9D9"}
        self.title = add({"bold": True, "font_size": 18, "font_color": navy})
        self.subtitle = add({"italic": True, "font_color": "#595959"})
        self.heading = add({"bold": True, "font_size": 13, "font_color": navy, "bottom": 2})
        self.label = add({"valign": "vcenter"})
        self.input = add(
            {
                "bg_color": INPUT_FILL,
                "border": 1,
                "border_color": INPUT_TAB_COLOUR,
                "bold": True,
                "font_size": 12,
                "align": "center",
                "valign": "vcenter",
            }
        )
        self.result_label = add({"font_size": 12, "valign": "vcenter"})
        result = {"bold": True, "font_size": 16, "valign": "vcenter", "align": "right"}
        self.result_money = add({**result, "num_format": schema.FMT_MONEY})
        self.result_text = add({**result, "font_color": "#006100"})
        self.verdict = add(
            {
                "bold": True,
                "font_size": 16,
                "font_color": "#006100",
                "bg_color": "#EBF1DE",
                "align": "center",
                "valign": "vcenter",
            }
        )
        self.backstage = add({"italic": True, "font_color": "#595959", "top": 1})
        self.python_result = add(
            {"bold": True, "align": "right", "num_format": schema.FMT_MONEY, "shrink": True}
        )
        self.difference = add({"bold": True, "align": "right", "num_format": schema.FMT_MONEY})
        self.beside = add({"italic": True, "font_color": "#595959", "valign": "vcenter"})
        self.status = add({"bold": True, "font_color": "#C00000", "valign": "vcenter"})
        self.helper_text = add({"align": "right", "font_color": "#404040"})
        self.helper_price = add(
            {"align": "right", "font_color": "#404040", "num_format": schema.FMT_UNIT_PRICE}
        )
        self.helper_whole = add(
            {"align": "right", "font_color": "#404040", "num_format": schema.FMT_WHOLE}
        )
        self.note = add({"text_wrap": True, "valign": "top"})
        self.table_header = add(
            {
                "bold": True,
                "bg_color": "#F2F2F2",
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
                **grid,
            }
        )
        self.month = add({"num_format": "0", "align": "center", **grid})
        self.whole = add({"num_format": schema.FMT_WHOLE, **grid})
        self.money = add({"num_format": schema.FMT_MONEY, **grid})
        self.chart_data = add({"font_color": "#808080"})
        self.cheaper = add({"bg_color": "#C6EFCE", "font_color": "#006100"})


def add_quote_sheet(book: Workbook, inputs: Mapping[str, object]) -> None:
    ws = book.add_worksheet(schema.QUOTE_SHEET)
    f = _QuoteFormats(book)
    ws.set_tab_color(QUOTE_TAB_COLOUR)
    ws.hide_gridlines(2)
    # Printed: only the prospect's part, on A4 in landscape, one page wide.
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.print_area(*QUOTE_PRINT_AREA)
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    last_chart_col = CHART_DATA_COL + len(CHART_DATA_HEADERS) - 1
    ws.set_column(CHART_DATA_COL, last_chart_col, 22, None, {"hidden": True})

    ws.set_row(0, 28)
    ws.write_string("A1", "Quote: MSP monthly or an annual subscription?", f.title)
    ws.write_string("A2", _Q_SUBTITLE, f.subtitle)
    ws.merge_range(BACKSTAGE_ROW - 1, 0, BACKSTAGE_ROW - 1, len(WIDTHS) - 1, "", f.backstage)
    ws.write_string(BACKSTAGE_ROW - 1, 0, _Q_INSTRUCTIONS, f.backstage)

    helper = {key: f"$C${HELPER_HEADING_ROW + 1 + i}" for i, (key, _) in enumerate(_Q_HELPERS)}
    refs = QuoteRefs(helper=helper, status=f"$A${STATUS_ROW}")

    _write_quote_inputs(book, ws, inputs, refs, f)
    _write_quote_results(book, ws, refs, f)
    _write_quote_helpers(ws, refs, f)
    _write_quote_notes(ws, f)
    _write_quote_months(ws, refs, f)
    add_quote_chart(book, ws)
    _write_python_quote(ws, f)


# The same quote computed by Python (the MSP_QUOTE function of the xlwings add-in), beside the
# native formulas: with the add-in both agree; without it the cells say what they need (not
# #NAME?: MSP_QUOTE itself returns "#MSP: ..." text, never an error, so nothing else is hidden).
_Q_PYTHON_ROW = HELPER_HEADING_ROW
NEEDS_ADD_IN = "needs the xlwings add-in"
PYTHON_QUOTE_FORMULA = (
    "=IFERROR(TRANSPOSE(MSP_QUOTE(Products[#All],AnnualPrices[#All],"
    f"{schema.QUOTE_PRODUCT},{schema.QUOTE_TERM},{schema.QUOTE_UNITS_NOW},{schema.QUOTE_UNITS_12M}))"
    f',"{NEEDS_ADD_IN}")'
)


def _write_python_quote(ws: Worksheet, f: _QuoteFormats) -> None:
    ws.merge_range(
        f"D{_Q_PYTHON_ROW}:F{_Q_PYTHON_ROW}", "Same quote by Python (xlwings add-in)", f.heading
    )
    labels = ("MSP total", "Annual total", "Difference", "Cheaper")
    first = _Q_PYTHON_ROW + 1
    for i, text in enumerate(labels):
        ws.merge_range(f"D{first + i}:E{first + i}", text, f.label)
    ws.write_array_formula(f"F{first}:F{first + 3}", PYTHON_QUOTE_FORMULA, f.python_result, "")
    ws.write_string(
        f"D{first + 4}",
        "Computed by the xlwings add-in (see docs/excel.md); without it the cells say so.",
        f.subtitle,
    )


def _write_quote_inputs(
    book: Workbook, ws: Worksheet, inputs: Mapping[str, object], refs: QuoteRefs, f: _QuoteFormats
) -> None:
    ws.write_string(f"A{INPUT_ROW - 1}", "Prospect", f.heading)
    ws.write_blank(f"B{INPUT_ROW - 1}", None, f.heading)
    ws.write_blank(f"C{INPUT_ROW - 1}", None, f.heading)
    product_ids = lookup_name(schema.PRODUCTS.headers[0])
    assert product_ids in lookups(), product_ids
    validations: dict[str, dict[str, Any]] = {
        schema.QUOTE_PRODUCT: {
            "validate": "list",
            "source": "=" + product_ids,
            "input_title": schema.COL_PRODUCT_ID,
            "input_message": "Choose a product from the Products sheet. "
            "It needs annual prices on the AnnualPrices sheet.",
            **messages(schema.COL_PRODUCT_ID, "a Product ID from the Products sheet"),
        },
        schema.QUOTE_TERM: {
            "validate": "list",
            "source": [str(t) for t in TERMS],
            "input_title": schema.COL_TERM_YEARS,
            "input_message": f"Term of the annual subscription: {TERMS_SPAN} years.",
            **messages(schema.COL_TERM_YEARS, TERMS_TEXT),
        },
        schema.QUOTE_UNITS_NOW: {
            **number_options("Units now", "integer", "a whole number >= 0"),
            "input_title": "Units now",
            "input_message": "Mailboxes, users or nodes the prospect has today.",
        },
        schema.QUOTE_UNITS_12M: {
            **number_options("Units in 12 months", "integer", "a whole number >= 0"),
            "input_title": "Units in 12 months",
            "input_message": "Units the prospect expects in 12 months; "
            "usage goes on at that pace (up or down) for the rest of the term.",
        },
    }
    for i, name in enumerate(schema.QUOTE_INPUTS):
        row = INPUT_ROW + i
        cell = f"B{row}"
        ws.set_row(row - 1, 24)
        ws.write_string(f"A{row}", _Q_INPUT_LABELS[name], f.label)
        value = inputs[name]
        if isinstance(value, str):
            ws.write_string(cell, value, f.input)
        elif value is None:
            ws.write_blank(cell, None, f.input)
        else:
            write_value(ws, row - 1, 1, value, f.input)
        ws.data_validation(cell, validations[name])
        book.define_name(name, f"={schema.QUOTE_SHEET}!$B${row}")
    # Beside the inputs: the product's name, and what the units count.
    ws.write_formula(_Q_PRODUCT_NAME_CELL, refs.product(), f.beside, "")
    metric = refs.helper["metric"]
    for name in (schema.QUOTE_UNITS_NOW, schema.QUOTE_UNITS_12M):
        row = INPUT_ROW + schema.QUOTE_INPUTS.index(name)
        ws.write_formula(f"C{row}", f"={metric}", f.beside, "")


def _write_quote_results(book: Workbook, ws: Worksheet, refs: QuoteRefs, f: _QuoteFormats) -> None:
    head = INPUT_ROW - 1
    currency = refs.helper["currency"]
    ws.merge_range(f"D{head}:F{head}", "", f.heading)
    ws.write_formula(f"D{head}", f'="Result"&IF({currency}="",""," in "&{currency})', f.heading, "")
    formulas = refs.results()
    rows = {name: INPUT_ROW + i for i, name in enumerate(_Q_SHOWN_RESULTS)}
    # The signed difference is for the salesperson, below the print area; the prospect reads
    # the sentence instead.
    rows[schema.QUOTE_DIFFERENCE] = DIFFERENCE_ROW
    for name in schema.QUOTE_RESULTS:
        row = rows[name]
        if name == schema.QUOTE_DIFFERENCE:
            label_format, fmt = f.label, f.difference
        else:
            label_format = f.result_label
            fmt = f.result_text if name == schema.QUOTE_CHEAPER else f.result_money
        ws.merge_range(f"D{row}:E{row}", _Q_RESULT_LABELS[name], label_format)
        ws.write_formula(f"F{row}", formulas[name], fmt, "")
        book.define_name(name, f"={schema.QUOTE_SHEET}!$F${row}")
    # The cheaper of the two totals is highlighted.
    cheaper = f"$F${rows[schema.QUOTE_CHEAPER]}"
    for name, option in ((schema.QUOTE_MSP_TOTAL, "MSP"), (schema.QUOTE_ANNUAL_TOTAL, "Annual")):
        ws.conditional_format(
            f"D{rows[name]}:F{rows[name]}",
            {"type": "formula", "criteria": f'={cheaper}="{option}"', "format": f.cheaper},
        )
    ws.set_row(VERDICT_ROW - 1, 30)
    ws.merge_range(f"A{VERDICT_ROW}:F{VERDICT_ROW}", "", f.verdict)
    ws.write_formula(QUOTE_VERDICT_CELL, refs.verdict(), f.verdict, "")
    ws.merge_range(f"A{STATUS_ROW}:F{STATUS_ROW}", "", f.status)
    ws.write_formula(QUOTE_STATUS_CELL, refs.status_message(), f.status, "")


def _write_quote_helpers(ws: Worksheet, refs: QuoteRefs, f: _QuoteFormats) -> None:
    ws.write_string(f"A{HELPER_HEADING_ROW}", "Prices used", f.heading)
    ws.write_blank(f"B{HELPER_HEADING_ROW}", None, f.heading)
    ws.write_blank(f"C{HELPER_HEADING_ROW}", None, f.heading)
    helper_formats = {
        "metric": f.helper_text,
        "price": f.helper_price,
        "minimum": f.helper_whole,
        "lowest": f.helper_whole,
        "first_rate": f.helper_price,
        "months": f.helper_whole,
        "currency": f.helper_text,
    }
    for key, label in _Q_HELPERS:
        cell = refs.helper[key].replace("$", "")
        row = int(cell[1:])
        ws.merge_range(f"A{row}:B{row}", label, f.label)
        formula = getattr(refs, key)()
        if formula.startswith("{"):
            ws.write_array_formula(f"{cell}:{cell}", formula, helper_formats[key], "")
        else:
            ws.write_formula(cell, formula, helper_formats[key], "")


def _write_quote_notes(ws: Worksheet, f: _QuoteFormats) -> None:
    ws.write_string(f"A{NOTES_HEADING_ROW}", "How to read this", f.heading)
    for col in range(1, len(WIDTHS)):
        ws.write_blank(NOTES_HEADING_ROW - 1, col, None, f.heading)
    width = sum(WIDTHS)
    for i, text in enumerate(_Q_NOTES):
        row = NOTES_HEADING_ROW + i  # 0-based: the rows below the heading
        ws.merge_range(row, 0, row, len(WIDTHS) - 1, text, f.note)
        ws.set_row(row, line_count(text, width) * LINE_HEIGHT)


def _write_quote_months(ws: Worksheet, refs: QuoteRefs, f: _QuoteFormats) -> None:
    ws.write_string(f"A{TABLE_HEADING_ROW}", "Month by month", f.heading)
    for col in range(1, len(WIDTHS)):
        ws.write_blank(TABLE_HEADING_ROW - 1, col, None, f.heading)
    header_row = TABLE_HEADER_ROW - 1  # 0-based
    ws.set_row(header_row, 32)
    for col, header in enumerate(schema.QUOTE_MONTH_HEADERS):
        ws.write_string(header_row, col, header, f.table_header)
    for col, header in enumerate(CHART_DATA_HEADERS, start=CHART_DATA_COL):
        ws.write_string(header_row, col, header, f.chart_data)
    column_formats = (f.month, f.whole, f.whole, f.money, f.money, f.money)
    for k in range(1, schema.QUOTE_MAX_MONTHS + 1):
        table, chart = refs.month_row(k)
        for col, (formula, fmt) in enumerate(zip(table, column_formats, strict=True)):
            ws.write_formula(header_row + k, col, formula, fmt, "")
        for col, formula in enumerate(chart, start=CHART_DATA_COL):
            ws.write_formula(header_row + k, col, formula, None, "")
