"""The buttons of the workbook: recalculate, close the month, create a license key.

Each macro takes the open workbook (an `xlwings.Book`, or any `WorkbookPort`), runs the same
services as the `msp-workbook` command and reports in one line: the status bar shows each stage
and the outcome; a message box repeats what the user must read or act on (a failure, errors on
Checks, a new key, a closed month). Nothing ever ends in a Python traceback: a workbook that
cannot be worked on and any unexpected error become that one line. Everything is read and
computed before the first cell is written, so a problem found on the way leaves the workbook as
it was.

Recalculate writes exactly what `msp-workbook recalc` writes: the same rows of Billing, Invoices,
Comparison (with the block of its largest savings beside it, which its chart plots) and Checks,
from the same engine; closing a month writes what `msp-workbook close` writes, Ledger included.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from ..app.close import close, number_range, with_whole_ledger
from ..app.compute import RunReport, compute
from ..app.generated import GeneratedTables, generated_tables
from ..app.month_status import report_cells
from ..app.new_key import key_for
from ..core.vocabulary import NEW_KEY_STATUS
from ..workbook import schema, status_block
from ..workbook.cells import as_text
from ..workbook.errors import WorkbookError
from ..workbook.money_format import money_formats
from ..workbook.reader import ReadResult, TableRow
from ..workbook.row_limits import row_limit_warnings
from .inputs import next_cell_below, read_raw_tables, read_tables, validated
from .port import WorkbookPort
from .xlwings_book import XlwingsBook

__all__ = ["close_month", "main", "new_key", "port_of", "recalculate"]

T = TypeVar("T")

READING, CHECKING, BILLING, WRITING = "Reading…", "Checking…", "Billing…", "Writing…"

# Excel makes a link one cell at a time (two calls each): past the first thousand findings on
# Checks the buttons leave the Cell column plain, where the command line links every row.
LINK_LIMIT = 1000

SELECT_KEYS_ROW = (
    "Select a row of the Keys table that has a Customer ID and a Product ID, "
    "then press New key again"
)


class UserError(Exception):
    """Something the user can fix by doing it differently; str() is the one line to show."""


def port_of(book: Any) -> WorkbookPort:
    """The port for an `xlwings.Book` (or a port already)."""
    if hasattr(book, "read_table") and hasattr(book, "replace_rows"):
        return book
    return XlwingsBook(book)


def _guarded(port: WorkbookPort, action: str, work: Callable[[], T]) -> T | None:
    """Run a macro's work; any failure becomes one line in the status bar and a message box."""
    try:
        with warnings.catch_warnings():
            # A warning printed to stderr would pop up as an error box in classic xlwings.
            warnings.simplefilter("ignore")
            return work()
    except (WorkbookError, UserError) as exc:
        message = f"{action}: {_first_line(exc)}"
    except Exception as exc:  # the macro must end in one line, never in a traceback
        message = f"{action}: unexpected {type(exc).__name__}: {_first_line(exc)}"
    port.status(message)
    port.alert(message)
    return None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


# --- Recalculate ------------------------------------------------------------------------------


def recalculate(book: Any, today: date | None = None) -> RunReport | None:
    """Regenerate Billing, Invoices, Comparison and Checks for the billing month (Settings'
    Billing month, else last month). Returns the run's report, or None when it could not run."""
    port = port_of(book)
    return _guarded(port, "Could not recalculate", lambda: _recalculate(port, today))


def _read(port: WorkbookPort) -> ReadResult:
    port.status(READING)
    raw, below, given = read_tables(port, schema.INPUT_TABLES, optional=(schema.LEDGER,))
    port.status(CHECKING)
    read = validated(raw, below, next_cell_below(given.get(schema.USAGE.name), schema.COL_DATE))
    # Usage or the Ledger near Excel's row limit: the same warning as `check` gives.
    last_rows = {
        spec.name: max((row.row for row in raw[spec.name].rows), default=0)
        for spec in (schema.USAGE, schema.LEDGER)
        if spec.name in raw
    }
    settings = read.inputs.settings
    found = row_limit_warnings(
        Path(port.name), last_rows, read.ledger.closed_months(), settings.correction_months
    )
    return replace(read, checks=(*read.checks, *found)) if found else read


def _write(port: WorkbookPort, generated: GeneratedTables) -> None:
    port.status(WRITING)
    for name, rows in generated.tables.items():
        headers = generated.orders.get(name, schema.table_by_name(name).headers)
        formats = money_formats(schema.table_by_name(name), generated.currency)
        port.replace_rows(name, headers, rows, generated.side_columns.get(name), formats)
    for name, links in generated.links.items():
        headers = schema.table_by_name(name).headers
        port.replace_links(
            name,
            [(link.row, headers[link.column], link.location) for link in links[:LINK_LIMIT]],
        )


def _write_status(port: WorkbookPort, report: RunReport) -> None:
    """The Start sheet's status block, as the command line writes it (`month_status`); nothing
    when its labels are not where the template put them."""
    sheet, first = status_block.SHEET, status_block.FIRST_ROW
    labels = [
        port.cell_value(sheet, first + i, status_block.LABEL_COLUMN + 1)
        for i in range(len(status_block.LABELS))
    ]
    if status_block.in_place(labels):
        values = status_block.ordered(report_cells(report))
        port.set_cells(sheet, first, status_block.VALUE_COLUMN + 1, values)


def _recalculate(port: WorkbookPort, today: date | None) -> RunReport:
    read = _read(port)
    port.status(BILLING)
    report = compute(read, None, today)
    _write(port, generated_tables(report))
    _write_status(port, report)
    message = summary(report, closed=read.ledger.is_closed(report.month))
    port.status(message)
    if report.errors:
        port.alert(message)
    return report


