"""The Ledger table read back: exactly the lines that were closed, and an edited row is an error
at its cell (the ledger is written by closing a month, never by hand) while the rest is read."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

import pytest
from records import MAILBOXES

from msp_workbook.core.ledger import LedgerLine
from msp_workbook.core.lines import make_line
from msp_workbook.core.models import Customer, Product
from msp_workbook.core.months import Month
from msp_workbook.workbook import schema
from msp_workbook.workbook.ledger_rows import build_ledger, ledger_row
from msp_workbook.workbook.reader import table_from_rows

SCANS = Product(product_id="LG", product="LanGuard", metric="scans", aggregation="sum",
                cost_per_unit=D("0.02"), price_per_unit=D("0.035"))  # fmt: skip
ONE = Customer(customer_id="C-1", customer="Alpha GmbH", discount=D("0.10"))
TWO = Customer(customer_id="C-2", customer="Beta AG")
FINALIZED = datetime(2026, 11, 2, 9, 30, 15)


def entries() -> list[LedgerLine]:
    sep, octo = Month(2026, 9), Month(2026, 10)
    lines = [
        make_line(month=sep, customer=ONE, license_key="K-1", product=MAILBOXES, quantity=42,
                  unit_price=D("2.40"), discount=D("0.10"), unit_cost=D("1.60"),
                  line_type="usage"),
        make_line(month=sep, customer=TWO, license_key="K-2", product=SCANS, quantity=0,
                  unit_price=D("0.035"), discount=D("0"), unit_cost=D("0.02"),
                  line_type="estimated", note="no scans reported for 2026-09: billed as 0"),
        make_line(month=octo, customer=ONE, license_key="K-1", product=MAILBOXES, quantity=-3,
                  unit_price=D("2.40"), discount=D("0.10"), unit_cost=D("1.60"),
                  line_type="correction", corrects=sep,
                  note="correction of 2026-09: billed 42, now 39"),
        make_line(month=octo, customer=TWO, license_key="K-2", product=SCANS, quantity=7,
                  unit_price=D("0.035"), discount=D("0"), unit_cost=D("0.02"),
                  line_type="minimum"),
    ]  # fmt: skip
    # TWO is invoiced under reverse charge (VAT rate 0 on its invoices), ONE at 19 %.
    return [
        LedgerLine(
            invoice=f"INV-2026-000{i}",
            line=line,
            finalized=FINALIZED,
            vat_rate=D(0) if line.customer_id == "C-2" else D("0.19"),
            reverse_charge=line.customer_id == "C-2",
        )
        for i, line in enumerate(lines, 1)
    ]


def as_stored(value):
    """A cell value as a reader gets it back from the file: numbers as floats, no Decimals."""
    if isinstance(value, D | int) and not isinstance(value, bool):
        return float(value)
    return value


def ledger_table(rows: list[list]):
    """The Ledger table with these rows (from sheet row 2), as the file reader gives it."""
    numbered = [(number, row) for number, row in enumerate(rows, 2)]
    raw, _ = table_from_rows(
        schema.LEDGER, "Ledger", list(schema.LEDGER.headers), numbered,
        last_row=len(rows) + 1, first_column=0,
    )  # fmt: skip
    return raw


def stored_rows() -> list[list]:
    return [[as_stored(v) for v in ledger_row(entry)] for entry in entries()]


def test_ledger_rows_read_back_as_the_lines_that_were_closed():
    ledger, checks = build_ledger(ledger_table(stored_rows()))
    assert checks == []
    assert ledger.lines == entries()
    assert [e.line.corrects for e in ledger.lines] == [None, None, Month(2026, 9), None]
    assert ledger.lines[2].line.quantity == -3 and ledger.lines[2].line.net == D("-6.48")


def test_an_empty_discount_cell_reads_as_no_discount():
    rows = stored_rows()
    column = schema.LEDGER.headers.index("Discount %")
    rows[1][column] = None
    ledger, checks = build_ledger(ledger_table(rows))
    assert checks == [] and ledger.lines[1].line.discount == D(0)


COLUMN = {h: i for i, h in enumerate(schema.LEDGER.headers)}


@pytest.mark.parametrize(
    ("header", "value", "reason"),
    [
        ("Quantity", "12,5", 'quantity must be a whole number, got "12,5"'),
        ("Quantity", 2.5, "quantity must be a whole number, got 2.5"),
        ("Month", "Oct", 'month must be a month (YYYY-MM) or a date in it, got "Oct"'),
        ("Type", "refund", 'type must be one of usage, minimum, estimated, correction, '
                           'got "refund"'),
        ("Net", "abc", 'net must be a number, got "abc"'),
        ("Corrects", "later", 'corrects must be a month (YYYY-MM) or a date in it, got "later"'),
        ("Finalized", "soon", 'finalized must be a date (YYYY-MM-DD), got "soon"'),
        ("VAT rate", "abc", 'vat rate must be a number, got "abc"'),
        ("Reverse charge", "maybe", 'reverse charge must be one of yes, no, got "maybe"'),
        ("Reverse charge", None, "VAT rate and Reverse charge are both set (closed with them) "
                                 "or both empty (closed before the Ledger recorded them)"),
        ("Reverse charge", "yes", "a reverse-charge invoice has VAT rate 0, got 0.19"),
    ],
)  # fmt: skip
def test_an_edited_ledger_row_is_an_error_at_its_row_and_the_rest_is_read(header, value, reason):
    rows = stored_rows()
    rows[2][COLUMN[header]] = value  # sheet row 4
    ledger, checks = build_ledger(ledger_table(rows))
    assert [(c.severity, c.sheet, c.cell, c.message) for c in checks] == [
        (
            "error",
            "Ledger",
            "A4",
            f"ledger row 4 cannot be read ({reason}); the ledger is written by closing a month "
            "and must not be edited",
        )
    ]
    assert ledger.lines == [e for i, e in enumerate(entries()) if i != 2]


def test_every_edited_row_is_reported_in_row_order():
    rows = stored_rows()
    rows[0][COLUMN["Unit price"]] = "two"
    rows[3][COLUMN["Quantity"]] = "7 units"
    ledger, checks = build_ledger(ledger_table(rows))
    assert [c.cell for c in checks] == ["A2", "A5"]
    assert [e.invoice for e in ledger.lines] == ["INV-2026-0002", "INV-2026-0003"]


def test_a_ledger_closed_before_vat_rate_and_reverse_charge_were_recorded_reads_without_them():
    """The Ledger of an earlier release: no such columns; its lines carry None for both."""
    old = [h for h in schema.LEDGER.headers if h not in schema.LEDGER.added_later]
    keep = [schema.LEDGER.headers.index(h) for h in old]
    numbered = [(n, [row[i] for i in keep]) for n, row in enumerate(stored_rows(), 2)]
    raw, _ = table_from_rows(
        schema.LEDGER, "Ledger", old, numbered, last_row=len(numbered) + 1, first_column=0
    )
    ledger, checks = build_ledger(raw)
    assert checks == []
    assert ledger.lines == [
        e.model_copy(update={"vat_rate": None, "reverse_charge": None}) for e in entries()
    ]


def test_lines_of_one_invoice_with_different_vat_are_an_error_at_the_later_row():
    rows = stored_rows()
    rows[2][COLUMN["Invoice"]] = "INV-2026-0001"  # a second line of invoice 0001 ...
    rows[2][COLUMN["VAT rate"]] = 0.16  # ... at another rate
    ledger, checks = build_ledger(ledger_table(rows))
    assert [(c.cell, c.message) for c in checks] == [
        (
            "A4",
            "ledger row 4 cannot be read (its VAT rate and reverse charge differ from those of "
            "invoice INV-2026-0001's earlier lines; all lines of an invoice carry the same); the "
            "ledger is written by closing a month and must not be edited",
        )
    ]
    assert len(ledger.lines) == 3
