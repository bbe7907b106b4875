"""Archiving old months (the product spec, section 11): which rows move, and when it is refused.

`archive --before C` moves the Usage rows dated before month C and the Ledger lines of the closed
months before C into a yearly archive workbook. It is refused unless

- a month is closed at all (the first open month F is the month after the latest closed one),
- every month it moves lies before F's comparison window (F-11 .. F) and before its correction
  window (the `Correction months` months before F): C itself may be the first month of either,
- every month before C that has usage is closed (no unbilled reading is moved away).

The latest readings of each (license key, metric) before C stay: every reading of the latest month
before C that has readings for it, so that its aggregate (max, last, avg) and every estimate
carried forward from it stay the same. Nothing here reads or writes a file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from .months import Month

# A comparison covers the billing month and the 11 before it (SPEC section 5).
COMPARISON_MONTHS = 12


class ArchiveRefused(Exception):
    """Archiving is refused; the message is one line for the user."""


@dataclass(frozen=True)
class UsageRow:
    """What the plan needs of a Usage row: its sheet row, date (None when it is no date: such a
    row stays) and the (license key, metric) it reads."""

    row: int
    day: date | None
    license_key: str
    metric: str


@dataclass(frozen=True)
class LedgerRow:
    row: int
    month: Month


@dataclass(frozen=True)
class ArchivePlan:
    cut: Month
    first_open: Month
    # Sheet rows moved, by the calendar year of their data (a reading's date, a line's month).
    usage_rows: dict[int, list[int]] = field(default_factory=dict)
    ledger_rows: dict[int, list[int]] = field(default_factory=dict)
    ledger_months: tuple[Month, ...] = ()
    kept: int = 0  # readings before the cut that stay (the latest of their key and metric)

    @property
    def years(self) -> list[int]:
        return sorted({*self.usage_rows, *self.ledger_rows})

    @property
    def moved_usage(self) -> int:
        return sum(map(len, self.usage_rows.values()))

    @property
    def moved_ledger(self) -> int:
        return sum(map(len, self.ledger_rows.values()))


def first_open_month(closed: Iterable[Month]) -> Month | None:
    """The month after the latest closed one (None: nothing is closed)."""
    latest = max(closed, default=None)
    return None if latest is None else latest.shift(1)


def latest_cut(closed: Iterable[Month], correction_months: int) -> Month | None:
    """The latest month `archive --before` accepts: the first month of the comparison window or
    of the correction window of the first open month, whichever is earlier."""
    first_open = first_open_month(closed)
    if first_open is None:
        return None
    return min(first_open.shift(1 - COMPARISON_MONTHS), first_open.shift(-correction_months))


def plan_archive(
    cut: Month,
    closed: Sequence[Month],
    ledger: Sequence[LedgerRow],
    usage: Sequence[UsageRow],
    correction_months: int,
) -> ArchivePlan:
    """The rows `archive --before cut` moves, or ArchiveRefused saying why not."""
    closed_set = set(closed)
    first_open = first_open_month(closed_set)
    if first_open is None:
        raise ArchiveRefused(
            f"cannot archive before {cut}: no month is closed yet; only closed months are archived"
        )
    comparison_start = first_open.shift(1 - COMPARISON_MONTHS)
    correction_start = first_open.shift(-correction_months)
    limit = min(comparison_start, correction_start)
    if cut > comparison_start:
        raise ArchiveRefused(
            f"cannot archive before {cut}: the months from {comparison_start} on are in the "
            f"comparison window of {first_open}, the first open month; the latest you can "
            f"archive before is {limit}"
        )
    if cut > correction_start:
        raise ArchiveRefused(
            f"cannot archive before {cut}: the months from {correction_start} on can still be "
            f"corrected when {first_open} is billed (Settings: Correction months = "
            f"{correction_months}); the latest you can archive before is {limit}"
        )
    before = [u for u in usage if u.day is not None and Month.of(u.day) < cut]
    unbilled = sorted({Month.of(u.day) for u in before if u.day} - closed_set)
    if unbilled:
        months = ", ".join(map(str, unbilled[:3])) + (" ..." if len(unbilled) > 3 else "")
        raise ArchiveRefused(
            f"cannot archive before {cut}: {months} "
            f"{'has' if len(unbilled) == 1 else 'have'} usage but "
            f"{'is' if len(unbilled) == 1 else 'are'} not closed; only closed months are "
            "archived (choose an earlier month, or remove those readings if they were never "
            "billed)"
        )
    latest: dict[tuple[str, str], Month] = {}
    for u in before:
        pair = _pair(u)
        month = Month.of(u.day)  # type: ignore[arg-type]  # `before` holds dated rows only
        if pair not in latest or month > latest[pair]:
            latest[pair] = month
    usage_rows: dict[int, list[int]] = defaultdict(list)
    kept = 0
    for u in before:
        if Month.of(u.day) == latest[_pair(u)]:  # type: ignore[arg-type]
            kept += 1
        else:
            usage_rows[u.day.year].append(u.row)  # type: ignore[union-attr]
    ledger_rows: dict[int, list[int]] = defaultdict(list)
    for line in ledger:
        if line.month < cut:
            ledger_rows[line.month.year].append(line.row)
    months = tuple(sorted({line.month for line in ledger if line.month < cut}))
    return ArchivePlan(
        cut=cut,
        first_open=first_open,
        usage_rows={y: sorted(r) for y, r in sorted(usage_rows.items())},
        ledger_rows={y: sorted(r) for y, r in sorted(ledger_rows.items())},
        ledger_months=months,
        kept=kept,
    )


def _pair(row: UsageRow) -> tuple[str, str]:
    # Keys and metrics as the Usage validation matches them would do; case and spaces folded
    # here can only keep more rows, never fewer.
    return row.license_key.strip().casefold(), row.metric.strip().casefold()
