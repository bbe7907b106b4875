#!/usr/bin/env bash
# Set up (first run only) and build the demo reseller workbook, recalculated: demo/MSP_Billing_demo.xlsx
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/msp-workbook demo "$@"
