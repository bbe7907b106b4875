"""Raw table rows -> validated input records, and a check for every problem, with its cell.

Every cell of a row is checked (so the user sees all problems of a row at once); a row with any
error is left out of the billing, never silently: each error names its sheet and cell, what is
wrong and what is expected. References between tables (a key's customer and product, a reading's
key and metric) are resolved case-insensitively to the spelling of the referenced row.

The entry points are in `master_data` (build_inputs, build_master_data) and `settings`
(read_settings). The other modules hold one concept each: the checks and one row's cell parsing
(`collector`), the IDs of a table and the rows referring to them (`registry`), one module per
table (`settings`, `products`, `annual_prices`, `customers`, `keys`, `usage`) and the warnings on
plausible-looking but doubtful usage readings (`plausibility`).
"""
