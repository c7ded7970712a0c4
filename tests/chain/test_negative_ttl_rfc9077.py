"""NSEC-13 on the validator side: how long a validated negative answer is reused.

RFC 2308 §5 caches a negative answer for min(SOA TTL, SOA MINIMUM); RFC 9077 §4 adds that the
denial's NSEC/NSEC3 records cap it too, through their TTL and their RRSIG's Original TTL
(RFC 4035 §5.3.3), and VAL-TTL-02 that nothing lives past an RRSIG's expiration.  Each case
below makes exactly one of those numbers the smallest — NSEC and NSEC3, NXDOMAIN and NODATA —
and reads the answer-cache entry: reused one second before its expiry, asked afresh at it.

The world is built at test time by :mod:`tests.attacks.world` (real keys, NSEC or NSEC3
chains; the builder gives every NSEC/NSEC3 a TTL of 300).  Its zones differ only in their SOA:
``soa-ttl-*`` has SOA TTL 60, ``soa-minimum-*`` SOA MINIMUM 90, ``plain-*`` 3600 for both.
The NSEC TTL, the NSEC RRSIG Original TTL and its expiration are lowered on the way, as a
server (or the zone's own signer, for the RRSIG) may: the received TTL is not signed, and a
fresh RRSIG by the zone's key may carry any Original TTL or expiration.  A recorder on the
transport reads what reached the validator, so each case first proves its premise (its number
is strictly the smallest) before the expiry is checked against it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from dnssec_core.auth.lab import Tamper
from dnssec_core.caa.check import BR_MIN_REUSE_SECONDS, CaaRequest, check_caa
from dnssec_core.caa.decision import Decision
from dnssec_core.caa.domain import parse_domain
from dnssec_core.chain.cache import Lifetime
from dnssec_core.chain.engine import Result, Validator
from dnssec_core.chain.types import LookupFailure, Query
from dnssec_core.crypto import get_backend
from dnssec_core.dnssec.records import RRSIG
from dnssec_core.driver import resolve
from dnssec_core.timeutil import format_time
from dnssec_core.verdict import Status
from dnssec_core.wire.message import Response, SignedRRset
from dnssec_core.wire.name import canonical_key
from dnssec_core.wire.rrset import RRset
from tests.attacks.world import NOW, World, ZoneSpec, build, rrsig_rrset, zone_text
from tests.chain.test_answer_cache import expiry

Message = dns.message.Message
DENIAL_TYPES = (dns.rdatatype.NSEC, dns.rdatatype.NSEC3)

SOA_TTL = 60  # the soa-ttl-* zones' SOA TTL (their MINIMUM is 3600)
SOA_MINIMUM = 90  # the soa-minimum-* zones' SOA MINIMUM (their SOA TTL is 3600)
NSEC_TTL = 120  # the NSEC/NSEC3 TTL as received, lowered on the way
ORIGINAL_TTL = 150  # the Original TTL of a fresh RRSIG over the NSEC/NSEC3 RRsets
EXPIRES_IN = 200  # seconds from NOW to the expiration of such a fresh RRSIG

#: The zone each case asks, and the value it makes the smallest.
ZONE_SOA = {"soa-ttl": (SOA_TTL, 3600), "soa-minimum": (3600, SOA_MINIMUM),
            "plain": (3600, 3600)}


def _zone(origin: str, soa_ttl: int, minimum: int, extra: str = "") -> str:
    return (f"$ORIGIN {origin}\n"
            f"@ {soa_ttl} IN SOA ns.{origin} hostmaster.{origin} 1 7200 3600 1209600 {minimum}\n"
            f"@ 3600 IN NS ns.{origin}\nns 3600 IN A 192.0.2.53\nwww 3600 IN A 192.0.2.1\n"
            + extra)


#: In each soa-minimum-* zone: the unsigned zone island.sub.<zone>, delegated without DS
#: below the empty non-terminal sub.<zone>.
ISLAND = "island.sub 3600 IN NS ns.island.sub\nns.island.sub 3600 IN A 192.0.2.53\n"


@cache
def world() -> World:
    """A signed root delegating to six signed TLDs: {soa-ttl,soa-minimum,plain}-{nsec,nsec3};
    below each soa-minimum-* zone the unsigned zone island.sub.soa-minimum-*."""
    specs: dict[str, ZoneSpec] = {}
    root = ""
    for denial in ("nsec", "nsec3"):
        for kind, (soa_ttl, minimum) in ZONE_SOA.items():
            origin = f"{kind}-{denial}."
            extra = ISLAND if kind == "soa-minimum" else ""
            specs[origin] = ZoneSpec(_zone(origin, soa_ttl, minimum, extra),
                                     nsec3=(0, b"") if denial == "nsec3" else None)
            root += f"{origin} 3600 IN NS ns.{origin}\nns.{origin} 3600 IN A 192.0.2.53\n"
        island = f"island.sub.soa-minimum-{denial}."
        specs[island] = ZoneSpec(_zone(island, 3600, 3600), signed=False)
    specs["."] = ZoneSpec(zone_text(".", root))
    return build(specs)


# -- what reached the validator, and the edits made on the way -------------------------------


@dataclass
class Seen:
    """The TTL-bearing numbers of the negative answers the validator received (after edits)."""

    soa_ttls: list[int] = field(default_factory=list)
    soa_minimums: list[int] = field(default_factory=list)
    nsec_ttls: list[int] = field(default_factory=list)
    original_ttls: list[int] = field(default_factory=list)
    expire_in: list[int] = field(default_factory=list)
    denial_types: set[str] = field(default_factory=set)

    def smallest(self) -> dict[str, int]:
        return {"soa-ttl": min(self.soa_ttls), "soa-minimum": min(self.soa_minimums),
                "nsec-ttl": min(self.nsec_ttls), "rrsig-original-ttl": min(self.original_ttls),
                "rrsig-expiration": min(self.expire_in)}


Edit = Callable[[World, str, Message], None]


def _lower_nsec_ttl(w: World, origin: str, message: Message) -> None:
    for rrset in message.authority:
        if rrset.rdtype in DENIAL_TYPES:
            rrset.ttl = NSEC_TTL


def _resign(*, original_ttl: int, expiration: int) -> Edit:
    """Replace every NSEC/NSEC3 RRSIG by one from the zone's own key with these fields."""
    def edit(w: World, origin: str, message: Message) -> None:
        zone = w.zones[origin]
        assert zone.zsk is not None
        kept = [r for r in message.authority
                if not (r.rdtype == dns.rdatatype.RRSIG and r.covers in DENIAL_TYPES)]
        for rrset in [r for r in kept if r.rdtype in DENIAL_TYPES]:
            shaped = dns.rrset.RRset(rrset.name, rrset.rdclass, rrset.rdtype)
            for rdata in rrset:
                shaped.add(rdata)
            shaped.ttl = original_ttl  # the signer writes its zone TTL as Original TTL
            kept.append(rrsig_rrset(shaped, zone.zsk, zone.origin, expiration=expiration))
        message.authority[:] = kept
    return edit


