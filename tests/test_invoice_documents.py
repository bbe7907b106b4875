"""`msp-workbook invoices`: the invoice documents of a closed month (SPEC section 6).

The demo workbook's 2026-10 is closed and its documents written by the real command line, once
for the module; every XRechnung and every embedded factur-x.xml is checked with the tests' own
checker (`einvoice_check`: the official XSD and Schematron rules run by Saxon here, not by the
product's `documents.rules`), and every figure is compared with the workbook's Ledger, Invoices,
Customers and Settings as openpyxl reads them. Random resellers (hypothesis) go through the real
path from core records to files. Invoices broken on purpose must fail the named rule in both
checkers, so that a checker that checks nothing is caught.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pikepdf
import pytest
from conftest import run_cli
from einvoice_check import NS, Checker, checker, rules_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from xlsx_edits import edited, set_cell, sheet_part, text_cell

from msp_workbook.app.invoice_documents import Made, Maker
from msp_workbook.core.invoice_document import invoice_document
from msp_workbook.core.invoices import is_reverse_charge, make_invoice
from msp_workbook.core.lines import make_line
from msp_workbook.core.models import BillingLine, Customer, Invoice, Product, Settings
from msp_workbook.core.months import Month

OCT = "2026-10"
XRECHNUNG_ID = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
EN16931_ID = "urn:cen.eu:en16931:2017"
FX = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
# The member states of the EU (ISO 3166), written out here rather than taken from the product.
EU = frozenset(
    ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU")
    + ("IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK")
)
REVERSE_CHARGE = {"de": "Steuerschuldnerschaft des Leistungsempfängers", "en": "Reverse charge"}
CENT = Decimal("0.01")


# --- Reading documents and workbooks -------------------------------------------------------------


def money(value: object) -> Decimal:
    """A cell's or an XML element's amount, to the cent."""
    return Decimal(str(value)).quantize(CENT)


def one(root: etree._Element, path: str) -> str:
    found = root.xpath(path, namespaces=NS)
    assert len(found) == 1, f"{path}: {len(found)} found"
    node = found[0]
    return node if isinstance(node, str) else (node.text or "")


def day(root: etree._Element, path: str) -> date:
    return datetime.strptime(one(root, f"{path}/udt:DateTimeString"), "%Y%m%d").date()


def embedded_xml(pdf: bytes | Path) -> bytes:
    """The PDF's factur-x.xml, as pikepdf finds it among the embedded files."""
    with pikepdf.open(pdf if isinstance(pdf, Path) else io.BytesIO(pdf)) as document:
        return document.attachments["factur-x.xml"].get_file().read_bytes()


def canonical_with_id(xml: bytes, specification: str) -> bytes:
    """The XML with BT-24 set to `specification`, canonicalised (C14N) for comparison."""
    root = etree.fromstring(xml)
    guideline = root.xpath(
        "//rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
        namespaces=NS,
    )
    assert len(guideline) == 1
    guideline[0].text = specification
    return etree.tostring(root, method="c14n")


def pdf_text(pdf: bytes | Path, tmp: Path | None = None) -> str:
    """The PDF's text as pdftotext -layout reads it, runs of white space (and no-break spaces)
    made one space."""
    if isinstance(pdf, bytes):
        assert tmp is not None
        path = tmp / "document.pdf"
        path.write_bytes(pdf)
    else:
        path = pdf
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
    )
    return " ".join(result.stdout.decode("utf-8").split())


def table_rows(book: openpyxl.Workbook, sheet: str) -> list[dict[str, Any]]:
    ws = book[sheet]
    cells = [[c.value for c in row] for row in ws[ws.tables[sheet].ref]]
    return [dict(zip(cells[0], row, strict=True)) for row in cells[1:]]


def german(amount: Decimal) -> str:
    """`1.234,56 €` (with a plain space: the page text is read with spaces made one)."""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = re.findall(r"\d{1,3}(?=(?:\d{3})*$)", whole)
    return f"{'-' if amount < 0 else ''}{'.'.join(groups)},{cents} €"


def english(amount: Decimal) -> str:
    """`€1,234.56`."""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = re.findall(r"\d{1,3}(?=(?:\d{3})*$)", whole)
    return f"{'-' if amount < 0 else ''}€{','.join(groups)}.{cents}"


def german_day(value: date) -> str:
    return f"{value.day:02d}.{value.month:02d}.{value.year}"


def english_day(value: date) -> str:
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{value.day} {months[value.month - 1]} {value.year}"


def test_the_tests_own_formats():
    assert german(Decimal("1234567.5")) == "1.234.567,50 €"
    assert german(Decimal("-0.5")) == "-0,50 €"
    assert english(Decimal("1234.56")) == "€1,234.56"
    assert english(Decimal("-999.999")) == "-€1,000.00"
    assert german_day(date(2026, 12, 1)) == "01.12.2026"
    assert english_day(date(2026, 12, 1)) == "1 Dec 2026"


# --- The demo's October, closed and issued by the real command line ------------------------------


@dataclass(frozen=True)
class Issued:
    path: Path
    folder: Path
    run: subprocess.CompletedProcess[str]
    invoices: dict[str, dict[str, Any]]  # the Invoices rows of 2026-10, by invoice number
    lines: dict[str, list[dict[str, Any]]]  # the Ledger rows of 2026-10, by invoice number
    customers: dict[str, dict[str, Any]]  # Customers rows by Customer ID
    customer_rows: dict[str, int]  # the sheet row of each customer
    settings: dict[str, Any]  # Setting -> Value
    setting_rows: dict[str, int]  # the sheet row of each setting

    def number_of(self, customer_id: str) -> str:
        (number,) = [n for n, row in self.invoices.items() if row["Customer ID"] == customer_id]
        return number

    def xml(self, number: str) -> bytes:
        return (self.folder / f"{number}.xml").read_bytes()

    def pdf(self, number: str) -> Path:
        return self.folder / f"{number}.pdf"

    def finalized(self, number: str) -> date:
        (stamp,) = {row["Finalized"] for row in self.lines[number]}
        return stamp.date()


