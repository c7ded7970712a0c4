"""Review of the referral-held DS answers (RFC 4035 §3.1.4.1, §5.2; SEC-NET-02, VAL-*).

The iterative transport keeps what a referral says about the child's DS — the signed DS
RRset, or a signed NSEC/NSEC3 proof that there is none — and answers the engine's DS question
for that child from it without a query (``IterativeTransport._ds_from_referral``).  These
tests attack that shortcut over real loopback sockets (the attack world of
tests/attacks/zones.py, served by tests/attacks/test_sockets.py's forging servers):

* a forged DS RRset in the root's referral to ``good.`` (one record added under the real
  RRSIG, or re-signed by a zone the attacker owns): held, but bogus — never secure;
* the child's own apex NSEC ("no DS here", signed by the child, RFC 6840 §4.4) put in the
  referral as the no-DS proof, with forged unsigned answers behind it: held, but bogus —
  never insecure, and the CAA check is a DNSSEC failure, never permission (BR-CAA-08);
* a DS or no-DS proof for another owner (deeper name, sibling, out of bailiwick) rides on a
  referral: never held for that owner, whose DS question is then really asked;
* a DS RRset whose RRSIG was stripped: not held (the DS question is asked and the name stays
  secure); a held answer stops being used when its TTL has run out.
"""

from __future__ import annotations

import dns.message
import dns.name
import dns.rdatatype
import dns.rrset
import pytest

from dnssec_core.caa.check import CaaRequest, check_caa
from dnssec_core.caa.decision import Decision
from dnssec_core.caa.domain import parse_domain
from dnssec_core.chain.engine import Validator
from dnssec_core.chain.types import Query
from dnssec_core.crypto import get_backend
from dnssec_core.dnssec.ds import make_ds
from dnssec_core.dnssec.records import DNSKEY as DnskeyRecord
from dnssec_core.transport import IterativeTransport
from dnssec_core.verdict import Reason, Status
from dnssec_core.wire.message import Response
from tests.attacks.test_sockets import Edit, Forging, lab, resolve
from tests.attacks.world import NOW, forged_dnskey
from tests.attacks.zones import ADDRESS, world

Message = dns.message.Message
DS_TYPE, NSEC_TYPE, RRSIG_TYPE, NS_TYPE = 43, 47, 46, 2
GOOD = dns.name.from_text("good.")


def _is_referral_to(response: Message, child: dns.name.Name) -> bool:
    return not response.answer and any(
        r.rdtype == NS_TYPE and r.name == child for r in response.authority)


def _without_ds(response: Message, child: dns.name.Name) -> None:
    response.authority[:] = [
        r for r in response.authority
        if not (r.name == child and (r.rdtype == DS_TYPE or r.covers == DS_TYPE))]


def _ds_rrset(response: Message, child: dns.name.Name) -> dns.rrset.RRset:
    return next(r for r in response.authority if r.name == child and r.rdtype == DS_TYPE)


def _attacker_ds() -> dns.rrset.RRset:
    """A DS for a key only the attacker 'holds' (a made-up key: nobody can sign with it)."""
    key = DnskeyRecord.from_wire(forged_dnskey(4242, flags=257))
    ds = make_ds(GOOD, key, 2)
    return dns.rrset.from_text(GOOD, 3600, "IN", "DS",
                               f"{ds.key_tag} {ds.algorithm} 2 {ds.digest.hex()}")


def ds_record_added(query: Message, response: Message) -> None:
    """The root's referral to good. gets one more DS record under the real RRSIG."""
    if _is_referral_to(response, GOOD):
        ds = _ds_rrset(response, GOOD)
        for rdata in _attacker_ds():
            ds.add(rdata, ds.ttl)


def ds_resigned_by_attacker(query: Message, response: Message) -> None:
    """The referral's DS RRset replaced by the attacker's, signed by keytrap.'s key (a zone
    the attacker owns: it can sign, but not as the root)."""
    if _is_referral_to(response, GOOD):
        _without_ds(response, GOOD)
        forged = _attacker_ds()
        response.authority += [forged, world().sign("keytrap.", forged)]


def child_apex_nsec_as_no_ds(query: Message, response: Message) -> None:
    """The referral's DS and RRSIG replaced by good.'s own apex NSEC (no DS bit, signed by
    good.'s key): the proof from the wrong side of the cut (RFC 6840 §4.4)."""
    if _is_referral_to(response, GOOD):
        _without_ds(response, GOOD)
        response.authority += [world().rrset("good.", "good.", "NSEC"),
                               world().sigs("good.", "good.", "NSEC")]


