"""Pure billing logic: models, money, months, billing, keys. Imports no spreadsheet library."""