#: case -> (zone kind, edit on the way)
CASES: dict[str, tuple[str, Edit | None]] = {
    "soa-ttl": ("soa-ttl", None),
    "soa-minimum": ("soa-minimum", None),
    "nsec-ttl": ("plain", _lower_nsec_ttl),
    "rrsig-original-ttl": ("plain", _resign(original_ttl=ORIGINAL_TTL,
                                            expiration=NOW + 10 * 365 * 86400)),
    "rrsig-expiration": ("plain", _resign(original_ttl=300, expiration=NOW + EXPIRES_IN)),
}
EXPECTED = {"soa-ttl": SOA_TTL, "soa-minimum": SOA_MINIMUM, "nsec-ttl": NSEC_TTL,
            "rrsig-original-ttl": ORIGINAL_TTL, "rrsig-expiration": EXPIRES_IN}


def recorder(w: World, origin: str, seen: Seen, edit: Edit | None) -> Tamper:
    """Apply ``edit`` to every negative answer from ``origin``'s zone and record it."""
    apex = canonical_key(dns.name.from_text(origin))

    def tamper(query: Query, wire: bytes) -> bytes | LookupFailure:
        key = canonical_key(query.name)
        if key[: len(apex)] != apex or query.rdtype == dns.rdatatype.DS:
            return wire  # the root's answers and referrals: as served
        message = dns.message.from_wire(wire)
        if message.answer or not any(r.rdtype == dns.rdatatype.SOA for r in message.authority):
            return wire  # not a negative answer (the DNSKEY and A answers)
        if edit is not None:
            edit(w, origin, message)
        for rrset in message.authority:
            if rrset.rdtype == dns.rdatatype.SOA:
                seen.soa_ttls.append(rrset.ttl)
                seen.soa_minimums.append(rrset[0].minimum)
            elif rrset.rdtype in DENIAL_TYPES:
                seen.nsec_ttls.append(rrset.ttl)
                seen.denial_types.add(dns.rdatatype.to_text(rrset.rdtype))
            elif rrset.rdtype == dns.rdatatype.RRSIG and rrset.covers in DENIAL_TYPES:
                seen.original_ttls.extend(sig.original_ttl for sig in rrset)
                seen.expire_in.extend(sig.expiration - NOW for sig in rrset)
        return message.to_wire(max_size=65535, want_shuffle=False)

    return tamper


