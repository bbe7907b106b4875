"""When a month may be closed, and a Ledger that is lost (SPEC section 4), on real files
through the real command line."""

from __future__ import annotations

import zipfile
from datetime import date

import pytest
from conftest import run_cli
from workbook_tables import table_rows
from xml_edits import convert_to_range, delete_table_part, rewrite_members, table_part

from msp_workbook.core.months import Month


@pytest.fixture
def closed_two_months(make_workbook, example_data):
    """The worked example with 2026-10 and 2026-11 closed (both ended before today)."""
    path = make_workbook(example_data)
    for month in ("2026-10", "2026-11"):
        result = run_cli("close", str(path), "--month", month)
        assert result.returncode == 0, result.stderr
    return path


# --- Only a month that has ended, and months in order ---------------------------------------------


@pytest.mark.parametrize("ahead", [0, 1, 4], ids=["this month", "next month", "in 4 months"])
def test_a_month_that_has_not_ended_cannot_be_closed(make_workbook, example_data, ahead):
    path = make_workbook(example_data)
    before = path.read_bytes()
    today = date.today()
    month = Month.of(today).shift(ahead)
    result = run_cli("close", str(path), "--month", str(month))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"msp-workbook: {month} cannot be closed: it has not ended yet (today is "
        f"{today.isoformat()}); only a month that has ended can be closed\n"
    )
    assert path.read_bytes() == before


def test_months_are_closed_in_order_an_earlier_month_after_a_later_one_is_refused(
    make_workbook, example_data
):
    path = make_workbook(example_data)
    assert run_cli("close", str(path), "--month", "2026-11").returncode == 0
    before = path.read_bytes()
    result = run_cli("close", str(path), "--month", "2026-10")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "msp-workbook: 2026-10 cannot be closed: 2026-11 is closed already; months are closed "
        "in order, so that invoice numbers follow the months\n"
    )
    assert path.read_bytes() == before
    # November alone is in the Ledger, numbered from 0001.
    assert {r["Month"] for r in table_rows(path, "Ledger")} == {"2026-11"}
    assert min(r["Invoice"] for r in table_rows(path, "Ledger")) == "INV-2026-0001"


# --- A Ledger that is lost ------------------------------------------------------------------------

LOST = (
    'sheet "Ledger" holds rows but no table "Ledger" (converted to a range, or the table '
    "removed), so its closed months cannot be read; restore it (select the rows, Insert > "
    'Table, name it "Ledger") or use a backup, then run again'
)


@pytest.mark.parametrize("lose", [convert_to_range, delete_table_part])
@pytest.mark.parametrize(
    "command", [("close", "--month", "2026-11"), ("close", "--month", "2026-12"), ("recalc",),
                ("recalc", "--month", "2026-12"), ("check",)],
    ids=lambda c: " ".join(c),
)  # fmt: skip
def test_a_ledger_whose_table_is_gone_stops_every_billing_command(closed_two_months, lose, command):
    path = closed_two_months
    lose(path, "Ledger")
    before = path.read_bytes()
    result = run_cli(command[0], str(path), *command[1:])
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"msp-workbook: {path}: {LOST}\n"
    assert path.read_bytes() == before


def test_a_ledger_sheet_with_only_its_header_and_no_table_is_a_ledger_never_closed(
    make_workbook, example_data
):
    """No rows, nothing lost: closing creates the table again, numbering from 0001."""
    path = make_workbook(example_data)
    convert_to_range(path, "Ledger")
    result = run_cli("close", str(path), "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "Closed 2026-10: 4 invoices (INV-2026-0001 .. INV-2026-0004), "
        "8 lines appended to the Ledger"
    )
    assert len(table_rows(path, "Ledger")) == 8


def test_a_ledger_table_that_cannot_be_read_stops_billing_in_one_line(closed_two_months):
    """The table is there but lost a column it needs (its header renamed in the table part):
    no command takes its months for open ones."""
    path = closed_two_months
    _, _, part = table_part(path, "Ledger")
    with zipfile.ZipFile(path) as z:
        xml = z.read(part).decode()
    rewrite_members(path, {part: xml.replace('name="Invoice"', 'name="Rechnung"').encode()})
    before = path.read_bytes()
    for command in (("close", "--month", "2026-11"), ("recalc",), ("check",)):
        result = run_cli(command[0], str(path), *command[1:])
        assert (result.returncode, result.stdout) == (2, "")
        assert len(result.stderr.splitlines()) == 1
        assert 'table "Ledger" on sheet "Ledger" has no column "Invoice"' in result.stderr
    assert path.read_bytes() == before
