"""A test-side authoritative server: the denial records a signed zone gives for a query.

Written from RFC 1034 §4.3.2 (lookup), RFC 4035 §3.1.3 (NSEC in responses) and RFC 5155 §7.2
(NSEC3 in responses), independently of the checker in dnssec_core.dnssec.denial: it has its
own canonical-order chain walk and its own NSEC3 hash (hashlib directly), and it says what the
proof must establish — secure, or insecure where the RFCs say so (unsigned delegations, Opt-Out
spans, RFC 5155 §9.2) — without asking the checker.

Each proof record carries its role, so a mutation test can say which reason removing it must
give.  It trusts its zone file; it never validates.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import dns.name
from dns.name import Name

from dnssec_core.dnssec.denial import Proof
from dnssec_core.verdict import Status
from dnssec_core.wire.message import SignedRRset
from dnssec_core.wire.name import canonical_key, canonical_wire
from dnssec_core.zone.reader import ZoneData

NS, SOA, CNAME, DNAME, DS, RRSIG, NSEC, NSEC3, NSEC3PARAM = 2, 6, 5, 39, 43, 46, 47, 50, 51
Key = tuple[bytes, ...]
_B32 = "0123456789abcdefghijklmnopqrstuv"


def b32hex(data: bytes) -> str:
    bits = "".join(f"{octet:08b}" for octet in data)
    bits += "0" * (-len(bits) % 5)
    return "".join(_B32[int(bits[i : i + 5], 2)] for i in range(0, len(bits), 5))


def nsec3_owner_hash(name: Name, salt: bytes, iterations: int) -> bytes:
    """RFC 5155 §5, written out again on purpose (not the checker's code)."""
    value = hashlib.sha1(canonical_wire(name) + salt).digest()
    for _ in range(iterations):
        value = hashlib.sha1(value + salt).digest()
    return value


# Roles of the records in a proof.
MATCH = "match"  # NSEC/NSEC3 owned by QNAME (or the delegation)
QNAME_COVER = "qname-cover"  # NSEC covering QNAME
WILDCARD_COVER = "wildcard-cover"  # NSEC/NSEC3 covering *.<closest encloser>
WILDCARD_MATCH = "wildcard-match"  # NSEC/NSEC3 of *.<closest encloser>
CE_MATCH = "ce-match"  # NSEC3 matching the closest encloser
NC_COVER = "nc-cover"  # NSEC3 covering the next closer name


@dataclass
class Reply:
    """What the server would put in the authority section, and what it must prove."""

    kind: str  # nxdomain | nodata | wildcard-answer | referral | ds
    qname: Name
    qtype: int
    records: list[tuple[str, SignedRRset]] = field(default_factory=list)
    labels: int | None = None  # RRSIG labels of a wildcard answer
    delegation: Name | None = None  # for referrals
    expect: Status = Status.SECURE
    proof: Proof = Proof.NONE

    def add(self, role: str, record: SignedRRset) -> None:
        if all(r is not record for _, r in self.records):
            self.records.append((role, record))

    @property
    def authority(self) -> list[SignedRRset]:
        return [record for _, record in self.records]


class Authority:
    """One signed zone, ready to answer."""

    def __init__(self, zone: ZoneData) -> None:
        self.zone = zone
        self.apex = zone.origin
        self.apex_key = canonical_key(self.apex)
        self.types: dict[Key, set[int]] = {}
        self.names: dict[Key, Name] = {}
        nsec3_owner_keys: set[Key] = set()
        self.nsec3: list[tuple[bytes, bytes, int, SignedRRset]] = []  # owner hash, next, flags
        self.nsec: list[tuple[Key, SignedRRset]] = []
        self.params: tuple[bytes, int] | None = None
        for (key, rdtype), rrset in zone.rrsets.items():
            signed = SignedRRset(rrset, tuple(zone.signatures(rrset.owner, rdtype)))
            if rdtype == NSEC3:
                rdata = rrset.rdatas[0]
                salt = rdata[5 : 5 + rdata[4]]
                at = 5 + rdata[4]
                next_hash = rdata[at + 1 : at + 1 + rdata[at]]
                owner_hash = _b32decode(rrset.owner.labels[0].decode().lower())
                self.nsec3.append((owner_hash, next_hash, rdata[1], signed))
                self.params = (salt, int.from_bytes(rdata[2:4], "big"))
                nsec3_owner_keys.add(key)
                continue
            if rdtype == NSEC:
                self.nsec.append((key, signed))
            self.types.setdefault(key, set()).add(rdtype)
            self.names.setdefault(key, rrset.owner)
        for key in nsec3_owner_keys:  # an NSEC3 owner that holds only RRSIGs is no real name
            self.types.pop(key, None)
        self.nsec.sort(key=lambda item: item[0])
        self.nsec3.sort(key=lambda item: item[0])
        self.delegations = {k for k, t in self.types.items() if NS in t and k != self.apex_key}
        self.authoritative: set[Key] = set()
        for key in self.types:
            if not self._below_cut(key):
                self.authoritative.add(key)
        self.existing = set(self.authoritative)
        for key in list(self.authoritative):  # empty non-terminals (RFC 8499)
            for size in range(len(self.apex_key), len(key)):
                self.existing.add(key[:size])

    # -- helpers ---------------------------------------------------------------------------

    def _below_cut(self, key: Key) -> bool:
        return any(key[:size] in self.delegations for size in range(len(self.apex_key) + 1,
                                                                     len(key)))

    def _cut_above_or_at(self, key: Key) -> Key | None:
        for size in range(len(self.apex_key) + 1, len(key) + 1):
            if key[:size] in self.delegations:
                return key[:size]
        return None

    @staticmethod
    def _name(qname: Name, key: Key) -> Name:
        return Name(qname.labels[len(qname.labels) - 1 - len(key) :])

    def nsec_at(self, key: Key) -> SignedRRset | None:
        return next((r for k, r in self.nsec if k == key), None)

    def nsec_covering(self, key: Key) -> SignedRRset:
        """The NSEC whose owner is the greatest one before ``key`` (wrap to the last)."""
        before = [r for k, r in self.nsec if k < key]
        return before[-1] if before else self.nsec[-1][1]

    def hash(self, name: Name) -> bytes:
        assert self.params is not None
        return nsec3_owner_hash(name, *self.params)

    def nsec3_matching(self, name: Name) -> SignedRRset | None:
        digest = self.hash(name)
        return next((r for h, _, _, r in self.nsec3 if h == digest), None)

    def nsec3_covering(self, name: Name) -> tuple[SignedRRset, bool]:
        digest = self.hash(name)
        before = [(r, flags) for h, _, flags, r in self.nsec3 if h < digest]
        record, flags = before[-1] if before else (self.nsec3[-1][3], self.nsec3[-1][2])
        return record, bool(flags & 1)

    def _closest_provable(self, reply: Reply, qname: Name) -> tuple[Name, bool]:
        """RFC 5155 §7.2.1: NSEC3 of the closest provable encloser and the one covering the
        next closer name; returns (closest encloser, next-closer span has Opt-Out)."""
        key = canonical_key(qname)
        for size in range(len(key) - 1, len(self.apex_key) - 1, -1):
            candidate = self._name(qname, key[:size])
            match = self.nsec3_matching(candidate)
            if match is not None:
                reply.add(CE_MATCH, match)
                nc = self._name(qname, key[: size + 1])
                cover, opt_out = self.nsec3_covering(nc)
                reply.add(NC_COVER, cover)
                return candidate, opt_out
        raise AssertionError(f"no provable encloser for {qname}")

    # -- answering -------------------------------------------------------------------------

    def answer(self, qname: Name, qtype: int) -> Reply | None:
        """The denial part of the response to (qname, qtype); None for positive answers,
        aliases and names outside the zone (nothing to deny)."""
        key = canonical_key(qname)
        if key[: len(self.apex_key)] != self.apex_key:
            return None
        cut = self._cut_above_or_at(key)
        if cut is not None and not (cut == key and qtype == DS):
            return self._referral(qname, self._name(qname, cut))
        if any(DNAME in self.types.get(key[:size], ()) for size in range(len(key))):
            return None  # a DNAME above redirects the query (RFC 6672)
        if key in self.existing:
            types = self.types.get(key, set())
            if qtype in types or (CNAME in types and qtype != CNAME):
                return None
            if qtype == DS and key == self.apex_key:
                return None  # the parent answers that
            return self._nodata(qname, qtype, key)
        return self._nonexistent(qname, qtype, key)

    def _referral(self, qname: Name, cut: Name) -> Reply | None:
        """RFC 4035 §3.1.4 / RFC 5155 §7.2.7: NS plus DS, or the proof that there is none."""
        if DS in self.types.get(canonical_key(cut), ()):
            return None  # signed delegation: DS is an answer, not a denial
        reply = Reply("referral", qname, 0, delegation=cut, expect=Status.INSECURE)
        self._no_ds(reply, cut)
        return reply

    def _no_ds(self, reply: Reply, cut: Name) -> None:
        if self.nsec:
            match = self.nsec_at(canonical_key(cut))
            assert match is not None
            reply.add(MATCH, match)
            reply.proof = Proof.INSECURE_DELEGATION
            return
        match = self.nsec3_matching(cut)
        if match is not None:
            reply.add(MATCH, match)
            reply.proof = Proof.INSECURE_DELEGATION
            return
        _, opt_out = self._closest_provable(reply, cut)
        assert opt_out, f"{cut} has no NSEC3 but no Opt-Out span covers it"
        reply.proof = Proof.OPT_OUT

    def _nodata(self, qname: Name, qtype: int, key: Key) -> Reply:
        reply = Reply("ds" if qtype == DS else "nodata", qname, qtype)
        if qtype == DS and key in self.delegations:
            reply.expect = Status.INSECURE
            self._no_ds(reply, qname)
            return reply
        empty = key not in self.types
        if self.nsec:
            if empty:
                reply.add(QNAME_COVER, self.nsec_covering(key))
                reply.proof = Proof.EMPTY_NON_TERMINAL
            else:
                match = self.nsec_at(key)
                assert match is not None, qname
                reply.add(MATCH, match)
                reply.proof = Proof.NO_DS if qtype == DS else Proof.NO_DATA
            return reply
        match = self.nsec3_matching(qname)
        if match is not None:
            reply.add(MATCH, match)
            reply.proof = Proof.NO_DS if qtype == DS else Proof.NO_DATA
            return reply
        # An empty non-terminal left out of an Opt-Out chain (RFC 5155 §7.1).
        _, opt_out = self._closest_provable(reply, qname)
        assert opt_out
        reply.expect, reply.proof = Status.INSECURE, Proof.OPT_OUT
        return reply

    def _nonexistent(self, qname: Name, qtype: int, key: Key) -> Reply:
        size = max(s for s in range(len(self.apex_key), len(key)) if key[:s] in self.existing)
        ce = self._name(qname, key[:size])
        wildcard = dns.name.Name((b"*", *ce.labels))
        wkey = canonical_key(wildcard)
        wtypes = self.types.get(wkey) if wkey in self.authoritative else None
        if wtypes is not None and (qtype in wtypes or CNAME in wtypes) and qtype != DS:
            return self._wildcard_answer(qname, qtype, ce, len(ce.labels) - 1)
        if self.nsec:
            kind = "ds" if qtype == DS else ("nodata" if wtypes is not None else "nxdomain")
            reply = Reply(kind, qname, qtype)
            reply.add(QNAME_COVER, self.nsec_covering(key))
            if wtypes is not None:
                match = self.nsec_at(wkey)
                assert match is not None
                reply.add(WILDCARD_MATCH, match)
                reply.proof = Proof.WILDCARD_NO_DATA
            else:
                reply.add(WILDCARD_COVER, self.nsec_covering(wkey))
                reply.proof = Proof.NAME_ERROR
            return reply
        kind = "ds" if qtype == DS else ("nodata" if wtypes is not None else "nxdomain")
        reply = Reply(kind, qname, qtype)
        found_ce, opt_out = self._closest_provable(reply, qname)
        assert canonical_key(found_ce) == canonical_key(ce), (qname, found_ce, ce)
        if wtypes is not None:
            match = self.nsec3_matching(wildcard)
            assert match is not None
            reply.add(WILDCARD_MATCH, match)
            reply.proof = Proof.WILDCARD_NO_DATA
        else:
            cover, _ = self.nsec3_covering(wildcard)
            reply.add(WILDCARD_COVER, cover)
            reply.proof = Proof.NAME_ERROR
        if opt_out:
            reply.expect, reply.proof = Status.INSECURE, Proof.OPT_OUT
        return reply

    def _wildcard_answer(self, qname: Name, qtype: int, ce: Name, labels: int) -> Reply:
        reply = Reply("wildcard-answer", qname, qtype, labels=labels,
                      proof=Proof.WILDCARD_ANSWER)
        if self.nsec:
            reply.add(QNAME_COVER, self.nsec_covering(canonical_key(qname)))
            return reply
        key = canonical_key(qname)
        nc = self._name(qname, key[: len(canonical_key(ce)) + 1])
        cover, opt_out = self.nsec3_covering(nc)
        reply.add(NC_COVER, cover)
        if opt_out:
            reply.expect, reply.proof = Status.INSECURE, Proof.OPT_OUT
        return reply

    # -- the names to ask about ----------------------------------------------------------------

    def query_names(self) -> list[Name]:
        """Every name in the zone (ENTs, glue, wildcards included) and names around them:
        a child and a grandchild of each, and names sorting first and last in the zone."""
        names: dict[Key, Name] = {}
        for key in sorted(self.existing | set(self.types)):
            name = Name((*reversed(key), b""))
            names[key] = name
            for child in (b"nx-child", b"0"):
                child_name = Name((child, *name.labels))
                names[canonical_key(child_name)] = child_name
            grand = Name((b"a", b"nx-mid", *name.labels))
            names[canonical_key(grand)] = grand
        for label in (b"\x00", b"!", b"~~~", b"zzzz"):
            extra = Name((label, *self.apex.labels))
            names[canonical_key(extra)] = extra
        return [names[k] for k in sorted(names)]


def _b32decode(text: str) -> bytes:
    bits = "".join(f"{_B32.index(c):05b}" for c in text)
    usable = len(bits) - len(bits) % 8
    return int(bits[:usable], 2).to_bytes(usable // 8, "big")
