"""The Usage sheet's loader in a child process: what comes back, and what a failing child does
(and does not do) to the run."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from usage_cells import usage_with_cells

from msp_workbook.workbook import isolated, schema, usage_sheet
from msp_workbook.workbook.errors import WorkbookError
from msp_workbook.workbook.isolated import MEMORY_CEILING, ChildFailed, ChildLoad
from msp_workbook.workbook.places import TablePlace
from msp_workbook.workbook.usage_columns import UsageLoad
from msp_workbook.workbook.usage_sheet import load_columns

pytestmark = pytest.mark.skipif(not isolated.available(), reason="loads run in a child on Linux")


def batch() -> pa.RecordBatch:
    return pa.record_batch(
        [pa.array(["5KJ3M-AAAAA", None, "x" * 1000]), pa.array([1, 2, None], pa.int64())],
        names=["key", "quantity"],
    )


def test_the_childs_batch_comes_back_equal():
    with ChildLoad(batch) as child:
        assert child.result().equals(batch())


def test_a_load_that_finds_no_rows_gives_none():
    with ChildLoad(lambda: None) as child:
        assert child.result() is None


def test_a_workbook_error_in_the_child_is_raised_here_word_for_word():
    def refuse() -> None:
        raise WorkbookError('book.xlsx: table "Usage" not found (it belongs on sheet "Usage")')

    with ChildLoad(refuse) as child, pytest.raises(WorkbookError) as error:
        child.result()
    assert str(error.value) == 'book.xlsx: table "Usage" not found (it belongs on sheet "Usage")'


def test_other_errors_in_the_child_are_reported_by_their_first_line():
    def fail() -> None:
        raise ValueError("unexpected end of XML\nsecond line")

    with ChildLoad(fail) as child, pytest.raises(ChildFailed) as error:
        child.result()
    assert error.value.reason == "unexpected end of XML"


def test_an_allocation_past_the_ceiling_fails_at_once_in_the_child():
    too_much = MEMORY_CEILING + (1 << 30)
    with ChildLoad(lambda: bytearray(too_much)) as child, pytest.raises(ChildFailed) as error:
        child.result()
    assert error.value.reason == "out of memory"


def test_a_child_that_aborts_is_reported_with_its_last_words():
    def abort() -> None:
        os.write(2, b"memory allocation of 549755813888 bytes failed\n")
        os.abort()

    with ChildLoad(abort) as child, pytest.raises(ChildFailed) as error:
        child.result()
    assert error.value.reason == (
        "memory allocation of 549755813888 bytes failed; stopped by signal 6"
    )


def test_the_child_writes_nothing_to_the_terminal(capfd):
    def noisy() -> pa.RecordBatch:
        print("to stdout", flush=True)
        print("to stderr", file=sys.stderr, flush=True)
        os.write(2, b"straight to fd 2\n")
        return batch()

    with ChildLoad(noisy) as child:
        child.result()
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_temporary_files_are_removed_whether_or_not_the_result_was_taken(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with ChildLoad(batch) as child:
        child.result()
    with ChildLoad(lambda: __import__("time").sleep(60)):
        pass  # leaving stops the child
    assert list(tmp_path.iterdir()) == []


def test_a_sheet_too_large_for_calamine_ends_only_the_child(make_workbook, example_data, tmp_path):
    """A value in the sheet's last cell makes calamine allocate 512 GiB for the grid and abort
    the process; unchecked, in the child, it costs the run nothing but the child."""
    book = make_workbook(example_data, name="MSP_Billing.xlsx")
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = usage_with_cells(book, tmp_path / "far.xlsx", far, row=None)
    place = UsageLoad(book, in_child=False).place
    with ChildLoad(lambda: load_columns(path, place)) as child, pytest.raises(ChildFailed) as error:
        child.result()
    assert error.value.reason == (
        "memory allocation of 549755813888 bytes failed; stopped by signal 6"
    )


def test_the_usage_sheet_loads_alike_in_a_child_and_in_a_thread(make_workbook, example_data):
    book = make_workbook(example_data, name="MSP_Billing.xlsx")
    loaded = {}
    for in_child in (True, False):
        with UsageLoad(book, in_child=in_child) as loading:
            place, found = loading.result()
        loaded[in_child] = found
    assert place.sheet == schema.USAGE.sheet
    assert loaded[True].num_rows == len(example_data["Usage"]) > 0
    assert loaded[True].equals(loaded[False])


# The Usage sheet loaded in a process whose data may grow by 64 MB at most (RLIMIT_DATA, a
# hard limit its child inherits): a machine short of memory.
_LOADED_SHORT_OF_MEMORY = """
import resource, sys
import fastexcel, pyarrow  # what the load needs, before the limit is set
from msp_workbook.workbook.errors import WorkbookError
from msp_workbook.workbook.usage_columns import UsageLoad

for line in open("/proc/self/status"):
    if line.startswith("VmData:"):
        limit = int(line.split()[1]) * 1024 + (64 << 20)
resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
try:
    with UsageLoad(sys.argv[1], in_child=True) as loading:
        loading.result()
except WorkbookError as error:
    print(error)
