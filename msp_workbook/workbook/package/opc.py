"""The workbook file as an OPC package: zip members, relationships, sheets and tables.

Only the small XML parts are parsed (workbook.xml, .rels, table parts), always with defusedxml:
no entity expansion, no external entities. A `Package` refuses a hostile or broken file as it
opens it (`file_checks`); its members can be read whole, inflated chunk by chunk (never past the
size the zip declares), or taken as the file holds them, still compressed, for a save to copy
(`zip_writer`).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from ..errors import WorkbookError
from .file_checks import (
    check_directory,
    check_not_opendocument,
    check_prologs,
    not_a_workbook,
    sniff,
)
from .names import (
    CHUNK,
    CONTENT_TYPES,
    REL_NS,
    RT_CHART,
    RT_CHARTSHEET,
    RT_DRAWING,
    RT_OFFICE_DOCUMENT,
    RT_TABLE,
    RT_WORKSHEET,
    STRICT_OFFICE_DOCUMENT,
    rels_part,
    resolve,
)

UTF8_NAME = 0x800  # a zip member's general purpose flag: its name is UTF-8

_Named = TypeVar("_Named")


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


def parse_xml(data: bytes, part: str) -> Element:
    try:
        return fromstring(data)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise WorkbookError(f"damaged workbook: {part} is not valid XML ({exc})") from exc


def local(tag: str) -> str:
    """An ElementTree tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


class Package:
    """An open .xlsx/.xlsm file. Use as a context manager, or call close()."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            # The zip directory and members are read from this one open file, and a save copies
            # members from it too: the same file throughout, whatever happens to the path.
            self._file = open(path, "rb")  # noqa: SIM115 (closed by close())
            try:
                self._zip = zipfile.ZipFile(self._file)
            except BaseException:
                self._file.close()
                raise
        except FileNotFoundError:
            raise WorkbookError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise WorkbookError(f"{path}: is a folder, not a workbook") from None
        except PermissionError as exc:
            raise WorkbookError(f"{path}: cannot open it ({exc.strerror})") from exc
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise WorkbookError(sniff(path) or f"{path}: {not_a_workbook(path)}") from exc
        try:
            self.infos = self._zip.infolist()
            check_directory(path, self.infos)
            self._by_name = {i.filename: i for i in self.infos}
            self._by_lower = {i.filename.lower(): i.filename for i in self.infos}
            check_not_opendocument(path, self._zip)
            check_prologs(path, self._zip, self.infos)
            self.workbook_part = self._find_workbook_part()
        except BaseException:
            self.close()
            raise

    def _find_workbook_part(self) -> str:
        if CONTENT_TYPES not in self._by_name:
            raise WorkbookError(f"{self.path}: {not_a_workbook(self.path)}")
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
        raise WorkbookError(f"{self.path}: {not_a_workbook(self.path)}")

    def close(self) -> None:
        self._zip.close()
        self._file.close()

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

    def compressed(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """A member's data as the file holds it (compressed, or stored), chunk by chunk, to copy
        it as it is. It starts after the member's local header, which must name the member, and
        is as long as the zip directory says."""
        damaged = f"{self.path}: damaged workbook ({info.filename} is cut short or corrupt)"
        self._file.seek(info.header_offset)
        header = self._file.read(30)
        if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
            raise WorkbookError(damaged)
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        try:  # the zip module's own check when it reads a member
            name = self._file.read(name_length).decode(
                "utf-8" if info.flag_bits & UTF8_NAME else "cp437"
            )
        except UnicodeDecodeError:
            raise WorkbookError(damaged) from None
        if name != info.orig_filename:
            raise WorkbookError(damaged)
        at, left = info.header_offset + 30 + name_length + extra_length, info.compress_size
        while left > 0:
            self._file.seek(at)  # each time: the zip module may read the file in between
            data = self._file.read(min(CHUNK, left))
            if not data:
                raise WorkbookError(damaged)
            at, left = at + len(data), left - len(data)
            yield data

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

    def table(self, name: str, tables: list[TableRef] | None = None) -> TableRef | None:
        """A table by name (Excel compares table names without regard to case); `tables` may
        pass `self.tables()` when several are looked up."""
        return _by_name(self.tables() if tables is None else tables, name, lambda t: t.name)

    def inflate(self, part: str) -> Iterator[bytes]:
        """A member's content, inflated chunk by chunk from the file's own bytes; refused as soon
        as it would grow past the size the zip directory declares (the directory can lie, and
        a reader that trusts the stream instead would inflate a bomb whole)."""
        info = self._by_name[self.name(part)]
        damaged = f"{self.path}: damaged workbook ({info.filename} is cut short or corrupt)"
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        deflated = info.compress_type == zipfile.ZIP_DEFLATED
        size = 0
        for data in self.compressed(info):
            while data:
                if deflated:
                    try:
                        out = inflater.decompress(data, CHUNK)
                    except zlib.error:
                        raise WorkbookError(damaged) from None
                    data = inflater.unconsumed_tail
                else:
                    out, data = data, b""
                size += len(out)
                if size > info.file_size:
                    raise WorkbookError(
                        f"{self.path}: refused, {info.filename} inflates past the size the "
                        "zip declares for it (a zip bomb)"
                    )
                if out:
                    yield out
                if deflated and inflater.eof:
                    break
        if size != info.file_size:
            raise WorkbookError(damaged)


def open_package(path: Path) -> Package:
    return Package(path)


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
