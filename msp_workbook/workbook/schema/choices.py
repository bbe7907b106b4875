"""What a column's drop-down offers: the core's vocabularies (`core.vocabulary`, taken from
there, not spelled again), and the lists that are the workbook's own."""

from __future__ import annotations

from ...core import vocabulary
from .columns import COL_AMOUNT, COL_DATE, COL_LICENSE_KEY, COL_METRIC, COL_QUANTITY

AGGREGATIONS = vocabulary.AGGREGATIONS
STATUSES = vocabulary.STATUSES
LINE_TYPES = vocabulary.LINE_TYPES
SEVERITIES = vocabulary.SEVERITIES
MISSING_USAGE = vocabulary.MISSING_USAGE
LANGUAGES = vocabulary.LANGUAGES
CHARTS_OF_ACCOUNTS = vocabulary.CHARTS_OF_ACCOUNTS
PAYMENT_METHODS = vocabulary.PAYMENT_METHODS
YES_NO = ("yes", "no")
METRICS = vocabulary.METRICS
# The Country drop-downs (Settings, Customers): DACH first, the other EU members, then common
# others. A suggestion list: the program takes any two-letter ISO 3166 code (validation).
COUNTRY_CODES: tuple[str, ...] = (
    "DE",
    "AT",
    "CH",
    *sorted(vocabulary.EU_COUNTRIES - {"DE", "AT"}),
    *("LI", "NO", "IS", "GB", "US", "CA", "AU", "TR", "RS", "UA", "IL", "AE", "JP", "CN", "IN"),
)
# What a column of a report holds, for an import profile (Amount: a vendor statement's money).
IMPORT_FIELDS = (COL_DATE, COL_LICENSE_KEY, COL_METRIC, COL_QUANTITY, COL_AMOUNT)
# The statuses of a reconciliation row, in the order its rows are sorted (SPEC section 8).
RECONCILIATION_STATUSES = vocabulary.RECONCILIATION_STATUSES
