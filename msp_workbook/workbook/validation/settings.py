"""The Settings table: each setting's value checked, a missing or bad one taking its default."""

from __future__ import annotations

import re
from typing import Any

from ...core.models import Check, Settings
from .. import schema
from ..cells import (
    CellError,
    CellFault,
    RawValue,
    as_choice,
    as_fraction,
    as_month,
    as_text,
    as_whole,
    quoted,
    show,
)
from ..reader import RawTable
from .collector import Collector, RowCheck

COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_PAYMENT_DAYS = 365


def validate_settings(table: RawTable, out: Collector) -> Settings:
    """The Settings table as the model's settings: a bad value is an error and takes the
    default, an unknown setting is a warning."""
    known = {s.name.lower(): s for s in schema.SETTINGS_SPEC}
    values: dict[str, Any] = {}
    seen: dict[str, str] = {}
    cells: dict[str, str] = {}
    for row in table:
        check = RowCheck(table, row, out)
        if isinstance(row.values[schema.COL_SETTING], CellFault):
            check.value(schema.COL_SETTING)  # the error at its cell
            continue
        name = as_text(row.values[schema.COL_SETTING])
        spec = known.get(name.lower())
        if spec is None:
            out.warning(
                table.sheet,
                check.cell(schema.COL_SETTING),
                f"unknown setting {quoted(name)} is ignored; the settings are: "
                + ", ".join(s.name for s in schema.SETTINGS_SPEC),
            )
            continue
        if spec.name in seen:
            check.error(
                schema.COL_SETTING,
                f'setting "{spec.name}" appears twice (first on {seen[spec.name]})',
            )
            continue
        seen[spec.name] = f"{table.sheet}!{check.cell(schema.COL_SETTING)}"
        cells[spec.name] = f"{table.sheet}!{check.cell(schema.COL_VALUE)}"
        raw = row.values[schema.COL_VALUE]
        try:
            parsed = _setting_value(spec.name, raw)
        except CellError as exc:
            check.error(schema.COL_VALUE, f"{spec.name}: {exc}; using the default")
            continue
        if parsed is None and spec.default is not None:
            out.info(
                table.sheet,
                check.cell(schema.COL_VALUE),
                f"{spec.name} is empty: using {spec.default}",
            )
            continue
        values[spec.name] = parsed
    # A setting that is missing, empty or wrong takes the model's default (`Settings`).
    given = {SETTING_FIELDS[name]: value for name, value in values.items() if value is not None}
    return Settings(**given, cells=cells)


# The Settings model's field of each setting.
SETTING_FIELDS = {
    schema.SETTING_RESELLER: "reseller",
    schema.SETTING_COUNTRY: "country",
    schema.SETTING_CURRENCY: "currency",
    schema.SETTING_VAT_RATE: "vat_rate",
    schema.SETTING_BILLING_MONTH: "billing_month",
    schema.SETTING_MISSING_USAGE: "missing_usage",
    schema.SETTING_INVOICE_PREFIX: "invoice_prefix",
    schema.SETTING_CORRECTION_MONTHS: "correction_months",
    schema.SETTING_STREET: "street",
    schema.SETTING_POSTCODE: "postcode",
    schema.SETTING_CITY: "city",
    schema.SETTING_VAT_ID: "vat_id",
    schema.SETTING_TAX_NUMBER: "tax_number",
    schema.SETTING_CONTACT: "contact",
    schema.SETTING_PHONE: "phone",
    schema.SETTING_EMAIL: "email",
    schema.SETTING_IBAN: "iban",
    schema.SETTING_BIC: "bic",
    schema.SETTING_PAYMENT_DAYS: "payment_days",
    schema.SETTING_LANGUAGE: "language",
    schema.SETTING_CREDITOR_ID: "creditor_id",
    schema.SETTING_DATEV_CONSULTANT: "datev_consultant",
    schema.SETTING_DATEV_CLIENT: "datev_client",
    schema.SETTING_CHART: "chart_of_accounts",
    schema.SETTING_FISCAL_YEAR_START: "fiscal_year_start",
    schema.SETTING_REVENUE_ACCOUNT: "revenue_account",
    schema.SETTING_REVERSE_CHARGE_ACCOUNT: "reverse_charge_account",
    schema.SETTING_NON_EU_ACCOUNT: "non_eu_account",
}


def _setting_value(name: str, raw: RawValue) -> Any:
    if raw is None:
        return None
    if isinstance(raw, CellFault):
        raise CellError(f"the value is {raw}")
    if name == schema.SETTING_VAT_RATE:
        return as_fraction(raw, "the value")
    if name == schema.SETTING_BILLING_MONTH:
        month = as_month(raw, "the value")
        if not schema.FIRST_MONTH <= month <= schema.LAST_MONTH:
            raise CellError(
                f"the value must be a month from {schema.FIRST_MONTH} to {schema.LAST_MONTH}, "
                f"got {show(raw)}"
            )
        return month
    if name == schema.SETTING_MISSING_USAGE:
        return as_choice(raw, "the value", schema.MISSING_USAGE)
    if name == schema.SETTING_LANGUAGE:
        return as_choice(raw, "the value", schema.LANGUAGES)
    if name == schema.SETTING_CHART:
        return as_choice(raw, "the value", schema.CHARTS_OF_ACCOUNTS)
    if name in schema.SETTING_RANGES:
        low, high, what = schema.SETTING_RANGES[name]
        number = as_whole(raw, "the value")
        if not low <= number <= high:
            raise CellError(f"the value must be {what} from {low} to {high}, got {show(raw)}")
        return number
    if name == schema.SETTING_PAYMENT_DAYS:
        days = as_whole(raw, "the value")
        if days > MAX_PAYMENT_DAYS:
            raise CellError(f"the value must be at most {MAX_PAYMENT_DAYS} days, got {show(raw)}")
        return days
    text = as_text(raw)
    if name == schema.SETTING_COUNTRY and not COUNTRY_CODE.match(text.upper()):
        raise CellError(
            f"the value must be a two-letter country code (DE, AT, CH), got {show(raw)}"
        )
    if name == schema.SETTING_CURRENCY and not _CURRENCY.match(text.upper()):
        raise CellError(
            f"the value must be a three-letter currency code (EUR, CHF), got {show(raw)}"
        )
    if name in (schema.SETTING_COUNTRY, schema.SETTING_CURRENCY):
        return text.upper()
    return text


def read_settings(table: RawTable) -> tuple[Settings, list[Check]]:
    """The Settings table on its own (a command that needs no other input), and its checks."""
    out = Collector()
    return validate_settings(table, out), out.checks