def summary(report: RunReport, closed: bool = False) -> str:
    """The outcome of a recalculation in one line."""
    result = report.result
    lines = "1 line" if len(result.lines) == 1 else f"{len(result.lines)} lines"
    invoices = "1 invoice" if len(result.invoices) == 1 else f"{len(result.invoices)} invoices"
    month = f"{report.month} (closed: shown as it was closed)" if closed else str(report.month)
    text = (
        f"Billed {month}: {lines}, {invoices}, "
        f"net {report.net:,.2f} {report.currency}, gross {report.gross:,.2f} {report.currency}. "
    )
    errors, warnings_ = len(report.errors), len(report.warnings)
    if errors:
        error_text = "1 error" if errors == 1 else f"{errors} errors"
        return text + (
            f"{error_text} on the Checks sheet: those rows are left out; fix them and recalculate."
        )
    if warnings_:
        warning_text = "1 warning" if warnings_ == 1 else f"{warnings_} warnings"
        return text + f"No errors; {warning_text} on the Checks sheet."
    return text + "No errors or warnings."


# --- Close the month --------------------------------------------------------------------------


def close_month(book: Any, today: date | None = None, now: datetime | None = None) -> str | None:
    """Close the billing month, as `msp-workbook close` does: number its invoices and append
    its lines to the Ledger; Billing, Invoices, Comparison and Checks show it as closed.
    Refused, with nothing changed, while Checks has errors or when the month is already closed.
    Returns the one-line outcome, or None when the month was not closed."""
    port = port_of(book)
    return _guarded(port, "Could not close the month", lambda: _close_month(port, today, now))


def _close_month(port: WorkbookPort, today: date | None, now: datetime | None) -> str:
    read = _read(port)
    port.status(BILLING)
    closed = close(read, None, today, now)
    _write(port, with_whole_ledger(read, closed))
    report = closed.report
    _write_status(port, report)
    invoices_text = "1 invoice" if len(closed.numbers) == 1 else f"{len(closed.numbers)} invoices"
    lines_text = "1 line" if closed.appended == 1 else f"{closed.appended} lines"
    message = (
        f"Closed {report.month}: {invoices_text} ({number_range(closed.numbers)}), {lines_text} "
        f"appended to the Ledger; net {report.net:,.2f} {report.currency}, gross "
        f"{report.gross:,.2f} {report.currency}."
    )
    port.status(message)
    port.alert(message)
    return message


# --- New license key --------------------------------------------------------------------------


def new_key(book: Any, today: date | None = None) -> str | None:
    """A new license key for the customer and product of the selected Keys row.

    Select any cell in a row of the Keys table that has a Customer ID and a Product ID. When that
    row has no License key yet, the new key is written into it (Start = today and Status =
    active where those are empty); otherwise a new row with the same customer and product,
    Start = today and Status = active is added at the end of the table. The key is shown in the
    status bar and a message box. Returns the key, or None when none was made.
    """
    port = port_of(book)
    return _guarded(port, "No new key", lambda: _new_key(port, today or date.today()))


def _selected_key_row(port: WorkbookPort, rows: list[TableRow], sheet: str) -> TableRow:
    selected = port.selection()
    if selected is None or selected.sheet.lower() != sheet.lower():
        raise UserError(SELECT_KEYS_ROW)
    for row in rows:
        if row.row == selected.row:
            return row
    raise UserError(SELECT_KEYS_ROW)


def _new_key(port: WorkbookPort, today: date) -> str:
    port.status(READING)
    # Usage is not needed to add a key: only the tables a key refers to are read.
    tables = tuple(t for t in schema.INPUT_TABLES if t is not schema.USAGE)
    raw, _ = read_raw_tables(port, tables)
    keys = raw[schema.KEYS.name]
    row = _selected_key_row(port, keys.rows, keys.sheet)
    customer_id = as_text(row.values[schema.COL_CUSTOMER_ID])
    product_id = as_text(row.values[schema.COL_PRODUCT_ID])
    if not customer_id or not product_id:
        missing = schema.COL_CUSTOMER_ID if not customer_id else schema.COL_PRODUCT_ID
        raise UserError(f"the selected Keys row {row.row} has no {missing}; {SELECT_KEYS_ROW}")

    port.status(CHECKING)
    made = key_for(raw, customer_id, product_id)
    key, customer, product = made.key, made.customer, made.product
    port.status(WRITING)
    if row.values[schema.COL_LICENSE_KEY] is None:
        values: dict[str, Any] = {schema.COL_LICENSE_KEY: key}
        if row.values[schema.COL_START] is None:
            values[schema.COL_START] = today
        if row.values[schema.COL_STATUS] is None:
            values[schema.COL_STATUS] = NEW_KEY_STATUS
        port.fill_row(schema.KEYS.name, row.row, values)
        written = row.row
    else:
        written = port.append_row(
            schema.KEYS.name,
            {
                schema.COL_LICENSE_KEY: key,
                schema.COL_CUSTOMER_ID: customer.customer_id,
                schema.COL_PRODUCT_ID: product.product_id,
                schema.COL_START: today,
                schema.COL_STATUS: NEW_KEY_STATUS,
            },
        )
    message = (
        f"New key {key} for {customer.customer_id} ({customer.customer}), "
        f"{product.product_id}: Keys row {written}"
    )
    port.status(message)
    port.alert(message)
    return key


# --- Run main ---------------------------------------------------------------------------------


def main(book: Any, today: date | None = None) -> RunReport | None:
    """What the add-in's "Run main" button does: recalculate."""
    return recalculate(book, today)
