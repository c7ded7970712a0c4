"""A server without EDNS: FORMERR without OPT, then the question again without OPT (RFC 6891
§7 and §6.2.2; SEC-NET-04), against real sockets on loopback.

RFC 6891 §7: a responder that does not implement EDNS answers a query carrying OPT with
FORMERR and no OPT record; a FORMERR *with* OPT is a format error of another kind and must not
be retried without EDNS.  §6.2.2: the requester MAY then ask without OPT and MAY cache that
knowledge for a brief time (:class:`EdnsMemory`, bounded).  The plain retry has no DO bit, so
what comes back carries no DNSSEC records: the engine judges that (tests/faults).
"""

from __future__ import annotations

import dns.flags
import dns.message
import dns.rcode

from dnssec_core import limits
from dnssec_core.chain.types import FailureKind
from dnssec_core.transport.wire_io import EdnsMemory, Exchange, Failure, Server, exchange
from tests.transport.dnsserver import Farm, Handler, Request, answer, reply_to
from tests.transport.test_wire_io import TCP_T, UDP_T, query

ADDR = "127.0.0.31"
RECORD = "www.example.test. 300 A 192.0.2.1"


def formerr_without_opt(request: Request, *, question: bool = True) -> dns.message.Message:
    """What a server without EDNS sends to a query with OPT (RFC 6891 §7)."""
    assert request.query is not None
    response = reply_to(request.query, dns.rcode.FORMERR)
    response.use_edns(False)
    if not question:
        response.question = []
    return response


def no_edns(request: Request) -> dns.message.Message:
    """A server without EDNS: FORMERR without OPT to OPT, the answer to a plain query."""
    assert request.query is not None
    if request.query.edns >= 0:
        return formerr_without_opt(request)
    return answer(request, RECORD)


def run(handler: Handler, memory: EdnsMemory | None = None, *, server: Server | None = None
        ) -> tuple[Exchange, Farm]:
    with Farm({ADDR: handler}) as farm:
        result = exchange(query(), server or Server(ADDR, farm.port), udp_timeout=UDP_T,
                          tcp_timeout=TCP_T, edns_memory=memory)
    assert farm.errors == []
    return result, farm


def opt_seen(farm: Farm) -> list[tuple[str, bool]]:
    """(transport, carried OPT) for each query the server received."""
    return [(r.transport, r.query is not None and r.query.edns >= 0)
            for r in farm[ADDR].requests]


def test_formerr_without_opt_is_asked_again_without_edns_RFC6891_7() -> None:
    result, farm = run(no_edns)
    assert isinstance(result.outcome, dns.message.Message), result.outcome
    assert result.outcome.rcode() == dns.rcode.NOERROR and result.outcome.edns < 0
    assert (result.sent, result.fallback, result.edns, result.via_tcp) == (2, True, False, False)
    assert opt_seen(farm) == [("udp", True), ("udp", False)]
    first, plain = farm[ADDR].requests[0].query, farm[ADDR].requests[1].query
    assert first is not None and plain is not None
    # the same question, CD kept, and no DO (there is no OPT to carry it)
    assert plain.question == first.question
    assert plain.flags & dns.flags.CD and not plain.ednsflags & dns.flags.DO


def test_formerr_without_opt_or_question_falls_back_too() -> None:
    """Old servers answer what they cannot parse with a bare header: no question, no OPT."""
    def handler(request: Request) -> dns.message.Message:
        assert request.query is not None
        if request.query.edns >= 0:
            return formerr_without_opt(request, question=False)
        return answer(request, RECORD)

    result, farm = run(handler)
    assert isinstance(result.outcome, dns.message.Message) and result.fallback
    assert opt_seen(farm) == [("udp", True), ("udp", False)]


def test_formerr_with_opt_is_not_retried_without_edns_RFC6891_7() -> None:
    """A FORMERR that carries OPT comes from a server that does EDNS: a real format error."""
    def handler(request: Request) -> dns.message.Message:
        assert request.query is not None
        return reply_to(request.query, dns.rcode.FORMERR)  # echoes the query's EDNS

    memory = EdnsMemory()
    result, farm = run(handler, memory)
    assert isinstance(result.outcome, dns.message.Message)
    assert result.outcome.rcode() == dns.rcode.FORMERR and result.outcome.edns >= 0
    assert (result.sent, result.fallback) == (1, False)
    assert opt_seen(farm) == [("udp", True)]
    assert memory.servers() == []


def test_formerr_to_the_plain_query_too_is_a_formerr_failure_and_not_remembered() -> None:
    memory = EdnsMemory()
    result, farm = run(formerr_without_opt, memory)
    assert isinstance(result.outcome, Failure), result.outcome
    assert result.outcome.kind is FailureKind.FORMERR
    assert "without EDNS as well as with it" in result.outcome.detail
    assert opt_seen(farm) == [("udp", True), ("udp", False)]
    assert memory.servers() == []


