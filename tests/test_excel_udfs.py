"""The workbook's Python functions, called with exactly what Excel passes: a price table as a 2-D
list with its header row, None for an empty cell, a float for every number."""

from __future__ import annotations

import importlib.util
import json
import random
import subprocess
import sys
import textwrap
from decimal import Decimal

import pytest
from conftest import REPO, load_example
from hypothesis import given, settings
from hypothesis import strategies as st

from msp_workbook.core.keys import generate_key
from msp_workbook.core.models import AnnualPrice, Product
from msp_workbook.core.quote import QuoteError, make_quote
from msp_workbook.excel import udfs
from msp_workbook.workbook import schema

EXAMPLE = load_example("basic")


def excel_cell(value: object) -> object:
    """A typed cell as xlwings hands it to a function: numbers as float, empty as None."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return float(value)
    return value


def excel_table(spec: schema.Table, rows: list[dict[str, object]]) -> list[list[object]]:
    """`Table[#All]` as Excel passes it: the header row, then the data rows."""
    return [list(spec.headers)] + [[excel_cell(r[h]) for h in spec.headers] for r in rows]


PRODUCTS = excel_table(schema.PRODUCTS, EXAMPLE["Products"])
ANNUAL = excel_table(schema.ANNUAL_PRICES, EXAMPLE["AnnualPrices"])


def load_by_path(name: str, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LITE = load_by_path("lite_main", REPO / "xlwings_lite" / "main.py")


def column(values: list[object]) -> list[list[object]]:
    return [[v] for v in values]


# --- MSP_QUOTE --------------------------------------------------------------------------------


def test_quote_of_the_worked_example():
    # shared/examples/basic/README.md: KC-MSP, 3 years, 20 mailboxes now, 35 in 12 months.
    expected = [3628.8, 3780.0, 151.2, "MSP"]
    assert udfs.MSP_QUOTE(PRODUCTS, ANNUAL, "KC-MSP", 3.0, 20.0, 35.0) == expected
    assert LITE.msp_quote(PRODUCTS, ANNUAL, "KC-MSP", 3, 20, 35) == expected


def test_quote_finds_columns_by_header_in_any_order_and_ignores_extra_columns():
    order = [5, 0, 3, 1, 6, 2, 4]
    products = [[row[i] for i in order] + ["my note"] for row in PRODUCTS]
    products[0][-1] = "Remarks"
    annual = [list(reversed(row)) for row in ANNUAL]
    assert udfs.MSP_QUOTE(products, annual, "kc-msp", 3.0, 20.0, 35.0) == [
        3628.8,
        3780.0,
        151.2,
        "MSP",
    ]


@pytest.mark.parametrize(
    ("arguments", "text"),
    [
        (("XX", 3.0, 20.0, 35.0), '#MSP: unknown product ID "XX"'),
        ((None, 3.0, 20.0, 35.0), "#MSP: product ID is empty"),
        (("KC-MSP", 7.0, 20.0, 35.0), "#MSP: term must be 1, 2, 3, 4 or 5 years, got 7"),
        (("KC-MSP", 2.5, 20.0, 35.0), "#MSP: term must be a whole number >= 0, got 2.5"),
        (("KC-MSP", 3.0, -3.0, 35.0), "#MSP: units now must be a whole number >= 0, got -3"),
        (
            ("KC-MSP", 3.0, 20.0, "lots"),
            '#MSP: units in 12 months must be a whole number >= 0, got "lots"',
        ),
        (("KC-MSP", 3.0, None, 35.0), "#MSP: units now is empty; expected a whole number >= 0"),
        (("KC-MSP", 3.0, [[1.0, 2.0]], 35.0), "#MSP: units now must be one cell, not a range"),
    ],
)
def test_quote_with_a_wrong_argument_returns_a_short_text(arguments, text):
    assert udfs.MSP_QUOTE(PRODUCTS, ANNUAL, *arguments) == text


def test_quote_for_a_product_without_annual_prices_says_so():
    annual = [row for row in ANNUAL if row[0] != "LG-MSP"]
    assert (
        udfs.MSP_QUOTE(PRODUCTS, annual, "LG-MSP", 1.0, 10.0, 10.0)
        == "#MSP: product LG-MSP has no annual prices for a 1-year term"
    )


def test_quote_without_the_header_row_says_how_to_pass_the_table():
    assert udfs.MSP_QUOTE(PRODUCTS[1:], ANNUAL, "KC-MSP", 3.0, 20.0, 35.0) == (
        '#MSP: products has no column "Product ID"; pass the whole table with its headers, '
        "e.g. Products[#All]"
    )


def test_a_bad_price_row_of_the_product_is_the_result_and_other_products_rows_are_left_out():
    products = [list(row) for row in PRODUCTS]
    products[1][5] = "2,40"  # KC-MSP price per unit, typed with a decimal comma
    assert udfs.MSP_QUOTE(products, ANNUAL, "KC-MSP", 3.0, 20.0, 35.0) == (
        '#MSP: row 2 of the products: price per unit must be a number >= 0, got "2,40"'
    )
    # The same row does not stop a quote for another product.
    expected = make_quote(*_models(), "KOP-MSP", 2, 10, 30)
    assert udfs.MSP_QUOTE(products, ANNUAL, "KOP-MSP", 2.0, 10.0, 30.0)[:2] == [
        float(expected.msp_total),
        float(expected.annual_total),
    ]
    annual = [list(row) for row in ANNUAL]
    annual[9][5] = -1.0  # KC-MSP, term 3, 5..24 mailboxes
    assert udfs.MSP_QUOTE(PRODUCTS, annual, "KC-MSP", 3.0, 20.0, 35.0) == (
        "#MSP: row 10 of the annual prices: price per unit per year must be a number >= 0, got -1"
    )


def _models(products=None, annual=None) -> tuple[list[Product], list[AnnualPrice]]:
    products = EXAMPLE["Products"] if products is None else products
    annual = EXAMPLE["AnnualPrices"] if annual is None else annual
    return (
        [
            Product(
                product_id=r["Product ID"],
                product=r["Product"],
                metric=r["Metric"],
                aggregation=r["Aggregation"],
                cost_per_unit=Decimal(r["Cost per unit"]),
                price_per_unit=Decimal(r["Price per unit"]),
                minimum_units=r["Minimum units"] or 0,
            )
            for r in products
        ],
        [
            AnnualPrice(
                product_id=r["Product ID"],
                metric=r["Metric"],
                term_years=r["Term (years)"],
                min_units=r["Min units"],
                max_units=r["Max units"],
                price_per_unit_per_year=Decimal(r["Price per unit per year"]),
            )
            for r in annual
        ],
    )


PRODUCT_IDS = ["KC-MSP", "KCTL-MSP", "KOP-MSP", "LG-MSP"]


@settings(max_examples=150, deadline=None)
@given(
    product=st.sampled_from(PRODUCT_IDS),
    term=st.integers(1, 5),
    units_now=st.integers(0, 400),
    units_12m=st.integers(0, 400),
    as_int=st.booleans(),
)
def test_quote_equals_the_engine_on_the_example_prices(product, term, units_now, units_12m, as_int):
    quote = make_quote(*_models(), product, term, units_now, units_12m)
    number = int if as_int else float  # xlwings Lite may pass whole numbers as int
    result = udfs.MSP_QUOTE(
        PRODUCTS, ANNUAL, product, number(term), number(units_now), number(units_12m)
    )
    assert result == [
        float(quote.msp_total),
        float(quote.annual_total),
        float(quote.difference),
        quote.cheaper,
    ]


def test_quote_equals_the_engine_on_random_price_lists():
    rng = random.Random(20261109)
    for _ in range(200):
        price = Decimal(rng.randint(1, 999)) / 100
        minimum = rng.choice([0, 0, 5, 10])
        products = [
            {
                "Product ID": "P-1",
                "Product": "Product",
                "Metric": "users",
                "Aggregation": "max",
                "Cost per unit": price / 2,
                "Price per unit": price,
                "Minimum units": minimum,
            }
        ]
        annual = []
        term = rng.randint(1, 5)
        bounds = sorted(rng.sample(range(1, 300), rng.randint(1, 4)))
        for i, low in enumerate(bounds):
            high = bounds[i + 1] - 1 if i + 1 < len(bounds) else None
            annual.append(
                {
                    "Product ID": "P-1",
                    "Metric": "users",
                    "Term (years)": term,
                    "Min units": low,
                    "Max units": high,
                    "Price per unit per year": Decimal(rng.randint(100, 9999)) / 100,
                }
            )
        now, later = rng.randint(0, 500), rng.randint(0, 500)
        try:
            quote = make_quote(*_models(products, annual), "P-1", term, now, later)
        except QuoteError as exc:  # pragma: no cover - every random case has tiers
            pytest.fail(str(exc))
        result = udfs.MSP_QUOTE(
            excel_table(schema.PRODUCTS, products),
            excel_table(schema.ANNUAL_PRICES, annual),
            "P-1",
            float(term),
            float(now),
            float(later),
        )
        assert result == [
            float(quote.msp_total),
            float(quote.annual_total),
            float(quote.difference),
            quote.cheaper,
        ]


# --- MSP_ANNUAL_COST --------------------------------------------------------------------------

# KC-MSP tiers (each term): 5-24 at 30.00, 25-49 at 27.00, 50-249 at 24.00, 250+ at 21.00.


@pytest.mark.parametrize(
    ("term", "profile", "cost"),
    [
        # 20 x 30 x 12/12
        (1, [20] * 12, 600.0),
        # 20 x 30 = 600; month 7 adds 10 at 30 for 6 months: 150
        (1, [20] * 6 + [30] * 6, 750.0),
        # below the lowest tier: licensed 5 at 30
        (1, [3] * 12, 150.0),
        # 30 x 27 = 810; month 4 adds 30 at 27 for 9 months: 607.50
        (1, [30] * 3 + [60] * 9, 1417.5),
        # two years: 20 x 30 x 24/12
        (2, [20] * 24, 1200.0),
        # W = 4: 40 x 27 x 4/12 = 360; month 4 adds 5 at 30 for 1 month: 12.50
        (1, [40, 20, 20, 45], 372.5),
    ],
)
def test_annual_cost_worked_by_hand(term, profile, cost):
    as_row = [[float(u) for u in profile]]
    assert udfs.MSP_ANNUAL_COST(ANNUAL, "KC-MSP", float(term), as_row) == cost
    assert udfs.MSP_ANNUAL_COST(ANNUAL, "KC-MSP", float(term), column(as_row[0])) == cost
    assert LITE.msp_annual_cost(ANNUAL, "KC-MSP", term, as_row) == cost


def test_annual_cost_ignores_trailing_empty_cells_of_the_profile():
    assert udfs.MSP_ANNUAL_COST(ANNUAL, "KC-MSP", 1.0, [[20.0] * 12 + [None, None]]) == 600.0


@pytest.mark.parametrize(
    ("arguments", "text"),
    [
        (("XX", 1.0, [[20.0]]), '#MSP: no annual prices for product ID "XX"'),
        (("KC-MSP", 0.0, [[20.0]]), "#MSP: term must be 1, 2, 3, 4 or 5 years, got 0"),
        (("KC-MSP", 1.0, [[None]]), "#MSP: the units profile is empty"),
        (
            ("KC-MSP", 1.0, [[20.0, None, 30.0]]),
            "#MSP: units in month 2 is empty; expected a whole number >= 0",
        ),
        (
            ("KC-MSP", 1.0, [[20.0, 20.5]]),
            "#MSP: units in month 2 must be a whole number >= 0, got 20.5",
        ),
        (
            ("KC-MSP", 1.0, [[1.0, 2.0], [3.0, 4.0]]),
            "#MSP: the units profile must be one row or one column",
        ),
        (
            ("KC-MSP", 1.0, [[20.0]], "users"),
            '#MSP: product KC-MSP has no annual prices for "users"',
        ),
    ],
)
def test_annual_cost_with_a_wrong_argument_returns_a_short_text(arguments, text):
    assert udfs.MSP_ANNUAL_COST(ANNUAL, *arguments) == text


def test_annual_cost_asks_for_the_metric_when_a_product_has_several():
    annual = [list(row) for row in ANNUAL] + [["LG-MSP", "scans", 1.0, 0.0, None, 0.5]]
    assert udfs.MSP_ANNUAL_COST(annual, "LG-MSP", 1.0, [[10.0] * 12]) == (
        "#MSP: product LG-MSP has annual prices for several metrics (nodes, scans): give the "
        "metric as 5th argument"
    )
    # nodes: 10 x 11.00 x 12/12
    assert udfs.MSP_ANNUAL_COST(annual, "LG-MSP", 1.0, [[10.0] * 12], "nodes") == 110.0


# --- MSP_COST ---------------------------------------------------------------------------------


def test_msp_cost_worked_by_hand():
    # KC-MSP at 2.40 with a minimum of 5: (5 + 10 + 20) x 2.40
    assert udfs.MSP_COST(PRODUCTS, "KC-MSP", [[3.0, 10.0, 20.0]]) == 84.0
    assert udfs.MSP_COST(PRODUCTS, "KC-MSP", column([3.0, 10.0, 20.0])) == 84.0
    # KCTL-MSP at 1.85, no minimum: 12 x 7 x 1.85 = 155.40
    assert udfs.MSP_COST(PRODUCTS, "KCTL-MSP", [[7.0] * 12]) == 155.4
    assert LITE.msp_cost(PRODUCTS, "KCTL-MSP", [[7] * 12]) == 155.4


def test_msp_cost_of_a_product_with_several_metrics_needs_the_metric():
    assert udfs.MSP_COST(PRODUCTS, "LG-MSP", [[100.0, 200.0]]) == (
        "#MSP: product LG-MSP has several metrics (nodes, scans): give the metric as 4th argument"
    )
    # scans at 0.03, no minimum: 300 x 0.03
    assert udfs.MSP_COST(PRODUCTS, "LG-MSP", [[100.0, 200.0]], "scans") == 9.0
    # nodes at 0.95, minimum 10: (10 + 12) x 0.95
    assert udfs.MSP_COST(PRODUCTS, "LG-MSP", [[7.0, 12.0]], "Nodes") == 20.9
    assert udfs.MSP_COST(PRODUCTS, "LG-MSP", [[7.0]], "users") == (
        '#MSP: product LG-MSP has no metric "users" (its metrics: nodes, scans)'
    )


def test_msp_cost_rounds_once_to_the_cent():
    products = [list(row) for row in PRODUCTS]
    products[2][5] = 0.333  # KCTL-MSP price per unit
    # 7 x 0.333 = 2.331 -> 2.33
    assert udfs.MSP_COST(products, "KCTL-MSP", [[7.0]]) == 2.33


# --- MSP_KEY_VALID ----------------------------------------------------------------------------


def test_key_valid():
    key = generate_key(rng=random.Random(7))
    assert udfs.MSP_KEY_VALID(key) is True
    assert udfs.MSP_KEY_VALID(f"  {key} ") is True
    wrong = key[:-1] + ("2" if key[-1] != "2" else "3")
    assert udfs.MSP_KEY_VALID(wrong) is False
    assert udfs.MSP_KEY_VALID(key.lower()) is False
    assert udfs.MSP_KEY_VALID("K1111-AAAAA-BBBBB-CCCC2") is False  # GFI's own format
    assert udfs.MSP_KEY_VALID(None) is False
    assert udfs.MSP_KEY_VALID(12345.0) is False
    assert LITE.msp_key_valid(key) is True


# --- Registration -----------------------------------------------------------------------------


def test_functions_register_with_classic_xlwings():
    """Classic xlwings' own decorators (they need pywin32, stood in for here) accept the
    functions: names, range arguments as 2-D lists, the optional metric, help texts, and the
    VBA that "Import Functions" generates."""
    script = textwrap.dedent(
        """
        import io, json, sys, types
        for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
            sys.modules[name] = types.ModuleType(name)
        sys.modules["pythoncom"].CoInitialize = lambda: None
        sys.modules["win32com.client"].Dispatch = None
        import xlwings, xlwings.udfs as classic
        xlwings.func, xlwings.arg, xlwings.ret = classic.xlfunc, classic.xlarg, classic.xlret
        import msp_workbook.excel.udfs as module

        class AddIn:
            Name = "MSP_Billing.xlam"

        vba = io.StringIO()
        classic.generate_vba_wrapper("msp_workbook.excel.udfs", module, vba, AddIn())
        meta = {
            name: {
                "name": f.__xlfunc__["name"],
                "category": f.__xlfunc__["category"],
                "doc": f.__xlfunc__["ret"]["doc"],
                "args": [
                    [a["name"], a["options"], a["doc"], "optional" in a]
                    for a in f.__xlfunc__["args"]
                ],
            }
            for name, f in vars(module).items()
            if hasattr(f, "__xlfunc__")
        }
        print(json.dumps({"meta": meta, "vba": vba.getvalue()}))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    meta, vba = out["meta"], out["vba"]
    assert sorted(meta) == ["MSP_ANNUAL_COST", "MSP_COST", "MSP_KEY_VALID", "MSP_QUOTE"]
    quote = meta["MSP_QUOTE"]
    assert quote["category"] == "MSP Billing"
    assert quote["doc"].startswith("MSP monthly vs annual subscription")
    assert [a[0] for a in quote["args"]] == [
        "products",
        "annual_prices",
        "product_id",
        "term",
        "units_now",
        "units_12m",
    ]
    assert quote["args"][0][1] == {"ndim": 2} and quote["args"][1][1] == {"ndim": 2}
    assert quote["args"][0][2] == "The Products table with its headers: Products[#All]"
    assert meta["MSP_COST"]["args"][-1] == [
        "metric",
        {},
        "Optional: the metric, for a product billed by more than one",
        True,
    ]
    assert (
        "Function MSP_QUOTE(products, annual_prices, product_id, term, units_now, units_12m)"
        in (vba)
    )
    assert "Function MSP_COST(products, product_id, units_profile, Optional metric)" in vba
    assert 'XLPy.CallUDF("msp_workbook.excel.udfs", "MSP_KEY_VALID"' in vba


