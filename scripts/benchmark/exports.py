"""DATEV and SEPA exports: `msp-workbook export-datev` and `export-sepa` of the closed billing
month, first on a fresh copy, then again on the same copy; every run's files checked against
the month's invoices."""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

from msp_workbook.workbook import schema

from .measure import Measured, Run, measure, msp_workbook_command, progress
from .quiet import wait_for_quiet
from .sizes import BILL_MONTH, Size
from .tables import fmt_mb, fmt_timed, text_table
from .workbooks import bench_workbook, closed_month_workbook, sha256_of

# The collection date given to export-sepa: fixed, so that every run writes the same file; after
# the billing month and after the day the benchmark closes it on the machine it was written for
# (the command warns, without changing what it does, once the date is no longer in the future).
SEPA_COLLECTION_DATE = date(2027, 1, 15)

_DATEV_DONE = re.compile(
    r"DATEV booking batch for \S+: .* (written|unchanged), ([\d,]+) bookings? "
    r"\(S ([\d,.]+), H ([\d,.]+)\)"
)
_DATEV_GIVEN = re.compile(r"^([\d,]+) debitor numbers? given", re.MULTILINE)
_SEPA_DONE = re.compile(
    r"SEPA direct debit for \S+: .* (written|unchanged), ([\d,]+) direct debits? "
    r"\(FRST (\d+), RCUR (\d+)\), ([\d,.]+) EUR"
)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def datev_facts(stdout: str, file: Path) -> dict[str, Any]:
    """What export-datev printed (status, bookings, S and H totals, debitor numbers given) and
    what its file holds (bytes, lines)."""
    done, given = _DATEV_DONE.search(stdout), _DATEV_GIVEN.search(stdout)
    facts: dict[str, Any] = {"status": done.group(1) if done else None}
    if done:
        facts["bookings"] = int(_number(done.group(2)))
        facts["s_total"], facts["h_total"] = _number(done.group(3)), _number(done.group(4))
    facts["given"] = int(_number(given.group(1))) if given else 0
    if file.exists():
        data = file.read_bytes()
        facts["bytes"] = len(data)
        facts["lines"] = data.count(b"\r\n")
        facts["sha256"] = hashlib.sha256(data).hexdigest()
    return facts


def sepa_facts(stdout: str, file: Path) -> dict[str, Any]:
    """What export-sepa printed (status, direct debits, FRST/RCUR, total) and what its file holds:
    bytes, NbOfTxs, and whether it validates against pain.008.001.02's XSD (sepaxml's copy)."""
    done = _SEPA_DONE.search(stdout)
    facts: dict[str, Any] = {"status": done.group(1) if done else None}
    if done:
        facts["debits"] = int(_number(done.group(2)))
        facts["frst"], facts["rcur"] = int(done.group(3)), int(done.group(4))
        facts["total"] = _number(done.group(5))
    if file.exists():
        from importlib.resources import files

        from lxml import etree

        data = file.read_bytes()
        facts["bytes"] = len(data)
        facts["sha256"] = hashlib.sha256(data).hexdigest()
        xsd_file = files("sepaxml") / "schemas" / "pain.008.001.02.xsd"
        xsd = etree.XMLSchema(etree.fromstring(xsd_file.read_bytes()))
        doc = etree.fromstring(data)
        facts["xsd_valid"] = xsd.validate(doc)
        if not facts["xsd_valid"]:
            facts["xsd_error"] = str(xsd.error_log.last_error)
        count = doc.findtext(".//{*}GrpHdr/{*}NbOfTxs")
        facts["nb_of_txs"] = int(count) if count is not None else None
    return facts


