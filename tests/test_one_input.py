"""One read serves every entry point of the engine: what the command line's read gives
(`read_workbook`: validated inputs, the usage index, the Ledger) billed through each public
entry point is exactly what `recalc` wrote into the file. And nothing can stand in for the
readings: inputs whose readings the reader aggregated elsewhere refuse to make an index.

The workbook is the demo with its September closed (a Ledger to correct and compare against)
and late readings for September added after the close, so October carries corrections; the
file is written by the real command line and read back with calamine."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import DEMO_TODAY, run_cli
from workbook_tables import table_rows

from msp_workbook.app.compute import compute
from msp_workbook.app.demo import build_demo
from msp_workbook.app.generated import generated_tables
from msp_workbook.core.billing import bill_month
from msp_workbook.core.months import Month
from msp_workbook.core.usage import UsageIndex
from msp_workbook.engine import ENGINE, PLAIN
from msp_workbook.workbook import schema
from msp_workbook.workbook.read import read_workbook

MONTH = Month(2026, 10)


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, September closed, then October recalculated by the command line."""
    path = tmp_path_factory.mktemp("one-input") / "demo.xlsx"
    build_demo(path, today=DEMO_TODAY)
    assert run_cli("close", str(path), "--month", "2026-09").returncode == 0
    keys = [k for k in table_rows(path, "Keys") if k["Product ID"] == "KC-MSP"]
    late = tmp_path_factory.mktemp("late") / "late.csv"
    late.write_text(
        "Date,License key,Metric,Quantity\n"
        + "".join(f"2026-09-28,{k['License key']},mailboxes,99\n" for k in keys[:3]),
        encoding="utf-8",
    )
    imported = run_cli("import-usage", str(path), str(late))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    done = run_cli("recalc", str(path), "--month", str(MONTH))
    assert done.returncode == 0, done.stderr
    return path


def _cell(value: object) -> object:
    """A cell as calamine gives it back, for comparing with what the program computed."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return round(float(value), 6)
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value
    return str(value)


def _written(path: Path, name: str) -> list[list[object]]:
    headers = schema.table_by_name(name).headers
    return [[_cell(row[h]) for h in headers] for row in table_rows(path, name)]


def test_compute_from_the_command_lines_read_gives_what_recalc_wrote(recalculated):
    read = read_workbook(recalculated, month=MONTH)
    generated = generated_tables(compute(read, MONTH))
    for spec in schema.RECALC_TABLES:
        computed = [[_cell(v) for v in row] for row in generated.tables[spec.name]]
        assert computed == _written(recalculated, spec.name), spec.name
    assert any(row[schema.BILLING.headers.index(schema.COL_TYPE)] == "correction"
               for row in _written(recalculated, schema.BILLING.name))  # fmt: skip


def test_each_entry_point_of_the_engine_gives_the_same_bill(recalculated):
    read = read_workbook(recalculated, month=MONTH)
    usage = read.usage_index()
    report = compute(read, MONTH)
    rows, precomputed = ENGINE.comparison_window(read, MONTH, usage)
    assert rows == list(report.comparison)
    billed = ENGINE.bill_open_month(read.inputs, MONTH, read.ledger, usage, precomputed)
    assert billed == report.result
    # Without what the window worked out, and with the plain rules only: the same bill.
    assert ENGINE.bill_open_month(read.inputs, MONTH, read.ledger, usage) == report.result
    assert PLAIN.bill_open_month(read.inputs, MONTH, read.ledger, usage) == report.result
    assert PLAIN.comparison_window(read, MONTH, usage)[0] == rows
    # The core's month bill is the same lines less the corrections of closed months.
    own = bill_month(read.inputs, MONTH, usage)
    assert list(own.lines) == [line for line in report.result.lines if line.type != "correction"]
    assert len(own.lines) < len(report.result.lines)


def test_inputs_read_in_bulk_refuse_to_stand_in_for_the_readings(recalculated):
    """`inputs.usage` is empty after the bulk read: an index made from it would bill every key
    as estimated, so it is refused, and the read's own index holds the readings."""
    read = read_workbook(recalculated, month=MONTH)
    assert read.inputs.usage == ()
    with pytest.raises(ValueError, match="use ReadResult.usage_index"):
        UsageIndex.of_inputs(read.inputs)
    copy = recalculated.with_name("plain.xlsx")
    shutil.copy(recalculated, copy)
    plain = read_workbook(copy, bulk=False, month=MONTH)  # row by row, as the Excel face reads
    assert compute(plain, MONTH).result == compute(read, MONTH).result
