"""Readings from a report: which column holds what (a profile), and each line of a report turned
into usage readings or into a problem at `FILE:LINE`. Pure: the report's lines come in as values.

A report is a header line and data lines; a line is a sequence of cell values as the file gives
them (text from a CSV file; text, numbers and dates from an .xlsx sheet). A *profile* maps the
fields a reading needs to the report's column headers:

- a long report has one `Quantity` column and a `Metric` column (one reading per line);
- a wide report has several `Quantity` columns, each naming the metric it counts (one reading
  per such column and line);
- without a `Date` column every reading is dated the 1st of a month given for the import.

Numbers are read as the report's dialect writes them: where `,` separates the columns a `.` is
a decimal point and `,` a thousands separator (1,234 = 1234); where `;` separates them (German
Excel's CSV), `,` is the decimal comma and `.` the thousands separator (1.234 = 1234); in a
tab-separated file neither may group thousands (1.234 is refused, never guessed).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from .months import Month
from .vocabulary import DATE_COLUMN, LICENSE_KEY_COLUMN, METRIC_COLUMN, QUANTITY_COLUMN

ReportValue = str | float | int | bool | date | datetime | None

STANDARD = "standard"
# Where a report's numbers group thousands, by column separator (None: they may not).
THOUSANDS = {",": ",", ";": ".", "\t": None}
DECIMAL = {",": ".", ";": ",", "\t": None}
LARGEST_QUANTITY = 10**9 - 1  # a reading above this is a typing or export error, not usage

_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_MAX = 2958465  # 9999-12-31
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", re.ASCII)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_ISO_DATETIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[T ]\d{1,2}:\d{2}(:\d{2})?$", re.ASCII)
_MONTH_SLASH = re.compile(r"^(\d{1,2})/(\d{4})$", re.ASCII)
_MONTH_ISO = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)
_DIGITS = re.compile(r"^[0-9]+$", re.ASCII)
_TOTAL_WORDS = ("total", "summe", "gesamt", "sum", "gesamtsumme", "totals")


class ReportProblem(ValueError):
    """A line (or the whole report) that cannot be read; str() is the message."""


@dataclass(frozen=True, slots=True)
class Reading:
    """One usage reading taken from a report, with the report line it came from. A plain
    record: its values come from this module's parsers, already of their types (a report of
    100,000 readings made as validated models cost a second of the import)."""

    day: date
    license_key: str
    metric: str
    quantity: int
    line: int


@dataclass(frozen=True)
class Profile:
    """Where the fields of a reading are in a report: report column headers by field."""

    name: str
    date: str | None
    license_key: str
    metric: str | None  # the Metric column of a long report
    quantities: tuple[tuple[str, str | None], ...]  # (column, metric of a wide report's column)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every report column the profile reads."""
        named = [self.date, self.license_key, self.metric, *(c for c, _ in self.quantities)]
        return tuple(c for c in named if c)


def standard_profile() -> Profile:
    """The built-in profile: the Usage table's own headers."""
    return Profile(
        STANDARD, DATE_COLUMN, LICENSE_KEY_COLUMN, METRIC_COLUMN, ((QUANTITY_COLUMN, None),)
    )


def make_profile(name: str, fields: Sequence[tuple[str, str, str | None]]) -> Profile:
    """A profile from its rows (field, column header, metric); raises ReportProblem when it
    cannot read a report (no License key or Quantity column, a field twice, a wide report's
    Quantity column without its metric)."""
    by_field: dict[str, list[tuple[str, str | None]]] = {}
    for field_name, column, metric in fields:
        by_field.setdefault(field_name, []).append((column, metric))
    for single in (DATE_COLUMN, LICENSE_KEY_COLUMN, METRIC_COLUMN):
        if len(by_field.get(single, [])) > 1:
            raise ReportProblem(f'profile "{name}" names the field {single} more than once')
    if LICENSE_KEY_COLUMN not in by_field:
        raise ReportProblem(f'profile "{name}" has no License key column')
    quantities = by_field.get(QUANTITY_COLUMN, [])
    if not quantities:
        raise ReportProblem(f'profile "{name}" has no Quantity column')
    metric_column = by_field[METRIC_COLUMN][0][0] if METRIC_COLUMN in by_field else None
    if metric_column is None or len(quantities) > 1:
        unnamed = [c for c, m in quantities if not m]
        if unnamed:
            raise ReportProblem(
                f'profile "{name}": the Quantity column "{unnamed[0]}" needs its Metric (a '
                "report with one column per metric names the metric of each)"
            )
    return Profile(
        name,
        by_field[DATE_COLUMN][0][0] if DATE_COLUMN in by_field else None,
        by_field[LICENSE_KEY_COLUMN][0][0],
        metric_column,
        tuple(quantities),
    )


