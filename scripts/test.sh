#!/usr/bin/env bash
# Set up (first run only), install LibreOffice if missing, then lint and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! command -v soffice >/dev/null 2>&1; then
  echo "Installing LibreOffice (the tests use it as a real spreadsheet engine)..."
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libreoffice-calc-nogui poppler-utils >/dev/null
fi
.venv/bin/ruff check msp_workbook tests scripts
.venv/bin/ruff format --check msp_workbook tests scripts
exec .venv/bin/python -m pytest "$@"
