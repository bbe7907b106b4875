"""`msp-workbook`: the headless face. Converts arguments, calls the services (`app/`), reports.

Exit codes: 0 = done without errors; 1 = done, but Checks lists errors; 2 = could not run.

The modules: `parser` (the arguments), `runner` (a run: lock, early loads, dispatch),
`month_commands`, `data_commands` and `output_commands` (one handler per command), `report`
(what is printed, the exit codes).

The one name defined here is `main`, re-exported from `cli.runner`, because the console script
`msp-workbook = "msp_workbook.cli:main"` in pyproject.toml names it so (installed launchers
keep that path). Importing this package loads no heavy library: the command line forks the
Usage and Ledger loaders (`workbook/early.py`) before the services are imported.
"""

from .runner import main

__all__ = ["main"]
