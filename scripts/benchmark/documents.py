"""Invoice documents: `msp-workbook invoices` of the closed billing month (XRechnung XML and
PDF/A-3b) against WeasyPrint rendering the same invoices, its goals and its table."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .measure import (
    Measured,
    Run,
    alternate_runs,
    child_command,
    msp_workbook_command,
    progress,
    ratio_of,
    repeat_runs,
)
from .quiet import quiet_measure
from .sizes import BILL_MONTH, Size
from .tables import fmt_mb, fmt_s, fmt_timed, fmt_x, text_table
from .workbooks import bench_workbook, closed_month_workbook

DOCUMENTS_GOAL_S = 180.0  # L's documents within 3 minutes
DOCUMENTS_GOAL_RATIO = 5.0  # at least 5x the peer's invoices per second
DOCUMENTS_GOAL_MB = 1024.0  # peak RSS of the process tree under 1 GB
WEASYPRINT = "weasyprint"  # installed into this Python's environment when missing


def ensure_weasyprint(timeout: float, install: bool = True) -> str:
    """'' once WeasyPrint imports in this Python (pip-installed first when it is missing and
    `install`), or why it cannot be used."""

    def importable() -> subprocess.CompletedProcess[str]:
        check = f"import {WEASYPRINT}"
        return subprocess.run(
            [sys.executable, "-c", check], capture_output=True, text=True, timeout=300
        )

    done = importable()
    if done.returncode != 0 and "ModuleNotFoundError" in done.stderr and not install:
        return f"{WEASYPRINT} is not installed (--no-install-peer)"
    if done.returncode != 0 and "ModuleNotFoundError" in done.stderr:
        progress(f"installing {WEASYPRINT} (pip) for the peer measurement")
        pip = [sys.executable, "-m", "pip", "install", "--quiet", WEASYPRINT]
        try:
            installed = subprocess.run(pip, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return f"pip install {WEASYPRINT} took longer than {timeout:.0f} s"
        if installed.returncode != 0:
            lines = installed.stderr.strip().splitlines()
            return f"pip install {WEASYPRINT} failed: {lines[-1] if lines else '?'}"
        done = importable()
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        last = lines[-1] if lines else "?"
        if "OSError" in done.stderr:  # pango, harfbuzz or fontconfig missing
            return (
                f"WeasyPrint cannot load its libraries ({last}): apt-get install "
                "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
            )
        return f"WeasyPrint does not import: {last}"
    return ""


def pdf_facts(path: Path) -> dict[str, Any]:
    """What a PDF says it is: pages, PDF/A part and conformance, attached files."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        return {
            "bytes": path.stat().st_size,
            "pages": len(pdf.pages),
            "pdfa": f"{meta.get('pdfaid:part', '')}{meta.get('pdfaid:conformance', '')}".lower(),
            "attachments": sorted(pdf.attachments.keys()),
        }


def terminal_progress(cmd: Sequence[str], timeout: float) -> dict[str, Any]:
    """Run `cmd` with its stderr on a pseudo-terminal (the progress line shown at once): how
    many progress updates it drew, the last one, and whether it cleared the line at the end."""
    import pty
    import select

    env = dict(os.environ, MSP_WORKBOOK_PROGRESS_AFTER="0")
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal closed: the command ended
                break
            if not data:
                break
            chunks.append(data)
        else:
            os.killpg(proc.pid, 9)
    finally:
        proc.wait()
        os.close(master)
    text = b"".join(chunks).decode("utf-8", "replace")
    shown = [
        re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", part).strip()
        for part in re.split(r"[\r\n]", text)
        if "invoice documents" in part
    ]
    return {
        "rc": proc.returncode,
        "updates": len(shown),
        "last": shown[-1] if shown else "",
        "cleared": text.endswith("\r\x1b[K") or not shown,
    }


