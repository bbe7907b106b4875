"""The command line of `scripts/bench.py`: its options, and the run of every measurement asked for
into the JSON file and the printed tables."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from lo_headless import find_soffice

from . import measure as measuring  # its ONCE_ABOVE_S is set from --once-above
from .children import child_main
from .documents import bench_documents, documents_goals, documents_text
from .exports import bench_exports, exports_text
from .measure import measure, msp_workbook_command, repeat_runs
from .recalc import bench_size, profile_recalc
from .reconcile import bench_reconcile, reconcile_text
from .report import report_text, scaling, targets
from .sizes import BILL_MONTH, DEFAULT_WORKDIR, JSON_VERSION, SEED, SIZES
from .usage_import import bench_import, import_text


def machine() -> dict[str, Any]:
    """The machine and the versions the figures were measured with."""
    from importlib.metadata import version

    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    for package in (
        "fastexcel",
        "pyarrow",
        "numpy",
        "python-calamine",
        "openpyxl",
        "xlsxwriter",
        "msp-workbook",
    ):
        try:
            info[package] = version(package)
        except Exception:
            info[package] = None
    binary = find_soffice()
    if binary:
        done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60)
        info["libreoffice"] = done.stdout.strip()
    return info


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench.py",
        description="Benchmark msp-workbook recalc against its floor, openpyxl and LibreOffice.",
    )
    names = list(SIZES)
    parser.add_argument("--sizes", nargs="*", choices=names, default=["S", "M"])
    parser.add_argument(
        "--import-at",
        nargs="*",
        choices=names,
        default=[],
        help="also measure import-usage of a report into these sizes against openpyxl",
    )
    parser.add_argument(
        "--import-readings", type=int, default=100_000, help="readings in that report"
    )
    parser.add_argument(
        "--reconcile-at",
        nargs="*",
        choices=names,
        default=[],
        help="also measure reconcile of these sizes against a statement, beside their recalc",
    )
    parser.add_argument(
        "--statement-lines", type=int, default=20_000, help="lines of that statement"
    )
    parser.add_argument(
        "--documents-at",
        nargs="*",
        choices=names,
        default=[],
        help="also measure the invoice documents of these sizes' closed billing month against "
        "WeasyPrint (installed with pip when missing)",
    )
    parser.add_argument(
        "--documents-peer-sample",
        type=int,
        default=300,
        help="invoices WeasyPrint renders per size (its first; 0 = all)",
    )
    parser.add_argument(
        "--no-install-peer",
        dest="install_peer",
        action="store_false",
        help="do not pip-install WeasyPrint when it is missing (the peer is then skipped)",
    )
    parser.add_argument(
        "--exports-at",
        nargs="*",
        choices=names,
        default=[],
        help="also measure export-datev and export-sepa of these sizes' closed billing month",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=300,
        help="seconds to wait before each invoice documents run (and each run of the exports) "
        "for other work on the machine to settle (below 0.25 busy cores); an invoice documents "
        "run that other work shared is measured again, twice at most (0: neither)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_WORKDIR / "bench.json", help="where the figures go"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=DEFAULT_WORKDIR,
        help="cached workbooks and scratch files (default: bench-results/)",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    parser.add_argument("--openpyxl-timeout", type=float, default=1200, help="seconds per run")
    parser.add_argument(
        "--once-above",
        type=float,
        default=measuring.ONCE_ABOVE_S,
        help="do not repeat a measurement whose first run took longer (seconds)",
    )
    parser.add_argument("--openpyxl-once-at", nargs="*", choices=names, default=["L"])
    parser.add_argument("--skip-openpyxl-at", nargs="*", choices=names, default=[])
    parser.add_argument("--libreoffice-at", nargs="*", choices=names, default=["S", "M"])
    parser.add_argument(
        "--plain-at",
        nargs="*",
        choices=names,
        default=["S"],
        help="sizes where the output is also compared with a plain in-process recalculation",
    )
    parser.add_argument(
        "--closed-months-at",
        nargs="*",
        choices=names,
        default=["L"],
        help="also recalc these sizes with the months before the billing month closed "
        "(against an empty Ledger), close the billing month, and archive the oldest months",
    )
    parser.add_argument(
        "--closed-months", type=int, default=11, help="how many months (with --closed-months-at)"
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached workbooks")
    parser.add_argument("--keep", action="store_true", help="keep scratch files")
    parser.add_argument(
        "--profile", action="store_true", help="also profile one recalc per size (cProfile)"
    )
    parser.add_argument(
        "--from-json", type=Path, metavar="JSON", help="only print the tables of an earlier run"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.workdir = args.workdir.resolve()
    return args


def main(argv: Sequence[str] | None = None) -> int:
    raw = list(sys.argv[1:] if argv is None else argv)
    if raw[:1] == ["--child"]:
        child_main(raw[1:])
        return 0
    args = parse_args(raw)
    measuring.ONCE_ABOVE_S = args.once_above
    if args.from_json:
        earlier = json.loads(args.from_json.read_text(encoding="utf-8"))
        print(report_text(earlier))
        if earlier.get("documents"):
            print("\n" + documents_text(earlier["documents"]))
        if earlier.get("exports"):
            print("\n" + exports_text(earlier["exports"]))
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "version": JSON_VERSION,
        "command": ["scripts/bench.py", *raw],
        "created": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "month": str(BILL_MONTH),
        "repeat": args.repeat,
        "seed": SEED,
        "sizes": {},
    }
    with tempfile.TemporaryDirectory(prefix="scratch-", dir=args.workdir) as folder:
        tmp = Path(folder)
        startup = repeat_runs(
            args.repeat, lambda i: measure([*msp_workbook_command(), "--version"], 120, tmp)
        )
        result["startup_s"] = startup.median_s
        for name in [n for n in SIZES if n in args.sizes]:
            result["sizes"][name] = bench_size(SIZES[name], args, tmp)
        if args.import_at:
            result["imports"] = {
                name: bench_import(SIZES[name], args, tmp)
                for name in [n for n in SIZES if n in args.import_at]
            }
        if args.reconcile_at:
            result["reconciliations"] = {
                name: bench_reconcile(SIZES[name], args, tmp)
                for name in [n for n in SIZES if n in args.reconcile_at]
            }
        if args.documents_at:
            names = [n for n in SIZES if n in args.documents_at]
            result["documents"] = {
                name: bench_documents(SIZES[name], args, tmp, show_progress=name == names[0])
                for name in names
            }
            result["documents_goals"] = documents_goals(result["documents"])
        if args.exports_at:
            result["exports"] = {
                name: bench_exports(SIZES[name], args, tmp)
                for name in [n for n in SIZES if n in args.exports_at]
            }
        result["scaling"] = scaling(result["sizes"])
        result["targets"] = targets(result["sizes"])
        result["correct"] = all(
            s.get("correct", {}).get("ok", False) for s in result["sizes"].values()
        ) and all(
            d["correct"]
            for d in (*result.get("documents", {}).values(), *result.get("exports", {}).values())
        )
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
        print(report_text(result))
        if result.get("imports"):
            print("\n" + import_text(result["imports"]))
        if result.get("reconciliations"):
            print("\n" + reconcile_text(result["reconciliations"]))
        if result.get("documents"):
            print("\n" + documents_text(result["documents"]))
        if result.get("exports"):
            print("\n" + exports_text(result["exports"]))
        print(f"\nfigures: {args.json}")
        if args.profile:
            for name in [n for n in SIZES if n in args.sizes]:
                print("\n" + profile_recalc(SIZES[name], args, tmp))
    return 0 if result["correct"] else 1


if __name__ == "__main__":
    sys.exit(main())
