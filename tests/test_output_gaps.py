"""recalc lists what the closed month's outputs would lack as warnings while the month is open
(SPEC 9: a wrong check sum is an error for the file that needs it, a warning in recalc, and the
month bills as typed)."""

from __future__ import annotations

import shutil

from conftest import run_cli
from sheet_edits import set_customer


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
