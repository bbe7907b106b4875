"""The workbook file as an OPC package (`opc`), saved safely (`safe_save`) by one writer at a time
(`lock`)."""
