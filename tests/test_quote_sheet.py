"""The Quote sheet computes in a real spreadsheet engine (LibreOffice) what the Python engine says.

Every workbook here is built by the template builder, recalculated by LibreOffice headless (all of
them in one call) and read back with openpyxl; the named result cells must equal
`core.quote.make_quote` to the cent, and the month table must follow it row by row.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from libreoffice import convert

from msp_workbook.core.annual import tier_rate, tiers_for
from msp_workbook.core.models import AnnualPrice, Product
from msp_workbook.core.quote import Quote, make_quote, quote_profile
from msp_workbook.workbook import schema
from msp_workbook.workbook.template.builder import TEMPLATE_PATH, build_workbook
from msp_workbook.workbook.template.default_rows import default_rows
from msp_workbook.workbook.template.quote_layout import (
    QUOTE_PRINT_AREA,
    QUOTE_STATUS_CELL,
    QUOTE_VERDICT_CELL,
)
from msp_workbook.workbook.template.quote_sheet import NEEDS_ADD_IN

CENT = Decimal("0.01")
Rows = list[dict[str, object]]

# --- cases ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    product_id: str
    term: int
    units_now: int
    units_12m: int | None  # None: left empty
    # Products and AnnualPrices rows; None: the template's example prices.
    products: Rows | None = None
    prices: Rows | None = None
    tags: tuple[str, ...] = field(default=())

    @property
    def data(self) -> dict[str, Rows] | None:
        if self.products is None:
            return None
        return {schema.PRODUCTS.name: self.products, schema.ANNUAL_PRICES.name: self.prices or []}

    @property
    def quote_inputs(self) -> dict[str, object]:
        return {
            schema.QUOTE_PRODUCT: self.product_id,
            schema.QUOTE_TERM: self.term,
            schema.QUOTE_UNITS_NOW: self.units_now,
            schema.QUOTE_UNITS_12M: self.units_12m,
        }

    def models(self) -> tuple[list[Product], list[AnnualPrice]]:
        defaults = default_rows()
        products = self.products if self.products is not None else defaults["Products"]
        prices = self.prices if self.products is not None else defaults["AnnualPrices"]
        return [product_model(r) for r in products], [price_model(r) for r in prices]

    def expected(self) -> Quote:
        products, prices = self.models()
        return make_quote(
            products, prices, self.product_id, self.term, self.units_now, self.units_12m
        )


def product_model(row: Mapping[str, object]) -> Product:
    pid, name, metric, aggregation, cost, price, minimum = schema.PRODUCTS.headers
    return Product(
        product_id=row[pid],
        product=row.get(name) or "",
        metric=row[metric],
        aggregation=row[aggregation],
        cost_per_unit=Decimal(str(row[cost])),
        price_per_unit=Decimal(str(row[price])),
        minimum_units=row.get(minimum) or 0,
    )


def price_model(row: Mapping[str, object]) -> AnnualPrice:
    pid, metric, term, low, high, rate = schema.ANNUAL_PRICES.headers
    return AnnualPrice(
        product_id=row[pid],
        metric=row[metric],
        term_years=row[term],
        min_units=row[low],
        max_units=row.get(high),
        price_per_unit_per_year=Decimal(str(row[rate])),
    )


def money(rng: random.Random, low: int, high: int) -> Decimal:
    """A random amount with 2 decimals, low..high cents."""
    return Decimal(rng.randint(low, high)) / 100


def random_price_list(rng: random.Random, n: int) -> tuple[Rows, Rows]:
    """Products P1..Pn, each with an annual-priced metric and sometimes a second metric without
    annual prices (listed first, so the quote has to skip it); contiguous tiers per term, the
    rows shuffled."""
    p_id, p_name, p_metric, p_aggregation, p_cost, p_price, p_minimum = schema.PRODUCTS.headers
    a_id, a_metric, a_term, a_min, a_max, a_rate = schema.ANNUAL_PRICES.headers
    products: Rows = []
    prices: Rows = []
    for i in range(1, n + 1):
        pid = f"P{i}"
        if rng.random() < 0.4:
            products.append(
                {
                    p_id: pid,
                    p_name: f"Product {i}",
                    p_metric: "scans",
                    p_aggregation: "sum",
                    p_cost: money(rng, 1, 5),
                    p_price: money(rng, 1, 9),
                    p_minimum: 0,
                }
            )
        metric = rng.choice(["mailboxes", "users", "nodes"])
        products.append(
            {
                p_id: pid,
                p_name: f"Product {i}",
                p_metric: metric,
                p_aggregation: "max",
                p_cost: money(rng, 50, 300),
                p_price: money(rng, 100, 999),
                p_minimum: rng.choice([0, 0, 1, 5, 10, 25]),
            }
        )
        for term in range(1, 6):
            bounds = sorted(rng.sample(range(1, 300), rng.randint(0, 3)))
            lows = [rng.randint(0, 25)] + [b + 25 for b in bounds]
            for j, low in enumerate(lows):
                high = lows[j + 1] - 1 if j + 1 < len(lows) else None
                prices.append(
                    {
                        a_id: pid,
                        a_metric: metric,
                        a_term: term,
                        a_min: low,
                        a_max: high,
                        a_rate: money(rng, 100, 6000),
                    }
                )
    rng.shuffle(prices)
    return products, prices


def lowest_min(case: Case) -> int:
    quote = case.expected()
    _, prices = case.models()
    return tiers_for(prices, quote.product_id, quote.metric, case.term)[0].min_units


def exact_annual_sum(case: Case) -> Fraction:
    """The unrounded annual total in exact rational arithmetic (SPEC section 5)."""
    quote = case.expected()
    _, prices = case.models()
    tiers = tiers_for(prices, quote.product_id, quote.metric, case.term)
    profile = quote_profile(case.units_now, case.units_12m, case.term)
    months = len(profile)
    total = Fraction(0)
    licensed = 0
    for m, units in enumerate(profile, 1):
        if m == 1:
            licensed = max(units, tiers[0].min_units)
            total += licensed * Fraction(tier_rate(tiers, licensed)) * months / 12
        elif units > licensed:
            added = units - licensed
            total += added * Fraction(tier_rate(tiers, added)) * (months - m + 1) / 12
            licensed = units
    return total


def exact_annual_total(case: Case) -> Decimal:
    """The exact annual total rounded half up to the cent, once."""
    cents = exact_annual_sum(case) * 100
    whole, rest = divmod(cents.numerator, cents.denominator)
    if 2 * rest >= cents.denominator:
        whole += 1
    return Decimal(whole) / 100


def is_half_cent(case: Case) -> bool:
    """Whether the exact annual total lies exactly on a half cent (a rounding edge)."""
    total = exact_annual_sum(case)
    return (total * 200).denominator == 1 and (total * 100).denominator != 1


def template_cases() -> list[Case]:
    """The template's example prices: every product, including the LanGuard node metric that
    sits beside the scans metric without annual prices."""
    return [
        Case("example", "KC-MSP", 3, 20, 35, tags=("rows",)),
        Case("kctl-growing", "KCTL-MSP", 5, 3, 260, tags=("rows",)),
        Case("kop-falling", "KOP-MSP", 2, 120, 40),
        Case("lg-nodes", "LG-MSP", 4, 8, 55),
        Case("lg-below-lowest-tier", "LG-MSP", 1, 2, 4),
        Case("kc-zero", "KC-MSP", 1, 0, 0),
        Case("kc-falls-to-zero", "KC-MSP", 5, 400, 0, tags=("rows",)),
        Case("kc-lower-case-id", "kc-msp", 2, 30, 31),
    ]


def random_cases(seed: int = 20261101, n: int = 28) -> list[Case]:
    rng = random.Random(seed)
    cases: list[Case] = []
    shapes = ("any", "falling", "tiny", "crossing", "flat")
    while len(cases) < n:
        products, prices = random_price_list(rng, rng.randint(1, 3))
        annual = sorted({str(r["Product ID"]) for r in prices})
        shape = shapes[len(cases) % len(shapes)]
        now, in12 = rng.randint(0, 400), rng.randint(0, 400)
        if shape == "falling":
            now, in12 = max(now, in12), min(now, in12)
        elif shape == "tiny":
            now, in12 = rng.randint(0, 3), rng.randint(0, 3)
        elif shape == "crossing":
            now, in12 = rng.randint(0, 30), rng.randint(200, 400)
        elif shape == "flat":
            in12 = now
        case = Case(
            f"random-{len(cases) + 1}-{shape}",
            rng.choice(annual),
            rng.randint(1, 5),
            now,
            in12,
            products,
            prices,
        )
        cases.append(case)
    return cases


def half_cent_cases(seed: int = 7, n: int = 3) -> list[Case]:
    """Random cases whose exact annual total is exactly on a half cent, where the engine agrees
    with exact arithmetic: the sheet must round them up as well."""
    rng = random.Random(seed)
    found: list[Case] = []
    while len(found) < n:
        products, prices = random_price_list(rng, 1)
        case = Case(
            f"half-cent-{len(found) + 1}",
            "P1",
            rng.randint(1, 5),
            rng.randint(0, 200),
            rng.randint(0, 400),
            products,
            prices,
        )
        if is_half_cent(case) and case.expected().annual_total == exact_annual_total(case):
            found.append(case)
    return found


def engine_rounding_case() -> Case:
    """Term 1, tiers 1-2 at 7.46 and 3+ at 20.44, 0 units now and 8 in 12 months: one unit is
    added in months 4, 5, 7, 8, 10 and 11, each paid at 7.46 pro rata, so the annual total is
    7.46 x (12 + 9 + 8 + 6 + 5 + 3 + 2)/12 = 27.975 exactly, which rounds half up to 27.98."""
    p_id, p_name, p_metric, p_aggregation, p_cost, p_price, p_minimum = schema.PRODUCTS.headers
    a_id, a_metric, a_term, a_min, a_max, a_rate = schema.ANNUAL_PRICES.headers
    products = [
        {
            p_id: "P1",
            p_name: "Product 1",
            p_metric: "users",
            p_aggregation: "max",
            p_cost: Decimal("1.00"),
            p_price: Decimal("2.00"),
            p_minimum: 0,
        }
    ]
    prices = [
        {a_id: "P1", a_metric: "users", a_term: 1, a_min: 1, a_max: 2, a_rate: Decimal("7.46")},
        {a_id: "P1", a_metric: "users", a_term: 1, a_min: 3, a_max: None, a_rate: Decimal("20.44")},
    ]
    return Case("engine-rounding", "P1", 1, 0, 8, products, prices)


def verdict_cases() -> list[Case]:
    """One product at 10.00 per user and month (no minimum), annual rates per term given below,
    and 100 users all along, so both totals are worked out by hand:

      MSP    = 12 x T months x 100 x 10.00 = 12,000.00 for 1 year, 24,000.00 for 2 years
      annual = 100 x rate x T              (one order of 100 licences for the whole term)

    The percent is the saving relative to the dearer option (see VERDICTS)."""
    p_id, p_name, p_metric, p_aggregation, p_cost, p_price, p_minimum = schema.PRODUCTS.headers
    a_id, a_metric, a_term, a_min, a_max, a_rate = schema.ANNUAL_PRICES.headers

    def case(name: str, term: int, rate: str) -> Case:
        product = {
            p_id: "P1",
            p_name: "Product 1",
            p_metric: "users",
            p_aggregation: "max",
            p_cost: Decimal("5.00"),
            p_price: Decimal("10.00"),
            p_minimum: 0,
        }
        price = {a_id: "P1", a_metric: "users", a_term: term, a_min: 1, a_max: None}
        return Case(name, "P1", term, 100, 100, [product], [{**price, a_rate: Decimal(rate)}])

    return [
        case("annual-saves", 1, "100.00"),
        case("msp-saves", 1, "150.00"),
        case("both-the-same", 1, "120.00"),
        case("annual-saves-half-percent", 2, "105.00"),
    ]


# name -> (MSP total, annual total, difference, cheaper, the sentence), worked out by hand.
VERDICTS = {
    # Annual 10,000.00 against MSP 12,000.00: 2,000 / 12,000 = 16.7 % of the dearer MSP (it
    # would be 20 % of the annual total).
    "annual-saves": (
        "12000.00", "10000.00", "-2000.00", "Annual",
        "Annual saves 2,000.00 EUR (17 %) over 1 year",
    ),
    # MSP 12,000.00 against annual 15,000.00: 3,000 / 15,000 = 20 % of the dearer annual (it
    # would be 25 % of the MSP total).
    "msp-saves": (
        "12000.00", "15000.00", "3000.00", "MSP",
        "MSP saves 3,000.00 EUR (20 %) over 1 year",
    ),
    "both-the-same": (
        "12000.00", "12000.00", "0.00", "MSP",
        "Both cost the same over 1 year",
    ),
    # 2 years: MSP 24,000.00, annual 100 x 105.00 x 2 = 21,000.00; 3,000 / 24,000 = 12.5 %,
    # rounded half up to 13 % (14 % of the annual total).
    "annual-saves-half-percent": (
        "24000.00", "21000.00", "-3000.00", "Annual",
        "Annual saves 3,000.00 EUR (13 %) over 2 years",
    ),
}  # fmt: skip


def problem_cases() -> list[Case]:
    """Inputs the sheet cannot quote: it says why and leaves the results empty."""
    no_annual = [r for r in default_rows()["AnnualPrices"] if r["Product ID"] != "LG-MSP"]
    return [
        Case("unknown-product", "XX-MSP", 3, 20, 35),
        Case("no-annual-prices", "LG-MSP", 2, 1, 1, default_rows()["Products"], no_annual),
        Case("term-out-of-range", "KC-MSP", 7, 20, 35),
        Case("units-missing", "KC-MSP", 3, 20, None),
    ]


PROBLEM_MESSAGES = {
    "unknown-product": "Product ID XX-MSP is not on the Products sheet.",
    "no-annual-prices": "LG-MSP has no annual prices for a 2-year term on the AnnualPrices sheet.",
    "term-out-of-range": "Term (years): 1, 2, 3, 4 or 5.",
    "units-missing": "Units now and Units in 12 months: whole numbers, 0 or more.",
}

TEMPLATE_CASES = template_cases()
RANDOM_CASES = random_cases()
HALF_CENT_CASES = half_cent_cases()
ENGINE_ROUNDING_CASE = engine_rounding_case()
VERDICT_CASES = verdict_cases()
PROBLEM_CASES = problem_cases()
QUOTED_CASES = [
    *TEMPLATE_CASES,
    *RANDOM_CASES,
    *HALF_CENT_CASES,
    ENGINE_ROUNDING_CASE,
    *VERDICT_CASES,
]
ALL_CASES = [*QUOTED_CASES, *PROBLEM_CASES]


def against_the_engine(cases: list[Case]) -> list[object]:
    """The cases as parameters, each named."""
    return [pytest.param(c, id=c.name) for c in cases]


# --- the recalculated workbooks -------------------------------------------------------------------


@dataclass(frozen=True)
class Computed:
    """What LibreOffice computed on the Quote sheet of one workbook."""

    names: dict[str, object]  # every Quote input and result, by its workbook name
    months: list[tuple[object, ...]]  # the 60 rows under QUOTE_MONTH_HEADERS
    status: object  # the message under the results
    verdict: object  # the sentence under the results
    chart: list[tuple[object, ...]]  # the chart's series beside the 60 rows: MSP, annual, month
    errors: dict[str, object]  # every cell of the sheet holding an error value, by its address


CHART_HEADERS = ("Chart: cumulative MSP", "Chart: cumulative annual", "Chart: month")


def read_quote_sheet(path: Path) -> Computed:
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        names: dict[str, object] = {}
        for name in (*schema.QUOTE_INPUTS, *schema.QUOTE_RESULTS):
            ((sheet, ref),) = list(wb.defined_names[name].destinations)
            assert sheet == schema.QUOTE_SHEET, name
            names[name] = wb[sheet][ref.replace("$", "")].value
        ws = wb[schema.QUOTE_SHEET]
        rows = list(ws.iter_rows(values_only=True))
        width = len(schema.QUOTE_MONTH_HEADERS)
        header = next(i for i, r in enumerate(rows) if r[:width] == schema.QUOTE_MONTH_HEADERS)
        month_rows = rows[header + 1 : header + 1 + schema.QUOTE_MAX_MONTHS]
        months = [r[:width] for r in month_rows]
        chart_col = rows[header].index(CHART_HEADERS[0])
        assert rows[header][chart_col : chart_col + 3] == CHART_HEADERS
        chart = [r[chart_col : chart_col + 3] for r in month_rows]
        errors = {
            c.coordinate: c.value
            for row in ws.iter_rows()
            for c in row
            if c.data_type == "e" or (isinstance(c.value, str) and c.value.startswith("#"))
        }
        return Computed(
            names, months, ws[QUOTE_STATUS_CELL].value, ws[QUOTE_VERDICT_CELL].value, chart, errors
        )
    finally:
        wb.close()


@pytest.fixture(scope="module")
def computed(tmp_path_factory) -> dict[str, Computed]:
    """Every case as its own workbook, all recalculated by LibreOffice in one call."""
    folder = tmp_path_factory.mktemp("quotes")
    paths = []
    for case in ALL_CASES:
        path = folder / f"{case.name}.xlsx"
        build_workbook(path, case.data, case.quote_inputs)
        paths.append(path)
    converted = convert(paths, folder / "recalculated", "xlsx")
    return {
        case.name: read_quote_sheet(path) for case, path in zip(ALL_CASES, converted, strict=True)
    }


def exact(value: object) -> Decimal:
    """A result cell's number as the decimal it shows (it holds a value rounded to cents)."""
    assert isinstance(value, int | float) and not isinstance(value, bool), value
    return Decimal(repr(float(value)))


