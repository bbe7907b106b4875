"""Edits of a real workbook at the XML level, the way Excel or LibreOffice would store them.

Each edit takes the text of a worksheet (or table) part and returns the new text; `edited`
writes a copy of a workbook with some parts edited and every other part copied as it was.
Used where LibreOffice headless cannot make the edit: an error value or a formula without a
stored result in a cell, rows inserted above a table, a totals row, a second table.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

from msp_workbook.workbook.cell_refs import column_index
from msp_workbook.workbook.cells import column_letter
from msp_workbook.workbook.package.opc import open_package

Edit = Callable[[str], str]
_REF = re.compile(r"(\$?)([A-Z]{1,3})(\$?)(\d+)")


def sheet_part(path: Path, sheet: str) -> str:
    with open_package(path) as package:
        found = package.sheet(sheet)
        assert found is not None, sheet
        return found.part


def table_part(path: Path, table: str) -> str:
    with open_package(path) as package:
        found = package.table(table)
        assert found is not None, table
        return found.part


def edited(src: Path, dst: Path, edits: Mapping[str, Edit], add: Mapping[str, str] = {}) -> Path:
    """A copy of `src` at `dst` with each part in `edits` replaced by its edit's result and the
    parts in `add` added (name -> text)."""
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info)
            if info.filename in edits:
                data = edits[info.filename](data.decode("utf-8")).encode("utf-8")
            out.writestr(info, data)
        for name, text in add.items():
            out.writestr(name, text.encode("utf-8"))
    return dst


def set_cell(ref: str, inner: str, attrs: str = "") -> Edit:
    """Replace (or add) the cell `ref`: `inner` is its content (`<v>#N/A</v>`, `<f>1+1</f>`,
    `<is><t>text</t></is>`), `attrs` its extra attributes (` t="e"`, ` t="inlineStr"`)."""
    row = int(re.sub(r"[A-Z]", "", ref))
    new = f'<c r="{ref}"{attrs}>{inner}</c>'

    def edit(text: str) -> str:
        cell = re.compile(rf'<c r="{ref}"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
        if cell.search(text):
            return cell.sub(lambda _: new, text, count=1)
        found = re.search(rf'<row r="{row}"[^>]*>(.*?)</row>', text, re.S)
        if found is None:  # a new row, before the first row below it
            later = [m for m in re.finditer(r'<row r="(\d+)"', text) if int(m[1]) > row]
            at = later[0].start() if later else text.index("</sheetData>")
            return text[:at] + f'<row r="{row}">{new}</row>' + text[at:]
        column = column_index(re.sub(r"\d", "", ref))
        cells = list(re.finditer(r'<c r="([A-Z]+)\d+"', found[1]))
        after = [m for m in cells if column_index(m[1]) > column]
        at = found.start(1) + (after[0].start() if after else len(found[1]))
        return text[:at] + new + text[at:]

    return edit


def text_cell(ref: str, value: str) -> Edit:
    inner = f'<is><t xml:space="preserve">{html.escape(value, quote=False)}</t></is>'
    return set_cell(ref, inner, ' t="inlineStr"')


def error_cell(ref: str, error: str = "#N/A") -> Edit:
    return set_cell(ref, f"<v>{error}</v>", ' t="e"')


def formula_cell(ref: str, formula: str = "1+1") -> Edit:
    """A formula with no stored result, as a writer that computes nothing saves it."""
    return set_cell(ref, f"<f>{html.escape(formula)}</f>")


def number_cell(ref: str, value: str) -> Edit:
    return set_cell(ref, f"<v>{value}</v>")


def shift_rows(by: int) -> Edit:
    """Every cell reference in the part moved down `by` rows: what inserting rows above the
    sheet's first row does to the sheet (cells, rows, ranges) and to its table part."""

    def move(match: re.Match[str]) -> str:
        return f"{match[1]}{match[2]}{match[3]}{int(match[4]) + by}"

    def edit(text: str) -> str:
        text = re.sub(r'(<row r=")(\d+)"', lambda m: f'{m[1]}{int(m[2]) + by}"', text)
        return re.sub(
            r'((?:\sr|\sref|\ssqref|topLeftCell)=")([^"]*)"',
            lambda m: m[1] + _REF.sub(move, m[2]) + '"',
            text,
        )

    return edit


def chain(*edits: Edit) -> Edit:
    def edit(text: str) -> str:
        for one in edits:
            text = one(text)
        return text

    return edit


def with_totals_row(text: str) -> str:
    """A table part with its Total Row turned on (the range one row longer, as Excel does)."""
    ref = re.search(r'<table [^>]*\sref="([^"]+)"', text)
    assert ref is not None
    first, last = ref[1].split(":")
    letters, row = re.fullmatch(r"([A-Z]+)(\d+)", last).groups()  # type: ignore[union-attr]
    new = f"{first}:{letters}{int(row) + 1}"
    text = text.replace(f'ref="{ref[1]}"', f'ref="{new}"', 1)
    text = text.replace('totalsRowShown="0"', 'totalsRowCount="1"')
    # The filter range stays over the header and data rows.
    text = text.replace(f'<autoFilter ref="{new}"', f'<autoFilter ref="{ref[1]}"')
    return text.replace(
        '<tableColumn id="1" name="', '<tableColumn id="1" totalsRowLabel="Total" name="', 1
    )


