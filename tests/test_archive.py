"""`msp-workbook archive PATH --before YYYY-MM` (SPEC section 11): old Usage rows and the Ledger
lines of old closed months move into `NAME.archive-YYYY.xlsx`, one file per calendar year; the
refusals; billing after the move; and the warning of check and recalc near Excel's row limit.

The workbook: the demo reseller billing 2027-01 with 2025-12 .. 2026-12 closed and `Correction
months` = 3, so the latest cut is 2027-01 minus 11 months = 2026-02 (the comparison window's
first month; the correction window starts later, at 2026-10). Archiving before 2026-02 moves
2025-12 and 2026-01: data of two calendar years.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from archive_books import (
    CLOSED,
    FIRST_OPEN,
    TODAY,
    archive_files,
    billed,
    build_book,
    copy_book,
    month_of,
    rows,
    rows_with_archives,
    with_last_row_at,
)
from conftest import run_cli
from sheet_edits import set_setting
from workbook_tables import table_rows

from msp_workbook.app.archive_files import archive_path
from msp_workbook.app.close import close_month
from msp_workbook.core.archive import ArchiveRefused, LedgerRow, UsageRow, plan_archive
from msp_workbook.core.months import Month
from msp_workbook.workbook.write.writer import append_to_tables

CUT = Month(2026, 2)
LOCK = re.compile(r"\.~msp-lock\..*")


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    """The closed workbook; tests copy it and never write it."""
    return build_book(tmp_path_factory.mktemp("original") / "book.xlsx")


@pytest.fixture(scope="module")
def nothing_closed(tmp_path_factory) -> Path:
    return build_book(tmp_path_factory.mktemp("open") / "book.xlsx", closed=[])


class Archived:
    """The original archived before 2026-02 by the command line, once for the module."""

    def __init__(self, original: Path, folder: Path) -> None:
        self.original = original
        self.book = copy_book(original, folder)
        self.result = run_cli("archive", str(self.book), "--before", str(CUT))
        assert self.result.returncode == 0, self.result.stderr


@pytest.fixture(scope="module")
def archived(original, tmp_path_factory) -> Archived:
    return Archived(original, tmp_path_factory.mktemp("archived"))


def expected_move(book: Path, cut: Month) -> tuple[list[int], list[int], int]:
    """By the spec's rule, from the workbook's own rows: the indexes of the Usage rows and
    Ledger lines that move, and how many readings before the cut stay (every reading of the
    latest month before the cut that has readings for its key and metric)."""
    usage = table_rows(book, "Usage")
    before = [n for n, r in enumerate(usage) if month_of(r["Date"]) < cut]
    latest: dict[tuple[str, str], Month] = {}
    for n in before:
        pair = (usage[n]["License key"], usage[n]["Metric"])
        latest[pair] = max(latest.get(pair, Month(2000, 1)), month_of(usage[n]["Date"]))
    moved = [
        n
        for n in before
        if month_of(usage[n]["Date"]) != latest[(usage[n]["License key"], usage[n]["Metric"])]
    ]
    lines = [n for n, r in enumerate(table_rows(book, "Ledger")) if month_of(r["Month"]) < cut]
    return moved, lines, len(before) - len(moved)


def listing(folder: Path) -> dict[str, bytes]:
    """Every file in the folder (the lock file aside: it stays, empty, by design)."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if not LOCK.fullmatch(p.name)}


def assert_nothing_lost_or_doubled(book: Path, original: Path) -> None:
    for table in ("Usage", "Ledger"):
        assert rows_with_archives(book, table) == rows(original, table), table


# --- The move -------------------------------------------------------------------------------------


def test_archive_says_what_it_moved_where_in_one_line(archived):
    moved, lines, kept = expected_move(archived.original, CUT)
    # Every key and metric read in 2025-12 is read in 2026-01 again: all of 2025-12's readings
    # move and all of 2026-01's stay; the Ledger lines of 2025-12 and 2026-01 move.
    readings = Counter(month_of(r["Date"]) for r in table_rows(archived.original, "Usage"))
    assert (len(moved), kept) == (readings[Month(2025, 12)], readings[Month(2026, 1)]) == (111, 123)
    assert len(lines) == 41 + 45
    assert archived.result.stdout == (
        f"Archived before 2026-02: {len(moved)} usage readings and {len(lines)} Ledger lines of "
        "2025-12 .. 2026-01 moved to book.archive-2025.xlsx, book.archive-2026.xlsx; "
        f"{kept} latest readings stay in Usage\n"
    )
    assert archived.result.stderr == ""


