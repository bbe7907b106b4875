"""The "Invoice documents" button: the same documents as `msp-workbook invoices`, from the
workbook's saved file, and a message that says where they went."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import run_cli
from fake_xlwings import FakeBook

from msp_workbook.core.months import Month
from msp_workbook.excel import invoice_documents
from msp_workbook.excel.invoice_documents import documents_month
from msp_workbook.excel.macros import UserError

CLOSED = Month(2026, 10)


@pytest.fixture(scope="module")
def closed_demo(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("closed") / "book.xlsx"
    shutil.copyfile(demo, path)
    closed = run_cli("close", str(path), "--month", str(CLOSED))
    assert closed.returncode == 0, closed.stderr
    return path


def test_the_button_writes_the_documents_the_command_writes(closed_demo, tmp_path):
    book_path = tmp_path / "excel" / "book.xlsx"
    book_path.parent.mkdir()
    shutil.copyfile(closed_demo, book_path)
    book = FakeBook(book_path)
    report = invoice_documents(book)
    assert report is not None and report.ok
    folder = book_path.parent / "invoices" / "2026-10"
    cli_path = tmp_path / "cli" / "book.xlsx"
    cli_path.parent.mkdir()
    shutil.copyfile(closed_demo, cli_path)
    result = run_cli("invoices", str(cli_path), "--month", "2026-10")
    assert result.returncode == 0, result.stdout + result.stderr
    cli_folder = cli_path.parent / "invoices" / "2026-10"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(p.name for p in cli_folder.iterdir())
    assert len(names) == 2 * report.invoices
    for name in names:
        assert (folder / name).read_bytes() == (cli_folder / name).read_bytes(), name
    # The message names the month, the count and the folder.
    assert book.app.alerts[-1].startswith(
        f"Invoice documents for 2026-10: {report.invoices} written of {report.invoices} "
        f"invoices, in {folder}"
    )


def test_the_month_is_the_billing_month_when_closed_else_the_latest_closed():
    closed = [Month(2026, 9), Month(2026, 10)]
    assert documents_month(Month(2026, 9), closed) == Month(2026, 9)
    assert documents_month(Month(2026, 11), closed) == Month(2026, 10)
    assert documents_month(None, closed) == Month(2026, 10)
    with pytest.raises(UserError, match="No month is closed yet"):
        documents_month(Month(2026, 11), [])


def test_a_workbook_with_no_closed_month_gets_one_message_and_no_folder(demo, tmp_path):
    path = tmp_path / "book.xlsx"
    shutil.copyfile(demo, path)
    book = FakeBook(path)
    assert invoice_documents(book) is None
    assert book.app.alerts == [
        "Could not write invoice documents: No month is closed yet: close the month first "
        "(Close month)"
    ]
    assert not (tmp_path / "invoices").exists()
