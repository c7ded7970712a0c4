"""One query to one server (SEC-NET-01, -03, -04, -05, -07, SEC-PARSE-01) against real sockets
on loopback."""

from __future__ import annotations

import random
import socket
import time

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest

from dnssec_core import limits
from dnssec_core.chain.types import FailureKind
from dnssec_core.transport.query_wire import OutgoingQuery
from dnssec_core.transport.wire_io import (
    Exchange,
    Failure,
    Server,
    exchange,
    make_query,
    parse_server,
    rcode_failure,
)
from tests.transport.dnsserver import (
    Close,
    Delay,
    Farm,
    Handler,
    Item,
    Reply,
    Request,
    Spoof,
    answer,
    reply_to,
)

ADDR = "127.0.0.21"
OTHER = "127.0.0.22"
UDP_T = 0.4
TCP_T = 0.8
NAME = dns.name.from_text("www.example.test.")


def query(name: dns.name.Name = NAME, rdtype: int = 1, rd: bool = False) -> OutgoingQuery:
    return make_query(name, rdtype, recursion_desired=rd)


def ask(
    handler: Handler,
    msg: OutgoingQuery | None = None,
    *,
    tcp: bool = True,
    address: str = ADDR,
    exact_case: bool = False,
) -> tuple[Exchange, Farm]:
    with Farm({address: handler}, tcp=tcp) as farm:
        result = exchange(
            msg if msg is not None else query(),
            Server(address, farm.port),
            udp_timeout=UDP_T,
            tcp_timeout=TCP_T,
            exact_case=exact_case,
        )
    assert farm.errors == []
    return result, farm


def ok(result: Exchange) -> dns.message.Message:
    assert isinstance(result.outcome, dns.message.Message), result.outcome
    return result.outcome


def failed(result: Exchange, kind: FailureKind) -> Failure:
    assert isinstance(result.outcome, Failure), result.outcome
    assert result.outcome.kind is kind, result.outcome
    return result.outcome


def a_answer(request: Request, address: str = "192.0.2.1") -> dns.message.Message:
    return answer(request, f"{request.qname} 300 A {address}")


# -- the query we send --------------------------------------------------------------------------


def test_query_has_edns_do_cd_and_1232_payload_SEC_NET_04_05() -> None:
    result, farm = ask(a_answer)
    ok(result)
    sent = farm[ADDR].requests[0].query
    assert sent is not None
    assert sent.edns == 0
    assert sent.payload == limits.EDNS_UDP_PAYLOAD == 1232
    assert sent.ednsflags & dns.flags.DO
    assert sent.flags & dns.flags.CD
    assert not sent.flags & dns.flags.RD  # iterative: no recursion wanted
    assert query(rd=True).flags & dns.flags.RD  # the stub's queries


def test_random_id_and_source_port_per_query_SEC_NET_01() -> None:
    with Farm({ADDR: a_answer}) as farm:
        for _ in range(8):
            ok(exchange(query(), Server(ADDR, farm.port), udp_timeout=UDP_T))
    requests = farm[ADDR].requests
    ids = {r.query.id for r in requests if r.query is not None}
    ports = {r.client[1] for r in requests}
    assert len(ids) >= 7 and len(ports) >= 7


# -- matching answers to queries (SEC-NET-01, RFC 5452 §9.2) ------------------------------------


def test_wrong_id_is_ignored_then_the_right_answer_accepted_SEC_NET_01() -> None:
    def handler(request: Request) -> list[Item]:
        wrong = a_answer(request, "192.0.2.66")
        wrong.id ^= 0x5555
        return [wrong, a_answer(request)]

    result, _ = ask(handler)
    assert ok(result).answer[0][0].address == "192.0.2.1"
    assert "wrong ID" in result.ignored


def test_answer_for_another_question_is_ignored_SEC_NET_01() -> None:
    def handler(request: Request) -> list[Item]:
        other = a_answer(request, "192.0.2.66")
        other.question = [
            dns.rrset.RRset(dns.name.from_text("evil.test."), dns.rdataclass.IN, dns.rdatatype.A)
        ]
        other_type = a_answer(request, "192.0.2.67")
        other_type.question = [
            dns.rrset.RRset(request.qname, dns.rdataclass.IN, dns.rdatatype.AAAA)
        ]
        return [other, other_type, a_answer(request)]

    result, _ = ask(handler)
    assert ok(result).answer[0][0].address == "192.0.2.1"
    assert result.ignored.count("answer for another question") == 2


