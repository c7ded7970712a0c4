"""RRSIG validation: every check of RFC 4035 §5.3.1, one mutated field → one reason.

Signatures here come from the test signer (tests/support/signer.py); the BIND/ldns zones in
tests/zone exercise the same code on independently signed data.
"""

from __future__ import annotations

import dataclasses
import struct
from typing import TypedDict, Unpack

import dns.name
import pytest

from dnssec_core import limits
from dnssec_core.crypto import Backend
from dnssec_core.crypto.base import BackendDisagreement, PublicKey
from dnssec_core.dnssec.algorithms import AlgorithmPolicy
from dnssec_core.dnssec.records import DNSKEY, RRSIG
from dnssec_core.dnssec.rrsig import ZoneKeys, effective_ttl, serial_lt, verify_rrset
from dnssec_core.verdict import Reason, Status
from dnssec_core.wire.name import canonical_wire
from dnssec_core.wire.rrset import RRset
from tests.support.signer import (
    EXPIRATION,
    INCEPTION,
    NOW,
    RrsigFields,
    SigningKey,
    a_rrset,
    make_key,
    name,
    rrsig_wire,
    sign_rrset,
)

ZONE = name("example.com.")
_KEYS: dict[int, SigningKey] = {}


def key(alg: int = 13) -> SigningKey:
    if alg not in _KEYS:
        _KEYS[alg] = make_key(alg)
    return _KEYS[alg]


def zone_keys(*keys: DNSKEY) -> ZoneKeys:
    return ZoneKeys.from_dnskeys(ZONE, keys or [key().dnskey()])


def check(rrset: RRset, rrsigs: list[RRSIG], keys: ZoneKeys | None = None, *,
          backend: Backend, now: int = NOW) -> tuple[Status, Reason, int | None]:
    verdict = verify_rrset(rrset, rrsigs, keys or zone_keys(), now=now, backend=backend)
    return verdict.status, verdict.reason, verdict.ede


class RrsigChanges(TypedDict, total=False):
    """Any of the RRSIG fields :func:`rewrite` may change (see ``RrsigFields``)."""

    covered: int
    algorithm: int
    labels: int
    original_ttl: int
    expiration: int
    inception: int
    key_tag: int
    signer: dns.name.Name
    signature: bytes


def rewrite(rrsig: RRSIG, **changes: Unpack[RrsigChanges]) -> RRSIG:
    """Re-encode ``rrsig`` with some fields changed (the mutation under test)."""
    fields = RrsigFields(covered=rrsig.type_covered, algorithm=rrsig.algorithm,
                         labels=rrsig.labels, original_ttl=rrsig.original_ttl,
                         expiration=rrsig.expiration, inception=rrsig.inception,
                         key_tag=rrsig.key_tag, signer=rrsig.signer, signature=rrsig.signature)
    fields.update(changes)
    return RRSIG.from_wire(rrsig_wire(**fields))


@pytest.mark.parametrize("alg", [8, 10, 13, 14, 15, 16])
def test_good_signature_is_secure_every_algorithm(alg: int, backend: Backend) -> None:
    """Proves BR-DNSSEC-04, VAL-ALG-01, VAL-ALG-02, VAL-KEY-03 (requirement trace)."""
    rrset = a_rrset()
    sig = sign_rrset(rrset, key(alg), ZONE)
    assert check(rrset, [sig], zone_keys(key(alg).dnskey()), backend=backend) == (
        Status.SECURE, Reason.OK, None)


def flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1:]


