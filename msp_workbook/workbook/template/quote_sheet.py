"""The Quote sheet: a live quote for a prospect in native Excel formulas (no add-in needed).

On top, the part a prospect sees and the print area holds: the inputs, the totals, a sentence
saying which option saves how much, and a chart of the cumulative cost over the term. Below it,
for the salesperson only: the prices used, the same quote by Python for those who have the
xlwings add-in, the signed difference, notes, and the month-by-month table the chart is drawn
from. Built by `builder.build_workbook`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ...core.vocabulary import TERMS, TERMS_SPAN, TERMS_TEXT
from .. import schema
from ..schema import Table
from .look import (
    INPUT_FILL,
    INPUT_TAB_COLOUR,
    LINE_HEIGHT,
    QUOTE_TAB_COLOUR,
    line_count,
    lookup_name,
    lookups,
    messages,
    number_options,
    write_value,
)

# --- Quote sheet ----------------------------------------------------------------------------------
#
# A quick quote for a prospect: MSP monthly against an annual subscription over 1..5 years, in
# native formulas only (no Python, no macros), so it computes live in any Excel 2016+ and
# LibreOffice 7.4+: INDEX/MATCH, SUMIFS, COUNTIFS, SUMPRODUCT, IF, ROUND, MIN/MAX and the like (no
# XLOOKUP, LET, FILTER or MINIFS), a few of them entered as array formulas, with structured
# references to the Products, AnnualPrices and Settings tables, so the reseller's own prices flow
# in. Formula cells carry no cached result: LibreOffice, which otherwise shows the cached values of
# an Excel file, then computes them on opening. The rules are those of the Python engine
# (core/annual.py, core/quote.py):
#
#   u(m) = max(0, round half up(now + (in12 - now) x (m - 1)/12)), m = 1..W, W = 12 x term
#   MSP  = round(sum of max(u(m), Minimum units) x Price per unit)
#   L(1) = max(u(1), lowest tier's Min units), paid L(1) x p(L(1)) x W/12; later, when u(m) > L,
#          the added a = u(m) - L are paid a x p(a) x (W - m + 1)/12 and L = u(m)
#
# p(n) is the rate of the tier with the largest Min units <= max(n, lowest Min units): for
# contiguous tiers that is the tier with Min <= n <= Max (empty Max = no upper bound), below the
# lowest tier the lowest tier's rate, and in a gap between tiers or above the last Max the tier
# below, as in the engine.
#
# Excel's ROUND rounds half away from zero, which is half up for the amounts here and for the
# unit counts (negative counts become 0 either way). Running sums are snapped to 6 decimals
# (amounts are exact multiples of 0.000001 while prices have at most 6 decimals), and the annual
# sum is carried as 12 x the amount, divided by 12 once per row: binary floating point noise then
# cannot move a half cent across the rounding edge of the totals.

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

_Q_WIDTHS = (22, 14, 26, 14, 16, 18)  # A..F; the month table uses all six
# H..J (hidden): the chart's series (x: the month, y: the cumulative costs), all three #N/A
# beyond the term, so neither engine plots those points nor stretches the month axis over them.
_Q_CHART_DATA_COL = 7
_Q_CHART_DATA_HEADERS = ("Chart: cumulative MSP", "Chart: cumulative annual", "Chart: month")
# Excel rows. The prospect's part, rows 1.._Q_PRINT_LAST_ROW, is the print area:
_Q_INPUT_ROW = 5  # rows 5..8: inputs in B; results in F, rows 5..7
_Q_VERDICT_ROW = 10
QUOTE_VERDICT_CELL = f"A{_Q_VERDICT_ROW}"  # "MSP saves ...", "Annual saves ...", or the same
_Q_STATUS_ROW = 11
QUOTE_STATUS_CELL = f"A{_Q_STATUS_ROW}"  # empty, or what keeps the quote from being made
_Q_CHART_ROW = 13
_Q_CHART_HEIGHT = 330  # pixels; default rows are 20 pixels high
_Q_PRINT_LAST_ROW = _Q_CHART_ROW + -(-_Q_CHART_HEIGHT // 20)
# ... and below it, for the salesperson only:
_Q_BACKSTAGE_ROW = _Q_PRINT_LAST_ROW + 2
_Q_HELPER_HEADING_ROW = _Q_BACKSTAGE_ROW + 1
_Q_DIFFERENCE_ROW = _Q_HELPER_HEADING_ROW + 7  # beside the last helper, under the Python quote
_Q_NOTES_HEADING_ROW = _Q_HELPER_HEADING_ROW + 10
_Q_TABLE_HEADING_ROW = _Q_NOTES_HEADING_ROW + 7  # the heading, 5 notes, a blank row
_Q_TABLE_HEADER_ROW = _Q_TABLE_HEADING_ROW + 1
_Q_FIRST_MONTH_ROW = _Q_TABLE_HEADER_ROW + 1
_Q_LAST_MONTH_ROW = _Q_TABLE_HEADER_ROW + schema.QUOTE_MAX_MONTHS
# The print area (0-based rows and columns, as XlsxWriter takes them): what a prospect sees.
QUOTE_PRINT_AREA = (0, 0, _Q_PRINT_LAST_ROW - 1, 5)

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
# Result cells in F from _Q_INPUT_ROW down; the signed difference sits below the print area.
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
_Q_PRODUCT_NAME_CELL = f"C{_Q_INPUT_ROW}"  # the product's name beside its ID
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
    unknown = sorted(set(given) - set(schema.QUOTE_INPUTS))
    if unknown:
        raise ValueError(
            f"unknown Quote input(s) {unknown}; expected some of {list(schema.QUOTE_INPUTS)}"
        )
    return {**QUOTE_DEFAULTS, **given}


def _col_ref(table: Table, header: str) -> str:
    """Structured reference to a table column, e.g. AnnualPrices[Min units]."""
    table.column(header)  # KeyError when the schema has no such column
    return f"{table.name}[{header}]"


@dataclass(frozen=True)
class _QuoteRefs:
    """Cell references of the Quote sheet, and the formulas built from them."""

    helper: Mapping[str, str]  # helper key -> absolute cell, e.g. "$C$14"
    status: str

    def _p(self, header: str) -> str:
        return _col_ref(schema.PRODUCTS, header)

    def _a(self, header: str) -> str:
        return _col_ref(schema.ANNUAL_PRICES, header)

    @property
    def _annual_row(self) -> str:
        """1 for the AnnualPrices rows of the quoted product, metric and term, else 0."""
        a_id, a_metric, a_term = schema.ANNUAL_PRICES.headers[:3]
        return (
            f"({self._a(a_id)}={schema.QUOTE_PRODUCT})"
            f"*({self._a(a_metric)}={self.helper['metric']})"
            f"*({self._a(a_term)}={schema.QUOTE_TERM})"
        )

    def _annual_criteria(self) -> str:
        a_id, a_metric, a_term = schema.ANNUAL_PRICES.headers[:3]
        return (
            f"{self._a(a_id)},{schema.QUOTE_PRODUCT},"
            f"{self._a(a_metric)},{self.helper['metric']},"
            f"{self._a(a_term)},{schema.QUOTE_TERM}"
        )

    def _products_criteria(self) -> str:
        p_id, _, p_metric = schema.PRODUCTS.headers[:3]
        return f"{self._p(p_id)},{schema.QUOTE_PRODUCT},{self._p(p_metric)},{self.helper['metric']}"

    def rate(self, units: str) -> str:
        """p(units): price per unit and year of the tier with the largest Min <= the units
        (raised to the lowest tier's Min)."""
        a_min, a_rate = schema.ANNUAL_PRICES.headers[3], schema.ANNUAL_PRICES.headers[5]
        n = f"MAX({units},{self.helper['lowest']})"
        tier_min = f"SUMPRODUCT(MAX({self._annual_row}*({self._a(a_min)}<={n})*{self._a(a_min)}))"
        return f"SUMIFS({self._a(a_rate)},{self._annual_criteria()},{self._a(a_min)},{tier_min})"

    # --- helper cells ---

    def product(self) -> str:
        p_id, p_name = schema.PRODUCTS.headers[:2]
        return (
            f"=IFERROR(INDEX({self._p(p_name)},MATCH({schema.QUOTE_PRODUCT},{self._p(p_id)},0))"
            '&"","")'
        )

    def metric(self) -> str:
        """Array formula: the first Products row of the product (in sheet order) whose metric
        has AnnualPrices rows for the term."""
        p_id, _, p_metric = schema.PRODUCTS.headers[:3]
        a_id, a_metric, a_term = schema.ANNUAL_PRICES.headers[:3]
        has_prices = (
            f"COUNTIFS({self._a(a_id)},{schema.QUOTE_PRODUCT},{self._a(a_metric)},"
            f"{self._p(p_metric)},{self._a(a_term)},{schema.QUOTE_TERM})>0"
        )
        # The first matching position (1-based); none: a position past the end, so #REF!.
        # (MATCH would need an array, and a one-row table gives a single value.)
        rows = f"ROW({self._p(p_metric)})"
        first = (
            f"MIN(IF(({self._p(p_id)}={schema.QUOTE_PRODUCT})*({has_prices}),"
            f"{rows}-MIN({rows})+1,1E+9))"
        )
        return f'{{=IFERROR(INDEX({self._p(p_metric)},{first})&"","")}}'

    def price(self) -> str:
        p_price = schema.PRODUCTS.headers[5]
        return (
            f'=IF({self.helper["metric"]}="","",'
            f"SUMIFS({self._p(p_price)},{self._products_criteria()}))"
        )

    def minimum(self) -> str:
        p_minimum = schema.PRODUCTS.headers[6]
        return (
            f'=IF({self.helper["metric"]}="","",'
            f"SUMIFS({self._p(p_minimum)},{self._products_criteria()}))"
        )

    def lowest(self) -> str:
        """Array formula: the lowest Min units of the product's tiers for the term."""
        a_min = schema.ANNUAL_PRICES.headers[3]
        return (
            f'{{=IF({self.helper["metric"]}="","",MIN(IF({self._annual_row},{self._a(a_min)})))}}'
        )

    def first_rate(self) -> str:
        first_licensed = f"$C${_Q_FIRST_MONTH_ROW}"
        return f'=IF({self.helper["months"]}=0,"",{self.rate(first_licensed)})'

    def months(self) -> str:
        return f'=IF({self.status}="",12*{schema.QUOTE_TERM},0)'

    def currency(self) -> str:
        setting, value = schema.SETTINGS.headers
        return (
            f"=IFERROR(INDEX({_col_ref(schema.SETTINGS, value)},"
            f'MATCH("{schema.SETTING_CURRENCY}",{_col_ref(schema.SETTINGS, setting)},0))&"","")'
        )

    def status_message(self) -> str:
        """Empty when the quote can be made, else what to fix."""
        product, term = schema.QUOTE_PRODUCT, schema.QUOTE_TERM
        now, in12 = schema.QUOTE_UNITS_NOW, schema.QUOTE_UNITS_12M
        p_id = schema.PRODUCTS.headers[0]
        checks = (
            (f'{product}=""', '"Choose a Product ID."'),
            (
                f"COUNTIF({self._p(p_id)},{product})=0",
                f'"Product ID "&{product}&" is not on the Products sheet."',
            ),
            (
                f"ISNA(MATCH({term},{{{','.join(str(t) for t in TERMS)}}},0))",
                f'"{schema.COL_TERM_YEARS}: {TERMS_TEXT}."',
            ),
            (
                f"NOT(AND(ISNUMBER({now}),ISNUMBER({in12})))",
                '"Units now and Units in 12 months: whole numbers, 0 or more."',
            ),
            (
                f"OR({now}<0,{in12}<0,{now}<>INT({now}),{in12}<>INT({in12}))",
                '"Units now and Units in 12 months: whole numbers, 0 or more."',
            ),
            (
                f'{self.helper["metric"]}=""',
                f'{product}&" has no annual prices for a "&{term}&"-year term on the '
                f'AnnualPrices sheet."',
            ),
        )
        formula = '""'
        for condition, message in reversed(checks):
            formula = f"IF({condition},{message},{formula})"
        return "=" + formula

    # --- month rows ---

    def month_row(self, k: int) -> tuple[list[str], list[str]]:
        """Formulas of month k (1-based): the table's columns A..F and the chart's H..J."""
        r = _Q_TABLE_HEADER_ROW + k
        prev = r - 1
        h = self.helper
        blank = f'IF($A{r}="","",'
        units = (
            f"MAX(0,ROUND({schema.QUOTE_UNITS_NOW}"
            f"+({schema.QUOTE_UNITS_12M}-{schema.QUOTE_UNITS_NOW})*($A{r}-1)/12,0))"
        )
        if k == 1:
            licensed = f"MAX(B{r},{h['lowest']})"
            cumulative_msp = f"ROUND(D{r},6)"
            cumulative_annual = f"ROUND(C{r}*{self.rate(f'C{r}')}*{h['months']},6)/12"
        else:
            licensed = f"MAX(C{prev},B{r})"
            cumulative_msp = f"ROUND(E{prev}+D{r},6)"
            added = f"(B{r}-C{prev})"
            cumulative_annual = (
                f"IF(B{r}>C{prev},ROUND(12*F{prev}+{added}*{self.rate(added)}"
                f"*({h['months']}-$A{r}+1),6)/12,F{prev})"
            )
        table = [
            f'=IF({k}<={h["months"]},{k},"")',
            f"={blank}{units})",
            f"={blank}{licensed})",
            f"={blank}MAX(B{r},{h['minimum']})*{h['price']})",
            f"={blank}{cumulative_msp})",
            f"={blank}{cumulative_annual})",
        ]
        chart = [
            f'=IF($A{r}="",NA(),E{r})',
            f'=IF($A{r}="",NA(),F{r})',
            f'=IF($A{r}="",NA(),$A{r})',
        ]
        return table, chart

    # --- results ---

    def total(self, column: str) -> str:
        months = self.helper["months"]
        cells = f"${column}${_Q_FIRST_MONTH_ROW}:${column}${_Q_LAST_MONTH_ROW}"
        return f'=IF({months}=0,"",ROUND(INDEX({cells},{months}),2))'

    def verdict(self) -> str:
        """Which option saves how much over the term, as a sentence: "MSP saves 151.20 EUR
        (4 %) over 3 years", "Annual saves ...", or "Both cost the same over ...".

        The percent is the saving relative to the more expensive option's total (what the
        prospect would pay without the saving): MSP 12,000.00 against annual 15,000.00 is
        "MSP saves 3,000.00 (20 %)", not 25 %. It is rounded half up to a whole percent. The
        amount is FIXED(x, 2), which writes the separators of the user's locale (2.000,00 in a
        German Excel, where TEXT(x, "#,##0.00") would read the format code the German way)."""
        msp, annual = schema.QUOTE_MSP_TOTAL, schema.QUOTE_ANNUAL_TOTAL
        currency, months = self.helper["currency"], self.helper["months"]
        term = schema.QUOTE_TERM
        saving = f"ABS({annual}-{msp})"
        amount = f'FIXED({saving},2)&IF({currency}="",""," "&{currency})'
        percent = f'" ("&FIXED(ROUND(100*{saving}/MAX({msp},{annual}),0),0)&" %)"'
        over = f'" over "&{term}&IF({term}=1," year"," years")'
        return (
            f'=IF({months}=0,"",IF({msp}={annual},"Both cost the same"&{over},'
            f'IF({msp}<{annual},"MSP","Annual")&" saves "&{amount}&{percent}&{over}))'
        )

    def results(self) -> dict[str, str]:
        months = self.helper["months"]
        msp, annual = schema.QUOTE_MSP_TOTAL, schema.QUOTE_ANNUAL_TOTAL
        return {
            msp: self.total("E"),
            annual: self.total("F"),
            schema.QUOTE_DIFFERENCE: f'=IF({months}=0,"",ROUND({annual}-{msp},2))',
            schema.QUOTE_CHEAPER: f'=IF({months}=0,"",IF({msp}<={annual},"MSP","Annual"))',
        }


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
    for col, width in enumerate(_Q_WIDTHS):
        ws.set_column(col, col, width)
    last_chart_col = _Q_CHART_DATA_COL + len(_Q_CHART_DATA_HEADERS) - 1
    ws.set_column(_Q_CHART_DATA_COL, last_chart_col, 22, None, {"hidden": True})

    ws.set_row(0, 28)
    ws.write_string("A1", "Quote: MSP monthly or an annual subscription?", f.title)
    ws.write_string("A2", _Q_SUBTITLE, f.subtitle)
    ws.merge_range(
        _Q_BACKSTAGE_ROW - 1, 0, _Q_BACKSTAGE_ROW - 1, len(_Q_WIDTHS) - 1, "", f.backstage
    )
    ws.write_string(_Q_BACKSTAGE_ROW - 1, 0, _Q_INSTRUCTIONS, f.backstage)

    helper = {key: f"$C${_Q_HELPER_HEADING_ROW + 1 + i}" for i, (key, _) in enumerate(_Q_HELPERS)}
    refs = _QuoteRefs(helper=helper, status=f"$A${_Q_STATUS_ROW}")

    _write_quote_inputs(book, ws, inputs, refs, f)
    _write_quote_results(book, ws, refs, f)
    _write_quote_helpers(ws, refs, f)
    _write_quote_notes(ws, f)
    _write_quote_months(ws, refs, f)
    _add_quote_chart(book, ws)
    _write_python_quote(ws, f)


# The same quote computed by Python (the MSP_QUOTE function of the xlwings add-in), beside the
# native formulas: with the add-in both agree; without it the cells say what they need (not
# #NAME?: MSP_QUOTE itself returns "#MSP: ..." text, never an error, so nothing else is hidden).
_Q_PYTHON_ROW = _Q_HELPER_HEADING_ROW
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
    book: Workbook, ws: Worksheet, inputs: Mapping[str, object], refs: _QuoteRefs, f: _QuoteFormats
) -> None:
    ws.write_string(f"A{_Q_INPUT_ROW - 1}", "Prospect", f.heading)
    ws.write_blank(f"B{_Q_INPUT_ROW - 1}", None, f.heading)
    ws.write_blank(f"C{_Q_INPUT_ROW - 1}", None, f.heading)
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
        row = _Q_INPUT_ROW + i
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
        row = _Q_INPUT_ROW + schema.QUOTE_INPUTS.index(name)
        ws.write_formula(f"C{row}", f"={metric}", f.beside, "")


