"""Raw table rows -> validated input records, and a check for every problem, with its cell.

Every cell of a row is checked (so the user sees all problems of a row at once); a row with any
error is left out of the billing, never silently: each error names its sheet and cell, what is
wrong and what is expected. References between tables (a key's customer and product, a reading's
key and metric) are resolved case-insensitively to the spelling of the referenced row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Generic, NamedTuple, TypeVar

from ..core.models import (
    AnnualPrice,
    Check,
    Customer,
    Inputs,
    LicenseKey,
    Product,
    Settings,
    UsageReading,
)
from ..core.months import Month, previous_month
from ..core.vocabulary import TERMS, TERMS_TEXT
from . import schema
from .cells import (
    CellError,
    CellFault,
    RawValue,
    as_choice,
    as_date,
    as_fraction,
    as_money,
    as_month,
    as_text,
    as_whole,
    invisible,
    label,
    quoted,
    show,
)
from .reader import RawTable, TableRow
from .schema import Kind

_EXPECTED = {
    Kind.ID: "an identifier",
    Kind.TEXT: "text",
    Kind.WHOLE: "a whole number >= 0",
    Kind.MONEY: "a number >= 0",
    Kind.PERCENT: "a fraction from 0 to below 1",
    Kind.DATE: "a date (YYYY-MM-DD)",
}
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_PAYMENT_DAYS = 365


@dataclass
class Collector:
    """Collects checks; knows which rows had errors."""

    checks: list[Check] = field(default_factory=list)

    def error(self, sheet: str, cell: str, message: str) -> None:
        self.checks.append(Check(severity="error", sheet=sheet, cell=cell, message=message))

    def warning(self, sheet: str, cell: str, message: str) -> None:
        self.checks.append(Check(severity="warning", sheet=sheet, cell=cell, message=message))

    def info(self, sheet: str, cell: str, message: str) -> None:
        self.checks.append(Check(severity="info", sheet=sheet, cell=cell, message=message))


class RowCheck:
    """Typed values of one row; every problem is reported against its cell."""

    def __init__(self, table: RawTable, row: TableRow, out: Collector) -> None:
        self.table, self.row, self.out = table, row, out
        self.ok = True
        self.first_error = ""  # where the row's first error of its own is ("Keys!C4")
        self.caused_by = ""  # the root cause of a record it refers to that was left out

    @property
    def root(self) -> str:
        """Where to fix what left this row out: its own first error, else its reference's."""
        return self.first_error or self.caused_by

    def cell(self, header: str) -> str:
        return self.row.cells[header]

    def source(self, header: str) -> str:
        return f"{self.table.sheet}!{self.cell(header)}"

    def error(self, header: str, message: str) -> None:
        self.ok = False
        self.first_error = self.first_error or self.source(header)
        self.out.error(self.table.sheet, self.cell(header), message)

    def value(self, header: str) -> Any:
        """The cell parsed by its column's kind; None when empty (an error if required)."""
        column = self.table.spec.column(header)
        # A column added in a later release may be missing from an older workbook: empty.
        raw = (
            self.row.values.get(header)
            if header in self.table.spec.added_later
            else (self.row.values[header])
        )
        if isinstance(raw, CellFault):
            self.error(header, f"{label(header)} is {raw}; expected {_expected(column)}")
            return None
        if raw is None:
            if column.required:
                self.error(header, f"{label(header)} is empty; expected {_expected(column)}")
            return None
        try:
            return _parse(column, raw)
        except CellError as exc:
            self.error(header, str(exc))
            return None


def _expected(column: schema.Column) -> str:
    if column.kind is Kind.CHOICE:
        return "one of " + ", ".join(column.choices)
    return _EXPECTED.get(column.kind, "a value")


def _parse(column: schema.Column, raw: RawValue) -> Any:
    what = label(column.header)
    kind = column.kind
    if kind in (Kind.ID, Kind.TEXT) and isinstance(raw, bool):
        # Excel's TRUE/FALSE is no name, ID or text typed by a person: never read as "True".
        raise CellError(f"{what} must be text, got the logical value {show(raw)}")
    if kind in (Kind.ID, Kind.TEXT, Kind.ANY):
        return as_text(raw)
    if kind is Kind.CHOICE:
        return as_choice(raw, what, column.choices)
    if kind is Kind.WHOLE:
        return as_whole(raw, what)
    if kind is Kind.MONEY:
        return as_money(raw, what)
    if kind is Kind.PERCENT:
        return as_fraction(raw, what)
    if kind is Kind.DATE:
        return as_date(raw, what, month_text=column is schema.USAGE.column(schema.COL_DATE))
    raise AssertionError(f"no parser for {kind}")  # pragma: no cover


