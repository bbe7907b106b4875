"""The bulk Usage reader gives exactly what the row-by-row reader gives.

`read_workbook(path)` reads Usage column-wise (fastexcel + numpy); `read_workbook(path,
bulk=False)` reads it row by row into `UsageReading` records (the plain path). For every bad-input
case, odd cell types and random readings the two must agree: the same checks in the same order
and the same aggregated usage, hence the same billing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from bad_input_cases import CASES, with_change

from msp_workbook.app.compute import compute
from msp_workbook.core.months import Month
from msp_workbook.core.usage import UsageIndex
from msp_workbook.workbook.read import read_workbook

OCT = Month(2026, 10)


def assert_same_reading(path):
    bulk = read_workbook(path)
    plain = read_workbook(path, bulk=False)
    assert [str(c) for c in bulk.checks] == [str(c) for c in plain.checks]
    assert bulk.checks == plain.checks
    assert bulk.usage is not None and plain.usage is None
    assert bulk.usage_index() == plain.usage_index()
    for month in (OCT, Month(2026, 9)):
        assert compute(bulk, month) == compute(plain, month)
    return bulk


@pytest.mark.parametrize(
    ("table", "index", "column", "value"),
    [case[1:5] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_every_bad_input_case_reads_the_same_in_bulk(
    make_workbook, example_data, table, index, column, value
):
    assert_same_reading(make_workbook(with_change(example_data, table, index, column, value)))


def test_the_worked_example_reads_the_same_in_bulk(make_workbook, example_data):
    read = assert_same_reading(make_workbook(example_data))
    assert not read.errors
    # Usage row 4 (42 mailboxes on CCCC2) is the month's maximum.
    months, quantities = read.usage_index().history("K1111-AAAAA-BBBBB-CCCC2", "mailboxes")
    assert dict(zip(months, quantities, strict=True))[OCT.ordinal] == 42


def _set_usage_cells(path, cells):
    book = openpyxl.load_workbook(path)
    sheet = book["Usage"]
    for ref, value in cells.items():
        sheet[ref] = value
    book.save(path)


# Cells the bulk tests cannot vouch for: each must end as the row-by-row reader has it.
ODD_CELLS = {
    "date_with_a_time_of_day": {"A3": datetime(2026, 10, 7, 13, 30)},
    "date_as_a_whole_day_number": {"A3": 46302},
    "date_as_a_fractional_day_number": {"A3": 46302.5},
    "date_as_iso_text": {"A3": "2026-10-07"},
    "date_as_month_text": {"A3": "2026-10"},
    "date_as_true": {"A3": True},
    "date_before_march_1900": {"A3": date(1900, 1, 15)},
    "date_text_with_a_time": {"A3": "2026-10-07 00:00:00"},
    "quantity_true": {"D3": True},
    "quantity_with_plus_sign": {"D3": "+42"},
    "quantity_with_leading_zeros": {"D3": "0042"},
    "quantity_with_spaces": {"D3": " 43 "},
    "quantity_huge": {"D3": 10**15},
    "quantity_beyond_int64": {"D3": "123456789012345678901234"},
    "quantity_whitespace_only": {"D3": "   "},
    "key_in_lower_case_with_spaces": {"B3": "  k1111-aaaaa-bbbbb-cccc2 "},
    "metric_in_capitals": {"C3": "MAILBOXES"},
    "metric_as_a_number": {"C3": 7},
    "key_as_a_date": {"B3": date(2026, 10, 1)},
    "row_of_spaces_only": {"A3": " ", "B3": " ", "C3": " ", "D3": " "},
    "source_only": {"A3": None, "B3": None, "C3": None, "D3": None, "E3": "note"},
    "empty_row_in_the_middle": {"A3": None, "B3": None, "C3": None, "D3": None, "E3": None},
}


@pytest.mark.parametrize("cells", list(ODD_CELLS.values()), ids=list(ODD_CELLS))
def test_odd_usage_cells_read_the_same_in_bulk(make_workbook, example_data, cells):
    path = make_workbook(example_data)
    _set_usage_cells(path, cells)
    assert_same_reading(path)


def test_rows_below_the_table_read_the_same_in_bulk(make_workbook, example_data):
    path = make_workbook(example_data)
    below = {
        "A19": date(2026, 10, 30), "B19": "K2222-AAAAA-BBBBB-CCCC4", "C19": "mailboxes", "D19": 9,
        "A21": "30.10.2026", "B21": "K2222-AAAAA-BBBBB-CCCC4", "C21": "mailboxes", "D21": 9,
        "A22": " ", "E23": "only a source",
    }  # fmt: skip
    _set_usage_cells(path, below)
    read = assert_same_reading(path)
    warning = next(c for c in read.checks if "below the table" in c.message)
    assert (warning.cell, warning.message.split(" below")[0]) == ("A19", "3 rows")


def test_empty_usage_table_reads_as_no_usage(make_workbook, example_data):
    read = assert_same_reading(make_workbook({**example_data, "Usage": []}))
    assert read.usage_index() == UsageIndex.empty()


def _random_usage(
    rng: random.Random, keys: list[str], metrics: dict[str, list[str]], n: int, days: int = 395
):
    """n readings on random days of the `days` days up to 2026-11-30."""
    rows = []
    start = date(2026, 12, 1) - timedelta(days=days)
    for _ in range(n):
        key = rng.choice(keys)
        rows.append(
            {
                "Date": start + timedelta(days=rng.randrange(days)),
                "License key": key,
                "Metric": rng.choice(metrics[key]),
                "Quantity": rng.randrange(0, 60),
                "Source": rng.choice(["manual", "report", None]),
            }
        )
    return rows


def assert_random_readings_aggregate_the_same(
    make_workbook, example_data, seed: int, n: int, days: int
) -> None:
    """n random readings over `days` days, every product with a random aggregation (max, sum,
    last with equal dates, avg rounding up), read alike in bulk and by the reference."""
    rng = random.Random(seed)
    products = example_data["Products"]
    by_product: dict[str, list[str]] = {}
    for product in products:
        by_product.setdefault(product["Product ID"], []).append(product["Metric"])
    keys = {k["License key"]: by_product[k["Product ID"]] for k in example_data["Keys"]}
    data = dict(example_data)
    data["Products"] = [
        {**p, "Aggregation": rng.choice(["max", "sum", "avg", "last"])} for p in products
    ]
    data["Usage"] = _random_usage(rng, list(keys), keys, n, days)
    read = assert_same_reading(make_workbook(data))
    assert not read.errors


@pytest.mark.parametrize("seed", range(6))
def test_random_readings_aggregate_the_same_in_bulk(make_workbook, example_data, seed):
    """Every aggregation (max, sum, last with equal dates, avg rounding up) over random
    readings of a year, including several readings on the same day: 400 readings over some 13
    months fill a table of pairs x months, where the bulk reader aggregates them in place."""
    assert_random_readings_aggregate_the_same(make_workbook, example_data, seed, 400, 395)


@pytest.mark.parametrize("seed", range(3))
def test_random_readings_aggregate_the_same_when_sorted(make_workbook, example_data, seed):
    """Few readings over forty years (100 readings, some 480 months: a table of pairs x months
    far larger than the readings, as for a reseller who kept decades of sparse reports): the
    bulk reader aggregates by sorting the readings instead, and gives the same too."""
    assert_random_readings_aggregate_the_same(
        make_workbook, example_data, 100 + seed, 100, 40 * 365
    )
