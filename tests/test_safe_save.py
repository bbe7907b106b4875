"""Saving that never loses data: backups, Excel's lock file, folders that cannot be written, and
no temporary file left behind, through the real command line and the library."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli

from msp_workbook.workbook.errors import WorkbookError
from msp_workbook.workbook.package import safe_save
from msp_workbook.workbook.package.safe_save import backup_path, saving, temp_files
from msp_workbook.workbook.write.writer import append_rows

MONTHS = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
NEW_KEY = {
    "License key": "K9999-AAAAA-BBBBB-CCCC9",
    "Customer ID": "C-0001",
    "Product ID": "KC-MSP",
    "Status": "active",
}


@pytest.fixture
def book(make_workbook, example_data) -> Path:
    return make_workbook(example_data, name="MSP_Billing.xlsx")


def names(folder: Path) -> list[str]:
    """The files in the folder, less the workbooks' lock files (`.~msp-lock.NAME`, empty, kept:
    see test_two_writers)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".~msp-lock."))


def recalc(path: Path, month: str = "2026-10", *more: str) -> subprocess.CompletedProcess[str]:
    result = run_cli("recalc", str(path), "--month", month, *more)
    assert result.returncode in (0, 1), result.stderr
    return result


# --- Backups --------------------------------------------------------------------------------------


def test_backup_names_sit_next_to_the_workbook(tmp_path):
    assert backup_path(tmp_path / "MSP_Billing.xlsx", 1) == tmp_path / "MSP_Billing.backup-1.xlsx"
    assert backup_path(tmp_path / "Book.v2.xlsm", 3) == tmp_path / "Book.v2.backup-3.xlsm"


def test_backups_rotate_and_the_last_three_are_kept(book):
    versions = [book.read_bytes()]
    for month in MONTHS:
        recalc(book, month)
        versions.append(book.read_bytes())
        assert backup_path(book, 1).read_bytes() == versions[-2]
    assert len(set(versions)) == len(versions)  # every month wrote something new
    assert names(book.parent) == [
        "MSP_Billing.backup-1.xlsx",
        "MSP_Billing.backup-2.xlsx",
        "MSP_Billing.backup-3.xlsx",
        "MSP_Billing.xlsx",
    ]
    for number in (1, 2, 3):
        assert backup_path(book, number).read_bytes() == versions[-1 - number]


def test_recalc_twice_gives_the_same_bytes_and_no_second_backup(book):
    original = book.read_bytes()
    recalc(book)
    once = book.read_bytes()
    mtime = book.stat().st_mtime_ns
    recalc(book)
    assert book.read_bytes() == once
    assert book.stat().st_mtime_ns == mtime  # an identical save leaves the file alone
    assert names(book.parent) == ["MSP_Billing.backup-1.xlsx", "MSP_Billing.xlsx"]
    assert backup_path(book, 1).read_bytes() == original


def test_a_new_file_gets_no_backup_and_the_input_none_either(book, tmp_path):
    out = tmp_path / "out" / "Result.xlsx"
    out.parent.mkdir()
    recalc(book, "2026-10", "--out", str(out))
    assert names(out.parent) == ["Result.xlsx"]
    assert names(book.parent) == ["MSP_Billing.xlsx", "out"]
    recalc(book, "2026-09", "--out", str(out))
    assert names(out.parent) == ["Result.backup-1.xlsx", "Result.xlsx"]


def test_new_key_keeps_a_backup_too(book):
    before = book.read_bytes()
    result = run_cli("new-key", str(book), "--customer", "C-0001", "--product", "KC-MSP")
    assert result.returncode == 0, result.stderr
    assert backup_path(book, 1).read_bytes() == before
    assert book.read_bytes() != before


def test_without_hard_links_the_backup_is_a_copy(book, monkeypatch):
    before = book.read_bytes()

    def no_links(*args, **kwargs):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    append_rows(book, book, "Keys", [NEW_KEY])
    assert backup_path(book, 1).read_bytes() == before
    assert names(book.parent) == ["MSP_Billing.backup-1.xlsx", "MSP_Billing.xlsx"]


def test_copy_file_saves_a_copy_the_same_way(book, tmp_path):
    dest = tmp_path / "copy" / "New.xlsx"
    dest.parent.mkdir()
    safe_save.copy_file(book, dest)
    assert dest.read_bytes() == book.read_bytes()
    dest.write_bytes(b"older")
    safe_save.copy_file(book, dest)
    assert backup_path(dest, 1).read_bytes() == b"older"
    dest.with_name("~$New.xlsx").touch()
    with pytest.raises(WorkbookError, match="is open in Excel"):
        safe_save.check_can_save(dest)


def test_the_workbook_keeps_its_permissions(book):
    os.chmod(book, 0o640)
    append_rows(book, book, "Keys", [NEW_KEY])
    assert book.stat().st_mode & 0o777 == 0o640


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need rights on Windows")
def test_saving_through_a_symbolic_link_keeps_the_link(book, tmp_path):
    link = tmp_path / "link.xlsx"
    link.symlink_to(book)
    before = book.read_bytes()
    append_rows(link, link, "Keys", [NEW_KEY])
    assert link.is_symlink()
    assert book.read_bytes() != before
    assert backup_path(book, 1).read_bytes() == before


