"""One size: `msp-workbook recalc` against its floor, openpyxl and LibreOffice (and the years of
data where asked), its results checked against the plain path; and a cProfile of one recalc."""

from __future__ import annotations

import argparse
import pickle
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from lo_headless import find_soffice

from msp_workbook.workbook import schema

from .correctness import all_equal, compare_outputs, compare_with_expected
from .libreoffice import bench_libreoffice
from .measure import (
    Measured,
    Run,
    alternate_runs,
    child_command,
    measure,
    msp_workbook_command,
    progress,
    ratio_of,
    repeat_runs,
)
from .sizes import BILL_MONTH, Size
from .workbooks import bench_workbook, sha256_of, table_counts
from .years import bench_closed_months


def bench_size(size: Size, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    month = str(BILL_MONTH)
    progress(f"{size.name}: workbook")
    path, build_s = bench_workbook(size, args.workdir, args.rebuild)
    counts = table_counts(path)
    result: dict[str, Any] = {
        "workbook": {
            "path": str(path),
            "bytes": path.stat().st_size,
            "sha256": sha256_of(path),
            "build_s": build_s,
            "customers": counts[schema.CUSTOMERS.name],
            "keys": counts[schema.KEYS.name],
            "usage_rows": counts[schema.USAGE.name],
        }
    }

    progress(f"{size.name}: expected billing (in-process library run)")
    expected_file = tmp / f"{size.name}-expected.pickle"
    plain = tmp / f"{size.name}-plain.xlsx" if size.name in args.plain_at else None
    prepare = measure(
        child_command("prepare", str(path), month, str(expected_file), str(plain or "")),
        args.timeout,
        tmp,
    )
    if prepare.rc != 0:
        result["error"] = f"the in-process billing failed: {prepare.stderr}"
        return result
    with open(expected_file, "rb") as f:
        expected = pickle.load(f)
    billing = expected["tables"][schema.BILLING.name]
    invoices = expected["tables"][schema.INVOICES.name]
    result["workbook"]["billing_lines"] = len(billing)
    result["workbook"]["invoices"] = len(invoices)
    result["expected"] = {"wall_s": prepare.wall_s, **(prepare.extra or {})}

    progress(f"{size.name}: recalc and floor, alternately, x{args.repeat}")
    recalc_out = tmp / f"{size.name}-recalc.xlsx"

    def recalc(i: int) -> Run:
        src = tmp / f"{size.name}-input.xlsx"
        out = tmp / f"{size.name}-recalc-{i}.xlsx"
        shutil.copyfile(path, src)
        cmd = [*msp_workbook_command(), "recalc", str(src), "--month", month, "--out", str(out)]
        run = measure(cmd, args.timeout, tmp)
        src.unlink(missing_ok=True)
        if i == 0 and out.exists():
            out.replace(recalc_out)
        out.unlink(missing_ok=True)
        return run

    floor_out = tmp / f"{size.name}-floor.xlsx"

    def floor(i: int) -> Run:
        run = measure(
            child_command("floor", str(path), str(expected_file), str(floor_out)), args.timeout, tmp
        )
        floor_out.unlink(missing_ok=True)
        return run

    # Alternated, so that a slow spell of the machine weighs on both sides of the ratio.
    recalc_m, floor_m = alternate_runs(args.repeat, recalc, floor)
    result["recalc"] = recalc_m.to_json()
    floor_sums = [
        r.extra["read_usage_s"] + r.extra["write_generated_s"] for r in floor_m.ok if r.extra
    ]
    floor_json = floor_m.to_json()
    floor_json["process_wall_s"] = floor_json.pop("wall_s")
    result["floor"] = {
        **floor_json,
        "median_s": statistics.median(floor_sums) if floor_sums else None,
        "read_usage_s": floor_m.extra_median("read_usage_s"),
        "write_generated_s": floor_m.extra_median("write_generated_s"),
        "note": "fastexcel reading Usage into Arrow + write_tables of the generated sheets; "
        "process start-up and imports not included",
    }

    openpyxl_m = Measured([], 0, "skipped (--skip-openpyxl-at)")
    if size.name not in args.skip_openpyxl_at:
        times = 1 if size.name in args.openpyxl_once_at else args.repeat
        note = f"run once at {size.name} (--openpyxl-once-at)" if times == 1 < args.repeat else ""
        progress(
            f"{size.name}: openpyxl load+save x{times} (timeout {args.openpyxl_timeout:.0f} s)"
        )
        openpyxl_out = tmp / f"{size.name}-openpyxl.xlsx"

        def openpyxl_run(i: int) -> Run:
            run = measure(
                child_command("openpyxl", str(path), str(openpyxl_out)), args.openpyxl_timeout, tmp
            )
            openpyxl_out.unlink(missing_ok=True)
            return run

        openpyxl_m = repeat_runs(times, openpyxl_run, note)
    result["openpyxl"] = openpyxl_m.to_json()

    lo_m = Measured([], 0, f"not run at {size.name} (--libreoffice-at)")
    binary = find_soffice()
    if size.name in args.libreoffice_at and binary is None:
        lo_m.note = "skipped: LibreOffice (soffice) is not installed"
    elif size.name in args.libreoffice_at:
        result["libreoffice"] = bench_libreoffice(size, binary, billing, invoices, args, tmp)
        lo_m = result["libreoffice"].pop("_measured")
    if "libreoffice" not in result:
        result["libreoffice"] = lo_m.to_json()

    if size.name in args.closed_months_at:
        result["closed_months"] = bench_closed_months(size, path, args, tmp)

    progress(f"{size.name}: checks")
    correct: dict[str, Any] = {}
    if recalc_out.exists():
        correct["recalc_vs_library"] = compare_with_expected(recalc_out, expected)
        if plain is not None and plain.exists():
            correct["recalc_vs_plain_run"] = compare_outputs(recalc_out, plain)
        correct["ok"] = all(all_equal(v) for v in correct.values())
    else:
        correct["ok"] = False
        correct["reason"] = "recalc wrote no output"
    result["correct"] = correct

    rows = result["workbook"]["usage_rows"]
    recalc_s, floor_s = recalc_m.median_s, result["floor"]["median_s"]
    result["ratios"] = {
        "recalc_over_floor": ratio_of(recalc_s, floor_s),
        "openpyxl_over_recalc": ratio_of(openpyxl_m.median_s, recalc_s),
        "libreoffice_over_recalc": ratio_of(lo_m.median_s, recalc_s),
    }
    result["per_usage_row_us"] = {
        "recalc": ratio_of(recalc_s, rows / 1e6),
        "floor": ratio_of(floor_s, rows / 1e6),
    }
    for leftover in (recalc_out, plain, expected_file):
        if leftover is not None and not args.keep:
            leftover.unlink(missing_ok=True)
    return result


def profile_recalc(size: Size, args: argparse.Namespace, tmp: Path) -> str:
    """One recalc under cProfile: the .prof file and the top functions by own time."""
    import pstats

    path, _ = bench_workbook(size, args.workdir)
    src, out = tmp / f"{size.name}-profile-input.xlsx", tmp / f"{size.name}-profile-out.xlsx"
    shutil.copyfile(path, src)
    prof = args.workdir / f"recalc-{size.name}.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "msp_workbook.cli"]
    cmd += ["recalc", str(src), "--month", str(BILL_MONTH), "--out", str(out)]
    subprocess.run(cmd, check=False, capture_output=True, timeout=args.timeout)
    src.unlink(missing_ok=True)
    out.unlink(missing_ok=True)
    import io

    text = io.StringIO()
    stats = pstats.Stats(str(prof), stream=text)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)
    return f"profile of recalc at {size.name}: {prof}\n{text.getvalue()}"
