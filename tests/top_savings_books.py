"""A small workbook with more Comparison rows than its chart plots: the basic worked example with
its customers copied (same keys' usage under new key and customer IDs), so savings tie too."""

from __future__ import annotations

from conftest import Rows, load_example

from msp_workbook.workbook import schema


def copied_customers(copies: int) -> dict[str, Rows]:
    """The basic example plus `copies` copies of its customers: C-0001 -> C-1001, C-2001, ...
    with their keys (K1111-... -> L1111-..., M1111-...) and their usage."""
    data = load_example("basic")
    customers, keys, usage = (data[t.name] for t in (schema.CUSTOMERS, schema.KEYS, schema.USAGE))
    originals = (list(customers), list(keys), list(usage))
    for copy in range(1, copies + 1):
        letter = chr(ord("K") + copy)
        ids = {str(c["Customer ID"]): f"C-{copy}{str(c['Customer ID'])[3:]}" for c in originals[0]}
        for c in originals[0]:
            name = f"{c['Customer']} ({copy})"
            customers.append({**c, "Customer ID": ids[str(c["Customer ID"])], "Customer": name})
        for k in originals[1]:
            key, customer = letter + str(k["License key"])[1:], ids[str(k["Customer ID"])]
            keys.append({**k, "License key": key, "Customer ID": customer})
        for u in originals[2]:
            usage.append({**u, "License key": letter + str(u["License key"])[1:]})
    return data
