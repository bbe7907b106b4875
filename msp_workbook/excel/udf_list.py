"""The workbook's Excel functions, listed once: each one's Excel name, arguments (with their
help) and help text, and the plain function that computes it (`functions.py`).

Both faces register this list, and nothing else: `udfs.py` for classic xlwings (`@xw.func`,
`@xw.arg`, "Import Functions" writes the VBA), `xlwings_lite/main.py` for xlwings Lite (`@func`,
`@arg`, registered when the add-in loads the workbook's code). Each face gets functions of its
own (`registered`), so the two never share decorator state, with exactly the same Excel names,
arguments and help. Both xlwings take an Excel name from the Python function's name (Lite: in
capitals), an argument's name, order and default from its signature, the help from the
docstring and `@arg(doc=...)`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import functions

__all__ = ["CATEGORY", "UDFS", "Argument", "Udf", "registered"]

CATEGORY = "MSP Billing"  # the Function Wizard's category (classic xlwings only)


@dataclass(frozen=True)
class Argument:
    name: str
    doc: str
    ndim: int | None = None  # 2: a range arrives as a list of rows, even one cell or one row
    optional: bool = False  # may be left out in Excel (arrives as None)


@dataclass(frozen=True)
class Udf:
    name: str  # in Excel, in capitals
    compute: Callable[..., Any]
    arguments: tuple[Argument, ...]
    doc: str


_PRODUCTS = Argument("products", functions.DOC_PRODUCTS, ndim=2)
_ANNUAL = Argument("annual_prices", functions.DOC_ANNUAL, ndim=2)
_PRODUCT = Argument("product_id", functions.DOC_PRODUCT)
_TERM = Argument("term", functions.DOC_TERM)
_PROFILE = Argument("units_profile", functions.DOC_PROFILE, ndim=2)
_METRIC = Argument("metric", functions.DOC_METRIC, optional=True)
_WRONG = 'Returns "#MSP: ..." text when an argument is wrong.'


def _doc(*lines: str) -> str:
    """A help text as its docstring was written in a function body, continuation lines indented
    (xlwings hands `__doc__` to Excel as it is)."""
    return "\n    ".join(lines)


_QUOTE_DOC = _doc(
    "MSP monthly vs annual subscription for usage growing in a straight line: one row of MSP",
    'total, annual total, difference (annual minus MSP) and the cheaper option ("MSP" or',
    f'"Annual"). {_WRONG}',
)

_ANNUAL_COST_DOC = _doc(
    "What the monthly units cost as an annual subscription of the term: the licence count",
    'only grows, additions are paid pro rata for the months left. Returns "#MSP: ..." text when',
    "an argument is wrong.",
)

_COST_DOC = _doc(
    "What the monthly units cost billed monthly (MSP) at the Products price, minimum units",
    f"applied. {_WRONG}",
)

_KEY_VALID_DOC = _doc(
    "TRUE when the text is a license key in this program's format (XXXXX-XXXXX-XXXXX-XXXXX)",
    "with a correct check character, else FALSE.",
)

UDFS: tuple[Udf, ...] = (
    Udf(
        "MSP_QUOTE",
        functions.msp_quote,
        (
            _PRODUCTS,
            _ANNUAL,
            _PRODUCT,
            _TERM,
            Argument("units_now", "Units today"),
            Argument("units_12m", "Units in 12 months"),
        ),
        _QUOTE_DOC,
    ),
    Udf(
        "MSP_ANNUAL_COST",
        functions.msp_annual_cost,
        (_ANNUAL, _PRODUCT, _TERM, _PROFILE, _METRIC),
        _ANNUAL_COST_DOC,
    ),
    Udf(
        "MSP_COST",
        functions.msp_cost_of,
        (_PRODUCTS, _PRODUCT, _PROFILE, _METRIC),
        _COST_DOC,
    ),
    Udf(
        "MSP_KEY_VALID",
        functions.msp_key_valid,
        (Argument("key", "A license key, e.g. from the Keys table"),),
        _KEY_VALID_DOC,
    ),
)


def _function(udf: Udf, python_name: str) -> Callable[..., Any]:
    """A new Python function for one face: the name, signature and docstring xlwings reads,
    computing with `udf.compute` (positional arguments, as Excel passes them)."""
    compute = udf.compute

    def call(*args):  # no hints: xlwings would take a hint for a converter
        return compute(*args)

    call.__name__ = call.__qualname__ = python_name
    call.__doc__ = udf.doc
    call.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                a.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=None if a.optional else inspect.Parameter.empty,
            )
            for a in udf.arguments
        ]
    )
    return call


def registered(
    func: Callable[[Callable[..., Any]], Callable[..., Any]],
    arg: Callable[..., Callable[[Callable[..., Any]], Callable[..., Any]]],
    module: str,
    python_name: Callable[[str], str] = str,
) -> dict[str, Callable[..., Any]]:
    """Every function of `UDFS`, registered with a face's decorators (`func`: `@func` or
    `@func(...)` already called; `arg`: `@arg`), by its Python name (`python_name` of the Excel
    name). The face's `module` must bind each under that name: xlwings calls it by name."""
    found: dict[str, Callable[..., Any]] = {}
    for udf in UDFS:
        name = python_name(udf.name)
        function = _function(udf, name)
        function.__module__ = module
        for argument in reversed(udf.arguments):  # as decorators stacked in this order
            options = {} if argument.ndim is None else {"ndim": argument.ndim}
            function = arg(argument.name, doc=argument.doc, **options)(function)
        found[name] = func(function)
    return found
