"""Bad input in a real workbook, edited the way Excel or LibreOffice stores the edit.

Each case takes the demo workbook (built once, billing month 2026-10), changes its XML the way
Excel would store the change (an error value, a formula without a stored result, rows inserted
above a table, a totals row, a second table), and runs the real reader and billing on it: the
change is an error at its cell, or leaves the billing as it was, never a silent change in money.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import DEMO_TODAY, run_cli
from xlsx_edits import (
    Edit,
    chain,
    edited,
    error_cell,
    formula_cell,
    number_cell,
    set_cell,
    sheet_part,
    shift_rows,
    table_part,
    text_cell,
    with_second_table,
    with_totals_row,
)

from msp_workbook.app.check import check_workbook
from msp_workbook.app.compute import RunReport, compute
from msp_workbook.workbook.package.fault_scan import FaultScan
from msp_workbook.workbook.read import read_workbook

TODAY = DEMO_TODAY  # the demo (conftest's fixture) bills 2026-10


@pytest.fixture(scope="module")
def usage_rows(demo: Path) -> list[list[object]]:
    import python_calamine as calamine

    book = calamine.CalamineWorkbook.from_path(str(demo))
    try:
        # The table's five columns (the looked-up customer name beside it is no reading).
        return [row[:5] for row in book.get_sheet_by_name("Usage").to_python()]
    finally:
        book.close()


def check(path: Path) -> RunReport:
    return check_workbook(path, today=TODAY)


def errors(report: RunReport) -> list[str]:
    return [f"{c.sheet}!{c.cell}: {c.message}" for c in report.errors]


def quantities(report: RunReport) -> dict[tuple[str, str], int]:
    return {(line.license_key, line.metric): line.quantity for line in report.result.lines}


def first_row(rows: list[list[object]], metric: str, month_from: date) -> int:
    """The sheet row of the first reading of `metric` dated from `month_from`."""
    for number, row in enumerate(rows, start=1):
        if row[2] == metric and isinstance(row[0], date) and row[0] >= month_from:
            return number
    raise AssertionError(metric)


def test_bad_quantity_is_found_when_the_usage_table_starts_below_row_1(
    demo: Path, usage_rows: list[list[object]], tmp_path: Path
) -> None:
    """Issue 21 item 2: with two rows inserted above the Usage table, `abc` in a quantity is an
    error at its (moved) cell and that reading alone is left out; no other row is billed twice."""
    number = first_row(usage_rows, "scans", date(2026, 10, 1))
    key, scans = usage_rows[number - 1][1], int(usage_rows[number - 1][3])
    assert scans > 0
    sheet, table = sheet_part(demo, "Usage"), table_part(demo, "Usage")
    flat = edited(demo, tmp_path / "flat.xlsx", {sheet: text_cell(f"D{number}", "abc")})
    moved = edited(
        demo,
        tmp_path / "moved.xlsx",
        {sheet: chain(shift_rows(2), text_cell(f"D{number + 2}", "abc")), table: shift_rows(2)},
    )
    before, at_flat, at_moved = check(demo), check(flat), check(moved)
    message = 'quantity must be a whole number >= 0, got "abc"'
    assert errors(at_flat) == [f"Usage!D{number}: {message}"]
    assert errors(at_moved) == [f"Usage!D{number + 2}: {message}"]
    # The reading's scans are gone from its key's sum, and nothing else changed.
    expected = quantities(before)
    expected[(key, "scans")] -= scans
    expected = {pair: q for pair, q in expected.items() if q}
    assert {p: q for p, q in quantities(at_moved).items() if q} == expected
    assert at_moved.net == at_flat.net < before.net


def test_rows_inserted_above_the_usage_table_change_nothing(demo: Path, tmp_path: Path) -> None:
    sheet, table = sheet_part(demo, "Usage"), table_part(demo, "Usage")
    moved = edited(demo, tmp_path / "moved.xlsx", {sheet: shift_rows(3), table: shift_rows(3)})
    before, after = check(demo), check(moved)
    assert errors(after) == []
    assert after.net == before.net == Decimal("3818.67")
    assert quantities(after) == quantities(before)


_ = number_cell  # used by later cases


# --- Error values and formulas without a stored result (issue 21 item 4) ----------------------

NO_RESULT = "a formula without a stored result (calculate and save it in Excel first)"

FAULT_CASES = [
    # (id, sheet, cell, edit, the error at that cell)
    (
        "usage_quantity_na",
        "Usage",
        "D2",
        error_cell("D2", "#N/A"),
        "quantity is the error value #N/A; expected a whole number >= 0",
    ),
    (
        "usage_quantity_formula_without_result",
        "Usage",
        "D2",
        formula_cell("D2", "SUM(X1:X9)"),
        f"quantity is {NO_RESULT}; expected a whole number >= 0",
    ),
    (
        "usage_date_value_error",
        "Usage",
        "A2",
        error_cell("A2", "#VALUE!"),
        "date is the error value #VALUE!; expected a date (YYYY-MM-DD)",
    ),
    (
        "usage_source_ref_error",
        "Usage",
        "E2",
        error_cell("E2", "#REF!"),
        "source is the error value #REF!; expected text",
    ),
    (
        "customers_discount_na",
        "Customers",
        "F2",
        error_cell("F2", "#N/A"),
        "discount % is the error value #N/A; expected a fraction from 0 to below 1",
    ),
    (
        "customers_country_formula_without_result",
        "Customers",
        "D2",
        formula_cell("D2", 'IF(1,"AT","DE")'),
        f"country is {NO_RESULT}; expected text",
    ),
    (
        "settings_vat_rate_na",
        "Settings",
        "B5",
        error_cell("B5", "#N/A"),
        "VAT rate: the value is the error value #N/A; using the default",
    ),
    (
        "keys_end_formula_without_result",
        "Keys",
        "E2",
        formula_cell("E2", "D2+365"),
        f"end is {NO_RESULT}; expected a date (YYYY-MM-DD)",
    ),
    (
        "products_minimum_value_error",
        "Products",
        "G2",
        error_cell("G2", "#VALUE!"),
        "minimum units is the error value #VALUE!; expected a whole number >= 0",
    ),
    (
        "annual_prices_max_div0",
        "AnnualPrices",
        "E2",
        error_cell("E2", "#DIV/0!"),
        "max units is the error value #DIV/0!; expected a whole number >= 0",
    ),
]


@pytest.mark.parametrize(
    ("sheet", "cell", "edit", "message"),
    [case[1:] for case in FAULT_CASES],
    ids=[case[0] for case in FAULT_CASES],
)
def test_error_values_and_formulas_without_result_are_errors_at_their_cell(
    demo: Path, tmp_path: Path, sheet: str, cell: str, edit: Edit, message: str
) -> None:
    """Never read as empty or as a default: an error at the cell, naming the error value, on
    both ways of reading (column-wise and row by row)."""
    path = edited(demo, tmp_path / "book.xlsx", {sheet_part(demo, sheet): edit})
    report = check(path)
    assert errors(report)[0] == f"{sheet}!{cell}: {message}"
    reference = compute(read_workbook(path, bulk=False), today=TODAY)
    assert errors(reference) == errors(report)
    assert reference.net == report.net


def test_a_usage_row_of_error_values_is_reported_cell_by_cell_not_dropped(
    demo: Path, usage_rows: list[list[object]], tmp_path: Path
) -> None:
    """A row of #N/A used to vanish without a word (a month's max reading lost)."""
    number = first_row(usage_rows, "nodes", date(2026, 10, 1))
    row = chain(*(error_cell(f"{c}{number}") for c in "ABCDE"))
    path = edited(demo, tmp_path / "book.xlsx", {sheet_part(demo, "Usage"): row})
    expected = [
        f"Usage!A{number}: date is the error value #N/A; expected a date (YYYY-MM-DD)",
        f"Usage!B{number}: license key is the error value #N/A; expected an identifier",
        f"Usage!C{number}: metric is the error value #N/A; expected an identifier",
        f"Usage!D{number}: quantity is the error value #N/A; expected a whole number >= 0",
        f"Usage!E{number}: source is the error value #N/A; expected text",
    ]
    assert errors(check(path)) == expected


