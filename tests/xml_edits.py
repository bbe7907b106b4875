"""Edits of a workbook at XML level, as Excel or a damaged copy leaves it (where LibreOffice
headless cannot make the edit)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path


def rewrite_members(path: Path, members: dict[str, bytes | None]) -> None:
    """Replace zip members (None: leave the member out), copying every other one."""
    with zipfile.ZipFile(path) as z:
        items = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename in members:
                new = members[info.filename]
                if new is None:
                    continue
                data = new
            z.writestr(info.filename, data)


def table_part(path: Path, name: str) -> tuple[str, str, str]:
    """(sheet part, its rels part, table part) of the table named `name`."""
    with zipfile.ZipFile(path) as z:
        for rels in z.namelist():
            if not re.fullmatch(r"xl/worksheets/_rels/sheet\d+\.xml\.rels", rels):
                continue
            for target in re.findall(r'Target="([^"]+)"', z.read(rels).decode()):
                if "tables/" not in target:
                    continue
                part = posixpath.normpath(posixpath.join("xl/worksheets", target))
                if f'name="{name}"' in z.read(part).decode():
                    sheet = rels.replace("_rels/", "").removesuffix(".rels")
                    return sheet, rels, part
    raise AssertionError(f"no table {name}")


def convert_to_range(path: Path, name: str) -> None:
    """What Excel's Table Design > Convert to Range leaves: the cells, no table part, no
    relationship to it, no <tablePart> on the sheet."""
    sheet, rels, part = table_part(path, name)
    with zipfile.ZipFile(path) as z:
        sheet_xml = z.read(sheet).decode()
        rels_xml = z.read(rels).decode()
        types = z.read("[Content_Types].xml").decode()
    target = posixpath.basename(part)
    rels_xml = re.sub(rf'<Relationship [^>]*Target="[^"]*{target}"[^>]*/>', "", rels_xml)
    sheet_xml = re.sub(r"<tableParts[^>]*>.*?</tableParts>|<tableParts[^>]*/>", "", sheet_xml)
    types = re.sub(rf'<Override PartName="/{part}"[^>]*/>', "", types)
    rewrite_members(
        path,
        {
            sheet: sheet_xml.encode(),
            rels: rels_xml.encode(),
            "[Content_Types].xml": types.encode(),
            part: None,
        },
    )


def delete_table_part(path: Path, name: str) -> None:
    """A table part gone from the package, its relationship and <tablePart> left dangling."""
    _, _, part = table_part(path, name)
    with zipfile.ZipFile(path) as z:
        types = z.read("[Content_Types].xml").decode()
    types = re.sub(rf'<Override PartName="/{part}"[^>]*/>', "", types)
    rewrite_members(path, {part: None, "[Content_Types].xml": types.encode()})
