"""The edit of a workbook package for one save: the parts it changes, kept as text (or as
patches of the old text or bytes), read back as changed so far, and the package-wide edits that
keep it consistent (the calculation chain left out, a full recalculation on open)."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence

from ..errors import WorkbookError
from ..package.names import CONTENT_TYPES, RT_CALC_CHAIN, rels_part
from ..package.opc import Package
from ..package.part_edits import remove_override, remove_relationship
from ..package.patches import BytesPatch, Content, TextPatch
from .sheet_window import WINDOW_FROM, SheetWindow
from .workbook_xml import full_calc_on_load


def utf8(data: bytes, part: str) -> str:
    """A part's bytes as text; refused when it is not stored as UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise WorkbookError(f"cannot work on {part}: it is not stored as UTF-8") from None


class PackageEdit:
    """The parts a save changes, kept as text, and the edits that keep the package consistent."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self.replacements: dict[str, Content | None] = {}

    # Parts: the package's, as changed so far.

    def _key(self, part: str) -> str:
        return self.package.name(part) if self.package.has(part) else part

    def exists(self, part: str) -> bool:
        key = self._key(part)
        if key in self.replacements:
            return self.replacements[key] is not None
        return self.package.has(part)

    def text(self, part: str) -> str:
        data = self.replacements.get(self._key(part))
        if isinstance(data, TextPatch):
            return data.applied()
        if isinstance(data, BytesPatch):
            return utf8(data.applied(), part)
        return utf8(data if data is not None else self.package.read(part), part)

    def large_part(self, part: str) -> bytes | None:
        """A large part not changed yet, as its bytes; None for a small or a changed one."""
        if self._key(part) in self.replacements:
            return None
        data = self.package.read(part)
        return data if len(data) >= WINDOW_FROM else None

    def window(self, part: str, last_row: int) -> SheetWindow | None:
        """A large sheet not changed yet, as the text of its head and of its rows from one at or
        above `last_row` to its end (`SheetWindow`); None for a small sheet, or where no such
        window can be told apart safely (the whole text is read then)."""
        data = self.large_part(part)
        return None if data is None else SheetWindow.of(data, last_row)

    def patch_window(
        self, part: str, window: SheetWindow, edits: Sequence[tuple[int, int, str]]
    ) -> None:
        """`patch` of edits made to a window's text: the part's bytes with them applied."""
        self.replacements[self._key(part)] = window.patched(edits)

    def set(self, part: str, text: str) -> None:
        self.replacements[self._key(part)] = text.encode("utf-8")

    def patch(self, part: str, text: str, edits: Sequence[tuple[int, int, str]]) -> None:
        """The part's text (as `text` gave it) with these spans replaced, kept as a patch."""
        self.replacements[self._key(part)] = TextPatch(text, tuple(sorted(edits)))

    def patch_bytes(self, part: str, data: bytes, edits: Sequence[tuple[int, int, bytes]]) -> None:
        """The part's bytes (as `large_part` gave them) with these spans replaced, as a patch."""
        self.replacements[self._key(part)] = BytesPatch(data, tuple(edits))

    def edit(self, part: str, change: Callable[[str], str]) -> None:
        """Apply a textual edit; the part counts as changed only if its text did change."""
        before = self.text(part)
        after = change(before)
        if after != before:
            self.set(part, after)

    def drop(self, part: str) -> None:
        """Leave a part out, with its content-type override."""
        if self.package.has(part):
            self.replacements[self._key(part)] = None
        self.edit(CONTENT_TYPES, lambda t: remove_override(t, part))

    def free_part(self, pattern: str) -> str:
        """The first unused part name of the pattern: xl/tables/table{}.xml -> ...table12.xml."""
        n = 1
        while self.exists(pattern.format(n)):
            n += 1
        return pattern.format(n)

    def changes_anything(self) -> bool:
        """Whether the edits so far make any part other than it was. A patch is compared by its
        edits alone: a Ledger of a million rows that gains rows is not put together again."""
        for key, data in self.replacements.items():
            if data is None or not self.package.has(key):
                return True
            if isinstance(data, TextPatch):
                if any(data.text[start:stop] != new for start, stop, new in data.edits):
                    return True
            elif isinstance(data, BytesPatch):
                if any(data.data[start:stop] != new for start, stop, new in data.edits):
                    return True
            elif data != self.package.read(key):
                return True
        return False

    def book_part(self, rel_type: str) -> str | None:
        """The workbook's part of this relationship type (styles, shared strings), or None."""
        for rel in self.package.relationships(self.package.workbook_part):
            if rel.type == rel_type and not rel.external and self.exists(rel.target):
                return rel.target
        return None

    # Workbook-wide settings.

    def drop_calc_chain(self) -> None:
        """Leave out the calculation chain: Excel rebuilds it, and a stale one makes it repair."""
        book = self.package.workbook_part
        for rel in self.package.relationships(book):
            if rel.type == RT_CALC_CHAIN:
                self.edit(rels_part(book), lambda t, rel_id=rel.id: remove_relationship(t, rel_id))
                self.drop(rel.target)
        default = posixpath.join(posixpath.dirname(book), "calcChain.xml")
        if self.exists(default):
            self.drop(default)

    def ensure_full_calc_on_load(self) -> None:
        """Have Excel recalculate every formula on open: formulas elsewhere read our cells."""
        self.edit(self.package.workbook_part, full_calc_on_load)
