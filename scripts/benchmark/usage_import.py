"""Usage import: `msp-workbook import-usage` of a seeded German usage report into a size's
workbook, against openpyxl doing the same append (load, append, save)."""

from __future__ import annotations

import argparse
import contextlib
import random
import shutil
from pathlib import Path
from typing import Any

from msp_workbook.workbook import schema

from .data import bench_data, product_metrics
from .measure import (
    Run,
    child_command,
    measure,
    msp_workbook_command,
    progress,
    ratio_of,
    repeat_runs,
)
from .sizes import BILL_MONTH, SEED, Size
from .tables import fmt_mb, fmt_s, fmt_timed, fmt_x, text_table
from .workbooks import bench_workbook

EXCEL_MAX_ROWS = 1_048_576
IMPORT_MARGIN = 10_000  # rows kept free besides the report's (the generated count varies a little)


def import_report(size: Size, readings: int, path: Path) -> int:
    """A German report (`;`, 31.10.2026, 1.234) of `readings` readings for the size's keys, in
    the month after the billing month; returns how many lines it has."""
    data = bench_data(size)
    metrics = product_metrics()
    pairs = [
        (k["License key"], metric)
        for k in data[schema.KEYS.name]
        for metric, _ in metrics.get(str(k["Product ID"]), [])
    ]
    rng = random.Random(SEED + 7)
    month = BILL_MONTH.shift(1)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("Date;License key;Metric;Quantity\r\n")
        for _ in range(readings):
            key, metric = pairs[rng.randrange(len(pairs))]
            day = rng.randint(1, 28)
            quantity = f"{rng.randint(0, 5000):,}".replace(",", ".")
            f.write(f"{day:02}.{month.month:02}.{month.year};{key};{metric};{quantity}\r\n")
    return readings


def import_target(size: Size, readings: int) -> Size:
    """The size itself, or where its Usage leaves no room for the readings below Excel's last
    row (L holds about a million rows), the same customers with as many rows as leave room."""
    room = EXCEL_MAX_ROWS - readings - IMPORT_MARGIN
    if size.usage_rows <= room:
        return size
    return Size(f"{size.name}room{readings // 1000}k", size.customers, room)


def bench_import(size: Size, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """`msp-workbook import-usage` of a report into the size's workbook against openpyxl doing
    the same append (load, append, save)."""
    size = import_target(size, args.import_readings)
    workbook, _ = bench_workbook(size, args.workdir, args.rebuild)
    report = tmp / f"usage-report-{size.name}.csv"
    lines = import_report(size, args.import_readings, report)

    def ours(i: int) -> Run:
        copy = tmp / f"import-{i}.xlsx"
        shutil.copyfile(workbook, copy)
        run = measure(
            [*msp_workbook_command(), "import-usage", str(copy), str(report)], args.timeout, tmp
        )
        if i == 0:
            from msp_workbook.workbook.places import table_place

            added = table_place(copy, schema.USAGE).last_row
            run.extra = {"usage_last_row_after": added}
        copy.unlink()
        return run

    progress(f"{size.name}: import-usage of {lines:,} readings")
    measured = repeat_runs(args.repeat, ours)
    progress(f"{size.name}: the same import with openpyxl (once)")
    out = tmp / "openpyxl-import.xlsx"
    peer = measure(
        child_command("openpyxl-import", str(workbook), str(report), str(out)),
        args.openpyxl_timeout,
        tmp,
    )
    with contextlib.suppress(OSError):
        out.unlink()
    ratio = ratio_of(peer.wall_s, measured.median_s)
    return {
        "readings": lines,
        "usage_rows_before": table_rows(workbook),
        "import": measured.to_json(),
        "openpyxl": {
            "wall_s": peer.wall_s,
            "peak_rss_mb": peer.rss_mb,
            "rc": peer.rc,
            "stages": peer.extra,
        },
        "openpyxl_over_import": ratio,
    }


def table_rows(path: Path) -> int:
    from msp_workbook.workbook.places import table_place

    place = table_place(path, schema.USAGE)
    return place.last_row - place.header_row - 1


def import_text(imports: dict[str, Any]) -> str:
    rows = []
    for name, entry in imports.items():
        ours, peer = entry["import"], entry["openpyxl"]
        rows.append(
            [
                name,
                f"{entry['usage_rows_before']:,}",
                f"{entry['readings']:,}",
                fmt_timed(ours),
                fmt_mb(ours["peak_rss_mb"]),
                fmt_s(peer["wall_s"]),
                fmt_mb(peer["peak_rss_mb"]),
                fmt_x(entry["openpyxl_over_import"]),
            ]
        )
    header = [
        "size",
        "usage rows",
        "imported",
        "import-usage s",
        "RSS MB",
        "openpyxl s",
        "RSS MB",
        "openpyxl/import",
    ]
    return "Usage import (goal: openpyxl/import >= 20x, peak RSS < 1 GB)\n" + text_table(
        header, rows
    )
