"""The Excel template: the billing workbook built from the schema with XlsxWriter.

Everything about sheets, tables, columns, formats and drop-down sources comes from `schema`;
these modules decide how the workbook looks and what it holds beside the tables:

- `builder`: `build_workbook` and `TEMPLATE_PATH`, the sheets in the schema's order
- `table_sheets`: a sheet per table (the Excel table, columns, rows, print setup), and what
  each sheet adds beside its table
- `input_sheets`: beside the input tables (settings' help, prices' currency, looked-up names,
  the import request row); `default_rows`: the default and example rows and the example banner
- `data_validations`: what Excel checks as a value is typed, and its messages;
  `drop_down_lists`: the workbook names and helper lists the drop-downs read
- `generated_look`: the look of the generated sheets (typing guard, page header and footer,
  highlighting); `generated_charts`: the Reconciliation and Comparison charts and blocks
- `quote_sheet` (layout and inputs), `quote_formulas`, `quote_chart`, `quote_layout`: the Quote
  sheet; `start_sheet`: the Start sheet; `xlwings_conf`: the hidden xlwings settings sheet
- `look`: what the sheets share (colours, cell formats, writing a value)
- `archive_workbook`: a new, empty archive file (`NAME.archive-YYYY.xlsx`)
"""
