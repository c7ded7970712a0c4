"""The signed DS RRset of a referral answers the child's DS question (RFC 4035 §3.1.4.1).

A parent's server puts "the DS RRset and its RRSIGs" in the authority section of a referral
to a signed child; the iterative transport keeps them and answers the engine's later DS
question for exactly that child from them, without a query, as a caching resolver does.  The
engine still verifies the DS RRset with the parent's keys (tests/chain, the demo world below).
Kept only when signed, only for its owner, and only while its TTL lasts (counted down).
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator

import dns.message
import dns.name
import dns.rdatatype
import dns.rrset
import pytest

from dnssec_core.auth.responder import Responder
from dnssec_core.auth.server import LoopbackServer, respond, serving_on_a_free_port
from dnssec_core.auth.zone import AuthZone
from dnssec_core.chain.engine import Validator
from dnssec_core.chain.types import Query
from dnssec_core.crypto import get_backend
from dnssec_core.driver import resolve
from dnssec_core.transport import IterativeTransport, RootHints
from dnssec_core.verdict import Reason, Status
from tests.chain.lab import NOW, anchors, ask, socket_world, world, zones
from tests.transport.dnsserver import Farm, Handler, MiniAuth, Reply, Request, rrset
from tests.transport.test_iterative import (
    HINTS,
    LEAF,
    NS1,
    NS2,
    ROOT,
    TEST_ZONE,
    asked,
    n,
    response,
)
from tests.transport.test_iterative import (
    world as farm_world,
)

A, NS, DS, RRSIG, DNSKEY, NSEC_TYPE = 1, 2, 43, 46, 48, 47
#: An RRSIG over example.test.'s DS, by test. (the transport only carries it; never verified).
DS_RRSIG = ("example.test. 600 RRSIG DS 13 2 3600 20860101000000 20260101000000 1111 test. "
            + "AAAA" * 22)
#: A signed NSEC at the insecure.test. cut: NS, no DS (RFC 4035 §3.1.4.1).
NSEC = "insecure.test. 300 NSEC oob.test. NS RRSIG NSEC"
NSEC_RRSIG = ("insecure.test. 300 RRSIG NSEC 13 2 300 20860101000000 20260101000000 1111 test. "
              + "AAAA" * 22)
NS_RRSIG = ("example.test. 600 RRSIG NS 13 2 3600 20860101000000 20260101000000 1111 test. "
            + "AAAA" * 22)


def _signing_referrals(*extra: str, cut: str = "example.test.") -> Handler:
    """test.'s servers, adding ``extra`` records to every referral to ``cut``."""
    inner = MiniAuth(("test.", TEST_ZONE))

    def handler(request: Request) -> Reply:
        reply = inner(request)
        if isinstance(reply, dns.message.Message) and any(
            r.rdtype == NS and r.name == n(cut) for r in reply.authority
        ):
            reply.authority.extend(rrset(text) for text in extra)
        return reply

    return handler


@contextlib.contextmanager
def _farm(*extra: str, cut: str = "example.test.") -> Iterator[Farm]:
    handler = _signing_referrals(*extra, cut=cut)
    with Farm(farm_world(**{NS1: handler, NS2: handler})) as running:
        yield running
    assert running.errors == []


def _transport(farm: Farm, clock: list[float]) -> IterativeTransport:
    return IterativeTransport(HINTS, port=farm.port, udp_timeout=0.3, tcp_timeout=0.6,
                              rng=random.Random(0), clock=lambda: clock[0])


def _parent_asked(farm: Farm) -> list[tuple[str, str]]:
    return asked(farm, NS1) + asked(farm, NS2)


def test_signed_ds_of_a_referral_answers_the_ds_question_without_a_query() -> None:
    clock = [1000.0]
    with _farm(DS_RRSIG) as farm:
        transport = _transport(farm, clock)
        response(transport.ask(Query(n("www.example.test."), A)))
        sent = transport.queries_sent
        before = _parent_asked(farm)
        result = response(transport.ask(Query(n("example.test."), DS)))
        assert transport.queries_sent == sent == 3
        assert _parent_asked(farm) == before == [("www.example.test.", "A")]
        assert asked(farm, LEAF) == [("www.example.test.", "A")]
    assert (result.qname, result.qtype, result.rcode) == (n("example.test."), DS, 0)
    assert result.authority == () and not result.authoritative  # as the referral came
    assert result.from_referral
    assert result.server in (f"{NS1}#{farm.port}", f"{NS2}#{farm.port}")
    [signed] = result.answer
    assert (signed.owner, signed.rdtype, len(signed.rrset.rdatas)) == (n("example.test."), DS, 1)
    assert [(s.type_covered, s.key_tag, s.signer) for s in signed.rrsigs] == [
        (DS, 1111, n("test."))]
    assert signed.rrset.ttl == 3600


