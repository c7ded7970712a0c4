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
from dnssec_core.dnssec.rrsig import ZoneKeys, check_rrsig, verify_rrset
from dnssec_core.verdict import Status
from dnssec_core.wire.rrset import RRset
from tests.support.signer import SigningKey, a_rrset, make_key, name, sign_rrset

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
