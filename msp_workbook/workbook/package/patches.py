"""A part's new content for a save (`Content`): whole bytes, or its old text or bytes with some
spans replaced (`TextPatch`, `BytesPatch`), encoded piece by piece when the package is saved
(`zip_writer`), so a large sheet that gains a few rows is never copied whole in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .names import CHUNK


@dataclass(frozen=True)
class TextPatch:
    """A part's new content as its old text with some spans replaced, encoded piece by piece
    when saved: a sheet of a million rows that gains a few rows at its end is never copied
    whole in memory."""

    text: str
    edits: tuple[tuple[int, int, str], ...]  # (start, stop, new text), in order, not overlapping

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        at = 0
        for start, stop, new in (*self.edits, (len(self.text), len(self.text), "")):
            if start < at:
                raise ValueError("text patch: edits overlap or are out of order")
            for piece in range(at, start, size):
                yield self.text[piece : min(piece + size, start)].encode("utf-8")
            if new:
                yield new.encode("utf-8")
            at = stop

    def applied(self) -> str:
        return b"".join(self.chunks()).decode("utf-8")


@dataclass(frozen=True)
class BytesPatch:
    """A part's new content as its old bytes with some byte spans replaced: a large sheet that
    gains rows at its end is neither decoded nor copied whole (`writer`'s append to a window)."""

    data: bytes
    edits: tuple[tuple[int, int, bytes], ...]  # (start, stop, new bytes), in order

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        at = 0
        view = memoryview(self.data)
        for start, stop, new in (*self.edits, (len(self.data), len(self.data), b"")):
            if start < at:
                raise ValueError("bytes patch: edits overlap or are out of order")
            for piece in range(at, start, size):
                yield bytes(view[piece : min(piece + size, start)])
            if new:
                yield new
            at = stop

    def applied(self) -> bytes:
        return b"".join(self.chunks())


Content = bytes | TextPatch | BytesPatch