def to_cents(value: object) -> Decimal:
    """An unrounded running sum rounded half up to the cent, after removing binary noise."""
    assert isinstance(value, int | float) and not isinstance(value, bool), value
    return Decimal(repr(float(value))).quantize(Decimal("1e-9")).quantize(CENT, ROUND_HALF_UP)


def assert_results(got: Computed, quote: Quote) -> None:
    names = got.names
    assert exact(names[schema.QUOTE_MSP_TOTAL]) == quote.msp_total
    assert exact(names[schema.QUOTE_ANNUAL_TOTAL]) == quote.annual_total
    assert exact(names[schema.QUOTE_DIFFERENCE]) == quote.difference
    assert names[schema.QUOTE_CHEAPER] == quote.cheaper


# --- tests ----------------------------------------------------------------------------------------


def test_quote_example_computes_in_libreoffice(tmp_path: Path) -> None:
    (recalculated,) = convert([TEMPLATE_PATH], tmp_path, "xlsx")
    got = read_quote_sheet(recalculated)
    assert got.names == {
        schema.QUOTE_PRODUCT: "KC-MSP",
        schema.QUOTE_TERM: 3,
        schema.QUOTE_UNITS_NOW: 20,
        schema.QUOTE_UNITS_12M: 35,
        schema.QUOTE_MSP_TOTAL: 3628.8,
        schema.QUOTE_ANNUAL_TOTAL: 3780,
        schema.QUOTE_DIFFERENCE: 151.2,
        schema.QUOTE_CHEAPER: "MSP",
    }
    assert exact(got.names[schema.QUOTE_MSP_TOTAL]) == Decimal("3628.80")
    assert exact(got.names[schema.QUOTE_ANNUAL_TOTAL]) == Decimal("3780.00")
    assert exact(got.names[schema.QUOTE_DIFFERENCE]) == Decimal("151.20")
    assert got.status is None
    # 151.20 / 3,780.00 (the dearer annual total) = 4.0 %.
    assert got.verdict == "MSP saves 151.20 EUR (4 %) over 3 years"


