"""No import cycle in the package, counting every import: at the top, inside functions, under
`if TYPE_CHECKING:` and in packages' `__init__`. Two modules that need each other are one concept
split wrongly (or a function living in the wrong one): move the function, do not hide the import
inside a function."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from conftest import REPO
from import_graph import Import, cycles, package_imports

import msp_workbook

PACKAGE = Path(msp_workbook.__file__).resolve().parent


def _graph(found: list[Import]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for edge in found:
        edges[edge.source].add(edge.target)
    return edges


def _described(cycle: list[str], found: list[Import]) -> str:
    """A cycle with the imports that make it, each with its line."""
    members = set(cycle)
    lines = [" <-> ".join(cycle)]
    for edge in sorted(found, key=lambda e: (e.source, e.line)):
        if edge.source in members and edge.target in members:
            where = "inside a function" if edge.in_function else "at the top"
            if edge.type_only:
                where = "under TYPE_CHECKING"
            lines.append(f"    {edge.source}:{edge.line} imports {edge.target} ({where})")
    return "\n".join(lines)


def test_the_package_has_no_import_cycle():
    found = [edge for edge in package_imports(PACKAGE, "msp_workbook") if edge.target]
    found = [edge for edge in found if edge.target.startswith("msp_workbook")]
    assert len({edge.source for edge in found}) > 50  # the package was read, not an empty folder
    loops = cycles(_graph(found))
    assert not loops, "import cycles:\n" + "\n".join(_described(c, found) for c in loops)


def test_the_cycle_finder_finds_a_cycle_and_nothing_else():
    edges = {
        "a": {"b"},
        "b": {"c", "d"},
        "c": {"a"},  # a -> b -> c -> a
        "d": {"e"},
        "e": {"d", "f"},  # d <-> e
        "f": set(),
        "g": {"a"},  # into a cycle, not on one
    }
    assert cycles(edges) == [["a", "b", "c"], ["d", "e"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_every_kind_of_import_is_an_edge(tmp_path):
    """Relative imports resolved, `from . import module` as that module, `from .module import
    name` as the module, imports inside functions, under TYPE_CHECKING and in `__init__`."""
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "from .sub import deep\n",
        "a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import b\n",
        "b.py": "def f():\n    from .sub.deep import name\n    import numpy\n",
        "sub/__init__.py": "",
        "sub/deep.py": "from .. import a\nfrom ..a import something\nimport pkg.b\n",
    }
    for name, text in files.items():
        (root / name).write_text(text)
    found = {(e.source, e.target, e.in_function, e.type_only) for e in package_imports(root, "pkg")}
    assert found == {
        ("pkg", "pkg.sub.deep", False, False),
        ("pkg.a", "typing", False, False),
        ("pkg.a", "pkg.b", False, True),
        ("pkg.b", "pkg.sub.deep", True, False),
        ("pkg.b", "numpy", True, False),
        ("pkg.sub.deep", "pkg.a", False, False),
        ("pkg.sub.deep", "pkg.b", False, False),
    }
    edges = _graph([e for e in package_imports(root, "pkg") if e.target.startswith("pkg")])
    assert cycles(edges) == [["pkg.a", "pkg.b", "pkg.sub.deep"]]


def test_the_package_is_read_where_it_is_imported_from():
    assert PACKAGE == REPO / "msp_workbook"