def test_fault_scan_finds_error_and_formula_cells_wherever_the_chunks_split() -> None:
    """Error values and formulas without a result are found however the inflated sheet is cut
    into chunks; a formula with a stored result, and t="e" written inside a text, are not."""
    sheet = (
        b'<worksheet><sheetData><row r="1"><c r="A1" t="e"><v>#N/A</v></c>'
        b'<c r="B1"><f>1+1</f></c><c r="C1"><f>2</f><v>2</v></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>x t="e"</t></is></c>'
        b'<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        b'<c r="E2"><f t="shared" si="0"/></c><c r="F2"><f t="shared" si="0"/><v>3</v></c></row>'
        b"</sheetData></worksheet>"
    )
    expected = {(1, 0): "#N/A", (1, 1): "", (2, 3): "#DIV/0!", (2, 4): ""}
    for size in (1, 7, 13, 50, len(sheet)):
        chunks = [sheet[i : i + size] for i in range(0, len(sheet), size)]
        scan = FaultScan()
        assert b"".join(scan.watch(chunks)) == sheet
        assert scan.complete
        assert scan.faults == expected, size


@pytest.mark.parametrize(
    ("prefix", "space"), [("", ""), ("x:", ""), ("", "\n  "), ("x:", " ")], ids=str
)
def test_fault_scan_finds_the_one_formula_without_a_result_in_a_calculated_column(
    prefix: str, space: str
) -> None:
    """The Usage sheet's looked-up customer name is a formula on every row, each with its
    result, and imported readings carry a "#" in their Source: none of that is a fault. The one
    formula saved without a result, and the one error value, are found, however the writer
    spells its tags (a namespace prefix, white space before the cell's end)."""

    def xml(text: str) -> bytes:
        return text.replace("<", "<" + prefix).replace("<" + prefix + "/", "</" + prefix).encode()

    def row(n: int, cell_g: str) -> bytes:
        source = f'<c r="E{n}" t="inlineStr"><is><t>nutzung.csv#3f0c:{n}</t></is></c>'
        return xml(f'<row r="{n}">{source}{cell_g}</row>')

    def with_result(n: int) -> str:
        if n % 2:
            return f'<c r="G{n}" t="str"><f>IFERROR(A1&amp;"","")</f><v>Name</v>{space}</c>'
        return f'<c r="G{n}"><f t="shared" si="0"/><v>Name</v>{space}</c>'

    rows = [row(n, with_result(n)) for n in range(1, 3001)]
    rows[1500] = row(1501, f'<c r="G1501"><f>IFERROR(A1,"")</f>{space}</c>')
    rows[2000] = row(2001, '<c r="G2001" t="e"><v>#N/A</v></c>')
    sheet = xml("<sheetData>") + b"".join(rows) + xml("</sheetData>")
    for size in (4096, 65536, len(sheet)):
        scan = FaultScan()
        for _ in scan.watch(sheet[i : i + size] for i in range(0, len(sheet), size)):
            pass
        assert scan.faults == {(1501, 6): "", (2001, 6): "#N/A"}, size


