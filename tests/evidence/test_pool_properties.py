"""Properties of offline validation from a pool (issue 9): it can fail, never mislead.

The pool only selects records; every check stays in the engine.  So for any part of a demo
case's recorded records, and for any single changed octet in them, ``validate_pool`` either
reaches a verdict that is not secure, or a secure verdict with exactly the answer and rcode
the complete, unchanged records gave — never a different "secure" answer — and it never
raises.  Derandomized (the same examples in every CI run).
"""

from __future__ import annotations

from functools import cache

import dns.name
import dns.rdatatype
from hypothesis import given, settings
from hypothesis import strategies as st

from dnssec_core.chain.engine import Result, Validator
from dnssec_core.chain.types import LookupFailure, Query
from dnssec_core.crypto import get_backend
from dnssec_core.dnssec.records import RRSIG
from dnssec_core.evidence.pool import PoolTransport, validate_pool
from dnssec_core.verdict import Status
from dnssec_core.wire.canonical import canonical_rrset
from dnssec_core.wire.message import Response, SignedRRset
from dnssec_core.wire.name import canonical_key
from dnssec_core.wire.rrset import RRset
from tests.chain.lab import NOW, anchors, world
from tests.evidence.test_pool import online
from tests.support.fuzzprofile import PROFILE

FAST = get_backend("fast")
CASES = [(c["qname"], c["qtype"]) for c in world()["cases"]]


@cache
def recorded(index: int) -> tuple[Result, tuple[SignedRRset, ...]]:
    qname, qtype = CASES[index]
    result, recording = online(dns.name.from_text(qname), dns.rdatatype.from_text(qtype), FAST)
    return result, tuple(recording.rrsets)


def again(index: int, pool: list[SignedRRset]) -> Result:
    qname, qtype = CASES[index]
    return validate_pool(pool, dns.name.from_text(qname), dns.rdatatype.from_text(qtype),
                         validator=Validator(anchors(), backend=FAST), now=NOW)


def same_answer(a: Result, b: Result) -> bool:
    """Same rcode and the same RRsets in canonical form (RFC 4034 §6: what a signature covers;
    the case of a name inside SOA/NS/CNAME... RDATA is not signed, RFC 4034 §6.2)."""
    def canonical(result: Result) -> list[tuple[tuple[bytes, ...], int, list[bytes]]]:
        return [(canonical_key(s.owner), s.rdtype, canonical_rrset(s.rdtype, s.rrset.rdatas))
                for s in result.answer]

    return a.rcode == b.rcode and canonical(a) == canonical(b)


@settings(PROFILE)
@given(index=st.integers(0, len(CASES) - 1), keep=st.lists(st.booleans(), max_size=40))
def test_part_of_the_records_is_secure_only_for_the_same_answer(index: int,
                                                                keep: list[bool]) -> None:
    full, rrsets = recorded(index)
    pool = [s for i, s in enumerate(rrsets) if i >= len(keep) or keep[i]]
    result = again(index, pool)
    if result.status is Status.SECURE:
        assert full.status is Status.SECURE and same_answer(full, result)


def _change(signed: SignedRRset, where: int, position: int, value: int) -> SignedRRset:
    """One octet of one RDATA (or of one RRSIG's signature) set to ``value``."""
    rdatas = list(signed.rrset.rdatas)
    if where < len(rdatas) and rdatas[where]:
        data = bytearray(rdatas[where])
        data[position % len(data)] = value
        rdatas[where] = bytes(data)
        rrset = signed.rrset
        return SignedRRset(RRset(rrset.owner, rrset.rdtype, rrset.rdclass, rrset.ttl,
                                 tuple(rdatas)), signed.rrsigs)
    if signed.rrsigs:
        sig = signed.rrsigs[where % len(signed.rrsigs)]
        data = bytearray(sig.signature)
        data[position % len(data)] = value
        changed = RRSIG(sig.type_covered, sig.algorithm, sig.labels, sig.original_ttl,
                        sig.expiration, sig.inception, sig.key_tag, sig.signer, bytes(data),
                        sig.signed_prefix)
        others = tuple(s for s in signed.rrsigs if s is not sig)
        return SignedRRset(signed.rrset, (changed, *others))
    return signed


@settings(PROFILE)
@given(index=st.integers(0, len(CASES) - 1), pick=st.integers(0, 1000),
       where=st.integers(0, 3), position=st.integers(0, 1000), value=st.integers(0, 255))
def test_one_changed_octet_is_secure_only_for_the_same_answer(
        index: int, pick: int, where: int, position: int, value: int) -> None:
    full, rrsets = recorded(index)
    pool = list(rrsets)
    if not pool:
        return
    target = pick % len(pool)
    pool[target] = _change(pool[target], where, position, value)
    result = again(index, pool)
    if result.status is Status.SECURE:
        assert full.status is Status.SECURE and same_answer(full, result)


QTYPES = st.sampled_from([1, 2, 5, 6, 15, 16, 28, 39, 43, 46, 47, 48, 50, 255, 257])
NAMES = st.lists(st.sampled_from([b"www", b"*", b"secure", b"test", b"wild", b"host", b"a" * 63,
                                  b"hashed", b"nosuch", b"dname", b"sub"]),
                 max_size=3).map(lambda labels: dns.name.Name((*labels, b"")))


