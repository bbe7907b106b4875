"""LibreOffice headless as a real spreadsheet engine for tests: recalculate, convert, render.

How LibreOffice is started lives in scripts/lo_headless.py (shared with the benchmark).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from lo_headless import convert_command, find_soffice, make_profile  # noqa: E402


def soffice() -> str:
    """Path of the soffice binary; skips the test where LibreOffice is not installed."""
    path = find_soffice()
    if path is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return path


def convert(
    files: Sequence[Path], outdir: Path, to: str = "xlsx", *, full_recalc: bool = True
) -> list[Path]:
    """Open each file in LibreOffice, recalculate every formula, and save it as `to` in outdir.

    Returns the converted paths in the order given. `to` is a LibreOffice filter spec such as
    "xlsx", "pdf" or "csv:Text - txt - csv (StarCalc):44,34,76". With full_recalc=False LibreOffice
    runs with its default settings, as a user's does (it keeps cached values of formulas that have
    one).
    """
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as folder:
        profile = make_profile(Path(folder), full_recalc)
        cmd = convert_command(soffice(), profile, files, outdir, to)
        subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    ext = to.split(":", 1)[0]
    out = [outdir / f"{Path(f).stem}.{ext}" for f in files]
    missing = [str(p) for p in out if not p.exists()]
    assert not missing, f"LibreOffice produced no output for {missing}"
    return out
