"""Pull DNS records out of the RFC example texts in vectors/rfc/ (test-only).

A record starts at a line "owner TTL IN TYPE ..." and runs until its parentheses close or a
blank line ends it.  Records are grouped into cases, one per DNSKEY in the order they appear.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import dns.rdata
from dns.name import Name

from dnssec_core.zone.reader import ZoneError, parse_records

_START = re.compile(r"^\s*\S+\.\s+(\d+\s+)?IN\s+(DNSKEY|DS|A|MX|RRSIG)\b")


@dataclass
class Case:
    records: list[tuple[Name, int, dns.rdata.Rdata]] = field(default_factory=list)
    unparsable: list[str] = field(default_factory=list)

    def of_type(self, rdtype: int) -> list[tuple[Name, int, dns.rdata.Rdata]]:
        return [r for r in self.records if r[2].rdtype == rdtype]


def record_texts(text: str) -> list[str]:
    out: list[str] = []
    current: list[str] | None = None
    depth = 0
    for raw in text.splitlines():
        if raw.startswith(";"):
            continue
        line = raw.split(";", 1)[0]
        if current is None:
            if not _START.match(line):
                continue
            current, depth = [], 0
        if not line.strip():
            out.append(" ".join(current))
            current = None
            continue
        current.append(line.strip())
        depth += line.count("(") - line.count(")")
        if depth <= 0:
            out.append(" ".join(current))
            current = None
    if current:
        out.append(" ".join(current))
    # Grouping parentheses carry no meaning; RFC 8080's examples even nest them.
    return [record.replace("(", " ").replace(")", " ") for record in out]


def cases(text: str) -> list[Case]:
    result: list[Case] = []
    for record in record_texts(text):
        is_key = " DNSKEY " in f" {record.replace('(', ' ')} "
        if is_key or not result:
            result.append(Case())
        try:
            result[-1].records.extend(parse_records(io.StringIO(record + "\n")))
        except ZoneError:
            result[-1].unparsable.append(record)
    return result
