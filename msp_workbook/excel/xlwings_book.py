"""`WorkbookPort` over an `xlwings.Book`: the open workbook in Excel (classic xlwings on Windows
and macOS, or xlwings Lite), used through xlwings' documented object model only:

- `Book.sheets`, `Book.selection`, `Book.app.status_bar`, `Book.app.alert`, and on Windows
  `Book.app.api.GetOpenFilename` (Excel's Open dialog, for Import usage)
- `Sheet.tables`, `Sheet.range((row, col), (row, col))`, `Sheet.used_range`
- `Table.name`, `Table.header_row_range`, `Table.data_body_range`, `Table.resize(range)`
- `Range.value` (read with `options(ndim=2)`; a nested list is written from the top-left cell),
  `Range.row`, `Range.column`, `Range.shape`, `Range.last_cell`, `Range.clear_contents()`,
  `Range.number_format`

Writes never depend on reading back what was just written (xlwings Lite applies writes after
the script returns), and table ranges are computed from the header row, which a recalculation
does not move.

Text written to a cell is entered with a leading apostrophe, the way Excel keeps typed text as
text: without it Excel would turn an ID like "0012" into the number 12, "2026-10" into a date and
"=..." into a formula. Columns the workbook contract formats as text (months) are set to the
text format instead, so their cells hold the plain text.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..workbook import schema
from ..workbook.cell_refs import MAX_ROW
from ..workbook.cells import RawValue, error_value, is_empty
from ..workbook.errors import WorkbookError
from ..workbook.write.cell_xml import CellValue
from .port import Selection, TableData

__all__ = ["XlwingsBook", "excel_value"]

TEXT_FORMAT = "@"
ALERT_TITLE = "MSP Billing"
# Excel shows at most 255 characters in the status bar.
STATUS_LIMIT = 255
ALERT_LIMIT = 1000


def excel_value(value: CellValue, text_cell: bool = False) -> Any:
    """A value as it is handed to Excel: numbers as float/int (Excel cells hold doubles; a
    Decimal would arrive as a currency value), dates as datetime, text with the apostrophe that
    keeps it text (none in a text-formatted cell), None for an empty cell."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = str(value)
    if text == "":
        return None
    return text if text_cell else "'" + text


