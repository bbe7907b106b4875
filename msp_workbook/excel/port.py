"""What the Excel face needs from an open workbook, as a small port the macros are written against.

The macros never touch xlwings objects directly: they read tables, replace a generated table's
rows, append or fill a row of an input table, and show messages, all through `WorkbookPort`.
`XlwingsBook` (xlwings_book.py) implements it over an `xlwings.Book`; tests use the same adapter
over a fake book.

Values crossing the port are what Excel gives and takes: text, float (every number), bool,
datetime (dates), and None for an empty cell. Rows are lists in the table's column order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..workbook.cells import RawValue
from ..workbook.write.cell_xml import CellValue


@dataclass(frozen=True)
class TableData:
    """An Excel table as found in the open workbook.

    `headers` are the table's header cells (left to right), `first_row` the sheet row number of
    its first data row, `first_column` the sheet column number (1 = A) of its first column and
    `last_row` the sheet row number of its last data row. `rows` holds the values of the table's
    columns from `first_row` down to the last used row of the sheet, so rows typed directly
    under the table are included (row i is sheet row `first_row + i`).
    """

    name: str
    sheet: str
    headers: tuple[str, ...]
    first_row: int
    first_column: int
    last_row: int
    rows: tuple[tuple[RawValue, ...], ...]
    totals_row: bool = False  # the table has a Total Row (under `last_row`)


@dataclass(frozen=True)
class Selection:
    """The top-left cell of the user's selection: sheet name, row and column numbers (1-based)."""

    sheet: str
    row: int
    column: int


class WorkbookPort(Protocol):
    """The open workbook, as the macros use it."""

    @property
    def name(self) -> str:
        """The workbook's file name, for messages."""
        ...

    @property
    def saved_path(self) -> str:
        """The full path of the workbook's file as last saved ("" when it was never saved)."""
        ...

    def read_table(self, name: str) -> TableData | None:
        """The table of this name (any sheet, any case), or None when there is none."""
        ...

    def sheet_holds_rows(self, name: str) -> bool:
        """Whether the sheet of this name (any case) has values in more than one row (rows
        under a header); False when there is no such sheet."""
        ...

    def replace_rows(
        self,
        name: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[CellValue]],
        side_columns: tuple[Sequence[str], Sequence[Sequence[CellValue]]] | None = None,
        number_formats: Mapping[str, str] | None = None,
    ) -> None:
        """Rewrite a generated table whole: its header row, then these data rows (at least one
        row stays, empty, as Excel needs), the columns of `number_formats` (by header) in those
        formats; `side_columns` (headers, one row of values per table
        row, or for a table of `schema.SIDE_BLOCK_TABLES` a block of its own number of rows)
        go one blank column to the right of the table, outside it, from its header row."""
        ...

    def replace_links(self, name: str, links: Sequence[tuple[int, str, str]]) -> None:
        """Make cells of a generated table's data rows links to places in the workbook, and
        no other cell of its rows one: (data row index from 0, column header, place such as
        "'Keys'!A13"). Where links cannot be removed, none are made (never a stale one)."""
        ...

    def append_row(self, name: str, values: Mapping[str, CellValue]) -> int:
        """Add a row (values by header; others stay empty) at the end of an input table and
        return its sheet row number. Rows typed right under the table are taken into it first;
        an empty last row of the table is reused."""
        ...

    def fill_row(self, name: str, row: int, values: Mapping[str, CellValue]) -> None:
        """Write these cells (by header) of the table's data row at sheet row `row`."""
        ...

    def selection(self) -> Selection | None:
        """Where the user's selection starts, or None when nothing is selected."""
        ...

    def cell_value(self, sheet: str, row: int, column: int) -> RawValue:
        """The value of one cell (1-based row and column), None when empty or not to be had."""
        ...

    def set_cells(self, sheet: str, row: int, column: int, values: Sequence[CellValue]) -> None:
        """Write these values down one column of the sheet (any case) from the cell at `row`,
        `column` (1-based), keeping the cells' formats; text stays text. Nothing when there is
        no such sheet."""
        ...

    def ask_files(self) -> list[str] | None:
        """File paths the user picks in Excel's Open dialog ([] when cancelled), or None where
        there is no such dialog (macOS, xlwings Lite, a server)."""
        ...

    def status(self, message: str) -> None:
        """Show a one-line message (the status bar); never fails."""
        ...

    def alert(self, message: str) -> None:
        """Show a one-line message the user must see (a message box); never fails."""
        ...
