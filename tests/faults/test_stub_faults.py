"""Fault injection over real loopback sockets, stub transport (issue 8; SEC-NET-03/05/06).

A lab "recursive" on 127.0.77.200 answers every question from the demo world's zones (with
CD, as a validating stub asks) and carries the fault; :class:`StubTransport` asks it and the
engine validates everything itself.  A stub has one upstream, so "a good server remains" means
a flaky upstream that fails once: the retry must give the fault-free verdict.  A permanent
fault must give an indeterminate verdict naming the failure kind after exactly ``attempts``
tries of the first question, and nothing after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dnssec_core.auth.server import Fault, FaultPlan
from dnssec_core.verdict import Reason, Status
from tests.faults.faults import BENIGN, EXPECTED, FAILING, FAULTS, VIA_TCP, comparable, questions
from tests.faults.lab import RECURSIVE, lab, query

QUESTIONS = [("www.secure.test.", "A"), ("nosuch.secure.test.", "A"),
             ("www.bogus.test.", "A"), ("www.insecure.test.", "A")]


@pytest.fixture(scope="module")
def clean() -> Iterator[dict[tuple[str, str], dict[str, Any]]]:
    with lab() as world:
        yield {q: comparable(query(world.stub(), *q)) for q in QUESTIONS}


def test_clean_verdicts_through_the_recursive(
    clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    assert [clean[q]["status"] for q in QUESTIONS] == ["secure", "secure", "bogus", "insecure"]


@pytest.mark.parametrize("fault", FAILING, ids=lambda f: f.value)
def test_failing_recursive_is_indeterminate_with_the_kind_SEC_NET_06(fault: Fault) -> None:
    kind = EXPECTED[fault]
    assert kind is not None
    with lab(faults={RECURSIVE: FaultPlan(fault)}) as world:
        result = query(world.stub(), "www.secure.test.", "A")
        assert result.status is Status.INDETERMINATE
        assert result.verdict.reason is Reason.LOOKUP_FAILED
        assert f"{kind.value} after 2 attempt(s)" in result.verdict.detail, result.verdict
        udp = questions(world[RECURSIVE], "udp")
        assert list(udp.values()) == [2]  # one question, tried twice, then nothing more
        assert questions(world[RECURSIVE], "tcp") == (udp if fault in VIA_TCP else {})


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.value)
def test_flaky_recursive_is_retried_to_the_clean_verdict_SEC_NET_06(
    fault: Fault, clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    question = QUESTIONS[0]
    with lab(faults={RECURSIVE: FaultPlan(fault, count=1)}) as world:
        assert comparable(query(world.stub(), *question)) == clean[question]
        first = world[RECURSIVE].seen[0]
        tries = 1 if EXPECTED[fault] is None else 2
        assert questions(world[RECURSIVE], "udp")[(first.qname, first.qtype)] == tries


@pytest.mark.parametrize("fault", BENIGN, ids=lambda f: f.value)
def test_survivable_fault_on_every_answer(
    fault: Fault, clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    with lab(faults={RECURSIVE: FaultPlan(fault)}) as world:
        for question in QUESTIONS:
            world[RECURSIVE].seen.clear()
            assert comparable(query(world.stub(), *question)) == clean[question]
            udp = questions(world[RECURSIVE], "udp")
            assert udp and set(udp.values()) == {1}
            assert questions(world[RECURSIVE], "tcp") == (udp if fault in VIA_TCP else {})


def test_attempts_parameter_is_respected() -> None:
    with lab(faults={RECURSIVE: FaultPlan(Fault.SERVFAIL)}) as world:
        result = query(world.stub(attempts=4), "www.secure.test.", "A")
        assert "servfail after 4 attempt(s)" in result.verdict.detail
        assert list(questions(world[RECURSIVE], "udp").values()) == [4]


def test_bogus_stays_bogus_after_a_retry() -> None:
    """A flaky upstream that then answers: the bogus zone is still bogus (not indeterminate,
    never secure)."""
    with lab(faults={RECURSIVE: FaultPlan(Fault.SERVFAIL, count=1)}) as world:
        result = query(world.stub(), "www.bogus.test.", "A")
        assert result.status is Status.BOGUS, result.verdict


def test_referral_from_the_upstream_is_lame_not_a_bogus_nodata() -> None:
    """Bug fixed here: a referral (no answer, no SOA, NS in authority — RFC 2308 §2.2) from a
    non-recursing upstream was handed to the engine as a NODATA and judged *bogus*
    (denial-proof-missing, EDE 12): a transport problem reported as a validation failure.  It
    is now a LAME lookup failure, retried, then indeterminate."""
    with lab(faults={RECURSIVE: FaultPlan(Fault.LAME)}) as world:
        result = query(world.stub(), "www.secure.test.", "A")
        assert result.status is Status.INDETERMINATE
        assert "lame-delegation after 2 attempt(s)" in result.verdict.detail
        assert "the upstream does not recurse" in result.verdict.detail


def test_nodata_with_soa_and_ns_is_still_an_answer() -> None:
    """RFC 2308 §2.2 NODATA type 1 (SOA and NS in the authority section) is not a referral."""
    import dns.message
    import dns.name
    import dns.rdatatype

    from dnssec_core.chain.types import Query
    from dnssec_core.transport import StubTransport
    from dnssec_core.wire.message import Response
    from tests.transport.dnsserver import Farm, Request, reply_to, rrset

    def nodata(request: Request) -> dns.message.Message:
        assert request.query is not None
        response = reply_to(request.query, aa=False)
        response.authority.append(rrset("example. 300 SOA ns.example. h.example. 1 2 3 4 5"))
        response.authority.append(rrset("example. 300 NS ns.example."))
        return response

    with Farm({"127.0.77.201": nodata}) as farm:
        stub = StubTransport("127.0.77.201", farm.port, udp_timeout=0.25, tcp_timeout=0.5)
        got = stub.ask(Query(dns.name.from_text("www.example."), dns.rdatatype.A))
        assert isinstance(got, Response), got
        assert len(farm["127.0.77.201"].requests) == 1
