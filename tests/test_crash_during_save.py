"""A save stopped at any moment leaves the complete old workbook or the complete new one.

Processes saving a demo-sized workbook are killed (SIGKILL: no clean-up runs) after random
delays spread over the whole run, and saves in this process fail at random points (a write, a
sync, a rename, the backup). After each, the workbook on disk must be byte for byte the old or
the new version (both computed first), and open in openpyxl; a later save must still work and
leave no temporary file behind.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from conftest import run_cli
from status_cells import without_last_run

from msp_workbook.app.check import check_workbook
from msp_workbook.app.demo import build_demo
from msp_workbook.app.generated import generated_tables
from msp_workbook.core.months import Month
from msp_workbook.workbook.errors import WorkbookError
from msp_workbook.workbook.package import safe_save
from msp_workbook.workbook.package.lock import lock_file
from msp_workbook.workbook.package.safe_save import backup_path, temp_files
from msp_workbook.workbook.write.writer import write_tables

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork are POSIX")

SEED = 20261127
NAME = "MSP_Billing.xlsx"
NEW_MONTH = "2026-09"  # the demo is billed for 2026-10; billing 2026-09 writes a new version
CLI_KILLS = 30
FORK_KILLS = 60
FAULTS = 24


class Versions:
    """The workbook before the save and after it, and the tables the library save writes."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir()
        self.source = folder / NAME
        build_demo(self.source, today=date(2026, 11, 15))
        for stray in folder.iterdir():  # building the demo may leave a backup: not ours here
            if stray != self.source:
                stray.unlink()
        self.old = self.source.read_bytes()
        report = check_workbook(self.source, Month.parse(NEW_MONTH))
        generated = generated_tables(report)
        self.tables, self.side_columns = generated.tables, generated.side_columns
        self._opened: set[str] = set()

    def copy(self, folder: Path) -> Path:
        folder.mkdir()
        path = folder / NAME
        path.write_bytes(self.old)
        return path

    def write(self, path: Path) -> None:
        write_tables(path, path, self.tables, side_columns=self.side_columns)

    def assert_old_or_new(self, path: Path, *new: bytes) -> bytes:
        """The workbook is one complete version; it opens; only known files are beside it."""
        data = path.read_bytes()
        assert data == self.old or data in new, (
            "a partial or unknown file took the workbook's place"
        )
        digest = hashlib.sha256(data).hexdigest()
        if digest not in self._opened:  # the same bytes open the same way: load each once
            openpyxl.load_workbook(io.BytesIO(data)).close()
            self._opened.add(digest)
        backups = {backup_path(path, n) for n in (1, 2, 3)}
        temps = set(temp_files(path))
        known = {path, lock_file(path), *backups, *temps}  # the lock file stays, empty
        for other in path.parent.iterdir():
            assert other in known, other.name
        if backup_path(path, 1).exists():
            assert backup_path(path, 1).read_bytes() == self.old
        return data


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> Versions:
    return Versions(tmp_path_factory.mktemp("crash") / "source")


