"""The rows the Comparison chart plots: the 15 largest savings, largest first; on a tie Customer ID,
then Product ID (core/top_savings.py)."""

from __future__ import annotations

from decimal import Decimal as D

from msp_workbook.core.comparison import ComparisonRow
from msp_workbook.core.top_savings import TOP_SAVINGS, label, top_savings
from msp_workbook.workbook import schema
from msp_workbook.workbook.rows import top_savings_rows


def row(customer_id: str, product_id: str, saving: str, msp: str = "100") -> ComparisonRow:
    best = D(msp) + D(saving)  # MSP is best: the cheapest annual term costs the saving more
    return ComparisonRow(
        customer_id=customer_id,
        customer=f"Kunde {customer_id[-2:]} GmbH",
        product_id=product_id,
        months=12,
        average_units=D("10"),
        peak_units=10,
        msp_cost=D(msp),
        annual=(best + 5, best, None, best + 1, best + 2),
        best_option="MSP",
        saving=D(saving),
        saving_per_year=D(saving),
    )


# 17 rows, given in no particular order. Their savings, sorted by hand:
#    1. 500 C-0005 KC-MSP        6. 250 C-0004 KC-MSP       11. 100 C-0010 KC-MSP
#    2. 400 C-0002 LG-MSP        7. 200 C-0003 KC-MSP       12.  90 C-0011 KC-MSP
#    3. 300 C-0001 KC-MSP        8. 150 C-0006 KC-MSP       13.  80 C-0012 KC-MSP
#    4. 300 C-0001 LG-MSP        9. 120 C-0007 KC-MSP       14.  60 C-0016 LG-MSP
#    5. 300 C-0009 KC-MSP       10. 110 C-0008 KC-MSP       15.  50 C-0013 KCTL-MSP
#   and out: 16. 50 C-0014 KC-MSP (tied with the 15th: C-0013 comes first), 17. 10 C-0015 KC-MSP.
SEVENTEEN = [
    row("C-0015", "KC-MSP", "10"),
    row("C-0009", "KC-MSP", "300"),
    row("C-0014", "KC-MSP", "50"),
    row("C-0003", "KC-MSP", "200"),
    row("C-0001", "LG-MSP", "300"),
    row("C-0012", "KC-MSP", "80"),
    row("C-0005", "KC-MSP", "500"),
    row("C-0013", "KCTL-MSP", "50"),
    row("C-0007", "KC-MSP", "120"),
    row("C-0001", "KC-MSP", "300"),
    row("C-0011", "KC-MSP", "90"),
    row("C-0004", "KC-MSP", "250"),
    row("C-0002", "LG-MSP", "400"),
    row("C-0008", "KC-MSP", "110"),
    row("C-0006", "KC-MSP", "150"),
    row("C-0010", "KC-MSP", "100"),
    row("C-0016", "LG-MSP", "60"),
]


def test_the_15_largest_savings_of_17_rows_largest_first_ties_by_customer_then_product():
    assert TOP_SAVINGS == 15 and len(SEVENTEEN) == 17
    top = [(r.customer_id, r.product_id, r.saving) for r in top_savings(SEVENTEEN)]
    assert top == [
        ("C-0005", "KC-MSP", D("500")),
        ("C-0002", "LG-MSP", D("400")),
        ("C-0001", "KC-MSP", D("300")),  # the three-way tie: C-0001 before C-0009,
        ("C-0001", "LG-MSP", D("300")),  # and within C-0001 KC-MSP before LG-MSP
        ("C-0009", "KC-MSP", D("300")),
        ("C-0004", "KC-MSP", D("250")),
        ("C-0003", "KC-MSP", D("200")),
        ("C-0006", "KC-MSP", D("150")),
        ("C-0007", "KC-MSP", D("120")),
        ("C-0008", "KC-MSP", D("110")),
        ("C-0010", "KC-MSP", D("100")),
        ("C-0011", "KC-MSP", D("90")),
        ("C-0012", "KC-MSP", D("80")),
        ("C-0016", "LG-MSP", D("60")),
        ("C-0013", "KCTL-MSP", D("50")),  # the tie at the cut: C-0013 in, C-0014 out
    ]


def test_the_order_given_does_not_matter():
    assert top_savings(SEVENTEEN) == top_savings(reversed(SEVENTEEN))
    assert top_savings(SEVENTEEN) == top_savings(sorted(SEVENTEEN, key=lambda r: r.saving))


def test_fewer_rows_than_15_are_all_plotted_and_none_gives_none():
    three = SEVENTEEN[:3]  # savings 10, 300, 50
    assert [r.saving for r in top_savings(three)] == [D("300"), D("50"), D("10")]
    assert top_savings([]) == []


def test_a_bar_is_labelled_with_customer_id_name_and_product():
    assert label(row("C-0012", "KC-MSP", "1")) == "C-0012 Kunde 12 GmbH · KC-MSP"
    nameless = row("C-0012", "KC-MSP", "1").model_copy(update={"customer": ""})
    assert label(nameless) == "C-0012 · KC-MSP"


def test_the_block_beside_the_comparison_table_holds_label_msp_cost_best_annual_and_saving():
    block = top_savings_rows(SEVENTEEN)
    assert len(block) == 15
    assert len(schema.COMPARISON_SIDE_HEADERS) == len(block[0])
    assert block[0] == ["C-0005 Kunde 05 GmbH · KC-MSP", D("100"), D("600"), D("500")]
    assert block[-1] == ["C-0013 Kunde 13 GmbH · KCTL-MSP", D("100"), D("150"), D("50")]
