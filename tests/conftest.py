"""Shared test fixtures: workbooks on disk built from the template with given input rows."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from msp_workbook.workbook import schema
from msp_workbook.workbook.schema import Kind
from msp_workbook.workbook.template.builder import build_workbook

REPO = Path(__file__).resolve().parents[1]
# The worked examples of the product contract, beside the checkout; a copy is kept in
# tests/examples so that a checkout anywhere runs the tests (test_examples_copy_is_current
# fails when the copy is behind the contract's).
SHARED_EXAMPLES = REPO.parent / "shared" / "examples"
VENDORED_EXAMPLES = REPO / "tests" / "examples"
EXAMPLES = SHARED_EXAMPLES if SHARED_EXAMPLES.is_dir() else VENDORED_EXAMPLES

Rows = list[dict[str, object]]


def typed(column: schema.Column, text: str) -> object:
    """A CSV cell as the value a user would have typed into that column."""
    if text == "":
        return None
    if column.kind is Kind.WHOLE:
        return int(text)
    if column.kind in (Kind.MONEY, Kind.PERCENT):
        return Decimal(text)
    if column.kind is Kind.DATE:
        return date.fromisoformat(text)
    return text


def load_example(name: str = "basic") -> dict[str, Rows]:
    """The input tables of a worked example in shared/examples, typed like a user's cells."""
    folder = EXAMPLES / name
    assert folder.is_dir(), f"worked example not found: {folder}"
    data: dict[str, Rows] = {}
    for table in schema.INPUT_TABLES:
        with open(folder / f"{table.name}.csv", encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        data[table.name] = [
            {c.header: typed(c, row.get(c.header, "")) for c in table.columns} for row in rows
        ]
    for row in data[schema.SETTINGS.name]:
        if row["Setting"] == schema.SETTING_VAT_RATE:
            row["Value"] = Decimal(str(row["Value"]))
    return data


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def example_data() -> dict[str, Rows]:
    return load_example("basic")


@pytest.fixture
def make_workbook(tmp_path: Path) -> Callable[..., Path]:
    """make_workbook(data, name=...) -> a workbook on disk from the template with these rows."""

    def make(data: dict[str, Rows] | None = None, name: str = "book.xlsx") -> Path:
        path = tmp_path / name
        build_workbook(path, data)
        return path

    return make


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line, as a user runs it."""
    script = Path(sys.executable).with_name("msp-workbook")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "msp_workbook.cli"]
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


# The demo workbook as built on this day bills 2026-10 (its Settings say so).
DEMO_TODAY = date(2026, 11, 15)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo reseller's workbook billed for 2026-10, built once; tests copy or edit it into
    files of their own and never write it."""
    from msp_workbook.app.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    build_demo(path, today=DEMO_TODAY)
    return path
