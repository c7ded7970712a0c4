"""Canonical RR form, canonical RRset order and the RRSIG signature input (RFC 4034 §3.1.8.1, §6).

This module is the one place that turns RRsets into the octets a signature covers:

* :func:`canonical_rdata` lowercases the names embedded in RDATA of exactly the types listed in
  RFC 4034 §6.2 item 3, as corrected by RFC 6840 §5.1 (NSEC removed) — VAL-CANON-02/03.
* :func:`canonical_rrset` sorts RDATA as left-justified octet strings and removes duplicates —
  VAL-CANON-05 (RFC 4034 §6.3).
* :func:`signature_input` prepends the RRSIG RDATA without its signature — VAL-CANON-06, with
  the Original TTL (VAL-TTL-01) and the wildcard owner of RFC 4035 §5.3.2 (VAL-CANON-07).

RDATA handled here is always uncompressed wire format.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import TYPE_CHECKING

from dnssec_core.wire.errors import WireError
from dnssec_core.wire.name import (
    canonical_wire,
    name_end,
    rrsig_label_count,
    wildcard_source,
)

if TYPE_CHECKING:
    from dns.name import Name

    from dnssec_core.dnssec.records import RRSIG
    from dnssec_core.wire.rrset import RRset

# Field codes for the RDATA layouts below: a fixed-width integer, a domain name, a
# <character-string> (one length octet + data), or "the rest is opaque".
_U8, _U16, _U32, _NAME, _CHARSTR, _REST = "B", "H", "I", "N", "C", "R"
_WIDTH = {_U8: 1, _U16: 2, _U32: 4}

#: RDATA layouts of the types whose embedded names are lowercased for DNSSEC (RFC 4034 §6.2 (3):
#: NS, MD, MF, CNAME, SOA, MB, MG, MR, PTR, MINFO, MX, RP, AFSDB, RT, SIG, PX, NXT, NAPTR, KX,
#: SRV, DNAME, A6, RRSIG; RFC 6840 §5.1 removed NSEC; HINFO carries no names).  A6 is handled
#: in :func:`_a6_canonical` because its layout depends on its first octet.
LOWERCASED_RDATA_LAYOUT: dict[int, str] = {
    2: _NAME,  # NS
    3: _NAME,  # MD
    4: _NAME,  # MF
    5: _NAME,  # CNAME
    6: _NAME + _NAME + _REST,  # SOA: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM
    7: _NAME,  # MB
    8: _NAME,  # MG
    9: _NAME,  # MR
    12: _NAME,  # PTR
    14: _NAME + _NAME,  # MINFO: RMAILBX EMAILBX
    15: _U16 + _NAME,  # MX
    17: _NAME + _NAME,  # RP: mbox-dname txt-dname
    18: _U16 + _NAME,  # AFSDB
    21: _U16 + _NAME,  # RT
    24: _U16 + _U8 + _U8 + _U32 + _U32 + _U32 + _U16 + _NAME + _REST,  # SIG
    26: _U16 + _NAME + _NAME,  # PX
    30: _NAME + _REST,  # NXT
    33: _U16 + _U16 + _U16 + _NAME,  # SRV
    35: _U16 + _U16 + _CHARSTR + _CHARSTR + _CHARSTR + _NAME,  # NAPTR
    36: _U16 + _NAME,  # KX
    39: _NAME,  # DNAME
    46: _U16 + _U8 + _U8 + _U32 + _U32 + _U32 + _U16 + _NAME + _REST,  # RRSIG
}
A6 = 38
_TYPE_CLASS_TTL = struct.Struct("!HHI")
_RDLENGTH = struct.Struct("!H")


def canonical_rdata(rdtype: int, rdata: bytes) -> bytes:
    """Canonical form of one RDATA (VAL-CANON-02, VAL-CANON-03).

    Types outside RFC 4034 §6.2's list — NSEC, unknown types (RFC 3597 §7) — are returned
    byte for byte.  Raises :class:`WireError` when the RDATA does not fit its type's layout.
    """
    if rdtype == A6:
        return _a6_canonical(rdata)
    layout = LOWERCASED_RDATA_LAYOUT.get(rdtype)
    if layout is None:
        return rdata
    out: list[bytes] = []
    offset = 0
    for field in layout:
        if field == _REST:
            out.append(rdata[offset:])
            offset = len(rdata)
            break
        if field == _NAME:
            name, end = canonical_name_at(rdata, offset)
            out.append(name)
        elif field == _CHARSTR:
            if offset >= len(rdata):
                raise WireError("character-string runs past the end of the RDATA")
            end = offset + 1 + rdata[offset]
            out.append(rdata[offset:end])
        else:
            end = offset + _WIDTH[field]
            out.append(rdata[offset:end])
        if end > len(rdata):
            raise WireError("RDATA shorter than its type's layout")
        offset = end
    if offset != len(rdata):
        raise WireError("trailing octets after the RDATA fields")
    return b"".join(out)


def canonical_name_at(rdata: bytes, offset: int) -> tuple[bytes, int]:
    """``canonical_wire(read_name(rdata, offset)[0])`` and the offset past the name.

    The same checks as :func:`~dnssec_core.wire.name.read_name` (:func:`name_end`), without
    building a :class:`dns.name.Name` — that costs several µs per name on the signature hot
    path (issue 7).  The canonical form is the name's octets lowercased, for the reason given
    in :func:`~dnssec_core.wire.name.canonical_wire`.
    """
    end = name_end(rdata, offset)
    return rdata[offset:end].lower(), end


def _a6_canonical(rdata: bytes) -> bytes:
    """A6 (RFC 2874 §3.1.1): prefix length, address suffix, then a prefix name if length > 0."""
    if not rdata or rdata[0] > 128:
        raise WireError("A6 prefix length missing or over 128")
    prefix_len = rdata[0]
    suffix_end = 1 + (128 - prefix_len + 7) // 8
    if suffix_end > len(rdata):
        raise WireError("A6 address suffix truncated")
    if prefix_len == 0:
        if suffix_end != len(rdata):
            raise WireError("trailing octets after A6 RDATA")
        return rdata
    name, end = canonical_name_at(rdata, suffix_end)
    if end != len(rdata):
        raise WireError("trailing octets after A6 RDATA")
    return rdata[:suffix_end] + name


def canonical_rrset(rdtype: int, rdatas: Iterable[bytes]) -> list[bytes]:
    """Canonical RDATA of an RRset, sorted and without duplicates (VAL-CANON-05, RFC 4034 §6.3).

    Sorting treats each RDATA as a left-justified unsigned octet string, which is Python's
    ordering of :class:`bytes`.  Duplicates are compared after canonicalisation, so two RRs that
    differ only in the case of an embedded name count as one.
    """
    if rdtype == A6 or rdtype in LOWERCASED_RDATA_LAYOUT:
        return sorted({canonical_rdata(rdtype, rd) for rd in rdatas})
    return sorted(set(rdatas))


#: One length octet per possible label length.
_LENGTH_OCTET = [bytes((n,)) for n in range(256)]


def owner_wire(name: Name) -> bytes:
    """:func:`~dnssec_core.wire.name.canonical_wire` (VAL-CANON-01) with the length octets
    looked up rather than built: the same octets in about half the time (signature hot path)."""
    lengths = _LENGTH_OCTET
    return b"".join([lengths[len(label)] + label for label in name.labels]).lower()


def signature_input(rrsig: RRSIG, rrset: RRset) -> bytes:
    """The octets an RRSIG signs: RRSIG RDATA minus the signature, then the canonical RRset.

    Implements RFC 4034 §3.1.8.1 and RFC 4035 §5.3.2 (VAL-CANON-06): each RR is written as
    owner | type | class | Original TTL | RDLENGTH | RDATA, the owner in canonical form and
    replaced by its wildcard source when the RRSIG Labels field is smaller than the owner's
    label count (VAL-CANON-07), the TTL being the RRSIG's Original TTL (VAL-TTL-01).
    The caller has already checked Labels ≤ owner labels (VAL-RRSIG-03).
    """
    owner = rrset.owner
    if rrsig.labels < rrsig_label_count(owner):
        owner = wildcard_source(owner, rrsig.labels)
    return signature_input_owner(rrsig, rrset, canonical_wire(owner))


def signature_input_owner(rrsig: RRSIG, rrset: RRset, owner_wire: bytes) -> bytes:
    """:func:`signature_input` given the canonical wire form of the owner name the signature
    covers (the RRset's owner, or its wildcard source): the hot path has it already."""
    rr_head = owner_wire + _TYPE_CLASS_TTL.pack(rrset.rdtype, rrset.rdclass, rrsig.original_ttl)
    rdtype = rrset.rdtype
    rdatas = rrset.rdatas
    if len(rdatas) == 1:
        # One RR: nothing to sort or deduplicate (RFC 4034 §6.3).
        rdata = rdatas[0]
        if rdtype == A6 or rdtype in LOWERCASED_RDATA_LAYOUT:
            rdata = canonical_rdata(rdtype, rdata)
        return b"".join((rrsig.signed_prefix, rr_head, _RDLENGTH.pack(len(rdata)), rdata))
    parts = [rrsig.signed_prefix]
    for rdata in canonical_rrset(rdtype, rdatas):
        parts += (rr_head, _RDLENGTH.pack(len(rdata)), rdata)
    return b"".join(parts)
