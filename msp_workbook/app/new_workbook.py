"""New: a fresh workbook from the template (`msp-workbook new`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..workbook.errors import WorkbookError

__all__ = ["new_workbook"]


def new_workbook(path: Path) -> None:
    """A fresh workbook from the template; never overwrites."""
    from ..workbook.package.safe_save import copy_file
    from ..workbook.template.builder import TEMPLATE_PATH, build_workbook

    if path.exists():
        raise WorkbookError(f"{path}: already exists; choose another name or delete it first")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise WorkbookError(f"{path}: the name must end in .xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    if TEMPLATE_PATH.exists():
        copy_file(TEMPLATE_PATH, path)
        return
    with tempfile.TemporaryDirectory() as folder:
        draft = Path(folder) / path.name
        build_workbook(draft)
        copy_file(draft, path)
