"""Vendor reconciliation: `msp-workbook reconcile` of the billing month against a seeded
distributor's statement, alternating with `recalc` of the same workbook and month."""

from __future__ import annotations

import argparse
import random
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from msp_workbook.workbook import schema
from msp_workbook.workbook.template import example_prices

from .data import bench_data, product_metrics
from .measure import Run, alternate_runs, measure, msp_workbook_command, progress, ratio_of
from .sizes import BILL_MONTH, SEED, Size
from .tables import fmt_mb, fmt_timed, fmt_x, text_table
from .workbooks import bench_workbook


def statement_file(size: Size, lines: int, path: Path) -> int:
    """A distributor's statement (German CSV) for the billing month: `lines` distinct keys and
    metrics of the size's workbook, each charged a random quantity at its cost per unit."""
    data = bench_data(size)
    cost = {(p[0], p[2]): Decimal(p[4]) for p in example_prices.PRODUCTS}
    metrics = product_metrics()
    pairs = [
        (k["License key"], str(k["Product ID"]), metric)
        for k in data[schema.KEYS.name]
        for metric, _ in metrics.get(str(k["Product ID"]), [])
    ]
    rng = random.Random(SEED + 11)
    chosen = rng.sample(pairs, min(lines, len(pairs)))
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("License key;Metric;Quantity;Amount\r\n")
        for key, product, metric in chosen:
            quantity = rng.randint(0, 500)
            amount = f"{quantity * cost[(product, metric)]:.2f}".replace(".", ",")
            f.write(f"{key};{metric};{quantity};{amount}\r\n")
    return len(chosen)


def bench_reconcile(size: Size, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """`msp-workbook reconcile` of the billing month against a statement, alternating with a
    `recalc` of the same workbook and month (its peer: the same read and billing, a bigger
    write)."""
    workbook, _ = bench_workbook(size, args.workdir, args.rebuild)
    statement = tmp / f"statement-{size.name}.csv"
    lines = statement_file(size, args.statement_lines, statement)

    def run(command: list[str]) -> Callable[[int], Run]:
        def once(i: int) -> Run:
            copy = tmp / f"reconcile-{i}.xlsx"
            shutil.copyfile(workbook, copy)
            result = measure(
                [
                    *msp_workbook_command(),
                    command[0],
                    str(copy),
                    *command[1:],
                    "--month",
                    str(BILL_MONTH),
                ],
                args.timeout,
                tmp,
            )
            copy.unlink()
            if command[0] == "reconcile" and result.rc == 1:
                result.rc = 0  # rows that differ (the random statement has many): its result
            return result

        return once

    progress(f"{size.name}: reconcile against {lines:,} statement lines, alternating with recalc")
    ours, peer = alternate_runs(args.repeat, run(["reconcile", str(statement)]), run(["recalc"]))
    return {
        "statement_lines": lines,
        "reconcile": ours.to_json(),
        "recalc": peer.to_json(),
        "reconcile_over_recalc": ratio_of(ours.median_s, peer.median_s),
    }


def reconcile_text(entries: dict[str, Any]) -> str:
    rows = [
        [
            name,
            f"{e['statement_lines']:,}",
            fmt_timed(e["reconcile"]),
            fmt_mb(e["reconcile"]["peak_rss_mb"]),
            fmt_timed(e["recalc"]),
            fmt_mb(e["recalc"]["peak_rss_mb"]),
            fmt_x(e["reconcile_over_recalc"]),
        ]
        for name, e in entries.items()
    ]
    header = ["size", "lines", "reconcile s", "RSS MB", "recalc s", "RSS MB", "reconcile/recalc"]
    return "Vendor reconciliation (goal: reconcile/recalc <= 1.2x)\n" + text_table(header, rows)