def bench_documents(
    size: Size, args: argparse.Namespace, tmp: Path, show_progress: bool = False
) -> dict[str, Any]:
    """`msp-workbook invoices` of the closed billing month (wall time, peak RSS of the process
    and its workers, invoices per second) and WeasyPrint rendering the same invoices in one
    process (its invoices per second, on the first --documents-peer-sample invoices)."""
    workbook, _ = bench_workbook(size, args.workdir, args.rebuild)
    try:
        closed, close_s = closed_month_workbook(size, workbook, args)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        return {"error": str(exc), "correct": False}
    month = str(BILL_MONTH)

    def command(out: Path) -> list[str]:
        return [
            *msp_workbook_command(),
            "invoices",
            str(closed),
            "--month",
            month,
            "--out",
            str(out),
        ]

    first: dict[str, Any] = {}

    def ours(i: int) -> Run:
        out = tmp / f"documents-{size.name}-{i}"  # a fresh folder: every file is written

        def fresh() -> None:
            shutil.rmtree(out, ignore_errors=True)

        run = quiet_measure(command(out), args, tmp, fresh)
        pdfs, xmls = sorted(out.glob("*.pdf")), sorted(out.glob("*.xml"))
        run.extra = {**(run.extra or {}), "pdf_files": len(pdfs), "xml_files": len(xmls)}
        if i == 0 and pdfs:
            first["pdf"] = pdf_facts(pdfs[0])
            first["pdf_bytes"] = sum(f.stat().st_size for f in pdfs)
            first["xml_bytes"] = sum(f.stat().st_size for f in xmls)
        shutil.rmtree(out, ignore_errors=True)
        return run

    sample = args.documents_peer_sample
    peer_pdf: dict[str, Any] = {}

    def weasyprint_run(i: int) -> Run:
        out = tmp / f"weasyprint-{size.name}-{i}"
        cmd = child_command("weasyprint", str(closed), month, str(sample), str(out))
        run = quiet_measure(cmd, args, tmp, lambda: shutil.rmtree(out, ignore_errors=True))
        rendered = sorted(out.glob("*.pdf"))
        if i == 0 and rendered:
            peer_pdf.update(pdf_facts(rendered[0]))
        shutil.rmtree(out, ignore_errors=True)
        return run

    reason = ensure_weasyprint(args.timeout, install=args.install_peer)
    if reason:
        progress(f"{size.name}: msp-workbook invoices x{args.repeat} (no peer: {reason})")
        measured, peer_m = repeat_runs(args.repeat, ours), Measured([], 0, reason)
    else:
        # Alternated, so that a slow spell of the machine weighs on both sides of the ratio.
        progress(
            f"{size.name}: msp-workbook invoices and WeasyPrint on {sample or 'all'} invoices "
            f"(one process), alternately, x{args.repeat}"
        )
        measured, peer_m = alternate_runs(args.repeat, ours, weasyprint_run)
        peer_m.note = (
            "one process; the first invoices of the month; HTML/CSS from layout_data, PDF/A-3b "
            "with the Factur-X XML attached (built beforehand, not timed)"
        )
    result: dict[str, Any] = {
        "workbook": str(closed),
        "close_s": close_s,
        "workers": os.cpu_count(),
        "invoices": measured.to_json(),
        "written": measured.runs[0].extra["pdf_files"] if measured.runs else 0,
        "first_run": first,
    }
    written, median = result["written"], measured.median_s
    result["invoices_per_s"] = ratio_of(written, median) if written else None
    peer = peer_m.to_json()
    reported = peer["reported"]
    peer["others_cores"] = [ratio_of(r.others_cpu_s, r.wall_s) for r in peer_m.runs]
    peer["invoices_per_s"] = peer_m.extra_median("invoices_per_s")
    for name in ("per_invoice_median_s", "per_invoice_max_s", "import_s", "read_s"):
        peer[name] = peer_m.extra_median(name)
    for name in ("weasyprint", "month_invoices", "rendered"):
        peer[name] = reported[0].get(name) if reported else None
    peer["pdf"] = peer_pdf
    result["weasyprint"] = peer
    result["ours_over_peer"] = ratio_of(result["invoices_per_s"], peer["invoices_per_s"])
    # Ours uses every core, the peer one: against the peer on every core, scaling perfectly.
    result["ours_over_peer_per_core"] = ratio_of(result["ours_over_peer"], os.cpu_count())

    if show_progress:
        progress(f"{size.name}: the progress line on a terminal (one run under a pty)")
        out = tmp / f"documents-{size.name}-tty"
        result["terminal"] = terminal_progress(command(out), args.timeout)
        shutil.rmtree(out, ignore_errors=True)

    expected = peer.get("month_invoices")
    facts = first.get("pdf", {})
    result["correct"] = bool(
        measured.status() == "ok"
        and written > 0
        and all(r.extra and r.extra["xml_files"] == written for r in measured.runs)
        and all(r.extra and r.extra["pdf_files"] == written for r in measured.runs)
        and (expected is None or expected == written)
        and facts.get("pdfa") == "3b"
        and facts.get("attachments") == ["factur-x.xml"]
    )
    return result


