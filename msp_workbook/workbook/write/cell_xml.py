"""Cell values as the XML of a sheet's cells, and a tiny writer of XML text.

Writing is string building (a list of pieces joined once), never a DOM, because a generated
sheet can hold 100k+ rows.

Cell values: text is an inline string (never a formula, even when it starts with "="), numbers
are written in plain notation, dates and datetimes as Excel serial numbers (1900 date system),
booleans as TRUE/FALSE cells, and None as no cell at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..package.xml_text import escape_attr

CellValue = str | int | Decimal | date | datetime | bool | None

_EPOCH = datetime(1899, 12, 30)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_SECONDS_PER_DAY = 86_400

_ILLEGAL_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Excel reads _xHHHH_ in text as an escaped character; a literal one is written _x005F_xHHHH_.
_EXCEL_ESCAPE = re.compile("(_x[0-9A-Fa-f]{4}_)")
_NEEDS_WORK = re.compile('[&<>"_]|[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')
_XML_SPACE = " \t\r\n"


def excel_serial(value: date | datetime) -> int | float:
    """Days since 1899-12-30 (Excel's 1900 date system); a datetime adds the time as a fraction."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError(f"cannot write a datetime with a time zone: {value!r}")
        delta = value - _EPOCH
        if not delta.seconds and not delta.microseconds:
            return delta.days
        return delta.days + (delta.seconds + delta.microseconds / 1e6) / _SECONDS_PER_DAY
    return value.toordinal() - _EPOCH_ORDINAL


def escape_text(value: str) -> str:
    """A text as the content of an Excel string element (<t>, a chart's <c:v>): without the
    characters XML cannot hold, with a literal _xHHHH_ escaped and XML's specials escaped."""
    if not _NEEDS_WORK.search(value):
        return value
    value = _ILLEGAL_XML.sub("", value)
    value = _EXCEL_ESCAPE.sub(r"_x005F\1", value)
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def text_xml(value: str) -> str:
    """The <t> element of a text: escaped, with xml:space where leading/trailing space matters."""
    if _NEEDS_WORK.search(value):
        value = escape_text(value)
    if value and (value[0] in _XML_SPACE or value[-1] in _XML_SPACE):
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"


def str_cell(head: str, value: str) -> str:
    return f'{head} t="inlineStr"><is>{text_xml(value)}</is></c>'


def _int_cell(head: str, value: int) -> str:
    return f"{head}><v>{value}</v></c>"


def _decimal_cell(head: str, value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"cannot write {value} to a cell")
    return f"{head}><v>{value:f}</v></c>"


def _float_cell(head: str, value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"cannot write {value} to a cell")
    return f"{head}><v>{value!r}</v></c>"


def _bool_cell(head: str, value: bool) -> str:
    return f'{head} t="b"><v>{int(value)}</v></c>'


def _date_cell(head: str, value: date) -> str:
    return f"{head}><v>{excel_serial(value)!r}</v></c>"


_CELL_WRITERS = {
    str: str_cell,
    int: _int_cell,
    Decimal: _decimal_cell,
    float: _float_cell,
    bool: _bool_cell,
    date: _date_cell,
    datetime: _date_cell,
}


def cell_xml(ref: str, style: int | None, value: CellValue, prefix: str = "") -> str:
    """One <c> element; "" for None. `prefix` is the sheet's namespace prefix ("" or "x:")."""
    if value is None:
        return ""
    head = f'<{prefix}c r="{ref}"' + ("" if style is None else f' s="{style}"')
    xml = cell_writer(value)(head, value)
    if prefix:
        xml = re.sub(r"<(/?)(c|v|is|t)\b", rf"<\1{prefix}\2", xml)
    return xml


def cell_writer(value: object) -> Callable[[str, Any], str]:
    """The writer of a value's type (subclasses too: a pandas Timestamp is a datetime)."""
    writer = _CELL_WRITERS.get(type(value))
    if writer is None:
        for kind in (bool, str, int, Decimal, float, datetime, date):
            if isinstance(value, kind):
                return _CELL_WRITERS[kind]
        raise TypeError(f"cannot write {value!r} ({type(value).__name__}) to a cell")
    return writer


# --- A tiny XML writer ----------------------------------------------------------------------------


class XmlWriter:
    """XML text built piece by piece, in the style of XlsxWriter: the code reads like the XML."""

    def __init__(self) -> None:
        self._pieces: list[str] = []
        self.raw = self._pieces.append

    def declaration(self) -> None:
        self.raw('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')

    def start(self, tag: str, attributes: Iterable[tuple[str, object]] = ()) -> None:
        self.raw(f"<{tag}{_attributes(attributes)}>")

    def end(self, tag: str) -> None:
        self.raw(f"</{tag}>")

    def empty(self, tag: str, attributes: Iterable[tuple[str, object]] = ()) -> None:
        self.raw(f"<{tag}{_attributes(attributes)}/>")

    def getvalue(self) -> str:
        return "".join(self._pieces)


def _attributes(attributes: Iterable[tuple[str, object]]) -> str:
    return "".join(f' {name}="{escape_attr(str(value))}"' for name, value in attributes)
