"""One writer at a time: the lock every command that writes a workbook holds from read to save.

A clerk's command, a scheduled server job and a colleague's run may meet on one workbook. Each
command that writes it (`recalc`, `close`, `new-key`, `import-usage`) takes an exclusive lock on
the workbook before it reads a byte and keeps it until its save is done (or has failed), so the
second one waits and then reads the first one's result instead of overwriting it.

The lock is the operating system's own (`flock` on POSIX, `LockFileEx` on Windows, through the
`filelock` package) on a small hidden file beside the workbook, `.~msp-lock.NAME`. The system
releases it when its process ends in any way, a `kill -9` or a power cut included, so a stale
lock never blocks anyone. The file itself stays (removing it would let two runs lock two
different files) and is empty.

Programs that take no lock (Excel, LibreOffice, a sync client) are caught another way: the run
notes the workbook file as it was when the lock was taken (`FileStamp`), and `safe_save` checks,
right before the atomic replace, that the file on disk is still that one.

Within one process the lock is re-entrant: the command line takes it before it starts loading
the Usage sheet in a child process, and the operation it then calls finds it held and keeps the
first stamp.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import WorkbookError

# How long a writer waits for another run's lock by default (seconds); `--wait` changes it.
DEFAULT_WAIT = 30.0


@dataclass(frozen=True)
class FileStamp:
    """What identifies one version of a file on disk: a save by any program (an atomic replace,
    or a rewrite in place) changes at least one of these."""

    device: int
    inode: int
    size: int
    modified_ns: int

    @classmethod
    def of(cls, path: Path) -> FileStamp | None:
        """The file's stamp now (None when there is no such file)."""
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass
class _Held:
    lock: object
    stamp: FileStamp | None
    depth: int = 1


_held: dict[str, _Held] = {}


def lock_file(workbook: Path) -> Path:
    """The lock file of a workbook: `.~msp-lock.MSP_Billing.xlsx` beside it."""
    target = target_of(Path(workbook))
    return target.with_name(f".~msp-lock.{target.name}")


@contextlib.contextmanager
def writing(workbook: Path, wait: float = DEFAULT_WAIT) -> Iterator[FileStamp | None]:
    """Hold the workbook's lock for the block; yields the file's stamp as it was when the lock
    was taken (None when the workbook does not exist yet).

    Waits up to `wait` seconds for another run's lock, then raises a one-line WorkbookError."""
    target = target_of(Path(workbook))
    key = os.path.normcase(os.path.abspath(target))
    held = _held.get(key)
    if held is not None:  # this process holds it already (the command line took it first)
        held.depth += 1
        try:
            yield held.stamp
        finally:
            held.depth -= 1
        return
    lock = _acquire(Path(workbook), target, wait)
    _held[key] = _Held(lock, FileStamp.of(target))
    try:
        yield _held[key].stamp
    finally:
        del _held[key]
        lock.release()  # type: ignore[attr-defined]


def _acquire(given: Path, target: Path, wait: float) -> object:
    from filelock import FileLock, Timeout  # imported when a write begins, not at start-up

    path = lock_file(target)
    lock = FileLock(path, timeout=max(wait, 0.0), thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise WorkbookError(
            f"{given} is being written by another run (waited {wait:g} s); "
            "run again when it has finished, or give --wait more seconds"
        ) from None
    except OSError as exc:
        raise WorkbookError(
            f"{given}: cannot lock it for writing ({exc.strerror or exc}) in {target.parent}"
        ) from exc
    return lock


def target_of(path: Path) -> Path:
    """Through a symbolic link, the file it points to is what is written and locked."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path