def test_servfail_to_the_plain_query_is_returned_and_not_remembered() -> None:
    """Only a real answer (NOERROR, NXDOMAIN) to the plain query proves the server answers
    plain DNS; an error rcode goes back to the transport as it is."""
    def handler(request: Request) -> dns.message.Message:
        assert request.query is not None
        if request.query.edns >= 0:
            return formerr_without_opt(request)
        return reply_to(request.query, dns.rcode.SERVFAIL)

    memory = EdnsMemory()
    result, _ = run(handler, memory)
    assert isinstance(result.outcome, dns.message.Message)
    assert result.outcome.rcode() == dns.rcode.SERVFAIL and result.fallback
    assert memory.servers() == []


def test_remembered_server_is_asked_plainly_until_the_memory_expires_RFC6891_6_2_2() -> None:
    now = [0.0]
    memory = EdnsMemory(clock=lambda: now[0])
    with Farm({ADDR: no_edns}) as farm:
        server = Server(ADDR, farm.port)

        def ask() -> Exchange:
            return exchange(query(), server, udp_timeout=UDP_T, tcp_timeout=TCP_T,
                            edns_memory=memory)

        first = ask()
        assert first.fallback and first.sent == 2
        assert memory.servers() == [str(server)]
        second = ask()  # plain at once: one query, no FORMERR first
        assert (second.sent, second.fallback, second.edns) == (1, False, False)
        assert isinstance(second.outcome, dns.message.Message)
        now[0] += limits.NO_EDNS_SERVER_SECONDS + 1
        assert memory.servers() == []
        third = ask()  # probed with EDNS again, and the fallback happens again
        assert third.fallback and third.sent == 2
    assert farm.errors == []
    assert opt_seen(farm) == [("udp", True), ("udp", False), ("udp", False),
                              ("udp", True), ("udp", False)]


def test_remembered_server_that_now_formerrs_plain_queries_is_forgotten() -> None:
    memory = EdnsMemory()
    with Farm({ADDR: formerr_without_opt}) as farm:
        server = Server(ADDR, farm.port)
        memory.remember(server)
        result = exchange(query(), server, udp_timeout=UDP_T, tcp_timeout=TCP_T,
                          edns_memory=memory)
    assert isinstance(result.outcome, Failure)
    assert result.outcome.kind is FailureKind.FORMERR
    assert result.outcome.detail == "rcode FORMERR to a query without EDNS"
    assert opt_seen(farm) == [("udp", False)]
    assert memory.servers() == []


def test_plain_retry_truncated_goes_to_tcp_without_opt_SEC_NET_03() -> None:
    def handler(request: Request) -> dns.message.Message:
        assert request.query is not None
        if request.query.edns >= 0:
            return formerr_without_opt(request)
        if request.transport == "udp":
            response = reply_to(request.query)
            response.flags |= dns.flags.TC
            return response
        return answer(request, RECORD)

    result, farm = run(handler)
    assert isinstance(result.outcome, dns.message.Message), result.outcome
    assert (result.sent, result.via_tcp, result.fallback) == (3, True, True)
    assert opt_seen(farm) == [("udp", True), ("udp", False), ("tcp", False)]


def test_formerr_without_opt_over_tcp_falls_back_too() -> None:
    """TC=1 over UDP, then FORMERR without OPT over TCP: plain over UDP, then TCP again."""
    def handler(request: Request) -> dns.message.Message:
        assert request.query is not None
        if request.transport == "udp" and request.query.edns >= 0:
            response = reply_to(request.query)
            response.flags |= dns.flags.TC
            return response
        if request.query.edns >= 0:
            return formerr_without_opt(request)
        return answer(request, RECORD)

    result, farm = run(handler)
    assert isinstance(result.outcome, dns.message.Message), result.outcome
    assert result.fallback and result.sent == 3
    assert opt_seen(farm) == [("udp", True), ("tcp", True), ("udp", False)]


def test_edns_memory_is_bounded_oldest_first() -> None:
    memory = EdnsMemory(entries=2)
    servers = [Server(f"192.0.2.{i}") for i in range(1, 4)]
    for server in servers:
        memory.remember(server)
    assert memory.servers() == ["192.0.2.2", "192.0.2.3"]
    assert not memory.lacks_edns(servers[0])
    assert EdnsMemory().entries == limits.NO_EDNS_SERVER_ENTRIES
    off = EdnsMemory(entries=0)
    off.remember(servers[0])
    assert off.servers() == []


def test_bare_formerr_to_the_plain_query_is_a_formerr_failure_too() -> None:
    """A header-only FORMERR (no question, no OPT) to both queries: FORMERR, not remembered."""
    memory = EdnsMemory()
    result, farm = run(lambda r: formerr_without_opt(r, question=False), memory)
    assert isinstance(result.outcome, Failure), result.outcome
    assert result.outcome.kind is FailureKind.FORMERR
    assert "without EDNS as well as with it" in result.outcome.detail
    assert opt_seen(farm) == [("udp", True), ("udp", False)]
    assert memory.servers() == []
