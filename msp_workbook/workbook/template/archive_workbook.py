"""A new archive workbook (`NAME.archive-YYYY.xlsx`, SPEC section 11): the Usage and Ledger
sheets and tables of the workbook it archives, with the same columns in the same order (a
column the reseller added to a table is archived too), and no rows yet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

import xlsxwriter

from .. import schema

_CREATED = datetime(2026, 1, 1)


def build_archive_workbook(path: Path, headers: Mapping[str, Sequence[str]]) -> None:
    """Write an empty archive to `path`: per table name (Usage, Ledger) a sheet and a table
    with these headers; columns the schema knows get its width and number format."""
    book = xlsxwriter.Workbook(str(path))
    try:
        book.set_properties(
            {"title": "MSP Billing archive", "subject": "Archived usage and ledger",
             "created": _CREATED}
        )  # fmt: skip
        formats: dict[str, object] = {}
        for name, columns in headers.items():
            spec = schema.table_by_name(name)
            ws = book.add_worksheet(spec.sheet)
            ws.freeze_panes(1, 0)
            known = {c.header: c for c in spec.columns}
            table_columns = []
            for col, header in enumerate(columns):
                column = known.get(header)
                number = column.number_format if column else None
                fmt = None
                if number is not None:
                    fmt = formats.setdefault(number, book.add_format({"num_format": number}))
                ws.set_column(col, col, column.width if column else 14, fmt)
                table_columns.append({"header": header, **({"format": fmt} if fmt else {})})
            style = schema.GENERATED_TABLE_STYLE if spec.generated else schema.INPUT_TABLE_STYLE
            ws.add_table(
                0, 0, 1, len(columns) - 1,
                {"name": spec.name, "style": style, "columns": table_columns},
            )  # fmt: skip
    finally:
        book.close()
