"""Differential tests: ``pure`` and ``fast`` agree on random keys, messages, mutations (SEC-XB-01).

Keys are generated and messages signed with cryptography (pynacl for Ed25519), in the tests
only.  Each example verifies the honest signature (must be valid in both), then the same key
with bit flips, truncations or extensions of the signature and of the message (the key is used
several times, so ``pure`` switches to its per-key table), then a key with flipped bits.  Every
answer must be the same in both backends.  Example counts are bounded so CI stays fast.
"""

from __future__ import annotations

from collections.abc import Callable

import nacl.signing
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnssec_core.crypto import get_backend
from dnssec_core.crypto.base import (
    ECDSA_FIELD_OCTETS,
    ECPublicKey,
    EdPublicKey,
    PublicKey,
    RSAPublicKey,
    SignatureScheme,
)
from dnssec_core.crypto.pure import ecdsa as pure_ecdsa

EXAMPLES = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MUTATIONS = ("flip", "truncate", "extend", "replace")


def agree(key: PublicKey, signature: bytes, message: bytes) -> bool:
    pure = get_backend("pure").verify(key, signature, message)
    fast = get_backend("fast").verify(key, signature, message)
    assert isinstance(pure, bool)
    assert pure is fast, f"{key.scheme.value}: pure {pure}, fast {fast}"
    return pure


