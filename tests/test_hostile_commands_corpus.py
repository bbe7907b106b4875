"""Hostile input against every writing command: every kind of cell Excel can hold, in every
input table, and the structural changes a user makes to a table, each run through `recalc`,
`close` and `new-key` (tests/test_hostile_corpus.py runs `check` and `recalc` on its own set).

Each case edits a fresh copy of the worked example (billing month 2026-10, Net 229.49 EUR) the
way Excel stores the edit (the sheet's XML: an error value, a formula without a result, a
boolean, texts of every shape, numbers out of range; rows inserted above a table, a totals row,
a second table, reordered columns, a deleted table part). Then `recalc`, `close` and `new-key`
run on it in-process through `cli.main.run` (the real command line, without a new interpreter per
run). For each case exactly one of the outcomes it allows must happen:

- `same`: exit 0, and the month's Net is the unedited workbook's, to the cent;
- `error` (exit 1) or `warning` (exit 0): a finding of that severity located at the edited
  cell (the worked example has no errors, so a `warning` or `same` edit leaves none anywhere);
- `refused`: exit 2 with one line on stderr and nothing on stdout.

Never a traceback (it would fail the test), never a change in money without a finding at the
cell, and `close` never closes a month whose Checks hold an error.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import load_example
from xlsx_fixtures import members, rewrite_members, sheet_part, table_part

from msp_workbook.cli.runner import run as cli_run
from msp_workbook.workbook.template.builder import build_workbook

MONTH = "2026-10"
BASE_NET = "Net 229.49 EUR"

# Cells of the worked example (tests/examples/basic), checked by test_the_targets_hold_...
TARGETS = {
    # Usage row 4: 2026-10-20, K1111-...-CCCC2, mailboxes, 42 (the month's max for that key)
    "Usage date": ("Usage", "A4", "date"),
    "Usage key": ("Usage", "B4", "id"),
    "Usage metric": ("Usage", "C4", "id"),
    "Usage quantity": ("Usage", "D4", "whole"),
    "Discount": ("Customers", "F3", "fraction"),  # C-0002, 10 %
    "Country": ("Customers", "D4", "text"),  # C-0003, AT (reverse charge)
    "VAT ID": ("Customers", "E4", "text"),  # C-0003, ATU22222222
    "VAT rate": ("Settings", "B5", "fraction"),  # 0.19
    "Unit cost": ("Products", "E2", "money"),  # KC-MSP 1.60
    "Unit price": ("Products", "F2", "money"),  # KC-MSP 2.40
    "Minimum units": ("Products", "G2", "whole"),  # KC-MSP 5
    "Key start": ("Keys", "D5", "date"),  # K2222-...-CCCC5 2026-01-15
    "Key end": ("Keys", "E5", "date"),  # K2222-...-CCCC5 2026-10-12 (cancelled)
    "Key status": ("Keys", "F5", "choice"),  # cancelled
    "Annual price": ("AnnualPrices", "F2", "money"),  # KC-MSP 1y 5-24: 30.00
}
ORIGINAL = {
    "Usage quantity": 42,
    "Discount": 0.1,
    "VAT rate": 0.19,
    "Unit cost": 1.6,
    "Unit price": 2.4,
    "Minimum units": 5,
    "Annual price": 30,
}


def inline(ref: str, text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def number(ref: str, value: str) -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


ERROR_VALUES = ["#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!"]
# Newer error values: the spreadsheet libraries refuse a sheet holding one, so the workbook is
# refused in one line naming the cell.
NEWER_ERROR_VALUES = ["#SPILL!", "#CALC!", "#GETTING_DATA"]


@dataclass(frozen=True)
class CellCase:
    target: str
    what: str
    cell: Callable[[str], str]  # ref -> the <c> element
    allowed: frozenset[str] = field(default_factory=lambda: frozenset({"error"}))


def cell_cases() -> list[CellCase]:
    cases: list[CellCase] = []
    for target, (_, _, kind) in TARGETS.items():
        for error in ERROR_VALUES:
            cases.append(
                CellCase(target, error, lambda r, e=error: f'<c r="{r}" t="e"><v>{e}</v></c>')
            )
        for error in NEWER_ERROR_VALUES:
            cases.append(
                CellCase(
                    target,
                    error,
                    lambda r, e=error: f'<c r="{r}" t="e"><v>{e}</v></c>',
                    frozenset({"error", "refused"}),
                )
            )
        cases.append(
            CellCase(target, "formula without a result", lambda r: f'<c r="{r}"><f>1+1</f></c>')
        )
        cases.append(CellCase(target, "TRUE", lambda r: f'<c r="{r}" t="b"><v>1</v></c>'))
        cases.append(CellCase(target, "40,000 characters", lambda r: inline(r, "x" * 40_000)))
        if kind in ("whole", "money", "fraction"):
            original = ORIGINAL[target]
            for text in ("1.000", "1,000", "1.234.567", "12,5%", "NaN", "inf", "0x10", "１２"):
                cases.append(CellCase(target, f"text {text!r}", lambda r, t=text: inline(r, t)))
            cases.append(CellCase(target, "30 digits", lambda r: inline(r, "9" * 30)))
            cases.append(CellCase(target, "1E+20", lambda r: number(r, "1E+20")))
            cases.append(CellCase(target, "-5", lambda r: number(r, "-5")))
            cases.append(
                CellCase(
                    target,
                    "formula with its result",
                    lambda r, v=original: f'<c r="{r}"><f>{v}+0</f><v>{v}</v></c>',
                    frozenset({"same"}),
                )
            )
            cases.append(
                CellCase(
                    target,
                    "the number as text",
                    lambda r, v=original: inline(r, f" {v} "),
                    frozenset({"same", "error"}),
                )
            )
        if kind == "whole":
            cases.append(CellCase(target, "41.5", lambda r: number(r, "41.5")))
        if kind == "fraction":
            cases.append(CellCase(target, "1.5 (150 %)", lambda r: number(r, "1.5")))
        if kind == "date":
            cases.append(CellCase(target, "31.02.2026", lambda r: inline(r, "31.02.2026")))
            cases.append(CellCase(target, "text 'soon'", lambda r: inline(r, "soon")))
            cases.append(CellCase(target, "serial 3000000", lambda r: number(r, "3000000")))
            cases.append(CellCase(target, "serial -1", lambda r: number(r, "-1")))
        if kind == "id":
            cases.append(
                CellCase(target, "zero-width space inside", lambda r: inline(r, "K1111\u200b"))
            )
    return cases


CELL_CASES = cell_cases()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "MSP_Billing.xlsx"
    build_workbook(path, load_example("basic"))
    return path


@pytest.fixture
def copy(pristine, tmp_path) -> Path:
    dest = tmp_path / "MSP_Billing.xlsx"
    shutil.copy(pristine, dest)
    return dest


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli_run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def set_cell(path: Path, sheet: str, ref: str, element: str) -> None:
    """Replace the cell `ref` of the sheet (it exists in the example) with `element`."""
    part = sheet_part(path, sheet)
    xml = members(path)[part].decode("utf-8")
    pattern = re.compile(rf'<c r="{ref}"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
    assert pattern.search(xml), f"{sheet}!{ref} not in the sheet"
    style = re.search(rf'<c r="{ref}"[^>]*?( s="\d+")', xml)
    if style:  # keep the cell's format, as Excel does when a value is typed over
        element = element.replace(f'<c r="{ref}"', f'<c r="{ref}"{style[1]}', 1)
    xml = pattern.sub(lambda _: element, xml, count=1)
    replace_members(path, {part: xml.encode("utf-8")})


def replace_members(path: Path, changed: dict[str, bytes | None], added=None) -> None:
    tmp = path.with_name("edit.tmp.xlsx")
    rewrite_members(path, tmp, changed, added)
    tmp.replace(path)


def outcome(capsys, path: Path, where: str) -> str:
    """What `recalc` did with the edited workbook, as one of the outcome names."""
    code, out, err = run(capsys, "recalc", str(path), "--month", MONTH)
    if code == 2:
        assert out == "" and err.count("\n") == 1, (out, err)
        return "refused"
    lines = out.splitlines()
    if any(line.startswith(f"error: {where}:") for line in lines):
        assert code == 1, (code, err)
        return "error"
    # The worked example has no errors: an edit with none at its cell leaves none anywhere,
    # so the run is done without errors (exit 0, README "Exit codes").
    assert (code, err) == (0, ""), (code, out, err)
    assert not [line for line in lines if line.startswith("error:")], out
    if any(line.startswith(f"warning: {where}:") for line in lines):
        return "warning"
    assert BASE_NET in out, f"money changed without a finding at {where}:\n{out}"
    return "same"


def assert_other_commands_hold(capsys, path: Path, result: str) -> None:
    """`close` refuses a month with errors (and closes it otherwise); `new-key` adds a key or
    says in one line why not; neither ever raises."""
    code, out, err = run(capsys, "close", str(path), "--month", MONTH)
    if result == "error":
        assert code == 2 and "cannot be closed: Checks has" in err, (code, out, err)
    elif result == "same":
        assert code == 0, err
    assert err.count("\n") <= 1
    code, out, err = run(
        capsys, "new-key", str(path), "--customer", "C-0004", "--product", "KC-MSP"
    )
    assert code in (0, 2), err
    assert (code == 0 and err == "") or (code == 2 and out == "" and err.count("\n") == 1)


def test_the_unedited_example_bills_the_worked_totals(capsys, copy):
    code, out, _ = run(capsys, "recalc", str(copy), "--month", MONTH)
    assert code == 0 and BASE_NET in out


@pytest.mark.parametrize("case", CELL_CASES, ids=[f"{c.target}: {c.what}" for c in CELL_CASES])
def test_a_hostile_cell(capsys, copy, case):
    sheet, ref, _ = TARGETS[case.target]
    set_cell(copy, sheet, ref, case.cell(ref))
    result = outcome(capsys, copy, f"{sheet}!{ref}")
    assert result in case.allowed, f"{case.target} <- {case.what}: {result}"
    assert_other_commands_hold(capsys, copy, result)


# --- Structural changes to a table ---------------------------------------------------------------


def usage_xml(path: Path) -> tuple[str, str, str, str]:
    part = sheet_part(path, "Usage")
    tpart = table_part(path, "Usage")
    data = members(path)
    return part, data[part].decode("utf-8"), tpart, data[tpart].decode("utf-8")


def shift_rows(xml: str, by: int) -> str:
    """Every row and cell of a sheet moved down `by` rows (as Excel's "Insert rows" above)."""
    xml = re.sub(r'<row r="(\d+)"', lambda m: f'<row r="{int(m[1]) + by}"', xml)
    xml = re.sub(r'<c r="([A-Z]+)(\d+)"', lambda m: f'<c r="{m[1]}{int(m[2]) + by}"', xml)
    return xml.replace('<dimension ref="A1:E18"/>', f'<dimension ref="A1:E{18 + by}"/>')


def test_rows_inserted_above_the_usage_table_change_nothing(capsys, copy):
    part, xml, tpart, table = usage_xml(copy)
    table = table.replace('ref="A1:E18"', 'ref="A3:E20"')
    replace_members(copy, {part: shift_rows(xml, 2).encode(), tpart: table.encode()})
    assert outcome(capsys, copy, "Usage!D6") == "same"


def test_a_bad_quantity_below_inserted_rows_is_found_at_its_cell(capsys, copy):
    """The quantity 42 (the month's max) typed as `abc`, two rows inserted above the table: an
    error at Usage!D6, and no other reading counted twice (issue: offsets added twice)."""
    part, xml, tpart, table = usage_xml(copy)
    table = table.replace('ref="A1:E18"', 'ref="A3:E20"')
    xml = shift_rows(xml, 2)
    xml = re.sub(r'<c r="D6"[^>]*>.*?</c>', inline("D6", "abc"), xml, count=1)
    replace_members(copy, {part: xml.encode(), tpart: table.encode()})
    code, out, _ = run(capsys, "recalc", str(copy), "--month", MONTH)
    assert code == 1
    assert [line for line in out.splitlines() if line.startswith("error:")] == [
        line for line in out.splitlines() if line.startswith("error: Usage!D6:")
    ]
    assert "error: Usage!D6:" in out


def test_a_totals_row_is_not_a_reading(capsys, copy):
    part, xml, tpart, table = usage_xml(copy)
    table = table.replace('ref="A1:E18"', 'ref="A1:E19"').replace(
        'totalsRowShown="0"', 'totalsRowCount="1"'
    )
    table = table.replace('name="Date"', 'name="Date" totalsRowLabel="Total"', 1)
    table = table.replace('name="Quantity"', 'name="Quantity" totalsRowFunction="sum"', 1)
    total = (
        '<row r="19">'
        + inline("A19", "Total")
        + '<c r="D19"><f>SUBTOTAL(109,Usage[Quantity])</f><v>533</v></c></row>'
    )
    xml = xml.replace("</sheetData>", total + "</sheetData>")
    replace_members(copy, {part: xml.encode(), tpart: table.encode()})
    assert outcome(capsys, copy, "Usage!A19") == "same"


def test_a_second_table_below_usage_is_not_billed(capsys, copy):
    part, xml, tpart, table = usage_xml(copy)
    rows = (
        '<row r="21">' + inline("A21", "Note") + inline("D21", "Quantity") + "</row>"
        '<row r="22">'
        + number("A22", "46315")
        + inline("B22", "K1111-AAAAA-BBBBB-CCCC2")
        + inline("C22", "mailboxes")
        + number("D22", "500")
        + "</row>"
    )
    xml = xml.replace("</sheetData>", rows + "</sheetData>")
    xml = xml.replace(
        '<tableParts count="1"><tablePart r:id="rId1"/></tableParts>',
        '<tableParts count="2"><tablePart r:id="rId1"/><tablePart r:id="rId99"/></tableParts>',
    )
    rels_name = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    rels = (
        members(copy)[rels_name]
        .decode()
        .replace(
            "</Relationships>",
            '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/table" Target="../tables/table99.xml"/></Relationships>',
        )
    )
    types = (
        members(copy)["[Content_Types].xml"]
        .decode()
        .replace(
            "</Types>",
            '<Override PartName="/xl/tables/table99.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.table+xml"/></Types>',
        )
    )
    notes = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><table xmlns="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main" id="99" name="MyNotes" displayName="MyNotes"'
        ' ref="A21:D22" totalsRowShown="0"><autoFilter ref="A21:D22"/><tableColumns count="4">'
        '<tableColumn id="1" name="Note"/><tableColumn id="2" name="Column1"/>'
        '<tableColumn id="3" name="Column2"/><tableColumn id="4" name="Quantity"/></tableColumns>'
        "</table>"
    )
    replace_members(
        copy,
        {part: xml.encode(), rels_name: rels.encode(), "[Content_Types].xml": types.encode()},
        {"xl/tables/table99.xml": notes.encode()},
    )
    assert outcome(capsys, copy, "Usage!D22") in ("same", "warning")
    _, out, _ = run(capsys, "recalc", str(copy), "--month", MONTH)
    assert BASE_NET in out  # the 500 of the other table is never billed