class ReadsColumns(Protocol):
    """A profile of any kind (a usage report's, a statement's): its name and the columns."""

    @property
    def name(self) -> str: ...
    @property
    def license_key(self) -> str: ...
    @property
    def columns(self) -> tuple[str, ...]: ...


def column_positions(profile: ReadsColumns, header: Sequence[ReportValue]) -> dict[str, int]:
    """Where each column of the profile is in the report's header (compared without regard to
    case and surrounding spaces); raises ReportProblem naming what is missing."""
    found: dict[str, int] = {}
    for at, value in enumerate(header):
        text = _header_text(value)
        if text and text not in found:
            found[text] = at
    positions = {}
    missing = []
    for column in profile.columns:
        at = found.get(_header_text(column))
        if at is None:
            missing.append(column)
        else:
            positions[column] = at
    if missing:
        names = ", ".join(f'"{m}"' for m in missing)
        raise ReportProblem(
            f"the header has no column {names} (profile {profile.name}; the header is "
            f"{', '.join(_show(v) for v in header if _header_text(v))})"
        )
    return positions


def is_blank(line: Sequence[ReportValue]) -> bool:
    return all(is_blank_value(v) for v in line)


def data_lines(
    lines: Sequence[tuple[int, Sequence[ReportValue]]],
    profile: ReadsColumns,
    at: Mapping[str, int],
) -> tuple[list[tuple[int, Sequence[ReportValue]]], list[str]]:
    """The numbered lines to read, without blank lines and a closing totals line, and a note
    on each kind left out (`3 blank lines skipped`, `line 9 skipped: a totals line`)."""
    data = [(n, line) for n, line in lines if not is_blank(line)]
    blank = len(lines) - len(data)
    notes = [f"{blank} blank line{'s' if blank > 1 else ''} skipped"] if blank else []
    if data and is_totals_line(data[-1][1], profile, at):
        notes.append(f"line {data.pop()[0]} skipped: a totals line")
    return data, notes


def is_totals_line(
    line: Sequence[ReportValue], profile: ReadsColumns, at: Mapping[str, int]
) -> bool:
    """A report's closing line of totals: its first filled cell says Total, Summe, Gesamt (or
    the like) and its license key cell is empty or says the same."""
    first = next((_word(v) for v in line if not is_blank_value(v)), "")
    if first not in _TOTAL_WORDS:
        return False
    key = cell_at(line, at.get(profile.license_key))
    return is_blank_value(key) or _word(key) == first


def _word(value: ReportValue) -> str:
    return str(value).strip().lower().rstrip(":")


def readings_of_line(
    line: Sequence[ReportValue],
    number: int,
    profile: Profile,
    at: Mapping[str, int],
    separator: str | None,
    month: Month | None,
) -> list[Reading]:
    """The readings of one data line; raises ReportProblem with what is wrong and expected.
    `separator` is a CSV file's column separator (None: an .xlsx sheet, numbers are cells)."""
    if profile.date is None:
        if month is None:
            raise ReportProblem(
                f"profile {profile.name} reads no date: give the month with --month YYYY-MM"
            )
        day = month.first_day
    else:
        day = report_date(cell_at(line, at[profile.date]))
    key = text_of(cell_at(line, at[profile.license_key]), "license key")
    readings = []
    for column, metric in profile.quantities:
        value = cell_at(line, at[column])
        if metric is None:
            assert profile.metric is not None
            metric_text = text_of(cell_at(line, at[profile.metric]), "metric")
        else:
            metric_text = metric
            if is_blank_value(value):  # a wide report may leave a metric it does not count empty
                continue
        quantity = report_quantity(value, separator)
        readings.append(
            Reading(day=day, license_key=key, metric=metric_text, quantity=quantity, line=number)
        )
    if not readings:
        raise ReportProblem("the line has no quantity")
    return readings


