"""The Usage table row by row: each reading of a known license key and one of its product's
metrics (`usage_columns` reads a large table in bulk, and `usage_cells` sends its doubtful rows
here)."""

from __future__ import annotations

from ...core.models import UsageReading
from .. import schema
from ..reader import RawTable
from .collector import Collector, RowCheck
from .keys import KnownKey
from .products import metric_of
from .registry import Registry


def validate_usage(table: RawTable, out: Collector, keys: Registry[KnownKey]) -> list[UsageReading]:
    """The Usage rows as readings; bad rows become errors and are left out."""
    readings: list[UsageReading] = []
    for row in table:
        check = RowCheck(table, row, out)
        v = {h: check.value(h) for h in table.spec.headers}
        found = (
            keys.resolve(check, schema.COL_LICENSE_KEY, v[schema.COL_LICENSE_KEY], "license key")
            if v[schema.COL_LICENSE_KEY]
            else None
        )
        metric = v[schema.COL_METRIC]
        if found and metric:
            metric = metric_of(check, found.metrics, metric, "is not billed for")
        if not check.ok:
            continue
        readings.append(
            UsageReading(
                day=v[schema.COL_DATE],
                license_key=found.key.license_key,
                metric=metric,
                quantity=v[schema.COL_QUANTITY],
                source_name=v[schema.COL_SOURCE] or "",
                row=row.row,
                source=check.source(schema.COL_LICENSE_KEY),
            )
        )
    keys.report_dependents(table, out)
    return readings
