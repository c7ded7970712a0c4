"""QTYPE ANY end to end over loopback sockets (issue 5's ANY handling, issue 8 follow-up).

The lab responder answers ANY as an authoritative server does: every RRset at the name, each
with its RRSIGs (RFC 1034 §3.7.1, §4.3.2 step 3a; RFC 4035 §3.1.1), a wildcard's RRsets
expanded (RFC 4592 §3.3.1) with the proof that no closer name exists.  The engine validates
each RRset on its own (chain/engine.py): a secure name gives every RRset, an unsigned zone
gives them insecure, a bad signature makes the whole answer bogus.  A big ANY answer (a zone
apex) is truncated over UDP and fetched over TCP (RFC 7766 §5) — also from a server that
truncates its question away.  The same verdicts come from the in-process lab (no sockets),
through the iterative transport and through the stub.
"""

from __future__ import annotations

from collections.abc import Iterator

import dns.name
import dns.rdatatype
import pytest

from dnssec_core.auth.lab import LabTransport
from dnssec_core.auth.responder import Responder
from dnssec_core.auth.server import Fault, FaultPlan
from dnssec_core.chain.engine import Result
from dnssec_core.driver import resolve
from dnssec_core.verdict import Reason, Status
from tests.faults.faults import comparable
from tests.faults.lab import NOW, RECURSIVE, FaultLab, _zones, bad, good, lab, query, validator

A, NS, SOA, MX, TXT, AAAA, NSEC, DNSKEY, CAA = 1, 2, 6, 15, 16, 28, 47, 48, 257

#: name -> (status, rcode, RRset types of the answer in order), read from the demo zone files
EXPECTED: dict[str, tuple[Status, str, list[int]]] = {
    "www.secure.test.": (Status.SECURE, "NOERROR", [A, AAAA, NSEC]),
    "alias.secure.test.": (Status.SECURE, "NOERROR", [5, NSEC]),  # the CNAME, not chased
    "x.wild.secure.test.": (Status.SECURE, "NOERROR", [A]),  # wildcard: its NSEC stays home
    "secure.test.": (Status.SECURE, "NOERROR", [A, NS, SOA, MX, TXT, NSEC, DNSKEY, CAA]),
    "www.insecure.test.": (Status.INSECURE, "NOERROR", [A]),
    "www.bogus.test.": (Status.BOGUS, "SERVFAIL", []),
    "nosuch.secure.test.": (Status.SECURE, "NXDOMAIN", []),
}
NAMES = sorted(EXPECTED)


def in_process(name: str) -> Result:
    transport = LabTransport(Responder(_zones({}).values()))
    return resolve(validator(), transport, dns.name.from_text(name), dns.rdatatype.ANY,
                   now=NOW)


def check(result: Result, name: str) -> None:
    status, rcode, types = EXPECTED[name]
    assert (result.status, result.as_json()["rcode"]) == (status, rcode), result.verdict
    assert [s.rrset.rdtype for s in result.answer] == types
    if status is Status.BOGUS:
        assert result.verdict.reason is Reason.SIG_INVALID


@pytest.fixture(scope="module")
def served() -> Iterator[FaultLab]:
    with lab() as world:
        yield world


@pytest.mark.parametrize("name", NAMES)
def test_any_in_process(name: str) -> None:
    check(in_process(name), name)


@pytest.mark.parametrize("name", NAMES)
def test_any_over_sockets_iterative(name: str, served: FaultLab) -> None:
    result = query(served.iterative(), name, "ANY")
    check(result, name)
    assert comparable(result) == comparable(in_process(name))


@pytest.mark.parametrize("name", NAMES)
def test_any_over_sockets_stub(name: str, served: FaultLab) -> None:
    result = query(served.stub(), name, "ANY")
    check(result, name)
    assert comparable(result) == comparable(in_process(name))


def test_apex_any_is_truncated_and_fetched_over_tcp_SEC_NET_03(served: FaultLab) -> None:
    server = served[good("secure.test.")]
    server.seen.clear()
    check(query(served.iterative(), "secure.test.", "ANY"), "secure.test.")
    assert server.attempts("secure.test.", 255, "udp") == 1
    assert server.attempts("secure.test.", 255, "tcp") == 1


@pytest.mark.parametrize("fault", [Fault.TRUNCATE_NO_QUESTION, Fault.TRUNCATE])
def test_any_through_a_server_that_truncates_everything(fault: Fault) -> None:
    zone = "secure.test."
    faulty = bad(zone)
    with lab({zone: (faulty,)}, {faulty: FaultPlan(fault)}) as world:
        for name in ("www.secure.test.", "secure.test."):
            check(query(world.iterative(), name, "ANY"), name)
            assert world[faulty].attempts(name, 255, "tcp") == 1


def test_any_through_a_recursive_that_truncates_its_question_away() -> None:
    with lab(faults={RECURSIVE: FaultPlan(Fault.TRUNCATE_NO_QUESTION)}) as world:
        check(query(world.stub(), "www.secure.test.", "ANY"), "www.secure.test.")
        assert world[RECURSIVE].attempts("www.secure.test.", 255, "tcp") == 1


def test_any_is_every_rrset_the_zone_holds_at_the_name() -> None:
    """The expectations above are the zone files' own content, not hand-written lists."""
    # Requirement trace: this test also proves VAL-ANY-01.
    zones = {z.origin: z for z in _zones({}).values()}
    for name, (status, _, types) in EXPECTED.items():
        if status is not Status.SECURE or not types or name.startswith("x.wild"):
            continue
        owner = dns.name.from_text(name)
        zone = zones[max((o for o in zones if owner.is_subdomain(o)), key=len)]
        assert zone.types_at(owner) == types, name