def test_killing_the_command_line_at_random_moments(versions, tmp_path):
    rng = random.Random(SEED)
    # the new version, and how long a run takes
    durations = []
    for n in range(2):
        path = versions.copy(tmp_path / f"measure{n}")
        start = time.perf_counter()
        result = run_cli("recalc", str(path), "--month", NEW_MONTH)
        durations.append(time.perf_counter() - start)
        assert result.returncode in (0, 1), result.stderr
    new = path.read_bytes()
    assert new != versions.old
    # Runs differ in the time of the run on Start (its status block): a complete new version
    # is the measured one but for that cell.
    new_members = without_last_run(path)
    duration = max(durations)

    command = [str(Path(sys.executable).with_name("msp-workbook"))]
    if not Path(command[0]).exists():
        command = [sys.executable, "-m", "msp_workbook.cli"]
    outcomes = []
    for trial in range(CLI_KILLS):
        path = versions.copy(tmp_path / f"cli{trial}")
        delay = rng.uniform(0, duration * 1.1)
        process = subprocess.Popen(
            [*command, "recalc", str(path), "--month", NEW_MONTH],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        data = path.read_bytes()
        if data != versions.old:
            assert without_last_run(path) == new_members, "a partial or unknown file"
        versions.assert_old_or_new(path, data)  # it opens; only known files beside it
        outcomes.append(data != versions.old)
    assert not all(outcomes), "no kill came before the save: the delays do not cover the run"


def test_killing_a_library_save_at_random_moments(versions, tmp_path):
    rng = random.Random(SEED + 1)
    timings = []  # from the fork to the end of the save, as in the trials
    for n in range(3):
        path = versions.copy(tmp_path / f"measure{n}")
        start = time.perf_counter()
        _, status = os.waitpid(_save_in_child(versions, path), 0)
        timings.append(time.perf_counter() - start)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    new = path.read_bytes()
    assert new != versions.old
    duration = sorted(timings)[1]

    outcomes = {"old": 0, "new": 0, "left a temporary file": 0}
    for trial in range(FORK_KILLS):
        path = versions.copy(tmp_path / f"fork{trial}")
        delay = rng.uniform(0, duration * 1.2)
        pid = _save_in_child(versions, path)
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        if not os.WIFSIGNALED(status):
            assert os.WEXITSTATUS(status) == 0, "the save failed on its own"
        data = versions.assert_old_or_new(path, new)
        outcomes["new" if data == new else "old"] += 1
        if temp_files(path):
            outcomes["left a temporary file"] += 1
        # the next save works, and clears what the killed one left
        versions.write(path)
        assert path.read_bytes() == new
        assert temp_files(path) == []
    assert outcomes["old"] and outcomes["new"], outcomes


def _save_in_child(versions: Versions, path: Path) -> int:
    """A forked process that saves the new version and exits; its process id."""
    pid = os.fork()
    if pid == 0:  # the child ends without running any of the test's clean-up
        code = 1
        try:
            versions.write(path)
            code = 0
        finally:
            os._exit(code)
    return pid


class _FailingFile:
    """A file that fails once `limit` bytes have been written to it."""

    def __init__(self, f: io.BufferedWriter, limit: int) -> None:
        self._f, self._left = f, limit

    def write(self, data: bytes) -> int:
        if len(data) > self._left:
            self._f.write(bytes(data)[: self._left])
            raise OSError(28, "No space left on device")
        self._left -= len(data)
        return self._f.write(data)

    def __getattr__(self, name: str) -> object:
        return getattr(self._f, name)

    def __enter__(self) -> _FailingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._f.close()


def _failing_fdopen(real, limit: int):
    def fdopen(fd, *args, **kwargs):
        return _FailingFile(real(fd, *args, **kwargs), limit)

    return fdopen


def _fail_on_call(real, k: int, error: OSError):
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == k:
            raise error
        return real(*args, **kwargs)

    return wrapper


def test_faults_at_random_points_of_a_save(versions, tmp_path, monkeypatch):
    rng = random.Random(SEED + 2)
    size = len(versions.old)
    clean = versions.copy(tmp_path / "clean")
    versions.write(clean)
    new = clean.read_bytes()
    kinds = ["write", "fsync", "replace", "link and copy", "chmod"]
    failed = 0
    for trial in range(FAULTS):
        path = versions.copy(tmp_path / f"fault{trial}")
        if trial % 2:  # with backups to rotate
            for n in (1, 2, 3):
                backup_path(path, n).write_bytes(versions.old)
        kind = kinds[trial % len(kinds)]
        with monkeypatch.context() as patch:
            if kind == "write":
                patch.setattr(os, "fdopen", _failing_fdopen(os.fdopen, rng.randrange(size)))
            elif kind == "fsync":
                patch.setattr(os, "fsync", _fail_on_call(os.fsync, 1, OSError(5, "I/O error")))
            elif kind == "replace":
                k = rng.randint(1, 4)
                patch.setattr(os, "replace", _fail_on_call(os.replace, k, OSError(13, "denied")))
            elif kind == "link and copy":
                patch.setattr(os, "link", _fail_on_call(os.link, 1, OSError(1, "no links")))
                copy = _fail_on_call(safe_save._copy, 1, OSError(5, "I/O"))
                patch.setattr(safe_save, "_copy", copy)
            else:
                patch.setattr(os, "chmod", _fail_on_call(os.chmod, 1, OSError(1, "not permitted")))
            try:
                versions.write(path)
            except WorkbookError as error:
                assert "\n" not in str(error)
                assert str(error).startswith(f"{path}: cannot save (")
                failed += 1
        versions.assert_old_or_new(path, new)
        assert temp_files(path) == [], kind
        assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert failed >= FAULTS // 2
