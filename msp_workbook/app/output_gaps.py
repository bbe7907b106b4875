"""What the closed month's outputs would lack, listed by `recalc` as warnings while the month
is still open (SPEC sections 6 and 9): the invoice documents once a seller address is set, the
DATEV batch once a DATEV consultant is set, the SEPA direct debit once a customer's Payment is
filled in. The commands that write them report the same gaps as errors."""

from __future__ import annotations

from collections.abc import Sequence

from ..core import datev_fields, document_fields, sepa_fields
from ..core.models import Check, Inputs, Invoice


def output_gaps(inputs: Inputs, invoices: Sequence[Invoice]) -> list[Check]:
    """Every gap of the outputs in use, as warnings, each cell's once (`said_once`)."""
    return said_once(
        [
            *document_warnings(inputs, invoices),
            *datev_warnings(inputs, invoices),
            *sepa_warnings(inputs),
        ]
    )


def said_once(warnings: Sequence[Check]) -> list[Check]:
    """Each gap of one cell is said once. The outputs check some cells alike (your IBAN and BIC
    for the documents and the direct debit, Reseller, Currency, a customer's VAT ID for the
    documents and the DATEV batch): their warnings at one cell become one, where the first
    stood, that names every output that lacks it (`_one_message`). A place that is no one cell
    (a sheet, the Ledger) keeps each warning: they speak of different things."""
    merged: dict[tuple[str, str], list[str]] = {}
    first: dict[tuple[str, str], Check] = {}
    out: list[Check | tuple[str, str]] = []
    for check in warnings:
        if not check.cell:
            out.append(check)
            continue
        place = (check.sheet, check.cell)
        if place not in first:
            first[place] = check
            merged[place] = []
            out.append(place)
        merged[place].append(check.message)
    return [
        item
        if isinstance(item, Check)
        else first[item].model_copy(update={"message": _one_message(merged[item])})
        for item in out
    ]


def _one_message(messages: list[str]) -> str:
    """The messages of one cell as one. The same words are said once, and so are words another
    output says with its need after them (`...: "X"` beside `...: "X"; its booking needs it`).
    Those that begin alike (up to their first `: `) are said once, with each one's rest after
    it (`Reseller is empty: invoice documents need your company name; the SEPA direct debit
    needs your company name`). Any others follow after `; also: `."""
    kept = [
        m
        for i, m in enumerate(messages)
        if not any(_says_more(o, m) or (o == m and j < i) for j, o in enumerate(messages))
    ]
    rests: dict[str, list[str]] = {}
    for message in kept:
        head, colon, rest = message.partition(": ")
        rests.setdefault(head if colon else message, []).append(rest)
    return "; also: ".join(
        head if rest == [""] else f"{head}: {'; '.join(rest)}" for head, rest in rests.items()
    )


def document_warnings(inputs: Inputs, invoices: Sequence[Invoice]) -> list[Check]:
    """Once a seller address is set on Settings (documents are in use), what the month's
    invoice documents would lack, as warnings: fixed before the month is closed (SPEC 6)."""
    settings = inputs.settings
    if not any((settings.street, settings.postcode, settings.city)):
        return []
    warnings = document_fields.seller_gaps(settings, "warning")
    customers = {c.customer_id: c for c in inputs.customers}
    for invoice in invoices:
        customer = customers.get(invoice.customer_id)
        if customer is not None:
            reverse_charge = invoice.reverse_charge
            warnings += document_fields.buyer_gaps(customer, settings, reverse_charge, "warning")
    return warnings


def datev_warnings(inputs: Inputs, invoices: Sequence[Invoice]) -> list[Check]:
    """Once a DATEV consultant is set on Settings (the DATEV export is in use), what the month's
    booking batch would lack, as warnings: fixed before the month is closed (SPEC 9)."""
    settings = inputs.settings
    if settings.datev_consultant is None:
        return []
    customers = {c.customer_id: c for c in inputs.customers}
    _, debitors = datev_fields.typed_debitors(inputs.customers, {}, "warning")
    return [
        *datev_fields.settings_gaps(settings, "warning"),
        *debitors,
        *datev_fields.invoice_gaps(invoices, customers, settings, "warning"),
    ]


def sepa_warnings(inputs: Inputs) -> list[Check]:
    """Once a customer's Payment is filled in (direct debits are in use), what the SEPA file and
    the documents of direct-debit customers would lack, as warnings (SPEC 9)."""
    if not any(c.payment.strip() for c in inputs.customers):
        return []
    return [
        *sepa_fields.settings_gaps(inputs.settings, "warning"),
        *sepa_fields.customer_gaps(inputs.customers, "warning"),
    ]


def _says_more(other: str, message: str) -> bool:
    """`other` is `message` with more after it: a further clause, or words in brackets."""
    return other.startswith((f"{message}; ", f"{message} ("))
