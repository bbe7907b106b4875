"""The benchmark's workbooks on disk, cached in the work folder: each size's seeded workbook
(rebuilt when the generator or the template builder changes) and the same after `msp-workbook
close` of some months or one `recalc`; and what a workbook holds (table rows, its hash)."""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from msp_workbook.core.months import Month
from msp_workbook.workbook import schema

from .data import bench_data
from .measure import msp_workbook_command, progress
from .sizes import BILL_MONTH, GENERATOR_VERSION, REPO, SEED, Size


def _fingerprint(size: Size) -> str:
    """What a cached workbook depends on: the generator and the template builder's sources, and
    the contract's (every file of the schema package, and the core's words it takes)."""
    digest = hashlib.sha256(f"{GENERATOR_VERSION}|{SEED}|{BILL_MONTH}|{size}".encode())
    package = REPO / "msp_workbook"
    builder = sorted((package / "workbook" / "template").glob("*.py"))
    contract = sorted((package / "workbook" / "schema").glob("*.py"))
    for path in (*builder, *contract, package / "core" / "vocabulary.py"):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def bench_workbook(size: Size, workdir: Path, rebuild: bool = False) -> tuple[Path, float | None]:
    """The size's workbook in workdir (built once, then reused), and its build time if built."""
    from msp_workbook.workbook.template.builder import build_workbook

    path = workdir / f"bench-{size.name}-{_fingerprint(size)}.xlsx"
    if path.exists() and not rebuild:
        return path, None
    for old in workdir.glob(f"bench-{size.name}-*.xlsx"):
        old.unlink()
    started = time.perf_counter()
    draft = path.with_suffix(".tmp.xlsx")
    build_workbook(draft, bench_data(size))
    draft.replace(path)
    return path, time.perf_counter() - started


def sha256_of(path: Path) -> str:
    """The SHA-256 of the file's bytes, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_counts(
    path: Path, tables: Sequence[schema.Table] = (schema.CUSTOMERS, schema.KEYS, schema.USAGE)
) -> dict[str, int]:
    """Data rows of the tables (what calamine sees in each Excel table)."""
    import python_calamine as calamine

    book = calamine.CalamineWorkbook.from_path(str(path), load_tables=True)
    try:
        return {t.name: len(book.get_table_by_name(t.name).to_python()) for t in tables}
    finally:
        book.close()


def closed_month_workbook(
    size: Size, path: Path, args: argparse.Namespace
) -> tuple[Path, float | None]:
    """The size's workbook with the billing month closed by `msp-workbook close` (cached beside
    it), and the time the close took if it ran now."""
    closed = path.with_name(f"{path.stem}-closed-{BILL_MONTH}.xlsx")
    if closed.exists() and not args.rebuild:
        return closed, None
    work = closed.with_suffix(".partial.xlsx")
    shutil.copyfile(path, work)
    progress(f"{size.name}: closing {BILL_MONTH}")
    started = time.perf_counter()
    cmd = [*msp_workbook_command(), "close", str(work), "--month", str(BILL_MONTH)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    if done.returncode != 0:
        work.unlink(missing_ok=True)
        raise RuntimeError(f"closing {BILL_MONTH} failed: {done.stderr.strip()}")
    work.replace(closed)
    remove_leftovers(work)  # close's backup of the draft and its lock file
    return closed, time.perf_counter() - started


def remove_leftovers(*workbooks: Path) -> None:
    """The backups the program's saves keep of these workbooks, and their lock files."""
    for work in workbooks:
        for leftover in (
            *work.parent.glob(f"{work.stem}.backup-*.xlsx"),
            *work.parent.glob(f".~*{work.name}"),
        ):
            leftover.unlink(missing_ok=True)


def closed_workbook(
    size: Size, path: Path, months: int, args: argparse.Namespace, last: Month | None = None
) -> Path:
    """The size's workbook after a reseller closed the `months` months up to `last` (default: the
    months before the billing month) one by one with `msp-workbook close` (cached beside it)."""
    last = last or BILL_MONTH.shift(-1)
    name = f"closed{months}" if last == BILL_MONTH.shift(-1) else f"closed{months}-to-{last}"
    closed = path.with_name(f"{path.stem}-{name}.xlsx")
    if closed.exists() and not args.rebuild:
        return closed
    work = closed.with_suffix(".partial.xlsx")
    shutil.copyfile(path, work)
    try:
        for back in range(months - 1, -1, -1):
            month = str(last.shift(-back))
            progress(f"{size.name}: closing {month}")
            cmd = [*msp_workbook_command(), "close", str(work), "--month", month]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
            if done.returncode != 0:
                work.unlink(missing_ok=True)
                raise RuntimeError(f"closing {month} failed: {done.stderr.strip()}")
    finally:
        remove_leftovers(work)
    work.replace(closed)
    return closed


def recalculated_workbook(
    size: Size, path: Path, args: argparse.Namespace
) -> tuple[Path, float | None]:
    """The size's workbook recalculated once for the billing month (`recalc --out`: its
    generated sheets full, as a closed workbook's are), cached beside it; and the time the recalc
    took if it ran now."""
    recalculated = path.with_name(f"{path.stem}-recalculated.xlsx")
    if recalculated.exists() and not args.rebuild:
        return recalculated, None
    src = recalculated.with_suffix(".source.xlsx")
    work = recalculated.with_suffix(".partial.xlsx")
    shutil.copyfile(path, src)
    progress(f"{size.name}: recalculating the workbook once (empty Ledger)")
    started = time.perf_counter()
    cmd = [
        *msp_workbook_command(),
        "recalc",
        str(src),
        "--month",
        str(BILL_MONTH),
        "--out",
        str(work),
    ]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    finally:
        src.unlink(missing_ok=True)
        remove_leftovers(src, work)
    if done.returncode != 0 or not work.exists():
        work.unlink(missing_ok=True)
        raise RuntimeError(f"recalc {BILL_MONTH} failed: {done.stderr.strip()}")
    work.replace(recalculated)
    return recalculated, time.perf_counter() - started
