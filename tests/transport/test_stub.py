"""Stub mode: one recursive resolver, RD+CD+DO queries, AD ignored (SEC-NET-04/05/06)."""

from __future__ import annotations

import dataclasses
import time

import dns.flags
import dns.message
import dns.name
import dns.rcode
import pytest

from dnssec_core.chain.types import Answer, FailureKind, LookupFailure, Query
from dnssec_core.transport import StubTransport
from dnssec_core.transport import stub as stub_module
from dnssec_core.wire.message import Response
from tests.transport.dnsserver import Farm, Handler, Request, answer, reply_to

ADDR = "127.0.0.31"
NAME = dns.name.from_text("www.example.test.")
Q = Query(NAME, 1)


def run(
    handler: Handler, query: Query = Q, address: str = ADDR, use_0x20: bool = False
) -> tuple[Answer, Farm, StubTransport]:
    with Farm({address: handler}) as farm:
        transport = StubTransport(
            address, farm.port, udp_timeout=0.3, tcp_timeout=0.5, use_0x20=use_0x20
        )
        result = transport.ask(query)
    assert farm.errors == []
    return result, farm, transport


def with_ad(request: Request) -> dns.message.Message:
    response = answer(request, f"{request.qname} 300 A 192.0.2.1", aa=False)
    response.flags |= dns.flags.AD | dns.flags.RA
    return response


def test_answer_is_returned_as_response_SEC_NET_05() -> None:
    result, farm, transport = run(with_ad)
    assert isinstance(result, Response)
    assert result.qname == NAME and result.qtype == 1 and result.rcode == 0
    assert result.answer[0].rrset.rdatas == (bytes([192, 0, 2, 1]),)
    assert result.server == f"{ADDR}#{farm.port}"
    assert transport.queries_sent == 1
    sent = farm[ADDR].requests[0].query
    assert sent is not None
    assert sent.flags & dns.flags.RD and sent.flags & dns.flags.CD
    assert sent.ednsflags & dns.flags.DO and sent.payload == 1232


def test_ad_bit_changes_nothing_SEC_NET_05() -> None:
    """Proves BR-DNSSEC-06, VAL-STAT-07 (requirement trace)."""
    with_bit, _, _ = run(with_ad)

    def without(request: Request) -> dns.message.Message:
        response = with_ad(request)
        response.flags &= ~dns.flags.AD
        return response

    without_bit, _, _ = run(without)
    assert isinstance(with_bit, Response) and isinstance(without_bit, Response)
    assert dataclasses.replace(with_bit, server="") == dataclasses.replace(without_bit, server="")
    assert not hasattr(with_bit, "ad")


def test_nxdomain_is_a_response() -> None:
    result, _, _ = run(lambda r: reply_to(r.query, dns.rcode.NXDOMAIN))
    assert isinstance(result, Response) and result.rcode == dns.rcode.NXDOMAIN


@pytest.mark.parametrize(
    ("rcode", "kind"),
    [
        (dns.rcode.SERVFAIL, FailureKind.SERVFAIL),
        (dns.rcode.REFUSED, FailureKind.REFUSED),
        (dns.rcode.FORMERR, FailureKind.FORMERR),
    ],
)
def test_error_rcodes_are_retried_then_reported_SEC_NET_06(
    rcode: dns.rcode.Rcode, kind: FailureKind
) -> None:
    result, farm, _ = run(lambda r: reply_to(r.query, rcode, aa=False))
    assert isinstance(result, LookupFailure)
    assert result.kind is kind
    assert result.attempts == 2 and len(farm[ADDR].requests) == 2
    assert result.servers == (f"{ADDR}#{farm.port}",)


def test_servfail_then_answer_SEC_NET_06() -> None:
    def flaky(request: Request) -> dns.message.Message:
        if len(request.server.requests) == 1:
            return reply_to(request.query, dns.rcode.SERVFAIL, aa=False)
        return with_ad(request)

    result, farm, _ = run(flaky)
    assert isinstance(result, Response)
    assert len(farm[ADDR].requests) == 2


def test_silent_resolver_gives_timeout_in_bounded_time_SEC_NET_06() -> None:
    started = time.monotonic()
    result, farm, _ = run(lambda r: None)
    elapsed = time.monotonic() - started
    assert isinstance(result, LookupFailure) and result.kind is FailureKind.TIMEOUT
    assert result.attempts == 2 and len(farm[ADDR].requests) == 2
    assert elapsed < 2 * 0.3 + 1.0


def test_garbage_is_malformed_SEC_PARSE_01() -> None:
    def garbage(request: Request) -> bytes:
        assert request.query is not None
        return request.query.id.to_bytes(2, "big") + b"\x80\x00\x00\x01" + b"\xff" * 20

    result, _, _ = run(garbage)
    assert isinstance(result, LookupFailure) and result.kind is FailureKind.MALFORMED


def test_truncated_then_tcp() -> None:
    def handler(request: Request) -> dns.message.Message:
        if request.transport == "udp":
            response = reply_to(request.query, aa=False)
            response.flags |= dns.flags.TC
            return response
        return with_ad(request)

    result, _, transport = run(handler)
    assert isinstance(result, Response) and result.answer
    assert transport.queries_sent == 2


def test_0x20_query_answer_keeps_our_name() -> None:
    result, _, _ = run(with_ad, use_0x20=True)
    assert isinstance(result, Response)
    assert result.qname.to_text() == NAME.to_text()  # exactly as asked, whatever went out


def test_ipv6_resolver() -> None:
    result, _, _ = run(with_ad, address="::1")
    assert isinstance(result, Response)


def test_from_spec() -> None:
    transport = StubTransport.from_spec("[::1]:5353", attempts=3)
    assert (transport.server.address, transport.server.port, transport.attempts) == (
        "::1",
        5353,
        3,
    )
    with pytest.raises(ValueError):
        StubTransport.from_spec("resolver.example")
    with pytest.raises(ValueError):
        StubTransport("192.0.2.1", attempts=0)


def test_no_exception_escapes_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(stub_module, "exchange", boom)
    result = StubTransport("127.0.0.1", 9).ask(Q)
    assert isinstance(result, LookupFailure) and "internal transport error" in result.detail
