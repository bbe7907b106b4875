"""Money on the generated sheets shows its currency: `1,234.56 EUR` (separators as the user's
Excel has them). The currency is a setting, so the template writes the formats with its default
currency, and every run that writes the generated sheets sets the number formats of that one
shape to the Settings currency (in the file's styles, or through Excel for the buttons). Input
sheets keep plain amounts: a person types a number there, not a currency.
"""

from __future__ import annotations

import re

from ..core.vocabulary import DEFAULT_CURRENCY
from . import schema

# The amount formats a currency is added to (schema's money and unit price formats).
_AMOUNTS = (schema.FMT_MONEY, schema.FMT_UNIT_PRICE)
_CODE = re.compile(r"[A-Z]{3}")
# A number format of that shape in styles.xml (quotes written as &quot; by every writer seen).
_IN_STYLES = re.compile(r'(formatCode=")(#,##0\.00(?:##)?) (?:&quot;|")([A-Z]{3})(?:&quot;|")(")')


def with_currency(amount_format: str, currency: str = DEFAULT_CURRENCY) -> str:
    """`#,##0.00` -> `#,##0.00 "EUR"`."""
    return f'{amount_format} "{currency}"'


def shown_format(column: schema.Column, table: schema.Table) -> str | int | None:
    """The number format a column of a table gets in the template: money on a generated sheet
    with the currency, every other as the schema says."""
    if table.generated and column.number_format in _AMOUNTS:
        return with_currency(str(column.number_format))
    return column.number_format


def styles_for_currency(styles: str, currency: str) -> str:
    """styles.xml with the money formats of the generated sheets in this currency (the text
    unchanged when they are in it already, or when `currency` is no three-letter code)."""
    if not _CODE.fullmatch(currency):
        return styles
    return _IN_STYLES.sub(lambda m: f"{m[1]}{m[2]} &quot;{currency}&quot;{m[4]}", styles)


def money_formats(table: schema.Table, currency: str) -> dict[str, str]:
    """The money columns of a generated table with their formats in this currency (by header)."""
    if not table.generated or not _CODE.fullmatch(currency):
        return {}
    return {
        c.header: with_currency(str(c.number_format), currency)
        for c in table.columns
        if c.number_format in _AMOUNTS
    }
