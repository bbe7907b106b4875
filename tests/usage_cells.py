"""A workbook with extra cells written straight into its Usage sheet's XML (tests of odd and
hostile sheets)."""

from __future__ import annotations

import re
from pathlib import Path

from xlsx_fixtures import members, rewrite_members, sheet_part


def usage_with_cells(book: Path, dest: Path, cells: str, row: int | None = 1) -> Path:
    """The workbook with extra cells in the Usage sheet: in row `row`, or as rows of their own."""
    part = sheet_part(book, "Usage")
    xml = members(book)[part].decode()
    if row is None:
        xml = xml.replace("</sheetData>", cells + "</sheetData>")
    else:
        match = re.search(rf'<row r="{row}"[^>]*>.*?</row>', xml, re.S)
        assert match
        start = re.sub(r' spans="[^"]*"', "", match[0])
        xml = xml.replace(match[0], start[: -len("</row>")] + cells + "</row>")
    return rewrite_members(book, dest, {part: xml.encode()})
