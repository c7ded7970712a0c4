"""An NXDOMAIN header whose signed records prove the name exists (Unbound replay:
val_nodata_entnx).  The header is unsigned; the answer reported is the one the validated
records support: NODATA when they prove it, bogus when they prove neither."""

from __future__ import annotations

from collections.abc import Callable

import dns.message
import dns.name
import dns.rcode
import dns.rrset

from dnssec_core.auth.responder import Responder
from dnssec_core.chain.types import Query
from dnssec_core.crypto import Backend
from dnssec_core.verdict import Status
from tests.chain.lab import ask, lab, zones


def nxdomain_with_txt_nodata_proof(qname: str) -> Callable[[Query, bytes], bytes]:
    """The name's own TXT NODATA (NSEC/NSEC3 at the name, signed), sent as NXDOMAIN."""
    wanted = dns.name.from_text(qname)
    responder = Responder(zones())

    def tamper(query: Query, wire: bytes) -> bytes:
        if query.name != wanted:
            return wire
        original = dns.message.from_wire(wire)
        nodata = responder.answer(dns.message.make_query(wanted, "TXT", want_dnssec=True))
        assert not nodata.answer and nodata.authority
        nodata.question = original.question
        nodata.set_rcode(dns.rcode.NXDOMAIN)
        return nodata.to_wire(max_size=65535)

    return tamper


def test_nxdomain_header_with_a_nodata_proof_is_nodata(fast: Backend) -> None:
    result = ask("www.secure.test.", "MX", fast,
                 transport=lab(nxdomain_with_txt_nodata_proof("www.secure.test.")))
    assert (result.status, result.rcode, result.answer) == (Status.SECURE, 0, [])


def test_nxdomain_header_for_existing_data_stays_bogus(fast: Backend) -> None:
    """The same records sent for a type the name has (A): they prove neither."""
    for name in ("www.secure.test.", "www.hashed.test."):
        result = ask(name, "A", fast, transport=lab(nxdomain_with_txt_nodata_proof(name)))
        assert result.status is Status.BOGUS, (name, result.verdict)
