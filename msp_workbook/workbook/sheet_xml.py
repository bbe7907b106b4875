"""Worksheet and table XML as text: write a generated sheet whole, scan an existing one, and
make the charts over a generated sheet follow its new data.

Writing is string building (a list of pieces joined once), never a DOM, because a generated
sheet can hold 100k+ rows. Scanning is textual too: it finds the top-level elements of a sheet
and its rows and cells by position, without parsing (or expanding anything in) the cell data,
so a row can be inserted while every other byte of the sheet stays where it was.

Cell values: text is an inline string (never a formula, even when it starts with "="), numbers
are written in plain notation, dates and datetimes as Excel serial numbers (1900 date system),
booleans as TRUE/FALSE cells, and None as no cell at all.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .cells import column_letter
from .errors import WorkbookError
from .package.names import MAIN_NS, REL_NS
from .package.xml_text import attrs, escape_attr

CellValue = str | int | Decimal | date | datetime | bool | None

# Excel's limits: row 1..1048576, column A..XFD.
MAX_ROW = 1_048_576
MAX_COL = 16_384

_EPOCH = datetime(1899, 12, 30)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_SECONDS_PER_DAY = 86_400

_ILLEGAL_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Excel reads _xHHHH_ in text as an escaped character; a literal one is written _x005F_xHHHH_.
_EXCEL_ESCAPE = re.compile("(_x[0-9A-Fa-f]{4}_)")
_NEEDS_WORK = re.compile('[&<>"_]|[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')
_XML_SPACE = " \t\r\n"

_QUOTED = r"""(?:[^>"']|"[^"]*"|'[^']*')"""
_ANY_TAG = re.compile(
    r"<(?:!--.*?-->|\?.*?\?>|!\[CDATA\[.*?\]\]>|(/?)([\w.:-]+)(" + _QUOTED + r"*?)(/?)>)", re.S
)
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


# --- Cell references ------------------------------------------------------------------------------


def column_index(letters: str) -> int:
    """A -> 0, Z -> 25, AA -> 26."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


def parse_cell(ref: str) -> tuple[int, int]:
    """ "B7" -> (row 7, column index 1)."""
    match = _CELL_REF.fullmatch(ref.strip())
    if not match:
        raise WorkbookError(f'damaged workbook: "{ref}" is not a cell reference')
    return int(match[2]), column_index(match[1])


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """ "A1:G5" -> (first row 1, first column 0, last row 5, last column 6); "A1" is A1:A1."""
    first, _, last = ref.partition(":")
    r1, c1 = parse_cell(first)
    r2, c2 = parse_cell(last or first)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def range_ref(first_row: int, first_col: int, last_row: int, last_col: int) -> str:
    return f"{column_letter(first_col)}{first_row}:{column_letter(last_col)}{last_row}"


# --- Values ---------------------------------------------------------------------------------------


def excel_serial(value: date | datetime) -> int | float:
    """Days since 1899-12-30 (Excel's 1900 date system); a datetime adds the time as a fraction."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError(f"cannot write a datetime with a time zone: {value!r}")
        delta = value - _EPOCH
        if not delta.seconds and not delta.microseconds:
            return delta.days
        return delta.days + (delta.seconds + delta.microseconds / 1e6) / _SECONDS_PER_DAY
    return value.toordinal() - _EPOCH_ORDINAL


def escape_text(value: str) -> str:
    """A text as the content of an Excel string element (<t>, a chart's <c:v>): without the
    characters XML cannot hold, with a literal _xHHHH_ escaped and XML's specials escaped."""
    if not _NEEDS_WORK.search(value):
        return value
    value = _ILLEGAL_XML.sub("", value)
    value = _EXCEL_ESCAPE.sub(r"_x005F\1", value)
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _text_xml(value: str) -> str:
    """The <t> element of a text: escaped, with xml:space where leading/trailing space matters."""
    if _NEEDS_WORK.search(value):
        value = escape_text(value)
    if value and (value[0] in _XML_SPACE or value[-1] in _XML_SPACE):
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"


def _str_cell(head: str, value: str) -> str:
    return f'{head} t="inlineStr"><is>{_text_xml(value)}</is></c>'


def _int_cell(head: str, value: int) -> str:
    return f"{head}><v>{value}</v></c>"


def _decimal_cell(head: str, value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"cannot write {value} to a cell")
    return f"{head}><v>{value:f}</v></c>"


def _float_cell(head: str, value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"cannot write {value} to a cell")
    return f"{head}><v>{value!r}</v></c>"


def _bool_cell(head: str, value: bool) -> str:
    return f'{head} t="b"><v>{int(value)}</v></c>'


def _date_cell(head: str, value: date) -> str:
    return f"{head}><v>{excel_serial(value)!r}</v></c>"


_CELL_WRITERS = {
    str: _str_cell,
    int: _int_cell,
    Decimal: _decimal_cell,
    float: _float_cell,
    bool: _bool_cell,
    date: _date_cell,
    datetime: _date_cell,
}


def cell_xml(ref: str, style: int | None, value: CellValue, prefix: str = "") -> str:
    """One <c> element; "" for None. `prefix` is the sheet's namespace prefix ("" or "x:")."""
    if value is None:
        return ""
    head = f'<{prefix}c r="{ref}"' + ("" if style is None else f' s="{style}"')
    xml = _cell_writer(value)(head, value)
    if prefix:
        xml = re.sub(r"<(/?)(c|v|is|t)\b", rf"<\1{prefix}\2", xml)
    return xml


def _cell_writer(value: object) -> Callable[[str, Any], str]:
    """The writer of a value's type (subclasses too: a pandas Timestamp is a datetime)."""
    writer = _CELL_WRITERS.get(type(value))
    if writer is None:
        for kind in (bool, str, int, Decimal, float, datetime, date):
            if isinstance(value, kind):
                return _CELL_WRITERS[kind]
        raise TypeError(f"cannot write {value!r} ({type(value).__name__}) to a cell")
    return writer


# --- A tiny XML writer ----------------------------------------------------------------------------


class XmlWriter:
    """XML text built piece by piece, in the style of XlsxWriter: the code reads like the XML."""

    def __init__(self) -> None:
        self._pieces: list[str] = []
        self.raw = self._pieces.append

    def declaration(self) -> None:
        self.raw('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')

    def start(self, tag: str, attributes: Iterable[tuple[str, object]] = ()) -> None:
        self.raw(f"<{tag}{_attributes(attributes)}>")

    def end(self, tag: str) -> None:
        self.raw(f"</{tag}>")

    def empty(self, tag: str, attributes: Iterable[tuple[str, object]] = ()) -> None:
        self.raw(f"<{tag}{_attributes(attributes)}/>")

    def getvalue(self) -> str:
        return "".join(self._pieces)


def _attributes(attributes: Iterable[tuple[str, object]]) -> str:
    return "".join(f' {name}="{escape_attr(str(value))}"' for name, value in attributes)


# --- Scanning an existing sheet -------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """One element of the XML text: its local name, where it starts and ends, its start tag."""

    name: str
    start: int
    end: int
    tag: str  # the start tag's text
    empty: bool  # written as <name .../>
    inner_start: int = 0  # where its content starts and ends (not for empty elements)
    inner_end: int = 0


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def _prefix(name: str) -> str:
    return name[: name.index(":") + 1] if ":" in name else ""


def top_level(text: str) -> tuple[Span, list[Span]]:
    """The root element of a part and its children, by position. sheetData is skipped unread."""
    if "<!DOCTYPE" in text[:4096]:
        raise WorkbookError("refused: a workbook part declares a DOCTYPE")
    root_match = next((m for m in _ANY_TAG.finditer(text) if m[2]), None)
    if root_match is None or root_match[1] or root_match[4]:
        raise WorkbookError("damaged workbook: a sheet part has no root element")
    children: list[Span] = []
    pos, depth, current = root_match.end(), 0, None
    root_end = len(text)
    while True:
        match = _ANY_TAG.search(text, pos)
        if match is None:
            raise WorkbookError("damaged workbook: a sheet part ends too early")
        pos = match.end()
        closing, name, _, empty = match[1], match[2], match[3], match[4]
        if not name:
            continue
        if depth == 0:
            if closing:  # the root's end tag
                root_end = match.start()
                break
            if empty:
                children.append(Span(_local(name), match.start(), pos, match[0], True))
                continue
            if _local(name) == "sheetData":
                close = text.find(f"</{name}>", pos)
                if close < 0:
                    raise WorkbookError("damaged workbook: a sheet's data has no end")
                end = close + len(name) + 3
                children.append(Span("sheetData", match.start(), end, match[0], False, pos, close))
                pos = end
                continue
            current, depth = match, 1
        elif closing:
            depth -= 1
            if depth == 0 and current is not None:
                children.append(
                    Span(
                        _local(current[2]),
                        current.start(),
                        pos,
                        current[0],
                        False,
                        current.end(),
                        match.start(),
                    )
                )
        elif not empty:
            depth += 1
    root = Span(
        _local(root_match[2]),
        root_match.start(),
        root_end,
        root_match[0],
        False,
        root_match.end(),
        root_end,
    )
    return root, children


@dataclass(frozen=True)
class Cell:
    column: int
    start: int
    end: int
    style: int | None
    has_value: bool


@dataclass(frozen=True)
class Row:
    number: int
    span: Span


_VALUE_INSIDE = re.compile(r"<(?:[\w.-]+:)?f\b|<(?:[\w.-]+:)?(?:v|t)\b" + _QUOTED + r"*?>[^<]")


def iter_rows(text: str, sheet_data: Span, start: int | None = None) -> Iterator[Row]:
    """The <row> elements of sheetData in order, numbered (a row without r= follows the last).

    `start` (from `row_search_start`) begins at a row with its number written, further down.
    """
    if sheet_data.empty:
        return
    pos, end, number = sheet_data.inner_start, sheet_data.inner_end, 0
    if start is not None:
        pos = start
    while True:
        match = _ANY_TAG.search(text, pos, end)
        if match is None:
            return
        if not match[2] or match[1] or _local(match[2]) != "row":
            pos = match.end()
            continue
        r = attrs(match[3]).get("r")
        number = int(r) if r else number + 1
        if match[4]:
            span = Span("row", match.start(), match.end(), match[0], True)
        else:
            close = text.find(f"</{match[2]}>", match.end(), end)
            if close < 0:
                raise WorkbookError(f"damaged workbook: row {number} has no end")
            stop = close + len(match[2]) + 3
            span = Span("row", match.start(), stop, match[0], False, match.end(), close)
        yield Row(number, span)
        pos = span.end


_ROW_START = re.compile(r"<(?:[\w.-]+:)?row[\s/>]")


def _numbered_row_at_or_after(text: str, pos: int, end: int) -> tuple[int, int] | None:
    """The position and number of the first <row> with r= that starts at or after `pos`."""
    while True:
        found = _ROW_START.search(text, pos, end)
        if found is None:
            return None
        tag = _ANY_TAG.match(text, found.start(), end)
        if tag is None:
            return None
        r = attrs(tag[3] or "").get("r", "")
        if r.isdigit():
            return found.start(), int(r)
        pos = tag.end()


def row_search_start(text: str, sheet_data: Span, number: int) -> int | None:
    """Where to start `iter_rows` so that it still yields every row numbered `number` or more,
    found by halving the text instead of reading every row before it; None means from the
    beginning. Rows are in ascending order in a sheet's XML; with a comment or CDATA section
    inside sheetData, where a "<row" need not be a row, the answer is always None."""
    if sheet_data.empty:
        return None
    low, high = sheet_data.inner_start, sheet_data.inner_end
    if text.find("<!", low, high) >= 0:
        return None
    start = low
    while high - low > 4096:
        middle = (low + high) // 2
        found = _numbered_row_at_or_after(text, middle, sheet_data.inner_end)
        if found is None or found[1] >= number:
            high = middle
        else:
            low = middle
    if low == start:
        return None
    found = _numbered_row_at_or_after(text, low, sheet_data.inner_end)
    return found[0] if found is not None else None


def iter_cells(text: str, row: Row) -> Iterator[Cell]:
    """The <c> elements of a row, with their column, style and whether they hold a value."""
    if row.span.empty:
        return
    pos, end, column = row.span.inner_start, row.span.inner_end, -1
    while True:
        match = _ANY_TAG.search(text, pos, end)
        if match is None:
            return
        if not match[2] or match[1] or _local(match[2]) != "c":
            pos = match.end()
            continue
        found = attrs(match[3])
        column = parse_cell(found["r"])[1] if "r" in found else column + 1
        style = int(found["s"]) if found.get("s", "").isdigit() else None
        if match[4]:
            yield Cell(column, match.start(), match.end(), style, False)
            pos = match.end()
            continue
        close = text.find(f"</{match[2]}>", match.end(), end)
        if close < 0:
            raise WorkbookError(f"damaged workbook: a cell in row {row.number} has no end")
        inner = text[match.end() : close]
        stop = close + len(match[2]) + 3
        yield Cell(column, match.start(), stop, style, bool(_VALUE_INSIDE.search(inner)))
        pos = stop


def column_styles(cols_xml: str) -> dict[int, int]:
    """Column index -> the style of the <col> element covering it."""
    styles: dict[int, int] = {}
    for match in re.finditer(r"<(?:[\w.-]+:)?col\b" + _QUOTED + r"*>", cols_xml):
        found = attrs(match[0])
        style, low, high = found.get("style", ""), found.get("min", ""), found.get("max", "")
        if style.isdigit() and low.isdigit() and high.isdigit():
            for col in range(int(low) - 1, min(int(high), MAX_COL)):
                styles[col] = int(style)
    return styles


def set_attribute(tag: str, name: str, value: str) -> str:
    """A start tag's text with one attribute set (added before the end when missing)."""
    pattern = re.compile(r"(\s" + re.escape(name) + r"""\s*=\s*)(?:"[^"]*"|'[^']*')""")
    if pattern.search(tag):
        return pattern.sub(lambda m: f'{m[1]}"{escape_attr(value)}"', tag, count=1)
    close = len(tag) - (2 if tag.endswith("/>") else 1)
    return f'{tag[:close].rstrip()} {name}="{escape_attr(value)}"{tag[close:]}'


# --- A generated sheet ----------------------------------------------------------------------------

# What a generated sheet keeps from the sheet part it replaces: view, column and print settings,
# protection, and the elements that anchor parts listed in the sheet's (unchanged) .rels:
# drawings (charts, images), comments and form controls, and the table parts.
KEPT_BEFORE_DATA = ("sheetPr", "sheetViews", "sheetFormatPr", "cols")
KEPT_AFTER_DATA = (
    "sheetProtection",
    "conditionalFormatting",  # the template's highlighting (by Type, by severity)
    "dataValidations",  # the template's guard against typing on a generated sheet
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "picture",
    "AlternateContent",
    "tableParts",
)


@dataclass(frozen=True)
class SheetLayout:
    """What a generated sheet keeps from the sheet it replaces (or starts with when new)."""

    root_attributes: str  # namespace declarations etc. of the old root start tag
    before: tuple[tuple[str, str], ...] = ()  # (local name, element text) before the data
    after: tuple[tuple[str, str], ...] = ()  # (local name, element text) after the data
    header_styles: Mapping[int, int] = field(default_factory=dict)  # row-1 cell styles
    column_styles: Mapping[int, int] = field(default_factory=dict)  # <col style> per column

    def has(self, name: str) -> bool:
        return any(n == name for n, _ in self.before + self.after)

    def with_table_part(self, rel_id: str) -> SheetLayout:
        """The layout with a <tableParts> listing just this table (any old one replaced)."""
        after = tuple((n, t) for n, t in self.after if n != "tableParts")
        tag = f'<tableParts count="1"><tablePart r:id="{escape_attr(rel_id)}"/></tableParts>'
        return replace(self, after=(*after, ("tableParts", tag)))


def read_layout(text: str) -> SheetLayout:
    """The parts of an existing sheet that a generated sheet keeps."""
    root, children = top_level(text)
    if root.name != "worksheet":
        raise WorkbookError("damaged workbook: a worksheet part holds no worksheet")
    before, after, header_styles = [], [], {}
    for child in children:
        if child.name in KEPT_BEFORE_DATA:
            before.append((child.name, text[child.start : child.end]))
        elif child.name in KEPT_AFTER_DATA:
            after.append((child.name, text[child.start : child.end]))
        elif child.name == "sheetData":
            first = next(iter_rows(text, child), None)
            if first is not None and first.number == 1:
                header_styles = {c.column: c.style for c in iter_cells(text, first) if c.style}
    cols = "".join(t for n, t in before if n == "cols")
    root_attributes = root.tag[len(root.tag.split()[0]) : -1].strip().rstrip("/")
    return SheetLayout(
        _with_namespaces(root_attributes),
        tuple(before),
        tuple(after),
        header_styles,
        column_styles(cols),
    )


def new_layout(widths: Sequence[float], table_rel_id: str) -> SheetLayout:
    """The layout of a generated sheet made from nothing: frozen header, column widths, table."""
    views = (
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft"/></sheetView></sheetViews>'
    )
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w + 0.7109375}" customWidth="1"/>'
        for i, w in enumerate(widths, start=1)
    )
    before = (
        ("sheetViews", views),
        ("sheetFormatPr", '<sheetFormatPr defaultRowHeight="15"/>'),
        ("cols", f"<cols>{cols}</cols>"),
    )
    margins = (
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    )
    layout = SheetLayout(_with_namespaces(""), before, (("pageMargins", margins),))
    return layout.with_table_part(table_rel_id)


def _with_namespaces(root_attributes: str) -> str:
    """Root attributes that declare the main namespace as default and r: for relationships."""
    found = attrs(root_attributes)
    extra = []
    if found.get("xmlns") != MAIN_NS:
        if "xmlns" in found:
            raise WorkbookError(
                "cannot work on a Strict Open XML workbook: save it as an Excel Workbook (.xlsx)"
            )
        extra.append(f'xmlns="{MAIN_NS}"')
    if "xmlns:r" not in found:
        extra.append(f'xmlns:r="{REL_NS}"')
    return " ".join([*extra, root_attributes]).strip()


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
                pieces.append(f"{opens[c]}{row}{text_tails[c]}{_text_xml(value)}</is></c>")
            elif isinstance(value, int) and not isinstance(value, bool):
                pieces.append(f"{opens[c]}{row}{number_tails[c]}{value:d}</v></c>")
            elif isinstance(value, Decimal) and value.is_finite():
                pieces.append(f"{opens[c]}{row}{number_tails[c]}{value:f}</v></c>")
            elif value is not None:
                head = f'{opens[c]}{row}"{self.styles[c]}'
                pieces.append(_cell_writer(value)(head, value))


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
        pieces.append(_str_cell(f'<c r="{column_letter(c)}1"{_style_attr(style)}', header))
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


# --- A table part ---------------------------------------------------------------------------------

# Table attributes kept from the old table part: identity and the formats it refers to in
# styles.xml (which stays as it is).
KEPT_TABLE_ATTRIBUTES = (
    "headerRowDxfId",
    "dataDxfId",
    "headerRowBorderDxfId",
    "tableBorderDxfId",
    "headerRowCellStyle",
    "dataCellStyle",
    "comment",
)


@dataclass(frozen=True)
class TableSpec:
    table_id: int
    name: str
    display_name: str
    extra: tuple[tuple[str, str], ...] = ()  # kept attributes of the old <table>
    column_dxf: Mapping[str, str] = field(default_factory=dict)  # header -> old dataDxfId
    style_info: tuple[tuple[str, str], ...] = (
        ("name", "TableStyleMedium1"),
        ("showFirstColumn", "0"),
        ("showLastColumn", "0"),
        ("showRowStripes", "1"),
        ("showColumnStripes", "0"),
    )


def table_ref(ncols: int, nrows: int) -> str:
    """The range of a table at A1 with a header and nrows rows (at least one, as Excel needs)."""
    return range_ref(1, 0, 1 + max(1, nrows), ncols - 1)


def table_xml(spec: TableSpec, headers: Sequence[str], nrows: int) -> str:
    ref = table_ref(len(headers), nrows)
    xml = XmlWriter()
    xml.declaration()
    xml.start(
        "table",
        [
            ("xmlns", MAIN_NS),
            ("id", spec.table_id),
            ("name", spec.name),
            ("displayName", spec.display_name),
            ("ref", ref),
            *spec.extra,
            ("totalsRowShown", 0),
        ],
    )
    xml.empty("autoFilter", [("ref", ref)])
    xml.start("tableColumns", [("count", len(headers))])
    for i, header in enumerate(headers, start=1):
        dxf = spec.column_dxf.get(header)
        xml.empty(
            "tableColumn", [("id", i), ("name", header), *([("dataDxfId", dxf)] if dxf else [])]
        )
    xml.end("tableColumns")
    xml.empty("tableStyleInfo", spec.style_info)
    xml.end("table")
    return xml.getvalue()


# --- Charts over a generated sheet ----------------------------------------------------------------

# A chart's data comes from ranges (<c:f>) with a copy of their values (the cache) that viewers
# show until they recalculate. A range over a generated table's data starts at row 2; after a
# rewrite it is made to end at the table's new last row and its cache is rewritten with the new
# values. The chart part is edited as text: everything but those references stays byte for byte.

_SERIES = re.compile(r"<((?:[\w.-]+:)?)ser>(.*?)</\1ser>", re.S)
# The data of a series: categories (cat, xVal) and numbers (val, yVal, bubbleSize, error bars).
_AXIS_DATA = ("cat", "xVal")
_SOURCE = re.compile(
    r"<((?:[\w.-]+:)?)(cat|xVal|val|yVal|bubbleSize|plus|minus)>(.*?)</\1\2>", re.S
)
_REFERENCE = re.compile(r"<((?:[\w.-]+:)?)(numRef|strRef|multiLvlStrRef)>(.*?)</\1\2>", re.S)
_FORMULA = re.compile(r"<((?:[\w.-]+:)?)f>([^<]*)</\1f>")
_FORMAT_CODE = re.compile(r"<((?:[\w.-]+:)?)formatCode>[^<]*</\1formatCode>")
_CACHE = re.compile(
    r"\s*<((?:[\w.-]+:)?)(numCache|strCache|multiLvlStrCache)\b(?:[^>]*/>|.*?</\1\2>)", re.S
)
_AREA = re.compile(r"(\$?[A-Za-z]{1,3}\$?)(\d+)(?::(\$?[A-Za-z]{1,3}\$?)(\d+))?")


@dataclass(frozen=True)
class WrittenSheet:
    """A generated sheet as written: the table's data rows (from row 2) and its side columns."""

    name: str
    rows: Sequence[Sequence[CellValue]]
    side: SideColumns | None = None

    @property
    def last_row(self) -> int:
        """The last row of the table's data (a table keeps one blank data row when empty)."""
        return 1 + max(1, len(self.rows))

    def last_row_of(self, column: int) -> int:
        """The last data row of a column: the table's, or a side block's last value in it."""
        side = self.side
        if side is None or side.aligned or not side.first <= column <= side.last:
            return self.last_row
        filled = [i for i, r in enumerate(side.rows) if r[column - side.first] is not None]
        return 1 + max(1, filled[-1] + 1 if filled else 0)

    def value(self, row: int, column: int) -> CellValue:
        """The value written at a sheet row (from 2) and column index; None for a blank cell."""
        index = row - 2
        side = self.side
        if side is not None and side.first <= column <= side.last:
            inside = 0 <= index < len(side.rows) and (not side.aligned or index < len(self.rows))
            return side.rows[index][column - side.first] if inside else None
        if not 0 <= index < len(self.rows):
            return None
        values = self.rows[index]
        return values[column] if column < len(values) else None


@dataclass(frozen=True)
class _Area:
    """A chart formula that is one range on one sheet: `Sheet!$G$2:$G$31`."""

    sheet: str  # the sheet's name, unquoted
    head: str  # the formula's text up to and including the "!", as written
    first: str  # the first cell's column with its $ signs, e.g. "$G$"
    last: str  # the last cell's column, e.g. "$G$" (the first's when a single cell)
    single: bool  # written as one cell
    row1: int
    row2: int
    col1: int
    col2: int


def _area(formula: str) -> _Area | None:
    at = formula.rfind("!")
    match = _AREA.fullmatch(formula, at + 1) if at > 0 else None
    if match is None:
        return None
    sheet = html.unescape(formula[:at])
    if len(sheet) > 1 and sheet[0] == sheet[-1] == "'":
        sheet = sheet[1:-1].replace("''", "'")
    last = match[3] or match[1]
    row1, row2 = int(match[2]), int(match[4] or match[2])
    col1, col2 = column_index(match[1].replace("$", "")), column_index(last.replace("$", ""))
    return _Area(
        sheet,
        formula[: at + 1],
        match[1],
        last,
        match[3] is None,
        min(row1, row2),
        max(row1, row2),
        min(col1, col2),
        max(col1, col2),
    )


def follow_written_data(chart: str, sheets: Mapping[str, WrittenSheet]) -> str:
    """A chart part's text with its series ranges over the written sheets' data resized.

    `sheets` maps a case-folded sheet name to what was written there. A series range that is one
    range on such a sheet starting at row 2 (values in one column; categories in one or, as
    levels, several columns) ends at the data's new last row and gets a new cache. Ranges on
    other sheets or not starting at row 2, series names and titles are left as they are.
    """
    if not sheets:
        return chart
    return _SERIES.sub(lambda m: _series(m, sheets), chart)


def _series(series: re.Match[str], sheets: Mapping[str, WrittenSheet]) -> str:
    sources = list(_SOURCE.finditer(series[0]))
    # A series whose numbers run along a row has its categories along a row too: leave it.
    by_row = False
    for source in sources:
        if source[2] not in _AXIS_DATA:
            reference = _REFERENCE.search(source[3])
            formula = _FORMULA.search(reference[3]) if reference else None
            area = _area(formula[2]) if formula else None
            by_row = by_row or (area is not None and area.col1 != area.col2)
    pieces, pos = [], 0
    for source in sources:
        new = _source(source, sheets, by_row)
        if new is not None:
            pieces += [series[0][pos : source.start()], new]
            pos = source.end()
    return "".join(pieces) + series[0][pos:] if pieces else series[0]


def _source(source: re.Match[str], sheets: Mapping[str, WrittenSheet], by_row: bool) -> str | None:
    """A series data element (<c:val> etc.) pointing at the new data, or None to keep it."""
    reference = _REFERENCE.search(source[3])
    if reference is None:  # literal values
        return None
    formula = _FORMULA.search(reference[3])
    area = _area(formula[2]) if formula else None
    if formula is None or area is None or area.row1 != 2:
        return None
    sheet = sheets.get(area.sheet.casefold())
    axis = source[2] in _AXIS_DATA
    if sheet is None or (area.col1 != area.col2 and (not axis or by_row)):
        return None
    last = sheet.last_row_of(area.col1)
    text = f"{area.head}{area.first}2:{area.last}{last}"
    if area.single and last == 2:
        text = formula[2]
    # The formula and its cache are replaced; what comes before or after them (an extLst) stays.
    p, old = reference[1], reference[3]
    rest = old[formula.end() :]
    cache = _CACHE.match(rest)
    if cache is not None:
        rest = rest[cache.end() :]
    kind, content = _reference(p, reference[2], cache[0] if cache else "", text, area, sheet, axis)
    new = f"<{p}{kind}>{old[: formula.start()]}{content}{rest}</{p}{kind}>"
    body = source[3]
    body = body[: reference.start()] + new + body[reference.end() :]
    return f"<{source[1]}{source[2]}>{body}</{source[1]}{source[2]}>"


def _reference(
    p: str, kind: str, old_cache: str, formula: str, area: _Area, sheet: WrittenSheet, axis: bool
) -> tuple[str, str]:
    """The kind of reference element (numRef, strRef, multiLvlStrRef) the new data needs and
    its formula and cache of the values."""
    rows = range(2, sheet.last_row_of(area.col1) + 1)
    count = f'<{p}ptCount val="{len(rows)}"/>'
    f = f"<{p}f>{formula}</{p}f>"
    if area.col1 != area.col2:  # category levels in columns; the innermost (last) comes first
        levels = "".join(
            f"<{p}lvl>{_points(p, [sheet.value(r, c) for r in rows], _cache_text)}</{p}lvl>"
            for c in range(area.col2, area.col1 - 1, -1)
        )
        return "multiLvlStrRef", f"{f}<{p}multiLvlStrCache>{count}{levels}</{p}multiLvlStrCache>"
    values = [sheet.value(r, area.col1) for r in rows]
    present = [v for v in values if v is not None]
    numbers = [v for v in present if _cache_number(v) is not None]
    # Categories are text unless every one is a number (or date); numbers are always numbers.
    if axis and (len(numbers) < len(present) or (not present and kind != "numRef")):
        return "strRef", f"{f}<{p}strCache>{count}{_points(p, values, _cache_text)}</{p}strCache>"
    code = _FORMAT_CODE.search(old_cache) if kind == "numRef" else None
    form = code[0] if code else f"<{p}formatCode>General</{p}formatCode>"
    points = _points(p, values, _cache_number)
    return "numRef", f"{f}<{p}numCache>{form}{count}{points}</{p}numCache>"


def _points(p: str, values: Sequence[CellValue], show: Callable[[CellValue], str | None]) -> str:
    pieces = []
    for i, value in enumerate(values):
        text = show(value)
        if text is not None:
            pieces.append(f'<{p}pt idx="{i}"><{p}v>{text}</{p}v></{p}pt>')
    return "".join(pieces)


def _cache_number(value: CellValue) -> str | None:
    """A value as a chart's number cache holds it; None for blanks and text."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value:f}" if value.is_finite() else None
    if isinstance(value, (date, datetime)):
        return repr(excel_serial(value))
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else None
    return None


def _cache_text(value: CellValue) -> str | None:
    """A value as a chart's text cache holds it; None for blanks."""
    if value is None:
        return None
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return _cache_number(value)


def holds_rows(sheet: str) -> bool:
    """Whether a sheet's XML has values in more than one row: rows under a header (a header
    row alone, or formatted blank cells, hold none)."""
    _, children = top_level(sheet)
    data = next((c for c in children if c.name == "sheetData"), None)
    if data is None:
        return False
    found = 0
    for row in iter_rows(sheet, data):
        if any(cell.has_value for cell in iter_cells(sheet, row)):
            found += 1
            if found > 1:
                return True
    return False