def expected_exports(closed: Path) -> dict[str, int]:
    """What the exports of the closed month must hold, from the closed workbook's Invoices table
    (the month's invoices, written by close) and its Customers table (bench_data's rows; read
    back rather than generated again, which at L means a million usage rows): a booking for each
    invoice whose Gross is not 0, a direct debit for each invoice with a positive Gross of a
    customer who pays by direct debit."""
    import python_calamine as calamine

    invoice_headers, customer_headers = schema.INVOICES.headers, schema.CUSTOMERS.headers
    customer, gross = invoice_headers.index("Customer ID"), invoice_headers.index("Gross")
    book = calamine.CalamineWorkbook.from_path(str(closed), load_tables=True)
    try:
        invoices = book.get_table_by_name(schema.INVOICES.name).to_python()
        customers = book.get_table_by_name(schema.CUSTOMERS.name).to_python()
    finally:
        book.close()
    cid, payment = customer_headers.index("Customer ID"), customer_headers.index("Payment")
    debtors = {row[cid] for row in customers if row[payment] == "direct debit"}
    return {
        "invoices": len(invoices),
        "bookings": sum(1 for row in invoices if _amount(row[gross]) != 0),
        "direct_debit_customers": len(debtors),
        "debits": sum(
            1 for row in invoices if row[customer] in debtors and _amount(row[gross]) > 0
        ),
    }


def _amount(cell: Any) -> float:
    return float(cell) if isinstance(cell, int | float) else 0.0


