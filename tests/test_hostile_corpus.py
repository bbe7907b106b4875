"""A hostile-input corpus: every kind of cell Excel can hold and every structural change a user
can make to a table, each run through the command line (`check`, then `recalc`, then `check`
of the recalculated file) on a copy of the demo workbook edited the way Excel stores the edit.

Each case asserts one of:

- `ERROR`: exit 1 with an error at the edited cell, and the money exactly as when that cell
  holds #N/A (the row left out, nothing else changed: no silent change in money);
- `SAME`: the output exactly that of an equivalent workbook (the value written plainly, or the
  demo itself for a change that must not matter, like rows inserted above a table);
- `WARNING`: exit 0 with a warning at the edited cell;
- `REFUSED`: exit 2 with one line on stderr and nothing on stdout;
- `NO_READINGS`: (an empty Usage table) exit 0, no error, and a warning for the keys left
  without a reading, each billed as an estimated line of 0.

and for every case no traceback; for every structural case and the cell cases whose values
reach the generated sheets or test the writer's limits (`_WRITER_KINDS`), `recalc` exits as
`check` did with the same summary, and a `check` of the recalculated file gives it again (the
generated sheets hold nothing a reader would choke on); for those of them on Customers and
Products and the structural ones, `close` refuses in one line while there are errors and
otherwise closes the month without changing its money, and `new-key` gives a key or one
line; for the structural cases and those on Products and AnnualPrices, `quote --workbook`
refuses in one line while the price tables have errors, else quotes (as from the demo after
a structural change). The cases are counted in `test_corpus_size`.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from conftest import DEMO_TODAY
from xlsx_edits import (
    Edit,
    chain,
    edited,
    error_cell,
    formula_cell,
    number_cell,
    only_header_row,
    set_cell,
    sheet_part,
    shift_columns,
    shift_rows,
    swap_columns,
    swap_table_columns,
    table_part,
    text_cell,
    with_second_table,
    with_totals_row,
    without_table_part,
)

from msp_workbook.cli.runner import run as cli_run

TODAY = DEMO_TODAY  # the demo (conftest's fixture) bills 2026-10 (its Settings say so)
ERROR, SAME, WARNING, REFUSED = "error", "same", "warning", "refused"
NO_READINGS = "no_readings"

# A cell written as Excel stores it: (attributes, content); None: the cell deleted.
Cell = Callable[[str], Edit]


def text(value: str) -> Cell:
    return lambda ref: text_cell(ref, value)


def number(value: str) -> Cell:
    return lambda ref: number_cell(ref, value)


def err(value: str) -> Cell:
    return lambda ref: error_cell(ref, value)


def boolean(value: bool) -> Cell:
    return lambda ref: set_cell(ref, f"<v>{int(value)}</v>", ' t="b"')


def formula(expression: str, cached: str | None = None, kind: str = "") -> Cell:
    if cached is None:
        return lambda ref: formula_cell(ref, expression)
    attrs = f' t="{kind}"' if kind else ""
    return lambda ref: set_cell(ref, f"<f>{expression}</f><v>{cached}</v>", attrs)


def empty() -> Cell:
    def edit(ref: str) -> Edit:
        cell = re.compile(rf'<c r="{ref}"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
        return lambda part: cell.sub("", part, count=1)

    return edit


ERROR_VALUES = ["#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!"]
# Newer error values the spreadsheet libraries refuse a whole sheet for: refused naming the cell.
NEWER_ERRORS = ["#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#BUSY!"]


@dataclass(frozen=True)
class Case:
    name: str
    sheet: str | None  # the sheet whose cell is edited (None: a structural change)
    cell: str | None  # "D@scans": column D of the row of the first 2026-10 scans reading
    value: Cell | None
    expect: str
    like: Cell | None = None  # SAME: the cell written this way gives the same output
    build: Callable[[Path, Path], Path] | None = None  # a structural change


def cell_cases(sheet: str, cell: str, kinds: list[tuple[str, Cell, str, Cell | None]]) -> list:
    return [
        Case(f"{sheet}-{cell.replace('@', '-')}-{name}", sheet, cell, value, expect, like)
        for name, value, expect, like in kinds
    ]


def bad(name: str, value: Cell) -> tuple[str, Cell, str, None]:
    return (name, value, ERROR, None)


def same(name: str, value: Cell, like: Cell) -> tuple[str, Cell, str, Cell]:
    return (name, value, SAME, like)


FAULTS = [bad(f"error{i}", err(e)) for i, e in enumerate(ERROR_VALUES)] + [
    bad("formula_without_result", formula("A1*2")),
    ("newer_error", err(NEWER_ERRORS[0]), REFUSED, None),
]
NEWER = [(f"newer_error{i}", err(e), REFUSED, None) for i, e in enumerate(NEWER_ERRORS)]

QUANTITY = FAULTS + [
    same("formula_with_result", formula("3+4", "7"), number("7")),
    same("formula_with_text_result", formula('"7"', "7", "str"), number("7")),
    bad(
        "formula_with_error_result", lambda ref: set_cell(ref, "<f>1/0</f><v>#DIV/0!</v>", ' t="e"')
    ),
    bad("true", boolean(True)),
    bad("false", boolean(False)),
    bad("date_text", text("2026-10-05")),
    bad("huge_number", number("1E+20")),
    bad("max_float", number("1.7976931348623157E+308")),
    bad("thirty_digits", text("123456789012345678901234567890")),
    bad("one_billion", number("1000000000")),
    same("largest", number("999999999"), text("999999999")),
    same("negative_zero", number("-0"), number("0")),
    bad("nan", text("NaN")),
    bad("inf", text("inf")),
    bad("minus_infinity", text("-Infinity")),
    bad("exponent_text", text("1e5")),
    bad("hex_text", text("0x10")),
    bad("half", text("\u00bd")),
    same("spaces", text("  12 "), number("12")),
    same("tab_newline", text("\t12\n"), number("12")),
    same("no_break_space", text("\u00a012"), number("12")),
    bad("zero_width_space", text("12\u200b")),
    bad("german_thousands", text("1.000")),
    bad("english_thousands", text("1,000")),
    bad("decimal_comma", text("12,5")),
    bad("space_thousands", text("1 000")),
    bad("swiss_thousands", text("1'000")),
    bad("fraction_text", text("2.5")),
    bad("fraction_number", number("2.5")),
    bad("negative", number("-3")),
    same("plus_sign", text("+5"), number("5")),
    same("leading_zero", text("05"), number("5")),
    same("whole_decimal_text", text("5.0"), number("5")),
    same("whole_float", number("5.0000000000"), number("5")),
    bad("long_text", text("9" * 40_000)),
    bad("empty_text", text("")),
    bad("deleted", empty()),
    bad("formula_text", text("=SUM(A1:A3)")),
]

USAGE_DATE = FAULTS + [
    bad("true", boolean(True)),
    bad("word", text("yesterday")),
    bad("month_13", text("2026-13-01")),
    bad("german_date_text", text("31.10.2026")),
    bad("us_date_text", text("10/31/2026")),
    bad("negative_serial", number("-1")),
    bad("serial_past_9999", number("3000000")),
    bad("fractional_serial", number("46296.5")),
    bad("long_text", text("2" * 40_000)),
    bad("deleted", empty()),
]

USAGE_KEY = FAULTS + [
    bad("true", boolean(True)),
    bad("number", number("12345")),
    bad("long_text", text("K" * 40_000)),
    bad("unknown", text("XXXXX-XXXXX-XXXXX-XXXXX")),
    bad("deleted", empty()),
]

USAGE_METRIC = FAULTS + [
    bad("unknown", text("scan")),
    bad("number", number("1")),
    same("upper_case", text("SCANS"), text("scans")),
    same("spaces", text("  scans "), text("scans")),
    bad("zero_width", text("scans\u200b")),
]

USAGE_SOURCE = FAULTS + [
    bad("long_text", text("S" * 40_000)),
    same("true", boolean(True), text("TRUE")),
    same("number", number("7"), text("7")),
]

DISCOUNT = FAULTS + [
    same("percent_text", text("10%"), number("0.1")),
    same("fraction_text", text("0.1"), number("0.1")),
    bad("whole_percent", number("10")),
    bad("negative", number("-0.1")),
    bad("one", number("1")),
    bad("decimal_comma", text("0,1")),
    bad("true", boolean(True)),
    bad("word", text("none")),
    bad("long_text", text("0" * 40_000)),
]

VAT = FAULTS + [
    same("percent_text", text("19%"), number("0.19")),
    bad("percent_number", number("19")),
    bad("decimal_comma", text("0,19")),
    bad("true", boolean(True)),
]

BILLING_MONTH = [
    bad("year_one", text("0001-05")),
    bad("year_9999", text("9999-12")),
    bad("word", text("October")),
    same("date_in_month", number("46310"), text("2026-10")),  # 2026-10-14
    bad("error", err("#N/A")),
    bad("formula_without_result", formula("TODAY()")),
]

KEY_END = FAULTS + [
    bad("month_13", text("2026-13-45")),
    bad("true", boolean(True)),
    bad("before_start", number("1")),
]

PRICE = FAULTS + [
    bad("thousands", text("2.500")),
    bad("too_large", number("1E+12")),
    bad("negative", number("-1")),
    bad("word", text("free")),
    same("text_number", text("2.40"), number("2.4")),
]

MINIMUM = FAULTS + [
    bad("fraction", number("2.5")),
    bad("too_large", number("1E+10")),
]

CUSTOMER_ID = FAULTS + [bad("long_text", text("C" * 40_000))]
CUSTOMER_NAME = [bad("long_text", text("N" * 40_000)), bad("error", err("#N/A"))]

CELL_CASES = [
    *cell_cases("Usage", "D@scans", QUANTITY),
    *cell_cases("Usage", "D@scans", NEWER[1:]),
    *cell_cases("Customers", "F2", NEWER[1:]),
    *cell_cases("Usage", "A@scans", USAGE_DATE),
    *cell_cases("Usage", "B@scans", USAGE_KEY),
    *cell_cases("Usage", "C@scans", USAGE_METRIC),
    *cell_cases("Usage", "E@scans", USAGE_SOURCE),
    *cell_cases("Customers", "F2", DISCOUNT),
    *cell_cases("Customers", "A2", CUSTOMER_ID),
    *cell_cases("Customers", "B2", CUSTOMER_NAME),
    *cell_cases("Settings", "B5", VAT),
    *cell_cases("Settings", "B6", BILLING_MONTH),
    *cell_cases("Keys", "E2", KEY_END),
    *cell_cases("Products", "F2", PRICE),
    *cell_cases("Products", "G2", MINIMUM),
    *cell_cases("AnnualPrices", "F2", PRICE),
]


# --- Structural changes --------------------------------------------------------------------------

INPUT_SHEETS = ["Settings", "Products", "AnnualPrices", "Customers", "Keys", "Usage"]


def sheet_and_table(edit: Edit, table_edit: Edit | None = None, sheet: str = "Usage") -> Callable:
    def build(demo: Path, dst: Path) -> Path:
        edits = {sheet_part(demo, sheet): edit}
        if table_edit is not None:
            edits[table_part(demo, sheet)] = table_edit
        return edited(demo, dst, edits)

    return build


def totals(sheet: str) -> Callable:
    def build(demo: Path, dst: Path) -> Path:
        rows = _last_row(demo, sheet) + 1
        cells = chain(
            text_cell(f"A{rows}", "Total"), formula("SUBTOTAL(103,A2:A9)", "9")(f"B{rows}")
        )
        return edited(
            demo, dst, {sheet_part(demo, sheet): cells, table_part(demo, sheet): with_totals_row}
        )

    return build


def second_table(sheet: str, headers: list[str], row: list[str | int]) -> Callable:
    def build(demo: Path, dst: Path) -> Path:
        top = _last_row(demo, sheet) + 2
        return with_second_table(demo, dst, sheet, top, headers, [row])

    return build


def _last_row(demo: Path, sheet: str) -> int:
    """The last row of the sheet's table (lists and notes beside it may reach further)."""
    import openpyxl

    ref = openpyxl.load_workbook(demo)[sheet].tables[sheet].ref
    return int(ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def converted_to_range(sheet: str) -> Callable:
    """Excel's Convert to Range: the table part and its relationship go, the cells stay."""

    def build(demo: Path, dst: Path) -> Path:
        part = sheet_part(demo, sheet)
        rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        target = table_part(demo, sheet).rsplit("/", 1)[1]
        drop = re.compile(rf'<Relationship [^>]*Target="[^"]*{re.escape(target)}"[^>]*/>')
        return edited(demo, dst, {part: without_table_part, rels: lambda t: drop.sub("", t)})

    return build


def _two_rows(part: str) -> str:
    """A table part whose range is its header and one empty row (an empty table)."""
    return re.sub(r'ref="A1:E\d+"', 'ref="A1:E2"', part)


USAGE_HEADERS = ["Date", "License key", "Metric", "Quantity", "Source"]
STRUCTURE_CASES = [
    *[
        Case(f"{sheet}-rows_above-{n}", None, None, None, SAME,
             build=sheet_and_table(shift_rows(n), shift_rows(n), sheet))
        for sheet in INPUT_SHEETS for n in (1, 4)
    ],
    *[
        Case(f"{sheet}-columns_left-{n}", None, None, None, SAME,
             build=sheet_and_table(shift_columns(n), shift_columns(n), sheet))
        for sheet in INPUT_SHEETS for n in (1, 3)
    ],
    Case("Usage-columns_swapped-date_quantity", None, None, None, SAME,
         build=sheet_and_table(swap_columns("A", "D"), swap_table_columns(0, 3))),
    Case("Customers-columns_swapped-id_discount", None, None, None, SAME,
         build=sheet_and_table(swap_columns("A", "F"), swap_table_columns(0, 5), "Customers")),
    *[Case(f"{sheet}-totals_row", None, None, None, SAME, build=totals(sheet))
      for sheet in ("Products", "AnnualPrices", "Customers", "Keys", "Usage")],
    Case("Usage-second_table", None, None, None, SAME,
         build=second_table("Usage", USAGE_HEADERS, ["2026-10-20", "K", "scans", 5000, "x"])),
    Case("Customers-second_table", None, None, None, SAME,
         build=second_table("Customers", ["Customer ID", "Customer"], ["C-9001", "Prospect"])),
    Case("Keys-second_table", None, None, None, SAME,
         build=second_table("Keys", ["License key", "Note"], ["AAAAA-BBBBB", "spare"])),
    Case("Usage-empty_table", None, None, None, NO_READINGS,
         build=sheet_and_table(only_header_row, _two_rows)),
    *[Case(f"{sheet}-converted_to_range", None, None, None, REFUSED,
           build=converted_to_range(sheet)) for sheet in INPUT_SHEETS],
    Case("Usage-header_renamed", None, None, None, REFUSED,
         build=sheet_and_table(lambda t: t, lambda t: t.replace('name="Quantity"', 'name="Qty"'))),
]  # fmt: skip

CASES = CELL_CASES + STRUCTURE_CASES


def test_corpus_size() -> None:
    """How many cases the corpus holds (reported in the closing note of issue 21)."""
    assert len(CELL_CASES) == 216
    assert len(STRUCTURE_CASES) == 42
    assert len({case.name for case in CASES}) == len(CASES)


# --- Running a case ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def summary(self) -> list[str]:
        return [line for line in self.out.splitlines() if not line.startswith("Recalculated ")]

    @property
    def net(self) -> str:
        found = re.search(r"^Net (\S+) ", self.out, re.M)
        assert found, self.out
        return found[1]

    def errors_at(self, cell: str) -> list[str]:
        return [line for line in self.out.splitlines() if line.startswith(f"error: {cell}: ")]


def run(*argv: str) -> Run:
    """The command line in this process (a traceback is an exception here: the test fails)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_run(list(argv))
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def scans_row(demo: Path) -> int:
    import python_calamine as calamine

    book = calamine.CalamineWorkbook.from_path(str(demo))
    rows = book.get_sheet_by_name("Usage").to_python()
    book.close()
    for number, row in enumerate(rows, start=1):
        if row[2] == "scans" and isinstance(row[0], date) and row[0] >= date(2026, 10, 1):
            return number
    raise AssertionError("no scans reading in 2026-10")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """`check` outputs of equivalent workbooks, worked out once each."""
    return {}


# Values that reach the generated sheets, or test the writer's limits: these cell cases (and
# every structural one) are recalculated too; the rest only checked, to keep the corpus quick.
_WRITER_KINDS = (
    *("error0", "formula_with", "true", "number", "long", "huge", "max", "largest", "thirty"),
    *("too_large", "negative_zero", "percent", "spaces", "upper_case"),
)


def _recalculated(case: Case) -> bool:
    return case.build is not None or any(kind in case.name for kind in _WRITER_KINDS)


QUOTE = ["--product", "KC-MSP", "--term", "1", "--units-now", "10", "--units-12m", "60"]


def _check_quote(case: Case, path: Path, checked: Run, outputs: dict[str, Run], demo: Path) -> None:
    """`quote --workbook`: refused in one line while the price tables have errors; else a
    quote, the demo's after a structural change (the prices are as they were)."""
    quoted = run("quote", "--workbook", str(path), *QUOTE)
    price_errors = re.search(r"^error: (Products|AnnualPrices)!", checked.out, re.M)
    if price_errors:
        assert (quoted.code, quoted.out) == (2, ""), quoted
        assert quoted.err.startswith(f"msp-workbook: cannot quote from {path}: ")
        return
    assert quoted.code == 0, quoted
    if case.build is not None:
        if "quote:demo" not in outputs:
            outputs["quote:demo"] = run("quote", "--workbook", str(demo), *QUOTE)
        assert quoted.out == outputs["quote:demo"].out


def _placeless(out: str) -> list[str]:
    """Output lines without the cell of each check (rows or columns inserted move them)."""
    return [re.sub(r"^(\w+: \w+!)[A-Z]+\d+: ", r"\1", line) for line in out.splitlines()]


def _with_cell(demo: Path, dst: Path, sheet: str, ref: str, value: Cell) -> Path:
    return edited(demo, dst, {sheet_part(demo, sheet): value(ref)})


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_case(
    case: Case, demo: Path, scans_row: int, outputs: dict[str, Run], tmp_path: Path
) -> None:
    ref = case.cell.replace("@scans", str(scans_row)) if case.cell else None
    path = tmp_path / "book.xlsx"
    if case.build is not None:
        case.build(demo, path)
    else:
        assert case.sheet and ref and case.value
        _with_cell(demo, path, case.sheet, ref, case.value)

    checked = run("check", str(path))
    if case.expect == REFUSED:
        assert (checked.code, checked.out) == (2, ""), checked
        assert checked.err.startswith("msp-workbook: ") and checked.err.count("\n") == 1
        if ref is not None:  # a cell's value refused: the message names the cell
            assert f" {case.sheet}!{ref} " in checked.err, checked.err
        return
    assert checked.err == ""

    def output_of(key: str, make: Callable[[Path], Path]) -> Run:
        if key not in outputs:
            outputs[key] = run("check", str(make(tmp_path / f"{len(outputs)}.xlsx")))
        return outputs[key]

    if case.expect == ERROR:
        assert case.sheet and ref
        at = f"{case.sheet}!{ref}"
        assert checked.code == 1 and checked.errors_at(at), checked.out
        left_out = output_of(
            f"na:{at}", lambda p: _with_cell(demo, p, case.sheet, ref, err("#N/A"))
        )
        assert checked.net == left_out.net, "a bad cell changed the money otherwise than #N/A"
    elif case.expect == SAME:
        if case.like is not None:
            assert case.sheet and ref
            like = case.like
            equal = output_of(
                f"like:{case.sheet}!{ref}:{case.name}",
                lambda p: _with_cell(demo, p, case.sheet, ref, like),
            )
            assert (checked.code, checked.out) == (equal.code, equal.out)
        else:  # a structural change: the same, but for where the cells are now
            equal = output_of("demo", lambda p: Path(shutil.copy(demo, p)))
            assert checked.code == equal.code == 0, checked  # the demo has no errors
            assert _placeless(checked.out) == _placeless(equal.out)
    elif case.expect == WARNING:
        assert checked.code == 0 and f"warning: {case.sheet}!{ref}: " in checked.out
    elif case.expect == NO_READINGS:  # no usage at all is no error: each key bills 0, estimated
        lines = checked.out.splitlines()
        assert checked.code == 0 and "\n0 errors, " in checked.out, checked.out
        assert not [line for line in lines if line.startswith("error:")], checked.out
        assert re.search(
            r"^warning: Usage!A\d+: key .* no \w+ reported for 2026-10", checked.out, re.M
        )
    else:
        raise AssertionError(f"no such expectation: {case.expect}")

    if case.build is not None or case.sheet in ("Products", "AnnualPrices"):
        _check_quote(case, path, checked, outputs, demo)
    if not _recalculated(case):
        return
    # recalc: the same summary, and a file that reads back to it.
    recalculated = run("recalc", str(path))
    assert recalculated.code == checked.code, recalculated
    assert recalculated.summary == checked.summary
    again = run("check", str(path))
    assert (again.code, again.out) == (checked.code, checked.out)
    if case.build is None and case.sheet not in ("Customers", "Products"):
        return
    # close: refused in one line while there are errors; else the month's lines go to the
    # Ledger and a check of the closed file bills the month as before.
    closed = run("close", str(path), "--month", "2026-10")
    if checked.code == 1:
        assert (closed.code, closed.out) == (2, ""), closed
        assert closed.err.startswith("msp-workbook: 2026-10 cannot be closed: Checks has ")
    else:
        assert closed.code == 0 and closed.out.startswith("Closed 2026-10: "), closed
        after = run("check", str(path))
        assert after.net == checked.net
    # new-key: a key for the first customer and product, or one line saying why not.
    key = run("new-key", str(path), "--customer", "C-0001", "--product", "LG-MSP")
    assert key.code in (0, 2), key
    assert (key.out.count("\n"), key.err) == (1, "") if key.code == 0 else key.err.count("\n") == 1
