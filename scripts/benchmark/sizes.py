"""The benchmark's sizes and fixed choices: the seed, the billed month, the months of usage,
the JSON version, and where the cached workbooks go."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from msp_workbook.core.months import Month

REPO = Path(__file__).resolve().parents[2]
DEFAULT_WORKDIR = REPO / "bench-results"
GENERATOR_VERSION = 3  # bump when the generated data changes: cached workbooks are rebuilt
SEED = 2026
BILL_MONTH = Month(2026, 10)
MONTHS = 14  # months of usage, ending at the billed month (the comparison looks at 12)
JSON_VERSION = 1

Rows = list[dict[str, object]]


@dataclass(frozen=True)
class Size:
    name: str
    customers: int
    usage_rows: int  # aimed at; the generated count is close to it


SIZES: dict[str, Size] = {
    "S": Size("S", 200, 6_000),
    "M": Size("M", 2_000, 150_000),
    "L": Size("L", 10_000, 1_000_000),
}
