"""What is refused as it is opened, each with a one-line reason, before any parser sees it:
what is not an .xlsx/.xlsm workbook (by its name and by its first bytes: an .xls or .ods
renamed, a workbook with a password, a zip cut short), a zip bomb by the sizes its directory
declares, a member encrypted or compressed in a way Excel never uses, an OpenDocument file, and
a DOCTYPE in any XML part (where entities, external or expanding, are declared).
"""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

from ..errors import WorkbookError
from .names import CHUNK, CONTENT_TYPES

# Limits on what a workbook may unpack to, checked from the zip directory before anything is
# inflated, and again while the parts a reader parses are inflated (a part may not inflate past
# its declared size). A billing workbook with a million usage rows unpacks to a few hundred MiB
# and its parts compress 5-15 times; a zip bomb compresses hundreds of times (deflate reaches
# about 1000:1).
MAX_TOTAL_SIZE = 2 << 30  # 2 GiB unpacked, all members together
MAX_RATIO = 200  # unpacked size : packed size of one member ...
RATIO_CHECKED_ABOVE = 1 << 20  # ... of over 1 MiB unpacked (small parts cannot do harm)
# XML parts may not declare a DOCTYPE (the Open Packaging Conventions forbid DTDs in parts); the
# prolog in which one could stand may be this long at most.
MAX_PROLOG = 64 << 10
# Excel stores members deflated or stored; other methods are refused (and could inflate further).
COMPRESSION_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)

OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an OLE compound file: .xls, or an .xlsx with a password


def check_directory(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip bomb from the sizes the zip directory declares (nothing is inflated)."""
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise WorkbookError(f"{path}: damaged workbook (duplicate zip members)")
    if sum(i.file_size for i in infos) > MAX_TOTAL_SIZE:
        raise WorkbookError(
            f"{path}: too large to work on (over {MAX_TOTAL_SIZE >> 30} GiB unpacked)"
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECKED_ABOVE and ratio > MAX_RATIO:
            raise WorkbookError(
                f"{path}: refused, {info.filename} would inflate {ratio:.0f} times "
                f"(a zip bomb; a workbook part inflates at most {MAX_RATIO} times)"
            )
        if info.flag_bits & 0x1:
            raise WorkbookError(
                f"{path}: {info.filename} is encrypted inside the zip; not an Excel workbook"
            )
        if info.compress_type not in COMPRESSION_METHODS:
            raise WorkbookError(
                f"{path}: damaged workbook ({info.filename} is compressed in a way "
                "Excel never uses)"
            )


def check_not_opendocument(path: Path, z: zipfile.ZipFile) -> None:
    """Refuse an OpenDocument file, whatever its name."""
    if _is_opendocument(z):
        raise WorkbookError(f"{path}: {_OPENDOCUMENT}")


def check_prologs(path: Path, z: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a DOCTYPE in any XML part: it is where entities (external, or expanding to
    gigabytes) are declared, and no workbook part has one. Only the prolog is read: a
    DOCTYPE can stand nowhere else."""
    for info in infos:
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")) or info.is_dir():
            continue
        try:
            with z.open(info) as f:
                head = f.read(MAX_PROLOG)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError) as exc:
            raise WorkbookError(
                f"{path}: damaged workbook ({info.filename}: {_one_line(exc)})"
            ) from exc
        problem = _prolog_problem(head, complete=info.file_size <= MAX_PROLOG)
        if problem:
            raise WorkbookError(f"{path}: refused, {info.filename} {problem}")


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


def not_a_workbook(path: Path) -> str:
    """Why a file that opens as no workbook package is refused, by its name."""
    suffix = path.suffix.lower()
    if suffix == ".xls":
        return _XLS
    if suffix == ".ods":
        return _OPENDOCUMENT
    return "not an .xlsx/.xlsm workbook (damaged, or protected with a password)"


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


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
        while chunk := f.read(CHUNK):
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


def _decode_head(head: bytes) -> str:
    """The first bytes of an XML part as text, in the encoding its first bytes show."""
    if head.startswith((b"\xff\xfe", b"<\x00")):
        return head.decode("utf-16-le", "replace").lstrip("\ufeff")
    if head.startswith((b"\xfe\xff", b"\x00<")):
        return head.decode("utf-16-be", "replace").lstrip("\ufeff")
    return head.decode("utf-8", "replace").lstrip("\ufeff")
