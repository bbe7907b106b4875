"""Load a sheet in a child process: if the reader runs out of memory, the child ends, not us.

calamine (under fastexcel and python-calamine) holds a sheet as one grid from its first to its
last cell and ends the whole process, with no exception, when it cannot allocate it. The Usage
sheet is the one large sheet. Where forking is cheap and safe (Linux) its loader runs in a
forked child with a ceiling on the memory it may add (`MEMORY_CEILING`); the child hands its Arrow
record batch back through a temporary file that this process maps without copying. Meanwhile
this process reads the small tables and checks the Usage sheet's cells (`usage_columns.UsageLoad`),
so that check no longer delays the load, and a file that defeats it still cannot end the run.
Elsewhere (`available()` is False) the caller checks first and loads in a thread.
"""

from __future__ import annotations

import contextlib
import faulthandler
import importlib
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from .errors import WorkbookError

# What the child may allocate beyond what it inherits. A sheet at the checked limit
# (package.MAX_SHEET_CELLS, 16.7 million cells) needs about 1.5 GiB in calamine.
MEMORY_CEILING = 4 << 30

_DONE, _FAILED, _REFUSED, _NO_ROWS, _NOT_HANDED_BACK = 0, 1, 2, 3, 4
_MAX_REASON = 2000  # bytes of the child's last words kept


class Gate:
    """Holds a child back until the children started before it have ended.

    A pipe no one writes to: every child forked while the gate is open inherits its write end
    and holds it until it ends; a child started `after` the gate closes its own copy and reads
    until the pipe says end of file, which happens once no process holds the write end any
    more. `close()` (after the last fork) gives up this process's ends. So the two large sheets
    load one after the other, each child forked while this process is still small, and the peak
    memory is one loader's, not two at once."""

    def __init__(self) -> None:
        self._fds: tuple[int, int] | None = os.pipe()  # (read, write)

    def wait(self) -> None:
        """In the child started after the gate: block until the earlier children have ended."""
        assert self._fds is not None
        read, write = self._fds
        os.close(write)
        while os.read(read, 1):
            pass
        os.close(read)

    def close(self) -> None:
        """In this process: give up both ends, once (a number closed twice could by then be
        another file's)."""
        if self._fds is not None:
            for fd in self._fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._fds = None


class ChildFailed(Exception):
    """The child could not load the sheet; `reason` is its last line (or how it ended)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotHandedBack(ChildFailed):
    """The child loaded the sheet but could not write it to its temporary file."""


def available() -> bool:
    """Whether loads run in a child process here."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


class ChildLoad:
    """`load()` running in a forked child; `result()` waits for its record batch (None when it
    returned None). `imports` names the modules `load` imports. A `WorkbookError` raised in the
    child is raised again here, word for word; any other end becomes `ChildFailed`. Use as a
    context manager: leaving it stops the child if it is still running and removes the
    temporary files. Raises OSError when no child can be started (callers load in-process)."""

    def __init__(
        self, load: Callable[[], Any], imports: Sequence[str] = (), after: Gate | None = None
    ) -> None:
        # Imported here, fully, before the fork: a module another thread is importing at the
        # moment of the fork would stay half-imported in the child, whose import of it then
        # waits forever (seen in a process with threads of its own, such as a test runner).
        for name in imports:
            importlib.import_module(name)
        self._pid: int | None = None
        self._out = self._log = ""
        try:
            self._out = _temporary(".arrow")
            self._log = _temporary(".log")
            with warnings.catch_warnings():
                # Python 3.12+ warns about forking a process with threads (the progress
                # line's): the child only runs the loader and takes no lock they may hold.
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
        except OSError:  # no temporary folder to write to, or no process to spare
            self.close()
            raise
        if pid == 0:  # the child
            _run_child(load, self._out, self._log, after)
        self._pid = pid

    def result(self) -> Any:
        status = self._wait()
        code = os.waitstatus_to_exitcode(status)
        if code == _NO_ROWS:
            return None
        if code == _DONE:
            import pyarrow as pa

            source = pa.memory_map(self._out)  # the arrays stay valid after the file is removed
            return pa.ipc.open_file(source).get_batch(0)
        said = _last_words(self._log)
        if code == _REFUSED and said:
            raise WorkbookError(said)
        if code == _NOT_HANDED_BACK:
            raise NotHandedBack(said or "the loaded sheet could not be written")
        if code < 0:
            ended = f"stopped by signal {-code}"
            raise ChildFailed(f"{said}; {ended}" if said else ended)
        raise ChildFailed(said or f"exit code {code}")

    def _wait(self) -> int:
        if self._pid is None:
            raise RuntimeError("the child's result was already taken")
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        return status

    def close(self) -> None:
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, 9)
            self._wait()
        for path in (self._out, self._log):
            if path:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)

    def __enter__(self) -> ChildLoad:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _temporary(suffix: str) -> str:
    fd, path = tempfile.mkstemp(prefix="msp-workbook-", suffix=suffix)
    os.close(fd)
    return path


