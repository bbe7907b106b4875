"""Everything a reader must not meet, checked before it sees the file (`check_before_parsing`):
what `opc.Package` refuses on opening (`file_checks`), the real inflated size of every XML part
the reader parses (a part may not inflate past the size the zip declares), and how far the cells
of the sheets it loads reach (`cell_extent`). A spreadsheet reader that runs out of memory ends
the whole process, with no error to catch: these checks are what stands between a hostile file
and such a crash. The sheets' cells whose value a reader cannot give (`fault_scan`) are found on
the same pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..cells import column_letter
from ..errors import WorkbookError
from . import cell_extent
from .fault_scan import Faults, FaultScan
from .opc import Package, SheetRef, open_package

# The cells of an input sheet are read as a grid as wide and as tall as the farthest cell holding
# a value (from A1); the reader keeps 32 bytes a cell in that grid, and more once the values are
# converted. 16,777,216 cells (512 MiB) is a million rows of 16 columns; a single value in cell
# XFD1048576 would make 17 billion. A row of values across all 16,384 columns is fine on a small
# sheet (a few hundred rows).
MAX_SHEET_CELLS = 1 << 24


def check_before_parsing(path: Path, tables: Iterable[str]) -> dict[str, Faults]:
    """Everything a reader must not meet, checked before it sees the file: what `Package` checks
    on opening (zip directory, DOCTYPEs), the real inflated size of every XML part the reader
    parses, and the extent of the cells on the sheets holding these tables (the sheets it
    loads). Refusals are WorkbookErrors with a one-line reason. Returns, by sheet name, the
    cells of those sheets whose value a reader cannot give (see `FaultScan`)."""
    faults: dict[str, Faults] = {}
    with open_package(path) as package:
        loaded = {t.sheet.part for name in tables if (t := package.table(name)) is not None}
        sheets = {
            package.name(r.target)
            for r in package.relationships(package.workbook_part)
            if r.type.lower().endswith("sheet") and not r.external and package.has(r.target)
        }
        check_inflated_sizes(package, skip=sheets)
        for part in sorted(loaded):
            sheet = next(s for s in package.sheets() if s.part == part)
            faults[sheet.name] = check_sheet_cells(package, sheet)
    return faults


def check_inflated_sizes(package: Package, skip: Iterable[str] = ()) -> None:
    """Inflate every XML part but those in `skip` (sheets a reader never loads) to make sure
    none grows past its declared size."""
    skipped = set(skip)
    for info in package.infos:
        if info.filename in skipped or info.is_dir():
            continue
        if info.filename.lower().endswith((".xml", ".rels")):
            for _ in package.inflate(info.filename):
                pass


def check_sheet_cells(package: Package, sheet: SheetRef) -> Faults:
    """Refuse a sheet whose cells with a value span more than MAX_SHEET_CELLS from A1; the
    cells whose value a reader cannot give (`FaultScan`), found on the same pass."""
    # Cheap first (empty cells count too, and the rows may be rounded up to all nines), then
    # not rounded, then exact, each when the one before finds too many.
    scan = FaultScan()
    extent = cell_extent.plain_extent(
        scan.watch(package.inflate(sheet.part)), limit=MAX_SHEET_CELLS
    )
    if extent and extent[0] * extent[1] > MAX_SHEET_CELLS and not str(extent[0]).strip("9"):
        extent = cell_extent.plain_extent(scan.watch(package.inflate(sheet.part)))
    if extent is None or extent[0] * extent[1] > MAX_SHEET_CELLS:
        extent = cell_extent.extent(scan.watch(package.inflate(sheet.part)))
    last_row, last_col = extent
    if last_row * last_col > MAX_SHEET_CELLS:
        raise WorkbookError(
            f'{package.path}: sheet "{sheet.name}" is too large to read: its cells reach '
            f"column {column_letter(last_col - 1)} and row {last_row:,} "
            f"({last_row * last_col:,} cells, at most {MAX_SHEET_CELLS:,}); "
            "delete what lies far to the right of or below the tables"
        )
    if not scan.complete:  # pragma: no cover - every pass above reads to the end
        for _ in scan.watch(package.inflate(sheet.part)):
            pass
    return scan.faults