"""


def test_a_failed_child_is_one_line_naming_the_sheet(make_workbook, example_data, tmp_path):
    """The reader runs out of memory in the child (a real allocation failure: a sheet reaching
    row 1,000,000 in column E, within the cell limit, whose grid of some 200 MB calamine cannot
    allocate where only 64 MB are left): calamine aborts the child, and the run reports it in
    one line naming the sheet, with the child's last words and how it ended."""
    book = make_workbook(example_data, name="MSP_Billing.xlsx")
    far = '<row r="1000000"><c r="E1000000"><v>1</v></c></row>'
    path = usage_with_cells(book, tmp_path / "tall.xlsx", far, row=None)
    done = subprocess.run(
        [sys.executable, "-c", _LOADED_SHORT_OF_MEMORY, str(path)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert done.stderr == ""
    said = f'{path}: the sheet "Usage" could not be read ('
    assert done.stdout.startswith(said) and done.stdout.count("\n") == 1, done.stdout
    reason = done.stdout[len(said) : -len(")\n")]
    assert re.fullmatch(r"memory allocation of \d+ bytes failed; stopped by signal 6", reason)


def test_a_far_cell_is_refused_by_the_check_while_the_child_loads(
    make_workbook, example_data, tmp_path
):
    book = make_workbook(example_data, name="MSP_Billing.xlsx")
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = usage_with_cells(book, tmp_path / "far.xlsx", far, row=None)
    with UsageLoad(Path(path), in_child=True) as loading, pytest.raises(WorkbookError) as error:
        loading.result()
    assert 'sheet "Usage" is too large to read' in str(error.value)


def test_a_load_started_early_is_taken_over_by_the_reader(make_workbook, example_data):
    book = make_workbook(example_data, name="MSP_Billing.xlsx")
    started = usage_sheet.start(book)
    assert started is not None
    with UsageLoad(book, started=started) as loading:
        place, early = loading.result()
    with UsageLoad(book, in_child=False) as loading:
        _, in_thread = loading.result()
    assert usage_sheet.place_of(early) == place
    assert early.equals(in_thread)


def test_a_workbook_changed_during_the_early_load_is_refused(make_workbook, example_data):
    book = make_workbook(example_data, name="MSP_Billing.xlsx")
    place = UsageLoad(book, in_child=False).place
    moved = TablePlace(place.sheet, place.header_row + 3, place.last_row + 3, place.columns)

    def load_elsewhere() -> pa.RecordBatch:
        found = usage_sheet.load_columns(book, place)
        return found.replace_schema_metadata(
            {b"msp_workbook.place": json.dumps(dataclasses.asdict(moved))}
        )

    child = ChildLoad(load_elsewhere)
    with UsageLoad(book, started=child) as loading, pytest.raises(WorkbookError) as error:
        loading.result()
    assert str(error.value) == f"{book}: the workbook changed while it was read; try again"


def test_no_early_load_for_a_path_that_is_no_file(tmp_path):
    assert usage_sheet.start(tmp_path / "missing.xlsx") is None
    assert usage_sheet.start(tmp_path) is None


def test_a_command_that_stops_early_leaves_no_child_and_no_files(
    make_workbook, example_data, tmp_path
):
    """recalc starts the Usage load first; refused for its --out folder, it stops the load and
    removes the load's temporary files."""
    book = make_workbook(example_data, name="MSP_Billing.xlsx")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "msp_workbook.cli", "recalc", str(book), "--month", "2026-10",
         "--out", str(tmp_path / "no-such-folder" / "out.xlsx")],
        capture_output=True, text=True, env={**os.environ, "TMPDIR": str(scratch)}, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert list(scratch.iterdir()) == []


def test_the_loads_imports_happen_before_the_fork(monkeypatch):
    """A module half-imported by another thread at the fork would hang the child's import of
    it: the parent imports what the load needs first."""
    imported = []
    monkeypatch.setattr(isolated.importlib, "import_module", imported.append)
    with ChildLoad(batch, ("fastexcel", "pyarrow.ipc")) as child:
        child.result()
    assert imported == ["fastexcel", "pyarrow.ipc"]


def test_without_a_child_to_be_had_the_sheet_loads_in_a_thread(
    make_workbook, example_data, monkeypatch, tmp_path
):
    """No process to spare (fork fails) or no temporary folder: the early start gives up and
    the reader loads the sheet itself, leaving no temporary file behind."""
    book = make_workbook(example_data, name="MSP_Billing.xlsx")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()

    def no_fork() -> int:
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(isolated.os, "fork", no_fork)
    assert usage_sheet.start(book) is None
    with UsageLoad(book, in_child=True) as loading:
        _, found = loading.result()
    assert found.num_rows == len(example_data["Usage"])
    assert list((tmp_path / "scratch").iterdir()) == []


def test_a_batch_the_child_cannot_write_back_is_not_handed_back():
    """The child loads the sheet, but the temporary folder takes no file that large (a full
    disk, a quota: here the OS's file size limit, RLIMIT_FSIZE, set in the child): that is
    told apart from a failed load, with the OS's reason."""

    def load_then_find_the_disk_full() -> pa.RecordBatch:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails: EFBIG
        _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, hard))
        return pa.record_batch([pa.array(["x" * 1000] * 25)], names=["key"])  # some 25 KB

    with (
        ChildLoad(load_then_find_the_disk_full) as child,
        pytest.raises(isolated.NotHandedBack) as error,
    ):
        child.result()
    assert error.value.reason == (
        "[Errno 27] Error writing bytes to file. Detail: [errno 27] File too large"
    )


