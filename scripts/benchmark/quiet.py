"""Measuring on a shared machine: waiting until other work leaves the cores alone, and measuring a
run again when other work shared the cores with it."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .measure import Run, measure, progress, ratio_of
from .sampler import busy_s

QUIET_CORES = 0.25  # other work below this many busy cores leaves a run's figures alone


def wait_for_quiet(limit_s: float, below: float = QUIET_CORES, window_s: float = 2.0) -> float:
    """Wait (at most `limit_s`) until other work keeps less than `below` cores busy over
    `window_s`; the load last seen (cores). The machine is shared: a run next to other work
    measures the other work too."""
    if limit_s <= 0:
        return 0.0
    deadline = time.monotonic() + limit_s
    while True:
        before = busy_s()
        time.sleep(window_s)
        load = (busy_s() - before) / window_s
        if load < below or time.monotonic() >= deadline:
            return load
        progress(f"waiting for a quiet machine (other work keeps {load:.1f} cores busy)")
        time.sleep(min(10.0, max(0.0, deadline - time.monotonic())))


def quiet_measure(
    cmd: Sequence[str], args: argparse.Namespace, tmp: Path, before: Callable[[], None]
) -> Run:
    """`measure` after waiting for a quiet machine; measured again (twice at most, `before`
    called first each time) when other work kept more than a quarter of a core busy during the
    run. The run's extra says how many runs were dropped."""
    dropped = 0
    while True:
        before()
        wait_for_quiet(args.quiet_wait)
        run = measure(cmd, args.timeout, tmp)
        load = ratio_of(run.others_cpu_s, run.wall_s) or 0.0
        if args.quiet_wait <= 0 or load < QUIET_CORES or dropped == 2 or run.rc != 0:
            run.extra = {**(run.extra or {}), "dropped_runs": dropped}
            return run
        dropped += 1
        progress(f"other work kept {load:.1f} cores busy during the run: measuring it again")