def mutate(data: st.DataObject, blob: bytes, label: str) -> bytes:
    """A bit-flipped, truncated, extended or replaced copy of ``blob`` (never equal to it)."""
    kind = data.draw(st.sampled_from(MUTATIONS), label=f"{label} mutation")
    if kind == "flip" and blob:
        value = bytearray(blob)
        positions = data.draw(
            st.lists(st.integers(0, 8 * len(blob) - 1), min_size=1, max_size=3, unique=True),
            label=f"{label} bits",
        )
        for bit in positions:
            value[bit // 8] ^= 1 << (bit % 8)
        return bytes(value)
    if kind == "truncate" and blob:
        return blob[: data.draw(st.integers(0, len(blob) - 1), label=f"{label} length")]
    if kind == "replace" and blob:
        other = data.draw(st.binary(min_size=len(blob), max_size=len(blob)), label=label)
        if other != blob:
            return other
    return blob + data.draw(st.binary(min_size=1, max_size=8), label=f"{label} tail")


def exercise(
    data: st.DataObject,
    key: PublicKey,
    signature: bytes,
    message: bytes,
    flip_key: Callable[[int], PublicKey],
    key_bits: int,
) -> None:
    assert agree(key, signature, message) is True
    agree(key, mutate(data, signature, "signature"), message)
    agree(key, signature, mutate(data, message, "message"))
    agree(key, mutate(data, signature, "signature 2"), mutate(data, message, "message 2"))
    assert agree(key, signature, message) is True  # the warm path still accepts
    bit = data.draw(st.integers(0, key_bits - 1), label="key bit")
    agree(flip_key(bit), signature, message)


# --- RSA ------------------------------------------------------------------------------------------

_RSA_POOL: list[tuple[rsa.RSAPrivateKey, SignatureScheme]] = []
_RSA_SPECS = (
    (1024, 3, SignatureScheme.RSA_PKCS1_SHA1),
    (1536, 65537, SignatureScheme.RSA_PKCS1_SHA256),
    (2048, 65537, SignatureScheme.RSA_PKCS1_SHA256),
    (2048, 3, SignatureScheme.RSA_PKCS1_SHA512),
)
_RSA_HASH: dict[SignatureScheme, type[hashes.SHA1 | hashes.SHA256 | hashes.SHA512]] = {
    SignatureScheme.RSA_PKCS1_SHA1: hashes.SHA1,
    SignatureScheme.RSA_PKCS1_SHA256: hashes.SHA256,
    SignatureScheme.RSA_PKCS1_SHA512: hashes.SHA512,
}


def rsa_pool() -> list[tuple[rsa.RSAPrivateKey, SignatureScheme]]:
    """Random RSA keys, generated once per session (key generation is too slow per example)."""
    if not _RSA_POOL:
        _RSA_POOL.extend((rsa.generate_private_key(e, bits), s) for bits, e, s in _RSA_SPECS)
    return _RSA_POOL


@EXAMPLES
@given(index=st.integers(0, len(_RSA_SPECS) - 1), message=st.binary(max_size=300), data=st.data())
def test_rsa_pure_agrees_with_fast(index: int, message: bytes, data: st.DataObject) -> None:
    private, scheme = rsa_pool()[index]
    numbers = private.public_key().public_numbers()
    key = RSAPublicKey(scheme, numbers.n, numbers.e)
    signature = private.sign(message, padding.PKCS1v15(), _RSA_HASH[scheme]())
    n_bits = numbers.n.bit_length()

    def flip_key(bit: int) -> PublicKey:
        if bit < n_bits:
            return RSAPublicKey(scheme, numbers.n ^ (1 << bit), numbers.e)
        return RSAPublicKey(scheme, numbers.n, numbers.e ^ (1 << (bit - n_bits)))

    exercise(data, key, signature, message, flip_key, n_bits + 17)


# --- ECDSA ----------------------------------------------------------------------------------------

_EC = {
    SignatureScheme.ECDSA_P256_SHA256: (ec.SECP256R1(), hashes.SHA256),
    SignatureScheme.ECDSA_P384_SHA384: (ec.SECP384R1(), hashes.SHA384),
}


def ec_key(scheme: SignatureScheme, raw: bytes) -> ECPublicKey:
    width = ECDSA_FIELD_OCTETS[scheme]
    x, y = int.from_bytes(raw[:width], "big"), int.from_bytes(raw[width:], "big")
    return ECPublicKey(scheme, x, y, raw)


@pytest.mark.parametrize("scheme", list(_EC), ids=lambda s: s.value)
@EXAMPLES
@given(message=st.binary(max_size=300), data=st.data())
def test_ecdsa_pure_agrees_with_fast(
    scheme: SignatureScheme, message: bytes, data: st.DataObject
) -> None:
    curve, digest = _EC[scheme]
    n = pure_ecdsa.CURVES[scheme].n
    secret = data.draw(st.integers(1, n - 1), label="private key")
    private = ec.derive_private_key(secret, curve)
    width = ECDSA_FIELD_OCTETS[scheme]
    point = private.public_key().public_numbers()
    raw = point.x.to_bytes(width, "big") + point.y.to_bytes(width, "big")
    r, s = decode_dss_signature(private.sign(message, ec.ECDSA(digest())))
    signature = r.to_bytes(width, "big") + s.to_bytes(width, "big")

    def flip_key(bit: int) -> PublicKey:
        flipped = bytearray(raw)
        flipped[bit // 8] ^= 1 << (bit % 8)
        return ec_key(scheme, bytes(flipped))

    exercise(data, ec_key(scheme, raw), signature, message, flip_key, 8 * len(raw))
    # Scalars at the edges: r, s in {1, n-1}, r = s, and the high-s twin (n - s) of the signature.
    for r2, s2 in ((1, s), (r, 1), (n - 1, s), (r, n - 1), (s, s), (r, n - s)):
        agree(ec_key(scheme, raw), r2.to_bytes(width, "big") + s2.to_bytes(width, "big"), message)


# --- EdDSA ----------------------------------------------------------------------------------------


@EXAMPLES
@given(seed=st.binary(min_size=32, max_size=32), message=st.binary(max_size=300), data=st.data())
def test_ed25519_pure_agrees_with_fast(seed: bytes, message: bytes, data: st.DataObject) -> None:
    signing = nacl.signing.SigningKey(seed)
    raw = bytes(signing.verify_key)
    signature = signing.sign(message).signature

    def flip_key(bit: int) -> PublicKey:
        return EdPublicKey(SignatureScheme.ED25519, (int.from_bytes(raw, "little") ^ 1 << bit)
                           .to_bytes(32, "little"))

    exercise(data, EdPublicKey(SignatureScheme.ED25519, raw), signature, message, flip_key, 256)


@EXAMPLES
@given(seed=st.binary(min_size=57, max_size=57), message=st.binary(max_size=300), data=st.data())
def test_ed448_pure_agrees_with_fast(seed: bytes, message: bytes, data: st.DataObject) -> None:
    private = ed448.Ed448PrivateKey.from_private_bytes(seed)
    raw = private.public_key().public_bytes_raw()
    signature = private.sign(message)

    def flip_key(bit: int) -> PublicKey:
        return EdPublicKey(SignatureScheme.ED448, (int.from_bytes(raw, "little") ^ 1 << bit)
                           .to_bytes(57, "little"))

    exercise(data, EdPublicKey(SignatureScheme.ED448, raw), signature, message, flip_key, 456)


# --- garbage: never an exception, still agreement -------------------------------------------------

_SIG_LENGTHS = {
    SignatureScheme.ECDSA_P256_SHA256: 64,
    SignatureScheme.ECDSA_P384_SHA384: 96,
    SignatureScheme.ED25519: 64,
    SignatureScheme.ED448: 114,
}


@st.composite
def garbage_keys(draw: st.DrawFn) -> PublicKey:
    scheme = draw(st.sampled_from(list(SignatureScheme)))
    if scheme in _EC:
        width = ECDSA_FIELD_OCTETS[scheme]
        return ec_key(scheme, draw(st.binary(min_size=2 * width, max_size=2 * width)))
    if scheme in _SIG_LENGTHS:
        octets = 32 if scheme is SignatureScheme.ED25519 else 57
        return EdPublicKey(scheme, draw(st.binary(min_size=octets - 1, max_size=octets + 1)))
    n = draw(st.integers(0, 2**4096 - 1))
    e = draw(st.one_of(st.integers(-5, 70000), st.integers(0, 2**160)))
    return RSAPublicKey(scheme, n, e)


@settings(max_examples=300, deadline=None)
@given(key=garbage_keys(), data=st.data())
def test_malformed_input_is_rejected_not_raised(key: PublicKey, data: st.DataObject) -> None:
    """Backend contract: hostile numbers, lengths and octets give False, never an exception."""
    length = _SIG_LENGTHS.get(key.scheme, getattr(key, "modulus_octets", 0))
    signature = data.draw(
        st.one_of(st.binary(min_size=length, max_size=length), st.binary(max_size=length + 2))
    )
    message = data.draw(st.binary(max_size=64))
    assert agree(key, signature, message) is False


def test_garbage_strategy_reaches_rsa_verification() -> None:
    """The garbage test is not vacuous for RSA: an honest e = 3 case through the same path."""
    private = rsa.generate_private_key(3, 1024)
    numbers = private.public_key().public_numbers()
    key = RSAPublicKey(SignatureScheme.RSA_PKCS1_SHA1, numbers.n, 3)
    signature = private.sign(b"m", padding.PKCS1v15(), hashes.SHA1())
    assert agree(key, signature, b"m") is True
