"""A run of the command line: parse the arguments, take the workbook's lock for a writing
command, start the early loads of the Usage and Ledger sheets, run the command with the cyclic
garbage collector off, print the report and exit with its code."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..workbook import early as early_loads
from ..workbook.errors import WorkbookError
from ..workbook.package import lock, safe_save
from .data_commands import archive_command, import_usage_command, quote_command, reconcile_command
from .month_commands import month_command
from .output_commands import export_datev_command, export_sepa_command, invoices_command
from .parser import build_parser
from .report import EXIT_CANNOT_RUN, print_report

if TYPE_CHECKING:
    from ..workbook.early import EarlyLoads


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code. Output goes to stdout, problems to stderr."""
    args = build_parser().parse_args(argv)
    lines: list[str] = []
    try:
        with _no_cycle_collection():
            code = _dispatch(args, lines)
    except WorkbookError as exc:
        print(f"msp-workbook: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    print_report("\n".join(lines))
    return code


# Commands that read the Usage sheet: its load starts in a child process before the rest of the
# program is imported (see `workbook/usage_sheet.py`), and so does the Ledger sheet's
# (`workbook/ledger_sheet.py`).
READS_USAGE = ("recalc", "check", "close", "reconcile")
# Commands that write the workbook: each holds its lock from the first read to the save.
WRITES = ("recalc", "close", "new-key", "import-usage", "reconcile", "archive")


def _dispatch(args: argparse.Namespace, out: list[str]) -> int:
    with _write_lock(args):
        early = early_loads.start(args.path) if args.command in READS_USAGE else None
        try:
            return _command(args, out, early)
        finally:
            if early is not None:
                early.close()


@contextmanager
def _write_lock(args: argparse.Namespace) -> Iterator[None]:
    """A writing command takes the workbook's lock before anything reads it (the Usage sheet's
    load starts right after); the operation it calls finds the lock held. Where the workbook is
    no file, or cannot be saved, the operation says why without a lock being made."""
    if (
        args.command not in WRITES
        or getattr(args, "dry_run", False)
        or not Path(args.path).is_file()
    ):
        yield
        return
    from ..workbook.package.file_checks import check_workbook_file

    check_workbook_file(args.path)  # a file that is no workbook gets no lock file beside it
    dest = getattr(args, "out", None) or args.path
    if dest != args.path:
        safe_save.check_same_kind(args.path, dest)
    safe_save.check_can_save(dest)
    with lock.writing(dest, args.wait):
        yield


def _command(args: argparse.Namespace, out: list[str], early: EarlyLoads | None) -> int:
    """The command's handler; `new`, `new-key`, `check`, `recalc`, `close` and `demo` share one."""
    if args.command == "quote":
        return quote_command(args, out)
    if args.command == "import-usage":
        return import_usage_command(args, out)
    if args.command == "reconcile":
        return reconcile_command(args, out, early)
    if args.command == "invoices":
        return invoices_command(args, out)
    if args.command == "export-datev":
        return export_datev_command(args, out)
    if args.command == "export-sepa":
        return export_sepa_command(args, out)
    if args.command == "archive":
        return archive_command(args, out)
    return month_command(args, out, early)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """A run creates millions of short-lived objects (Decimals, lines, rows) that form no cycles:
    reference counting frees them. The cyclic garbage collector would still scan everything alive,
    over and over (about half a second of a million-row recalculation, with no memory to show for
    it: the peak is the same without it). It is off for the run and as it was afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def main() -> None:
    """The console script `msp-workbook` (and `python -m msp_workbook.cli`): run, then exit."""
    # numpy asks the kernel for huge pages for its large arrays; touching one the first time
    # then zeroes 2 MiB at once, which cost a million-row run a quarter of a second of system
    # time for no gain in a process this short. Read when numpy is imported; an admin may set it.
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    sys.exit(run())