def test_archive_writes_one_workbook_per_calendar_year_of_the_moved_data(archived):
    files = archive_files(archived.book)
    assert files == {y: archive_path(archived.book, y) for y in (2025, 2026)}
    assert files[2025].name == "book.archive-2025.xlsx"
    usage = table_rows(archived.original, "Usage")
    ledger = table_rows(archived.original, "Ledger")
    moved, lines, _ = expected_move(archived.original, CUT)
    for year, path in files.items():
        # A reading goes to its date's year, a Ledger line to its month's year.
        assert rows(path, "Usage") == Counter(
            tuple(usage[n].values()) for n in moved if month_of(usage[n]["Date"]).year == year
        )
        assert rows(path, "Ledger") == Counter(
            tuple(ledger[n].values()) for n in lines if month_of(ledger[n]["Month"]).year == year
        )
    assert {month_of(r["Month"]) for r in table_rows(files[2025], "Ledger")} == {Month(2025, 12)}
    assert {month_of(r["Month"]) for r in table_rows(files[2026], "Ledger")} == {Month(2026, 1)}
    assert table_rows(files[2026], "Usage") == []  # 2026-01 is the latest month: it stays


def test_an_archive_is_a_workbook_with_usage_and_ledger_sheets_and_tables(archived):
    for path in archive_files(archived.book).values():
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == ["Usage", "Ledger"]
        for name in ("Usage", "Ledger"):
            [table] = book[name].tables.values()
            assert table.name == name
            headers = [c.value for c in book[name][1]]
            assert headers == list(table_rows(archived.original, name)[0])


def test_usage_and_ledger_with_the_archives_hold_exactly_the_rows_there_were(archived):
    assert_nothing_lost_or_doubled(archived.book, archived.original)
    moved, lines, _ = expected_move(archived.original, CUT)
    # What stays keeps its order; nothing of the moved rows stays behind.
    usage = table_rows(archived.original, "Usage")
    assert table_rows(archived.book, "Usage") == [
        r for n, r in enumerate(usage) if n not in set(moved)
    ]
    ledger = table_rows(archived.original, "Ledger")
    assert table_rows(archived.book, "Ledger") == [
        r for n, r in enumerate(ledger) if n not in set(lines)
    ]
    assert {month_of(r["Month"]) for r in table_rows(archived.book, "Ledger")} == set(CLOSED[2:])


def test_the_first_open_month_bills_the_same_after_archiving(archived, tmp_path):
    before = billed(archived.original, FIRST_OPEN, tmp_path / "before.xlsx")
    after = billed(archived.book, FIRST_OPEN, tmp_path / "after.xlsx")
    assert len(before["Billing"]) == 90 and len(before["Comparison"]) > 50
    assert after == before
    # Estimates carried forward from the latest readings before the cut are among them.
    estimated = [r for r in before["Billing"] if r["Type"] == "estimated"]
    assert estimated


def test_every_closed_month_left_shows_its_billing_and_invoices_as_it_was_closed(
    archived, tmp_path
):
    for month in CLOSED[2:]:  # 2026-02 .. 2026-12
        before = billed(archived.original, month, tmp_path / "before.xlsx")
        after = billed(archived.book, month, tmp_path / "after.xlsx")
        assert after["Billing"] == before["Billing"], month
        assert after["Invoices"] == before["Invoices"], month
        assert before["Billing"], month


