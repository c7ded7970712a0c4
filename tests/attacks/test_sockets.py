"""Attacks that need real sockets (issue 8): the attack world (tests/attacks/zones.py) served
by :class:`~dnssec_core.auth.server.LoopbackServer` on 127.0.3.x, resolved iteratively from
its root by :class:`~dnssec_core.transport.IterativeTransport` and validated by the engine.

* a referral loop (a server that delegates its own zone to itself) and a referral that goes
  back up the tree: lame, so indeterminate (SEC-LIM-05, RFC 1034 §5.3.3);
* an endless delegation, one label deeper at every answer: stopped after ``MAX_REFERRALS``;
* glue for an out-of-bailiwick name server pointing at a trap address: never used, never
  contacted (SEC-NET-02, RFC 5452 §6) — the name server's address is looked up on its own;
* a huge RRset (truncated over UDP, fetched over TCP) with one forged record: one signature
  check, bogus (SEC-LIM-04, SEC-NET-03);
* forged answers under a wrong ID, or for another question: ignored (SEC-NET-01, RFC 5452
  §9.2), so the lookup fails after the retries and the verdict is indeterminate, never the
  forged data; for CAA a lookup failure that never counts as permission (BR-CAA-08).

Faults of honest-but-broken servers (timeouts, SERVFAIL, truncation, TCP trouble) are in
tests/faults; wrong-ID/spoofed datagrams at the socket layer in tests/transport/test_wire_io.py;
the same transport limits on unsigned servers in tests/transport/test_iterative.py.
"""

from __future__ import annotations

import contextlib
import copy
import random
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdatatype
import dns.rrset
import pytest

from dnssec_core import limits
from dnssec_core.auth.responder import Answerer, Responder
from dnssec_core.auth.server import LoopbackServer, serving
from dnssec_core.auth.zone import AuthZone
from dnssec_core.caa.check import CaaRequest, check_caa
from dnssec_core.caa.decision import Decision
from dnssec_core.caa.domain import parse_domain
from dnssec_core.chain.engine import Validator
from dnssec_core.chain.types import FailureKind
from dnssec_core.crypto import get_backend
from dnssec_core.transport import IterativeTransport, RootHints
from dnssec_core.verdict import Reason, Status
from tests.attacks.harness import Outcome, resolve_counted
from tests.attacks.world import NOW
from tests.attacks.zones import ADDRESS, TRAP, world

Message = dns.message.Message
Edit = Callable[[Message, Message], None]  # (query, honest response) → edited in place
UDP_TIMEOUT = 0.3


@dataclass
class Forging:
    """An authoritative server that rewrites some of its honest answers (an
    :class:`~dnssec_core.auth.responder.Answerer` for :func:`serving`)."""

    inner: Answerer
    edit: Edit
    forged: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, query: Message) -> Message:
        response = self.inner.answer(query)
        for section in (response.answer, response.authority, response.additional):
            section[:] = [copy.copy(rrset) for rrset in section]  # never edit the zone's own
        before = response.to_wire(max_size=65535, want_shuffle=False)
        self.edit(query, response)
        if response.to_wire(max_size=65535, want_shuffle=False) != before:
            with self._lock:
                self.forged.append(query.question[0].name.to_text())
        return response


def _question(query: Message) -> tuple[str, int]:
    q = query.question[0]
    return q.name.to_text().lower(), int(q.rdtype)


def _forge_answer(response: Message) -> None:
    """The attacker's data: a CAA record for its own CA, or its own address."""
    name, rdtype = response.question[0].name, response.question[0].rdtype
    text = '0 issue "attacker.example"' if rdtype == dns.rdatatype.CAA else "203.0.113.66"
    response.answer[:] = [dns.rrset.from_text(name, 300, "IN", rdtype, text)]
    response.authority.clear()


def wrong_id(target: tuple[str, int]) -> Edit:
    def edit(query: Message, response: Message) -> None:
        if _question(query) == target:
            _forge_answer(response)
            response.id = (query.id + 1) & 0xFFFF
    return edit


