"""The RFC 4035 / RFC 5155 example zones and example responses, read for the denial tests.

Appendix A of each RFC is a signed zone (vectors/rfc/*.zone); Appendix B holds example
responses as RFC text.  :func:`examples` pulls each response's question and sections out of the
text; :func:`verifier` builds the signature check the denial module calls back (real RRSIG
verification with the zone's DNSKEY RRset, at a time inside the RFC signatures' window).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cache

import dns.name
import dns.rdatatype
from dns.name import Name

from dnssec_core.crypto import get_backend
from dnssec_core.dnssec.algorithms import AlgorithmPolicy
from dnssec_core.dnssec.denial import Verifier
from dnssec_core.dnssec.records import DNSKEY, DNSKEY_TYPE
from dnssec_core.dnssec.rrsig import ZoneKeys, verify_rrset
from dnssec_core.timeutil import parse_time
from dnssec_core.verdict import Verdict
from dnssec_core.wire.message import SignedRRset
from dnssec_core.zone.reader import ZoneData, build_zone, load_zone, parse_records
from vectors import vector_path

#: The RFC example keys are RSA 512/1024 bits, below the default floor.
SMALL_RSA = AlgorithmPolicy(rsa_min_bits=512)
RFC4035_NOW = parse_time("20040420000000")  # window 2004-04-09 .. 2004-05-09
RFC5155_NOW = parse_time("20100101000000")  # window 2005-10-21 .. 2015-04-20

_SECTION = re.compile(r"^\s*B\.(\d+(?:\.\d+)?)\.\s+(.*\S)\s*$")
_HEADER_RCODE = re.compile(r"RCODE=(\d+)")


@dataclass(frozen=True)
class Example:
    """One Appendix B response."""

    section: str  # "B.2.1"
    title: str
    qname: Name
    qtype: int
    rcode: int
    answer: tuple[SignedRRset, ...]
    authority: tuple[SignedRRset, ...]


@cache
def zone(file: str) -> ZoneData:
    return load_zone(vector_path("rfc", file).read_text(), dns.name.from_text("example."))


def zone_keys(data: ZoneData) -> ZoneKeys:
    dnskeys = data.get(data.origin, DNSKEY_TYPE)
    assert dnskeys is not None
    return ZoneKeys.from_dnskeys(data.origin, [DNSKEY.from_wire(rd) for rd in dnskeys.rdatas])


def verifier(data: ZoneData, now: int) -> Verifier:
    keys = zone_keys(data)
    backend = get_backend("fast")

    def verify(signed: SignedRRset) -> Verdict:
        return verify_rrset(signed.rrset, signed.rrsigs, keys, now=now, backend=backend,
                            policy=SMALL_RSA)

    return verify


def signed_rrsets(data: ZoneData) -> list[SignedRRset]:
    """Every RRset of a zone with its RRSIGs."""
    return [SignedRRset(rrset, tuple(data.signatures(rrset.owner, rrset.rdtype)))
            for rrset in data.rrsets.values()]


def _section_records(lines: list[str]) -> tuple[SignedRRset, ...]:
    kept = [line for line in lines if line.strip() and not line.strip().startswith(";")]
    indent = min((len(line) - len(line.lstrip()) for line in kept), default=0)
    text = "\n".join(line[indent:] for line in kept) + "\n"
    # RFC 5155 B.6 as printed lacks the "(" after "RRSIG NSEC3 7 2 3600" (see the vectors'
    # README): restore it so the record parses; nothing else is touched.
    if text.count("(") < text.count(")"):
        text = re.sub(r"(RRSIG\s+NSEC3\s+7\s+2\s+3600)\s*\n", r"\1 (\n", text, count=1)
    if not text.strip():
        return ()
    records = parse_records(io.StringIO(text), dns.name.root)
    grouped = build_zone(records, dns.name.root)
    return tuple(SignedRRset(rrset, tuple(grouped.signatures(rrset.owner, rrset.rdtype)))
                 for rrset in grouped.rrsets.values())


@cache
def examples(file: str) -> tuple[Example, ...]:
    """Every Appendix B example of ``file`` in order."""
    lines = vector_path("rfc", file).read_text().splitlines()
    starts = [(i, m) for i, line in enumerate(lines) if (m := _SECTION.match(line))]
    out: list[Example] = []
    for index, (start, match) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(lines)
        block = lines[start:end]
        marks = {line.strip(): i for i, line in enumerate(block)
                 if line.strip().startswith(";; ") or line.strip() == ";;"}
        header = next(line for line in block if "Header:" in line)
        rcode_match = _HEADER_RCODE.search(header)
        assert rcode_match is not None
        q_at = marks[";; Question"]
        question = next(line for line in block[q_at + 1 :] if line.strip()).split()
        answer = _section_records(block[marks[";; Answer"] + 1 : marks[";; Authority"]])
        authority = _section_records(block[marks[";; Authority"] + 1 : marks[";; Additional"]])
        out.append(Example(
            f"B.{match.group(1)}", match.group(2), dns.name.from_text(question[0]),
            int(dns.rdatatype.from_text(question[-1])), int(rcode_match.group(1)), answer,
            authority))
    return tuple(out)


def example(file: str, section: str) -> Example:
    found = [e for e in examples(file) if e.section == section]
    assert len(found) == 1, section
    return found[0]
