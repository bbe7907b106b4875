"""A report file (CSV or .xlsx) -> its header and numbered lines of values, and its digest.

CSV as a German office meets it: UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8"),
or Windows-1252 (older tools, Excel's plain "CSV"); columns separated by `,`, `;` or a tab.
The encoding is decided by the bytes themselves: a BOM says UTF-8; text that decodes as UTF-8
is UTF-8 (Windows-1252 text with an umlaut or a euro sign practically never does); anything
else is Windows-1252, where every byte is a character, so nothing is ever lost to a guess.
The separator is the one under which the first non-empty line (the header) holds every column
the import profile needs: the profile knows the headers, which no general-purpose sniffer does,
and a separator that could be wrong is refused with the headers found instead of guessed.

An .xlsx report's first sheet is read (python-calamine): the header is its first non-empty row;
line numbers are the sheet's row numbers.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from ..core.readings import ReportProblem, ReportValue
from .package.file_checks import check_workbook_file
from .package.guard import check_before_parsing

SEPARATORS = (";", ",", "\t")
DIGEST_LENGTH = 12
_MAX_REPORT_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class ReportFile:
    """A report's lines: `lines` are (line number, values) after the header line."""

    path: Path
    digest: str  # the first 12 hex digits of the file's SHA-256
    header_line: int
    header: list[ReportValue]
    lines: list[tuple[int, list[ReportValue]]]
    separator: str | None  # a CSV file's column separator; None for an .xlsx sheet
    encoding: str | None

    @property
    def source_prefix(self) -> str:
        """What every reading's Source starts with: `nutzung.csv#1a2b3c4d5e6f`."""
        return f"{self.path.name}#{self.digest}"


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH]


def read_report(path: Path, wanted: tuple[str, ...]) -> ReportFile:
    """Read a report; `wanted` are the header texts the profile needs (to find the separator).
    Raises ReportProblem (one line) for a file that cannot be read as a report."""
    try:
        size = path.stat().st_size
        if size > _MAX_REPORT_BYTES:
            raise ReportProblem(f"the file is {size // 2**20} MiB; split it (at most 512 MiB)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReportProblem("no such file") from None
    except IsADirectoryError:
        raise ReportProblem("is a folder, not a report") from None
    except OSError as exc:
        raise ReportProblem(f"cannot read it ({exc.strerror or exc})") from exc
    digest = digest_of(data)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        return _read_xlsx(path, digest)
    if suffix in (".xls", ".ods"):
        raise ReportProblem(f"a {suffix} file: save the report as .xlsx or .csv")
    if b"\0" in data[:4096]:
        raise ReportProblem("not a text report (CSV) nor an .xlsx workbook")
    text, encoding = _decode(data)
    return _read_csv(path, digest, text, encoding, wanted)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _read_csv(
    path: Path, digest: str, text: str, encoding: str, wanted: tuple[str, ...]
) -> ReportFile:
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        raise ReportProblem("the file is empty")
    want = {_key(w) for w in wanted}
    fits = []
    for separator in SEPARATORS:
        header = next(csv.reader([first], delimiter=separator))
        found = {_key(h) for h in header}
        if want <= found:
            fits.append(separator)
    if len(fits) != 1:
        names = ", ".join(f'"{w}"' for w in wanted)
        raise ReportProblem(
            f"its first line is no header with the columns {names} separated by ; , or a tab"
            f" (the first line is {_short(first)})"
            if not fits
            else f"its header reads the same with {' and '.join(map(repr, fits))} between columns"
        )
    separator = fits[0]
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=False)
    numbered: list[tuple[int, list[ReportValue]]] = []
    header: list[ReportValue] | None = None
    header_line = 0
    try:
        for row in rows:
            number = rows.line_num  # the line the row ended on: a quoted line break counts
            if header is None:
                if any(cell.strip() for cell in row):
                    header, header_line = list(row), number
                continue
            numbered.append((number, list(row)))
    except csv.Error as exc:
        raise ReportProblem(f"line {rows.line_num}: {exc}") from exc
    assert header is not None
    return ReportFile(path, digest, header_line, header, numbered, separator, encoding)


def _read_xlsx(path: Path, digest: str) -> ReportFile:

    try:
        check_workbook_file(path)
        check_before_parsing(path, [])
        import python_calamine as calamine

        with calamine.CalamineWorkbook.from_path(str(path)) as book:
            names = book.sheet_names
            if not names:
                raise ReportProblem("the workbook has no sheet")
            rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except ReportProblem:
        raise
    except Exception as exc:
        raise ReportProblem(f"cannot read it as a workbook ({_first_line(exc)})") from exc
    header: list[ReportValue] | None = None
    header_line = 0
    numbered: list[tuple[int, list[ReportValue]]] = []
    for index, row in enumerate(rows):
        values: list[ReportValue] = [None if v == "" else v for v in row]
        if header is None:
            if any(v is not None for v in values):
                header, header_line = values, index + 1
            continue
        numbered.append((index + 1, values))
    if header is None:
        raise ReportProblem("the first sheet is empty")
    return ReportFile(path, digest, header_line, header, numbered, None, None)


def _key(text: object) -> str:
    return " ".join(str(text).split()).casefold()


def _short(text: str) -> str:
    return f'"{text}"' if len(text) <= 80 else f'"{text[:77]}..."'


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