def wrong_question(target: tuple[str, int]) -> Edit:
    def edit(query: Message, response: Message) -> None:
        if _question(query) == target:
            _forge_answer(response)
            response.question[0] = dns.rrset.RRset(dns.name.from_text("evil.good."),
                                                   query.question[0].rdclass,
                                                   query.question[0].rdtype)
    return edit


def _referral(response: Message, cut: dns.name.Name, address: str) -> None:
    response.set_rcode(dns.rcode.NOERROR)
    response.flags &= ~dns.flags.AA
    response.answer.clear()
    ns = dns.name.Name((b"ns", *cut.labels))
    response.authority[:] = [dns.rrset.from_text(cut, 3600, "IN", "NS", ns.to_text())]
    response.additional[:] = [dns.rrset.from_text(ns, 3600, "IN", "A", address)]


def referral_to_self(zone: str, address: str) -> Edit:
    """Every question below ``zone`` is referred to ``zone`` itself, at the same server."""
    apex = dns.name.from_text(zone)

    def edit(query: Message, response: Message) -> None:
        name, rdtype = query.question[0].name, int(query.question[0].rdtype)
        if name.is_subdomain(apex) and not (name == apex and rdtype == 43):
            _referral(response, apex, address)
    return edit


def endless_delegation(zone: str, address: str) -> Edit:
    """Each question is referred one label further down its own name, to the same server:
    every referral moves down, as the transport requires, and none ever ends."""
    apex = dns.name.from_text(zone)
    depth: dict[str, int] = {}

    def edit(query: Message, response: Message) -> None:
        name = query.question[0].name
        if not name.is_subdomain(apex) or name == apex:
            return
        key = name.to_text().lower()
        depth[key] = min(depth.get(key, 0) + 1, len(name) - len(apex))
        cut = name.split(len(apex) + depth[key])[1]
        _referral(response, cut, address)
    return edit


def oob_glue(cut: str, ns_name: str, address: str) -> Edit:
    """Referrals to ``cut`` carry glue for its out-of-bailiwick name server, pointing at
    ``address`` (RFC 5452 §6: such records must not be used)."""
    delegation = dns.name.from_text(cut)

    def edit(query: Message, response: Message) -> None:
        if any(r.rdtype == dns.rdatatype.NS and r.name == delegation
               for r in response.authority):
            response.additional.append(dns.rrset.from_text(ns_name, 3600, "IN", "A", address))
    return edit


@dataclass
class Lab:
    transport: IterativeTransport
    servers: dict[str, LoopbackServer]
    trap_udp: socket.socket
    trap_tcp: socket.socket

    def trap_untouched(self) -> bool:
        probes: tuple[tuple[socket.socket, Callable[[socket.socket], object]], ...] = (
            (self.trap_udp, lambda s: s.recvfrom(65535)),
            (self.trap_tcp, lambda s: s.accept()))
        for sock, probe in probes:
            sock.setblocking(False)
            try:
                probe(sock)
            except BlockingIOError:
                continue
            return False
        return True


@contextlib.contextmanager
def lab(**edits: Edit) -> Iterator[Lab]:
    """The attack world on its loopback addresses, with ``edits`` by zone name
    (``good="..."`` → the server of ``good.``) applied to that server's answers."""
    w = world()
    by_address: dict[str, list[AuthZone]] = {}
    for origin, zone in w.zones.items():
        by_address.setdefault(ADDRESS[origin], []).append(zone.auth)
    responders: dict[str, Answerer] = {a: Responder(z) for a, z in by_address.items()}
    for zone_name, edit in edits.items():
        address = ADDRESS[zone_name + "."]
        responders[address] = Forging(responders[address], edit)
    hints = RootHints(((dns.name.from_text("ns."), (ADDRESS["."],)),), "attack lab")
    rng = random.SystemRandom()
    for _ in range(20):
        port = rng.randrange(20000, 60000)
        stack = contextlib.ExitStack()
        try:  # only binding may fail over to another port, not the test itself
            trap_udp = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
            trap_tcp = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            trap_udp.bind((TRAP, port))
            trap_tcp.bind((TRAP, port))
            trap_tcp.listen(4)
            servers = stack.enter_context(serving(responders, port))
        except OSError:
            stack.close()
            continue
        with stack:
            yield Lab(IterativeTransport(hints, port=port, udp_timeout=UDP_TIMEOUT,
                                         tcp_timeout=2 * UDP_TIMEOUT, ipv6=False),
                      servers, trap_udp, trap_tcp)
        return
    pytest.fail("no free loopback port for the attack lab")


