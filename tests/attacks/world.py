"""Test-only: signed attack worlds built in memory, with real keys, at test time.

Zones are written as zone-file text; each signed zone gets a key-signing and a zone-signing key
(:mod:`tests.support.signer`, pyca/cryptography keys), an NSEC or NSEC3 chain (RFC 4035 §2.3,
RFC 5155 §7.1) and an RRSIG over every authoritative RRset (RFC 4035 §2.2); every parent
carries its signed children's DS (SHA-256, RFC 4509).  A world answers through
:class:`~dnssec_core.auth.lab.LabTransport` (in process, with its tamper hook) or through
:class:`~dnssec_core.auth.server.LoopbackServer` (real sockets); its trust anchor is the DS of
the root's key-signing key.  Nothing is committed: keys are made fresh per world.

The attacker of these tests owns a signed zone whose DS is in a signed parent (the KeyTrap
premise), or sits on the path; either way it can sign anything with its own zone's keys
(:meth:`World.sign`) and send any bytes, but it cannot sign for zones it does not own.
"""

from __future__ import annotations

import copy
import io
import os
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.name import Name

from dnssec_core.auth.lab import LabTransport, Tamper
from dnssec_core.auth.responder import Responder
from dnssec_core.auth.zone import AuthZone
from dnssec_core.chain.anchors import TrustAnchors, parse_anchors
from dnssec_core.chain.types import LookupFailure, Query
from dnssec_core.dnssec.denial.nsec3 import b32hex_encode, iterated_hash
from dnssec_core.dnssec.ds import make_ds
from dnssec_core.dnssec.keytag import key_tag
from dnssec_core.wire.name import canonical_key
from dnssec_core.wire.rrset import CLASS_IN, RRset
from dnssec_core.zone.reader import parse_records, rdata_wire
from tests.support.signer import (
    EXPIRATION,
    INCEPTION,
    NOW,
    SigningKey,
    make_key,
    rrsig_wire,
    sign_rrset,
)

__all__ = ["NOW", "World", "ZoneSpec", "build", "forged_dnskey", "rewrite", "zone_text"]

NS, SOA, DNSKEY, DS, RRSIG, NSEC, NSEC3, NSEC3PARAM = 2, 6, 48, 43, 46, 47, 50, 51
SOA_LINE = "@ 3600 IN SOA ns.{o} hostmaster.{o} 1 7200 3600 1209600 300"


def zone_text(origin: str, body: str) -> str:
    """A zone with an SOA and an apex NS added; ``body`` in names relative to ``origin``."""
    o = origin if origin != "." else ""
    return f"$ORIGIN {origin}\n" + SOA_LINE.format(o=o) + f"\n@ 3600 IN NS ns.{o}\n" + body


@dataclass
class ZoneSpec:
    """One zone to build.  ``dnskeys`` orders the apex DNSKEY RRset (default ZSK, KSK) and may
    add any RDATA (decoys); ``extra_ds`` adds DS RDATA (presentation text) at the parent."""

    text: str
    signed: bool = True
    algorithm: int = 13
    ksk: SigningKey | None = None
    zsk: SigningKey | None = None
    nsec3: tuple[int, bytes] | None = None  # (iterations, salt); None: NSEC
    dnskeys: Callable[[SigningKey, SigningKey], Sequence[bytes]] | None = None
    extra_ds: tuple[str, ...] = ()


@dataclass
class BuiltZone:
    origin: Name
    ksk: SigningKey | None
    zsk: SigningKey | None
    records: list[tuple[Name, int, dns.rdata.Rdata]]
    auth: AuthZone


@dataclass
class World:
    zones: dict[str, BuiltZone]
    anchors: TrustAnchors
    _responder: Responder | None = field(default=None, repr=False)

    @property
    def responder(self) -> Responder:
        if self._responder is None:
            self._responder = Responder(z.auth for z in self.zones.values())
        return self._responder

    def transport(self, tamper: Tamper | None = None) -> LabTransport:
        return LabTransport(self.responder, tamper)

    def rrset(self, origin: str, owner: str, rdtype: str) -> dns.rrset.RRset:
        """The zone's own RRset (a copy), to replay or edit in a forged response."""
        found = self.zones[origin].auth.get(dns.name.from_text(owner),
                                            dns.rdatatype.from_text(rdtype))
        assert found is not None, (owner, rdtype)
        return copy.copy(found)

    def sigs(self, origin: str, owner: str, rdtype: str) -> dns.rrset.RRset:
        found = self.zones[origin].auth.sigs(dns.name.from_text(owner),
                                             dns.rdatatype.from_text(rdtype))
        assert found is not None, (owner, rdtype)
        return copy.copy(found)

    def sign(self, origin: str, rrset: dns.rrset.RRset, key: SigningKey | None = None,
             *, key_tag_value: int | None = None) -> dns.rrset.RRset:
        """An RRSIG RRset over ``rrset`` by ``origin``'s ZSK (or ``key``), as its owner can."""
        zone = self.zones[origin]
        signer = key or zone.zsk
        assert signer is not None
        return rrsig_rrset(rrset, signer, zone.origin, key_tag_value)


