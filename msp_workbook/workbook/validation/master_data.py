"""All input tables validated in order: the master data (Settings, Products, AnnualPrices,
Customers, Keys) that usage readings refer to, then the readings and their plausibility."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ...core.models import (
    AnnualPrice,
    Check,
    Customer,
    Inputs,
    LicenseKey,
    Product,
    Settings,
    UsageReading,
)
from ...core.months import Month
from .. import schema
from ..reader import RawTable
from .annual_prices import validate_annual_prices
from .collector import Collector
from .customers import validate_customers
from .keys import KnownKey, validate_keys
from .plausibility import billing_month_for, overlapping_reports, usage_plausibility
from .products import validate_products
from .registry import Registry
from .settings import validate_settings
from .usage import validate_usage


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
    settings = validate_settings(raw[schema.SETTINGS.name], out)
    products, product_ids = validate_products(raw[schema.PRODUCTS.name], out)
    annual = validate_annual_prices(raw[schema.ANNUAL_PRICES.name], out, product_ids)
    customers, customer_ids = validate_customers(raw[schema.CUSTOMERS.name], out)
    keys, key_ids = validate_keys(raw[schema.KEYS.name], out, customer_ids, product_ids)
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
