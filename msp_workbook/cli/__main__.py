"""`python -m msp_workbook.cli`: the command line, as the console script `msp-workbook` runs it."""

from .main import main

if __name__ == "__main__":
    main()
