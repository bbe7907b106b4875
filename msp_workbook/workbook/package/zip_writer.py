"""Saving a package: a new zip written member by member, every part not replaced copied as the
file holds it (still compressed), and swapped in for the destination atomically (`safe_save`:
with backups, never over a workbook open in Excel).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

from ..errors import WorkbookError
from .lock import FileStamp
from .names import CONTENT_TYPES
from .opc import UTF8_NAME, Package
from .patches import BytesPatch, Content, TextPatch
from .safe_save import saving

# Members added by a save get a fixed timestamp, so the same input gives the same bytes.
NEW_MEMBER_TIME = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 1  # for the parts a save writes (it copies the others as they are)


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
            encoded, flags = name.encode("utf-8"), flags | UTF8_NAME
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