def _write_quote_results(book: Workbook, ws: Worksheet, refs: _QuoteRefs, f: _QuoteFormats) -> None:
    head = _Q_INPUT_ROW - 1
    currency = refs.helper["currency"]
    ws.merge_range(f"D{head}:F{head}", "", f.heading)
    ws.write_formula(f"D{head}", f'="Result"&IF({currency}="",""," in "&{currency})', f.heading, "")
    formulas = refs.results()
    rows = {name: _Q_INPUT_ROW + i for i, name in enumerate(_Q_SHOWN_RESULTS)}
    # The signed difference is for the salesperson, below the print area; the prospect reads
    # the sentence instead.
    rows[schema.QUOTE_DIFFERENCE] = _Q_DIFFERENCE_ROW
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
    ws.set_row(_Q_VERDICT_ROW - 1, 30)
    ws.merge_range(f"A{_Q_VERDICT_ROW}:F{_Q_VERDICT_ROW}", "", f.verdict)
    ws.write_formula(QUOTE_VERDICT_CELL, refs.verdict(), f.verdict, "")
    ws.merge_range(f"A{_Q_STATUS_ROW}:F{_Q_STATUS_ROW}", "", f.status)
    ws.write_formula(QUOTE_STATUS_CELL, refs.status_message(), f.status, "")


