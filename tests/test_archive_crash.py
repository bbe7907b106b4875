"""`msp-workbook archive` stopped at any moment (SPEC section 11): the archive files are written
and synced before the workbook is replaced, so a crash leaves the moved rows in both, never in
neither; running it again completes the move without adding a row twice, and the first open
month bills as before.

The command is killed (SIGKILL: no clean-up runs) after delays spread over a normal run; the
moments that matter most are also made to happen on purpose: every archive file written but the
workbook not replaced, and the first year's archive written but not the second's.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from archive_books import (
    FIRST_OPEN,
    archive_files,
    billed,
    build_book,
    copy_book,
    rows,
    rows_with_archives,
)
from conftest import run_cli

from msp_workbook.app.archive import archive
from msp_workbook.core.months import Month
from msp_workbook.workbook.write import writer

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

SEED = 20261206
KILLS = 12
CUT = Month(2026, 2)  # moves 2025-12 and 2026-01: two archive files (see test_archive.py)
MOVED_USAGE, MOVED_LEDGER = 111, 86  # the rows archiving the demo before 2026-02 moves
TABLES = ("Usage", "Ledger")


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    return build_book(tmp_path_factory.mktemp("original") / "book.xlsx")


@pytest.fixture(scope="module")
def first_open_billed(original, tmp_path_factory) -> dict:
    """Billing, Invoices and Comparison of the first open month before anything is archived."""
    return billed(original, FIRST_OPEN, tmp_path_factory.mktemp("billed") / "out.xlsx")


def command() -> list[str]:
    script = Path(sys.executable).with_name("msp-workbook")
    return [str(script)] if script.exists() else [sys.executable, "-m", "msp_workbook.cli"]


def state(book: Path, original: Path) -> str:
    """Where a stopped run left the move; asserts no row is in neither file."""
    for table in TABLES:
        missing = rows(original, table) - rows_with_archives(book, table)
        assert not missing, f"{table} rows in neither the workbook nor an archive: {missing}"
    if rows(book, "Ledger") != rows(original, "Ledger"):
        return "workbook replaced"
    archived = sum(
        len(rows(path, table)) for path in archive_files(book).values() for table in TABLES
    )
    return "rows in both" if archived else "nothing archived yet"


def assert_complete(book: Path, original: Path, expected: dict, out: Path) -> None:
    """Every row once, in the workbook or an archive; the first open month billed as before."""
    for table in TABLES:
        assert rows_with_archives(book, table) == rows(original, table), table
    assert sum(rows(book, "Ledger").values()) == sum(rows(original, "Ledger").values()) - (
        MOVED_LEDGER
    )
    assert billed(book, FIRST_OPEN, out) == expected


def test_killing_archive_at_random_moments_then_running_it_again_loses_and_doubles_nothing(
    original, first_open_billed, tmp_path
):
    rng = random.Random(SEED)
    durations = []
    for n in range(2):  # how long a run takes
        book = copy_book(original, tmp_path / f"measure{n}")
        start = time.perf_counter()
        result = run_cli("archive", str(book), "--before", str(CUT))
        durations.append(time.perf_counter() - start)
        assert result.returncode == 0, result.stderr
    duration = max(durations)

    outcomes: Counter[str] = Counter()
    for trial in range(KILLS):
        book = copy_book(original, tmp_path / f"kill{trial}")
        # One delay in each twelfth of half again the measured run, at random within it: a run
        # here may well be slower than the two measured, and the last kills must still come
        # after its writes.
        delay = (trial + rng.random()) / KILLS * duration * 1.5
        process = subprocess.Popen(
            [*command(), "archive", str(book), "--before", str(CUT)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        found = state(book, original)
        outcomes[found] += 1

        again = run_cli("archive", str(book), "--before", str(CUT))
        if found != "workbook replaced":
            # The move was not complete: running again completes it.
            assert again.returncode == 0, (found, again.stderr)
            assert again.stdout.startswith(
                f"Archived before 2026-02: {MOVED_USAGE} usage readings and {MOVED_LEDGER} Ledger "
                "lines of 2025-12 .. 2026-01 moved to book.archive-2025.xlsx, "
                "book.archive-2026.xlsx;"
            ), again.stdout
        else:  # the move was complete: running again moves nothing
            assert (again.returncode, again.stdout) == (0, "Nothing to archive before 2026-02\n")
        assert_complete(book, original, first_open_billed, tmp_path / f"out{trial}.xlsx")
    assert outcomes["workbook replaced"] < KILLS, f"no kill came before the save: {outcomes}"
    assert outcomes["nothing archived yet"] < KILLS, f"no kill came after a write: {outcomes}"


class Crash(Exception):
    """Stands for the process ending at this point."""


def test_archives_written_but_workbook_not_replaced_then_running_again_completes_the_move(
    original, first_open_billed, tmp_path, monkeypatch
):
    book = copy_book(original, tmp_path)
    workbook_bytes = book.read_bytes()

    def crash(*args, **kwargs):
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(writer, "remove_rows", crash)  # the workbook's replace
        with pytest.raises(Crash):
            archive(book, CUT)
    # The rows are in both: the workbook as it was, the archives written.
    assert book.read_bytes() == workbook_bytes
    assert sorted(archive_files(book)) == [2025, 2026]
    in_archives = Counter()
    for path in archive_files(book).values():
        for table in TABLES:
            in_archives[table] += len(rows(path, table))
    assert in_archives == {"Usage": MOVED_USAGE, "Ledger": MOVED_LEDGER}

    again = run_cli("archive", str(book), "--before", str(CUT))
    assert (again.returncode, again.stderr) == (0, "")
    assert again.stdout == (
        "Archived before 2026-02: 111 usage readings and 86 Ledger lines of 2025-12 .. 2026-01 "
        "moved to book.archive-2025.xlsx, book.archive-2026.xlsx; 123 latest readings stay in "
        "Usage (197 rows were in the archive already: not added twice)\n"
    )
    assert_complete(book, original, first_open_billed, tmp_path / "out.xlsx")


def test_the_first_years_archive_written_but_not_the_seconds_then_running_again(
    original, first_open_billed, tmp_path, monkeypatch
):
    book = copy_book(original, tmp_path)
    workbook_bytes = book.read_bytes()
    real_append = writer.append_to_tables
    appended = []

    def append_once(*args, **kwargs):
        if appended:
            raise Crash
        appended.append(args[0])
        real_append(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(writer, "append_to_tables", append_once)
        with pytest.raises(Crash):
            archive(book, CUT)
    assert [p.name for p in appended] == ["book.archive-2025.xlsx"]
    assert book.read_bytes() == workbook_bytes
    files = archive_files(book)
    assert (len(rows(files[2025], "Usage")), len(rows(files[2025], "Ledger"))) == (111, 41)
    # A new archive is built and filled aside and saved in one go: no 2026 file yet.
    assert sorted(files) == [2025]

    again = run_cli("archive", str(book), "--before", str(CUT))
    assert (again.returncode, again.stderr) == (0, "")
    assert again.stdout.endswith("(152 rows were in the archive already: not added twice)\n")
    assert_complete(book, original, first_open_billed, tmp_path / "out.xlsx")


def test_an_archive_from_a_completed_run_beside_the_workbook_as_it_was(
    original, first_open_billed, tmp_path
):
    # As a crash right before the replace leaves it, made with the real command: a completed
    # run's archive files beside a copy of the workbook as it was.
    done = copy_book(original, tmp_path / "done")
    assert run_cli("archive", str(done), "--before", str(CUT)).returncode == 0
    book = copy_book(original, tmp_path / "again")
    for path in archive_files(done).values():
        copy_book(path, book.parent, path.name)
    again = run_cli("archive", str(book), "--before", str(CUT))
    assert (again.returncode, again.stderr) == (0, "")
    assert again.stdout.endswith("(197 rows were in the archive already: not added twice)\n")
    assert_complete(book, original, first_open_billed, tmp_path / "out.xlsx")
