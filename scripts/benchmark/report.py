"""The main report: the table of each size's figures and ratios, the growth between sizes, the
years of data in a few lines, and the targets as measured."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .sizes import SIZES
from .tables import fmt_mb, fmt_rss, fmt_s, fmt_timed, fmt_x, fmt_x2, text_table
from .years import ARCHIVE_NOISE, CLOSE_GOAL_RATIO, CLOSED_GOAL_MB, CLOSED_GOAL_RATIO


def scaling(sizes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Growth exponent of time against usage rows between measured sizes: 1.0 = linear."""
    names = [n for n in SIZES if n in sizes and "recalc" in sizes[n]]
    out: dict[str, Any] = {}
    pairs = list(zip(names, names[1:], strict=False))
    if len(names) > 2:
        pairs.append((names[0], names[-1]))
    for a, b in pairs:
        ra, rb = (sizes[n]["workbook"]["usage_rows"] for n in (a, b))
        entry = {}
        for what in ("recalc", "floor"):
            ta, tb = sizes[a][what]["median_s"], sizes[b][what]["median_s"]
            if ta and tb:
                entry[what] = math.log(tb / ta) / math.log(rb / ra)
        out[f"{a}->{b}"] = entry
    return out


def targets(sizes: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """The issue's targets, as measured (informational: the work to meet them comes later)."""
    found = []

    def check(name: str, value: float | None, ok: Callable[[float], bool], shown: str) -> None:
        verdict = "n/a" if value is None else ("met" if ok(value) else "NOT met")
        found.append((name, f"{shown} -> {verdict}"))

    if "L" in sizes:
        ratio = sizes["L"]["ratios"]["recalc_over_floor"]
        check("L recalc <= 2x floor", ratio, lambda v: v <= 2, fmt_x(ratio))
        rss = sizes["L"]["recalc"]["peak_rss_mb"]
        check("L recalc peak RSS <= 1 GB", rss, lambda v: v <= 1024, f"{fmt_mb(rss)} MB")
    for n in ("M", "L"):
        if n in sizes:
            ratio = sizes[n]["ratios"]["openpyxl_over_recalc"]
            check(f"{n} openpyxl/recalc >= 10x", ratio, lambda v: v >= 10, fmt_x(ratio))
    if "M" in sizes:
        ratio = sizes["M"]["ratios"]["libreoffice_over_recalc"]
        check("M LibreOffice/recalc >= 5x", ratio, lambda v: v >= 5, fmt_x(ratio))
    # Years of data (the goals are L's; other sizes with --closed-months-at are shown too).
    for n in [n for n in SIZES if n in sizes]:
        closed = sizes[n].get("closed_months")
        if closed is None or "error" in closed:
            continue
        months = f"{closed['months']} months closed"
        ratio = closed.get("closed_over_empty")
        check(
            f"{n} recalc with {months} <= {CLOSED_GOAL_RATIO}x empty Ledger",
            ratio,
            lambda v: v <= CLOSED_GOAL_RATIO,
            fmt_x2(ratio),
        )
        rss = closed["recalc"]["peak_rss_mb"]
        check(
            f"{n} recalc with {months} peak RSS <= {CLOSED_GOAL_MB:.0f} MB",
            rss,
            lambda v: v <= CLOSED_GOAL_MB,
            f"{fmt_mb(rss)} MB",
        )
        ratio = closed.get("close_over_recalc")
        check(
            f"{n} close <= {CLOSE_GOAL_RATIO}x recalc with {months}",
            ratio,
            lambda v: v <= CLOSE_GOAL_RATIO,
            fmt_x2(ratio),
        )
        archive = closed.get("archive") or {}
        ratio = archive.get("after_over_before")
        took = (archive.get("command") or {}).get("median_s")
        check(
            f"{n} recalc after archive no slower (after/before <= {ARCHIVE_NOISE}: noise)",
            ratio,
            lambda v: v <= ARCHIVE_NOISE,
            f"archive {fmt_s(took)} s; after/before {fmt_x2(ratio)}",
        )
        equal = archive.get("generated_equal")
        found.append(
            (
                f"{n} recalc after archive: Billing, Invoices, Comparison unchanged",
                "n/a" if equal is None else ("equal -> met" if equal else "differ -> NOT met"),
            )
        )
    return found


def closed_lines(closed: dict[str, Any]) -> list[str]:
    """The closed-months measurement in a few lines (the later ones indented)."""
    what = f"recalc with the {closed['months']} months before the billing month closed"
    if "error" in closed:
        return [f"{what}: not measured ({closed['error']})"]

    def timed(entry: dict[str, Any]) -> str:
        return f"{fmt_timed(entry)} s, peak RSS {fmt_rss(entry.get('peak_rss_mb'))}"

    recalc = closed["recalc"]
    lines = [f"{what} ({closed['ledger_lines']:,} Ledger lines): {timed(recalc)}"]
    empty = closed.get("empty_ledger")
    if empty is not None:
        shown = f"not measured ({empty['error']})" if "error" in empty else timed(empty["recalc"])
        lines.append(
            f"  the same workbook with an empty Ledger (recalculated once): {shown}; "
            f"closed/empty {fmt_x2(closed.get('closed_over_empty'))} "
            f"(goal <= {CLOSED_GOAL_RATIO}x)"
        )
    close = closed.get("close")
    if close is not None:
        lines.append(
            f"  close {close['month']} on it: {timed(close)}; close/recalc "
            f"{fmt_x2(closed.get('close_over_recalc'))} (goal <= {CLOSE_GOAL_RATIO}x)"
            + (f'; "{close["output"]}"' if close.get("output") else "")
        )
        for error in close.get("errors") or ():
            lines.append(f"  close: {error.strip().splitlines()[-1:]}")
    archive = closed.get("archive")
    if archive is not None:
        lines += archive_lines(archive)
    return lines


def archive_lines(archive: dict[str, Any]) -> list[str]:
    what = (
        f"archive --before {archive['before']} (Correction months "
        f"{archive['correction_months']}, {archive.get('closed', '?')} closed"
    )
    if "ledger_lines" in archive:
        what += f", {archive['ledger_lines']:,} Ledger lines"
    command = archive.get("command")
    if command is None:
        return [f"  {what}): not measured ({archive.get('error', '?')})"]
    lines = [
        f"  {what}): {fmt_timed(command)} s, peak RSS {fmt_rss(command['peak_rss_mb'])}"
        + (f'; "{command["output"]}"' if command.get("output") else "")
    ]
    for error in command.get("errors") or ():
        lines.append(f"  archive: {error.strip().splitlines()[-1:]}")
    if "error" in archive:
        lines.append(f"  {archive['error']}")
    if "recalc_before" in archive:
        before, after = archive["recalc_before"], archive["recalc_after"]
        lines.append(
            f"  recalc {archive['first_open']} before the archive {fmt_timed(before)} s (RSS "
            f"{fmt_rss(before['peak_rss_mb'])}), after it {fmt_timed(after)} s (RSS "
            f"{fmt_rss(after['peak_rss_mb'])}): after/before "
            f"{fmt_x2(archive.get('after_over_before'))}"
        )
        generated = archive.get("generated")
        equal = archive.get("generated_equal")
        verdict = "n/a" if equal is None else "equal" if equal else "NOT equal"
        shown = ", ".join(f"{k} {v}" for k, v in generated.items()) if generated else "n/a"
        lines.append(
            f"  its outputs before/after the archive: Billing, Invoices, Comparison {verdict} "
            f"({shown}; Checks names Usage rows, which move up)"
        )
    return lines


def report_text(result: dict[str, Any]) -> str:
    sizes = result["sizes"]
    times, ratios = [], []
    for name, s in sizes.items():
        if "recalc" not in s:
            times.append([name, s.get("error", "?")] + [""] * 9)
            continue
        recalc, floor, op, lo = s["recalc"], s["floor"], s["openpyxl"], s["libreoffice"]
        lo_base = lo.get("load_save_only")
        times.append(
            [
                name,
                f"{s['workbook']['usage_rows']:,}",
                f"{s['workbook']['billing_lines']:,}",
                fmt_timed(recalc),
                fmt_mb(recalc["peak_rss_mb"]),
                f"{fmt_s(floor['median_s'])} = {fmt_s(floor['read_usage_s'])} + "
                f"{fmt_s(floor['write_generated_s'])}",
                fmt_timed(op),
                fmt_mb(op["peak_rss_mb"]),
                fmt_timed(lo),
                fmt_timed(lo_base) if lo_base else "n/a",
                fmt_mb(lo["peak_rss_mb"]),
            ]
        )
        r = s["ratios"]
        ratios.append(
            [
                name,
                fmt_x(r["recalc_over_floor"]),
                fmt_x(r["openpyxl_over_recalc"]),
                fmt_x(r["libreoffice_over_recalc"]),
                f"{s['per_usage_row_us']['recalc']:.1f}",
                f"{s['per_usage_row_us']['floor']:.1f}",
                "yes" if s["correct"]["ok"] else "NO",
            ]
        )
    out = [
        f"Month {result['month']}; seconds are medians of the run count in brackets; RSS in MB "
        f"(highest run); msp-workbook start-up alone: {fmt_s(result['startup_s'])} s",
        "",
        text_table(
            [
                "size",
                "usage rows",
                "lines",
                "recalc s",
                "RSS",
                "floor s = read + write",
                "openpyxl s",
                "RSS",
                "LibreOffice s",
                "LO load+save only s",
                "RSS",
            ],
            times,
        ),
        "",
        text_table(
            [
                "size",
                "recalc/floor",
                "openpyxl/recalc",
                "LibreOffice/recalc",
                "recalc us/usage row",
                "floor us/usage row",
                "results equal",
            ],
            ratios,
        ),
        "",
    ]
    for pair, entry in result["scaling"].items():
        shown = ", ".join(f"{k} {v:.2f}" for k, v in entry.items())
        out.append(f"growth exponent of time vs usage rows {pair}: {shown} (1.0 = linear)")
    for name, s in sizes.items():
        lo = s.get("libreoffice", {})
        agreement = lo.get("agreement")
        if agreement:
            out.append(
                f"{name}: LibreOffice's formulas agree with recalc on {agreement['agreed']} of "
                f"{agreement['compared']} usage/minimum lines (quantity and net)"
            )
        for key in ("recalc_vs_library", "recalc_vs_plain_run"):
            if key in s.get("correct", {}):
                shown = ", ".join(f"{k} {v}" for k, v in s["correct"][key].items())
                out.append(f"{name}: {key.replace('_', ' ')}: {shown}")
        for what in ("openpyxl", "libreoffice"):
            entry = s.get(what, {})
            if entry.get("note") and entry.get("runs"):
                out.append(f"{name}: {what}: {entry['note']}")
            for error in entry.get("errors") or ():
                out.append(f"{name}: {what}: {error.strip().splitlines()[-1:]}")
        closed = s.get("closed_months")
        if closed:
            out += [f"{name}: {line}" for line in closed_lines(closed)]
    out.append("")
    out.append("Targets (later work):")
    out += [f"  {name}: {verdict}" for name, verdict in result["targets"]]
    return "\n".join(out)
