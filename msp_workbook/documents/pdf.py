"""An invoice document as a PDF/A-3 a person reads, carrying its e-invoice as `factur-x.xml`.

typst lays out `invoice.typ` as PDF/A-3b with the fonts it carries (Libertinus Serif, the same
on every machine) and attaches the XML with the relationship Alternative. pikepdf then adds the
Factur-X / ZUGFeRD XMP metadata (the `fx:` properties and their PDF/A extension schema), which
typst cannot write, as an incremental update of typst's file. typst derives the file's ID from
the content and takes the time from the issue date: the same document gives the same bytes.
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ..core.invoice_document import InvoiceDocument
from . import wording

TEMPLATE = "invoice.typ"
ATTACHMENT = "factur-x.xml"
FACTURX_NS = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
CONFORMANCE_LEVEL = "EN 16931"

_FX_PROPERTIES = (
    ("DocumentFileName", "The name of the embedded XML document"),
    ("DocumentType", "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"),
    ("Version", "The actual version of the standard applying to the embedded XML document"),
    ("ConformanceLevel", "The conformance level of the embedded XML document"),
)
_FX_SCHEMA = (
    '<rdf:li rdf:parseType="Resource">'
    "<pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>"
    f"<pdfaSchema:namespaceURI>{FACTURX_NS}</pdfaSchema:namespaceURI>"
    "<pdfaSchema:prefix>fx</pdfaSchema:prefix>"
    "<pdfaSchema:property><rdf:Seq>"
    + "".join(
        '<rdf:li rdf:parseType="Resource">'
        f"<pdfaProperty:name>{name}</pdfaProperty:name>"
        "<pdfaProperty:valueType>Text</pdfaProperty:valueType>"
        "<pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{text}</pdfaProperty:description>"
        "</rdf:li>"
        for name, text in _FX_PROPERTIES
    )
    + "</rdf:Seq></pdfaSchema:property></rdf:li>"
)
_FX_VALUES = (
    f'<rdf:Description rdf:about="" xmlns:fx="{FACTURX_NS}">'
    "<fx:DocumentType>INVOICE</fx:DocumentType>"
    f"<fx:DocumentFileName>{ATTACHMENT}</fx:DocumentFileName>"
    "<fx:Version>1.0</fx:Version>"
    f"<fx:ConformanceLevel>{CONFORMANCE_LEVEL}</fx:ConformanceLevel>"
    "</rdf:Description>"
)


class PdfError(RuntimeError):
    """The PDF could not be made as it must be (a defect of ours, never of the input)."""


def facturx_xmp(xmp: bytes) -> bytes:
    """typst's XMP packet with the Factur-X properties and their extension schema added."""
    text = xmp.decode("utf-8")
    bag_end = "</rdf:Bag></pdfaExtension:schemas>"
    rdf_end = "</rdf:RDF>"
    if text.count(bag_end) != 1 or text.count(rdf_end) != 1:
        raise PdfError("the PDF's XMP metadata is not as expected: cannot add the Factur-X data")
    text = text.replace(bag_end, _FX_SCHEMA + bag_end).replace(rdf_end, _FX_VALUES + rdf_end)
    return text.encode("utf-8")


