"""A truncated UDP answer without a question section (SEC-NET-03, RFC 7766 §5; SEC-NET-01,
RFC 5452 §9.2), against real sockets on loopback.

Some servers truncate everything, the question included.  With our ID, from the server's
address and port and with QR set, that datagram is still the truncated answer to our query:
the question goes to TCP (it used to be ignored, and the query timed out).  The TCP answer
must then carry our question: one for another name, or again without a question, is not our
answer.  A TC=1 datagram without a question and with another ID is nobody's answer.
"""

from __future__ import annotations

import struct

import dns.flags
import dns.message

from dnssec_core.chain.types import FailureKind
from dnssec_core.transport.wire_io import Failure
from tests.transport.dnsserver import (
    Close,
    Handler,
    Item,
    Reply,
    Request,
    Spoof,
    answer,
    reply_to,
)
from tests.transport.test_wire_io import ADDR, OTHER, ask

RECORD = "www.example.test. 300 A 192.0.2.1"


def truncated_without_question(request: Request) -> dns.message.Message:
    assert request.query is not None
    response = reply_to(request.query)
    response.flags |= dns.flags.TC
    response.question = []
    return response


def then_over_tcp(tcp_reply: Handler) -> Handler:
    def handler(request: Request) -> Reply:
        if request.transport == "udp":
            return truncated_without_question(request)
        return tcp_reply(request)
    return handler


def test_tc_without_a_question_goes_to_tcp_SEC_NET_03() -> None:
    result, farm = ask(then_over_tcp(lambda r: answer(r, RECORD)))
    assert isinstance(result.outcome, dns.message.Message), result.outcome
    assert (result.via_tcp, result.sent) == (True, 2)
    assert [r.transport for r in farm[ADDR].requests] == ["udp", "tcp"]
    assert result.outcome.answer[0].to_text() == "www.example.test. 300 IN A 192.0.2.1"


def test_tc_without_a_question_and_another_id_is_ignored_RFC5452() -> None:
    def handler(request: Request) -> dns.message.Message:
        response = truncated_without_question(request)
        response.id ^= 0x5A5A
        return response

    result, farm = ask(handler)
    assert isinstance(result.outcome, Failure)
    assert result.outcome.kind is FailureKind.TIMEOUT
    assert "wrong ID" in result.outcome.detail
    assert [r.transport for r in farm[ADDR].requests] == ["udp"]  # never went to TCP


def test_tc_without_a_question_from_another_address_is_ignored_RFC5452() -> None:
    def handler(request: Request) -> Spoof:
        return Spoof(truncated_without_question(request), OTHER)

    result, farm = ask(handler)
    assert isinstance(result.outcome, Failure)
    assert result.outcome.kind is FailureKind.TIMEOUT
    assert [r.transport for r in farm[ADDR].requests] == ["udp"]


def test_tc_without_a_question_and_qr_clear_is_ignored() -> None:
    def handler(request: Request) -> bytes:
        wire = truncated_without_question(request).to_wire()
        flags = struct.unpack("!H", wire[2:4])[0] & ~0x8000  # QR off: a query, not an answer
        return wire[:2] + struct.pack("!H", flags) + wire[4:]

    result, farm = ask(handler)
    assert isinstance(result.outcome, Failure)
    assert result.outcome.kind is FailureKind.TIMEOUT
    assert [r.transport for r in farm[ADDR].requests] == ["udp"]


def test_tcp_answer_for_another_question_is_not_ours_SEC_NET_01() -> None:
    def other(request: Request) -> list[Item]:
        assert request.query is not None
        wrong = dns.message.make_query("elsewhere.example.test.", "A")
        wrong.id = request.query.id
        response = dns.message.make_response(wrong)
        response.answer.append(answer(request, "elsewhere.example.test. 300 A 192.0.2.9")
                               .answer[0])
        return [response, Close()]  # one wrong answer, then the connection is closed

    result, farm = ask(then_over_tcp(other))
    assert isinstance(result.outcome, Failure), result.outcome
    assert result.outcome.kind is FailureKind.NETWORK
    assert "answer for another question" in result.outcome.detail
    assert result.via_tcp and [r.transport for r in farm[ADDR].requests] == ["udp", "tcp"]


def test_tcp_answer_without_a_question_is_not_ours_either() -> None:
    def bare(request: Request) -> dns.message.Message:
        response = answer(request, RECORD)
        response.question = []
        return response

    result, _ = ask(then_over_tcp(bare))  # the connection stays open: we wait it out
    assert isinstance(result.outcome, Failure), result.outcome
    assert result.outcome.kind is FailureKind.TIMEOUT
    assert "ignored: answer without a question" in result.outcome.detail


def test_tc_again_over_tcp_is_malformed() -> None:
    result, _ = ask(truncated_without_question)
    assert isinstance(result.outcome, Failure)
    assert result.outcome.kind is FailureKind.MALFORMED
    assert "TC=1 in an answer over TCP" in result.outcome.detail
