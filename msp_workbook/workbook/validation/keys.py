"""The Keys table: each license key of a known customer and product, its dates in order."""

from __future__ import annotations

from typing import NamedTuple

from ...core.models import Customer, LicenseKey, Product
from .. import schema
from ..reader import RawTable
from .collector import Collector, RowCheck
from .registry import Registry


class KnownKey(NamedTuple):
    """An accepted license key and the metrics its product bills."""

    key: LicenseKey
    metrics: list[Product]


def validate_keys(
    table: RawTable,
    out: Collector,
    customers: Registry[Customer],
    products: Registry[list[Product]],
) -> tuple[list[LicenseKey], Registry[KnownKey]]:
    """The Keys rows of known customers and products, and the keys' IDs with their metrics."""
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