def test_lite_module_defines_the_same_functions_and_the_buttons():
    names = {"msp_quote", "msp_annual_cost", "msp_cost", "msp_key_valid"}
    assert names <= set(vars(LITE))
    assert {"recalculate", "new_key", "close_month"} <= set(vars(LITE))
    for name in names:
        assert getattr(LITE, name).__doc__, name


_BOTH_FACES = """
import importlib.util, json, sys, types
for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
    sys.modules[name] = types.ModuleType(name)
sys.modules["pythoncom"].CoInitialize = lambda: None
sys.modules["win32com.client"].Dispatch = None
import xlwings, xlwings.udfs as classic
xlwings.func, xlwings.arg, xlwings.ret = classic.xlfunc, classic.xlarg, classic.xlret
import msp_workbook.excel.udfs as udfs
spec = importlib.util.spec_from_file_location("lite_main", sys.argv[1])
lite = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lite)

def meta(module):
    return {
        name: {
            "name": f.__xlfunc__["name"],
            "doc": f.__xlfunc__["ret"]["doc"],
            "ret": f.__xlfunc__["ret"]["options"],
            "args": [[a["name"], a["options"], a["doc"], a.get("optional", "-")]
                     for a in f.__xlfunc__["args"]],
        }
        for name, f in vars(module).items()
        if hasattr(f, "__xlfunc__")
    }

print(json.dumps({"classic": meta(udfs), "lite": meta(lite)}))
"""


