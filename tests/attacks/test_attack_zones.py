"""Attack zones on the in-process lab (issue 8): each attack ends bogus or indeterminate with
a specific reason and EDE — insecure only where an RFC says so, and then cited — and within
the engine's named limits, counted from outside: signature verifications (a counting
backend), NSEC3 hashes and their SHA-1 rounds, questions asked (SEC-LIM-01..07).

The attacker owns a signed zone delegated from the signed lab root (the KeyTrap premise) or
sits on the path: it can sign anything with its own zone's keys and rewrite any response
(:class:`~dnssec_core.auth.lab.LabTransport`'s tamper hook), but cannot sign for others.
Attacks that matter for issuance are also run through the CAA check with the CA's
``permit_on_lookup_failure`` opt-in: a bogus or indeterminate lookup is a lookup failure
that never counts as permission (BR-DNSSEC-07, BR-CAA-08).

Where the rest lives: the same limits one function deep — KeyTrap key-tag collisions and
RRSIG counts in tests/dnssec/test_rrsig.py, NSEC3 iteration caps, hash budget and record
counts in tests/dnssec/denial/test_policy_limits.py; tamper cases on the demo world (stripped
RRSIGs and DS, forged data, wrong question, unsigned CNAME loop and chain value/+1, query
and signature budgets) in tests/chain/test_engine.py; referral loops, bailiwick and transport
limits on unsigned servers in tests/transport/test_iterative.py; wrong-ID and spoofed
datagrams at the socket layer in tests/transport/test_wire_io.py; random mutations in
tests/fuzz/; CAA alias loops and budgets in tests/caa/test_search.py.  Attacks needing real
sockets (referral loops, deep delegations, out-of-bailiwick glue, wrong ID or question) are
in tests/attacks/test_sockets.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest

from dnssec_core import limits
from dnssec_core.auth.lab import Tamper
from dnssec_core.caa.check import CaaRequest, check_caa
from dnssec_core.caa.decision import Decision
from dnssec_core.caa.domain import parse_domain
from dnssec_core.chain.engine import Validator
from dnssec_core.chain.types import LookupFailure, Query
from dnssec_core.crypto import get_backend
from dnssec_core.dnssec.denial.nsec3 import b32hex_encode, iterated_hash
from dnssec_core.verdict import EDE, REASON_EDE, STATUS_EDE, Reason, Status
from tests.attacks.harness import Outcome, resolve_counted
from tests.attacks.world import NOW, Edit, World, rewrite, rrsig_rrset
from tests.attacks.zones import (
    CHAIN_LINKS,
    DECOYS_BEFORE_ZSK,
    HUGE_RRSET,
    UNSUPPORTED_DS,
    trap_tag,
    world,
)
from tests.support.signer import make_key, rrsig_wire

Message = dns.message.Message
ANSWER_TYPES = ("A", "CAA")

# -- forging helpers (what an attacker's server does to an honest response) ------------------


def _strip_sigs(section: str) -> Callable[[Message], None]:
    def edit(message: Message) -> None:
        part = getattr(message, section)
        part[:] = [r for r in part if r.rdtype != dns.rdatatype.RRSIG]
    return edit


def _replace_answer(make: Callable[[Message], list[dns.rrset.RRset]]) -> Callable[[Message], None]:
    def edit(message: Message) -> None:
        message.answer[:] = make(message)
    return edit


def _qname(message: Message) -> dns.name.Name:
    return message.question[0].name


def _forged_caa(message: Message) -> list[dns.rrset.RRset]:
    """An unsigned answer of the asked type that would let the attacker's CA issue."""
    rdtype = message.question[0].rdtype
    text = '0 issue "attacker.example"' if rdtype == dns.rdatatype.CAA else "203.0.113.66"
    return [dns.rrset.from_text(_qname(message), 300, "IN", rdtype, text)]


def _merged_record(message: Message) -> None:
    """One forged record slipped into the signed RRset, its RRSIG kept."""
    for rrset in message.answer:
        if rrset.rdtype != dns.rdatatype.RRSIG:
            text = ('0 issue "attacker.example"' if rrset.rdtype == dns.rdatatype.CAA
                    else "203.0.113.66")
            rrset.add(dns.rdata.from_text(rrset.rdclass, rrset.rdtype, text), rrset.ttl)


def _unsigned_cname(message: Message) -> list[dns.rrset.RRset]:
    return [dns.rrset.from_text(_qname(message), 300, "IN", "CNAME", "www.attacker.example.")]


def _empty(rcode: dns.rcode.Rcode, keep_soa: bool) -> Callable[[Message], None]:
    def edit(message: Message) -> None:
        message.set_rcode(rcode)
        message.answer.clear()
        message.authority[:] = [r for r in message.authority
                                if keep_soa and (r.rdtype == dns.rdatatype.SOA
                                                 or r.covers == dns.rdatatype.SOA)]
    return edit


def _replay_nsec(w: World, origin: str, owner: str) -> Callable[[Message], None]:
    """NODATA: the answer removed and the zone's genuine NSEC for ``owner`` replayed."""
    def edit(message: Message) -> None:
        message.answer.clear()
        message.authority[:] = [r for r in message.authority
                                if r.rdtype == dns.rdatatype.SOA
                                or r.covers == dns.rdatatype.SOA]
        message.authority += [w.rrset(origin, owner, "NSEC"), w.sigs(origin, owner, "NSEC")]
    return edit


def _resign(w: World, origin: str, *, count: int, tag: int | None, other_key: bool
            ) -> Callable[[Message], None]:
    """Replace the answer's RRSIGs with ``count`` made by the zone's owner: claiming key tag
    ``tag`` (default: the ZSK's), and by a key not in the zone when ``other_key``."""
    zone = w.zones[origin]
    assert zone.zsk is not None
    key = make_key(zone.zsk.algorithm) if other_key else zone.zsk
    claimed = tag if tag is not None else zone.zsk.dnskey().key_tag

    def edit(message: Message) -> None:
        data = [r for r in message.answer if r.rdtype != dns.rdatatype.RRSIG]
        sigs = [rrsig_rrset(r, key, zone.origin, claimed, count=count) for r in data]
        message.answer[:] = [x for pair in zip(data, sigs, strict=True) for x in pair]
    return edit


