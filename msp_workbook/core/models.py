"""Immutable records: the validated inputs of a billing run and what it produces.

Input records carry `source`, the cell that identifies them (`Keys!A5`), so that any later
finding about a record can point the user at it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict

from . import vocabulary
from .months import Month

Aggregation = Literal["max", "avg", "last", "sum"]
Status = Literal["active", "suspended", "cancelled"]
LineType = Literal["usage", "minimum", "estimated", "correction"]
Severity = Literal["error", "warning", "info"]
MissingUsage = Literal["carry forward", "zero"]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class Settings(Record):
    reseller: str = ""
    country: str = vocabulary.DEFAULT_COUNTRY
    currency: str = vocabulary.DEFAULT_CURRENCY
    vat_rate: Decimal = Decimal(vocabulary.DEFAULT_VAT_RATE)
    billing_month: Month | None = None
    missing_usage: MissingUsage = cast(MissingUsage, vocabulary.MISSING_USAGE[0])
    invoice_prefix: str = vocabulary.DEFAULT_INVOICE_PREFIX
    # Closed months among this many before an open month are recomputed; older ones are final.
    correction_months: int = vocabulary.DEFAULT_CORRECTION_MONTHS
    # The seller on invoice documents (SPEC section 6); empty = not set.
    street: str = ""
    postcode: str = ""
    city: str = ""
    vat_id: str = ""
    tax_number: str = ""
    contact: str = ""
    phone: str = ""
    email: str = ""
    iban: str = ""
    bic: str = ""
    payment_days: int = vocabulary.DEFAULT_PAYMENT_DAYS
    language: str = vocabulary.LANGUAGES[0]
    # The DATEV booking batch (SPEC section 9); None = not set (an account: the chart's default).
    datev_consultant: int | None = None
    datev_client: int | None = None
    chart_of_accounts: str = vocabulary.CHARTS_OF_ACCOUNTS[0]
    fiscal_year_start: int = vocabulary.DEFAULT_FISCAL_YEAR_START
    revenue_account: int | None = None
    reverse_charge_account: int | None = None
    non_eu_account: int | None = None
    creditor_id: str = ""  # SEPA creditor ID (Gläubiger-ID), as typed
    # Where each setting's value is (`Settings!B12`), by setting name, for findings about it.
    cells: dict[str, str] = {}


class Product(Record):
    """One billable metric of a product."""

    product_id: str
    product: str
    metric: str
    aggregation: Aggregation
    cost_per_unit: Decimal
    price_per_unit: Decimal
    minimum_units: int = 0
    source: str = ""


class AnnualPrice(Record):
    """One volume tier of an annual subscription price."""

    product_id: str
    metric: str
    term_years: int
    min_units: int
    max_units: int | None
    price_per_unit_per_year: Decimal
    source: str = ""


class Customer(Record):
    customer_id: str
    customer: str
    email: str = ""
    country: str = ""
    vat_id: str = ""
    discount: Decimal = Decimal("0")
    street: str = ""
    postcode: str = ""
    city: str = ""
    buyer_reference: str = ""
    language: str = ""  # empty: Settings' Language
    debitor: str = ""  # as typed: the DATEV export checks it (10000-69999)
    # How the customer pays and its SEPA mandate, as typed (the SEPA export checks them).
    payment: str = ""  # "transfer" (also when empty) or "direct debit"
    debtor_iban: str = ""
    debtor_bic: str = ""
    mandate_id: str = ""
    mandate_date: str = ""  # ISO date when typed as a date
    source: str = ""
    # Where each column's cell of the row is (`Customers!G5`), by header, for findings about it.
    cells: dict[str, str] = {}


class LicenseKey(Record):
    license_key: str
    customer_id: str
    product_id: str
    start: date
    end: date | None
    status: Status
    note: str = ""
    source: str = ""


class UsageReading(Record):
    """One reading; `row` orders readings of equal date (the lower row in the sheet wins `last`)."""

    day: date
    license_key: str
    metric: str
    quantity: int
    source_name: str = ""
    row: int = 0
    source: str = ""

    @property
    def month(self) -> Month:
        return Month.of(self.day)


class Check(Record):
    """A finding about the input or the run, pointing at a cell where it has one."""

    severity: Severity
    sheet: str
    cell: str
    message: str

    @property
    def location(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet

    def __str__(self) -> str:
        where = self.location
        return f"{where}: {self.message}" if where else self.message


class Inputs(Record):
    """Everything a billing run reads, already validated."""

    settings: Settings
    products: tuple[Product, ...]
    annual_prices: tuple[AnnualPrice, ...]
    customers: tuple[Customer, ...]
    keys: tuple[LicenseKey, ...]
    usage: tuple[UsageReading, ...]
    # True when the reader aggregated the readings in bulk into a UsageIndex of its own
    # (`ReadResult.usage_index()`): `usage` is then empty and must not be billed from.
    readings_elsewhere: bool = False


class BillingLine(Record):
    month: Month
    customer_id: str
    customer: str
    license_key: str
    product_id: str
    product: str
    metric: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    net: Decimal
    unit_cost: Decimal
    cost: Decimal
    margin: Decimal
    type: LineType
    corrects: Month | None = None
    note: str = ""


class Invoice(Record):
    month: Month
    invoice: str
    customer_id: str
    customer: str
    net: Decimal
    vat_rate: Decimal
    vat: Decimal
    gross: Decimal
    cost: Decimal
    margin: Decimal
    reverse_charge: bool
    lines: int


class BillingResult(Record):
    month: Month
    lines: tuple[BillingLine, ...]
    invoices: tuple[Invoice, ...]
    checks: tuple[Check, ...]