def test_both_faces_register_the_one_list_alike():
    """Classic xlwings (`udfs.py`) and xlwings Lite (`xlwings_lite/main.py`) register exactly the
    functions of `udf_list.UDFS`: the same Excel names (Lite's are the Python names in
    capitals), arguments, options and help, each bound under the name xlwings calls it by. Both
    read with classic xlwings' decorators, which read a function as Lite's do."""
    from msp_workbook.excel.udf_list import UDFS

    result = subprocess.run(
        [sys.executable, "-c", _BOTH_FACES, str(REPO / "xlwings_lite" / "main.py")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    faces = json.loads(result.stdout)
    classic, lite = faces["classic"], faces["lite"]
    assert sorted(classic) == sorted(udf.name for udf in UDFS)
    assert sorted(lite) == sorted(udf.name.lower() for udf in UDFS)
    for udf in UDFS:
        registered = classic[udf.name]
        assert registered["name"] == udf.name
        assert lite[udf.name.lower()] == {**registered, "name": udf.name.lower()}
        assert registered["doc"] == udf.doc
        assert registered["ret"] == {}  # no converter: the result goes back as it is
        assert [a[0] for a in registered["args"]] == [a.name for a in udf.arguments]
        assert [a[2] for a in registered["args"]] == [a.doc for a in udf.arguments]
        assert [a[3] is None for a in registered["args"]] == [a.optional for a in udf.arguments]
    assert LITE.msp_quote(PRODUCTS, ANNUAL, "KC-MSP", 3.0, 20.0, 35.0) == (
        udfs.MSP_QUOTE(PRODUCTS, ANNUAL, "KC-MSP", 3.0, 20.0, 35.0)
    )