T = TypeVar("T")


class KnownKey(NamedTuple):
    """An accepted license key and the metrics its product bills."""

    key: LicenseKey
    metrics: list[Product]


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


# --- Settings -------------------------------------------------------------------------------------


def _settings(table: RawTable, out: Collector) -> Settings:
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
    if name == schema.SETTING_COUNTRY and not _COUNTRY.match(text.upper()):
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


# --- Products and annual prices -------------------------------------------------------------------


def _products(table: RawTable, out: Collector) -> tuple[list[Product], Registry[list[Product]]]:
    products: list[Product] = []
    ids: Registry[list[Product]] = Registry(table.sheet)
    pairs: Registry[object] = Registry(table.sheet)
    for row in table:
        check = RowCheck(table, row, out)
        v = {h: check.value(h) for h in table.spec.headers}
        pid, metric = v[schema.COL_PRODUCT_ID], v[schema.COL_METRIC]
        if pid and metric:
            pairs.claim(check, schema.COL_METRIC, f"{pid} / {metric}", "product ID and metric")
        if not check.ok:
            if pid:
                ids.reject(pid, check)
            continue
        product = Product(
            product_id=pid,
            product=v[schema.COL_PRODUCT] or pid,
            metric=metric,
            aggregation=v[schema.COL_AGGREGATION],
            cost_per_unit=v[schema.COL_COST_PER_UNIT],
            price_per_unit=v[schema.COL_PRICE_PER_UNIT],
            minimum_units=v[schema.COL_MINIMUM_UNITS] or 0,
            source=check.source(schema.COL_PRODUCT_ID),
        )
        products.append(product)
        ids.accepted.setdefault(pid.lower(), [])
        ids.accepted[pid.lower()].append(product)
    # A product with one bad metric row is still known; its bad row is what the user must fix.
    ids.rejected -= set(ids.accepted)
    return products, ids


def _annual_prices(
    table: RawTable, out: Collector, products: Registry[list[Product]]
) -> list[AnnualPrice]:
    prices: list[AnnualPrice] = []
    tiers: dict[tuple[str, str, int], list[AnnualPrice]] = {}  # by product, metric, term
    for row in table:
        check = RowCheck(table, row, out)
        v = {h: check.value(h) for h in table.spec.headers}
        metrics = (
            products.resolve(check, schema.COL_PRODUCT_ID, v[schema.COL_PRODUCT_ID], "product ID")
            if v[schema.COL_PRODUCT_ID]
            else None
        )
        metric = v[schema.COL_METRIC]
        if metrics and metric:
            metric = _metric_of(check, metrics, metric, "is not a metric of")
        term = v[schema.COL_TERM_YEARS]
        if term is not None and term not in TERMS:
            check.error(schema.COL_TERM_YEARS, f"term (years) must be {TERMS_TEXT}, got {term}")
        low, high = v[schema.COL_MIN_UNITS], v[schema.COL_MAX_UNITS]
        if low is not None and high is not None and high < low:
            check.error(
                schema.COL_MAX_UNITS, f"max units must be empty or >= min units ({low}), got {high}"
            )
        if not check.ok:
            continue
        price = AnnualPrice(
            product_id=metrics[0].product_id,
            metric=metric,
            term_years=term,
            min_units=low,
            max_units=high,
            price_per_unit_per_year=v[schema.COL_PRICE_PER_UNIT_PER_YEAR],
            source=check.source(schema.COL_PRODUCT_ID),
        )
        if _overlapping(check, price, tiers):
            continue
        prices.append(price)
    products.report_dependents(table, out)
    return prices


def _overlapping(
    check: RowCheck, price: AnnualPrice, tiers: dict[tuple[str, str, int], list[AnnualPrice]]
) -> bool:
    """An error on a tier whose units overlap an earlier row's tier of the same product,
    metric and term (an order of n units must have one rate); else the tier is kept in
    `tiers`."""
    same = tiers.setdefault((price.product_id, price.metric, price.term_years), [])
    high = price.max_units
    for other in same:
        if (other.max_units is None or other.max_units >= price.min_units) and (
            high is None or high >= other.min_units
        ):
            check.error(
                schema.COL_MIN_UNITS,
                f"the tier {_units(price)} overlaps the tier {_units(other)} of "
                f"{other.source} (same product, metric and term); an order of n units must "
                "fall in one tier",
            )
            return True
    same.append(price)
    return False


