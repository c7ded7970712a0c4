"""RRSIGs outside their RRset's section (Unbound replay: val_positive, val_adbit, ...).

RFC 4035 §3.1.1 tells servers to put an RRset's RRSIGs in the same section; a validator
that finds them elsewhere loses nothing by using them, because an RRSIG proves only what
verifies against an authenticated key (RFC 4035 §5.3).  A misplaced forged RRSIG stays bogus.
"""

from __future__ import annotations

import dns.message
import dns.name

from dnssec_core.auth.lab import Tamper
from dnssec_core.chain.types import Query
from dnssec_core.crypto import Backend
from dnssec_core.verdict import Reason, Status
from dnssec_core.wire.message import from_wire
from tests.chain.lab import ask, lab

RRSIG_TYPE = 46


def move_answer_rrsigs(qname: str, corrupt: bool = False) -> Tamper:
    wanted = dns.name.from_text(qname)

    def tamper(query: Query, wire: bytes) -> bytes:
        if query.name != wanted:
            return wire
        message = dns.message.from_wire(wire)
        sigs = [r for r in message.answer if r.rdtype == RRSIG_TYPE]
        assert sigs
        message.answer = [r for r in message.answer if r.rdtype != RRSIG_TYPE]
        if corrupt:
            for rrset in sigs:
                for rdata in list(rrset):
                    rrset.discard(rdata)  # type: ignore[no-untyped-call]  # untyped in dnspython
                    rrset.add(rdata.replace(signature=bytes(len(rdata.signature))))
        message.additional.extend(sigs)
        return message.to_wire(max_size=65535)

    return tamper


def test_rrsig_in_additional_is_attached_and_verified(fast: Backend) -> None:
    transport = lab(move_answer_rrsigs("www.secure.test."))
    result = ask("www.secure.test.", "A", fast, transport=transport)
    assert result.status is Status.SECURE, result.verdict


def test_forged_rrsig_in_additional_is_bogus(fast: Backend) -> None:
    result = ask("www.secure.test.", "A", fast,
                 transport=lab(move_answer_rrsigs("www.secure.test.", corrupt=True)))
    assert (result.status, result.verdict.reason) == (Status.BOGUS, Reason.SIG_INVALID)


def test_parser_keeps_rrsigs_of_the_own_section_first() -> None:
    text = """id 1
opcode QUERY
rcode NOERROR
flags QR AA
;QUESTION
a.example. IN A
;ANSWER
a.example. 300 IN A 192.0.2.1
;AUTHORITY
example. 300 IN NS ns.example.
example. 300 IN RRSIG NS 13 1 300 20300101000000 20200101000000 1 example. AAAA
;ADDITIONAL
a.example. 300 IN RRSIG A 13 2 300 20300101000000 20200101000000 2 example. AAAA
example. 300 IN RRSIG NS 13 1 300 20300101000000 20200101000000 3 example. AAAA
"""
    response = from_wire(dns.message.from_text(text).to_wire())
    (answer,), (ns,) = response.answer, response.authority
    assert [s.key_tag for s in answer.rrsigs] == [2]  # taken from ADDITIONAL
    assert [s.key_tag for s in ns.rrsigs] == [1]  # its own section's, not the stray one
