"""`msp-workbook quote`: the worked quote example through the real command line."""

from __future__ import annotations

import json

from conftest import run_cli


def test_quote_json_prints_decimal_strings_for_the_worked_example(make_workbook, example_data):
    path = make_workbook(example_data)
    result = run_cli(
        "quote", "--product", "KC-MSP", "--term", "3", "--units-now", "20", "--units-12m", "35",
        "--workbook", str(path), "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "msp_total": "3628.80",
        "annual_total": "3780.00",
        "difference": "151.20",
        "cheaper": "MSP",
    }


def test_quote_text_uses_the_template_prices_by_default():
    result = run_cli(
        "quote", "--product", "KC-MSP", "--term", "3", "--units-now", "20", "--units-12m", "35"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Quote KC-MSP (mailboxes), 3 years: 20 units now, 35 in 12 months",
        "MSP total     3,628.80 EUR",
        "Annual total  3,780.00 EUR",
        "Difference      151.20 EUR (annual minus MSP)",
        "Cheaper: MSP",
    ]


def test_quote_for_an_unknown_product_is_a_one_line_error():
    result = run_cli(
        "quote", "--product", "XX", "--term", "1", "--units-now", "1", "--units-12m", "1"
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        'msp-workbook: unknown product ID "XX"\n',
    )


def test_quote_for_a_product_without_annual_prices_says_so(make_workbook, example_data):
    data = dict(example_data)
    data["AnnualPrices"] = [r for r in data["AnnualPrices"] if r["Product ID"] != "LG-MSP"]
    path = make_workbook(data)
    result = run_cli(
        "quote", "--product", "LG-MSP", "--term", "2", "--units-now", "1", "--units-12m", "1",
        "--workbook", str(path),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == "msp-workbook: product LG-MSP has no annual prices for a 2-year term\n"
