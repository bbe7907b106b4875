"""A stand-in for the part of xlwings' `Book` that the Excel face uses, for tests without Excel.

Built from a real .xlsx on disk (cell values, number formats, tables loaded with openpyxl), it
behaves as xlwings documents it and as Excel does underneath:

- `book.sheets[name]`, `book.selection`, `book.app.status_bar`, `book.app.alert(...)`
- `sheet.tables[name]` / iteration, `sheet.range("A1")`, `sheet.range((r, c), (r, c))`,
  `sheet["A1:B2"]`, `sheet.used_range`
- `table.name`, `.range`, `.header_row_range`, `.data_body_range` (None without data rows;
  above a totals row), `.show_totals`, `.totals_row_range`,
  `.resize(range)` (the header row and first column stay where they are, as Excel requires)
- `range.value`: reading gives a scalar for one cell, a flat list for one row or column and a
  list of lists otherwise (`options(ndim=2)`: always a list of lists); every number is a float,
  a date a datetime, an empty cell None, an error value None (its text, "#N/A", with
  `options(err_to_str=True)`). Writing a nested list fills from the top-left cell over
  the list's shape; a scalar fills the whole range. `range.number_format`, `.clear_contents()`,
  `.row`, `.column`, `.shape`, `.last_cell`, `.resize()`, `.offset()`, `.expand()`, slicing.

Writing a value behaves like typing it into Excel: text in a cell formatted as text ("@") is
kept as typed; elsewhere a leading apostrophe marks text (and is not part of the value), text
starting with "=" becomes a formula, and text that reads as a number, percentage, truth value or
ISO date becomes that. A Decimal is refused (over COM it would arrive as a currency value).

`book.save(path)` writes the state back (values, number formats, table ranges) with openpyxl, so
a test can read the result like any file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import TableColumn

TEXT_FORMAT = "@"
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_PERCENT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)%$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class Formula(str):
    """A cell that Excel would hold as a formula."""


def _entered(text: str, text_cell: bool) -> Any:
    """What a cell holds after `text` is entered into it."""
    if text_cell:
        return text
    if text == "":
        return None
    if text.startswith("'"):
        return text[1:]
    if text.startswith("="):
        return Formula(text)
    stripped = text.strip()
    if _NUMBER.match(stripped):
        return float(stripped)
    if _PERCENT.match(stripped):
        return float(stripped[:-1]) / 100
    if stripped.upper() in ("TRUE", "FALSE"):
        return stripped.upper() == "TRUE"
    for pattern, has_day in ((_ISO_DAY, True), (_ISO_MONTH, False)):
        match = pattern.match(stripped)
        if match:
            try:
                return datetime(
                    int(match.group(1)), int(match.group(2)), int(match.group(3)) if has_day else 1
                )
            except ValueError:
                break
    return text


def _read(value: Any) -> Any:
    """A held cell as xlwings reads it."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    raise TypeError(f"unexpected cell value {value!r}")


def _address(row: int, col: int, absolute: bool = True) -> str:
    dollar = "$" if absolute else ""
    return f"{dollar}{get_column_letter(col)}{dollar}{row}"


class FakeApp:
    """`book.app`: the status bar and message boxes, with what was shown."""

    def __init__(self, status_bar_supported: bool = True) -> None:
        self.status_bar_supported = status_bar_supported
        self.status_history: list[str] = []
        self.alerts: list[str] = []
        self._status: str | bool = False

    @property
    def status_bar(self) -> str | bool:
        if not self.status_bar_supported:
            raise NotImplementedError("App.status_bar is not supported on this engine")
        return self._status

    @status_bar.setter
    def status_bar(self, value: str | bool) -> None:
        if not self.status_bar_supported:
            raise NotImplementedError("App.status_bar is not supported on this engine")
        self._status = value
        if isinstance(value, str):
            self.status_history.append(value)

    def alert(
        self,
        prompt: str,
        title: str | None = None,
        buttons: str = "ok",
        mode: str | None = None,
        callback: str | None = None,
    ) -> str:
        self.alerts.append(prompt)
        return "ok"


