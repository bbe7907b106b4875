"""Modules stay one concept of a few hundred lines: none of the program's, nor the benchmark's,
grows past LIMIT lines. A module that needs more holds two concepts: split it by concept (see
docs/architecture.md), do not raise the limit.

Lines that only name what a module imports or exports (its import statements and `__all__`) do
not count: the schema package's `__init__` lists every name of the contract's parts, one a line,
and is no concept of its own."""

from __future__ import annotations

import ast

from conftest import REPO

LIMIT = 400
FOLDERS = ("msp_workbook", "scripts")


def counted_lines(source: str) -> int:
    """The module's lines, less those of its top-level imports and `__all__`."""
    tree = ast.parse(source)
    listing = 0
    for node in tree.body:
        names_only = isinstance(node, ast.Import | ast.ImportFrom) or (
            isinstance(node, ast.Assign | ast.AnnAssign)
            and any(
                isinstance(t, ast.Name) and t.id == "__all__"
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
            )
        )
        if names_only and node.end_lineno is not None:
            listing += node.end_lineno - node.lineno + 1
    return len(source.splitlines()) - listing


def test_no_module_is_longer_than_the_limit() -> None:
    sizes = {
        str(path.relative_to(REPO)): counted_lines(path.read_text(encoding="utf-8"))
        for folder in FOLDERS
        for path in sorted((REPO / folder).rglob("*.py"))
    }
    assert len(sizes) > 150  # the scan found the package
    too_long = {name: lines for name, lines in sizes.items() if lines > LIMIT}
    assert too_long == {}


def test_only_imports_and_all_go_uncounted() -> None:
    source = "\n".join(
        [
            "from a import (",
            "    b,",
            "    c,",
            ")",
            "import d",
            "__all__ = [",
            '    "b",',
            "]",
            "x = 1",
            "def f():",
            "    import e",
            "    return e",
        ]
    )
    assert counted_lines(source) == 4  # x = 1 and f, its import included
