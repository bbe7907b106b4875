"""The data validations of the input sheets: what Excel checks as a value is typed (a
drop-down, a whole number, an amount, a percentage, a date, the rough form of an e-mail
address, IBAN or VAT ID) and the messages it shows while a cell is selected and when a value
does not fit. A warning where the program checks more closely itself."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from .. import schema
from ..schema import Column, Kind
from .drop_down_lists import lookup_name

# Input validations cover the data rows down to this Excel row, so rows added later are covered.
VALIDATED_LAST_ROW = 100_000

_EARLIEST_DATE = date(2000, 1, 1)
_MAX_FRACTION = 0.9999

# Excel's limits of a data validation's input message (longer ones make Excel refuse the file).
MAX_PROMPT_TITLE = 32
MAX_PROMPT = 255


def prompt(title: str, message: str) -> dict[str, Any]:
    """The input message Excel shows while the cell is selected; within Excel's limits."""
    if len(title) > MAX_PROMPT_TITLE or len(message) > MAX_PROMPT:
        raise ValueError(f"input message too long: {title!r} / {message!r}")
    return {"input_title": title, "input_message": message}


def messages(header: str, expected: str) -> dict[str, Any]:
    """The error message Excel shows when a typed value does not fit (within its limits)."""
    return {
        "error_title": header[:32],
        "error_message": f"{header}: {expected}."[:255],
    }


def number_options(header: str, validate: str, expected: str) -> dict[str, Any]:
    """A number >= 0 (`validate`: "integer" or "decimal")."""
    return {
        "validate": validate,
        "criteria": ">=",
        "value": 0,
        **messages(header, expected),
    }


def validate_column(ws: Worksheet, col: int, last_row: int, column: Column) -> None:
    """The data validation of an input column's data rows, down to 0-based `last_row`."""
    options = _column_validation(column)
    if column.form:
        options = _form_options(column.form, f"{xl_col_to_name(col)}2", column.header)
    if options is not None:
        ws.data_validation(1, col, last_row, col, options)


def _column_validation(column: Column) -> dict[str, Any] | None:
    """The data validation of an input column, or None where any text goes."""
    if column.lookup is not None:
        return _lookup_options(column)
    if column.choices:
        return _list_options(column.header, column.choices, suggest=column.suggest)
    if column.kind is Kind.WHOLE:
        return number_options(column.header, "integer", "a whole number >= 0")
    if column.kind is Kind.MONEY:
        return {
            **number_options(column.header, "decimal", _MONEY_EXPECTED),
            **prompt(column.header[:32], _MONEY_PROMPT),
        }
    if column.kind is Kind.PERCENT:
        return _fraction_options(column.header)
    if column.kind is Kind.DATE:
        return _date_options(column.header)
    return None


# Rough checks Excel makes as a value is typed (a warning: the program checks fully, check sums
# too). `{c}` is the first cell of the range; Excel moves it along the range.
_FORMS: dict[str, tuple[str, str]] = {
    "email": (
        '=OR({c}="",AND(ISNUMBER(FIND("@",{c})),ISNUMBER(FIND(".",{c},FIND("@",{c})))))',
        "an e-mail address, e.g. rechnung@example.de",
    ),
    "iban": (
        '=OR({c}="",AND(LEN(SUBSTITUTE({c}," ",""))>=15,LEN(SUBSTITUTE({c}," ",""))<=34,'
        "ISERROR(VALUE(LEFT({c},1))),ISERROR(VALUE(MID({c},2,1)))))",
        "an IBAN: two letters, then up to 32 digits and letters, e.g. DE02120300000000202051",
    ),
    "bic": (
        '=OR({c}="",OR(LEN(SUBSTITUTE({c}," ",""))=8,LEN(SUBSTITUTE({c}," ",""))=11))',
        "a BIC of 8 or 11 characters, e.g. COBADEFFXXX (optional)",
    ),
    "vat_id": (
        '=OR({c}="",AND(LEN({c})>=4,ISERROR(VALUE(LEFT({c},1))),ISERROR(VALUE(MID({c},2,1)))))',
        "a VAT ID starting with its country code, e.g. DE136695976",
    ),
    "debitor": (
        '=OR({c}="",AND(ISNUMBER(--{c}),--{c}>=10000,--{c}<=69999))',
        "a DATEV debitor account from 10000 to 69999, or empty (the export gives one)",
    ),
    "date": ('=OR({c}="",ISNUMBER({c}))', "ein Datum, z. B. 14.03.2025 / a date, e.g. 2025-03-14"),
    "creditor_id": (
        '=OR({c}="",AND(LEN(SUBSTITUTE({c}," ",""))>=8,LEN(SUBSTITUTE({c}," ",""))<=35,'
        "ISERROR(VALUE(LEFT({c},1))),ISERROR(VALUE(MID({c},2,1)))))",
        "a SEPA creditor ID starting with its country code, e.g. DE98ZZZ09999999999",
    ),
    "postcode": (
        '=OR({c}="",LEN({c})<=10)',
        "a postcode (at most 10 characters; a German one has five digits, e.g. 01067)",
    ),
}


