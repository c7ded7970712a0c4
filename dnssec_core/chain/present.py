"""Presentation strings for results (dnspython formats the RDATA; nothing is validated here)."""

from __future__ import annotations

import dns.rdata
import dns.rdataclass
import dns.rdatatype

from dnssec_core.wire.rrset import RRset


def rrset_texts(rrset: RRset) -> list[str]:
    """One ``owner TTL CLASS TYPE RDATA`` line per RR, in canonical RDATA order."""
    rdclass = dns.rdataclass.RdataClass.make(rrset.rdclass)
    rdtype = dns.rdatatype.RdataType.make(rrset.rdtype)
    type_text = dns.rdatatype.to_text(rdtype)
    head = f"{rrset.owner.to_text()} {rrset.ttl} {dns.rdataclass.to_text(rdclass)} {type_text}"
    lines = []
    for wire in sorted(set(rrset.rdatas)):
        try:
            text = dns.rdata.from_wire(rdclass, rdtype, wire, 0, len(wire)).to_text()
        except Exception:  # undecodable RDATA is shown in RFC 3597 generic form
            text = f"\\# {len(wire)} {wire.hex()}"
        lines.append(f"{head} {text}")
    return lines
