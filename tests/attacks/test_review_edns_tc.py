"""Review of the EDNS fallback and the TC=1-without-question path against an on-path attacker
(RFC 6891 §7, §6.2.2; RFC 7766 §5; SEC-NET-03/04, BR-CAA-08), over real loopback sockets.

* The attacker strips the DS RRset from the root's referral to ``good.`` (so the transport
  does not expect ``good.`` signed) and forges one FORMERR without OPT from good.'s server:
  that answer comes plain, without RRSIG.  It costs that resolution (bogus) but never yields
  ``insecure`` or a CAA permission (the engine still finds good.'s signed DS at the root),
  and the signed DS answer takes the server out of the no-EDNS memory at once.
  One level down (a parent with a signed DS of its own) the stripped referral no longer
  works: the child stays expected signed and the forged FORMERR costs one more query.
* A server remembered as lacking EDNS for a zone that looked unsigned is still asked with
  EDNS for a signed zone it also serves (the memory is consulted only where no signatures are
  expected): ``other.`` and ``sub.good.`` share 127.0.3.6 in the attack world.
* A server (or spoofer) that sets TC=1 and drops the question in every answer, over UDP and
  TCP alike: TCP goes to the same server only, the TC=1 over TCP is a malformed answer, the
  retries stay bounded and the verdict is indeterminate — no loop, no secure.
"""

from __future__ import annotations

import dns.flags
import dns.message
import dns.name
import dns.rcode
import pytest

from dnssec_core import limits
from dnssec_core.caa.check import CaaRequest, check_caa
from dnssec_core.caa.decision import Decision, DecisionReason
from dnssec_core.caa.domain import parse_domain
from dnssec_core.chain.engine import Validator
from dnssec_core.chain.types import FailureKind, Query
from dnssec_core.crypto import get_backend
from dnssec_core.transport.wire_io import EdnsMemory, Server
from dnssec_core.verdict import Reason, Status
from dnssec_core.wire.message import Response
from tests.attacks.test_sockets import Edit, Forging, lab, resolve
from tests.attacks.world import NOW
from tests.attacks.zones import ADDRESS, world

Message = dns.message.Message
DS_TYPE, NS_TYPE = 43, 2


def strip_ds_from_referrals_to(child: str) -> Edit:
    """The root's referrals to ``child`` lose their DS RRset and its RRSIG (on-path)."""
    cut = dns.name.from_text(child)

    def edit(query: Message, response: Message) -> None:
        if not response.answer and any(r.rdtype == NS_TYPE and r.name == cut
                                       for r in response.authority):
            response.authority[:] = [r for r in response.authority if not (
                r.name == cut and (r.rdtype == DS_TYPE or r.covers == DS_TYPE))]
    return edit


def forged_formerr(below: str, count: int = 1) -> Edit:
    """The first ``count`` EDNS queries about names at or below ``below`` get a FORMERR
    without OPT, as from a server that lacks EDNS (RFC 6891 §7); everything else is honest."""
    apex = dns.name.from_text(below)
    forged: list[str] = []

    def edit(query: Message, response: Message) -> None:
        if (len(forged) < count and query.edns >= 0
                and query.question[0].name.is_subdomain(apex)):
            forged.append(query.question[0].name.to_text())
            response.set_rcode(dns.rcode.FORMERR)
            response.answer.clear()
            response.authority.clear()
            response.additional.clear()
            response.use_edns(False)
    return edit


def test_stripped_ds_and_forged_formerr_is_bogus_never_insecure_SEC_NET_04_BR_DNSSEC_07() -> None:
    """The root's referral to good. stripped of its DS, good.'s server forging one FORMERR:
    the first answer comes plain (the referral gave no reason to ask again with EDNS), so
    that resolution is bogus — never insecure, and no CAA permission.  The signed DS the
    engine then fetches from the root marks good. signed and takes its server out of the
    no-EDNS memory, so the next resolutions are secure again (one forged packet, one lost
    resolution: not NO_EDNS_SERVER_SECONDS of them)."""
    edits = {"": strip_ds_from_referrals_to("good."), "good": forged_formerr("good.")}
    with lab(**edits) as running:
        outcome = resolve(running, "www.good.", "A")
        remembered = running.transport.edns_memory.servers()
        later = resolve(running, "www.good.", "A").result
        plain = running.servers[ADDRESS["good."]]
        forging = plain.responder
        assert isinstance(forging, Forging) and forging.forged == ["www.good."]
    with lab(**edits) as running:
        validator = Validator(world().anchors, backend=get_backend("fast"))
        check = check_caa(CaaRequest(parse_domain("deny.good"), ("attacker.example",),
                                     permit_on_lookup_failure=True),
                          validator, running.transport, now=NOW)
    verdict = outcome.result.verdict
    assert (verdict.status, verdict.reason) == (Status.BOGUS, Reason.RRSIGS_MISSING), verdict
    assert outcome.result.answer == []
    # the CAA check asks good.'s DS first, so good. is expected signed before its server is
    # asked: the forged FORMERR is beaten by the second EDNS try — the real, signed CAA set
    assert (check.decision, check.outcome.reason) == (Decision.DENIED,
                                                      DecisionReason.ISSUER_NOT_AUTHORIZED)
    assert [r.value for r in check.records] == [b"other.example"], check.records
    assert remembered == []  # forgotten once good.'s signed DS was seen
    assert later.status is Status.SECURE, later.verdict


