"""Offline re-validation from a pool of records (issue 9): the demo world reproduced.

Every query case of the demo world (vectors/demo/world.json) is resolved online against the
in-process lab (the Responder behind the same wire parser as the network) through a recording
transport that keeps every RRset of the answer and authority sections; then the *unchanged*
engine re-validates the question from those records alone (``validate_pool``, no sockets) with
a fresh validator, and must reach the same verdict: status, rcode, reason, EDE, answer, and
even the same questions and chain.  The same for each CAA lookup of the world's CAA climbs
(RFC 8659 §3).  Also through the RFC 9102 chain codec: decode(encode(records)).
"""

from __future__ import annotations

from typing import Any

import dns.name
import dns.rdatatype
import pytest
from dns.name import Name

from dnssec_core.caa.domain import parse_domain
from dnssec_core.caa.records import CAA_TYPE
from dnssec_core.caa.search import climb, usable
from dnssec_core.chain.engine import Result, Validator
from dnssec_core.chain.types import Answer, FailureKind, LookupFailure, Query
from dnssec_core.crypto import Backend
from dnssec_core.driver import resolve
from dnssec_core.evidence.chain import decode_chain, encode_chain
from dnssec_core.evidence.pool import PoolTransport, validate_pool
from dnssec_core.verdict import Reason, Status
from dnssec_core.wire.message import Rcode, Response, SignedRRset
from dnssec_core.wire.name import canonical_key
from tests.chain.lab import NOW, anchors, lab, world

COMPARED = ("status", "rcode", "reason", "ede", "answer", "chain", "queries")


class Recording:
    """Wraps a transport; keeps every answer/authority RRset and each response's rcode."""

    def __init__(self) -> None:
        self.inner = lab()
        self.rrsets: list[SignedRRset] = []
        self.rcodes: dict[Query, int] = {}

    def ask(self, query: Query) -> Answer:
        answer = self.inner.ask(query)
        if isinstance(answer, Response):
            self.rrsets += [*answer.answer, *answer.authority]
            self.rcodes[query] = answer.rcode
        return answer


def distinct(rrsets: list[SignedRRset]) -> list[SignedRRset]:
    """The recorded RRsets without repeats (a chain holds each RRset once)."""
    out: list[SignedRRset] = []
    seen: set[tuple[tuple[bytes, ...], int, tuple[bytes, ...], tuple[bytes, ...]]] = set()
    for signed in rrsets:
        key = (canonical_key(signed.owner), signed.rdtype, signed.rrset.rdatas,
               tuple(s.signature for s in signed.rrsigs))
        if key not in seen:
            seen.add(key)
            out.append(signed)
    return out


def online(qname: Name, qtype: int, backend: Backend) -> tuple[Result, Recording]:
    recording = Recording()
    result = resolve(Validator(anchors(), backend=backend), recording, qname, qtype, now=NOW)
    return result, recording


def offline(rrsets: list[SignedRRset] | tuple[SignedRRset, ...], qname: Name, qtype: int,
            backend: Backend, hints: dict[Query, int] | None) -> Result:
    return validate_pool(rrsets, qname, qtype, validator=Validator(anchors(), backend=backend),
                         now=NOW, rcode_hints=hints)


def differences(a: Result, b: Result) -> dict[str, Any]:
    left, right = a.as_json(), b.as_json()
    return {key: (left[key], right[key]) for key in COMPARED if left[key] != right[key]}


CASES = [(c["qname"], c["qtype"]) for c in world()["cases"]]


def caa_lookups() -> list[str]:
    """Every CAA lookup of every CAA case's climb, as the search makes them: from the start
    name up, stopping at a non-empty RRset or an unusable verdict (resolved once to know)."""
    from dnssec_core.crypto import get_backend

    names: list[str] = []
    backend = get_backend("fast")
    for case in world()["caa_cases"]:
        for name in climb(parse_domain(case["domain"]).name):
            names.append(name.to_text())
            result, _ = online(name, CAA_TYPE, backend)
            if not usable(result.verdict) or any(s.rdtype == CAA_TYPE for s in result.answer):
                break
    return names


