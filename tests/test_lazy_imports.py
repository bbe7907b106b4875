"""Imports inside functions are deliberate, and documented in one place: the section "Lazy
imports" of docs/architecture.md lists, per reason, the modules that hold them and what they
import. A new import inside a function fails here until it is listed there (or moved to the top
of its module). And what they are for holds: the command line's start and the Usage loader's
start load none of the heavy libraries, the Excel face none that Pyodide may lack."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from import_graph import Import, package_imports

import msp_workbook

PACKAGE = Path(msp_workbook.__file__).resolve().parent
DOC = REPO / "docs" / "architecture.md"
SECTION = "## Lazy imports"


def _rows(text: str) -> list[tuple[str, list[str], list[str]]]:
    """The section's table: per row its reason, where (modules) and what (modules, libraries)."""
    start = text.index(SECTION) + len(SECTION)
    end = text.find("\n## ", start)
    rows = []
    for line in text[start : None if end < 0 else end].splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("("):
            why, where, what = cells
            rows.append((why, re.findall(r"`([\w.]+)`", where), re.findall(r"`([\w.]+)`", what)))
    return rows


def _within(name: str, listed: str) -> bool:
    """A module is listed by its own name or by a package (or library) it is in; a module of
    the package is written without the `msp_workbook.` prefix."""
    return any(
        name == full or name.startswith(full + ".") for full in (f"msp_workbook.{listed}", listed)
    )


def _documented(found: Import, rows: list[tuple[str, list[str], list[str]]]) -> bool:
    return any(
        any(_within(found.source, w) for w in where) and any(_within(found.target, w) for w in what)
        for _, where, what in rows
    )


def _lazy() -> list[Import]:
    return [found for found in package_imports(PACKAGE, "msp_workbook") if found.in_function]


def test_every_import_inside_a_function_is_documented():
    rows = _rows(DOC.read_text(encoding="utf-8"))
    assert len(rows) >= 3
    missing = [
        f"{found.source}:{found.line} imports {found.target}"
        for found in _lazy()
        if not _documented(found, rows)
    ]
    assert not missing, (
        f'imports inside functions that the section "{SECTION}" of docs/architecture.md does not '
        "list (move them to the top of the module, or list them with their reason):\n"
        + "\n".join(missing)
    )


def test_every_module_the_section_lists_holds_such_an_import():
    """The list does not outlive the code: each module named under Where still imports one of
    its row's names inside a function."""
    lazy = _lazy()
    stale = [
        f"{why[:40]}...: {module}"
        for why, where, what in _rows(DOC.read_text(encoding="utf-8"))
        for module in where
        if not any(
            _within(found.source, module) and any(_within(found.target, w) for w in what)
            for found in lazy
        )
    ]
    assert not stale, "listed under Lazy imports without such an import:\n" + "\n".join(stale)


def test_an_undocumented_import_inside_a_function_is_found(tmp_path):
    root = tmp_path / "msp_workbook"
    root.mkdir()
    (root / "cli.py").write_text("def run():\n    from . import operations\n    import numpy\n")
    (root / "operations.py").write_text("")
    found = [f for f in package_imports(root, "msp_workbook") if f.in_function]
    rows = [("(a)", ["cli"], ["operations"])]
    assert [(f.target, _documented(f, rows)) for f in found] == [
        ("msp_workbook.operations", True),
        ("numpy", False),
    ]


HEAVY = ("pydantic", "numpy", "pyarrow", "fastexcel", "python_calamine", "typst", "saxonche")


def _loaded_by(module: str) -> set[str]:
    """The top-level names of the modules loaded by importing `module` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", f"import sys, {module}; print(sorted(sys.modules))"],
        capture_output=True, text=True, check=True, timeout=120, cwd=REPO,
    )  # fmt: skip
    return set(ast.literal_eval(done.stdout))


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        ("msp_workbook.cli", HEAVY),
        ("msp_workbook.workbook.early", ("pydantic",)),
        # The Excel face: nothing Pyodide may lack, nothing only the documents need.
        ("msp_workbook.excel", HEAVY[1:]),
    ],
)
def test_a_start_loads_none_of_the_heavy_libraries(module, absent):
    loaded = _loaded_by(module)
    assert module in loaded
    assert not {name for name in loaded if name.split(".")[0] in absent}


def test_the_excel_face_loads_no_file_writer():
    """Reason (d): the Excel face imports the services for their rules, not their file part."""
    loaded = _loaded_by("msp_workbook.excel")
    for module in ("workbook.write.writer", "workbook.template", "workbook.usage_columns", "demo"):
        assert f"msp_workbook.{module}" not in loaded, module
