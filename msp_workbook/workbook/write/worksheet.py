"""A generated sheet's worksheet XML, written whole: the table's header in row 1 and its data
rows below it at A1, any side columns beside it, links from its cells to places in the workbook,
and everything the sheet keeps from the one it replaces (`sheet_layout`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..cell_refs import MAX_ROW, range_ref
from ..cells import column_letter
from ..errors import WorkbookError
from ..package.xml_text import escape_attr
from .cell_xml import CellValue, XmlWriter, cell_writer, str_cell, text_xml
from .sheet_layout import SheetLayout


@dataclass(frozen=True)
class SideColumns:
    """Columns written beside a generated table, outside it: their headers in row 1 and, in
    each data row, values that belong with the table's row (one value per header)."""

    first: int  # the column index of the first one
    headers: Sequence[str]
    rows: Sequence[Sequence[CellValue]]
    # False: a block of its own beside the table (a summary), as many rows as it has, from row 2
    aligned: bool = True

    @property
    def last(self) -> int:
        return self.first + len(self.headers) - 1


# Elements that follow <hyperlinks> in a worksheet (ECMA-376 CT_Worksheet order).
_AFTER_HYPERLINKS = frozenset(
    {
        "printOptions",
        "pageMargins",
        "pageSetup",
        "headerFooter",
        "rowBreaks",
        "colBreaks",
        "customProperties",
        "cellWatches",
        "ignoredErrors",
        "smartTags",
        "drawing",
        "legacyDrawing",
        "legacyDrawingHF",
        "picture",
        "oleObjects",
        "controls",
        "webPublishItems",
        "tableParts",
        "extLst",
        "AlternateContent",
    }
)


@dataclass(frozen=True)
class Link:
    """A link from a cell of a generated table's data rows to a cell of the workbook: clicking
    the table's cell (data row `row` from 0, column `column` from 0; the table at A1) goes to
    `sheet`!`cell`. The cell keeps its value; the link needs no relationship."""

    row: int
    column: int
    sheet: str
    cell: str

    @property
    def ref(self) -> str:
        """The linking cell: "C2" for the first data row's third column."""
        return f"{column_letter(self.column)}{self.row + 2}"

    @property
    def location(self) -> str:
        """Where it goes, as a link names it: "'Keys'!A13"."""
        return "'" + self.sheet.replace("'", "''") + "'!" + self.cell


def hyperlinks_xml(links: Sequence[Link]) -> str:
    """The <hyperlinks> element of these links ("" for none)."""
    if not links:
        return ""
    items = "".join(
        f'<hyperlink ref="{escape_attr(link.ref)}" location="{escape_attr(link.location)}"/>'
        for link in links
    )
    return f"<hyperlinks>{items}</hyperlinks>"


def _with_hyperlinks(
    after: Sequence[tuple[str, str]], links: Sequence[Link]
) -> list[tuple[str, str]]:
    """The elements after the data with the links at their place in the schema's order."""
    kept = [(n, t) for n, t in after if n != "hyperlinks"]
    if not links:
        return kept
    at = next((i for i, (n, _) in enumerate(kept) if n in _AFTER_HYPERLINKS), len(kept))
    return [*kept[:at], ("hyperlinks", hyperlinks_xml(links)), *kept[at:]]


def worksheet_xml(
    layout: SheetLayout,
    headers: Sequence[str],
    rows: Iterable[Sequence[CellValue]],
    side: SideColumns | None = None,
    links: Sequence[Link] = (),
) -> str:
    """A generated sheet: the table's header in row 1 and the data rows below it, at A1, and
    any side columns to its right; `links` make cells jump to places in the workbook."""
    last_col = side.last if side is not None and side.headers else len(headers) - 1
    xml = XmlWriter()
    xml.declaration()
    xml.raw(f"<worksheet {layout.root_attributes}>")
    data_xml, last_row = _sheet_data(layout, headers, rows, side)
    dimension = f'<dimension ref="{range_ref(1, 0, last_row, last_col)}"/>'
    before = list(layout.before)
    at = 1 if before and before[0][0] == "sheetPr" else 0
    before.insert(at, ("dimension", dimension))
    for _, element in before:
        xml.raw(element)
    xml.raw(data_xml)
    for _, element in _with_hyperlinks(layout.after, links):
        xml.raw(element)
    xml.end("worksheet")
    return xml.getvalue()


