"""`export-datev` (SPEC section 9): a closed month's invoices as a DATEV booking batch (EXTF
Buchungsstapel, format version 13), through the real command line on real workbooks.

The batch is read back independently: Python's csv module on the bytes decoded as cp1252
(newline="", `;`), never the program's own writer or rules. What each booking must say is
worked out here by hand from the workbook's Invoices, Ledger, Customers and Settings sheets
(read with openpyxl), the tests' own list of EU countries and the rules of the contract.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import load_example, run_cli
from openpyxl.utils import get_column_letter
from xlsx_edits import Edit, chain, edited, number_cell, set_cell, sheet_part, text_cell

OCT, NOV = "2026-10", "2026-11"
BOOK = "MSP_Billing.xlsx"
CONSULTANT, CLIENT = "29098", "55003"  # the demo's Beraternummer and Mandantennummer
# The 27 member states (Greece also as EL, its VAT prefix).
EU = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "GR", "HR",
    "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
}  # fmt: skip
ACCOUNTS = {
    "SKR03": {"domestic": "8400", "EU reverse charge": "8336", "outside the EU": "8338"},
    "SKR04": {"domestic": "4400", "EU reverse charge": "4336", "outside the EU": "4338"},
}
FIRST_NAMES = ("Umsatz (ohne Soll/Haben-Kz)", "Soll/Haben-Kennzeichen", "WKZ Umsatz", "Kurs")
FILLED = {
    "Umsatz (ohne Soll/Haben-Kz)",
    "Soll/Haben-Kennzeichen",
    "Konto",
    "Gegenkonto (ohne BU-Schlüssel)",
    "Belegdatum",
    "Belegfeld 1",
    "Buchungstext",
    "EU-Land u. UStID (Bestimmung)",
}


# --- Reading the workbook and the batch -----------------------------------------------------------


def money(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def german(amount: Decimal) -> str:
    """`1234,56`: the amount as DATEV takes it, no thousands separator."""
    return f"{abs(amount):.2f}".replace(".", ",")


def english(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def sheets(path: Path, *names: str) -> dict[str, tuple[list[str], list[dict[str, Any]]]]:
    """Each sheet's header and the rows below it as dicts (blank rows left out), in one read."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        found = {}
        for name in names:
            rows = list(book[name].iter_rows(values_only=True))
            head = [h for h in rows[0] if h is not None]
            found[name] = (
                head,
                [
                    dict(zip(head, row, strict=False))
                    for row in rows[1:]
                    if any(v not in (None, "") for v in row[: len(head)])
                ],
            )
        return found
    finally:
        book.close()


def sheet_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    return sheets(path, sheet)[sheet][1]


@dataclass(frozen=True)
class Book:
    """What the tests read from a closed workbook about one month."""

    invoices: list[dict[str, Any]]  # the Invoices rows of the month, in sheet order
    finalized: dict[str, datetime]  # Ledger: invoice number -> its Finalized time
    customers: dict[str, dict[str, Any]]  # Customers rows by Customer ID
    customer_rows: dict[str, int]  # the sheet row of each customer
    customer_columns: dict[str, str]  # Customers header -> column letter
    settings: dict[str, Any]  # Setting -> Value
    setting_rows: dict[str, int]  # Setting -> its sheet row

    def setting_cell(self, name: str) -> str:
        return f"B{self.setting_rows[name]}"

    def customer_cell(self, customer_id: str, column: str) -> str:
        return f"{self.customer_columns[column]}{self.customer_rows[customer_id]}"

    def typed_debitors(self) -> dict[str, int]:
        return {
            cid: int(str(row["Debitor"]).strip())
            for cid, row in self.customers.items()
            if row.get("Debitor") not in (None, "")
        }

    def closed_at(self) -> datetime:
        (moment,) = set(self.finalized.values())  # one close, one moment
        return moment


def read_book(path: Path, month: str) -> Book:
    read = sheets(path, "Invoices", "Ledger", "Customers", "Settings")
    head, customers = read["Customers"]
    settings = read["Settings"][1]
    return Book(
        invoices=[r for r in read["Invoices"][1] if r["Month"] == month],
        finalized={r["Invoice"]: r["Finalized"] for r in read["Ledger"][1] if r["Month"] == month},
        customers={r["Customer ID"]: r for r in customers},
        customer_rows={r["Customer ID"]: n for n, r in enumerate(customers, start=2)},
        customer_columns={h: get_column_letter(i) for i, h in enumerate(head, start=1)},
        settings={r["Setting"]: r["Value"] for r in settings},
        setting_rows={r["Setting"]: n for n, r in enumerate(settings, start=2)},
    )


@dataclass(frozen=True)
class Batch:
    data: bytes
    header: list[str]
    names: list[str]
    bookings: list[dict[str, str]]  # column name -> field

    def by_invoice(self) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        for booking in self.bookings:
            assert booking["Belegfeld 1"] not in found, booking["Belegfeld 1"]
            found[booking["Belegfeld 1"]] = booking
        return found


