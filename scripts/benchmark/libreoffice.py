"""LibreOffice, the hand-built alternative: a workbook whose Billing sheet computes every line with
MAXIFS/SUMIFS over the Usage rows and whose Invoices sheet sums it, recalculated and saved by
LibreOffice headless; its figures compared with recalc's."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lo_headless import convert_command, make_profile

from msp_workbook.core.months import Month
from msp_workbook.workbook import schema
from msp_workbook.workbook.template import example_prices

from .data import bench_data
from .measure import Run, measure, progress, repeat_runs
from .sizes import BILL_MONTH, Rows, Size

# Columns of the formula workbook's Billing sheet; the last four are formulas.
_LO_BILLING = (
    "Customer ID",
    "Customer",
    "License key",
    "Product ID",
    "Product",
    "Metric",
    "Aggregation",
    "From",
    "To",
    "Minimum units",
    "Unit price",
    "Discount %",
    "Unit cost",
    "Quantity",
    "Net",
    "Cost",
    "Margin",
)
_LO_QUANTITY = _LO_BILLING.index("Quantity")
_LO_NET = _LO_BILLING.index("Net")


def build_formula_workbook(
    path: Path,
    data: dict[str, Rows],
    billing: Sequence[Sequence[Any]],
    invoices: Sequence[Sequence[Any]],
    month: Month,
    formulas: bool = True,
) -> None:
    """The month's billing as a reseller would build it by hand: the same Usage rows; Billing has
    one row per billing line (key, metric, prices typed in) whose Quantity is
    MAX(minimum, SUMIFS or MAXIFS over the month's readings) and whose Net, Cost and Margin are
    rounded formulas; Invoices sums Billing per customer with SUMIFS and adds VAT.

    With `formulas` False the same cells hold the expected numbers instead (load and save only).
    """
    import xlsxwriter

    headers = schema.BILLING.headers
    col = {h: i for i, h in enumerate(headers)}
    products = {(p[0], p[2]): p for p in example_prices.PRODUCTS}
    status = {k["License key"]: k["Status"] for k in data[schema.KEYS.name]}
    usage = data[schema.USAGE.name]
    book = xlsxwriter.Workbook(str(path))
    try:
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        ws = book.add_worksheet("Usage")
        ws.write_row(0, 0, schema.USAGE.headers)
        for r, row in enumerate(usage, start=1):
            ws.write_datetime(r, 0, row["Date"], day)
            ws.write_string(r, 1, row["License key"])
            ws.write_string(r, 2, row["Metric"])
            ws.write_number(r, 3, row["Quantity"])
            ws.write_string(r, 4, row["Source"])
        last = len(usage) + 1

        def rng(letter: str) -> str:
            return f"Usage!${letter}$2:${letter}${last}"

        ws = book.add_worksheet("Billing")
        ws.write_row(0, 0, _LO_BILLING)
        for r, line in enumerate(billing, start=1):
            n = r + 1  # Excel row
            product = products[(line[col["Product ID"]], line[col["Metric"]])]
            minimum = 0 if status[line[col["License key"]]] == "suspended" else product[6]
            values = (
                line[col["Customer ID"]],
                line[col["Customer"]],
                line[col["License key"]],
                line[col["Product ID"]],
                line[col["Product"]],
                line[col["Metric"]],
                product[3],
            )
            ws.write_row(r, 0, values)
            ws.write_datetime(r, 7, month.first_day, day)
            ws.write_datetime(r, 8, month.last_day, day)
            ws.write_number(r, 9, minimum)
            ws.write_number(r, 10, float(line[col["Unit price"]]))
            ws.write_number(r, 11, float(line[col["Discount %"]]))
            ws.write_number(r, 12, float(line[col["Unit cost"]]))
            if not formulas:
                for c, header in zip(
                    range(13, 17), ("Quantity", "Net", "Cost", "Margin"), strict=True
                ):
                    ws.write_number(r, c, float(line[col[header]]))
                continue
            criteria = f'{rng("B")},C{n},{rng("C")},F{n},{rng("A")},">="&H{n},{rng("A")},"<="&I{n}'
            ws.write_formula(
                r,
                13,
                f'=MAX(J{n},IF(G{n}="sum",SUMIFS({rng("D")},{criteria}),'
                f"_xlfn.MAXIFS({rng('D')},{criteria})))",
            )
            ws.write_formula(r, 14, f"=ROUND(N{n}*K{n}*(1-L{n}),2)")
            ws.write_formula(r, 15, f"=ROUND(N{n}*M{n},2)")
            ws.write_formula(r, 16, f"=O{n}-P{n}")
        lines = len(billing) + 1

        ws = book.add_worksheet("Invoices")
        ws.write_row(0, 0, ("Customer ID", "Customer", "Net", "VAT rate", "VAT", "Gross", "Cost"))
        icol = {h: i for i, h in enumerate(schema.INVOICES.headers)}
        for r, invoice in enumerate(invoices, start=1):
            n = r + 1
            ws.write_string(r, 0, invoice[icol["Customer ID"]])
            ws.write_string(r, 1, invoice[icol["Customer"]])
            ws.write_number(r, 3, float(invoice[icol["VAT rate"]]))
            if not formulas:
                for c, header in ((2, "Net"), (4, "VAT"), (5, "Gross"), (6, "Cost")):
                    ws.write_number(r, c, float(invoice[icol[header]]))
                continue
            ws.write_formula(r, 2, f"=SUMIFS(Billing!$O$2:$O${lines},Billing!$A$2:$A${lines},A{n})")
            ws.write_formula(r, 4, f"=ROUND(C{n}*D{n},2)")
            ws.write_formula(r, 5, f"=C{n}+E{n}")
            ws.write_formula(r, 6, f"=SUMIFS(Billing!$P$2:$P${lines},Billing!$A$2:$A${lines},A{n})")
    finally:
        book.close()


def libreoffice_agreement(converted: Path, billing: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """LibreOffice's Quantity and Net against recalc's lines that come from readings."""
    import python_calamine as calamine

    col = {h: i for i, h in enumerate(schema.BILLING.headers)}
    book = calamine.CalamineWorkbook.from_path(str(converted))
    grid = book.get_sheet_by_name("Billing").to_python(skip_empty_area=False)[1:]
    book.close()
    compared = agreed = 0
    for line, computed in zip(billing, grid, strict=False):
        if line[col["Type"]] not in ("usage", "minimum"):
            continue
        compared += 1
        quantity, net = computed[_LO_QUANTITY], computed[_LO_NET]
        if (
            isinstance(quantity, int | float)
            and isinstance(net, int | float)
            and quantity == line[col["Quantity"]]
            and abs(net - float(line[col["Net"]])) < 0.0051
        ):
            agreed += 1
    return {"compared": compared, "agreed": agreed, "rows_read": len(grid)}


def bench_libreoffice(
    size: Size,
    binary: str,
    billing: Sequence[Sequence[Any]],
    invoices: Sequence[Sequence[Any]],
    args: argparse.Namespace,
    tmp: Path,
) -> dict[str, Any]:
    progress(f"{size.name}: LibreOffice formula workbook")
    data = bench_data(size)
    formulas = tmp / f"{size.name}-formulas.xlsx"
    values = tmp / f"{size.name}-values.xlsx"
    build_formula_workbook(formulas, data, billing, invoices, BILL_MONTH, formulas=True)
    build_formula_workbook(values, data, billing, invoices, BILL_MONTH, formulas=False)
    del data
    profile = make_profile(tmp / "lo-profile")
    outdir = tmp / "lo-out"
    outdir.mkdir(exist_ok=True)
    warm = tmp / "lo-warm-up.xlsx"
    build_formula_workbook(warm, {schema.KEYS.name: [], schema.USAGE.name: []}, [], [], BILL_MONTH)
    measure(convert_command(binary, profile, [warm], outdir), args.timeout, tmp)  # new profile

    agreement: dict[str, Any] = {}

    def convert(src: Path, check: bool) -> Callable[[int], Run]:
        def run(i: int) -> Run:
            converted = outdir / src.name
            converted.unlink(missing_ok=True)
            result = measure(convert_command(binary, profile, [src], outdir), args.timeout, tmp)
            if result.rc == 0 and not converted.exists():
                result.rc, result.stderr = -1, "LibreOffice wrote no output"
            if check and i == 0 and converted.exists():
                agreement.update(libreoffice_agreement(converted, billing))
            converted.unlink(missing_ok=True)
            return result

        return run

    progress(
        f"{size.name}: LibreOffice recalculation x{args.repeat} (timeout {args.timeout:.0f} s)"
    )
    with_formulas = repeat_runs(
        args.repeat,
        convert(formulas, check=True),
        "open, recalculate every formula (forced), save as xlsx; start-up included",
    )
    progress(f"{size.name}: LibreOffice load+save without formulas x{args.repeat}")
    load_save = repeat_runs(args.repeat, convert(values, check=False), "same cells as numbers")
    for leftover in (formulas, values, warm):
        if not args.keep:
            leftover.unlink(missing_ok=True)
    result = with_formulas.to_json()
    result["load_save_only"] = load_save.to_json()
    result["agreement"] = agreement
    result["formula_lines"] = len(billing)
    result["_measured"] = with_formulas
    return result
