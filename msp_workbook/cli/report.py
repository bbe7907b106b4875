"""What a run prints and the code it exits with: the exit codes, the listed errors and checks
(at most MAX_LISTED), the month's summary, and the report's printing."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..app.compute import RunReport

EXIT_OK, EXIT_CHECK_ERRORS, EXIT_CANNOT_RUN = 0, 1, 2
MAX_LISTED = 50


def listed_errors(errors: Sequence[object], out: list[str]) -> None:
    """How many errors, then the first MAX_LISTED of them, one a line."""
    out.append(f"{len(errors)} error{'' if len(errors) == 1 else 's'}")
    for check in errors[:MAX_LISTED]:
        out.append(f"error: {check}")
    if len(errors) > MAX_LISTED:
        out.append(f"... and {len(errors) - MAX_LISTED} more")


def summary(report: RunReport, out: list[str]) -> None:
    """The month's figures, then the checks that are no mere info (the first MAX_LISTED)."""
    from ..app.month_status import status_figures, summary_lines

    out.extend(summary_lines(status_figures(report)))  # the figures of the Start sheet's block
    listed = [c for c in report.checks if c.severity != "info"]
    for check in listed[:MAX_LISTED]:
        out.append(f"{check.severity}: {check}")
    if len(listed) > MAX_LISTED:
        out.append(f"... and {len(listed) - MAX_LISTED} more on the Checks sheet")


def print_report(text: str) -> None:
    """Print the report; a reader that left early (`... | head -1`) is no failure of the run."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's final flush would fail again