def test_swapped_columns_are_found_by_their_headers(capsys, copy):
    part, xml, tpart, table = usage_xml(copy)
    xml = re.sub(r'<c r="B(\d+)"', r'<c r="TMP\1"', xml)
    xml = re.sub(r'<c r="C(\d+)"', r'<c r="B\1"', xml)
    xml = re.sub(r'<c r="TMP(\d+)"', r'<c r="C\1"', xml)
    xml = re.sub(  # cells in a row stay in column order
        r"(<c r=\"C\d+\".*?</c>)(<c r=\"B\d+\".*?</c>)", r"\2\1", xml
    )
    table = (
        table.replace('name="License key"', 'name="@@"')
        .replace('name="Metric"', 'name="License key"')
        .replace('name="@@"', 'name="Metric"')
    )
    replace_members(copy, {part: xml.encode(), tpart: table.encode()})
    assert outcome(capsys, copy, "Usage!B4") == "same"


def convert_to_range(path: Path, sheet: str, table: str) -> None:
    """Excel's "Convert to Range": the cells stay, the table part and its references go."""
    part = sheet_part(path, sheet)
    tpart = table_part(path, table)
    data = members(path)
    xml = re.sub(r"<tableParts.*?</tableParts>", "", data[part].decode())
    rels_name = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    target = tpart.rsplit("/", 1)[1]
    rels = re.sub(
        rf'<Relationship [^>]*Target="[^"]*{re.escape(target)}"[^>]*/>',
        "",
        data[rels_name].decode(),
    )
    types = re.sub(
        rf'<Override PartName="/{re.escape(tpart)}"[^>]*/>',
        "",
        data["[Content_Types].xml"].decode(),
    )
    replace_members(
        path,
        {
            part: xml.encode(),
            rels_name: rels.encode(),
            "[Content_Types].xml": types.encode(),
            tpart: None,
        },
    )