def test_held_ds_ttl_counts_down_and_expires_RFC_1035_3_2_1() -> None:
    clock = [1000.0]
    with _farm(DS_RRSIG) as farm:
        transport = _transport(farm, clock)
        response(transport.ask(Query(n("www.example.test."), A)))
        clock[0] += 250
        result = response(transport.ask(Query(n("example.test."), DS)))
        assert result.answer[0].rrset.ttl == 3600 - 250
        assert _parent_asked(farm) == [("www.example.test.", "A")]
        clock[0] += 350  # the RRSIG RRset's TTL of 600 s is over: the parent is asked again
        again = response(transport.ask(Query(n("example.test."), DS)))
        assert ("example.test.", "DS") in _parent_asked(farm)
    assert [s.rdtype for s in again.answer] == [DS] and again.authoritative
    assert result.from_referral and not again.from_referral


def test_unsigned_ds_or_another_types_rrsig_is_not_kept() -> None:
    """Proves VAL-CHAIN-03 (requirement trace)."""
    for extra in (NS_RRSIG, "example.test. 600 TXT unrelated", NSEC, NSEC_RRSIG):
        clock = [1000.0]
        with _farm(extra) as farm:
            transport = _transport(farm, clock)
            response(transport.ask(Query(n("www.example.test."), A)))
            result = response(transport.ask(Query(n("example.test."), DS)))
            assert _parent_asked(farm)[-1] == ("example.test.", "DS")
            assert transport.queries_sent == 4
        assert result.authoritative and [s.rdtype for s in result.answer] == [DS]


def test_held_ds_answers_only_its_own_owner() -> None:
    clock = [1000.0]
    with _farm(DS_RRSIG) as farm:
        transport = _transport(farm, clock)
        response(transport.ask(Query(n("www.example.test."), A)))
        result = response(transport.ask(Query(n("insecure.test."), DS)))
        assert _parent_asked(farm)[-1] == ("insecure.test.", "DS")
        response(transport.ask(Query(n("www.example.test."), DS)))
        assert ("www.example.test.", "DS") in asked(farm, LEAF)
    assert result.answer == ()
    assert asked(farm, ROOT) == [("www.example.test.", "A")]


# -- the demo world over sockets: fewer queries, the same verdicts ---------------------------


#: The demo world on real sockets: a transport into it and its servers by address.
Demo = tuple[IterativeTransport, dict[str, LoopbackServer]]


@pytest.fixture
def demo() -> Iterator[Demo]:
    responders, hints = socket_world()
    with serving_on_a_free_port(responders) as (port, servers):
        yield IterativeTransport(hints, port=port, udp_timeout=1.0, tcp_timeout=2.0), servers


def _seen(servers: dict[str, LoopbackServer]) -> list[tuple[str, str | None, int | None]]:
    return sorted((address, s.qname, s.qtype) for address, server in servers.items()
                  for s in server.seen)


def test_cold_secure_answer_asks_no_ds_the_referrals_carried(demo: Demo) -> None:
    """www.secure.test. A from nothing: three referral steps, then only DNSKEY questions —
    the DS of test. and of secure.test. came signed in the root's and test.'s referrals
    (before: 8 messages, now 6; Unbound sends 8 here, with priming and its key-tag query)."""
    transport, servers = demo
    validator = Validator(anchors(), backend=get_backend("fast"), answer_cache=False)
    result = resolve(validator, transport, n("www.secure.test."), A, now=NOW)
    assert result.status is Status.SECURE
    assert [link.zone for link in result.chain] == [".", "test.", "secure.test."]
    assert all(link.ds for link in result.chain[1:])  # both DS RRsets were validated
    assert result.queries == 6  # the engine's questions did not change
    assert transport.queries_sent == 6
    held = [line.split(" → ")[0] for line in result.trace if "held from a referral" in line]
    assert held == ["? secure.test. DS", "? test. DS"]  # the trace says which were not asked
    root, tld, leaf = "127.0.0.2", "127.0.0.3", "127.0.0.4"
    assert _seen(servers) == sorted([
        (root, "www.secure.test.", A), (root, ".", DNSKEY),
        (tld, "www.secure.test.", A), (tld, "test.", DNSKEY),
        (leaf, "www.secure.test.", A), (leaf, "secure.test.", DNSKEY),
    ])