def rrsig_rrset(rrset: dns.rrset.RRset, key: SigningKey, signer: Name,
                key_tag_value: int | None = None, *, count: int = 1,
                inception: int = INCEPTION, expiration: int = EXPIRATION) -> dns.rrset.RRset:
    """``count`` distinct RRSIGs over ``rrset`` (inceptions one second apart)."""
    ours = RRset(rrset.name, int(rrset.rdtype), CLASS_IN, rrset.ttl,
                 tuple(rdata_wire(r) for r in rrset))
    out = dns.rrset.RRset(rrset.name, dns.rdataclass.IN, dns.rdatatype.RRSIG, rrset.rdtype)
    for i in range(count):
        sig = sign_rrset(ours, key, signer, key_tag=key_tag_value, inception=inception + i,
                         expiration=expiration)
        wire = rrsig_wire(covered=sig.type_covered, algorithm=sig.algorithm, labels=sig.labels,
                          original_ttl=sig.original_ttl, expiration=sig.expiration,
                          inception=sig.inception, key_tag=sig.key_tag, signer=sig.signer,
                          signature=sig.signature)
        out.add(dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.RRSIG, wire, 0, len(wire)),
                rrset.ttl)
    return out


def forged_dnskey(tag: int, *, flags: int = 256, bits: int = 2048) -> bytes:
    """DNSKEY RDATA of a made-up RSA/SHA-256 key whose key tag is ``tag`` (KeyTrap).

    The modulus is random (top and bottom bits set, so it parses as a ``bits``-bit odd modulus
    with exponent 65537); its last two octets are chosen so that the RFC 4034 Appendix B sum
    comes out as ``tag``.  Nobody holds a private key for it: every signature check fails.
    """
    for _ in range(64):  # half the moduli cannot reach a given tag parity: draw again
        modulus = bytearray(os.urandom(bits // 8))
        modulus[0] |= 0x80
        prefix = struct.pack("!HBB", flags, 3, 8) + b"\x03\x01\x00\x01" + bytes(modulus[:-2])
        assert len(prefix) % 2 == 0  # the two free octets form one big-endian word
        base = (sum(prefix[0::2]) << 8) + sum(prefix[1::2])
        for word in range(1, 0x10000, 2):
            total = base + word
            if (total + ((total >> 16) & 0xFFFF)) & 0xFFFF == tag:
                rdata = prefix + struct.pack("!H", word)
                assert key_tag(rdata) == tag
                return rdata
    raise AssertionError(f"no modulus found for key tag {tag}")  # pragma: no cover


def _rdata(rdtype: int, text: str) -> dns.rdata.Rdata:
    return dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.RdataType.make(rdtype), text)


def _types_text(types: Iterable[int]) -> str:
    return " ".join(dns.rdatatype.to_text(dns.rdatatype.RdataType.make(t)) for t in sorted(types))


def _sign_zone(origin: Name, records: list[tuple[Name, int, dns.rdata.Rdata]], spec: ZoneSpec,
               ksk: SigningKey, zsk: SigningKey) -> list[tuple[Name, int, dns.rdata.Rdata]]:
    """DNSKEY, NSEC/NSEC3 and RRSIGs for ``records`` (RFC 4035 §2, RFC 5155 §7.1)."""
    groups: dict[tuple[tuple[bytes, ...], int], tuple[Name, int, list[dns.rdata.Rdata]]] = {}
    for name, ttl, rdata in records:
        groups.setdefault((canonical_key(name), int(rdata.rdtype)), (name, ttl, []))[2].append(
            rdata)
    order = spec.dnskeys(ksk, zsk) if spec.dnskeys else (zsk.dnskey().rdata, ksk.dnskey().rdata)
    groups[(canonical_key(origin), DNSKEY)] = (origin, 3600, [
        dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.DNSKEY, r, 0, len(r)) for r in order])
    apex = canonical_key(origin)
    cuts = {k for (k, t) in groups if t == NS and k != apex}

    def below_cut(key: tuple[bytes, ...]) -> bool:
        return any(len(key) > len(c) and key[: len(c)] == c for c in cuts)

    owners: dict[tuple[bytes, ...], tuple[Name, set[int]]] = {}
    for (key, rdtype), (name, _, _) in groups.items():
        if not below_cut(key):
            owners.setdefault(key, (name, set()))[1].add(rdtype)
    ttl_min = 300
    if spec.nsec3 is None:
        keys = sorted(owners)
        for i, key in enumerate(keys):
            name, types = owners[key]
            bitmap = types | {NSEC, RRSIG}  # RFC 4035 §2.3: the NSEC itself is signed
            nxt = owners[keys[(i + 1) % len(keys)]][0]
            groups[(key, NSEC)] = (name, ttl_min, [_rdata(NSEC, f"{nxt} {_types_text(bitmap)}")])
    else:
        iterations, salt = spec.nsec3
        salt_text = salt.hex() if salt else "-"
        groups[(apex, NSEC3PARAM)] = (origin, 0, [_rdata(NSEC3PARAM,
                                                         f"1 0 {iterations} {salt_text}")])
        owners[apex][1].add(NSEC3PARAM)
        hashed: dict[bytes, set[int]] = {}
        for key, (name, types) in owners.items():
            bitmap = set(types)
            if key not in cuts or DS in types:
                bitmap.add(RRSIG)
            hashed[iterated_hash(name, salt, iterations)] = bitmap
            for size in range(len(apex) + 1, len(key)):  # empty non-terminals
                ent = dns.name.Name((*reversed(key[:size]), b""))
                hashed.setdefault(iterated_hash(ent, salt, iterations), set())
        digests = sorted(hashed)
        for i, digest in enumerate(digests):
            owner = dns.name.Name((b32hex_encode(digest).encode(), *origin.labels))
            nxt_hash = b32hex_encode(digests[(i + 1) % len(digests)])
            text = f"1 0 {iterations} {salt_text} {nxt_hash} {_types_text(hashed[digest])}"
            groups[(canonical_key(owner), NSEC3)] = (owner, ttl_min, [_rdata(NSEC3, text)])
    out: list[tuple[Name, int, dns.rdata.Rdata]] = []
    for (key, rdtype), (name, ttl, rdatas) in groups.items():
        out.extend((name, ttl, r) for r in rdatas)
        if below_cut(key) or (key in cuts and rdtype not in (DS, NSEC)):
            continue  # glue and the delegation's NS are not signed (RFC 4035 §2.2)
        rrset = dns.rrset.RRset(name, dns.rdataclass.IN, dns.rdatatype.RdataType.make(rdtype))
        for r in rdatas:
            rrset.add(r, ttl)
        signer = ksk if rdtype == DNSKEY else zsk
        out.extend((name, ttl, r) for r in rrsig_rrset(rrset, signer, origin))
    return out


