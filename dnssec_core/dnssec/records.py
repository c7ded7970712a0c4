"""RRSIG, DNSKEY and DS records decoded from wire RDATA (RFC 4034 §2, §3, §5).

Every constructor validates its input: malformed RDATA raises :class:`WireError`, which callers
turn into a reasoned verdict.  Decoded objects are immutable.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from dns.name import Name, root

from dnssec_core.dnssec.keytag import key_tag
from dnssec_core.wire.canonical import canonical_name_at
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.name import read_name

RRSIG_TYPE = 46
DNSKEY_TYPE = 48
DS_TYPE = 43

DNSSEC_PROTOCOL = 3  # RFC 4034 §2.1.2
ZONE_KEY_FLAG = 0x0100  # RFC 4034 §2.1.1, bit 7
REVOKE_FLAG = 0x0080  # RFC 5011 §7, bit 8
SEP_FLAG = 0x0001  # RFC 4034 §2.1.1, bit 15

_RRSIG_FIXED = struct.Struct("!HBBIIIH")
#: Recently seen Signer's Names by their wire octets, with their canonical form.  All RRSIGs of a
#: zone name one signer, and building a dns.name.Name costs more than the rest of decoding an
#: RRSIG (issue 7).  Cleared when full (policy: bounds memory).
_SIGNERS: dict[bytes, tuple[Name, bytes]] = {}
SIGNER_CACHE_SIZE = 1024
#: The last Signer's Name decoded: (wire octets, Name, canonical wire).  A zone's RRSIGs come one
#: after another with the same signer, and a name's wire form is prefix-free (each label says
#: its length, the root label ends it, no compression here), so RDATA that holds these exact
#: octets at the Signer's Name offset holds this name and nothing longer: the name checks and
#: the cache lookup are skipped (~1 µs of ~2.3 per RRSIG, issue 7).
_LAST_SIGNER: list[tuple[bytes, Name, bytes]] = [(b"\0", root, b"\0")]
_DNSKEY_FIXED = struct.Struct("!HBB")
_DS_FIXED = struct.Struct("!HBB")


@dataclass(frozen=True, slots=True)
class RRSIG:
    """An RRSIG record (RFC 4034 §3.1).

    ``signed_prefix`` is the RDATA up to and excluding the Signature field, with the Signer's
    Name in canonical form: the first part of the signature input (RFC 4034 §3.1.8.1).
    """

    type_covered: int
    algorithm: int
    labels: int
    original_ttl: int
    expiration: int
    inception: int
    key_tag: int
    signer: Name
    signature: bytes
    signed_prefix: bytes = field(repr=False)

    @classmethod
    def from_wire(cls, rdata: bytes) -> RRSIG:
        """Decode RRSIG RDATA (RFC 4034 §3.1).  Raises :class:`WireError` if malformed."""
        if len(rdata) < _RRSIG_FIXED.size + 1:
            raise WireError("RRSIG RDATA too short")
        covered, alg, labels, ottl, exp, inc, tag = _RRSIG_FIXED.unpack_from(rdata)
        last_wire, signer, canonical = _LAST_SIGNER[0]
        if rdata.startswith(last_wire, _RRSIG_FIXED.size):
            end = _RRSIG_FIXED.size + len(last_wire)
        else:
            # canonical_name_at makes read_name's checks and finds the end of the name.
            canonical, end = canonical_name_at(rdata, _RRSIG_FIXED.size)
            signer_wire = rdata[_RRSIG_FIXED.size : end]
            known = _SIGNERS.get(signer_wire)
            if known is None:
                if len(_SIGNERS) >= SIGNER_CACHE_SIZE:
                    _SIGNERS.clear()
                known = _SIGNERS[signer_wire] = (read_name(rdata, _RRSIG_FIXED.size)[0], canonical)
            signer = known[0]
            _LAST_SIGNER[0] = (signer_wire, signer, canonical)
        signature = rdata[end:]
        if not signature:
            raise WireError("RRSIG has an empty signature")
        prefix = rdata[: _RRSIG_FIXED.size] + canonical
        return cls(covered, alg, labels, ottl, exp, inc, tag, signer, signature, prefix)


@dataclass(frozen=True, slots=True)
class DNSKEY:
    """A DNSKEY record (RFC 4034 §2.1) with its key tag computed once (VAL-KEY-04)."""

    flags: int
    protocol: int
    algorithm: int
    public_key: bytes
    rdata: bytes = field(repr=False)
    key_tag: int

    @classmethod
    def from_wire(cls, rdata: bytes) -> DNSKEY:
        """Decode DNSKEY RDATA.  An empty public key field is malformed (RFC 4034 §2.1.4)."""
        if len(rdata) <= _DNSKEY_FIXED.size:
            raise WireError("DNSKEY RDATA has no public key")
        flags, protocol, alg = _DNSKEY_FIXED.unpack_from(rdata)
        return cls(flags, protocol, alg, rdata[_DNSKEY_FIXED.size :], rdata, key_tag(rdata))

    @property
    def is_zone_key(self) -> bool:
        """Zone Key bit set and Protocol 3: usable to verify zone data (VAL-KEY-01)."""
        return bool(self.flags & ZONE_KEY_FLAG) and self.protocol == DNSSEC_PROTOCOL

    @property
    def is_revoked(self) -> bool:
        """REVOKE bit set (RFC 5011 §7): never used to validate (VAL-KEY-02)."""
        return bool(self.flags & REVOKE_FLAG)

    @property
    def is_sep(self) -> bool:
        """SEP bit set; advisory only (VAL-KEY-03)."""
        return bool(self.flags & SEP_FLAG)


@dataclass(frozen=True, slots=True)
class DS:
    """A DS record (RFC 4034 §5.1)."""

    key_tag: int
    algorithm: int
    digest_type: int
    digest: bytes

    @classmethod
    def from_wire(cls, rdata: bytes) -> DS:
        if len(rdata) <= _DS_FIXED.size:
            raise WireError("DS RDATA has no digest")
        tag, alg, digest_type = _DS_FIXED.unpack_from(rdata)
        return cls(tag, alg, digest_type, rdata[_DS_FIXED.size :])