def unsigned_answers(query: Message, response: Message) -> None:
    """good.'s server (or a spoofer in front of it) answers with its own unsigned data: an
    empty CAA set for deny.good. and the attacker's address for www.good."""
    name, rdtype = query.question[0].name, int(query.question[0].rdtype)
    if name == GOOD:
        return  # good.'s own keys, so the walk reaches the questions below
    response.answer[:] = [r for r in response.answer
                          if r.rdtype not in (RRSIG_TYPE, dns.rdatatype.CAA)]
    response.authority[:] = [r for r in response.authority
                             if r.rdtype not in (RRSIG_TYPE, NSEC_TYPE)]
    if rdtype == 1:
        response.answer[:] = [dns.rrset.from_text(name, 300, "IN", "A", "203.0.113.66")]


def strip_ds_rrsig(query: Message, response: Message) -> None:
    if _is_referral_to(response, GOOD):
        response.authority[:] = [r for r in response.authority
                                 if not (r.name == GOOD and r.covers == DS_TYPE)]


def _held_line(trace: list[str]) -> bool:
    return any("good. DS" in line and "held from a referral" in line for line in trace)


@pytest.mark.parametrize("edit", [ds_record_added, ds_resigned_by_attacker],
                         ids=["record-added", "resigned"])
def test_forged_ds_in_a_referral_is_verified_at_the_parent_VAL_CHAIN_02_VAL_RRSIG_02(
        edit: Edit) -> None:
    with lab(**{"": edit}) as running:
        outcome = resolve(running, "www.good.", "A")
        forging = running.servers[ADDRESS["."]].responder
        assert isinstance(forging, Forging) and forging.forged == ["www.good."]
        asked = running.servers[ADDRESS["."]].attempts("good.", DS_TYPE)
    assert _held_line(outcome.result.trace), outcome.result.trace  # the forgery was held ...
    verdict = outcome.result.verdict
    if edit is ds_record_added:  # ... yet verified like an answer (RFC 4035 §5.2): bogus
        assert asked == 0  # (it answered the engine's DS question without a query)
        assert (verdict.status, verdict.reason) == (Status.BOGUS, Reason.SIG_INVALID), verdict
        assert outcome.result.answer == []
    else:  # the engine asks again after a signer mismatch: the held forgery is spent, so
        assert asked == 1  # that second DS question reaches the root and the name is secure
        assert verdict.status is Status.SECURE, verdict


def once(edit: Edit) -> Edit:
    """``edit`` applied to the first referral to good. only (one spoofed packet)."""
    done: list[bool] = []

    def first(query: Message, response: Message) -> None:
        if not done and _is_referral_to(response, GOOD):
            done.append(True)
            edit(query, response)
    return first


@pytest.mark.parametrize("edit", [ds_record_added, child_apex_nsec_as_no_ds],
                         ids=["forged-ds", "child-nsec"])
def test_one_forged_referral_spoils_one_resolution_not_the_ttl_SEC_NET_02(edit: Edit) -> None:
    """Downgrade: a held answer that was forged must not make every later resolution below
    the child fail for the referral's TTL; it is used once, then the parent is asked."""
    with lab(**{"": once(edit)}) as running:
        spoiled = resolve(running, "www.good.", "A").result
        later = resolve(running, "deny.good.", "CAA").result  # a fresh validator, same transport
        asked = running.servers[ADDRESS["."]].attempts("good.", DS_TYPE)
    assert _held_line(spoiled.trace)
    if edit is ds_record_added:
        assert (spoiled.status, spoiled.verdict.reason) == (Status.BOGUS, Reason.SIG_INVALID)
    else:  # the engine asks again after a child-side DS answer: the real one, from the root
        assert spoiled.status is Status.SECURE, spoiled.verdict
    assert asked == (1 if edit is ds_record_added else 2)
    assert later.status is Status.SECURE, later.verdict


def test_child_apex_nsec_as_no_ds_proof_is_never_insecure_NSEC_11_BR_CAA_08() -> None:
    """Indeterminate (the DS answer came from the child side), never insecure; and no CAA
    permission even with the CA's lookup-failure opt-in (no transport failure happened)."""
    with lab(**{"": child_apex_nsec_as_no_ds, "good": unsigned_answers}) as running:
        outcome = resolve(running, "www.good.", "A")
    with lab(**{"": child_apex_nsec_as_no_ds, "good": unsigned_answers}) as running:
        validator = Validator(world().anchors, backend=get_backend("fast"))
        check = check_caa(CaaRequest(parse_domain("deny.good"), ("attacker.example",),
                                     permit_on_lookup_failure=True),
                          validator, running.transport, now=NOW)
    assert _held_line(outcome.result.trace), outcome.result.trace
    verdict = outcome.result.verdict
    assert (verdict.status, verdict.reason) == (Status.INDETERMINATE, Reason.LOOKUP_FAILED)
    assert "came from the child zone good." in verdict.detail
    assert outcome.result.answer == []
    assert check.decision is Decision.LOOKUP_FAILURE, check.reason
    assert "not treated as permission" in check.reason
    assert not check.records