# --- Ambiguous and too large numbers (items 5, 9 and 11) --------------------------------------

AMBIGUOUS = (
    "ambiguous (a thousands separator or a decimal point?); write it without a thousands separator"
)


@pytest.mark.parametrize("text", ["1.000", "1,000", "12.500"])
def test_a_quantity_with_a_thousands_separator_is_ambiguous(
    demo: Path, usage_rows: list[list[object]], tmp_path: Path, text: str
) -> None:
    """ "1.000" is one thousand in German and 1 in English: an error, never read as 1."""
    number = first_row(usage_rows, "nodes", date(2026, 10, 1))
    edit = text_cell(f"D{number}", text)
    path = edited(demo, tmp_path / "book.xlsx", {sheet_part(demo, "Usage"): edit})
    message = f'quantity must be a whole number >= 0, got "{text}": {AMBIGUOUS}'
    assert errors(check(path)) == [f"Usage!D{number}: {message}"]


def test_a_price_with_a_thousands_separator_is_ambiguous(demo: Path, tmp_path: Path) -> None:
    edit = text_cell("F2", "2.500")
    path = edited(demo, tmp_path / "book.xlsx", {sheet_part(demo, "Products"): edit})
    message = f'price per unit must be a number >= 0, got "2.500": {AMBIGUOUS}'
    assert errors(check(path))[0] == f"Products!F2: {message}"


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        (text_cell, '"123456789012345678901234567890"'),
        (lambda ref, _: number_cell(ref, "1E+20"), "100000000000000000000"),
        (lambda ref, _: number_cell(ref, "1000000000"), "1000000000"),
    ],
    ids=["30_digit_text", "1e20_number", "one_billion"],
)
def test_a_quantity_too_large_to_be_one_is_an_error_at_its_cell(
    demo: Path, usage_rows: list[list[object]], tmp_path: Path, cell: object, shown: str
) -> None:
    """A 30-digit quantity in the billing month ended `recalc` with decimal.InvalidOperation
    (exit 1, a traceback); 1e20 units were billed. Now: an error at the cell, the rest billed
    (999,999,999 is the largest quantity, price or unit count: see README, Bad rows)."""
    number = first_row(usage_rows, "scans", date(2026, 10, 1))
    edit = cell(f"D{number}", "123456789012345678901234567890")  # type: ignore[operator]
    path = edited(demo, tmp_path / "book.xlsx", {sheet_part(demo, "Usage"): edit})
    result = run_cli("recalc", str(path))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    message = f"quantity is too large (at most 999,999,999), got {shown}"
    assert f"error: Usage!D{number}: {message}" in result.stdout.splitlines()


