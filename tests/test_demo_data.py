"""The demo reseller's data: deterministic, consistent, and exercising what the docstring says."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msp_workbook.app.demo_data import DEMO_MONTHS, demo_data
from msp_workbook.core.keys import is_valid_key
from msp_workbook.core.months import Month
from msp_workbook.workbook import schema

LAST = Month(2026, 10)
MONTHS = (Month(2026, 10), Month(2025, 1), Month(2024, 2), Month(2031, 12))

# Cells hold str, int, Decimal, date or None; Any keeps the comparisons below readable.
Data = dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def data() -> Data:
    return demo_data(LAST)


def window(last_month: Month) -> list[Month]:
    return [last_month.shift(-i) for i in range(DEMO_MONTHS - 1, -1, -1)]


def product_metrics(d: Data) -> dict[str, dict[str, str]]:
    """Product ID -> metric -> aggregation."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for p in d["Products"]:
        out[str(p["Product ID"])][str(p["Metric"])] = str(p["Aggregation"])
    return out


def keys_by_id(d: Data) -> dict[str, dict[str, Any]]:
    return {str(k["License key"]): k for k in d["Keys"]}


def usage_months(d: Data) -> dict[tuple[str, str], set[Month]]:
    """(key, metric) -> months with readings."""
    out: dict[tuple[str, str], set[Month]] = defaultdict(set)
    for u in d["Usage"]:
        out[(str(u["License key"]), str(u["Metric"]))].add(Month.of(u["Date"]))
    return out


def live_months(key: dict[str, Any], last_month: Month) -> list[Month]:
    start, end = key["Start"], key["End"]
    assert isinstance(start, date)
    return [
        m for m in window(last_month) if start <= m.last_day and (end is None or end >= m.first_day)
    ]


# --- Shape ----------------------------------------------------------------------------------------


def test_same_seed_gives_the_same_rows() -> None:
    assert demo_data(LAST) == demo_data(LAST)
    assert demo_data(LAST, seed=7) == demo_data(LAST, seed=7)


def test_another_seed_gives_other_keys_and_usage() -> None:
    a, b = demo_data(LAST, seed=1), demo_data(LAST, seed=2)
    assert a["Keys"] != b["Keys"]
    assert a["Usage"] != b["Usage"]
    assert a["Customers"] == b["Customers"]


def test_every_input_table_with_exactly_the_schema_headers(data: Data) -> None:
    assert set(data) == {t.name for t in schema.INPUT_TABLES}
    assert set(data) == {"Settings", "Products", "AnnualPrices", "Customers", "Keys", "Usage"}
    for table in schema.INPUT_TABLES:
        for row in data[table.name]:
            assert tuple(row) == table.headers, table.name


def test_settings_of_a_german_reseller_billing_last_month(data: Data) -> None:
    values = {row["Setting"]: row["Value"] for row in data["Settings"]}
    assert values == {
        "Reseller": "Muster IT GmbH",
        "Country": "DE",
        "Currency": "EUR",
        "VAT rate": Decimal("0.19"),
        "Billing month": "2026-10",
        "Missing usage": "carry forward",
        "Correction months": 12,
        "Invoice prefix": "INV-",
        # The seller on its invoice documents.
        "Street": "Friedrichstraße 123",
        "Postcode": "10117",
        "City": "Berlin",
        "VAT ID": "DE136695976",
        "Tax number": "30/123/45678",
        "Contact": "Anna Schmidt",
        "Phone": "+49 30 1234567",
        "Email": "rechnung@muster-it.example",
        "IBAN": "DE02120300000000202051",
        "BIC": "BYLADEM1001",
        "Payment days": 14,
        "Language": "de",
        "Creditor ID": "DE98ZZZ09999999999",  # the Bundesbank's test creditor ID
        # Its DATEV booking batch: DATEV's example numbers, the default chart and accounts.
        "DATEV consultant": 29098,
        "DATEV client": 55003,
        "Chart of accounts": "SKR03",
        "Fiscal year start": 1,
        "Revenue account": None,
        "Reverse charge account": None,
        "Non-EU account": None,
    }


def test_products_price_every_metric_of_the_four_products(data: Data) -> None:
    rows = {(p["Product ID"], p["Metric"]): p for p in data["Products"]}
    assert {key: p["Aggregation"] for key, p in rows.items()} == {
        ("KC-MSP", "mailboxes"): "max",
        ("KCTL-MSP", "users"): "max",
        ("KOP-MSP", "users"): "max",
        ("LG-MSP", "nodes"): "max",
        ("LG-MSP", "scans"): "sum",
    }
    for p in data["Products"]:
        assert isinstance(p["Cost per unit"], Decimal)
        assert isinstance(p["Price per unit"], Decimal)
        assert p["Price per unit"] > p["Cost per unit"]
        assert isinstance(p["Minimum units"], int) and p["Minimum units"] >= 0
        assert str(p["Product"]).startswith("GFI ")


