"""The DATEV booking batch as a file: EXTF Buchungsstapel, format version 13 (SPEC section 9).

Line 1 is the header (31 fields), line 2 the 125 column names, then one line per booking.
Windows-1252, `;` between fields, CRLF after every line, text fields in double quotes (inner
quotes doubled), amounts with a decimal comma and no thousands separator.

`check` reads the bytes back the way an importer does and holds every field to DATEV's format
description before the file is written: a field the format does not allow is a defect of ours.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ..core.datev import ACCOUNT_LENGTH, BOOKING_TEXT_LENGTH, Booking
from ..core.datev_fields import BELEGFELD
from ..core.money import round_money

ENCODING = "cp1252"
NEWLINE = "\r\n"
FORMAT_VERSION = 13
DATA_CATEGORY = 21  # Buchungsstapel
ORIGIN = "RE"  # Herkunft: Rechnungswesen, as in DATEV's own example
APPLICATION = "msp_workbook"  # Anwendungsinformation, at most 16 characters
DESCRIPTION_LENGTH = 30

# The 125 column names of format version 13, as DATEV's sample file spells them (including
# "Zusatzinformation- Inhalt").
COLUMNS: tuple[str, ...] = (
    "Umsatz (ohne Soll/Haben-Kz)",
    "Soll/Haben-Kennzeichen",
    "WKZ Umsatz",
    "Kurs",
    "Basis-Umsatz",
    "WKZ Basis-Umsatz",
    "Konto",
    "Gegenkonto (ohne BU-Schlüssel)",
    "BU-Schlüssel",
    "Belegdatum",
    "Belegfeld 1",
    "Belegfeld 2",
    "Skonto",
    "Buchungstext",
    "Postensperre",
    "Diverse Adressnummer",
    "Geschäftspartnerbank",
    "Sachverhalt",
    "Zinssperre",
    "Beleglink",
    *[f"Beleginfo - {part} {n}" for n in range(1, 9) for part in ("Art", "Inhalt")],
    "KOST1 - Kostenstelle",
    "KOST2 - Kostenstelle",
    "Kost-Menge",
    "EU-Land u. UStID (Bestimmung)",
    "EU-Steuersatz (Bestimmung)",
    "Abw. Versteuerungsart",
    "Sachverhalt L+L",
    "Funktionsergänzung L+L",
    "BU 49 Hauptfunktionstyp",
    "BU 49 Hauptfunktionsnummer",
    "BU 49 Funktionsergänzung",
    *[
        name
        for n in range(1, 21)
        for name in (f"Zusatzinformation - Art {n}", f"Zusatzinformation- Inhalt {n}")
    ],
    "Stück",
    "Gewicht",
    "Zahlweise",
    "Forderungsart",
    "Veranlagungsjahr",
    "Zugeordnete Fälligkeit",
    "Skontotyp",
    "Auftragsnummer",
    "Buchungstyp",
    "USt-Schlüssel (Anzahlungen)",
    "EU-Land (Anzahlungen)",
    "Sachverhalt L+L (Anzahlungen)",
    "EU-Steuersatz (Anzahlungen)",
    "Erlöskonto (Anzahlungen)",
    "Herkunft-Kz",
    "Buchungs GUID",
    "KOST-Datum",
    "SEPA-Mandatsreferenz",
    "Skontosperre",
    "Gesellschaftername",
    "Beteiligtennummer",
    "Identifikationsnummer",
    "Zeichnernummer",
    "Postensperre bis",
    "Bezeichnung SoBil-Sachverhalt",
    "Kennzeichen SoBil-Buchung",
    "Festschreibung",
    "Leistungsdatum",
    "Datum Zuord. Steuerperiode",
    "Fälligkeit",
    "Generalumkehr (GU)",
    "Steuersatz",
    "Land",
    "Abrechnungsreferenz",
    "BVV-Position",
    "EU-Land u. UStID (Ursprung)",
    "EU-Steuersatz (Ursprung)",
    "Abw. Skontokonto",
)
# The columns (1-based) whose values are text, written in quotes even when empty.
TEXT_COLUMNS = frozenset(
    [2, 3, 6, 9, 11, 12, 14, 16, 20, *range(21, 39), 40, 42, *range(48, 88)]
    + [91, 95, 96, 98, 102, 103, 105, 107, 109, 110, 112, 118, 120, 121, 123]
)
_AT = {name: i for i, name in enumerate(COLUMNS)}


@dataclass(frozen=True)
class Header:
    """What line 1 says beyond the constants."""

    created: datetime  # field 6: the month's closing time (the same file on every run)
    consultant: int  # 11 Beraternummer
    client: int  # 12 Mandantennummer
    fiscal_year_start: date  # 13
    period_from: date  # 15 Datum vom
    period_to: date  # 16 Datum bis
    description: str  # 17 Bezeichnung
    currency: str  # 22
    chart: str  # 27: "03" or "04"


class DatevFileError(RuntimeError):
    """The batch breaks DATEV's format: a defect of ours, never written."""


