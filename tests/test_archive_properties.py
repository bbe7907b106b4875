"""Properties of archiving (SPEC section 11), in memory: whatever a reseller's usage, closes, late
edits and archives at random cuts, every open month bills as it would have without the archive
(Billing lines, Invoices and Comparison), every closed month left in the Ledger keeps its lines,
the Ledger and the archive hold every closed line exactly once (Usage and the archive every
reading), invoice numbers stay gap-free, and a refused archive changes nothing.

A shadow reseller that never archives runs beside the one that does. `plan_archive` decides
what moves; the rule it must follow is stated once more here (`expected_move`) from the spec.
A small file-level property at the end runs the same on real workbooks with the real command.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path

import archive_books
from archive_books import archive_files, copy_book, rows, rows_with_archives
from conftest import load_example, run_cli
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from workbook_tables import table_rows

from msp_workbook.app.close import close_month
from msp_workbook.core import comparison
from msp_workbook.core.archive import (
    ArchivePlan,
    ArchiveRefused,
    LedgerRow,
    UsageRow,
    latest_cut,
    plan_archive,
)
from msp_workbook.core.closing import closing_entries
from msp_workbook.core.ledger import Ledger
from msp_workbook.core.models import (
    AnnualPrice,
    Customer,
    Inputs,
    LicenseKey,
    Product,
    Settings,
    UsageReading,
)
from msp_workbook.core.months import Month
from msp_workbook.core.numbering import number_invoices
from msp_workbook.core.usage import UsageIndex
from msp_workbook.engine import PLAIN
from msp_workbook.workbook.template.builder import build_workbook
from msp_workbook.workbook.write.writer import append_to_tables

FIRST = Month(2025, 1)
MONTHS = [FIRST.shift(i) for i in range(30)]  # 2025-01 .. 2027-06: three calendar years
TODAY = date(2027, 12, 1)  # every month of MONTHS has ended
PRODUCTS = (
    Product(product_id="KC", product="KerioConnect", metric="mailboxes", aggregation="max",
            cost_per_unit=D("1.60"), price_per_unit=D("2.40"), minimum_units=5),
    Product(product_id="LG", product="LanGuard", metric="nodes", aggregation="avg",
            cost_per_unit=D("0.60"), price_per_unit=D("0.95"), minimum_units=10),
    Product(product_id="LG", product="LanGuard", metric="scans", aggregation="sum",
            cost_per_unit=D("0.02"), price_per_unit=D("0.03")),
    Product(product_id="KCT", product="KerioControl", metric="users", aggregation="last",
            cost_per_unit=D("1.10"), price_per_unit=D("1.90")),
)  # fmt: skip
ANNUAL = tuple(
    AnnualPrice(product_id=pid, metric=metric, term_years=term, min_units=low, max_units=high,
                price_per_unit_per_year=D(price) - term)
    for pid, metric in (("KC", "mailboxes"), ("LG", "nodes"), ("KCT", "users"))
    for term in (1, 2)
    for low, high, price in ((1, 24, "30"), (25, None, "26"))
)  # fmt: skip
CUSTOMERS = (
    Customer(customer_id="C-1", customer="One"),
    Customer(customer_id="C-2", customer="Two", country="AT", vat_id="ATU1"),
)
KEYS = (
    LicenseKey(license_key="K-A", customer_id="C-1", product_id="KC", start=date(2024, 6, 1),
               end=None, status="active", source="Keys!A2"),
    LicenseKey(license_key="K-B", customer_id="C-2", product_id="LG", start=date(2024, 6, 1),
               end=None, status="active", source="Keys!A3"),
    LicenseKey(license_key="K-C", customer_id="C-2", product_id="KC", start=date(2024, 6, 1),
               end=None, status="suspended", source="Keys!A4"),
    LicenseKey(license_key="K-D", customer_id="C-1", product_id="KCT", start=date(2025, 3, 1),
               end=date(2026, 11, 30), status="active", source="Keys!A5"),
)  # fmt: skip
PAIRS = [("K-A", "mailboxes"), ("K-B", "nodes"), ("K-B", "scans"), ("K-C", "mailboxes"),
         ("K-D", "users")]  # fmt: skip

# A reading: (month index, pair index, day, quantity).
reading = st.tuples(
    st.integers(0, len(MONTHS) - 1),
    st.integers(0, len(PAIRS) - 1),
    st.integers(1, 28),
    st.integers(0, 60),
)
# How many months before the first open month the cut is: mostly about where it may be.
cut_back = st.integers(11, 16) | st.integers(0, 26)
action = st.one_of(
    st.tuples(st.just("archive"), cut_back),
    st.tuples(st.just("close")),
    st.tuples(st.just("edit"), reading),
    st.tuples(st.just("archive"), cut_back),
)
# Readings of every month for K-A's mailboxes and K-B's nodes (None: no reading that month),
# so that most months bill something and carry forward has a latest reading to go by.
monthly = st.lists(
    st.tuples(st.none() | st.integers(0, 60), st.none() | st.integers(0, 60)),
    min_size=len(MONTHS),
    max_size=len(MONTHS),
)


class Reseller:
    """Usage readings (by id) and a Ledger; the archive's readings and lines beside them."""

    def __init__(self, correction_months: int) -> None:
        self.settings = Settings(correction_months=correction_months)
        self.usage: dict[int, tuple[int, int, int, int]] = {}
        self.ledger: list = []
        self.archived_usage: dict[int, tuple[int, int, int, int]] = {}
        self.archived_ledger: list = []

    def inputs(self) -> Inputs:
        readings = tuple(
            UsageReading(day=MONTHS[m].first_day.replace(day=day), license_key=PAIRS[p][0],
                         metric=PAIRS[p][1], quantity=q, row=n + 2, source=f"Usage!A{n + 2}")
            for n, (m, p, day, q) in sorted(self.usage.items())
        )  # fmt: skip
        return Inputs(
            settings=self.settings,
            products=PRODUCTS,
            annual_prices=ANNUAL,
            customers=CUSTOMERS,
            keys=KEYS,
            usage=readings,
        )

    def close(self, month: Month) -> None:
        inputs, ledger = self.inputs(), Ledger(self.ledger)
        result = PLAIN.bill_open_month(inputs, month, ledger, UsageIndex.of_inputs(inputs))
        numbers = number_invoices(result.invoices, ledger, "INV-", month)
        finalized = datetime.combine(month.shift(1).first_day, datetime.min.time())
        self.ledger += closing_entries(result.lines, result.invoices, numbers, finalized)

    def closed(self, with_archive: bool) -> list[Month]:
        months = {e.line.month for e in self.ledger}
        if with_archive:
            months |= {e.line.month for e in self.archived_ledger}
        return sorted(months)

    def usage_rows(self) -> list[UsageRow]:
        return [
            UsageRow(n, MONTHS[m].first_day.replace(day=day), *PAIRS[p])
            for n, (m, p, day, _) in self.usage.items()
        ]

    def archive(self, found: ArchivePlan) -> None:
        moved = {n for rows in found.usage_rows.values() for n in rows}
        lines = {n for rows in found.ledger_rows.values() for n in rows}
        self.archived_usage.update({n: self.usage.pop(n) for n in sorted(moved)})
        self.archived_ledger += [e for n, e in enumerate(self.ledger) if n in lines]
        self.ledger = [e for n, e in enumerate(self.ledger) if n not in lines]


