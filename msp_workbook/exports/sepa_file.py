"""The SEPA direct debit as a file: pain.008.001.02, SEPA Core (SPEC section 9).

sepaxml builds it (one payment information block per sequence type and collection date, the
control sums and counts, names and texts in SEPA's character set). It stamps the message with
the clock and random IDs; here the message ID, the payment information IDs and the creation
time are made from the content and the month's closing time instead, so the same month gives
the same bytes. The result is checked against the official
pain.008.001.02 XSD that sepaxml ships (lxml) and read back (`check`: counts, sums, sequences)
before it is written.
"""

from __future__ import annotations

import hashlib
import importlib.resources
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache

from lxml import etree

from ..core.sepa import Collection, compact

SCHEMA = "pain.008.001.02"
NS = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"
_N = {"p": NS}


@dataclass(frozen=True)
class Creditor:
    name: str
    iban: str
    bic: str
    creditor_id: str


class SepaFileError(RuntimeError):
    """The file breaks pain.008.001.02: a defect of ours, never written."""


@cache
def _schema() -> etree.XMLSchema:
    path = importlib.resources.files("sepaxml") / "schemas" / f"{SCHEMA}.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def render(
    creditor: Creditor, debits: Sequence[Collection], created: datetime, month: str
) -> bytes:
    """The file's bytes, checked (`check`) before they are returned."""
    from sepaxml import SepaDD  # noqa: PLC0415 - only the export needs it

    sepa = SepaDD(
        {
            "name": creditor.name,
            "IBAN": compact(creditor.iban),
            "BIC": compact(creditor.bic),
            "batch": True,
            "creditor_id": compact(creditor.creditor_id),
            "currency": "EUR",
        },
        schema=SCHEMA,
        clean=True,
    )
    for debit in debits:
        payment = {
            "name": debit.debtor,
            "IBAN": debit.iban,
            "amount": int((debit.amount * 100).to_integral_value()),
            "type": debit.sequence,
            "collection_date": debit.collection_date,
            "mandate_id": debit.mandate_id,
            "mandate_date": debit.mandate_date,
            "description": debit.text,
            "endtoend_id": debit.invoice,
        }
        if debit.bic:
            payment["BIC"] = debit.bic
        sepa.add_payment(payment)
    # sepaxml's own XSD check (the pure-Python xmlschema: 1.6 s at 3,000 debits) is left to
    # `check`, which runs the same XSD with lxml on the final bytes (0.04 s).
    data = _stamped(sepa.export(validate=False), created, month)
    problems = check(data)
    if problems:
        raise SepaFileError("; ".join(problems[:5]))
    return data


def _stamped(built: bytes, created: datetime, month: str) -> bytes:
    """The file with its message ID, payment information IDs and creation time made from its
    content and `created` (sepaxml's are random and the clock's)."""
    root = etree.fromstring(built)
    ids = root.xpath("//p:GrpHdr/p:MsgId | //p:PmtInf/p:PmtInfId", namespaces=_N)
    stamp = root.find(".//p:GrpHdr/p:CreDtTm", _N)
    for node in ids:
        node.text = ""
    stamp.text = ""
    digest = hashlib.sha256(etree.tostring(root, method="c14n")).hexdigest()[:16].upper()
    message = f"MSPW-{month}-{digest}"  # at most 35 characters
    ids[0].text = message
    for number, node in enumerate(ids[1:], start=1):
        node.text = f"{message}-{number}"
    stamp.text = created.strftime("%Y-%m-%dT%H:%M:%S")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def check(data: bytes) -> list[str]:
    """Every way the bytes break the format: the XSD, and the counts and control sums of the
    message and of each payment information block against its transactions."""
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError as exc:
        return [f"not XML: {exc}"]
    schema = _schema()
    if not schema.validate(root):
        return [f"XSD line {e.line}: {e.message}" for e in schema.error_log]
    problems = []
    amounts = [Decimal(a) for a in root.xpath("//p:DrctDbtTxInf/p:InstdAmt/text()", namespaces=_N)]
    header = root.find(".//p:GrpHdr", _N)
    if int(header.findtext("p:NbOfTxs", namespaces=_N)) != len(amounts):
        problems.append("the message's NbOfTxs is not its number of transactions")
    if Decimal(header.findtext("p:CtrlSum", namespaces=_N)) != sum(amounts, Decimal(0)):
        problems.append("the message's CtrlSum is not the sum of its transactions")
    for block in root.iterfind(".//p:PmtInf", _N):
        own = [Decimal(a) for a in block.xpath(".//p:InstdAmt/text()", namespaces=_N)]
        if int(block.findtext("p:NbOfTxs", namespaces=_N)) != len(own):
            problems.append(f"{block.findtext('p:PmtInfId', namespaces=_N)}: NbOfTxs is wrong")
        if Decimal(block.findtext("p:CtrlSum", namespaces=_N)) != sum(own, Decimal(0)):
            problems.append(f"{block.findtext('p:PmtInfId', namespaces=_N)}: CtrlSum is wrong")
        if block.findtext(".//p:SeqTp", namespaces=_N) not in ("FRST", "RCUR"):
            problems.append("a sequence type other than FRST or RCUR")
    if any(a <= 0 for a in amounts):
        problems.append("an amount of 0.00 or less")
    return problems
