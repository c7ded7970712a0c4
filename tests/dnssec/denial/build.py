"""Synthetic NSEC/NSEC3 records for rule tests (unsigned: the checker is called with
``verify=None``, as if every record had been validated).

:func:`nsec_chain` and :func:`nsec3_chain` build the complete chain of a zone given as
{owner: types}; :class:`ZoneModel` answers "what really exists" for property tests.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypedDict, Unpack

import dns.name
from dns.name import Name

from dnssec_core.dnssec.denial.bitmap import encode_bitmap
from dnssec_core.dnssec.denial.nsec3 import b32hex_encode
from dnssec_core.wire.name import canonical_key, canonical_wire
from dnssec_core.wire.rrset import RRset

A, NS, SOA, CNAME, MX, TXT, AAAA = 1, 2, 6, 5, 15, 16, 28
DNAME, DS, RRSIG, NSEC, NSEC3, NSEC3PARAM, NXNAME = 39, 43, 46, 47, 50, 51, 128
APEX = dns.name.from_text("example.")


def name(text: str) -> Name:
    return dns.name.from_text(text)


def nsec(owner: str | Name, next_name: str | Name, types: Iterable[int]) -> RRset:
    owner = name(owner) if isinstance(owner, str) else owner
    next_name = name(next_name) if isinstance(next_name, str) else next_name
    wire = b"".join(bytes((len(label),)) + label for label in next_name.labels)
    return RRset(owner, NSEC, 1, 3600, (wire + encode_bitmap(types),))


def owner_hash(owner: Name, salt: bytes = b"", iterations: int = 0) -> bytes:
    digest = hashlib.sha1(canonical_wire(owner) + salt).digest()
    for _ in range(iterations):
        digest = hashlib.sha1(digest + salt).digest()
    return digest


def nsec3_rdata(next_hash: bytes, types: Iterable[int], *, salt: bytes = b"",
                iterations: int = 0, flags: int = 0, algorithm: int = 1) -> bytes:
    return (struct.pack("!BBHB", algorithm, flags, iterations, len(salt)) + salt
            + bytes((len(next_hash),)) + next_hash + encode_bitmap(types))


class Nsec3Params(TypedDict, total=False):
    """The NSEC3 parameters :func:`nsec3_rdata` takes besides the hash and the types."""

    salt: bytes
    iterations: int
    flags: int
    algorithm: int


def nsec3(apex: Name, hashed: bytes, next_hash: bytes, types: Iterable[int],
          **params: Unpack[Nsec3Params]) -> RRset:
    owner = Name((b32hex_encode(hashed).encode(), *apex.labels))
    return RRset(owner, NSEC3, 1, 3600, (nsec3_rdata(next_hash, types, **params),))


@dataclass
class ZoneModel:
    """A zone as {owner: types}; knows its empty non-terminals and closest enclosers."""

    apex: Name
    data: dict[tuple[bytes, ...], tuple[Name, frozenset[int]]]

    @classmethod
    def of(cls, apex: Name, names: Mapping[str, Iterable[int]]) -> ZoneModel:
        data = {}
        for text, types in names.items():
            owner = apex if text == "@" else dns.name.from_text(text, apex)
            data[canonical_key(owner)] = (owner, frozenset(types))
        akey = canonical_key(apex)
        if akey not in data:
            data[akey] = (apex, frozenset({SOA, NS}))
        return cls(apex, data)

    def existing(self) -> dict[tuple[bytes, ...], Name]:
        """Names with data and every empty non-terminal between them and the apex."""
        out: dict[tuple[bytes, ...], Name] = {}
        akey = canonical_key(self.apex)
        for key, (owner, _) in self.data.items():
            out[key] = owner
            for size in range(len(akey), len(key)):
                out.setdefault(key[:size], Name(owner.labels[len(key) - size :]))
        return out

    def types(self, owner: Name) -> frozenset[int] | None:
        entry = self.data.get(canonical_key(owner))
        return entry[1] if entry else None

    def closest_encloser(self, qname: Name) -> Name:
        key, existing = canonical_key(qname), self.existing()
        size = max(s for s in range(len(canonical_key(self.apex)), len(key) + 1)
                   if key[:s] in existing)
        return existing[key[:size]]


def nsec_chain(model: ZoneModel, extra: Iterable[int] = (RRSIG, NSEC)) -> list[RRset]:
    """One NSEC per owner with data (RFC 4035 §2.3: empty non-terminals get none)."""
    owners = sorted(model.data.values(), key=lambda item: canonical_key(item[0]))
    out = []
    for index, (owner, types) in enumerate(owners):
        nxt = owners[(index + 1) % len(owners)][0]
        out.append(nsec(owner, nxt, set(types) | set(extra)))
    return out


def nsec3_chain(model: ZoneModel, *, salt: bytes = b"", iterations: int = 0, flags: int = 0,
                algorithm: int = 1, skip: Iterable[str] = ()) -> list[RRset]:
    """One NSEC3 per existing name, empty non-terminals included (RFC 5155 §7.1)."""
    skipped = {canonical_key(dns.name.from_text(s, model.apex)) for s in skip}
    entries = []
    for key, owner in model.existing().items():
        if key in skipped:
            continue
        types = model.types(owner) or frozenset()
        bitmap = set(types) | ({RRSIG} if types else set())
        if key == canonical_key(model.apex):
            bitmap |= {NSEC3PARAM}
        entries.append((owner_hash(owner, salt, iterations), bitmap))
    entries.sort()
    return [nsec3(model.apex, digest, entries[(i + 1) % len(entries)][0], bitmap, salt=salt,
                  iterations=iterations, flags=flags, algorithm=algorithm)
            for i, (digest, bitmap) in enumerate(entries)]