def test_a_price_too_large_to_be_one_is_an_error(demo: Path, tmp_path: Path) -> None:
    edit = number_cell("F2", "1E+12")
    path = edited(demo, tmp_path / "book.xlsx", {sheet_part(demo, "Products"): edit})
    message = "price per unit is too large (at most 999,999,999), got 1000000000000"
    assert errors(check(path))[0] == f"Products!F2: {message}"


def test_a_folder_as_out_and_a_month_out_of_range_are_one_line_exit_2(
    demo: Path, tmp_path: Path
) -> None:
    folder = run_cli("recalc", str(demo), "--out", str(tmp_path))
    assert (folder.returncode, folder.stdout) == (2, "")
    assert folder.stderr == (
        f"msp-workbook: {tmp_path}: is a folder; --out takes the name of the workbook to write\n"
    )
    early = run_cli("check", str(demo), "--month", "0001-05")
    assert (early.returncode, early.stdout) == (2, "")
    assert early.stderr == (
        "msp-workbook: cannot bill 0001-05: the billing month must be from 2000-01 to 9998-12\n"
    )


def test_a_billing_month_setting_out_of_range_is_an_error_at_its_cell(
    demo: Path, tmp_path: Path
) -> None:
    edit = text_cell("B6", "0001-05")
    path = edited(demo, tmp_path / "book.xlsx", {sheet_part(demo, "Settings"): edit})
    result = run_cli("check", str(path))
    assert result.returncode == 1, result.stderr
    message = (
        'Billing month: the value must be a month from 2000-01 to 9998-12, got "0001-05"; '
        "using the default"
    )
    assert f"error: Settings!B6: {message}" in result.stdout.splitlines()


# --- Totals rows and other tables (items 6 and 7) -----------------------------------------------


def test_a_totals_row_is_not_a_reading(
    demo: Path, usage_rows: list[list[object]], tmp_path: Path
) -> None:
    """Turning on the Usage table's Total Row (a label and a SUBTOTAL with its stored result
    under the last row) changes nothing: it was read as a reading (3 errors)."""
    total = len(usage_rows) + 1
    sheet = chain(
        text_cell(f"A{total}", "Total"),
        set_cell(f"D{total}", "<f>SUBTOTAL(109,Usage[Quantity])</f><v>52310</v>"),
    )
    path = edited(
        demo,
        tmp_path / "book.xlsx",
        {sheet_part(demo, "Usage"): sheet, table_part(demo, "Usage"): with_totals_row},
    )
    before, after = check(demo), check(path)
    assert (errors(after), after.net) == ([], before.net)
    assert [c.message for c in after.checks] == [c.message for c in before.checks]


def test_a_totals_row_of_customers_is_not_a_customer(demo: Path, tmp_path: Path) -> None:
    import python_calamine as calamine

    book = calamine.CalamineWorkbook.from_path(str(demo))
    total = len(book.get_sheet_by_name("Customers").to_python()) + 1
    book.close()
    sheet = chain(
        text_cell(f"A{total}", "Total"),
        set_cell(f"F{total}", "<f>SUBTOTAL(101,Customers[Discount %])</f><v>0.02</v>"),
    )
    path = edited(
        demo,
        tmp_path / "book.xlsx",
        {sheet_part(demo, "Customers"): sheet, table_part(demo, "Customers"): with_totals_row},
    )
    before, after = check(demo), check(path)
    assert (errors(after), after.net) == ([], before.net)