def ds_for_others(query: Message, response: Message) -> None:
    """The root's referral to good. also carries sub.good.'s signed DS (good.'s real data: a
    deeper owner) and mixed.'s signed DS (a sibling's), each as a referral would."""
    if _is_referral_to(response, GOOD):
        for origin, owner in (("good.", "sub.good."), (".", "mixed.")):
            response.authority += [world().rrset(origin, owner, "DS"),
                                   world().sigs(origin, owner, "DS")]


def no_ds_for_a_sibling(query: Message, response: Message) -> None:
    """keytrap.'s server (the attacker's own zone) adds NS good. with good.'s apex NSEC as a
    "no DS" proof to every answer: out of its bailiwick (SEC-NET-02)."""
    if query.question[0].name.is_subdomain(dns.name.from_text("keytrap.")):
        response.authority += [dns.rrset.from_text(GOOD, 3600, "IN", "NS", "ns.keytrap."),
                               world().rrset("good.", "good.", "NSEC"),
                               world().sigs("good.", "good.", "NSEC")]


def test_ds_for_another_owner_is_never_held_SEC_NET_02() -> None:
    with lab(**{"": ds_for_others}) as running:
        assert resolve(running, "www.good.", "A").result.status is Status.SECURE
        deeper = running.transport.ask(Query(dns.name.from_text("sub.good."), DS_TYPE))
        sibling = running.transport.ask(Query(dns.name.from_text("mixed."), DS_TYPE))
        other = running.transport.ask(Query(dns.name.from_text("www.good."), DS_TYPE))
        asked_good = running.servers[ADDRESS["good."]].attempts("sub.good.", DS_TYPE)
        asked_root = running.servers[ADDRESS["."]].attempts("mixed.", DS_TYPE)
    for answer in (deeper, sibling, other):
        assert isinstance(answer, Response) and not answer.from_referral, answer
    assert asked_good >= 1 and asked_root >= 1  # really asked, of the owner's parent


def test_no_ds_proof_out_of_bailiwick_is_never_held_SEC_NET_02() -> None:
    with lab(keytrap=no_ds_for_a_sibling) as running:
        assert resolve(running, "www.keytrap.", "A").result.status is Status.SECURE
        forging = running.servers[ADDRESS["keytrap."]].responder
        assert isinstance(forging, Forging) and forging.forged
        answer = running.transport.ask(Query(GOOD, DS_TYPE))
        asked = running.servers[ADDRESS["."]].attempts("good.", DS_TYPE)
        after = resolve(running, "deny.good.", "CAA").result
    assert isinstance(answer, Response) and not answer.from_referral
    assert answer.answer_rrset(GOOD, DS_TYPE) is not None
    assert asked == 1
    assert after.status is Status.SECURE


def test_unsigned_ds_in_a_referral_is_not_held_VAL_CHAIN_03() -> None:
    """The referral's RRSIG(DS) stripped: nothing is held, the root is asked for good.'s DS
    and its signed answer keeps the name secure (a stripped referral costs a query)."""
    with lab(**{"": strip_ds_rrsig}) as running:
        outcome = resolve(running, "www.good.", "A")
        asked = running.servers[ADDRESS["."]].attempts("good.", DS_TYPE)
    assert asked == 1
    assert outcome.result.status is Status.SECURE


def test_held_ds_is_used_once_and_not_after_its_ttl_SEC_NET_02_RFC1035_3_2_1() -> None:
    with lab() as running:
        clock = [1000.0]
        old = running.transport
        transport = IterativeTransport(old.root_hints, port=old.port, ipv6=False,
                                       udp_timeout=old.udp_timeout, clock=lambda: clock[0])
        www = Query(dns.name.from_text("www.good."), 1)
        transport.ask(www)  # the root's referral to good. carries its signed DS
        first = transport.ask(Query(GOOD, DS_TYPE))
        second = transport.ask(Query(GOOD, DS_TYPE))
        fresh = IterativeTransport(old.root_hints, port=old.port, ipv6=False,
                                   udp_timeout=old.udp_timeout, clock=lambda: clock[0])
        fresh.ask(www)
        clock[0] += 3600  # every TTL in the attack world is at most 3600
        expired = fresh.ask(Query(GOOD, DS_TYPE))
        asked = running.servers[ADDRESS["."]].attempts("good.", DS_TYPE)
    assert isinstance(first, Response) and first.from_referral
    for answer in (second, expired):
        assert isinstance(answer, Response) and not answer.from_referral
        assert answer.answer_rrset(GOOD, DS_TYPE) is not None
    assert asked == 2
