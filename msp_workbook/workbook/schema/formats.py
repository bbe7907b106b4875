"""Number formats and table styles of the workbook's cells and tables."""

from __future__ import annotations

# Number formats (Excel format codes), chosen to follow the user's locale: the separators of
# "#,##0.00" and "0.0%" are the reader's own (German Excel shows 1.234,50 and 19,0 %).
# Money is currency-neutral: the currency is a setting (Settings > Currency, EUR or CHF ...), so
# no symbol is fixed into the format; the sheets where prices are typed show it in a note beside
# the table, taken live from the setting.
FMT_MONEY = "#,##0.00"
FMT_UNIT_PRICE = "#,##0.00##"
FMT_PERCENT = "0.0%"
FMT_WHOLE = "#,##0"
# Excel's built-in short date (numFmtId 14): 06.12.2026 in German Excel, 12/6/2026 in US Excel.
# A number, not a format code: XlsxWriter writes it as the built-in id (a code string would be a
# fixed custom format). xlwings takes format strings only: the Excel face sets no date format.
FMT_DATE = 14
# Timestamps stay ISO with seconds: written by the program (Ledger's Finalized), never typed, an
# audit stamp that sorts and reads the same everywhere (built-in 22 would drop the seconds).
FMT_TIMESTAMP = "yyyy-mm-dd hh:mm:ss"
FMT_TEXT = "@"

# Table styles: the template uses them, and the writer for a generated table it has to create.
INPUT_TABLE_STYLE = "Table Style Medium 2"
GENERATED_TABLE_STYLE = "Table Style Medium 1"