CAA_LOOKUPS = caa_lookups()


def test_every_case_is_counted() -> None:
    assert len(CASES) == 43
    assert len(world()["caa_cases"]) == 21
    assert len(CAA_LOOKUPS) == 37


@pytest.mark.parametrize(("qname", "qtype"), CASES, ids=[f"{n}/{t}" for n, t in CASES])
def test_demo_case_reproduced_offline_from_its_records_BR_LOG_03(qname: str, qtype: str,
                                                       backend: Backend) -> None:
    """With each backend (fast, pure, cross) online and offline."""
    # Requirement trace: this test also proves VAL-STAT-06.
    name, rdtype = dns.name.from_text(qname), dns.rdatatype.from_text(qtype)
    result, recording = online(name, rdtype, backend)
    again = offline(recording.rrsets, name, rdtype, backend, recording.rcodes)
    assert differences(result, again) == {}
    through_chain = decode_chain(encode_chain(distinct(recording.rrsets)))
    assert differences(result, offline(through_chain, name, rdtype, backend,
                                       recording.rcodes)) == {}
    case = next(c for c in world()["cases"] if c["qname"] == qname and c["qtype"] == qtype)
    assert again.as_json()["status"] == case["expect_status"]
    assert again.as_json()["rcode"] == case["expect_rcode"]


@pytest.mark.parametrize("qname", CAA_LOOKUPS)
def test_caa_lookup_reproduced_offline_from_its_records_BR_LOG_03(qname: str,
                                                                  fast: Backend) -> None:
    name = dns.name.from_text(qname)
    result, recording = online(name, CAA_TYPE, fast)
    through_chain = decode_chain(encode_chain(distinct(recording.rrsets)))
    assert differences(result, offline(through_chain, name, CAA_TYPE, fast,
                                       recording.rcodes)) == {}


def test_without_rcode_hints_every_case_is_still_reproduced(fast: Backend) -> None:
    """The hints only restore what the original server said where no signed record decides;
    in the demo world the pool's own rule (NODATA in an unsigned zone; in an Opt-Out span
    NOERROR only if the pool holds a record at or below the name) gets every case right."""
    for qname, qtype in [*CASES, *((n, "CAA") for n in CAA_LOOKUPS)]:
        name, rdtype = dns.name.from_text(qname), dns.rdatatype.from_text(qtype)
        result, recording = online(name, rdtype, fast)
        assert differences(result, offline(recording.rrsets, name, rdtype, fast, None)) == {}


#: Where a wrong rcode cannot be caught because the answer is insecure, so no signed record is
#: checked against it: nosuch.test. (next closer name in test.'s Opt-Out span), the NSEC3 of
#: iter200.test. (over the iteration cap, EDE 27), and the CAA lookups in unsigned zones and in
#: unsupported.test. (only an unsupported algorithm, EDE 1).  Everywhere else the engine
#: refuses the wrong rcode (bogus).
UNPROVABLE = ["nosuch.test./A", "nosuch.iter200.test./A", "to-insecure.secure.test./CAA",
              "www.insecure.test./CAA", "www.insecure.test./CAA", "www.unsigned.test./CAA",
              "unsigned.test./CAA", "www.unsupported.test./CAA", "unsupported.test./CAA",
              "www.iter200.test./CAA"]