def test_without_the_add_in_the_python_quote_cells_say_what_they_need(tmp_path: Path) -> None:
    """LibreOffice has no xlwings add-in: the four cells of "Same quote by Python" say so,
    instead of four #NAME? errors in front of a prospect."""
    (recalculated,) = convert([TEMPLATE_PATH], tmp_path, "xlsx")
    ws = openpyxl.load_workbook(recalculated, data_only=True)[schema.QUOTE_SHEET]
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert values.count(NEEDS_ADD_IN) == 4
    assert not any(isinstance(v, str) and v.startswith("#NAME") for v in values)


def test_libreoffice_with_its_default_settings_computes_the_quote_on_opening(
    tmp_path: Path,
) -> None:
    """A user's LibreOffice keeps the cached values of an Excel file by default; the Quote
    formulas carry none, so they are computed on opening anyway."""
    (converted,) = convert([TEMPLATE_PATH], tmp_path / "out", full_recalc=False)
    got = read_quote_sheet(converted)
    assert exact(got.names[schema.QUOTE_MSP_TOTAL]) == Decimal("3628.80")
    assert exact(got.names[schema.QUOTE_ANNUAL_TOTAL]) == Decimal("3780.00")
    assert got.names[schema.QUOTE_CHEAPER] == "MSP"


