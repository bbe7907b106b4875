"""LibreOffice headless as a spreadsheet engine: the one place that knows how to start it.

Used by the tests (tests/libreoffice.py) and the benchmark (scripts/benchmark/). A private user
profile can force a full recalculation on load (LibreOffice otherwise keeps cached values).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
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


def find_soffice() -> str | None:
    """Path of the soffice binary, or None where LibreOffice is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def make_profile(folder: Path, full_recalc: bool = True) -> str:
    """A private LibreOffice profile in `folder` (recalculating every formula on load unless
    full_recalc is False); returns its URL for -env:UserInstallation."""
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    if full_recalc:
        (user / "registrymodifications.xcu").write_text(PROFILE_XCU, encoding="utf-8")
    return folder.resolve().as_uri()


def convert_command(
    binary: str, profile: str, files: Sequence[Path], outdir: Path, to: str = "xlsx"
) -> list[str]:
    """The command that opens the files and saves them as `to` into outdir."""
    return [
        binary,
        f"-env:UserInstallation={profile}",
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
