"""The package's imports as a graph, read from the source with `ast` (nothing is imported).

Every import counts: at the top of a module, inside a function, under `if TYPE_CHECKING:` and
in a package's `__init__`. A relative import is resolved; `from . import x` imports the
submodule `x` when there is one, `from .mod import name` imports `mod`. Used by
`test_import_graph.py` (no cycle) and `test_lazy_imports.py` (every import inside a function is
a documented one).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Import:
    """One module importing another: `target` is a module of the package when it names one (its
    longest such prefix), else the imported name as written (`numpy`, `xlwings.utils`)."""

    source: str
    target: str
    line: int
    in_function: bool
    type_only: bool = False  # under `if TYPE_CHECKING:`, never run


def package_modules(root: Path, package: str) -> dict[str, Path]:
    """Every module of the package in the folder `root` by its dotted name (a package by its
    own name, for its `__init__.py`)."""
    modules: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_statements(tree: ast.AST) -> dict[ast.Import | ast.ImportFrom, tuple[bool, bool]]:
    """Each import statement of the tree: whether it sits inside a function, and whether under
    `if TYPE_CHECKING:`."""
    found: dict[ast.Import | ast.ImportFrom, tuple[bool, bool]] = {}

    def visit(node: ast.AST, in_function: bool, type_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found[child] = (in_function, type_only)
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            visit(child, inside, type_only or _is_type_checking(child))

    visit(tree, False, False)
    return found


def _named(name: str, modules: Mapping[str, Path]) -> str:
    """The package's module a dotted name is in (its longest prefix that is one), else the
    name itself (outside the package)."""
    probe = name
    while probe:
        if probe in modules:
            return probe
        probe = probe.rpartition(".")[0]
    return name


def imports_of(module: str, path: Path, modules: Mapping[str, Path]) -> Iterator[Import]:
    """Every import in one module's source."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node, (in_function, type_only) in _import_statements(tree).items():
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            assert isinstance(node, ast.ImportFrom)
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            names = [
                f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in modules else stem
                for alias in node.names
            ]
        for name in dict.fromkeys(names):
            target = _named(name, modules)
            if target != module:
                yield Import(module, target, node.lineno, in_function, type_only)


def package_imports(root: Path, package: str) -> list[Import]:
    """Every import of every module of the package."""
    modules = package_modules(root, package)
    return [found for name, path in modules.items() for found in imports_of(name, path, modules)]


def cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """The graph's strongly connected components of more than one node (each sorted, in the
    order of their first node): every set of modules that import each other, directly or round
    about. Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = len(index)
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(edges.get(succ, ())))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)