def _write_quote_helpers(ws: Worksheet, refs: _QuoteRefs, f: _QuoteFormats) -> None:
    ws.write_string(f"A{_Q_HELPER_HEADING_ROW}", "Prices used", f.heading)
    ws.write_blank(f"B{_Q_HELPER_HEADING_ROW}", None, f.heading)
    ws.write_blank(f"C{_Q_HELPER_HEADING_ROW}", None, f.heading)
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
    ws.write_string(f"A{_Q_NOTES_HEADING_ROW}", "How to read this", f.heading)
    for col in range(1, len(_Q_WIDTHS)):
        ws.write_blank(_Q_NOTES_HEADING_ROW - 1, col, None, f.heading)
    width = sum(_Q_WIDTHS)
    for i, text in enumerate(_Q_NOTES):
        row = _Q_NOTES_HEADING_ROW + i  # 0-based: the rows below the heading
        ws.merge_range(row, 0, row, len(_Q_WIDTHS) - 1, text, f.note)
        ws.set_row(row, line_count(text, width) * LINE_HEIGHT)


def _write_quote_months(ws: Worksheet, refs: _QuoteRefs, f: _QuoteFormats) -> None:
    ws.write_string(f"A{_Q_TABLE_HEADING_ROW}", "Month by month", f.heading)
    for col in range(1, len(_Q_WIDTHS)):
        ws.write_blank(_Q_TABLE_HEADING_ROW - 1, col, None, f.heading)
    header_row = _Q_TABLE_HEADER_ROW - 1  # 0-based
    ws.set_row(header_row, 32)
    for col, header in enumerate(schema.QUOTE_MONTH_HEADERS):
        ws.write_string(header_row, col, header, f.table_header)
    for col, header in enumerate(_Q_CHART_DATA_HEADERS, start=_Q_CHART_DATA_COL):
        ws.write_string(header_row, col, header, f.chart_data)
    column_formats = (f.month, f.whole, f.whole, f.money, f.money, f.money)
    for k in range(1, schema.QUOTE_MAX_MONTHS + 1):
        table, chart = refs.month_row(k)
        for col, (formula, fmt) in enumerate(zip(table, column_formats, strict=True)):
            ws.write_formula(header_row + k, col, formula, fmt, "")
        for col, formula in enumerate(chart, start=_Q_CHART_DATA_COL):
            ws.write_formula(header_row + k, col, formula, None, "")