def test_the_generated_cases_cover_what_they_are_meant_to() -> None:
    assert len(RANDOM_CASES) >= 20
    assert len({c.term for c in RANDOM_CASES}) == 5
    assert any(c.units_12m < c.units_now for c in RANDOM_CASES)
    assert any(max(c.units_now, c.units_12m) < lowest_min(c) for c in RANDOM_CASES)
    crossing = [c for c in RANDOM_CASES if c.expected().months[-1].licensed > 200]
    assert crossing
    assert all(is_half_cent(c) for c in HALF_CENT_CASES)


@pytest.mark.parametrize("case", against_the_engine(QUOTED_CASES))
def test_named_results_equal_the_engine_to_the_cent(computed, case: Case) -> None:
    got = computed[case.name]
    assert got.names[schema.QUOTE_PRODUCT] == case.product_id
    assert got.status is None
    assert_results(got, case.expected())


@pytest.mark.parametrize("case", QUOTED_CASES, ids=lambda c: c.name)
def test_annual_total_is_the_exact_sum_rounded_once(computed, case: Case) -> None:
    got = computed[case.name]
    assert exact(got.names[schema.QUOTE_ANNUAL_TOTAL]) == exact_annual_total(case)


@pytest.mark.parametrize("case", QUOTED_CASES, ids=lambda c: c.name)
def test_month_table_ends_at_the_term_with_the_totals(computed, case: Case) -> None:
    got = computed[case.name]
    months = 12 * case.term
    last = got.months[months - 1]
    assert last[0] == months
    assert to_cents(last[4]) == exact(got.names[schema.QUOTE_MSP_TOTAL])
    assert to_cents(last[5]) == exact(got.names[schema.QUOTE_ANNUAL_TOTAL])
    # Beyond the term the rows are empty.
    assert all(v in (None, "") for row in got.months[months:] for v in row)