class FakeRange:
    def __init__(
        self, sheet: FakeSheet, r1: int, c1: int, r2: int, c2: int, **options: Any
    ) -> None:
        if r1 < 1 or c1 < 1 or r2 < r1 or c2 < c1:
            raise ValueError(f"invalid range {(r1, c1, r2, c2)}")
        self.sheet = sheet
        self.r1, self.c1, self.r2, self.c2 = r1, c1, r2, c2
        self._options = options

    def __repr__(self) -> str:
        return f"<Range [{self.sheet.book.name}]{self.sheet.name}!{self.address}>"

    # Geometry.

    @property
    def row(self) -> int:
        return self.r1

    @property
    def column(self) -> int:
        return self.c1

    @property
    def shape(self) -> tuple[int, int]:
        return (self.r2 - self.r1 + 1, self.c2 - self.c1 + 1)

    @property
    def count(self) -> int:
        rows, cols = self.shape
        return rows * cols

    def __len__(self) -> int:
        return self.count

    @property
    def address(self) -> str:
        first = _address(self.r1, self.c1)
        return first if self.shape == (1, 1) else f"{first}:{_address(self.r2, self.c2)}"

    def get_address(self, row_absolute: bool = True, column_absolute: bool = True) -> str:
        return self.address if row_absolute and column_absolute else self.address.replace("$", "")

    @property
    def last_cell(self) -> FakeRange:
        return FakeRange(self.sheet, self.r2, self.c2, self.r2, self.c2, **self._options)

    def resize(self, row_size: int | None = None, column_size: int | None = None) -> FakeRange:
        rows = self.shape[0] if row_size is None else row_size
        cols = self.shape[1] if column_size is None else column_size
        assert rows > 0 and cols > 0
        return FakeRange(
            self.sheet, self.r1, self.c1, self.r1 + rows - 1, self.c1 + cols - 1, **self._options
        )

    def offset(self, row_offset: int = 0, column_offset: int = 0) -> FakeRange:
        return FakeRange(
            self.sheet,
            self.r1 + row_offset,
            self.c1 + column_offset,
            self.r2 + row_offset,
            self.c2 + column_offset,
            **self._options,
        )

    def __getitem__(self, key: Any) -> FakeRange:
        if not isinstance(key, tuple):
            key = (key, slice(None)) if self.shape[0] > 1 else (slice(None), key)
        rows, cols = key
        r = self._span(rows, self.r1, self.shape[0])
        c = self._span(cols, self.c1, self.shape[1])
        return FakeRange(self.sheet, r[0], c[0], r[1], c[1])

    @staticmethod
    def _span(key: Any, first: int, size: int) -> tuple[int, int]:
        if isinstance(key, int):
            index = key + size if key < 0 else key
            return first + index, first + index
        start, stop, step = key.indices(size)
        assert step == 1 and stop > start, "empty or stepped slice"
        return first + start, first + stop - 1

    def expand(self, mode: str = "table") -> FakeRange:
        r2, c2 = self.r2, self.c2
        if mode in ("table", "down", "d"):
            while self.sheet._value(r2 + 1, self.c1) is not None:
                r2 += 1
        if mode in ("table", "right", "r"):
            while self.sheet._value(self.r1, c2 + 1) is not None:
                c2 += 1
        return FakeRange(self.sheet, self.r1, self.c1, r2, c2, **self._options)

    def options(self, convert: Any = None, **options: Any) -> FakeRange:
        assert convert is None, "only the default converter is faked"
        return FakeRange(self.sheet, self.r1, self.c1, self.r2, self.c2, **options)

    def select(self) -> None:
        self.sheet.book.selection = self

    # Values.

    def _cells(self) -> Iterator[tuple[int, int]]:
        for r in range(self.r1, self.r2 + 1):
            for c in range(self.c1, self.c2 + 1):
                yield r, c

    @property
    def value(self) -> Any:
        errors = self.sheet._errors
        as_text = self._options.get("err_to_str", False)  # else an error value reads as None
        grid = [
            [
                None if (r, c) in errors and not as_text else _read(self.sheet._value(r, c))
                for c in range(self.c1, self.c2 + 1)
            ]
            for r in range(self.r1, self.r2 + 1)
        ]
        ndim = self._options.get("ndim")
        if ndim == 2:
            return grid
        rows, cols = self.shape
        if ndim == 1 or (ndim is None and (rows == 1 or cols == 1) and rows * cols > 1):
            return [v for row in grid for v in row]
        if rows == 1 and cols == 1:
            return grid[0][0]
        return grid

    @value.setter
    def value(self, data: Any) -> None:
        if isinstance(data, (list, tuple)):
            if not data:
                return
            grid = [list(row) for row in data] if isinstance(data[0], (list, tuple)) else [data]
            if len({len(row) for row in grid}) != 1:
                raise ValueError("jagged list of lists")
            for i, row in enumerate(grid):
                for j, item in enumerate(row):
                    self.sheet._enter(self.r1 + i, self.c1 + j, item)
        else:
            for r, c in self._cells():
                self.sheet._enter(r, c, data)

    @property
    def number_format(self) -> str:
        return self.sheet._format(self.r1, self.c1)

    @number_format.setter
    def number_format(self, value: str) -> None:
        self.sheet._refuse_if_asked()
        for cell in self._cells():
            self.sheet._formats[cell] = value
            self.sheet._dirty.add(cell)

    def clear_contents(self) -> None:
        self.sheet._refuse_if_asked()
        for cell in self._cells():
            if self.sheet._values.pop(cell, None) is not None:
                self.sheet._dirty.add(cell)

    # Links: as Excel, clearing a cell's contents keeps its link; Range.api.Hyperlinks.Delete()
    # (Excel's object model: classic xlwings on Windows) removes them.

    @property
    def api(self) -> Any:
        if not self.sheet.book.has_api:
            raise NotImplementedError("no Excel object model here (xlwings Lite)")
        return _RangeApi(self)

    def add_hyperlink(self, address: str, text_to_display: str | None = None) -> None:
        self.sheet._refuse_if_asked()
        for cell in self._cells():
            self.sheet._links[cell] = address
            if text_to_display is not None:
                self.sheet._enter(*cell, text_to_display)


