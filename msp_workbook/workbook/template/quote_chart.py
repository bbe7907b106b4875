"""The Quote sheet's chart: the cumulative cost of MSP monthly and of the annual
subscription over the months of the term, drawn from hidden columns beside the month table."""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import schema
from .quote_layout import (
    CHART_DATA_COL,
    CHART_HEIGHT,
    CHART_ROW,
    FIRST_MONTH_ROW,
    LAST_MONTH_ROW,
    TABLE_HEADER_ROW,
    WIDTHS,
)


def add_quote_chart(book: Workbook, ws: Worksheet) -> None:
    """Cumulative MSP and annual cost over the months of the term.

    An XY chart: a line chart's category axis always has a slot for each of the 60 rows, and
    its range cannot follow a cell without VBA (LibreOffice draws nothing from a dynamic named
    range). Beyond the term the month (x) and both costs (y) are #N/A, which neither Excel nor
    LibreOffice plots or counts when scaling the axis, so the month axis ends at the first round
    number at or after 12 x Term (LibreOffice: 14, 30, 40, 60, 70 for 1..5 years)."""
    chart = book.add_chart({"type": "scatter", "subtype": "straight"})
    sheet = schema.QUOTE_SHEET
    first, last = FIRST_MONTH_ROW, LAST_MONTH_ROW
    colours = ("#4F81BD", "#F79646")
    months = xl_col_to_name(CHART_DATA_COL + len(colours))
    for i, colour in enumerate(colours):
        data_col = xl_col_to_name(CHART_DATA_COL + i)
        header_col = "EF"[i]
        chart.add_series(
            {
                "name": f"={sheet}!${header_col}${TABLE_HEADER_ROW}",
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
    width = sum(int(w * 7 + 5) for w in WIDTHS)
    chart.set_size({"width": width, "height": CHART_HEIGHT})
    ws.insert_chart(f"A{CHART_ROW}", chart, {"object_position": 3})
