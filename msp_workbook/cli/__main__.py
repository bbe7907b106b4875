"""`python -m msp_workbook.cli`: the command line, as the console script `msp-workbook` runs it."""

from .runner import main

if __name__ == "__main__":
    main()
