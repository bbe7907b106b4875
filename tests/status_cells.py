"""The Start sheet's status block as a test reads it: its values by label, and a file's members
with the one cell that changes on every run (Last run, the time of the run) left out."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import openpyxl
from xlsx_fixtures import members, sheet_part

from msp_workbook.workbook import schema
from msp_workbook.workbook import status_block as block
from msp_workbook.workbook.cells import column_letter

VALUE_ROWS = range(block.FIRST_ROW, block.FIRST_ROW + len(block.LABELS))
VALUE_LETTER = column_letter(block.VALUE_COLUMN)


def status(path: Path) -> dict[str, object]:
    """The status block's values by label, as a spreadsheet reads them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl on print areas
        ws = openpyxl.load_workbook(path)[schema.START_SHEET]
    return {
        ws.cell(row, block.LABEL_COLUMN + 1).value: ws.cell(row, block.VALUE_COLUMN + 1).value
        for row in VALUE_ROWS
    }


def without_last_run(path: Path) -> dict[str, bytes]:
    """The file's members, the Start sheet's Last run cell (the time of the run) left out."""
    found = members(path)
    part = sheet_part(path, schema.START_SHEET)
    ref = f"{VALUE_LETTER}{block.FIRST_ROW + block.LABELS.index(block.LAST_RUN)}"
    found[part] = re.sub(rf'<c r="{ref}"[^>]*>.*?</c>'.encode(), b"", found[part])
    return found


def value_cells_left_out(xml: bytes) -> bytes:
    """A Start sheet's XML without the status block's value cells."""
    refs = "|".join(f"{VALUE_LETTER}{row}" for row in VALUE_ROWS)
    return re.sub(rf'<c r="(?:{refs})"(?:[^>]*/>|[^>]*>.*?</c>)'.encode(), b"", xml)