def _form_options(form: str, cell: str, header: str) -> dict[str, Any]:
    formula, expected = _FORMS[form]
    return {
        "validate": "custom",
        "value": formula.format(c=cell),
        "error_type": "warning",
        "input_title": header[:32],
        "input_message": f"{header}: {expected}."[:255],
        **messages(header, expected),
    }


def _list_options(header: str, choices: Iterable[str], suggest: bool = False) -> dict[str, Any]:
    """A drop-down of fixed choices; with `suggest` the choices are suggestions: another value
    gets a warning the user may answer with Yes (the program accepts it)."""
    choices = list(choices)
    if suggest:
        return {
            "validate": "list",
            "source": choices,
            "error_type": "warning",
            **messages(header, "not in the list; choose Yes to keep it anyway"),
        }
    return {
        "validate": "list",
        "source": choices,
        **messages(header, "one of " + ", ".join(choices)),
    }


def _lookup_options(column: Column) -> dict[str, Any]:
    assert column.lookup is not None
    table, header = column.lookup
    return {
        "validate": "list",
        "source": "=" + lookup_name(header),
        "ignore_blank": True,
        # A warning, not a stop: the referenced row may be added after this one.
        "error_type": "warning",
        "error_title": column.header[:32],
        "error_message": (
            f"{column.header}: a {header} from the {table} sheet. "
            f"This one is not there yet: add it on {table}, or choose Yes to keep it anyway."
        )[:255],
    }


def _fraction_options(header: str) -> dict[str, Any]:
    return {
        "validate": "decimal",
        "criteria": "between",
        "minimum": 0,
        "maximum": _MAX_FRACTION,
        **messages(header, _PERCENT_EXPECTED),
        **prompt(header[:32], _PERCENT_PROMPT),
    }


def _date_options(header: str) -> dict[str, Any]:
    return {
        "validate": "date",
        "criteria": ">=",
        "value": datetime.combine(_EARLIEST_DATE, datetime.min.time()),
        **messages(header, _DATE_EXPECTED),
        **prompt(header[:32], _DATE_PROMPT),
    }


# What a German and an English Excel user type: German first, then English. No example with a
# decimal point alone (German Excel turns 2.40 into a date) and none with a comma alone. Dates:
# ISO 2026-10-31 is read as a date by Excel in every language; German users know 31.10.2026.
_MONEY_EXPECTED = "ein Betrag >= 0 / an amount >= 0"
_MONEY_PROMPT = (
    "Betrag >= 0, z. B. 2,40 (deutsches Excel). Währung: Settings › Currency.\n"
    "Amount >= 0, e.g. 2.40 (English Excel). Currency: Settings › Currency."
)
_PERCENT_EXPECTED = "Prozent von 0 bis unter 100 % / a percentage from 0 to below 100 %"
_PERCENT_PROMPT = (
    "In Prozent tippen, z. B. 5% (leer = 0 %).\nType it as a percentage, e.g. 5% (empty = 0 %)."
)
_DATE_EXPECTED = "ein Datum ab 01.01.2000 / a date from 2000-01-01 on"
_DATE_PROMPT = "Datum, z. B. 31.10.2026 (oder 2026-10-31).\nA date, e.g. 2026-10-31 (in any Excel)."


def setting_validation(spec: schema.SettingSpec, row: int) -> dict[str, Any]:
    """The data validation of a setting's value cell (on sheet row `row`, 1-based), its input
    message the setting's help."""
    options: dict[str, Any] = {"validate": "any"}
    if spec.name == schema.SETTING_MISSING_USAGE:
        options = _list_options(spec.name, schema.MISSING_USAGE)
    elif spec.name == schema.SETTING_LANGUAGE:
        options = _list_options(spec.name, schema.LANGUAGES)
    elif spec.name == schema.SETTING_CHART:
        options = _list_options(spec.name, schema.CHARTS_OF_ACCOUNTS)
    elif spec.name == schema.SETTING_COUNTRY:
        options = _list_options(spec.name, schema.COUNTRY_CODES, suggest=True)
    elif spec.name == schema.SETTING_PAYMENT_DAYS:
        options = number_options(spec.name, "integer", "a whole number of days >= 0")
    elif spec.name in schema.SETTING_RANGES:
        low, high, what = schema.SETTING_RANGES[spec.name]
        options = {
            "validate": "integer",
            "criteria": "between",
            "minimum": low,
            "maximum": high,
            **messages(spec.name, f"{what}, a whole number from {low} to {high}"),
        }
    elif spec.name == schema.SETTING_VAT_RATE:
        options = _fraction_options(spec.name)
    elif spec.name in schema.SETTING_FORMS:
        options = _form_options(schema.SETTING_FORMS[spec.name], f"B{row}", spec.name)
    options["input_title"] = spec.name[:32]
    options["input_message"] = spec.help[:255]
    return options
