"""What the exports of a closed month share: the refusal of an open month, and writing a file
whole, never over one with other content (it may have been handed on already)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .core.ledger import Ledger
from .core.models import Check, Inputs
from .core.months import Month
from .workbook import schema
from .workbook.errors import WorkbookError

if TYPE_CHECKING:
    from .workbook.reader import RawTable

# What an export of a closed month reads besides its own sheet (never Usage: a closed month is
# what the Ledger says).
EXPORT_TABLES = (
    schema.SETTINGS,
    schema.PRODUCTS,
    schema.ANNUAL_PRICES,
    schema.CUSTOMERS,
    schema.KEYS,
)


def read_tables(path: Path, own: tuple[schema.Table, ...]) -> dict[str, RawTable]:
    """The raw tables an export reads from the workbook's file: `EXPORT_TABLES`, the Ledger and
    the export's own sheets (`own`, which an older workbook may lack)."""
    from .workbook.reader import open_tables

    raw, _ = open_tables(path, EXPORT_TABLES, optional=(schema.LEDGER, *own))
    return raw


def closed_input(raw: dict[str, RawTable]) -> tuple[Inputs, Ledger, list[Check]]:
    """Settings, Customers (Products and Keys, which their checks need) and the Ledger, with
    every error in them: an export is not written while any is there."""
    from .workbook.ledger_rows import build_ledger
    from .workbook.validation import Collector, build_master_data

    out = Collector()
    master = build_master_data(raw, out)
    ledger, ledger_errors = build_ledger(raw.get(schema.LEDGER.name))
    errors = [c for c in out.checks if c.severity == "error"]
    return master.inputs(), ledger, [*errors, *ledger_errors]


def refuse_open(month: Month, what: str) -> WorkbookError:
    return WorkbookError(
        f"{month} is not closed: {what} is made for closed months only "
        f"(close it first: msp-workbook close PATH --month {month})"
    )


def existing(target: Path, data: bytes) -> str | None:
    """ "unchanged" when `target` holds `data` already, "other" when it holds something else,
    None when there is no such file."""
    if not target.exists():
        return None
    return "unchanged" if target.read_bytes() == data else "other"


def other_content(target: Path) -> Check:
    return Check(
        severity="error",
        sheet="",
        cell="",
        message=f"{target} exists with other content (an earlier export, perhaps sent "
        "already) and is not overwritten: move it away to write this one",
    )


def write_whole(target: Path, data: bytes) -> None:
    """The file appears whole or not at all: written beside it, then renamed over it."""
    temporary = target.with_name(f".{target.name}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except OSError as exc:
        raise WorkbookError(f"cannot write {target}: {exc.strerror or exc}") from exc
