"""RSA PKCS#1 v1.5: full-encoding comparison (SEC-RSA-03), DigestInfo prefixes (VAL-ALG-06), bounds.

The Bleichenbacher 2006 forgeries below are real: with e = 3 the cube root of a crafted encoded
message is a "signature" that a verifier *parsing* the padding accepts (shown with
:func:`lenient_verify`, the classic bug).  ``pure`` and ``fast`` compare the whole expected
encoding and must reject them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from dnssec_core import limits
from dnssec_core.crypto import Backend, get_backend
from dnssec_core.crypto.base import RSAPublicKey, SignatureScheme
from dnssec_core.crypto.pure import rsa as pure_rsa

SHA256_PREFIX = pure_rsa.DIGEST_INFO_PREFIX[SignatureScheme.RSA_PKCS1_SHA256]
#: A 3072-bit odd modulus with e = 3: the forgeries never reduce mod n, so n need not even be a
#: real RSA modulus for them (they only need s³ < n).
N_3072 = (1 << 3071) | (0x5DEECE66D << 1000) | 1
K_3072 = 384


def icbrt(value: int) -> int:
    """floor(value^(1/3)) by Newton's method."""
    x = 1 << ((value.bit_length() + 2) // 3)
    while True:
        y = (2 * x + value // (x * x)) // 3
        if y >= x:
            break
        x = y
    while x**3 > value:
        x -= 1
    while (x + 1) ** 3 <= value:
        x += 1
    return x


def lenient_verify(n: int, e: int, signature: bytes, message: bytes) -> bool:
    """The buggy verifier of CVE-2006-4339 and relatives: parses, skips PS, ignores what follows."""
    k = (n.bit_length() + 7) // 8
    em = pow(int.from_bytes(signature, "big"), e, n).to_bytes(k, "big")
    if em[:2] != b"\x00\x01":
        return False
    end = em.index(b"\x00", 2)
    if any(b != 0xFF for b in em[2:end]):
        return False
    body = em[end + 1 :]
    return body[: len(SHA256_PREFIX) + 32] == SHA256_PREFIX + hashlib.sha256(message).digest()


def suffix_lenient_verify(n: int, e: int, signature: bytes, message: bytes) -> bool:
    """Another classic bug: checks 00 01 FF×8 … 00 at the start and DigestInfo‖H at the end only."""
    k = (n.bit_length() + 7) // 8
    em = pow(int.from_bytes(signature, "big"), e, n).to_bytes(k, "big")
    t = SHA256_PREFIX + hashlib.sha256(message).digest()
    return em.startswith(b"\x00\x01" + b"\xff" * 8) and b"\x00" in em[10:] and em.endswith(t)


def key_3072_e3() -> RSAPublicKey:
    return RSAPublicKey(SignatureScheme.RSA_PKCS1_SHA256, N_3072, 3)


def forge_garbage_after_hash(message: bytes) -> bytes:
    """Bleichenbacher 2006: 00 01 FF 00 DigestInfo H, then garbage absorbing the cube root error."""
    t = SHA256_PREFIX + hashlib.sha256(message).digest()
    prefix = b"\x00\x01\xff\x00" + t
    target = int.from_bytes(prefix + b"\xff" * (K_3072 - len(prefix)), "big")
    s = icbrt(target)
    assert s**3 < N_3072 and (s**3).to_bytes(K_3072, "big").startswith(prefix)
    return s.to_bytes(K_3072, "big")


def forge_garbage_in_middle(message: bytes) -> bytes:
    """Kühn et al. 2008 variant: correct head and tail, garbage in between.

    The low bits of s are a cube root of DigestInfo‖H modulo 2^(8·len) (3 is invertible modulo
    2^m when the tail is odd), the high bits a real cube root of the head.
    """
    t = SHA256_PREFIX + hashlib.sha256(message).digest()
    assert t[-1] & 1, "pick a message whose hash is odd"
    bits = 8 * len(t)
    tail = int.from_bytes(t, "big")
    low = pow(tail, pow(3, -1, 1 << (bits - 1)), 1 << bits)
    assert pow(low, 3, 1 << bits) == tail
    head = b"\x00\x01" + b"\xff" * 8 + b"\x00"
    # Aim at the middle of the garbage range, so changing the low bits of s cannot carry into
    # (or borrow from) the head.
    high = icbrt(int.from_bytes(head + b"\x80" + bytes(K_3072 - len(head) - 1), "big"))
    s = (high >> bits << bits) | low
    assert s**3 < N_3072 and (s**3).to_bytes(K_3072, "big").startswith(head)
    return s.to_bytes(K_3072, "big")


def odd_hash_message() -> bytes:
    i = 0
    while not hashlib.sha256(b"forged %d" % i).digest()[-1] & 1:
        i += 1
    return b"forged %d" % i


@pytest.mark.parametrize(
    ("forge", "lenient"),
    [(forge_garbage_after_hash, lenient_verify), (forge_garbage_in_middle, suffix_lenient_verify)],
    ids=["garbage-after-hash", "garbage-in-middle"],
)
def test_bleichenbacher_2006_forgery_rejected_SEC_RSA_03(
    forge: Callable[[bytes], bytes],
    lenient: Callable[[int, int, bytes, bytes], bool],
    backend: Backend,
) -> None:
    message = odd_hash_message()
    signature = forge(message)
    assert lenient(N_3072, 3, signature, message), "the forgery must fool a lenient parser"
    assert backend.verify(key_3072_e3(), signature, message) is False


def test_lenient_verifiers_accept_honest_signatures(backend: Backend) -> None:
    """Sanity for the forgery tests: the lenient verifiers do accept real e = 3 signatures."""
    private = private_key(2048, 3)
    numbers = private.public_key().public_numbers()
    signature = private.sign(b"honest", padding.PKCS1v15(), hashes.SHA256())
    assert lenient_verify(numbers.n, 3, signature, b"honest")
    assert suffix_lenient_verify(numbers.n, 3, signature, b"honest")
    key = RSAPublicKey(SignatureScheme.RSA_PKCS1_SHA256, numbers.n, 3)
    assert backend.verify(key, signature, b"honest") is True


# --- real keys ------------------------------------------------------------------------------------

_PRIVATE: dict[tuple[int, int], rsa.RSAPrivateKey] = {}
_HASH: dict[SignatureScheme, type[hashes.SHA1 | hashes.SHA256 | hashes.SHA512]] = {
    SignatureScheme.RSA_PKCS1_SHA1: hashes.SHA1,
    SignatureScheme.RSA_PKCS1_SHA256: hashes.SHA256,
    SignatureScheme.RSA_PKCS1_SHA512: hashes.SHA512,
}


def private_key(bits: int = 2048, e: int = 65537) -> rsa.RSAPrivateKey:
    if (bits, e) not in _PRIVATE:
        _PRIVATE[(bits, e)] = rsa.generate_private_key(e, bits)
    return _PRIVATE[(bits, e)]


def public(private: rsa.RSAPrivateKey, scheme: SignatureScheme) -> RSAPublicKey:
    numbers = private.public_key().public_numbers()
    return RSAPublicKey(scheme, numbers.n, numbers.e)


def raw_sign(private: rsa.RSAPrivateKey, em: bytes) -> bytes:
    """The RSA private operation on an arbitrary encoded message (to build malformed EMs)."""
    numbers = private.private_numbers()
    n = numbers.public_numbers.n
    return pow(int.from_bytes(em, "big"), numbers.d, n).to_bytes(len(em), "big")


@pytest.mark.parametrize("scheme", list(_HASH), ids=lambda s: s.value)
def test_digest_info_prefix_matches_openssl_VAL_ALG_06(scheme: SignatureScheme) -> None:
    """Recover OpenSSL's encoded message from one of its signatures and compare our prefix."""
    private = private_key()
    message = b"prefix"
    signature = private.sign(message, padding.PKCS1v15(), _HASH[scheme]())
    numbers = private.public_key().public_numbers()
    em = pow(int.from_bytes(signature, "big"), numbers.e, numbers.n).to_bytes(256, "big")
    digest = hashlib.new(_HASH[scheme].name, message).digest()
    t = pure_rsa.DIGEST_INFO_PREFIX[scheme] + digest
    assert em == b"\x00\x01" + b"\xff" * (256 - 3 - len(t)) + b"\x00" + t
    assert get_backend("pure").verify(public(private, scheme), signature, message) is True


def test_digest_info_prefixes_are_rfc_5702_VAL_ALG_06() -> None:
    # RFC 5702 §3 (SHA-256, SHA-512) and RFC 3110 §3 (SHA-1), as printed there.
    assert pure_rsa.DIGEST_INFO_PREFIX == {  # noqa: SIM300 (the module constant under test first)
        SignatureScheme.RSA_PKCS1_SHA1: bytes.fromhex(
            "30 21 30 09 06 05 2B 0E 03 02 1A 05 00 04 14"
        ),
        SignatureScheme.RSA_PKCS1_SHA256: bytes.fromhex(
            "30 31 30 0d 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20"
        ),
        SignatureScheme.RSA_PKCS1_SHA512: bytes.fromhex(
            "30 51 30 0d 06 09 60 86 48 01 65 03 04 02 03 05 00 04 40"
        ),
    }


def encoded(t: bytes, k: int = 256, *, padding_octets: int | None = None) -> bytes:
    ps = k - 3 - len(t) if padding_octets is None else padding_octets
    return b"\x00\x01" + b"\xff" * ps + b"\x00" + t


@pytest.mark.parametrize(
    "mutate",
    [
        "missing-null",
        "garbage-after-hash",
        "short-padding-then-garbage",
        "shifted-encoding",
        "ps-not-ff",
        "block-type-2",
        "leading-byte",
        "sha512-prefix-on-sha256-key",
    ],
)
def test_malformed_encodings_rejected_SEC_RSA_03(mutate: str, backend: Backend) -> None:
    private = private_key()
    key = public(private, SignatureScheme.RSA_PKCS1_SHA256)
    message = b"malformed"
    h = hashlib.sha256(message).digest()
    t = SHA256_PREFIX + h
    em = {
        # DigestInfo without the NULL parameters: 30 2f 30 0b 06 09 <oid> 04 20 H.
        "missing-null": encoded(bytes.fromhex("302f300b0609608648016503040201" "0420") + h),
        "garbage-after-hash": encoded(t + b"\x00" * 8, padding_octets=256 - 3 - len(t) - 8),
        "short-padding-then-garbage": encoded(t, padding_octets=7) + bytes(256 - 10 - len(t)),
        "shifted-encoding": b"\x00" * 10 + encoded(t, 246),
        "ps-not-ff": encoded(t)[:5] + b"\xfe" + encoded(t)[6:],
        "block-type-2": b"\x00\x02" + encoded(t)[2:],
        "leading-byte": b"\x01" + encoded(t)[1:],
        "sha512-prefix-on-sha256-key": encoded(
            pure_rsa.DIGEST_INFO_PREFIX[SignatureScheme.RSA_PKCS1_SHA512]
            + hashlib.sha512(message).digest()
        ),
    }[mutate]
    assert len(em) == 256
    assert backend.verify(key, raw_sign(private, encoded(t)), message) is True
    assert backend.verify(key, raw_sign(private, em), message) is False


def test_signature_length_and_range_RFC_8017_8_2_2(backend: Backend) -> None:
    private = private_key()
    key = public(private, SignatureScheme.RSA_PKCS1_SHA256)
    message = b"length"
    signature = private.sign(message, padding.PKCS1v15(), hashes.SHA256())
    assert backend.verify(key, signature, message) is True
    assert backend.verify(key, b"\x00" + signature, message) is False
    assert backend.verify(key, signature[1:], message) is False
    assert backend.verify(key, b"", message) is False
    n = key.n
    assert backend.verify(key, n.to_bytes(256, "big"), message) is False  # s = n
    s = int.from_bytes(signature, "big")
    if s + n < 1 << 2048:
        assert backend.verify(key, (s + n).to_bytes(256, "big"), message) is False


@pytest.mark.parametrize(
    ("n_change", "e"),
    [(0, 4), (0, 1), (0, -3), (1, 65537), (0, 0)],
    ids=["even-e", "e-1", "negative-e", "even-n", "zero-e"],
)
def test_bad_key_numbers_verify_nothing_SEC_CT_01(n_change: int, e: int, backend: Backend) -> None:
    private = private_key()
    numbers = private.public_key().public_numbers()
    key = RSAPublicKey(SignatureScheme.RSA_PKCS1_SHA256, numbers.n + n_change, e)
    signature = private.sign(b"x", padding.PKCS1v15(), hashes.SHA256())
    assert backend.verify(key, signature, b"x") is False


def test_pure_bounds_modulus_and_exponent_size_SEC_CT_01() -> None:
    too_big = RSAPublicKey(SignatureScheme.RSA_PKCS1_SHA256, (1 << limits.RSA_MAX_BITS) + 1, 65537)
    assert not pure_rsa.key_acceptable(too_big)
    huge_e = (1 << (8 * limits.RSA_MAX_EXPONENT_OCTETS)) + 1
    assert not pure_rsa.key_acceptable(
        RSAPublicKey(SignatureScheme.RSA_PKCS1_SHA256, N_3072, huge_e)
    )
    assert pure_rsa.key_acceptable(
        RSAPublicKey(SignatureScheme.RSA_PKCS1_SHA256, N_3072, huge_e >> 8 | 1)
    )
    # A modulus too short for the SHA-512 DigestInfo (RFC 8017 §9.2 step 3) verifies nothing.
    small = RSAPublicKey(SignatureScheme.RSA_PKCS1_SHA512, (1 << 600) + 1, 3)
    assert pure_rsa.make_verifier(small)(b"\x00" * 76, b"") is False


def test_e3_and_sha1_keys_verify(backend: Backend) -> None:
    private = private_key(1024, 3)
    key = public(private, SignatureScheme.RSA_PKCS1_SHA1)
    signature = private.sign(b"legacy", padding.PKCS1v15(), hashes.SHA1())
    assert backend.verify(key, signature, b"legacy") is True
    assert backend.verify(key, signature, b"legacY") is False