def test_annual_prices_are_tiers_for_every_term_of_a_priced_metric(data: Data) -> None:
    metrics = product_metrics(data)
    tiers: dict[tuple[Any, Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for row in data["AnnualPrices"]:
        assert row["Metric"] in metrics[str(row["Product ID"])]
        assert isinstance(row["Term (years)"], int) and 1 <= row["Term (years)"] <= 5
        assert isinstance(row["Min units"], int)
        assert row["Max units"] is None or isinstance(row["Max units"], int)
        assert isinstance(row["Price per unit per year"], Decimal)
        tiers[(row["Product ID"], row["Metric"], row["Term (years)"])].append(row)
    assert {(p, m) for p, m, _ in tiers} == {
        ("KC-MSP", "mailboxes"),
        ("KCTL-MSP", "users"),
        ("KOP-MSP", "users"),
        ("LG-MSP", "nodes"),
    }
    for rows in tiers.values():
        # Contiguous tiers, the last one open-ended.
        assert rows[-1]["Max units"] is None
        for lower, upper in zip(rows, rows[1:], strict=False):
            assert upper["Min units"] == lower["Max units"] + 1


@pytest.mark.parametrize("last_month", MONTHS, ids=str)
def test_counts_are_those_of_a_small_reseller(last_month: Month) -> None:
    d = demo_data(last_month)
    assert 25 <= len(d["Customers"]) <= 35
    assert 70 <= len(d["Keys"]) <= 90
    assert 2000 <= len(d["Usage"]) <= 3000


# --- Customers ------------------------------------------------------------------------------------


def test_customers_have_sequential_ids_and_realistic_details(data: Data) -> None:
    customers = data["Customers"]
    assert [c["Customer ID"] for c in customers] == [
        f"C-{i:04d}" for i in range(1, len(customers) + 1)
    ]
    assert len({c["Customer"] for c in customers}) == len(customers)
    for c in customers:
        assert c["Email"] is None or str(c["Email"]).endswith(".example")
        assert isinstance(c["Discount %"], Decimal) and 0 <= c["Discount %"] < 1
    countries = Counter(c["Country"] for c in customers)
    assert countries["DE"] > len(customers) / 2
    assert {"AT", "NL"} <= set(countries)


def test_customers_cover_reverse_charge_discounts_and_missing_vat_ids(data: Data) -> None:
    customers = data["Customers"]
    abroad = [c for c in customers if c["Country"] not in (None, "DE")]
    reverse_charge = [c for c in abroad if c["VAT ID"]]
    assert len(reverse_charge) >= 3
    assert {c["Country"] for c in reverse_charge} >= {"AT", "NL"}
    assert any(not c["VAT ID"] for c in abroad)  # VAT charged although abroad
    assert any(c["Country"] == "DE" and c["VAT ID"] for c in customers)  # domestic: VAT charged
    discounts = Counter(c["Discount %"] for c in customers)
    assert discounts[Decimal("0.05")] >= 1
    assert discounts[Decimal("0.10")] >= 1
    assert discounts[Decimal("0")] > len(customers) / 2


# --- Keys -----------------------------------------------------------------------------------------


def test_keys_refer_to_existing_customers_and_products(data: Data) -> None:
    customers = {c["Customer ID"] for c in data["Customers"]}
    products = {p["Product ID"] for p in data["Products"]}
    for k in data["Keys"]:
        assert k["Customer ID"] in customers
        assert k["Product ID"] in products
    assert {k["Product ID"] for k in data["Keys"]} == products


def test_generated_keys_are_valid_and_unique(data: Data) -> None:
    keys = [str(k["License key"]) for k in data["Keys"]]
    assert all(is_valid_key(k) for k in keys)
    assert len({k.upper() for k in keys}) == len(keys)


def test_statuses_active_suspended_and_cancelled(data: Data) -> None:
    statuses = Counter(k["Status"] for k in data["Keys"])
    assert set(statuses) == {"active", "suspended", "cancelled"}
    assert statuses["suspended"] >= 3
    assert statuses["cancelled"] >= 4
    assert statuses["active"] > len(data["Keys"]) / 2


def test_dates_of_keys(data: Data) -> None:
    first = window(LAST)[0]
    for k in data["Keys"]:
        assert type(k["Start"]) is date
        if k["Status"] == "cancelled":
            assert type(k["End"]) is date
            assert k["End"] >= k["Start"]
        else:
            assert k["End"] is None
    starts = [Month.of(k["Start"]) for k in data["Keys"]]
    assert len({m for m in starts if first <= m <= LAST}) >= 10  # spread over the 14 months
    assert sum(m < first for m in starts) >= 10  # and some customers from before
    assert [m for m in starts if m > LAST] == [LAST.shift(1)]  # one not billable yet


def test_cancelled_keys_end_before_inside_and_at_the_end_of_the_window(data: Data) -> None:
    first = window(LAST)[0]
    ends = [Month.of(k["End"]) for k in data["Keys"] if k["Status"] == "cancelled"]
    assert sum(first <= m < LAST for m in ends) >= 2
    assert sum(m == LAST for m in ends) == 1
    assert all(m <= LAST for m in ends)


def test_some_keys_have_notes(data: Data) -> None:
    notes = [k["Note"] for k in data["Keys"] if k["Note"]]
    assert 5 <= len(notes) < len(data["Keys"]) / 2
    assert all(isinstance(n, str) for n in notes)


# --- Usage ----------------------------------------------------------------------------------------


def test_every_reading_is_of_an_existing_key_and_a_metric_of_its_product(data: Data) -> None:
    keys = keys_by_id(data)
    metrics = product_metrics(data)
    for u in data["Usage"]:
        key = keys[str(u["License key"])]
        assert u["Metric"] in metrics[str(key["Product ID"])]


def test_quantities_are_whole_numbers_from_zero(data: Data) -> None:
    for u in data["Usage"]:
        assert type(u["Quantity"]) is int
        assert u["Quantity"] >= 0


def test_readings_fall_on_days_the_key_is_live(data: Data) -> None:
    keys = keys_by_id(data)
    for u in data["Usage"]:
        day = u["Date"]
        assert isinstance(day, date) and not isinstance(day, datetime)
        key = keys[str(u["License key"])]
        assert key["Start"] <= day
        assert key["End"] is None or day <= key["End"]


@pytest.mark.parametrize("last_month", MONTHS, ids=str)
def test_usage_covers_14_months_ending_at_last_month(last_month: Month) -> None:
    d = demo_data(last_month)
    months = {Month.of(u["Date"]) for u in d["Usage"]}
    assert sorted(months) == window(last_month)
    assert len(months) == 14


def test_readings_spread_over_the_month(data: Data) -> None:
    days = Counter(u["Date"].day for u in data["Usage"])
    assert set(days) == set(range(1, 32))


def test_readings_per_month_by_aggregation(data: Data) -> None:
    metrics = product_metrics(data)
    keys = keys_by_id(data)
    counts: Counter[tuple[str, str, Month]] = Counter()
    for u in data["Usage"]:
        counts[(str(u["License key"]), str(u["Metric"]), Month.of(u["Date"]))] += 1
    per_aggregation: dict[str, set[int]] = defaultdict(set)
    for (key, metric, _), n in counts.items():
        per_aggregation[metrics[str(keys[key]["Product ID"])][metric]].add(n)
    assert per_aggregation["max"] == {1, 2, 3, 4}
    assert per_aggregation["sum"] <= {1, 2, 3, 4, 5, 6}  # fewer only in a short first/last month
    assert {2, 6} <= per_aggregation["sum"]


def test_languard_keys_report_nodes_and_scans(data: Data) -> None:
    reported = usage_months(data)
    for k in data["Keys"]:
        if k["Product ID"] == "LG-MSP" and k["Status"] == "active":
            key = str(k["License key"])
            if live_months(k, LAST):
                assert reported[(key, "nodes")] == reported[(key, "scans")]


def test_active_keys_report_every_live_month_but_one(data: Data) -> None:
    """Active and cancelled keys report each month they are live; exactly one export is missing."""
    reported = usage_months(data)
    metrics = product_metrics(data)
    gaps = []
    for k in data["Keys"]:
        if k["Status"] == "suspended":
            continue
        key = str(k["License key"])
        for metric in metrics[str(k["Product ID"])]:
            for month in live_months(k, LAST):
                if month not in reported[(key, metric)]:
                    gaps.append((key, metric, month))
    assert len(gaps) == 1
    assert gaps[0][2] == LAST


def test_an_active_key_has_no_reading_in_last_month_for_a_max_metric(data: Data) -> None:
    """Billing with `carry forward` gives it an estimated line from the month before."""
    reported = usage_months(data)
    metrics = product_metrics(data)
    missing = []
    for k in data["Keys"]:
        key, product = str(k["License key"]), str(k["Product ID"])
        if k["Status"] != "active" or LAST not in live_months(k, LAST):
            continue
        for metric, aggregation in metrics[product].items():
            months = reported[(key, metric)]
            if aggregation == "max" and LAST not in months and LAST.shift(-1) in months:
                missing.append(k)
    assert len(missing) == 1
    assert str(LAST) in str(missing[0]["Note"])


def test_suspended_keys_report_only_in_some_months(data: Data) -> None:
    reported = usage_months(data)
    metrics = product_metrics(data)
    in_last_month = []
    for k in data["Keys"]:
        if k["Status"] != "suspended":
            continue
        key = str(k["License key"])
        metric = next(iter(metrics[str(k["Product ID"])]))
        live = live_months(k, LAST)
        assert len(reported[(key, metric)]) < len(live)
        in_last_month.append(LAST in reported[(key, metric)])
    assert True in in_last_month  # billed for what it reported
    assert False in in_last_month  # no estimate, no minimum


def test_keys_outside_the_window_have_no_usage(data: Data) -> None:
    reported = {key for key, _ in usage_months(data)}
    for k in data["Keys"]:
        if not live_months(k, LAST):
            assert k["License key"] not in reported


def test_usage_grows_over_the_window(data: Data) -> None:
    """Summed over the active keys live in all 14 months, usage grows from first to last."""
    monthly: dict[Month, int] = Counter()
    steady = {
        str(k["License key"])
        for k in data["Keys"]
        if k["Status"] == "active" and k["Start"] < window(LAST)[0].first_day
    }
    for u in data["Usage"]:
        if u["License key"] in steady and u["Metric"] != "scans":
            monthly[Month.of(u["Date"])] += u["Quantity"]
    assert monthly[window(LAST)[0]] < monthly[LAST.shift(-1)]


def test_sources_name_where_readings_come_from(data: Data) -> None:
    sources = Counter(u["Source"] for u in data["Usage"])
    assert set(sources) == {
        "KerioConnect admin",
        "KerioControl admin",
        "KerioOperator admin",
        "LanGuard report",
        "manual",
    }
    assert sources["manual"] < len(data["Usage"]) / 10


# --- Any seed, any month --------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    last_month=st.builds(Month, st.integers(2001, 2098), st.integers(1, 12)),
)
def test_demo_is_consistent_for_any_seed_and_month(seed: int, last_month: Month) -> None:
    d = demo_data(last_month, seed=seed)
    keys = keys_by_id(d)
    metrics = product_metrics(d)
    assert len(keys) == len(d["Keys"])
    assert all(is_valid_key(k) for k in keys)
    statuses = Counter(k["Status"] for k in d["Keys"])
    assert statuses["suspended"] >= 3 and statuses["cancelled"] >= 4
    for u in d["Usage"]:
        key = keys[str(u["License key"])]
        assert u["Metric"] in metrics[str(key["Product ID"])]
        assert type(u["Quantity"]) is int and u["Quantity"] >= 0
        assert key["Start"] <= u["Date"]
        assert key["End"] is None or u["Date"] <= key["End"]
    assert sorted({Month.of(u["Date"]) for u in d["Usage"]}) == window(last_month)
    settings_ = {row["Setting"]: row["Value"] for row in d["Settings"]}
    assert settings_["Billing month"] == str(last_month)


# --- Through the workbook -------------------------------------------------------------------------


def test_demo_workbook_bills_last_month_without_errors(tmp_path: Path, data: Data) -> None:
    """The demo, written into the template and read back, bills as the docstring promises."""
    from msp_workbook.app.check import check_workbook
    from msp_workbook.workbook.template.builder import build_workbook

    path = tmp_path / "demo.xlsx"
    build_workbook(path, data)
    report = check_workbook(path)
    assert report.month == LAST
    assert report.errors == []
    # The estimated line, and the Austrian customer without a VAT ID billed with German VAT.
    warnings = sorted(w.message for w in report.warnings)
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith("C-0027 is in AT (EU) and has no VAT ID: billed with 19% VAT")
    assert warnings[1].endswith("(estimated line)")
    types = Counter(line.type for line in report.result.lines)
    assert types["estimated"] == 1
    assert types["minimum"] >= 1
    assert types["usage"] > 50
    assert 25 <= len(report.result.invoices) <= 35
    assert sum(i.reverse_charge for i in report.result.invoices) >= 3
    keys = keys_by_id(data)
    billed = {line.license_key for line in report.result.lines}
    future = [k for k, v in keys.items() if v["Start"] > LAST.last_day]
    assert future and not billed & set(future)
    ending = [k for k, v in keys.items() if v["End"] and Month.of(v["End"]) == LAST]
    assert ending and set(ending) <= billed
    suspended = {k for k, v in keys.items() if v["Status"] == "suspended"}
    assert billed & suspended
