"""`msp-workbook archive PATH --before YYYY-MM` (SPEC section 11): old Usage rows and Ledger
lines move into `NAME.archive-YYYY.xlsx` beside the workbook, one file per calendar year of the
moved data, added to when it exists.

Which rows move and when it is refused is `core.archive`; what is read of the workbook to plan
the move is `archive_input`, the archive files and how rows are added to them `archive_files`.

The order keeps the data safe: every archive file is written and synced first, then the workbook
is replaced without the moved rows (locked from its read to its save, and saved only if no other
program saved it meanwhile). A crash in between leaves the rows in both files, never in neither;
running the command again finds them in the archive already and does not add them twice (a
Ledger month that is in the archive is not added again; a Usage row is not added again as often
as the archive holds the same row), then completes the move.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.archive import ArchivePlan, ArchiveRefused, plan_archive
from ..core.months import Month
from ..workbook import schema
from ..workbook.errors import WorkbookError
from ..workbook.package.file_checks import check_workbook_file
from ..workbook.package.lock import DEFAULT_WAIT, writing
from ..workbook.package.safe_save import check_can_save
from ..workbook.validation.settings import read_settings
from .archive_files import archived_months, moved_rows, write_archives
from .archive_input import ARCHIVED_TABLES, ArchiveInput, input_of_file


@dataclass(frozen=True)
class ArchiveReport:
    plan: ArchivePlan
    files: tuple[Path, ...]  # the archive files the moved rows are in
    already: int  # rows found in an archive already (a run completed after an interruption)

    @property
    def moved(self) -> bool:
        return bool(self.plan.moved_usage or self.plan.moved_ledger)


def archive_summary(report: ArchiveReport) -> str:
    """What was moved where, in one line (a face prints it)."""
    found = report.plan
    if not report.moved:
        return f"Nothing to archive before {found.cut}"
    months = found.ledger_months
    lines = (
        f"{found.moved_ledger:,} Ledger lines of {_span(months)}" if months else "no Ledger lines"
    )
    files = ", ".join(f.name for f in report.files)
    text = (
        f"Archived before {found.cut}: {found.moved_usage:,} usage readings and {lines} moved "
        f"to {files}; {found.kept:,} latest readings stay in Usage"
    )
    if report.already:
        text += f" ({report.already:,} rows were in the archive already: not added twice)"
    return text


def _span(months: Sequence[Month]) -> str:
    return str(months[0]) if len(months) == 1 else f"{months[0]} .. {months[-1]}"


def plan(found: ArchiveInput, cut: Month, archived: Collection[Month] = ()) -> ArchivePlan:
    """What archiving before `cut` moves (`archived`: the closed months whose lines are in the
    archive files already). WorkbookError says why it cannot."""
    if not schema.FIRST_MONTH <= cut <= schema.LAST_MONTH:
        raise WorkbookError(
            f"cannot archive before {cut}: the month must be from {schema.FIRST_MONTH} to "
            f"{schema.LAST_MONTH}"
        )
    settings, setting_checks = read_settings(found.settings)
    cell = settings.cells.get(schema.SETTING_CORRECTION_MONTHS, "")
    wrong = [c for c in setting_checks if c.severity == "error" and f"{c.sheet}!{c.cell}" == cell]
    if wrong:
        raise WorkbookError(f"cannot archive before {cut}: {wrong[0]}; fix it first")
    if found.problems:
        raise WorkbookError(
            f"cannot archive before {cut}: {len(found.problems)} Ledger rows cannot be read "
            f"(first: {found.problems[0]}); the closed months must be known before anything "
            "is moved"
        )
    _refuse_unknown_columns(cut, found.headers)
    try:
        closed = sorted({*found.ledger.closed_months(), *archived})
        return plan_archive(
            cut, closed, found.ledger_rows, found.usage_rows, settings.correction_months
        )
    except ArchiveRefused as exc:
        raise WorkbookError(str(exc)) from None


def _refuse_unknown_columns(cut: Month, headers: Mapping[str, Sequence[str]]) -> None:
    """The archive holds the schema's columns: the values of a column of the reseller's own in
    Usage or the Ledger would be lost with the rows moved."""
    for spec in ARCHIVED_TABLES:
        known = {h.casefold() for h in spec.headers}
        other = [h for h in headers.get(spec.name, ()) if h.strip().casefold() not in known]
        if other:
            raise WorkbookError(
                f'cannot archive before {cut}: the {spec.name} table has a column "{other[0]}" '
                "of your own, which the archive does not keep; move its values elsewhere and "
                "delete the column first"
            )


def archive(path: Path, before: Month, wait: float = DEFAULT_WAIT) -> ArchiveReport:
    """Archive the rows before month `before` (see the module)."""
    from ..workbook.write.writer import remove_rows

    check_workbook_file(path)
    check_can_save(path)
    with writing(path, wait) as stamp:
        found_input, values = input_of_file(path)
        found = plan(found_input, before, archived_months(path))
        if not (found.moved_usage or found.moved_ledger):
            return ArchiveReport(found, (), 0)
        files, already = write_archives(path, found, found_input.columns, values)
        remove_rows(
            path,
            path,
            {
                schema.USAGE.name: moved_rows(found.usage_rows),
                schema.LEDGER.name: moved_rows(found.ledger_rows),
            },
            unchanged_since=stamp,
        )
    return ArchiveReport(found, files, already)
