"""LibreOffice headless as a real spreadsheet engine for tests: recalculate, convert, render.

A private user profile forces a full recalculation on load (LibreOffice otherwise keeps cached
values), so converted files hold values LibreOffice computed itself.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest

_PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


def soffice() -> str:
    """Path of the soffice binary; skips the test where LibreOffice is not installed."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return path


def convert(
    files: Sequence[Path], outdir: Path, to: str = "xlsx", *, full_recalc: bool = True
) -> list[Path]:
    """Open each file in LibreOffice, recalculate every formula, and save it as `to` in outdir.

    Returns the converted paths in the order given. `to` is a LibreOffice filter spec such as
    "xlsx", "pdf" or "csv:Text - txt - csv (StarCalc):44,34,76".
    """
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        if full_recalc:
            (user / "registrymodifications.xcu").write_text(_PROFILE_XCU, encoding="utf-8")
        cmd = [
            soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--calc",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            *[str(f) for f in files],
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    ext = to.split(":", 1)[0]
    out = [outdir / f"{Path(f).stem}.{ext}" for f in files]
    missing = [str(p) for p in out if not p.exists()]
    assert not missing, f"LibreOffice produced no output for {missing}"
    return out