def test_another_table_below_usage_is_not_read_as_rows_below_it(
    demo: Path, usage_rows: list[list[object]], tmp_path: Path
) -> None:
    """A small table a few rows under Usage, even with Usage's own headers and a billable
    reading, is not input: it was billed as "rows below the table" (+962.40 EUR in issue 21)."""
    number = first_row(usage_rows, "scans", date(2026, 10, 1))
    key = str(usage_rows[number - 1][1])
    top = len(usage_rows) + 3
    path = with_second_table(
        demo,
        tmp_path / "book.xlsx",
        "Usage",
        top,
        ["Date", "License key", "Metric", "Quantity", "Source"],
        [["2026-10-20", key, "scans", 5000, "a copy"]],
    )
    before, after = check(demo), check(path)
    assert (errors(after), after.net) == ([], before.net)
    assert [c.message for c in after.checks] == [c.message for c in before.checks]


def test_another_table_below_customers_is_not_read_as_customers(demo: Path, tmp_path: Path) -> None:
    import python_calamine as calamine

    book = calamine.CalamineWorkbook.from_path(str(demo))
    top = len(book.get_sheet_by_name("Customers").to_python()) + 2
    book.close()
    path = with_second_table(
        demo,
        tmp_path / "book.xlsx",
        "Customers",
        top,
        ["Customer ID", "Customer"],
        [["C-9001", "Prospect GmbH"]],
        name="Prospects",
    )
    before, after = check(demo), check(path)
    assert (errors(after), after.net) == ([], before.net)
    assert [c.message for c in after.checks] == [c.message for c in before.checks]


# --- Long texts, invisible characters, misleading messages (items 10 and 13) ------------------


def test_a_text_over_excels_cell_limit_is_an_error_and_never_copied(
    demo: Path, tmp_path: Path
) -> None:
    """A 40,000-character customer name was copied into Billing and Checks (Excel would ask
    to repair the file): an error at its cell, and no generated cell longer than the limit."""
    import python_calamine as calamine

    edit = text_cell("B2", "N" * 40_000)
    path = edited(demo, tmp_path / "book.xlsx", {sheet_part(demo, "Customers"): edit})
    result = run_cli("recalc", str(path))
    assert result.returncode == 1, result.stderr
    message = "customer is a text of 40,000 characters (Excel's limit is 32,767); expected text"
    assert f"error: Customers!B2: {message}" in result.stdout.splitlines()
    book = calamine.CalamineWorkbook.from_path(str(path))
    for sheet in ("Billing", "Invoices", "Checks", "Comparison"):
        cells = [c for row in book.get_sheet_by_name(sheet).to_python() for c in row]
        assert max(len(c) for c in cells if isinstance(c, str)) <= 32_767, sheet
    book.close()


def test_a_long_unknown_key_is_quoted_cut_with_its_length(
    demo: Path, usage_rows: list[list[object]], tmp_path: Path
) -> None:
    number = first_row(usage_rows, "nodes", date(2026, 10, 1))
    edit = text_cell(f"B{number}", "K" * 5000)
    path = edited(demo, tmp_path / "book.xlsx", {sheet_part(demo, "Usage"): edit})
    shown = '"' + "K" * 100 + '..." (5,000 characters)'
    assert errors(check(path)) == [f"Usage!B{number}: unknown license key {shown} (not on Keys)"]


def test_an_invisible_character_in_an_id_is_shown_and_located(
    demo: Path, usage_rows: list[list[object]], tmp_path: Path
) -> None:
    """A zero-width space after a key made "unknown license key" with nothing to see."""
    number = first_row(usage_rows, "nodes", date(2026, 10, 1))
    key = str(usage_rows[number - 1][1])
    edit = text_cell(f"B{number}", key + "\u200b")
    path = edited(demo, tmp_path / "book.xlsx", {sheet_part(demo, "Usage"): edit})
    message = (
        f'unknown license key "{key}\\u200b" (not on Keys; it holds an invisible character '
        "at position 24 (\\u200b))"
    )
    assert errors(check(path)) == [f"Usage!B{number}: {message}"]


