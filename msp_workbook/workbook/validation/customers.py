"""The Customers table: one customer per ID, its country a two-letter code."""

from __future__ import annotations

from decimal import Decimal

from ...core.models import Customer
from .. import schema
from ..cells import show
from ..reader import RawTable
from .collector import Collector, RowCheck
from .registry import Registry
from .settings import COUNTRY_CODE


def validate_customers(
    table: RawTable, out: Collector
) -> tuple[list[Customer], Registry[Customer]]:
    """The Customers rows and the customers' IDs."""
    customers: list[Customer] = []
    ids = Registry(table.sheet)
    for row in table:
        check = RowCheck(table, row, out)
        v = {h: check.value(h) for h in table.spec.headers}
        cid = v[schema.COL_CUSTOMER_ID]
        typed = v[schema.COL_COUNTRY]
        country = (typed or "").upper()
        if country and not COUNTRY_CODE.match(country):
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
