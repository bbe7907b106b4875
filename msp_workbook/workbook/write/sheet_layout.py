"""What a generated sheet keeps from the sheet part it replaces (view, column and print
settings, protection, the elements that anchor its drawings and table parts), read from the old
sheet's XML text, or the layout of a generated sheet made from nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from ..errors import WorkbookError
from ..package.names import MAIN_NS, REL_NS
from ..package.xml_text import attrs, escape_attr
from ..sheet_scan import column_styles, iter_cells, iter_rows, top_level

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
