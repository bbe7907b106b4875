"""The workbook file as an OPC package: zip members, relationships, sheets and tables.

Only the small XML parts are parsed (workbook.xml, .rels, table parts), always with defusedxml:
no entity expansion, no external entities. Saving writes a new zip that copies every member not
replaced, in the original order, and swaps it in for the destination atomically. The few edits
to shared XML parts ([Content_Types].xml, .rels) are minimal textual edits, so the rest of such a
part stays byte for byte what it was.
"""

from __future__ import annotations

import contextlib
import html
import os
import posixpath
import re
import secrets
import stat
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from .errors import WorkbookError

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

RT_OFFICE_DOCUMENT = REL_NS + "/officeDocument"
RT_WORKSHEET = REL_NS + "/worksheet"
RT_TABLE = REL_NS + "/table"
RT_CALC_CHAIN = REL_NS + "/calcChain"
RT_CHARTSHEET = REL_NS + "/chartsheet"
RT_DRAWING = REL_NS + "/drawing"
RT_CHART = REL_NS + "/chart"
STRICT_OFFICE_DOCUMENT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"

CONTENT_TYPES = "[Content_Types].xml"

# Members added by a save get a fixed timestamp, so the same input gives the same bytes.
NEW_MEMBER_TIME = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 6

# Declared sizes are checked before anything is inflated: a workbook that would inflate past
# these is refused (zipfile never inflates a member beyond its declared size).
MAX_TOTAL_SIZE = 4 << 30
MAX_RATIO = 500
RATIO_CHECKED_ABOVE = 16 << 20

_Named = TypeVar("_Named")

