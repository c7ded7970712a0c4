"""Answer one question from a set of signed zones, as their authoritative servers would.

RFC 1034 §4.3.2 (lookup, referral, CNAME), RFC 6672 (DNAME), RFC 4592 (wildcards) with the
DNSSEC additions of RFC 4035 §3.1 (RRSIGs, NSEC proofs, DS or no-DS proof in referrals) and
RFC 5155 §7.2 (NSEC3 proofs).  A DS question at a zone apex is answered by the parent zone
when it is served here (RFC 4035 §3.1.4.1).  QTYPE ANY gets every RRset at the name with
its RRSIGs (RFC 1034 §3.7.1, §4.3.2 step 3a: ANY matches all types), a wildcard's too when
it is synthesised (RFC 4592 §3.3.1).  A query without the DO bit gets no DNSSEC records it
did not ask for (RFC 3225 §3, RFC 4035 §3.1): a client without EDNS gets plain DNS.
This is lab equipment: it must be *correct*, never *validating*; it trusts its zone files.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.name import Name

from dnssec_core.auth.zone import (
    CNAME,
    DNAME,
    DS,
    NS,
    NSEC,
    NSEC3,
    SOA,
    AuthZone,
)
from dnssec_core.wire.name import canonical_key, is_subdomain, names_equal

MAX_RESPONSE_RRSETS = 64
ANY = 255  # QTYPE * (RFC 1035 §3.2.3)
RRSIG = 46
#: Records a server sends only to a DO query, unless they are the type asked (RFC 3225 §3).
DNSSEC_TYPES = frozenset({DS, RRSIG, NSEC, NSEC3})


class Answerer(Protocol):
    """What a loopback server needs from the authoritative side: one answer per query.
    :class:`Responder` is the lab's; tests wrap or replace it (a forging or lame server)."""

    def answer(self, query: dns.message.Message) -> dns.message.Message: ...


class Responder:
    """The authoritative side of the lab: several zones, one ``answer()``."""

    def __init__(self, zones: Iterable[AuthZone]) -> None:
        self.zones = {canonical_key(z.origin): z for z in zones}

    def zone_for(self, qname: Name, qtype: int) -> AuthZone | None:
        """Deepest zone holding ``qname``; for DS at an apex, the parent if served here."""
        key = canonical_key(qname)
        for size in range(len(key), -1, -1):
            zone = self.zones.get(key[:size])
            if zone is None:
                continue
            if qtype == DS and size == len(key) and size > 0:
                for parent_size in range(size - 1, -1, -1):
                    parent = self.zones.get(key[:parent_size])
                    if parent is not None:
                        return parent
            return zone
        return None

    def answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if len(query.question) != 1:
            response.set_rcode(dns.rcode.FORMERR)
            return response
        question = query.question[0]
        qname, qtype = question.name, int(question.rdtype)
        zone = self.zone_for(qname, qtype)
        if zone is None:
            response.flags &= ~dns.flags.AA
            response.set_rcode(dns.rcode.REFUSED)
            return response
        _Answerer(zone, response).run(qname, qtype)
        if query.edns < 0 or not query.ednsflags & dns.flags.DO:
            _strip_dnssec(response, qtype)
        return response


def _strip_dnssec(response: dns.message.Message, qtype: int) -> None:
    """RFC 3225 §3: without DO, no DNSSEC records "unless ... explicitly queried for" — so
    DS, RRSIG, NSEC and NSEC3 go from every section unless they are the QTYPE itself."""
    for section in (response.answer, response.authority, response.additional):
        section[:] = [r for r in section if r.rdtype not in DNSSEC_TYPES or r.rdtype == qtype]