def _run_child(load: Callable[[], Any], out: str, log: str, after: Gate | None) -> None:
    """In the forked child: wait for the gate (if any), load, write the batch, leave without
    running anything of the parent's (no atexit handlers, no flushing of its buffers)."""
    code = _FAILED
    try:
        if after is not None:
            after.wait()
        # Nothing of the child reaches the terminal; its last words go to the log.
        with open(log, "wb", buffering=0) as sink, open(os.devnull, "rb") as nothing:
            os.dup2(sink.fileno(), 2)
            os.dup2(sink.fileno(), 1)
            os.dup2(nothing.fileno(), 0)
        sys.stdout = sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115 - until os._exit
        os.environ["RUST_BACKTRACE"] = "0"  # a Rust failure's own line, without a backtrace
        faulthandler.disable()  # its dump on an abort would go to the parent's terminal
        _limit_memory(MEMORY_CEILING)
        batch = load()
        if batch is None:
            code = _NO_ROWS
        else:
            try:
                _write_batch(batch, out)
            except OSError as exc:  # a full or read-only temporary folder
                code = _say(_one_line(exc), _NOT_HANDED_BACK)
            else:
                code = _DONE
    except WorkbookError as exc:
        code = _say(str(exc), _REFUSED)
    except MemoryError:
        code = _say("out of memory", _FAILED)
    except BaseException as exc:  # noqa: BLE001 - the child reports whatever ended it
        code = _say(_one_line(exc), _FAILED)
    finally:
        os._exit(code)


def _write_batch(batch: Any, out: str) -> None:
    import pyarrow as pa

    with pa.OSFile(out, "wb") as sink, pa.ipc.new_file(sink, batch.schema) as writer:
        writer.write_batch(batch)


def _say(text: str, code: int) -> int:
    with contextlib.suppress(OSError):
        os.write(2, text.encode("utf-8", "replace")[:_MAX_REASON] + b"\n")
    return code


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _limit_memory(ceiling: int) -> None:
    """Let this process's data (heap and private mappings, what an allocation takes) grow by
    at most `ceiling` bytes: past it an allocation fails at once instead of the machine
    swapping or the kernel's out-of-memory killer choosing a victim."""
    import resource

    used = _data_bytes()
    if used is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = used + ceiling
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def _data_bytes() -> int | None:
    """VmData of this process (what RLIMIT_DATA counts), or None where /proc does not say."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _last_words(log: str) -> str:
    """The last line the child wrote that says something: before a Rust backtrace, and not
    one of Rust's notes on how to get one."""
    try:
        with open(log, "rb") as found:
            found.seek(0, os.SEEK_END)
            found.seek(max(0, found.tell() - _MAX_REASON))
            text = found.read().decode("utf-8", "replace")
    except OSError:
        return ""
    said = text.split("stack backtrace:")[0].splitlines()
    lines = [line.strip() for line in said if line.strip() and not line.startswith("note:")]
    return lines[-1] if lines else ""