class _Hyperlinks:
    def __init__(self, owner: FakeRange) -> None:
        self.owner = owner

    def Delete(self) -> None:  # noqa: N802 - Excel's name
        r = self.owner
        links = r.sheet._links
        for row, col in [c for c in links if r.r1 <= c[0] <= r.r2 and r.c1 <= c[1] <= r.c2]:
            del links[(row, col)]


class _RangeApi:
    def __init__(self, owner: FakeRange) -> None:
        self.Hyperlinks = _Hyperlinks(owner)  # noqa: N815 - Excel's name


class FakeTable:
    def __init__(self, sheet: FakeSheet, name: str, ref: str, totals: int = 0) -> None:
        self.parent = sheet
        self.name = name
        c1, r1, c2, r2 = range_boundaries(ref)
        self._bounds = (r1, c1, r2, c2)
        self._totals = 1 if totals else 0  # a Total Row: the range's last row

    def __repr__(self) -> str:
        return f"<Table '{self.name}' in {self.parent.name}>"

    @property
    def range(self) -> FakeRange:
        return FakeRange(self.parent, *self._bounds)

    @property
    def header_row_range(self) -> FakeRange:
        r1, c1, _, c2 = self._bounds
        return FakeRange(self.parent, r1, c1, r1, c2)

    @property
    def data_body_range(self) -> FakeRange | None:
        r1, c1, r2, c2 = self._bounds
        r2 -= self._totals
        return FakeRange(self.parent, r1 + 1, c1, r2, c2) if r2 > r1 else None

    @property
    def show_totals(self) -> bool:
        return bool(self._totals)

    @property
    def totals_row_range(self) -> FakeRange | None:
        _, c1, r2, c2 = self._bounds
        return FakeRange(self.parent, r2, c1, r2, c2) if self._totals else None

    def resize(self, range: FakeRange) -> None:
        self.parent._refuse_if_asked()
        r1, c1, _, _ = self._bounds
        if range.sheet is not self.parent or (range.r1, range.c1) != (r1, c1):
            raise ValueError("Excel keeps a table's header row and first column where they are")
        if range.r2 == range.r1:
            raise ValueError("a table needs a row below its headers")
        self._bounds = (range.r1, range.c1, range.r2, range.c2)
        self.parent._resized.add(self.name)

    @property
    def ref(self) -> str:
        r1, c1, r2, c2 = self._bounds
        return f"{_address(r1, c1, False)}:{_address(r2, c2, False)}"


