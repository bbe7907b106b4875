"""Cell values as a spreadsheet reader returns them -> typed values, or a message saying why not.

A reader gives str, float (every number), bool, date or datetime, and "" or None for an empty
cell. Each parser returns the typed value or raises `CellError` with a message that says what is
expected and what was found, written for the person who typed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from ..core.money import to_decimal
from ..core.months import Month


@dataclass(frozen=True)
class CellFault:
    """A cell whose value cannot be read: an Excel error value, a formula without a stored
    result, a text longer than a cell may hold. Never read as empty or as a default: the
    validation reports it at its cell (`what` is how a message names it)."""

    what: str

    def __str__(self) -> str:
        return self.what


RawValue = str | float | int | bool | date | datetime | CellFault | None

# Excel's limit on the characters of one cell.
MAX_TEXT = 32_767
NO_RESULT = CellFault("a formula without a stored result (calculate and save it in Excel first)")


def error_value(text: str) -> CellFault:
    """An Excel error value (#N/A, #VALUE!, #REF!, ...) as a cell's fault."""
    return CellFault(f"the error value {text.strip() or '#N/A'}")


def too_long(length: int) -> CellFault:
    return CellFault(f"a text of {length:,} characters (Excel's limit is {MAX_TEXT:,})")


def fault_of(xml_value: str) -> CellFault:
    """A fault as the sheet scanner finds it (`package.guard.check_sheet_cells`): an error
    value's text, or "" for a formula without a stored result."""
    return error_value(xml_value) if xml_value else NO_RESULT


_NUMBER_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$", re.ASCII)
# "1.000" and "1,000": a thousands separator (German 1.000 is one thousand) or a decimal point?
_GROUPED = re.compile(r"^[+-]?[1-9]\d{0,2}([.,]\d{3})+$", re.ASCII)
# Quantities, unit counts and prices are below a billion: a larger number is a typing or a
# paste error (and 30 digits would pass the 28 of decimal arithmetic).
MAX_NUMBER = 999_999_999
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_EXCEL_EPOCH = date(1899, 12, 30)
# Excel's own date range: 1900-01-01 .. 9999-12-31.
_SERIAL_MIN, _SERIAL_MAX = 1, 2958465


class CellError(ValueError):
    """A cell that cannot be read as what its column needs; str(error) is the message."""


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def is_empty(value: RawValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# A text quoted in a message is cut after this many characters (a message stays one line a
# person reads, and within what a cell may hold).
SHOWN_CHARACTERS = 100


def quoted(text: str) -> str:
    """A text as a message quotes it: in double quotes, characters that cannot be seen (a
    zero-width space, a non-breaking space, a control character) written as \\u200b, and a
    long text cut, with its length."""
    shown = text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS]
    if not shown.isprintable():  # Python's "printable": no Other or Separator but " "
        shown = "".join(c if c.isprintable() else _escaped(c) for c in shown)
    if len(text) > SHOWN_CHARACTERS:
        return f'"{shown}..." ({len(text):,} characters)'
    return f'"{shown}"'


def invisible(text: str) -> str:
    """Where a text holds characters that cannot be seen (written as escapes by `quoted`):
    "an invisible character at position 24 (\\u200b)", or "" when it holds none."""
    if text.isprintable():
        return ""
    found = [f"{i} ({_escaped(c)})" for i, c in enumerate(text, start=1) if not c.isprintable()]
    if len(found) == 1:
        return f"an invisible character at position {found[0]}"
    more = ", ..." if len(found) > 5 else ""
    return f"invisible characters at positions {', '.join(found[:5])}{more}"


def _escaped(character: str) -> str:
    code = ord(character)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def show(value: RawValue) -> str:
    """How a found value is quoted in a message: text in quotes (see `quoted`), numbers and
    dates plain."""
    if isinstance(value, str):
        return quoted(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def as_text(value: RawValue) -> str:
    """Any cell as text: whole numbers without ".0", dates as ISO, surrounding spaces removed."""
    if isinstance(value, str):  # most cells: one test instead of five
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def as_decimal(value: RawValue, what: str, expected: str) -> Decimal:
    """A number (or text that is plainly a number, like "2.40"), exactly as a Decimal."""
    if isinstance(value, (bool, date, datetime)):
        raise CellError(f"{what} must be {expected}, got {show(value)}")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise CellError(f"{what} must be {expected}, got {show(value)}")
        return to_decimal(value)
    text = str(value).strip()
    if _GROUPED.match(text):
        raise CellError(
            f"{what} must be {expected}, got {show(value)}: ambiguous (a thousands separator "
            "or a decimal point?); write it without a thousands separator"
        )
    if not _NUMBER_TEXT.match(text):
        raise CellError(f"{what} must be {expected}, got {show(value)}")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid numbers
        raise CellError(f"{what} must be {expected}, got {show(value)}") from exc


def as_whole(value: RawValue, what: str) -> int:
    expected = "a whole number >= 0"
    number = as_decimal(value, what, expected)
    if number < 0 or number != number.to_integral_value():
        raise CellError(f"{what} must be {expected}, got {show(value)}")
    _at_most_max(number, value, what)
    return int(number)


def as_money(value: RawValue, what: str) -> Decimal:
    expected = "a number >= 0"
    number = as_decimal(value, what, expected)
    if number < 0:
        raise CellError(f"{what} must be {expected}, got {show(value)}")
    _at_most_max(number, value, what)
    return number


def _at_most_max(number: Decimal, value: RawValue, what: str) -> None:
    if number > MAX_NUMBER:
        raise CellError(f"{what} is too large (at most {MAX_NUMBER:,}), got {show(value)}")


def as_fraction(value: RawValue, what: str) -> Decimal:
    """A fraction 0 <= d < 1 (10 % is 0.10); "10%" text is accepted too."""
    expected = "a fraction from 0 to below 1 (10 % is 0.10)"
    if isinstance(value, str) and value.strip().endswith("%"):
        number = as_decimal(value.strip()[:-1].strip(), what, expected) / 100
    else:
        number = as_decimal(value, what, expected)
    if not Decimal(0) <= number < 1:
        raise CellError(f"{what} must be {expected}, got {show(value)}")
    return number


def as_date(value: RawValue, what: str, month_text: bool = False) -> date:
    """A date cell, an ISO date text (YYYY-MM-DD), an Excel serial day number, or with
    month_text a YYYY-MM text meaning the 1st of that month."""
    expected = "a date (YYYY-MM-DD" + (" or YYYY-MM)" if month_text else ")")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and _SERIAL_MIN <= value <= _SERIAL_MAX:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError(f"{what} must be {expected}, got {show(value)}")
    text = str(value).strip()
    match = _ISO_DATE.match(text)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    elif month_text:
        try:
            return Month.parse(text).first_day
        except ValueError:
            pass
    raise CellError(f"{what} must be {expected}, got {show(value)}")


def as_month(value: RawValue, what: str) -> Month:
    """A month: YYYY-MM text or any date in it."""
    if isinstance(value, str):
        try:
            return Month.parse(value)
        except ValueError:
            pass
    try:
        return Month.of(as_date(value, what))
    except CellError as exc:
        raise CellError(
            f"{what} must be a month (YYYY-MM) or a date in it, got {show(value)}"
        ) from exc


def as_choice(value: RawValue, what: str, choices: tuple[str, ...]) -> str:
    """One of the choices, compared without regard to case or surrounding spaces."""
    text = as_text(value).lower()
    for choice in choices:
        if text == choice.lower():
            return choice
    raise CellError(f"{what} must be one of {', '.join(choices)}, got {show(value)}")


@lru_cache(maxsize=256)
def label(header: str) -> str:
    """How a column is named inside a message: `Quantity` -> quantity, `VAT ID` stays."""
    first, _, rest = header.partition(" ")
    if first.isupper() and len(first) > 1:
        return header
    return first[:1].lower() + first[1:] + (" " + rest if rest else "")
