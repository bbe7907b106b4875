"""The example price list the template ships (and the demo reseller uses): to be replaced by each
reseller with GFI's actual prices and its own selling prices."""

from __future__ import annotations

from ...core import vocabulary

# (Product ID, Product, Metric, Aggregation, Cost per unit, Price per unit, Minimum units)
PRODUCTS: tuple[tuple[str, str, str, str, str, str, int], ...] = (
    ("KC-MSP", "GFI KerioConnect AI MSP", "mailboxes", "max", "1.60", "2.40", 5),
    ("KCTL-MSP", "GFI KerioControl AI MSP", "users", "max", "1.20", "1.85", 0),
    ("KOP-MSP", "GFI KerioOperator MSP", "users", "max", "1.50", "2.25", 0),
    ("LG-MSP", "GFI LanGuard MSP", "nodes", "max", "0.60", "0.95", 10),
    ("LG-MSP", "GFI LanGuard MSP", "scans", "sum", "0.02", "0.03", 0),
)

# Annual volume tiers per (Product ID, Metric): (Min units, Max units or None, price per unit per
# year). Every term of 1..5 years uses the same yearly rate (no multi-year discount).
TIERS: tuple[tuple[str, str, tuple[tuple[int, int | None, str], ...]], ...] = (
    (
        "KC-MSP",
        "mailboxes",
        ((5, 24, "30.00"), (25, 49, "27.00"), (50, 249, "24.00"), (250, None, "21.00")),
    ),
    (
        "KCTL-MSP",
        "users",
        ((5, 24, "24.00"), (25, 49, "21.60"), (50, 249, "19.20"), (250, None, "16.80")),
    ),
    (
        "KOP-MSP",
        "users",
        ((5, 24, "27.00"), (25, 49, "24.30"), (50, 249, "21.60"), (250, None, "18.90")),
    ),
    ("LG-MSP", "nodes", ((10, 49, "11.00"), (50, 249, "9.90"), (250, None, "8.80"))),
)
TERMS = vocabulary.TERMS
