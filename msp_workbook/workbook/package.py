"""The workbook file as an OPC package: zip members, relationships, sheets and tables.

Only the small XML parts are parsed (workbook.xml, .rels, table parts), always with defusedxml:
no entity expansion, no external entities. Saving writes a new zip that copies every member not
replaced, in the original order and as the file holds it (still compressed), and swaps it in for
the destination atomically (`safe_save`: with backups, never over a workbook open in Excel). The
few edits to shared XML parts ([Content_Types].xml, .rels) are minimal textual edits, so the rest
of such a part stays byte for byte what it was.

Hostile files are refused before any parser sees them, each with a one-line reason: what is not
a workbook (by its first bytes as well as its name), a zip that is cut short, a zip bomb (from the
declared sizes in the zip directory, and while inflating: a part may not inflate past its declared
size), a DOCTYPE in any XML part (entities, external or expanding), and an input sheet whose cells
span so many rows and columns that a reader building the grid would run out of memory. A spreadsheet
reader that runs out of memory ends the whole process, with no error to catch: these checks are
what stands between a hostile file and such a crash.
"""

from __future__ import annotations

import functools
import html
import os
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from .errors import WorkbookError
from .lock import FileStamp
from .safe_save import saving

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

RT_OFFICE_DOCUMENT = REL_NS + "/officeDocument"
RT_WORKSHEET = REL_NS + "/worksheet"
RT_TABLE = REL_NS + "/table"
RT_CALC_CHAIN = REL_NS + "/calcChain"
RT_STYLES = REL_NS + "/styles"
RT_CHARTSHEET = REL_NS + "/chartsheet"
RT_DRAWING = REL_NS + "/drawing"
RT_CHART = REL_NS + "/chart"
STRICT_OFFICE_DOCUMENT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"

CONTENT_TYPES = "[Content_Types].xml"

# Members added by a save get a fixed timestamp, so the same input gives the same bytes.
NEW_MEMBER_TIME = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 1  # for the parts a save writes (it copies the others as they are)

# Limits on what a workbook may unpack to, checked from the zip directory before anything is
# inflated, and again while the parts a reader parses are inflated (a part may not inflate past
# its declared size). A billing workbook with a million usage rows unpacks to a few hundred MiB
# and its parts compress 5-15 times; a zip bomb compresses hundreds of times (deflate reaches
# about 1000:1).
MAX_TOTAL_SIZE = 2 << 30  # 2 GiB unpacked, all members together
MAX_RATIO = 200  # unpacked size : packed size of one member ...
RATIO_CHECKED_ABOVE = 1 << 20  # ... of over 1 MiB unpacked (small parts cannot do harm)
# The cells of an input sheet are read as a grid as wide and as tall as the farthest cell holding
# a value (from A1); the reader keeps 32 bytes a cell in that grid, and more once the values are
# converted. 16,777,216 cells (512 MiB) is a million rows of 16 columns; a single value in cell
# XFD1048576 would make 17 billion. A row of values across all 16,384 columns is fine on a small
# sheet (a few hundred rows).
MAX_SHEET_CELLS = 1 << 24
# XML parts may not declare a DOCTYPE (the Open Packaging Conventions forbid DTDs in parts); the
# prolog in which one could stand may be this long at most.
MAX_PROLOG = 64 << 10
# Excel stores members deflated or stored; other methods are refused (and could inflate further).
COMPRESSION_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)

OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an OLE compound file: .xls, or an .xlsx with a password
_CHUNK = 1 << 20

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
            raise WorkbookError(sniff(path) or f"{path}: {_not_a_workbook(path)}") from exc
        try:
            self.infos = self._zip.infolist()
            self._check_directory()
            self._by_name = {i.filename: i for i in self.infos}
            self._by_lower = {i.filename.lower(): i.filename for i in self.infos}
            self._check_not_opendocument()
            self._check_prologs()
            self.workbook_part = self._find_workbook_part()
        except BaseException:
            self.close()
            raise

    def _check_directory(self) -> None:
        """Refuse a zip bomb from the sizes the zip directory declares (nothing is inflated)."""
        names = [i.filename for i in self.infos]
        if len(set(names)) != len(names):
            raise WorkbookError(f"{self.path}: damaged workbook (duplicate zip members)")
        if sum(i.file_size for i in self.infos) > MAX_TOTAL_SIZE:
            raise WorkbookError(
                f"{self.path}: too large to work on (over {MAX_TOTAL_SIZE >> 30} GiB unpacked)"
            )
        for info in self.infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_CHECKED_ABOVE and ratio > MAX_RATIO:
                raise WorkbookError(
                    f"{self.path}: refused, {info.filename} would inflate {ratio:.0f} times "
                    f"(a zip bomb; a workbook part inflates at most {MAX_RATIO} times)"
                )
            if info.flag_bits & 0x1:
                raise WorkbookError(
                    f"{self.path}: {info.filename} is encrypted inside the zip; "
                    "not an Excel workbook"
                )
            if info.compress_type not in COMPRESSION_METHODS:
                raise WorkbookError(
                    f"{self.path}: damaged workbook ({info.filename} is compressed in a way "
                    "Excel never uses)"
                )

    def _check_not_opendocument(self) -> None:
        if _is_opendocument(self._zip):
            raise WorkbookError(f"{self.path}: {_OPENDOCUMENT}")

    def _check_prologs(self) -> None:
        """Refuse a DOCTYPE in any XML part: it is where entities (external, or expanding to
        gigabytes) are declared, and no workbook part has one. Only the prolog is read: a
        DOCTYPE can stand nowhere else."""
        for info in self.infos:
            if not info.filename.lower().endswith((".xml", ".rels", ".vml")) or info.is_dir():
                continue
            try:
                with self._zip.open(info) as f:
                    head = f.read(MAX_PROLOG)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError) as exc:
                raise WorkbookError(
                    f"{self.path}: damaged workbook ({info.filename}: {_one_line(exc)})"
                ) from exc
            problem = _prolog_problem(head, complete=info.file_size <= MAX_PROLOG)
            if problem:
                raise WorkbookError(f"{self.path}: refused, {info.filename} {problem}")

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
                "utf-8" if info.flag_bits & _UTF8_NAME else "cp437"
            )
        except UnicodeDecodeError:
            raise WorkbookError(damaged) from None
        if name != info.orig_filename:
            raise WorkbookError(damaged)
        at, left = info.header_offset + 30 + name_length + extra_length, info.compress_size
        while left > 0:
            self._file.seek(at)  # each time: the zip module may read the file in between
            data = self._file.read(min(_CHUNK, left))
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

    # Checks for a reader that parses the file itself.

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
                        out = inflater.decompress(data, _CHUNK)
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

    def check_inflated_sizes(self, skip: Iterable[str] = ()) -> None:
        """Inflate every XML part but those in `skip` (sheets a reader never loads) to make sure
        none grows past its declared size."""
        skipped = set(skip)
        for info in self.infos:
            if info.filename in skipped or info.is_dir():
                continue
            if info.filename.lower().endswith((".xml", ".rels")):
                for _ in self.inflate(info.filename):
                    pass

    def check_sheet_cells(self, sheet: SheetRef) -> Faults:
        """Refuse a sheet whose cells with a value span more than MAX_SHEET_CELLS from A1; the
        cells whose value a reader cannot give (`FaultScan`), found on the same pass."""
        # Cheap first (empty cells count too, and the rows may be rounded up to all nines), then
        # not rounded, then exact, each when the one before finds too many.
        scan = FaultScan()
        extent = _plain_extent(scan.watch(self.inflate(sheet.part)), limit=MAX_SHEET_CELLS)
        if extent and extent[0] * extent[1] > MAX_SHEET_CELLS and not str(extent[0]).strip("9"):
            extent = _plain_extent(scan.watch(self.inflate(sheet.part)))
        if extent is None or extent[0] * extent[1] > MAX_SHEET_CELLS:
            extent = _extent(scan.watch(self.inflate(sheet.part)))
        last_row, last_col = extent
        if last_row * last_col > MAX_SHEET_CELLS:
            from .cells import column_letter

            raise WorkbookError(
                f'{self.path}: sheet "{sheet.name}" is too large to read: its cells reach '
                f"column {column_letter(last_col - 1)} and row {last_row:,} "
                f"({last_row * last_col:,} cells, at most {MAX_SHEET_CELLS:,}); "
                "delete what lies far to the right of or below the tables"
            )
        if not scan.complete:  # pragma: no cover - every pass above reads to the end
            for _ in scan.watch(self.inflate(sheet.part)):
                pass
        return scan.faults