def test_stripped_ds_below_a_signed_parent_and_forged_formerr_stays_secure_SEC_NET_04(
) -> None:
    """good. (itself signed, by the root's DS) refers sub.good. without its DS (stripped on
    the path) and sub.good.'s server forges one FORMERR: a signed parent must send a DS or a
    signed no-DS proof (RFC 4035 §3.1.4.1), so sub.good. is still expected signed — not put
    in the no-EDNS memory, asked again with EDNS — and the name stays secure."""
    edits = {"good": strip_ds_from_referrals_to("sub.good."),
             "sub.good": forged_formerr("sub.good.")}
    with lab(**edits) as running:
        outcome = resolve(running, "www.sub.good.", "A")
        remembered = running.transport.edns_memory.servers()
        forging = running.servers[ADDRESS["sub.good."]].responder
        assert isinstance(forging, Forging) and forging.forged == ["www.sub.good."]
    assert remembered == []
    assert outcome.result.status is Status.SECURE, outcome.result.verdict
    assert [a.rrset.rdatas for a in outcome.result.answer] == [(bytes([192, 0, 2, 12]),)]


def test_no_edns_memory_never_reaches_a_signed_zone_on_the_same_server_SEC_NET_04() -> None:
    """other. looks unsigned (DS stripped) and its server, 127.0.3.6, forges one FORMERR: it is
    remembered; sub.good. (signed DS in good.'s referral) on that server is still asked with
    EDNS and stays secure."""
    edits = {"": strip_ds_from_referrals_to("other."), "other": forged_formerr("other.")}
    with lab(**edits) as running:
        before = running.transport.ask(Query(dns.name.from_text("ns.other."), 1))
        remembered = running.transport.edns_memory.servers()
        after = resolve(running, "www.sub.good.", "A").result
        still = running.transport.edns_memory.servers()
    assert remembered == still == [f"{ADDRESS['other.']}#{running.transport.port}"]
    assert isinstance(before, Response) and not any(s.rrsigs for s in before.answer)  # plain
    assert after.status is Status.SECURE, after.verdict
    assert [a.rrset.rdatas for a in after.answer] == [(bytes([192, 0, 2, 12]),)]


def truncated_without_question(query: Message, response: Message) -> None:
    """Every answer about www.good. (UDP and TCP alike) has TC=1 and no question."""
    if query.question[0].name == dns.name.from_text("www.good."):
        response.flags |= dns.flags.TC
        response.question.clear()
        response.answer.clear()
        response.authority.clear()


@pytest.mark.parametrize("qtype", ["A", "CAA"])
def test_truncated_without_question_everywhere_is_bounded_SEC_NET_03(qtype: str) -> None:
    with lab(good=truncated_without_question) as running:
        outcome = resolve(running, "www.good.", qtype)
        server = running.servers[ADDRESS["good."]]
        udp = server.attempts("www.good.", None, "udp")
        tcp = server.attempts("www.good.", None, "tcp")
        untouched = running.trap_untouched()
    verdict = outcome.result.verdict
    assert (verdict.status, verdict.reason) == (Status.INDETERMINATE, Reason.LOOKUP_FAILED)
    assert FailureKind.MALFORMED.value in verdict.detail
    assert "TC=1 in an answer over TCP" in verdict.detail
    # TCP only to the server that sent the truncated answer, once per UDP try, bounded
    assert udp == tcp == limits.ATTEMPTS_PER_SERVER
    assert untouched
    assert outcome.result.answer == []


def test_no_edns_memory_is_not_kept_alive_by_use_and_stays_bounded_SEC_NET_04_SEC_LIM_05(
) -> None:
    """Asking a remembered server (plainly) never extends its entry: it is probed with EDNS
    again NO_EDNS_SERVER_SECONDS after the FORMERR that put it there, whatever the traffic;
    an attacker filling the memory only pushes the oldest entries out (they are re-probed)."""
    now = [0.0]
    memory = EdnsMemory(clock=lambda: now[0])
    server = Server("192.0.2.1")
    memory.remember(server)
    for second in range(0, limits.NO_EDNS_SERVER_SECONDS, 10):
        now[0] = float(second)
        assert memory.lacks_edns(server)
    now[0] = float(limits.NO_EDNS_SERVER_SECONDS)
    assert not memory.lacks_edns(server) and memory.servers() == []
    for i in range(limits.NO_EDNS_SERVER_ENTRIES + 50):
        memory.remember(Server(f"198.51.{i // 256}.{i % 256}"))
    assert len(memory.servers()) == limits.NO_EDNS_SERVER_ENTRIES
    assert not memory.lacks_edns(Server("198.51.0.0"))  # the oldest went first
