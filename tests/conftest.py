"""Shared pytest set-up: the repository root on sys.path (for ``vectors``) and backends."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Some tests build signed worlds with dnspython's own signer (tests only; the package never
# imports dns.dnssec).  dnspython 2.9 wants cryptography >= 50 for it and decides once, when
# dns.dnssec is first imported; force it here, before any test module can import it, so the
# suite does not depend on test order on machines with an older cryptography.
import dns._features  # noqa: E402

dns._features.force("dnssec", True)

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