def check_before_parsing(path: Path, tables: Iterable[str]) -> dict[str, Faults]:
    """Everything a reader must not meet, checked before it sees the file: what `Package` checks
    on opening (zip directory, DOCTYPEs), the real inflated size of every XML part the reader
    parses, and the extent of the cells on the sheets holding these tables (the sheets it
    loads). Refusals are WorkbookErrors with a one-line reason. Returns, by sheet name, the
    cells of those sheets whose value a reader cannot give (see `FaultScan`)."""
    faults: dict[str, Faults] = {}
    with open_package(path) as package:
        loaded = {t.sheet.part for name in tables if (t := package.table(name)) is not None}
        sheets = {
            package.name(r.target)
            for r in package.relationships(package.workbook_part)
            if r.type.lower().endswith("sheet") and not r.external and package.has(r.target)
        }
        package.check_inflated_sizes(skip=sheets)
        for part in sorted(loaded):
            sheet = next(s for s in package.sheets() if s.part == part)
            faults[sheet.name] = package.check_sheet_cells(sheet)
    return faults


def open_package(path: Path) -> Package:
    return Package(path)


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def check_workbook_file(path: Path) -> None:
    """Refuse what is not an .xlsx/.xlsm workbook with a one-line reason."""
    name = os.fsencode(path)
    try:
        name.decode("utf-8")
    except UnicodeDecodeError:
        # The spreadsheet libraries take names as UTF-8 only: they say "no such file".
        shown = name.decode("utf-8", "backslashreplace")
        raise WorkbookError(
            f"{shown}: the file name is not valid UTF-8 (made on a system with another "
            "encoding); rename the file and try again"
        ) from None
    if not path.exists():
        raise WorkbookError(f"{path}: no such file")
    if path.is_dir():
        raise WorkbookError(f"{path}: is a folder, not a workbook")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise WorkbookError(f"{path}: an .xls file (Excel 97-2003); save it as .xlsx and try again")
    if suffix == ".ods":
        raise WorkbookError(f"{path}: an OpenDocument spreadsheet; save it as .xlsx and try again")
    if suffix not in WORKBOOK_SUFFIXES:
        raise WorkbookError(f"{path}: not an Excel workbook (.xlsx or .xlsm expected)")
    reason = sniff(path)  # by content: a password, an .xls or .ods renamed, a zip cut short
    if reason:
        raise WorkbookError(reason)
    if not zipfile.is_zipfile(path):
        raise WorkbookError(
            f"{path}: not a readable .xlsx workbook (damaged, or protected with a password)"
        )


_XLS = "an .xls file (Excel 97-2003); save it as .xlsx and try again"
_OPENDOCUMENT = "an OpenDocument spreadsheet; save it as .xlsx and try again"


