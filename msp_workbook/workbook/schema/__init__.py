"""The workbook contract, one namespace (split into its parts next)."""

from .settings import *  # noqa: F403
