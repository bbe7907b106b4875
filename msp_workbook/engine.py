"""The billing engine's one choice: the rules over arrays (`core/fast/`) or the plain rules.

Every face bills through `app.compute.compute`, from one read of the workbook (a `ReadResult`:
the validated inputs, the usage index, the Ledger). Two steps of it have an array version
beside the plain rule, worth keeping at a million usage rows: billing the comparison window's
open months for every key at once, and finding which keys a correction of the closed months
concerns. This module is the only place that picks between them; services and the core take
no flag. The array versions give way to the plain rules wherever they cannot work (numpy
missing, as in xlwings Lite, or a number past 64 bits), and the plain rules are their oracle:
`tests/test_fast_billing.py` holds `ARRAYS` and `PLAIN` to equal results.
"""

from __future__ import annotations

from dataclasses import dataclass

from .core import billable, billing, comparison
from .core.billable import Billed
from .core.comparison import ComparisonRow
from .core.corrections import CorrectionWindow, correction_window
from .core.fast import billable as fast_billable
from .core.fast import comparison as fast_comparison
from .core.ledger import Ledger
from .core.models import BillingResult, Inputs
from .core.months import Month
from .core.usage import UsageIndex
from .workbook.reader import ReadResult

Precomputed = dict[tuple[str, str], Billed | None]


@dataclass(frozen=True)
class Engine:
    """How the month is billed: `arrays` uses the array versions where they can work."""

    arrays: bool

    def comparison_window(
        self, read: ReadResult, target: Month, usage: UsageIndex
    ) -> tuple[list[ComparisonRow], Precomputed]:
        """The Comparison rows of the window ending with `target`: closed months as the Ledger
        has them, the others as billed from today's sheets; and what `target` bills for each
        (license key, metric) when it is open (billing that month need not work it out again)."""
        ledger = read.ledger
        units = comparison.WindowUnits(read.inputs, target)
        for month in units.months:  # oldest first: a customer's latest name is the one shown
            if ledger.is_closed(month):
                units.add_rows(month, ledger.line_rows(month))
        still_open = [m for m in units.months if not ledger.is_closed(m)]
        target_open = bool(still_open) and still_open[-1] == target
        if self.arrays:
            billed = fast_billable.bill_open_months(
                units, read.inputs, still_open, usage, last_month=target_open
            )
            if billed is not None:
                block, precomputed = billed
                rows = fast_comparison.comparison_rows_in_bulk(units, block)
                if rows is not None:
                    return rows, precomputed
        positions = units.positions(still_open)
        precomputed = {}  # the plain rules, key by key
        for key, customer, product, found in billable.bill_window(read.inputs, still_open, usage):
            units.add_billed(positions, customer, product, found)
            if target_open:
                precomputed[(key.license_key, product.metric)] = found[-1]
        return units.rows(), precomputed

    def bill_open_month(
        self,
        inputs: Inputs,
        month: Month,
        ledger: Ledger,
        usage: UsageIndex,
        precomputed: Precomputed | None = None,
    ) -> BillingResult:
        """An open month's billing with its corrections (`core.billing.bill_open_month`). The
        closed months it corrects are worked out here, once (`core.corrections.CorrectionWindow`);
        with `arrays`, so are their quantities for every key at once, so that only the keys
        whose quantity differs are billed again key by key."""
        closed = ledger.closed_months()
        months = correction_window(closed, month, inputs.settings.correction_months)
        quantities = None
        if self.arrays and months:
            quantities = fast_billable.billed_quantities(inputs, months, usage)
        window = CorrectionWindow(months, quantities)
        return billing.bill_open_month(inputs, month, ledger, usage, window, precomputed)


ARRAYS = Engine(arrays=True)
PLAIN = Engine(arrays=False)
# The engine every face bills with.
ENGINE = ARRAYS
