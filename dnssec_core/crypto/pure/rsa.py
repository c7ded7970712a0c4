"""RSASSA-PKCS1-v1_5 verification in plain Python integers (RFC 8017 §8.2.2, RFC 3110, RFC 5702).

Why this exists: it is the ``pure`` backend's RSA — from the DNSSEC signature octets to the
decision, every step is the readable Python below (see :mod:`dnssec_core.crypto.pure`).
Requirements: VAL-ALG-06 (DigestInfo prefixes of RFC 5702 §3), SEC-RSA-03 (compare the whole
encoded message), SEC-CT-01 (time bounded by the modulus and exponent size limits).

RFC 8017 §8.2.2, step by step:

1. Length check: the signature is exactly ``k`` octets, ``k`` the modulus length in octets
   (RFC 3110 §3: DNSSEC signatures are not shortened either).
2. RSAVP1 (§5.2.2): ``s = OS2IP(S)``; reject unless ``s < n``; ``m = s^e mod n``.  Python's
   ``pow`` is the modular exponentiation.
3. EMSA-PKCS1-v1_5-ENCODE (§9.2) of the *expected* message: ``0x00 0x01 PS 0x00 T`` with ``PS``
   all ``0xFF`` and ``T`` the DER DigestInfo, i.e. a fixed prefix (RFC 8017 §9.2 note 1, the same
   octets as RFC 5702 §3 and RFC 3110 §3) followed by the hash.
4. Compare ``m`` with the whole expected encoding.  The padding is never *parsed*: a parser that
   skips ``PS`` or reads the DigestInfo length from the signature is how Bleichenbacher's 2006
   e = 3 forgery works (garbage after, or inside, the DigestInfo); building the one acceptable
   encoding and comparing it whole leaves no room for such garbage (SEC-RSA-03).

The DigestInfo ``parameters`` field is the DER NULL ``05 00``; an encoding without it ("missing
NULL", RFC 8017 §9.2 note 1 says verifiers *may* accept it) is rejected, as OpenSSL does.

The key bounds are re-checked (``n`` odd and at most ``RSA_MAX_BITS`` bits, ``e`` odd, ``3 <= e <
n``, at most ``RSA_MAX_EXPONENT_OCTETS`` octets) although :mod:`dnssec_core.dnssec.keys` already
enforces them: SEC-CT-01 needs them here, where the exponentiation happens.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from dnssec_core import limits
from dnssec_core.crypto.base import RSAPublicKey, SignatureScheme

#: DER DigestInfo prefixes, RFC 8017 §9.2 note 1 (= RFC 5702 §3 for SHA-256/512, RFC 3110 §3).
DIGEST_INFO_PREFIX: dict[SignatureScheme, bytes] = {
    SignatureScheme.RSA_PKCS1_SHA1: bytes.fromhex("3021300906052b0e03021a05000414"),
    SignatureScheme.RSA_PKCS1_SHA256: bytes.fromhex("3031300d060960864801650304020105000420"),
    SignatureScheme.RSA_PKCS1_SHA512: bytes.fromhex("3051300d060960864801650304020305000440"),
}
HASHES: dict[SignatureScheme, Callable[[bytes], hashlib._Hash]] = {
    SignatureScheme.RSA_PKCS1_SHA1: hashlib.sha1,
    SignatureScheme.RSA_PKCS1_SHA256: hashlib.sha256,
    SignatureScheme.RSA_PKCS1_SHA512: hashlib.sha512,
}
#: RFC 8017 §9.2 step 3: at least 8 octets of 0xFF padding (so tLen + 11 <= k).
MIN_PADDING_OCTETS = 8


def key_acceptable(key: RSAPublicKey) -> bool:
    """The bounds of the module docstring (SEC-CT-01, and what OpenSSL also insists on)."""
    n, e = key.n, key.e
    return (
        key.scheme in DIGEST_INFO_PREFIX
        and n % 2 == 1
        and n.bit_length() <= limits.RSA_MAX_BITS
        and e % 2 == 1
        and 3 <= e < n
        and e.bit_length() <= 8 * limits.RSA_MAX_EXPONENT_OCTETS
    )


def make_verifier(key: RSAPublicKey) -> Callable[[bytes, bytes], bool]:
    """A verifier for ``key``; a key outside the bounds verifies nothing."""
    if not key_acceptable(key):
        return _reject
    n, e = key.n, key.e
    k = key.modulus_octets
    prefix = DIGEST_INFO_PREFIX[key.scheme]
    digest = HASHES[key.scheme]
    t_len = len(prefix) + digest(b"").digest_size
    padding = k - 3 - t_len
    if padding < MIN_PADDING_OCTETS:
        return _reject  # §9.2 step 3: "intended encoded message length too short"
    # EM = 0x00 || 0x01 || PS || 0x00 || T, everything but the hash fixed for this key.
    head = b"\x00\x01" + b"\xff" * padding + b"\x00" + prefix

    def verify(signature: bytes, data: bytes) -> bool:
        if len(signature) != k:  # §8.2.2 step 1
            return False
        s = int.from_bytes(signature, "big")
        if s >= n:  # §5.2.2 step 1: signature representative out of range
            return False
        m = pow(s, e, n)  # RSAVP1
        expected = int.from_bytes(head + digest(data).digest(), "big")
        # §8.2.2 step 4: equal integers below n ⇔ equal k-octet encodings (I2OSP is injective).
        return m == expected

    return verify


def _reject(signature: bytes, data: bytes) -> bool:
    return False
