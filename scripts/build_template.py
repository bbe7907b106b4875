"""Rebuild the committed template templates/MSP_Billing.xlsx from the workbook schema.

Run after changing the schema or the template builder:

    python scripts/build_template.py
"""

from __future__ import annotations

from msp_workbook.workbook.template.builder import TEMPLATE_PATH, build_workbook


def main() -> None:
    TEMPLATE_PATH.parent.mkdir(parents=True, exist_ok=True)
    build_workbook(TEMPLATE_PATH)
    print(f"wrote {TEMPLATE_PATH}")


if __name__ == "__main__":
    main()
