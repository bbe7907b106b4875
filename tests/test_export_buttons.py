"""The "DATEV export" and "SEPA direct debit" buttons: the same files as `msp-workbook
export-datev` and `export-sepa`, with the numbers and collections they give kept in the open
workbook's own Debitors and Collections tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import run_cli
from fake_xlwings import FakeBook

from msp_workbook.excel import datev_export, sepa_export

OCT = "2026-10"


@pytest.fixture(scope="module")
def closed_demo(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("closed") / "book.xlsx"
    shutil.copyfile(demo, path)
    closed = run_cli("close", str(path), "--month", OCT)
    assert closed.returncode == 0, closed.stderr
    return path


def copy_to(src: Path, folder: Path) -> Path:
    folder.mkdir()
    path = folder / "book.xlsx"
    shutil.copyfile(src, path)
    return path


def table_rows(path: Path, sheet: str) -> list[tuple[object, ...]]:
    rows = openpyxl.load_workbook(path, data_only=True)[sheet].iter_rows(values_only=True)
    return [r for r in list(rows)[1:] if any(v is not None for v in r)]


def test_the_datev_button_writes_the_commands_file_and_keeps_the_numbers_in_the_book(
    closed_demo, tmp_path
):
    book_path = copy_to(closed_demo, tmp_path / "excel")
    book = FakeBook(book_path)
    report = datev_export(book)
    assert report is not None and report.ok, report and report.errors
    cli_path = copy_to(closed_demo, tmp_path / "cli")
    result = run_cli("export-datev", str(cli_path), "--month", OCT)
    assert result.returncode == 0, result.stdout + result.stderr
    name = f"EXTF_Buchungsstapel_{OCT}.csv"
    assert (book_path.parent / name).read_bytes() == (cli_path.parent / name).read_bytes()
    # The numbers given are in the open book's Debitors table, as the command saved them.
    book.save(book_path)
    assert table_rows(book_path, "Debitors") == table_rows(cli_path, "Debitors")
    given = len(report.given)
    # One number for each customer billed in October without a Debitor typed on Customers.
    customers = {r[0]: r for r in table_rows(cli_path, "Customers")}
    debitor = [c.value for c in openpyxl.load_workbook(cli_path)["Customers"][1]].index("Debitor")
    billed = [r[2] for r in table_rows(cli_path, "Invoices") if r[0] == OCT]
    assert given == sum(1 for cid in billed if customers[cid][debitor] is None) > 0
    assert book.app.alerts[-1] == (
        f"DATEV export of {OCT}: {len(billed)} bookings written in {book_path.parent / name}; "
        f"{given} "
        "debitor numbers given and added to the Debitors sheet: save the workbook to keep them"
    )
    # Pressed again on the saved book: the same file, no number given twice.
    again = datev_export(FakeBook(book_path))
    assert again is not None and again.status == "unchanged" and again.given == ()
    assert len(table_rows(book_path, "Debitors")) == given


def test_the_sepa_button_writes_the_commands_file_and_keeps_the_collections_in_the_book(
    closed_demo, tmp_path
):
    book_path = copy_to(closed_demo, tmp_path / "excel")
    book = FakeBook(book_path)
    report = sepa_export(book)
    assert report is not None and report.ok, report and report.errors
    cli_path = copy_to(closed_demo, tmp_path / "cli")
    result = run_cli("export-sepa", str(cli_path), "--month", OCT)
    assert result.returncode == 0, result.stdout + result.stderr
    name = f"SEPA_direct_debit_{OCT}.xml"
    assert (book_path.parent / name).read_bytes() == (cli_path.parent / name).read_bytes()
    book.save(book_path)
    rows = table_rows(book_path, "Collections")
    assert rows == table_rows(cli_path, "Collections")
    # The demo's three direct-debit customers, collected for the first time.
    assert [(r[0], r[2], r[4]) for r in rows] == [
        (OCT, "C-0003", "FRST"),
        (OCT, "C-0004", "FRST"),
        (OCT, "C-0005", "FRST"),
    ]
    assert book.app.alerts[-1].startswith(
        f"SEPA direct debit of {OCT}: 3 collections (FRST 3, RCUR 0), "
    )
    assert book.app.alerts[-1].endswith(
        f"written in {book_path.parent / name}; added to the Collections sheet: save the "
        "workbook to keep them"
    )


def test_with_no_closed_month_each_button_says_so_and_writes_nothing(demo, tmp_path):
    path = copy_to(demo, tmp_path / "open")
    book = FakeBook(path)
    assert datev_export(book) is None
    assert sepa_export(book) is None
    assert book.app.alerts == [
        "Could not write the DATEV export: No month is closed yet: close the month first "
        "(Close month)",
        "Could not write the SEPA direct debit: No month is closed yet: close the month first "
        "(Close month)",
    ]
    assert sorted(p.name for p in path.parent.iterdir()) == ["book.xlsx"]