class XlwingsBook:
    """The open workbook (an `xlwings.Book`, e.g. `xw.Book.caller()` or a Lite script's book)."""

    def __init__(self, book: Any) -> None:
        self.book = book

    @property
    def name(self) -> str:
        return str(self.book.name)

    @property
    def saved_path(self) -> str:
        full = str(self.book.fullname)
        return full if os.path.isabs(full) else ""  # a new, unsaved book has only a name

    # --- finding tables ---------------------------------------------------------------------------

    def _table(self, name: str) -> tuple[Any, Any] | None:
        wanted = name.lower()
        for sheet in self.book.sheets:
            for table in sheet.tables:
                if str(table.name).lower() == wanted:
                    return sheet, table
        return None

    def _required(self, name: str) -> tuple[Any, Any, Any]:
        found = self._table(name)
        if found is None:
            try:
                where = f' (it belongs on sheet "{schema.table_by_name(name).sheet}")'
            except KeyError:
                where = ""
            raise WorkbookError(f'table "{name}" not found{where}; start from the template')
        sheet, table = found
        header = table.header_row_range
        if header is None:
            raise WorkbookError(
                f'table "{table.name}" on sheet "{sheet.name}" has its header row turned off; '
                "turn it on (Table Design > Header Row)"
            )
        return sheet, table, header

    @staticmethod
    def _last_row(table: Any, header: Any) -> int:
        body = table.data_body_range
        return body.last_cell.row if body is not None else header.row

    @staticmethod
    def _last_used_row(sheet: Any) -> int:
        return sheet.used_range.last_cell.row

    @staticmethod
    def _next_table_row(sheet: Any, table: Any, column: int, ncols: int) -> int:
        """The first row of the next table on the sheet below `table` that shares one of its
        columns (one past Excel's last row where there is none)."""
        bottom = table.range.last_cell.row
        found = 1_048_577
        for other in sheet.tables:
            if other.name == table.name:
                continue
            area = other.range
            left, right = area.column, area.column + area.shape[1] - 1
            if area.row > bottom and left <= column + ncols - 1 and right >= column:
                found = min(found, area.row)
        return found

    @staticmethod
    def _grid(sheet: Any, first_row: int, last_row: int, first_col: int, ncols: int) -> list:
        if last_row < first_row:
            return []
        cells = sheet.range((first_row, first_col), (last_row, first_col + ncols - 1))
        try:  # error values as their text (#N/A), not as empty cells
            return cells.options(ndim=2, err_to_str=True).value
        except TypeError:  # pragma: no cover - an xlwings without the option
            return cells.options(ndim=2).value

    # --- the port ---------------------------------------------------------------------------------

    def read_table(self, name: str) -> TableData | None:
        if self._table(name) is None:
            return None
        sheet, table, header = self._required(name)
        ncols = header.shape[1]
        headers = header.options(ndim=2).value[0]
        first_row = header.row + 1
        last_row = self._last_row(table, header)  # of the data, above a totals row
        # Rows typed under the table are read too, up to another table below it; its totals
        # row is not input (read as empty).
        end = min(
            max(last_row, self._last_used_row(sheet)),
            self._next_table_row(sheet, table, header.column, ncols) - 1,
        )
        rows = self._grid(sheet, first_row, end, header.column, ncols)
        totals = table.totals_row_range if getattr(table, "show_totals", False) else None
        if totals is not None and first_row <= totals.row <= end:
            rows[totals.row - first_row] = [None] * ncols
        return TableData(
            name=str(table.name),
            sheet=str(sheet.name),
            headers=tuple("" if h is None else str(h) for h in headers),
            first_row=first_row,
            first_column=header.column,
            last_row=last_row,
            rows=tuple(tuple(_raw(v) for v in row) for row in rows),
            totals_row=totals is not None,
        )

    def sheet_holds_rows(self, name: str) -> bool:
        wanted = name.lower()
        for sheet in self.book.sheets:
            if str(sheet.name).lower() == wanted:
                grid = sheet.used_range.options(ndim=2).value
                filled = (row for row in grid if any(v not in (None, "") for v in row))
                return next(filled, None) is not None and next(filled, None) is not None
        return False

    def replace_rows(
        self,
        name: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[CellValue]],
        side_columns: tuple[Sequence[str], Sequence[Sequence[CellValue]]] | None = None,
        number_formats: Mapping[str, str] | None = None,
    ) -> None:
        sheet, table, header = self._required(name)
        top, left = header.row, header.column
        old_cols = header.shape[1]
        old_last = self._last_row(table, header)
        ncols = len(headers)
        text = _text_headers(name)
        block = name in schema.SIDE_BLOCK_TABLES  # side rows of their own number
        if side_columns is not None and not block and len(side_columns[1]) != len(rows):
            raise ValueError(f"side columns of {name}: {len(side_columns[1])} rows for {len(rows)}")

        # Empty the old rows (values only: formats and the table style stay) and side columns.
        body = table.data_body_range
        if body is not None:
            body.clear_contents()
        if side_columns is not None:
            width = len(side_columns[0])
            bottom = max(old_last, self._last_used_row(sheet), top + len(side_columns[1]))
            first_side = left + ncols + 1
            sheet.range((top, first_side), (bottom, first_side + width - 1)).clear_contents()

        new_last = top + max(1, len(rows))
        table.resize(sheet.range((top, left), (new_last, left + ncols - 1)))
        if old_cols > ncols:
            # Columns the table no longer has: cleared after the resize, as Excel renames a
            # header it sees emptied inside a table.
            sheet.range((top, left + ncols), (old_last, left + old_cols - 1)).clear_contents()
        for offset, column in enumerate(headers):
            if column in text:
                column_range = sheet.range((top + 1, left + offset), (new_last, left + offset))
                column_range.number_format = TEXT_FORMAT
            elif number_formats and column in number_formats:
                column_range = sheet.range((top + 1, left + offset), (new_last, left + offset))
                column_range.number_format = number_formats[column]
        values = [list(headers)] + [
            [excel_value(v, h in text) for h, v in zip(headers, row, strict=True)] for row in rows
        ]
        sheet.range((top, left)).value = values

        if side_columns is not None:
            side_headers, side_rows = list(side_columns[0]), side_columns[1]
            sheet.range((top, left + ncols + 1)).value = [side_headers] + [
                [excel_value(v) for v in row] for row in side_rows
            ]

    def _locate(self, name: str) -> tuple[Any, Any, Any, list[str], int, int]:
        """Sheet, table, header range, headers, last data row and last row typed right below."""
        sheet, table, header = self._required(name)
        headers = [
            "" if h is None else str(h).strip().lower() for h in header.options(ndim=2).value[0]
        ]
        last_row = self._last_row(table, header)
        below = self._grid(
            sheet, last_row + 1, self._last_used_row(sheet), header.column, len(headers)
        )
        end = last_row
        for row in below:
            if all(is_empty(v) for v in row):
                break
            end += 1
        return sheet, table, header, headers, last_row, end

    def _columns(self, name: str, headers: list[str], values: Mapping[str, CellValue]) -> dict:
        columns: dict[str, int] = {}
        for key in values:
            try:
                columns[key] = headers.index(key.strip().lower())
            except ValueError:
                raise WorkbookError(f'table "{name}" has no column "{key}"') from None
        return columns

    def _write_cells(
        self, sheet: Any, left: int, row: int, columns: dict, values: Mapping[str, CellValue]
    ) -> None:
        for key, value in values.items():
            sheet.range((row, left + columns[key])).value = excel_value(value)

    def append_row(self, name: str, values: Mapping[str, CellValue]) -> int:
        sheet, table, header, headers, last_row, end = self._locate(name)
        columns = self._columns(name, headers, values)
        left, first_data = header.column, header.row + 1
        target = end + 1
        if end == last_row:
            # Reuse the table's empty last rows (a new table has one empty row).
            body = self._grid(sheet, first_data, last_row, left, len(headers))
            while target - 1 >= first_data and all(
                is_empty(v) for v in body[target - 1 - first_data]
            ):
                target -= 1
        new_last = max(end, target)
        if new_last != last_row:
            table.resize(sheet.range((header.row, left), (new_last, left + len(headers) - 1)))
        self._write_cells(sheet, left, target, columns, values)
        return target

    def fill_row(self, name: str, row: int, values: Mapping[str, CellValue]) -> None:
        sheet, table, header, headers, last_row, end = self._locate(name)
        columns = self._columns(name, headers, values)
        left = header.column
        if not header.row < row <= max(end, last_row):
            raise WorkbookError(f'row {row} is not a row of the table "{name}"')
        if row > last_row:
            table.resize(sheet.range((header.row, left), (row, left + len(headers) - 1)))
        self._write_cells(sheet, left, row, columns, values)

    def selection(self) -> Selection | None:
        try:
            selected = self.book.selection
            if selected is None:
                return None
            return Selection(str(selected.sheet.name), int(selected.row), int(selected.column))
        except Exception:  # a chart or shape is selected, or the engine cannot tell
            return None

    def cell_value(self, sheet: str, row: int, column: int) -> RawValue:
        try:
            cells = self.book.sheets[sheet].range((row, column), (row, column))
            return _raw(cells.options(ndim=2).value[0][0])
        except Exception:  # no such sheet or cell: nothing there
            return None

    def set_cells(self, sheet: str, row: int, column: int, values: Sequence[CellValue]) -> None:
        found = next((s for s in self.book.sheets if str(s.name).lower() == sheet.lower()), None)
        if found is None or not values:
            return
        cells = found.range((row, column), (row + len(values) - 1, column))
        cells.value = [[excel_value(v)] for v in values]

    def ask_files(self) -> list[str] | None:
        """Excel's own Open dialog, through classic xlwings on Windows
        (`Application.GetOpenFilename` with multi-select); None elsewhere."""
        try:
            chosen = self.book.app.api.GetOpenFilename(
                "Reports (*.csv;*.txt;*.xlsx),*.csv;*.txt;*.xlsx", 1, "Import usage", None, True
            )
        except Exception:  # macOS, xlwings Lite, no Excel: no dialog to show
            return None
        if chosen is None or chosen is False:
            return []
        picked = chosen if isinstance(chosen, (list, tuple)) else [chosen]
        return [str(p) for p in picked if p]

    def replace_links(self, name: str, links: Sequence[tuple[int, str, str]]) -> None:
        sheet, table, header = self._required(name)
        headers = [str(h or "").strip().casefold() for h in header.options(ndim=2).value[0]]
        # Down to the sheet's end: the rows of an earlier, longer table keep their links when
        # their values are cleared, and would lead somewhere no longer meant.
        rows = sheet.range(
            (header.row + 1, header.column), (MAX_ROW, header.column + len(headers) - 1)
        )
        try:  # Excel's own object: classic xlwings on Windows (not xlwings Lite, not macOS)
            rows.api.Hyperlinks.Delete()
        except Exception:  # noqa: BLE001 - links are a convenience; stale ones would mislead
            return
        for row, column, place in links:
            if column.casefold() not in headers:
                continue
            cell = sheet.range(
                (header.row + 1 + row, header.column + headers.index(column.casefold()))
            )
            cell.add_hyperlink(f"#{place}", text_to_display=str(cell.value or ""))

    def status(self, message: str) -> None:
        text = _one_line(message, STATUS_LIMIT)
        try:
            self.book.app.status_bar = text
        except Exception:  # xlwings Lite has no status bar: its output pane shows prints
            print(text)

    def alert(self, message: str) -> None:
        try:
            self.book.app.alert(_one_line(message, ALERT_LIMIT), title=ALERT_TITLE)
        except Exception:  # no dialogs here (a test, a server): the status bar has it
            print(_one_line(message, ALERT_LIMIT))


def _raw(value: Any) -> RawValue:
    """A cell as Excel hands it over; an error value (#N/A, read as its text) a fault the
    validation reports at its cell; anything unexpected (an engine's own type) becomes text."""
    if isinstance(value, str) and value in _ERROR_VALUES:
        return error_value(value)
    if value is None or isinstance(value, (str, bool, int, float, datetime, date)):
        return value
    return str(value)


# Excel's error values, as xlwings gives them with err_to_str.
_ERROR_VALUES = frozenset(
    {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!",
     "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#BUSY!", "#CONNECT!", "#UNKNOWN!", "#PYTHON!"}
)  # fmt: skip


def _text_headers(name: str) -> frozenset[str]:
    try:
        spec = schema.table_by_name(name)
    except KeyError:
        return frozenset()
    return frozenset(c.header for c in spec.columns if c.number_format == schema.FMT_TEXT)


def _one_line(message: str, limit: int) -> str:
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
