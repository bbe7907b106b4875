"""Minimal textual edits of the package's shared parts: an Override in [Content_Types].xml and
a Relationship in a .rels part added or removed, so the rest of such a part stays byte for byte
what it was.
"""

from __future__ import annotations

import re

from ..errors import WorkbookError
from .names import PACKAGE_REL_NS
from .xml_text import attrs, escape_attr, first_tag, tag_prefix, tags


def _prefix_of(text: str, name: str) -> str:
    """The namespace prefix ("x:" or "") the part uses for elements with this local name."""
    match = first_tag(text, name)
    return tag_prefix(match[0]) if match else ""


def add_override(content_types: str, part: str, content_type: str) -> str:
    """[Content_Types].xml with an Override for the part appended."""
    prefix = _prefix_of(content_types, "Types")
    tag = (
        f'<{prefix}Override PartName="/{escape_attr(part)}" '
        f'ContentType="{escape_attr(content_type)}"/>'
    )
    return _insert_before_end(content_types, "Types", tag)


def remove_override(content_types: str, part: str) -> str:
    """[Content_Types].xml without the Override of the part (unchanged when it has none)."""
    for match in tags(content_types, "Override"):
        if attrs(match[0]).get("PartName", "").lstrip("/").lower() == part.lower():
            return content_types[: match.start()] + content_types[match.end() :]
    return content_types


def add_relationship(rels: str | None, rel_id: str, rel_type: str, target: str) -> str:
    """A .rels part (a new one when `rels` is None) with one relationship appended."""
    if rels is None:
        rels = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{PACKAGE_REL_NS}"></Relationships>'
        )
    prefix = _prefix_of(rels, "Relationships")
    tag = (
        f'<{prefix}Relationship Id="{escape_attr(rel_id)}" Type="{escape_attr(rel_type)}" '
        f'Target="{escape_attr(target)}"/>'
    )
    return _insert_before_end(rels, "Relationships", tag)


def remove_relationship(rels: str, rel_id: str) -> str:
    for match in tags(rels, "Relationship"):
        if attrs(match[0]).get("Id") == rel_id:
            return rels[: match.start()] + rels[match.end() :]
    return rels


def rel_ids(rels: str) -> set[str]:
    """The relationship ids used in a .rels part's text."""
    return {attrs(m[0]).get("Id", "") for m in tags(rels, "Relationship")}


def new_rel_id(ids: set[str]) -> str:
    """An unused relationship id, rIdN."""
    n = len(ids) + 1
    while f"rId{n}" in ids:
        n += 1
    return f"rId{n}"


def _insert_before_end(text: str, name: str, tag: str) -> str:
    """Insert `tag` as the last child of the root element `name`."""
    match = re.search(r"</(?:[\w.-]+:)?" + re.escape(name) + r"\s*>\s*$", text)
    if match:
        return text[: match.start()] + tag + text[match.start() :]
    empty = re.search(r"<((?:[\w.-]+:)?" + re.escape(name) + r")\b([^>]*?)/>\s*$", text)
    if empty:
        return text[: empty.start()] + f"<{empty[1]}{empty[2]}>{tag}</{empty[1]}>"
    raise WorkbookError(f"damaged workbook: no <{name}> element to add to")