def _unsupported_rrsig(w: World, origin: str) -> Callable[[Message], None]:
    """The answer's RRSIG replaced by one claiming algorithm 253 (PRIVATEOID's neighbour,
    PRIVATEDNS: never validated here) — a zone "advertising" only an unsupported algorithm."""
    zone = w.zones[origin]

    def edit(message: Message) -> None:
        data = [r for r in message.answer if r.rdtype != dns.rdatatype.RRSIG]
        out: list[dns.rrset.RRset] = []
        for rrset in data:
            sig = dns.rrset.RRset(rrset.name, dns.rdataclass.IN, dns.rdatatype.RRSIG,
                                  rrset.rdtype)
            wire = rrsig_wire(covered=int(rrset.rdtype), algorithm=253,
                              labels=len(rrset.name.labels) - 1, original_ttl=rrset.ttl,
                              expiration=3660681600, inception=1767225600, key_tag=4711,
                              signer=zone.origin, signature=os.urandom(64))
            sig.add(dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.RRSIG, wire, 0,
                                        len(wire)), rrset.ttl)
            out += [rrset, sig]
        message.answer[:] = out
    return edit


def _unsupported_dnskeys(message: Message) -> None:
    """The DNSKEY RRset swapped for keys of an unsupported algorithm (12, ECC-GOST), with an
    RRSIG of the same algorithm: the zone pretends to be signed with nothing we validate."""
    apex = _qname(message)
    keys = dns.rrset.from_text(apex, 3600, "IN", "DNSKEY",
                               "257 3 12 " + _b64(os.urandom(64)), "256 3 12 " + _b64(
                                   os.urandom(64)))
    sig = dns.rrset.RRset(apex, dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.DNSKEY)
    wire = rrsig_wire(covered=48, algorithm=12, labels=len(apex.labels) - 1, original_ttl=3600,
                      expiration=3660681600, inception=1767225600, key_tag=4711, signer=apex,
                      signature=os.urandom(64))
    sig.add(dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.RRSIG, wire, 0, len(wire)),
            3600)
    message.answer[:] = [keys, sig]


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def _drop_ds_matched_key(w: World, origin: str) -> Callable[[Message], None]:
    """The DNSKEY answer without the key its supported DS names (the RRSIG kept)."""
    zone = w.zones[origin]
    assert zone.ksk is not None
    ksk = zone.ksk.dnskey().rdata

    def edit(message: Message) -> None:
        for rrset in message.answer:
            if rrset.rdtype == dns.rdatatype.DNSKEY:
                for rdata in list(rrset):
                    if rdata.to_wire() == ksk:
                        rrset.discard(rdata)  # type: ignore[no-untyped-call]  # untyped in dnspython
    return edit


def _pad_dnskeys(count: int) -> Callable[[Message], None]:
    """Made-up keys put in front of the DNSKEY RRset: the real ones fall beyond
    ``MAX_DNSKEYS_PER_RRSET``."""
    from tests.attacks.world import forged_dnskey

    padding = [forged_dnskey(i + 1) for i in range(count)]

    def edit(message: Message) -> None:
        for i, rrset in enumerate(message.answer):
            if rrset.rdtype == dns.rdatatype.DNSKEY:
                padded = dns.rrset.RRset(rrset.name, rrset.rdclass, rrset.rdtype)
                for wire in padding:
                    padded.add(dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.DNSKEY,
                                                   wire, 0, len(wire)), rrset.ttl)
                for rdata in rrset:
                    padded.add(rdata, rrset.ttl)
                message.answer[i] = padded
    return edit


def _pad_ds(w: World, child: str, algorithm: int) -> Callable[[Message], None]:
    """MAX_DS_PER_RRSET made-up DS records (of ``algorithm``) put in front of the child's
    real DS, the RRset re-signed by the parent (the root): the real DS falls beyond the
    bound."""
    root = w.zones["."]
    assert root.zsk is not None
    zsk = root.zsk

    def edit(message: Message) -> None:
        for rrset in message.answer:
            if rrset.rdtype == dns.rdatatype.DS:
                padded = dns.rrset.RRset(rrset.name, rrset.rdclass, rrset.rdtype)
                for i in range(limits.MAX_DS_PER_RRSET):
                    padded.add(dns.rdata.from_text(rrset.rdclass, rrset.rdtype,
                                                   f"{4000 + i} {algorithm} 2 {i:064X}"),
                               rrset.ttl)
                for rdata in rrset:
                    padded.add(rdata, rrset.ttl)
                message.answer[:] = [padded, rrsig_rrset(padded, zsk, root.origin)]
                return
    return edit


def _swap_ds(keep_supported: bool) -> Callable[[Message], None]:
    """The parent's DS RRset rewritten (its RRSIG kept): the supported DS replaced by one of
    an unsupported algorithm, or dropped so that only the unsupported one remains."""
    def edit(message: Message) -> None:
        for rrset in message.answer:
            if rrset.rdtype == dns.rdatatype.DS:
                for rdata in list(rrset):
                    if rdata.algorithm != 12:
                        rrset.discard(rdata)  # type: ignore[no-untyped-call]  # untyped in dnspython
                        if keep_supported:  # a second unsupported DS in its place
                            rrset.add(dns.rdata.from_text(rrset.rdclass, rrset.rdtype,
                                                          "4712 12 2 " + "A5" * 32), rrset.ttl)
    return edit


def _unsigned_unsupported_ds(message: Message) -> list[dns.rrset.RRset]:
    return [dns.rrset.from_text(_qname(message), 3600, "IN", "DS", UNSUPPORTED_DS)]


def _expired_forgery(w: World, origin: str) -> Callable[[Message], None]:
    """An old answer replayed: data the zone once published (here "issue attacker.example"),
    its RRSIG genuine but expired on 2025-02-01 (RFC 4035 §5.3.1)."""
    zone = w.zones[origin]
    assert zone.zsk is not None
    zsk = zone.zsk

    def edit(message: Message) -> None:
        (forged,) = _forged_caa(message)
        message.answer[:] = [forged, rrsig_rrset(forged, zsk, zone.origin,
                                                 inception=1735689600, expiration=1738368000)]
    return edit


def _wildcard_substitution(w: World, source: str) -> Callable[[Message], None]:
    """The answer for an existing name replaced by the zone's genuine wildcard expansion for
    ``source`` (another name the wildcard covers), with the NSEC that came with it."""
    def edit(message: Message) -> None:
        question = message.question[0]
        query = dns.message.make_query(source, question.rdtype, want_dnssec=True)
        honest = w.responder.answer(query)
        message.answer[:] = []
        for rrset in honest.answer:
            renamed = dns.rrset.RRset(question.name, rrset.rdclass, rrset.rdtype, rrset.covers)
            for rdata in rrset:
                renamed.add(rdata, rrset.ttl)
            message.answer.append(renamed)
        message.authority[:] = list(honest.authority)
    return edit


