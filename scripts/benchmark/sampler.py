"""The measuring wrapper: runs a command and reports its wall time and its peak memory.

    python scripts/benchmark/sampler.py REPORT.json COMMAND [ARGS...]

(run so by `measure.measure`, as a script of the standard library alone, in its own process;
its folder then comes first on its sys.path, so no module of the package may be named like a
standard-library module it imports).
Peak memory is the highest of the largest single process's peak RSS (getrusage) and the RSS of
the command and all its descendants together, sampled every 50 ms from /proc (recalc loads the
Usage sheet in a child process). The tree's summed PSS is sampled too (every 50 ms for a second,
then twice a second): forked workers share their parent's pages, which the RSS sum counts once
per process and PSS splits between them. The CPU time the rest of the machine used meanwhile (all
CPUs' busy time from /proc/stat less the command's and this wrapper's) tells whether other work
shared the cores with the run.

The command's output goes nowhere, or to the file the environment variable BENCH_STDOUT names
(taken out of the command's environment); the last 2,000 characters of its stderr are reported.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
import threading
import time


def busy_s() -> float:
    """CPU seconds all CPUs spent busy since boot (/proc/stat, less idle and iowait)."""
    with open("/proc/stat", encoding="ascii") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def tree_kb(pid: int, with_pss: bool) -> tuple[int, int]:
    """The summed RSS of process `pid` and its descendants, and their summed PSS (0 unless
    `with_pss`), in KB."""
    total, pss, todo = 0, 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
            if with_pss:  # walks the page tables: a tenth of a core if read every 50 ms
                with open(f"/proc/{p}/smaps_rollup") as f:
                    pss += next((int(line.split()[1]) for line in f if line.startswith("Pss:")), 0)
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError, IndexError):
            pass
    return total, pss


def main(argv: list[str]) -> None:
    """Run the command `argv[1:]`, sampling its tree while it runs; write the figures to the JSON
    file `argv[0]`."""
    report, cmd = argv[0], argv[1:]
    env = dict(os.environ)
    out_file = env.pop("BENCH_STDOUT", "")  # where the command's output goes, if kept
    with open(out_file, "wb") if out_file else contextlib.nullcontext(subprocess.DEVNULL) as out:
        started, busy_start = time.perf_counter(), busy_s()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env)
        err: list[bytes] = []
        reader = threading.Thread(target=lambda: err.append(proc.stderr.read()))  # type: ignore[union-attr]
        reader.start()
        tree_peak = pss_peak = samples = 0
        while proc.poll() is None:
            rss, pss = tree_kb(proc.pid, samples < 20 or samples % 10 == 0)  # then twice a second
            tree_peak, pss_peak, samples = max(tree_peak, rss), max(pss_peak, pss), samples + 1
            time.sleep(0.05)
        wall = time.perf_counter() - started
        reader.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    others = busy_s() - busy_start - cpu - own.ru_utime - own.ru_stime
    figures = {
        "rc": proc.returncode,
        "wall_s": wall,
        "cpu_s": cpu,
        "others_cpu_s": max(0, others),
        "maxrss_kb": max(usage.ru_maxrss, tree_peak),
        "tree_pss_kb": pss_peak,
        "stderr": err[0].decode("utf-8", "replace")[-2000:],
    }
    with open(report, "w", encoding="utf-8") as f:
        json.dump(figures, f)


if __name__ == "__main__":
    main(sys.argv[1:])
