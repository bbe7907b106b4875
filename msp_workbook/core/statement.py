"""The distributor's statement: which column holds what, and each line turned into a charge or
into a problem at `FILE:LINE`. Pure: the statement's lines come in as values (SPEC section 8).

A statement is read like a usage report (`core.readings`): the same file dialects, the same
import profiles. A statement profile takes the profile's `License key`, `Metric`, `Quantity` and
`Amount` columns (a `Date` column is not needed: the statement is for one month). A line
without a metric is for the only metric of the key's product.

Amounts are read as the file's dialect writes them (`1.234,56` where `;` separates the columns,
`1,234.56` where `,` does), with at most two decimals; a currency sign or code around them
(`€`, `EUR`) is allowed; a credit is negative (`-12,50`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .models import Record
from .money import round_money, to_decimal
from .readings import (
    DECIMAL,
    STANDARD,
    THOUSANDS,
    ReportProblem,
    ReportValue,
    cell_at,
    is_blank_value,
    report_quantity,
    text_of,
)
from .vocabulary import AMOUNT_COLUMN, LICENSE_KEY_COLUMN, METRIC_COLUMN, QUANTITY_COLUMN

LARGEST_AMOUNT = Decimal("999999999.99")
_CURRENCY = re.compile(r"^(?:€|EUR)\s*|\s*(?:€|EUR)$", re.IGNORECASE)


class Charge(Record):
    """One statement line: what the vendor charged for a key's metric."""

    license_key: str
    metric: str  # "" where the line names none (the product's only metric)
    quantity: int
    amount: Decimal
    line: int


@dataclass(frozen=True)
class StatementProfile:
    """Where a charge's fields are in a statement: report column headers by field."""

    name: str
    license_key: str
    metric: str | None
    quantity: str
    amount: str

    @property
    def columns(self) -> tuple[str, ...]:
        named = (self.license_key, self.metric, self.quantity, self.amount)
        return tuple(c for c in named if c)


def standard_statement_profile() -> StatementProfile:
    """The built-in profile: `License key`, `Metric`, `Quantity`, `Amount`."""
    return StatementProfile(
        STANDARD, LICENSE_KEY_COLUMN, METRIC_COLUMN, QUANTITY_COLUMN, AMOUNT_COLUMN
    )


def make_statement_profile(
    name: str, fields: Sequence[tuple[str, str, str | None]]
) -> StatementProfile:
    """A statement profile from an import profile's rows (field, column header, metric);
    raises ReportProblem when it cannot read a statement."""
    by_field: dict[str, list[str]] = {}
    for field_name, column, _ in fields:
        by_field.setdefault(field_name, []).append(column)
    for needed in (LICENSE_KEY_COLUMN, QUANTITY_COLUMN, AMOUNT_COLUMN):
        if needed not in by_field:
            raise ReportProblem(f'profile "{name}" has no {needed} column to read a statement')
    for single in (LICENSE_KEY_COLUMN, METRIC_COLUMN, QUANTITY_COLUMN, AMOUNT_COLUMN):
        if len(by_field.get(single, [])) > 1:
            raise ReportProblem(
                f'profile "{name}" names the field {single} more than once (a statement has '
                "one column for each)"
            )
    metric = by_field.get(METRIC_COLUMN, [None])[0]
    return StatementProfile(
        name,
        by_field[LICENSE_KEY_COLUMN][0],
        metric,
        by_field[QUANTITY_COLUMN][0],
        by_field[AMOUNT_COLUMN][0],
    )


def charge_of_line(
    line: Sequence[ReportValue],
    number: int,
    profile: StatementProfile,
    at: Mapping[str, int],
    separator: str | None,
) -> Charge:
    """The charge of one data line; raises ReportProblem with what is wrong and expected."""
    metric = cell_at(line, at[profile.metric]) if profile.metric else None
    return Charge(
        license_key=text_of(cell_at(line, at[profile.license_key]), "license key"),
        metric="" if is_blank_value(metric) else text_of(metric, "metric"),
        quantity=report_quantity(cell_at(line, at[profile.quantity]), separator),
        amount=report_amount(cell_at(line, at[profile.amount]), separator),
        line=number,
    )


def report_amount(value: ReportValue, separator: str | None) -> Decimal:
    """An amount of money as a cell or as text in the file's dialect (see the module)."""
    expected = "amount must be a number of euros with at most two decimals"
    if isinstance(value, bool) or is_blank_value(value):
        shown = "nothing" if is_blank_value(value) else str(value)
        raise ReportProblem(f"{expected}, got {shown}")
    if isinstance(value, (int, float)):
        amount = to_decimal(value)
        if not amount.is_finite() or amount != round_money(amount):
            raise ReportProblem(f"{expected}, got {value}")
        return _bounded(amount, value)
    if not isinstance(value, str):
        raise ReportProblem(f"{expected}, got {value}")
    text = _CURRENCY.sub("", value.strip()).replace("\u00a0", "").replace(" ", "")
    sign = ""
    if text[:1] in "+-":
        sign, text = text[0].replace("+", ""), text[1:]
    thousands = THOUSANDS.get(separator) if separator else None
    decimal = (DECIMAL.get(separator) if separator else ".") or "."
    group = rf"[0-9]{{1,3}}(?:{re.escape(thousands)}[0-9]{{3}})+" if thousands else None
    whole = rf"(?:[0-9]+|{group})" if group else "[0-9]+"
    match = re.fullmatch(rf"({whole})(?:{re.escape(decimal)}([0-9]{{1,2}}))?", text, re.ASCII)
    if match is None:
        raise ReportProblem(f'{expected}, got "{value}"')
    digits = match[1].replace(thousands, "") if thousands else match[1]
    return _bounded(Decimal(f"{sign}{digits}.{match[2] or '0'}"), value)


def _bounded(amount: Decimal, value: object) -> Decimal:
    """The amount to the cent, refused beyond LARGEST_AMOUNT either way."""
    if abs(amount) > LARGEST_AMOUNT:
        raise ReportProblem(f"amount must be at most {LARGEST_AMOUNT:,} in size, got {value}")
    return round_money(amount)