def bench_exports(size: Size, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """`msp-workbook export-datev` then `export-sepa` of the closed billing month on a fresh copy
    of the closed workbook each run (both write rows to the workbook: debitor numbers, the
    collections), then each again on the same copy (unchanged: the same file, nothing written).
    Every run's files are checked: the DATEV batch has a header line, a column line and a line
    per booking, a booking for each invoice whose Gross is not 0; the SEPA file validates against
    the pain.008.001.02 XSD and holds a transaction for each direct-debit invoice."""
    workbook, _ = bench_workbook(size, args.workdir, args.rebuild)
    try:
        closed, close_s = closed_month_workbook(size, workbook, args)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        return {"error": str(exc), "correct": False}
    expected = expected_exports(closed)
    month = str(BILL_MONTH)
    datev_file = f"EXTF_Buchungsstapel_{month}.csv"  # the commands' default files, beside it
    sepa_file = f"SEPA_direct_debit_{month}.xml"
    runs: dict[str, Measured] = {
        name: Measured([], args.repeat)
        for name in ("datev", "sepa", "datev_unchanged", "sepa_unchanged")
    }
    problems: list[str] = []
    progress(
        f"{size.name}: export-datev and export-sepa of {month} on a fresh copy, then again, "
        f"x{args.repeat}"
    )
    for i in range(args.repeat):
        folder = tmp / f"exports-{size.name}-{i}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        copy = folder / closed.name
        shutil.copyfile(closed, copy)
        wait_for_quiet(args.quiet_wait)
        commands = {
            "datev": [*msp_workbook_command(), "export-datev", str(copy), "--month", month],
            "sepa": [
                *msp_workbook_command(),
                *("export-sepa", str(copy), "--month", month),
                *("--collection-date", str(SEPA_COLLECTION_DATE)),
            ],
        }
        written: dict[str, Any] = {}
        for name in ("datev", "sepa", "datev_unchanged", "sepa_unchanged"):
            kind = name.split("_")[0]
            before = sha256_of(copy) if name.endswith("unchanged") else None
            run = measure(commands[kind], args.timeout, tmp, keep_stdout=True)
            facts = (
                datev_facts(run.stdout, folder / datev_file)
                if kind == "datev"
                else sepa_facts(run.stdout, folder / sepa_file)
            )
            if before is not None:
                facts["workbook_unchanged"] = sha256_of(copy) == before
            run.extra = facts
            runs[name].runs.append(run)
            problems += [
                f"run {i + 1}: {name}: {p}"
                for p in _export_problems(name, run, facts, expected, written.get(kind))
            ]
            written.setdefault(kind, facts)
        shutil.rmtree(folder, ignore_errors=True)
    result: dict[str, Any] = {
        "workbook": str(closed),
        "close_s": close_s,
        "collection_date": str(SEPA_COLLECTION_DATE),
        "expected": expected,
        **{name: m.to_json() for name, m in runs.items()},
    }
    first = {name: m.runs[0].extra for name, m in runs.items() if m.runs and m.runs[0].extra}
    result["first_run"] = first
    result["problems"] = problems
    result["correct"] = not problems and all(m.status() == "ok" for m in runs.values())
    return result


def _export_problems(
    name: str,
    run: Run,
    facts: dict[str, Any],
    expected: dict[str, int],
    first: dict[str, Any] | None,
) -> list[str]:
    """What is wrong with one export run: its exit code, its status, the counts in its output
    and its file against the expected ones; a second run must write nothing (the same file, the
    workbook's bytes unchanged)."""
    if run.rc != 0:
        lines = (run.stderr or run.stdout).strip().splitlines()
        return [f"exit code {run.rc}: {lines[-1] if lines else '?'}"]
    again = name.endswith("unchanged")
    problems = []
    if facts.get("status") != ("unchanged" if again else "written"):
        problems.append(f"status {facts.get('status')!r}")
    if name.startswith("datev"):
        if facts.get("bookings") != expected["bookings"]:
            problems.append(f"{facts.get('bookings')} bookings, {expected['bookings']} expected")
        if facts.get("lines") != 2 + expected["bookings"]:
            problems.append(f"{facts.get('lines')} lines, {2 + expected['bookings']} expected")
    else:
        if not facts.get("xsd_valid"):
            problems.append(f"not valid against the XSD: {facts.get('xsd_error', 'no file')}")
        for what in ("debits", "nb_of_txs"):
            if facts.get(what) != expected["debits"]:
                problems.append(f"{what} {facts.get(what)}, {expected['debits']} expected")
    if again and not facts.get("workbook_unchanged"):
        problems.append("the workbook changed")
    if again and first is not None and facts.get("sha256") != first.get("sha256"):
        problems.append("the file differs from the first run's")
    return problems


def exports_text(entries: dict[str, Any]) -> str:
    rows, notes = [], []
    names = ("datev", "datev_unchanged", "sepa", "sepa_unchanged")
    for name, e in entries.items():
        if "datev" not in e:
            rows.append([name, e.get("error", "?"), *[""] * 11])
            continue
        expected, first = e["expected"], e["first_run"]
        datev, sepa = first.get("datev", {}), first.get("sepa", {})
        row = [name, f"{expected['invoices']:,}", f"{datev.get('bookings', 0):,}"]
        for what in names:
            if what == "sepa":
                row.append(f"{sepa.get('debits', 0):,}")
            row += [fmt_timed(e[what]), fmt_mb(e[what]["peak_rss_mb"])]
        row.append("yes" if e["correct"] else "NO")
        rows.append(row)
        if datev:
            notes.append(
                f"{name}: DATEV batch {datev.get('bytes', 0):,} bytes, {datev.get('lines', 0):,} "
                f"lines, S {datev.get('s_total', 0):,.2f} EUR, {datev.get('given', 0):,} debitor "
                f"numbers given; SEPA file {sepa.get('bytes', 0):,} bytes, NbOfTxs "
                f"{sepa.get('nb_of_txs')}, XSD {'valid' if sepa.get('xsd_valid') else 'NOT valid'}"
                f", {sepa.get('total', 0):,.2f} EUR from {expected['direct_debit_customers']:,} "
                "direct-debit customers"
            )
        loads = [v for what in names for v in e[what].get("others_cores") or () if v is not None]
        if loads:
            notes.append(
                f"{name}: other work on the machine during the runs: up to {max(loads):.2f} cores"
            )
        for what in names:
            for error in e[what].get("errors") or ():
                notes.append(f"{name}: {what}: {error.strip().splitlines()[-1:]}")
        notes += [f"{name}: {p}" for p in e.get("problems", ())]
    header = [
        "size",
        "invoices",
        "bookings",
        "DATEV s",
        "RSS MB",
        "again s",
        "RSS MB",
        "debits",
        "SEPA s",
        "RSS MB",
        "again s",
        "RSS MB",
        "files as expected",
    ]
    return "\n".join(
        [
            "DATEV and SEPA exports of the closed month (first run on a fresh copy: writes the "
            "file and rows to the workbook; again: the same file, nothing written)",
            text_table(header, rows),
            *notes,
        ]
    )