def _question(denial: str, answer: str, kind: str) -> tuple[str, str, str, int]:
    origin = f"{kind}-{denial}."
    if answer == "nxdomain":
        return origin, f"nosuch.{origin}", "A", dns.rcode.NXDOMAIN
    return origin, f"www.{origin}", "TXT", dns.rcode.NOERROR


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("answer", ["nxdomain", "nodata"])
@pytest.mark.parametrize("denial", ["nsec", "nsec3"])
def test_negative_answer_lives_for_the_smallest_ttl_NSEC_13(
        denial: str, answer: str, case: str) -> None:
    """RFC 9077 §4 / RFC 2308 §5 (NSEC-13, VAL-TTL-02): the cached negative answer expires
    at now + min(SOA TTL, SOA MINIMUM, NSEC/NSEC3 TTL, their RRSIGs' Original TTL, the time
    to those RRSIGs' expiration) — here ``case`` is strictly the smallest."""
    kind, edit = CASES[case]
    w = world()
    origin, qname, qtype, rcode = _question(denial, answer, kind)
    seen = Seen()
    transport = w.transport(recorder(w, origin, seen, edit))
    validator = Validator(w.anchors, backend=get_backend("fast"))

    def ask(now: int) -> Result:
        return resolve(validator, transport, dns.name.from_text(qname),
                       dns.rdatatype.from_text(qtype), now=now)

    first = ask(NOW)
    assert (first.status, first.rcode, first.answer) == (Status.SECURE, rcode, [])
    # the premise: the case's number reached the validator and is strictly the smallest
    smallest = seen.smallest()
    assert smallest[case] == EXPECTED[case]
    assert all(value > EXPECTED[case] for name, value in smallest.items() if name != case)
    assert seen.denial_types == {denial.upper()}

    until = expiry(validator, qname, qtype, NOW)
    assert until == NOW + EXPECTED[case]
    reused = ask(until - 1)
    assert (reused.queries, reused.status, reused.rcode, reused.answer) == (
        0, Status.SECURE, rcode, [])
    assert reused.trace == [f"= {qname} answered from the answer cache (secure, cached until "
                            f"{format_time(until)})"]
    asked = len(transport.asked)
    again = ask(until)
    assert again.queries > 0 and len(transport.asked) > asked  # at its expiry: asked afresh
    assert (again.status, again.rcode) == (Status.SECURE, rcode)
    if case == "rrsig-expiration":  # valid through their expiration second, then never secure
        assert ask(until + 1).status is Status.BOGUS


