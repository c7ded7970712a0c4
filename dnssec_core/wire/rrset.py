"""The RRset as the validator sees it: owner, type, class, TTL and uncompressed RDATA octets."""

from __future__ import annotations

from dataclasses import dataclass

from dns.name import Name

CLASS_IN = 1


def type_text(rdtype: int) -> str:
    """The mnemonic of an RR type for messages (``A``, ``DNSKEY``; ``TYPE65534`` for an unknown
    one, RFC 3597 §5)."""
    import dns.rdatatype  # here: reading and checking RRsets never needs it

    return dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rdtype))


@dataclass(frozen=True, slots=True)
class RRset:
    """An RRset (RFC 2181 §5): all RRs with one owner, class and type.

    ``rdatas`` holds each RR's RDATA in uncompressed wire form exactly as received; the
    canonical form is computed when a signature is checked (:mod:`dnssec_core.wire.canonical`).
    ``ttl`` is the TTL as received (the RRSIG's Original TTL is used for the signature).
    """

    owner: Name
    rdtype: int
    rdclass: int
    ttl: int
    rdatas: tuple[bytes, ...]
