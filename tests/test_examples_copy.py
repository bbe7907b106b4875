"""The copy of the worked examples in tests/examples is the contract's own, file for file."""

from __future__ import annotations

import pytest
from conftest import SHARED_EXAMPLES, VENDORED_EXAMPLES


@pytest.mark.skipif(not SHARED_EXAMPLES.is_dir(), reason="no shared/examples beside the checkout")
def test_examples_copy_is_current():
    shared = {p.relative_to(SHARED_EXAMPLES): p.read_bytes() for p in SHARED_EXAMPLES.rglob("*")
              if p.is_file()}  # fmt: skip
    copied = {p.relative_to(VENDORED_EXAMPLES): p.read_bytes()
              for p in VENDORED_EXAMPLES.rglob("*") if p.is_file()}  # fmt: skip
    assert copied == shared