class _Answerer:
    def __init__(self, zone: AuthZone, response: dns.message.Message) -> None:
        self.zone = zone
        self.response = response

    def add(
        self,
        section: list[dns.rrset.RRset],
        owner: Name | None,
        rdtype: int,
        with_sigs: bool = True,
    ) -> bool:
        if owner is None:
            return False
        rrset = self.zone.get(owner, rdtype)
        if rrset is None:
            return False
        if all(r is not rrset for r in section):
            section.append(rrset)
            sigs = self.zone.sigs(owner, rdtype)
            if with_sigs and sigs is not None:
                section.append(sigs)
        return True

    def soa(self) -> None:
        self.add(self.response.authority, self.zone.origin, SOA)

    def run(self, qname: Name, qtype: int) -> None:
        zone = self.zone
        cut = zone.cut_above(qname)
        if cut is not None and not (qtype == DS and names_equal(cut, qname)):
            return self.referral(cut)
        dname_owner = self.dname_above(qname)
        if dname_owner is not None:
            return self.dname(qname, dname_owner)
        if zone.has_data(qname):
            if qtype == ANY and self.every_rrset(qname):
                return None
            if self.add(self.response.answer, qname, qtype):
                return None
            if qtype != CNAME and self.add(self.response.answer, qname, CNAME):
                return None
            return self.nodata(qname)
        if zone.exists(qname):  # empty non-terminal
            return self.nodata(qname)
        return self.nonexistent(qname, qtype)

    def every_rrset(self, qname: Name) -> bool:
        """QTYPE ANY: each RRset at ``qname`` in type order, each with its RRSIGs."""
        found = False
        for rdtype in self.zone.types_at(qname):
            found = self.add(self.response.answer, qname, rdtype) or found
        return found

    def dname_above(self, qname: Name) -> Name | None:
        for size in range(len(self.zone.origin.labels), len(qname.labels)):
            owner = Name(qname.labels[len(qname.labels) - size :])
            if self.zone.get(owner, DNAME) is not None:
                return owner
        return None

    # -- referral (RFC 4035 §3.1.4) -------------------------------------------------------

    def referral(self, cut: Name) -> None:
        self.response.flags &= ~dns.flags.AA
        self.add(self.response.authority, cut, NS, with_sigs=False)
        if not self.add(self.response.authority, cut, DS):
            self.no_ds_proof(cut)
        ns = self.zone.get(cut, NS)
        for rdata in ns or ():
            target = rdata.target
            if is_subdomain(target, cut):  # glue only for in-bailiwick names
                for rdtype in (1, 28):
                    rrset = self.zone.get(target, rdtype)
                    if rrset is not None:
                        self.response.additional.append(rrset)

    def no_ds_proof(self, cut: Name) -> None:
        if self.zone.nsec_keys:
            self.add(self.response.authority, cut, NSEC)
            return
        matching = self.zone.nsec3_for(cut, covering=False)
        if matching is not None:
            self.add(self.response.authority, matching, NSEC3)
        else:  # opt-out: closest provable encloser + next closer covered (RFC 5155 §7.2.7)
            self.closest_encloser_proof(cut)

    # -- DNAME (RFC 6672 §3) --------------------------------------------------------------

    def dname(self, qname: Name, owner: Name) -> None:
        self.add(self.response.answer, owner, DNAME)
        rrset = self.zone.get(owner, DNAME)
        assert rrset is not None
        target = next(iter(rrset)).target
        try:
            synthesized = qname.relativize(owner).concatenate(target)
        except dns.name.NameTooLong:
            self.response.set_rcode(dns.rcode.YXDOMAIN)
            return
        cname = dns.rrset.RRset(qname, dns.rdataclass.IN, dns.rdatatype.CNAME)
        cname.add(
            dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.CNAME, synthesized.to_text()),
            rrset.ttl,
        )
        self.response.answer.append(cname)

    # -- negative answers -----------------------------------------------------------------

    def nodata(self, qname: Name) -> None:
        """RFC 4035 §3.1.3.1 / RFC 5155 §7.2.3-7.2.5."""
        self.soa()
        if self.zone.nsec_keys:
            if not self.add(self.response.authority, qname, NSEC):  # empty non-terminal
                self.add(self.response.authority, self.zone.covering_nsec(qname), NSEC)
            return
        matching = self.zone.nsec3_for(qname, covering=False)
        if matching is not None:
            self.add(self.response.authority, matching, NSEC3)
        else:  # ENT or name under opt-out without its own NSEC3
            self.closest_encloser_proof(qname)

    def nonexistent(self, qname: Name, qtype: int) -> None:
        zone = self.zone
        encloser = zone.closest_encloser(qname)
        wildcard = dns.name.Name((b"*", *encloser.labels))
        if zone.has_data(wildcard):
            return self.wildcard(qname, qtype, wildcard, encloser)
        self.response.set_rcode(dns.rcode.NXDOMAIN)
        self.soa()
        if zone.nsec_keys:  # RFC 4035 §3.1.3.2
            self.add(self.response.authority, zone.covering_nsec(qname), NSEC)
            self.add(self.response.authority, zone.covering_nsec(wildcard), NSEC)
            return
        self.closest_encloser_proof(qname)  # RFC 5155 §7.2.2
        self.add(self.response.authority, zone.nsec3_for(wildcard, covering=True), NSEC3)

    def wildcard(self, qname: Name, qtype: int, wildcard: Name, encloser: Name) -> None:
        """RFC 4035 §3.1.3.3-3.1.3.4, RFC 5155 §7.2.5-7.2.6."""
        zone = self.zone
        wanted: tuple[int, ...] = (qtype, CNAME)
        if qtype == ANY:  # every RRset of the wildcard; its NSEC/NSEC3 are not synthesised
            wanted = tuple(t for t in zone.types_at(wildcard) if t not in (NSEC, NSEC3))
        expanded_any = False
        for rdtype in wanted:
            source = zone.get(wildcard, rdtype)
            if source is None:
                continue
            expanded = dns.rrset.RRset(qname, source.rdclass, source.rdtype)
            for rdata in source:
                expanded.add(rdata, source.ttl)
            self.response.answer.append(expanded)
            sigs = zone.sigs(wildcard, rdtype)
            if sigs is not None:
                copied = dns.rrset.RRset(qname, sigs.rdclass, sigs.rdtype, sigs.covers)
                for rdata in sigs:
                    copied.add(rdata, sigs.ttl)
                self.response.answer.append(copied)
            expanded_any = True
            if qtype != ANY:
                break
        if expanded_any:
            self.no_closer_match(qname, encloser)
            return
        self.soa()  # wildcard NODATA
        if zone.nsec_keys:
            self.add(self.response.authority, zone.covering_nsec(qname), NSEC)
            self.add(self.response.authority, wildcard, NSEC)
            return
        self.closest_encloser_proof(qname)
        self.add(self.response.authority, zone.nsec3_for(wildcard, covering=False), NSEC3)

    def no_closer_match(self, qname: Name, encloser: Name) -> None:
        if self.zone.nsec_keys:
            self.add(self.response.authority, self.zone.covering_nsec(qname), NSEC)
            return
        next_closer = Name(qname.labels[len(qname.labels) - len(encloser.labels) - 1 :])
        self.add(self.response.authority, self.zone.nsec3_for(next_closer, covering=True), NSEC3)

    def closest_encloser_proof(self, qname: Name) -> None:
        """RFC 5155 §7.2.1: NSEC3 matching the closest provable encloser, NSEC3 covering the
        next closer name.  The encloser is the longest ancestor with a matching NSEC3."""
        zone = self.zone
        for size in range(len(qname.labels) - 1, len(zone.origin.labels) - 1, -1):
            encloser = Name(qname.labels[len(qname.labels) - size :])
            matching = zone.nsec3_for(encloser, covering=False)
            if matching is None:
                continue
            self.add(self.response.authority, matching, NSEC3)
            next_closer = Name(qname.labels[len(qname.labels) - size - 1 :])
            self.add(self.response.authority, zone.nsec3_for(next_closer, covering=True), NSEC3)
            return