def _ancestor_delegation_nsec(w: World) -> Callable[[Message], None]:
    """NODATA "proven" by the root's genuine NSEC at the delegation good. (NS, DS, no SOA):
    the parent side of a cut, which denies nothing below it (RFC 6840 §4.1)."""
    def edit(message: Message) -> None:
        message.answer.clear()
        message.authority[:] = [w.rrset(".", ".", "SOA"), w.sigs(".", ".", "SOA"),
                                w.rrset(".", "good.", "NSEC"), w.sigs(".", "good.", "NSEC")]
    return edit


def _foreign_signer(w: World, origin: str, claimed: str | None = None
                    ) -> Callable[[Message], None]:
    """The attacker's data signed by the attacker's own zone ``origin`` (a zone it really
    owns and whose keys validate), or by a key of its own claiming to be ``claimed``'s with
    that zone's ZSK key tag."""
    zone = w.zones[origin]
    assert zone.zsk is not None
    if claimed is None:
        key, signer, tag = zone.zsk, zone.origin, None
    else:
        claimed_zsk = w.zones[claimed].zsk
        assert claimed_zsk is not None
        key = make_key(claimed_zsk.algorithm)
        signer, tag = dns.name.from_text(claimed), claimed_zsk.dnskey().key_tag

    def edit(message: Message) -> None:
        (forged,) = _forged_caa(message)
        message.answer[:] = [forged, rrsig_rrset(forged, key, signer, tag)]
    return edit


def _forged_synthesis(message: Message) -> None:
    """The DNAME kept (signed), the unsigned CNAME synthesised from it pointed elsewhere."""
    for i, rrset in enumerate(message.answer):
        if rrset.rdtype == dns.rdatatype.CNAME:
            message.answer[i] = dns.rrset.from_text(rrset.name, rrset.ttl, "IN", "CNAME",
                                                    "www.attacker.example.")


def _many_dnskey_rrsigs(w: World, origin: str, count: int) -> Callable[[Message], None]:
    zone = w.zones[origin]
    assert zone.ksk is not None
    ksk = zone.ksk

    def edit(message: Message) -> None:
        keys = w.rrset(origin, origin, "DNSKEY")
        message.answer[:] = [keys, rrsig_rrset(keys, make_key(8), zone.origin,
                                               ksk.dnskey().key_tag, count=count)]
    return edit


# -- NSEC3 and NSEC floods, made and signed by the attacking zone itself ----------------------

