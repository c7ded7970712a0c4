"""One signed zone held for answering (RFC 1034 §4.3.2 lookup structures)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.name import Name

from dnssec_core.dnssec.denial.nsec3 import b32hex_decode, iterated_hash
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.name import canonical_key

Key = tuple[bytes, ...]
NS, SOA, CNAME, DNAME, DS, RRSIG, NSEC, NSEC3, NSEC3PARAM = 2, 6, 5, 39, 43, 46, 47, 50, 51

@dataclass
class AuthZone:
    """Records of one zone indexed for lookups: RRsets, RRSIGs, cuts, NSEC/NSEC3 chains."""

    origin: Name
    rrsets: dict[tuple[Key, int], dns.rrset.RRset] = field(default_factory=dict)
    rrsigs: dict[tuple[Key, int], dns.rrset.RRset] = field(default_factory=dict)
    names: dict[Key, Name] = field(default_factory=dict)  # owners with data
    existing: set[Key] = field(default_factory=set)  # owners and empty non-terminals
    nsec_keys: list[Key] = field(default_factory=list)  # sorted owners holding NSEC
    nsec3: list[tuple[bytes, Name]] = field(default_factory=list)  # sorted (hash, owner)
    nsec3_params: tuple[bytes, int] | None = None

    @classmethod
    def from_records(
        cls, origin: Name, records: Iterable[tuple[Name, int, dns.rdata.Rdata]]
    ) -> AuthZone:
        zone = cls(origin)
        apex_len = len(origin.labels)
        for name, ttl, rdata in records:
            key = canonical_key(name)
            rdtype = int(rdata.rdtype)
            covers = int(rdata.covers()) if rdtype == RRSIG else 0
            table = zone.rrsigs if rdtype == RRSIG else zone.rrsets
            slot = (key, covers if rdtype == RRSIG else rdtype)
            rrset = table.get(slot)
            if rrset is None:
                rrset = table[slot] = dns.rrset.RRset(
                    name,
                    dns.rdataclass.IN,
                    dns.rdatatype.RdataType.make(rdtype),
                    dns.rdatatype.RdataType.make(covers),
                )
            rrset.add(rdata, ttl)
            zone.names.setdefault(key, name)
            for size in range(apex_len, len(name.labels) + 1):
                zone.existing.add(key[: size - 1])
        zone.nsec_keys = sorted(k for (k, t) in zone.rrsets if t == NSEC)
        param = zone.rrsets.get((canonical_key(origin), NSEC3PARAM))
        if param is not None:
            rd = next(iter(param))
            zone.nsec3_params = (rd.salt, rd.iterations)
        hashes = []
        for (_, t), rrset in zone.rrsets.items():
            if t == NSEC3:
                try:
                    hashes.append((b32hex_decode(rrset.name.labels[0]), rrset.name))
                except WireError:  # not a hash label: never matches or covers anything
                    continue
        zone.nsec3 = sorted(hashes)
        return zone

    def get(self, name: Name, rdtype: int) -> dns.rrset.RRset | None:
        return self.rrsets.get((canonical_key(name), rdtype))

    def types_at(self, name: Name) -> list[int]:
        """Every RRset type at ``name``, in ascending order (for QTYPE ANY).  A scan of the
        zone: ANY is rare and the lab's zones are small; it also sees RRsets a test added."""
        key = canonical_key(name)
        return sorted(t for (k, t) in self.rrsets if k == key)

    def sigs(self, name: Name, rdtype: int) -> dns.rrset.RRset | None:
        return self.rrsigs.get((canonical_key(name), rdtype))

    def exists(self, name: Name) -> bool:
        """The name owns data or is an empty non-terminal (RFC 4592 §2.2.2)."""
        return canonical_key(name) in self.existing

    def has_data(self, name: Name) -> bool:
        return canonical_key(name) in self.names

    def cut_above(self, name: Name) -> Name | None:
        """The highest delegation point at or above ``name`` below the apex (RFC 1034 §4.2.1)."""
        apex = len(self.origin.labels)
        for size in range(apex + 1, len(name.labels) + 1):
            candidate = Name(name.labels[len(name.labels) - size :])
            if self.get(candidate, NS) is not None:
                return candidate
        return None

    def covering_nsec(self, name: Name) -> Name | None:
        """Owner of the NSEC whose span holds ``name`` (canonical order, wrap-around)."""
        if not self.nsec_keys:
            return None
        index = bisect_right(self.nsec_keys, canonical_key(name)) - 1
        return self.names[self.nsec_keys[index]]  # index -1 wraps to the last NSEC

    def nsec3_for(self, name: Name, covering: bool) -> Name | None:
        """Owner of the NSEC3 matching (or covering) H(name) (RFC 5155 §7.2)."""
        if not self.nsec3 or self.nsec3_params is None:
            return None
        salt, iterations = self.nsec3_params
        digest = iterated_hash(name, salt, iterations)
        hashes = [h for h, _ in self.nsec3]
        index = bisect_right(hashes, digest) - 1
        if not covering:
            return self.nsec3[index][1] if index >= 0 and hashes[index] == digest else None
        if index >= 0 and hashes[index] == digest:
            return None
        return self.nsec3[index][1]

    def closest_encloser(self, name: Name) -> Name:
        """The longest existing ancestor of ``name`` (RFC 5155 §1.3)."""
        for size in range(len(name.labels) - 1, len(self.origin.labels) - 1, -1):
            candidate = Name(name.labels[len(name.labels) - size :])
            if self.exists(candidate):
                return candidate
        return self.origin


def parent_name(name: Name) -> Name:
    return name.parent() if name != dns.name.root else name
