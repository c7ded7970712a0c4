"""Generated proofs over real signed zones: every name in and around each zone, and mutations.

For each zone (RFC 4035 / RFC 5155 Appendix A and all 26 BIND/ldns variants of
vectors/zones/manifest.json) the test-side authoritative server (authority.py) builds the
authority section for A, MX and DS queries at every name in and around the zone — NXDOMAIN,
NODATA, empty non-terminals, wildcard answers and wildcard NODATA, DS at delegations, referrals
to unsigned zones, Opt-Out spans.  The checker, with real RRSIG verification, must reach the
status and proof the server says (NSEC-*, NSEC3-*, VAL-WILD-02).

Then every proof is broken one way at a time and must fail with a precise reason:

* one record removed;
* one record swapped for its neighbour in the chain (a real, validly signed record);
* one bitmap bit flipped — with signature checking (``signature-invalid``) and without it
  (as if the signer had lied: ``denial-type-present`` / ``denial-cname-present`` /
  ``denial-not-a-delegation``);
* one hash (NSEC3 owner or next hashed owner) or next name (NSEC) changed, without signature
  checking, so the proof logic itself is what rejects it.
"""

from __future__ import annotations

import pytest
from dns.name import Name

from dnssec_core.dnssec.denial import Denial, Proof
from dnssec_core.dnssec.denial.bitmap import decode_bitmap, encode_bitmap
from dnssec_core.dnssec.denial.nsec3 import b32hex_decode, b32hex_encode
from dnssec_core.verdict import Reason, Status
from dnssec_core.wire.message import SignedRRset
from dnssec_core.wire.name import canonical_wire, read_name
from dnssec_core.wire.rrset import RRset
from tests.dnssec.denial.authority import (
    CE_MATCH,
    MATCH,
    NC_COVER,
    QNAME_COVER,
    WILDCARD_COVER,
    WILDCARD_MATCH,
    Reply,
)
from tests.dnssec.denial.zones import QTYPES, SignedZone, all_zones, check, variants

ZONES = all_zones()
NSEC, NSEC3 = 47, 50
CNAME, NS, DS = 5, 2, 43

#: Reasons a broken proof may give: each names what is missing or contradictory.
PROOF_FAILURES = {
    Reason.NSEC_PROOF_MISSING, Reason.DENIAL_NOT_COVERED, Reason.DENIAL_NO_MATCH,
    Reason.DENIAL_NAME_EXISTS, Reason.DENIAL_TYPE_PRESENT, Reason.DENIAL_CNAME_PRESENT,
    Reason.DENIAL_WILDCARD_NOT_DENIED, Reason.DENIAL_WILDCARD_EXISTS, Reason.DENIAL_CLOSER_MATCH,
    Reason.DENIAL_NO_CLOSEST_ENCLOSER, Reason.DENIAL_ANCESTOR_DELEGATION,
    Reason.DENIAL_CHILD_APEX, Reason.DENIAL_NOT_DELEGATION,
}

#: What removing a record of each role must say (besides "no records left at all").
REMOVED = {
    MATCH: {Reason.NSEC_PROOF_MISSING},
    QNAME_COVER: {Reason.DENIAL_NOT_COVERED, Reason.DENIAL_NO_MATCH},
    WILDCARD_COVER: {Reason.DENIAL_WILDCARD_NOT_DENIED},
    WILDCARD_MATCH: {Reason.DENIAL_NO_MATCH, Reason.DENIAL_WILDCARD_NOT_DENIED},
    CE_MATCH: {Reason.DENIAL_NO_CLOSEST_ENCLOSER, Reason.DENIAL_NOT_COVERED},
    NC_COVER: {Reason.DENIAL_NOT_COVERED},
}


def test_zone_count() -> None:
    assert len(variants()) == 26
    assert len(ZONES) == 28


def replies(zone: SignedZone) -> list[Reply]:
    authority = zone.authority
    out = []
    for name in authority.query_names():
        for qtype in QTYPES:
            reply = authority.answer(name, qtype)
            if reply is not None:
                out.append(reply)
    return out


def outcome(denial: Denial) -> tuple[Status, Proof]:
    return denial.verdict.status, denial.proof


def is_failure(denial: Denial, original: Reply, allowed: set[Reason]) -> str | None:
    """None when ``denial`` is an acceptable failure of a broken ``original`` proof."""
    status = denial.verdict.status
    if status is Status.SECURE:
        return "broken proof accepted as secure"
    if status is Status.INSECURE:
        if original.expect is Status.INSECURE:
            return None  # an Opt-Out/unsigned outcome may stay insecure, never become secure
        return f"secure proof degraded to insecure ({denial.verdict.reason.value})"
    if denial.verdict.reason not in allowed:
        return f"reason {denial.verdict.reason.value} not in {sorted(r.value for r in allowed)}"
    return None


