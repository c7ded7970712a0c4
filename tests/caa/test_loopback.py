"""caatestsuite over real sockets: the lab zones served on 127.0.1.x, resolved iteratively
from the lab root with the real transport — a server that never answers, one that answers
SERVFAIL and one that REFUSES, as upstream deploys them (issue 6, BR-CAA-07/08)."""

from __future__ import annotations

import contextlib
import random
import socket
from collections.abc import Iterator

import dns.flags
import dns.message
import dns.name
import dns.rcode
import pytest

from dnssec_core.auth.responder import Answerer, Responder
from dnssec_core.auth.server import serving
from dnssec_core.auth.zone import AuthZone
from dnssec_core.caa.check import CaaCheck, CaaRequest, check_caa
from dnssec_core.caa.decision import Decision, DecisionReason
from dnssec_core.caa.domain import parse_domain
from dnssec_core.chain.engine import Validator
from dnssec_core.chain.types import FailureKind
from dnssec_core.crypto import Backend
from dnssec_core.transport import IterativeTransport, RootHints
from tests.caa.test_caatestsuite import NOW, anchors, lab_world, zones

SERVFAIL_ZONE = dns.name.from_text("servfail.caatestsuite-dnssec.com.")
GONE = dns.name.from_text("gone.basic.caatestsuite.com.")
DS = 43


class Failing:
    """A responder that answers ``rcode`` for names at/below ``apex`` (but not the DS at the
    apex, which its parent answers), and passes everything else to ``inner``."""

    def __init__(self, inner: Answerer | None, apex: dns.name.Name, rcode: dns.rcode.Rcode):
        self.inner, self.apex, self.rcode = inner, apex, rcode

    def answer(self, query: dns.message.Message) -> dns.message.Message:
        question = query.question[0]
        below = question.name.is_subdomain(self.apex)
        if self.inner is None or (below and not (question.rdtype == DS
                                                 and question.name == self.apex)):
            response = dns.message.make_response(query)
            response.set_rcode(self.rcode)
            response.flags &= ~dns.flags.AA
            return response
        return self.inner.answer(query)


@contextlib.contextmanager
def lab_servers() -> Iterator[IterativeTransport]:
    by_address: dict[str, list[AuthZone]] = {}
    origins = {z.origin: z for z in zones()}
    for entry in lab_world()["zones"]:
        for address in entry["servers"]:
            if ":" not in address:  # the loopback servers are IPv4 only
                by_address.setdefault(address, []).append(origins[dns.name.from_text(
                    entry["zone"])])
    responders: dict[str, Answerer] = {a: Responder(z) for a, z in by_address.items()}
    responders["127.0.1.4"] = Failing(responders["127.0.1.4"], SERVFAIL_ZONE,
                                      dns.rcode.SERVFAIL)
    responders["127.0.1.3"] = Failing(responders["127.0.1.3"], GONE, dns.rcode.SERVFAIL)
    responders["127.0.1.6"] = Failing(None, dns.name.root, dns.rcode.REFUSED)
    hints = RootHints(((dns.name.from_text("a.root.lab."), ("127.0.1.1",)),), "caatestsuite lab")
    rng = random.SystemRandom()
    for _ in range(20):
        port = rng.randrange(20000, 60000)
        blackhole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # reads nothing, ever
        try:
            blackhole.bind(("127.0.1.5", port))
            with serving(responders, port):
                yield IterativeTransport(hints, port=port, udp_timeout=0.3, tcp_timeout=0.6,
                                         ipv6=False)
                return
        except OSError:
            continue
        finally:
            blackhole.close()
    pytest.fail("no free loopback port for the caatestsuite lab")


@pytest.fixture(scope="module")
def transport() -> Iterator[IterativeTransport]:
    with lab_servers() as lab:
        yield lab


def run(fqdn: str, transport: IterativeTransport, backend: Backend, *,
        permit: bool = False) -> CaaCheck:
    request = CaaRequest(parse_domain(fqdn), ("ca.example",), permit_on_lookup_failure=permit)
    return check_caa(request, Validator(anchors(), backend=backend), transport, now=NOW)


@pytest.mark.parametrize(("fqdn", "decision"), [
    ("deny.basic.caatestsuite.com", "denied"),
    ("sub2.sub1.deny.basic.caatestsuite.com", "denied"),
    ("cname-cname-deny.basic.caatestsuite.com", "denied"),
    ("dname-permit.deny.basic.caatestsuite.com", "denied"),
    ("big.basic.caatestsuite.com", "denied"),       # 1001 records: over TCP
    ("auto-www-san.caatestsuite.com", "permitted"),
    ("expired.caatestsuite-dnssec.com", "lookup-failure"),
    ("missing.caatestsuite-dnssec.com", "lookup-failure"),
])
def test_over_sockets(fqdn: str, decision: str, transport: IterativeTransport,
                      fast: Backend) -> None:
    check = run(fqdn, transport, fast)
    assert check.as_json()["decision"] == decision, check.reason


@pytest.mark.parametrize(("fqdn", "kind"), [
    ("blackhole.caatestsuite-dnssec.com", FailureKind.TIMEOUT),
    ("servfail.caatestsuite-dnssec.com", FailureKind.SERVFAIL),
    ("refused.caatestsuite-dnssec.com", FailureKind.REFUSED),
])
def test_failing_servers_of_a_signed_zone_BR_CAA_08(fqdn: str, kind: FailureKind,
                                                    transport: IterativeTransport,
                                                    fast: Backend) -> None:
    check = run(fqdn, transport, fast, permit=True)
    assert check.decision is Decision.LOOKUP_FAILURE
    assert check.outcome.reason is DecisionReason.LOOKUP_FAILED
    failures = check.lookups[-1].failures
    assert failures and all(f.kind is kind and f.attempts >= 2 for _, f in failures)
    assert "not proven insecure" in check.reason


def test_servfail_in_an_insecure_zone_BR_CAA_07(transport: IterativeTransport,
                                               fast: Backend) -> None:
    """The real transport retries (SEC-NET-06); the zone is proven insecure by com.'s NSEC;
    so the failure may count as permission — only with the CA's opt-in."""
    check = run("gone.basic.caatestsuite.com", transport, fast, permit=True)
    assert check.decision is Decision.PERMITTED, check.reason
    assert check.outcome.reason is DecisionReason.LOOKUP_FAILURE_PERMITTED
    _, failure = check.lookups[0].failures[0]
    assert failure.kind is FailureKind.SERVFAIL and failure.attempts >= 2
    assert [s.split("#")[0] for s in failure.servers] == ["127.0.1.3"]
    assert run("gone.basic.caatestsuite.com", transport, fast).decision \
        is Decision.LOOKUP_FAILURE
