"""The peer of `msp-workbook invoices` in scripts/bench.py: the same invoices rendered with
WeasyPrint, the common Python choice for invoices (HTML and CSS -> PDF).

Each invoice's page is a simple HTML/CSS invoice built from the same texts and figures as ours
(`documents.pdf.layout_data`): seller header, buyer block and meta rows, the lines table, totals,
notes and a footer with the seller's contact, bank and tax numbers on every page. WeasyPrint
writes it as PDF/A-3b with the invoice's Factur-X XML attached (relationship Alternative), as our
PDF has. What it does not do that ours does: build and check the XML (the Factur-X XML it attaches
is built beforehand, outside the timing), write the XRechnung XML, or add the Factur-X XMP
properties.

Used by the benchmark as a child command (`bench.py --child weasyprint WORKBOOK MONTH SAMPLE
OUTDIR`), in one process; the rendering of each invoice is timed on its own (HTML built, laid
out, written as PDF/A-3b to a file), which is what the throughput is computed from. The peer
gets its best case: the CSS is parsed once, fonts are configured once, and what was read from the
workbook is frozen out of the garbage collector before rendering starts.
"""

from __future__ import annotations

import gc
import html
import statistics
import time
from pathlib import Path
from typing import Any

# A4 like ours; DejaVu Serif is a serif font fontconfig finds on Debian (ours carries its own).
CSS = """
@page {
  size: A4;
  margin: 2cm 2cm 3.6cm 2.2cm;
  @bottom-center { content: element(footer); width: 100%; vertical-align: top; }
}
html { font-family: "DejaVu Serif", serif; font-size: 10pt; }
footer { position: running(footer); font-size: 7.5pt; color: #5a5a5a; }
.columns { display: flex; gap: 8pt; border-top: 0.4pt solid #c8c8c8; padding-top: 3pt; }
.columns div { flex: 1; }
.page-number { text-align: right; }
.page-number .this::after { content: counter(page); }
.page-number .all::after { content: counter(pages); }
.top { display: flex; justify-content: space-between; align-items: flex-start; }
.seller-name { font-size: 17pt; font-weight: bold; }
.seller-address { text-align: right; font-size: 9pt; color: #5a5a5a; }
.parties { display: flex; justify-content: space-between; margin-top: 1.2cm; }
.sender { font-size: 7pt; color: #5a5a5a; margin-bottom: 2pt; }
table.meta { width: 7cm; border-collapse: collapse; }
table.meta td { white-space: nowrap; }
table.meta td { padding: 2.2pt 0; }
table.meta td:first-child { color: #5a5a5a; padding-right: 10pt; }
table.meta td:last-child { text-align: right; }
h1 { font-size: 15pt; margin: 1cm 0 2pt 0; }
table.lines { width: 100%; border-collapse: collapse; margin-top: 6pt; }
table.lines th { border-bottom: 0.7pt solid black; text-align: right; padding: 4.5pt 4pt; }
table.lines td { border-bottom: 0.3pt solid #c8c8c8; text-align: right; padding: 4.5pt 4pt;
                 vertical-align: top; }
table.lines th:nth-child(2), table.lines td:nth-child(2) { text-align: left; width: 100%; }
table.lines thead { display: table-header-group; }
.small { font-size: 8pt; color: #5a5a5a; }
.note { font-size: 8pt; font-style: italic; }
table.totals { width: 8.5cm; margin: 4pt 0 0 auto; border-collapse: collapse; }
table.totals td { padding: 3.5pt 4pt; }
table.totals td:last-child { text-align: right; }
table.totals tr.gross td { font-weight: bold; border-top: 0.7pt solid black; }
.notes { margin-top: 8pt; }
"""


def _e(value: object) -> str:
    return html.escape(str(value))


