"""The invoice documents service: per invoice of a closed month an XRechnung `<Invoice>.xml` and
a ZUGFeRD / Factur-X PDF/A-3 `<Invoice>.pdf` (SPEC section 6).

Read -> check -> build -> validate -> write. Only Settings, Customers and the Ledger are read
(never Usage: a closed month is what the Ledger says). Each invoice is checked for the fields its
documents need (`core.document_fields`), built (`core.invoice_document`), written as XML
(`documents.cii`) and checked against the XSD and the EN 16931 and XRechnung rules
(`documents.rules`), then laid out as a PDF (`documents.pdf`). An invoice that lacks a field or
fails a rule is reported and skipped; the others are written. A file that exists with other
content is never overwritten. Files appear whole or not at all (written beside, then renamed).

Many invoices are made in worker processes, one per core: each holds its own compiled rules and
typst compiler.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..core.closing import closed_month_view
from ..core.document_fields import Gaps, buyer_gaps, missing_customer, seller_gaps
from ..core.invoice_document import InvoiceDocument, invoice_document
from ..core.invoices import lines_by_customer
from ..core.ledger import Ledger
from ..core.models import Check, Customer, Inputs, Invoice, Severity
from ..core.months import Month
from ..core.sepa import pays_by_direct_debit
from ..core.sepa_fields import mandate_gaps
from ..workbook.errors import WorkbookError
from .export_files import closed_input, read_tables, refuse_open, write_whole

# Below this many invoices the work is done in this process (starting workers costs ~1 s).
PARALLEL_FROM = 40
CHUNK = 16


@dataclass(frozen=True)
class Made:
    """What making one invoice's documents gave: the files, or why there are none."""

    number: str
    xml: bytes = b""
    pdf: bytes = b""
    problems: tuple[str, ...] = ()


@dataclass
class DocumentsReport:
    month: Month
    folder: Path
    invoices: int = 0
    written: list[str] = field(default_factory=list)  # invoice numbers with new files
    unchanged: list[str] = field(default_factory=list)  # identical files were there already
    errors: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def default_folder(path: Path, month: Month) -> Path:
    """`invoices/YYYY-MM` beside the workbook."""
    return path.parent / "invoices" / str(month)


def document_gaps(
    invoice: Invoice, customer: Customer | None, inputs: Inputs, severity: Severity = "error"
) -> list[Check]:
    """Every field one invoice's documents need from Customers (and, by the customer's tax
    case, from Settings) that the workbook lacks, with its cell. `seller_gaps` has the rest."""
    if customer is None:
        missing = Gaps(severity)
        missing_customer(missing, invoice, "; its documents need its address")
        return missing.checks
    gaps = buyer_gaps(customer, inputs.settings, invoice.reverse_charge, severity)
    if pays_by_direct_debit(customer) and invoice.gross > 0:
        gaps += mandate_gaps(customer, inputs.settings, severity)
    return gaps


def month_documents(
    inputs: Inputs, ledger: Ledger, month: Month
) -> tuple[list[InvoiceDocument], list[Check], int]:
    """The documents of a closed month, the gaps of the invoices that cannot have them, and the
    number of the month's invoices."""
    lines, invoices, _ = closed_month_view(ledger, inputs, month)
    seller = seller_gaps(inputs.settings)
    if seller:
        return (
            [],
            [_not_written(g, "no invoice documents are written") for g in seller],
            len(invoices),
        )
    finalized = _finalized(ledger, month)
    by_customer = dict(lines_by_customer(lines))
    customers = {c.customer_id: c for c in inputs.customers}
    documents, errors = [], []
    for invoice in invoices:
        customer = customers.get(invoice.customer_id)
        gaps = document_gaps(invoice, customer, inputs)
        if gaps or customer is None:
            errors += [_not_written(g, f"invoice {invoice.invoice} is not written") for g in gaps]
            continue
        documents.append(
            invoice_document(
                invoice,
                by_customer[invoice.customer_id],
                inputs.settings,
                customer,
                finalized[invoice.invoice],
            )
        )
    return documents, errors, len(invoices)


def _finalized(ledger: Ledger, month: Month) -> dict[str, date]:
    return {number: moment.date() for number, moment in ledger.finalized(month).items()}


def _not_written(check: Check, what: str) -> Check:
    return check.model_copy(update={"message": f"{check.message} ({what})"})


# --- Making the files -----------------------------------------------------------------------------


class Maker:
    """Makes the checked files of documents (one per process: rules and typst load once)."""

    def __init__(self) -> None:
        from ..documents.pdf import Renderer

        self.renderer = Renderer()

    def make(self, doc: InvoiceDocument) -> Made:
        from ..documents import cii, rules

        xrechnung = cii.to_xml(doc, "xrechnung")
        facturx = cii.as_flavour(xrechnung, "factur-x")
        problems = [
            f"{name} fails {failure}"
            for name, xml, is_xr in (
                (f"{doc.number}.xml (XRechnung)", xrechnung, True),
                ("factur-x.xml (in the PDF)", facturx, False),
            )
            for failure in rules.check(xml, xrechnung=is_xr)
        ]
        if problems:
            return Made(doc.number, problems=tuple(problems))
        return Made(doc.number, xrechnung, self.renderer.render(doc, facturx))