def test_months_closed_after_archiving_get_the_same_lines_and_gap_free_numbers(archived, tmp_path):
    # A late reading for 2026-11 (in the correction window of 2027-01): corrected the same way.
    books = [copy_book(archived.original, tmp_path / "kept"), copy_book(archived.book, tmp_path)]
    for path in archive_files(archived.book).values():
        copy_book(path, tmp_path, path.name)
    late = next(
        r
        for r in table_rows(archived.original, "Usage")
        if month_of(r["Date"]) == Month(2026, 11) and r["Metric"] == "mailboxes"
    )
    reading = {**late, "Date": date(2026, 11, 28), "Quantity": 500, "Source": "late"}
    numbers = []
    for book in books:
        append_to_tables(book, book, {"Usage": [reading]})
        january = close_month(book, FIRST_OPEN, today=TODAY, now=datetime(2027, 2, 2))
        february = close_month(
            book, Month(2027, 2), today=date(2027, 3, 6), now=datetime(2027, 3, 2)
        )
        numbers.append((january.numbers, february.numbers))
    unarchived, archived_numbers = numbers
    assert archived_numbers == unarchived
    january, february = unarchived
    assert january == tuple(f"INV-2027-{n:04d}" for n in range(1, len(january) + 1))
    assert february == tuple(
        f"INV-2027-{n:04d}" for n in range(len(january) + 1, len(january) + len(february) + 1)
    )
    new_lines = [
        [r for r in table_rows(b, "Ledger") if month_of(r["Month"]) >= FIRST_OPEN] for b in books
    ]
    assert new_lines[0] == new_lines[1]
    corrections = [r for r in new_lines[0] if r["Type"] == "correction"]
    assert [r["Corrects"] for r in corrections] == ["2026-11"]
    assert_nothing_lost_or_doubled(books[1], books[0])


def test_a_usage_row_without_a_date_stays(original, tmp_path):
    book = copy_book(original, tmp_path)
    row = {"Date": None, "License key": "K-NO-DATE", "Metric": "mailboxes", "Quantity": 3,
           "Source": "typed without a date"}  # fmt: skip
    append_to_tables(book, book, {"Usage": [row]})
    before = rows(book, "Usage")
    result = run_cli("archive", str(book), "--before", str(CUT))
    assert result.returncode == 0, result.stderr
    [undated] = [r for r in table_rows(book, "Usage") if r["License key"] == "K-NO-DATE"]
    assert undated["Source"] == "typed without a date"
    total = rows(book, "Usage")
    for path in archive_files(book).values():
        total += rows(path, "Usage")
    assert total == before


# --- Again, and into archives that exist ----------------------------------------------------------


def test_archiving_again_with_the_same_cut_moves_nothing_and_changes_nothing(archived, tmp_path):
    book = copy_book(archived.book, tmp_path)
    for path in archive_files(archived.book).values():
        copy_book(path, tmp_path, path.name)
    before = listing(tmp_path)
    result = run_cli("archive", str(book), "--before", str(CUT))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "Nothing to archive before 2026-02\n"
    assert listing(tmp_path) == before


def test_archiving_again_with_a_cut_before_every_kept_reading_moves_nothing(archived, tmp_path):
    book = copy_book(archived.book, tmp_path)
    for path in archive_files(archived.book).values():
        copy_book(path, tmp_path, path.name)
    before = listing(tmp_path)
    result = run_cli("archive", str(book), "--before", "2026-01")
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "Nothing to archive before 2026-01\n",
        "",
    )
    assert listing(tmp_path) == before


def test_archiving_twice_with_increasing_cuts_adds_to_the_archive(original, tmp_path):
    book = copy_book(original, tmp_path)
    first = run_cli("archive", str(book), "--before", "2026-01")
    assert first.returncode == 0, first.stderr
    assert first.stdout == (
        "Archived before 2026-01: 0 usage readings and 41 Ledger lines of 2025-12 moved to "
        "book.archive-2025.xlsx; 111 latest readings stay in Usage\n"
    )
    second = run_cli("archive", str(book), "--before", str(CUT))
    assert (second.returncode, second.stderr) == (0, "")
    files = archive_files(book)
    assert sorted(files) == [2025, 2026]
    assert len(table_rows(files[2025], "Usage")) == 111
    assert len(table_rows(files[2025], "Ledger")) == 41
    assert_nothing_lost_or_doubled(book, original)