def test_new_key_for_a_customer_whose_row_has_errors_says_so(demo: Path, tmp_path: Path) -> None:
    """It said "unknown customer ID (not on Customers)" for a customer that is there."""
    import python_calamine as calamine

    edit = error_cell("F2", "#N/A")
    path = edited(demo, tmp_path / "book.xlsx", {sheet_part(demo, "Customers"): edit})
    book = calamine.CalamineWorkbook.from_path(str(path))
    customer = book.get_sheet_by_name("Customers").to_python()[1][0]
    book.close()
    result = run_cli("new-key", str(path), "--customer", customer, "--product", "LG-MSP")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f'msp-workbook: customer ID "{customer}" has errors on Customers; fix them first: '
        "Customers!F2: discount % is the error value #N/A; expected a fraction from 0 to "
        "below 1\n"
    )
    unknown = run_cli("new-key", str(path), "--customer", "C-\u200b1", "--product", "LG-MSP")
    assert unknown.stderr == (
        'msp-workbook: unknown customer ID "C-\\u200b1" (not on Customers; it holds an '
        "invisible character at position 3 (\\u200b))\n"
    )


def test_a_file_name_that_is_not_utf8_is_one_line(demo: Path, tmp_path: Path) -> None:
    import os
    import shutil

    name = os.fsdecode(b"Abrechnung-\xe4.xlsx")  # Latin-1 "a umlaut", as an old system names it
    path = tmp_path / name
    shutil.copy(demo, path)
    result = run_cli("check", str(path))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"msp-workbook: {tmp_path}/Abrechnung-\\xe4.xlsx: the file name is not valid UTF-8 "
        "(made on a system with another encoding); rename the file and try again\n"
    )


# --- Plausibility (item 9, SPEC 3 rule 9) ------------------------------------------------------


def test_overlapping_annual_tiers_are_an_error(demo: Path, tmp_path: Path) -> None:
    """KC-MSP mailboxes 1 year: 5-24 and 25-49; Min units 20 in row 3 makes 20-49 overlap
    5-24 (an order of 22 units had two rates)."""
    edit = number_cell("D3", "20")
    path = edited(demo, tmp_path / "book.xlsx", {sheet_part(demo, "AnnualPrices"): edit})
    message = (
        "the tier 20-49 overlaps the tier 5-24 of AnnualPrices!A2 (same product, metric and "
        "term); an order of n units must fall in one tier"
    )
    assert errors(check(path)) == [f"AnnualPrices!D3: {message}"]
    open_ended = number_cell("D5", "240")  # 240 and up overlaps 50-249
    path = edited(demo, tmp_path / "open.xlsx", {sheet_part(demo, "AnnualPrices"): open_ended})
    assert errors(check(path)) == [
        "AnnualPrices!D5: the tier 240 and up overlaps the tier 50-249 of AnnualPrices!A4 "
        "(same product, metric and term); an order of n units must fall in one tier"
    ]


def warnings_of(report: RunReport, sheet: str = "Usage") -> list[str]:
    """The warnings about the sheet's rows (the demo's estimated line points at Usage too, at
    the row where its missing reading would go: not one of these)."""
    return [
        f"{c.cell}: {c.message}"
        for c in report.warnings
        if c.sheet == sheet and not c.message.endswith("(estimated line)")
    ]


def test_readings_pasted_twice_are_warnings(
    demo: Path, usage_rows: list[list[object]], tmp_path: Path
) -> None:
    """Three readings pasted again under the table (inside it: the range grows) are counted,
    as typed, each with a warning naming the row it repeats; both readers agree."""
    number = first_row(usage_rows, "scans", date(2026, 10, 1))
    last = len(usage_rows)
    sheet = sheet_part(demo, "Usage")
    copies = []
    for i in range(3):
        date_, key, metric, quantity, _ = usage_rows[number - 1 + i]
        row = last + 1 + i
        serial = (date_ - date(1899, 12, 30)).days  # type: ignore[operator]
        copies += [
            number_cell(f"A{row}", str(serial)),
            text_cell(f"B{row}", str(key)),
            text_cell(f"C{row}", str(metric)),
            number_cell(f"D{row}", str(int(quantity))),  # type: ignore[call-overload]
        ]
    table = table_part(demo, "Usage")
    grow = lambda text: text.replace(f"E{last}", f"E{last + 3}")  # noqa: E731
    path = edited(demo, tmp_path / "book.xlsx", {sheet: chain(*copies), table: grow})
    report = check(path)
    expected = []
    for i in range(3):
        date_, key, metric, quantity, _ = usage_rows[number - 1 + i]
        expected.append(
            f"A{last + 1 + i}: the same reading as row {number + i} ({date_}, {key}, {metric}, "
            f"quantity {int(quantity)}): entered twice? Both are counted (a sum metric counts "  # type: ignore[call-overload]
            "it twice)"
        )
    assert warnings_of(report) == expected
    assert errors(report) == []
    reference = compute(read_workbook(path, bulk=False), today=TODAY)
    assert warnings_of(reference) == expected