def resolve(running: Lab, qname: str, qtype: str) -> Outcome:
    outcome = resolve_counted(world(), running.transport, qname, qtype)
    assert outcome.verifications <= limits.MAX_SIG_VALIDATIONS_PER_RESOLUTION
    assert outcome.result.queries <= limits.MAX_QUERIES_PER_RESOLUTION
    assert running.transport.queries_sent <= outcome.result.queries * limits.MAX_QUERIES_PER_ASK
    return outcome


#: The socket attacks of this module, counted (issue 8: "assert the count that ran").
SOCKET_ATTACKS = frozenset({"referral-loop", "referral-upward", "deep-delegation", "oob-glue",
                            "wrong_id", "wrong_question", "huge-rrset-tcp"})
RAN: set[str] = set()


def test_honest_world_over_sockets_is_secure() -> None:
    with lab() as running:
        for qname, qtype in (("deny.good.", "CAA"), ("www.loop.", "A"), ("www.sub.good.", "A")):
            assert resolve(running, qname, qtype).result.status is Status.SECURE, qname


def test_referral_loop_is_lame_SEC_LIM_05() -> None:
    RAN.add("referral-loop")
    with lab(loop=referral_to_self("loop.", ADDRESS["loop."])) as running:
        outcome = resolve(running, "www.loop.", "A")
        asked = running.servers[ADDRESS["loop."]].attempts("www.loop.", 1)
    verdict = outcome.result.verdict
    assert (verdict.status, verdict.reason, verdict.ede) == (
        Status.INDETERMINATE, Reason.LOOKUP_FAILED, 22)
    assert FailureKind.LAME.value in verdict.detail
    assert 1 <= asked <= limits.ATTEMPTS_PER_SERVER


def test_referral_back_up_the_tree_is_lame_SEC_LIM_05() -> None:
    """good.'s server refers questions about its own names back to the root."""
    RAN.add("referral-upward")
    with lab(good=referral_to_self(".", ADDRESS["."])) as running:
        outcome = resolve(running, "deny.good.", "CAA")
    verdict = outcome.result.verdict
    assert (verdict.status, verdict.reason) == (Status.INDETERMINATE, Reason.LOOKUP_FAILED)
    assert FailureKind.LAME.value in verdict.detail


def test_endless_delegation_stops_at_max_referrals_SEC_LIM_05() -> None:
    RAN.add("deep-delegation")
    qname = "a." * (limits.MAX_REFERRALS + 8) + "deep."
    with lab(deep=endless_delegation("deep.", ADDRESS["deep."])) as running:
        outcome = resolve(running, qname, "A")
        asked = running.servers[ADDRESS["deep."]].attempts(qname)
    verdict = outcome.result.verdict
    assert (verdict.status, verdict.reason, verdict.ede) == (
        Status.INDETERMINATE, Reason.LIMIT_REFERRALS, 5)  # VAL-EDE-02
    assert f"more than {limits.MAX_REFERRALS} referrals" in verdict.detail
    assert asked <= limits.MAX_REFERRALS  # the root gave the first referral


