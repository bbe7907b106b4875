"""Writing into the user's workbook: the public entry points are in `writer` (write_tables,
append_rows, append_to_tables, remove_rows). The other modules hold one concept each: cell
values as XML (`cell_xml`), a generated sheet's worksheet XML (`worksheet`, `sheet_layout`), its
table part (`table_part`), the charts following its data (`chart_series`), the edit of a package
for one save (`package_edit`, `workbook_xml`), generated tables (`generated_tables`), rows added
to or taken out of a table (`table_rows`, `row_grid`, `row_removal`, `sheet_window` for a large
sheet) and cells set beside their labels (`cell_patch`, the Start sheet's status block)."""