@pytest.mark.parametrize(
    ("serial", "shown", "when"),
    [
        (18000, "1949-04-12", "before 2000"),
        (36525, "1999-12-31", "before 2000"),
        (59305, "2062-05-14", "more than a year after the billing month 2026-10"),
    ],
)
def test_a_usage_date_far_from_the_billing_month_is_a_warning(
    demo: Path,
    usage_rows: list[list[object]],
    tmp_path: Path,
    serial: int,
    shown: str,
    when: str,
) -> None:
    """A year typed wrong moved a reading out of every billed month without a word."""
    number = first_row(usage_rows, "nodes", date(2026, 10, 1))
    quantity = int(usage_rows[number - 1][3])  # type: ignore[call-overload]
    edit = number_cell(f"A{number}", str(serial))
    path = edited(demo, tmp_path / "book.xlsx", {sheet_part(demo, "Usage"): edit})
    expected = [
        f"A{number}: date {shown} is {when}: the reading (quantity {quantity}) counts for "
        f"{shown[:7]}; check the year"
    ]
    assert warnings_of(check(path)) == expected
    reference = compute(read_workbook(path, bulk=False), today=TODAY)
    assert warnings_of(reference) == expected


def test_a_date_a_year_after_the_billing_month_is_no_warning(
    demo: Path, usage_rows: list[list[object]], tmp_path: Path
) -> None:
    number = first_row(usage_rows, "nodes", date(2026, 10, 1))
    edit = number_cell(f"A{number}", str((date(2027, 10, 31) - date(1899, 12, 30)).days))
    path = edited(demo, tmp_path / "book.xlsx", {sheet_part(demo, "Usage"): edit})
    assert warnings_of(check(path)) == []


def test_error_results_as_libreoffice_saves_them_are_errors_at_their_cells(
    demo: Path, usage_rows: list[list[object]], tmp_path: Path
) -> None:
    """=NA() in a discount and =1/0 in a quantity, computed and saved by LibreOffice (it writes
    t="e" cells with the formula and its error result): errors at both cells, naming them."""
    from libreoffice import convert

    number = first_row(usage_rows, "scans", date(2026, 10, 1))
    source = edited(
        demo,
        tmp_path / "typed.xlsx",
        {
            sheet_part(demo, "Customers"): formula_cell("F2", "NA()"),
            sheet_part(demo, "Usage"): formula_cell(f"D{number}", "1/0"),
        },
    )
    (saved,) = convert([source], tmp_path / "saved")
    found = errors(check(saved))
    assert (
        "Customers!F2: discount % is the error value #N/A; expected a fraction from 0 to below 1"
        in found
    )
    assert (
        f"Usage!D{number}: quantity is the error value #DIV/0!; expected a whole number >= 0"
        in found
    )


def test_a_row_typed_under_a_totals_row_is_read_with_the_warning(
    demo: Path, usage_rows: list[list[object]], tmp_path: Path
) -> None:
    """The totals row is skipped, not what lies under it: a reading typed there is read, with
    the warning to extend the table, as one typed right under a table without totals."""
    number = first_row(usage_rows, "scans", date(2026, 10, 1))
    key = str(usage_rows[number - 1][1])
    total = len(usage_rows) + 1

    def reading(row: int) -> Edit:
        return chain(
            text_cell(f"A{row}", "2026-10-20"),
            text_cell(f"B{row}", key),
            text_cell(f"C{row}", "scans"),
            number_cell(f"D{row}", "7"),
        )

    sheet, table = sheet_part(demo, "Usage"), table_part(demo, "Usage")
    totals_sheet = chain(text_cell(f"A{total}", "Total"), reading(total + 1))
    with_totals = edited(
        demo, tmp_path / "totals.xlsx", {sheet: totals_sheet, table: with_totals_row}
    )
    plain = edited(demo, tmp_path / "plain.xlsx", {sheet: reading(total)})
    at_totals, at_plain = check(with_totals), check(plain)
    assert errors(at_totals) == []
    assert at_totals.net == at_plain.net > check(demo).net
    assert [c.message for c in at_totals.warnings][0] == (
        f'1 row below the table "Usage" (from row {total + 1}) were read too; extend the table '
        "to include them (Table Design > Resize Table)"
    )


