"""Minimal textual edits of workbook.xml: a full recalculation when Excel opens the file, and a
new sheet's entry in the list of sheets."""

from __future__ import annotations

import re

from ..errors import WorkbookError
from ..package.names import REL_NS
from ..package.xml_text import attrs, escape_attr, first_tag, tag_prefix, tags
from ..sheet_scan import set_attribute

# What may follow <calcPr> in workbook.xml, in schema order.
_AFTER_CALC_PR = (
    "oleSize",
    "customWorkbookViews",
    "pivotCaches",
    "smartTagPr",
    "smartTagTypes",
    "webPublishing",
    "fileRecoveryPr",
    "webPublishObjects",
    "extLst",
)


def full_calc_on_load(book: str) -> str:
    """workbook.xml with <calcPr fullCalcOnLoad="1">; unchanged where it is already set."""
    match = first_tag(book, "calcPr")
    if match is not None:
        if attrs(match[0]).get("fullCalcOnLoad") in ("1", "true"):
            return book
        tag = set_attribute(match[0], "fullCalcOnLoad", "1")
        return book[: match.start()] + tag + book[match.end() :]
    root = first_tag(book, "workbook")
    if root is None:
        raise WorkbookError("damaged workbook: workbook.xml has no workbook element")
    following = [m.start() for name in _AFTER_CALC_PR for m in [first_tag(book, name)] if m]
    at = min(following, default=book.rindex("</"))
    return f'{book[:at]}<{tag_prefix(root[0])}calcPr fullCalcOnLoad="1"/>{book[at:]}'


def append_sheet(book: str, name: str, rel_id: str) -> str:
    """workbook.xml with a <sheet> entry for a new sheet at the end (next free sheetId)."""
    root = first_tag(book, "workbook")
    if root is None:
        raise WorkbookError("damaged workbook: workbook.xml has no workbook element")
    entries = [attrs(m[0]) for m in tags(book, "sheet")]
    if any(e.get("name", "").casefold() == name.casefold() for e in entries):
        raise WorkbookError(f'sheet "{name}" is not a worksheet: rename it, the program needs it')
    ids = [int(e.get("sheetId") or 0) for e in entries]
    declared = [k[6:] for k, v in attrs(root[0]).items() if k.startswith("xmlns:") and v == REL_NS]
    r = declared[0] if declared else "r"
    prefix = tag_prefix(root[0])
    tag = (
        f'<{prefix}sheet name="{escape_attr(name)}" sheetId="{max(ids, default=0) + 1}" '
        f'{r}:id="{rel_id}"{"" if declared else f" xmlns:r={chr(34)}{REL_NS}{chr(34)}"}/>'
    )
    end = re.search(rf"</{re.escape(prefix)}sheets\s*>", book)
    if end is None:
        raise WorkbookError("damaged workbook: workbook.xml lists no sheets")
    return book[: end.start()] + tag + book[end.start() :]
