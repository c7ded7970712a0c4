"""Question types that change what the answer is: ANY and CNAME (VAL-CNAME-01/02).

QTYPE ANY matches a CNAME itself (RFC 1034 §3.6.2, §4.3.2 step 3a): the CNAME is the answer
and is not followed.  Asked for CNAME below a DNAME, the DNAME and its synthesised CNAME are
the answer (RFC 6672 §3.4), the target is not followed either.
"""

from __future__ import annotations

import copy

import dns.message
import dns.name
import dns.rcode
import dns.rdata

from dnssec_core.auth.lab import Tamper
from dnssec_core.auth.responder import Responder
from dnssec_core.chain.types import Query
from dnssec_core.crypto import Backend
from dnssec_core.verdict import Reason, Status
from tests.chain.lab import ask, lab, zones

CNAME, DNAME, SOA_TYPE, NSEC_TYPE, NSEC3_TYPE = 5, 39, 6, 47, 50


def test_any_at_a_cname_is_the_cname_not_chased(fast: Backend) -> None:
    transport = lab()
    result = ask("alias.secure.test.", "ANY", fast, transport=transport)
    assert result.status is Status.SECURE
    # Every RRset at the name, as BIND answers ANY; the CNAME is not chased.
    assert [s.rrset.rdtype for s in result.answer] == [CNAME, NSEC_TYPE]
    assert not any(q.name.to_text() == "www.secure.test." for q in transport.asked)


def test_cname_question_below_a_dname_is_answered_by_the_dname(fast: Backend) -> None:
    """Proves VAL-CNAME-02 (requirement trace)."""
    transport = lab()
    result = ask("x.dname.secure.test.", "CNAME", fast, transport=transport)
    assert (result.status, result.rcode) == (Status.SECURE, 0)
    assert [s.rrset.rdtype for s in result.answer] == [DNAME, CNAME]
    assert not any(q.name.is_subdomain(dns.name.from_text("ed.test.")) for q in transport.asked)
    # the same name asked for A follows the synthesised CNAME into ed.test.
    followed = ask("x.dname.secure.test.", "A", fast)
    assert followed.status is Status.SECURE and followed.queries > result.queries


def test_cname_question_at_a_cname(fast: Backend) -> None:
    result = ask("alias.secure.test.", "CNAME", fast)
    assert result.status is Status.SECURE
    assert [s.rrset.rdtype for s in result.answer] == [CNAME]


def with_parent_soa(qname: str) -> Tamper:
    """A co-hosting server adds the parent's *signed* SOA to the unsigned child's NODATA."""
    wanted = dns.name.from_text(qname)
    responder = Responder(zones())

    def tamper(query: Query, wire: bytes) -> bytes:
        if query.name != wanted:
            return wire
        message = dns.message.from_wire(wire)
        parent = responder.answer(dns.message.make_query("test.", "SOA", want_dnssec=True))
        message.authority = [rrset for rrset in message.authority if rrset.rdtype != SOA_TYPE]
        message.authority.extend(parent.answer)  # test. SOA and its RRSIG
        return message.to_wire(max_size=65535)

    return tamper


def test_negative_answer_zone_comes_from_the_proof_not_the_soa(fast: Backend) -> None:
    """The zone of a negative answer is the signer of its NSEC/NSEC3 proof; a signed SOA
    alone does not make the name's zone signed.  Without a proof the walk from the anchor
    decides: insecure.test. is a proven unsigned delegation, so the NODATA is insecure; in
    the signed zone secure.test. the same shape is bogus (the proof was stripped)."""
    result = ask("www.insecure.test.", "TXT", fast,
                 transport=lab(with_parent_soa("www.insecure.test.")))
    assert (result.status, result.verdict.reason) == (Status.INSECURE, Reason.DENIAL_OPT_OUT)
    stripped = ask("www.secure.test.", "TXT", fast,
                   transport=lab(with_nsec_stripped("www.secure.test.")))
    assert stripped.status is Status.BOGUS, stripped.verdict


def with_nsec_stripped(qname: str) -> Tamper:
    wanted = dns.name.from_text(qname)

    def tamper(query: Query, wire: bytes) -> bytes:
        message = dns.message.from_wire(wire)
        if query.name == wanted:
            message.authority = [r for r in message.authority
                                 if r.rdtype not in (NSEC_TYPE, NSEC3_TYPE)
                                 and r.covers not in (NSEC_TYPE, NSEC3_TYPE)]
            assert any(r.rdtype == SOA_TYPE for r in message.authority)
        return message.to_wire(max_size=65535)

    return tamper


def with_target_answer(qname: str, target: str, forge: bool = False) -> Tamper:
    """A server that follows the CNAME itself: the target's signed A joins the response."""
    wanted = dns.name.from_text(qname)
    responder = Responder(zones())

    def tamper(query: Query, wire: bytes) -> bytes:
        if query.name != wanted:
            return wire
        message = dns.message.from_wire(wire)
        # Copies: the responder hands out the (cached) zone's own RRset objects, and forging
        # in place would poison every later test that uses the same world.
        extra = [copy.deepcopy(rrset) for rrset in
                 responder.answer(dns.message.make_query(target, "A", want_dnssec=True)).answer]
        if forge:
            for rrset in extra:
                if rrset.rdtype == 1:
                    rrset.clear()  # type: ignore[no-untyped-call]  # untyped in dnspython
                    rrset.add(dns.rdata.from_text("IN", "A", "203.0.113.66"))
        message.answer.extend(extra)
        return message.to_wire(max_size=65535)

    return tamper


def test_alias_target_answered_in_the_same_response_is_used_and_validated(
        fast: Backend) -> None:
    """Proves VAL-CNAME-01 (requirement trace)."""
    transport = lab(with_target_answer("alias.secure.test.", "www.secure.test."))
    result = ask("alias.secure.test.", "A", fast, transport=transport)
    assert result.status is Status.SECURE
    assert [s.rrset.rdtype for s in result.answer] == [CNAME, 1]
    assert "www.secure.test. A" not in [str(q) for q in transport.asked]
    forged = ask("alias.secure.test.", "A", fast,
                 transport=lab(with_target_answer("alias.secure.test.", "www.secure.test.",
                                                  forge=True)))
    assert (forged.status, forged.verdict.reason) == (Status.BOGUS, Reason.SIG_INVALID)


def test_cname_question_nxdomain_header_needs_a_proof_for_the_target(fast: Backend) -> None:
    """Asked for CNAME, an NXDOMAIN header speaks of the target (RFC 6604 §2); without a
    signed proof for the target in the response it is not believed."""
    wanted = dns.name.from_text("alias.secure.test.")

    def nxdomain(query: Query, wire: bytes) -> bytes:
        message = dns.message.from_wire(wire)
        if query.name == wanted:
            message.set_rcode(dns.rcode.NXDOMAIN)
        return message.to_wire(max_size=65535)

    result = ask("alias.secure.test.", "CNAME", fast, transport=lab(nxdomain))
    assert (result.status, result.rcode) == (Status.SECURE, 0)