class _Columns:
    """Per-column pieces of the cells of a run of columns, formatted once for every row."""

    def __init__(self, layout: SheetLayout, columns: range) -> None:
        self.count = len(columns)
        letters = [column_letter(c) for c in columns]
        self.styles = [_style_attr(layout.column_styles.get(c)) for c in columns]
        self.opens = [f'<c r="{letter}' for letter in letters]  # + row number + a tail below
        self.text_tails = [f'"{style} t="inlineStr"><is>' for style in self.styles]
        self.number_tails = [f'"{style}><v>' for style in self.styles]

    def append(self, pieces: list[str], row: str, values: Sequence[CellValue]) -> None:
        """The cells of one row's values, appended to `pieces`.

        The hot path of a recalculation: text and numbers, by far the most common cells, are
        formatted inline from the per-column pieces; other values go through their cell writer.
        """
        opens, text_tails, number_tails = self.opens, self.text_tails, self.number_tails
        for c, value in enumerate(values):
            if isinstance(value, str):
                pieces.append(f"{opens[c]}{row}{text_tails[c]}{text_xml(value)}</is></c>")
            elif isinstance(value, int) and not isinstance(value, bool):
                pieces.append(f"{opens[c]}{row}{number_tails[c]}{value:d}</v></c>")
            elif isinstance(value, Decimal) and value.is_finite():
                pieces.append(f"{opens[c]}{row}{number_tails[c]}{value:f}</v></c>")
            elif value is not None:
                head = f'{opens[c]}{row}"{self.styles[c]}'
                pieces.append(cell_writer(value)(head, value))


def _sheet_data(
    layout: SheetLayout,
    headers: Sequence[str],
    rows: Iterable[Sequence[CellValue]],
    side: SideColumns | None,
) -> tuple[str, int]:
    """<sheetData> and the number of its last row."""
    ncols = len(headers)
    table = _Columns(layout, range(ncols))
    header_cells = [(c, h, layout.header_styles.get(c)) for c, h in enumerate(headers)]
    beside: _Columns | None = None
    side_rows: Iterator[Sequence[CellValue]] = iter(())
    if side is not None and side.headers:
        beside = _Columns(layout, range(side.first, side.last + 1))
        side_rows = iter(side.rows)
        # A side header looks like the table's headers unless it has a style of its own.
        table_style = layout.header_styles.get(ncols - 1)
        header_cells += [
            (c, h, layout.header_styles.get(c, table_style))
            for c, h in enumerate(side.headers, start=side.first)
        ]
    pieces = ['<sheetData><row r="1">']
    for c, header, style in header_cells:
        pieces.append(str_cell(f'<c r="{column_letter(c)}1"{_style_attr(style)}', header))
    pieces.append("</row>")
    number = 1
    aligned = side is None or side.aligned
    for number, values in enumerate(rows, start=2):
        if len(values) != ncols:
            raise ValueError(f"row {number}: {len(values)} values for {ncols} columns")
        if number > MAX_ROW:
            raise WorkbookError(f"too many rows for one sheet (Excel's limit is {MAX_ROW})")
        row = str(number)
        pieces.append(f'<row r="{row}">')
        table.append(pieces, row, values)
        if beside is not None:
            extra = next(side_rows, None)
            if extra is None and not aligned:
                beside = None  # a block shorter than the table ends here
            elif extra is None or len(extra) != beside.count:
                found = "no values" if extra is None else f"{len(extra)} values"
                raise ValueError(f"row {number}: {found} for {beside.count} side columns")
            else:
                beside.append(pieces, row, extra)
        pieces.append("</row>")
    last = number
    if beside is not None and not aligned:  # a block longer than the table goes on below it
        for below, extra in enumerate(side_rows, start=last + 1):
            if len(extra) != beside.count:
                raise ValueError(f"row {below}: {len(extra)} values for {beside.count} columns")
            row = str(below)
            pieces.append(f'<row r="{row}">')
            beside.append(pieces, row, extra)
            pieces.append("</row>")
            last = below
    pieces.append("</sheetData>")
    return "".join(pieces), last


def _style_attr(style: int | None) -> str:
    return "" if style is None else f' s="{style}"'
