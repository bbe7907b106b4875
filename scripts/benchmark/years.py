"""Years of data: recalc once the months before the billing month are closed (against an empty
Ledger), `close` of the billing month, and `archive` of the oldest months with recalc before and
after it."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from msp_workbook.core.months import Month
from msp_workbook.workbook import schema

from .correctness import all_equal, compare_outputs
from .measure import (
    Run,
    alternate_runs,
    child_command,
    measure,
    msp_workbook_command,
    progress,
    ratio_of,
    repeat_runs,
)
from .sizes import BILL_MONTH, MONTHS, Size
from .workbooks import closed_workbook, recalculated_workbook, remove_leftovers, table_counts

CLOSED_GOAL_RATIO = 1.3  # recalc with the months closed: at most 1.3x the same with an empty Ledger
CLOSED_GOAL_MB = 700.0  # and its peak RSS
CLOSE_GOAL_RATIO = 1.3  # close of the billing month: at most 1.3x the recalc
ARCHIVE_NOISE = 1.05  # recalc after an archive "no slower" than before: within 5 % (noise)
FIRST_OPEN = BILL_MONTH.shift(1)  # the first open month once the billing month is closed
# The latest month `archive --before` accepts then with Correction months 0: the first month of
# the first open month's comparison window (it and the 11 months before it).
ARCHIVE_BEFORE = FIRST_OPEN.shift(-11)
ARCHIVE_CORRECTION_MONTHS = 0  # the default 12 covers every month of usage: nothing could move
ARCHIVE_COMPARED = (schema.BILLING, schema.INVOICES, schema.COMPARISON)  # must stay the same


_ARCHIVED = re.compile(
    r"Archived before (?P<cut>\S+): (?P<usage>[\d,]+) usage readings and "
    r"(?:(?P<ledger>[\d,]+) Ledger lines of (?P<months>[^;]+?)|no Ledger lines) moved to "
    r"(?P<files>[^;]+); (?P<kept>[\d,]+) latest readings stay"
)


def archive_facts(line: str) -> dict[str, Any]:
    """What `archive` says it moved, from its line of output."""
    found = _ARCHIVED.search(line)
    if not found:
        return {"moved_usage": 0, "moved_ledger": 0}
    return {
        "moved_usage": int(found["usage"].replace(",", "")),
        "moved_ledger": int((found["ledger"] or "0").replace(",", "")),
        "ledger_months": found["months"],
        "kept_usage": int(found["kept"].replace(",", "")),
        "files": found["files"].split(", "),
    }


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _recalc_runs(
    size: Size,
    source: Path,
    month: Month,
    tag: str,
    args: argparse.Namespace,
    tmp: Path,
    keep: Path | None = None,
) -> Callable[[int], Run]:
    """`recalc SRC --month M --out OUT` runs on a fresh copy of `source` each; the first run's
    output is kept at `keep`."""

    def run(i: int) -> Run:
        src = tmp / f"{size.name}-{tag}-input.xlsx"
        out = tmp / f"{size.name}-{tag}-recalc.xlsx"
        shutil.copyfile(source, src)
        cmd = [
            *msp_workbook_command(),
            "recalc",
            str(src),
            "--month",
            str(month),
            "--out",
            str(out),
        ]
        result = measure(cmd, args.timeout, tmp)
        src.unlink(missing_ok=True)
        if keep is not None and i == 0 and result.rc == 0 and out.exists():
            out.replace(keep)
        out.unlink(missing_ok=True)
        remove_leftovers(src, out)
        return result

    return run


def bench_closed_months(
    size: Size, path: Path, args: argparse.Namespace, tmp: Path
) -> dict[str, Any]:
    """recalc of the billing month once the months before it are closed: the Ledger holds a
    year of lines and the comparison reads most of its window from it; against the same
    workbook recalculated once (an empty Ledger), alternately. Then `close` of the billing month
    on a fresh copy each run, and `archive` of the oldest months with every month of usage closed
    (`bench_archive`). Errors are reported in the result, not raised."""
    months = args.closed_months
    try:
        closed = closed_workbook(size, path, months, args)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        return {"months": months, "error": str(exc)}
    result: dict[str, Any] = {
        "months": months,
        "workbook": str(closed),
        "ledger_lines": table_counts(closed, (schema.LEDGER,))[schema.LEDGER.name],
    }
    empty: dict[str, Any] = {}
    try:
        recalculated, build_s = recalculated_workbook(size, path, args)
        empty.update({"workbook": str(recalculated), "build_s": build_s})
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        recalculated, empty["error"] = None, str(exc)

    month = str(BILL_MONTH)
    after_close = tmp / f"{size.name}-closed-through-{BILL_MONTH}.xlsx"
    close_output: list[str] = []

    def close(i: int) -> Run:
        folder = tmp / f"{size.name}-close-{i}"
        folder.mkdir()
        copy = folder / closed.name
        shutil.copyfile(closed, copy)
        run = measure(
            [*msp_workbook_command(), "close", str(copy), "--month", month],
            args.timeout,
            tmp,
            keep_stdout=True,
        )
        if i == 0:
            close_output.append(_first_line(run.stdout))
            if run.rc == 0:
                copy.replace(after_close)  # the workbook after the close, for the archive
        shutil.rmtree(folder)
        return run

    # Alternated, so that a slow spell of the machine weighs on every side of the ratios.
    runs = [_recalc_runs(size, closed, BILL_MONTH, "closed", args, tmp), close]
    if recalculated is not None:
        runs.append(_recalc_runs(size, recalculated, BILL_MONTH, "empty-ledger", args, tmp))
    progress(
        f"{size.name}: recalc with {months} months closed, close {month} on it"
        + (", recalc with an empty Ledger" if recalculated is not None else "")
        + f", alternately, x{args.repeat}"
    )
    closed_m, close_m, *empty_m = alternate_runs(args.repeat, *runs)
    result["recalc"] = closed_m.to_json()
    if empty_m:
        empty["recalc"] = empty_m[0].to_json()
    result["empty_ledger"] = empty
    result["closed_over_empty"] = ratio_of(
        closed_m.median_s, empty_m[0].median_s if empty_m else None
    )
    result["close"] = {
        "month": month,
        **close_m.to_json(),
        "output": close_output[0] if close_output else "",
    }
    result["close_over_recalc"] = ratio_of(close_m.median_s, closed_m.median_s)
    result["archive"] = bench_archive(
        size, path, after_close if after_close.exists() else None, args, tmp
    )
    if not args.keep:
        after_close.unlink(missing_ok=True)
    return result


def bench_archive(
    size: Size, path: Path, after_close: Path | None, args: argparse.Namespace, tmp: Path
) -> dict[str, Any]:
    """`archive --before ARCHIVE_BEFORE` on a fresh copy each run of a workbook whose months are
    closed up to the billing month, with Correction months 0; then recalc of the first open month
    on the archived copy against the same on the copy before the archive (alternately), and
    whether their Billing, Invoices and Comparison are equal.

    The archive moves nothing unless every month before the cut that has usage is closed: the
    workbook after the close above when it closed every month of usage (`--closed-months 13`),
    else the size's workbook with every month of usage closed one by one (cached beside it)."""
    result: dict[str, Any] = {
        "before": str(ARCHIVE_BEFORE),
        "first_open": str(FIRST_OPEN),
        "correction_months": ARCHIVE_CORRECTION_MONTHS,
    }
    first_usage = BILL_MONTH.shift(-(MONTHS - 1))
    if args.closed_months >= MONTHS - 1 and after_close is not None:
        source = after_close
        result["workbook"] = f"the workbook after the close of {BILL_MONTH} above"
    else:
        try:
            source = closed_workbook(size, path, MONTHS, args, last=BILL_MONTH)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            return {**result, "error": f"closing every month of usage: {exc}"}
        result["workbook"] = str(source)
    result["closed"] = f"{first_usage} .. {BILL_MONTH}"

    # The archive's input: that workbook with Correction months 0.
    before = tmp / f"{size.name}-before-archive.xlsx"
    shutil.copyfile(source, before)
    progress(f"{size.name}: Settings' Correction months = {ARCHIVE_CORRECTION_MONTHS}")
    setting = measure(
        child_command("correction-months", str(before), str(ARCHIVE_CORRECTION_MONTHS)),
        args.timeout,
        tmp,
    )
    result["setting_s"] = setting.wall_s
    remove_leftovers(before)
    if setting.rc != 0:
        before.unlink(missing_ok=True)
        return {**result, "error": f"setting Correction months failed: {setting.stderr.strip()}"}
    result["ledger_lines"] = table_counts(before, (schema.LEDGER,))[schema.LEDGER.name]

    archived = tmp / f"{size.name}-archived.xlsx"
    year = ARCHIVE_BEFORE.shift(-1).year

    def archive(i: int) -> Run:
        folder = tmp / f"{size.name}-archive-{i}"
        folder.mkdir()
        copy = folder / f"{size.name}-years.xlsx"
        shutil.copyfile(before, copy)
        cmd = [*msp_workbook_command(), "archive", str(copy), "--before", str(ARCHIVE_BEFORE)]
        run = measure(cmd, args.timeout, tmp, keep_stdout=True)
        line = _first_line(run.stdout)
        facts = archive_facts(line)
        file = copy.with_name(f"{copy.stem}.archive-{year}.xlsx")
        if run.rc == 0 and not file.exists():
            run.rc, run.stderr = -1, f"{file.name} did not appear beside the workbook: {line}"
        elif run.rc == 0 and not (facts["moved_usage"] or facts["moved_ledger"]):
            run.rc, run.stderr = -1, f"nothing was archived: {line}"
        if file.exists():
            facts["archive_file_bytes"] = file.stat().st_size
        run.extra = {**(run.extra or {}), "output": line, **facts}
        if i == 0 and run.rc == 0:
            copy.replace(archived)
        shutil.rmtree(folder)
        return run

    progress(f"{size.name}: archive --before {ARCHIVE_BEFORE} x{args.repeat}")
    archive_m = repeat_runs(args.repeat, archive)
    first = (archive_m.runs[0].extra or {}) if archive_m.runs else {}
    result["command"] = {
        **archive_m.to_json(),
        "output": first.get("output", ""),
        "archive_file": f"NAME.archive-{year}.xlsx",
        **{
            k: first[k]
            for k in ("moved_usage", "moved_ledger", "kept_usage", "archive_file_bytes")
            if k in first
        },
    }
    if not archived.exists():
        before.unlink(missing_ok=True)
        return {**result, "error": "the archive failed: recalc after it is not measured"}

    progress(f"{size.name}: recalc {FIRST_OPEN} before and after the archive x{args.repeat}")
    outputs = (tmp / f"{size.name}-before-archive-out.xlsx", tmp / f"{size.name}-archived-out.xlsx")
    before_m, after_m = alternate_runs(
        args.repeat,
        _recalc_runs(size, before, FIRST_OPEN, "before-archive", args, tmp, keep=outputs[0]),
        _recalc_runs(size, archived, FIRST_OPEN, "archived", args, tmp, keep=outputs[1]),
    )
    result["recalc_before"] = before_m.to_json()
    result["recalc_after"] = after_m.to_json()
    result["after_over_before"] = ratio_of(after_m.median_s, before_m.median_s)
    if all(o.exists() for o in outputs):
        generated = compare_outputs(*outputs, tables=(*ARCHIVE_COMPARED, schema.CHECKS))
        result["generated"] = generated
        result["generated_equal"] = all_equal(
            {t.sheet: generated[t.sheet] for t in ARCHIVE_COMPARED}
        )
    else:
        result["generated_equal"] = None
    for leftover in (before, archived, *outputs):
        if not args.keep:
            leftover.unlink(missing_ok=True)
    return result