@pytest.mark.parametrize(
    "case", [c for c in QUOTED_CASES if "rows" in c.tags], ids=lambda c: c.name
)
def test_every_month_row_follows_the_engine(computed, case: Case) -> None:
    got = computed[case.name]
    quote = case.expected()
    for row, month in zip(got.months, quote.months, strict=False):
        number, units, licensed, msp_cost, msp_cumulative, annual_cumulative = row
        assert (number, units, licensed) == (month.month, month.units, month.licensed), row
        assert to_cents(msp_cost) == month.msp_cost, row
        assert to_cents(msp_cumulative) == month.msp_cumulative, row
        assert to_cents(annual_cumulative) == month.annual_cumulative, row


def test_an_exact_half_cent_is_rounded_up(computed) -> None:
    assert exact_annual_total(ENGINE_ROUNDING_CASE) == Decimal("27.98")
    got = computed[ENGINE_ROUNDING_CASE.name]
    assert exact(got.names[schema.QUOTE_ANNUAL_TOTAL]) == Decimal("27.98")
    for case in HALF_CENT_CASES:
        total = exact(computed[case.name].names[schema.QUOTE_ANNUAL_TOTAL])
        assert total == exact_annual_total(case) == case.expected().annual_total


@pytest.mark.parametrize("case", PROBLEM_CASES, ids=lambda c: c.name)
def test_a_quote_that_cannot_be_made_says_why_and_leaves_the_results_empty(
    computed, case: Case
) -> None:
    got = computed[case.name]
    assert got.status == PROBLEM_MESSAGES[case.name]
    for name in schema.QUOTE_RESULTS:
        assert got.names[name] in (None, ""), name
    assert all(v in (None, "") for row in got.months for v in row)


