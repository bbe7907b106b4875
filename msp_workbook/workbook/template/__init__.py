"""The Excel template: the billing workbook built from the schema with XlsxWriter."""
