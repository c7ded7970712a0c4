"""verify_rrset's per-owner memo (issue 7) never carries one RRset's owner facts to another.

RRsets of one owner share their Name object in a zone; the label count, canonical wire form
and "owner at or below the apex" are kept from the previous RRset when both the Name object and
the ZoneKeys are the same.  These tests interleave owners, zones and wildcard-expanded owners,
and require each verdict to equal the one reached with the memo emptied first
(VAL-RRSIG-02, VAL-RRSIG-03, RFC 4035 §5.3.1-§5.3.2).
"""

from __future__ import annotations

import random

import pytest

from dnssec_core.crypto import Backend, get_backend
from dnssec_core.dnssec import rrsig as rrsig_module
from dnssec_core.dnssec.records import RRSIG
from dnssec_core.dnssec.rrsig import ZoneKeys, verify_rrset
from dnssec_core.verdict import Status, Verdict
from dnssec_core.wire.rrset import RRset
from tests.support.signer import a_rrset, make_key, name, sign_rrset


@pytest.fixture(scope="module")
def fast() -> Backend:
    return get_backend("fast")


def _cases() -> tuple[list[tuple[RRset, list[RRSIG]]], list[ZoneKeys], int]:
    key = make_key(13)
    zone, other = name("example.com."), name("other.com.")
    keys = [ZoneKeys.from_dnskeys(zone, [key.dnskey()]),
            ZoneKeys.from_dnskeys(other, [key.dnskey()])]
    www = name("www.example.com.")
    cases: list[tuple[RRset, list[RRSIG]]] = []
    for owner in (www, name("WWW.example.com."), name("a.b.example.com."), zone):
        for address in ("192.0.2.1", "192.0.2.2"):
            base = a_rrset("www.example.com.", address)
            rrset = RRset(owner, base.rdtype, base.rdclass, base.ttl, base.rdatas)
            cases.append((rrset, [sign_rrset(rrset, key, zone)]))
    wildcard = a_rrset("*.example.com.", "192.0.2.7")
    wild_sig = sign_rrset(wildcard, key, zone)
    for expanded in (www, name("x.y.example.com.")):  # same Name object as a plain RRset above
        cases.append((RRset(expanded, wildcard.rdtype, wildcard.rdclass, wildcard.ttl,
                            wildcard.rdatas), [wild_sig]))
    return cases, keys, cases[0][1][0].inception + 10


def _fresh(rrset: RRset, sigs: list[RRSIG], keys: ZoneKeys, now: int, fast: Backend) -> Verdict:
    rrsig_module._LAST_OWNER[0] = (None, None, 0, b"", False)
    return verify_rrset(rrset, sigs, keys, now=now, backend=fast)


def test_memo_verdicts_equal_fresh_ones(fast: Backend) -> None:
    cases, zone_keys, now = _cases()
    expected = {(i, k): _fresh(rrset, sigs, keys, now, fast)
                for i, (rrset, sigs) in enumerate(cases) for k, keys in enumerate(zone_keys)}
    # Both outcomes occur: the same owner is secure under example.com. and bogus under other.
    assert {v.status for v in expected.values()} == {Status.SECURE, Status.BOGUS}
    rng = random.Random(5)
    order = [(i, k) for i in range(len(cases)) for k in range(len(zone_keys))] * 4
    rng.shuffle(order)
    order.sort(key=lambda pair: pair[0] // 4)  # runs of one owner, zones and RRsets mixed
    hits = 0
    for i, k in order:
        rrset, sigs = cases[i]
        last = rrsig_module._LAST_OWNER[0]
        hits += last[0] is rrset.owner and last[1] is zone_keys[k]
        got = verify_rrset(rrset, sigs, zone_keys[k], now=now, backend=fast)
        assert (got.status, got.reason, got.key_tag) == (
            expected[(i, k)].status, expected[(i, k)].reason, expected[(i, k)].key_tag), (i, k)
    assert hits > 10  # the memo really answered
