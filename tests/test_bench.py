"""scripts/bench.py at size S, once: it runs end to end, its JSON has the documented shape, and
recalc's results equal the library's in-process billing and a plain in-process recalculation.

This is the CI smoke test of the benchmark: every run inside it has a short timeout, so it cannot
hang (the whole test takes well under a minute)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "scripts" / "bench.py"
BUDGET_S = 60


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module
    spec.loader.exec_module(module)
    return module


bench = _bench()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str, float]:
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "bench.json"
    cmd = [
        sys.executable,
        str(BENCH),
        "--sizes",
        "S",
        "--repeat",
        "1",
        "--json",
        str(out),
        "--workdir",
        str(folder / "work"),
        "--timeout",
        "40",
        "--openpyxl-timeout",
        "20",
        "--closed-months-at",
        "S",
        "--closed-months",
        "2",
    ]
    started = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=BUDGET_S + 30)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(out.read_text(encoding="utf-8")), done.stdout, elapsed


def _measured(entry: dict[str, Any], runs: int = 1) -> None:
    assert entry["status"] == "ok", entry
    assert entry["runs"] == runs
    assert entry["median_s"] > 0
    assert entry["peak_rss_mb"] > 0
    assert len(entry["rss_mb"]) == runs


def test_finishes_within_budget(run: tuple[dict[str, Any], str, float]) -> None:
    assert run[2] < BUDGET_S


def test_json_shape(run: tuple[dict[str, Any], str, float]) -> None:
    result = run[0]
    assert {"version", "machine", "month", "repeat", "startup_s", "sizes", "scaling"} <= set(result)
    assert result["repeat"] == 1
    assert list(result["sizes"]) == ["S"]
    s = result["sizes"]["S"]
    workbook = s["workbook"]
    assert workbook["customers"] == 200
    assert 5_500 <= workbook["usage_rows"] <= 6_500
    assert workbook["billing_lines"] > 0 and workbook["invoices"] > 0
    _measured(s["recalc"])
    _measured(s["openpyxl"])
    floor = s["floor"]
    assert floor["read_usage_s"] > 0 and floor["write_generated_s"] > 0
    assert floor["median_s"] == pytest.approx(floor["read_usage_s"] + floor["write_generated_s"])
    assert floor["reported"][0]["usage_rows"] == workbook["usage_rows"]
    ratios = s["ratios"]
    assert set(ratios) == {"recalc_over_floor", "openpyxl_over_recalc", "libreoffice_over_recalc"}
    assert ratios["recalc_over_floor"] == pytest.approx(s["recalc"]["median_s"] / floor["median_s"])
    assert ratios["openpyxl_over_recalc"] > 0
    lo = s["libreoffice"]
    if bench.find_soffice() is None:
        assert lo["status"] == "skipped" and ratios["libreoffice_over_recalc"] is None
    else:
        _measured(lo)
        _measured(lo["load_save_only"])
        # LibreOffice's formulas compute the same quantities and net amounts as recalc.
        assert lo["agreement"]["compared"] > 0
        assert lo["agreement"]["agreed"] == lo["agreement"]["compared"]


def test_results_equal_the_plain_path(run: tuple[dict[str, Any], str, float]) -> None:
    result, stdout, _ = run
    correct = result["sizes"]["S"]["correct"]
    assert correct["ok"] and result["correct"]
    for comparison in ("recalc_vs_library", "recalc_vs_plain_run"):
        assert set(correct[comparison]) == {"Billing", "Invoices", "Comparison", "Checks"}
        assert all(v.startswith("equal") for v in correct[comparison].values()), correct
    assert "recalc/floor" in stdout and "openpyxl/recalc" in stdout


def test_data_is_reproducible() -> None:
    size = bench.Size("tiny", 20, 600)
    first, second = bench.bench_data(size), bench.bench_data(size)
    assert first == second
    keys = {row["License key"] for row in first["Keys"]}
    assert len(keys) == len(first["Keys"])
    assert {row["License key"] for row in first["Usage"]} <= keys
    assert 500 <= len(first["Usage"]) <= 700


def test_a_run_past_its_timeout_is_stopped(tmp_path: Path) -> None:
    started = time.monotonic()
    run = bench.measure([sys.executable, "-c", "import time; time.sleep(60)"], 1, tmp_path)
    assert run.wall_s is None and run.rc is None
    assert time.monotonic() - started < 10


def test_recalc_with_closed_months_is_measured(run: tuple[dict[str, Any], str, float]) -> None:
    # 2026-08 and 2026-09 closed with the real `close` command before recalculating 2026-10.
    result, stdout, _ = run
    closed = result["sizes"]["S"]["closed_months"]
    assert closed["months"] == 2
    billing_lines = result["sizes"]["S"]["workbook"]["billing_lines"]
    assert billing_lines / 2 < closed["ledger_lines"] < billing_lines * 3  # two months of lines
    _measured(closed["recalc"])
    shown = (
        f"S: recalc with the 2 months before the billing month closed ({closed['ledger_lines']:,}"
    )
    assert shown in stdout