def _units(price: AnnualPrice) -> str:
    top = "" if price.max_units is None else str(price.max_units)
    return f"{price.min_units}-{top}" if top else f"{price.min_units} and up"


def _metric_of(check: RowCheck, metrics: list[Product], metric: str, relation: str) -> str:
    """The product's spelling of a metric typed in any case; an error on the Metric cell when
    the product has no such metric."""
    for product in metrics:
        if product.metric.lower() == metric.lower():
            return product.metric
    check.error(
        schema.COL_METRIC,
        f"metric {quoted(metric)} {relation} product {metrics[0].product_id} "
        f"(its metrics: {', '.join(p.metric for p in metrics)})",
    )
    return metric


# --- Customers, keys, usage -----------------------------------------------------------------------


def _customers(table: RawTable, out: Collector) -> tuple[list[Customer], Registry[Customer]]:
    customers: list[Customer] = []
    ids = Registry(table.sheet)
    for row in table:
        check = RowCheck(table, row, out)
        v = {h: check.value(h) for h in table.spec.headers}
        cid = v[schema.COL_CUSTOMER_ID]
        typed = v[schema.COL_COUNTRY]
        country = (typed or "").upper()
        if country and not _COUNTRY.match(country):
            check.error(
                schema.COL_COUNTRY,
                f"country must be empty or a two-letter code (DE, AT), got {show(typed)}",
            )
        if cid and not ids.claim(check, schema.COL_CUSTOMER_ID, cid, "customer ID"):
            continue
        if not check.ok:
            if cid:
                ids.reject(cid, check)
            continue
        customer = Customer(
            customer_id=cid,
            customer=v[schema.COL_CUSTOMER],
            email=v[schema.COL_EMAIL] or "",
            country=country,
            vat_id=v[schema.COL_VAT_ID] or "",
            discount=v[schema.COL_DISCOUNT] if v[schema.COL_DISCOUNT] is not None else Decimal(0),
            street=v[schema.COL_STREET] or "",
            postcode=v[schema.COL_POSTCODE] or "",
            city=v[schema.COL_CITY] or "",
            buyer_reference=v[schema.COL_BUYER_REFERENCE] or "",
            language=v[schema.COL_LANGUAGE] or "",
            debitor=v[schema.COL_DEBITOR] or "",
            payment=v[schema.COL_PAYMENT] or "",
            debtor_iban=v[schema.COL_DEBTOR_IBAN] or "",
            debtor_bic=v[schema.COL_DEBTOR_BIC] or "",
            mandate_id=v[schema.COL_MANDATE_ID] or "",
            mandate_date=v[schema.COL_MANDATE_DATE] or "",
            source=check.source(schema.COL_CUSTOMER_ID),
            cells={h: f"{table.sheet}!{row.cells[h]}" for h in row.cells},
        )
        customers.append(customer)
        ids.accepted[cid.lower()] = customer
    return customers, ids


def _keys(
    table: RawTable,
    out: Collector,
    customers: Registry[Customer],
    products: Registry[list[Product]],
) -> tuple[list[LicenseKey], Registry[KnownKey]]:
    keys: list[LicenseKey] = []
    ids = Registry(table.sheet)
    for row in table:
        check = RowCheck(table, row, out)
        v = {h: check.value(h) for h in table.spec.headers}
        key_id = v[schema.COL_LICENSE_KEY]
        customer = (
            customers.resolve(
                check, schema.COL_CUSTOMER_ID, v[schema.COL_CUSTOMER_ID], "customer ID"
            )
            if v[schema.COL_CUSTOMER_ID]
            else None
        )
        metrics = (
            products.resolve(check, schema.COL_PRODUCT_ID, v[schema.COL_PRODUCT_ID], "product ID")
            if v[schema.COL_PRODUCT_ID]
            else None
        )
        start, end = v[schema.COL_START], v[schema.COL_END]
        if start and end and end < start:
            check.error(schema.COL_END, f"end ({end}) is before start ({start})")
        if (
            v[schema.COL_STATUS] == "cancelled"
            and end is None
            and row.values[schema.COL_END] is None
        ):
            check.error(schema.COL_END, "end is empty; a cancelled key needs an end date")
        if key_id and not ids.claim(check, schema.COL_LICENSE_KEY, key_id, "license key"):
            continue
        if not check.ok:
            if key_id:
                ids.reject(key_id, check)
            continue
        key = LicenseKey(
            license_key=key_id,
            customer_id=customer.customer_id,
            product_id=metrics[0].product_id,
            start=start,
            end=end,
            status=v[schema.COL_STATUS],
            note=v[schema.COL_NOTE] or "",
            source=check.source(schema.COL_LICENSE_KEY),
        )
        keys.append(key)
        ids.accepted[key_id.lower()] = KnownKey(key, metrics)
    customers.report_dependents(table, out)
    products.report_dependents(table, out)
    return keys, ids