def build(specs: dict[str, ZoneSpec]) -> World:
    """Build every zone, deepest first so that each parent gets its children's DS."""
    by_depth = sorted(specs, key=lambda o: -len(dns.name.from_text(o).labels))
    built: dict[str, BuiltZone] = {}
    for origin_text in by_depth:
        spec = specs[origin_text]
        origin = dns.name.from_text(origin_text)
        records = parse_records(io.StringIO(spec.text), origin, origin_text)
        for child_text, child in built.items():
            if child.origin != dns.name.root and child.origin.parent() == origin:
                lines = list(specs[child_text].extra_ds)
                if child.ksk is not None:
                    ds = make_ds(child.origin, child.ksk.dnskey(), 2)
                    lines.insert(0, f"{ds.key_tag} {ds.algorithm} 2 {ds.digest.hex()}")
                records.extend((child.origin, 3600, _rdata(DS, line)) for line in lines)
        ksk = zsk = None
        if spec.signed:
            ksk = spec.ksk or make_key(spec.algorithm, flags=257)
            zsk = spec.zsk or make_key(spec.algorithm)
            records = _sign_zone(origin, records, spec, ksk, zsk)
        built[origin_text] = BuiltZone(origin, ksk, zsk, records,
                                       AuthZone.from_records(origin, records))
    root = built["."]
    assert root.ksk is not None
    ds = make_ds(dns.name.root, root.ksk.dnskey(), 2)
    anchors = parse_anchors(
        f". 3600 IN DS {ds.key_tag} {ds.algorithm} 2 {ds.digest.hex()}\n".encode(),
        source="attack world", now=None)
    return World(built, anchors)


# -- forged responses --------------------------------------------------------------------------

Edit = Callable[[dns.message.Message], "dns.message.Message | LookupFailure | None"]


def rewrite(rules: dict[tuple[str, str], Edit]) -> Tamper:
    """A tamper hook (the attacker's server, or one on the path): ``rules[(name, type)]``
    edits the honest response to that question in place, or replaces it."""
    wanted: dict[tuple[tuple[bytes, ...], int], Edit] = {
        (canonical_key(dns.name.from_text(n)), dns.rdatatype.from_text(t)): edit
        for (n, t), edit in rules.items()}

    def tamper(query: Query, wire: bytes) -> bytes | LookupFailure:
        edit = wanted.get((canonical_key(query.name), query.rdtype))
        if edit is None:
            return wire
        message = dns.message.from_wire(wire)
        result = edit(message)
        if isinstance(result, LookupFailure):
            return result
        # in the order the attacker chose: no rotation of the records within an RRset
        return (result or message).to_wire(max_size=65535, want_shuffle=False)

    return tamper

