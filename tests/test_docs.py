"""docs/architecture.md maps each rule of the contract to the function that holds it: every
module and function it names exists, so the map cannot drift from the code unnoticed."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
# `core/billable.py: in_period`, `period_months` -> module core/billable.py, names in_period, ...
_ENTRY = re.compile(r"`([a-z_/]+\.py): ([A-Za-z_.]+)`((?:, `[A-Za-z_.]+`)*)")


def named_functions() -> list[tuple[str, str]]:
    found = []
    for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines():
        for module, first, rest in _ENTRY.findall(line):
            names = [first, *re.findall(r"`([A-Za-z_.]+)`", rest)]
            found += [(module, name) for name in names]
    return found


def test_every_function_the_architecture_map_names_exists():
    entries = named_functions()
    assert len(entries) > 40, entries  # the map is read, not skipped
    missing = []
    for module, name in entries:
        dotted = "msp_workbook." + module.removesuffix(".py").replace("/", ".")
        target: object = importlib.import_module(dotted)
        for part in name.split("."):
            target = getattr(target, part, None)
        if target is None:
            missing.append(f"{module}: {name}")
    assert missing == []


def test_every_service_and_rule_module_is_on_the_map():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    rules = sorted(p.name for p in (ROOT / "msp_workbook" / "core").glob("*.py"))
    services = sorted(p.name for p in (ROOT / "msp_workbook" / "app").glob("*.py"))
    unmapped = [
        name
        for name in rules + services
        if name not in ("__init__.py", "models.py", "vocabulary.py", "progress.py", "demo_data.py")
        and name.removesuffix(".py") not in text
    ]
    assert unmapped == []
