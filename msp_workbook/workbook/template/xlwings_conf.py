"""The hidden last sheet `xlwings.conf`: where the classic xlwings add-in finds its Python
interpreter and the module of the workbook's functions (UDFs)."""

from __future__ import annotations

from xlsxwriter.workbook import Workbook

# The hidden sheet the classic xlwings add-in reads its settings from (keys in A, values in B).
XLWINGS_CONF_SHEET = "xlwings.conf"
XLWINGS_CONF: tuple[tuple[str, str], ...] = (
    ("Interpreter_Win", r"%USERPROFILE%\msp-workbook\.venv\Scripts\pythonw.exe"),
    ("Interpreter_Mac", "$HOME/msp-workbook/.venv/bin/python"),
    ("PYTHONPATH", ""),
    ("UDF Modules", "msp_workbook.excel.udfs"),
)


def add_xlwings_conf(book: Workbook) -> None:
    """The hidden sheet, added last."""
    ws = book.add_worksheet(XLWINGS_CONF_SHEET)
    for row, (key, value) in enumerate(XLWINGS_CONF):
        ws.write_string(row, 0, key)
        if value:
            ws.write_string(row, 1, value)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 50)
    ws.hide()