@pytest.mark.parametrize("case", VERDICT_CASES, ids=lambda c: c.name)
def test_the_sentence_says_which_option_saves_how_much_worked_out_by_hand(
    computed, case: Case
) -> None:
    """The prospect reads one sentence instead of a signed difference; the percent is the
    saving relative to the more expensive option's total, rounded half up."""
    msp, annual, difference, cheaper, sentence = VERDICTS[case.name]
    got = computed[case.name]
    assert got.status is None
    assert exact(got.names[schema.QUOTE_MSP_TOTAL]) == Decimal(msp)
    assert exact(got.names[schema.QUOTE_ANNUAL_TOTAL]) == Decimal(annual)
    assert exact(got.names[schema.QUOTE_DIFFERENCE]) == Decimal(difference)
    assert got.names[schema.QUOTE_CHEAPER] == cheaper
    assert got.verdict == sentence
    quote = case.expected()  # and the engine agrees with the hand-worked totals
    assert (quote.msp_total, quote.annual_total) == (Decimal(msp), Decimal(annual))


@pytest.mark.parametrize("case", PROBLEM_CASES, ids=lambda c: c.name)
def test_a_quote_that_cannot_be_made_has_no_sentence(computed, case: Case) -> None:
    assert computed[case.name].verdict in (None, "")


