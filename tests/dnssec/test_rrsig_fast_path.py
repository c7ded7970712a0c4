"""The hot path of :func:`verify_rrset` decides exactly as the full RFC 4035 §5.3.1 checks.

``verify_rrset`` settles the common all-pass case with cheap comparisons (plain integer order of
the validity times, the canonical signer octets, the owner's canonical wire form ending on a
label boundary of the zone's) and hands anything else to ``check_rrsig``.  These properties
draw validity windows around the serial-number wrap, signer and owner names that differ only in
case or in label boundaries, and require ``secure`` exactly when ``check_rrsig`` finds nothing
wrong (VAL-RRSIG-02, VAL-RRSIG-04; RFC 1982 §3.2), with the same reason otherwise.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnssec_core.crypto import Backend, get_backend
from dnssec_core.dnssec.algorithms import AlgorithmPolicy
from dnssec_core.dnssec.records import DNSKEY, RRSIG
from dnssec_core.dnssec.rrsig import ZoneKeys, check_rrsig, verify_rrset
from dnssec_core.verdict import Status
from dnssec_core.wire.rrset import RRset
from tests.support.signer import (
    NOW,
    SigningKey,
    a_rrset,
    make_key,
    name,
    rrsig_wire,
    sign_rrset,
)

SERIAL = 1 << 32
EXAMPLES = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
_KEY: list[SigningKey] = []


def signing_key() -> SigningKey:
    if not _KEY:
        _KEY.append(make_key(13))
    return _KEY[0]


@pytest.fixture(scope="module")
def fast() -> Backend:
    return get_backend("fast")


# Points near 0, 2^31 and 2^32 - 1, where serial order and integer order part ways.
_EDGES = st.sampled_from([0, 1, (1 << 31) - 1, 1 << 31, (1 << 31) + 1, SERIAL - 1, SERIAL - 2])
_TIMES = st.one_of(st.integers(0, SERIAL - 1), _EDGES)


@EXAMPLES
@given(inception=_TIMES, expiration=_TIMES, now=_TIMES, shift=st.integers(-3, 3))
def test_validity_window_decided_as_serial_arithmetic(
    fast: Backend, inception: int, expiration: int, now: int, shift: int
) -> None:
    now = (now + shift) % SERIAL + (SERIAL if shift > 2 else 0)  # sometimes a now ≥ 2^32
    key = signing_key()
    rrset = a_rrset("www.example.com.", "192.0.2.1")
    rrsig = sign_rrset(rrset, key, name("example.com."), inception=inception,
                       expiration=expiration)
    keys = ZoneKeys.from_dnskeys(name("example.com."), [key.dnskey()])
    verdict = verify_rrset(rrset, [rrsig], keys, now=now, backend=fast)
    expected = check_rrsig(rrsig, rrset, name("example.com."), now)
    if expected is None:
        assert verdict.status is Status.SECURE
    else:
        assert (verdict.status, verdict.reason) == (expected.status, expected.reason)


@pytest.mark.parametrize(
    ("zone", "owner", "signer", "secure"),
    [
        ("example.com.", "www.example.com.", "example.com.", True),
        ("example.com.", "WWW.EXAMPLE.COM.", "Example.COM.", True),
        ("example.com.", "example.com.", "EXAMPLE.com.", True),
        ("example.com.", "www.example.com.", "other.com.", False),
        ("example.com.", "www.other.com.", "example.com.", False),
        # The zone's wire form is a suffix of the owner's, but not on a label boundary.
        ("com.", "\\003com.", "com.", False),
        ("example.com.", "x\\007example.com.", "example.com.", False),
        ("example.com.", "a.b.c.example.com.", "example.com.", True),
    ],
)
def test_signer_and_owner_checks_follow_labels(
    fast: Backend, zone: str, owner: str, signer: str, secure: bool
) -> None:
    """Proves VAL-RRSIG-02 (requirement trace)."""
    key = signing_key()
    base = a_rrset("www.example.com.", "192.0.2.1")
    rrset = RRset(name(owner), base.rdtype, base.rdclass, base.ttl, base.rdatas)
    rrsig = sign_rrset(rrset, key, name(signer))
    keys = ZoneKeys.from_dnskeys(name(zone), [key.dnskey()])
    verdict = verify_rrset(rrset, [rrsig], keys, now=rrsig.inception + 1, backend=fast)
    expected = check_rrsig(rrsig, rrset, name(zone), rrsig.inception + 1)
    assert (expected is None) is secure
    assert (verdict.status is Status.SECURE) is secure
    if expected is not None:
        assert verdict.reason is expected.reason


_RSA: list[SigningKey] = []


def rsa_key() -> SigningKey:
    """RSA-1024 (alg 8): valid under the default policy, too small for a 2048-bit minimum."""
    if not _RSA:
        _RSA.append(make_key(8, bits=1024))
    return _RSA[0]


def _scenarios() -> list[tuple[str, RRset, list[RRSIG], AlgorithmPolicy]]:
    """RRsets checked one after another against one set of keys: good ones, and each way the
    remembered key selection could be misused (other policy, tampering, wildcard, key tag)."""
    key = rsa_key()
    zone = name("example.com.")
    good = a_rrset("www.example.com.", "192.0.2.1", "192.0.2.2")
    sig = sign_rrset(good, key, zone)
    tampered_data = RRset(good.owner, good.rdtype, good.rdclass, good.ttl, (b"\xc0\x00\x02\x09",))
    tampered_sig = RRSIG.from_wire(
        rrsig_wire(covered=sig.type_covered, algorithm=sig.algorithm, labels=sig.labels,
                   original_ttl=sig.original_ttl, expiration=sig.expiration,
                   inception=sig.inception, key_tag=sig.key_tag, signer=sig.signer,
                   signature=bytes(len(sig.signature)))
    )
    wildcard = a_rrset("*.example.com.", "192.0.2.7")
    wild_sig = sign_rrset(wildcard, key, zone)
    expanded = RRset(name("x.y.example.com."), wildcard.rdtype, wildcard.rdclass, wildcard.ttl,
                     wildcard.rdatas)
    other_tag = sign_rrset(good, key, zone, key_tag=(sig.key_tag + 1) % 65536)
    strict = AlgorithmPolicy(rsa_min_bits=2048)
    default = AlgorithmPolicy()
    return [
        ("good", good, [sig], default),
        ("good again", good, [sig], default),
        ("other policy: key too small", good, [sig], strict),
        ("default policy again", good, [sig], default),
        ("tampered data", tampered_data, [sig], default),
        ("tampered signature", good, [tampered_sig], default),
        ("bad then good", good, [tampered_sig, sig], default),
        ("wildcard expanded", expanded, [wild_sig], default),
        ("unknown key tag", good, [other_tag], default),
        ("nine tampered", good, [tampered_sig] * 9, default),
    ]


def test_remembered_key_selection_decides_as_a_fresh_key_set(fast: Backend) -> None:
    """ZoneKeys remembers (algorithm, key tag) → the one usable parsed key; every scenario
    gets the same verdict from a key set used many times as from a brand-new one."""
    key = rsa_key()
    zone = name("example.com.")
    warm = ZoneKeys.from_dnskeys(zone, [key.dnskey()])
    compared = []
    for label, rrset, rrsigs, policy in _scenarios():
        fresh = ZoneKeys.from_dnskeys(zone, [key.dnskey()])
        want = verify_rrset(rrset, rrsigs, fresh, now=NOW, backend=fast, policy=policy)
        got = verify_rrset(rrset, rrsigs, warm, now=NOW, backend=fast, policy=policy)
        assert (got.status, got.reason, got.key_tag) == (want.status, want.reason,
                                                         want.key_tag), label
        compared.append(got.status)
    assert warm._ready  # the remembered selection was in use
    # good, good again, default policy again, bad then good, wildcard
    assert compared.count(Status.SECURE) == 5


def test_two_keys_sharing_a_tag_are_never_remembered(fast: Backend) -> None:
    """With two DNSKEYs of one algorithm and tag, the full loop (and its limits) runs."""
    # Requirement trace: this test also proves VAL-RRSIG-06.
    key = signing_key()
    other = make_key(13)
    twin = DNSKEY.from_wire(other.dnskey().rdata)
    forged = type(twin)(twin.flags, twin.protocol, twin.algorithm, twin.public_key, twin.rdata,
                        key.dnskey().key_tag)  # same tag as the real key
    keys = ZoneKeys.from_dnskeys(name("example.com."), [forged, key.dnskey()])
    rrset = a_rrset("www.example.com.", "192.0.2.1")
    rrsig = sign_rrset(rrset, key, name("example.com."))
    for _ in range(3):
        verdict = verify_rrset(rrset, [rrsig], keys, now=NOW, backend=fast)
        assert verdict.status is Status.SECURE
    assert not keys._ready
