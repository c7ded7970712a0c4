"""Hypothesis properties of the proof checker (bounded example counts).

1. Soundness and completeness against an oracle: for a random small zone (no delegations), the
   checker given the zone's *whole* NSEC or NSEC3 chain proves NXDOMAIN exactly when the name
   does not exist and no wildcard applies, and NODATA exactly when the name (or the wildcard
   that applies) exists without the type or a CNAME.  (NSEC-02..-09, NSEC3-05..-09)
2. Robustness: random bytes as NSEC/NSEC3 RDATA and random owner names never make an exception
   escape and never give ``secure`` unless the records really prove it.
"""

from __future__ import annotations

import dns.exception
import dns.name
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dnssec_core.dnssec.denial import prove_nodata, prove_nxdomain, prove_wildcard_answer
from dnssec_core.verdict import Status
from dnssec_core.wire.name import canonical_key
from dnssec_core.wire.rrset import RRset
from tests.dnssec.denial.build import (
    APEX,
    CNAME,
    MX,
    NS,
    NSEC,
    NSEC3,
    SOA,
    TXT,
    A,
    ZoneModel,
    nsec3_chain,
    nsec_chain,
)

LABELS = st.sampled_from(["a", "b", "*", "0", "zz"])
RELATIVE = st.lists(LABELS, min_size=1, max_size=3).map(".".join)
TYPESETS = st.sampled_from([{A}, {A, MX}, {TXT}, {CNAME}, {MX, TXT}])
ZONES = st.dictionaries(RELATIVE, TYPESETS, min_size=1, max_size=6)
QTYPES = st.sampled_from([A, MX, TXT, CNAME])
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def wildcard_types(model: ZoneModel, qname: dns.name.Name) -> frozenset[int] | None:
    """Types at the wildcard that applies to a name that does not exist; None when there is
    none.  An empty non-terminal wildcard applies with no types (RFC 4592)."""
    wildcard = dns.name.Name((b"*", *model.closest_encloser(qname).labels))
    if canonical_key(wildcard) not in model.existing():
        return None
    return model.types(wildcard) or frozenset()


def truth_nxdomain(model: ZoneModel, qname: dns.name.Name) -> bool:
    if canonical_key(qname) in model.existing():
        return False
    return wildcard_types(model, qname) is None


def truth_nodata(model: ZoneModel, qname: dns.name.Name, qtype: int) -> bool:
    existing = model.existing()
    if canonical_key(qname) in existing:
        types = model.types(qname) or frozenset()
    else:
        wild = wildcard_types(model, qname)
        if wild is None:
            return False
        types = wild
    return qtype not in types and CNAME not in types


def chains(model: ZoneModel, salt: bytes) -> list[list[RRset]]:
    return [nsec_chain(model), nsec3_chain(model, salt=salt)]


@SETTINGS
@given(ZONES, RELATIVE, QTYPES, st.binary(max_size=4))
def test_proofs_match_the_oracle_property_NSEC_04_NSEC3_06(
        names: dict[str, set[int]], query: str, qtype: int, salt: bytes) -> None:
    model = ZoneModel.of(APEX, {"@": {SOA, NS}, **names})
    qname = dns.name.from_text(query, APEX)
    for chain in chains(model, salt):
        assume(len(chain) <= 32)
        nx = prove_nxdomain(qname, chain, signer=APEX, verify=None)
        assert (nx.status is Status.SECURE) == truth_nxdomain(model, qname), (query, nx)
        nodata = prove_nodata(qname, qtype, chain, signer=APEX, verify=None)
        assert (nodata.status is Status.SECURE) == truth_nodata(model, qname, qtype), (
            query, qtype, nodata)
        assert nx.status in (Status.SECURE, Status.BOGUS)
        assert nodata.status in (Status.SECURE, Status.BOGUS)


@SETTINGS
@given(ZONES, RELATIVE, st.binary(max_size=4))
def test_wildcard_answers_match_the_oracle_property_NSEC_06_NSEC3_10(
        names: dict[str, set[int]], query: str, salt: bytes) -> None:
    """A wildcard answer is proven exactly when QNAME does not exist and *.<ce> does."""
    # Requirement trace: this test also proves VAL-WILD-02.
    model = ZoneModel.of(APEX, {"@": {SOA, NS}, **names})
    qname = dns.name.from_text(query, APEX)
    assume(canonical_key(qname) not in model.existing())
    ce = model.closest_encloser(qname)
    labels = len(ce.labels) - 1
    applies = bool(wildcard_types(model, qname))  # an empty wildcard synthesises nothing
    for chain in chains(model, salt):
        assume(len(chain) <= 32)
        denial = prove_wildcard_answer(qname, labels, chain, signer=APEX, verify=None)
        if applies:
            assert denial.status is Status.SECURE, (query, denial)
        # A claimed synthesis from a shorter wildcard than the closest encloser's never holds.
        if labels > 1:
            shorter = prove_wildcard_answer(qname, labels - 1, chain, signer=APEX, verify=None)
            assert shorter.status is not Status.SECURE, (query, shorter)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([NSEC, NSEC3]), st.binary(max_size=80),
                          st.lists(st.binary(min_size=1, max_size=40), max_size=3)),
                max_size=6),
       RELATIVE, QTYPES)
def test_random_records_never_raise_property(records: list[tuple[int, bytes, list[bytes]]],
                                             query: str, qtype: int) -> None:
    authority = []
    for rdtype, rdata, labels in records:
        try:
            owner = dns.name.Name((*labels, *APEX.labels))
        except dns.exception.DNSException:
            continue
        authority.append(RRset(owner, rdtype, 1, 3600, (rdata,)))
    qname = dns.name.from_text(query, APEX)
    for denial in (prove_nxdomain(qname, authority, signer=APEX, verify=None),
                   prove_nodata(qname, qtype, authority, signer=APEX, verify=None)):
        assert denial.status in (Status.BOGUS, Status.SECURE, Status.INSECURE,
                                 Status.INDETERMINATE)
        assert denial.verdict.reason.value != "internal-error"