MUTATIONS = {
    "type covered (VAL-RRSIG-01)": (dict(covered=28), Reason.TYPE_COVERED_MISMATCH, 6),
    "algorithm": (dict(algorithm=8), Reason.DNSKEY_MISSING, 9),
    # bogus with an unsupported algorithm carries the bogus code (VAL-EDE-02), not 1
    "algorithm unsupported (VAL-ALG-03)": (dict(algorithm=3), Reason.UNSUPPORTED_ALGORITHM, 6),
    "labels too many (VAL-RRSIG-03)": (dict(labels=4), Reason.LABELS_MISMATCH, 6),
    "labels fewer (wildcard owner)": (dict(labels=2), Reason.SIG_INVALID, 6),
    "original TTL (VAL-TTL-01)": (dict(original_ttl=3601), Reason.SIG_INVALID, 6),
    "expiration in the past (VAL-RRSIG-04)": (dict(expiration=NOW - 1), Reason.SIG_EXPIRED, 7),
    "expiration changed": (dict(expiration=EXPIRATION + 1), Reason.SIG_INVALID, 6),
    "inception in the future (VAL-RRSIG-04)": (dict(inception=NOW + 1),
                                               Reason.SIG_NOT_YET_VALID, 8),
    "inception changed": (dict(inception=INCEPTION - 1), Reason.SIG_INVALID, 6),
    "inception after expiration": (dict(inception=EXPIRATION + 10),
                                   Reason.SIG_EXPIRED_BEFORE_VALID, 25),
    "key tag (VAL-RRSIG-05)": ("key_tag", Reason.DNSKEY_MISSING, 9),
    "signer (VAL-RRSIG-02)": (dict(signer=name("other.com.")), Reason.SIGNER_MISMATCH, 6),
    "signer is a child zone": (dict(signer=name("sub.example.com.")), Reason.SIGNER_MISMATCH, 6),
    "signature byte": ("signature", Reason.SIG_INVALID, 6),
    "signature truncated": ("truncate", Reason.SIG_INVALID, 6),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
@pytest.mark.parametrize("alg", [8, 13, 15])
def test_one_mutated_rrsig_field_one_reason(mutation: str, alg: int, backend: Backend) -> None:
    """Proves VAL-RRSIG-01, VAL-RRSIG-02, VAL-RRSIG-05 (requirement trace)."""
    rrset = a_rrset()
    good = sign_rrset(rrset, key(alg), ZONE)
    change, reason, ede = MUTATIONS[mutation]
    if change == "key_tag":
        bad = rewrite(good, key_tag=(good.key_tag + 1) & 0xFFFF)
    elif change == "signature":
        bad = rewrite(good, signature=flip(good.signature, len(good.signature) // 2))
    elif change == "truncate":
        bad = rewrite(good, signature=good.signature[:-1])
    else:
        assert isinstance(change, dict)
        if change.get("algorithm") == 8 and alg == 8:
            change = dict(algorithm=13)
        bad = rewrite(good, **change)
    keys = zone_keys(key(alg).dnskey())
    assert check(rrset, [good], keys, backend=backend)[0] is Status.SECURE
    assert check(rrset, [bad], keys, backend=backend) == (Status.BOGUS, reason, ede)


def test_mutated_rrset_data_is_bogus(backend: Backend) -> None:
    rrset = a_rrset("www.example.com.", "192.0.2.1", "192.0.2.2")
    sig = sign_rrset(rrset, key(), ZONE)
    for changed in (a_rrset("www.example.com.", "192.0.2.1", "192.0.2.3"),
                    a_rrset("www.example.com.", "192.0.2.1"),
                    a_rrset("www.example.com.", "192.0.2.1", "192.0.2.2", "192.0.2.3"),
                    a_rrset("ww.example.com.", "192.0.2.1", "192.0.2.2")):
        assert check(changed, [sig], backend=backend)[:2] == (Status.BOGUS, Reason.SIG_INVALID)


def test_mutated_dnskey_is_bogus(backend: Backend) -> None:
    rrset = a_rrset()
    sig = sign_rrset(rrset, key(), ZONE)
    field = key().public_field
    # Same key tag, different key material: rebuild a DNSKEY object that claims the old tag.
    other = make_key(13).dnskey()
    forged = dataclasses.replace(other, key_tag=key().dnskey().key_tag)
    assert check(rrset, [sig], zone_keys(forged), backend=backend)[:2] == (
        Status.BOGUS, Reason.SIG_INVALID)
    # A key whose point is no longer on the curve.
    broken = DNSKEY.from_wire(struct.pack("!HBB", 256, 3, 13) + field[:-1] + bytes([field[-1] ^ 1]))
    broken = dataclasses.replace(broken, key_tag=sig.key_tag)
    assert check(rrset, [sig], zone_keys(broken), backend=backend)[:2] == (
        Status.BOGUS, Reason.KEY_MALFORMED)


def test_no_rrsig_is_rrsigs_missing_EDE_10(fast: Backend) -> None:
    assert check(a_rrset(), [], backend=fast) == (Status.BOGUS, Reason.RRSIGS_MISSING, 10)


def test_zone_key_bit_and_protocol_VAL_KEY_01(fast: Backend) -> None:
    """Proves VAL-RRSIG-05 (requirement trace)."""
    rrset = a_rrset()
    for flags, protocol in ((0, 3), (256, 2)):
        dnskey = DNSKEY.from_wire(struct.pack("!HBB", flags, protocol, 13) + key().public_field)
        sig = sign_rrset(rrset, key(), ZONE, key_tag=dnskey.key_tag)
        assert check(rrset, [sig], zone_keys(dnskey), backend=fast) == (
            Status.BOGUS, Reason.NO_ZONE_KEY_BIT, 11)


def test_revoked_key_never_validates_VAL_KEY_02(fast: Backend) -> None:
    rrset = a_rrset()
    revoked = DNSKEY.from_wire(struct.pack("!HBB", 257 | 0x80, 3, 13) + key().public_field)
    sig = sign_rrset(rrset, key(), ZONE, key_tag=revoked.key_tag)
    assert check(rrset, [sig], zone_keys(revoked), backend=fast)[:2] == (
        Status.BOGUS, Reason.KEY_REVOKED)


def test_one_good_rrsig_among_bad_ones_is_enough_VAL_RRSIG_07(backend: Backend) -> None:
    rrset = a_rrset()
    good = sign_rrset(rrset, key(), ZONE)
    expired = rewrite(good, expiration=NOW - 10)
    unknown = rewrite(good, algorithm=253)
    other_key = rewrite(good, key_tag=good.key_tag ^ 0xFFFF)
    assert check(rrset, [expired, unknown, other_key, good], backend=backend)[0] is Status.SECURE


def test_unsupported_algorithm_ignored_when_another_verifies_VAL_RRSIG_08(fast: Backend) -> None:
    """Proves VAL-ALG-03 (requirement trace)."""
    rrset = a_rrset()
    good = sign_rrset(rrset, key(), ZONE)
    assert check(rrset, [rewrite(good, algorithm=1), good], backend=fast)[0] is Status.SECURE
    assert check(rrset, [rewrite(good, algorithm=12)], backend=fast) == (
        Status.BOGUS, Reason.UNSUPPORTED_ALGORITHM, 6)


def test_reason_prefers_crypto_failure_over_missing_key(fast: Backend) -> None:
    rrset = a_rrset()
    good = sign_rrset(rrset, key(), ZONE)
    invalid = rewrite(good, signature=flip(good.signature, 3))
    missing = rewrite(good, key_tag=good.key_tag ^ 1)
    for order in ([missing, invalid], [invalid, missing]):
        assert check(rrset, order, backend=fast)[1] is Reason.SIG_INVALID


def test_sha1_policy_switch_VAL_ALG_04(fast: Backend) -> None:
    rsa = make_key(5)
    rrset = a_rrset()
    sig = sign_rrset(rrset, rsa, ZONE)
    keys = zone_keys(rsa.dnskey())
    assert verify_rrset(rrset, [sig], keys, now=NOW, backend=fast).status is Status.SECURE
    no_sha1 = verify_rrset(rrset, [sig], keys, now=NOW, backend=fast,
                           policy=AlgorithmPolicy(allow_sha1=False))
    assert (no_sha1.status, no_sha1.reason) == (Status.BOGUS, Reason.UNSUPPORTED_ALGORITHM)


def test_long_form_exponent_key_verifies_VAL_ALG_09(backend: Backend) -> None:
    rsa = make_key(8, long_form=True)
    assert rsa.public_field[0] == 0
    rrset = a_rrset()
    assert check(rrset, [sign_rrset(rrset, rsa, ZONE)], zone_keys(rsa.dnskey()),
                 backend=backend)[0] is Status.SECURE


def test_wildcard_expansion_VAL_CANON_07_VAL_WILD_01(backend: Backend) -> None:
    source = a_rrset("*.example.com.")
    sig = sign_rrset(source, key(), ZONE)
    assert sig.labels == 2
    expanded = dataclasses.replace(source, owner=name("a.b.example.com."))
    assert check(expanded, [sig], backend=backend)[0] is Status.SECURE
    # A different wildcard parent must fail: *.b.example.com. was not what was signed.
    wrong = rewrite(sig, labels=3)
    assert check(expanded, [wrong], backend=backend)[1] is Reason.SIG_INVALID


def test_case_and_order_do_not_matter_VAL_CANON_01_05(backend: Backend) -> None:
    mx = RRset(name("example.com."), 15, 1, 300,
               (b"\x00\x0a\x04MAIL\x07Example\x03COM\x00", b"\x00\x05\x02mx\x07example\x03com\x00"))
    sig = sign_rrset(mx, key(), ZONE)
    variants = [
        dataclasses.replace(mx, owner=name("EXAMPLE.com.")),
        dataclasses.replace(mx, rdatas=mx.rdatas[::-1]),
        dataclasses.replace(mx, rdatas=(b"\x00\x0a\x04mail\x07example\x03com\x00", mx.rdatas[1])),
        dataclasses.replace(mx, rdatas=mx.rdatas + mx.rdatas[:1]),  # duplicate RR
    ]
    for variant in variants:
        assert check(variant, [sig], backend=backend)[0] is Status.SECURE


def test_received_ttl_above_original_is_clamped_not_bogus_VAL_TTL_02_03(fast: Backend) -> None:
    rrset = a_rrset(ttl=300)
    sig = sign_rrset(rrset, key(), ZONE)
    raised = dataclasses.replace(rrset, ttl=86400)
    assert check(raised, [sig], backend=fast)[0] is Status.SECURE
    assert effective_ttl(raised, sig, NOW) == 300
    assert effective_ttl(rrset, sig, EXPIRATION - 10) == 10


def test_serial_arithmetic_wraps_VAL_RRSIG_04() -> None:
    """Proves VAL-RRSIG-09 (requirement trace)."""
    assert serial_lt(1, 2) and not serial_lt(2, 1) and not serial_lt(5, 5)
    assert serial_lt(0xFFFFFFF0, 0x10)  # across the 2^32 wrap
    assert not serial_lt(0x10, 0xFFFFFFF0)
    # A 2086 expiration read in 2026 is in the future; read in 2100 (wrapped) it is not.
    assert serial_lt(NOW, EXPIRATION) and not serial_lt(EXPIRATION, NOW)


def test_validity_after_2106_wrap(fast: Backend) -> None:
    """RFC 4034 §3.1.5: times are mod 2^32, so a window spanning the wrap still works."""
    wrap = 1 << 32
    rrset = a_rrset()
    sig = sign_rrset(rrset, key(), ZONE, inception=(wrap - 1000) % wrap,
                     expiration=(wrap + 1000) % wrap)
    assert check(rrset, [sig], backend=fast, now=wrap + 10)[0] is Status.SECURE
    assert check(rrset, [sig], backend=fast, now=wrap + 2000)[1] is Reason.SIG_EXPIRED


def _decoy(real: DNSKEY, tag: int) -> DNSKEY:
    return dataclasses.replace(make_key(13).dnskey(), key_tag=tag)


def test_key_tag_collision_limit_value_and_plus_one_SEC_LIM_02(fast: Backend) -> None:
    """Proves VAL-RRSIG-06 (requirement trace)."""
    rrset = a_rrset()
    real = key().dnskey()
    sig = sign_rrset(rrset, key(), ZONE)
    n = limits.MAX_KEYS_PER_KEY_TAG
    within = [_decoy(real, real.key_tag) for _ in range(n - 1)] + [real]
    assert check(rrset, [sig], zone_keys(*within), backend=fast)[0] is Status.SECURE
    beyond = [_decoy(real, real.key_tag) for _ in range(n)] + [real]
    assert check(rrset, [sig], zone_keys(*beyond), backend=fast) == (
        Status.BOGUS, Reason.LIMIT_KEY_TAG_COLLISIONS, 6)


def test_signature_validation_limit_SEC_LIM_01(fast: Backend) -> None:
    rrset = a_rrset()
    real = key().dnskey()
    decoys = [_decoy(real, real.key_tag) for _ in range(limits.MAX_KEYS_PER_KEY_TAG)]
    sig = sign_rrset(rrset, key(), ZONE)
    bad = [rewrite(sig, inception=INCEPTION + i) for i in range(3)]  # each tries 4 keys
    assert 3 * limits.MAX_KEYS_PER_KEY_TAG > limits.MAX_SIG_VALIDATIONS_PER_RRSET
    assert check(rrset, bad, zone_keys(*decoys), backend=fast)[1] is Reason.LIMIT_SIG_VALIDATIONS


def test_rrsig_count_limit_value_and_plus_one_SEC_LIM_04(fast: Backend) -> None:
    rrset = a_rrset()
    good = sign_rrset(rrset, key(), ZONE)
    n = limits.MAX_RRSIGS_PER_RRSET
    junk = [rewrite(good, key_tag=(good.key_tag + 1 + i) & 0xFFFF) for i in range(n)]
    assert check(rrset, [*junk[:n - 1], good], backend=fast)[0] is Status.SECURE
    assert check(rrset, [*junk, good], backend=fast) == (Status.BOGUS, Reason.LIMIT_RRSIGS, 6)


class _Disagreeing:
    name = "disagreeing"

    def verify(self, key: PublicKey, signature: bytes, data: bytes) -> bool:
        raise BackendDisagreement("fast says True, pure says False")


class _Broken:
    name = "broken"

    def verify(self, key: PublicKey, signature: bytes, data: bytes) -> bool:
        raise RuntimeError("boom")


def test_backend_disagreement_is_bogus_SEC_XB_01() -> None:
    rrset = a_rrset()
    verdict = verify_rrset(rrset, [sign_rrset(rrset, key(), ZONE)], zone_keys(), now=NOW,
                           backend=_Disagreeing())
    assert (verdict.status, verdict.reason, verdict.ede) == (
        Status.BOGUS, Reason.BACKEND_DISAGREEMENT, 6)


def test_internal_error_is_indeterminate_never_secure() -> None:
    rrset = a_rrset()
    verdict = verify_rrset(rrset, [sign_rrset(rrset, key(), ZONE)], zone_keys(), now=NOW,
                           backend=_Broken())
    assert (verdict.status, verdict.reason) == (Status.INDETERMINATE, Reason.INTERNAL_ERROR)


def test_malformed_rdata_in_signed_type_is_bogus_not_exception(fast: Backend) -> None:
    rrset = RRset(name("example.com."), 2, 1, 300, (b"\x03abc",))  # NS without root label
    good_shape = RRset(name("example.com."), 2, 1, 300, (b"\x03abc\x00",))
    sig = sign_rrset(good_shape, key(), ZONE)
    assert check(rrset, [sig], backend=fast)[:2] == (Status.BOGUS, Reason.SIG_MALFORMED)


def test_signer_name_case_is_canonical_in_signature_input(fast: Backend) -> None:
    """Proves VAL-CANON-06 (requirement trace)."""
    rrset = a_rrset()
    sig = sign_rrset(rrset, key(), ZONE)
    upper = rewrite(sig, signer=name("EXAMPLE.COM."))
    assert upper.signed_prefix.endswith(canonical_wire(ZONE))
    assert check(rrset, [upper], backend=fast)[0] is Status.SECURE
