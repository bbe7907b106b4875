"""`export-sepa` (SPEC section 9): a closed month's direct debits as a SEPA Core pain.008.001.02
file, through the real command line on copies of the demo workbook.

The file is read back independently: lxml parses it and validates it against the official XSD
shipped in the sepaxml package; nothing of the product's SEPA code (`msp_workbook.core.sepa`,
`msp_workbook.exports`) is used here. What each transaction must say is worked out in the test from
the workbook's Invoices, Ledger, Customers and Settings sheets as openpyxl reads them and from the
rules of the contract: one transaction per invoice with a positive Gross of a customer paying by
direct debit, FRST for a mandate's first collection and RCUR after, collected on the closing date
plus Settings' Payment days unless --collection-date says otherwise.

The demo's direct-debit customers are C-0003, C-0004 and C-0005. Closing costs about a second per
month, so the closed workbooks are built once per module and every test works on a copy.
"""

from __future__ import annotations

import importlib.resources
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import run_cli
from lxml import etree
from openpyxl.utils import get_column_letter
from xlsx_edits import Edit, chain, edited, set_cell, sheet_part, text_cell

SEP, OCT, NOV = "2026-09", "2026-10", "2026-11"
BOOK = "MSP_Billing.xlsx"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
DIRECT_DEBIT_CUSTOMERS = ("C-0003", "C-0004", "C-0005")
CENT = Decimal("0.01")


# --- Reading the workbook -------------------------------------------------------------------------


def money(value: object) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def sheet_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    """The data rows of the sheet's table as dicts (an empty table's blank row left out)."""
    book = openpyxl.load_workbook(path, data_only=True)
    try:
        ws = book[sheet]
        (ref,) = [table.ref for table in ws.tables.values()]
        cells = [[c.value for c in row] for row in ws[ref]]
    finally:
        book.close()
    head = cells[0]
    return [
        dict(zip(head, row, strict=True))
        for row in cells[1:]
        if any(v not in (None, "") for v in row)
    ]


def settings_of(path: Path) -> dict[str, Any]:
    return {r["Setting"]: r["Value"] for r in sheet_rows(path, "Settings")}


def customers_of(path: Path) -> dict[str, dict[str, Any]]:
    return {r["Customer ID"]: r for r in sheet_rows(path, "Customers")}


def collections_of(path: Path) -> list[dict[str, Any]]:
    return sheet_rows(path, "Collections")


