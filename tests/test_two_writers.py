"""Two writers, one workbook (SPEC 10): nothing a command reported as done is lost.

The races are made to happen, not hoped for: one command's read is slowed on purpose
(`tests/slow_cli.py`) and the other starts once the first has read the workbook, or after a
random delay from a seeded generator. Afterwards the workbook is read back with openpyxl (an
independent reader): every key `new-key` printed is on Keys, every closed month is on the Ledger
once with gap-free invoice numbers, and the file opens.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from conftest import run_cli

from msp_workbook.workbook.package import lock

SLOW_CLI = Path(__file__).with_name("slow_cli.py")
KEY = re.compile(r"^[2-9A-Z]{5}-[2-9A-Z]{5}-[2-9A-Z]{5}-[2-9A-Z]{5}$")
CUSTOMERS = ["C-0001", "C-0002", "C-0003"]
BUSY = "is being written by another run"


@pytest.fixture
def book(make_workbook, example_data) -> Path:
    return make_workbook(example_data, name="MSP_Billing.xlsx")


def start(
    *args: str, slow: float = 0.0, at: str = "read", mark: Path | None = None
) -> subprocess.Popen[str]:
    """The real command line in a process of its own, slowed by `slow` seconds right after its
    read (`at="read"`) or in its save, with the workbook's parts read again (`at="save"`)."""
    env = dict(os.environ, MSP_TEST_SLOW=str(slow), MSP_TEST_SLOW_AT=at)
    if mark is not None:
        env["MSP_TEST_MARK"] = str(mark)
    return subprocess.Popen(
        [sys.executable, str(SLOW_CLI), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    assert "Traceback" not in err, err
    return process.returncode, out, err


def wait_for(mark: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not mark.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the slow command never finished reading"
        time.sleep(0.01)


def sheet_rows(path: Path, sheet: str) -> list[dict[str, object]]:
    """A sheet's rows under its header row (row 1), read with openpyxl."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = list(book[sheet].iter_rows(values_only=True))
    finally:
        book.close()
    header = [str(h) if h is not None else "" for h in rows[0]]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


def keys_on_sheet(path: Path) -> set[str]:
    return {str(r["License key"]) for r in sheet_rows(path, "Keys") if r["License key"]}


def imported_reports(path: Path) -> set[str]:
    """The report files whose readings are in Usage (by the Source of their rows)."""
    sources = [str(r["Source"]) for r in sheet_rows(path, "Usage") if r["Source"]]
    return {s.split("#", 1)[0] for s in sources if "#" in s}


def assert_ledger_whole(path: Path, closed: set[str]) -> None:
    """Each closed month once (one closing), invoice numbers of the year gap-free from 0001."""
    rows = sheet_rows(path, "Ledger")
    months = {str(r["Month"]) for r in rows}
    assert months == closed
    for month in closed:
        stamps = {r["Finalized"] for r in rows if str(r["Month"]) == month}
        assert len(stamps) == 1, f"{month} closed more than once: {stamps}"
    numbers = sorted({int(str(r["Invoice"]).rsplit("-", 1)[1]) for r in rows})
    assert numbers == list(range(1, len(numbers) + 1))


def new_key_args(book: Path, n: int) -> list[str]:
    return ["new-key", str(book), "--customer", CUSTOMERS[n % 3], "--product", "KC-MSP"]


# --- Races made to happen ----------------------------------------------------------------------


FIRST_THEN_SECOND = [
    ("recalc", "new-key"),
    ("new-key", "recalc"),
    ("close", "new-key"),
    ("new-key", "close"),
    ("recalc", "close"),
    ("close", "recalc"),
    ("recalc", "recalc"),
    ("new-key", "new-key"),
    ("close", "close"),
    ("import-usage", "recalc"),
    ("recalc", "import-usage"),
    ("import-usage", "new-key"),
    ("close", "import-usage"),
    ("import-usage", "import-usage"),
]
CLOSE_IN_ORDER = [f"2026-{m:02}" for m in range(3, 12)]  # months that have ended


class Round:
    """Commands of one test: keys are made for customers in turn, months closed in order."""

    def __init__(self, book: Path) -> None:
        self.book = book
        self.n = 0
        self.to_close = iter(CLOSE_IN_ORDER)
        self.closing: dict[int, str] = {}

    def args(self, name: str) -> list[str]:
        self.n += 1
        if name == "new-key":
            return new_key_args(self.book, self.n)
        if name == "close":
            return ["close", str(self.book), "--month", next(self.to_close)]
        if name == "import-usage":
            report = self.book.with_name(f"report-{self.n}.csv")
            report.write_text(
                "Date;License key;Metric;Quantity\n"
                f"2026-11-{self.n:02};K1111-AAAAA-BBBBB-CCCC2;mailboxes;{40 + self.n}\n",
                encoding="utf-8",
            )
            return ["import-usage", str(self.book), str(report)]
        return ["recalc", str(self.book), "--month", "2026-10"]


def command(name: str, book: Path, n: int) -> list[str]:
    if name == "new-key":
        return new_key_args(book, n)
    if name == "close":
        return ["close", str(book), "--month", "2026-10"]
    return ["recalc", str(book), "--month", "2026-10"]


def check_outcome(name: str, args: list[str], result: tuple[int, str, str]) -> str | None:
    """What the command reported as done: a key printed, a month closed (else None)."""
    code, out, err = result
    if name == "new-key":
        assert code == 0, err
        assert KEY.match(out.strip()), out
        return out.strip()
    if name == "close":
        assert code == 0, err
        month = args[-1]
        assert out.startswith(f"Closed {month}: "), out
        return month
    if name == "import-usage":
        assert code == 0, err
        assert out.startswith("Imported 1 reading into"), out
        return Path(args[-1]).name
    assert code in (0, 1), err
    assert out.startswith("Recalculated"), out
    return None


@pytest.mark.parametrize(("first", "second"), FIRST_THEN_SECOND)
def test_a_command_started_while_another_works_waits_and_loses_nothing(
    book, tmp_path, first, second
):
    """The second command starts once the first has read the workbook and is still working on
    it, slowed for a random time right after its read or inside its save (where the save has
    read the workbook's parts again): without the lock the first one's save would overwrite
    the second one's work (a lost key, a lost closed month, invoice numbers given twice).
    Several rounds with seeded random delays."""
    rng = random.Random(f"{first}/{second}")
    run = Round(book)
    printed: set[str] = set()
    closed: set[str] = set()
    reports: set[str] = set()
    for n, at in enumerate(["save", "read", "save", "read"]):
        mark = tmp_path / f"mark-{n}"
        args_a = run.args(first)
        a = start(*args_a, slow=rng.uniform(0.3, 0.8), at=at, mark=mark)
        wait_for(mark, a)
        time.sleep(rng.uniform(0.0, 0.2))
        args_b = run.args(second)
        b = start(*args_b)
        for name, args, process in ((first, args_a, a), (second, args_b, b)):
            done = check_outcome(name, args, finish(process))
            if name == "new-key":
                printed.add(done)
            elif name == "close":
                closed.add(done)
            elif name == "import-usage":
                reports.add(done)
        assert printed <= keys_on_sheet(book)
        assert_ledger_whole(book, closed)
        assert reports <= imported_reports(book)


def test_commands_at_random_moments_lose_nothing(book):
    """Five commands at a time (keys, recalculations and the closing of two months), started at
    seeded random moments, several rounds: every printed key is on Keys, every month closed
    once, numbers gap-free, and the workbook opens."""
    rng = random.Random(20261205)
    printed: set[str] = set()
    closed: set[str] = set()
    n = 0
    for month in ("2026-09", "2026-10"):
        processes = []
        names = ["new-key", "new-key", "recalc", "close", "new-key"]
        rng.shuffle(names)
        for name in names:
            args = command(name, book, n)
            if name == "close":
                args = ["close", str(book), "--month", month]
            processes.append((name, start(*args, slow=rng.uniform(0.0, 0.4))))
            time.sleep(rng.uniform(0.0, 0.3))
            n += 1
        for name, process in processes:
            code, out, err = finish(process)
            if name == "new-key":
                assert code == 0, err
                printed.add(out.strip())
            elif name == "close":
                assert code == 0, err
                closed.add(month)
            else:
                assert code in (0, 1), err
    assert len(printed) == 6
    assert printed <= keys_on_sheet(book)
    assert_ledger_whole(book, closed)
    assert closed == {"2026-09", "2026-10"}


# --- A lock that is held, a lock whose holder died ---------------------------------------------


def test_a_run_that_cannot_get_the_lock_in_time_stops_with_one_line_and_writes_nothing(book):
    before = book.read_bytes()
    with lock.writing(book):
        result = run_cli("recalc", str(book), "--month", "2026-10", "--wait", "0.5")
        keyed = run_cli(*new_key_args(book, 0), "--wait", "0")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"msp-workbook: {book} is being written by another run (waited 0.5 s); "
        "run again when it has finished, or give --wait more seconds\n"
    )
    assert keyed.returncode == 2 and BUSY in keyed.stderr
    assert book.read_bytes() == before


def test_a_run_waits_for_the_lock_and_then_goes_through(book):
    """A holder that finishes within --wait: the waiting run goes on and reads its result."""
    holder = start(*new_key_args(book, 0), slow=1.0, mark=book.with_name("mark"))
    wait_for(book.with_name("mark"), holder)
    waiting = run_cli(*new_key_args(book, 1), "--wait", "60")
    code, out, err = finish(holder)
    assert code == 0 and waiting.returncode == 0, (err, waiting.stderr)
    assert {out.strip(), waiting.stdout.strip()} <= keys_on_sheet(book)


def test_a_killed_holder_never_blocks_the_next_run(book):
    """SIGKILL while holding the lock (mid-work, nothing saved): the system frees the lock, the
    next command goes through at once and the workbook is as before the killed run."""
    before = book.read_bytes()
    mark = book.with_name("mark")
    holder = start("recalc", str(book), "--month", "2026-10", slow=60, mark=mark)
    wait_for(mark, holder)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    assert holder.returncode == -signal.SIGKILL
    assert book.read_bytes() == before
    assert lock.lock_file(book).exists()  # the lock file stays; the lock on it is gone
    began = time.monotonic()
    result = run_cli(*new_key_args(book, 0), "--wait", "5")
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - began < 5
    assert result.stdout.strip() in keys_on_sheet(book)


# --- Programs that take no lock ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["recalc", "close", "new-key"])
def test_a_file_saved_by_another_program_meanwhile_is_not_overwritten(book, tmp_path, name):
    """Between the command's read and its save, the workbook is replaced behind its back (as
    Excel, LibreOffice or a sync client would save it, taking no lock): the command writes
    nothing, exits 2 with one line, and the other program's file stays."""
    elsewhere = tmp_path / "elsewhere" / book.name
    elsewhere.parent.mkdir()
    shutil.copy2(book, elsewhere)
    added = run_cli(*new_key_args(elsewhere, 0))
    assert added.returncode == 0, added.stderr
    mark = tmp_path / "mark"
    process = start(*command(name, book, 1), slow=1.0, mark=mark)
    wait_for(mark, process)
    os.replace(elsewhere, book)  # the other program's save: an atomic replace
    saved_by_other = book.read_bytes()
    code, out, err = finish(process)
    assert code == 2
    assert out == ""
    assert err == (
        f"msp-workbook: {book} was changed by another program while this run worked on it "
        "(saved in Excel or LibreOffice, or synced?); nothing was written: run again\n"
    )
    assert book.read_bytes() == saved_by_other
    assert added.stdout.strip() in keys_on_sheet(book)
    assert not [p for p in book.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_file_rewritten_in_place_meanwhile_is_not_overwritten(book, tmp_path):
    """A program that saves over the file in place (same inode) is caught too."""
    mark = tmp_path / "mark"
    process = start("recalc", str(book), "--month", "2026-10", slow=1.0, mark=mark)
    wait_for(mark, process)
    data = book.read_bytes()
    with open(book, "r+b") as f:  # same bytes, written again: a save by a program in place
        f.write(data)
        f.write(b"\0")
    code, _, err = finish(process)
    assert code == 2 and "was changed by another program" in err


def test_libreoffice_lock_file_refuses_writing_like_excels(book):
    """LibreOffice notes an open document in `.~lock.NAME#` (user, host, time, path)."""
    owner = book.with_name(f".~lock.{book.name}#")
    owner.write_text(",clerk,office-pc,05.12.2026 10:00,file:///home/clerk;", encoding="utf-8")
    before = book.read_bytes()
    for args in (
        ["recalc", str(book), "--month", "2026-10"],
        ["close", str(book), "--month", "2026-10"],
        new_key_args(book, 0),
    ):
        result = run_cli(*args)
        assert result.returncode == 2, args
        assert result.stderr == (
            f"msp-workbook: {book} is open in LibreOffice (.~lock.{book.name}# is beside it); "
            "close it and run again\n"
        )
    assert book.read_bytes() == before
    assert run_cli("check", str(book), "--month", "2026-10").returncode in (0, 1)  # reading is fine
    owner.unlink()
    assert run_cli("recalc", str(book), "--month", "2026-10").returncode in (0, 1)


def test_a_workbook_named_like_an_office_lock_file_is_not_its_own_lock(make_workbook, example_data):
    book = make_workbook(example_data, name="~$Abrechnung.xlsx")
    result = run_cli("recalc", str(book), "--month", "2026-10")
    assert result.returncode in (0, 1), result.stderr
    assert result.stdout.startswith(f"Recalculated {book}")


# --- Who owns the file ---------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_a_job_run_as_root_keeps_the_clerks_owner_group_and_mode(book):
    os.chown(book, 4321, 4322)
    os.chmod(book, 0o660)
    result = run_cli("recalc", str(book), "--month", "2026-10")
    assert result.returncode in (0, 1), result.stderr
    st = book.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (4321, 4322, 0o660)


@pytest.mark.parametrize("name", ["recalc", "close", "new-key"])
def test_a_read_only_workbook_is_refused_for_everyone_root_included(book, name):
    os.chmod(book, 0o444)
    before = book.read_bytes()
    result = run_cli(*command(name, book, 0))
    assert result.returncode == 2
    assert result.stderr == (
        f"msp-workbook: {book}: the file is read-only; allow changes to it and run again\n"
    )
    assert book.read_bytes() == before
    assert not lock.lock_file(book).exists()  # refused before any lock was made


# --- --out and --wait -----------------------------------------------------------------------------


@pytest.mark.parametrize("out", ["result.csv", "result.xls", "result.xlsm", "result"])
def test_out_is_the_same_kind_of_workbook(book, out):
    result = run_cli("recalc", str(book), "--month", "2026-10", "--out", str(book.with_name(out)))
    assert result.returncode == 2
    assert result.stderr == (
        f"msp-workbook: {book.with_name(out)}: the result is an .xlsx workbook like "
        f"{book.name}; give it a name ending in .xlsx\n"
    )
    assert not book.with_name(out).exists()


def test_out_in_another_case_of_the_same_suffix_is_fine(book):
    out = book.with_name("result.XLSX")
    result = run_cli("recalc", str(book), "--month", "2026-10", "--out", str(out))
    assert result.returncode in (0, 1), result.stderr
    assert out.exists()


@pytest.mark.parametrize("value", ["-1", "abc", "nan", "1e9"])
def test_wait_takes_seconds_from_0_to_a_day(book, value):
    result = run_cli("recalc", str(book), "--wait", value)
    assert result.returncode == 2
    assert f"--wait: not a number of seconds from 0 to 86400: '{value}'" in result.stderr
