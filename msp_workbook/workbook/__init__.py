"""Workbook I/O: the schema, the reader, the writer and the template builder."""
