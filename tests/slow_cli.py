"""The real command line with its read made slow on purpose, so that races happen when a test
wants them to (tests only; run as `python tests/slow_cli.py ARGS...`).

Environment:
  MSP_TEST_SLOW       seconds to sleep at the slow point (default 0)
  MSP_TEST_SLOW_AT    the slow point: `read` (right after the workbook's tables have been read)
                      or `save` (the new file is being made from the workbook's parts: the save
                      has read the file again and not yet replaced it); default `read`
  MSP_TEST_MARK       a file to create on reaching the slow point (a test waits for it to know
                      that the command has read the workbook and is now "working" on it)
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def pause() -> None:
    mark = os.environ.get("MSP_TEST_MARK")
    if mark:
        Path(mark).write_text("reached\n")
    time.sleep(float(os.environ.get("MSP_TEST_SLOW", "0")))


def after(read: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(read)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = read(*args, **kwargs)
        pause()
        return result

    return wrapper


def before(save: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(save)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        pause()
        return save(*args, **kwargs)

    return wrapper


if __name__ == "__main__":
    from msp_workbook.app import check, new_key, recalc, usage_import
    from msp_workbook.cli.runner import main
    from msp_workbook.workbook.write import writer

    if os.environ.get("MSP_TEST_SLOW_AT", "read") == "save":
        writer.save_package = before(writer.save_package)  # every save: the package is open
    else:
        recalc.read_workbook = after(recalc.read_workbook)  # recalc, close
        check.read_workbook = after(check.read_workbook)  # check
        new_key.open_tables = after(new_key.open_tables)  # new-key
        catalogue = usage_import.Catalogue
        catalogue.read = classmethod(after(catalogue.read.__func__))  # import-usage
    main()
