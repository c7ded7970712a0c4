"""The Validator's answer cache (issue 5): results reused until the data they rest on expires
(VAL-TTL-02, RFC 2308 §5), bogus ones briefly and apart, indeterminate ones never; bounded
and per Validator (BR-MPIC-03)."""

from __future__ import annotations

import dns.message
import dns.name
import dns.rdatatype
import dns.rrset
import pytest

from dnssec_core import limits
from dnssec_core.caa.check import check_batch
from dnssec_core.chain.cache import MAX_CACHE_SECONDS, AnswerCache, Lifetime
from dnssec_core.chain.engine import Result, Validator
from dnssec_core.chain.types import FailureKind, LookupFailure, Query
from dnssec_core.crypto import Backend
from dnssec_core.dnssec.records import RRSIG
from dnssec_core.timeutil import parse_time
from dnssec_core.verdict import Status
from dnssec_core.wire.message import SignedRRset
from dnssec_core.wire.name import canonical_key
from dnssec_core.wire.rrset import RRset
from tests.caa.test_batch import Counting, domains
from tests.chain.lab import NOW, anchors, ask, lab, world
from tests.chain.test_engine import rewrite

WWW = "www.secure.test."
#: The demo world's signatures (every zone but expired./notyet.) end here.
SIG_END = parse_time(world()["validity"]["expiration"])


def expiry(validator: Validator, name: str, rdtype: str, now: int) -> int:
    """The cached entry's expiry (the test reads it to probe just before and at it)."""
    assert validator.answers is not None
    hit = validator.answers.get(
        (canonical_key(dns.name.from_text(name)), dns.rdatatype.from_text(rdtype)), now)
    assert hit is not None, f"{name} {rdtype} not cached"
    return hit[2]


def same(a: Result, b: Result) -> None:
    assert (a.verdict, a.rcode, a.answer, a.chain) == (b.verdict, b.rcode, b.answer, b.chain)


def test_hit_within_ttl_asks_nothing_and_says_so(fast: Backend) -> None:
    validator = Validator(anchors(), backend=fast)
    first = ask(WWW, "A", fast, validator=validator)
    assert first.status is Status.SECURE and first.queries > 0
    again = ask(WWW, "A", fast, validator=validator, now=NOW + 10)
    assert again.queries == 0
    same(first, ask(WWW, "A", fast, validator=validator, now=NOW))  # served at once: equal
    assert (again.verdict, again.rcode, again.chain) == (first.verdict, first.rcode, first.chain)
    assert len(again.trace) == 1 and "answer cache" in again.trace[0]
    # the same records, their TTLs counted down by the 10 s spent in the cache (RFC 1035)
    assert [(a.rrset.rdatas, a.rrsigs) for a in again.answer] == [
        (a.rrset.rdatas, a.rrsigs) for a in first.answer]
    assert [a.rrset.ttl for a in again.answer] == [a.rrset.ttl - 10 for a in first.answer]
    # a copy: changing what the caller got does not change the cache
    again.answer.clear()
    assert ask(WWW, "A", fast, validator=validator, now=NOW).answer == first.answer
    # never served to a resolution at a time before the one it was validated at
    assert ask(WWW, "A", fast, validator=validator, now=NOW - 1).queries > 0


def test_ttl_driven_expiry_VAL_TTL_02(fast: Backend) -> None:
    """All RRsets and keys of secure.test. have TTL 3600 and signatures valid for decades:
    the entry lives exactly 3600 s; it is served one second before and never at its end."""
    validator = Validator(anchors(), backend=fast)
    first = ask(WWW, "A", fast, validator=validator)
    assert first.answer[0].rrset.ttl == 3600
    until = expiry(validator, WWW, "A", NOW)
    assert until == NOW + 3600
    last = ask(WWW, "A", fast, validator=validator, now=until - 1)
    assert last.queries == 0 and last.answer[0].rrset.ttl == 1  # one second left
    at_end = ask(WWW, "A", fast, validator=validator, now=until)
    assert at_end.queries > 0 and at_end.status is Status.SECURE


def test_signature_expiration_driven_expiry_VAL_TTL_02(fast: Backend) -> None:
    """100 s before the RRSIGs expire the TTL (3600) no longer decides: the entry ends when
    the signatures do (RFC 4035 §5.3.3)."""
    now = SIG_END - 100
    validator = Validator(anchors(), backend=fast)
    assert ask(WWW, "A", fast, validator=validator, now=now).status is Status.SECURE
    until = expiry(validator, WWW, "A", now)
    assert until == SIG_END
    assert ask(WWW, "A", fast, validator=validator, now=SIG_END - 1).queries == 0
    assert ask(WWW, "A", fast, validator=validator, now=SIG_END).queries > 0
    late = ask(WWW, "A", fast, validator=validator, now=SIG_END + 1)
    assert late.queries > 0 and late.status is Status.BOGUS  # expired: validated afresh


