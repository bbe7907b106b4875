"""A table's rows one at a time, for a command that passes over a large table without keeping
it (`archive`): python-calamine's sheet rows (`iter_rows`), each turned into the table's values
by header and let go. The cells are python-calamine's, as the reader gets them: an empty or
blank text cell is None."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from .cells import RawValue
from .places import TablePlace, unreadable


def stream_rows(
    path: Path, place: TablePlace, headers: Sequence[str]
) -> Iterator[tuple[int, dict[str, RawValue]]]:
    """(sheet row, values of these headers) of every non-empty row of the table's range."""
    import python_calamine as calamine

    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_name(place.sheet)
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise unreadable(path, exc) from exc
    try:
        top, left = sheet.start or (0, 0)
        first, last = place.header_row + 1, min(place.last_row, place.end_row)  # 0-based, 1-based
        at = {h: place.columns[h] - left for h in headers if h in place.columns}
        for offset, cells in enumerate(sheet.iter_rows()):
            row = top + offset  # 0-based
            if row < first:
                continue
            if row + 1 > last:
                break
            values: dict[str, RawValue] = {}
            found = False
            for header in headers:
                column = at.get(header, -1)
                value = cells[column] if 0 <= column < len(cells) else None
                if isinstance(value, str) and not value.strip():
                    value = None
                values[header] = value
                found = found or value is not None
            if found:
                yield row + 1, values
    finally:
        book.close()