def table_xml(table_id: int, name: str, ref: str, headers: list[str]) -> str:
    columns = "".join(f'<tableColumn id="{i + 1}" name="{h}"/>' for i, h in enumerate(headers))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<table xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'id="{table_id}" name="{name}" displayName="{name}" ref="{ref}" totalsRowShown="0">'
        f'<autoFilter ref="{ref}"/><tableColumns count="{len(headers)}">{columns}'
        '</tableColumns><tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" '
        'showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>'
    )


def with_second_table(
    src: Path,
    dst: Path,
    sheet: str,
    top: int,
    headers: list[str],
    rows: list[list[str | int]],
    edits: Mapping[str, Edit] = {},
    name: str = "Other",
) -> Path:
    """A copy of `src` with another table (`name`, header row `top`, columns from A) on
    `sheet`, its cells written as Excel writes a table's cells, plus other `edits`."""
    part = "xl/tables/table99.xml"
    last = top + max(len(rows), 1)
    ref = f"A{top}:{column_letter(len(headers) - 1)}{last}"
    cells: list[Edit] = []
    for r, values in enumerate([headers, *rows]):
        for c, value in enumerate(values):
            at = cell_ref(c, top + r)
            cells.append(
                number_cell(at, str(value)) if isinstance(value, int) else text_cell(at, value)
            )
    sheet_at = sheet_part(src, sheet)
    rels = sheet_at.replace("worksheets/", "worksheets/_rels/") + ".rels"
    rel = (
        '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/table" Target="../tables/table99.xml"/>'
    )
    override = (
        f'<Override PartName="/{part}" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.table+xml"/>'
    )
    all_edits: dict[str, Edit] = dict(edits)
    all_edits[sheet_at] = chain(
        *([all_edits[sheet_at]] if sheet_at in all_edits else []), *cells, _with_table_part_ref
    )
    all_edits[rels] = lambda text: text.replace("</Relationships>", rel + "</Relationships>")
    all_edits["[Content_Types].xml"] = lambda text: text.replace("</Types>", override + "</Types>")
    return edited(src, dst, all_edits, add={part: table_xml(99, name, ref, headers)})


def _with_table_part_ref(text: str) -> str:
    """A sheet with one more tablePart (rId99)."""
    found = re.search(r'<tableParts count="(\d+)">', text)
    assert found is not None
    text = text.replace(found[0], f'<tableParts count="{int(found[1]) + 1}">')
    return text.replace("</tableParts>", '<tablePart r:id="rId99"/></tableParts>')


def cell_ref(column: int, row: int) -> str:
    return f"{column_letter(column)}{row}"


def shift_columns(by: int) -> Edit:
    """Every cell reference in the part moved right `by` columns: what inserting columns left
    of the sheet's first column does to the sheet and to its table part."""

    def move(match: re.Match[str]) -> str:
        return f"{match[1]}{column_letter(column_index(match[2]) + by)}{match[3]}{match[4]}"

    def edit(text: str) -> str:
        text = re.sub(
            r'((?:\sr|\sref|\ssqref|topLeftCell)=")([^"]*)"',
            lambda m: m[1] + _REF.sub(move, m[2]) + '"',
            text,
        )
        return re.sub(r'\sspans="[^"]*"', "", text)  # rows' cell spans: optional hints

    return edit


def swap_columns(first: str, second: str) -> Edit:
    """Two columns of a sheet swapped (cells kept in column order in each row): what moving
    a table's column in Excel does to the sheet."""

    def letter(ref: str) -> str:
        return ref.rstrip("0123456789")

    def swapped(ref: str) -> str:
        row = ref[len(letter(ref)) :]
        col = letter(ref)
        return (second if col == first else first if col == second else col) + row

    def edit(text: str) -> str:
        def row(match: re.Match[str]) -> str:
            cells = re.findall(r'<c r="[A-Z]+\d+"(?:[^>]*/>|[^>]*>.*?</c>)', match[2], re.S)
            moved = []
            for cell in cells:
                ref = re.match(r'<c r="([A-Z]+\d+)"', cell)[1]  # type: ignore[index]
                moved.append((swapped(ref), cell.replace(f'r="{ref}"', f'r="{swapped(ref)}"', 1)))
            moved.sort(key=lambda item: column_index(letter(item[0])))
            return match[1] + "".join(c for _, c in moved) + "</row>"

        return re.sub(r"(<row [^>]*>)(.*?)</row>", row, text, flags=re.S)

    return edit


def swap_table_columns(first: int, second: int) -> Edit:
    """The table part's columns at 0-based positions `first` and `second` swapped."""

    def edit(text: str) -> str:
        columns = re.findall(r"<tableColumn [^>]*?(?:/>|>.*?</tableColumn>)", text, re.S)
        order = list(columns)
        order[first], order[second] = columns[second], columns[first]
        joined = "".join(columns)
        assert joined in text
        return text.replace(joined, "".join(order))

    return edit


def without_table_part(text: str) -> str:
    """A sheet whose table was removed (Excel's Convert to Range): its cells stay."""
    return re.sub(r'<tableParts count="\d+">.*?</tableParts>', "", text, flags=re.S)


def only_header_row(text: str) -> str:
    """A sheet whose rows below row 1 were deleted."""
    return re.sub(r'<row r="(?!1")\d+"[^>]*>.*?</row>', "", text, flags=re.S)
