"""A table part (xl/tables/tableN.xml): written whole for a generated table, read for what the
rewrite keeps of the old one, and edited in place (its range, columns added at its end)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .. import schema
from ..cell_refs import range_ref
from ..errors import WorkbookError
from ..package.names import MAIN_NS
from ..package.opc import local, parse_xml
from ..package.xml_text import attrs, escape_attr, first_tag, tag_prefix
from ..sheet_scan import set_attribute
from .cell_xml import XmlWriter

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
    style_info: tuple[tuple[str, str], ...]  # the <tableStyleInfo>'s attributes
    extra: tuple[tuple[str, str], ...] = ()  # kept attributes of the old <table>
    column_dxf: Mapping[str, str] = field(default_factory=dict)  # header -> old dataDxfId


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


def default_style_info() -> tuple[tuple[str, str], ...]:
    """The table style of a table the writer creates: the template's for generated tables."""
    return (
        ("name", schema.GENERATED_TABLE_STYLE.replace(" ", "")),
        ("showFirstColumn", "0"),
        ("showLastColumn", "0"),
        ("showRowStripes", "1"),
        ("showColumnStripes", "0"),
    )


def table_spec_of(data: bytes, part: str) -> TableSpec:
    """Identity, formats and style of a table part being replaced (its bytes)."""
    root = parse_xml(data, part)
    column_dxf: dict[str, str] = {}
    style_info = default_style_info()
    for el in root.iter():
        if local(el.tag) == "tableColumn" and el.get("dataDxfId"):
            column_dxf[el.get("name", "")] = el.get("dataDxfId", "")
        elif local(el.tag) == "tableStyleInfo":
            style_info = tuple((k, v) for k, v in el.attrib.items() if "}" not in k)
    name = root.get("name", "")
    return TableSpec(
        table_id=int(root.get("id", "0")),
        name=name,
        display_name=root.get("displayName", name),
        extra=tuple((a, root.get(a, "")) for a in KEPT_TABLE_ATTRIBUTES if a in root.attrib),
        column_dxf=column_dxf,
        style_info=style_info,
    )


def with_table_columns(table: str, headers: Sequence[str], last_id: int, ref: str) -> str:
    """A table part with columns added after its last one, and its range set to `ref`."""
    match = first_tag(table, "tableColumns")
    end = re.search(r"</(?:[\w.-]+:)?tableColumns\s*>", table)
    if match is None or end is None:
        raise WorkbookError("damaged workbook: a table part lists no columns")
    prefix = tag_prefix(match[0])
    count = int(attrs(match[0]).get("count") or 0) + len(headers)
    new = "".join(
        f'<{prefix}tableColumn id="{last_id + i}" name="{escape_attr(header)}"/>'
        for i, header in enumerate(headers, start=1)
    )
    table = table[: end.start()] + new + table[end.start() :]
    tag = set_attribute(match[0], "count", str(count))
    table = table[: match.start()] + tag + table[match.end() :]
    return set_table_ref(table, ref)


def set_table_ref(table: str, ref: str) -> str:
    """A table part with its range, and its filter's range, set to `ref`."""
    for name in ("table", "autoFilter"):
        match = first_tag(table, name)
        if match is not None:
            tag = set_attribute(match[0], "ref", ref)
            table = table[: match.start()] + tag + table[match.end() :]
    return table
