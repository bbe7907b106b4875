"""XML as text: the start tags and attributes of elements found by a regular expression,
without parsing (or expanding anything in) the rest, and attribute values escaped for writing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

_ATTR = re.compile(r"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def attrs(start_tag: str) -> dict[str, str]:
    """The attributes of one start tag's text, unescaped."""
    return {
        m[1]: html.unescape(m[2] if m[2] is not None else m[3]) for m in _ATTR.finditer(start_tag)
    }


def escape_attr(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def tags(text: str, name: str) -> Iterator[re.Match[str]]:
    """Start or empty tags of elements with this local name (any namespace prefix)."""
    pattern = r"<(?:[\w.-]+:)?" + re.escape(name) + r"""\b(?:[^>"']|"[^"]*"|'[^']*')*>"""
    return re.finditer(pattern, text)


def first_tag(text: str, name: str) -> re.Match[str] | None:
    return next(tags(text, name), None)


def tag_prefix(tag: str) -> str:
    """The namespace prefix of a start tag's element: "<x:row r='1'>" -> "x:"."""
    name = re.match(r"</?([\w.:-]+)", tag)
    return name[1][: name[1].index(":") + 1] if name and ":" in name[1] else ""
