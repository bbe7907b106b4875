"""Correctness: the generated sheets of a recalc output against the rows the library computed
in-process, and two outputs' generated sheets against each other."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from msp_workbook.workbook import schema

GENERATED = (schema.BILLING, schema.INVOICES, schema.COMPARISON, schema.CHECKS)


def _cell(value: Any) -> Any:
    """A cell value as python-calamine reads it back: numbers as floats, no cell as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return float(value)
    return value


def _sheets(path: Path, names: Sequence[str]) -> dict[str, list[list[Any]]]:
    import python_calamine as calamine

    book = calamine.CalamineWorkbook.from_path(str(path))
    try:
        return {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in names}
    finally:
        book.close()


def compare_with_expected(out: Path, expected: dict[str, Any]) -> dict[str, str]:
    """Each generated table of the recalc output against the rows the library computed."""
    grids = _sheets(out, [t.sheet for t in GENERATED])
    result = {}
    for table in GENERATED:
        rows = expected["tables"][table.name]
        side = expected["side_columns"].get(table.name)
        width = len(table.headers)
        grid = [row for row in grids[table.sheet] if any(v != "" for v in row)]
        problem = ""
        if not grid or [str(v) for v in grid[0][:width]] != list(table.headers):
            problem = "headers differ"
        elif len(grid) - 1 != len(rows):
            problem = f"{len(grid) - 1} rows written, {len(rows)} computed"
        else:
            for i, (got, want) in enumerate(zip(grid[1:], rows, strict=True)):
                want_cells = [_cell(v) for v in want]
                if side is not None and i < len(side[1]):  # a side block may be shorter
                    want_cells += [""] + [_cell(v) for v in side[1][i]]
                got_cells = list(got[: len(want_cells)])
                got_cells += [""] * (len(want_cells) - len(got_cells))
                if got_cells != want_cells:
                    problem = f"row {i + 2} differs: {got_cells} != {want_cells}"
                    break
        result[table.name] = problem or f"equal ({len(rows)} rows)"
    return result


def compare_outputs(
    first: Path, second: Path, tables: Sequence[schema.Table] = GENERATED
) -> dict[str, str]:
    """The generated sheets of two output workbooks, cell by cell."""
    names = [t.sheet for t in tables]
    a, b = _sheets(first, names), _sheets(second, names)
    return {n: f"equal ({len(a[n]) - 1} rows)" if a[n] == b[n] else "differ" for n in names}


def all_equal(results: dict[str, str]) -> bool:
    """Whether every comparison found its tables equal."""
    return all(v.startswith("equal") for v in results.values())