def _add_quote_chart(book: Workbook, ws: Worksheet) -> None:
    """Cumulative MSP and annual cost over the months of the term.

    An XY chart: a line chart's category axis always has a slot for each of the 60 rows, and
    its range cannot follow a cell without VBA (LibreOffice draws nothing from a dynamic named
    range). Beyond the term the month (x) and both costs (y) are #N/A, which neither Excel nor
    LibreOffice plots or counts when scaling the axis, so the month axis ends at the first round
    number at or after 12 x Term (LibreOffice: 14, 30, 40, 60, 70 for 1..5 years)."""
    chart = book.add_chart({"type": "scatter", "subtype": "straight"})
    sheet = schema.QUOTE_SHEET
    first, last = _Q_FIRST_MONTH_ROW, _Q_LAST_MONTH_ROW
    colours = ("#4F81BD", "#F79646")
    months = xl_col_to_name(_Q_CHART_DATA_COL + len(colours))
    for i, colour in enumerate(colours):
        data_col = xl_col_to_name(_Q_CHART_DATA_COL + i)
        header_col = "EF"[i]
        chart.add_series(
            {
                "name": f"={sheet}!${header_col}${_Q_TABLE_HEADER_ROW}",
                "categories": f"={sheet}!${months}${first}:${months}${last}",
                "values": f"={sheet}!${data_col}${first}:${data_col}${last}",
                # Cached as numbers with no points (the formulas carry no cached value):
                # XlsxWriter would otherwise cache the months as text, which Excel reads as
                # x = 1, 2, 3 ... over all 60 rows.
                "categories_data": [None] * schema.QUOTE_MAX_MONTHS,
                "values_data": [None] * schema.QUOTE_MAX_MONTHS,
                "line": {"color": colour, "width": 2.5},
                "marker": {"type": "none"},
            }
        )
    chart.set_title({"name": "Cumulative cost", "name_font": {"size": 12}})
    chart.set_x_axis({"name": "Month", "min": 0, "num_format": "0"})
    chart.set_y_axis({"min": 0, "num_format": "#,##0", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    # Months beyond the term hold #N/A, which neither engine plots. "span" is written out
    # explicitly: without the element LibreOffice draws missing points as zeros.
    chart.show_blanks_as("span")
    chart.show_hidden_data()
    width = sum(int(w * 7 + 5) for w in _Q_WIDTHS)
    chart.set_size({"width": width, "height": _Q_CHART_HEIGHT})
    ws.insert_chart(f"A{_Q_CHART_ROW}", chart, {"object_position": 3})