def _deep(zone: str) -> str:
    """The deepest name under ``zone`` that fits 255 octets: one-letter labels."""
    room = 255 - (len(zone) + 1)
    return "a." * (room // 2) + zone


def _nsec3_flood(w: World, origin: str, *, records: int, iterations: int, salts: bool
                 ) -> Callable[[Message], None]:
    """NXDOMAIN with the zone's signed SOA and ``records`` NSEC3 RRs that prove nothing —
    random hashes, each with its own salt when ``salts`` — each signed by the zone's ZSK."""
    zone = w.zones[origin]
    flood: list[dns.rrset.RRset] = []
    for i in range(records):
        owner = dns.name.Name((b32hex_encode(os.urandom(20)).encode(), *zone.origin.labels))
        salt = f"{i + 1:04x}" if salts else "ab"
        text = f"1 0 {iterations} {salt} {b32hex_encode(os.urandom(20))} A RRSIG"
        rrset = dns.rrset.from_text(owner, 300, "IN", "NSEC3", text)
        flood += [rrset, w.sign(origin, rrset)]

    def edit(message: Message) -> None:
        message.set_rcode(dns.rcode.NXDOMAIN)
        message.answer.clear()
        message.authority[:] = [w.rrset(origin, origin, "SOA"), w.sigs(origin, origin, "SOA"),
                                *flood]
    return edit


def _nsec_flood(w: World, origin: str, records: int) -> Callable[[Message], None]:
    """NXDOMAIN stuffed with ``records`` NSEC RRsets, each genuinely signed by the ZSK."""
    flood: list[dns.rrset.RRset] = []
    for i in range(records):
        rrset = dns.rrset.from_text(f"n{i:03d}.{origin}", 300, "IN", "NSEC",
                                    f"n{i:03d}a.{origin} A RRSIG NSEC")
        flood += [rrset, w.sign(origin, rrset)]

    def edit(message: Message) -> None:
        message.set_rcode(dns.rcode.NXDOMAIN)
        message.answer.clear()
        message.authority[:] = [w.rrset(origin, origin, "SOA"), w.sigs(origin, origin, "SOA"),
                                *flood]
    return edit


def _hash_walk(w: World, qname: str) -> Tamper:
    """CVE-2023-50868 across a whole resolution.  The answer at ``qname`` claims a signer one
    label up (a zone cut 120 labels deep); the engine walks down from hashtrap. asking DS at
    every label, and each DS answer is a *valid* "not a cut" proof that first makes the
    validator hash the whole ancestry under parameter sets that prove nothing (a fresh salt
    each) — as many as fit NSEC3_HASHES_PER_RESPONSE — before the one that matches."""
    # iterated_hash is bound at import, before tests.attacks.harness swaps in its counting
    # wrapper: the lab's reference hash is not counted
    zone = w.zones["hashtrap."]
    assert zone.zsk is not None
    zsk = zone.zsk
    apex = zone.origin
    iterations = limits.NSEC3_ITERATIONS_INSECURE
    target = dns.name.from_text(qname)

    def nsec3(salts: list[str], digest: bytes) -> list[dns.rrset.RRset]:
        """One NSEC3 RRset (one signature to check) holding a record per salt."""
        owner = dns.name.Name((b32hex_encode(digest).encode(), *apex.labels))
        rrset = dns.rrset.RRset(owner, dns.rdataclass.IN, dns.rdatatype.NSEC3)
        for salt in salts:
            text = f"1 0 {iterations} {salt} {b32hex_encode(os.urandom(20))} A RRSIG"
            rrset.add(dns.rdata.from_text("IN", "NSEC3", text), 300)
        return [rrset, rrsig_rrset(rrset, zsk, apex)]

    def tamper(query: Query, wire: bytes) -> bytes | LookupFailure:
        message = dns.message.from_wire(wire)
        name = query.name
        if query.rdtype == 1 and name == target:
            answer = dns.rrset.from_text(name, 300, "IN", "A", "203.0.113.66")
            message.answer[:] = [answer, rrsig_rrset(answer, zsk, name.parent())]
        elif query.rdtype == 43 and name.is_subdomain(apex) and name != apex:
            below = len(name.labels) - len(apex.labels)
            wasted = min(limits.MAX_DENIAL_RECORDS_PER_RESPONSE - 1,
                         (limits.NSEC3_HASHES_PER_RESPONSE - 1) // (below + 1))
            message.set_rcode(dns.rcode.NOERROR)
            message.answer.clear()
            message.authority[:] = [  # no SOA: the DS step does not need one
                # fresh salts at every step, so no hash is reused from an earlier response
                *nsec3([f"{below * 32 + i + 1:04x}" for i in range(wasted)], os.urandom(20)),
                *nsec3(["ffff"], iterated_hash(name, b"\xff\xff", iterations))]
        else:
            return wire
        return message.to_wire(max_size=65535, want_shuffle=False)

    return tamper


# -- the attack list ---------------------------------------------------------------------------

Rules = Callable[[World, str, str], dict[tuple[str, str], Edit]]


@dataclass(frozen=True)
class Attack:
    """One attack: the question, the forged responses, and the verdict the RFCs demand."""

    id: str
    qname: str
    qtype: str
    rules: Rules
    status: Status
    reason: Reason
    why: str  # the rule that makes this the right verdict
    caa: bool = False  # relevant to issuance: also run the CAA check
    #: the exact verifications, from the chain's cost (root DNSKEY, DS, DNSKEY of an honest
    #: resolution) and the named limits; None: only the per-resolution budget applies
    verifications: Callable[[int], int] | None = None
    hashes: int | None = None  # exact NSEC3 hashes the validator may compute (None: ≤ budget)
    #: a tamper hook of its own, for attacks that answer many different questions
    custom: Callable[[World, str], Tamper] | None = None

    def tamper(self, w: World) -> Tamper:
        if self.custom is not None:
            return self.custom(w, self.qname)
        return rewrite(self.rules(w, self.qname, self.qtype))


def _decoys_first(w: World, origin: str = "keytrap.") -> Callable[[Message], None]:
    """The attacker's server sends its DNSKEY RRset in the order it was written (no rotation):
    the decoys first.  In keytrap. they share the ZSK's key tag, so every RRSIG by the ZSK
    costs MAX_KEYS_PER_KEY_TAG tries; in cram. they share the KSK's and the KSK is never
    reached."""
    def edit(message: Message) -> None:
        message.answer[:] = [w.rrset(origin, origin, "DNSKEY"), w.sigs(origin, origin, "DNSKEY")]
    return edit


def _keytrap(rules: Rules) -> Rules:
    return lambda w, name, qtype: {("keytrap.", "DNSKEY"): _decoys_first(w),
                                   **rules(w, name, qtype)}


def _on_answer(edit: Edit) -> Rules:
    return lambda w, name, qtype: {(name, qtype): edit}


def _with_world(make: Callable[[World], Edit],
                at: tuple[str, str] | None = None) -> Rules:
    return lambda w, name, qtype: {at or (name, qtype): make(w)}


def plus(extra: int) -> Callable[[int], int]:
    """The chain's verifications and ``extra`` more."""
    return lambda chain: chain + extra


MAX_RRSIGS = limits.MAX_RRSIGS_PER_RRSET
ATTACKS: tuple[Attack, ...] = (
    # KeyTrap, CVE-2023-50387 (SEC-LIM-01/02/04)
    Attack("keytrap-colliding-tags", "trap.keytrap.", "CAA",
           _keytrap(_with_world(lambda w: _resign(w, "keytrap.", count=2 * MAX_RRSIGS,
                                                  tag=trap_tag(), other_key=False))),
           Status.BOGUS, Reason.LIMIT_SIG_VALIDATIONS,
           "SEC-LIM-01: MAX_SIG_VALIDATIONS_PER_RRSET crypto operations, then bogus",
           caa=True, verifications=plus(limits.MAX_SIG_VALIDATIONS_PER_RRSET)),
    Attack("keytrap-one-rrsig", "trap.keytrap.", "A",
           _keytrap(_with_world(lambda w: _resign(w, "keytrap.", count=1, tag=trap_tag(),
                                                  other_key=False))),
           Status.BOGUS, Reason.LIMIT_KEY_TAG_COLLISIONS,
           "SEC-LIM-02: MAX_KEYS_PER_KEY_TAG keys tried for one RRSIG; the rest might verify",
           verifications=plus(limits.MAX_KEYS_PER_KEY_TAG)),
    Attack("keytrap-spread-over-response", "nx.keytrap.", "A",
           _keytrap(_with_world(lambda w: _nsec_flood(w, "keytrap.", 31))),
           Status.BOGUS, Reason.LIMIT_SIG_VALIDATIONS,
           "SEC-LIM-01: MAX_SIG_VALIDATIONS_PER_RESOLUTION for all RRsets together"),
    Attack("rrsig-flood", "deny.good.", "CAA",
           _with_world(lambda w: _resign(w, "good.", count=3 * MAX_RRSIGS, tag=None,
                                         other_key=True)),
           Status.BOGUS, Reason.LIMIT_RRSIGS,
           "SEC-LIM-04: only MAX_RRSIGS_PER_RRSET RRSIGs are looked at", caa=True,
           verifications=plus(MAX_RRSIGS)),
    Attack("keytrap-ds-matched-colliding-ksks", "www.cram.", "CAA",
           lambda w, n, t: {("cram.", "DNSKEY"): _decoys_first(w, "cram.")},
           Status.BOGUS, Reason.LIMIT_KEY_TAG_COLLISIONS,
           "SEC-LIM-02: thirty DS-matched keys share the KSK's tag; four are tried", caa=True,
           verifications=lambda chain: chain - 1 + limits.MAX_KEYS_PER_KEY_TAG),
    Attack("keytrap-ds-matched-many-rrsigs", "www.cram.", "A",
           lambda w, n, t: {("cram.", "DNSKEY"): _many_dnskey_rrsigs(w, "cram.",
                                                                      2 * MAX_RRSIGS)},
           Status.BOGUS, Reason.LIMIT_SIG_VALIDATIONS,
           "SEC-LIM-01: the DNSKEY RRset's check stops at MAX_SIG_VALIDATIONS_PER_RRSET",
           verifications=lambda chain: chain - 1 + limits.MAX_SIG_VALIDATIONS_PER_RRSET),
    # NSEC3 hash exhaustion, CVE-2023-50868 (SEC-LIM-03, NSEC3-15)
    Attack("nsec3-hash-exhaustion", _deep("hashtrap."), "A",
           _with_world(lambda w: _nsec3_flood(w, "hashtrap.", records=31,
                                              iterations=limits.NSEC3_ITERATIONS_INSECURE,
                                              salts=True)),
           Status.INDETERMINATE, Reason.LIMIT_NSEC3_HASHES,
           "SEC-LIM-03: NSEC3_HASHES_PER_RESPONSE distinct hashes per response",
           hashes=limits.NSEC3_HASHES_PER_RESPONSE),
    Attack("nsec3-hash-exhaustion-per-resolution", _deep("hashtrap."), "A", lambda w, n, t: {},
           Status.INDETERMINATE, Reason.LIMIT_NSEC3_HASHES,
           "SEC-LIM-03: NSEC3_HASHES_PER_RESOLUTION distinct hashes across the whole walk",
           hashes=limits.NSEC3_HASHES_PER_RESOLUTION, custom=_hash_walk),
    Attack("nsec3-hash-exhaustion-caa", "h.hashtrap.", "CAA",
           _with_world(lambda w: _nsec3_flood(w, "hashtrap.", records=31,
                                              iterations=limits.NSEC3_ITERATIONS_INSECURE,
                                              salts=True)),
           Status.BOGUS, Reason.DENIAL_NO_CLOSEST_ENCLOSER,
           "RFC 5155 §8.3: NSEC3 RRs that match no ancestor prove nothing", caa=True),
    Attack("nsec3-iterations-over-hard-limit", "h.hashtrap.", "A",
           _with_world(lambda w: _nsec3_flood(w, "hashtrap.", records=2,
                                              iterations=limits.NSEC3_ITERATIONS_BOGUS + 1,
                                              salts=False)),
           Status.BOGUS, Reason.NSEC3_ITERATIONS_BOGUS,
           "NSEC3-15 / RFC 5155 §10.3: no signer may use more than 2,500", hashes=0),
    Attack("nsec3-iterations-65535", "h.hashtrap.", "CAA",
           _with_world(lambda w: _nsec3_flood(w, "hashtrap.", records=2, iterations=65535,
                                              salts=False)),
           Status.BOGUS, Reason.NSEC3_ITERATIONS_BOGUS,
           "NSEC3-15 / RFC 5155 §10.3", caa=True, hashes=0),
    Attack("nsec3-iterations-over-cap", "h.hashtrap.", "CAA",
           _with_world(lambda w: _nsec3_flood(w, "hashtrap.", records=2,
                                              iterations=limits.NSEC3_ITERATIONS_INSECURE + 1,
                                              salts=False)),
           Status.INSECURE, Reason.NSEC3_ITERATIONS_INSECURE,
           "RFC 9276 §3.2: a validator MAY treat a denial with too many iterations as "
           "insecure (EDE 27); the CAA check still refuses it (BR-DNSSEC-07)",
           caa=True, hashes=0),
    Attack("nsec3-record-flood", "h.hashtrap.", "A",
           _with_world(lambda w: _nsec3_flood(w, "hashtrap.",
                                              records=limits.MAX_DENIAL_RECORDS_PER_RESPONSE + 1,
                                              iterations=0, salts=False)),
           Status.INDETERMINATE, Reason.LIMIT_DENIAL_RECORDS,
           "SEC-LIM-03: MAX_DENIAL_RECORDS_PER_RESPONSE, counted before any signature",
           hashes=0, verifications=plus(1)),  # the SOA only
    # CNAME and DNAME loops and chains (SEC-LIM-06, CAA-TREE-08)
    Attack("cname-loop-signed", "loop1.good.", "CAA", lambda w, n, t: {},
           Status.INDETERMINATE, Reason.CNAME_LOOP, "SEC-LIM-06: loops detected", caa=True),
    Attack("cname-chain-too-long", "c0.good.", "A", lambda w, n, t: {},
           Status.INDETERMINATE, Reason.LIMIT_CNAME_CHAIN,
           f"SEC-LIM-06: {CHAIN_LINKS} links, MAX_CNAME_HOPS followed"),
    Attack("dname-loop", "www.d1.good.", "CAA", lambda w, n, t: {},
           Status.INDETERMINATE, Reason.CNAME_LOOP, "SEC-LIM-06, RFC 6672 §2.4", caa=True),
    Attack("dname-self-expanding", "www.grow.good.", "A", lambda w, n, t: {},
           Status.INDETERMINATE, Reason.LIMIT_CNAME_CHAIN,
           "SEC-LIM-06: every substitution is a new name; the hop limit ends it"),
    # huge RRsets (SEC-LIM-04)
    Attack("dname-forged-synthesis", "www.dn.good.", "CAA", _on_answer(_forged_synthesis),
           Status.BOGUS, Reason.DNAME_MISMATCH,
           "RFC 6672 §3.4 (VAL-CNAME-02): the CNAME must be the DNAME substitution", caa=True),
    Attack("huge-rrset-forged-record", "huge.good.", "A", _on_answer(_merged_record),
           Status.BOGUS, Reason.SIG_INVALID,
           f"RFC 4035 §5.3.3: {HUGE_RRSET + 1} records, one signature check",
           verifications=plus(1)),
    Attack("huge-rrset-rrsig-flood", "huge.good.", "A",
           _with_world(lambda w: _resign(w, "good.", count=3 * MAX_RRSIGS, tag=None,
                                         other_key=True)),
           Status.BOGUS, Reason.LIMIT_RRSIGS, "SEC-LIM-04 on a huge RRset",
           verifications=plus(MAX_RRSIGS)),
    Attack("huge-dnskey-rrset", "deny.good.", "CAA",
           _with_world(lambda w: _pad_dnskeys(limits.MAX_DNSKEYS_PER_RRSET),
                       at=("good.", "DNSKEY")),
           Status.BOGUS, Reason.LIMIT_DNSKEYS,
           "SEC-LIM-04: keys beyond MAX_DNSKEYS_PER_RRSET are ignored; the bound is named",
           caa=True,
           verifications=lambda chain: chain - 1),  # the DNSKEY RRset is never checked
    Attack("huge-ds-rrset", "deny.good.", "CAA",
           _with_world(lambda w: _pad_ds(w, "good.", algorithm=13), at=("good.", "DS")),
           Status.BOGUS, Reason.LIMIT_DS,
           "SEC-LIM-04: DS records beyond MAX_DS_PER_RRSET are ignored; the bound is named",
           caa=True),
    Attack("huge-ds-rrset-unsupported-first", "deny.good.", "CAA",
           _with_world(lambda w: _pad_ds(w, "good.", algorithm=12), at=("good.", "DS")),
           Status.BOGUS, Reason.LIMIT_DS,
           "RFC 4035 §5.2: never insecure on a DS set cut short by SEC-LIM-04 (a supported "
           "DS may follow)", caa=True),
    # forged unsigned answers injected into a signed zone (VAL-STAT-04, RFC 4035 §5.3)
    Attack("forged-unsigned-answer", "deny.good.", "CAA", _on_answer(_replace_answer(
        _forged_caa)), Status.BOGUS, Reason.RRSIGS_MISSING,
           "RFC 4035 §5.3.1/§4.3: unsigned data in a signed zone is bogus", caa=True),
    Attack("forged-record-merged", "deny.good.", "CAA", _on_answer(_merged_record),
           Status.BOGUS, Reason.SIG_INVALID, "RFC 4035 §5.3.3", caa=True),
    Attack("forged-unsigned-cname", "deny.good.", "CAA", _on_answer(_replace_answer(
        _unsigned_cname)), Status.BOGUS, Reason.RRSIGS_MISSING,
           "RFC 4035 §5.3.1: the CNAME is data of the signed zone", caa=True),
    Attack("forged-nxdomain", "deny.good.", "CAA",
           _on_answer(_empty(dns.rcode.NXDOMAIN, keep_soa=False)),
           Status.BOGUS, Reason.NSEC_PROOF_MISSING, "RFC 4035 §5.4: denial needs NSEC",
           caa=True),
    Attack("forged-nodata-signed-soa", "deny.good.", "CAA",
           _on_answer(_empty(dns.rcode.NOERROR, keep_soa=True)),
           Status.BOGUS, Reason.NSEC_PROOF_MISSING, "RFC 4035 §5.4: the SOA proves nothing",
           caa=True),
    Attack("replayed-nsec-nodata", "deny.good.", "CAA",
           _with_world(lambda w: _replay_nsec(w, "good.", "www.good.")),
           Status.BOGUS, Reason.DENIAL_NO_MATCH,
           "RFC 4035 §5.4 (NSEC-03): the NSEC is genuine but for another name", caa=True),
    Attack("signed-by-attackers-own-zone", "deny.good.", "CAA",
           _with_world(lambda w: _foreign_signer(w, "keytrap.")),
           Status.BOGUS, Reason.SIGNER_MISMATCH,
           "RFC 4035 §5.3.1: the Signer's Name must be the zone holding the RRset", caa=True),
    Attack("signer-claims-the-parent", "deny.good.", "CAA",
           _with_world(lambda w: _foreign_signer(w, "keytrap.", claimed=".")),
           Status.BOGUS, Reason.SIG_INVALID,
           "RFC 4035 §5.3.3: the parent's key tag, but not the parent's signature", caa=True),
    Attack("replayed-expired-caa", "deny.good.", "CAA",
           _with_world(lambda w: _expired_forgery(w, "good.")),
           Status.BOGUS, Reason.SIG_EXPIRED,
           "RFC 4035 §5.3.1: a genuine but expired RRSIG proves nothing now", caa=True),
    Attack("wildcard-substitution", "deny.w.good.", "CAA",
           _with_world(lambda w: _wildcard_substitution(w, "x.w.good.")),
           Status.BOGUS, Reason.DENIAL_NAME_EXISTS,
           "RFC 4035 §5.3.4 (VAL-WILD-02): a wildcard answer needs proof of no closer name",
           caa=True),
    Attack("ancestor-delegation-nsec", "deny.good.", "CAA",
           _with_world(lambda w: _ancestor_delegation_nsec(w)),
           Status.BOGUS, Reason.DENIAL_ANCESTOR_DELEGATION,
           "RFC 6840 §4.1 (NSEC-10): the parent's NSEC at a cut denies nothing below it",
           caa=True),
    # downgrades (RFC 4035 §5.2, RFC 6840 §5.11, VAL-ALG-05)
    Attack("strip-rrsigs", "deny.good.", "CAA", _on_answer(_strip_sigs("answer")),
           Status.BOGUS, Reason.RRSIGS_MISSING, "RFC 4035 §5.3.1, VAL-STAT-04", caa=True),
    Attack("strip-ds-bare", "deny.good.", "CAA",
           lambda w, n, t: {("good.", "DS"): _empty(dns.rcode.NOERROR, keep_soa=True)},
           Status.BOGUS, Reason.NSEC_PROOF_MISSING,
           "RFC 4035 §5.2: no DS without a signed proof of none", caa=True),
    Attack("strip-ds-replay-nsec", "deny.good.", "CAA",
           lambda w, n, t: {("good.", "DS"): _replay_nsec(w, ".", "good.")},
           Status.BOGUS, Reason.DENIAL_TYPE_PRESENT,
           "RFC 4035 §5.4: the replayed NSEC shows DS present", caa=True),
    Attack("strip-dnskey-rrsigs", "www.mixed.", "CAA",
           lambda w, n, t: {("mixed.", "DNSKEY"): _strip_sigs("answer")},
           Status.BOGUS, Reason.RRSIGS_MISSING,
           "RFC 6840 §5.11: a supported DS remains, so never insecure", caa=True),
    Attack("ds-supported-replaced-by-unsupported", "www.mixed.", "CAA",
           lambda w, n, t: {("mixed.", "DS"): _swap_ds(keep_supported=True)},
           Status.BOGUS, Reason.SIG_INVALID,
           "RFC 6840 §5.11, RFC 4035 §5.2: the parent's signature no longer covers it",
           caa=True),
    Attack("ds-supported-dropped", "www.mixed.", "CAA",
           lambda w, n, t: {("mixed.", "DS"): _swap_ds(keep_supported=False)},
           Status.BOGUS, Reason.SIG_INVALID, "RFC 6840 §5.11", caa=True),
    Attack("ds-replaced-unsigned-unsupported", "www.mixed.", "CAA",
           lambda w, n, t: {("mixed.", "DS"): _replace_answer(_unsigned_unsupported_ds)},
           Status.BOGUS, Reason.RRSIGS_MISSING,
           "RFC 4035 §5.2: only a DS RRset signed by the parent counts", caa=True),
    Attack("strip-dnskey", "www.mixed.", "CAA",
           lambda w, n, t: {("mixed.", "DNSKEY"): _empty(dns.rcode.NOERROR, keep_soa=True)},
           Status.BOGUS, Reason.DNSKEY_MISSING,
           "RFC 4035 §5.2: a DS with no DNSKEY to match is bogus, never insecure", caa=True),
    Attack("ds-matched-key-withheld", "www.mixed.", "CAA",
           _with_world(lambda w: _drop_ds_matched_key(w, "mixed."), at=("mixed.", "DNSKEY")),
           Status.BOGUS, Reason.DS_MISMATCH,
           "RFC 6840 §5.11: the supported DS matches no key, never insecure", caa=True),
    Attack("dnskeys-only-unsupported", "deny.good.", "CAA",
           lambda w, n, t: {("good.", "DNSKEY"): _unsupported_dnskeys},
           Status.BOGUS, Reason.DS_MISMATCH,
           "RFC 4035 §5.2: the parent's DS names a supported algorithm", caa=True),
    Attack("rrsig-only-unsupported", "deny.good.", "CAA",
           _with_world(lambda w: _unsupported_rrsig(w, "good.")),
           Status.BOGUS, Reason.UNSUPPORTED_ALGORITHM,
           "RFC 4035 §5.3.1: no RRSIG by an authenticated key", caa=True),
)

#: Counted so that a dropped or skipped attack shows (issue 8: "assert the count that ran").
EXPECTED_ATTACKS = 45
assert len({a.id for a in ATTACKS}) == len(ATTACKS)

#: Honest questions in the same zones: each must be secure, so that the attacks above fail
#: because of the attack and not because the zone is broken.
CONTROLS = (("www.good.", "A"), ("deny.good.", "CAA"), ("c1.good.", "A"), ("huge.good.", "A"),
            ("nosuch.good.", "CAA"), ("www.keytrap.", "A"), ("trap.keytrap.", "CAA"),
            ("nx.keytrap.", "A"), ("www.hashtrap.", "A"), ("h.hashtrap.", "CAA"),
            ("www.mixed.", "A"), ("www.sub.good.", "A"), ("www.dn.good.", "A"),
            ("x.w.good.", "CAA"), ("deny.w.good.", "CAA"),
            (_deep("hashtrap."), "A"))  # one parameter set: the hash budget's "value" case


@cache
def baseline(zone: str) -> int:
    """Verifications an honest, fresh resolution of ``www.<zone>`` A spends on the chain
    (root DNSKEY, the zone's DS and DNSKEY): its total minus the answer's own checks."""
    w = world()
    tamper = rewrite({("keytrap.", "DNSKEY"): _decoys_first(w)}) if zone == "keytrap." else None
    honest = resolve_counted(w, w.transport(tamper), f"www.{zone}", "A")
    assert honest.result.status is Status.SECURE
    answer_cost = DECOYS_BEFORE_ZSK + 1 if zone == "keytrap." else 1
    return honest.verifications - answer_cost


def _zone_of(qname: str) -> str:
    for zone in ("keytrap.", "hashtrap.", "mixed.", "good."):
        if qname.endswith("." + zone) or qname == zone:
            return zone
    if qname.endswith(".cram."):  # never secure: its chain costs what good.'s does (root
        return "good."            # DNSKEY, a DS from the root, the DNSKEY RRset)
    raise AssertionError(qname)


RAN: dict[str, Outcome] = {}


def run(attack: Attack) -> Outcome:
    w = world()
    outcome = resolve_counted(w, w.transport(attack.tamper(w)), attack.qname, attack.qtype)
    RAN[attack.id] = outcome
    return outcome


@pytest.mark.parametrize(("qname", "qtype"), CONTROLS, ids=[f"{n}{t}" for n, t in CONTROLS])
def test_honest_control_is_secure(qname: str, qtype: str) -> None:
    w = world()
    outcome = resolve_counted(w, w.transport(), qname, qtype)
    assert outcome.result.status is Status.SECURE, outcome.result.verdict
    assert outcome.hashes <= limits.NSEC3_HASHES_PER_RESPONSE


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.id for a in ATTACKS])
def test_attack_fails_closed_within_limits_SEC_LIM_07(attack: Attack) -> None:
    outcome = run(attack)
    verdict = outcome.result.verdict
    assert (verdict.status, verdict.reason) == (attack.status, attack.reason), verdict
    assert verdict.ede is not None, "every attack verdict carries an RFC 8914 code"
    # VAL-EDE-02: a code its status may carry; the reason's own code whenever it is one.
    allowed, _ = STATUS_EDE[attack.status]
    assert EDE(verdict.ede) in allowed
    if REASON_EDE[attack.reason] in allowed:
        assert verdict.ede == REASON_EDE[attack.reason]
    if attack.status is Status.INSECURE:
        assert "RFC" in attack.why  # insecure only where an RFC says so
    # bounded work, counted from outside the engine
    assert outcome.verifications <= limits.MAX_SIG_VALIDATIONS_PER_RESOLUTION
    assert outcome.questions == outcome.result.queries <= limits.MAX_QUERIES_PER_RESOLUTION
    assert outcome.hashes <= limits.NSEC3_HASHES_PER_RESPONSE * outcome.questions
    assert outcome.rounds <= outcome.hashes * (limits.NSEC3_ITERATIONS_INSECURE + 1)
    if attack.hashes is not None:
        assert outcome.hashes == attack.hashes
    if attack.verifications is not None:
        assert outcome.verifications == attack.verifications(baseline(_zone_of(attack.qname)))
    assert all(rrset.rrset.owner.to_text() != "www.attacker.example."
               for rrset in outcome.result.answer)


