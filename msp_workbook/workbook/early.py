"""The loads the command line starts before it imports the rest of the program: the Usage sheet
(`usage_sheet.start`) and the Ledger sheet (`ledger_sheet.start`), each in a child process of
its own, forked while this process is still small."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import ledger_sheet, usage_sheet
from .isolated import ChildLoad


@dataclass
class EarlyLoads:
    usage: ChildLoad | None
    ledger: ChildLoad | None

    def close(self) -> None:
        for load in (self.usage, self.ledger):
            if load is not None:
                load.close()


def start(path: Path) -> EarlyLoads:
    return EarlyLoads(usage_sheet.start(path), ledger_sheet.start(path))
