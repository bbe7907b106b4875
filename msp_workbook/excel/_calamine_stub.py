"""Lets the Excel face import where python-calamine cannot be installed (xlwings Lite runs in
Pyodide, which has no build of it).

The Excel face reads cells from Excel and never opens a workbook file, but the workbook reader
module, which also defines the raw-row records the face shares with the CLI, imports
python-calamine when it is loaded. Where the real package is missing, a stand-in module is
registered under its name: importing works, and any use says why it cannot work here. Where
python-calamine is installed (every desktop install), nothing changes.
"""

from __future__ import annotations

import sys
import types

NAME = "python_calamine"
REASON = (
    "python-calamine is not available here (xlwings Lite runs in Pyodide): reading a workbook "
    "file needs the desktop install; in Excel, the workbook is read from Excel itself"
)


class CalamineUnavailableError(ImportError):
    """Raised on any use of the stand-in."""


def _module() -> types.ModuleType:
    module = types.ModuleType(NAME, "Stand-in: " + REASON)
    module.__msp_workbook_stand_in__ = True  # type: ignore[attr-defined]

    def __getattr__(name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        raise CalamineUnavailableError(REASON)

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    return module


def install() -> bool:
    """Register the stand-in when python-calamine cannot be imported; True when it did."""
    if sys.modules.get(NAME) is not None:
        return False
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        sys.modules[NAME] = _module()
        return True
    return False
