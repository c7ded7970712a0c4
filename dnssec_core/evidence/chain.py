"""The DNSSEC chain wire format of RFC 9102 §3: RRsets and their RRSIGs, back to back.

An evidence bundle carries its proof in the format RFC 9102 defines for the TLS DNSSEC chain
extension, so that other tools (dnssec-prover, RFC 9102 implementations) can read it: a plain
sequence of resource records, each in uncompressed wire format — owner name, TYPE, CLASS, TTL,
RDLENGTH, RDATA (RFC 1035 §3.2.1, §4.1.3) — with no message header and no name compression
(RFC 9102 §3: "name compression ... MUST NOT be used"; RFC 4034 §6.2 forbids it in RDATA of the
DNSSEC types anyway).

:func:`encode_chain` writes each RRset's RRs, then the RRSIGs that cover it, in the order given,
keeping owner names and RDATA exactly as received (case included): signed data is never
rewritten, canonical form (RFC 4034 §6) is applied only when a signature is verified.

:func:`decode_chain` is strict (SEC-PARSE-01): every length is checked, compression pointers,
truncation, trailing octets, a class other than IN, meta types and malformed RDATA are refused
with a :class:`ChainError` that names the byte offset and what was wrong, and the input is
bounded by :data:`MAX_CHAIN_OCTETS` and :data:`MAX_CHAIN_RRS` (SEC-LIM-04).  Records are
grouped into RRsets (same owner, type and class — RFC 2181 §5) and RRSIGs are attached to the
RRset of their owner and Type Covered (RFC 4035 §5.3.1), in order of first appearance.

Decisions (documented because RFC 9102 leaves them open):

* An RRSIG whose covered RRset is not in the chain is refused: it proves nothing on its own,
  and a minimal bundle carries no record the proof does not need (issue 9).
* The same RR twice (equal owner, type and canonical RDATA, RFC 4034 §6.3) is refused.
* A chain cannot carry two different RRsets with one owner and type: RRs with the same owner,
  class and type *are* one RRset (RFC 2181 §5), so the parent's NSEC at a zone cut and the
  child's apex NSEC at the same name would be read as one two-record NSEC RRset whose RRSIGs
  (each over one record) no longer verify — the proof fails closed.  A writer keeps one of them.
* RRs of one RRset with different TTLs are refused (RFC 2181 §5.2).  The TTL of an RRSIG RR
  is not signed and is not kept: it is written as the covered RRset's TTL (RFC 4034 §3), so
  a chain whose RRSIG TTLs differ from their RRset's does not re-encode byte for byte.
* An RRset may be spread over the chain (its RRs need not be adjacent); it is re-encoded
  contiguously, RRs first, then RRSIGs.  Its owner is spelled as its first RR spells it (the
  case of an owner name is not signed, RFC 4034 §6.2); RRs of the RRset spelling it in
  another case are re-encoded in that spelling.

So ``encode_chain(decode_chain(data)) == data`` exactly when every RRset's RRs are adjacent
and followed by their RRSIGs, spell their owner alike and have RRSIG TTLs equal to the
RRset's TTL — true of every chain :func:`encode_chain` writes and of RFC 9102's own example.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import Final

import dns.exception
import dns.rdata
import dns.rdataclass
import dns.rdatatype
from dns.name import Name

from dnssec_core.dnssec.records import DNSKEY, DNSKEY_TYPE, DS, DS_TYPE, RRSIG, RRSIG_TYPE
from dnssec_core.wire.canonical import LOWERCASED_RDATA_LAYOUT, canonical_rdata
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.message import SignedRRset
from dnssec_core.wire.name import MAX_LABEL_OCTETS, MAX_NAME_OCTETS, canonical_key, read_name
from dnssec_core.wire.rrset import CLASS_IN, RRset

#: Largest chain accepted (octets).  RFC 9102 §3 carries a chain in a TLS extension whose
#: length field is 16 bits (65535 octets); a CAA climb's bundle holds several such chains'
#: worth of records, so the bound is 16 times that (policy, SEC-LIM-04).
MAX_CHAIN_OCTETS: Final = 16 * 65_535

#: Largest number of RRs (RRSIGs included) accepted in one chain (policy, SEC-LIM-04): above
#: any proof the engine can ask for (MAX_QUERIES_PER_RESOLUTION responses) yet bounded.
MAX_CHAIN_RRS: Final = 8192

#: TYPE values that never appear in a chain: OPT (RFC 6891 §6.1.1) and the QTYPE/meta range
#: 128-255 (RFC 6895 §3.1: TKEY, TSIG, IXFR, AXFR, MAILB, MAILA, ANY ...), and type 0.
_OPT_TYPE: Final = 41
_META_TYPES: Final = range(128, 256)

NSEC_TYPE: Final = 47
_RR_FIXED = struct.Struct("!HHIH")  # TYPE, CLASS, TTL, RDLENGTH (RFC 1035 §4.1.3)
_RRSIG_FIXED = struct.Struct("!HBBIIIH")  # RFC 4034 §3.1
_POINTER_BITS = 0xC0


class ChainError(ValueError):
    """A chain that is not a well-formed RFC 9102 §3 record sequence (one-line reason)."""


# -- encoding ---------------------------------------------------------------------------------


def _name_wire(name: Name) -> bytes:
    """Uncompressed wire form of ``name`` with its case as received (RFC 1035 §3.1)."""
    if not name.is_absolute():
        raise ChainError(f"name {name} is not absolute")
    return b"".join(bytes((len(label),)) + label for label in name.labels)


def rrsig_rdata(rrsig: RRSIG) -> bytes:
    """The RRSIG's RDATA as received: fixed fields, Signer's Name (its case kept), signature."""
    fixed = _RRSIG_FIXED.pack(
        rrsig.type_covered,
        rrsig.algorithm,
        rrsig.labels,
        rrsig.original_ttl,
        rrsig.expiration,
        rrsig.inception,
        rrsig.key_tag,
    )
    return fixed + _name_wire(rrsig.signer) + rrsig.signature


def _rr(owner: bytes, rdtype: int, ttl: int, rdata: bytes) -> bytes:
    if len(rdata) > 0xFFFF:
        raise ChainError(f"RDATA of {len(rdata)} octets does not fit RDLENGTH")
    return owner + _RR_FIXED.pack(rdtype, CLASS_IN, ttl, len(rdata)) + rdata


def encode_chain(rrsets: Iterable[SignedRRset]) -> bytes:
    """RFC 9102 §3 chain of ``rrsets``: each RRset's RRs, then its RRSIGs, in the given order.

    No name compression; owner names and RDATA are written exactly as held.  Raises
    :class:`ChainError` for data that cannot be written (class other than IN, TTL or RDATA
    out of range, a relative name, an RRSIG that covers another type).
    """
    out: list[bytes] = []
    for signed in rrsets:
        rrset = signed.rrset
        if rrset.rdclass != CLASS_IN:
            raise ChainError(f"{rrset.owner} type {rrset.rdtype}: class {rrset.rdclass} is not IN")
        if not 0 <= rrset.ttl <= 0xFFFFFFFF:
            raise ChainError(f"{rrset.owner} type {rrset.rdtype}: TTL {rrset.ttl} out of range")
        owner = _name_wire(rrset.owner)
        for rdata in rrset.rdatas:
            out.append(_rr(owner, rrset.rdtype, rrset.ttl, rdata))
        for rrsig in signed.rrsigs:
            if rrsig.type_covered != rrset.rdtype:
                raise ChainError(
                    f"RRSIG covering type {rrsig.type_covered} attached to "
                    f"{rrset.owner} type {rrset.rdtype}"
                )
            out.append(_rr(owner, RRSIG_TYPE, rrset.ttl, rrsig_rdata(rrsig)))
    return b"".join(out)


# -- decoding ---------------------------------------------------------------------------------


def _read_owner(data: bytes, offset: int) -> tuple[Name, int]:
    """The uncompressed owner name at ``offset`` (RFC 1035 §3.1); precise errors."""
    cursor = offset
    while True:
        if cursor >= len(data):
            raise ChainError(f"offset {offset}: owner name runs past the end of the chain")
        length = data[cursor]
        if length & _POINTER_BITS == _POINTER_BITS:
            raise ChainError(f"offset {cursor}: compression pointer in an owner name")
        if length > MAX_LABEL_OCTETS:
            raise ChainError(f"offset {cursor}: label type 0x{length:02x} is not a plain label")
        cursor += 1 + length
        if cursor - offset > MAX_NAME_OCTETS:
            raise ChainError(f"offset {offset}: owner name longer than {MAX_NAME_OCTETS} octets")
        if cursor > len(data):
            raise ChainError(f"offset {offset}: owner name runs past the end of the chain")
        if length == 0:
            break
    try:
        return read_name(data, offset)
    except WireError as exc:  # pragma: no cover - the loop above made the same checks
        raise ChainError(f"offset {offset}: {exc}") from None


def _check_rdata(rdtype: int, rdata: bytes) -> None:
    """RDATA must be well formed for its type and contain no compressed names.

    Our own parsers for the DNSSEC types and for the names RFC 4034 §6.2 lists (they refuse
    compression pointers); then dnspython's RDATA parser for the type's layout, whose output
    must re-encode to the very same octets (an uncompressed, canonical encoding, RFC 3597 §4).
    Raises :class:`WireError`.
    """
    if rdtype == RRSIG_TYPE:
        RRSIG.from_wire(rdata)
    elif rdtype == DNSKEY_TYPE:
        DNSKEY.from_wire(rdata)
    elif rdtype == DS_TYPE:
        DS.from_wire(rdata)
    elif rdtype == NSEC_TYPE:
        read_name(rdata, 0)
    if rdtype in LOWERCASED_RDATA_LAYOUT:
        canonical_rdata(rdtype, rdata)
    try:
        parsed = dns.rdata.from_wire(
            dns.rdataclass.IN, dns.rdatatype.RdataType.make(rdtype), rdata, 0, len(rdata)
        )
        again = parsed.to_wire()
    except (dns.exception.DNSException, ValueError, IndexError, TypeError) as exc:
        raise WireError(str(exc) or type(exc).__name__) from None
    if again != rdata:
        raise WireError("RDATA does not re-encode to the same octets "
                        "(a compressed name or a non-minimal encoding)")


_Slot = tuple[tuple[bytes, ...], int]


def decode_chain(data: bytes) -> tuple[SignedRRset, ...]:
    """Parse an RFC 9102 §3 chain into RRsets with their RRSIGs (see the module docstring).

    Result order: RRsets in the order their first RR (or first RRSIG) appears; within an
    RRset, RRs and RRSIGs in chain order.  Raises :class:`ChainError` on any defect.
    """
    if len(data) > MAX_CHAIN_OCTETS:
        raise ChainError(f"chain of {len(data)} octets exceeds the limit of {MAX_CHAIN_OCTETS}")
    first: dict[_Slot, Name] = {}  # owner as first seen (RR or RRSIG)
    owners: dict[_Slot, Name] = {}  # owner as the RRset's first RR spells it
    order: list[_Slot] = []
    rdatas: dict[_Slot, list[bytes]] = {}
    ttls: dict[_Slot, int] = {}
    sigs: dict[_Slot, list[RRSIG]] = {}
    seen: set[tuple[tuple[bytes, ...], int, bytes]] = set()
    offset = 0
    count = 0
    while offset < len(data):
        count += 1
        if count > MAX_CHAIN_RRS:
            raise ChainError(f"offset {offset}: more than {MAX_CHAIN_RRS} RRs in the chain")
        start = offset
        owner, offset = _read_owner(data, offset)
        if offset + _RR_FIXED.size > len(data):
            raise ChainError(f"offset {offset}: RR header truncated ({owner})")
        rdtype, rdclass, ttl, rdlength = _RR_FIXED.unpack_from(data, offset)
        offset += _RR_FIXED.size
        where = f"offset {start}: {owner} type {rdtype}"
        if rdclass != CLASS_IN:
            raise ChainError(f"{where}: class {rdclass} is not IN")
        if rdtype == 0 or rdtype == _OPT_TYPE or rdtype in _META_TYPES:
            raise ChainError(f"{where}: type {rdtype} is not allowed in a chain")
        if offset + rdlength > len(data):
            raise ChainError(f"{where}: RDLENGTH {rdlength} runs past the end of the chain")
        rdata = data[offset : offset + rdlength]
        offset += rdlength
        try:
            _check_rdata(rdtype, rdata)
        except WireError as exc:
            raise ChainError(f"{where}: malformed RDATA: {exc}") from None
        key = canonical_key(owner)
        if rdtype == RRSIG_TYPE:
            rrsig = RRSIG.from_wire(rdata)
            slot: _Slot = (key, rrsig.type_covered)
            identity = rrsig.signed_prefix + rrsig.signature  # Type Covered is in the prefix
        else:
            slot = (key, rdtype)
            identity = canonical_rdata(rdtype, rdata)  # checked by _check_rdata: no raise
        marker = (key, rdtype, identity)
        if marker in seen:
            raise ChainError(f"{where}: duplicate RR")
        seen.add(marker)
        if slot not in first:
            first[slot] = owner
            order.append(slot)
        if rdtype == RRSIG_TYPE:
            sigs.setdefault(slot, []).append(rrsig)
            continue
        if slot in ttls and ttls[slot] != ttl:
            raise ChainError(f"{where}: TTL {ttl} differs from the RRset's TTL {ttls[slot]}")
        ttls[slot] = ttl
        owners.setdefault(slot, owner)  # spelled as the RRset's first RR spells it
        rdatas.setdefault(slot, []).append(rdata)
    out: list[SignedRRset] = []
    for slot in order:
        if slot not in rdatas:
            raise ChainError(
                f"RRSIG at {first[slot]} covering type {slot[1]} without that RRset in the chain"
            )
        rrset = RRset(owners[slot], slot[1], CLASS_IN, ttls[slot], tuple(rdatas[slot]))
        out.append(SignedRRset(rrset, tuple(sigs.get(slot, ()))))
    return tuple(out)


__all__ = ["MAX_CHAIN_OCTETS", "MAX_CHAIN_RRS", "ChainError", "decode_chain", "encode_chain"]
