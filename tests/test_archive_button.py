"""The Archive button: `msp-workbook archive` on the open workbook before the latest month the
windows allow; the same archive files as the command, the moved rows out of the open workbook's
Usage and Ledger tables once they are saved in the archives, and a message saying to save."""

from __future__ import annotations

from pathlib import Path

import pytest
from archive_books import (
    archive_files,
    build_book,
    copy_book,
    rows,
    rows_with_archives,
)
from conftest import run_cli
from fake_xlwings import FakeBook

from msp_workbook.excel import archive

# build_book: 2025-12 .. 2026-12 closed, Correction months 3: the latest cut is 2026-02.
LATEST_CUT = "2026-02"


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_book(tmp_path_factory.mktemp("original") / "book.xlsx")


def test_the_button_archives_what_the_command_archives_before_the_latest_cut(original, tmp_path):
    book_path = copy_book(original, tmp_path / "excel").resolve()
    book = FakeBook(book_path)
    report = archive(book)
    assert report is not None and report.moved
    assert str(report.plan.cut) == LATEST_CUT
    # The archives are written before anything changes in the open workbook, which is saved
    # by the user afterwards.
    book.save(book_path)
    cli_path = copy_book(original, tmp_path / "cli")
    result = run_cli("archive", str(cli_path), "--before", LATEST_CUT)
    assert result.returncode == 0, result.stderr
    assert book.app.alerts[-1] == result.stdout.strip() + ": save the workbook now to finish"
    assert sorted(archive_files(book_path)) == sorted(archive_files(cli_path)) == [2025, 2026]
    for table in ("Usage", "Ledger"):
        assert rows(book_path, table) == rows(cli_path, table), table
        for year, path in archive_files(book_path).items():
            assert rows(path, table) == rows(archive_files(cli_path)[year], table), (table, year)
        assert rows_with_archives(book_path, table) == rows(original, table), table


def test_pressed_again_after_saving_it_moves_nothing(original, tmp_path):
    book_path = copy_book(original, tmp_path / "excel").resolve()
    first = FakeBook(book_path)
    archive(first)
    first.save(book_path)
    again = FakeBook(book_path)
    report = archive(again)
    assert report is not None and not report.moved
    assert again.app.alerts[-1] == f"Nothing to archive before {LATEST_CUT}"
    for table in ("Usage", "Ledger"):
        assert rows_with_archives(book_path, table) == rows(original, table), table


def test_closed_without_saving_then_pressed_again_adds_nothing_twice(original, tmp_path):
    book_path = copy_book(original, tmp_path / "excel").resolve()
    archive(FakeBook(book_path))  # the archives written; the workbook never saved
    again = FakeBook(book_path)
    report = archive(again)
    assert report is not None and report.already > 0
    again.save(book_path)
    for table in ("Usage", "Ledger"):
        assert rows_with_archives(book_path, table) == rows(original, table), table


def test_a_workbook_with_nothing_closed_is_told_so(tmp_path):
    book_path = build_book(tmp_path / "new" / "book.xlsx", closed=[]).resolve()
    book = FakeBook(book_path)
    assert archive(book) is None
    assert book.app.alerts[-1] == (
        "Could not archive: Nothing is closed yet: only closed months are archived"
    )
    assert archive_files(book_path) == {}