def report_date(value: ReportValue) -> date:
    """A report's date: a date cell, 31.10.2026, 2026-10-31 (a time after it is ignored), an
    Excel day number, or a month (10/2026, 2026-10) meaning its 1st."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 1 <= value <= _SERIAL_MAX:
            return _EXCEL_EPOCH + timedelta(days=int(value))
    elif isinstance(value, str):
        text = value.strip()
        for pattern, order in (
            (_GERMAN_DATE, (3, 2, 1)),
            (_ISO_DATE, (1, 2, 3)),
            (_ISO_DATETIME, (1, 2, 3)),
        ):
            match = pattern.match(text)
            if match:
                try:
                    return date(*(int(match[i]) for i in order))
                except ValueError:
                    break
        for pattern, (y, m) in ((_MONTH_SLASH, (2, 1)), (_MONTH_ISO, (1, 2))):
            match = pattern.match(text)
            if match and 1 <= int(match[m]) <= 12:
                return date(int(match[y]), int(match[m]), 1)
    raise ReportProblem(
        f"date must be a day (31.10.2026 or 2026-10-31) or a month (10/2026), got {_show(value)}"
    )


def report_quantity(value: ReportValue, separator: str | None) -> int:
    """A whole number >= 0, as a cell or as text in the report's dialect (see the module)."""
    expected = "quantity must be a whole number >= 0"
    if isinstance(value, bool) or is_blank_value(value):
        shown = "nothing" if is_blank_value(value) else _show(value)
        raise ReportProblem(f"{expected}, got {shown}")
    if isinstance(value, (int, float)):
        if float(value).is_integer() and 0 <= value <= LARGEST_QUANTITY:
            return int(value)
        raise ReportProblem(f"{expected} (at most {LARGEST_QUANTITY:,}), got {_show(value)}")
    if not isinstance(value, str):
        raise ReportProblem(f"{expected}, got {_show(value)}")
    text = value.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    number = _whole_text(text, separator)
    if number is None:
        hint = ""
        if separator == "\t" and re.fullmatch(r"[0-9]{1,3}([.,][0-9]{3})+", text):
            hint = " (in a tab-separated report . and , may be decimal or thousands: write 1234)"
        raise ReportProblem(f"{expected}, got {_show(value)}{hint}")
    if number > LARGEST_QUANTITY:
        raise ReportProblem(f"{expected} (at most {LARGEST_QUANTITY:,}), got {_show(value)}")
    return number


def _whole_text(text: str, separator: str | None) -> int | None:
    """The whole number a text writes in the dialect, or None."""
    if _DIGITS.match(text):
        return int(text)
    thousands = THOUSANDS.get(separator) if separator else None
    decimal = DECIMAL.get(separator) if separator else "."
    if thousands and re.fullmatch(rf"[0-9]{{1,3}}(?:{re.escape(thousands)}[0-9]{{3}})+", text):
        return int(text.replace(thousands, ""))
    if decimal and re.fullmatch(rf"[0-9]+{re.escape(decimal)}0+", text):  # 12,00 or 12.0
        return int(text.split(decimal)[0])
    return None


def cell_at(line: Sequence[ReportValue], at: int | None) -> ReportValue:
    """The line's value at a column position; None past its end or without a position."""
    if at is None or at >= len(line):
        return None
    return line[at]


def text_of(value: ReportValue, what: str) -> str:
    """A cell as text (12.0 -> "12"); raises ReportProblem naming `what` when it is empty."""
    if is_blank_value(value):
        raise ReportProblem(f"{what} is empty")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_blank_value(value: ReportValue) -> bool:
    """Nothing, or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def _header_text(value: ReportValue) -> str:
    return "" if is_blank_value(value) else " ".join(str(value).split()).casefold()


def _show(value: ReportValue) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f'"{shown}"'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
