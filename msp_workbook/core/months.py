"""Calendar months as `Month` values (text form YYYY-MM)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9999:
            raise ValueError(f"not a month: {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """`2026-10` -> Month(2026, 10); raises ValueError otherwise."""
        m = _MONTH_RE.match(text.strip())
        if not m:
            raise ValueError(f"not a month (YYYY-MM): {text!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def from_ordinal(cls, ordinal: int) -> Month:
        """The inverse of `ordinal`: 0 is 0000-01 (not a valid month), 24_315 is 2026-04."""
        return cls(ordinal // 12, ordinal % 12 + 1)

    # Cached: billing asks every key whether its period touches the month.
    @cached_property
    def ordinal(self) -> int:
        """Months since year 0: consecutive months have consecutive ordinals."""
        return ordinal_of(self)

    @cached_property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @cached_property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def shift(self, months: int) -> Month:
        return Month.from_ordinal(self.ordinal + months)

    def __hash__(self) -> int:  # the ordinal, worked out once: months key many mappings
        return self.ordinal

    @cached_property
    def _text(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:  # once per month: every billing line shows its month
        return self._text


def ordinal_of(day: date | Month) -> int:
    """The ordinal of the month a day (or month) is in, without making a `Month`."""
    return day.year * 12 + day.month - 1


def previous_month(today: date) -> Month:
    """The default billing month: the calendar month before today."""
    return Month.of(today).shift(-1)
