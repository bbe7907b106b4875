"""The progress line: shown on a terminal for long runs, never in a pipe or a log."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run_cli

from msp_workbook.progress import CHECKING, COMPUTING, READING, WRITING, TerminalProgress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run_stages(stream, after: float) -> None:
    with TerminalProgress(stream, after=after, tick=0.01) as progress:
        for stage in (READING, CHECKING, COMPUTING, WRITING):
            progress(stage)
            time.sleep(0.05)


def test_terminal_shows_each_stage_with_elapsed_time_and_clears_the_line():
    terminal = FakeTerminal()
    _run_stages(terminal, after=0)
    shown = terminal.getvalue()
    for label in (
        "reading the workbook",
        "checking usage rows",
        "billing and comparing",
        "writing Billing, Invoices, Comparison, Checks",
    ):
        assert f"msp-workbook: {label}... 0 s" in shown
    assert shown.endswith("\r\x1b[K")
    assert "\n" not in shown  # one line, rewritten in place


def test_a_quick_run_shows_nothing():
    terminal = FakeTerminal()
    _run_stages(terminal, after=60)
    assert terminal.getvalue() == ""


def test_nothing_is_shown_when_the_output_is_not_a_terminal():
    piped = io.StringIO()
    _run_stages(piped, after=0)
    assert piped.getvalue() == ""


def test_cli_in_a_pipe_prints_no_progress(make_workbook, example_data):
    path = make_workbook(example_data)
    result = run_cli("recalc", str(path), "--month", "2026-10")
    assert result.returncode == 0
    assert result.stderr == ""


def test_cli_on_a_terminal_shows_the_stages(make_workbook, example_data):
    path = make_workbook(example_data)
    script = Path(sys.executable).with_name("msp-workbook")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "msp_workbook.cli"]
    leader, follower = pty.openpty()
    env = {**os.environ, "MSP_WORKBOOK_PROGRESS_AFTER": "0"}
    try:
        done = subprocess.run(
            [*command, "recalc", str(path), "--month", "2026-10"],
            stdout=subprocess.PIPE,
            stderr=follower,
            env=env,
            timeout=120,
        )
        os.close(follower)
        follower = -1
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is closed once the command has ended
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    assert done.returncode == 0
    text = shown.decode()
    assert "msp-workbook: reading the workbook..." in text
    assert text.endswith("\r\x1b[K")
    assert b"Recalculated" in done.stdout and b"msp-workbook:" not in done.stdout


@pytest.mark.parametrize("enabled", [True, False])
def test_cli_run_turns_the_cycle_collector_off_and_leaves_it_as_it_was(
    make_workbook, example_data, monkeypatch, enabled
):
    import gc

    from msp_workbook.app import check as check_service
    from msp_workbook.cli.runner import run

    path = make_workbook(example_data)
    seen = []
    real_check = check_service.check_workbook

    def check(*args, **kwargs):
        seen.append(gc.isenabled())
        return real_check(*args, **kwargs)

    monkeypatch.setattr(check_service, "check_workbook", check)
    (gc.enable if enabled else gc.disable)()
    try:
        assert run(["check", str(path), "--month", "2026-10"]) == 0
        assert seen == [False]
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