def test_an_archive_file_that_exists_is_added_to_without_doubling_its_rows(original, tmp_path):
    # The 2025 archive of an archive before 2026-01 (2025-12's Ledger lines), beside a copy of
    # the workbook as it was: archiving before 2026-02 adds 2025-12's readings to it.
    first = copy_book(original, tmp_path / "first")
    assert run_cli("archive", str(first), "--before", "2026-01").returncode == 0
    assert sorted(archive_files(first)) == [2025]
    book = copy_book(original, tmp_path / "second")
    copy_book(archive_files(first)[2025], book.parent, "book.archive-2025.xlsx")
    result = run_cli("archive", str(book), "--before", str(CUT))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "Archived before 2026-02: 111 usage readings and 86 Ledger lines of 2025-12 .. 2026-01 "
        "moved to book.archive-2025.xlsx, book.archive-2026.xlsx; 123 latest readings stay in "
        "Usage (41 rows were in the archive already: not added twice)\n"
    )
    files = archive_files(book)
    assert (len(table_rows(files[2025], "Usage")), len(table_rows(files[2025], "Ledger"))) == (
        111,
        41,
    )
    assert_nothing_lost_or_doubled(book, original)


# --- Refusals -------------------------------------------------------------------------------------


def late_readings(*days: date):
    def add(book: Path) -> None:
        some = table_rows(book, "Usage")[0]
        rows_ = [{**some, "Date": day, "Source": "never billed"} for day in days]
        append_to_tables(book, book, {"Usage": rows_})

    return add