def expected_move(
    cut: Month, closed: list[Month], reseller: Reseller
) -> tuple[str, set[int], set[int]] | str:
    """The spec's rule, stated independently: the refusal's reason, or (no refusal) the usage
    ids and Ledger indexes that move."""
    if not closed:
        return "no month is closed yet"
    first_open = closed[-1].shift(1)
    if cut > first_open.shift(-11):
        return "comparison window"
    if cut > first_open.shift(-reseller.settings.correction_months):
        return "can still be corrected"
    before = {n: r for n, r in reseller.usage.items() if MONTHS[r[0]] < cut}
    if any(MONTHS[r[0]] not in closed for r in before.values()):
        return "usage but"
    latest: dict[int, int] = {}
    for m, p, _, _ in before.values():
        latest[p] = max(latest.get(p, m), m)
    moved = {n for n, (m, p, _, _) in before.items() if m != latest[p]}
    lines = {n for n, e in enumerate(reseller.ledger) if e.line.month < cut}
    return "moved", moved, lines


def billed(reseller: Reseller, month: Month) -> tuple:
    """An open month's lines, invoices and Comparison rows, from the plain core rules (the
    PLAIN engine): the window's closed months as the Ledger has them, its open months as billed
    now."""
    inputs, ledger = reseller.inputs(), Ledger(reseller.ledger)
    usage = UsageIndex.of_inputs(inputs)
    result = PLAIN.bill_open_month(inputs, month, ledger, usage)
    window_lines = {
        m: [e.line for e in ledger.month_lines(m)]
        if ledger.is_closed(m)
        else PLAIN.bill_open_month(inputs, m, ledger, usage).lines
        for m in comparison.window(month)
    }
    return result.lines, result.invoices, comparison.comparison_rows(inputs, month, window_lines)