def text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def windows_1252(value: str) -> str:
    """A free text as Windows-1252 can hold it: a letter it lacks becomes its base letter
    (Ł -> L, ő -> o), anything else "?". Only for texts a reader reads (Buchungstext)."""
    kept = []
    for char in value:
        try:
            char.encode(ENCODING)
            kept.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode(ENCODING, "ignore").decode(ENCODING)
            kept.append(base or _BASE_LETTERS.get(char, "?"))
    return "".join(kept)


# Letters without a decomposition to a Latin base letter.
_BASE_LETTERS = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i"}


def amount(value: Decimal) -> str:
    """`1234,56`: two decimals, a decimal comma, no thousands separator."""
    return f"{round_money(value):.2f}".replace(".", ",")


def header_line(h: Header) -> str:
    fields = [
        text("EXTF"),
        "700",
        str(DATA_CATEGORY),
        text("Buchungsstapel"),
        str(FORMAT_VERSION),
        h.created.strftime("%Y%m%d%H%M%S") + f"{h.created.microsecond // 1000:03d}",
        "",
        text(ORIGIN),
        text(""),
        text(""),
        str(h.consultant),
        str(h.client),
        h.fiscal_year_start.strftime("%Y%m%d"),
        str(ACCOUNT_LENGTH),
        h.period_from.strftime("%Y%m%d"),
        h.period_to.strftime("%Y%m%d"),
        text(h.description[:DESCRIPTION_LENGTH]),
        text(""),
        "1",  # Buchungstyp: Finanzbuchführung
        "0",  # Rechnungslegungszweck: unabhängig
        "0",  # Festschreibung: none (the adviser decides)
        text(h.currency),
        "",
        text(""),
        "",
        "",
        text(h.chart),
        "",
        "",
        text(""),
        text(APPLICATION),
    ]
    return ";".join(fields)


def booking_line(b: Booking) -> str:
    values = [""] * len(COLUMNS)
    values[_AT["Umsatz (ohne Soll/Haben-Kz)"]] = amount(b.amount)
    values[_AT["Soll/Haben-Kennzeichen"]] = "S" if b.debit else "H"
    values[_AT["Konto"]] = str(b.account)
    values[_AT["Gegenkonto (ohne BU-Schlüssel)"]] = str(b.contra_account)
    values[_AT["Belegdatum"]] = b.day.strftime("%d%m")
    values[_AT["Belegfeld 1"]] = b.invoice
    values[_AT["Buchungstext"]] = windows_1252(b.text)
    values[_AT["EU-Land u. UStID (Bestimmung)"]] = b.vat_id
    return ";".join(text(v) if i + 1 in TEXT_COLUMNS else v for i, v in enumerate(values))


def render(header: Header, bookings: Sequence[Booking]) -> bytes:
    """The file's bytes, checked (`check`) before they are returned."""
    lines = [header_line(header), ";".join(COLUMNS), *(booking_line(b) for b in bookings)]
    try:
        data = "".join(line + NEWLINE for line in lines).encode(ENCODING)
    except UnicodeEncodeError as exc:
        held = exc.object[exc.start : exc.end]
        raise DatevFileError(f"a text Windows-1252 cannot hold: {held!r}") from None
    problems = check(data)
    if problems:
        raise DatevFileError("; ".join(problems[:5]))
    return data


