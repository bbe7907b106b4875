"""The charts of the generated sheets Reconciliation and Comparison, with the blocks beside
their tables that the charts plot (written by `reconcile` and every recalculation, which also
stretch the charts' ranges over the rows they write)."""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ...core.top_savings import TOP_SAVINGS
from .. import schema
from ..money_format import with_currency
from .look import Formats


def add_reconciliation_side(book: Workbook, ws: Worksheet, formats: Formats) -> None:
    """Beside the Reconciliation table: the month per product (which the chart plots) and the
    run's summary, written by `reconcile`; the chart's ranges start on the one blank row and
    every reconcile stretches them over the products it writes."""
    side = len(schema.RECONCILIATION.columns) + 1  # one blank column between table and block
    headers = schema.RECONCILIATION_SIDE_HEADERS
    money = formats.number(with_currency(schema.FMT_MONEY))
    ws.set_column(side - 1, side - 1, 3)
    for i, header in enumerate(headers):
        width = 22 if header in schema.RECONCILIATION_LABEL_SIDE else 15
        fmt = money if header in schema.RECONCILIATION_MONEY_SIDE else None
        if header == "Rows":
            width, fmt = 8, formats.number(schema.FMT_WHOLE)
        ws.set_column(side + i, side + i, width, fmt)
        ws.write(0, side + i, header, formats.table_header)
    sheet = schema.RECONCILIATION.sheet
    chart = book.add_chart({"type": "column"})
    for offset, colour in ((1, "#C0504D"), (2, "#4F81BD"), (3, "#9BBB59")):
        chart.add_series(
            {
                "name": [sheet, 0, side + offset],
                "categories": [sheet, 1, side, 1, side],
                "values": [sheet, 1, side + offset, 1, side + offset],
                "fill": {"color": colour},
            }
        )
    chart.set_title({"name": "Vendor charged vs billed, per product", "name_font": {"size": 12}})
    chart.set_y_axis({"num_format": schema.FMT_MONEY, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "top"})
    chart.set_size({"width": 720, "height": 360})
    ws.insert_chart(1, side + len(headers) + 1, chart)


def add_comparison_chart(book: Workbook, ws: Worksheet, formats: Formats) -> None:
    """Beside the Comparison table: the block of its largest savings (a label, MSP cost, the
    best annual cost, the saving; at most TOP_SAVINGS rows, largest first), and under the block
    a chart of horizontal bars setting MSP cost against the best annual cost for those rows.
    Its ranges cover the TOP_SAVINGS rows the block can fill; every recalculation makes them end
    at the block's last row."""
    side = len(schema.COMPARISON.columns) + 1  # one blank column between table and block
    headers = schema.COMPARISON_SIDE_HEADERS
    money = formats.number(with_currency(schema.FMT_MONEY))
    ws.set_column(side - 1, side - 1, 3)
    for i, header in enumerate(headers):
        if header in schema.COMPARISON_MONEY_SIDE:
            ws.set_column(side + i, side + i, 13, money)
        else:
            ws.set_column(side + i, side + i, 42)
        ws.write(0, side + i, header, formats.table_header)
    sheet = schema.COMPARISON.sheet
    last = TOP_SAVINGS  # 0-based index of the block's last possible row
    chart = book.add_chart({"type": "bar"})  # horizontal bars: long labels fit
    categories = [sheet, 1, side, last, side]
    for header, colour in zip(schema.COMPARISON_CHART_SIDE, ("#4F81BD", "#F79646"), strict=True):
        col = side + headers.index(header)
        chart.add_series(
            {
                "name": [sheet, 0, col],
                "categories": categories,
                "values": [sheet, 1, col, last, col],
                "fill": {"color": colour},
                "gap": 40,
                "data_labels": {
                    "value": True,
                    "num_format": schema.FMT_WHOLE,
                    "font": {"size": 8},
                },
            }
        )
    chart.set_title(
        {
            "name": f"The {TOP_SAVINGS} largest savings: MSP cost vs best annual (last 12 months)",
            "name_font": {"size": 12},
        }
    )
    chart.set_x_axis({"num_format": schema.FMT_WHOLE, "major_gridlines": {"visible": True}})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})  # largest saving at the top
    chart.set_legend({"position": "top"})
    chart.set_size({"width": 900, "height": 720})
    ws.insert_chart(last + 2, side, chart)  # under the block, one blank row between