class _Collection:
    def __init__(self, items: list[Any]) -> None:
        self._items = items

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, int):
            return self._items[key]
        for item in self._items:
            if item.name.lower() == key.lower():
                return item
        raise KeyError(key)

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: str) -> bool:
        return any(item.name.lower() == key.lower() for item in self._items)

    @property
    def count(self) -> int:
        return len(self._items)


class FakeSheet:
    def __init__(self, book: FakeBook, ws: Any, values_ws: Any) -> None:
        self.book = book
        self.name = ws.title
        self._ws = ws
        self._values: dict[tuple[int, int], Any] = {}
        self._formats: dict[tuple[int, int], str] = {}
        self._dirty: set[tuple[int, int]] = set()
        self._resized: set[str] = set()
        self._errors: set[tuple[int, int]] = set()  # cells holding an error value (#N/A)
        # Links by cell: "#'Keys'!A13" (a place in the workbook, as Excel's Address takes it).
        self._links: dict[tuple[int, int], str] = {
            (c.row, c.column): f"#{c.hyperlink.location}"
            for row in ws.iter_rows()
            for c in row
            if c.hyperlink is not None and c.hyperlink.location
        }
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if value is None:
                    continue
                if cell.data_type == "f":
                    cached = values_ws.cell(row=cell.row, column=cell.column)
                    value = cached.value
                    if value is None:
                        continue
                    if cached.data_type == "e":
                        self._errors.add((cell.row, cell.column))
                elif cell.data_type == "e":
                    self._errors.add((cell.row, cell.column))
                self._values[(cell.row, cell.column)] = value
        self.tables = _Collection(
            [FakeTable(self, t.name, t.ref, t.totalsRowCount or 0) for t in ws.tables.values()]
        )

    def __repr__(self) -> str:
        return f"<Sheet [{self.book.name}]{self.name}>"

    def _value(self, row: int, col: int) -> Any:
        return self._values.get((row, col))

    def _format(self, row: int, col: int) -> str:
        if (row, col) in self._formats:
            return self._formats[(row, col)]
        cell = self._ws._cells.get((row, col))
        if cell is not None and cell.number_format != "General":
            return cell.number_format
        letter = get_column_letter(col)
        for dim in self._ws.column_dimensions.values():
            if dim.min is not None and dim.min <= col <= (dim.max or dim.min):
                return dim.number_format
        dim = self._ws.column_dimensions.get(letter)
        return dim.number_format if dim is not None else "General"

    def _refuse_if_asked(self) -> None:
        if self.book.refuse_writes is not None:
            raise self.book.refuse_writes

    def _enter(self, row: int, col: int, value: Any) -> None:
        self._refuse_if_asked()
        if isinstance(value, Decimal):
            raise TypeError("a Decimal would reach Excel as a currency value: pass a float")
        if isinstance(value, str):
            held = _entered(value, self._format(row, col) == TEXT_FORMAT)
        elif value is None or isinstance(value, (bool, int, float, datetime)):
            held = value
        elif isinstance(value, date):
            held = datetime(value.year, value.month, value.day)
        else:
            raise TypeError(f"xlwings cannot write {type(value).__name__}")
        if held is None:
            self._values.pop((row, col), None)
        else:
            self._values[(row, col)] = held
        self._dirty.add((row, col))

    def range(self, cell1: Any, cell2: Any = None) -> FakeRange:
        if isinstance(cell1, FakeRange):
            first = cell1
            last = cell2 if cell2 is not None else cell1
            return FakeRange(self, first.r1, first.c1, last.r2, last.c2)
        if isinstance(cell1, str):
            c1, r1, c2, r2 = range_boundaries(cell1.replace("$", ""))
            if cell2 is None:
                return FakeRange(self, r1, c1, r2, c2)
            other = self.range(cell2)
            return FakeRange(self, r1, c1, other.r2, other.c2)
        r1, c1 = cell1
        r2, c2 = cell2 if cell2 is not None else cell1
        return FakeRange(self, r1, c1, r2, c2)

    def __getitem__(self, address: str) -> FakeRange:
        return self.range(address)

    @property
    def used_range(self) -> FakeRange:
        if not self._values:
            return FakeRange(self, 1, 1, 1, 1)
        rows = [r for r, _ in self._values]
        cols = [c for _, c in self._values]
        return FakeRange(self, min(rows), min(cols), max(rows), max(cols))

    def cells_written(self) -> set[tuple[int, int]]:
        return set(self._dirty)

    def tables_resized(self) -> set[str]:
        return set(self._resized)