def test_keytrap_spread_spends_exactly_the_resolution_budget_SEC_LIM_01() -> None:
    """Every NSEC of the stuffed answer verifies — after MAX_KEYS_PER_KEY_TAG tries, because
    the decoys come first — so only the per-resolution budget stops the work."""
    attack = next(a for a in ATTACKS if a.id == "keytrap-spread-over-response")
    outcome = RAN.get(attack.id) or run(attack)
    assert outcome.verifications == limits.MAX_SIG_VALIDATIONS_PER_RESOLUTION
    assert outcome.result.verdict.reason is Reason.LIMIT_SIG_VALIDATIONS


def test_nsec3_hash_work_per_resolution_is_bounded_SEC_LIM_03() -> None:
    """A valid "not a cut" proof at every label of a deep walk, each padded with parameter
    sets (fresh salts every step) that prove nothing, spends close to the per-response budget
    at each step; the per-resolution budget ends the walk (before this bound existed the same
    walk cost 7,006 hashes, 1.06 M SHA-1 rounds, ended only by the signature budget)."""
    attack = next(a for a in ATTACKS if a.id == "nsec3-hash-exhaustion-per-resolution")
    outcome = RAN.get(attack.id) or run(attack)
    per_response = limits.NSEC3_HASHES_PER_RESPONSE
    assert outcome.result.verdict.reason is Reason.LIMIT_NSEC3_HASHES
    assert "resolution" in outcome.result.verdict.detail
    assert outcome.hashes == limits.NSEC3_HASHES_PER_RESOLUTION
    assert outcome.rounds == outcome.hashes * (limits.NSEC3_ITERATIONS_INSECURE + 1)
    assert outcome.verifications < limits.MAX_SIG_VALIDATIONS_PER_RESOLUTION
    walked = outcome.questions - 5  # the question, DNSKEY ., DS of the signer, DS and DNSKEY
    assert 1 < walked < limits.NSEC3_HASHES_PER_RESOLUTION // (per_response // 4)
    # more than one response's budget was spent: the per-response bound alone did not stop it
    assert outcome.hashes > 2 * per_response