_MAKER: Maker | None = None


def _make_in_worker(doc: InvoiceDocument) -> Made:
    global _MAKER
    if _MAKER is None:
        _MAKER = Maker()
    return _MAKER.make(doc)


def make_all(docs: Sequence[InvoiceDocument], workers: int | None = None) -> Iterator[Made]:
    """The files of every document, in order; in worker processes when there are many."""
    workers = workers or os.cpu_count() or 1
    if len(docs) < PARALLEL_FROM or workers < 2:
        maker = Maker()
        for doc in docs:
            yield maker.make(doc)
        return
    import multiprocessing

    # Fresh workers (spawn), not copies of this process: a forked worker would carry the whole
    # workbook read (shared, yet counted again in every worker's memory) for nothing.
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        yield from pool.imap(_make_in_worker, docs, chunksize=CHUNK)


# --- Writing --------------------------------------------------------------------------------------


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def file_stem(number: str) -> str:
    """The documents' file name for an invoice number: the number, with every character that
    is not a letter, digit, dot, hyphen or underscore as `_` (an Invoice prefix `RE/` gives
    `RE_2026-0001`), never starting with a dot: files stay in their folder on every system."""
    stem = _UNSAFE.sub("_", number)
    return "_" + stem[1:] if stem.startswith(".") else stem


def _files(made: Made) -> tuple[tuple[str, bytes], tuple[str, bytes]]:
    stem = file_stem(made.number)
    return (f"{stem}.xml", made.xml), (f"{stem}.pdf", made.pdf)


def _conflicts(folder: Path, made: Made) -> tuple[list[str], bool]:
    """Files of the invoice that exist with other content, and whether all exist as they are."""
    different, same = [], True
    for name, data in _files(made):
        target = folder / name
        if not target.exists():
            same = False
        elif target.read_bytes() != data:
            different.append(name)
    return different, same


def write_documents(
    inputs: Inputs,
    ledger: Ledger,
    month: Month,
    folder: Path,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> DocumentsReport:
    """Write the documents of a closed month into `folder`."""
    if not ledger.is_closed(month):
        raise refuse_open(month, "invoice documents are")
    docs, errors, count = month_documents(inputs, ledger, month)
    report = DocumentsReport(month, folder, invoices=count, errors=errors)
    if docs:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkbookError(f"cannot create the folder {folder}: {exc.strerror}") from exc
    for done, made in enumerate(make_all(docs, workers), start=1):
        if progress is not None:
            progress(done, len(docs))
        if made.problems:
            report.errors += [
                Check(
                    severity="error",
                    sheet="",
                    cell="",
                    message=f"invoice {made.number}: {p}; its documents are not written",
                )
                for p in made.problems
            ]
            continue
        different, same = _conflicts(folder, made)
        if different:
            report.errors.append(
                Check(
                    severity="error",
                    sheet="",
                    cell="",
                    message=f"invoice {made.number}: {', '.join(different)} in {folder} was "
                    "issued with other content and is not overwritten (what the workbook says "
                    "now differs from the document issued; move the old file away to issue it "
                    "anew)",
                )
            )
            continue
        if same:
            report.unchanged.append(made.number)
            continue
        for name, data in _files(made):
            write_whole(folder / name, data)
        report.written.append(made.number)
    return report


def invoice_documents(
    path: Path,
    month: Month,
    out: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> DocumentsReport:
    """Read the workbook's Settings, Customers and Ledger and write the month's documents.
    Raises WorkbookError (one line) when it cannot run: the rules are missing, the workbook
    cannot be read, its Ledger has rows that cannot be read, or the month is not closed."""
    inputs, ledger = read_checked(path)
    return write_documents(
        inputs, ledger, month, out or default_folder(path, month), progress, workers
    )


def read_checked(path: Path) -> tuple[Inputs, Ledger]:
    """The workbook read for a closed month (`export_files.closed_input`, as the exports read
    it), once the rule files are known to be there, refusing (WorkbookError, one line) a Ledger
    with rows that cannot be read: the errors that make documents untrustworthy. An error on
    Customers keeps only that customer's documents back (`document_gaps`)."""
    from ..documents.rules import EN16931, RulesMissing, rule_file

    try:
        rule_file(EN16931)
    except RulesMissing as exc:
        raise WorkbookError(str(exc)) from None
    closed = closed_input(read_tables(path))
    errors = closed.ledger_errors
    if errors:
        raise WorkbookError(
            f"{path} cannot be read for invoice documents: {errors[0]}"
            + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
        )
    return closed.inputs, closed.ledger
