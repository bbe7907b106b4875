"""Annual subscription cost of a monthly unit profile, worked out by hand (SPEC section 5)."""

from __future__ import annotations

from decimal import Decimal as D

from records import MAILBOXES

from msp_workbook.core.annual import annual_cost, licensed_counts, msp_cost, tier_rate
from msp_workbook.core.models import AnnualPrice

TIERS = [
    AnnualPrice(
        product_id="KC-MSP",
        metric="mailboxes",
        term_years=1,
        min_units=low,
        max_units=high,
        price_per_unit_per_year=D(rate),
    )
    for low, high, rate in ((5, 24, "30"), (25, 49, "27"), (50, 249, "24"), (250, None, "21"))
]


def test_order_is_priced_entirely_at_its_tier():
    assert [tier_rate(TIERS, n) for n in (5, 24, 25, 49, 50, 249, 250, 10_000)] == [
        D("30"), D("30"), D("27"), D("27"), D("24"), D("24"), D("21"), D("21"),
    ]  # fmt: skip


def test_order_below_the_lowest_tier_gets_the_lowest_rate():
    assert tier_rate(TIERS, 1) == D("30")


def test_steady_usage_in_a_higher_tier():
    # 60 x 24 x 12/12
    assert annual_cost(TIERS, [60] * 12) == D("1440.00")


def test_expansion_in_month_six_is_paid_pro_rata_at_the_tier_of_the_added_units():
    # 10 x 30 x 12/12 = 300; month 6 adds 30 at 27 for 7 months: 30 x 27 x 7/12 = 472.50
    assert annual_cost(TIERS, [10] * 5 + [40] * 7) == D("772.50")


def test_usage_below_the_lowest_tier_is_licensed_at_the_lowest_min_units():
    # 5 x 30 = 150; month 4 grows to 7: 2 more at the lowest rate for 9 months: 2 x 30 x 9/12 = 45
    assert annual_cost(TIERS, [2, 2, 2, 7, 7, 7, 7, 7, 7, 7, 7, 7]) == D("195.00")
    assert licensed_counts(TIERS, [2, 2, 2, 7]) == [5, 5, 5, 7]


def test_falling_usage_never_lowers_the_licensed_count():
    # W = 4: 40 x 27 x 4/12 = 360; month 4 reaches 45: 5 x 30 x 1/12 = 12.50
    assert annual_cost(TIERS, [40, 20, 20, 45]) == D("372.50")
    assert licensed_counts(TIERS, [40, 20, 20, 45]) == [40, 40, 40, 45]


def test_cost_is_rounded_once_at_the_end():
    # 7 x 30 x 1/12 = 17.50 exactly; 1 month of 13 at 30: 13 x 30 / 12 = 32.50;
    # W = 2: 5 x 30 x 2/12 = 25; month 2 adds 1 at 30 for 1 month: 2.50 -> 27.50
    assert annual_cost(TIERS, [5, 6]) == D("27.50")
    # W = 7: 5 x 30 x 7/12 = 87.50; month 7 adds 1: 1 x 30 x 1/12 = 2.50 -> 90.00
    # (no rounding per step)
    assert annual_cost(TIERS, [5, 5, 5, 5, 5, 5, 6]) == D("90.00")


def test_msp_cost_applies_minimum_units_each_month():
    # max(2, 5) + 7 = 12 units x 2.40
    assert msp_cost(MAILBOXES, [2, 7]) == D("28.80")


def test_a_total_exactly_on_a_half_cent_rounds_up():
    # Tiers 1-2 at 7.46, 3+ at 20.44; W = 12, u grows from 0 to 8 by the quote's straight line:
    # only 1- and 2-unit orders, all at 7.46; sum of units x months left = 45
    # -> 7.46 x 45/12 = 27.975
    tiers = [
        AnnualPrice(product_id="P", metric="m", term_years=1, min_units=1, max_units=2,
                    price_per_unit_per_year=D("7.46")),
        AnnualPrice(product_id="P", metric="m", term_years=1, min_units=3, max_units=None,
                    price_per_unit_per_year=D("20.44")),
    ]  # fmt: skip
    from msp_workbook.core.quote import quote_profile

    profile = quote_profile(0, 8, 1)
    assert annual_cost(tiers, profile) == D("27.98")