def test_cold_insecure_answer_takes_the_no_ds_proof_from_the_referral(demo: Demo) -> None:
    """www.insecure.test. A from nothing: test.'s referral carried the signed NSEC3 proof
    that insecure.test. has no DS; it answers the DS question (6 messages before, now 5),
    and the verdict is the one the in-process lab reaches asking DS of the parent."""
    # Requirement trace: this test also proves VAL-STAT-03.
    transport, servers = demo
    validator = Validator(anchors(), backend=get_backend("fast"), answer_cache=False)
    result = resolve(validator, transport, n("www.insecure.test."), A, now=NOW)
    expected = ask("www.insecure.test.", "A", get_backend("fast"))
    assert (result.status, result.verdict.reason, result.rcode) == (
        Status.INSECURE, Reason.DENIAL_OPT_OUT, 0)
    assert (result.verdict, [link.__dict__ for link in result.chain]) == (
        expected.verdict, [link.__dict__ for link in expected.chain])
    assert result.queries == expected.queries == 5
    assert transport.queries_sent == 5
    root, tld, leaf = "127.0.0.2", "127.0.0.3", "127.0.0.10"
    assert _seen(servers) == sorted([
        (root, "www.insecure.test.", A), (root, ".", DNSKEY),
        (tld, "www.insecure.test.", A), (tld, "test.", DNSKEY),
        (leaf, "www.insecure.test.", A),
    ])


def test_signed_no_ds_proof_of_a_referral_answers_the_ds_question_as_nodata() -> None:
    clock = [1000.0]
    with _farm(NSEC, NSEC_RRSIG, cut="insecure.test.") as farm:
        transport = _transport(farm, clock)
        response(transport.ask(Query(n("www.insecure.test."), A)))
        clock[0] += 100
        result = response(transport.ask(Query(n("insecure.test."), DS)))
        assert transport.queries_sent == 3
        assert _parent_asked(farm) == [("www.insecure.test.", "A")]
    assert (result.rcode, result.answer, result.authoritative) == (0, (), False)
    [proof] = result.authority
    assert (proof.owner, proof.rdtype, proof.rrset.ttl) == (n("insecure.test."), NSEC_TYPE, 200)
    assert [s.type_covered for s in proof.rrsigs] == [NSEC_TYPE]


def test_unsigned_no_ds_proof_is_not_kept() -> None:
    """Proves VAL-CHAIN-03 (requirement trace)."""
    with _farm(NSEC, cut="insecure.test.") as farm:
        transport = _transport(farm, [0.0])
        response(transport.ask(Query(n("www.insecure.test."), A)))
        result = response(transport.ask(Query(n("insecure.test."), DS)))
        assert _parent_asked(farm)[-1] == ("insecure.test.", "DS")
    assert result.authoritative and [s.rdtype for s in result.authority] == [6]  # its SOA


def _demo_farm_handlers(tamper_ds_of: str) -> dict[str, Handler]:
    """The demo world's servers as Farm handlers; the parent's referrals to ``tamper_ds_of``
    carry its DS RRset with the last octet of every RRSIG signature over it flipped."""
    by_address: dict[str, list[AuthZone]] = {}
    served = {z.origin: z for z in zones()}
    for entry in world()["zones"]:
        for address in entry["servers"]:
            by_address.setdefault(address, []).append(served[dns.name.from_text(entry["zone"])])
    child = n(tamper_ds_of)

    def handler(responder: Responder) -> Handler:
        def answer(request: Request) -> Reply:
            wire = respond(responder, request.wire, udp=request.transport == "udp")
            if wire is None:
                return None
            message = dns.message.from_wire(wire)
            if message.answer or not any(r.rdtype == DS and r.name == child
                                         for r in message.authority):
                return wire  # not a referral carrying that DS: as served
            for index, found in enumerate(message.authority):
                if found.rdtype == RRSIG and found.covers == DS and found.name == child:
                    broken = [rd.replace(signature=rd.signature[:-1]
                                         + bytes([rd.signature[-1] ^ 1])) for rd in found]
                    message.authority[index] = dns.rrset.from_rdata_list(
                        found.name, found.ttl, broken)
            return message

        return answer

    return {address: handler(Responder(found)) for address, found in by_address.items()}


def test_a_tampered_ds_in_a_referral_is_bogus_never_secure() -> None:
    """The referral's DS RRset is verified by the engine like a DS answer: a broken RRSIG
    over it makes the answer bogus (signature-invalid at secure.test.), and no DS question
    was sent to replace it."""
    # Requirement trace: this test also proves VAL-DS-03, VAL-DS-05, VAL-KEY-05.
    with Farm(_demo_farm_handlers("secure.test.")) as farm:
        root_servers = next(z["servers"] for z in world()["zones"] if z["zone"] == ".")
        hints = RootHints(((n("a.root-servers.test."), tuple(root_servers)),), "demo")
        transport = IterativeTransport(hints, port=farm.port, udp_timeout=1.0, tcp_timeout=2.0)
        validator = Validator(anchors(), backend=get_backend("fast"), answer_cache=False)
        result = resolve(validator, transport, n("www.secure.test."), A, now=NOW)
        assert ("secure.test.", "DS") not in farm["127.0.0.3"].asked()
    assert (result.status, result.verdict.reason) == (Status.BOGUS, Reason.SIG_INVALID)
    assert result.answer == []
    assert [(link.zone, link.status) for link in result.chain][-1] == ("secure.test.", "bogus")