def test_nsec3_hash_exhaustion_spends_at_most_the_budget_SEC_LIM_03() -> None:
    attack = next(a for a in ATTACKS if a.id == "nsec3-hash-exhaustion")
    outcome = RAN.get(attack.id) or run(attack)
    assert outcome.hashes == limits.NSEC3_HASHES_PER_RESPONSE
    assert outcome.rounds == outcome.hashes * (limits.NSEC3_ITERATIONS_INSECURE + 1)
    labels = len(dns.name.from_text(attack.qname).labels) - 1
    assert labels < limits.NSEC3_HASHES_PER_RESPONSE < 2 * labels  # two salts do not fit


CAA_ATTACKS = tuple(a for a in ATTACKS if a.caa)


def _climb_attack(w: World, origin: str, padding: int) -> Tamper:
    """Every CAA step of the climb answered with a *valid* NXDOMAIN padded with ``padding``
    signed NSEC RRsets, each costing MAX_KEYS_PER_KEY_TAG verifications (decoys first)."""
    flood = _nsec_flood(w, origin, padding)
    decoys_first = _decoys_first(w)
    apex = dns.name.from_text(origin)

    def tamper(query: Query, wire: bytes) -> bytes | LookupFailure:
        message = dns.message.from_wire(wire)
        if query.rdtype == 48 and query.name == apex:
            decoys_first(message)
        elif query.rdtype == 257 and query.name.is_subdomain(apex) and query.name != apex:
            honest = list(message.authority)
            flood(message)  # SOA and the padding; then the honest proof back in
            message.authority += [r for r in honest if r.rdtype == dns.rdatatype.NSEC
                                  or r.covers == dns.rdatatype.NSEC]
        else:
            return wire
        return message.to_wire(max_size=65535, want_shuffle=False)

    return tamper


