"""Giving memory the program freed back to the system.

glibc keeps freed heap memory for later allocations instead of returning it, so a process's
resident memory stays at its high-water mark after a large step is done. Before the step with
the highest peak (the usage checks after the Ledger's columns are converted, see
`read.read_workbook`), handing back what the finished step freed keeps the two from adding up.
"""

from __future__ import annotations

import ctypes
import sys


def give_back_freed() -> None:
    """Return the free parts of this process's heap to the system (glibc's `malloc_trim`);
    nothing where there is no such call (another C library, macOS, Windows, Pyodide)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)
