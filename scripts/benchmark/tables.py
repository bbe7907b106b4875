"""Plain-text tables of the report and the figures in them (seconds, ratios, megabytes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def fmt_s(value: float | None, measured: dict[str, Any] | None = None) -> str:
    """Seconds, or why a measurement has none."""
    if value is not None:
        return f"{value:.2f}" if value < 100 else f"{value:.0f}"
    if measured is None:
        return "n/a"
    status = measured.get("status")
    if status == "timeout":
        return f"n/a (> {measured.get('timeout_s') or 0:.0f} s)"
    return "n/a" if status in (None, "ok") else status


def fmt_timed(entry: dict[str, Any]) -> str:
    """Median seconds and the run count, or why there is none."""
    if not entry.get("runs"):
        return entry.get("status") or "n/a"
    return f"{fmt_s(entry['median_s'], entry)} ({entry['runs']})"


def fmt_x(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}x"


def fmt_mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The rows under the header, each column right-aligned."""
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    lines = [" | ".join(str(c).rjust(w) for c, w in zip(header, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(str(c).rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def fmt_x2(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def fmt_rss(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} MB"
