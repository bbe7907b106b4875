"""Where things are on the Quote sheet: its columns, its rows (the prospect's part on top, the
salesperson's below), the cells other modules and tests name, and the print area."""

from __future__ import annotations

from .. import schema

WIDTHS = (22, 14, 26, 14, 16, 18)  # A..F; the month table uses all six
# H..J (hidden): the chart's series (x: the month, y: the cumulative costs), all three #N/A
# beyond the term, so neither engine plots those points nor stretches the month axis over them.
CHART_DATA_COL = 7
CHART_DATA_HEADERS = ("Chart: cumulative MSP", "Chart: cumulative annual", "Chart: month")
# Excel rows. The prospect's part, rows 1..PRINT_LAST_ROW, is the print area:
INPUT_ROW = 5  # rows 5..8: inputs in B; results in F, rows 5..7
VERDICT_ROW = 10
QUOTE_VERDICT_CELL = f"A{VERDICT_ROW}"  # "MSP saves ...", "Annual saves ...", or the same
STATUS_ROW = 11
QUOTE_STATUS_CELL = f"A{STATUS_ROW}"  # empty, or what keeps the quote from being made
CHART_ROW = 13
CHART_HEIGHT = 330  # pixels; default rows are 20 pixels high
PRINT_LAST_ROW = CHART_ROW + -(-CHART_HEIGHT // 20)
# ... and below it, for the salesperson only:
BACKSTAGE_ROW = PRINT_LAST_ROW + 2
HELPER_HEADING_ROW = BACKSTAGE_ROW + 1
DIFFERENCE_ROW = HELPER_HEADING_ROW + 7  # beside the last helper, under the Python quote
NOTES_HEADING_ROW = HELPER_HEADING_ROW + 10
TABLE_HEADING_ROW = NOTES_HEADING_ROW + 7  # the heading, 5 notes, a blank row
TABLE_HEADER_ROW = TABLE_HEADING_ROW + 1
FIRST_MONTH_ROW = TABLE_HEADER_ROW + 1
LAST_MONTH_ROW = TABLE_HEADER_ROW + schema.QUOTE_MAX_MONTHS
# The print area (0-based rows and columns, as XlsxWriter takes them): what a prospect sees.
QUOTE_PRINT_AREA = (0, 0, PRINT_LAST_ROW - 1, 5)
