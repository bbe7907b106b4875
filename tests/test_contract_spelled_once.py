"""The contract spelled once: no module but the schema spells a column header (and the core's
rules neither a header nor a Settings row's name: the words they name are `core.vocabulary`'s,
which the schema takes too), and each vocabulary is defined in one place, the others taking it
from there.

A header counts only as a whole string literal: a message that names a column inside a longer
sentence ("Customer ID is empty ...") or an f-string's text is free to; docstrings are prose.
"""

from __future__ import annotations

import ast
import importlib
from decimal import Decimal
from pathlib import Path
from typing import get_args

import pytest

from msp_workbook.core import models, vocabulary
from msp_workbook.core.fast import usage as fast_usage
from msp_workbook.workbook import schema

PACKAGE = Path(__file__).resolve().parents[1] / "msp_workbook"
SCHEMA = PACKAGE / "workbook" / "schema"
VOCABULARY = PACKAGE / "core" / "vocabulary.py"
HEADERS = {c.header for t in schema.ALL_TABLES for c in t.columns}
SETTING_NAMES = {s.name for s in schema.SETTINGS_SPEC}
# The core's words for the columns and Settings rows its rules name (to point a finding at a
# cell, as an import profile's field).
CORE_COLUMNS = {n: v for n, v in vars(vocabulary).items() if n.endswith("_COLUMN")}
CORE_SETTINGS = {n: v for n, v in vars(vocabulary).items() if n.endswith("_SETTING")}

# Folders whose words are not the workbook's columns.
EXCLUDED_FOLDERS = {
    # The invoice document: its words in two languages (wording.py: "Quantity", "Net", "VAT"
    # on the printed invoice) and the e-invoice's codes (cii.py: "VAT" is the UN/CEFACT tax
    # scheme), which happen to equal headers.
    "documents",
}

# Whole literals equal to a header that are not the column, or not yet taken from the schema.
ALLOWED: dict[str, set[str]] = {
    # An OOXML relationship's Type attribute.
    "workbook/package/opc.py": {"Type"},
    # The labels of Start's status block, a contract of their own, defined once there.
    "workbook/status_block.py": {"Net", "VAT", "Gross"},
    # The header of the Start sheet's list of sheets.
    "workbook/template/start_sheet.py": {"Sheet"},
    # The Quote sheet's result label and its chart's axis title.
    "workbook/template/quote_sheet.py": {"Difference"},
    "workbook/template/quote_chart.py": {"Month"},
}


def _modules() -> list[Path]:
    return sorted(
        p
        for p in PACKAGE.rglob("*.py")
        if p.relative_to(PACKAGE).parts[0] not in EXCLUDED_FOLDERS
        and SCHEMA not in p.parents
        and p != VOCABULARY
    )


def _words(name: str) -> set[str]:
    """The words a module must not spell: the headers; in the core, the Settings rows' names
    too (the workbook layer names a row by its schema.SETTING_..., where a few of these words are
    other things: Start's status block labels, the SEPA file's fields)."""
    return HEADERS | SETTING_NAMES if name.startswith("core/") else HEADERS


def header_literals(source: str, words: set[str] = HEADERS) -> list[tuple[int, str]]:
    """(line, text) of each string literal that is a whole header (or another of `words`): not
    a docstring, not a piece of an f-string."""
    tree = ast.parse(source)
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skipped.update(id(v) for v in node.values)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skipped.add(id(first.value))
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in words
        and id(node) not in skipped
    )


def test_the_scan_finds_a_header_and_passes_over_messages_and_docstrings() -> None:
    source = '''"""Date"""
def f(row, n):
    """License key"""
    return row["License key"], f"Date {n}", "Customer ID is empty", ("Quantity",)
'''
    assert header_literals(source) == [(4, "License key"), (4, "Quantity")]


def test_no_module_but_the_schema_spells_a_header() -> None:
    found = []
    for path in _modules():
        name = path.relative_to(PACKAGE).as_posix()
        allowed = ALLOWED.get(name, set())
        use = "core.vocabulary" if name.startswith("core/") else "schema.COL_..."
        found += [
            f"{name}:{line}: {text!r} (use {use})"
            for line, text in header_literals(path.read_text(encoding="utf-8"), _words(name))
            if text not in allowed
        ]
    assert found == []


def test_the_allowed_literals_are_still_there() -> None:
    """An exception nobody needs any more goes: the list stays short and true."""
    stale = []
    for name, allowed in ALLOWED.items():
        source = (PACKAGE / name).read_text("utf-8")
        texts = {text for _, text in header_literals(source, _words(name))}
        stale += [f"{name}: {text!r}" for text in sorted(allowed - texts)]
    assert stale == []


def test_every_header_is_one_constant_of_the_schema() -> None:
    constants = {
        name: value
        for name, value in vars(schema).items()
        if name.startswith("COL_") and isinstance(value, str)
    }
    assert len(set(constants.values())) == len(constants)  # one constant per header text
    annual = {schema.annual_header(t) for t in vocabulary.TERMS}
    assert set(constants.values()) == HEADERS - annual


def test_the_cores_words_are_columns_and_settings_rows_the_schema_takes() -> None:
    """Each `<HEADER>_COLUMN` of core.vocabulary is a header and each `<NAME>_SETTING` a Settings
    row; the schema's COL_... and SETTING_... of those words take them from there, spelling none
    of them again."""
    assert set(CORE_COLUMNS.values()) <= HEADERS
    assert set(CORE_SETTINGS.values()) <= SETTING_NAMES
    core_words = set(CORE_COLUMNS.values()) | set(CORE_SETTINGS.values())
    spelled = []
    for path in sorted(SCHEMA.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id.startswith(("COL_", "SETTING_"))
                and isinstance(node.value, ast.Constant)
                and node.value.value in core_words
            ):
                spelled.append(f"{path.name}:{node.lineno}: {node.targets[0].id}")
    assert spelled == []