@pytest.mark.parametrize("case", against_the_engine(ALL_CASES))
def test_no_cell_shows_an_error_without_the_add_in(computed, case: Case) -> None:
    """LibreOffice has no xlwings add-in. The only error values on the whole sheet are the
    chart's #N/A beyond the term (hidden columns outside the print area), which is how both
    engines leave those months out of the chart."""
    got = computed[case.name]
    months = 12 * case.term if got.status is None else 0
    outside_the_chart_series = [a for a in got.errors if a.rstrip("0123456789") not in "HIJ"]
    assert not outside_the_chart_series, {a: got.errors[a] for a in outside_the_chart_series}
    assert set(got.errors.values()) <= {"#N/A"}
    assert len(got.errors) == 3 * (schema.QUOTE_MAX_MONTHS - months)
    assert all(v == "#N/A" for row in got.chart[months:] for v in row)


@pytest.mark.parametrize("case", QUOTED_CASES, ids=lambda c: c.name)
def test_the_chart_series_end_at_month_12_times_the_term(computed, case: Case) -> None:
    """The chart plots month (x) against the cumulative costs (y): the columns it reads hold
    the months 1..12 x Term and the month table's sums, then #N/A, which neither engine plots
    or scales its month axis over."""
    got = computed[case.name]
    months = 12 * case.term
    for k, (row, chart) in enumerate(zip(got.months, got.chart, strict=True), 1):
        if k <= months:
            assert chart == (row[4], row[5], k), k
        else:
            assert chart == ("#N/A", "#N/A", "#N/A"), k


def test_the_print_area_holds_only_the_prospects_part(tmp_path: Path) -> None:
    """Landscape A4, one page wide: the inputs, the results, the sentence and the chart; not the
    prices used, the Python quote, the signed difference, the notes or the month table."""
    wb = openpyxl.load_workbook(TEMPLATE_PATH)
    ws = wb[schema.QUOTE_SHEET]
    first_row, first_col, last_row, last_col = QUOTE_PRINT_AREA
    assert (first_row, first_col, last_col) == (0, 0, 5)
    assert ws.print_area == f"'{schema.QUOTE_SHEET}'!$A$1:$F${last_row + 1}"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # One page wide (1 is the default, which XlsxWriter leaves out), as many pages high as
    # needed (0).
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)

    def row_of(name: str) -> int:
        ((sheet, ref),) = list(wb.defined_names[name].destinations)
        return ws[ref.replace("$", "")].row

    printed = last_row + 1
    for name in (*schema.QUOTE_INPUTS, schema.QUOTE_MSP_TOTAL, schema.QUOTE_ANNUAL_TOTAL):
        assert row_of(name) <= printed, name
    assert row_of(schema.QUOTE_CHEAPER) <= printed
    assert ws[QUOTE_VERDICT_CELL].row <= printed and ws[QUOTE_STATUS_CELL].row <= printed
    assert row_of(schema.QUOTE_DIFFERENCE) > printed
    texts = {c.value: c.row for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in ("Prices used", "Same quote by Python (xlwings add-in)", "How to read this"):
        assert texts[text] > printed, text
    assert texts["Month by month"] > printed
    assert texts[schema.QUOTE_MONTH_HEADERS[0]] > printed
    # The chart's series are in hidden columns to the right of the print area (G..).
    hidden = {
        col for d in ws.column_dimensions.values() if d.hidden for col in range(d.min, d.max + 1)
    }
    assert hidden == {8, 9, 10}  # H..J
    # The chart lies inside the print area.
    (chart,) = ws._charts
    anchor = chart.anchor
    assert anchor._from.row <= last_row and anchor.to.row <= last_row + 1
    assert anchor.to.col <= last_col + 1