def layout_data(doc: InvoiceDocument) -> dict[str, Any]:
    """Every text and figure of the page, written the way the document's language writes it."""
    lang = doc.language
    words = wording.LABELS[lang]
    cur = doc.currency

    def money(amount: Any, decimals: int = 2) -> str:
        return wording.money(amount, cur, lang, decimals)

    credit = doc.is_credit_note
    kind = words["credit_note" if credit else "invoice"]
    seller = doc.seller
    tax = []
    if seller.vat_id and doc.vat_category != "O":
        tax.append(f"{words['vat_id']} {seller.vat_id}")
    if seller.tax_number:
        tax.append(f"{words['tax_number']} {seller.tax_number}")
    buyer = [doc.buyer.name, doc.buyer.street, f"{doc.buyer.postcode} {doc.buyer.city}".strip()]
    if doc.buyer.country != seller.country:
        buyer.append(doc.buyer.country)
    meta = [
        (words["credit_number" if credit else "number"], doc.number),
        (words["credit_date" if credit else "issue_date"], wording.day(doc.issue_date, lang)),
        (words["period"], wording.period(doc.period_start, doc.period_end, lang)),
        (words["customer_id"], doc.customer_id),
    ]
    if doc.buyer_reference != doc.customer_id:
        meta.append((words["buyer_reference"], doc.buyer_reference))
    if doc.vat_category == "AE":
        meta.append((words["your_vat_id"], doc.buyer.vat_id))
    if not credit:
        meta.append((words["due_date"], wording.day(doc.due_date, lang)))
    lines = []
    for line in doc.lines:
        note = (
            words["correction"].format(month=wording.month_name(line.corrects, lang))
            if (line.corrects is not None)
            else ""
        )
        lines.append(
            {
                "pos": str(line.number),
                "item": f"{line.product} – {line.metric}",
                "key": line.license_key,
                "note": note,
                "quantity": wording.number(line.quantity, lang),
                "price": money(line.unit_price, wording.price_decimals(line.unit_price)),
                "discount": wording.percent(line.discount, lang) if line.discount else "",
                "net": money(line.net),
            }
        )
    totals = [(words["net_total"], money(doc.net))]
    notes = []
    if doc.vat_category == "S":
        totals.append((f"{words['vat']} {wording.percent(doc.vat_rate, lang)}", money(doc.vat)))
    else:
        key = "reverse_charge" if doc.vat_category == "AE" else "not_taxable"
        totals.append((f"{words['vat']} ({words[key]})", money(doc.vat)))
        notes.append(words[f"{key}_note"])
    totals.append((words["credit_total" if credit else "gross"], money(doc.gross)))
    if credit:
        notes.append(words["refund"].format(amount=money(-doc.gross)))
    elif doc.direct_debit is not None:
        debit = doc.direct_debit
        notes.append(
            words["debit"].format(
                amount=money(doc.gross),
                due=wording.day(doc.due_date, lang),
                iban=_spaced(debit.debtor_iban, NO_BREAK),
                mandate=debit.mandate_id,
                creditor=debit.creditor_id,
            )
        )
    elif doc.gross > 0:
        notes.append(
            words["pay"].format(
                amount=money(doc.gross),
                due=wording.day(doc.due_date, lang),
                number=doc.number,
                iban=_spaced(doc.iban, NO_BREAK),
                bic=f" (BIC {doc.bic})" if doc.bic else "",
            )
        )
    notes.append(words["e_invoice"])
    notes.append(words["thanks"])
    return {
        "language": lang,
        "title": f"{kind} {doc.number}",
        "date": [doc.issue_date.year, doc.issue_date.month, doc.issue_date.day],
        "labels": words,
        "heading": f"{kind} {doc.number}",
        "intro": words["monthly"].format(period=wording.month_name(doc.month, lang)),
        "seller": {
            "name": seller.name,
            "street": seller.street,
            "place": f"{seller.postcode} {seller.city}".strip(),
            "contact": seller.contact,
            "phone": seller.phone,
            "email": seller.email,
            "iban": _spaced(doc.iban),
            "bic": doc.bic,
            "tax": tax,
        },
        "buyer": [b for b in buyer if b],
        "meta": meta,
        "columns": [
            words["pos"],
            words["item"],
            words["quantity"],
            words["unit_price"],
            words["discount"],
            words["net"],
        ],
        "lines": lines,
        "totals": totals,
        "notes": notes,
    }


NO_BREAK = "\u00a0"  # an IBAN in a sentence stays on one line


def _spaced(iban: str, space: str = " ") -> str:
    """The IBAN in groups of four, as it is printed."""
    return space.join(iban[i : i + 4] for i in range(0, len(iban), 4))


class Renderer:
    """Makes PDFs; holds one typst compiler (its fonts and template loaded once)."""

    def __init__(self) -> None:
        import typst  # noqa: PLC0415 - only the documents need it

        template = Path(__file__).with_name(TEMPLATE)
        self._compiler = typst.Compiler(template, ignore_system_fonts=True)

    def render(self, doc: InvoiceDocument, attachment: bytes) -> bytes:
        """The PDF/A-3 of `doc` with `attachment` as its factur-x.xml."""
        data = layout_data(doc)
        data["attachment"] = attachment.decode("utf-8")
        stamp = date_timestamp(doc.issue_date)
        pdf = self._compiler.compile(
            sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
            pdf_standards=["a-3b"],
            timestamp=stamp,
        )
        if not isinstance(pdf, bytes):
            raise PdfError("typst made no single PDF")
        return with_facturx_metadata(pdf)


def date_timestamp(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


# The end of the file typst writes: its trailer dictionary and where its cross-reference table is.
_TAIL = re.compile(rb"trailer\s*(<<.*>>)\s*startxref\s+(\d+)\s*%%EOF\s*\Z", re.DOTALL)


def with_facturx_metadata(pdf: bytes) -> bytes:
    """`pdf` with the Factur-X XMP, appended as an incremental update (ISO 32000-1 7.5.6, which
    PDF/A allows): typst's bytes stay as they are, followed by a new revision of the Catalog's
    Metadata stream, a cross-reference section for it alone and a trailer pointing back (/Prev)
    with typst's own /ID. pikepdf reads where the Metadata is; rewriting the whole file with it
    cost 5 ms a document (most of the time after typst's), the update none."""
    import pikepdf  # noqa: PLC0415

    with pikepdf.open(io.BytesIO(pdf)) as document:
        metadata = document.Root.Metadata
        number, generation = metadata.objgen
        xmp = facturx_xmp(metadata.read_bytes())
        if number == 0 or metadata.get("/Filter") is not None:
            raise PdfError("the PDF's XMP metadata is not a plain indirect stream")
    tail = _TAIL.search(pdf)
    if tail is None or b"/Prev" in tail[1] or b"/Encrypt" in tail[1]:
        raise PdfError("the PDF does not end with one plain trailer: cannot add the Factur-X data")
    trailer, previous_xref = tail[1], tail[2]
    body = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    stream = (
        b"%d %d obj\n<</Type/Metadata/Subtype/XML/Length %d>>\nstream\n"
        % (number, generation, len(xmp))
        + xmp
        + b"\nendstream\nendobj\n"
    )
    xref_at = len(body) + len(stream)
    xref = b"xref\n%d 1\n%010d %05d n\r\n" % (number, len(body), generation)
    trailer = trailer[:-2] + b"/Prev " + previous_xref + b">>"
    return body + stream + xref + b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref_at
