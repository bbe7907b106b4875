"""A month's invoices and how VAT applies to them (the product spec, section 3: rules 7 and 8 of
`billing`'s module doc).

7. One invoice per customer; VAT on the invoice's net total; reverse charge (VAT 0) for customers
   in another country that have a VAT ID.
8. Invoices sorted by Customer ID.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal

from .lines import warning_at
from .models import BillingLine, Check, Customer, Inputs, Invoice, Settings
from .money import ZERO, round_money
from .months import Month
from .vocabulary import EU_COUNTRIES, VAT_ID_COLUMN


def is_reverse_charge(customer: Customer, settings: Settings) -> bool:
    """Customer in another country with a VAT ID: the customer accounts for the VAT."""
    country = customer.country.strip().upper()
    return (
        bool(country)
        and country != settings.country.strip().upper()
        and bool(customer.vat_id.strip())
    )


def missing_vat_id_warnings(
    customers: Mapping[str, Customer], settings: Settings, invoices: Sequence[Invoice]
) -> list[Check]:
    """A customer in another EU country without a VAT ID is billed like a domestic one (VAT
    charged): right for a consumer, but a business customer would want reverse charge. One
    warning per such invoice, at the customer's VAT ID cell."""
    home = settings.country.strip().upper()
    found = []
    for invoice in invoices:
        customer = customers.get(invoice.customer_id)
        if customer is None or customer.vat_id.strip() or invoice.reverse_charge:
            continue
        country = customer.country.strip().upper()
        if country and country != home and country in EU_COUNTRIES:
            found.append(
                warning_at(
                    customer.cells.get(VAT_ID_COLUMN, customer.source),
                    f"{customer.customer_id} is in {country} (EU) and has no VAT ID: billed with "
                    f"{invoice.vat_rate:.0%} VAT like a domestic customer; type its VAT ID for EU "
                    "reverse charge if it is a business",
                )
            )
    return found


def invoices_for(
    lines: Sequence[BillingLine],
    inputs: Inputs,
    month: Month,
    numbers: dict[str, str] | None = None,
) -> list[Invoice]:
    """One invoice per customer with lines, VAT on the invoice's net total, by Customer ID."""
    customers = {c.customer_id: c for c in inputs.customers}
    invoices = []
    for customer_id, customer_lines in lines_by_customer(lines):
        customer = customers.get(customer_id)
        reverse = customer is not None and is_reverse_charge(customer, inputs.settings)
        invoices.append(
            make_invoice(
                month,
                (numbers or {}).get(customer_id, ""),
                customer.customer if customer else customer_lines[0].customer,
                customer_lines,
                ZERO if reverse else inputs.settings.vat_rate,
                reverse,
            )
        )
    return invoices


def lines_by_customer(
    lines: Sequence[BillingLine],
) -> list[tuple[str, list[BillingLine]]]:
    """The lines of each customer (in their order), by Customer ID."""
    by_customer: dict[str, list[BillingLine]] = defaultdict(list)
    for line in lines:
        by_customer[line.customer_id].append(line)
    return sorted(by_customer.items())


def make_invoice(
    month: Month,
    number: str,
    customer: str,
    lines: Sequence[BillingLine],
    vat_rate: Decimal,
    reverse_charge: bool,
) -> Invoice:
    """One customer's invoice of its lines: VAT = round(net total x VAT rate), once."""
    net = sum((line.net for line in lines), ZERO)
    cost = sum((line.cost for line in lines), ZERO)
    vat = round_money(net * vat_rate)
    return Invoice(
        month=month,
        invoice=number,
        customer_id=lines[0].customer_id,
        customer=customer,
        net=net,
        vat_rate=vat_rate,
        vat=vat,
        gross=net + vat,
        cost=cost,
        margin=net - cost,
        reverse_charge=reverse_charge,
        lines=len(lines),
    )
