"""Warnings on accepted usage readings: dated far from the billing month, entered twice, or
imported from two reports for the same key, metric and day (`usage_warnings` gives the same over
the bulk reader's columns)."""

from __future__ import annotations

import re
from datetime import date

from ...core.models import Settings, UsageReading
from ...core.months import Month, previous_month
from .. import schema
from ..reader import RawTable
from .collector import Collector

# A reading dated before this, or more than a year after the billing month, is a warning: it is
# billed in its own month, which is likely not the one meant (a year typed wrong).
EARLIEST_PLAUSIBLE = date(2000, 1, 1)


def billing_month_for(settings: Settings, month: Month | None, today: date | None) -> Month:
    """The month a run bills: the one asked for, else Settings', else last month."""
    return month or settings.billing_month or previous_month(today or date.today())


def latest_plausible(billing: Month) -> date:
    return billing.shift(12).last_day


def far_date_warning(
    out: Collector, sheet: str, cell: str, day: date, quantity: int, billing: Month
) -> None:
    when = (
        "before 2000"
        if day < EARLIEST_PLAUSIBLE
        else f"more than a year after the billing month {billing}"
    )
    out.warning(
        sheet,
        cell,
        f"date {day} is {when}: the reading (quantity {quantity}) counts for {Month.of(day)}; "
        "check the year",
    )


def repeated_warning(
    out: Collector, sheet: str, cell: str, first: int, key: str, metric: str, day: date, q: int
) -> None:
    out.warning(
        sheet,
        cell,
        f"the same reading as row {first} ({day}, {key}, {metric}, quantity {q}): "
        "entered twice? Both are counted (a sum metric counts it twice)",
    )


# An imported reading's Source: `FILE#DIGEST:LINE` (usage_import): the digest names the report.
IMPORTED_SOURCE = re.compile(r"#([0-9a-f]{12}):[0-9]+$", re.ASCII)


def overlap_warning(
    out: Collector,
    sheet: str,
    cell: str,
    first: tuple[int, str],
    reading: tuple[str, str, date, str],
) -> None:
    key, metric, day, source = reading
    out.warning(
        sheet,
        cell,
        f"{key}, {metric} on {day} comes from two reports: {first[1]} (row {first[0]}) and "
        f"{source}; both readings are counted: check that the reports do not overlap",
    )


def overlapping_reports(readings: list[UsageReading], table: RawTable, out: Collector) -> None:
    """A warning where one key, metric and day has readings imported from different reports
    (their Source digests differ), at the first row of each further report, by row
    (`usage_warnings` gives the same for the bulk reader's columns)."""
    groups: dict[tuple[str, str, date], dict[str, tuple[int, str]]] = {}
    for r in sorted(readings, key=lambda r: r.row):
        found = IMPORTED_SOURCE.search(r.source_name)  # the Source column
        if found:
            group = groups.setdefault((r.license_key, r.metric, r.day), {})
            group.setdefault(found[1], (r.row, r.source_name))
    if not any(len(g) > 1 for g in groups.values()):
        return
    letter = table.rows[0].cells[schema.COL_DATE].rstrip("0123456789")
    found_rows = []
    for (key, metric, day), by_report in groups.items():
        firsts = sorted(by_report.values())
        for row, source in firsts[1:]:
            found_rows.append((row, firsts[0], (key, metric, day, source)))
    for row, first, reading in sorted(found_rows):
        overlap_warning(out, table.sheet, f"{letter}{row}", first, reading)


def usage_plausibility(
    readings: list[UsageReading], table: RawTable, out: Collector, billing: Month
) -> None:
    """Warnings for readings dated far from the billing month and for the same reading (key,
    metric, date, quantity) twice, by row (`usage_warnings` gives the same for the bulk reader's
    columns)."""
    if not readings:
        return
    letter = table.rows[0].cells[schema.COL_DATE].rstrip("0123456789")
    latest = latest_plausible(billing)
    ordered = sorted(readings, key=lambda r: r.row)
    for r in ordered:
        if r.day < EARLIEST_PLAUSIBLE or r.day > latest:
            far_date_warning(out, table.sheet, f"{letter}{r.row}", r.day, r.quantity, billing)
    first: dict[tuple[str, str, date, int], int] = {}
    for r in ordered:
        seen = first.setdefault((r.license_key, r.metric, r.day, r.quantity), r.row)
        if seen != r.row:
            repeated_warning(
                out, table.sheet, f"{letter}{r.row}", seen, r.license_key, r.metric, r.day,
                r.quantity,
            )  # fmt: skip