def test_negative_answer_cached_for_rfc2308_ttl(fast: Backend) -> None:
    """NXDOMAIN in secure.test. (SOA TTL 3600, SOA MINIMUM 300): cached 300 s."""
    validator = Validator(anchors(), backend=fast)
    name = "nosuch.secure.test."
    first = ask(name, "A", fast, validator=validator)
    assert (first.status, first.as_json()["rcode"]) == (Status.SECURE, "NXDOMAIN")
    assert expiry(validator, name, "A", NOW) == NOW + 300
    hit = ask(name, "A", fast, validator=validator, now=NOW + 299)
    assert hit.queries == 0
    same(first, hit)  # nothing in the answer section to age
    assert ask(name, "A", fast, validator=validator, now=NOW + 300).queries > 0
    nodata = ask(WWW, "TXT", fast, validator=validator)
    assert nodata.status is Status.SECURE and nodata.answer == []
    assert expiry(validator, WWW, "TXT", NOW) == NOW + 300


def test_lifetime_negative_ttl_is_min_of_soa_ttl_and_minimum_RFC2308() -> None:
    """Proves NSEC-13 (requirement trace)."""
    soa_rdata = b"\x02ns\x00\x02hm\x00" + (1).to_bytes(4, "big") * 4 + (300).to_bytes(4, "big")
    soa = SignedRRset(RRset(dns.name.from_text("z."), 6, 1, 3600, (soa_rdata,)))
    lifetime = Lifetime(NOW)
    lifetime.negative(soa)
    assert (lifetime.cacheable, lifetime.until) == (True, NOW + 300)
    short = Lifetime(NOW)
    short.negative(SignedRRset(RRset(soa.owner, 6, 1, 60, (soa_rdata,))))
    assert short.until == NOW + 60
    without = Lifetime(NOW)
    without.negative(None)  # RFC 2308 §5: no SOA, no negative caching
    assert without.cacheable is False


def _signed(ttl: int, original_ttl: int, expiration: int) -> SignedRRset:
    owner = dns.name.from_text("www.z.")
    sig = RRSIG(1, 13, 2, original_ttl, expiration, 0, 1, dns.name.from_text("z."), b"s", b"")
    return SignedRRset(RRset(owner, 1, 1, ttl, (b"\x01\x02\x03\x04",)), (sig,))


def test_huge_ttl_never_outlives_the_signatures_VAL_TTL_02() -> None:
    huge = 2**31 - 1
    lifetime = Lifetime(NOW)
    lifetime.rrset(_signed(huge, huge, NOW + 500))
    assert lifetime.until == NOW + 500
    # RFC 1982: an expiration past the 32-bit wrap is still 500 s ahead
    wrap_now = (1 << 32) - 200
    wrapped = Lifetime(wrap_now)
    wrapped.rrset(_signed(huge, huge, 300))
    assert wrapped.until == wrap_now + 500
    capped = Lifetime(NOW)
    capped.rrset(_signed(huge, huge, NOW + 10 * MAX_CACHE_SECONDS))
    assert capped.until == NOW + MAX_CACHE_SECONDS


def test_huge_ttl_answer_through_the_engine(fast: Backend) -> None:
    """A server that inflates the answer's TTL cannot stretch the entry past the signatures'
    expiration (the RRSIG Original TTL is 3600 here, so the entry ends when they do)."""
    def inflate(message: dns.message.Message) -> None:
        for rrset in message.answer:
            rrset.ttl = 2**31 - 1

    now = SIG_END - 1000
    validator = Validator(anchors(), backend=fast)
    result = ask(WWW, "A", fast, validator=validator, now=now,
                 transport=lab(rewrite(WWW, "A", inflate)))
    assert result.status is Status.SECURE and result.answer[0].rrset.ttl == 2**31 - 1
    assert expiry(validator, WWW, "A", now) == SIG_END


def test_bogus_cached_briefly_and_apart(fast: Backend) -> None:
    def forge(message: dns.message.Message) -> None:
        """Swap the A data, keep its RRSIG: the signature no longer verifies."""
        message.answer = [dns.rrset.from_text(WWW, 3600, "IN", "A", "203.0.113.66"),
                          *[r for r in message.answer if r.rdtype != dns.rdatatype.A]]

    validator = Validator(anchors(), backend=fast)
    bad = ask(WWW, "A", fast, validator=validator, transport=lab(rewrite(WWW, "A", forge)))
    assert bad.status is Status.BOGUS
    assert validator.answers is not None
    assert expiry(validator, WWW, "A", NOW) == NOW + Validator.BOGUS_CACHE_SECONDS
    # within BOGUS_CACHE_SECONDS the verdict is reused even though the server is now honest
    again = ask(WWW, "A", fast, validator=validator, now=NOW + Validator.BOGUS_CACHE_SECONDS - 1)
    assert (again.status, again.queries) == (Status.BOGUS, 0)
    good = ask(WWW, "A", fast, validator=validator, now=NOW + Validator.BOGUS_CACHE_SECONDS)
    assert (good.status, good.queries > 0) == (Status.SECURE, True)
    assert ask(WWW, "A", fast, validator=validator,
               now=NOW + Validator.BOGUS_CACHE_SECONDS + 1).queries == 0