def test_wrong_rcode_hints_never_make_anything_secure(fast: Backend) -> None:
    """Every hint inverted (NOERROR <-> NXDOMAIN): where the records decide, the engine refuses
    the wrong rcode (bogus) or reports what the records prove (the same verdict as online);
    where they do not, the answer stays insecure with the rcode changed — never secure."""
    unprovable, negative = [], 0
    for qname, qtype in [*CASES, *((n, "CAA") for n in CAA_LOOKUPS)]:
        name, rdtype = dns.name.from_text(qname), dns.rdatatype.from_text(qtype)
        result, recording = online(name, rdtype, fast)
        wrong = {q: int(Rcode.NOERROR if r == Rcode.NXDOMAIN else Rcode.NXDOMAIN)
                 for q, r in recording.rcodes.items()}
        negative += not result.answer
        again = offline(recording.rrsets, name, rdtype, fast, wrong)
        diff = differences(result, again)
        if again.status is Status.SECURE:
            assert diff == {}, (qname, qtype, diff)
        elif set(diff) == {"rcode"}:
            assert result.status is Status.INSECURE and again.status is Status.INSECURE
            unprovable.append(f"{qname}/{qtype}")
        elif diff:
            assert again.status in (Status.BOGUS, Status.INDETERMINATE), (qname, qtype, diff)
    assert set(unprovable) <= set(UNPROVABLE)
    assert "nosuch.test./A" in unprovable  # the Opt-Out NXDOMAIN: a wrong hint shows
    assert negative >= 20  # the world's negative answers were all exercised


# -- what the pool answers --------------------------------------------------------------------


def test_an_empty_pool_is_not_in_the_evidence(fast: Backend) -> None:
    answer = PoolTransport([]).ask(Query(dns.name.root, 48))
    assert isinstance(answer, LookupFailure)
    assert answer.kind is FailureKind.LAME
    assert answer.detail.startswith("not in the evidence")
    result = offline([], dns.name.from_text("www.secure.test."), 1, fast, None)
    assert result.status is Status.INDETERMINATE
    assert result.verdict.reason is Reason.LOOKUP_FAILED
    assert "not in the evidence" in result.verdict.detail


def test_a_missing_rrset_is_not_secure(fast: Backend) -> None:
    name = dns.name.from_text("www.secure.test.")
    result, recording = online(name, 1, fast)
    assert result.status is Status.SECURE
    for rdtype in (48, 43, 1):  # without any DNSKEY, any DS, or the answer
        pool = [s for s in recording.rrsets if s.rdtype != rdtype]
        assert offline(pool, name, 1, fast, None).status is not Status.SECURE


def test_dname_answer_carries_the_synthesised_cname(fast: Backend) -> None:
    name = dns.name.from_text("www.dname.secure.test.")
    _, recording = online(name, 1, fast)
    pool = [s for s in recording.rrsets if not (s.rdtype == 5 and not s.rrsigs)]
    answer = PoolTransport(pool).ask(Query(name, 1))
    assert isinstance(answer, Response) and answer.rcode == Rcode.NOERROR
    dname, cname = answer.answer
    assert dname.rdtype == 39 and dname.rrsigs
    assert cname.rdtype == 5 and not cname.rrsigs
    assert cname.rrset.rdatas == (dns.name.from_text("www.ed.test.").to_wire(),)
    assert offline(pool, name, 1, fast, None).status is Status.SECURE


def test_wildcard_answer_comes_with_its_no_closer_match_proof() -> None:
    from dnssec_core.crypto import get_backend

    name = dns.name.from_text("host.wild.secure.test.")
    _, recording = online(name, 1, get_backend("fast"))
    answer = PoolTransport(recording.rrsets).ask(Query(name, 1))
    assert isinstance(answer, Response) and answer.rcode == Rcode.NOERROR
    assert [s.rdtype for s in answer.authority] == [47]  # the NSEC covering the name


def test_ds_question_is_answered_by_the_parent_side() -> None:
    from dnssec_core.crypto import get_backend

    _, recording = online(dns.name.from_text("www.unsigned.test."), 1, get_backend("fast"))
    pool = PoolTransport(recording.rrsets)
    answer = pool.ask(Query(dns.name.from_text("unsigned.test."), 43))
    assert isinstance(answer, Response) and answer.rcode == Rcode.NOERROR  # NSEC3 match
    assert {s.rdtype for s in answer.authority} >= {50}
    test_zone = dns.name.from_text("test.")
    assert all(s.signer == test_zone for s in answer.authority if s.rdtype == 50)
