"""Check: read, validate and bill the month (and compare MSP with annual) without writing
anything (`msp-workbook check`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..core.months import Month
from ..progress import COMPUTING, Progress, no_progress
from ..workbook.early import EarlyLoads
from ..workbook.isolated import ChildLoad
from ..workbook.read import read_workbook
from .compute import RunReport, compute

__all__ = ["check_workbook"]


def check_workbook(
    path: Path,
    month: Month | None = None,
    today: date | None = None,
    progress: Progress = no_progress,
    usage_load: ChildLoad | EarlyLoads | None = None,
) -> RunReport:
    """Read, validate and bill the month (and compare MSP with annual) without writing anything.
    `progress` is told each stage as it starts (see `progress.py`); `usage_load` is the Usage
    sheet's load when the caller started it already (`workbook.usage_sheet.start`)."""
    read = read_workbook(path, progress=progress, usage_load=usage_load, month=month, today=today)
    progress(COMPUTING)
    return compute(read, month, today)