def test_cached_negative_answer_reports_no_ttl_NSEC_13() -> None:
    """Served from the cache, a negative answer carries no record whose TTL could outlast
    the negative TTL: the answer section stays empty and the JSON has no TTL of its own
    (issue 5's keys); the entry itself ends at the smallest TTL (RFC 9077 §4)."""
    w = world()
    qname = "nosuch.soa-minimum-nsec3."
    validator = Validator(w.anchors, backend=get_backend("fast"))
    transport = w.transport()
    first = resolve(validator, transport, dns.name.from_text(qname), dns.rdatatype.A, now=NOW)
    until = expiry(validator, qname, "A", NOW)
    assert until == NOW + SOA_MINIMUM
    hit = resolve(validator, transport, dns.name.from_text(qname), dns.rdatatype.A,
                  now=until - 1)
    assert hit.queries == 0 and hit.answer == [] == first.answer
    shown = hit.as_json()
    assert (shown["status"], shown["rcode"], shown["answer"]) == ("secure", "NXDOMAIN", [])
    assert not [key for key in shown if "ttl" in key.lower()]


def test_caa_negative_lookups_carry_no_ttl_and_expire_with_the_denial_NSEC_13() -> None:
    """The CAA climb over two NODATA answers (no CAA anywhere): no lookup reports a TTL (the
    BRs' 8-hour reuse floor is the decision's, BR-CAA-06), and a check repeated within the
    negative TTL is answered from the cache while one at its end asks again."""
    w = world()
    validator = Validator(w.anchors, backend=get_backend("fast"))
    request = CaaRequest(parse_domain("www.soa-ttl-nsec"), ("ca.example",))
    first = check_caa(request, validator, w.transport(), now=NOW)
    assert (first.decision, first.status) == (Decision.PERMITTED, Status.SECURE)
    assert [lookup.qname.to_text() for lookup in first.lookups] == [
        "www.soa-ttl-nsec.", "soa-ttl-nsec."]
    assert first.ttl is None and all(lookup.ttl is None for lookup in first.lookups)
    assert all(lookup.audit_json()["ttl"] is None for lookup in first.lookups)
    assert first.reuse_until == NOW + BR_MIN_REUSE_SECONDS
    for lookup in first.lookups:
        assert expiry(validator, lookup.qname.to_text(), "CAA", NOW) == NOW + SOA_TTL
    within = check_caa(request, validator, w.transport(), now=NOW + SOA_TTL - 1)
    assert [lookup.queries for lookup in within.lookups] == [0, 0]
    assert within.decision is Decision.PERMITTED
    after = check_caa(request, validator, w.transport(), now=NOW + SOA_TTL)
    assert all(lookup.queries > 0 for lookup in after.lookups)
    assert after.decision is Decision.PERMITTED


@pytest.mark.parametrize("denial", ["nsec", "nsec3"])
def test_proofs_of_no_ds_and_no_cut_end_at_soa_minimum_NSEC_13(denial: str) -> None:
    """The denials the engine keeps besides answers obey RFC 9077 §4 too (NSEC-13): in
    soa-minimum-* (SOA MINIMUM 90, NSEC/NSEC3 TTL 300) the proof that sub.<zone> is no zone
    cut and the proof that island.sub.<zone> has no DS are each a NODATA answer, kept 90 s —
    and so is the insecure answer resting on them — not the 300 s of their NSEC TTL."""
    w = world()
    zone = f"soa-minimum-{denial}."
    qname = f"www.island.sub.{zone}"
    validator = Validator(w.anchors, backend=get_backend("fast"))
    transport = w.transport()

    def ask(now: int) -> Result:
        return resolve(validator, transport, dns.name.from_text(qname), dns.rdatatype.A,
                       now=now)

    first = ask(NOW)
    assert (first.status, first.verdict.reason.value) == (Status.INSECURE, "insecure-delegation")
    sub, island = dns.name.from_text(f"sub.{zone}"), dns.name.from_text(f"island.sub.{zone}")
    assert [q.name for q in transport.asked if q.rdtype == dns.rdatatype.DS][-2:] == [sub, island]
    end = NOW + SOA_MINIMUM
    assert validator.key_expiry(island) == end
    assert validator.cached_keys(island, end - 1) is not None
    assert validator.cached_keys(island, end) is None
    assert validator.not_a_cut_until(sub, end - 1) == end
    assert validator.not_a_cut_until(sub, end) is None
    assert expiry(validator, qname, "A", NOW) == end
    assert ask(end - 1).queries == 0
    asked = len(transport.asked)
    again = ask(end)
    assert again.status is Status.INSECURE and again.queries > 0
    # both denials asked afresh: the cut walk no longer skips sub.<zone>
    assert [q.name for q in transport.asked[asked:] if q.rdtype == dns.rdatatype.DS] == [
        sub, island]


