"""Question types that change what the answer is: ANY and CNAME (VAL-CNAME-01/02).

QTYPE ANY matches a CNAME itself (RFC 1034 §3.6.2, §4.3.2 step 3a): the CNAME is the answer
and is not followed.  Asked for CNAME below a DNAME, the DNAME and its synthesised CNAME are
the answer (RFC 6672 §3.4), the target is not followed either.
"""

from __future__ import annotations

import dns.name

from dnssec_core.crypto import Backend
from dnssec_core.verdict import Status
from tests.chain.lab import ask, lab

CNAME, DNAME = 5, 39


def test_any_at_a_cname_is_the_cname_not_chased(fast: Backend) -> None:
    transport = lab()
    result = ask("alias.secure.test.", "ANY", fast, transport=transport)
    assert result.status is Status.SECURE
    assert [s.rrset.rdtype for s in result.answer] == [CNAME]
    assert not any(q.name.to_text() == "www.secure.test." for q in transport.asked)


def test_cname_question_below_a_dname_is_answered_by_the_dname(fast: Backend) -> None:
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
