"""Benchmark `msp-workbook recalc` against its floor, openpyxl and LibreOffice (and, where asked,
import, reconcile, invoice documents and the exports).

    python scripts/bench.py --sizes S M L --repeat 3 --json bench-results/bench.json

The benchmark itself is the package scripts/benchmark/ (its docstring says what is measured);
this script puts its folder on sys.path and runs it. `--help` lists the options.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
