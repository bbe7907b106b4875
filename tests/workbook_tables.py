"""Reading a workbook's tables back in tests, independently of the program's reader."""

from __future__ import annotations

from pathlib import Path

from python_calamine import CalamineWorkbook


def table_rows(path: Path, name: str) -> list[dict[str, object]]:
    book = CalamineWorkbook.from_path(str(path), load_tables=True)
    table = book.get_table_by_name(name)
    rows = [dict(zip(table.columns, row, strict=True)) for row in table.to_python()]
    return [r for r in rows if any(v not in ("", None) for v in r.values())]
