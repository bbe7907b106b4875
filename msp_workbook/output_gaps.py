"""What the closed month's outputs would lack, listed by `recalc` as warnings while the month
is still open (SPEC sections 6 and 9): the invoice documents once a seller address is set, the
DATEV batch once a DATEV consultant is set, the SEPA direct debit once a customer's Payment is
filled in. The commands that write them report the same gaps as errors."""

from __future__ import annotations

from collections.abc import Sequence

from .core.models import Check, Inputs, Invoice


def output_gaps(inputs: Inputs, invoices: Sequence[Invoice]) -> list[Check]:
    """Every gap of the outputs in use, as warnings."""
    return [
        *document_warnings(inputs, invoices),
        *datev_warnings(inputs, invoices),
        *sepa_warnings(inputs),
    ]


def document_warnings(inputs: Inputs, invoices: Sequence[Invoice]) -> list[Check]:
    """Once a seller address is set on Settings (documents are in use), what the month's
    invoice documents would lack, as warnings: fixed before the month is closed (SPEC 6)."""
    from .core.document_fields import buyer_gaps, seller_gaps

    settings = inputs.settings
    if not any((settings.street, settings.postcode, settings.city)):
        return []
    warnings = seller_gaps(settings, "warning")
    customers = {c.customer_id: c for c in inputs.customers}
    for invoice in invoices:
        customer = customers.get(invoice.customer_id)
        if customer is not None:
            warnings += buyer_gaps(customer, settings, invoice.reverse_charge, "warning")
    return warnings


def datev_warnings(inputs: Inputs, invoices: Sequence[Invoice]) -> list[Check]:
    """Once a DATEV consultant is set on Settings (the DATEV export is in use), what the month's
    booking batch would lack, as warnings: fixed before the month is closed (SPEC 9)."""
    from .core.datev_fields import invoice_gaps, settings_gaps, typed_debitors

    settings = inputs.settings
    if settings.datev_consultant is None:
        return []
    customers = {c.customer_id: c for c in inputs.customers}
    _, debitors = typed_debitors(inputs.customers, {}, "warning")
    return [
        *settings_gaps(settings, "warning"),
        *debitors,
        *invoice_gaps(invoices, customers, settings, "warning"),
    ]


def sepa_warnings(inputs: Inputs) -> list[Check]:
    """Once a customer's Payment is filled in (direct debits are in use), what the SEPA file and
    the documents of direct-debit customers would lack, as warnings (SPEC 9)."""
    from .core.sepa_fields import customer_gaps, settings_gaps

    if not any(c.payment.strip() for c in inputs.customers):
        return []
    return [*settings_gaps(inputs.settings, "warning"), *customer_gaps(inputs.customers, "warning")]
