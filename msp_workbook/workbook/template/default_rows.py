"""The template's default rows: the settings' defaults, the example prices of Products and
AnnualPrices and two example import profiles, and the red banner beside them that says they are
examples (on Products and AnnualPrices it disappears by itself once every example price is
replaced)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from xlsxwriter.worksheet import Worksheet

from .. import schema
from ..schema import Table
from . import example_prices
from .look import Formats, Rows, notes_column

EXAMPLE_MARKER = "EXAMPLE PRICES — replace with your own GFI price list and your selling prices"
EXAMPLE_PROFILES_MARKER = "EXAMPLE PROFILES — replace them with the columns of your own reports"

_EXAMPLE_PRODUCTS = example_prices.PRODUCTS
_EXAMPLE_TIERS = example_prices.TIERS
_TERMS = example_prices.TERMS


def default_rows() -> dict[str, list[dict[str, object]]]:
    """The template's default rows of Settings, Products and AnnualPrices, keyed by column header.

    Products and AnnualPrices hold example prices that the reseller replaces with its own.
    """
    return {
        schema.SETTINGS.name: _default_settings(),
        schema.PRODUCTS.name: _default_products(),
        schema.ANNUAL_PRICES.name: _default_annual_prices(),
        schema.IMPORT_PROFILES.name: _default_import_profiles(),
    }


# Two example import profiles: a long report (a Metric column, one reading per line) as a
# product's German export might look, and a wide one (a column per metric).
_EXAMPLE_IMPORT_PROFILES = (
    ("kerio-de", schema.COL_DATE, "Datum", None),
    ("kerio-de", schema.COL_LICENSE_KEY, "Lizenzschlüssel", None),
    ("kerio-de", schema.COL_METRIC, "Einheit", None),
    ("kerio-de", schema.COL_QUANTITY, "Anzahl", None),
    ("languard-wide", schema.COL_DATE, "Report date", None),
    ("languard-wide", schema.COL_LICENSE_KEY, "License", None),
    ("languard-wide", schema.COL_QUANTITY, "Nodes", "nodes"),
    ("languard-wide", schema.COL_QUANTITY, "Scans", "scans"),
)


def _default_import_profiles() -> list[dict[str, object]]:
    headers = schema.IMPORT_PROFILES.headers
    return [dict(zip(headers, row, strict=True)) for row in _EXAMPLE_IMPORT_PROFILES]


def _default_settings() -> list[dict[str, object]]:
    setting, value = schema.SETTINGS.headers
    return [{setting: s.name, value: s.default} for s in schema.SETTINGS_SPEC]


def _default_products() -> list[dict[str, object]]:
    headers = schema.PRODUCTS.headers
    rows = []
    for pid, product, metric, aggregation, cost, price, minimum in _EXAMPLE_PRODUCTS:
        values = (pid, product, metric, aggregation, Decimal(cost), Decimal(price), minimum)
        rows.append(dict(zip(headers, values, strict=True)))
    return rows


def _default_annual_prices() -> list[dict[str, object]]:
    headers = schema.ANNUAL_PRICES.headers
    rows = []
    for pid, metric, tiers in _EXAMPLE_TIERS:
        for term in _TERMS:
            for low, high, price in tiers:
                values = (pid, metric, term, low, high, Decimal(price))
                rows.append(dict(zip(headers, values, strict=True)))
    return rows


def add_example_marker(ws: Worksheet, table: Table, rows: Rows, formats: Formats) -> None:
    """The red banner above the notes. On Products and AnnualPrices a formula: it shows while
    any row still holds an example price and disappears by itself once all are replaced."""
    col = notes_column(table)
    if table is schema.IMPORT_PROFILES:
        ws.write_string(0, col, EXAMPLE_PROFILES_MARKER, formats.marker)
    else:
        shown = any(_example_key(table, row) in _example_keys(table) for row in rows)
        formula = example_banner_formula(table)
        ws.write_formula(0, col, formula, formats.marker, EXAMPLE_MARKER if shown else "")
    ws.write_string(1, col, _EXAMPLE_EXPLANATION[table.name], formats.note)


# What makes a row an example row: its product, metric and example prices (Products: cost and
# price, so a row counts as replaced once either is the reseller's own; AnnualPrices: the tier's
# Min units and price, the same for every term).
_EXAMPLE_COLUMNS = {
    schema.PRODUCTS.name: (
        schema.COL_PRODUCT_ID,
        schema.COL_METRIC,
        schema.COL_COST_PER_UNIT,
        schema.COL_PRICE_PER_UNIT,
    ),
    schema.ANNUAL_PRICES.name: (
        schema.COL_PRODUCT_ID,
        schema.COL_METRIC,
        schema.COL_MIN_UNITS,
        schema.COL_PRICE_PER_UNIT_PER_YEAR,
    ),
}


def _example_keys(table: Table) -> list[tuple[str, str, Decimal, Decimal]]:
    if table is schema.PRODUCTS:
        return [
            (pid, metric, Decimal(cost), Decimal(price))
            for pid, _, metric, _, cost, price, _ in _EXAMPLE_PRODUCTS
        ]
    return [
        (pid, metric, Decimal(low), Decimal(price))
        for pid, metric, tiers in _EXAMPLE_TIERS
        for low, _, price in tiers
    ]


def _example_key(table: Table, row: Mapping[str, object]) -> tuple[object, ...]:
    values: list[object] = []
    for header in _EXAMPLE_COLUMNS[table.name]:
        value = row.get(header)
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            value = Decimal(str(value))
        values.append(value)
    return tuple(values)


def example_banner_formula(table: Table) -> str:
    """=IF(SUMPRODUCT(COUNTIFS(...))>0,banner,""): COUNTIFS counts, per example row, the table
    rows with its product, metric and both example numbers; Excel and LibreOffice compute it."""
    keys = _example_keys(table)
    criteria = []
    for i, header in enumerate(_EXAMPLE_COLUMNS[table.name]):
        items = [f'"{k[i]}"' if isinstance(k[i], str) else _number_text(k[i]) for k in keys]
        criteria.append(f"{table.name}[{header}],{{{','.join(items)}}}")
    return f'=IF(SUMPRODUCT(COUNTIFS({",".join(criteria)}))>0,"{EXAMPLE_MARKER}","")'


def _number_text(value: object) -> str:
    """A number as a formula spells it (always a dot, whatever the user's locale)."""
    return format(Decimal(str(value)).normalize(), "f")


_EXAMPLE_EXPLANATION = {
    schema.PRODUCTS.name: (
        "Cost per unit: what GFI charges you per unit and month. "
        "Price per unit: what you charge your customer."
    ),
    schema.ANNUAL_PRICES.name: (
        "Your customer's annual subscription price per unit and year, as volume tiers "
        "(empty Max units = no upper limit)."
    ),
    schema.IMPORT_PROFILES.name: (
        "One row per column of a report: Field says what it holds, Column is the report's "
        "header. A report with one column per metric has a Quantity row per metric, naming "
        "it under Metric. Without a Date row, import with --month. The profile 'standard' is "
        "built in: the Usage headers Date, License key, Metric, Quantity."
    ),
}