def test_answer_from_another_address_is_not_accepted_SEC_NET_01() -> None:
    result, _ = ask(lambda r: Spoof(a_answer(r, "192.0.2.66"), OTHER))
    failed(result, FailureKind.TIMEOUT)
    result, _ = ask(lambda r: [Spoof(a_answer(r, "192.0.2.66"), OTHER), a_answer(r)])
    assert ok(result).answer[0][0].address == "192.0.2.1"


def test_echoed_query_with_qr_clear_is_ignored() -> None:
    result, _ = ask(lambda r: r.wire)
    failed(result, FailureKind.TIMEOUT)
    assert "not a response (QR=0)" in result.ignored


def test_question_compared_case_insensitively_SEC_NET_07() -> None:
    def lower(request: Request) -> dns.message.Message:
        response = a_answer(request)
        response.question = [
            dns.rrset.RRset(
                dns.name.from_text(request.qname.to_text().lower()),
                dns.rdataclass.IN,
                dns.rdatatype.A,
            )
        ]
        return response

    mixed = make_query(NAME, 1, recursion_desired=False, randomize_case=random.Random(5))
    assert mixed.name.to_text() != NAME.to_text()
    assert mixed.name == NAME  # same name, other case
    result, _ = ask(lower, mixed)
    ok(result)


def test_0x20_requires_the_exact_case_back_SEC_NET_07() -> None:
    def lower(request: Request) -> dns.message.Message:
        response = a_answer(request)
        response.question = [
            dns.rrset.RRset(
                dns.name.from_text(request.qname.to_text().lower()),
                dns.rdataclass.IN,
                dns.rdatatype.A,
            )
        ]
        return response

    mixed = make_query(NAME, 1, recursion_desired=False, randomize_case=random.Random(5))
    result, _ = ask(lower, mixed, exact_case=True)
    failed(result, FailureKind.TIMEOUT)
    result, _ = ask(a_answer, mixed, exact_case=True)  # reply_to echoes the exact case
    ok(result)


# -- TCP (SEC-NET-03, RFC 7766) ------------------------------------------------------------------


def truncating(request: Request) -> dns.message.Message:
    if request.transport == "udp":
        response = reply_to(request.query)
        response.flags |= dns.flags.TC
        return response
    return a_answer(request)


def test_truncated_udp_answer_is_asked_again_over_tcp_SEC_NET_03() -> None:
    result, farm = ask(truncating)
    assert ok(result).answer[0][0].address == "192.0.2.1"
    assert result.via_tcp and result.sent == 2
    assert [r.transport for r in farm[ADDR].requests] == ["udp", "tcp"]


def test_tcp_skips_answers_to_other_ids_SEC_NET_03() -> None:
    def handler(request: Request) -> Reply:
        if request.transport == "udp":
            return truncating(request)
        wrong = a_answer(request, "192.0.2.66")
        wrong.id ^= 1
        return [wrong, a_answer(request)]

    result, _ = ask(handler)
    assert ok(result).answer[0][0].address == "192.0.2.1"


def test_tcp_closed_without_answer_is_a_network_failure() -> None:
    result, _ = ask(lambda r: truncating(r) if r.transport == "udp" else Close())
    failure = failed(result, FailureKind.NETWORK)
    assert "closed" in failure.detail


def test_tcp_refused_is_a_network_failure() -> None:
    result, _ = ask(truncating, tcp=False)
    failed(result, FailureKind.NETWORK)


def test_tc_over_tcp_is_malformed() -> None:
    def handler(request: Request) -> dns.message.Message:
        response = reply_to(request.query)
        response.flags |= dns.flags.TC
        return response

    result, _ = ask(handler)
    failed(result, FailureKind.MALFORMED)


def test_tcp_timeout_is_bounded_SEC_NET_03() -> None:
    def handler(request: Request) -> Item:
        return truncating(request) if request.transport == "udp" else Delay(TCP_T + 0.5)

    started = time.monotonic()
    result, _ = ask(handler)
    failed(result, FailureKind.TIMEOUT)
    assert time.monotonic() - started < UDP_T + TCP_T + 1.5


# -- bad answers (SEC-PARSE-01) -----------------------------------------------------------------


def with_id(request: Request, tail: bytes) -> bytes:
    assert request.query is not None
    return request.query.id.to_bytes(2, "big") + tail


