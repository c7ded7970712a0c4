"""Shared pytest set-up: the repository root on sys.path (for ``vectors``) and backends."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dnssec_core.crypto import Backend, get_backend  # noqa: E402

#: Every backend the suite runs against.  test_all_backends_present keeps this honest.
BACKENDS = tuple(
    name
    for name, module in (("fast", "fast"), ("pure", "pure"), ("cross", "cross"))
    if importlib.util.find_spec(f"dnssec_core.crypto.{module}") is not None
)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    return get_backend(request.param)


@pytest.fixture
def fast() -> Backend:
    return get_backend("fast")
