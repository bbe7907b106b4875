"""The IDs of a table: the accepted rows' records, the rejected rows' IDs, and the rows of other
tables that refer to them.

A reference to an accepted ID resolves to its record (case-insensitively); one to an unknown ID
is an error at the referring cell; rows referring to a record left out are left out too and
reported once per record, or once per root cause when that record was itself left out because of
another (`Registry.report_dependents`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from ..cells import invisible, quoted
from ..reader import RawTable
from .collector import Collector, RowCheck

T = TypeVar("T")


def _shown(rows: Sequence[int]) -> str:
    """Row numbers for a message: the first ten."""
    return ", ".join(str(r) for r in rows[:10]) + (", ..." if len(rows) > 10 else "")


class Registry(Generic[T]):
    """IDs seen in a table: the accepted rows' records (by lower-case ID: a Customer, a
    product's metric rows, a KnownKey) and IDs of rejected rows."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.accepted: dict[str, T] = {}
        self.first_cell: dict[str, str] = {}
        self.rejected: set[str] = set()
        # Of the rejected IDs: where to fix each (the first error of its own, or the root cause
        # of the record it refers to), and those whose rows had errors of their own.
        self.roots: dict[str, str] = {}
        self.own: set[str] = set()
        self.dependents: dict[str, tuple[str, str, str, list[int]]] = {}

    def reject(self, value: str, check: RowCheck) -> None:
        """Leave out the record of this ID, for the errors of its row (`check`)."""
        key = value.lower()
        self.rejected.add(key)
        self.roots.setdefault(key, check.root)
        if check.first_error:
            self.own.add(key)

    def resolve(self, check: RowCheck, header: str, value: str, what: str) -> T | None:
        """The accepted record for an ID, or an error on the referring cell.

        Rows that refer to a record left out for its own errors are left out too, and reported
        once per record (not once per row), pointing at the first of them.
        """
        key = value.lower()
        if key in self.accepted:
            return self.accepted[key]
        if key in self.rejected:
            check.ok = False
            check.caused_by = check.caused_by or self.roots.get(key, "")
            group = self.dependents.setdefault(key, (value, what, check.cell(header), []))
            group[3].append(check.row.row)
        else:
            hidden = invisible(value)
            hint = f"; it holds {hidden}" if hidden else ""
            check.error(header, f"unknown {what} {quoted(value)} (not on {self.sheet}{hint})")
        return None

    def report_dependents(self, table: RawTable, out: Collector) -> None:
        """One error per left-out record, for the rows of `table` that refer to it; records
        left out only because of a record they refer to in turn are said once per root cause
        (the cell to fix), with how many of them there are and their rows here."""
        follow_on: dict[str, list[tuple[str, str, str, list[int]]]] = {}
        for key, (value, what, cell, rows) in self.dependents.items():
            root = self.roots.get(key, "")
            if root and key not in self.own:
                follow_on.setdefault(root, []).append((value, what, cell, rows))
                continue
            count = "its row" if len(rows) == 1 else f"its {len(rows)} rows"
            out.error(
                table.sheet,
                cell,
                f"{what} {quoted(value)} has errors on {self.sheet}; fix them first "
                f"({count} here left out: {_shown(rows)})",
            )
        for root, groups in follow_on.items():
            value, what, cell, _ = min(groups, key=lambda g: g[3][0])  # the first row's cell
            rows = sorted(r for group in groups for r in group[3])
            records = f"{what} {quoted(value)}" if len(groups) == 1 else f"{len(groups)} {what}s"
            count = "its row" if len(rows) == 1 else f"{len(rows)} rows"
            out.error(
                table.sheet,
                cell,
                f"{records} left out on {self.sheet} because of {root}: fix that cell first "
                f"({count} here left out too: {_shown(rows)})",
            )
        self.dependents.clear()

    def claim(self, check: RowCheck, header: str, value: str, what: str) -> bool:
        """Register a row's ID; a repeat of an earlier row's ID is an error."""
        key = value.lower()
        if key in self.first_cell:
            check.error(
                header,
                f"duplicate {what} {quoted(value)} (first on {self.sheet}!{self.first_cell[key]})",
            )
            return False
        self.first_cell[key] = check.cell(header)
        return True
