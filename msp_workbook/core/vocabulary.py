"""Words of the contract that the core's rules decide and the workbook shows, defined once.

Kept free of imports: the workbook contract (`workbook.schema`) takes them from here, and the
command line imports that contract before the rest of the program loads.
"""

from __future__ import annotations

# The statuses of a reconciliation row, in the order its rows are sorted (SPEC section 8).
RECONCILIATION_STATUSES = (
    "unknown key",
    "unbilled",
    "quantity differs",
    "amount differs",
    "not on statement",
    "match",
)
