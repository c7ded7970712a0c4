"""DNS responses as the validator sees them: sections of RRsets, each with its RRSIGs.

dnspython decodes the wire message (RFC 1035 §4.1); :func:`from_dnspython` only regroups its
output: RRSIGs are attached to the RRset they cover (same owner and class, RFC 4035 §5.3.1)
and RDATA is kept as uncompressed wire octets.  Nothing here validates anything.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

import dns.exception
import dns.flags
import dns.message
import dns.rrset
from dns.name import Name

from dnssec_core.dnssec.records import RRSIG, RRSIG_TYPE
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.name import canonical_key
from dnssec_core.wire.rrset import RRset


class Rcode(enum.IntEnum):
    """RFC 1035 §4.1.1 / RFC 6895 response codes the validator distinguishes."""

    NOERROR = 0
    FORMERR = 1
    SERVFAIL = 2
    NXDOMAIN = 3
    NOTIMP = 4
    REFUSED = 5


def rcode_text(rcode: int) -> str:
    try:
        return Rcode(rcode).name
    except ValueError:
        return f"RCODE{rcode}"


@dataclass(frozen=True, slots=True)
class SignedRRset:
    """An RRset and the RRSIGs that arrived with it (possibly none)."""

    rrset: RRset
    rrsigs: tuple[RRSIG, ...] = ()

    @property
    def owner(self) -> Name:
        return self.rrset.owner

    @property
    def rdtype(self) -> int:
        return self.rrset.rdtype

    @property
    def signer(self) -> Name | None:
        """The Signer's Name of the first RRSIG (all should agree; checked when validating)."""
        return self.rrsigs[0].signer if self.rrsigs else None


@dataclass(frozen=True)
class Response:
    """One DNS response: rcode, AA bit and the answer and authority sections.

    ``from_referral``: not an answer to a query of its own but the records a referral from
    ``server`` carried about this question (the child's DS or the proof of none, RFC 4035
    §3.1.4.1); validated the same way, and marked so that a trace shows where it came from."""

    qname: Name
    qtype: int
    rcode: int
    answer: tuple[SignedRRset, ...] = ()
    authority: tuple[SignedRRset, ...] = ()
    authoritative: bool = True
    server: str = ""
    malformed: tuple[str, ...] = field(default=())
    from_referral: bool = False

    def find(self, section: Iterable[SignedRRset], owner: Name, rdtype: int) -> SignedRRset | None:
        key = canonical_key(owner)
        for signed in section:
            if signed.rdtype == rdtype and canonical_key(signed.owner) == key:
                return signed
        return None

    def answer_rrset(self, owner: Name, rdtype: int) -> SignedRRset | None:
        return self.find(self.answer, owner, rdtype)

    def authority_of_type(self, rdtype: int) -> list[SignedRRset]:
        return [s for s in self.authority if s.rdtype == rdtype]


def group_section(rrsets: Iterable[dns.rrset.RRset]) -> tuple[tuple[SignedRRset, ...], list[str]]:
    """Attach RRSIGs to the RRsets they cover; undecodable RRSIGs are reported, not raised."""
    data: dict[tuple[tuple[bytes, ...], int], RRset] = {}
    sigs: dict[tuple[tuple[bytes, ...], int], list[RRSIG]] = {}
    problems: list[str] = []
    for rrset in rrsets:
        key = canonical_key(rrset.name)
        if rrset.rdtype == RRSIG_TYPE:
            for rdata in rrset:
                wire = rdata.to_wire()
                try:
                    rrsig = RRSIG.from_wire(wire if wire is not None else b"")
                except WireError as exc:
                    problems.append(f"RRSIG at {rrset.name}: {exc}")
                    continue
                sigs.setdefault((key, rrsig.type_covered), []).append(rrsig)
            continue
        wires = tuple(w for w in (rd.to_wire() for rd in rrset) if w is not None)
        slot = (key, int(rrset.rdtype))
        if slot in data:  # the same RRset split over several records in the message
            old = data[slot]
            data[slot] = RRset(old.owner, old.rdtype, old.rdclass, min(old.ttl, rrset.ttl),
                               old.rdatas + wires)
        else:
            data[slot] = RRset(rrset.name, int(rrset.rdtype), int(rrset.rdclass), rrset.ttl, wires)
    out = tuple(SignedRRset(rrset, tuple(sigs.pop(slot, ()))) for slot, rrset in data.items())
    for (_, covered), orphans in sigs.items():
        problems.append(f"{len(orphans)} RRSIG(s) for type {covered} without the RRset")
    return out, problems


def _rrsigs_by_slot(
    *sections: Iterable[dns.rrset.RRset],
) -> dict[tuple[tuple[bytes, ...], int], list[RRSIG]]:
    """Every decodable RRSIG of the message by (owner, type covered), whatever its section."""
    found: dict[tuple[tuple[bytes, ...], int], list[RRSIG]] = {}
    for section in sections:
        for rrset in section:
            if rrset.rdtype != RRSIG_TYPE:
                continue
            for rdata in rrset:
                try:
                    rrsig = RRSIG.from_wire(rdata.to_wire() or b"")
                except WireError:
                    continue
                found.setdefault((canonical_key(rrset.name), rrsig.type_covered), []).append(rrsig)
    return found


def _with_stray_rrsigs(
    signed: SignedRRset, strays: dict[tuple[tuple[bytes, ...], int], list[RRSIG]]
) -> SignedRRset:
    """An RRset that arrived without RRSIGs gets those of its owner and type found in another
    section.  RFC 4035 §3.1.1 tells servers to keep them in the RRset's section; a validator
    loses nothing by accepting a misplaced one, because an RRSIG proves only what verifies
    against an authenticated key (RFC 4035 §5.3) — Unbound attaches them the same way."""
    if signed.rrsigs:
        return signed
    found = strays.get((canonical_key(signed.owner), signed.rdtype))
    return SignedRRset(signed.rrset, tuple(found)) if found else signed


def from_dnspython(message: dns.message.Message, server: str = "") -> Response:
    """Convert a parsed dnspython message.  Raises :class:`WireError` without a question."""
    if len(message.question) != 1:
        raise WireError(f"response has {len(message.question)} questions, expected 1")
    question = message.question[0]
    answer, p1 = group_section(message.answer)
    authority, p2 = group_section(message.authority)
    if any(not signed.rrsigs for signed in (*answer, *authority)):  # else none is needed
        strays = _rrsigs_by_slot(message.answer, message.authority, message.additional)
        answer = tuple(_with_stray_rrsigs(signed, strays) for signed in answer)
        authority = tuple(_with_stray_rrsigs(signed, strays) for signed in authority)
    return Response(
        question.name,
        int(question.rdtype),
        int(message.rcode()),
        answer,
        authority,
        bool(message.flags & dns.flags.AA),
        server,
        tuple(p1 + p2),
    )


def from_wire(wire: bytes, server: str = "") -> Response:
    """Decode a wire-format response (SEC-PARSE-01: malformed data → :class:`WireError`)."""
    try:
        message = dns.message.from_wire(wire, ignore_trailing=False)
    except (dns.exception.DNSException, ValueError, IndexError) as exc:
        raise WireError(f"malformed DNS message: {exc}") from None
    return from_dnspython(message, server)