def test_a_usage_table_converted_to_a_range_is_refused_in_one_line(capsys, copy):
    convert_to_range(copy, "Usage", "Usage")
    assert outcome(capsys, copy, "Usage!A1") == "refused"


def test_a_renamed_quantity_header_is_refused_in_one_line(capsys, copy):
    part, xml, tpart, table = usage_xml(copy)
    table = table.replace('name="Quantity"', 'name="Menge"')
    xml = re.sub(r'<c r="D1"[^>]*>.*?</c>', inline("D1", "Menge"), xml, count=1)
    replace_members(copy, {part: xml.encode(), tpart: table.encode()})
    assert outcome(capsys, copy, "Usage!D1") == "refused"


def test_hidden_rows_are_still_readings(capsys, copy):
    part, xml, _, _ = usage_xml(copy)
    xml = xml.replace('<row r="4" ', '<row r="4" hidden="1" ')
    replace_members(copy, {part: xml.encode()})
    assert outcome(capsys, copy, "Usage!D4") == "same"


def test_a_renamed_sheet_still_holds_its_table(capsys, copy):
    data = members(copy)
    book = data["xl/workbook.xml"].decode().replace('name="Usage"', 'name="Nutzung"')
    replace_members(copy, {"xl/workbook.xml": book.encode()})
    assert outcome(capsys, copy, "Nutzung!D4") in ("same", "refused")


def test_the_ledger_table_gone_with_its_rows_left_stops_billing(capsys, copy):
    """Excel's "Convert to Range" on the Ledger after a close: closed months must not be taken
    for open ones (they would be closed and numbered again)."""
    assert run(capsys, "close", str(copy), "--month", "2026-09")[0] == 0
    convert_to_range(copy, "Ledger", "Ledger")
    for args in (("recalc",), ("close",)):
        code, out, err = run(capsys, *args, str(copy), "--month", MONTH)
        assert code == 2 and out == "" and err.count("\n") == 1, (args, out, err)


def test_the_corpus_is_large(capsys):
    assert len(CELL_CASES) >= 280
