"""Money is Decimal from the first cell read to the last cell written; rounding lives here."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")


def round_money(amount: Decimal) -> Decimal:
    """Round half up to the cent (the only rounding of amounts in the project). Zero is never
    negative (-12.00 x 0 is 0.00, not -0.00, which e-invoice rules refuse as a VAT amount)."""
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded.is_zero() else rounded


def round_half_up(value: Decimal) -> int:
    """Round half up to a whole number."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def ceil_whole(value: Decimal) -> int:
    """Round up to a whole number (average usage is billed in whole units, rounded up)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_CEILING))


def to_decimal(value: float | int | str | Decimal) -> Decimal:
    """Exact decimal of a cell value; floats go through their shortest repr (2.4 -> 2.4)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)