@pytest.mark.parametrize(
    ("in_schema", "in_vocabulary"),
    [
        (schema.AGGREGATIONS, vocabulary.AGGREGATIONS),
        (schema.STATUSES, vocabulary.STATUSES),
        (schema.LINE_TYPES, vocabulary.LINE_TYPES),
        (schema.SEVERITIES, vocabulary.SEVERITIES),
        (schema.MISSING_USAGE, vocabulary.MISSING_USAGE),
        (schema.LANGUAGES, vocabulary.LANGUAGES),
        (schema.CHARTS_OF_ACCOUNTS, vocabulary.CHARTS_OF_ACCOUNTS),
        (schema.PAYMENT_METHODS, vocabulary.PAYMENT_METHODS),
        (schema.METRICS, vocabulary.METRICS),
        (schema.RECONCILIATION_STATUSES, vocabulary.RECONCILIATION_STATUSES),
        (fast_usage.AGGREGATIONS, vocabulary.AGGREGATIONS),
    ],
)
def test_each_vocabulary_is_the_cores(in_schema: object, in_vocabulary: object) -> None:
    assert in_schema is in_vocabulary


def test_the_models_literals_are_the_vocabulary() -> None:
    assert get_args(models.Aggregation) == vocabulary.AGGREGATIONS
    assert get_args(models.Severity) == vocabulary.SEVERITIES


def test_the_terms_make_the_comparison_columns_and_the_products_choices() -> None:
    headers = schema.COMPARISON.headers
    at = headers.index(schema.COL_MSP_COST) + 1
    assert headers[at : at + len(vocabulary.TERMS)] == tuple(
        schema.annual_header(t) for t in vocabulary.TERMS
    )
    assert schema.PRODUCTS.column(schema.COL_AGGREGATION).choices is vocabulary.AGGREGATIONS
    assert vocabulary.TERMS_TEXT == "1, 2, 3, 4 or 5"  # as the messages have always said


def test_the_settings_defaults_are_the_vocabularys() -> None:
    spec = {s.name: s.default for s in schema.SETTINGS_SPEC}
    settings = models.Settings()
    pairs = [
        (schema.SETTING_COUNTRY, vocabulary.DEFAULT_COUNTRY, settings.country),
        (schema.SETTING_CURRENCY, vocabulary.DEFAULT_CURRENCY, settings.currency),
        (schema.SETTING_INVOICE_PREFIX, vocabulary.DEFAULT_INVOICE_PREFIX, settings.invoice_prefix),
        (
            schema.SETTING_CORRECTION_MONTHS,
            vocabulary.DEFAULT_CORRECTION_MONTHS,
            settings.correction_months,
        ),
        (schema.SETTING_PAYMENT_DAYS, vocabulary.DEFAULT_PAYMENT_DAYS, settings.payment_days),
        (
            schema.SETTING_FISCAL_YEAR_START,
            vocabulary.DEFAULT_FISCAL_YEAR_START,
            settings.fiscal_year_start,
        ),
        (schema.SETTING_MISSING_USAGE, vocabulary.MISSING_USAGE[0], settings.missing_usage),
        (schema.SETTING_LANGUAGE, vocabulary.LANGUAGES[0], settings.language),
        (schema.SETTING_CHART, vocabulary.CHARTS_OF_ACCOUNTS[0], settings.chart_of_accounts),
    ]
    for name, default, billed in pairs:
        assert spec[name] == default == billed, name
    assert Decimal(str(spec[schema.SETTING_VAT_RATE])) == settings.vat_rate
    assert settings.vat_rate == Decimal(vocabulary.DEFAULT_VAT_RATE)


def test_a_row_is_made_by_header_and_refuses_a_wrong_one() -> None:
    values = {h: h.lower() for h in schema.DEBITORS.headers}
    assert schema.DEBITORS.row(values) == [h.lower() for h in schema.DEBITORS.headers]
    with pytest.raises(KeyError, match="left out"):
        schema.DEBITORS.row({schema.COL_CUSTOMER_ID: "C-1", schema.COL_DEBITOR: 10000})
    wrong = {schema.COL_CUSTOMER_ID: "C-1", schema.COL_DEBITOR: 10000, "month": "2026-01"}
    with pytest.raises(KeyError, match="not columns"):
        schema.DEBITORS.row(wrong)


def _defined(path: Path) -> list[str]:
    """The names a module defines at its top level (assigned, a function, a class)."""
    names: list[str] = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            elements = target.elts if isinstance(target, ast.Tuple) else [target]
            names += [e.id for e in elements if isinstance(e, ast.Name)]
    return names


def test_the_schema_is_one_namespace_of_its_parts() -> None:
    """Every public name a part of the schema package defines is the package's own, the same
    object, and in its `__all__`: callers write `schema.NAME` whichever part defines it."""
    parts = sorted(p for p in SCHEMA.glob("*.py") if p.name != "__init__.py")
    assert len(parts) > 5  # the parts were found
    left_out = []
    for path in parts:
        part = importlib.import_module(f"{schema.__name__}.{path.stem}")
        for name in _defined(path):
            if name.startswith("_"):
                continue
            if getattr(schema, name, None) is not getattr(part, name) or name not in schema.__all__:
                left_out.append(f"{path.stem}.{name}")
    assert left_out == []
    assert len(set(schema.__all__)) == len(schema.__all__)
    assert [name for name in schema.__all__ if not hasattr(schema, name)] == []