@pytest.mark.parametrize("denial", ["nsec", "nsec3"])
def test_result_resting_on_a_kept_no_cut_proof_lives_no_longer_NSEC_13(denial: str) -> None:
    """A later question whose walk skips sub.<zone> because a kept proof says it is no zone
    cut rests on that proof: its cache entry ends when the proof's does, even when everything
    else it read (here the island's cached keys, the answer's own TTL) lasts longer."""
    w = world()
    zone = f"soa-minimum-{denial}."
    validator = Validator(w.anchors, backend=get_backend("fast"))
    transport = w.transport()
    first = resolve(validator, transport, dns.name.from_text(f"www.island.sub.{zone}"),
                    dns.rdatatype.A, now=NOW)
    assert first.status is Status.INSECURE
    sub = dns.name.from_text(f"sub.{zone}")
    shorter = NOW + 40  # below the 90 s everything else here may be kept
    validator.store_not_a_cut(sub, shorter, now=NOW)
    other = f"ns.island.sub.{zone}"
    later = resolve(validator, transport, dns.name.from_text(other), dns.rdatatype.A,
                    now=NOW + 10)
    assert later.status is Status.INSECURE and later.answer
    assert not any(q.name == sub for q in transport.asked[-later.queries:] or [])
    assert expiry(validator, other, "A", NOW + 10) == shorter


def test_lifetime_of_a_response_NSEC_13() -> None:
    """:meth:`Lifetime.response`, the bound the engine applies to the denials it keeps: an
    SOA in the authority section makes it a negative answer (its MINIMUM counts, RFC 2308
    §5); a proof without SOA (carried by a referral) is bounded by its NSEC/NSEC3 alone; an
    SOA whose MINIMUM cannot be read makes it uncacheable (fail closed)."""
    zone = dns.name.from_text("z.")
    soa_rdata = (b"\x02ns\x00\x02hm\x00" + (1).to_bytes(4, "big") * 4
                 + SOA_MINIMUM.to_bytes(4, "big"))
    soa = SignedRRset(RRset(zone, dns.rdatatype.SOA, 1, 3600, (soa_rdata,)))
    sig = RRSIG(dns.rdatatype.NSEC, 13, 1, ORIGINAL_TTL, NOW + 86400, 0, 1, zone, b"s", b"")
    nsec = SignedRRset(RRset(zone, dns.rdatatype.NSEC, 1, 300, (b"\x00\x00",)), (sig,))

    def life(*authority: SignedRRset) -> Lifetime:
        lifetime = Lifetime(NOW)
        lifetime.response(Response(zone, dns.rdatatype.DS, 0, (), authority))
        return lifetime

    negative = life(soa, nsec)
    assert (negative.cacheable, negative.until) == (True, NOW + SOA_MINIMUM)
    referral = life(nsec)
    assert (referral.cacheable, referral.until) == (True, NOW + ORIGINAL_TTL)
    broken = SignedRRset(RRset(zone, dns.rdatatype.SOA, 1, 3600, (b"\x00",)))
    assert life(broken, nsec).cacheable is False