def test_quote_refuses_price_tables_with_errors(demo: Path, tmp_path: Path) -> None:
    """Found by the corpus: #N/A in a tier's price left the tier out of `quote --workbook`
    without a word (annual total 440.00 -> 675.00 EUR, exit 0)."""
    edit = error_cell("F2", "#N/A")
    path = edited(demo, tmp_path / "book.xlsx", {sheet_part(demo, "AnnualPrices"): edit})
    args = ["--product", "KC-MSP", "--term", "1", "--units-now", "10", "--units-12m", "20"]
    good = run_cli("quote", "--workbook", str(demo), *args)
    assert good.returncode == 0 and "Annual total  440.00 EUR" in good.stdout
    result = run_cli("quote", "--workbook", str(path), *args)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"msp-workbook: cannot quote from {path}: 1 error on Products and AnnualPrices (first: "
        "AnnualPrices!F2: price per unit per year is the error value #N/A; expected a number "
        ">= 0); fix them first (msp-workbook check lists them)\n"
    )


def test_the_excel_face_skips_totals_rows_and_other_tables_like_the_file_reader(
    demo: Path, usage_rows: list[list[object]], tmp_path: Path
) -> None:
    """In Excel (xlwings) the Usage totals row and a table under Customers were read as rows
    below the tables; now the Excel face reads what the command line reads."""
    from fake_xlwings import FakeBook

    from msp_workbook.excel import XlwingsBook, read_inputs

    total = len(usage_rows) + 1
    sheet = chain(
        text_cell(f"A{total}", "Total"),
        set_cell(f"D{total}", "<f>SUBTOTAL(109,Usage[Quantity])</f><v>52310</v>"),
    )
    totals = edited(
        demo,
        tmp_path / "totals.xlsx",
        {sheet_part(demo, "Usage"): sheet, table_part(demo, "Usage"): with_totals_row},
    )
    import python_calamine as calamine

    book = calamine.CalamineWorkbook.from_path(str(demo))
    top = len(book.get_sheet_by_name("Customers").to_python()) + 2
    book.close()
    path = with_second_table(
        totals,
        tmp_path / "book.xlsx",
        "Customers",
        top,
        ["Customer ID", "Customer"],
        [["C-9001", "Prospect GmbH"]],
        name="Prospects",
    )
    from_file = read_workbook(path)
    from_excel = read_inputs(XlwingsBook(FakeBook(path)))
    assert from_excel.errors == ()
    assert [c.message for c in from_excel.checks] == [c.message for c in from_file.checks]
    assert from_excel.usage_index() == from_file.usage_index()


def test_the_excel_face_reports_error_values_at_their_cells(demo: Path, tmp_path: Path) -> None:
    """Through xlwings an error value read as an empty cell (Discount 0, the default VAT rate):
    it is read as its text and reported like the file reader reports it."""
    from fake_xlwings import FakeBook

    from msp_workbook.excel import XlwingsBook, read_inputs

    path = edited(
        demo,
        tmp_path / "book.xlsx",
        {
            sheet_part(demo, "Customers"): error_cell("F2", "#N/A"),
            sheet_part(demo, "Settings"): error_cell("B5", "#VALUE!"),
        },
    )
    from_file = read_workbook(path)
    from_excel = read_inputs(XlwingsBook(FakeBook(path)))
    assert [f"{c.sheet}!{c.cell}: {c.message}" for c in from_excel.errors][:2] == [
        "Settings!B5: VAT rate: the value is the error value #VALUE!; using the default",
        "Customers!F2: discount % is the error value #N/A; expected a fraction from 0 to below 1",
    ]
    assert from_excel.checks == from_file.checks