def invoice_html(data: dict[str, Any]) -> str:
    """The invoice page as HTML, from `layout_data(doc)`."""
    seller, labels = data["seller"], data["labels"]
    bic = f"<br>BIC {_e(seller['bic'])}" if seller["bic"] else ""
    tax = "".join(f"{_e(t)}<br>" for t in seller["tax"])
    meta = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in data["meta"])
    columns = "".join(f"<th>{_e(c)}</th>" for c in data["columns"])
    rows = []
    for line in data["lines"]:
        note = f'<br><span class="note">{_e(line["note"])}</span>' if line["note"] else ""
        rows.append(
            f"<tr><td>{_e(line['pos'])}</td><td>{_e(line['item'])}<br>"
            f'<span class="small">{_e(labels["license_key"])}: {_e(line["key"])}</span>{note}'
            f"</td><td>{_e(line['quantity'])}</td><td>{_e(line['price'])}</td>"
            f"<td>{_e(line['discount'])}</td><td>{_e(line['net'])}</td></tr>"
        )
    *sums, gross = data["totals"]
    totals = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in sums)
    totals += f'<tr class="gross"><td>{_e(gross[0])}</td><td>{_e(gross[1])}</td></tr>'
    notes = "".join(f"<p>{_e(n)}</p>" for n in data["notes"])
    return f"""<!DOCTYPE html>
<html lang="{_e(data["language"])}"><head><meta charset="utf-8"><title>{_e(data["title"])}</title>
<meta name="author" content="{_e(seller["name"])}">
</head><body>
<footer><div class="columns">
<div><b>{_e(seller["name"])}</b><br>{_e(seller["street"])}<br>{_e(seller["place"])}</div>
<div>{_e(seller["contact"])}<br>{_e(labels["phone"])}: {_e(seller["phone"])}<br>
{_e(labels["email"])}: {_e(seller["email"])}</div>
<div>{_e(labels["bank"])}<br>IBAN {_e(seller["iban"])}{bic}</div>
<div>{tax}</div></div>
<div class="page-number">{_e(labels["page"])} <span class="this"></span> {_e(labels["of"])}
<span class="all"></span></div>
</footer>
<div class="top"><div class="seller-name">{_e(seller["name"])}</div>
<div class="seller-address">{_e(seller["street"])}<br>{_e(seller["place"])}<br>
{_e(seller["email"])}</div></div>
<div class="parties"><div>
<div class="sender">{_e(seller["name"])} · {_e(seller["street"])} · {_e(seller["place"])}</div>
{"<br>".join(_e(b) for b in data["buyer"])}
</div><table class="meta">{meta}</table></div>
<h1>{_e(data["heading"])}</h1>
<p>{_e(data["intro"])}</p>
<table class="lines"><thead><tr>{columns}</tr></thead><tbody>{"".join(rows)}</tbody></table>
<table class="totals">{totals}</table>
<div class="notes">{notes}</div>
</body></html>"""


def render_sample(workbook: str, month: str, sample: int, outdir: str) -> dict[str, Any]:
    """Render the first `sample` invoices of the closed month into `outdir`; the figures."""
    started = time.perf_counter()
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from msp_workbook.app.export_files import closed_input, read_tables
    from msp_workbook.app.invoice_documents import month_documents
    from msp_workbook.core.months import Month
    from msp_workbook.documents import cii
    from msp_workbook.documents.pdf import ATTACHMENT, layout_data

    imported = time.perf_counter()
    inputs, ledger, _, _ = closed_input(read_tables(Path(workbook)))
    docs, _, count = month_documents(inputs, ledger, Month.parse(month))
    documents, chosen = len(docs), docs[: sample or None]
    read = time.perf_counter()
    xml = [cii.to_xml(doc, "factur-x") for doc in chosen]  # the attachment, not timed
    del docs, inputs, ledger
    # What was read stays out of the collector's way: WeasyPrint makes many objects, and each
    # full collection would walk a large month's Ledger and documents (55 % slower at L).
    gc.collect()
    gc.freeze()
    built = time.perf_counter()
    fonts = FontConfiguration()
    css = weasyprint.CSS(string=CSS, font_config=fonts)  # parsed once: the peer's best case
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    times = []
    for doc, attachment in zip(chosen, xml, strict=True):
        t0 = time.perf_counter()
        page = weasyprint.HTML(string=invoice_html(layout_data(doc)))
        pdf = page.write_pdf(
            stylesheets=[css],
            font_config=fonts,
            pdf_variant="pdf/a-3b",
            attachments=[
                weasyprint.Attachment(
                    string=attachment.decode("utf-8"),
                    name=ATTACHMENT,
                    description="Factur-X / ZUGFeRD EN 16931",
                    relationship="Alternative",
                )
            ],
        )
        (out / f"{doc.number}.pdf").write_bytes(pdf)
        times.append(time.perf_counter() - t0)
    render_s = sum(times)
    return {
        "weasyprint": weasyprint.__version__,
        "month_invoices": count,
        "documents": documents,
        "rendered": len(chosen),
        "import_s": imported - started,
        "read_s": read - imported,
        "xml_s": built - read,
        "render_s": render_s,
        "per_invoice_median_s": statistics.median(times) if times else None,
        "per_invoice_max_s": max(times, default=None),
        "first_invoice_s": times[0] if times else None,
        "invoices_per_s": len(times) / render_s if render_s else None,
    }