_ATTR = re.compile(r"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str
    target: str  # a part name ("xl/tables/table1.xml"), or the raw target when external
    external: bool = False


@dataclass(frozen=True)
class SheetRef:
    name: str
    sheet_id: int
    rel_id: str
    part: str


@dataclass(frozen=True)
class TableRef:
    name: str  # the displayName: the name formulas use
    id: int
    part: str
    sheet: SheetRef
    rel_id: str  # the relationship id in the sheet's .rels


# --- Names and XML helpers ------------------------------------------------------------------------


def rels_part(part: str) -> str:
    """The relationships part of a part: xl/workbook.xml -> xl/_rels/workbook.xml.rels."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source: str, target: str) -> str:
    """A relationship target as a part name (relative targets start from the source's folder)."""
    target = unquote(target)
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")


def relative_target(source: str, part: str) -> str:
    """The target that refers from `source` to `part` (the inverse of `resolve`)."""
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


def parse_xml(data: bytes, part: str) -> Element:
    try:
        return fromstring(data)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise WorkbookError(f"damaged workbook: {part} is not valid XML ({exc})") from exc


def local(tag: str) -> str:
    """An ElementTree tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def attrs(start_tag: str) -> dict[str, str]:
    """The attributes of one start tag's text, unescaped."""
    return {
        m[1]: html.unescape(m[2] if m[2] is not None else m[3]) for m in _ATTR.finditer(start_tag)
    }


def escape_attr(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def tags(text: str, name: str) -> Iterator[re.Match[str]]:
    """Start or empty tags of elements with this local name (any namespace prefix)."""
    pattern = r"<(?:[\w.-]+:)?" + re.escape(name) + r"""\b(?:[^>"']|"[^"]*"|'[^']*')*>"""
    return re.finditer(pattern, text)


def first_tag(text: str, name: str) -> re.Match[str] | None:
    return next(tags(text, name), None)


def tag_prefix(tag: str) -> str:
    """The namespace prefix of a start tag's element: "<x:row r='1'>" -> "x:"."""
    name = re.match(r"</?([\w.:-]+)", tag)
    return name[1][: name[1].index(":") + 1] if name and ":" in name[1] else ""


def _prefix_of(text: str, name: str) -> str:
    """The namespace prefix ("x:" or "") the part uses for elements with this local name."""
    match = first_tag(text, name)
    return tag_prefix(match[0]) if match else ""


# --- Reading --------------------------------------------------------------------------------------


class Package:
    """An open .xlsx/.xlsm file. Use as a context manager, or call close()."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise WorkbookError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise WorkbookError(f"{path}: is a folder, not a workbook") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise WorkbookError(f"{path}: {_not_a_workbook(path)}") from exc
        try:
            self.infos = self._zip.infolist()
            self._check_directory()
            self._by_name = {i.filename: i for i in self.infos}
            self._by_lower = {i.filename.lower(): i.filename for i in self.infos}
            self.workbook_part = self._find_workbook_part()
        except BaseException:
            self._zip.close()
            raise

    def _check_directory(self) -> None:
        names = [i.filename for i in self.infos]
        if len(set(names)) != len(names):
            raise WorkbookError(f"{self.path}: damaged workbook (duplicate zip members)")
        if sum(i.file_size for i in self.infos) > MAX_TOTAL_SIZE:
            raise WorkbookError(f"{self.path}: too large to work on (over 4 GiB unpacked)")
        for info in self.infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_CHECKED_ABOVE and ratio > MAX_RATIO:
                raise WorkbookError(
                    f"{self.path}: refused, {info.filename} would inflate {ratio:.0f} times"
                )

    def _find_workbook_part(self) -> str:
        if CONTENT_TYPES not in self._by_name:
            raise WorkbookError(f"{self.path}: {_not_a_workbook(self.path)}")
        for rel in self.relationships(""):
            if rel.type == STRICT_OFFICE_DOCUMENT:
                raise WorkbookError(
                    f"{self.path}: a Strict Open XML workbook; save it as an Excel Workbook "
                    "(.xlsx) and try again"
                )
            if rel.type == RT_OFFICE_DOCUMENT and not rel.external:
                if not rel.target.lower().endswith(".xml"):
                    raise WorkbookError(
                        f"{self.path}: a binary workbook (.xlsb); save it as .xlsx and try again"
                    )
                if self.has(rel.target):
                    return self.name(rel.target)
        raise WorkbookError(f"{self.path}: {_not_a_workbook(self.path)}")

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has(self, part: str) -> bool:
        return part in self._by_name or part.lower() in self._by_lower

    def name(self, part: str) -> str:
        """The member name of a part (part names are case-insensitive)."""
        return part if part in self._by_name else self._by_lower[part.lower()]

    def read(self, part: str) -> bytes:
        try:
            return self._zip.read(self.name(part))
        except KeyError:
            raise WorkbookError(f"{self.path}: damaged workbook ({part} is missing)") from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise WorkbookError(f"{self.path}: damaged workbook ({part}: {exc})") from exc

    def relationships(self, part: str) -> list[Relationship]:
        """The relationships of a part ("" = the package itself); none when it has no .rels."""
        rels = rels_part(part) if part else "_rels/.rels"
        if not self.has(rels):
            return []
        found = []
        for el in parse_xml(self.read(rels), rels):
            if local(el.tag) != "Relationship":
                continue
            external = el.get("TargetMode") == "External"
            target = el.get("Target", "")
            found.append(
                Relationship(
                    el.get("Id", ""),
                    el.get("Type", ""),
                    target if external else resolve(part, target),
                    external,
                )
            )
        return found

    def sheets(self) -> list[SheetRef]:
        """The worksheets in workbook order (chart sheets and dialog sheets left out)."""
        rels = {
            r.id: r.target
            for r in self.relationships(self.workbook_part)
            if r.type == RT_WORKSHEET and not r.external
        }
        found = []
        for el in parse_xml(self.read(self.workbook_part), self.workbook_part).iter():
            if local(el.tag) != "sheet":
                continue
            rel_id = el.get(f"{{{REL_NS}}}id", "")
            if rel_id in rels:
                found.append(
                    SheetRef(el.get("name", ""), _int(el.get("sheetId")), rel_id, rels[rel_id])
                )
        return found

    def sheet(self, name: str) -> SheetRef | None:
        """A worksheet by name (Excel compares sheet names without regard to case)."""
        return _by_name(self.sheets(), name, lambda s: s.name)

    def tables(self) -> list[TableRef]:
        found = []
        for sheet in self.sheets():
            for rel in self.relationships(sheet.part):
                if rel.type != RT_TABLE or rel.external or not self.has(rel.target):
                    continue
                root = parse_xml(self.read(rel.target), rel.target)
                name = root.get("displayName") or root.get("name") or ""
                found.append(TableRef(name, _int(root.get("id")), rel.target, sheet, rel.id))
        return found

    def chart_parts(self) -> list[str]:
        """The chart parts drawn on the worksheets and chart sheets, each once."""
        found: dict[str, None] = {}
        for sheet in self.relationships(self.workbook_part):
            if sheet.external or sheet.type not in (RT_WORKSHEET, RT_CHARTSHEET):
                continue
            for drawing in self.relationships(sheet.target):
                if drawing.external or drawing.type != RT_DRAWING:
                    continue
                for chart in self.relationships(drawing.target):
                    if chart.type == RT_CHART and not chart.external and self.has(chart.target):
                        found.setdefault(self.name(chart.target))
        return list(found)

    def table(self, name: str) -> TableRef | None:
        """A table by name (Excel compares table names without regard to case)."""
        return _by_name(self.tables(), name, lambda t: t.name)


def open_package(path: Path) -> Package:
    return Package(path)


def _not_a_workbook(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        return "an .xls file (Excel 97-2003); save it as .xlsx and try again"
    if suffix == ".ods":
        return "an OpenDocument spreadsheet; save it as .xlsx and try again"
    return "not an .xlsx/.xlsm workbook (damaged, or protected with a password)"


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0


def _by_name(items: list[_Named], name: str, key: Callable[[_Named], str]) -> _Named | None:
    """The item with this name: an exact match first, else one that differs only in case."""
    exact = [i for i in items if key(i) == name]
    if exact:
        return exact[0]
    folded = [i for i in items if key(i).casefold() == name.casefold()]
    return folded[0] if folded else None


# --- Minimal textual edits of package parts -------------------------------------------------------


def add_override(content_types: str, part: str, content_type: str) -> str:
    """[Content_Types].xml with an Override for the part appended."""
    prefix = _prefix_of(content_types, "Types")
    tag = (
        f'<{prefix}Override PartName="/{escape_attr(part)}" '
        f'ContentType="{escape_attr(content_type)}"/>'
    )
    return _insert_before_end(content_types, "Types", tag)


def remove_override(content_types: str, part: str) -> str:
    """[Content_Types].xml without the Override of the part (unchanged when it has none)."""
    for match in tags(content_types, "Override"):
        if attrs(match[0]).get("PartName", "").lstrip("/").lower() == part.lower():
            return content_types[: match.start()] + content_types[match.end() :]
    return content_types


def add_relationship(rels: str | None, rel_id: str, rel_type: str, target: str) -> str:
    """A .rels part (a new one when `rels` is None) with one relationship appended."""
    if rels is None:
        rels = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{PACKAGE_REL_NS}"></Relationships>'
        )
    prefix = _prefix_of(rels, "Relationships")
    tag = (
        f'<{prefix}Relationship Id="{escape_attr(rel_id)}" Type="{escape_attr(rel_type)}" '
        f'Target="{escape_attr(target)}"/>'
    )
    return _insert_before_end(rels, "Relationships", tag)


def remove_relationship(rels: str, rel_id: str) -> str:
    for match in tags(rels, "Relationship"):
        if attrs(match[0]).get("Id") == rel_id:
            return rels[: match.start()] + rels[match.end() :]
    return rels


def rel_ids(rels: str) -> set[str]:
    """The relationship ids used in a .rels part's text."""
    return {attrs(m[0]).get("Id", "") for m in tags(rels, "Relationship")}


def new_rel_id(ids: set[str]) -> str:
    """An unused relationship id, rIdN."""
    n = len(ids) + 1
    while f"rId{n}" in ids:
        n += 1
    return f"rId{n}"


def _insert_before_end(text: str, name: str, tag: str) -> str:
    """Insert `tag` as the last child of the root element `name`."""
    match = re.search(r"</(?:[\w.-]+:)?" + re.escape(name) + r"\s*>\s*$", text)
    if match:
        return text[: match.start()] + tag + text[match.start() :]
    empty = re.search(r"<((?:[\w.-]+:)?" + re.escape(name) + r")\b([^>]*?)/>\s*$", text)
    if empty:
        return text[: empty.start()] + f"<{empty[1]}{empty[2]}>{tag}</{empty[1]}>"
    raise WorkbookError(f"damaged workbook: no <{name}> element to add to")


# --- Saving ---------------------------------------------------------------------------------------


def save_package(package: Package, replacements: Mapping[str, bytes | None], dest: Path) -> None:
    """Write `package` with some parts replaced to `dest`, then close `package`.

    `replacements` maps a part name to its new bytes, or to None to leave the part out; parts
    not in the package are added after the others. Every other member is copied with its
    contents and timestamp unchanged; [Content_Types].xml comes first. `dest` is replaced
    atomically (it may be the package's own file).
    """
    by_lower = {name.lower(): data for name, data in replacements.items()}
    order = sorted(package.infos, key=lambda i: i.filename != CONTENT_TYPES)
    existing = {i.filename.lower() for i in order}
    added = [name for name in replacements if name.lower() not in existing]
    tmp = _temp_path(dest)
    try:
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as f:
            with zipfile.ZipFile(f, "w") as out:
                for info in order:
                    key = info.filename.lower()
                    data = by_lower[key] if key in by_lower else package.read(info.filename)
                    if data is not None:
                        _write_member(out, info.filename, data, info)
                for name in added:
                    data = replacements[name]
                    if data is not None:
                        _write_member(out, name, data, None)
            f.flush()
            os.fsync(f.fileno())
        package.close()
        if dest.exists():
            os.chmod(tmp, stat.S_IMODE(os.stat(dest).st_mode))
        os.replace(tmp, dest)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        hint = "; is it open in Excel?" if isinstance(exc, PermissionError) else ""
        raise WorkbookError(f"{dest}: cannot save ({exc.strerror or exc}){hint}") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        package.close()
    _sync_folder(dest.parent)


def _temp_path(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.tmp")


def _write_member(
    out: zipfile.ZipFile, name: str, data: bytes, like: zipfile.ZipInfo | None
) -> None:
    info = zipfile.ZipInfo(name, like.date_time if like else NEW_MEMBER_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = like.external_attr if like else 0o600 << 16
    info.create_system = like.create_system if like else 0
    out.writestr(info, data, compresslevel=COMPRESS_LEVEL)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