def ledger_key(entry) -> tuple:
    return (entry.invoice, entry.line, entry.finalized, entry.vat_rate, entry.reverse_charge)


def assert_same_billing(real: Reseller, shadow: Reseller, next_close: int) -> None:
    # Every open month still to bill: the first, the one after and the last of MONTHS.
    for at in sorted({next_close, min(next_close + 1, len(MONTHS) - 1), len(MONTHS) - 1}):
        assert billed(real, MONTHS[at]) == billed(shadow, MONTHS[at]), MONTHS[at]
    # Every closed month left in the Ledger: the same lines (so the same Billing and Invoices).
    real_ledger, shadow_ledger = Ledger(real.ledger), Ledger(shadow.ledger)
    for month in real_ledger.closed_months():
        assert list(map(ledger_key, real_ledger.month_lines(month))) == list(
            map(ledger_key, shadow_ledger.month_lines(month))
        ), month
    # The Ledger and the archive hold every closed line exactly once; Usage and the archive
    # every reading.
    assert Counter(map(ledger_key, real.ledger + real.archived_ledger)) == Counter(
        map(ledger_key, shadow.ledger)
    )
    assert not real.usage.keys() & real.archived_usage.keys()
    assert {**real.usage, **real.archived_usage} == shadow.usage
    # Invoice numbers per year: 1..n without a gap, over the Ledger and the archive together.
    invoices: dict[int, set[str]] = {}
    for entry in real.ledger + real.archived_ledger:
        invoices.setdefault(entry.line.month.year, set()).add(entry.invoice)
    for year, numbers in invoices.items():
        assert sorted(numbers) == [f"INV-{year}-{n:04d}" for n in range(1, len(numbers) + 1)]


