"""A new license key for a customer and product (SPEC section 2), for the command line and the
Excel button alike: `key_for` finds the customer and product among the read tables (or says why
it cannot, at the cell of the row's first error) and draws the key; each face writes it its own
way (`new_key` appends it to the saved file's Keys table, locked from the read to the save)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.keys import generate_key
from ..core.models import Customer, Product
from ..core.vocabulary import NEW_KEY_STATUS
from ..workbook import schema
from ..workbook.cells import as_text, invisible, quoted
from ..workbook.errors import WorkbookError
from ..workbook.package.lock import DEFAULT_WAIT, FileStamp, writing
from ..workbook.package.safe_save import check_can_save
from ..workbook.reader import check_workbook_file, open_tables

if TYPE_CHECKING:
    from ..workbook.reader import RawTable
    from ..workbook.validation.collector import Collector


@dataclass(frozen=True)
class NewKey:
    key: str
    customer: Customer
    product: Product


def key_for(raw: dict[str, RawTable], customer_id: str, product_id: str) -> NewKey:
    """The key to create for the customer and product (IDs in any case), unique among the
    Keys table's keys. Raises WorkbookError (one line) for an unknown ID or one whose row has
    errors."""
    from ..workbook.validation.collector import Collector
    from ..workbook.validation.master_data import build_master_data

    found = Collector()
    inputs = build_master_data(raw, found)
    customers = {c.customer_id.lower(): c for c in inputs.customers}
    products = {p.product_id.lower(): p for p in inputs.products}
    customer = customers.get(customer_id.strip().lower())
    if customer is None:
        raise _not_found(raw[schema.CUSTOMERS.name], "customer ID", customer_id, found)
    product = products.get(product_id.strip().lower())
    if product is None:
        raise _not_found(raw[schema.PRODUCTS.name], "product ID", product_id, found)
    existing = [
        str(row.values[schema.COL_LICENSE_KEY])
        for row in raw[schema.KEYS.name]
        if row.values[schema.COL_LICENSE_KEY]
    ]
    return NewKey(generate_key(existing), customer, product)


def new_key(
    path: Path,
    customer_id: str,
    product_id: str,
    start: date | None = None,
    today: date | None = None,
    wait: float = DEFAULT_WAIT,
) -> str:
    """Create a license key for a customer and product and append it to the Keys table (locked
    from the read to the save, like every write)."""
    check_workbook_file(path)
    check_can_save(path)
    with writing(path, wait) as stamp:
        return _new_key(path, customer_id, product_id, start or today or date.today(), stamp)


def _new_key(
    path: Path, customer_id: str, product_id: str, start: date, stamp: FileStamp | None
) -> str:
    from ..workbook.write.writer import append_rows

    # Usage is not needed to add a key: only the tables a key refers to are read.
    tables = tuple(t for t in schema.INPUT_TABLES if t is not schema.USAGE)
    raw, _ = open_tables(path, tables)
    made = key_for(raw, customer_id, product_id)
    append_rows(
        path,
        path,
        schema.KEYS.name,
        [
            {
                schema.COL_LICENSE_KEY: made.key,
                schema.COL_CUSTOMER_ID: made.customer.customer_id,
                schema.COL_PRODUCT_ID: made.product.product_id,
                schema.COL_START: start,
                schema.COL_STATUS: NEW_KEY_STATUS,
            }
        ],
        unchanged_since=stamp,
    )
    return made.key


def _not_found(table: RawTable, what: str, value: str, found: Collector) -> WorkbookError:
    """Why an ID cannot be used: its row has errors (the first of them, at its cell), or no row
    has it."""
    header = table.spec.headers[0]
    wanted = value.strip().lower()
    for row in table:
        if as_text(row.values[header]).lower() != wanted:
            continue
        cells = set(row.cells.values())
        problems = [c for c in found.checks if c.sheet == table.sheet and c.cell in cells]
        if problems:
            first = problems[0]
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            return WorkbookError(
                f"{what} {quoted(value)} has errors on {table.sheet}; fix them first: "
                f"{first.sheet}!{first.cell}: {first.message}{more}"
            )
    hidden = invisible(value)
    hint = f"; it holds {hidden}" if hidden else ""
    return WorkbookError(f"unknown {what} {quoted(value)} (not on {table.sheet}{hint})")
