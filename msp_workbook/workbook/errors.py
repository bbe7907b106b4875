"""The one error that stops a run: the workbook cannot be read or written at all."""


class WorkbookError(Exception):
    """A file the program cannot work on; str(error) is a one-line reason for the user."""