def test_caa_climb_work_is_bounded_per_check_SEC_LIM_01_05() -> None:
    """KeyTrap through the CAA climb (RFC 8659 §3): the attacker asks for a certificate for a
    deep name in its own zone and answers every step with a valid, padded NXDOMAIN just under
    the per-resolution budget.  Before MAX_SIG_VALIDATIONS_PER_CAA_CHECK one such check cost
    15,139 verifications (about steps × MAX_SIG_VALIDATIONS_PER_RESOLUTION) and was
    permitted; now the check's shared budget stops it: a lookup failure, never permission."""
    from dnssec_core.caa.search import MAX_QUERIES_PER_CAA_CHECK
    from tests.attacks.harness import CountingBackend, CountingTransport

    w = world()
    origin = "keytrap."
    per_nsec = DECOYS_BEFORE_ZSK + 1
    padding = (limits.MAX_SIG_VALIDATIONS_PER_RESOLUTION - 3 - 2 * per_nsec) // per_nsec
    labels = (253 - len(origin)) // 2
    domain = "a." * labels + origin.rstrip(".")
    request = CaaRequest(parse_domain(domain), ("ca.example",), permit_on_lookup_failure=True)

    # the deepest honest climb (in a zone without colliding key tags) fits the check's
    # budget with room to spare
    honest_labels = (253 - len("mixed.")) // 2
    honest_request = CaaRequest(parse_domain("a." * honest_labels + "mixed"), ("ca.example",))
    honest_backend = CountingBackend()
    honest = check_caa(honest_request, Validator(w.anchors, backend=honest_backend),
                       w.transport(), now=NOW)
    assert (honest.decision, honest.status) == (Decision.PERMITTED, Status.SECURE)
    assert len(honest.lookups) == honest_labels + 1  # every name up to mixed.
    assert honest_backend.calls <= limits.MAX_SIG_VALIDATIONS_PER_CAA_CHECK // 2

    backend = CountingBackend()
    transport = CountingTransport(w.transport(_climb_attack(w, origin, padding)))
    check = check_caa(request, Validator(w.anchors, backend=backend), transport, now=NOW)
    assert check.decision is Decision.LOOKUP_FAILURE, check.reason
    assert check.status is Status.INDETERMINATE
    failed = check.lookups[-1]
    assert failed.verdict.reason is Reason.LIMIT_CHECK_SIG_VALIDATIONS
    assert failed.ede == 5
    assert backend.calls == limits.MAX_SIG_VALIDATIONS_PER_CAA_CHECK
    costly = (padding + 1) * per_nsec + per_nsec  # the NSECs and the SOA of every step
    assert len(check.lookups) <= limits.MAX_SIG_VALIDATIONS_PER_CAA_CHECK // costly + 2
    assert len(transport.asked) <= MAX_QUERIES_PER_CAA_CHECK


