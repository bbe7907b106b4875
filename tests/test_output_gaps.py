"""recalc lists what the closed month's outputs would lack as warnings while the month is open
(SPEC 9: a wrong check sum is an error for the file that needs it, a warning in recalc, and the
month bills as typed)."""

from __future__ import annotations

import shutil

from conftest import run_cli
from sheet_edits import set_customer, set_setting

from msp_workbook.app.output_gaps import said_once
from msp_workbook.core.models import Check


def test_a_bad_debitor_and_a_bad_debtor_iban_are_warnings_and_the_month_bills(demo, tmp_path):
    path = tmp_path / "book.xlsx"
    shutil.copy(demo, path)
    before = run_cli("check", str(path), "--month", "2026-10").stdout.splitlines()
    set_customer(path, "C-0003", Debitor="123", Debtor_IBAN="DE89370400440532013001")
    result = run_cli("check", str(path), "--month", "2026-10")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == before[:2]  # the same lines, invoices and totals
    warnings = [line for line in lines if line.startswith("warning: Customers!")]
    assert any(
        'Debitor must be a number from 10000 to 69999 (DATEV debitor accounts), got "123"' in w
        for w in warnings
    ), lines
    assert any(
        'Debtor IBAN of C-0003 is not a valid IBAN (form or check sum): "DE89370400440532013001"'
        in w
        for w in warnings
    ), lines


def test_each_cell_the_outputs_lack_is_one_line_of_check(demo, tmp_path):
    """The invoice documents and the SEPA direct debit both check your IBAN, BIC and company
    name, the documents and the DATEV batch a reverse-charge customer's VAT ID: each such cell
    is one warning, that names every output that lacks it."""
    path = tmp_path / "book.xlsx"
    shutil.copy(demo, path)
    iban = set_setting(path, "IBAN", "DE02120300000000202052")  # a wrong check digit
    bic = set_setting(path, "BIC", "XXXX")
    reseller = set_setting(path, "Reseller", None)
    set_customer(path, "C-0003", Debtor_IBAN="DE89370400440532013001", Debtor_BIC="YYYY")
    set_customer(path, "C-0001", Country="AT", VAT_ID="ATU12345670")  # a wrong check digit
    result = run_cli("check", str(path), "--month", "2026-10")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()

    def at(cell: str) -> list[str]:
        return [line for line in lines if line.startswith(f"warning: {cell}: ")]

    assert at(f"Settings!{iban}") == [
        f"warning: Settings!{iban}: IBAN is not a valid IBAN (form or check sum): "
        '"DE02120300000000202052"'
    ], lines
    assert at(f"Settings!{bic}") == [f'warning: Settings!{bic}: BIC is not a valid BIC: "XXXX"'], (
        lines
    )
    assert at(f"Settings!{reseller}") == [
        f"warning: Settings!{reseller}: Reseller is empty: invoice documents need your company "
        "name; the SEPA direct debit needs your company name"
    ], lines
    (debtor_iban,) = [line for line in lines if "Debtor IBAN of C-0003" in line]
    assert debtor_iban.startswith("warning: Customers!N4: "), lines
    assert len(at("Customers!N4")) == 1 and len(at("Customers!O4")) == 1, lines
    assert at("Customers!E2") == [
        "warning: Customers!E2: VAT ID of customer C-0001 is not a valid EU VAT ID (form or "
        'check sum): "ATU12345670"; its reverse-charge booking needs it'
    ], lines
    cells = [line.split(": ")[1] for line in lines if line.startswith("warning: ")]
    assert len(cells) == len(set(cells)), lines  # no cell twice
    (count,) = [line for line in lines if " warnings" in line]
    assert count.endswith(f" {len(cells)} warnings"), lines


def _warning(cell: str, message: str, sheet: str = "Settings") -> Check:
    return Check(severity="warning", sheet=sheet, cell=cell, message=message)