def read_batch(path: Path) -> Batch:
    data = path.read_bytes()
    with open(path, encoding="cp1252", newline="") as f:
        rows = list(csv.reader(f, delimiter=";", quotechar='"'))
    header, names, *lines = rows
    assert all(len(line) == len(names) for line in lines), [len(line) for line in lines]
    return Batch(data, header, names, [dict(zip(names, line, strict=True)) for line in lines])


def tax_case(invoice: dict[str, Any], book: Book) -> str:
    if invoice["Reverse charge"] != "yes":
        return "domestic"
    customer = book.customers[invoice["Customer ID"]]
    country = (customer["Country"] or book.settings["Country"]).strip().upper()
    return "EU reverse charge" if country in EU else "outside the EU"


def fiscal_year_start(day: date, start_month: int) -> date:
    return date(day.year if day.month >= start_month else day.year - 1, start_month, 1)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


def export(path: Path, month: str = OCT, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("export-datev", str(path), "--month", month, *extra)


def errors_of(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("error: ")]


def target(path: Path, month: str = OCT) -> Path:
    return path.parent / f"EXTF_Buchungsstapel_{month}.csv"


def copy_into(src: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(src, folder / BOOK))


def with_edits(src: Path, folder: Path, sheet: str, *edits: Edit) -> Path:
    """A copy of `src` in `folder` with cells of `sheet` retyped in its XML, as Excel saves them."""
    folder.mkdir(parents=True, exist_ok=True)
    return edited(src, folder / BOOK, {sheet_part(src, sheet): chain(*edits)})


def close(path: Path, month: str) -> None:
    done = run_cli("close", str(path), "--month", month)
    assert done.returncode == 0, done.stdout + done.stderr


# --- The demo's October, closed and exported --------------------------------------------------


@dataclass(frozen=True)
class Exported:
    closed: Path  # the closed workbook before the export: tests copy it, never write it
    path: Path  # the workbook the export ran on
    run: subprocess.CompletedProcess[str]
    book: Book  # read after the export
    file: Path
    debitors_before: list[dict[str, Any]]


def closed_and_exported(folder: Path, source: Path, month: str) -> Exported:
    path = copy_into(source, folder / "work")
    close(path, month)
    closed = copy_into(path, folder / "closed")
    debitors_before = sheet_rows(path, "Debitors")
    run = export(path, month)
    return Exported(closed, path, run, read_book(path, month), target(path, month), debitors_before)


@pytest.fixture(scope="module")
def october(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    return closed_and_exported(tmp_path_factory.mktemp("october"), demo, OCT)


@pytest.fixture(scope="module")
def november(october: Exported, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """October exported (its debitor numbers given), then November closed and exported."""
    return closed_and_exported(tmp_path_factory.mktemp("november"), october.path, NOV)


def test_the_export_reports_the_file_its_bookings_and_their_totals(october):
    run, book = october.run, october.book
    assert run.returncode == 0, run.stdout + run.stderr
    gross = [money(i["Gross"]) for i in book.invoices]
    debit = sum((g for g in gross if g > 0), Decimal("0.00"))
    credit = sum((-g for g in gross if g < 0), Decimal("0.00"))
    booked = sum(1 for g in gross if g != 0)
    lines = run.stdout.splitlines()
    assert lines[0] == (
        f"DATEV booking batch for {OCT}: {october.file} written, {booked} bookings "
        f"(S {english(debit)}, H {english(credit)})"
    )
    assert lines[-1] == "0 errors"
    assert run.stderr == ""


def test_the_file_is_windows_1252_with_crlf_after_every_line_and_nowhere_else(october):
    data = october.file.read_bytes()
    text = data.decode("cp1252")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "") and "\r" not in text.replace("\r\n", "")
    assert len(text.split("\r\n")) == 2 + len(october.book.invoices) + 1
    # Umlauts of the column names and customer names are single cp1252 bytes, not UTF-8.
    assert "Gegenkonto (ohne BU-Schlüssel)".encode("cp1252") in data
    assert "Schlüssel".encode() not in data


def test_the_header_names_the_adviser_client_fiscal_year_period_and_chart(october):
    batch, book = read_batch(october.file), october.book
    closed_at = book.closed_at()
    day = closed_at.strftime("%Y%m%d")
    expected = [
        "EXTF", "700", "21", "Buchungsstapel", "13", stamp(closed_at), "", "RE", "", "",
        CONSULTANT, CLIENT, fiscal_year_start(closed_at.date(), 1).strftime("%Y%m%d"), "4",
        day, day, f"Rechnungen {OCT}", "", "1", "0", "0", "EUR", "", "", "", "", "03", "", "",
        "", "msp_workbook",
    ]  # fmt: skip
    assert batch.header == expected
    assert batch.header[12] == f"{closed_at.year}0101"
    assert batch.header[5].endswith("000")
    # The text fields in quotes, the numbers bare: the line as DATEV's own example writes it.
    first = batch.data.split(b"\r\n")[0].decode("cp1252")
    assert first == (
        f'"EXTF";700;21;"Buchungsstapel";13;{stamp(closed_at)};;"RE";"";"";{CONSULTANT};'
        f'{CLIENT};{expected[12]};4;{day};{day};"Rechnungen {OCT}";"";1;0;0;"EUR";;"";;;"03";;;'
        '"";"msp_workbook"'
    )


def test_line_two_is_the_125_column_names_of_format_version_13(october):
    names = read_batch(october.file).names
    assert len(names) == 125 == len(set(names))
    assert tuple(names[:4]) == FIRST_NAMES
    assert names[-1] == "Abw. Skontokonto"
    assert set(names) >= FILLED
    assert names.index("Konto") == 6 and names.index("Belegdatum") == 9
    assert names.index("Belegfeld 1") == 10 and names.index("Buchungstext") == 13
    assert names.index("EU-Land u. UStID (Bestimmung)") == 39


def check_bookings(batch: Batch, book: Book, month: str, chart: str = "SKR03") -> None:
    """Every invoice of the month with a Gross is one booking that says what the contract
    says; nothing else is booked."""
    accounts = ACCOUNTS[chart]
    typed = book.typed_debitors()
    booked = batch.by_invoice()
    with_gross = [i for i in book.invoices if money(i["Gross"]) != 0]
    assert sorted(booked) == sorted(i["Invoice"] for i in with_gross)
    for invoice in with_gross:
        number, gross = invoice["Invoice"], money(invoice["Gross"])
        booking = booked[number]
        customer = book.customers[invoice["Customer ID"]]
        case = tax_case(invoice, book)
        assert booking["Umsatz (ohne Soll/Haben-Kz)"] == german(gross), number
        assert booking["Soll/Haben-Kennzeichen"] == ("S" if gross > 0 else "H"), number
        konto = booking["Konto"]
        assert len(konto) == 5 and 10000 <= int(konto) <= 69999, (number, konto)
        if invoice["Customer ID"] in typed:
            assert int(konto) == typed[invoice["Customer ID"]], number
        assert booking["Gegenkonto (ohne BU-Schlüssel)"] == accounts[case], (number, case)
        assert booking["Belegdatum"] == book.finalized[number].strftime("%d%m"), number
        assert booking["Buchungstext"] == f"{invoice['Customer']} {month}", number
        vat_id = (customer["VAT ID"] or "").replace(" ", "").upper()
        expected_vat_id = vat_id if case == "EU reverse charge" else ""
        assert booking["EU-Land u. UStID (Bestimmung)"] == expected_vat_id, number
        others = {k: v for k, v in booking.items() if k not in FILLED and v != ""}
        assert others == {}, number
    total = sum((money(i["Gross"]) for i in book.invoices), Decimal("0.00"))
    signed = sum(
        (
            Decimal(b["Umsatz (ohne Soll/Haben-Kz)"].replace(",", "."))
            * (1 if b["Soll/Haben-Kennzeichen"] == "S" else -1)
            for b in batch.bookings
        ),
        Decimal("0.00"),
    )
    assert signed == total


def test_every_invoice_is_one_booking_of_its_gross_on_its_debitor(october):
    book = october.book
    assert len(book.invoices) >= 20 and len(set(book.finalized.values())) == 1
    cases = {tax_case(i, book) for i in book.invoices}
    assert cases == {"domestic", "EU reverse charge", "outside the EU"}  # the demo has all three
    batch = read_batch(october.file)
    assert len(batch.bookings) == len(book.invoices)
    check_bookings(batch, book, OCT)


def test_an_austrian_customer_without_vat_id_is_booked_as_domestic_revenue(october):
    book = october.book
    (hofer,) = [
        i
        for i in book.invoices
        if (book.customers[i["Customer ID"]]["Country"] or "") == "AT"
        and not book.customers[i["Customer ID"]]["VAT ID"]
    ]
    booking = read_batch(october.file).by_invoice()[hofer["Invoice"]]
    assert booking["Gegenkonto (ohne BU-Schlüssel)"] == "8400"
    assert booking["EU-Land u. UStID (Bestimmung)"] == ""


# --- Debitor numbers --------------------------------------------------------------------------


def kontos(batch: Batch, book: Book) -> dict[str, int]:
    """Customer ID -> the Konto its bookings use (one per customer)."""
    by_invoice = batch.by_invoice()
    found: dict[str, set[int]] = {}
    for invoice in book.invoices:
        if invoice["Invoice"] in by_invoice:
            konto = int(by_invoice[invoice["Invoice"]]["Konto"])
            found.setdefault(invoice["Customer ID"], set()).add(konto)
    assert all(len(k) == 1 for k in found.values()), found
    return {cid: k.pop() for cid, k in found.items()}


def test_typed_debitors_are_used_and_the_others_get_the_lowest_free_numbers(october):
    book = october.book
    typed = book.typed_debitors()
    assert typed == {"C-0001": 10001, "C-0002": 10002}
    numbers = kontos(read_batch(october.file), book)
    assert numbers["C-0001"] == 10001
    others = {cid: n for cid, n in numbers.items() if cid not in typed}
    assert len(set(others.values())) == len(others)
    assert not set(others.values()) & {10001, 10002}
    # Given in invoice order, each the lowest number from 10000 not typed nor given yet.
    expected, candidate, taken = {}, 10000, set(typed.values())
    for invoice in book.invoices:
        cid = invoice["Customer ID"]
        if cid in typed or cid in expected:
            continue
        while candidate in taken:
            candidate += 1
        expected[cid] = candidate
        taken.add(candidate)
    assert others == expected


def test_the_numbers_given_are_kept_on_the_debitors_sheet_with_their_month(october):
    book = october.book
    numbers = kontos(read_batch(october.file), book)
    typed = book.typed_debitors()
    order = list(dict.fromkeys(i["Customer ID"] for i in book.invoices))
    given = [(cid, numbers[cid], OCT) for cid in order if cid not in typed]
    assert october.debitors_before == []
    rows = sheet_rows(october.path, "Debitors")
    assert [(r["Customer ID"], r["Debitor"], r["Month"]) for r in rows] == given
    values = [n for _, n, _ in given]
    assert october.run.stdout.splitlines()[1] == (
        f"{len(given)} debitor numbers given ({min(values)}-{max(values)}), "
        "kept on the Debitors sheet"
    )


def test_a_later_month_books_every_customer_on_the_same_debitor(october, november):
    run = november.run
    assert run.returncode == 0, run.stdout + run.stderr
    batch = read_batch(november.file)
    check_bookings(batch, november.book, NOV)
    before = kontos(read_batch(october.file), october.book)
    after = kontos(batch, november.book)
    both = set(before) & set(after)
    assert len(both) >= 20
    assert {cid: after[cid] for cid in both} == {cid: before[cid] for cid in both}
    assert after["C-0002"] == 10002  # typed, not invoiced in October
    for cid in set(after) - set(before) - set(november.book.typed_debitors()):
        assert after[cid] not in before.values(), cid
    # No customer was new: nothing is given, the Debitors sheet is as October left it.
    assert sheet_rows(november.path, "Debitors") == november.debitors_before
    assert "debitor number" not in run.stdout


def test_a_customer_new_to_the_batch_gets_a_number_never_used_before(october, november, tmp_path):
    # C-0002 is billed first in November; without its typed Debitor it needs a number.
    book = november.book
    path = with_edits(
        november.closed,
        tmp_path,
        "Customers",
        set_cell(book.customer_cell("C-0002", "Debitor"), ""),
    )
    run = export(path, NOV)
    assert run.returncode == 0, run.stdout + run.stderr
    numbers = kontos(read_batch(target(path, NOV)), book)
    given_before = {r["Debitor"] for r in november.debitors_before}
    typed_now = {n for cid, n in book.typed_debitors().items() if cid != "C-0002"}
    free = min(n for n in range(10000, 70000) if n not in given_before | typed_now)
    assert numbers["C-0002"] == free
    assert free not in kontos(read_batch(october.file), october.book).values()
    rows = sheet_rows(path, "Debitors")
    assert rows[:-1] == november.debitors_before
    assert (rows[-1]["Customer ID"], rows[-1]["Debitor"], rows[-1]["Month"]) == (
        "C-0002",
        free,
        NOV,
    )
    assert run.stdout.splitlines()[1].startswith("1 debitor number given")


def test_a_debitor_typed_as_a_number_cell_is_used(october, tmp_path):
    cell = october.book.customer_cell("C-0003", "Debitor")
    path = with_edits(october.closed, tmp_path, "Customers", number_cell(cell, "12345"))
    run = export(path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert kontos(read_batch(target(path)), october.book)["C-0003"] == 12345


# --- The same bytes -----------------------------------------------------------------------------


def test_a_second_export_finds_the_same_bytes_and_gives_no_new_numbers(october, tmp_path):
    path = copy_into(october.path, tmp_path)
    shutil.copy(october.file, target(path))
    before, book_before = target(path).read_bytes(), path.read_bytes()
    run = export(path)
    assert run.returncode == 0, run.stdout + run.stderr
    first = october.run.stdout.splitlines()[0].replace(str(october.file), str(target(path)))
    assert run.stdout.splitlines() == [first.replace(" written, ", " unchanged, "), "0 errors"]
    assert target(path).read_bytes() == before
    assert path.read_bytes() == book_before  # the Debitors sheet has no new rows
    assert sheet_rows(path, "Debitors") == sheet_rows(october.path, "Debitors")


def test_october_exported_again_after_november_is_closed_is_the_same_file(
    october, november, tmp_path
):
    path = copy_into(november.path, tmp_path / "book")
    before = path.read_bytes()
    out = tmp_path / "again.csv"
    run = export(path, OCT, "--out", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    assert out.read_bytes() == october.file.read_bytes()
    assert path.read_bytes() == before


def test_out_writes_the_same_bytes_elsewhere_and_nothing_beside_the_workbook(october, tmp_path):
    path = copy_into(october.closed, tmp_path / "book")
    out = tmp_path / "for the adviser" / "batch.csv"
    run = export(path, OCT, "--out", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith(f"DATEV booking batch for {OCT}: {out} written, ")
    assert out.read_bytes() == october.file.read_bytes()
    assert not target(path).exists()


# --- Refusals -------------------------------------------------------------------------------------


def test_a_month_not_closed_exits_2_with_one_line(demo, october, tmp_path):
    for path, month in ((copy_into(demo, tmp_path / "open"), OCT), (october.path, "2026-12")):
        run = export(path, month, "--out", str(tmp_path / "batch.csv"))
        assert (run.returncode, run.stdout) == (2, ""), run.stderr
        assert run.stderr.startswith(f"msp-workbook: {month} is not closed")
        assert run.stderr.count("\n") == 1 and run.stderr.endswith("\n")
        assert not (tmp_path / "batch.csv").exists()
    assert not target(tmp_path / "open" / BOOK).exists()


def refused(path: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """An export that must write nothing: no file, and the workbook byte for byte as it was."""
    before = path.read_bytes()
    run = export(path, OCT, *extra)
    assert "Traceback" not in run.stderr, run.stderr[-600:]
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stdout.splitlines()[0] == f"DATEV booking batch for {OCT}: not written"
    errors = errors_of(run)
    assert run.stdout.splitlines()[1] == f"{len(errors)} error{'' if len(errors) == 1 else 's'}"
    assert path.read_bytes() == before
    return run, errors


@pytest.mark.parametrize(
    ("setting", "what"),
    [
        ("DATEV consultant", "your tax adviser's Beraternummer"),
        ("DATEV client", "your Mandantennummer"),
    ],
)
def test_an_empty_datev_number_is_an_error_at_its_settings_cell(october, tmp_path, setting, what):
    cell = october.book.setting_cell(setting)
    path = with_edits(october.closed, tmp_path, "Settings", set_cell(cell, ""))
    _, errors = refused(path)
    assert errors == [f"error: Settings!{cell}: {setting} is empty: the DATEV export needs {what}"]
    assert not target(path).exists()


def test_a_currency_other_than_eur_is_an_error_at_its_cell(october, tmp_path):
    cell = october.book.setting_cell("Currency")
    path = with_edits(october.closed, tmp_path, "Settings", text_cell(cell, "CHF"))
    _, errors = refused(path)
    assert errors == [
        f"error: Settings!{cell}: the DATEV export books in EUR only; Currency is CHF"
    ]
    assert not target(path).exists()


def test_a_chart_of_accounts_other_than_skr03_or_skr04_is_an_error_at_its_cell(october, tmp_path):
    cell = october.book.setting_cell("Chart of accounts")
    path = with_edits(october.closed, tmp_path, "Settings", text_cell(cell, "SKR05"))
    _, errors = refused(path)
    assert len(errors) == 1 and errors[0].startswith(f"error: Settings!{cell}: "), errors
    assert not target(path).exists()


def test_a_debitor_out_of_range_is_an_error_at_its_customers_cell(october, tmp_path):
    cell = october.book.customer_cell("C-0004", "Debitor")
    path = with_edits(october.closed, tmp_path, "Customers", text_cell(cell, "123"))
    _, errors = refused(path)
    assert errors == [
        f"error: Customers!{cell}: Debitor must be a number from 10000 to 69999 "
        '(DATEV debitor accounts), got "123"'
    ]
    assert not target(path).exists()


def test_one_debitor_typed_for_two_customers_is_an_error_at_the_second(october, tmp_path):
    cell = october.book.customer_cell("C-0004", "Debitor")
    path = with_edits(october.closed, tmp_path, "Customers", text_cell(cell, "10001"))
    _, errors = refused(path)
    assert errors == [f"error: Customers!{cell}: Debitor 10001 is typed for C-0001 too"]
    assert not target(path).exists()


def test_a_debitor_typed_that_an_earlier_export_gave_another_customer_is_an_error(
    october, tmp_path
):
    given = {r["Customer ID"]: r["Debitor"] for r in sheet_rows(october.path, "Debitors")}
    cell = october.book.customer_cell("C-0004", "Debitor")
    taken = given["C-0003"]
    path = with_edits(october.path, tmp_path, "Customers", text_cell(cell, str(taken)))
    _, errors = refused(path, "--out", str(tmp_path / "batch.csv"))
    assert errors == [
        f"error: Customers!{cell}: Debitor {taken} was given to C-0003 by an earlier DATEV "
        "export (sheet Debitors): type another number"
    ]
    assert not (tmp_path / "batch.csv").exists()


def test_an_existing_file_with_other_content_is_not_overwritten(october, tmp_path):
    path = copy_into(october.closed, tmp_path)
    target(path).write_bytes(b"sent to the adviser last week\r\n")
    _, errors = refused(path)
    assert errors == [
        f"error: {target(path)} exists with other content (an earlier export, perhaps sent "
        "already) and is not overwritten: move it away to write this one"
    ]
    assert target(path).read_bytes() == b"sent to the adviser last week\r\n"
    assert sheet_rows(path, "Debitors") == []


@pytest.mark.parametrize("typed", ["ATU-12345675", "ATU 123.456.75"])
def test_an_eu_vat_id_typed_with_separators_is_booked_compact_or_named_at_its_cell(
    october, tmp_path, typed
):
    # A valid VAT ID written with a hyphen or dots, as on letterheads. DATEV's field takes
    # letters and digits only: the booking carries it compact (as it does a VAT ID typed with
    # spaces), or the export names the cell. Never a crash.
    (austrian,) = [cid for cid, c in october.book.customers.items() if c["VAT ID"] == "ATU12345675"]
    cell = october.book.customer_cell(austrian, "VAT ID")
    path = with_edits(october.closed, tmp_path, "Customers", text_cell(cell, typed))
    run = export(path)
    assert "Traceback" not in run.stderr, run.stderr[-600:]
    if run.returncode == 0:
        (invoice,) = [i for i in october.book.invoices if i["Customer ID"] == austrian]
        booking = read_batch(target(path)).by_invoice()[invoice["Invoice"]]
        assert booking["EU-Land u. UStID (Bestimmung)"] == "ATU12345675"
    else:
        assert run.returncode == 1, run.stdout + run.stderr
        errors = errors_of(run)
        assert len(errors) == 1 and errors[0].startswith(f"error: Customers!{cell}: "), errors
        assert not target(path).exists()


def test_an_eu_vat_id_with_a_wrong_check_sum_is_an_error_at_its_cell(october, tmp_path):
    # SPEC section 9: a VAT ID whose check sum is wrong is an error for the export that needs it.
    (austrian,) = [cid for cid, c in october.book.customers.items() if c["VAT ID"] == "ATU12345675"]
    cell = october.book.customer_cell(austrian, "VAT ID")
    path = with_edits(october.closed, tmp_path, "Customers", text_cell(cell, "ATU12345670"))
    _, errors = refused(path)
    assert len(errors) == 1 and errors[0].startswith(f"error: Customers!{cell}: "), errors
    assert not target(path).exists()


# --- Charts and accounts --------------------------------------------------------------------------


def test_skr04_books_on_4400_4336_4338_and_says_04_in_the_header(october, tmp_path):
    cell = october.book.setting_cell("Chart of accounts")
    path = with_edits(october.closed, tmp_path, "Settings", text_cell(cell, "SKR04"))
    run = export(path)
    assert run.returncode == 0, run.stdout + run.stderr
    batch = read_batch(target(path))
    assert batch.header[26] == "04"
    check_bookings(batch, october.book, OCT, chart="SKR04")
    assert {b["Gegenkonto (ohne BU-Schlüssel)"] for b in batch.bookings} == {"4400", "4336", "4338"}


def test_a_typed_revenue_account_takes_the_domestic_bookings_only(october, tmp_path):
    cell = october.book.setting_cell("Revenue account")
    path = with_edits(october.closed, tmp_path, "Settings", number_cell(cell, "8401"))
    run = export(path)
    assert run.returncode == 0, run.stdout + run.stderr
    batch, book = read_batch(target(path)), october.book
    booked = batch.by_invoice()
    for invoice in book.invoices:
        case = tax_case(invoice, book)
        expected = "8401" if case == "domestic" else ACCOUNTS["SKR03"][case]
        assert booked[invoice["Invoice"]]["Gegenkonto (ohne BU-Schlüssel)"] == expected
    assert batch.header[26] == "03"


def test_all_three_accounts_typed_under_skr04(october, tmp_path):
    book = october.book
    path = with_edits(
        october.closed,
        tmp_path,
        "Settings",
        text_cell(book.setting_cell("Chart of accounts"), "SKR04"),
        number_cell(book.setting_cell("Revenue account"), "4401"),
        number_cell(book.setting_cell("Reverse charge account"), "4337"),
        number_cell(book.setting_cell("Non-EU account"), "4339"),
    )
    run = export(path)
    assert run.returncode == 0, run.stdout + run.stderr
    mine = {"domestic": "4401", "EU reverse charge": "4337", "outside the EU": "4339"}
    booked = read_batch(target(path)).by_invoice()
    for invoice in book.invoices:
        contra = booked[invoice["Invoice"]]["Gegenkonto (ohne BU-Schlüssel)"]
        assert contra == mine[tax_case(invoice, book)]


def test_one_account_typed_for_two_tax_cases_is_an_error(october, tmp_path):
    cell = october.book.setting_cell("Revenue account")
    path = with_edits(october.closed, tmp_path, "Settings", number_cell(cell, "8336"))
    _, errors = refused(path)
    assert len(errors) == 1 and errors[0].startswith(f"error: Settings!{cell}: "), errors
    assert not target(path).exists()


# --- The fiscal year ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def closed_in_march(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Book]:
    """The demo's October closed on 2 March of the next year (a closing time the command line
    cannot choose): issue date and fiscal year start fall in different calendar years."""
    from msp_workbook.app.close import close_month
    from msp_workbook.core.months import Month

    path = copy_into(demo, tmp_path_factory.mktemp("march"))
    close_month(path, Month.parse(OCT), now=datetime(2027, 3, 2, 9, 0))
    return path, read_book(path, OCT)


@pytest.mark.parametrize("start", [1, 7, 12])
def test_the_fiscal_year_start_is_that_of_the_issue_date(october, tmp_path, start):
    cell = october.book.setting_cell("Fiscal year start")
    path = with_edits(october.closed, tmp_path, "Settings", number_cell(cell, str(start)))
    run = export(path)
    assert run.returncode == 0, run.stdout + run.stderr
    day = october.book.closed_at().date()
    assert read_batch(target(path)).header[12] == fiscal_year_start(day, start).strftime("%Y%m%d")


@pytest.mark.parametrize(
    ("start", "expected"), [(1, "20270101"), (3, "20270301"), (4, "20260401"), (7, "20260701")]
)
def test_an_issue_date_before_the_start_month_belongs_to_the_fiscal_year_before(
    closed_in_march, tmp_path, start, expected
):
    closed, book = closed_in_march
    assert book.closed_at() == datetime(2027, 3, 2, 9, 0)
    cell = book.setting_cell("Fiscal year start")
    path = with_edits(closed, tmp_path, "Settings", number_cell(cell, str(start)))
    run = export(path)
    assert run.returncode == 0, run.stdout + run.stderr
    batch = read_batch(target(path))
    assert batch.header[12] == expected
    assert batch.header[5] == "20270302090000000"
    assert (batch.header[14], batch.header[15]) == ("20270302", "20270302")
    assert {b["Belegdatum"] for b in batch.bookings} == {"0203"}


# --- Texts ----------------------------------------------------------------------------------------

LONG = "Ingenieurgesellschaft für Gebäudetechnik und Energieberatung Nordwest mbH"


@pytest.fixture(scope="module")
def named(october: Exported, demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """The demo with customers renamed before October is closed: quotes and a semicolon, letters
    Windows-1252 lacks, a name longer than the booking text; and a VAT ID typed with a space
    in lower case."""
    book = october.book
    folder = tmp_path_factory.mktemp("named")
    source = with_edits(
        demo,
        folder / "source",
        "Customers",
        text_cell(book.customer_cell("C-0003", "Customer"), 'Praxis "Dr. Lang"; Zahnärzte'),
        text_cell(book.customer_cell("C-0004", "Customer"), "Łukasz Wiśniewski Sp. z o.o."),
        text_cell(book.customer_cell("C-0005", "Customer"), LONG),
        text_cell(book.customer_cell("C-0024", "VAT ID"), "atu 12345675"),
    )
    return closed_and_exported(folder, source, OCT)


def test_booking_texts_keep_quotes_and_semicolons_and_fit_in_60_characters(named):
    assert named.run.returncode == 0, named.run.stdout + named.run.stderr
    batch, book = read_batch(named.file), named.book
    texts = {
        i["Customer ID"]: batch.by_invoice()[i["Invoice"]]["Buchungstext"] for i in book.invoices
    }
    assert texts["C-0003"] == f'Praxis "Dr. Lang"; Zahnärzte {OCT}'
    assert texts["C-0004"] == f"Lukasz Wisniewski Sp. z o.o. {OCT}"
    long = texts["C-0005"]
    assert len(long) <= 60 and long.endswith(f" {OCT}"), long
    assert LONG.startswith(long[: -len(f" {OCT}")].rstrip("…").rstrip()), long
    assert all(len(t) <= 60 for t in texts.values())
    assert b'"Praxis ""Dr. Lang""; Zahn\xe4rzte 2026-10"' in batch.data


def test_a_vat_id_typed_with_a_space_in_lower_case_is_written_as_datev_takes_it(named):
    (invoice,) = [i for i in named.book.invoices if i["Customer ID"] == "C-0024"]
    booking = read_batch(named.file).by_invoice()[invoice["Invoice"]]
    assert booking["EU-Land u. UStID (Bestimmung)"] == "ATU12345675"
    assert booking["Gegenkonto (ohne BU-Schlüssel)"] == "8336"


def test_a_customer_renamed_after_closing_is_booked_under_the_name_invoiced(october, tmp_path):
    book = october.book
    cell = book.customer_cell("C-0003", "Customer")
    path = with_edits(october.closed, tmp_path, "Customers", text_cell(cell, "Neuer Name GmbH"))
    run = export(path)
    assert run.returncode == 0, run.stdout + run.stderr
    (invoice,) = [i for i in book.invoices if i["Customer ID"] == "C-0003"]
    booking = read_batch(target(path)).by_invoice()[invoice["Invoice"]]
    assert booking["Buchungstext"] == f"{invoice['Customer']} {OCT}"
    assert read_batch(target(path)).data == october.file.read_bytes()


def test_an_invoice_number_datev_cannot_take_is_an_error_at_the_invoice_prefix(
    demo, october, tmp_path
):
    cell = october.book.setting_cell("Invoice prefix")
    path = with_edits(demo, tmp_path, "Settings", text_cell(cell, "RE #"))
    close(path, OCT)
    _, errors = refused(path)
    # The prefix is named at its cell; the closed invoice numbers cannot change any more.
    assert any(e.startswith(f"error: Settings!{cell}: ") for e in errors), errors
    assert all("DATEV Belegfeld 1" in e for e in errors), errors
    assert any('"RE #2026-0001"' in e for e in errors), errors
    assert not target(path).exists()


# --- A credit and an invoice of 0.00 (a workbook of our own) --------------------------------------


def credit_data() -> dict[str, list[dict[str, object]]]:
    """Three customers from 2026-09: C-0001 billed 100 mailboxes in September, 10 in October
    after September's reading is corrected to 10 (a credit in October); C-0002 with a `sum`
    metric and no readings (an invoice of 0.00); C-0003 billed 10 mailboxes each month."""
    data = load_example("basic")

    def blank(table: str) -> dict[str, object]:
        return dict.fromkeys(data[table][0])

    for row in data["Settings"]:
        if row["Setting"] == "Billing month":
            row["Value"] = "2026-09"
    data["Settings"] += [
        {"Setting": "DATEV consultant", "Value": int(CONSULTANT)},
        {"Setting": "DATEV client", "Value": int(CLIENT)},
    ]
    product = blank("Products")
    data["Products"] = [
        {**product, "Product ID": "KC-MSP", "Product": "GFI KerioConnect AI MSP",
         "Metric": "mailboxes", "Aggregation": "max", "Cost per unit": Decimal("1.60"),
         "Price per unit": Decimal("2.40"), "Minimum units": 0},
        {**product, "Product ID": "LG-SCAN", "Product": "GFI LanGuard scans", "Metric": "scans",
         "Aggregation": "sum", "Cost per unit": Decimal("0.02"),
         "Price per unit": Decimal("0.03"), "Minimum units": 0},
    ]  # fmt: skip
    data["AnnualPrices"] = []
    customer = blank("Customers")
    data["Customers"] = [
        {**customer, "Customer ID": f"C-000{n}", "Customer": name, "Country": "DE",
         "Discount %": Decimal(0)}
        for n, name in enumerate(["Gutschrift GmbH", "Null GmbH", "Normal GmbH"], start=1)
    ]  # fmt: skip
    key = blank("Keys")
    data["Keys"] = [
        {**key, "License key": f"K{n}{n}{n}{n}-AAAAA-BBBBB-CCCC2", "Customer ID": f"C-000{n}",
         "Product ID": product_id, "Start": date(2026, 9, 1), "Status": "active"}
        for n, product_id in ((1, "KC-MSP"), (2, "LG-SCAN"), (3, "KC-MSP"))
    ]  # fmt: skip
    usage = blank("Usage")
    data["Usage"] = [
        {**usage, "Date": day, "License key": f"K{n}{n}{n}{n}-AAAAA-BBBBB-CCCC2",
         "Metric": "mailboxes", "Quantity": quantity}
        for day, n, quantity in (
            (date(2026, 9, 30), 1, 100),  # row 2: corrected to 10 after September is closed
            (date(2026, 9, 30), 3, 10),
            (date(2026, 10, 31), 1, 10),
            (date(2026, 10, 31), 3, 10),
        )
    ]  # fmt: skip
    return data


def test_a_credit_is_booked_h_with_its_amount_and_an_invoice_of_zero_is_not_booked(
    make_workbook: Callable[..., Path], tmp_path
):
    path = make_workbook(credit_data())
    close(path, "2026-09")
    fixed = tmp_path / "fixed.xlsx"
    edited(path, fixed, {sheet_part(path, "Usage"): number_cell("D2", "10")})
    shutil.move(fixed, path)
    close(path, OCT)
    book = read_book(path, OCT)
    gross = {i["Customer ID"]: money(i["Gross"]) for i in book.invoices}
    assert gross["C-0001"] < 0 and gross["C-0002"] == 0 and gross["C-0003"] > 0, gross

    run = export(path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[0] == (
        f"DATEV booking batch for {OCT}: {target(path)} written, 2 bookings "
        f"(S {english(gross['C-0003'])}, H {english(-gross['C-0001'])})"
    )
    batch = read_batch(target(path))
    assert len(batch.bookings) == 2
    check_bookings(batch, book, OCT)
    number = {i["Customer ID"]: i["Invoice"] for i in book.invoices}
    credit = batch.by_invoice()[number["C-0001"]]
    assert credit["Soll/Haben-Kennzeichen"] == "H"
    assert credit["Umsatz (ohne Soll/Haben-Kz)"] == german(-gross["C-0001"])
    assert number["C-0002"] not in batch.by_invoice()
    assert "0,00" not in {b["Umsatz (ohne Soll/Haben-Kz)"] for b in batch.bookings}
    # No booking, no debitor number: only the two booked customers get one.
    assert run.stdout.splitlines()[1].startswith("2 debitor numbers given")
    assert sorted(r["Customer ID"] for r in sheet_rows(path, "Debitors")) == ["C-0001", "C-0003"]