@pytest.mark.parametrize("attack", CAA_ATTACKS, ids=[a.id for a in CAA_ATTACKS])
def test_attack_on_a_caa_lookup_is_never_permission_BR_DNSSEC_07(attack: Attack) -> None:
    assert attack.qtype == "CAA"
    w = world()
    request = CaaRequest(parse_domain(attack.qname.rstrip(".")), ("ca.example",),
                         permit_on_lookup_failure=True)
    check = check_caa(request, Validator(w.anchors, backend=get_backend("fast")),
                      w.transport(attack.tamper(w)), now=NOW)
    assert check.decision is Decision.LOOKUP_FAILURE, check.reason
    assert check.status is not Status.SECURE
    assert not any(b"attacker.example" in r.value for r in check.records)


def test_honest_caa_decisions_in_the_attacked_zones() -> None:
    """Without the attacker the same checks decide: deny.good. names another CA."""
    w = world()
    validator = Validator(w.anchors, backend=get_backend("fast"))
    for domain, decision in (("deny.good", Decision.DENIED), ("www.mixed", Decision.PERMITTED),
                             ("trap.keytrap", Decision.DENIED), ("h.hashtrap", Decision.PERMITTED)):
        check = check_caa(CaaRequest(parse_domain(domain), ("ca.example",)), validator,
                          w.transport(), now=NOW)
        assert (check.decision, check.status) == (decision, Status.SECURE), (domain, check.reason)


def test_every_attack_ran() -> None:
    """The attack list is complete and every attack ran in this session (running any that a
    test selection left out)."""
    for attack in ATTACKS:
        if attack.id not in RAN:
            run(attack)
    assert len(ATTACKS) == len(RAN) == EXPECTED_ATTACKS
    assert {o.result.status for o in RAN.values()} <= {
        Status.BOGUS, Status.INDETERMINATE, Status.INSECURE}
    insecure = [a.id for a in ATTACKS if a.status is Status.INSECURE]
    assert insecure == ["nsec3-iterations-over-cap"]  # RFC 9276 §3.2 only