def run_story(base, extra, correction_months, first_close, closes, actions, with_archive) -> int:
    """Play the story on a reseller that archives and one that never does; returns how many
    archives moved something."""
    real, shadow = Reseller(correction_months), Reseller(correction_months)
    initial = [
        (m, p, 10 + p, q)
        for m, quantities in enumerate(base)
        for p, q in enumerate(quantities)
        if q is not None
    ] + extra
    for n, r in enumerate(initial):
        real.usage[n] = shadow.usage[n] = r
    next_id = len(initial)
    next_close = first_close
    for _ in range(closes):
        if next_close < len(MONTHS) - 1:
            real.close(MONTHS[next_close])
            shadow.close(MONTHS[next_close])
            next_close += 1
    moves = 0
    for act in actions:
        if act[0] == "close" and next_close < len(MONTHS) - 1:
            real.close(MONTHS[next_close])
            shadow.close(MONTHS[next_close])
            next_close += 1
        elif act[0] == "edit":  # a late reading, in any month (closed, archived or open)
            real.usage[next_id] = shadow.usage[next_id] = act[1]
            next_id += 1
        elif act[0] == "archive":
            closed = real.closed(with_archive)
            first_open = closed[-1].shift(1) if closed else MONTHS[next_close]
            cut = first_open.shift(-act[1])
            assert latest_cut(closed, correction_months) == (
                min(first_open.shift(-11), first_open.shift(-correction_months)) if closed else None
            )
            expected = expected_move(cut, closed, real)
            before = (dict(real.usage), list(real.ledger))
            try:
                found = plan_archive(
                    cut,
                    closed,
                    [LedgerRow(n, e.line.month) for n, e in enumerate(real.ledger)],
                    real.usage_rows(),
                    correction_months,
                )
            except ArchiveRefused as exc:
                assert isinstance(expected, str), f"refused: {exc}"
                assert str(exc).startswith(f"cannot archive before {cut}: ")
                assert expected in str(exc)
                assert (real.usage, real.ledger) == before  # a refusal changes nothing
                continue
            assert not isinstance(expected, str), f"not refused, expected: {expected}"
            _, moved, lines = expected
            assert {n for rows in found.usage_rows.values() for n in rows} == moved
            assert {n for rows in found.ledger_rows.values() for n in rows} == lines
            for year, rows in found.usage_rows.items():  # each row in its date's year's file
                assert {MONTHS[real.usage[n][0]].year for n in rows} == {year}
            for year, rows in found.ledger_rows.items():  # each line in its month's year's file
                assert {real.ledger[n].line.month.year for n in rows} == {year}
            assert found.ledger_months == tuple(sorted({real.ledger[n].line.month for n in lines}))
            kept = [r for r in real.usage.values() if MONTHS[r[0]] < cut]
            assert found.kept == len(kept) - len(moved)
            real.archive(found)
            moves += bool(moved or lines)
        assert_same_billing(real, shadow, next_close)
    return moves


@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=monthly,
    extra=st.lists(reading, max_size=30),
    correction_months=st.integers(0, 14),
    # Months before the first closed one have usage that was never billed: no cut passes them.
    first_close=st.just(0) | st.integers(0, 3),
    closes=st.integers(12, 28) | st.integers(0, 28),
    actions=st.lists(action, min_size=2, max_size=12),
)
def test_archiving_changes_no_billing_and_loses_or_doubles_nothing(
    base, extra, correction_months, first_close, closes, actions
):
    # The closed months are those of the Ledger and of the archives (as the command reads
    # them): a reading kept from an archived month is no unbilled usage.
    run_story(base, extra, correction_months, first_close, closes, actions, True)


WALK = [  # each month: close it, a late reading for the month before, archive at the latest cut
    step
    for at in range(len(MONTHS) - 1)
    for step in (("close",), ("edit", (max(at - 1, 0), 0, 28, 45 + at)), ("archive", 11))
]


def test_archiving_at_the_latest_cut_after_every_close_moves_each_month_once():
    # Three years of monthly readings, closed month by month with Correction months = 4: once
    # 12 months are closed, each archive at the latest cut moves the month that just left the
    # comparison window, and billing stays as it was (run_story checks after every step).
    base = [((3 * m) % 40 + 1, (7 * m) % 50 + 1) for m in range(len(MONTHS))]
    moves = run_story(base, [], 4, 0, 0, WALK, True)
    assert moves == len(MONTHS) - 1 - 11  # the archives after the 12th close .. the 29th


# --- The same on real workbooks, with the real command -------------------------------------------

