"""DNSKEY public keys (RFC 3110 §2, RFC 6605 §4, RFC 8080 §3) and key tags (RFC 4034 App. B)."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnssec_core import limits
from dnssec_core.crypto.base import ECPublicKey, EdPublicKey, RSAPublicKey, SignatureScheme
from dnssec_core.dnssec.algorithms import AlgorithmPolicy
from dnssec_core.dnssec.keys import KeyProblem, parse_public_key
from dnssec_core.dnssec.keytag import key_tag
from dnssec_core.dnssec.records import DNSKEY
from dnssec_core.verdict import Reason
from dnssec_core.wire.errors import WireError
from tests.support.signer import make_key

RSA256 = SignatureScheme.RSA_PKCS1_SHA256
P256 = SignatureScheme.ECDSA_P256_SHA256
N2048 = (1 << 2047) | 0x1234567  # an odd 2048-bit modulus (primality is not our concern here)
N_BYTES = N2048.to_bytes(256, "big")


def reference_key_tag(rdata: bytes) -> int:
    """RFC 4034 Appendix B's loop, transcribed literally."""
    ac = 0
    for i, octet in enumerate(rdata):
        ac += octet if i & 1 else octet << 8
    ac += (ac >> 16) & 0xFFFF
    return ac & 0xFFFF


@given(st.binary(min_size=4, max_size=600))
def test_key_tag_matches_appendix_b_VAL_KEY_04(rdata: bytes) -> None:
    assert key_tag(rdata) == reference_key_tag(rdata)


def test_key_tag_changes_with_revoke_bit_VAL_KEY_02() -> None:
    key = make_key(13, flags=257)
    revoked = DNSKEY.from_wire(struct.pack("!HBB", 257 | 0x80, 3, 13) + key.public_field)
    assert revoked.is_revoked and revoked.key_tag != key.dnskey().key_tag


def test_rsa_short_and_long_exponent_forms_VAL_ALG_09() -> None:
    short = parse_public_key(RSA256, b"\x03\x01\x00\x01" + N_BYTES)
    long = parse_public_key(RSA256, b"\x00\x00\x03\x01\x00\x01" + N_BYTES)
    assert isinstance(short, RSAPublicKey) and isinstance(long, RSAPublicKey)
    assert (short.e, short.n) == (long.e, long.n) == (65537, N2048)


@pytest.mark.parametrize(("field", "reason"), [
    (b"", Reason.KEY_MALFORMED),  # zero-length key
    (b"\x00\x01", Reason.KEY_MALFORMED),  # long form truncated
    (b"\x00\x00\x00" + N_BYTES, Reason.KEY_MALFORMED),  # exponent length 0 (long form)
    (b"\xff\x01\x00\x01", Reason.KEY_MALFORMED),  # exponent length overflows the key
    (b"\x00\xff\xff\x01" + N_BYTES, Reason.KEY_MALFORMED),  # long-form overflow
    (b"\x03\x01\x00\x01", Reason.KEY_MALFORMED),  # no modulus at all
    (b"\x01\x01" + N_BYTES, Reason.KEY_MALFORMED),  # e = 1
    (b"\x01\x04" + N_BYTES, Reason.KEY_MALFORMED),  # even exponent
    (b"\x03\x00\x01\x01" + N_BYTES, Reason.KEY_MALFORMED),  # leading zero in exponent
    (b"\x03\x01\x00\x01\x00" + N_BYTES, Reason.KEY_MALFORMED),  # leading zero in modulus
    (b"\x11" + b"\x01" * 17 + N_BYTES, Reason.KEY_MALFORMED),  # 17-octet exponent
    (b"\x03\x01\x00\x01" + (1 << 511 | 1).to_bytes(64, "big"), Reason.KEY_SIZE_UNSUPPORTED),
    (b"\x03\x01\x00\x01" + (1 << 4096 | 1).to_bytes(513, "big"), Reason.KEY_SIZE_UNSUPPORTED),
])
def test_rsa_malformed_keys_give_a_reason_SEC_RSA_01_02(field: bytes, reason: Reason) -> None:
    parsed = parse_public_key(RSA256, field)
    assert isinstance(parsed, KeyProblem) and parsed.reason is reason


def test_rsa_size_bounds_exact_SEC_RSA_01() -> None:
    for bits, ok in ((limits.RSA_MIN_BITS - 1, False), (limits.RSA_MIN_BITS, True),
                     (limits.RSA_MAX_BITS, True), (limits.RSA_MAX_BITS + 1, False)):
        n = (1 << (bits - 1)) | 1
        parsed = parse_public_key(RSA256, b"\x03\x01\x00\x01" + n.to_bytes((bits + 7) // 8, "big"))
        assert isinstance(parsed, RSAPublicKey) is ok, bits
    small = AlgorithmPolicy(rsa_min_bits=512)
    n512 = ((1 << 511) | 1).to_bytes(64, "big")
    assert isinstance(parse_public_key(RSA256, b"\x03\x01\x00\x01" + n512, small), RSAPublicKey)


def test_exponent_octet_limit_value_and_value_plus_one_SEC_LIM_07() -> None:
    ok = b"\x10" + b"\x01" * limits.RSA_MAX_EXPONENT_OCTETS + N_BYTES
    assert isinstance(parse_public_key(RSA256, ok), RSAPublicKey)
    over = b"\x11" + b"\x01" * (limits.RSA_MAX_EXPONENT_OCTETS + 1) + N_BYTES
    assert isinstance(parse_public_key(RSA256, over), KeyProblem)


def test_ecdsa_point_checks_SEC_EC_01() -> None:
    good = make_key(13).public_field
    assert isinstance(parse_public_key(P256, good), ECPublicKey)
    off_curve = good[:-1] + bytes([good[-1] ^ 1])
    assert isinstance(parse_public_key(P256, off_curve), KeyProblem)
    assert isinstance(parse_public_key(P256, bytes(64)), KeyProblem)  # (0, 0) is not on P-256
    assert isinstance(parse_public_key(P256, good[:63]), KeyProblem)
    p384 = make_key(14).public_field
    assert isinstance(parse_public_key(SignatureScheme.ECDSA_P384_SHA384, p384), ECPublicKey)
    assert isinstance(parse_public_key(P256, p384), KeyProblem)


@pytest.mark.parametrize(("scheme", "size"), [
    (SignatureScheme.ED25519, 32), (SignatureScheme.ED448, 57)])
def test_eddsa_key_length_VAL_ALG_08(scheme: SignatureScheme, size: int) -> None:
    assert isinstance(parse_public_key(scheme, bytes(size)), EdPublicKey)
    for wrong in (0, size - 1, size + 1):
        assert isinstance(parse_public_key(scheme, bytes(wrong)), KeyProblem)


def test_keys_are_interned_per_octets() -> None:
    field = make_key(13).public_field
    assert parse_public_key(P256, field) is parse_public_key(P256, bytes(field))


@pytest.mark.parametrize("rdata", [b"", b"\x01\x01\x03", b"\x01\x01\x03\x08"])
def test_dnskey_rdata_without_key_is_malformed(rdata: bytes) -> None:
    with pytest.raises(WireError):
        DNSKEY.from_wire(rdata)


@given(st.sampled_from(list(SignatureScheme)), st.binary(max_size=700))
def test_parse_never_raises(scheme: SignatureScheme, field: bytes) -> None:
    parsed = parse_public_key(scheme, field)
    assert isinstance(parsed, KeyProblem | RSAPublicKey | ECPublicKey | EdPublicKey)
