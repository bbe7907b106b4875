"""Progress of a long run on a terminal: which stage it is in and for how long.

The library reports stages (`Stage`) through a plain callback; this module turns them into one
line on a terminal, rewritten in place, shown only once a run has taken longer than `after`
seconds (a quick run prints nothing extra) and cleared when the run ends. When the stream is not a
terminal (a pipe, a log file, a scheduled job) it prints nothing at all.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import TextIO

# The stages a run goes through, as the library names them, and how they are shown.
READING, CHECKING, COMPUTING, WRITING = "reading", "checking", "computing", "writing"
LABELS = {
    READING: "reading the workbook",
    CHECKING: "checking usage rows",
    COMPUTING: "billing and comparing",
    WRITING: "writing Billing, Invoices, Comparison, Checks",
}

Progress = Callable[[str], None]

DEFAULT_AFTER = 2.0
# Seconds before the line appears; tests and impatient admins may change it.
AFTER_VARIABLE = "MSP_WORKBOOK_PROGRESS_AFTER"


def no_progress(stage: str) -> None:
    """A progress callback that shows nothing."""


class TerminalProgress:
    """Shows the current stage and the elapsed time on `stream` (when it is a terminal)."""

    def __init__(self, stream: TextIO, after: float | None = None, tick: float = 0.25) -> None:
        self.stream = stream
        self.after = _after() if after is None else after
        self.tick = tick
        self.enabled = _is_terminal(stream)
        self._stage = ""
        self._started = time.monotonic()
        self._shown = False
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def __call__(self, stage: str) -> None:
        with self._lock:
            self._stage = LABELS.get(stage, stage)
        if self.enabled and self._thread is None:
            self._thread = threading.Thread(target=self._run, daemon=True, name="progress")
            self._thread.start()

    def __enter__(self) -> TerminalProgress:
        self._started = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        if self._shown:
            self._write("\r\x1b[K")

    def _run(self) -> None:
        while True:
            elapsed = time.monotonic() - self._started
            if elapsed >= self.after and self.enabled:
                with self._lock:
                    stage = self._stage
                self._write(f"\r\x1b[Kmsp-workbook: {stage}... {elapsed:.0f} s")
                self._shown = True
            if self._done.wait(self.tick):
                return

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: progress is not worth an error
            self.enabled = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _after() -> float:
    try:
        return max(0.0, float(os.environ.get(AFTER_VARIABLE, DEFAULT_AFTER)))
    except ValueError:
        return DEFAULT_AFTER
