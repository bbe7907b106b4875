"""Monthly billing in arrears: usage readings -> billing lines -> invoices.

The rules, in the order they apply to a month M (the product spec, section 3), and the module
that holds each:

1. Which keys are billable: `active` and `cancelled` keys whose Start..End period touches M
   (`cancelled` always has an End). `suspended` keys in that period are billed only for the usage
   actually reported in M: no estimate, no minimum. (`billable`)
2. Metric aggregation per (key, metric, M): max, sum, last (latest date; on a tie the lower row in
   the sheet), avg (mean rounded up to a whole unit). (`usage`)
3. Missing usage (a billable key without readings for a metric in M) gives an `estimated` line:
   0 for `sum` metrics; otherwise the quantity of the latest earlier month with readings
   (`carry forward`, 0 if none) or 0 (`zero`). Each is reported as a warning. (`billable`;
   the warning `lines`)
4. Minimum units raise the quantity of active and cancelled keys (Type `minimum`, unless the line is
   `estimated`). (`billable`)
5. Net = round(quantity x unit price x (1 - discount)), Cost = round(quantity x unit cost),
   Margin = Net - Cost, each rounded half up to the cent per line. (`lines`)
6. Lines with quantity 0 are left out, except estimated ones. (`billable`)
7. One invoice per customer; VAT on the invoice's net total; reverse charge (VAT 0) for customers
   in another country that have a VAT ID. (`invoices`)
8. Lines sorted by Customer ID, Product ID, License key, Metric; invoices by Customer ID.
   (`lines`, `invoices`)

An open month after closed ones also gets the corrections of the closed months in its
correction window (the product spec, section 4: `corrections`).
"""

from __future__ import annotations

from collections.abc import Mapping

from .billable import Billed
from .corrections import CorrectionWindow, correction_lines, with_corrections
from .invoices import invoices_for
from .ledger import Ledger
from .lines import billing_lines
from .models import BillingResult, Check, Inputs
from .months import Month
from .usage import UsageIndex
from .vocabulary import LEDGER_SHEET


def bill_month(inputs: Inputs, month: Month, usage: UsageIndex) -> BillingResult:
    """Bill month M from validated inputs and their readings: lines, invoices and the warnings
    found."""
    lines, checks = billing_lines(inputs, month, usage)
    return BillingResult(
        month=month,
        lines=tuple(lines),
        invoices=tuple(invoices_for(lines, inputs, month)),
        checks=tuple(checks),
    )


def bill_open_month(
    inputs: Inputs,
    month: Month,
    ledger: Ledger,
    usage: UsageIndex,
    window: CorrectionWindow,
    precomputed: Mapping[tuple[str, str], Billed | None] | None = None,
) -> BillingResult:
    """An open month's billing: its own lines plus corrections of the closed months of its
    `window` (`corrections.correction_lines`; `usage`, `precomputed`: see
    `lines.billing_lines`)."""
    lines, checks = billing_lines(inputs, month, usage, precomputed)
    corrections = correction_lines(inputs, month, ledger, usage, window)
    if corrections:
        closed = sorted({str(c.corrects) for c in corrections})
        checks.append(
            Check(
                severity="info",
                sheet=LEDGER_SHEET,
                cell="",
                message=f"{len(corrections)} correction lines for closed months "
                f"{', '.join(closed)}: usage or prices changed since they were closed",
            )
        )
    lines = with_corrections(lines, corrections)
    return BillingResult(
        month=month,
        lines=tuple(lines),
        invoices=tuple(invoices_for(lines, inputs, month)),
        checks=tuple(checks),
    )