def test_answer_cache_keeps_bogus_and_positive_maps_apart() -> None:
    cache: AnswerCache[str] = AnswerCache(10)
    cache.store("k", "secure", now=0, until=1000, bogus=False)
    cache.store("k", "bogus", now=10, until=70, bogus=True)
    assert cache.get("k", 20) == ("bogus", 10, 70)
    # the bogus entry replaced the positive one: after it ends nothing is resurrected
    assert cache.get("k", 70) is None and len(cache) == 1
    cache.store("k", "secure again", now=80, until=500, bogus=False)
    assert cache.get("k", 90) == ("secure again", 80, 500) and len(cache) == 1
    cache.store("dead", "x", now=5, until=5, bogus=False)  # already expired: not kept
    assert cache.get("dead", 5) is None


def test_indeterminate_never_cached(fast: Backend) -> None:
    def fail(query: Query, wire: bytes) -> bytes | LookupFailure:
        if query.name == dns.name.from_text(WWW) and query.rdtype == dns.rdatatype.A:
            return LookupFailure(FailureKind.TIMEOUT, "no answer", 2)
        return wire

    validator = Validator(anchors(), backend=fast)
    failed = ask(WWW, "A", fast, validator=validator, transport=lab(fail))
    assert failed.status is Status.INDETERMINATE
    assert validator.answers is not None and len(validator.answers) == 0
    retried = ask(WWW, "A", fast, validator=validator, now=NOW + 1)
    assert retried.status is Status.SECURE and retried.queries > 0


def test_bounded_entries(fast: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "ANSWER_CACHE_ENTRIES", 2)
    validator = Validator(anchors(), backend=fast)
    for rdtype in ("A", "AAAA", "TXT", "CAA"):
        ask(WWW, rdtype, fast, validator=validator)
        assert validator.answers is not None and 1 <= len(validator.answers) <= 2
    assert ask(WWW, "CAA", fast, validator=validator).queries == 0  # the newest is kept
    cache: AnswerCache[int] = AnswerCache(3)
    for i in range(10):
        cache.store(i, i, now=0, until=100, bogus=i % 2 == 0)
        assert len(cache) <= 6  # each map at most 3


def test_switch_off(fast: Backend) -> None:
    validator = Validator(anchors(), backend=fast, answer_cache=False)
    assert validator.answers is None
    first = ask(WWW, "A", fast, validator=validator)
    second = ask(WWW, "A", fast, validator=validator, now=NOW + 1)
    assert second.queries > 0 and second.status is first.status
    assert not any("answer cache" in line for line in second.trace)


def test_caa_batch_asks_fewer_questions_the_second_time(fast: Backend) -> None:
    """One validator across two CAA batches: the second asks fewer questions than the first,
    and fewer than the same second batch without the answer cache (keys cached in both)."""
    # Requirement trace: this test also proves BR-DNSSEC-08, BR-MPIC-03.
    asked: dict[bool, list[int]] = {}
    for enabled in (True, False):
        validator = Validator(anchors(), backend=fast, answer_cache=enabled)
        counts = []
        decisions = []
        for _round in range(2):
            counting = Counting()

            def factory(c: Counting = counting) -> Counting:
                return c

            results = list(check_batch(domains(), validator, factory,
                                       now=lambda: NOW, issuer_domains=["ca.example"], jobs=1))
            counts.append(counting.asked)
            decisions.append([r.as_json()["decision"] for r in results])
        assert decisions[0] == decisions[1]  # the cache changes no decision
        asked[enabled] = counts
    assert asked[True][1] < asked[True][0]
    assert asked[True][1] < asked[False][1]


def test_key_cache_never_serves_an_earlier_time_VAL_RRSIG_04(fast: Backend) -> None:
    """Keys validated at a later ``now`` are not reused for a resolution at an earlier one
    (their signatures need not be valid then); the same time reuses them."""
    validator = Validator(anchors(), backend=fast, answer_cache=False)
    first = ask("www.secure.test.", "A", fast, validator=validator, now=NOW + 100)
    same_time = ask("www.secure.test.", "A", fast, validator=validator, now=NOW + 100)
    earlier = ask("www.secure.test.", "A", fast, validator=validator, now=NOW)
    assert first.status is same_time.status is earlier.status is Status.SECURE
    assert same_time.queries == 1  # only the answer: every zone's keys came from the cache
    assert earlier.queries == first.queries  # the whole chain asked again
