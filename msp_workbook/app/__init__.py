"""The services: what each command does, as plain functions the faces (`cli/`, `excel/`) call.

Each service puts the pure rules (`core/`) and the workbook's I/O (`workbook/`) together for
one command, one way: read -> validate -> compute -> write. A file that cannot be worked on at
all raises `WorkbookError` (one line for the user); bad rows never do: they become checks.

The month's bill, for any face:

- `compute`: inputs read -> the month's report (`RunReport`): the billing month, its bill (a
  closed month as the Ledger has it), the comparison window, the checks, ready to close or not.
- `generated`: report -> the generated tables written whole (Billing, Invoices, Comparison,
  Checks: their rows, the blocks beside them, Checks' links).
- `check`, `recalc`, `close`: the commands on the workbook's file (`close` also numbers the
  invoices and appends to the Ledger); `month_status`: the figures the command line prints and
  the Start sheet shows; `output_gaps`: what the closed month's outputs would lack, warned of
  while the month is open.
- `new_workbook`, `quote`, `demo` (with the demo reseller's tables, `demo_data`: its customers
  `demo_customers`, keys `demo_keys`, readings `demo_usage`), `new_key`, `usage_import`,
  `reconciliation`, `archive` (what it reads `archive_input`, the archive files
  `archive_files`).

(The stages a long run reports are `msp_workbook/progress.py`, beside the faces: the reader
reports them too.)

Where outputs plug in: a closed month's outputs (`invoice_documents`, `datev_export`,
`sepa_export`) read what the Ledger says, never Usage, through `export_files` (`read_tables`,
`closed_input`, `refuse_open` for an open month). An export gives a `plan` (the file's bytes and
what to keep in its own append-only table, e.g. Debitors, Collections); `export_files
.export_closed_month` runs it on the file in one locked run and `deliver` keeps what it gives,
then writes the file whole (the Excel buttons plan the same and end with the same `deliver`:
`excel/month_export.py`). A new output adds such a module, its gaps to `output_gaps` (so that
`recalc` warns while the month is open), a command in `cli/` (parser.py, output_commands.py)
and a button in `excel/`.

Nothing is re-exported here: import each service from its module.
"""
