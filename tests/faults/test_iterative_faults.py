"""Fault injection over real loopback sockets, iterative transport (issue 8; SEC-NET-01/03/06).

The demo world is served on 127.0.77.x (tests/faults/lab.py) and resolved from its root hints
with :class:`~dnssec_core.transport.IterativeTransport`.  Each fault of tests/faults/faults.py
is put on one server of ``secure.test.`` and then:

- with a good server listed after it, the verdict is exactly the fault-free one, and the
  faulty server was asked once per question (it came first) before the good one answered;
- as the zone's only server, the verdict is indeterminate (``lookup-failed``) naming the
  failure kind, and the server saw exactly ``attempts`` tries of the question (SEC-NET-06: at
  least 2), over TCP too when it truncated — or, for a fault the transport must get past, the
  fault-free verdict;
- a flaky server (fails once) is retried and the verdict is the fault-free one.

Timeouts are 0.25 s (UDP) and 0.5 s (TCP), so nothing can hang.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dns.message
import dns.rcode
import pytest

from dnssec_core.auth.responder import Answerer
from dnssec_core.auth.server import Fault, FaultPlan
from dnssec_core.chain.types import FailureKind
from dnssec_core.verdict import Reason, Status
from tests.faults.faults import (
    BENIGN,
    EDNS_FAULTS,
    EXPECTED,
    FAILING,
    FAULTS,
    VIA_TCP,
    comparable,
    questions,
)
from tests.faults.lab import bad, good, lab, query

ZONE = "secure.test."
QUESTIONS = [("www.secure.test.", "A"), ("nosuch.secure.test.", "A")]
A, DNSKEY = 1, 48


@pytest.fixture(scope="module")
def clean() -> Iterator[dict[tuple[str, str], dict[str, Any]]]:
    """The fault-free verdicts, over the same sockets."""
    with lab() as world:
        transport = world.iterative()
        asked = [*QUESTIONS, ("www.insecure.test.", "A")]
        yield {q: comparable(query(transport, *q)) for q in asked}


def test_every_fault_mode_is_injected() -> None:
    """The parametrized list is the whole enum (NONE and the two EDNS faults, tested in
    test_edns_faults.py, aside): 21 faults, 17 failing."""
    assert set(FAULTS) == set(Fault) - {Fault.NONE} - EDNS_FAULTS
    assert (len(FAULTS), len(FAILING), len(BENIGN)) == (21, 17, 4)


def test_clean_verdicts(clean: dict[tuple[str, str], dict[str, Any]]) -> None:
    assert [clean[q]["status"] for q in QUESTIONS] == ["secure", "secure"]
    assert [clean[q]["rcode"] for q in QUESTIONS] == ["NOERROR", "NXDOMAIN"]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.value)
def test_dead_first_server_then_a_good_one_SEC_NET_06(
    fault: Fault, clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    faulty, healthy = bad(ZONE), good(ZONE)
    with lab({ZONE: (faulty, healthy)}, {faulty: FaultPlan(fault)}) as world:
        for question in QUESTIONS:
            world[faulty].seen.clear()
            world[healthy].seen.clear()
            # a fresh transport per question: one that remembers a timed-out server would
            # try it last (test_timed_out_server_is_tried_last_for_a_while)
            result = query(world.iterative(), *question)
            assert comparable(result) == clean[question], result.verdict
            asked = questions(world[faulty], "udp")
            assert asked and set(asked.values()) == {1}  # first in line, asked once each
            if EXPECTED[fault] is FailureKind.TIMEOUT:
                # after its timeout it is tried last: the question's later queries to the
                # zone (its DNSKEY) go to the good server only
                assert len(asked) == 1
            assert questions(world[faulty], "tcp") == (asked if fault in VIA_TCP else {})
            if EXPECTED[fault] is None:
                assert world[healthy].seen == []  # the faulty one's answer was usable
            elif EXPECTED[fault] is FailureKind.TIMEOUT:
                served = questions(world[healthy], "udp")
                assert len(served) == 2 and all(served[q] == 1 for q in asked)
            else:
                assert questions(world[healthy], "udp") == asked


@pytest.mark.parametrize("fault", FAILING, ids=lambda f: f.value)
def test_only_server_failing_is_indeterminate_with_the_kind_SEC_NET_06(fault: Fault) -> None:
    kind = EXPECTED[fault]
    assert kind is not None
    faulty = bad(ZONE)
    with lab({ZONE: (faulty,)}, {faulty: FaultPlan(fault)}) as world:
        result = query(world.iterative(), "www.secure.test.", "A")
        assert result.status is Status.INDETERMINATE
        assert result.verdict.reason is Reason.LOOKUP_FAILED
        assert f"{kind.value} after 2 attempt(s)" in result.verdict.detail, result.verdict
        assert faulty in result.verdict.detail
        tries = 2  # limits.ATTEMPTS_PER_SERVER: the first try and one retry
        assert questions(world[faulty], "udp") == {("www.secure.test.", A): tries}
        expected_tcp = {("www.secure.test.", A): tries} if fault in VIA_TCP else {}
        assert questions(world[faulty], "tcp") == expected_tcp
        assert result.as_json()["answer"] == []


@pytest.mark.parametrize("fault", BENIGN, ids=lambda f: f.value)
def test_only_server_with_a_survivable_fault(
    fault: Fault, clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    faulty = bad(ZONE)
    with lab({ZONE: (faulty,)}, {faulty: FaultPlan(fault)}) as world:
        for question in QUESTIONS:
            world[faulty].seen.clear()
            assert comparable(query(world.iterative(), *question)) == clean[question]
            asked = questions(world[faulty], "udp")
            assert asked and set(asked.values()) == {1}
            assert questions(world[faulty], "tcp") == (asked if fault in VIA_TCP else {})


@pytest.mark.parametrize("fault", [Fault.SILENT, Fault.SERVFAIL, Fault.GARBAGE_WITH_ID,
                                   Fault.TRUNCATE_TCP_PARTIAL, Fault.LAME],
                         ids=lambda f: f.value)
def test_flaky_only_server_is_retried_SEC_NET_06(
    fault: Fault, clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    faulty = bad(ZONE)
    with lab({ZONE: (faulty,)}, {faulty: FaultPlan(fault, count=1)}) as world:
        question = QUESTIONS[0]
        assert comparable(query(world.iterative(), *question)) == clean[question]
        first = world[faulty].seen[0]
        assert questions(world[faulty], "udp")[(first.qname, first.qtype)] == 2


@pytest.mark.parametrize("attempts", [1, 3])
def test_attempts_per_server_are_respected(attempts: int) -> None:
    faulty = bad(ZONE)
    with lab({ZONE: (faulty,)}, {faulty: FaultPlan(Fault.SERVFAIL)}) as world:
        result = query(world.iterative(attempts=attempts), "www.secure.test.", "A")
        assert f"servfail after {attempts} attempt(s)" in result.verdict.detail
        assert questions(world[faulty], "udp") == {("www.secure.test.", A): attempts}


def test_every_listed_server_failing_each_is_tried_twice_SEC_NET_06() -> None:
    """Two servers, two faults: each tried twice, the reason names both."""
    first, second = bad(ZONE), good(ZONE)
    plans = {first: FaultPlan(Fault.SERVFAIL), second: FaultPlan(Fault.SILENT)}
    with lab({ZONE: (first, second)}, plans) as world:
        result = query(world.iterative(), "www.secure.test.", "A")
        assert result.verdict.reason is Reason.LOOKUP_FAILED
        assert "after 4 attempt(s)" in result.verdict.detail
        assert "rcode SERVFAIL" in result.verdict.detail
        assert "no answer within" in result.verdict.detail
        for address in (first, second):
            assert questions(world[address], "udp") == {("www.secure.test.", A): 2}


def test_dead_root_server_then_a_good_one(
    clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    dead, alive = bad("."), good(".")
    with lab({".": (dead, alive)}, {dead: FaultPlan(Fault.SILENT)}) as world:
        question = QUESTIONS[0]
        assert comparable(query(world.iterative(), *question)) == clean[question]
        assert len(world[dead].seen) >= 1 and len(world[alive].seen) >= 1


def test_only_root_server_refusing_is_indeterminate() -> None:
    dead = bad(".")
    with lab({".": (dead,)}, {dead: FaultPlan(Fault.REFUSED)}) as world:
        result = query(world.iterative(), "www.secure.test.", "A")
        assert result.status is Status.INDETERMINATE
        assert "refused after 2 attempt(s)" in result.verdict.detail
        assert {s.transport for s in world[dead].seen} == {"udp"}
        assert len(world[dead].seen) == 2


def test_lame_server_that_serves_only_the_parent(
    clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """A listed server for secure.test. that only serves test. refers back to secure.test.
    itself (not strictly down): lame, so the next server is asked (RFC 1034 §4.3.2)."""
    lame, healthy = bad(ZONE), good(ZONE)
    with lab({ZONE: (lame, healthy)}, serve_as={lame: "test."}) as world:
        question = QUESTIONS[0]
        assert comparable(query(world.iterative(), *question)) == clean[question]
        assert questions(world[lame], "udp")
    with lab({ZONE: (lame,)}, serve_as={lame: "test."}) as world:
        result = query(world.iterative(), *question)
        assert result.status is Status.INDETERMINATE
        assert f"{FailureKind.LAME.value} after 2 attempt(s)" in result.verdict.detail


def test_insecure_zone_with_its_only_server_dead_is_indeterminate_not_insecure(
    clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """An unsigned zone whose server is silent: the DS proof says insecure, but there is no
    answer to be insecure about — the result must not pretend there is."""
    assert clean[("www.insecure.test.", "A")]["status"] == "insecure"
    dead = bad("insecure.test.")
    with lab({"insecure.test.": (dead,)}, {dead: FaultPlan(Fault.SILENT)}) as world:
        result = query(world.iterative(), "www.insecure.test.", "A")
        assert result.status is Status.INDETERMINATE, result.verdict
        assert result.verdict.reason is Reason.LOOKUP_FAILED
        assert result.as_json()["answer"] == []


class _LameNxdomain:
    """A listed server that is no authority at all: NXDOMAIN for everything, without AA and
    without an SOA (what a recursive-only or misconfigured box answers)."""

    def answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.set_rcode(dns.rcode.NXDOMAIN)
        return response


def test_non_authoritative_nxdomain_is_lame_and_the_next_server_answers(
    clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """Bug fixed here: the transport took any NXDOMAIN as final, so a lame first server made
    a secure name bogus (dnskey-missing).  RFC 1035 §4.1.1 gives NXDOMAIN meaning only from an
    authority (AA, and RFC 2308 §2.1 the zone's SOA): without either it is lame."""
    lame, healthy = bad(ZONE), good(ZONE)
    with lab({ZONE: (lame, healthy)}) as world:
        world[lame].responder = _LameNxdomain()
        for question in QUESTIONS:
            assert comparable(query(world.iterative(), *question)) == clean[question]
        assert questions(world[lame], "udp")
    with lab({ZONE: (lame,)}) as world:
        world[lame].responder = _LameNxdomain()
        result = query(world.iterative(), *QUESTIONS[0])
        assert result.status is Status.INDETERMINATE
        assert "lame-delegation after 2 attempt(s)" in result.verdict.detail
        assert "NXDOMAIN without AA" in result.verdict.detail


NOBODY = "127.0.77.250"  # nothing listens there: the kernel answers port unreachable


def test_closed_port_then_a_good_server(clean: dict[tuple[str, str], dict[str, Any]]) -> None:
    with lab({ZONE: (NOBODY, good(ZONE))}) as world:
        for question in QUESTIONS:
            assert comparable(query(world.iterative(), *question)) == clean[question]


def test_closed_port_only_is_a_network_failure_after_two_tries_SEC_NET_06() -> None:
    with lab({ZONE: (NOBODY,)}) as world:
        result = query(world.iterative(), *QUESTIONS[0])
        assert result.status is Status.INDETERMINATE
        assert "network-error after 2 attempt(s)" in result.verdict.detail, result.verdict
        assert "port unreachable" in result.verdict.detail


def test_summarize_breaks_ties_by_a_fixed_order_not_by_arrival() -> None:
    from dnssec_core.transport.wire_io import TIE_ORDER, Failure, Server, summarize

    assert set(TIE_ORDER) == set(FailureKind) and len(TIE_ORDER) == len(FailureKind)
    one = Failure(FailureKind.TIMEOUT, "a")
    two = Failure(FailureKind.MALFORMED, "b")
    three = Failure(FailureKind.SERVFAIL, "c")
    servers = [Server("127.0.0.1")]
    for failures in ([one, two], [two, one]):
        assert summarize(failures, servers, prefix="q").kind is FailureKind.MALFORMED
    assert summarize([one, one, three], servers, prefix="q").kind is FailureKind.TIMEOUT
    assert summarize([three, one], servers, prefix="q").kind is FailureKind.SERVFAIL


class _Unsigned:
    """A stale or stripped copy of a signed zone: the right data, no RRSIG anywhere."""

    def __init__(self, inner: Answerer) -> None:
        self.inner = inner

    def answer(self, query: dns.message.Message) -> dns.message.Message:
        response: dns.message.Message = self.inner.answer(query)
        for section in (response.answer, response.authority):
            section[:] = [r for r in section if r.rdtype != 46]
        return response


def test_dnssec_lame_server_first_the_signed_answer_wins(
    clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """Bug fixed here: one server of secure.test. serving an unsigned copy (its referral
    carried a signed DS) made a secure name bogus (rrsigs-missing) although a good server
    was listed.  Its unsigned answer is now kept aside while the others are asked."""
    lame, healthy = bad(ZONE), good(ZONE)
    with lab({ZONE: (lame, healthy)}) as world:
        world[lame].responder = _Unsigned(world[lame].responder)
        for question in QUESTIONS:
            world[lame].seen.clear()
            assert comparable(query(world.iterative(), *question)) == clean[question]
            asked = questions(world[lame], "udp")
            assert asked and set(asked.values()) == {1}  # an answer: not retried


def test_dnssec_lame_only_server_still_gives_the_engine_its_answer() -> None:
    """With no better server the unsigned answer goes to the engine, which judges it bogus
    exactly as before (RFC 4035 §5: a signed zone's answer without RRSIGs)."""
    lame = bad(ZONE)
    with lab({ZONE: (lame,)}) as world:
        world[lame].responder = _Unsigned(world[lame].responder)
        result = query(world.iterative(), *QUESTIONS[0])
        assert result.status is Status.BOGUS, result.verdict
        assert result.verdict.reason is Reason.RRSIGS_MISSING
        assert set(questions(world[lame], "udp").values()) == {1}


def test_unsigned_zone_answers_are_not_dnssec_lame(
    clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """insecure.test.'s referral has no DS: its unsigned answers are final at the first
    server (no extra queries to the second)."""
    zone = "insecure.test."
    first, second = good(zone), bad(zone)
    with lab({zone: (first, second)}) as world:
        question = ("www.insecure.test.", "A")
        assert comparable(query(world.iterative(), *question)) == clean[question]
        assert world[second].seen == []


def test_one_of_several_ns_names_dead_whatever_the_shuffle(
    clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """Two root server *names* (the transport shuffles names): the silent one is met first
    under some seeds and skipped after its timeout; every seed gives the fault-free verdict."""
    import random

    import dns.name

    from dnssec_core.transport import IterativeTransport, RootHints

    dead, alive = bad("."), good(".")
    hints = RootHints(((dns.name.from_text("a.root-servers.test."), (dead,)),
                       (dns.name.from_text("b.root-servers.test."), (alive,))), "two roots")
    with lab(faults={dead: FaultPlan(Fault.SILENT)}) as world:
        for seed in range(4):
            transport = IterativeTransport(hints, port=world.port, udp_timeout=0.25,
                                           tcp_timeout=0.5, ipv6=False, rng=random.Random(seed))
            question = QUESTIONS[0]
            assert comparable(query(transport, *question)) == clean[question]
        assert world[dead].seen and world[alive].seen


def test_timed_out_server_is_tried_last_for_a_while_SEC_NET_06() -> None:
    """A silent first server costs one timeout, not one per question: the transport remembers
    it (limits.UNRESPONSIVE_SERVER_SECONDS, its own clock) and asks the other server first;
    once the memory expires it is first in line again.  The verdicts stay the clean ones."""
    from dnssec_core import limits

    faulty, healthy = bad(ZONE), good(ZONE)
    now = [0.0]
    with lab({ZONE: (faulty, healthy)}, {faulty: FaultPlan(Fault.SILENT)}) as world:
        transport = world.iterative(clock=lambda: now[0])
        first = query(transport, *QUESTIONS[0])
        assert first.status is Status.SECURE
        assert sum(questions(world[faulty], "udp").values()) == 1  # one timeout in all
        assert transport.unresponsive() == [faulty]
        world[faulty].seen.clear()
        for question in QUESTIONS:
            assert query(transport, *question).status is Status.SECURE
        assert world[faulty].seen == []  # tried last, so never needed
        now[0] += limits.UNRESPONSIVE_SERVER_SECONDS + 1
        assert transport.unresponsive() == []
        assert query(transport, *QUESTIONS[1]).status is Status.SECURE
        assert sum(questions(world[faulty], "udp").values()) == 1  # first in line again
