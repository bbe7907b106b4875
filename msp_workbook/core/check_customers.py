"""Which customer a finding on Checks concerns, so the list can name them.

A finding concerns a customer when it points at that customer's row on the customers' sheet or
at one of their license keys' rows on the keys' sheet, or else when its message names one of
their license keys or their customer ID (messages quote IDs as typed). Findings about the
workbook as a whole, or about a record the run left out (its ID unknown), name no one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .models import Check, Customer, LicenseKey

# The tokens of a message that may be an ID: letters, digits and the separators IDs use.
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*[A-Za-z0-9]")


def _row_of(source: str) -> tuple[str, int] | None:
    """`Keys!A13` -> ("keys", 13)."""
    sheet, _, cell = source.partition("!")
    digits = cell.lstrip("$ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    return (sheet.casefold(), int(digits)) if digits.isdigit() else None


class CustomerFinder:
    """Customer names by the rows and IDs of the validated inputs."""

    def __init__(self, customers: Iterable[Customer], keys: Iterable[LicenseKey]) -> None:
        names: dict[str, str] = {}  # lower-case customer ID -> "C-0021 Name"
        self.by_row: dict[tuple[str, int], str] = {}
        for customer in customers:
            label = f"{customer.customer_id} {customer.customer}".strip()
            names[customer.customer_id.lower()] = label
            # A customer's cells are on one row: the first says which.
            place = _row_of(next(iter(customer.cells.values()), ""))
            if place is not None:
                self.by_row[place] = label
        # A token of a message, lower-cased: a license key's customer, else the customer of
        # that ID (a key's entry goes in last, so it wins).
        self.by_token = {token: label for token, label in names.items() if label}
        for key in keys:
            label = names.get(key.customer_id.lower(), "")
            if not label:
                continue
            self.by_token[key.license_key.lower()] = label
            place = _row_of(key.source)
            if place is not None:
                self.by_row[place] = label

    def customer_of(self, check: Check) -> str:
        """ "C-0021 Name" of the customer the finding concerns, or ""."""
        if check.sheet and check.cell:
            place = _row_of(f"{check.sheet}!{check.cell}")
            if place is not None and place in self.by_row:
                return self.by_row[place]
        message = check.message
        if message.isascii():  # lower-cased whole, as it is token by token
            tokens = set(_TOKEN.findall(message.lower()))
        else:
            tokens = {token.lower() for token in _TOKEN.findall(message)}
        labels = self.by_token
        found = {labels[token] for token in tokens & labels.keys()}
        return found.pop() if len(found) == 1 else ""


def customers_of(
    checks: Sequence[Check], customers: Iterable[Customer], keys: Iterable[LicenseKey]
) -> list[str]:
    """Per check, in order: the customer it concerns ("C-0021 Name"), or ""."""
    finder = CustomerFinder(customers, keys)
    return [finder.customer_of(check) for check in checks]
