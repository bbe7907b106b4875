"""Workbooks to archive (SPEC section 11) and what the archive tests compare before and after:
the rows of Usage and the Ledger together with the archive files', and a month's Billing,
Invoices and Comparison as recalc writes them."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path

from workbook_tables import table_rows
from xlsx_edits import edited, sheet_part, table_part

from msp_workbook.app.close import close_month
from msp_workbook.app.demo_data import demo_data
from msp_workbook.app.recalc import recalculate
from msp_workbook.core.months import Month
from msp_workbook.workbook import schema
from msp_workbook.workbook.template.builder import build_workbook

# The demo reseller's 14 months of usage end with 2027-01, the month to bill: 2025-12 .. 2026-12
# can be closed on this day.
FIRST_OPEN = Month(2027, 1)
TODAY = date(2027, 2, 6)
CLOSED = [Month(2025, 12).shift(n) for n in range(13)]  # 2025-12 .. 2026-12
GENERATED = ("Billing", "Invoices", "Comparison")
ARCHIVE_NAME = re.compile(r"(?P<stem>.+)\.archive-(?P<year>\d{4})\.xlsx")


def build_book(
    path: Path, closed: list[Month] = CLOSED, correction_months: int = 3, last: Month = FIRST_OPEN
) -> Path:
    """The demo reseller's workbook billing `last`, with `Correction months` set and the
    `closed` months closed (each on the 2nd of the next month); nothing else beside it."""
    data = demo_data(last)
    [setting] = [r for r in data["Settings"] if r["Setting"] == schema.SETTING_CORRECTION_MONTHS]
    setting["Value"] = correction_months
    path.parent.mkdir(parents=True, exist_ok=True)
    build_workbook(path, data)
    for month in closed:
        closing = datetime.combine(month.shift(1).first_day.replace(day=2), time(9))
        close_month(path, month, today=TODAY, now=closing)
    for other in path.parent.iterdir():  # the backups the closes left
        if other != path:
            other.unlink()
    return path


def copy_book(src: Path, folder: Path, name: str = "book.xlsx") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(src, folder / name))


def archive_files(book: Path) -> dict[int, Path]:
    """The archive files beside the workbook (`NAME.archive-YYYY.xlsx`, not their backups), by
    year."""
    found = {}
    for path in book.parent.iterdir():
        match = ARCHIVE_NAME.fullmatch(path.name)
        if match and match["stem"] == book.stem:
            found[int(match["year"])] = path
    return dict(sorted(found.items()))


def rows(path: Path, table: str) -> Counter:
    """A table's rows as a multiset of their values (in header order)."""
    return Counter(tuple(row.values()) for row in table_rows(path, table))


def rows_with_archives(book: Path, table: str) -> Counter:
    total = rows(book, table)
    for archive in archive_files(book).values():
        total += rows(archive, table)
    return total


def billed(path: Path, month: Month, out: Path) -> dict[str, list[dict[str, object]]]:
    """Billing, Invoices and Comparison of `month` as recalc writes them (into `out`)."""
    recalculate(path, month, out=out, today=TODAY)
    return {name: table_rows(out, name) for name in GENERATED}


def month_of(value: object) -> Month:
    """A Usage Date or Ledger Month as read back (a date, or YYYY-MM text)."""
    if isinstance(value, (date, datetime)):
        return Month(value.year, value.month)
    return Month.parse(str(value)[:7])


def with_last_row_at(src: Path, dst: Path, table: str, row: int) -> Path:
    """A copy of the workbook whose table reaches sheet row `row`: its last data row moved down
    there (the rows between left empty, inside the table), as a table grown that long is."""
    spec = schema.table_by_name(table)
    sheet, part = sheet_part(src, spec.sheet), table_part(src, table)
    ref = re.compile(r'(<(?:table|autoFilter)\b[^>]*\sref="[A-Z]+\d+:[A-Z]+)(\d+)"')
    last: list[str] = []

    def grow_table(text: str) -> str:
        last.extend(m[2] for m in ref.finditer(text))
        return ref.sub(lambda m: f'{m[1]}{row}"', text)

    def move_row(text: str) -> str:
        rows_xml = list(re.finditer(r'<row [^>]*\br="(\d+)".*?</row>', text, re.S))
        final = next((m for m in rows_xml if m[1] == last[0]), None)
        assert final is not None, "the table's last row is not on the sheet"
        moved = re.sub(
            r'(<(?:row|c)\b[^>]*?\sr="[A-Z]*)' + final[1] + '"', rf'\g<1>{row}"', final[0]
        )
        # Rows after it hold only the names looked up beside the table
        # (template/input_sheets.py: LOOKED_UP_*), which reach a few thousand rows: a table
        # grown this long has passed them.
        text = text[: final.start()] + moved + text[rows_xml[-1].end() :]
        return re.sub(r'(<dimension ref="[A-Z]+\d+:[A-Z]+)\d+"', rf'\g<1>{row}"', text)

    # The table part first: it says which row is the last.
    edited(src, dst, {part: grow_table})
    tmp = dst.with_name(dst.name + ".tmp.xlsx")
    dst.rename(tmp)
    edited(tmp, dst, {sheet: move_row})
    tmp.unlink()
    return dst