class FakeBook:
    """An open workbook, as `xw.Book.caller()` or a Lite script's `book` gives it."""

    def __init__(self, path: Path, status_bar_supported: bool = True, has_api: bool = True) -> None:
        self.has_api = has_api  # False: xlwings Lite (no Excel object model)
        self.path = Path(path)
        self.name = self.path.name
        self.fullname = str(self.path)
        self._wb = openpyxl.load_workbook(self.path)
        values = openpyxl.load_workbook(self.path, data_only=True)
        self.app = FakeApp(status_bar_supported)
        self.sheets = _Collection(
            [FakeSheet(self, ws, values[ws.title]) for ws in self._wb.worksheets]
        )
        self.selection: FakeRange | None = None
        # Set to an exception: every change to a cell (a value, a format, clearing) raises it,
        # as Excel refuses calls from outside while the user is editing a cell (a COM error,
        # "Call was rejected by callee").
        self.refuse_writes: Exception | None = None

    def __repr__(self) -> str:
        return f"<Book [{self.name}]>"

    def select(self, sheet: str, address: str) -> None:
        """Test helper: the user clicks into a cell."""
        self.sheets[sheet].range(address).select()

    def save(self, path: Path) -> None:
        """Write the state back into an .xlsx with openpyxl."""
        for sheet in self.sheets:
            ws = sheet._ws
            for row in ws.iter_rows():
                for cell in row:
                    if cell.hyperlink is not None and (cell.row, cell.column) not in sheet._links:
                        cell.hyperlink = None
            for (row, col), address in sheet._links.items():
                ws.cell(row=row, column=col).hyperlink = Hyperlink(
                    ref=f"{get_column_letter(col)}{row}", location=address.removeprefix("#")
                )
            for row, col in sorted(sheet._dirty):
                cell = ws.cell(row=row, column=col)
                value = sheet._values.get((row, col))
                cell.value = value
                if isinstance(value, str) and not isinstance(value, Formula):
                    cell.data_type = "s"
                if (row, col) in sheet._formats:
                    cell.number_format = sheet._formats[(row, col)]
            for table in sheet.tables:
                if table.name not in sheet._resized:
                    continue
                target = ws.tables[table.name]
                target.ref = table.ref
                if target.autoFilter is not None:
                    target.autoFilter.ref = table.ref
                r1, c1, _, c2 = table._bounds
                if len(target.tableColumns) != c2 - c1 + 1:
                    target.tableColumns = [
                        TableColumn(id=i, name=str(ws.cell(row=r1, column=c).value))
                        for i, c in enumerate(range(c1, c2 + 1), 1)
                    ]
        self._wb.save(path)