def cell_of(path: Path, sheet: str, key: str, header: str) -> str:
    """The cell (`N4`) in column `header` of the row whose first cell is `key`."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(book[sheet].iter_rows(values_only=True))
    finally:
        book.close()
    column = rows[0].index(header) + 1
    (row,) = [n for n, r in enumerate(rows, start=1) if r and r[0] == key]
    return f"{get_column_letter(column)}{row}"


def customer_cell(path: Path, customer_id: str, header: str) -> str:
    return cell_of(path, "Customers", customer_id, header)


def setting_cell(path: Path, name: str) -> str:
    return cell_of(path, "Settings", name, "Value")


def retyped(path: Path, cells: Mapping[str, Mapping[str, str | None]]) -> None:
    """The workbook with cells retyped (None: emptied), per sheet, edited in its XML as Excel
    stores the edit (the file is replaced)."""
    edits: dict[str, Edit] = {}
    for sheet, values in cells.items():
        edits[sheet_part(path, sheet)] = chain(
            *(
                set_cell(ref, "") if value is None else text_cell(ref, value)
                for ref, value in values.items()
            )
        )
    temporary = path.with_name(f"edit-{path.name}")
    edited(path, temporary, edits)
    os.replace(temporary, path)


def pays_by_direct_debit(customer: Mapping[str, Any]) -> bool:
    return str(customer.get("Payment") or "").strip().lower() == "direct debit"


def as_day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    found = re.fullmatch(r"(\d\d)\.(\d\d)\.(\d{4})", str(value).strip())  # German TT.MM.JJJJ
    if found:
        return date(int(found[3]), int(found[2]), int(found[1]))
    return date.fromisoformat(str(value).strip())


def compact(code: object) -> str:
    return "".join(str(code or "").split()).upper()


# --- Closing months -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Closed:
    """A workbook whose months are closed (never written by tests: they copy it) and what the
    closing put on its sheets: each month's Invoices rows as they stood right after the close,
    and each invoice's closing timestamp (Ledger Finalized)."""

    path: Path
    invoices: dict[str, list[dict[str, Any]]]
    finalized: dict[str, datetime]

    def copy(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / BOOK
        shutil.copy(self.path, path)
        return path

    def closed_at(self, month: str) -> datetime:
        return max(self.finalized[r["Invoice"]] for r in self.invoices[month])


def close_in_order(
    demo: Path, folder: Path, months: tuple[str, ...], before: Mapping[str, Any] = {}
) -> Closed:
    """A copy of the demo with `months` closed in order; `before[month](path)` edits the workbook
    before that month is closed."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / BOOK
    shutil.copy(demo, path)
    invoices: dict[str, list[dict[str, Any]]] = {}
    for month in months:
        if month in before:
            before[month](path)
        done = run_cli("close", str(path), "--month", month)
        assert done.returncode == 0, done.stdout + done.stderr
        invoices[month] = [r for r in sheet_rows(path, "Invoices") if r["Month"] == month]
        assert invoices[month], f"no invoices on the Invoices sheet after closing {month}"
    finalized = {r["Invoice"]: r["Finalized"] for r in sheet_rows(path, "Ledger")}
    assert all(isinstance(v, datetime) for v in finalized.values())
    return Closed(path=path, invoices=invoices, finalized=finalized)


@pytest.fixture(scope="module")
def closed(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Closed:
    """The demo with 2026-09 and 2026-10 closed, nothing exported."""
    return close_in_order(demo, tmp_path_factory.mktemp("closed"), (SEP, OCT))


def export(path: Path, month: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("export-sepa", str(path), "--month", month, *extra)


def default_file(path: Path, month: str) -> Path:
    return path.parent / f"SEPA_direct_debit_{month}.xml"


# --- Reading the file -----------------------------------------------------------------------------


@cache
def xsd() -> etree.XMLSchema:
    path = importlib.resources.files("sepaxml") / "schemas" / "pain.008.001.02.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def valid_root(data: bytes) -> etree._Element:
    """The file's root, after checking it against the official XSD."""
    root = etree.fromstring(data)
    schema = xsd()
    assert schema.validate(root), [f"line {e.line}: {e.message}" for e in schema.error_log]
    return root


def text(node: etree._Element, path: str) -> str:
    found = node.findall(path, NS)
    assert len(found) == 1, f"{path}: {len(found)} found"
    return found[0].text or ""


@dataclass(frozen=True)
class Tx:
    """One DrctDbtTxInf with what its payment information block says about it."""

    block: str  # PmtInfId
    sequence: str
    collection_date: str
    end_to_end: str
    amount: str
    currency: str
    mandate: str
    signed: str
    debtor: str
    iban: str
    agent: str  # the BIC, or "Othr/<Id>"
    remittance: str


def transactions(root: etree._Element) -> list[Tx]:
    out = []
    for block in root.iterfind("p:CstmrDrctDbtInitn/p:PmtInf", NS):
        for tx in block.iterfind("p:DrctDbtTxInf", NS):
            bic = tx.findall("p:DbtrAgt/p:FinInstnId/p:BIC", NS)
            agent = bic[0].text if bic else "Othr/" + text(tx, "p:DbtrAgt/p:FinInstnId/p:Othr/p:Id")
            out.append(
                Tx(
                    block=text(block, "p:PmtInfId"),
                    sequence=text(block, "p:PmtTpInf/p:SeqTp"),
                    collection_date=text(block, "p:ReqdColltnDt"),
                    end_to_end=text(tx, "p:PmtId/p:EndToEndId"),
                    amount=text(tx, "p:InstdAmt"),
                    currency=tx.find("p:InstdAmt", NS).get("Ccy"),
                    mandate=text(tx, "p:DrctDbtTx/p:MndtRltdInf/p:MndtId"),
                    signed=text(tx, "p:DrctDbtTx/p:MndtRltdInf/p:DtOfSgntr"),
                    debtor=text(tx, "p:Dbtr/p:Nm"),
                    iban=text(tx, "p:DbtrAcct/p:Id/p:IBAN"),
                    agent=agent or "",
                    remittance=text(tx, "p:RmtInf/p:Ustrd"),
                )
            )
    return out


def sequences(root: etree._Element) -> dict[str, str]:
    """EndToEndId -> SeqTp."""
    return {t.end_to_end: t.sequence for t in transactions(root)}


def expected_transactions(
    closed: Closed, month: str, path: Path, sequence: Mapping[str, str], on: date | None = None
) -> list[Tx]:
    """What the month's file must hold, from the sheets and the contract's rules; `sequence`
    gives each customer's SeqTp, `on` the collection date asked for (else the due date)."""
    customers = customers_of(path)
    days = int(settings_of(path)["Payment days"])
    out = []
    for row in closed.invoices[month]:
        customer = customers[row["Customer ID"]]
        if not pays_by_direct_debit(customer) or money(row["Gross"]) <= 0:
            continue
        due = closed.finalized[row["Invoice"]].date() + timedelta(days=days)
        out.append(
            Tx(
                block="",
                sequence=sequence[row["Customer ID"]],
                collection_date=(on or due).isoformat(),
                end_to_end=row["Invoice"],
                amount=f"{money(row['Gross']):.2f}",
                currency="EUR",
                mandate=str(customer["Mandate ID"]).strip(),
                signed=as_day(customer["Mandate date"]).isoformat(),
                debtor=row["Customer"],
                iban=compact(customer["Debtor IBAN"]),
                agent=compact(customer["Debtor BIC"]) or "Othr/NOTPROVIDED",
                remittance=f"{row['Invoice']} {month}",
            )
        )
    return out


def without_block(txs: list[Tx]) -> list[Tx]:
    return [Tx(**{**t.__dict__, "block": ""}) for t in txs]


def summary(path: Path, month: str, status: str, txs: list[Tx], file: Path | None = None) -> str:
    """The command's first line for a file written or found unchanged."""
    count = len(txs)
    frst = sum(1 for t in txs if t.sequence == "FRST")
    total = sum((Decimal(t.amount) for t in txs), Decimal("0.00"))
    days = ", ".join(sorted({t.collection_date for t in txs}))
    return (
        f"SEPA direct debit for {month}: {file or default_file(path, month)} {status}, {count} "
        f"direct debit{'' if count == 1 else 's'} (FRST {frst}, RCUR {count - frst}), "
        f"{total:,.2f} EUR, collected on {days}"
    )


def check_message_structure(root: etree._Element, month: str, settings: Mapping[str, Any]) -> None:
    """Group header and payment information blocks: counts, sums, IDs, creditor, scheme."""
    header = root.find("p:CstmrDrctDbtInitn/p:GrpHdr", NS)
    txs = transactions(root)
    amounts = [Decimal(t.amount) for t in txs]
    assert int(text(header, "p:NbOfTxs")) == len(txs)
    assert Decimal(text(header, "p:CtrlSum")) == sum(amounts, Decimal(0))
    message = text(header, "p:MsgId")
    assert re.fullmatch(rf"MSPW-{month}-[0-9A-Fa-f]{{16}}", message), message
    assert len(message) <= 35
    assert text(header, "p:InitgPty/p:Nm") == settings["Reseller"]
    blocks = root.findall("p:CstmrDrctDbtInitn/p:PmtInf", NS)
    assert [text(b, "p:PmtInfId") for b in blocks] == [
        f"{message}-{n}" for n in range(1, len(blocks) + 1)
    ]
    seen = set()
    for block in blocks:
        own = [Decimal(a.text) for a in block.iterfind("p:DrctDbtTxInf/p:InstdAmt", NS)]
        assert int(text(block, "p:NbOfTxs")) == len(own) > 0
        assert Decimal(text(block, "p:CtrlSum")) == sum(own, Decimal(0))
        assert text(block, "p:PmtMtd") == "DD"
        assert text(block, "p:PmtTpInf/p:SvcLvl/p:Cd") == "SEPA"
        assert text(block, "p:PmtTpInf/p:LclInstrm/p:Cd") == "CORE"
        key = (text(block, "p:PmtTpInf/p:SeqTp"), text(block, "p:ReqdColltnDt"))
        assert key not in seen, f"two blocks for {key}"
        seen.add(key)
        assert text(block, "p:Cdtr/p:Nm") == settings["Reseller"]
        assert text(block, "p:CdtrAcct/p:Id/p:IBAN") == compact(settings["IBAN"])
        assert text(block, "p:CdtrAgt/p:FinInstnId/p:BIC") == compact(settings["BIC"])
        scheme = "p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr"
        assert text(block, f"{scheme}/p:Id") == compact(settings["Creditor ID"])
        assert text(block, f"{scheme}/p:SchmeNm/p:Prtry") == "SEPA"


# --- A first month and the next: FRST, then RCUR --------------------------------------------------


@dataclass(frozen=True)
class Exported:
    closed: Closed
    path: Path
    runs: dict[str, subprocess.CompletedProcess[str]]
    files: dict[str, bytes]
    collections: list[dict[str, Any]]


@pytest.fixture(scope="module")
def exported(closed: Closed, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """A copy of the closed workbook with 2026-09 exported, then 2026-10."""
    path = closed.copy(tmp_path_factory.mktemp("exported"))
    runs = {month: export(path, month) for month in (SEP, OCT)}
    files = {m: default_file(path, m).read_bytes() for m in runs if default_file(path, m).exists()}
    return Exported(closed, path, runs, files, collections_of(path))


SEQUENCE_OF_MONTH = {SEP: "FRST", OCT: "RCUR"}


def expected_of(exported: Exported, month: str) -> list[Tx]:
    sequence = dict.fromkeys(DIRECT_DEBIT_CUSTOMERS, SEQUENCE_OF_MONTH[month])
    return expected_transactions(exported.closed, month, exported.path, sequence)


@pytest.mark.parametrize("month", [SEP, OCT])
def test_export_of_a_closed_month_prints_the_file_count_sum_and_collection_date(exported, month):
    run = exported.runs[month]
    assert run.returncode == 0, run.stdout + run.stderr
    expected = expected_of(exported, month)
    assert len(expected) == 3  # C-0003, C-0004 and C-0005
    assert run.stdout.splitlines() == [
        summary(exported.path, month, "written", expected),
        "0 errors",
    ]
    assert run.stderr == ""


@pytest.mark.parametrize("month", [SEP, OCT])
def test_file_is_valid_against_the_official_pain008_xsd(exported, month):
    root = valid_root(exported.files[month])
    assert root.tag == f"{{{NS['p']}}}Document"


@pytest.mark.parametrize("month", [SEP, OCT])
def test_group_header_counts_and_sums_the_gross_of_the_direct_debit_invoices(exported, month):
    root = valid_root(exported.files[month])
    header = root.find("p:CstmrDrctDbtInitn/p:GrpHdr", NS)
    invoices = exported.closed.invoices[month]
    customers = customers_of(exported.path)
    gross = [
        money(r["Gross"])
        for r in invoices
        if r["Customer ID"] in DIRECT_DEBIT_CUSTOMERS and money(r["Gross"]) > 0
    ]
    assert all(pays_by_direct_debit(customers[c]) for c in DIRECT_DEBIT_CUSTOMERS)
    assert int(text(header, "p:NbOfTxs")) == len(gross) == len(transactions(root)) == 3
    assert Decimal(text(header, "p:CtrlSum")) == sum(gross, Decimal(0))
    assert text(header, "p:CtrlSum") == f"{sum(gross, Decimal(0)):.2f}"
    check_message_structure(root, month, settings_of(exported.path))


@pytest.mark.parametrize("month", [SEP, OCT])
def test_each_transaction_carries_invoice_amount_mandate_and_debtor_account(exported, month):
    root = valid_root(exported.files[month])
    assert without_block(transactions(root)) == expected_of(exported, month)


def test_first_collection_of_each_mandate_is_frst_and_the_next_month_rcur(exported):
    september = valid_root(exported.files[SEP])
    october = valid_root(exported.files[OCT])
    assert set(sequences(september).values()) == {"FRST"}
    assert set(sequences(october).values()) == {"RCUR"}
    for root in (september, october):
        assert len(root.findall("p:CstmrDrctDbtInitn/p:PmtInf", NS)) == 1


@pytest.mark.parametrize("month", [SEP, OCT])
def test_collection_date_is_closing_date_plus_payment_days_and_creation_time_the_closing_time(
    exported, month
):
    root = valid_root(exported.files[month])
    closed_at = exported.closed.closed_at(month)
    days = int(settings_of(exported.path)["Payment days"])
    assert days == 14
    dates = root.xpath("//p:PmtInf/p:ReqdColltnDt/text()", namespaces=NS)
    assert dates == [(closed_at.date() + timedelta(days=days)).isoformat()]
    created = text(root, "p:CstmrDrctDbtInitn/p:GrpHdr/p:CreDtTm")
    assert created == closed_at.strftime("%Y-%m-%dT%H:%M:%S")


def test_collections_sheet_records_one_row_per_collection_with_its_sequence(exported):
    customers = customers_of(exported.path)
    expected = []
    for month in (SEP, OCT):
        for t in expected_of(exported, month):
            row = next(r for r in exported.closed.invoices[month] if r["Invoice"] == t.end_to_end)
            expected.append(
                {
                    "Month": month,
                    "Invoice": t.end_to_end,
                    "Customer ID": row["Customer ID"],
                    "Mandate ID": customers[row["Customer ID"]]["Mandate ID"],
                    "Sequence": t.sequence,
                    "Amount": Decimal(t.amount),
                    "Collection date": date.fromisoformat(t.collection_date),
                }
            )
    found = [
        {
            **r,
            "Month": str(r["Month"]),
            "Amount": money(r["Amount"]),
            "Collection date": as_day(r["Collection date"]),
        }
        for r in exported.collections
    ]
    assert found == expected


# --- The same month again -------------------------------------------------------------------------


@pytest.fixture
def again(exported: Exported, tmp_path: Path) -> Path:
    """A copy of the exported workbook with its files, in a folder of its own."""
    path = tmp_path / BOOK
    shutil.copy(exported.path, path)
    for month, data in exported.files.items():
        default_file(path, month).write_bytes(data)
    return path


def test_exporting_a_month_again_gives_the_same_bytes_and_records_nothing(exported, again):
    workbook = again.read_bytes()
    for month in (OCT, SEP):
        run = export(again, month)
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.stdout.splitlines() == [
            summary(again, month, "unchanged", expected_of(exported, month)),
            "0 errors",
        ]
        assert default_file(again, month).read_bytes() == exported.files[month]
    assert collections_of(again) == exported.collections
    assert again.read_bytes() == workbook


def test_collection_date_asked_for_is_written_and_the_sequence_stays_rcur(exported, again):
    out = again.parent / "later" / "october.xml"
    run = export(again, OCT, "--collection-date", "2026-12-01", "--out", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    sequence = dict.fromkeys(DIRECT_DEBIT_CUSTOMERS, "RCUR")
    expected = expected_transactions(exported.closed, OCT, again, sequence, date(2026, 12, 1))
    lines = [summary(again, OCT, "written", expected, file=out)]
    if date(2026, 12, 1) <= date.today():
        lines.append(
            "warning: the collection date 2026-12-01 is not in the future: the bank will refuse "
            "it (give --collection-date)"
        )
    assert run.stdout.splitlines() == [*lines, "0 errors"]
    root = valid_root(out.read_bytes())
    assert without_block(transactions(root)) == expected
    assert root.xpath("//p:PmtInf/p:ReqdColltnDt/text()", namespaces=NS) == ["2026-12-01"]
    check_message_structure(root, OCT, settings_of(again))
    assert default_file(again, OCT).read_bytes() == exported.files[OCT]
    assert collections_of(again) == exported.collections


# --- A new mandate --------------------------------------------------------------------------------


def test_a_new_mandate_id_is_collected_frst_in_a_block_of_its_own(closed, tmp_path):
    path = closed.copy(tmp_path)
    assert export(path, SEP).returncode == 0
    retyped(path, {"Customers": {customer_cell(path, "C-0003", "Mandate ID"): "MUSTER-0003-02"}})
    run = export(path, OCT)
    assert run.returncode == 0, run.stdout + run.stderr
    sequence = {"C-0003": "FRST", "C-0004": "RCUR", "C-0005": "RCUR"}
    expected = expected_transactions(closed, OCT, path, sequence)
    assert [t.mandate for t in expected if t.sequence == "FRST"] == ["MUSTER-0003-02"]
    assert run.stdout.splitlines() == [summary(path, OCT, "written", expected), "0 errors"]
    root = valid_root(default_file(path, OCT).read_bytes())
    check_message_structure(root, OCT, settings_of(path))
    txs = transactions(root)
    assert sorted(without_block(txs), key=lambda t: t.end_to_end) == expected
    blocks = {t.sequence: {u.block for u in txs if u.sequence == t.sequence} for t in txs}
    assert len(blocks["FRST"]) == len(blocks["RCUR"]) == 1
    assert blocks["FRST"] != blocks["RCUR"]
    assert [t.mandate for t in txs if t.sequence == "FRST"] == ["MUSTER-0003-02"]
    october = [r for r in collections_of(path) if str(r["Month"]) == OCT]
    assert [(r["Customer ID"], r["Mandate ID"], r["Sequence"]) for r in october] == [
        ("C-0003", "MUSTER-0003-02", "FRST"),
        ("C-0004", "MUSTER-0004-01", "RCUR"),
        ("C-0005", "MUSTER-0005-01", "RCUR"),
    ]


# --- Refusals -------------------------------------------------------------------------------------


def refused(path: Path, month: str, run: subprocess.CompletedProcess[str]) -> list[str]:
    """The error lines of a refused export, after checking that nothing was written."""
    assert run.returncode == 1, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"SEPA direct debit for {month}: not written"
    errors = [line for line in lines if line.startswith("error: ")]
    assert lines[1] == f"{len(errors)} error{'' if len(errors) == 1 else 's'}"
    assert not default_file(path, month).exists()
    assert not list(path.parent.glob("*.xml"))
    assert collections_of(path) == []
    return errors


def test_open_month_is_refused_with_exit_2_and_one_line(demo, tmp_path):
    path = tmp_path / BOOK
    shutil.copy(demo, path)
    run = export(path, OCT)
    assert run.returncode == 2
    assert run.stdout == ""
    assert "is not closed" in run.stderr
    assert run.stderr.count("\n") == 1 and run.stderr.endswith("\n")
    assert run.stderr.startswith(f"msp-workbook: {OCT} is not closed")
    assert not list(tmp_path.glob("*.xml"))


def test_month_after_the_last_closed_one_is_refused_as_not_closed(closed, tmp_path):
    path = closed.copy(tmp_path)
    run = export(path, NOV)
    assert run.returncode == 2
    assert run.stderr.startswith(f"msp-workbook: {NOV} is not closed")
    assert run.stderr.count("\n") == 1
    assert not list(tmp_path.glob("*.xml"))


# (sheet, row key, column, typed value or None for empty, message; {value} is the typed value)
WRONG_INPUTS = {
    "debtor IBAN with a wrong check digit": (
        "Customers",
        "C-0003",
        "Debtor IBAN",
        "DE89370400440532013001",
        'Debtor IBAN of C-0003 is not a valid IBAN (form or check sum): "{value}"',
    ),
    "empty debtor IBAN": (
        "Customers",
        "C-0003",
        "Debtor IBAN",
        None,
        "Debtor IBAN of C-0003 is empty: a direct debit needs the account to debit",
    ),
    "debtor BIC of the wrong form": (
        "Customers",
        "C-0003",
        "Debtor BIC",
        "COBADEF",
        'Debtor BIC of C-0003 is not a valid BIC: "{value}"',
    ),
    "empty mandate ID": (
        "Customers",
        "C-0004",
        "Mandate ID",
        None,
        "Mandate ID of C-0004 is empty: a direct debit needs the customer's mandate",
    ),
    "empty mandate date": (
        "Customers",
        "C-0005",
        "Mandate date",
        None,
        "Mandate date of C-0005 is empty: a direct debit needs the day the mandate was signed",
    ),
    "mandate date that is no date": (
        "Customers",
        "C-0005",
        "Mandate date",
        "soon",
        'Mandate date of C-0005 must be the day the mandate was signed (a date), got "{value}"',
    ),
    "payment neither transfer nor direct debit": (
        "Customers",
        "C-0003",
        "Payment",
        "Lastschrift",
        'Payment must be transfer or direct debit (empty = transfer), got "{value}"',
    ),
    "empty creditor ID": (
        "Settings",
        "Creditor ID",
        "Value",
        None,
        "Creditor ID is empty: the SEPA direct debit needs your creditor ID (Gläubiger-ID)",
    ),
    "creditor ID with a wrong check sum": (
        "Settings",
        "Creditor ID",
        "Value",
        "DE98ZZZ09999999998",
        'Creditor ID is not a valid SEPA creditor ID (form or check sum): "{value}"',
    ),
    "creditor IBAN with a wrong check digit": (
        "Settings",
        "IBAN",
        "Value",
        "DE02120300000000202052",
        'IBAN is not a valid IBAN (form or check sum): "{value}"',
    ),
    "empty creditor BIC": (
        "Settings",
        "BIC",
        "Value",
        None,
        "BIC is empty: the SEPA direct debit needs the BIC of that account",
    ),
    "creditor BIC of the wrong form": (
        "Settings",
        "BIC",
        "Value",
        "BYLADEM",
        'BIC is not a valid BIC: "{value}"',
    ),
    "currency other than EUR": (
        "Settings",
        "Currency",
        "Value",
        "CHF",
        "SEPA direct debits are in EUR only; Currency is {value}",
    ),
}


@pytest.mark.parametrize("case", list(WRONG_INPUTS))
def test_wrong_or_missing_mandate_account_or_creditor_field_is_an_error_at_its_cell(
    closed, tmp_path, case
):
    sheet, key, header, value, message = WRONG_INPUTS[case]
    path = closed.copy(tmp_path)
    ref = cell_of(path, sheet, key, header)
    retyped(path, {sheet: {ref: value}})
    run = export(path, OCT)
    errors = refused(path, OCT, run)
    assert errors == [f"error: {sheet}!{ref}: {message.format(value=value)}"]


def test_mandate_signed_after_the_collection_date_is_an_error(closed, tmp_path):
    path = closed.copy(tmp_path)
    ref = customer_cell(path, "C-0005", "Mandate date")
    run = export(path, OCT, "--collection-date", "2026-01-19")
    errors = refused(path, OCT, run)
    assert errors == [
        f"error: Customers!{ref}: Mandate date of C-0005 (2026-01-20) is after the collection "
        "date (2026-01-19)"
    ]


def test_existing_file_with_other_content_is_left_untouched(closed, tmp_path):
    path = closed.copy(tmp_path)
    target = default_file(path, OCT)
    target.write_bytes(b"<sent-to-the-bank-already/>\n")
    run = export(path, OCT)
    assert run.returncode == 1, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[:2] == [f"SEPA direct debit for {OCT}: not written", "1 error"]
    assert lines[2].startswith("error: ") and "exists with other content" in lines[2]
    assert str(target) in lines[2]
    assert target.read_bytes() == b"<sent-to-the-bank-already/>\n"
    assert collections_of(path) == []
    assert sorted(p.name for p in tmp_path.glob("*.xml")) == [target.name]


def test_month_without_direct_debit_customers_writes_no_file(closed, tmp_path):
    path = closed.copy(tmp_path)
    payment = {customer_cell(path, c, "Payment"): None for c in DIRECT_DEBIT_CUSTOMERS}
    retyped(path, {"Customers": payment})
    run = export(path, OCT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines() == [
        f"SEPA direct debit for {OCT}: no direct debits (no customer of the month pays by "
        "direct debit)",
        "0 errors",
    ]
    assert not list(tmp_path.glob("*.xml"))
    assert collections_of(path) == []


# --- Who is collected: transfer customers, credit invoices, typed forms ---------------------------


@pytest.fixture(scope="module")
def credited(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """The demo where C-0004 pays by transfer, C-0005's Debtor IBAN is typed in groups of small
    letters and its Mandate date as German text, and C-0003's keys start after 2026-10 once
    2026-09 is closed: its 2026-10 invoice is the credit for 2026-09 (Gross below 0). 2026-09
    and 2026-10 closed and exported in order."""

    def payment(path: Path) -> None:
        retyped(
            path,
            {
                "Customers": {
                    customer_cell(path, "C-0004", "Payment"): "transfer",
                    customer_cell(path, "C-0005", "Debtor IBAN"): "de75 5121 0800 1245 1261 99",
                    customer_cell(path, "C-0005", "Mandate date"): "20.01.2026",
                }
            },
        )

    def keys_start_later(path: Path) -> None:
        rows = sheet_rows(path, "Keys")
        mine = [r["License key"] for r in rows if r["Customer ID"] == "C-0003"]
        assert mine
        retyped(path, {"Keys": {cell_of(path, "Keys", k, "Start"): "2026-11-01" for k in mine}})

    closed = close_in_order(
        demo,
        tmp_path_factory.mktemp("credited"),
        (SEP, OCT),
        before={SEP: payment, OCT: keys_start_later},
    )
    runs = {month: export(closed.path, month) for month in (SEP, OCT)}
    files = {m: default_file(closed.path, m).read_bytes() for m in (SEP, OCT)}
    return Exported(closed, closed.path, runs, files, collections_of(closed.path))


def invoice_of(closed: Closed, month: str, customer_id: str) -> dict[str, Any]:
    (row,) = [r for r in closed.invoices[month] if r["Customer ID"] == customer_id]
    return row


def test_customer_paying_by_transfer_is_never_collected(credited):
    for month in (SEP, OCT):
        assert credited.runs[month].returncode == 0, credited.runs[month].stdout
        invoice = invoice_of(credited.closed, month, "C-0004")["Invoice"]
        assert money(invoice_of(credited.closed, month, "C-0004")["Gross"]) > 0
        root = valid_root(credited.files[month])
        assert invoice not in sequences(root)
    assert "C-0004" not in {r["Customer ID"] for r in credited.collections}


def test_credit_invoice_of_a_direct_debit_customer_is_not_collected(credited):
    credit = invoice_of(credited.closed, OCT, "C-0003")
    assert money(credit["Gross"]) < 0  # the scenario: the credit for 2026-09
    september = valid_root(credited.files[SEP])
    october = valid_root(credited.files[OCT])
    assert sequences(september) == {
        invoice_of(credited.closed, SEP, "C-0003")["Invoice"]: "FRST",
        invoice_of(credited.closed, SEP, "C-0005")["Invoice"]: "FRST",
    }
    assert sequences(october) == {invoice_of(credited.closed, OCT, "C-0005")["Invoice"]: "RCUR"}
    expected = expected_transactions(
        credited.closed, OCT, credited.path, {"C-0003": "RCUR", "C-0005": "RCUR"}
    )
    assert credited.runs[OCT].stdout.splitlines() == [
        summary(credited.path, OCT, "written", expected),
        "0 errors",
    ]
    check_message_structure(october, OCT, settings_of(credited.path))
    assert credit["Invoice"] not in {r["Invoice"] for r in credited.collections}


def test_debtor_iban_typed_in_groups_of_small_letters_is_written_compact_in_capitals(credited):
    for month in (SEP, OCT):
        root = valid_root(credited.files[month])
        (c5,) = [t for t in transactions(root) if t.mandate == "MUSTER-0005-01"]
        assert c5.iban == "DE75512108001245126199"
        assert c5.agent == "Othr/NOTPROVIDED"


def test_mandate_date_typed_as_german_text_is_the_date_of_signature(credited):
    root = valid_root(credited.files[OCT])
    (c5,) = transactions(root)
    assert c5.signed == "2026-01-20"


# --- A workbook restored from before an export ----------------------------------------------------


def test_file_found_unchanged_still_records_its_collections_in_a_restored_workbook(
    closed, tmp_path
):
    """The workbook is restored from a copy made before 2026-09 was exported (a backup, a sync
    conflict): the file on disk, perhaps sent already, collected each mandate FRST. Exporting
    2026-09 again finds the same bytes; the Collections sheet must then know these collections,
    or 2026-10 collects the same mandates FRST a second time."""
    path = closed.copy(tmp_path)
    before = tmp_path / "before.xlsx"
    shutil.copy(path, before)
    first = export(path, SEP)
    assert first.returncode == 0, first.stdout
    recorded = collections_of(path)
    assert len(recorded) == 3
    shutil.copy(before, path)  # restored
    run = export(path, SEP)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[0].startswith(
        f"SEPA direct debit for {SEP}: {default_file(path, SEP)} unchanged"
    )
    assert collections_of(path) == recorded
    october = export(path, OCT)
    assert october.returncode == 0, october.stdout
    assert set(sequences(valid_root(default_file(path, OCT).read_bytes())).values()) == {"RCUR"}