def _not_a_workbook(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        return _XLS
    if suffix == ".ods":
        return _OPENDOCUMENT
    return "not an .xlsx/.xlsm workbook (damaged, or protected with a password)"


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


# --- Checks before a parser sees the file ---------------------------------------------------------


def sniff(path: Path) -> str | None:
    """What the file's first bytes show it to be when that is no .xlsx/.xlsm zip, as the one-line
    reason to refuse it; None when they show nothing more specific."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return None
    if head.startswith(OLE_MAGIC):
        # Excel stores a workbook with a password to open as an OLE file holding the encrypted
        # package; an .xls is an OLE file holding a "Workbook" (or "Book") stream.
        encrypted = _ole_holds(path, "EncryptedPackage")
        if not encrypted and (
            path.suffix.lower() == ".xls" or _ole_holds(path, "Workbook", "Book")
        ):
            return f"{path}: {_XLS}"
        return (
            f"{path} is protected with a password; remove the password in Excel "
            "(File > Info > Protect Workbook) and save it again"
        )
    if head.startswith(b"PK\x03\x04") and not zipfile.is_zipfile(path):
        return (
            f"{path}: damaged workbook (the file is incomplete, as if a copy or download "
            "was cut short)"
        )
    try:
        with zipfile.ZipFile(path) as z:
            if _is_opendocument(z):
                return f"{path}: {_OPENDOCUMENT}"
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None
    return None


def _is_opendocument(z: zipfile.ZipFile) -> bool:
    """An OpenDocument file (.ods, whatever its name): its "mimetype" member says so."""
    names = set(z.namelist())
    if "mimetype" not in names or CONTENT_TYPES in names:
        return False
    info = z.getinfo("mimetype")
    if info.file_size > 200 or info.compress_type not in COMPRESSION_METHODS:
        return False
    try:
        return z.read(info).startswith(b"application/vnd.oasis.opendocument")
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError):
        return False


def _ole_holds(path: Path, *streams: str) -> bool:
    """Whether an OLE compound file names one of these streams in its directory (UTF-16 names;
    the whole file is scanned, as the directory may be anywhere in it)."""
    wanted = [name.encode("utf-16-le") + b"\x00\x00" for name in streams]
    overlap = max(len(w) for w in wanted)
    tail = b""
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            data = tail + chunk
            if any(w in data for w in wanted):
                return True
            tail = data[-overlap:]
    return False


def _prolog_problem(head: bytes, complete: bool) -> str | None:
    """What is wrong with the start of an XML part: a DOCTYPE, or a prolog too long to check."""
    text = _decode_head(head)
    at = 0
    while True:
        while at < len(text) and text[at] in " \t\r\n":
            at += 1
        if text.startswith("<?", at):
            end, step = text.find("?>", at + 2), 2
        elif text.startswith("<!--", at):
            end, step = text.find("-->", at + 4), 3
        elif text.startswith("<!DOCTYPE", at):
            return "is not valid XML for a workbook (it declares a DOCTYPE)"
        elif text.startswith("<!", at):
            return "is not valid XML"
        else:
            return None  # the root element, or not XML at all: the parser will say
        if end < 0:
            return None if complete else "is not valid XML for a workbook (its prolog is too long)"
        at = end + step


# Cell start tags in the plain form Excel and most writers use: unprefixed, r first, "B7" style.
_PLAIN_REF = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"')
# Cell start tags in any other form (a namespace prefix, no r, other white space): rare.
_UNPLAIN_CELL = (re.compile(rb"<c[\t\n\r/>]"), re.compile(rb":c[\s/>]"))
_ROW_OR_CELL = re.compile(
    rb"""<(?:[^\s<>/!?:]+:)?(row|c)(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>"""
)
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(rb"\s*([A-Za-z]+)([0-9]+)\s*")
_DIGITS, _LETTERS = b"0123456789", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MAX_TAG = 1 << 20


# (sheet row, 0-based column) -> an error value's text, or "" for a formula without a result.
Faults = dict[tuple[int, int], str]
_ROW_END = re.compile(rb"</(?:[\w.-]+:)?row>")
_FORMULA_LAST = re.compile(
    rb"""(?:</(?:[\w.-]+:)?f>|<(?:[\w.-]+:)?f\b(?:[^>"']|"[^"]*"|'[^']*')*/>)\s*</(?:[\w.-]+:)?c>"""
)
_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
_CELL_START = re.compile(rb"""<(?:[\w.-]+:)?c(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)</")
_ROW_BLOCK_LIMIT = 16 << 20


class FaultScan:
    """Finds, in a sheet's XML as it is inflated, the cells whose value a reader (calamine,
    fastexcel) reads as empty: an error value (`t="e"`: #N/A, #VALUE!, ...) and a formula with
    no stored result (its `<f>` is the cell's last element: no `<v>` follows, as in a file
    saved by a writer that computes nothing). Cheap where there are none: each block of whole
    rows is searched for "#" and "f" (single bytes), and only blocks that hold an error type or
    a formula are scanned with a regular expression; once a formula has been seen every later
    block is (a shared formula's followers are `<f .../>`, whose master may be blocks before).
    Cells without an `r` attribute are not placed (Excel and LibreOffice always write one)."""

    def __init__(self) -> None:
        self.faults: Faults = {}
        self.complete = False
        self._formulas = False

    def watch(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """The chunks, passed on unchanged and scanned on the way; `complete` once the last
        has passed."""
        self.faults, self.complete, self._formulas = {}, False, False
        carry = b""
        for chunk in chunks:
            yield chunk
            data = carry + chunk if carry else chunk
            end = _last_row_end(data)
            if end < 0 and len(data) < _ROW_BLOCK_LIMIT:
                carry = data
                continue
            if end < 0:
                end = len(data)
            self._scan(data[:end] if end < len(data) else data)
            carry = data[end:]
        if carry:
            self._scan(carry)
        self.complete = True

    def _scan(self, block: bytes) -> None:
        # Single bytes first (memchr): every error value starts with "#", every formula holds
        # an "f"; sheets of numbers and shared strings hold neither.
        if b"#" in block:
            for match in _ERROR_TYPE.finditer(block):
                self._fault_at(block, match.start(), error=True)
        if not self._formulas and not (b"f" in block and (b"<f" in block or b":f" in block)):
            return
        self._formulas = True
        for match in _FORMULA_LAST.finditer(block):
            self._fault_at(block, match.start(), error=False)

    def _fault_at(self, block: bytes, at: int, *, error: bool) -> None:
        """Record the cell whose start tag holds (error) or whose content ends at (formula)
        position `at`."""
        start = block.rfind(b"<", 0, at + 1)
        tag = _CELL_START.match(block, start) if start >= 0 else None
        if error:
            if tag is None or tag.end() <= at:
                return  # "t='e'" in a text, not a cell's type
        else:
            while tag is None and start > 0:
                start = block.rfind(b"<", 0, start)
                tag = _CELL_START.match(block, start) if start >= 0 else None
            if tag is None:
                return
        found = _R_ATTR.search(tag[1])
        ref = _REF.fullmatch((found[1] if found[1] is not None else found[2]) if found else b"")
        if ref is None:
            return
        place = (int(ref[2]), _column_number(ref[1]) - 1)
        if not error:
            self.faults.setdefault(place, "")
            return
        following = _CELL_START.search(block, tag.end())
        value = _VALUE.search(block, tag.end(), following.start() if following else len(block))
        text = value[1].decode("utf-8", "replace") if value else ""
        self.faults[place] = html.unescape(text).strip() or "#N/A"


def _last_row_end(data: bytes) -> int:
    """The position just after the last `</row>` of `data`, or -1."""
    at = data.rfind(b"row>")
    while at >= 0:
        found = _ROW_END.match(data, data.rfind(b"<", 0, at))
        if found is not None and found.end() == at + 4:
            return found.end()
        at = data.rfind(b"row>", 0, at)
    return -1


def _blocks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Inflated XML in blocks that end between tags (a tag split by a chunk goes to the next)."""
    carry = b""
    for chunk in chunks:
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"<")
        if cut >= 0 and data.find(b">", cut) < 0:
            data, carry = data[:cut], data[cut:]
            if len(carry) > _MAX_TAG:
                raise WorkbookError("damaged workbook: a sheet holds a tag over 1 MiB long")
        else:
            carry = b""
        yield data
    yield carry


def _column_number(letters: bytes) -> int:
    """b"A" -> 1, b"XFD" -> 16384."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


def _plain_extent(chunks: Iterable[bytes], limit: int = 0) -> tuple[int, int] | None:
    """(last row, last column), 1-based, of the cells, when every cell is in the plain form
    <c r="B7" ...>: found without looking at each cell in Python (empty cells count too, which
    can only overstate). None when some cell is not (then `_extent` reads cell by cell).

    A sheet is written row by row, so the last cell of a block of its text is normally as far
    down (and, in a table, as far right) as any cell in the block. That cell and the blocks
    before make a guess that some cell reaches; one scan of the block (`_outside`) shows whether
    every cell tag in it is plain and within the guess: then the guess is exact. Only a block
    where that fails is measured reference by reference (`_block_extent`), as before.
    With a `limit`, the row is rounded up to all nines (9,999, 99,999, ...: a quicker scan)
    where rows times the columns so far stays within the limit: the answer then overstates."""
    last_row = last_col = 0
    for block in _blocks(chunks):
        if _UNPLAIN_CELL[1].search(block):  # a cell with a namespace prefix
            return None
        rows, cols = last_row, last_col
        at = block.rfind(b'<c r="')
        last = _PLAIN_REF.match(block, at) if at >= 0 else None
        if last:
            row, col = _split_ref(last[1])
            rows, cols = max(rows, row), max(cols, col)
        if limit and rows and (rounded := 10 ** len(str(rows)) - 1) * cols <= limit:
            rows = rounded
        if _outside(rows, cols).search(block):
            extent = _block_extent(block)
            if extent is None:
                return None
            rows, cols = max(last_row, extent[0]), max(last_col, extent[1])
        last_row, last_col = rows, cols
    return last_row, last_col


def _block_extent(block: bytes) -> tuple[int, int] | None:
    """(last row, last column) of the plain cells of one block; None when a cell is not plain."""
    refs = _PLAIN_REF.findall(block)
    if block.count(b"<c ") != len(refs) or any(p.search(block) for p in _UNPLAIN_CELL):
        return None
    if not refs:
        return 0, 0
    joined = b" ".join(refs)
    letters = set(joined.translate(None, _DIGITS).split())
    last_col = _column_number(max(letters, key=lambda c: (len(c), c)))
    return max(map(int, joined.translate(None, _LETTERS).split())), last_col


def _split_ref(ref: bytes) -> tuple[int, int]:
    """b"E12" -> (12, 5): the row and column of a plain cell reference."""
    letters = ref.rstrip(_DIGITS)
    return int(ref[len(letters) :]), _column_number(letters)


@functools.lru_cache(maxsize=64)
def _outside(rows: int, cols: int) -> re.Pattern[bytes]:
    """Finds a cell start tag that is not plain or lies past row `rows` or column `cols`: where
    it finds none, every cell is plain and within them. Any `<c` followed by white space, / or >
    is a cell tag here (a superset of what `_block_extent` counts)."""
    if not rows or not cols:
        return re.compile(rb"<c[\s/>]")
    from .cells import column_letter

    ref = _at_most(column_letter(cols - 1), "A", "Z") + _at_most(str(rows), "0", "9")
    return re.compile(rb'<c(?! r="' + ref.encode() + rb'")[\s/>]')


def _at_most(bound: str, low: str, high: str) -> str:
    """A regular expression for the strings of the characters low..high that come at most to
    `bound` when a shorter string comes first and strings of one length compare character by
    character: column letters up to a column, and row numbers up to a row (`bound` without
    leading zeros; a row number with them is still accepted only when it is at most `bound`).
    No longer string matches it whole, so what follows it must be none of these characters."""
    if not bound.strip(high):  # all nines, or all Zs: any string up to its length
        return f"[{low}-{high}]{{1,{len(bound)}}}+"
    shorter = f"|[{low}-{high}]{{1,{len(bound) - 1}}}+" if len(bound) > 1 else ""
    return f"(?:{_same_length_at_most(bound, low, high)}{shorter})"


def _same_length_at_most(bound: str, low: str, high: str) -> str:
    """`_at_most` for the strings as long as `bound`."""
    first, rest = bound[0], bound[1:]
    tail = f"[{low}-{high}]{{{len(rest)}}}" if rest else ""
    if not rest.strip(high):  # any tail will do
        return f"[{low}-{first}]{tail}"
    below = f"[{low}-{chr(ord(first) - 1)}]{tail}|" if first > low else ""
    return f"(?:{below}{first}{_same_length_at_most(rest, low, high)})"


def _extent(chunks: Iterable[bytes]) -> tuple[int, int]:
    """(last row, last column), 1-based, of the cells holding a value, placed the way a reader
    places them: by their r attribute, else after the previous cell of the row (rows likewise)."""
    last_row = last_col = row = col = 0
    for block in _blocks(chunks):
        for match in _ROW_OR_CELL.finditer(block):
            found = _R_ATTR.search(match[2])
            ref = (found[1] if found[1] is not None else found[2]) if found else None
            if match[1] == b"row":
                row = int(ref) if ref and ref.strip().isdigit() else row + 1
                col = 0
                continue
            cell = _REF.fullmatch(ref) if ref else None
            if cell:
                cell_row, col = int(cell[2]), _column_number(cell[1])
            else:
                cell_row, col = max(row, 1), col + 1
            if not match[2].rstrip().endswith(b"/"):
                last_row, last_col = max(last_row, cell_row), max(last_col, col)
    return last_row, last_col


def _decode_head(head: bytes) -> str:
    """The first bytes of an XML part as text, in the encoding its first bytes show."""
    if head.startswith((b"\xff\xfe", b"<\x00")):
        return head.decode("utf-16-le", "replace").lstrip("\ufeff")
    if head.startswith((b"\xfe\xff", b"\x00<")):
        return head.decode("utf-16-be", "replace").lstrip("\ufeff")
    return head.decode("utf-8", "replace").lstrip("\ufeff")


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


@dataclass(frozen=True)
class TextPatch:
    """A part's new content as its old text with some spans replaced, encoded piece by piece
    when saved: a sheet of a million rows that gains a few rows at its end is never copied
    whole in memory."""

    text: str
    edits: tuple[tuple[int, int, str], ...]  # (start, stop, new text), in order, not overlapping

    def chunks(self, size: int = _CHUNK) -> Iterator[bytes]:
        at = 0
        for start, stop, new in (*self.edits, (len(self.text), len(self.text), "")):
            if start < at:
                raise ValueError("text patch: edits overlap or are out of order")
            for piece in range(at, start, size):
                yield self.text[piece : min(piece + size, start)].encode("utf-8")
            if new:
                yield new.encode("utf-8")
            at = stop

    def applied(self) -> str:
        return b"".join(self.chunks()).decode("utf-8")


@dataclass(frozen=True)
class BytesPatch:
    """A part's new content as its old bytes with some byte spans replaced: a large sheet that
    gains rows at its end is neither decoded nor copied whole (`write.table_rows.append` to a
    window)."""

    data: bytes
    edits: tuple[tuple[int, int, bytes], ...]  # (start, stop, new bytes), in order

    def chunks(self, size: int = _CHUNK) -> Iterator[bytes]:
        at = 0
        view = memoryview(self.data)
        for start, stop, new in (*self.edits, (len(self.data), len(self.data), b"")):
            if start < at:
                raise ValueError("bytes patch: edits overlap or are out of order")
            for piece in range(at, start, size):
                yield bytes(view[piece : min(piece + size, start)])
            if new:
                yield new
            at = stop

    def applied(self) -> bytes:
        return b"".join(self.chunks())


Content = bytes | TextPatch | BytesPatch


def save_package(
    package: Package,
    replacements: Mapping[str, Content | None],
    dest: Path,
    *,
    unchanged_since: FileStamp | None = None,
) -> None:
    """Write `package` with some parts replaced to `dest`, then close `package`.

    `replacements` maps a part name to its new content, or to None to leave the part out; parts
    not in the package are added after the others. Every other member is copied as the file
    holds it, still compressed (contents, CRC, timestamp and attributes unchanged);
    [Content_Types].xml comes first. `dest` (it may be the package's own file) is replaced
    atomically, its previous version kept as a backup (`safe_save`); nothing is written while
    the workbook is open in Excel, or when `dest` is no longer the file of `unchanged_since`.
    """
    by_lower = {name.lower(): data for name, data in replacements.items()}
    order = sorted(package.infos, key=lambda i: i.filename != CONTENT_TYPES)
    existing = {i.filename.lower() for i in order}
    added = [name for name in replacements if name.lower() not in existing]
    try:
        with saving(dest, unchanged_since=unchanged_since) as f:
            out = _ZipWriter(f, dest)
            for info in order:
                key = info.filename.lower()
                if key not in by_lower:
                    out.copy(info, package.compressed(info))
                elif (data := by_lower[key]) is not None:
                    out.add(info.filename, data, info)
            for name in added:
                if (data := replacements[name]) is not None:
                    out.add(name, data, None)
            out.finish()
            package.close()  # before the rename: a file still open cannot be replaced everywhere
    finally:
        package.close()


# The zip file a save writes (PKWARE APPNOTE.TXT 4.3): for each member a local header and its
# data; then the central directory and its end record. Nothing more: no data descriptors, no
# extra fields, no comments, and no ZIP64. A workbook needing ZIP64 (a size or offset of 4 GiB, or
# 65,535 members: those values mean "see the ZIP64 record") is refused instead; Excel workbooks
# never come near.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")
_ZIP_VERSION = 20  # 2.0, what reading deflate (and folders) needs
_UTF8_NAME = 0x800  # general purpose flag: the name is UTF-8
_DEFLATE_OPTIONS = 0x6  # general purpose flags describing a deflated member's compression
_ZIP32_LIMIT = 0xFFFFFFFF  # sizes and offsets stay below
_MAX_MEMBERS = 0xFFFF  # the number of members stays below


class _ZipWriter:
    """Writes a zip file member by member to `out` (a new file; writing starts at its start)."""

    def __init__(self, out: BinaryIO, dest: Path) -> None:
        self._out, self._dest = out, dest
        self._at = 0  # bytes written
        self._central: list[bytes] = []

    def copy(self, info: zipfile.ZipInfo, data: Iterable[bytes]) -> None:
        """A member of another zip with its data as that file holds it (`Package.compressed`):
        copied without inflating, under its name, method, CRC, sizes, time and attributes."""
        deflated = info.compress_type == zipfile.ZIP_DEFLATED
        options = info.flag_bits & _DEFLATE_OPTIONS if deflated else 0
        sizes = (info.compress_size, info.file_size)
        self._member(info.filename, info, (options, info.compress_type, info.CRC, *sizes), data)

    def add(self, name: str, data: Content, like: zipfile.ZipInfo | None) -> None:
        """A member with these contents, deflated; time and attributes those of `like` (a
        member it replaces), or fixed ones for a new member."""
        packer = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        packed: list[bytes] = []
        crc = size = 0
        for chunk in data.chunks() if isinstance(data, (TextPatch, BytesPatch)) else [data]:
            crc, size = zlib.crc32(chunk, crc), size + len(chunk)
            packed.append(packer.compress(chunk))
        packed.append(packer.flush())
        fields = (0, zipfile.ZIP_DEFLATED, crc, sum(len(p) for p in packed), size)
        self._member(name, like, fields, packed)

    def finish(self) -> None:
        """The central directory and its end record."""
        directory = b"".join(self._central)
        if self._at + len(directory) >= _ZIP32_LIMIT:
            raise self._too_large()
        start, count = self._at, len(self._central)
        self._write(directory)
        self._write(_END_RECORD.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), start, 0))

    def _member(
        self,
        name: str,
        like: zipfile.ZipInfo | None,
        fields: tuple[int, int, int, int, int],
        data: Iterable[bytes],
    ) -> None:
        """One member: `fields` are its flags, method, CRC, compressed size and size."""
        flags, method, crc, packed_size, size = fields
        if len(self._central) + 1 >= _MAX_MEMBERS:
            raise WorkbookError(
                f"{self._dest}: cannot save, the workbook would have over "
                f"{_MAX_MEMBERS - 1:,} parts (too many for an .xlsx file)"
            )
        try:
            encoded = name.encode("ascii")
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), flags | _UTF8_NAME
        offset = self._at
        end = offset + _LOCAL_HEADER.size + len(encoded) + packed_size
        if size >= _ZIP32_LIMIT or end >= _ZIP32_LIMIT:
            raise self._too_large()
        year, month, day, hour, minute, second = like.date_time if like else NEW_MEMBER_TIME
        time, date = hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day
        common = (flags, method, time, date, crc, packed_size, size, len(encoded), 0)  # no extra
        self._write(_LOCAL_HEADER.pack(b"PK\x03\x04", _ZIP_VERSION, 0, *common) + encoded)
        for chunk in data:
            self._write(chunk)
        if self._at != end:  # `Package.compressed` gives exactly the size; this stays so
            raise WorkbookError(f"{self._dest}: cannot save ({name} was not copied whole)")
        made_by = (like.create_version, like.create_system) if like else (_ZIP_VERSION, 0)
        attributes = (like.internal_attr, like.external_attr) if like else (0, 0o600 << 16)
        rest = (0, 0, *attributes, offset)  # no comment, on disk 0
        header = _CENTRAL_HEADER.pack(b"PK\x01\x02", *made_by, _ZIP_VERSION, 0, *common, *rest)
        self._central.append(header + encoded)

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._at += len(data)

    def _too_large(self) -> WorkbookError:
        return WorkbookError(
            f"{self._dest}: cannot save, the workbook would be 4 GiB or more "
            "(too large for an .xlsx file)"
        )