@settings(PROFILE)
@given(index=st.integers(0, len(CASES) - 1), name=NAMES, rdtype=QTYPES)
def test_the_pool_answers_any_question_without_raising(index: int, name: dns.name.Name,
                                                       rdtype: int) -> None:
    _, rrsets = recorded(index)
    answer = PoolTransport(list(rrsets)).ask(Query(name, rdtype))
    assert isinstance(answer, (Response, LookupFailure))
    if isinstance(answer, Response):
        assert answer.qname == name and answer.qtype == rdtype


def test_qtype_any_gets_every_rrset_at_the_name() -> None:
    www = dns.name.from_text("www.secure.test.")
    pool = [*recorded(CASES.index(("www.secure.test.", "A")))[1],
            *recorded(CASES.index(("www.secure.test.", "AAAA")))[1]]
    answer = PoolTransport(pool).ask(Query(www, 255))
    assert isinstance(answer, Response)
    assert sorted(s.rdtype for s in answer.answer) == [1, 28]
    result = validate_pool(pool, www, 255, validator=Validator(anchors(), backend=FAST), now=NOW)
    assert result.status is Status.SECURE
    assert sorted(s.rdtype for s in result.answer) == [1, 28]


def _nsec3(zone: str, iterations: int, salt: bytes, owner_hash: bytes = b"\x00" * 20
           ) -> SignedRRset:
    """An unsigned NSEC3 (the pool does not check signatures; the engine would)."""
    from dnssec_core.dnssec.denial.nsec3 import b32hex_encode

    owner = dns.name.from_text(f"{b32hex_encode(owner_hash)}.{zone}")
    rdata = (bytes((1, 0)) + iterations.to_bytes(2, "big") + bytes((len(salt),)) + salt
             + bytes((20,)) + b"\xff" * 20)  # covers every hash above the owner's
    return SignedRRset(RRset(owner, 50, 1, 300, (rdata,)))


def _soa(zone: str) -> SignedRRset:
    return SignedRRset(RRset(dns.name.from_text(zone), 6, 1, 300, (
        b"\x00\x00" + bytes(20),)))


def test_nsec3_selection_is_bounded_by_the_hash_budget_SEC_LIM_03() -> None:
    from dnssec_core import limits

    deep = dns.name.from_text(".".join(["a"] * 120) + ".z.")
    one = PoolTransport([_soa("z."), _nsec3("z.", 0, b"")])
    assert isinstance(one.ask(Query(deep, 1)), Response)  # 120 ancestors: within 128 hashes
    two = PoolTransport([_soa("z."), _nsec3("z.", 0, b""), _nsec3("z.", 1, b"\x01")])
    answer = two.ask(Query(deep, 1))
    assert isinstance(answer, LookupFailure)
    assert f"more than {limits.NSEC3_HASHES_PER_RESPONSE} hashes" in answer.detail


def test_nsec3_over_the_bogus_cap_is_offered_unhashed() -> None:
    from dnssec_core import limits

    over = _nsec3("z.", limits.NSEC3_ITERATIONS_BOGUS + 1, b"")
    answer = PoolTransport([_soa("z."), over]).ask(Query(dns.name.from_text("x.z."), 1))
    assert isinstance(answer, Response)
    assert [s.rdtype for s in answer.authority] == [6, 50]


LABELS = st.sampled_from([b"a", b"b", b"*", b"z", b"A", b"x" * 63, b"\x00", b"-"])
RANDOM_NAMES = st.lists(LABELS, max_size=3).map(lambda ls: dns.name.Name((*ls, b"z", b"")))


@st.composite
def random_rrsets(draw: st.DrawFn) -> SignedRRset:
    """Unsigned records of the types the pool interprets, with arbitrary (even nonsense)
    content: NSEC, NSEC3, DNAME, CNAME, SOA, DNSKEY, DS, A."""
    owner = draw(RANDOM_NAMES)
    rdtype = draw(st.sampled_from([47, 50, 39, 5, 6, 48, 43, 1]))
    if rdtype in (47, 39, 5):
        target = draw(RANDOM_NAMES)
        target_wire = target.to_wire()
        assert target_wire is not None  # no file given: dnspython returns the octets
        rdata = target_wire + (draw(st.binary(max_size=6)) if rdtype == 47 else b"")
    elif rdtype == 50:
        from dnssec_core.dnssec.denial.nsec3 import b32hex_encode

        owner = dns.name.Name((b32hex_encode(draw(st.binary(min_size=20, max_size=20))).encode(),
                               *draw(RANDOM_NAMES).labels))
        salt = draw(st.binary(max_size=4))
        rdata = (bytes((1, draw(st.sampled_from([0, 1, 2])), 0, draw(st.integers(0, 3)),
                        len(salt))) + salt + b"\x14" + draw(st.binary(min_size=20, max_size=20))
                 + draw(st.sampled_from([b"", b"\x00\x01\x40", b"\x00\x02\x20\x00"])))
    else:
        rdata = draw(st.binary(max_size=24))
    return SignedRRset(RRset(owner, rdtype, 1, 300, (rdata,)))


@settings(PROFILE)
@given(pool=st.lists(random_rrsets(), max_size=12), name=RANDOM_NAMES,
       rdtype=st.sampled_from([1, 5, 6, 39, 43, 48, 255]))
def test_arbitrary_pools_are_answered_without_internal_errors(
        pool: list[SignedRRset], name: dns.name.Name, rdtype: int) -> None:
    from dnssec_core.chain.types import FailureKind

    answer = PoolTransport(pool).ask(Query(name, rdtype))
    assert not (isinstance(answer, LookupFailure) and answer.kind is FailureKind.MALFORMED), (
        answer.detail)
    if isinstance(answer, Response):
        assert len(answer.authority) <= 33
