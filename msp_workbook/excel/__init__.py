"""The Excel face: macros for the workbook's buttons and Python functions for its cells.

Thin over the same services as the `msp-workbook` command, and the only package that imports
xlwings (in `udfs.py`; the macros take the open book and need nothing from xlwings itself):

- `macros`: `recalculate(book)`, `close_month(book)`, `new_key(book)`, `main(book)`;
  `import_usage(book)`, `reconcile(book)`, `invoice_documents(book)`, `datev_export(book)`
  `sepa_export(book)` and `archive(book)` in modules of their own
- `port`: `WorkbookPort`, what the macros need from an open workbook; `xlwings_book`:
  `XlwingsBook`, that port over an `xlwings.Book`
- `inputs`: `read_inputs(port)`, the input tables read from Excel and validated like the CLI does
- `functions`: the UDF logic; `udf_list`: the UDFs listed once (names, arguments, help);
  `udfs`: that list registered for classic xlwings (`UDF Modules`)

Set-up and reference: docs/excel.md.
"""

from __future__ import annotations

from .archive import archive_button as archive
from .datev_export import datev_export_button as datev_export
from .import_usage import import_usage
from .inputs import read_inputs
from .invoice_documents import invoice_documents_button as invoice_documents
from .macros import close_month, main, new_key, recalculate
from .port import Selection, TableData, WorkbookPort
from .reconcile import reconcile
from .sepa_export import sepa_export_button as sepa_export
from .xlwings_book import XlwingsBook

__all__ = [
    "Selection",
    "TableData",
    "WorkbookPort",
    "XlwingsBook",
    "archive",
    "close_month",
    "datev_export",
    "import_usage",
    "invoice_documents",
    "main",
    "new_key",
    "read_inputs",
    "recalculate",
    "reconcile",
    "sepa_export",
]
