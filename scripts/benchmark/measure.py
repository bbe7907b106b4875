"""Running a command and measuring it: its wall time, the peak memory of its process tree (the
sampler, `sampler.py`, runs it), CPU time; repeated and alternated runs and their medians."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

# The measuring wrapper (`sampler.py`), run as a script: it measures the command it starts and
# writes what it found to a JSON file. As a file (not `python -m`, which would need this folder
# on the command's PYTHONPATH) nothing about the measured command's environment changes.
SAMPLER = Path(__file__).resolve().with_name("sampler.py")
ENTRY = Path(__file__).resolve().parents[1] / "bench.py"  # the benchmark's script (child commands)


@dataclass
class Run:
    wall_s: float | None  # None: timed out
    rss_mb: float | None
    rc: int | None
    stderr: str = ""
    extra: dict[str, Any] | None = None  # what the command itself reported (child commands)
    pss_mb: float | None = None  # the process tree's summed PSS at its sampled peak
    cpu_s: float | None = None  # CPU time of the command and its descendants
    others_cpu_s: float | None = None  # CPU time the rest of the machine used meanwhile
    stdout: str = ""  # the command's output, when `measure` was asked to keep it


def measure(cmd: Sequence[str], timeout: float, tmp: Path, keep_stdout: bool = False) -> Run:
    """Run `cmd` once under the measuring wrapper, in its own session (killed whole on timeout).
    With `keep_stdout` the command's output is written to a file (not a pipe: nothing but the
    command reads it meanwhile) and returned in the run."""
    report = tmp / f"measure-{time.monotonic_ns()}.json"
    extra_file = tmp / f"extra-{time.monotonic_ns()}.json"
    stdout_file = tmp / f"stdout-{time.monotonic_ns()}.txt"
    child_env = dict(os.environ)
    child_env["BENCH_EXTRA"] = str(extra_file)
    if keep_stdout:
        child_env["BENCH_STDOUT"] = str(stdout_file)
    proc = subprocess.Popen(
        [sys.executable, str(SAMPLER), str(report), *cmd],
        start_new_session=True,
        env=child_env,
        stdout=subprocess.DEVNULL,
    )
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()
        stdout_file.unlink(missing_ok=True)
        return Run(None, None, None, f"timed out after {timeout:.0f} s", {"timeout_s": timeout})
    data = json.loads(report.read_text(encoding="utf-8"))
    report.unlink()
    stdout = ""
    if stdout_file.exists():
        stdout = stdout_file.read_text(encoding="utf-8", errors="replace")
        stdout_file.unlink()
    extra = None
    if extra_file.exists():
        extra = json.loads(extra_file.read_text(encoding="utf-8"))
        extra_file.unlink()
    pss = data.get("tree_pss_kb") or None
    return Run(
        data["wall_s"],
        data["maxrss_kb"] / 1024,
        data["rc"],
        data["stderr"],
        extra,
        pss / 1024 if pss else None,
        data.get("cpu_s"),
        data.get("others_cpu_s"),
        stdout,
    )


def report_extra(values: dict[str, Any]) -> None:
    """A child command's own figures, for `measure` (BENCH_EXTRA names the file)."""
    target = os.environ.get("BENCH_EXTRA")
    if target:
        Path(target).write_text(json.dumps(values), encoding="utf-8")


@dataclass
class Measured:
    """Repeated runs of one measurement."""

    runs: list[Run]
    planned: int
    note: str = ""

    @property
    def ok(self) -> list[Run]:
        return [r for r in self.runs if r.wall_s is not None and r.rc == 0]

    @property
    def median_s(self) -> float | None:
        ok = self.ok
        return statistics.median(r.wall_s for r in ok) if ok and len(ok) == len(self.runs) else None

    @property
    def peak_rss_mb(self) -> float | None:
        ok = self.ok
        return max(r.rss_mb for r in ok) if ok else None  # type: ignore[type-var]

    @property
    def peak_pss_mb(self) -> float | None:
        values = [r.pss_mb for r in self.ok if r.pss_mb is not None]
        return max(values) if values else None

    def extra_median(self, name: str) -> float | None:
        values = [r.extra[name] for r in self.ok if r.extra and name in r.extra]
        return statistics.median(values) if values else None

    def status(self) -> str:
        if not self.runs:
            return "skipped"
        if any(r.wall_s is None for r in self.runs):
            return "timeout"
        if any(r.rc != 0 for r in self.runs):
            return "failed"
        return "ok"

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status(),
            "note": self.note,
            "runs": len(self.runs),
            "median_s": self.median_s,
            "peak_rss_mb": self.peak_rss_mb,
            "peak_pss_mb": self.peak_pss_mb,
            "wall_s": [r.wall_s for r in self.runs],
            "rss_mb": [r.rss_mb for r in self.runs],
            "cpu_s": [r.cpu_s for r in self.runs],
            "others_cores": [
                r.others_cpu_s / r.wall_s if r.others_cpu_s is not None and r.wall_s else None
                for r in self.runs
            ],
            "reported": [r.extra for r in self.runs if r.extra],
            "errors": [r.stderr for r in self.runs if r.rc not in (0, None) or r.wall_s is None],
            "timeout_s": max((r.extra or {}).get("timeout_s", 0) for r in self.runs)
            if self.status() == "timeout"
            else None,
        }


# A measurement whose first run takes longer than this is not repeated (set by --once-above).
ONCE_ABOVE_S = 600.0


def repeat_runs(times: int, run: Callable[[int], Run], note: str = "") -> Measured:
    """`times` runs; stops after a failed or timed-out run, and after a first run longer than
    ONCE_ABOVE_S (the note says so)."""
    measured = Measured([], times, note)
    for i in range(times):
        result = run(i)
        measured.runs.append(result)
        if result.wall_s is None or result.rc != 0:
            break
        if i == 0 and times > 1 and result.wall_s > ONCE_ABOVE_S:
            once = f"run once: the first run took {result.wall_s:.0f} s (> {ONCE_ABOVE_S:.0f} s)"
            measured.note = f"{note}; {once}" if note else once
            break
    return measured


def alternate_runs(times: int, *runs: Callable[[int], Run]) -> tuple[Measured, ...]:
    """`times` runs of each, one of the first, then one of the second, and so on; a measurement
    stops after a failed or timed-out run (the others go on)."""
    measured = tuple(Measured([], times) for _ in runs)
    for i in range(times):
        for m, run in zip(measured, runs, strict=True):
            if m.runs and (m.runs[-1].wall_s is None or m.runs[-1].rc != 0):
                continue
            m.runs.append(run(i))
    return measured


def child_command(*args: str) -> list[str]:
    """scripts/bench.py run as a child command (see `children.child_main`)."""
    return [sys.executable, str(ENTRY), "--child", *args]


def msp_workbook_command() -> list[str]:
    """The `msp-workbook` command beside this Python (else its module run by this Python)."""
    exe = Path(sys.executable).with_name("msp-workbook")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "msp_workbook.cli"]


def progress(text: str) -> None:
    """A line of progress on stderr, with the time."""
    print(f"[bench {datetime.now():%H:%M:%S}] {text}", file=sys.stderr, flush=True)


def ratio_of(a: float | None, b: float | None) -> float | None:
    """a / b, or None when either is missing (or b is 0)."""
    return a / b if a is not None and b else None
