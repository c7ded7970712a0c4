"""End to end over real sockets: the engine, the iterative transport and the demo world's
zones (vectors/demo) served by :mod:`dnssec_core.auth.server` on their 127.0.0.x addresses.

Every case of world.json must reach the verdict it reaches in-process (tests/chain), which was
checked against Unbound; the transport must not change any verdict.  The servers listen on one
high port, which the transport applies to every authority.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dns.name
import dns.rdatatype
import pytest

from dnssec_core.auth.server import serving_on_a_free_port
from dnssec_core.chain.engine import Validator
from dnssec_core.crypto import get_backend
from dnssec_core.driver import resolve
from dnssec_core.transport import IterativeTransport
from tests.chain.lab import NOW, anchors, socket_world, world

CASES: list[dict[str, Any]] = world()["cases"]


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[IterativeTransport, Validator]]:
    responders, hints = socket_world()
    with serving_on_a_free_port(responders) as (port, _):
        transport = IterativeTransport(hints, port=port, udp_timeout=1.0, tcp_timeout=2.0)
        yield transport, Validator(anchors(), backend=get_backend("fast"))

@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['qname']}/{c['qtype']}")
def test_demo_case_over_sockets(case: dict[str, Any], demo: tuple[Any, Validator]) -> None:
    transport, validator = demo
    result = resolve(
        validator,
        transport,
        dns.name.from_text(case["qname"]),
        dns.rdatatype.from_text(case["qtype"]),
        now=NOW,
    )
    got = result.as_json()
    assert (got["status"], got["rcode"]) == (case["expect_status"], case["expect_rcode"]), (
        result.verdict
    )