def test_garbage_with_our_id_is_malformed_SEC_PARSE_01() -> None:
    header = b"\x84\x00\x00\x01\x00\x01\x00\x00\x00\x00"  # QR AA, 1 question, 1 answer
    result, _ = ask(lambda r: with_id(r, header + b"\xff" * 40))
    failed(result, FailureKind.MALFORMED)


def test_compression_loop_is_malformed_SEC_PARSE_01() -> None:
    # header: QR AA, 1 question; the question name is a pointer to itself (offset 12)
    result, _ = ask(lambda r: with_id(r, b"\x84\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c"))
    failed(result, FailureKind.MALFORMED)


def test_malformed_answer_section_is_malformed_SEC_PARSE_01() -> None:
    def handler(request: Request) -> bytes:
        wire = bytearray(a_answer(request).to_wire())
        return bytes(wire[:-3])  # the A record's RDATA is cut short

    result, _ = ask(handler)
    failed(result, FailureKind.MALFORMED)


def test_trailing_junk_is_malformed_SEC_PARSE_01() -> None:
    result, _ = ask(lambda r: a_answer(r).to_wire() + b"junk")
    failed(result, FailureKind.MALFORMED)


def test_short_and_foreign_garbage_is_ignored_until_the_deadline() -> None:
    rng = random.Random(1)
    result, _ = ask(lambda r: [b"\x00" * 5, bytes(rng.randrange(256) for _ in range(300))])
    failure = failed(result, FailureKind.TIMEOUT)
    assert "ignored" in failure.detail


def test_error_rcode_without_question_is_a_failure() -> None:
    def handler(request: Request) -> dns.message.Message:
        response = reply_to(request.query, dns.rcode.FORMERR, aa=False)
        response.question = []
        response.use_edns(False)
        return response

    result, _ = ask(handler)
    failed(result, FailureKind.FORMERR)


# -- no answer -----------------------------------------------------------------------------------


def test_silent_server_times_out_within_the_bound() -> None:
    started = time.monotonic()
    result, _ = ask(lambda r: None)
    failed(result, FailureKind.TIMEOUT)
    assert UDP_T - 0.05 <= time.monotonic() - started < UDP_T + 0.5


def test_closed_port_is_a_network_failure() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((ADDR, 0))
        port = probe.getsockname()[1]
    result = exchange(query(), Server(ADDR, port), udp_timeout=UDP_T)
    assert isinstance(result.outcome, Failure)
    assert result.outcome.kind in (FailureKind.NETWORK, FailureKind.TIMEOUT)


def test_ipv6_loopback() -> None:
    result, _ = ask(a_answer, address="::1")
    ok(result)


# -- helpers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address", "port"),
    [
        ("192.0.2.1", "192.0.2.1", 53),
        ("192.0.2.1:5353", "192.0.2.1", 5353),
        ("2001:db8::1", "2001:db8::1", 53),
        ("2001:DB8:0::1", "2001:db8::1", 53),
        ("[2001:db8::1]:5353", "2001:db8::1", 5353),
        ("[::1]", "::1", 53),
    ],
)
def test_parse_server(text: str, address: str, port: int) -> None:
    server = parse_server(text)
    assert (server.address, server.port) == (address, port)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "resolver.example",
        "192.0.2.1:",
        "192.0.2.1:0",
        "192.0.2.1:65536",
        "[::1",
        "[::1]x",
        "[::1]:",
        "192.0.2.1:dns",
        "300.1.1.1",
    ],
)
def test_parse_server_rejects(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_server(text)
    assert "\n" not in str(info.value)


def test_server_text() -> None:
    assert str(Server("192.0.2.1")) == "192.0.2.1"
    assert str(Server("127.0.0.2", 5300)) == "127.0.0.2#5300"
    assert str(Server("::1", 5300)) == "::1#5300"


@pytest.mark.parametrize(
    ("rcode", "kind"),
    [
        (dns.rcode.NOERROR, None),
        (dns.rcode.NXDOMAIN, None),
        (dns.rcode.SERVFAIL, FailureKind.SERVFAIL),
        (dns.rcode.REFUSED, FailureKind.REFUSED),
        (dns.rcode.NOTIMP, FailureKind.REFUSED),
        (dns.rcode.FORMERR, FailureKind.FORMERR),
        (dns.rcode.BADVERS, FailureKind.SERVFAIL),
    ],
)
def test_rcode_failure(rcode: int, kind: FailureKind | None) -> None:
    assert rcode_failure(rcode) is kind