@pytest.fixture(scope="module")
def issued(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Issued:
    path = tmp_path_factory.mktemp("issued") / "MSP_Billing.xlsx"
    shutil.copy(demo, path)
    for args in (("close", str(path), "--month", OCT), ("recalc", str(path), "--month", OCT)):
        done = run_cli(*args)
        assert done.returncode == 0, done.stdout + done.stderr
    run = run_cli("invoices", str(path), "--month", OCT)
    book = openpyxl.load_workbook(path, data_only=True)
    invoices = {r["Invoice"]: r for r in table_rows(book, "Invoices") if r["Month"] == OCT}
    lines: dict[str, list[dict[str, Any]]] = {}
    for row in table_rows(book, "Ledger"):
        if row["Month"] == OCT:
            lines.setdefault(row["Invoice"], []).append(row)
    customers = table_rows(book, "Customers")
    setting_rows = table_rows(book, "Settings")
    return Issued(
        path=path,
        folder=path.parent / "invoices" / OCT,
        run=run,
        invoices=invoices,
        lines=lines,
        customers={r["Customer ID"]: r for r in customers},
        customer_rows={r["Customer ID"]: n for n, r in enumerate(customers, start=2)},
        settings={r["Setting"]: r["Value"] for r in setting_rows},
        setting_rows={r["Setting"]: n for n, r in enumerate(setting_rows, start=2)},
    )


@pytest.fixture(scope="module")
def check() -> Checker:
    return checker()


def test_every_invoice_of_the_closed_month_gets_an_xml_and_a_pdf_beside_the_workbook(issued):
    assert issued.run.returncode == 0, issued.run.stdout + issued.run.stderr
    count = len(issued.lines)
    assert count == len(issued.invoices) == 29  # the demo's October: 29 customers billed
    assert issued.run.stdout.splitlines() == [
        f"Invoice documents for {OCT} in {issued.folder}: {count} written, 0 not written, "
        f"of {count} invoices",
        "0 errors",
    ]
    expected = {f"{number}.{ext}" for number in issued.lines for ext in ("xml", "pdf")}
    assert {p.name for p in issued.folder.iterdir()} == expected  # and no partial files


def test_every_xrechnung_passes_the_xsd_and_the_en16931_and_xrechnung_rules(issued, check):
    failures = {n: [str(f) for f in check.xrechnung(issued.xml(n))] for n in issued.invoices}
    assert failures == {n: [] for n in issued.invoices}
    for number in issued.invoices:
        root = etree.fromstring(issued.xml(number))
        assert one(root, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == (
            XRECHNUNG_ID
        )


def test_every_pdf_carries_the_same_invoice_as_factur_x_en16931_xml(issued, check):
    failures = {}
    for number in issued.invoices:
        embedded = embedded_xml(issued.pdf(number))
        failures[number] = [str(f) for f in check.facturx(embedded)]
        root = etree.fromstring(embedded)
        assert one(root, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == EN16931_ID
        # The same invoice: equal to the XRechnung but for the specification identifier.
        assert canonical_with_id(embedded, XRECHNUNG_ID) == canonical_with_id(
            issued.xml(number), XRECHNUNG_ID
        )
        assert embedded != issued.xml(number)
    assert failures == {n: [] for n in issued.invoices}


def test_the_totals_are_the_invoices_rows_to_the_cent(issued):
    for number, row in issued.invoices.items():
        root = etree.fromstring(issued.xml(number))
        total = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
        line_nets = root.xpath(
            "//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount/text()",
            namespaces=NS,
        )
        net, vat, gross = money(row["Net"]), money(row["VAT"]), money(row["Gross"])
        assert sum(money(t) for t in line_nets) == net, number
        assert len(line_nets) == row["Lines"], number
        assert money(one(root, f"{total}LineTotalAmount")) == net, number
        assert money(one(root, f"{total}TaxBasisTotalAmount")) == net, number
        assert money(one(root, f"{total}TaxTotalAmount")) == vat, number
        assert one(root, f"{total}TaxTotalAmount/@currencyID") == issued.settings["Currency"]
        assert money(one(root, f"{total}GrandTotalAmount")) == gross, number
        assert money(one(root, f"{total}DuePayableAmount")) == gross, number
        breakdown = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:"
        assert money(one(root, f"{breakdown}BasisAmount")) == net, number
        assert money(one(root, f"{breakdown}CalculatedAmount")) == vat, number


def test_each_billing_line_of_the_ledger_is_one_invoice_line(issued):
    for number, rows in issued.lines.items():
        root = etree.fromstring(issued.xml(number))
        items = root.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
        assert len(items) == len(rows), number
        for position, (item, row) in enumerate(zip(items, rows, strict=True), start=1):
            assert one(item, "ram:AssociatedDocumentLineDocument/ram:LineID") == str(position)
            name = one(item, "ram:SpecifiedTradeProduct/ram:Name")
            assert row["Product"] in name and row["Metric"] in name, name
            assert row["License key"] in name, name
            assert one(item, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity") == str(
                row["Quantity"]
            )
            assert one(item, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode") == (
                "C62"
            )
            assert money(
                one(
                    item, ".//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"
                )
            ) == money(row["Net"])
            period = item.xpath(
                "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod", namespaces=NS
            )
            if row["Type"] == "correction":
                corrects = Month.parse(row["Corrects"])
                assert day(period[0], "ram:StartDateTime") == corrects.first_day
                assert day(period[0], "ram:EndDateTime") == corrects.last_day
                assert item.xpath(
                    "ram:AssociatedDocumentLineDocument/ram:IncludedNote", namespaces=NS
                )
            else:
                assert period == [], number


def expected_category(reverse_charge: bool, country: str) -> str:
    if not reverse_charge:
        return "S"
    return "AE" if country in EU else "O"


def test_the_header_follows_the_ledger_the_settings_and_the_customers(issued):
    s = issued.settings
    seen_categories, seen_payments = set(), set()
    for number, row in issued.invoices.items():
        root = etree.fromstring(issued.xml(number))
        customer = issued.customers[row["Customer ID"]]
        language = customer["Language"] or s["Language"]
        country = (customer["Country"] or s["Country"]).upper()
        reverse = {r["Reverse charge"] for r in issued.lines[number]} == {"yes"}
        assert (row["Reverse charge"] == "yes") == reverse
        category = expected_category(reverse, country)
        seen_categories.add(category)

        assert one(root, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID") == number
        assert one(root, "//rsm:ExchangedDocument/ram:TypeCode") == (
            "381" if money(row["Net"]) < 0 else "380"
        )
        issue = issued.finalized(number)
        assert day(root, "//rsm:ExchangedDocument/ram:IssueDateTime") == issue
        assert day(root, "//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime") == (
            issue + timedelta(days=int(s["Payment days"]))
        )
        period = "//ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod/ram:"
        # October, from the earliest month a correction line corrects (PEPPOL-EN16931-R110).
        corrected = [Month.parse(r["Corrects"]) for r in issued.lines[number] if r["Corrects"]]
        assert day(root, f"{period}StartDateTime") == min([Month(2026, 10), *corrected]).first_day
        assert day(root, f"{period}EndDateTime") == date(2026, 10, 31)
        assert one(root, "//ram:InvoiceCurrencyCode") == s["Currency"]
        assert one(root, "//ram:BuyerReference") == (
            customer["Buyer reference"] or row["Customer ID"]
        )

        seller = "//ram:SellerTradeParty/"
        assert one(root, f"{seller}ram:Name") == s["Reseller"]
        assert one(root, f"{seller}ram:PostalTradeAddress/ram:LineOne") == s["Street"]
        assert one(root, f"{seller}ram:PostalTradeAddress/ram:PostcodeCode") == str(s["Postcode"])
        assert one(root, f"{seller}ram:PostalTradeAddress/ram:CityName") == s["City"]
        assert one(root, f"{seller}ram:PostalTradeAddress/ram:CountryID") == s["Country"]
        assert one(root, f"{seller}ram:DefinedTradeContact/ram:PersonName") == s["Contact"]
        assert one(root, f"{seller}ram:URIUniversalCommunication/ram:URIID") == s["Email"]
        assert (
            one(root, f"{seller}ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']")
            == (s["Tax number"])
        )
        buyer = "//ram:BuyerTradeParty/"
        assert one(root, f"{buyer}ram:Name") == customer["Customer"] == row["Customer"]
        assert one(root, f"{buyer}ram:PostalTradeAddress/ram:LineOne") == customer["Street"]
        assert one(root, f"{buyer}ram:PostalTradeAddress/ram:PostcodeCode") == str(
            customer["Postcode"]
        )
        assert one(root, f"{buyer}ram:PostalTradeAddress/ram:CityName") == customer["City"]
        assert one(root, f"{buyer}ram:PostalTradeAddress/ram:CountryID") == country
        assert one(root, f"{buyer}ram:URIUniversalCommunication/ram:URIID") == customer["Email"]

        means = "//ram:SpecifiedTradeSettlementPaymentMeans/"
        if customer["Payment"] == "direct debit" and money(row["Gross"]) > 0:
            # SEPA direct debit (59): the debited account, the creditor ID and the mandate.
            seen_payments.add("59")
            assert one(root, f"{means}ram:TypeCode") == "59"
            assert (
                one(root, f"{means}ram:PayerPartyDebtorFinancialAccount/ram:IBANID")
                == (customer["Debtor IBAN"])
            )
            assert one(root, "//ram:CreditorReferenceID") == s["Creditor ID"]
            assert (
                one(root, "//ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID")
                == (customer["Mandate ID"])
            )
            assert root.xpath(f"{means}ram:PayeePartyCreditorFinancialAccount", namespaces=NS) == []
        else:
            seen_payments.add("58")
            assert one(root, f"{means}ram:TypeCode") == "58"
            assert (
                one(root, f"{means}ram:PayeePartyCreditorFinancialAccount/ram:IBANID")
                == (s["IBAN"])
            )

        tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:"
        categories = root.xpath("//ram:ApplicableTradeTax/ram:CategoryCode/text()", namespaces=NS)
        assert set(categories) == {category}, number
        assert len(categories) == len(issued.lines[number]) + 1  # every line and the breakdown
        vat_ids = root.xpath("//ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']", namespaces=NS)
        if category == "S":
            assert money(one(root, f"{tax}RateApplicablePercent")) == money(
                Decimal(str(s["VAT rate"])) * 100
            )
            assert root.xpath(f"{tax}ExemptionReasonCode", namespaces=NS) == []
            assert (
                one(root, f"{seller}ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']")
                == (s["VAT ID"])
            )
        elif category == "AE":
            assert one(root, f"{tax}ExemptionReasonCode") == "VATEX-EU-AE"
            assert one(root, f"{tax}ExemptionReason") == REVERSE_CHARGE[language]
            assert (
                one(root, f"{seller}ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']")
                == (s["VAT ID"])
            )
            assert (
                one(root, f"{buyer}ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']")
                == (customer["VAT ID"])
            )
        else:  # outside the EU: not subject to VAT, no VAT ID at all; the tax number is BT-29
            assert one(root, f"{tax}ExemptionReasonCode") == "VATEX-EU-O"
            assert vat_ids == []
            assert one(root, f"{seller}ram:ID") == s["Tax number"]
    # The demo covers every case: domestic, reverse charge in the EU and outside it; credit
    # transfer and direct debit.
    assert seen_categories == {"S", "AE", "O"}
    assert seen_payments == {"58", "59"}


# --- The page a person reads ---------------------------------------------------------------------


def test_a_german_invoice_shows_its_number_dates_and_amounts_the_german_way(issued):
    number = issued.number_of("C-0001")
    row, issue = issued.invoices[number], issued.finalized(number)
    text = pdf_text(issued.pdf(number))
    due = issue + timedelta(days=int(issued.settings["Payment days"]))
    for expected in (
        f"Rechnung {number}",
        f"Rechnungsnummer {number}",
        f"Rechnungsdatum {german_day(issue)}",
        "Leistungszeitraum 01.10.2026 – 31.10.2026",
        f"Fällig am {german_day(due)}",
        "Kundennummer C-0001",
        row["Customer"],
        f"Summe netto {german(money(row['Net']))}",
        german(money(row["VAT"])),
        f"Gesamtbetrag {german(money(row['Gross']))}",
        *(german(money(line["Net"])) for line in issued.lines[number]),
        *(line["License key"] for line in issued.lines[number]),
        f"USt-IdNr. {issued.settings['VAT ID']}",
        f"Steuernummer {issued.settings['Tax number']}",
    ):
        assert expected in text, expected
    assert "€" not in re.sub(r"\d €", "", text)  # every amount has its sign after it
    assert "Invoice" not in text and "Reverse charge" not in text


def test_a_german_reverse_charge_invoice_says_steuerschuldnerschaft(issued):
    number = issued.number_of("C-0024")  # Austria, with a VAT ID, German documents
    row = issued.invoices[number]
    text = pdf_text(issued.pdf(number))
    assert "Steuerschuldnerschaft des Leistungsempfängers" in text
    assert issued.customers["C-0024"]["VAT ID"] in text
    assert f"Gesamtbetrag {german(money(row['Gross']))}" in text
    assert german(Decimal(0)) in text  # no VAT


def test_an_english_invoice_says_invoice_and_reverse_charge_with_english_amounts(issued):
    customer = issued.customers["C-0028"]  # the Netherlands, Language en
    assert customer["Language"] == "en"
    number = issued.number_of("C-0028")
    row, issue = issued.invoices[number], issued.finalized(number)
    text = pdf_text(issued.pdf(number))
    for expected in (
        f"Invoice {number}",
        f"Invoice date {english_day(issue)}",
        "Service period 1 Oct 2026 – 31 Oct 2026",
        f"Net total {english(money(row['Net']))}",
        f"Total {english(money(row['Gross']))}",
        *(english(money(line["Net"])) for line in issued.lines[number]),
        "Reverse charge",
        customer["VAT ID"],
    ):
        assert expected in text, expected
    assert "Rechnung" not in text and "Steuerschuldnerschaft" not in text
    assert not re.search(r"\d,\d\d €", text)  # no amount written the German way


def test_an_invoice_outside_the_eu_is_not_subject_to_vat_and_shows_the_tax_number(issued):
    number = issued.number_of("C-0030")  # Switzerland, with a VAT ID, Language en
    text = pdf_text(issued.pdf(number))
    assert "Not subject to VAT" in text
    assert f"Tax number {issued.settings['Tax number']}" in text
    assert "Reverse charge" not in text


# --- PDF/A-3 with its Factur-X metadata ----------------------------------------------------------


def xmp_value(xmp: etree._Element, namespace: str, name: str) -> str | None:
    """A simple XMP property, written as an element or as an attribute of rdf:Description."""
    for description in xmp.iter(f"{{{RDF}}}Description"):
        if description.get(f"{{{namespace}}}{name}") is not None:
            return description.get(f"{{{namespace}}}{name}")
        found = description.find(f"{{{namespace}}}{name}")
        if found is not None:
            return found.text
    return None


def test_every_pdf_is_pdf_a_3b_with_the_factur_x_metadata_and_attachment(issued):
    for number in issued.invoices:
        path = issued.pdf(number)
        with pikepdf.open(path) as pdf:
            xmp = etree.fromstring(pdf.Root.Metadata.read_bytes())
            assert xmp_value(xmp, PDFAID, "part") == "3", number
            assert xmp_value(xmp, PDFAID, "conformance") == "B", number
            assert xmp_value(xmp, FX, "DocumentType") == "INVOICE"
            assert xmp_value(xmp, FX, "DocumentFileName") == "factur-x.xml"
            assert xmp_value(xmp, FX, "Version") == "1.0"
            assert xmp_value(xmp, FX, "ConformanceLevel") == "EN 16931"
            # PDF/A wants the fx: properties declared in an extension schema.
            (schema,) = [
                e.getparent() for e in xmp.iter(f"{{{PDFA_SCHEMA}}}namespaceURI") if e.text == FX
            ]
            assert schema.find(f"{{{PDFA_SCHEMA}}}prefix").text == "fx"
            declared = {e.text for e in schema.iter(f"{{{PDFA_PROPERTY}}}name")}
            assert declared == {"DocumentType", "DocumentFileName", "Version", "ConformanceLevel"}
            assert pdf.Root.OutputIntents[0].S == pikepdf.Name.GTS_PDFA1

            (spec,) = list(pdf.Root.AF)  # the document's associated file
            assert spec.AFRelationship == pikepdf.Name.Alternative
            assert str(spec.F) == str(spec.UF) == "factur-x.xml"
            assert spec.EF.F.Subtype == pikepdf.Name("/text/xml")
            attached = pdf.attachments["factur-x.xml"]
            assert attached.obj.objgen == spec.objgen  # the same file spec in /Names and /AF
            assert spec.EF.F.read_bytes() == attached.get_file().read_bytes()
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
        rows = fonts.stdout.splitlines()[2:]
        assert rows, number
        assert [r.split()[-5] for r in rows] == ["yes"] * len(rows), fonts.stdout  # emb


def test_every_pdf_is_typsts_file_plus_one_well_formed_metadata_update(issued):
    """The Factur-X XMP is appended as an incremental update (a new revision of the Metadata
    stream): qpdf finds no syntax problem, the file has two revisions, the last trailer points
    back to the first and keeps the file's ID, and the earlier revision still reads as a PDF."""
    for number in issued.invoices:
        data = issued.pdf(number).read_bytes()
        assert data.count(b"%%EOF") == 2, number
        assert data.endswith(b"%%EOF\n")
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert pdf.check_pdf_syntax() == [], number
            assert b"fx:DocumentType" in pdf.Root.Metadata.read_bytes()
            file_id = [bytes(part) for part in pdf.trailer.ID]
            pages = len(pdf.pages)
        first = data[: data.index(b"%%EOF") + len(b"%%EOF")] + b"\n"
        with pikepdf.open(io.BytesIO(first)) as earlier:  # typst's own file, as it wrote it
            assert b"fx:DocumentType" not in earlier.Root.Metadata.read_bytes()
            assert [bytes(part) for part in earlier.trailer.ID] == file_id
            assert len(earlier.pages) == pages
        last_trailer = data[data.rindex(b"trailer") :]
        assert b"/Prev " in last_trailer


# --- Runs: deterministic, never overwriting, only for closed months ------------------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_second_run_finds_the_same_bytes_and_reports_them_unchanged(issued):
    before = snapshot(issued.folder)
    again = run_cli("invoices", str(issued.path), "--month", OCT)
    assert again.returncode == 0, again.stdout
    count = len(issued.invoices)
    assert again.stdout.splitlines()[0] == (
        f"Invoice documents for {OCT} in {issued.folder}: 0 written, {count} unchanged, "
        f"0 not written, of {count} invoices"
    )
    assert snapshot(issued.folder) == before


def test_the_same_workbook_gives_byte_identical_files_in_another_run(issued, tmp_path):
    out = tmp_path / "again"
    result = run_cli("invoices", str(issued.path), "--month", OCT, "--out", str(out))
    assert result.returncode == 0, result.stdout
    assert snapshot(out) == snapshot(issued.folder)


def test_a_document_edited_on_disk_is_not_overwritten(issued, tmp_path):
    out = tmp_path / "issued"
    shutil.copytree(issued.folder, out)
    number = issued.number_of("C-0005")
    edited_pdf = (out / f"{number}.pdf").read_bytes() + b"%edited\n"
    (out / f"{number}.pdf").write_bytes(edited_pdf)
    result = run_cli("invoices", str(issued.path), "--month", OCT, "--out", str(out))
    assert result.returncode == 1
    count = len(issued.invoices)
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        f"Invoice documents for {OCT} in {out}: 0 written, {count - 1} unchanged, "
        f"1 not written, of {count} invoices",
        "1 error",
    ]
    assert lines[2].startswith(f"error: invoice {number}: {number}.pdf in {out} ")
    assert "not overwritten" in lines[2]
    assert (out / f"{number}.pdf").read_bytes() == edited_pdf
    assert (out / f"{number}.xml").read_bytes() == issued.xml(number)


def test_a_month_not_closed_exits_2_with_one_line(demo, tmp_path):
    path = tmp_path / "open.xlsx"
    shutil.copy(demo, path)
    result = run_cli("invoices", str(path), "--month", OCT)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"msp-workbook: {OCT} is not closed")
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n")
    assert not (tmp_path / "invoices").exists()


def test_a_workbook_that_cannot_be_read_exits_2_with_one_line(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a workbook")
    result = run_cli("invoices", str(path), "--month", OCT)
    assert result.returncode == 2
    assert result.stderr.startswith("msp-workbook: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


# --- What a document lacks: errors at their cells ------------------------------------------------


def with_cells(issued: Issued, tmp_path: Path, sheet: str, cells: dict[str, str | None]) -> Path:
    """A copy of the closed workbook (in a folder of its own) with cells emptied or retyped,
    edited in its XML as Excel stores the edit."""
    path = tmp_path / "MSP_Billing.xlsx"
    edits = [
        set_cell(ref, "") if value is None else text_cell(ref, value)
        for ref, value in cells.items()
    ]

    def edit(text: str) -> str:
        for one_edit in edits:
            text = one_edit(text)
        return text

    return edited(issued.path, path, {sheet_part(issued.path, sheet): edit})


def invoices_run(path: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    result = run_cli("invoices", str(path), "--month", OCT)
    return result, [line for line in result.stdout.splitlines() if line.startswith("error: ")]


@pytest.mark.parametrize("setting", ["Street", "IBAN", "Email", "Contact"])
def test_an_empty_seller_setting_is_an_error_at_its_cell_and_no_document_is_written(
    issued, tmp_path, setting
):
    cell = f"B{issued.setting_rows[setting]}"
    path = with_cells(issued, tmp_path, "Settings", {cell: None})
    result, errors = invoices_run(path)
    assert result.returncode == 1, result.stdout + result.stderr
    count = len(issued.invoices)
    assert result.stdout.splitlines()[:2] == [
        f"Invoice documents for {OCT} in {path.parent / 'invoices' / OCT}: 0 written, "
        f"{count} not written, of {count} invoices",
        "1 error",
    ]
    assert errors[0].startswith(f"error: Settings!{cell}: {setting} is empty"), errors
    assert not (tmp_path / "invoices").exists()


def test_an_iban_with_a_wrong_check_sum_is_an_error_at_its_cell(issued, tmp_path):
    cell = f"B{issued.setting_rows['IBAN']}"
    path = with_cells(issued, tmp_path, "Settings", {cell: "DE02120300000000202052"})
    result, errors = invoices_run(path)
    assert result.returncode == 1
    assert len(errors) == 1
    assert errors[0].startswith(f"error: Settings!{cell}: IBAN "), errors
    assert "DE02120300000000202052" in errors[0]
    assert not (tmp_path / "invoices").exists()


def test_a_customer_without_a_city_loses_its_documents_and_the_others_are_written(issued, tmp_path):
    cell = f"I{issued.customer_rows['C-0024']}"  # Customers' City column
    path = with_cells(issued, tmp_path, "Customers", {cell: None})
    number = issued.number_of("C-0024")
    result, errors = invoices_run(path)
    assert result.returncode == 1
    count = len(issued.invoices)
    assert f"{count - 1} written, 1 not written, of {count} invoices" in result.stdout
    assert len(errors) == 1
    assert errors[0].startswith(f"error: Customers!{cell}: City of customer C-0024 is empty")
    assert number in errors[0]
    folder = tmp_path / "invoices" / OCT
    assert {p.stem for p in folder.iterdir()} == set(issued.invoices) - {number}
    other = issued.number_of("C-0025")
    assert (folder / f"{other}.xml").read_bytes() == issued.xml(other)


def test_without_a_tax_number_only_the_invoice_outside_the_eu_is_not_written(issued, tmp_path):
    cell = f"B{issued.setting_rows['Tax number']}"
    path = with_cells(issued, tmp_path, "Settings", {cell: None})
    number = issued.number_of("C-0030")  # Switzerland: category O needs the tax number
    result, errors = invoices_run(path)
    assert result.returncode == 1
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"error: Settings!{cell}: Tax number is empty")
    assert number in errors[0]
    folder = tmp_path / "invoices" / OCT
    assert {p.stem for p in folder.iterdir()} == set(issued.invoices) - {number}


def test_a_seller_with_a_tax_number_and_no_vat_id_gets_its_domestic_invoices(issued, tmp_path):
    """SPEC 6: a document needs VAT ID or Tax number. Without the VAT ID only the
    reverse-charge invoices in the EU (they must show it) are not written."""
    cell = f"B{issued.setting_rows['VAT ID']}"
    path = with_cells(issued, tmp_path, "Settings", {cell: None})
    result, errors = invoices_run(path)
    assert result.returncode == 1
    reverse_eu = {issued.number_of(c) for c in ("C-0024", "C-0025", "C-0026", "C-0028", "C-0029")}
    assert len(errors) == len(reverse_eu), errors
    for error in errors:
        assert error.startswith(f"error: Settings!{cell}: VAT ID is empty"), error
    folder = tmp_path / "invoices" / OCT
    assert {p.stem for p in folder.iterdir()} == set(issued.invoices) - reverse_eu


def test_a_workbook_without_the_new_customers_columns_bills_and_names_the_columns_to_add(
    demo, tmp_path
):
    path = tmp_path / "old.xlsx"
    shutil.copy(demo, path)
    book = openpyxl.load_workbook(path)
    sheet = book["Customers"]
    table = sheet.tables["Customers"]
    headers = [c.name for c in table.tableColumns]
    first_new = headers.index("Street")
    assert headers[first_new:] == ["Street", "Postcode", "City", "Buyer reference", "Language"] + [
        "Debitor",
        "Payment",
        "Debtor IBAN",
        "Debtor BIC",
        "Mandate ID",
        "Mandate date",
    ]
    sheet.delete_cols(first_new + 1, len(headers) - first_new)
    last_row = table.ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    table.ref = f"A1:{openpyxl.utils.get_column_letter(first_new)}{last_row}"
    table.autoFilter.ref = table.ref
    table.tableColumns = table.tableColumns[:first_new]
    book.save(path)
    result = run_cli("recalc", str(path), "--month", OCT)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 0, result.stdout + result.stderr
    # The documents' gaps are warnings, and say which column to add.
    assert 'the Customers table has no "Street" column' in result.stdout
    closed = run_cli("close", str(path), "--month", OCT)
    assert closed.returncode == 0, closed.stdout + closed.stderr
    result, errors = invoices_run(path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert " 0 written, " in result.stdout.splitlines()[0]
    assert errors and all("the Customers table has no " in e for e in errors), errors
    assert 'has no "Street" column: add it' in errors[0]
    assert not (tmp_path / "invoices").exists()


def test_a_workbook_without_the_new_settings_rows_bills_and_names_the_rows_to_add(demo, tmp_path):
    path = tmp_path / "old.xlsx"
    shutil.copy(demo, path)
    book = openpyxl.load_workbook(path)
    sheet = book["Settings"]
    table = sheet.tables["Settings"]
    names = [row[0].value for row in sheet[table.ref]]
    first_new = names.index("Street")  # the header is row 1: Street is on row first_new + 1
    assert names[first_new:] == ["Street", "Postcode", "City", "VAT ID", "Tax number"] + [
        "Contact",
        "Phone",
        "Email",
        "IBAN",
        "BIC",
        "Payment days",
        "Language",
        "Creditor ID",
        "DATEV consultant",
        "DATEV client",
        "Chart of accounts",
        "Fiscal year start",
        "Revenue account",
        "Reverse charge account",
        "Non-EU account",
    ]
    sheet.delete_rows(first_new + 1, len(names) - first_new)
    table.ref = f"A1:B{first_new}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref
    book.save(path)
    result = run_cli("recalc", str(path), "--month", OCT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Street" not in result.stdout  # no seller address: no warnings about documents yet
    closed = run_cli("close", str(path), "--month", OCT)
    assert closed.returncode == 0, closed.stdout + closed.stderr
    result, errors = invoices_run(path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert errors[0].startswith("error: Settings: Street is empty"), errors
    assert 'Settings has no row "Street": add it' in errors[0]
    assert not (tmp_path / "invoices").exists()


def test_an_invoice_prefix_with_a_slash_does_not_crash_the_command(demo, tmp_path):
    """German invoice numbers are often written RE/2026/0001: the command must not fail on
    them (a file name of its own, or an error naming the invoice, but no traceback), and
    writes nothing outside its folder."""
    path = tmp_path / "MSP_Billing.xlsx"
    rows = [row[0] for row in openpyxl.load_workbook(demo)["Settings"].iter_rows(values_only=True)]
    prefix_row = rows.index("Invoice prefix") + 1
    edited(demo, path, {sheet_part(demo, "Settings"): text_cell(f"B{prefix_row}", "RE/")})
    closed = run_cli("close", str(path), "--month", OCT)
    assert closed.returncode == 0, closed.stdout + closed.stderr
    assert "RE/2026-0001" in closed.stdout
    result = run_cli("invoices", str(path), "--month", OCT)
    assert "Traceback" not in result.stderr, result.stderr[-600:]
    assert result.returncode == 0, result.stdout
    folder = tmp_path / "invoices" / OCT
    # The file name is the number with the slash as an underscore.
    assert (folder / "RE_2026-0001.xml").is_file() and (folder / "RE_2026-0001.pdf").is_file()
    numbers = {
        one(etree.fromstring(p.read_bytes()), "//rsm:ExchangedDocument/ram:ID")
        for p in folder.rglob("*.xml")
    }
    for n in range(1, 30):
        number = f"RE/2026-{n:04d}"
        assert number in numbers or f"invoice {number}" in result.stdout, number
    outside = [p for p in tmp_path.rglob("*") if p.suffix in (".xml", ".pdf", ".part")]
    assert all(folder in p.parents for p in outside), outside


# --- Broken on purpose: both checkers must name the rule -----------------------------------------


def _edit(xml: bytes, change) -> bytes:  # noqa: ANN001
    root = etree.fromstring(xml)
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _remove(path: str):  # noqa: ANN202
    def change(root: etree._Element) -> None:
        found = root.xpath(path, namespaces=NS)
        assert found, path
        for node in found:
            node.getparent().remove(node)

    return change


def _add_cent(path: str):  # noqa: ANN202
    def change(root: etree._Element) -> None:
        node = root.xpath(path, namespaces=NS)[0]
        node.text = str(Decimal(node.text) + CENT)

    return change


BROKEN = {
    "no buyer reference": ("C-0001", _remove("//ram:BuyerReference"), "BR-DE-15"),
    "a line net off by a cent": (
        "C-0001",
        _add_cent("(//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount)[1]"),
        "BR-CO-10",
    ),
    "the amount due off by a cent": ("C-0001", _add_cent("//ram:DuePayableAmount"), "BR-CO-16"),
    "no seller phone": (
        "C-0001",
        _remove(
            "//ram:SellerTradeParty/ram:DefinedTradeContact/ram:TelephoneUniversalCommunication"
        ),
        "BR-DE-6",
    ),
    "reverse charge without the buyer's VAT ID": (
        "C-0024",
        _remove("//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration"),
        "BR-AE-02",
    ),
    "an element the schema does not know": (
        "C-0001",
        lambda root: root.append(etree.Element(f"{{{NS['ram']}}}Unknown")),
        "XSD",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_invoice_fails_the_named_rule_in_both_checkers(issued, check, case):
    from msp_workbook.documents import rules

    customer, change, rule = BROKEN[case]
    valid = issued.xml(issued.number_of(customer))
    assert check.xrechnung(valid) == [] and rules.check(valid, xrechnung=True) == []
    broken = _edit(valid, change)
    assert rule in rules_of(check.xrechnung(broken))
    assert rule in {f.rule for f in rules.check(broken, xrechnung=True)}


def test_the_en16931_rules_alone_do_not_ask_for_a_buyer_reference(issued, check):
    """BR-DE-15 is XRechnung's own: the factur-x.xml without BT-10 still passes EN 16931 (so the
    XRechnung rules above did run)."""
    embedded = embedded_xml(issued.pdf(issued.number_of("C-0001")))
    assert (
        check.failures(
            _edit(embedded, _remove("//ram:BuyerReference")), "EN16931-CII-validation.xsl"
        )
        == []
    )


# --- Random resellers through the real path ------------------------------------------------------


@cache
def maker() -> Maker:
    return Maker()


VALID_IBANS = ["DE02120300000000202051", "AT611904300234573201", "NL91 ABNA 0417 1643 00"]
SELLERS = {"DE": ("DE136695976", "10117"), "AT": ("ATU23456784", "1010")}
EU_BUYERS = {
    "DE": "DE811234565",
    "AT": "ATU12345675",
    "NL": "NL812345678B01",
    "FR": "FR40303265045",
    "BE": "BE0403019261",
    "IT": "IT00743110157",
}
OUTSIDE_BUYERS = {"CH": "CHE-123.456.789 MWST", "GB": "GB980780684", "US": "EIN 12-3456789"}
PRODUCTS = [
    Product(
        product_id=f"P{n}",
        product=name,
        metric=metric,
        aggregation="max",
        cost_per_unit=price * Decimal("0.6"),
        price_per_unit=price,
        minimum_units=5,
    )
    for n, (name, metric, price) in enumerate(
        [
            ("GFI KerioConnect AI MSP", "mailboxes", Decimal("2.40")),
            ("GFI KerioControl AI MSP", "users", Decimal("1.85")),
            ("GFI LanGuard MSP", "scans", Decimal("0.0175")),
            ("GFI Archiver MSP", "mailboxes", Decimal("12.5")),
            ("GFI LanGuard MSP", "nodes", Decimal("0.95")),
            ("Managed Backup", "TB", Decimal("129.00")),
        ]
    )
]
# Words with what XML, typst and PDF text treat specially.
TEXT = (
    st.text(
        "abcdefghijklmnopqrstuvwxyzäöüßÄÖÜéçABCDEFGHIJKLMNOPQRSTUVWXYZ"
        "0123456789 &<>'\"#*_$@[]/-.,;:()",
        min_size=1,
        max_size=22,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: len(s) >= 2)
)


SCENARIOS = ("domestic", "eu reverse charge", "outside the eu", "no vat id")


@dataclass(frozen=True)
class Case:
    settings: Settings
    customer: Customer
    lines: list[BillingLine]
    invoice: Invoice
    finalized: date


@st.composite
def cases(
    draw: st.DrawFn, credit_note: bool | None = None, scenarios: tuple[str, ...] = SCENARIOS
) -> Case:
    seller_country = draw(st.sampled_from(sorted(SELLERS)))
    vat_id, postcode = SELLERS[seller_country]
    scenario = draw(st.sampled_from(scenarios))
    settings_ = Settings(
        reseller=draw(TEXT),
        country=seller_country,
        currency=draw(st.sampled_from(["EUR", "EUR", "USD", "CHF"])),
        vat_rate=draw(st.sampled_from([Decimal("0.19"), Decimal("0.07"), Decimal("0.2")])),
        street=draw(TEXT),
        postcode=postcode,
        city=draw(TEXT),
        vat_id=vat_id,
        tax_number=draw(st.sampled_from(["30/123/45678", "123/456/78901"]))
        if scenario == "outside the eu"
        else draw(st.sampled_from(["", "30/123/45678"])),
        contact=draw(TEXT),
        phone=draw(st.sampled_from(["+49 30 1234567", "0800 123", "+43 (1) 234 56-7"])),
        email="rechnung@seller.example",
        iban=draw(st.sampled_from(VALID_IBANS)),
        bic=draw(st.sampled_from(["", "BYLADEM1001", "ABNANL2A"])),
        payment_days=draw(st.integers(0, 60)),
        language=draw(st.sampled_from(["de", "en"])),
    )
    if scenario == "domestic":
        country, buyer_vat = (
            draw(st.sampled_from([seller_country, ""])),
            draw(
                st.sampled_from(["", EU_BUYERS["DE"] if seller_country == "DE" else "ATU12345675"])
            ),
        )
    elif scenario == "eu reverse charge":
        country = draw(st.sampled_from(sorted(set(EU_BUYERS) - {seller_country})))
        buyer_vat = EU_BUYERS[country]
    elif scenario == "outside the eu":
        country = draw(st.sampled_from(sorted(OUTSIDE_BUYERS)))
        buyer_vat = OUTSIDE_BUYERS[country]
    else:  # another country, no VAT ID: VAT is charged
        country = draw(st.sampled_from(["NL", "CH", "FR"]))
        buyer_vat = ""
    buyer_country = country or seller_country
    discount = draw(
        st.sampled_from([Decimal(0), Decimal("0.05"), Decimal("0.1"), Decimal("0.125")])
    )
    customer = Customer(
        customer_id=draw(st.from_regex(r"C-[0-9]{4}", fullmatch=True)),
        customer=draw(TEXT),
        email="buchhaltung@buyer.example",
        country=country,
        vat_id=buyer_vat,
        discount=discount,
        street=draw(TEXT),
        postcode=draw(st.from_regex(r"[0-9]{5}", fullmatch=True))
        if buyer_country == "DE"
        else draw(st.sampled_from(["1012 AB", "6020", "8001", "SW1A 1AA"])),
        city=draw(TEXT),
        buyer_reference=draw(st.sampled_from(["", "", "04011000-12345-03", "PO 4711"])),
        language=draw(st.sampled_from(["", "de", "en"])),
    )
    month = Month(draw(st.integers(2025, 2027)), draw(st.integers(1, 12)))
    credit = draw(st.booleans()) if credit_note is None else credit_note
    lines = []
    for _ in range(draw(st.integers(1, 14))):
        product = draw(st.sampled_from(PRODUCTS))
        kind = (
            "correction"
            if credit
            else draw(st.sampled_from(["usage", "usage", "minimum", "estimated", "correction"]))
        )
        if kind == "correction":
            quantity = draw(st.integers(-400, -1) if credit else st.integers(-400, 400))
            corrects = month.shift(-draw(st.integers(1, 3)))
            note = f"{corrects}: {draw(st.integers(0, 99))} statt {draw(st.integers(0, 99))}"
        else:
            quantity = draw(st.integers(0, 5000))
            corrects, note = None, draw(st.sampled_from(["", "carried forward"]))
        lines.append(
            make_line(
                month=month,
                customer=customer,
                license_key=draw(st.from_regex(r"[A-Z0-9]{5}-[A-Z0-9]{5}", fullmatch=True)),
                product=product,
                quantity=quantity,
                unit_price=product.price_per_unit,
                discount=draw(st.sampled_from([discount, Decimal("0.333")])),
                unit_cost=product.cost_per_unit,
                line_type=kind,
                corrects=corrects,
                note=note,
            )
        )
    reverse = is_reverse_charge(customer, settings_)
    invoice = make_invoice(
        month,
        f"INV-{month.year}-{draw(st.integers(1, 9999)):04d}",
        customer.customer,
        lines,
        Decimal(0) if reverse else settings_.vat_rate,
        reverse,
    )
    finalized = month.last_day + timedelta(days=draw(st.integers(1, 40)))
    return Case(settings_, customer, lines, invoice, finalized)


def made_and_checked(case: Case, check: Checker, tmp: Path) -> tuple[Made, etree._Element]:
    """The documents of a case through the real path, checked by the tests' own checker and
    compared with the case's records; returns them and the XRechnung's root."""
    doc = invoice_document(case.invoice, case.lines, case.settings, case.customer, case.finalized)
    made = maker().make(doc)
    assert made.problems == ()
    assert [str(f) for f in check.xrechnung(made.xml)] == []
    embedded = embedded_xml(made.pdf)
    assert [str(f) for f in check.facturx(embedded)] == []
    assert canonical_with_id(embedded, XRECHNUNG_ID) == canonical_with_id(made.xml, XRECHNUNG_ID)

    s, customer, invoice = case.settings, case.customer, case.invoice
    root = etree.fromstring(made.xml)
    assert one(root, "//rsm:ExchangedDocument/ram:ID") == invoice.invoice
    assert one(root, "//rsm:ExchangedDocument/ram:TypeCode") == (
        "381" if invoice.net < 0 else "380"
    )
    assert day(root, "//rsm:ExchangedDocument/ram:IssueDateTime") == case.finalized
    assert day(root, "//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime") == (
        case.finalized + timedelta(days=s.payment_days)
    )
    # The invoice period: the month, from the earliest month a correction line corrects (a
    # line's period lies within the invoice's: PEPPOL-EN16931-R110 of the XRechnung rules).
    corrected = [line.corrects for line in case.lines if line.corrects is not None]
    period = "//ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod/ram:"
    assert day(root, f"{period}StartDateTime") == min([invoice.month, *corrected]).first_day
    assert day(root, f"{period}EndDateTime") == invoice.month.last_day
    assert one(root, "//ram:InvoiceCurrencyCode") == s.currency
    assert one(root, "//ram:BuyerReference") == (customer.buyer_reference or customer.customer_id)

    items = root.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
    assert len(items) == len(case.lines)
    for item, line in zip(items, case.lines, strict=True):
        net = one(item, ".//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount")
        assert Decimal(net) == line.net
        assert Decimal(one(item, ".//ram:BilledQuantity")) == line.quantity
        name = one(item, "ram:SpecifiedTradeProduct/ram:Name")
        assert line.license_key in name and line.product in name and line.metric in name
        period_of_line = item.xpath(".//ram:BillingSpecifiedPeriod", namespaces=NS)
        if line.type == "correction":
            assert day(period_of_line[0], "ram:StartDateTime") == line.corrects.first_day
            assert day(period_of_line[0], "ram:EndDateTime") == line.corrects.last_day
            assert item.xpath(".//ram:IncludedNote/ram:Content", namespaces=NS)
        else:
            assert period_of_line == []
    total = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    line_nets = root.xpath(
        "//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount/text()",
        namespaces=NS,
    )
    assert sum(Decimal(n) for n in line_nets) == invoice.net
    assert Decimal(one(root, f"{total}LineTotalAmount")) == invoice.net
    assert Decimal(one(root, f"{total}TaxBasisTotalAmount")) == invoice.net
    assert Decimal(one(root, f"{total}TaxTotalAmount")) == invoice.vat
    assert Decimal(one(root, f"{total}GrandTotalAmount")) == invoice.gross
    assert Decimal(one(root, f"{total}DuePayableAmount")) == invoice.gross

    country = (customer.country or s.country).upper()
    category = expected_category(invoice.reverse_charge, country)
    assert set(root.xpath("//ram:CategoryCode/text()", namespaces=NS)) == {category}
    language = customer.language or s.language
    tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:"
    vat_ids = root.xpath("//ram:ID[@schemeID='VA']/text()", namespaces=NS)
    if category == "AE":
        assert one(root, f"{tax}ExemptionReasonCode") == "VATEX-EU-AE"
        assert one(root, f"{tax}ExemptionReason") == REVERSE_CHARGE[language]
        assert vat_ids == [s.vat_id, customer.vat_id]
    elif category == "O":
        assert one(root, f"{tax}ExemptionReasonCode") == "VATEX-EU-O"
        assert vat_ids == []
        assert one(root, "//ram:SellerTradeParty/ram:ID") == s.tax_number
        assert one(root, "//ram:SellerTradeParty//ram:ID[@schemeID='FC']") == s.tax_number
    else:
        assert Decimal(one(root, f"{tax}RateApplicablePercent")) == s.vat_rate * 100
        assert vat_ids[:1] == [s.vat_id]
    means = "//ram:SpecifiedTradeSettlementPaymentMeans/"
    assert one(root, f"{means}ram:TypeCode") == "58"
    assert one(root, f"{means}ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == (
        s.iban.replace(" ", "")
    )

    text = pdf_text(made.pdf, tmp)
    kind = {
        ("de", False): "Rechnung",
        ("de", True): "Rechnungskorrektur",  # not "Gutschrift": a self-billed invoice in German law
        ("en", False): "Invoice",
        ("en", True): "Credit note",
    }[(language, invoice.net < 0)]
    assert f"{kind} {invoice.invoice}" in text
    # Names compared without their spaces: pdftotext may join two short words ("0 3" -> "03")
    # where the glyphs' gap is narrow; what the page says is the same.
    squeezed = "".join(text.split())
    assert "".join(customer.customer.split()) in squeezed
    assert "".join(s.reseller.split()) in squeezed
    if s.currency == "EUR":
        amount = german if language == "de" else english
        assert amount(invoice.gross) in text, amount(invoice.gross)
    return made, root


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_random_resellers_documents_pass_every_rule_and_match_their_records(
    case, check, tmp_path_factory
):
    made_and_checked(case, check, tmp_path_factory.mktemp("case"))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(credit_note=True, scenarios=("domestic", "no vat id")))
def test_a_month_of_negative_corrections_is_a_credit_note_381(case, check, tmp_path_factory):
    """Type 381 with the Ledger's (negative) amounts."""
    assert case.invoice.net < 0
    _, root = made_and_checked(case, check, tmp_path_factory.mktemp("case"))
    assert one(root, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert Decimal(one(root, "//ram:DuePayableAmount")) == case.invoice.gross < 0


def a_large_invoice(language: str) -> Case:
    """480 x 2.572 = 1,234.56 and 12,000 x 0.0175 = 210.00: net 1,444.56, VAT 19 % 274.47
    (274.4664), gross 1,719.03; closed 1 Dec 2026 with 30 payment days."""
    seller = Settings(
        reseller="Muster IT GmbH",
        street="Friedrichstraße 123",
        postcode="10117",
        city="Berlin",
        vat_id="DE136695976",
        contact="Anna Schmidt",
        phone="+49 30 1234567",
        email="rechnung@muster-it.example",
        iban="DE02120300000000202051",
        payment_days=30,
        language=language,
    )
    customer = Customer(
        customer_id="C-0042",
        customer="Kunde GmbH",
        email="rechnung@kunde.example",
        country="DE",
        street="Weg 1",
        postcode="80331",
        city="München",
    )
    month = Month(2026, 11)
    lines = [
        make_line(
            month=month,
            customer=customer,
            license_key=key,
            product=PRODUCTS[0],
            quantity=quantity,
            unit_price=price,
            discount=Decimal(0),
            unit_cost=Decimal(1),
            line_type="usage",
        )
        for key, quantity, price in (
            ("KEY-1", 480, Decimal("2.572")),
            ("KEY-2", 12000, Decimal("0.0175")),
        )
    ]
    invoice = make_invoice(month, "INV-2026-0100", customer.customer, lines, Decimal("0.19"), False)
    assert (invoice.net, invoice.vat, invoice.gross) == (
        Decimal("1444.56"),
        Decimal("274.47"),
        Decimal("1719.03"),
    )
    return Case(seller, customer, lines, invoice, date(2026, 12, 1))


def test_german_thousands_decimals_and_dates_on_the_page(check, tmp_path):
    made, _ = made_and_checked(a_large_invoice("de"), check, tmp_path)
    text = pdf_text(made.pdf, tmp_path)
    for expected in (
        "1.234,56 €",
        "210,00 €",
        "Summe netto 1.444,56 €",
        "274,47 €",
        "Gesamtbetrag 1.719,03 €",
        "12.000",
        "0,0175 €",
        "2,572 €",
        "Rechnungsdatum 01.12.2026",
        "Leistungszeitraum 01.11.2026 – 30.11.2026",
        "Fällig am 31.12.2026",
    ):
        assert expected in text, expected


def test_english_thousands_decimals_and_dates_on_the_page(check, tmp_path):
    made, _ = made_and_checked(a_large_invoice("en"), check, tmp_path)
    text = pdf_text(made.pdf, tmp_path)
    for expected in (
        "€1,234.56",
        "€210.00",
        "Net total €1,444.56",
        "€274.47",
        "Total €1,719.03",
        "12,000",
        "€0.0175",
        "€2.572",
        "Invoice date 1 Dec 2026",
        "Due date 31 Dec 2026",
    ):
        assert expected in text, expected


def test_the_english_service_period_is_not_broken_across_lines(tmp_path):
    case = a_large_invoice("en")  # November 2026
    doc = invoice_document(case.invoice, case.lines, case.settings, case.customer, case.finalized)
    path = tmp_path / "invoice.pdf"
    path.write_bytes(maker().make(doc).pdf)
    lines = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert any(re.search(r"Service period\s+1 Nov 2026 – 30 Nov 2026$", line) for line in lines), (
        "\n".join(lines[:20])
    )


def reverse_charge_credit_note(country: str, vat_id: str) -> Case:
    """One correction of October in November, -5 x 2.40 = -12.00, to a customer who accounts
    for the VAT: net -12.00, VAT 0, gross -12.00."""
    seller = a_large_invoice("de").settings.model_copy(update={"tax_number": "30/123/45678"})
    customer = Customer(
        customer_id="C-0024",
        customer="Alpen IT e.U.",
        email="buchhaltung@alpen-it.example",
        country=country,
        vat_id=vat_id,
        street="Alpenstraße 14",
        postcode="6020",
        city="Innsbruck",
    )
    month = Month(2026, 11)
    lines = [
        make_line(
            month=month,
            customer=customer,
            license_key="7QC9D-FVEV3-BKLRT-2YXKS",
            product=PRODUCTS[0],
            quantity=-5,
            unit_price=Decimal("2.40"),
            discount=Decimal(0),
            unit_cost=Decimal("1.60"),
            line_type="correction",
            corrects=Month(2026, 10),
            note="2026-10: 20 statt 25",
        )
    ]
    assert is_reverse_charge(customer, seller)
    invoice = make_invoice(month, "INV-2026-0200", customer.customer, lines, Decimal(0), True)
    assert invoice.net == invoice.gross == Decimal("-12.00") and invoice.vat == 0
    return Case(seller, customer, lines, invoice, date(2026, 12, 1))


@pytest.mark.parametrize(
    ("country", "vat_id"), [("AT", "ATU12345675"), ("CH", "CHE-123.456.789 MWST")]
)
def test_a_reverse_charge_credit_note_has_vat_0(check, tmp_path, country, vat_id):
    case = reverse_charge_credit_note(country, vat_id)
    _, root = made_and_checked(case, check, tmp_path)
    assert one(root, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert one(root, "//ram:TaxTotalAmount") == "0.00"
