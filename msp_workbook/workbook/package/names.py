"""The names an OPC package speaks in: XML namespaces, relationship and content types, the
content-types part, and part names as relationship targets refer to them (relative to the part
whose relationship it is, percent-encoded); and the size in which parts and files are streamed.
"""

from __future__ import annotations

import posixpath
from urllib.parse import unquote

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

RT_OFFICE_DOCUMENT = REL_NS + "/officeDocument"
RT_WORKSHEET = REL_NS + "/worksheet"
RT_TABLE = REL_NS + "/table"
RT_CALC_CHAIN = REL_NS + "/calcChain"
RT_STYLES = REL_NS + "/styles"
RT_CHARTSHEET = REL_NS + "/chartsheet"
RT_DRAWING = REL_NS + "/drawing"
RT_CHART = REL_NS + "/chart"
STRICT_OFFICE_DOCUMENT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"

CONTENT_TYPES = "[Content_Types].xml"

# How much of a part or file is read, inflated or encoded at a time.
CHUNK = 1 << 20


def rels_part(part: str) -> str:
    """The relationships part of a part: xl/workbook.xml -> xl/_rels/workbook.xml.rels."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source: str, target: str) -> str:
    """A relationship target as a part name (relative targets start from the source's folder)."""
    target = unquote(target)
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")


def relative_target(source: str, part: str) -> str:
    """The target that refers from `source` to `part` (the inverse of `resolve`)."""
    return posixpath.relpath(part, posixpath.dirname(source) or ".")
