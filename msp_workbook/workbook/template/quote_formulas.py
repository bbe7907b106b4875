"""The Quote sheet's native Excel formulas: the prices used, the month-by-month table, the
totals, the sentence saying which option saves how much, and what keeps a quote from being
made (`QuoteRefs`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ...core.vocabulary import TERMS, TERMS_TEXT
from .. import schema
from ..schema import Table
from .quote_layout import FIRST_MONTH_ROW, LAST_MONTH_ROW, TABLE_HEADER_ROW

# A quick quote for a prospect: MSP monthly against an annual subscription over 1..5 years, in
# native formulas only (no Python, no macros), so it computes live in any Excel 2016+ and
# LibreOffice 7.4+: INDEX/MATCH, SUMIFS, COUNTIFS, SUMPRODUCT, IF, ROUND, MIN/MAX and the like (no
# XLOOKUP, LET, FILTER or MINIFS), a few of them entered as array formulas, with structured
# references to the Products, AnnualPrices and Settings tables, so the reseller's own prices flow
# in. Formula cells carry no cached result: LibreOffice, which otherwise shows the cached values of
# an Excel file, then computes them on opening. The rules are those of the Python engine
# (core/annual.py, core/quote.py):
#
#   u(m) = max(0, round half up(now + (in12 - now) x (m - 1)/12)), m = 1..W, W = 12 x term
#   MSP  = round(sum of max(u(m), Minimum units) x Price per unit)
#   L(1) = max(u(1), lowest tier's Min units), paid L(1) x p(L(1)) x W/12; later, when u(m) > L,
#          the added a = u(m) - L are paid a x p(a) x (W - m + 1)/12 and L = u(m)
#
# p(n) is the rate of the tier with the largest Min units <= max(n, lowest Min units): for
# contiguous tiers that is the tier with Min <= n <= Max (empty Max = no upper bound), below the
# lowest tier the lowest tier's rate, and in a gap between tiers or above the last Max the tier
# below, as in the engine.
#
# Excel's ROUND rounds half away from zero, which is half up for the amounts here and for the
# unit counts (negative counts become 0 either way). Running sums are snapped to 6 decimals
# (amounts are exact multiples of 0.000001 while prices have at most 6 decimals), and the annual
# sum is carried as 12 x the amount, divided by 12 once per row: binary floating point noise then
# cannot move a half cent across the rounding edge of the totals.


def _col_ref(table: Table, header: str) -> str:
    """Structured reference to a table column, e.g. AnnualPrices[Min units]."""
    table.column(header)  # KeyError when the schema has no such column
    return f"{table.name}[{header}]"


@dataclass(frozen=True)
class QuoteRefs:
    """Cell references of the Quote sheet, and the formulas built from them."""

    helper: Mapping[str, str]  # helper key -> absolute cell, e.g. "$C$14"
    status: str

    def _p(self, header: str) -> str:
        return _col_ref(schema.PRODUCTS, header)

    def _a(self, header: str) -> str:
        return _col_ref(schema.ANNUAL_PRICES, header)

    @property
    def _annual_row(self) -> str:
        """1 for the AnnualPrices rows of the quoted product, metric and term, else 0."""
        a_id, a_metric, a_term = schema.ANNUAL_PRICES.headers[:3]
        return (
            f"({self._a(a_id)}={schema.QUOTE_PRODUCT})"
            f"*({self._a(a_metric)}={self.helper['metric']})"
            f"*({self._a(a_term)}={schema.QUOTE_TERM})"
        )

    def _annual_criteria(self) -> str:
        a_id, a_metric, a_term = schema.ANNUAL_PRICES.headers[:3]
        return (
            f"{self._a(a_id)},{schema.QUOTE_PRODUCT},"
            f"{self._a(a_metric)},{self.helper['metric']},"
            f"{self._a(a_term)},{schema.QUOTE_TERM}"
        )

    def _products_criteria(self) -> str:
        p_id, _, p_metric = schema.PRODUCTS.headers[:3]
        return f"{self._p(p_id)},{schema.QUOTE_PRODUCT},{self._p(p_metric)},{self.helper['metric']}"

    def rate(self, units: str) -> str:
        """p(units): price per unit and year of the tier with the largest Min <= the units
        (raised to the lowest tier's Min)."""
        a_min, a_rate = schema.ANNUAL_PRICES.headers[3], schema.ANNUAL_PRICES.headers[5]
        n = f"MAX({units},{self.helper['lowest']})"
        tier_min = f"SUMPRODUCT(MAX({self._annual_row}*({self._a(a_min)}<={n})*{self._a(a_min)}))"
        return f"SUMIFS({self._a(a_rate)},{self._annual_criteria()},{self._a(a_min)},{tier_min})"

    # --- helper cells ---

    def product(self) -> str:
        p_id, p_name = schema.PRODUCTS.headers[:2]
        return (
            f"=IFERROR(INDEX({self._p(p_name)},MATCH({schema.QUOTE_PRODUCT},{self._p(p_id)},0))"
            '&"","")'
        )

    def metric(self) -> str:
        """Array formula: the first Products row of the product (in sheet order) whose metric
        has AnnualPrices rows for the term."""
        p_id, _, p_metric = schema.PRODUCTS.headers[:3]
        a_id, a_metric, a_term = schema.ANNUAL_PRICES.headers[:3]
        has_prices = (
            f"COUNTIFS({self._a(a_id)},{schema.QUOTE_PRODUCT},{self._a(a_metric)},"
            f"{self._p(p_metric)},{self._a(a_term)},{schema.QUOTE_TERM})>0"
        )
        # The first matching position (1-based); none: a position past the end, so #REF!.
        # (MATCH would need an array, and a one-row table gives a single value.)
        rows = f"ROW({self._p(p_metric)})"
        first = (
            f"MIN(IF(({self._p(p_id)}={schema.QUOTE_PRODUCT})*({has_prices}),"
            f"{rows}-MIN({rows})+1,1E+9))"
        )
        return f'{{=IFERROR(INDEX({self._p(p_metric)},{first})&"","")}}'

    def price(self) -> str:
        p_price = schema.PRODUCTS.headers[5]
        return (
            f'=IF({self.helper["metric"]}="","",'
            f"SUMIFS({self._p(p_price)},{self._products_criteria()}))"
        )

    def minimum(self) -> str:
        p_minimum = schema.PRODUCTS.headers[6]
        return (
            f'=IF({self.helper["metric"]}="","",'
            f"SUMIFS({self._p(p_minimum)},{self._products_criteria()}))"
        )

    def lowest(self) -> str:
        """Array formula: the lowest Min units of the product's tiers for the term."""
        a_min = schema.ANNUAL_PRICES.headers[3]
        return (
            f'{{=IF({self.helper["metric"]}="","",MIN(IF({self._annual_row},{self._a(a_min)})))}}'
        )

    def first_rate(self) -> str:
        first_licensed = f"$C${FIRST_MONTH_ROW}"
        return f'=IF({self.helper["months"]}=0,"",{self.rate(first_licensed)})'

    def months(self) -> str:
        return f'=IF({self.status}="",12*{schema.QUOTE_TERM},0)'

    def currency(self) -> str:
        setting, value = schema.SETTINGS.headers
        return (
            f"=IFERROR(INDEX({_col_ref(schema.SETTINGS, value)},"
            f'MATCH("{schema.SETTING_CURRENCY}",{_col_ref(schema.SETTINGS, setting)},0))&"","")'
        )

    def status_message(self) -> str:
        """Empty when the quote can be made, else what to fix."""
        product, term = schema.QUOTE_PRODUCT, schema.QUOTE_TERM
        now, in12 = schema.QUOTE_UNITS_NOW, schema.QUOTE_UNITS_12M
        p_id = schema.PRODUCTS.headers[0]
        checks = (
            (f'{product}=""', '"Choose a Product ID."'),
            (
                f"COUNTIF({self._p(p_id)},{product})=0",
                f'"Product ID "&{product}&" is not on the Products sheet."',
            ),
            (
                f"ISNA(MATCH({term},{{{','.join(str(t) for t in TERMS)}}},0))",
                f'"{schema.COL_TERM_YEARS}: {TERMS_TEXT}."',
            ),
            (
                f"NOT(AND(ISNUMBER({now}),ISNUMBER({in12})))",
                '"Units now and Units in 12 months: whole numbers, 0 or more."',
            ),
            (
                f"OR({now}<0,{in12}<0,{now}<>INT({now}),{in12}<>INT({in12}))",
                '"Units now and Units in 12 months: whole numbers, 0 or more."',
            ),
            (
                f'{self.helper["metric"]}=""',
                f'{product}&" has no annual prices for a "&{term}&"-year term on the '
                f'AnnualPrices sheet."',
            ),
        )
        formula = '""'
        for condition, message in reversed(checks):
            formula = f"IF({condition},{message},{formula})"
        return "=" + formula

    # --- month rows ---

    def month_row(self, k: int) -> tuple[list[str], list[str]]:
        """Formulas of month k (1-based): the table's columns A..F and the chart's H..J."""
        r = TABLE_HEADER_ROW + k
        prev = r - 1
        h = self.helper
        blank = f'IF($A{r}="","",'
        units = (
            f"MAX(0,ROUND({schema.QUOTE_UNITS_NOW}"
            f"+({schema.QUOTE_UNITS_12M}-{schema.QUOTE_UNITS_NOW})*($A{r}-1)/12,0))"
        )
        if k == 1:
            licensed = f"MAX(B{r},{h['lowest']})"
            cumulative_msp = f"ROUND(D{r},6)"
            cumulative_annual = f"ROUND(C{r}*{self.rate(f'C{r}')}*{h['months']},6)/12"
        else:
            licensed = f"MAX(C{prev},B{r})"
            cumulative_msp = f"ROUND(E{prev}+D{r},6)"
            added = f"(B{r}-C{prev})"
            cumulative_annual = (
                f"IF(B{r}>C{prev},ROUND(12*F{prev}+{added}*{self.rate(added)}"
                f"*({h['months']}-$A{r}+1),6)/12,F{prev})"
            )
        table = [
            f'=IF({k}<={h["months"]},{k},"")',
            f"={blank}{units})",
            f"={blank}{licensed})",
            f"={blank}MAX(B{r},{h['minimum']})*{h['price']})",
            f"={blank}{cumulative_msp})",
            f"={blank}{cumulative_annual})",
        ]
        chart = [
            f'=IF($A{r}="",NA(),E{r})',
            f'=IF($A{r}="",NA(),F{r})',
            f'=IF($A{r}="",NA(),$A{r})',
        ]
        return table, chart

    # --- results ---

    def total(self, column: str) -> str:
        months = self.helper["months"]
        cells = f"${column}${FIRST_MONTH_ROW}:${column}${LAST_MONTH_ROW}"
        return f'=IF({months}=0,"",ROUND(INDEX({cells},{months}),2))'

    def verdict(self) -> str:
        """Which option saves how much over the term, as a sentence: "MSP saves 151.20 EUR
        (4 %) over 3 years", "Annual saves ...", or "Both cost the same over ...".

        The percent is the saving relative to the more expensive option's total (what the
        prospect would pay without the saving): MSP 12,000.00 against annual 15,000.00 is
        "MSP saves 3,000.00 (20 %)", not 25 %. It is rounded half up to a whole percent. The
        amount is FIXED(x, 2), which writes the separators of the user's locale (2.000,00 in a
        German Excel, where TEXT(x, "#,##0.00") would read the format code the German way)."""
        msp, annual = schema.QUOTE_MSP_TOTAL, schema.QUOTE_ANNUAL_TOTAL
        currency, months = self.helper["currency"], self.helper["months"]
        term = schema.QUOTE_TERM
        saving = f"ABS({annual}-{msp})"
        amount = f'FIXED({saving},2)&IF({currency}="",""," "&{currency})'
        percent = f'" ("&FIXED(ROUND(100*{saving}/MAX({msp},{annual}),0),0)&" %)"'
        over = f'" over "&{term}&IF({term}=1," year"," years")'
        return (
            f'=IF({months}=0,"",IF({msp}={annual},"Both cost the same"&{over},'
            f'IF({msp}<{annual},"MSP","Annual")&" saves "&{amount}&{percent}&{over}))'
        )

    def results(self) -> dict[str, str]:
        months = self.helper["months"]
        msp, annual = schema.QUOTE_MSP_TOTAL, schema.QUOTE_ANNUAL_TOTAL
        return {
            msp: self.total("E"),
            annual: self.total("F"),
            schema.QUOTE_DIFFERENCE: f'=IF({months}=0,"",ROUND({annual}-{msp},2))',
            schema.QUOTE_CHEAPER: f'=IF({months}=0,"",IF({msp}<={annual},"MSP","Annual"))',
        }