@pytest.mark.parametrize("zone", ZONES, ids=lambda z: z.name)
def test_generated_proofs_verify_NSEC_NSEC3(zone: SignedZone) -> None:
    authority, verify = zone.authority, zone.verifier()
    kinds: set[str] = set()
    problems = []
    for reply in replies(zone):
        kinds.add(reply.kind)
        denial = check(reply, reply.authority, authority.apex, verify)
        if outcome(denial) != (reply.expect, reply.proof):
            problems.append(f"{reply.kind} {reply.qname}/{reply.qtype}: expected "
                            f"{reply.expect.value}/{reply.proof.value}, got "
                            f"{denial.verdict.status.value}/{denial.proof.value} "
                            f"{denial.verdict.reason.value}: {denial.verdict.detail}")
    assert problems == []
    assert {"nxdomain", "nodata", "ds", "wildcard-answer", "referral"} <= kinds


@pytest.mark.parametrize("zone", ZONES, ids=lambda z: z.name)
def test_proof_with_one_record_removed_fails_NSEC_NSEC3(zone: SignedZone) -> None:
    authority, verify = zone.authority, zone.verifier()
    problems = []
    for reply in replies(zone):
        for index, (role, _) in enumerate(reply.records):
            kept = [r for i, (_, r) in enumerate(reply.records) if i != index]
            allowed = REMOVED[role] | ({Reason.NSEC_PROOF_MISSING} if not kept else set())
            denial = check(reply, kept, authority.apex, verify)
            problem = is_failure(denial, reply, allowed)
            if problem:
                problems.append(f"{reply.kind} {reply.qname}/{reply.qtype} without {role}: "
                                f"{problem}: {denial.verdict.detail}")
    assert problems == []


@pytest.mark.parametrize("zone", ZONES, ids=lambda z: z.name)
def test_proof_with_neighbour_record_fails_NSEC_NSEC3(zone: SignedZone) -> None:
    """Swap one record for the next one in the NSEC/NSEC3 chain: validly signed, wrong span."""
    authority, verify = zone.authority, zone.verifier()
    chain = ([r for _, r in authority.nsec] if authority.nsec
             else [r for _, _, _, r in authority.nsec3])
    position = {id(r): i for i, r in enumerate(chain)}
    problems = []
    for reply in replies(zone):
        for index, (role, record) in enumerate(reply.records):
            neighbour = chain[(position[id(record)] + 1) % len(chain)]
            if any(neighbour is r for _, r in reply.records):
                continue  # the neighbour is already part of the proof: not a swap
            swapped = [neighbour if i == index else r for i, (_, r) in enumerate(reply.records)]
            denial = check(reply, swapped, authority.apex, verify)
            problem = is_failure(denial, reply, PROOF_FAILURES)
            if problem:
                problems.append(f"{reply.kind} {reply.qname}/{reply.qtype} {role} swapped for "
                                f"{neighbour.owner}: {problem}: {denial.verdict.detail}")
    assert problems == []


# -- record surgery -------------------------------------------------------------------------


def _split(record: SignedRRset) -> tuple[bytes, bytes]:
    """(everything before the type bitmap, the bitmap) of the record's single RDATA."""
    rdata = record.rrset.rdatas[0]
    if record.rdtype == NSEC:
        _, end = read_name(rdata, 0)
    else:
        at = 5 + rdata[4]
        end = at + 1 + rdata[at]
    return rdata[:end], rdata[end:]


def _with(record: SignedRRset, rdata: bytes, owner: Name | None = None) -> SignedRRset:
    rrset = record.rrset
    return SignedRRset(RRset(owner or rrset.owner, rrset.rdtype, rrset.rdclass, rrset.ttl,
                             (rdata,)), record.rrsigs)


def with_types(record: SignedRRset, add: frozenset[int] | set[int] = frozenset(),
               drop: frozenset[int] | set[int] = frozenset()) -> SignedRRset:
    head, bitmap = _split(record)
    return _with(record, head + encode_bitmap((decode_bitmap(bitmap) | add) - drop))


def flip_any_bit(record: SignedRRset) -> SignedRRset:
    """Clear the highest type bit of the bitmap (set type 1 in an empty one)."""
    _, bitmap = _split(record)
    types = decode_bitmap(bitmap)
    return with_types(record, drop={max(types)}) if types else with_types(record, {1})