def documents_goals(entries: dict[str, Any]) -> list[tuple[str, str]]:
    """The issue's goals for invoice documents, at L."""
    entry = entries.get("L")
    found = []

    def check(name: str, value: float | None, ok: Callable[[float], bool], shown: str) -> None:
        verdict = "n/a" if value is None else ("met" if ok(value) else "NOT met")
        found.append((name, f"{shown} -> {verdict}"))

    if entry is None or "invoices" not in entry:
        return [("L", "not measured")]
    seconds = entry["invoices"]["median_s"]
    check("L in at most 3 minutes", seconds, lambda v: v <= DOCUMENTS_GOAL_S, f"{fmt_s(seconds)} s")
    ratio = entry["ours_over_peer"]
    check(
        "at least 5x WeasyPrint's invoices/s",
        ratio,
        lambda v: v >= DOCUMENTS_GOAL_RATIO,
        fmt_x(ratio),
    )
    rss, pss = entry["invoices"]["peak_rss_mb"], entry["invoices"].get("peak_pss_mb")
    shown = f"{fmt_mb(rss)} MB (PSS {fmt_mb(pss)} MB)"
    check("peak RSS of the process tree under 1 GB", rss, lambda v: v < DOCUMENTS_GOAL_MB, shown)
    return found


def documents_text(entries: dict[str, Any]) -> str:
    rows, notes = [], []
    for name, e in entries.items():
        if "invoices" not in e:
            rows.append([name, e.get("error", "?"), *[""] * 7])
            continue
        peer = e["weasyprint"]
        rate = e["invoices_per_s"]
        rates = [r["invoices_per_s"] for r in peer.get("reported") or () if "invoices_per_s" in r]
        rows.append(
            [
                name,
                f"{e['written']:,}",
                fmt_timed(e["invoices"]),
                "n/a" if rate is None else f"{rate:.1f}",
                fmt_mb(e["invoices"]["peak_rss_mb"]),
                fmt_mb(e["invoices"].get("peak_pss_mb")),
                f"{peer['rendered']:,}" if peer.get("rendered") else peer["status"],
                "n/a"
                if peer.get("invoices_per_s") is None
                else f"{peer['invoices_per_s']:.2f} ({len(rates)})",
                fmt_x(e["ours_over_peer"]),
            ]
        )
        if peer.get("note") and peer["status"] != "ok":
            notes.append(f"{name}: WeasyPrint: {peer['note']}")
        for error in peer.get("errors") or ():
            notes.append(f"{name}: WeasyPrint: {error.strip().splitlines()[-1:]}")
        for error in e["invoices"].get("errors") or ():
            notes.append(f"{name}: invoices: {error.strip().splitlines()[-1:]}")
        if rates:
            notes.append(
                f"{name}: WeasyPrint runs: {', '.join(f'{r:.2f}' for r in rates)} invoices/s; "
                f"per invoice median {peer['per_invoice_median_s'] * 1000:.0f} ms, max "
                f"{peer['per_invoice_max_s'] * 1000:.0f} ms; besides: import "
                f"{peer['import_s']:.2f} s, reading the workbook {peer['read_s']:.2f} s "
                "(not counted)"
            )
        dropped = sum(
            r.get("dropped_runs", 0) for r in (*e["invoices"]["reported"], *peer["reported"])
        )
        if dropped:
            notes.append(f"{name}: {dropped} runs shared with other work were measured again")
        loads = [v for v in e["invoices"].get("others_cores") or () if v is not None]
        peer_loads = [v for v in peer.get("others_cores") or () if v is not None]
        if loads or peer_loads:
            notes.append(
                f"{name}: other work on the machine during the runs (cores busy): ours "
                + (", ".join(f"{v:.2f}" for v in loads) or "n/a")
                + "; WeasyPrint "
                + (", ".join(f"{v:.2f}" for v in peer_loads) or "n/a")
            )
        if e.get("ours_over_peer_per_core") is not None:
            notes.append(
                f"{name}: against WeasyPrint on all {e['workers']} cores (perfect scaling "
                f"assumed): {fmt_x(e['ours_over_peer_per_core'])}"
            )
        terminal = e.get("terminal")
        if terminal:
            notes.append(
                f"{name}: progress line on a terminal: {terminal['updates']} updates, last "
                f"{terminal['last']!r}, cleared at the end: "
                + ("yes" if terminal["cleared"] else "no")
            )
        if not e["correct"]:
            notes.append(f"{name}: the documents written are NOT as expected (see the JSON)")
    header = [
        "size",
        "invoices",
        "invoices s",
        "invoices/s",
        "RSS MB",
        "PSS MB",
        "peer sample",
        "WeasyPrint inv/s",
        "ours/peer",
    ]
    out = [
        "Invoice documents of the closed month (XRechnung XML + PDF/A-3, "
        f"{next(iter(entries.values())).get('workers', '?')} workers) against WeasyPrint "
        "(PDF/A-3b only, one process)",
        text_table(header, rows),
        *notes,
        "Goals:",
        *[f"  {n}: {v}" for n, v in documents_goals(entries)],
    ]
    return "\n".join(out)