REFUSALS = {
    "nothing-closed": (
        None,
        "2026-01",
        "cannot archive before 2026-01: no month is closed yet; only closed months are archived",
    ),
    "in-the-comparison-window": (
        None,
        "2026-03",
        "cannot archive before 2026-03: the months from 2026-02 on are in the comparison window "
        "of 2027-01, the first open month; the latest you can archive before is 2026-02",
    ),
    "in-the-correction-window": (
        lambda book: set_setting(book, "Correction months", 12),
        "2026-02",
        "cannot archive before 2026-02: the months from 2026-01 on can still be corrected when "
        "2027-01 is billed (Settings: Correction months = 12); the latest you can archive before "
        "is 2026-01",
    ),
    "usage-not-closed": (
        late_readings(date(2025, 11, 20)),
        "2026-02",
        "cannot archive before 2026-02: 2025-11 has usage but is not closed; only closed months "
        "are archived (choose an earlier month, or remove those readings if they were never "
        "billed)",
    ),
    "before-2000": (
        None,
        "1999-12",
        "cannot archive before 1999-12: the month must be from 2000-01 to 9998-12",
    ),
    "after-9998": (
        None,
        "9999-01",
        "cannot archive before 9999-01: the month must be from 2000-01 to 9998-12",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_archive_is_refused_in_one_line_and_writes_nothing(
    case, original, nothing_closed, tmp_path
):
    prepare, cut, message = REFUSALS[case]
    book = copy_book(nothing_closed if case == "nothing-closed" else original, tmp_path)
    if prepare is not None:
        prepare(book)
    before = listing(tmp_path)
    result = run_cli("archive", str(book), "--before", cut)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"msp-workbook: {message}\n"
    assert listing(tmp_path) == before  # the workbook as it was, no archive file, no backup


def test_a_month_that_is_no_month_is_a_usage_error(original, tmp_path):
    book = copy_book(original, tmp_path)
    before = listing(tmp_path)
    result = run_cli("archive", str(book), "--before", "2026-13")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "msp-workbook archive: error: argument --before: not a month: '2026-13' (expected YYYY-MM)"
    )
    assert listing(tmp_path) == before


def test_the_months_not_closed_are_named_three_at_most():
    closed = CLOSED
    usage = [
        UsageRow(n, date(2025, month, 5), "K", "m") for n, month in enumerate((8, 9, 10, 11, 11))
    ]
    with pytest.raises(ArchiveRefused) as two:
        plan_archive(CUT, closed, [], usage[2:], 3)
    assert str(two.value) == (
        "cannot archive before 2026-02: 2025-10, 2025-11 have usage but are not closed; only "
        "closed months are archived (choose an earlier month, or remove those readings if they "
        "were never billed)"
    )
    with pytest.raises(ArchiveRefused) as four:
        plan_archive(CUT, closed, [LedgerRow(2, Month(2025, 12))], usage, 3)
    assert str(four.value).startswith(
        "cannot archive before 2026-02: 2025-08, 2025-09, 2025-10 ... have usage but are not "
        "closed;"
    )


# --- Other programs -------------------------------------------------------------------------------


def test_the_archived_workbook_and_its_archives_open_in_libreoffice(archived, tmp_path):
    from libreoffice import convert

    files = [archived.book, *archive_files(archived.book).values()]
    saved = convert(files, tmp_path / "lo")
    for source, copy in zip(files, saved, strict=True):
        for table in ("Usage", "Ledger"):
            assert table_rows(copy, table) == table_rows(source, table), (source.name, table)
    # The workbook LibreOffice saved still bills the first open month as before archiving.
    before = billed(archived.original, FIRST_OPEN, tmp_path / "before.xlsx")
    assert billed(saved[0], FIRST_OPEN, tmp_path / "after.xlsx") == before


# --- Near Excel's row limit -----------------------------------------------------------------------


def limit_warnings(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if "an Excel sheet can hold" in line]


@pytest.mark.parametrize(("last_row", "warned"), [(838_860, False), (838_861, True)])
def test_check_warns_once_usage_reaches_past_80_percent_of_excels_rows(
    original, tmp_path, last_row, warned
):
    # 80 % of 1,048,576 rows is 838,860.8: row 838,861 is the first past it.
    book = with_last_row_at(original, tmp_path / "book.xlsx", "Usage", last_row)
    result = run_cli("check", str(book), "--month", str(FIRST_OPEN))
    assert result.returncode == 0, result.stderr
    expected = [
        "warning: Usage!A838861: the Usage table reaches row 838,861 of the 1,048,576 an Excel "
        "sheet can hold (80%); move the oldest months into an archive: msp-workbook archive "
        '"book.xlsx" --before 2026-02 (the latest month the comparison and correction windows '
        "allow), or the Archive button in Excel"
    ]
    assert limit_warnings(result.stdout) == (expected if warned else [])


def test_the_archive_command_the_warning_names_runs(original, tmp_path):
    book = with_last_row_at(original, tmp_path / "book.xlsx", "Usage", 850_000)
    [warning] = limit_warnings(run_cli("check", str(book), "--month", "2027-01").stdout)
    assert "(81%)" in warning
    command = re.search(r'msp-workbook archive "(.+?)" --before (\d{4}-\d\d)', warning)
    assert command is not None and command[1] == book.name
    result = run_cli("archive", str(tmp_path / command[1]), "--before", command[2])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Archived before 2026-02: 111 usage readings")
    assert_nothing_lost_or_doubled(book, original)


def test_recalc_puts_the_ledger_row_limit_warning_on_checks(original, tmp_path):
    book = with_last_row_at(original, tmp_path / "book.xlsx", "Ledger", 1_000_000)
    result = run_cli("recalc", str(book), "--month", str(FIRST_OPEN))
    assert result.returncode == 0, result.stderr
    found = [r for r in table_rows(book, "Checks") if "an Excel sheet can hold" in r["Message"]]
    assert found == [
        {
            "Severity": "warning",
            "Sheet": "Ledger",
            "Cell": "A1000000",
            "Message": "the Ledger table reaches row 1,000,000 of the 1,048,576 an Excel sheet "
            "can hold (95%); move the oldest months into an archive: msp-workbook archive "
            '"book.xlsx" --before 2026-02 (the latest month the comparison and correction '
            "windows allow), or the Archive button in Excel",
        }
    ]


def test_the_warning_says_to_close_months_first_when_none_is_closed(nothing_closed, tmp_path):
    book = with_last_row_at(nothing_closed, tmp_path / "book.xlsx", "Usage", 900_000)
    result = run_cli("check", str(book), "--month", str(FIRST_OPEN))
    assert limit_warnings(result.stdout) == [
        "warning: Usage!A900000: the Usage table reaches row 900,000 of the 1,048,576 an Excel "
        "sheet can hold (86%); close the months billed so far, then move the oldest into an "
        'archive (msp-workbook archive "book.xlsx" --before YYYY-MM)'
    ]


def test_no_row_limit_warning_for_a_workbook_of_ordinary_size(archived):
    result = run_cli("check", str(archived.book), "--month", str(FIRST_OPEN))
    assert result.returncode == 0, result.stderr
    assert limit_warnings(result.stdout) == []
    assert "archive" not in result.stdout