# --- Reading it back as an importer does ----------------------------------------------------------

_AMOUNT = re.compile(r"^\d{1,10},\d{2}$")
_TTMM = re.compile(r"^(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])$")
_DEBITOR = re.compile(rf"^\d{{{ACCOUNT_LENGTH + 1}}}$")
_ACCOUNT = re.compile(rf"^\d{{1,{ACCOUNT_LENGTH}}}$")
_VAT_ID = re.compile(r"^([A-Z]{2}[A-Z0-9+*]{2,13})?$")


def check(data: bytes) -> list[str]:
    """Every way the bytes break the format: encoding, line ends, header, column names, and per
    booking the fields it fills (amount, S/H, accounts, date, Belegfeld 1, text, VAT ID) and
    that all others are empty."""
    problems: list[str] = []
    try:
        decoded = data.decode(ENCODING)
    except UnicodeDecodeError as exc:
        return [f"not Windows-1252: {exc}"]
    if not decoded.endswith(NEWLINE) or decoded.replace(NEWLINE, "").count("\n"):
        problems.append("lines must end with CRLF, and only there")
    rows = list(csv.reader(io.StringIO(decoded, newline=""), delimiter=";", quotechar='"'))
    if len(rows) < 2:
        return [*problems, "no header and column names"]
    head, names, *bookings = rows
    if len(head) != 31 or head[:5] != ["EXTF", "700", "21", "Buchungsstapel", "13"]:
        problems.append(f"header: not an EXTF Buchungsstapel of version 13: {head[:5]}")
    if len(head) == 31:
        for index in (5, 10, 11, 12, 13, 14, 15):
            if not head[index].isdigit():
                problems.append(f"header field {index + 1} must be digits, got {head[index]!r}")
        if head[26] not in ("03", "04"):
            problems.append(f"header field 27 (chart) must be 03 or 04, got {head[26]!r}")
        if len(head[16]) > DESCRIPTION_LENGTH:
            problems.append("header field 17 is longer than 30 characters")
    if tuple(names) != COLUMNS:
        problems.append("line 2: not the 125 column names of format version 13")
    for number, row in enumerate(bookings, start=3):
        problems += [f"line {number}: {p}" for p in _booking_problems(row)]
    return problems


def _booking_problems(row: list[str]) -> list[str]:
    if len(row) != len(COLUMNS):
        return [f"{len(row)} fields, not {len(COLUMNS)}"]
    value = dict(zip(COLUMNS, row, strict=True))
    found = []
    rules = (
        ("Umsatz (ohne Soll/Haben-Kz)", _AMOUNT, "an amount like 1234,56"),
        ("Soll/Haben-Kennzeichen", re.compile(r"^[SH]$"), "S or H"),
        ("Konto", _DEBITOR, "a debitor account of five digits"),
        ("Gegenkonto (ohne BU-Schlüssel)", _ACCOUNT, "an account of at most four digits"),
        ("Belegdatum", _TTMM, "a day as TTMM"),
        ("Belegfeld 1", BELEGFELD, "at most 36 of A-Z a-z 0-9 $&%*+-/"),
        ("EU-Land u. UStID (Bestimmung)", _VAT_ID, "a VAT ID or empty"),
    )
    for column, pattern, what in rules:
        if not pattern.match(value[column]):
            found.append(f"{column} must be {what}, got {value[column]!r}")
    if value["Umsatz (ohne Soll/Haben-Kz)"] in ("0,00",):
        found.append("Umsatz 0,00 is not allowed")
    if len(value["Buchungstext"]) > BOOKING_TEXT_LENGTH:
        found.append("Buchungstext is longer than 60 characters")
    filled = {
        "Umsatz (ohne Soll/Haben-Kz)",
        "Soll/Haben-Kennzeichen",
        "Konto",
        "Gegenkonto (ohne BU-Schlüssel)",
        "Belegdatum",
        "Belegfeld 1",
        "Buchungstext",
        "EU-Land u. UStID (Bestimmung)",
    }
    extra = [c for c in COLUMNS if c not in filled and value[c]]
    if extra:
        found.append(f"unexpected values in {', '.join(extra)}")
    return found