# A process that may write no file over 1 KB (RLIMIT_FSIZE; SIGXFSZ ignored, so a write past
# it fails with EFBIG instead of ending the process): the child's batch file cannot be written.
_LOADED_UNDER_A_FILE_SIZE_LIMIT = """
import resource, signal, sys
import pyarrow as pa
from msp_workbook.workbook.isolated import ChildLoad, NotHandedBack
from msp_workbook.workbook.usage_columns import UsageLoad
from msp_workbook.workbook.usage_sheet import load_columns

book = sys.argv[1]
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1024, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
place = UsageLoad(book, in_child=False).place
try:
    with ChildLoad(lambda: load_columns(book, place)) as child:
        child.result()
    print("handed back", file=sys.stderr)
except NotHandedBack as error:
    print(error.reason, file=sys.stderr)
with UsageLoad(book, in_child=True) as loading:
    _, found = loading.result()
with pa.ipc.new_stream(sys.stdout.buffer, found.schema) as out:  # a pipe: no size limit
    out.write(found)
"""


def test_a_usage_sheet_the_child_cannot_write_back_is_loaded_here(make_workbook, example_data):
    """A full disk or a quota for the temporary folder (a real file size limit on the process
    and its child): the child loads the Usage sheet but cannot hand it back, and the sheet,
    checked meanwhile, is loaded in the process itself rather than the run failing; the same
    table as loaded without the limit."""
    book = make_workbook(example_data, name="MSP_Billing.xlsx")
    done = subprocess.run(
        [sys.executable, "-c", _LOADED_UNDER_A_FILE_SIZE_LIMIT, str(book)],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert done.stderr.decode().splitlines()[-1].endswith("File too large"), done.stderr
    found = pa.ipc.open_stream(done.stdout).read_all()
    with UsageLoad(book, in_child=False) as loading:
        _, in_thread = loading.result()
    assert found.num_rows == len(example_data["Usage"]) > 0
    assert found.equals(pa.Table.from_batches([in_thread]))


def test_the_command_line_imports_nothing_heavy_before_it_forks_the_usage_loader():
    """The Usage loader is forked as soon as the command line knows the workbook (`usage_sheet
    .start`), before the rest of the program is imported: a fork then carries no numpy, pyarrow,
    pydantic or workbook reader. Importing the command line and the loader's starter must not
    pull them in (the imports inside functions elsewhere keep it so)."""
    code = (
        "import sys, msp_workbook.cli, msp_workbook.workbook.usage_sheet\n"
        "heavy = ('numpy', 'pyarrow', 'fastexcel', 'python_calamine', 'pydantic', 'lxml',\n"
        "         'msp_workbook.app.compute', 'msp_workbook.workbook.read',\n"
        "         'msp_workbook.workbook.validation', 'msp_workbook.core.models')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def _stamp(path: Path, sleep: float = 0.0) -> None:
    """A load that notes when it starts, waits, and notes when it ends (no rows)."""
    import time

    start = time.monotonic()
    time.sleep(sleep)
    path.write_text(json.dumps([start, time.monotonic()]))


def _times(path: Path) -> tuple[float, float]:
    start, end = json.loads(path.read_text())
    return start, end


@pytest.mark.parametrize("gated", [True, False])
def test_a_child_started_after_the_gate_loads_once_the_earlier_child_has_ended(tmp_path, gated):
    """The Ledger's loader waits for the Usage sheet's (their peaks would add up): a child
    started after the gate begins its load only when the child started before it has ended.
    Without the gate the two overlap, so the test can tell."""
    import functools

    first, second = tmp_path / "first.json", tmp_path / "second.json"
    gate = isolated.Gate() if gated else None
    try:
        earlier = ChildLoad(functools.partial(_stamp, first, 1.0))
        later = ChildLoad(functools.partial(_stamp, second), after=gate)
    finally:
        if gate is not None:
            gate.close()
    with earlier, later:
        assert later.result() is None
        assert earlier.result() is None
    first_end, second_start = _times(first)[1], _times(second)[0]
    assert (second_start >= first_end) is gated


def test_a_child_after_the_gate_loads_when_the_earlier_child_is_stopped(tmp_path):
    """Stopping the earlier child (a command ending early) lets the later one go on, so
    nothing waits forever."""
    import functools

    done = tmp_path / "later.json"
    gate = isolated.Gate()
    try:
        earlier = ChildLoad(functools.partial(_stamp, tmp_path / "never.json", 60.0))
        later = ChildLoad(functools.partial(_stamp, done), after=gate)
    finally:
        gate.close()
    earlier.close()
    with later:
        assert later.result() is None
    assert done.exists()