BOOK_FIRST = Month(2025, 1)
BOOK_MONTHS = 22  # 2025-01 .. 2026-10
BOOK_METRICS = {"KC-MSP": ("mailboxes",), "KCTL-MSP": ("users",), "KOP-MSP": ("users",),
                "LG-MSP": ("nodes", "scans")}  # fmt: skip


def book_data(draw, correction_months: int) -> dict[str, list[dict[str, object]]]:
    """The basic example's reseller (every key running since 2024) with random readings: 0 to 2
    a month for each key and metric."""
    data = load_example("basic")
    for key in data["Keys"]:
        key.update(Start=date(2024, 1, 1), End=None)
        if key["Status"] == "cancelled":
            key["Status"] = "active"
    data["Settings"] = [r for r in data["Settings"] if r["Setting"] != "Billing month"]
    data["Settings"].append({"Setting": "Correction months", "Value": correction_months})
    usage = []
    for at in range(BOOK_MONTHS):
        month = BOOK_FIRST.shift(at)
        for key in data["Keys"]:
            for metric in BOOK_METRICS[key["Product ID"]]:
                for day, quantity in draw(
                    st.lists(st.tuples(st.integers(1, 28), st.integers(0, 80)), max_size=2)
                ):
                    usage.append({"Date": month.first_day.replace(day=day),
                                  "License key": key["License key"], "Metric": metric,
                                  "Quantity": quantity, "Source": "report"})  # fmt: skip
    data["Usage"] = usage
    return data


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_archiving_real_workbooks_at_random_cuts_changes_no_billing(data):
    correction_months = data.draw(st.integers(0, 14), label="correction months")
    closed = data.draw(st.integers(13, BOOK_MONTHS - 1), label="months closed")
    first_open = BOOK_FIRST.shift(closed)
    # A cut with at least one closed month before it: at the latest cut or before it, or after
    # it where `Correction months` is more than 11.
    back = data.draw(st.integers(11, min(16, closed - 1)), label="cut: months before")
    cut = first_open.shift(-back)
    late = data.draw(st.booleans(), label="a late reading for the last closed month")
    with tempfile.TemporaryDirectory() as folder:
        original = Path(folder) / "original" / "book.xlsx"
        original.parent.mkdir()
        build_workbook(original, book_data(data.draw, correction_months))
        for at in range(closed):
            close_month(original, BOOK_FIRST.shift(at), today=date(2026, 12, 6))
        if late:
            some = table_rows(original, "Usage")[0]
            reading = {**some, "Date": first_open.shift(-1).first_day, "Quantity": 99}
            append_to_tables(original, original, {"Usage": [reading]})
        book = copy_book(original, Path(folder) / "archived")
        result = run_cli("archive", str(book), "--before", str(cut))
        limit = min(first_open.shift(-11), first_open.shift(-correction_months))
        if cut > limit:
            event("refused: after the latest cut")
            assert result.returncode == 2
            assert result.stderr.startswith(f"msp-workbook: cannot archive before {cut}: ")
            assert result.stderr.endswith(f"the latest you can archive before is {limit}\n")
            assert book.read_bytes() == original.read_bytes()
            assert archive_files(book) == {}
            return
        assert result.returncode == 0, result.stderr
        event("archived" if archive_files(book) else "nothing to archive")
        years = {m.year for m in (BOOK_FIRST.shift(n) for n in range(closed)) if m < cut}
        assert set(archive_files(book)) <= years
        for table in ("Usage", "Ledger"):
            assert rows_with_archives(book, table) == rows(original, table), table
        out = Path(folder) / "out.xlsx"
        assert archive_books.billed(book, first_open, out) == archive_books.billed(
            original, first_open, out
        )
        for month in (cut, first_open.shift(-1)):  # closed months left: as they were closed
            after = archive_books.billed(book, month, out)
            before = archive_books.billed(original, month, out)
            assert (after["Billing"], after["Invoices"]) == (before["Billing"], before["Invoices"])
