"""The loads the command line starts before it imports the rest of the program: the Usage sheet
(`usage_sheet.start`) and then the Ledger sheet (`ledger_sheet.start`), each in a child process
of its own, forked while this process is still small.

The Ledger's child waits until the Usage sheet's child has ended (`isolated.Gate`): each loader
holds its whole sheet's cells at its peak (about 400 MB for a million usage rows, 350 MB for a
year's Ledger), and the two at once made a recalculation of a workbook with a year of closed
months pass 800 MB. Meanwhile this process reads and checks the small tables; it checks the
usage rows (its own peak) only after the Ledger's load is done (`read.read_workbook`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import ledger_sheet, usage_sheet
from .isolated import ChildLoad, Gate


@dataclass
class EarlyLoads:
    usage: ChildLoad | None
    ledger: ChildLoad | None

    def close(self) -> None:
        for load in (self.usage, self.ledger):
            if load is not None:
                load.close()


def start(path: Path) -> EarlyLoads:
    try:
        gate: Gate | None = Gate()
    except OSError:  # no pipe to spare: the two load side by side
        gate = None
    try:
        usage = usage_sheet.start(path)
        ledger = ledger_sheet.start(path, gate if usage is not None else None)
    finally:
        if gate is not None:
            gate.close()  # from now on only the Usage sheet's child holds the Ledger's back
    return EarlyLoads(usage, ledger)