def test_said_once_makes_one_warning_of_a_cell_and_keeps_what_each_output_says():
    checks = [
        _warning("B18", 'IBAN is not a valid IBAN (form or check sum): "X"'),
        _warning("B2", "Reseller is empty: invoice documents need your company name"),
        _warning("", "2 invoice numbers cannot be a DATEV Belegfeld 1", sheet="Ledger"),
        _warning("B4", "the DATEV export books in EUR only; Currency is CHF"),
        _warning("E2", 'VAT ID of customer C-1 is not valid: "Y"', sheet="Customers"),
        _warning("B18", 'IBAN is not a valid IBAN (form or check sum): "X"'),
        _warning("B2", "Reseller is empty: the SEPA direct debit needs your company name"),
        _warning("", "invoice 7: SEPA cannot take it", sheet="Ledger"),
        _warning("B4", "SEPA direct debits are in EUR only; Currency is CHF"),
        _warning(
            "E2", 'VAT ID of customer C-1 is not valid: "Y"; its booking needs it', "Customers"
        ),
    ]
    assert [str(c) for c in said_once(checks)] == [
        'Settings!B18: IBAN is not a valid IBAN (form or check sum): "X"',
        "Settings!B2: Reseller is empty: invoice documents need your company name; the SEPA "
        "direct debit needs your company name",
        "Ledger: 2 invoice numbers cannot be a DATEV Belegfeld 1",
        "Settings!B4: the DATEV export books in EUR only; Currency is CHF; also: SEPA direct "
        "debits are in EUR only; Currency is CHF",
        'Customers!E2: VAT ID of customer C-1 is not valid: "Y"; its booking needs it',
        "Ledger: invoice 7: SEPA cannot take it",  # no one cell: each is kept
    ]
    assert {c.severity for c in said_once(checks)} == {"warning"}
    alone = [_warning("B2", "Reseller is empty: invoice documents need your company name")]
    assert said_once(alone) == alone


def test_invoices_show_each_invoices_vat_treatment_beside_the_table(demo, tmp_path):
    """Reverse charge = yes says nothing of why: the VAT treatment beside the Invoices table
    tells a domestic supply, EU reverse charge and a supply outside the EU apart (a Swiss
    customer's invoice is no reverse charge under German law: it is not taxable here)."""
    import openpyxl

    path = tmp_path / "book.xlsx"
    shutil.copy(demo, path)
    assert run_cli("recalc", str(path), "--month", "2026-10").returncode == 0
    rows = list(
        openpyxl.load_workbook(path, data_only=True)["Invoices"].iter_rows(values_only=True)
    )
    headers = list(rows[0])
    # One blank column, then the side columns: the VAT treatment and whether the invoice is final.
    assert headers[12:] == [None, "VAT treatment", "Status"]
    assert {r[14] for r in rows[1:]} == {"draft"}  # October is open and has no error
    assert run_cli("close", str(path), "--month", "2026-10").returncode == 0
    closed = openpyxl.load_workbook(path, data_only=True)["Invoices"].iter_rows(values_only=True)
    assert {r[14] for r in list(closed)[1:]} == {"final"}
    countries = {
        r[0]: r[3]
        for r in list(openpyxl.load_workbook(path)["Customers"].iter_rows(values_only=True))[1:]
    }
    eu = {"AT", "NL", "DE"}  # the demo's countries in the EU; CH is not
    for row in rows[1:]:
        customer, reverse, treatment = row[2], row[10], row[13]
        country = countries[customer] or "DE"
        if reverse == "no":
            assert treatment == "domestic", row
        elif country in eu:
            assert treatment == "EU reverse charge", row
        else:
            assert (country, treatment) == ("CH", "outside the EU"), row
    assert {r[13] for r in rows[1:]} == {"domestic", "EU reverse charge", "outside the EU"}


def test_ready_to_close_only_for_an_ended_open_month_without_errors(demo, tmp_path):
    from datetime import date

    from msp_workbook.app.check import check_workbook
    from msp_workbook.core.months import Month

    def ready(path, today):
        report = check_workbook(path, Month(2026, 10), today=today)
        return [c.message for c in report.checks if c.message.startswith("no errors:")]

    assert ready(demo, date(2026, 11, 2)) == [
        "no errors: 2026-10 is ready to close (Close month in Excel, or msp-workbook close PATH "
        "--month 2026-10)"
    ]
    assert ready(demo, date(2026, 10, 20)) == []  # October has not ended yet
    broken = tmp_path / "broken.xlsx"
    shutil.copy(demo, broken)
    set_customer(broken, "C-0003", Country="Germany")  # an error: not a two-letter code
    assert ready(broken, date(2026, 11, 2)) == []


def test_an_open_month_with_errors_shows_its_invoices_as_drafts_and_why(demo, tmp_path):
    import openpyxl

    path = tmp_path / "book.xlsx"
    shutil.copy(demo, path)
    set_customer(path, "C-0003", Country="Germany")  # an error: not a two-letter code
    result = run_cli("recalc", str(path), "--month", "2026-10")
    assert result.returncode == 1
    (summary,) = [line for line in result.stdout.splitlines() if " errors, " in line]
    errors = int(summary.split()[0])  # the row's error and those of its keys left out with it
    assert errors > 1
    rows = openpyxl.load_workbook(path, data_only=True)["Invoices"].iter_rows(values_only=True)
    assert {r[14] for r in list(rows)[1:]} == {f"draft: {errors} errors on Checks"}