def validate_usage(table: RawTable, out: Collector, keys: Registry[KnownKey]) -> list[UsageReading]:
    """The Usage rows as readings; bad rows become errors and are left out."""
    readings: list[UsageReading] = []
    for row in table:
        check = RowCheck(table, row, out)
        v = {h: check.value(h) for h in table.spec.headers}
        found = (
            keys.resolve(check, schema.COL_LICENSE_KEY, v[schema.COL_LICENSE_KEY], "license key")
            if v[schema.COL_LICENSE_KEY]
            else None
        )
        metric = v[schema.COL_METRIC]
        if found and metric:
            metric = _metric_of(check, found.metrics, metric, "is not billed for")
        if not check.ok:
            continue
        readings.append(
            UsageReading(
                day=v[schema.COL_DATE],
                license_key=found.key.license_key,
                metric=metric,
                quantity=v[schema.COL_QUANTITY],
                source_name=v[schema.COL_SOURCE] or "",
                row=row.row,
                source=check.source(schema.COL_LICENSE_KEY),
            )
        )
    keys.report_dependents(table, out)
    return readings


# --- Plausibility of usage readings (warnings) -----------------------------------------------

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
    (`usage_columns` gives the same for its columns)."""
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
    metric, date, quantity) twice, by row (`usage_columns` gives the same for its columns)."""
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


@dataclass(frozen=True)
class MasterData:
    """The validated tables that usage readings refer to, and the license keys by ID."""

    settings: Settings
    products: tuple[Product, ...]
    annual_prices: tuple[AnnualPrice, ...]
    customers: tuple[Customer, ...]
    keys: tuple[LicenseKey, ...]
    key_ids: Registry[KnownKey]

    def inputs(
        self, usage: tuple[UsageReading, ...] = (), readings_elsewhere: bool = False
    ) -> Inputs:
        return Inputs(
            settings=self.settings,
            products=self.products,
            annual_prices=self.annual_prices,
            customers=self.customers,
            keys=self.keys,
            usage=usage,
            readings_elsewhere=readings_elsewhere,
        )


def build_master_data(raw: dict[str, RawTable], out: Collector) -> MasterData:
    """Settings, Products, AnnualPrices, Customers and Keys, validated in that order."""
    settings = _settings(raw[schema.SETTINGS.name], out)
    products, product_ids = _products(raw[schema.PRODUCTS.name], out)
    annual = _annual_prices(raw[schema.ANNUAL_PRICES.name], out, product_ids)
    customers, customer_ids = _customers(raw[schema.CUSTOMERS.name], out)
    keys, key_ids = _keys(raw[schema.KEYS.name], out, customer_ids, product_ids)
    return MasterData(
        settings, tuple(products), tuple(annual), tuple(customers), tuple(keys), key_ids
    )


def build_inputs(
    raw: dict[str, RawTable], month: Month | None = None, today: date | None = None
) -> tuple[Inputs, list[Check]]:
    """Validated inputs and every problem found, in sheet order; readings implausible for
    the billing month (`month`, else Settings', else last month) are warnings."""
    out = Collector()
    master = build_master_data(raw, out)
    usage = validate_usage(raw[schema.USAGE.name], out, master.key_ids)
    billing = billing_month_for(master.settings, month, today)
    usage_plausibility(usage, raw[schema.USAGE.name], out, billing)
    overlapping_reports(usage, raw[schema.USAGE.name], out)
    return master.inputs(tuple(usage)), out.checks


def read_settings(table: RawTable) -> tuple[Settings, list[Check]]:
    """The Settings table on its own (a command that needs no other input), and its checks."""
    out = Collector()
    return _settings(table, out), out.checks
