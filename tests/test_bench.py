"""scripts/bench.py at size S, once: it runs end to end, its JSON has the documented shape, and
recalc's results equal the library's in-process billing and a plain in-process recalculation.

This is the CI smoke test of the benchmark: every run inside it has a short timeout, so it cannot
hang. How long it takes is no test of its own: speed is what scripts/bench.py measures, not a
timed test (a loaded machine took 75 s where an idle one takes under a minute)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from msp_workbook.workbook import schema

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "scripts" / "bench.py"
HANG_S = 300  # the whole run, as a guard against a hang only

sys.path.insert(0, str(BENCH.parent))  # as scripts/bench.py does: the package and lo_headless
from benchmark.cli import parse_args  # noqa: E402
from benchmark.data import bench_data  # noqa: E402
from benchmark.documents import bench_documents, documents_text  # noqa: E402
from benchmark.exports import bench_exports, exports_text  # noqa: E402
from benchmark.measure import measure  # noqa: E402
from benchmark.sizes import Size  # noqa: E402
from lo_headless import find_soffice  # noqa: E402


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
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=HANG_S)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(out.read_text(encoding="utf-8")), done.stdout, elapsed


def _measured(entry: dict[str, Any], runs: int = 1) -> None:
    assert entry["status"] == "ok", entry
    assert entry["runs"] == runs
    assert entry["median_s"] > 0
    assert entry["peak_rss_mb"] > 0
    assert len(entry["rss_mb"]) == runs


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
    if find_soffice() is None:
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
    size = Size("tiny", 20, 600)
    first, second = bench_data(size), bench_data(size)
    assert first == second
    keys = {row["License key"] for row in first["Keys"]}
    assert len(keys) == len(first["Keys"])
    assert {row["License key"] for row in first["Usage"]} <= keys
    assert 500 <= len(first["Usage"]) <= 700


def test_a_run_past_its_timeout_is_stopped(tmp_path: Path) -> None:
    started = time.monotonic()
    run = measure([sys.executable, "-c", "import time; time.sleep(60)"], 1, tmp_path)
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
    # Against the same workbook with an empty Ledger; close of 2026-10 on it; archive before
    # 2025-12 of a workbook with every month of usage closed, then recalc of 2026-11 around it.
    _measured(closed["empty_ledger"]["recalc"])
    assert closed["closed_over_empty"] == pytest.approx(
        closed["recalc"]["median_s"] / closed["empty_ledger"]["recalc"]["median_s"]
    )
    _measured(closed["close"])
    assert closed["close"]["output"].startswith("Closed 2026-10: ")
    archive = closed["archive"]
    assert "error" not in archive, archive
    _measured(archive["command"])
    assert archive["command"]["moved_usage"] > 0 and archive["command"]["moved_ledger"] > 0
    assert archive["command"]["output"].startswith("Archived before 2025-12: ")
    _measured(archive["recalc_before"])
    _measured(archive["recalc_after"])
    assert archive["after_over_before"] > 0
    assert archive["generated_equal"], archive["generated"]
    assert "S close <= 1.3x recalc with 2 months closed" in stdout


def test_bench_data_has_what_invoice_documents_need(tmp_path: Path) -> None:
    # The seller's Settings and every customer's address; VAT IDs whose check sums are right (a
    # reverse-charge invoice with a wrong one is refused); German postcodes of five digits.
    from msp_workbook.app.export_files import closed_input, read_tables
    from msp_workbook.core.document_fields import buyer_gaps, seller_gaps
    from msp_workbook.workbook.template.builder import build_workbook

    data = bench_data(Size("tiny", 60, 600))
    assert [r["Setting"] for r in data["Settings"]] == [s.name for s in schema.SETTINGS_SPEC]
    path = tmp_path / "tiny.xlsx"
    build_workbook(path, data)
    read = closed_input(read_tables(path))
    assert not read.errors
    inputs = read.inputs
    assert seller_gaps(inputs.settings) == []
    vat_ids = 0
    for customer in inputs.customers:
        abroad = bool(customer.vat_id) and customer.country not in ("", "DE")
        vat_ids += abroad and not customer.vat_id.startswith("CHE")
        assert buyer_gaps(customer, inputs.settings, reverse_charge=abroad) == [], customer
    assert vat_ids > 0  # some reverse-charge customers with EU VAT IDs were checked


def test_invoice_documents_are_measured(tmp_path: Path) -> None:
    # A tiny workbook: its billing month closed with `close`, then `invoices` timed; WeasyPrint
    # renders a few of the same invoices where it is installed (never installed by the test).
    args = parse_args(
        [
            "--workdir",
            str(tmp_path / "work"),
            "--repeat",
            "1",
            "--timeout",
            "60",
            "--quiet-wait",
            "0",
            "--documents-peer-sample",
            "2",
            "--no-install-peer",
        ]
    )
    args.workdir.mkdir()
    size = Size("T", 12, 400)
    entry = bench_documents(size, args, tmp_path, show_progress=True)
    assert entry["correct"], entry
    assert entry["written"] > 0
    ours = entry["invoices"]
    _measured(ours)
    assert entry["invoices_per_s"] == pytest.approx(entry["written"] / ours["median_s"])
    assert entry["first_run"]["pdf"]["pdfa"] == "3b"
    assert entry["first_run"]["pdf"]["attachments"] == ["factur-x.xml"]
    terminal = entry["terminal"]
    assert terminal["rc"] == 0 and terminal["updates"] > 0 and terminal["cleared"]
    assert f"of {entry['written']}" in terminal["last"]
    peer = entry["weasyprint"]
    if peer["status"] == "ok":
        assert peer["rendered"] == 2 and peer["month_invoices"] == entry["written"]
        assert peer["pdf"]["pdfa"] == "3b" and peer["pdf"]["attachments"] == ["factur-x.xml"]
        assert entry["ours_over_peer"] == pytest.approx(
            entry["invoices_per_s"] / peer["invoices_per_s"]
        )
    else:
        assert "not installed" in peer["note"] and entry["ours_over_peer"] is None
    text = documents_text({"T": entry})
    assert "ours/peer" in text and "L: not measured" in text
    assert not list(tmp_path.glob("documents-*"))  # every run's folder is removed


def test_exports_are_measured(tmp_path: Path) -> None:
    # A tiny workbook: its billing month closed with `close`, then export-datev and export-sepa
    # timed on a fresh copy and again on the same copy; the files checked against the invoices.
    args = parse_args(
        ["--workdir", str(tmp_path / "work"), "--repeat", "1", "--timeout", "60"]
        + ["--quiet-wait", "0"]
    )
    args.workdir.mkdir()
    size = Size("T", 12, 400)
    entry = bench_exports(size, args, tmp_path)
    assert entry["correct"], entry
    expected = entry["expected"]
    assert expected["debits"] > 0  # some customers pay by direct debit
    for name in ("datev", "sepa", "datev_unchanged", "sepa_unchanged"):
        _measured(entry[name])
    datev, sepa = entry["first_run"]["datev"], entry["first_run"]["sepa"]
    assert datev["status"] == "written" and datev["bookings"] == expected["bookings"]
    assert datev["lines"] == datev["bookings"] + 2 and 0 < datev["given"] <= expected["invoices"]
    assert sepa["xsd_valid"] and sepa["nb_of_txs"] == sepa["debits"] == expected["debits"]
    assert entry["first_run"]["sepa_unchanged"]["status"] == "unchanged"
    assert entry["first_run"]["datev_unchanged"]["workbook_unchanged"]
    text = exports_text({"T": entry})
    assert "again s" in text and "XSD valid" in text
    assert not list(tmp_path.glob("exports-*"))  # every run's copy is removed
