"""Where the drop-downs of the input sheets take their values: a workbook name per lookup
source (CustomerIDs =Customers[Customer ID], following the table as it grows) and, for a source
whose values repeat, hidden helper columns on its sheet listing each value once."""

from __future__ import annotations

import re

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import schema
from .look import LAST_ROW, Formats, Rows, notes_column


def lookup_name(header: str) -> str:
    """Workbook name of a lookup source column's values, e.g. "Customer ID" -> CustomerIDs."""
    words = re.sub(r"[^0-9A-Za-z ]", "", header).split()
    return "".join(w[:1].upper() + w[1:] for w in words) + "s"


def lookups() -> dict[str, tuple[str, str]]:
    """Every lookup source of the schema by its workbook name."""
    names: dict[str, tuple[str, str]] = {}
    for table in schema.INPUT_TABLES:
        for column in table.columns:
            if column.lookup is None:
                continue
            name = lookup_name(column.lookup[1])
            if names.setdefault(name, column.lookup) != column.lookup:
                raise ValueError(f"lookup name {name} is used for two sources")
    return names


# Lookup sources whose values repeat (Products has one row per metric of a product): their
# drop-down lists the distinct values, which array formulas compute in hidden helper columns of
# the source's sheet (classic Excel has no UNIQUE(); LibreOffice computes them too). The sheet is
# an input sheet: the program never rewrites it.
DISTINCT_SOURCES: tuple[tuple[str, str], ...] = (
    (schema.PRODUCTS.name, schema.COL_PRODUCT_ID),
    (schema.PRODUCTS.name, schema.COL_METRIC),
)
DISTINCT_FIRST_COLUMN = 26  # 0-based: column AA, then AB ...
DISTINCT_ROWS = 200  # distinct values a list holds (sheet rows 2..201)


def distinct_column(source: tuple[str, str]) -> int:
    """0-based sheet column of the helper list of a repeating lookup source."""
    return DISTINCT_FIRST_COLUMN + DISTINCT_SOURCES.index(source)


def distinct_range(source: tuple[str, str]) -> str:
    """The helper list's cells, e.g. Products!$AA$2:$AA$201."""
    letter = xl_col_to_name(distinct_column(source))
    return f"{schema.table_by_name(source[0]).sheet}!${letter}$2:${letter}${DISTINCT_ROWS + 1}"


def distinct_formula(source: tuple[str, str], row: int) -> str:
    """The array formula of the helper list's cell on 0-based sheet `row` (>= 1): the first
    value of the source column that no cell above it lists yet, or "" when all are listed."""
    table, header = source
    letter = xl_col_to_name(distinct_column(source))
    values = f"{table}[{header}]"
    above = f"{letter}$1:{letter}{row}"
    return f'{{=IFERROR(INDEX({values},MATCH(0,COUNTIF({above},{values})+({values}=""),0)),"")}}'


def lookup_source_formula(source: tuple[str, str]) -> str:
    """What a lookup name refers to: the table column, or for a repeating source the filled
    part of its helper list (so the drop-down lists no blanks)."""
    table, header = source
    if source not in DISTINCT_SOURCES:
        return f"={table}[{header}]"
    cells = distinct_range(source)
    first = cells.split(":")[0]
    return f"=OFFSET({first},0,0,MAX(1,SUMPRODUCT(--(LEN({cells})>0))),1)"


def define_lookup_names(book: Workbook) -> None:
    """Names such as CustomerIDs =Customers[Customer ID]: they follow the table as it grows.
    A repeating source (Product ID, Metric) names its helper list of distinct values instead."""
    for name, source in sorted(lookups().items()):
        book.define_name(name, lookup_source_formula(source))


def add_distinct_lists(ws: Worksheet, rows: Rows, formats: Formats) -> None:
    """Hidden helper columns of the Products sheet: each repeating lookup source's values once,
    for the drop-downs (see DISTINCT_SOURCES)."""
    for source in DISTINCT_SOURCES:
        col = distinct_column(source)
        header = source[1]
        values: dict[str, str] = {}
        for row in rows:
            value = row.get(header)
            if value is not None and str(value).strip():
                values.setdefault(str(value).casefold(), str(value))
        listed = list(values.values())
        ws.write_string(0, col, f"{header} list (drop-downs)", formats.note_heading)
        for i in range(DISTINCT_ROWS):
            cached = listed[i] if i < len(listed) else ""
            formula = distinct_formula(source, i + 1)
            ws.write_array_formula(i + 1, col, i + 1, col, formula, None, cached)
        ws.set_column(col, col, 16, None, {"hidden": True})
    # The helper rows are not printed: the print area is the table and its notes.
    ws.print_area(0, 0, LAST_ROW, notes_column(schema.PRODUCTS))
