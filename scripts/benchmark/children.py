"""The child commands (`bench.py --child NAME ...`): what runs in its own process, so that its time
and memory are its own: the plain path's billing (the expected result), the floor, openpyxl's
load-and-save and import, the WeasyPrint peer, and setting Correction months in a workbook."""

from __future__ import annotations

import hashlib
import pickle
import shutil
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from msp_workbook.core.months import Month
from msp_workbook.workbook import schema

from .measure import report_extra


def child_prepare(src: str, month: str, out: str, plain_out: str) -> None:
    """The billing as the plain path computes it in-process (the expected result: Usage read row
    by row, aggregated reading by reading), pickled for the floor's writer and the checks; with
    `plain_out`, also a plain in-process recalculation."""
    from msp_workbook.app.compute import compute
    from msp_workbook.app.generated import generated_tables
    from msp_workbook.app.recalc import recalculate
    from msp_workbook.workbook.read import read_workbook

    target = Month.parse(month)
    # Read under the name the measured recalc reads (SIZE-input.xlsx): Checks may name the file
    # (the row-limit warning says what to run on it).
    named = Path(out).with_name(Path(out).stem.removesuffix("-expected") + "-input.xlsx")
    shutil.copyfile(src, named)
    started = time.perf_counter()
    report = compute(read_workbook(named, bulk=False), target)
    named.unlink()
    generated = generated_tables(report)
    computed = time.perf_counter() - started
    with open(out, "wb") as f:
        pickle.dump({"tables": generated.tables, "side_columns": generated.side_columns}, f)
    values: dict[str, Any] = {"check_workbook_s": computed}
    if plain_out:
        copy = Path(plain_out).with_suffix(".src.xlsx")
        shutil.copyfile(src, copy)
        recalculate(copy, target, out=Path(plain_out))
        copy.unlink()
    report_extra(values)


def child_floor(src: str, tables_pickle: str, out: str) -> None:
    """The floor: the Usage sheet read alone with the fastest reader available (fastexcel, into
    Arrow arrays), and the generated sheets written alone from rows computed beforehand. Times
    each part."""
    import fastexcel

    from msp_workbook.workbook.write.writer import write_tables

    with open(tables_pickle, "rb") as f:
        generated = pickle.load(f)
    started = time.perf_counter()
    batch = fastexcel.read_excel(src).load_sheet(schema.USAGE.sheet, eager=True)
    read_s = time.perf_counter() - started
    count = batch.num_rows + 1  # with the header row
    del batch
    started = time.perf_counter()
    write_tables(Path(src), Path(out), generated["tables"], side_columns=generated["side_columns"])
    write_s = time.perf_counter() - started
    report_extra({"read_usage_s": read_s, "write_generated_s": write_s, "usage_rows": count - 1})


def child_openpyxl(src: str, out: str) -> None:
    """openpyxl's load-and-save of the whole workbook."""
    started = time.perf_counter()
    import openpyxl

    imported = time.perf_counter()
    book = openpyxl.load_workbook(src)
    loaded = time.perf_counter()
    book.save(out)
    saved = time.perf_counter()
    report_extra(
        {"import_s": imported - started, "load_s": loaded - imported, "save_s": saved - loaded}
    )


def child_openpyxl_import(src: str, report: str, out: str) -> None:
    """The same import done with openpyxl: load the workbook, append the report's readings
    under the Usage table (Source as import-usage writes it), grow the table, save."""
    import csv

    import openpyxl

    started = time.perf_counter()
    book = openpyxl.load_workbook(src)
    loaded = time.perf_counter()
    ws = book[schema.USAGE.sheet]
    table = ws.tables[schema.USAGE.name]
    first, last = table.ref.split(":")
    last_row = int("".join(c for c in last if c.isdigit()))
    column = "".join(c for c in last if c.isalpha())
    name = Path(report).name
    digest = hashlib.sha256(Path(report).read_bytes()).hexdigest()[:12]
    with open(report, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))[1:]
    for line, (day, key, metric, quantity) in enumerate(rows, start=2):
        d, m, y = (int(x) for x in day.split("."))
        last_row += 1
        ws.cell(last_row, 1, datetime(y, m, d)).number_format = "yyyy-mm-dd"
        ws.cell(last_row, 2, key)
        ws.cell(last_row, 3, metric)
        ws.cell(last_row, 4, int(quantity.replace(".", "")))
        ws.cell(last_row, 5, f"{name}#{digest}:{line}")
    table.ref = f"{first}:{column}{last_row}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref
    appended = time.perf_counter()
    book.save(out)
    saved = time.perf_counter()
    report_extra(
        {"load_s": loaded - started, "append_s": appended - loaded, "save_s": saved - appended}
    )


def child_weasyprint(src: str, month: str, sample: str, outdir: str) -> None:
    """The invoice documents' peer: WeasyPrint rendering the month's first `sample` invoices."""
    from .weasyprint_peer import render_sample

    report_extra(render_sample(src, month, int(sample), outdir))


def child_correction_months(path: str, value: str) -> None:
    """Settings' Correction months set to `value` in the workbook at `path` without loading its
    sheets (openpyxl takes minutes and gigabytes at L): the setting's row is taken out of the
    Settings table (`writer.remove_rows`) and a row with the new value appended
    (`writer.append_rows`); every other part of the file is copied as it is. Checked by reading
    the Settings table back."""
    from msp_workbook.workbook.reader import open_tables
    from msp_workbook.workbook.validation.settings import read_settings
    from msp_workbook.workbook.write.writer import append_rows, remove_rows

    book, name, wanted = Path(path), schema.SETTING_CORRECTION_MONTHS, int(value)
    raw, _ = open_tables(book, (schema.SETTINGS,))
    rows = [
        r.row
        for r in raw[schema.SETTINGS.name].rows
        if str(r.values.get("Setting") or "").strip().lower() == name.lower()
    ]
    if rows:
        remove_rows(book, book, {schema.SETTINGS.name: rows})
    append_rows(book, book, schema.SETTINGS.name, [{"Setting": name, "Value": wanted}])
    raw, _ = open_tables(book, (schema.SETTINGS,))
    settings, _ = read_settings(raw[schema.SETTINGS.name])
    if settings.correction_months != wanted:
        raise SystemExit(f"{name} reads {settings.correction_months} after the edit, not {wanted}")
    report_extra({"replaced_rows": rows})


def child_main(argv: Sequence[str]) -> None:
    """Run the child command `argv[0]` with the arguments `argv[1:]`."""
    command, *args = argv
    {
        "prepare": child_prepare,
        "floor": child_floor,
        "openpyxl": child_openpyxl,
        "openpyxl-import": child_openpyxl_import,
        "weasyprint": child_weasyprint,
        "correction-months": child_correction_months,
    }[command](*args)
