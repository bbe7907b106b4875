"""The workbook file as an OPC package, read and written without loading its cells.

- `names`: the OPC names (namespaces, relationship and content types, part names).
- `opc`: an open package (`Package`): its members, relationships, sheets and tables.
- `file_checks`: what a file is refused for as it is opened (not a workbook, a zip bomb by its
  directory, a DOCTYPE in an XML part).
- `guard`: everything a reader must not meet, checked before it sees the file
  (`check_before_parsing`), with `cell_extent` (how far a sheet's cells reach) and
  `fault_scan` (the cells whose value a reader cannot give).
- `xml_text`: start tags and attributes found in XML text; `part_edits`: minimal textual edits
  of [Content_Types].xml and .rels parts.
- `patches`: a part's new content as its old text or bytes with some spans replaced.
- `zip_writer`: saving a package as a new zip that copies the members it does not replace.
- `safe_save`: replacing the file atomically, with backups, never over a workbook open in Excel.
- `lock`: one writer at a time, and the stamp that shows whether another program saved the file.

Hostile files are refused before any parser sees them, each with a one-line reason: what is not
a workbook (by its first bytes as well as its name), a zip that is cut short, a zip bomb (from the
declared sizes in the zip directory, and while inflating: a part may not inflate past its declared
size), a DOCTYPE in any XML part (entities, external or expanding), and an input sheet whose cells
span so many rows and columns that a reader building the grid would run out of memory. A
spreadsheet reader that runs out of memory ends the whole process, with no error to catch: these
checks are what stands between a hostile file and such a crash.

Nothing is re-exported here: import from the module that holds a name.
"""
