"""Saving that never loses data: the workbook on disk is always either the old or the new file.

`saving(dest)` gives a temporary file in dest's own folder to write the new workbook into. When
the writing is done the file is flushed and synced to disk, the old workbook is kept as a backup,
and the temporary file takes dest's name in one atomic rename; then the folder is synced so the
rename itself survives a power cut (POSIX). If anything fails, or the process is stopped, dest is
left as it was and the temporary file is removed (after a hard kill, by the next save).

Backups sit next to the workbook, newest first::

    MSP_Billing.xlsx           the workbook
    MSP_Billing.backup-1.xlsx  the version before the last save
    MSP_Billing.backup-2.xlsx  the one before that
    MSP_Billing.backup-3.xlsx  the oldest kept; older ones are deleted

A backup is made only when dest already exists and the new content differs from it: saving the
same bytes again leaves the workbook and its backups untouched. A backup never takes the
workbook's own name.

Nothing is written while Excel or LibreOffice has the workbook open (their lock files
"~$MSP_Billing.xlsx" and ".~lock.MSP_Billing.xlsx#" sit beside it), into a folder that cannot be
written, or over a read-only workbook (for every user, root included: a server job must not
replace a file its owner made read-only). The new file keeps the old one's mode, and its owner
and group where the process may set them, so a job run as root never locks the clerk out.

Given the stamp of the file as the run read it (`lock.FileStamp`), the save checks right before
the replace that the file on disk is still that one: a program that takes no lock (Excel,
LibreOffice, a sync client) may have saved it meanwhile, and its work would be lost.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import WorkbookError
from .lock import FileStamp, target_of

BACKUPS_KEPT = 3
# A temporary file of a save whose process is gone (killed, power cut) is removed by the next save
# of the same workbook; where a process cannot be looked up, once it is this old.
STALE_TEMP_AGE = 24 * 3600
_COPY_CHUNK = 1 << 20


def backup_path(dest: Path, number: int) -> Path:
    """The name of a backup: MSP_Billing.xlsx -> MSP_Billing.backup-1.xlsx (1 = newest)."""
    return dest.with_name(f"{dest.stem}.backup-{number}{dest.suffix}")


def backup_paths(dest: Path) -> list[Path]:
    """The backups a save keeps, newest first."""
    return [backup_path(dest, n) for n in range(1, BACKUPS_KEPT + 1)]


def excel_lock_files(dest: Path) -> list[Path]:
    """Where Office puts the owner file of an open document: "~$" before the name, or in place of
    its first two characters (Office does that for longer names). Never the workbook itself (a
    workbook may be named "~$..." too)."""
    names = {"~$" + dest.name}
    if len(dest.stem) > 2:
        names.add("~$" + dest.name[2:])
    names.discard(dest.name)
    return [dest.with_name(name) for name in sorted(names)]


def libreoffice_lock_file(dest: Path) -> Path:
    """Where LibreOffice notes that it has a document open: ".~lock.NAME#" beside it."""
    return dest.with_name(f".~lock.{dest.name}#")


def temp_files(dest: Path) -> list[Path]:
    """Temporary files of saves of `dest` found in its folder (normally none)."""
    pattern = re.compile(re.escape(f".{dest.name}.") + r"(\d+)\.[0-9a-f]+\.tmp")
    try:
        entries = list(os.scandir(dest.parent))
    except OSError:
        return []
    return [Path(e.path) for e in entries if pattern.fullmatch(e.name)]


def check_can_save(dest: Path) -> None:
    """Refuse, with a one-line reason, to save where a save could not work or would do harm.

    `saving` checks this itself; a command may call it first, to stop before any work."""
    given = Path(dest)
    dest = target_of(given)
    for lock in {*excel_lock_files(given), *excel_lock_files(dest)}:
        if lock.exists():
            raise WorkbookError(f"{given} is open in Excel; close it and run again")
    for lock in {libreoffice_lock_file(given), libreoffice_lock_file(dest)}:
        if lock.exists():
            raise WorkbookError(
                f"{given} is open in LibreOffice ({lock.name} is beside it); close it and run again"
            )
    folder = dest.parent
    if not folder.is_dir():
        raise WorkbookError(f"{dest}: cannot save, the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WorkbookError(f"{dest}: cannot save, the folder {folder} is not writable")
    if dest.is_dir():
        raise WorkbookError(f"{dest}: is a folder, not a workbook")
    if dest.exists() and _read_only(dest):
        raise WorkbookError(f"{dest}: the file is read-only; allow changes to it and run again")


def check_same_kind(src: Path, dest: Path) -> None:
    """A copy is written as the same kind of file as its source: an .xlsx stays .xlsx and an
    .xlsm (with macros) stays .xlsm; under another name Excel would refuse to open it."""
    kind = src.suffix.lower() or ".xlsx"
    if dest.is_dir():
        raise WorkbookError(f"{dest}: is a folder; --out takes the name of the workbook to write")
    if dest.suffix.lower() != kind:
        raise WorkbookError(
            f"{dest}: the result is an {kind} workbook like {src.name}; "
            f"give it a name ending in {kind}"
        )


def _read_only(path: Path) -> bool:
    """Read-only for its users: no write permission bit at all (which root's access check would
    ignore), or not writable by this process."""
    mode = os.stat(path).st_mode
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK)


@contextlib.contextmanager
def saving(dest: Path, *, unchanged_since: FileStamp | None = None) -> Iterator[BinaryIO]:
    """A file to write the new content of `dest` into; it replaces `dest` when the block ends.

    An exception in the block, or any failure while saving, leaves `dest` and its backups as they
    were and removes the temporary file; an OSError becomes a one-line WorkbookError. With
    `unchanged_since`, `dest` is replaced only while it is still the file of that stamp.
    """
    check_can_save(dest)
    given = Path(dest)
    dest = target_of(Path(dest))
    _remove_stale_temp_files(dest)
    tmp = _temp_path(dest)
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
        except OSError as exc:
            raise _cannot_save(dest, exc) from exc
        try:
            with os.fdopen(fd, "wb") as f:
                yield f
                f.flush()
                _fsync(f.fileno())
            _check_unchanged(given, dest, unchanged_since)
            if dest.exists():
                if _same_content(tmp, dest):
                    return  # nothing changed: keep the workbook, its date and its backups
                _take_over_ownership(tmp, dest)
                _rotate_backups(dest)
            os.replace(tmp, dest)
        except OSError as exc:
            raise _cannot_save(dest, exc) from exc
        _sync_folder(dest.parent)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _check_unchanged(given: Path, dest: Path, stamp: FileStamp | None) -> None:
    if stamp is not None and FileStamp.of(dest) != stamp:
        raise WorkbookError(
            f"{given} was changed by another program while this run worked on it "
            "(saved in Excel or LibreOffice, or synced?); nothing was written: run again"
        )


def _take_over_ownership(tmp: Path, dest: Path) -> None:
    """The new file gets the old one's mode, owner and group (as far as this process may set
    them: root may set all; another user keeps the group where it is one of theirs)."""
    st = os.stat(dest)
    os.chmod(tmp, stat.S_IMODE(st.st_mode))
    if not hasattr(os, "chown"):
        return
    mine = os.stat(tmp)
    if (mine.st_uid, mine.st_gid) == (st.st_uid, st.st_gid):
        return
    try:
        os.chown(tmp, st.st_uid, st.st_gid)
    except OSError:
        with contextlib.suppress(OSError):
            os.chown(tmp, -1, st.st_gid)
    os.chmod(tmp, stat.S_IMODE(st.st_mode))  # chown may clear set-id bits


def copy_file(src: Path, dest: Path) -> None:
    """Save a copy of the file `src` as `dest`, the same safe way."""
    with open(src, "rb") as f, saving(dest) as out:
        shutil.copyfileobj(f, out, _COPY_CHUNK)


def _cannot_save(dest: Path, exc: OSError) -> WorkbookError:
    hint = "; is it open in Excel?" if isinstance(exc, PermissionError) else ""
    return WorkbookError(f"{dest}: cannot save ({exc.strerror or exc}){hint}")


_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def _temp_path(dest: Path) -> Path:
    """A new hidden name in dest's folder that says which process writes it."""
    return dest.with_name(f".{dest.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _remove_stale_temp_files(dest: Path) -> None:
    """Remove what a killed save of this workbook left behind (never a running save's file)."""
    now = time.time()
    for path in temp_files(dest):
        pid = int(path.name.split(".")[-3])
        try:
            old = now - path.stat().st_mtime > STALE_TEMP_AGE
        except OSError:
            continue
        if old or (pid != os.getpid() and not _process_exists(pid)):
            with contextlib.suppress(OSError):
                path.unlink()


def _process_exists(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill would end the process there: rely on age alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _rotate_backups(dest: Path) -> None:
    """backup-2 -> backup-3, backup-1 -> backup-2 (the oldest is replaced), dest -> backup-1.

    dest itself stays in place: backup-1 is a second name for its current file (a hard link),
    or a copy where the file system has no hard links.
    """
    backups = backup_paths(dest)
    for newer, older in zip(backups[-2::-1], backups[:0:-1], strict=True):
        if newer.exists():
            os.replace(newer, older)
    tmp = _temp_path(dest)
    try:
        try:
            os.link(dest, tmp)
        except OSError:
            _copy(dest, tmp)
        os.replace(tmp, backups[0])
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _copy(src: Path, dest: Path) -> None:
    with open(src, "rb") as f, open(dest, "xb") as out:
        shutil.copyfileobj(f, out, _COPY_CHUNK)
        out.flush()
        _fsync(out.fileno())
    shutil.copystat(src, dest)


def _same_content(a: Path, b: Path) -> bool:
    if os.path.getsize(a) != os.path.getsize(b):
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            chunk = fa.read(_COPY_CHUNK)
            if chunk != fb.read(_COPY_CHUNK):
                return False
            if not chunk:
                return True


def _fsync(fd: int) -> None:
    """Push a file's data to the disk (macOS: past the drive's cache too)."""
    if sys.platform == "darwin":
        import fcntl

        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
            return
    os.fsync(fd)


def _sync_folder(folder: Path) -> None:
    """Make the renames themselves durable (POSIX; a no-op where folders cannot be opened)."""
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