def test_out_of_bailiwick_glue_is_never_contacted_SEC_NET_02() -> None:
    """good. delegates sub.good. to ns.other.; good.'s server adds "ns.other. A <trap>".  The
    transport must find ns.other.'s address from other.'s own servers, so the validated answer
    is the real one and the trap address never sees a packet (UDP or TCP)."""
    RAN.add("oob-glue")
    with lab(good=oob_glue("sub.good.", "ns.other.", TRAP)) as running:
        outcome = resolve(running, "www.sub.good.", "A")
        forging = running.servers[ADDRESS["good."]].responder
        assert isinstance(forging, Forging)
        forged = forging.forged
        untouched = running.trap_untouched()
        other = running.servers[ADDRESS["other."]].attempts("ns.other.")
    assert forged, "the forged glue was offered"
    assert untouched
    assert other >= 1  # looked up where it lives
    assert outcome.result.status is Status.SECURE
    assert [a.rrset.rdatas for a in outcome.result.answer] == [(bytes([192, 0, 2, 12]),)]


@pytest.mark.parametrize("forge", [wrong_id, wrong_question], ids=["wrong-id", "wrong-question"])
def test_forged_response_is_ignored_SEC_NET_01(forge: Callable[[tuple[str, int]], Edit]
                                               ) -> None:
    RAN.add(forge.__name__)
    with lab(good=forge(("deny.good.", 257))) as running:
        outcome = resolve(running, "deny.good.", "CAA")
        asked = running.servers[ADDRESS["good."]].attempts("deny.good.", 257)
        validator = Validator(world().anchors, backend=get_backend("fast"))
        check = check_caa(CaaRequest(parse_domain("deny.good"), ("attacker.example",),
                                     permit_on_lookup_failure=True),
                          validator, running.transport, now=NOW)
    verdict = outcome.result.verdict
    assert (verdict.status, verdict.reason, verdict.ede) == (
        Status.INDETERMINATE, Reason.LOOKUP_FAILED, 22)
    assert FailureKind.TIMEOUT.value in verdict.detail
    assert asked >= limits.ATTEMPTS_PER_SERVER  # retried (SEC-NET-06), never believed
    assert outcome.result.answer == []
    assert check.decision is Decision.LOOKUP_FAILURE, check.reason
    assert not check.records


def merged_record(target: tuple[str, int]) -> Edit:
    """One forged record added to the signed RRset, its RRSIG kept."""
    def edit(query: Message, response: Message) -> None:
        if _question(query) == target:
            for rrset in response.answer:
                if rrset.rdtype == target[1]:
                    rrset.add(dns.rdata.from_text("IN", "A", "203.0.113.66"), rrset.ttl)
    return edit


def test_huge_rrset_with_a_forged_record_over_tcp_SEC_LIM_04() -> None:
    """A 2,500-record RRset cannot travel over UDP (EDNS0 1232, SEC-NET-04): the answer is
    truncated and fetched over TCP (SEC-NET-03), then one signature check finds the forgery."""
    RAN.add("huge-rrset-tcp")
    with lab(good=merged_record(("huge.good.", 1))) as running:
        outcome = resolve(running, "huge.good.", "A")
        server = running.servers[ADDRESS["good."]]
        udp = server.attempts("huge.good.", 1, "udp")
        tcp = server.attempts("huge.good.", 1, "tcp")
    verdict = outcome.result.verdict
    assert (verdict.status, verdict.reason, verdict.ede) == (Status.BOGUS, Reason.SIG_INVALID, 6)
    assert udp >= 1 and tcp >= 1
    assert outcome.result.answer == []


def test_every_socket_attack_ran() -> None:
    """Run with the module: the count of socket attacks that ran this session."""
    assert len(SOCKET_ATTACKS) == 7
    assert RAN == SOCKET_ATTACKS


def test_the_trap_would_notice_a_packet() -> None:
    """The bailiwick test's evidence can fail: a datagram sent to the trap is seen."""
    with lab() as running:
        port = running.trap_udp.getsockname()[1]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.sendto(b"\x00" * 12, (TRAP, port))
        running.trap_udp.settimeout(1.0)
        assert running.trap_udp.recvfrom(65535)[0] == b"\x00" * 12  # it arrives
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.sendto(b"\x00" * 12, (TRAP, port))
        running.trap_udp.settimeout(1.0)
        data, _ = running.trap_udp.recvfrom(65535, socket.MSG_PEEK)  # queued, not consumed
        assert data and not running.trap_untouched()