# --- Refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["recalc", "new-key"])
def test_a_workbook_open_in_excel_is_not_written(book, command):
    lock = book.with_name("~$MSP_Billing.xlsx")
    lock.write_bytes(b"\x05Maria" + bytes(160))
    before = book.read_bytes()
    args = ["--month", "2026-10"] if command == "recalc" else ["--customer", "C-0001"]
    if command == "new-key":
        args += ["--product", "KC-MSP"]
    result = run_cli(command, str(book), *args)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"msp-workbook: {book} is open in Excel; close it and run again\n"
    assert book.read_bytes() == before
    assert names(book.parent) == ["MSP_Billing.xlsx", "~$MSP_Billing.xlsx"]
    lock.unlink()
    recalc(book)
    assert book.read_bytes() != before


def test_the_lock_file_of_a_long_name_counts_too(book):
    book.with_name("~$P_Billing.xlsx").write_bytes(b"")  # Office replaces the first two characters
    with pytest.raises(WorkbookError, match="is open in Excel"):
        append_rows(book, book, "Keys", [NEW_KEY])


def test_a_folder_that_cannot_be_written_is_refused_in_one_line(book, monkeypatch):
    before = book.read_bytes()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != book.parent and real(p, mode))
    with pytest.raises(WorkbookError) as error:
        append_rows(book, book, "Keys", [NEW_KEY])
    assert str(error.value) == f"{book}: cannot save, the folder {book.parent} is not writable"
    assert book.read_bytes() == before
    assert names(book.parent) == ["MSP_Billing.xlsx"]


def test_a_missing_folder_is_refused(book, tmp_path):
    result = run_cli("recalc", str(book), "--out", str(tmp_path / "nope" / "out.xlsx"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "does not exist" in result.stderr


def test_a_read_only_workbook_is_not_replaced(book, monkeypatch):
    before = book.read_bytes()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != book and real(p, mode))
    with pytest.raises(WorkbookError, match="the file is read-only"):
        append_rows(book, book, "Keys", [NEW_KEY])
    assert book.read_bytes() == before


# --- Failures leave nothing behind ----------------------------------------------------------------


def test_no_temporary_file_after_a_save(book):
    recalc(book)
    assert temp_files(book) == []
    assert not [n for n in names(book.parent) if n.startswith(".")]


def test_a_failing_rename_leaves_the_workbook_and_no_temporary_file(book, monkeypatch):
    before = book.read_bytes()

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(WorkbookError) as error:
        append_rows(book, book, "Keys", [NEW_KEY])
    assert str(error.value) == f"{book}: cannot save (No space left on device)"
    assert book.read_bytes() == before
    assert names(book.parent) == ["MSP_Billing.xlsx"]


def test_a_failing_backup_leaves_the_workbook_and_no_temporary_file(book):
    """A backup that cannot be made: the oldest backup's name is taken by a folder with files
    in it (a real OS refusal, even for root), so moving backup-2 there fails. The save is
    refused in one line, the workbook and its backups stay as they were, and no temporary file
    is left."""
    before = book.read_bytes()
    backup_path(book, 2).write_bytes(b"second")
    taken = backup_path(book, 3)
    taken.mkdir()
    (taken / "note.txt").write_text("kept")
    with pytest.raises(WorkbookError) as error:
        append_rows(book, book, "Keys", [NEW_KEY])
    assert str(error.value) == f"{book}: cannot save (Is a directory)"
    assert book.read_bytes() == before
    assert backup_path(book, 2).read_bytes() == b"second"
    assert [p.name for p in taken.iterdir()] == ["note.txt"]
    assert names(book.parent) == [
        "MSP_Billing.backup-2.xlsx",
        "MSP_Billing.backup-3.xlsx",
        "MSP_Billing.xlsx",
    ]


def test_an_error_while_writing_leaves_no_temporary_file(tmp_path):
    dest = tmp_path / "a.xlsx"
    dest.write_bytes(b"old")
    with pytest.raises(RuntimeError), saving(dest) as f:
        f.write(b"half of the new")
        raise RuntimeError("stopped")
    assert dest.read_bytes() == b"old"
    assert names(tmp_path) == ["a.xlsx"]


def test_a_killed_save_leaves_a_temporary_file_the_next_save_removes(book):
    # what a save killed mid-way leaves: a temporary file named after a process that is gone
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], **_out())
    stale = book.with_name(f".{book.name}.{int(gone.stdout)}.0badc0de.tmp")
    stale.write_bytes(b"PK\x03\x04 half a zip")
    # one of a save that is running now (this process's parent is alive) is left alone
    running = book.with_name(f".{book.name}.{os.getppid()}.0123abcd.tmp")
    running.write_bytes(b"PK\x03\x04")
    recalc(book)
    assert not stale.exists()
    assert running.exists()


def _out() -> dict[str, object]:
    return {"capture_output": True, "text": True, "check": True}