@pytest.mark.parametrize("zone", ZONES, ids=lambda z: z.name)
def test_proof_with_bitmap_bit_flipped_fails_signature_NSEC_08(zone: SignedZone) -> None:
    """A flipped bit breaks the record's RRSIG: the verify callback's reason is returned."""
    authority, verify = zone.authority, zone.verifier()
    problems = []
    for reply in replies(zone):
        for index, (role, _record) in enumerate(reply.records):
            changed = [flip_any_bit(r) if i == index else r
                       for i, (_, r) in enumerate(reply.records)]
            denial = check(reply, changed, authority.apex, verify)
            if (denial.verdict.status, denial.verdict.reason) != (Status.BOGUS,
                                                                  Reason.SIG_INVALID):
                problems.append(f"{reply.qname} {role}: {denial.verdict.reason.value}")
    assert problems == []


@pytest.mark.parametrize("zone", ZONES, ids=lambda z: z.name)
def test_proof_with_lying_bitmap_fails_NSEC_03_VAL_CNAME_03(zone: SignedZone) -> None:
    """Without signature checks (as if the zone had signed the lie), a matching record that
    lists QTYPE or CNAME, or a delegation record that gains DS or loses NS, breaks the proof."""
    authority = zone.authority
    problems = []
    tried = 0
    for reply in replies(zone):
        for index, (role, record) in enumerate(reply.records):
            if role not in (MATCH, WILDCARD_MATCH):
                continue
            mutations: list[tuple[SignedRRset, set[Reason]]] = []
            if reply.kind == "referral":
                mutations.append((with_types(record, {DS}), {Reason.DENIAL_TYPE_PRESENT}))
                mutations.append((with_types(record, drop={NS}),
                                  {Reason.DENIAL_NOT_DELEGATION}))
            else:
                mutations.append((with_types(record, {reply.qtype}),
                                  {Reason.DENIAL_TYPE_PRESENT}))
                mutations.append((with_types(record, {CNAME}),
                                  {Reason.DENIAL_CNAME_PRESENT}))
            for changed_record, allowed in mutations:
                tried += 1
                changed = [changed_record if i == index else r
                           for i, (_, r) in enumerate(reply.records)]
                denial = check(reply, changed, authority.apex, None)
                problem = is_failure(denial, reply, allowed)
                if problem or denial.verdict.status is not Status.BOGUS:
                    problems.append(f"{reply.kind} {reply.qname}/{reply.qtype} {role}: "
                                    f"{problem or denial.verdict.status.value}")
    assert tried > 0
    assert problems == []


def _narrowed(record: SignedRRset) -> SignedRRset:
    """The record's span cut down to nothing past its owner."""
    _head, bitmap = _split(record)
    rdata = record.rrset.rdatas[0]
    if record.rdtype == NSEC:
        successor = canonical_wire(Name((b"\x00", *record.owner.labels)))
        return _with(record, successor + bitmap)
    owner_hash = b32hex_decode(record.owner.labels[0])
    at = 5 + rdata[4]
    bumped = (int.from_bytes(owner_hash, "big") + 1).to_bytes(len(owner_hash), "big")
    return _with(record, rdata[: at + 1] + bumped + bitmap)


def _rehashed(record: SignedRRset) -> SignedRRset:
    """The NSEC3 moved to another owner hash (last bit flipped)."""
    owner_hash = bytearray(b32hex_decode(record.owner.labels[0]))
    owner_hash[-1] ^= 1
    label = b32hex_encode(bytes(owner_hash)).encode()
    return _with(record, record.rrset.rdatas[0],
                 Name((label, *record.owner.labels[1:])))


@pytest.mark.parametrize("zone", ZONES, ids=lambda z: z.name)
def test_proof_with_hash_changed_fails_NSEC3_04(zone: SignedZone) -> None:
    """Without signature checks: a covering record whose span no longer reaches the name, or
    an NSEC3 whose owner hash no longer matches, breaks the proof."""
    authority = zone.authority
    problems = []
    tried = 0
    for reply in replies(zone):
        for index, (role, record) in enumerate(reply.records):
            if role in (QNAME_COVER, WILDCARD_COVER, NC_COVER):
                changed_record = _narrowed(record)
            elif record.rdtype == NSEC3:
                changed_record = _rehashed(record)
            else:
                continue  # an NSEC at QNAME proves types, not a span
            tried += 1
            changed = [changed_record if i == index else r
                       for i, (_, r) in enumerate(reply.records)]
            denial = check(reply, changed, authority.apex, None)
            problem = is_failure(denial, reply, PROOF_FAILURES)
            if problem:
                problems.append(f"{reply.kind} {reply.qname}/{reply.qtype} {role}: {problem}: "
                                f"{denial.verdict.detail}")
    assert tried > 0
    assert problems == []
