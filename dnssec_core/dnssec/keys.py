"""DNSKEY public key field → backend public key (RFC 3110 §2, RFC 6605 §4, RFC 8080 §3).

Malformed or out-of-policy key material gives a :class:`KeyProblem` with a reason — never an
exception.  Parsed keys are interned per (algorithm, key octets, policy) in a bounded cache, so
the signature hot path does not re-parse and backends can cache native objects by identity.
"""

from __future__ import annotations

from dataclasses import dataclass

from dnssec_core import limits
from dnssec_core.crypto.base import (
    ECDSA_FIELD_OCTETS,
    ECDSA_SCHEMES,
    EDDSA_KEY_OCTETS,
    EDDSA_SCHEMES,
    ECPublicKey,
    EdPublicKey,
    PublicKey,
    RSAPublicKey,
    SignatureScheme,
)
from dnssec_core.dnssec.algorithms import DEFAULT_POLICY, AlgorithmPolicy
from dnssec_core.verdict import Reason

# Curve parameters for the on-curve check of SEC-EC-01 (FIPS 186-5 / SEC 2): y² = x³ - 3x + b mod p.
_CURVES: dict[SignatureScheme, tuple[int, int]] = {
    SignatureScheme.ECDSA_P256_SHA256: (
        0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
        0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    ),
    SignatureScheme.ECDSA_P384_SHA384: (
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF,
        0xB3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF,
    ),
}

#: Bound on interned keys; cleared when full (policy).
KEY_CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True)
class KeyProblem:
    """Why a DNSKEY's public key cannot be used."""

    reason: Reason
    detail: str


ParsedKey = PublicKey | KeyProblem

_cache: dict[tuple[SignatureScheme, bytes, int, int], ParsedKey] = {}


def parse_public_key(
    scheme: SignatureScheme, key: bytes, policy: AlgorithmPolicy = DEFAULT_POLICY
) -> ParsedKey:
    """Decode a DNSKEY public key field for ``scheme``; interned (see module docstring)."""
    cache_key = (scheme, key, policy.rsa_min_bits, policy.rsa_max_bits)
    parsed = _cache.get(cache_key)
    if parsed is None:
        if len(_cache) >= KEY_CACHE_SIZE:
            _cache.clear()
        parsed = _cache[cache_key] = _parse(scheme, key, policy)
    return parsed


def _parse(scheme: SignatureScheme, key: bytes, policy: AlgorithmPolicy) -> ParsedKey:
    if scheme in ECDSA_SCHEMES:
        return _parse_ecdsa(scheme, key)
    if scheme in EDDSA_SCHEMES:
        if len(key) != EDDSA_KEY_OCTETS[scheme]:
            return KeyProblem(
                Reason.KEY_MALFORMED,
                f"{scheme.value} key must be {EDDSA_KEY_OCTETS[scheme]} octets, got {len(key)}",
            )
        return EdPublicKey(scheme, key)
    return _parse_rsa(scheme, key, policy)


def _parse_rsa(scheme: SignatureScheme, key: bytes, policy: AlgorithmPolicy) -> ParsedKey:
    """RFC 3110 §2: exponent length (1 octet, or 0 then 2 octets), exponent, modulus.

    Implements VAL-ALG-09, SEC-RSA-01 and SEC-RSA-02: the exponent length must fit the data, the
    exponent and modulus carry no leading zero octets, the exponent is odd and > 1 and at most
    ``RSA_MAX_EXPONENT_OCTETS`` long, and the modulus size is within policy bounds.
    """
    if not key:
        return KeyProblem(Reason.KEY_MALFORMED, "empty RSA key")
    if key[0] != 0:
        exp_len, offset = key[0], 1
    else:
        if len(key) < 3:
            return KeyProblem(Reason.KEY_MALFORMED, "RSA long-form exponent length truncated")
        exp_len, offset = int.from_bytes(key[1:3], "big"), 3
    if exp_len == 0:
        return KeyProblem(Reason.KEY_MALFORMED, "RSA exponent length is zero")
    if offset + exp_len >= len(key):
        return KeyProblem(Reason.KEY_MALFORMED, "RSA exponent length overruns the key")
    if exp_len > limits.RSA_MAX_EXPONENT_OCTETS:
        return KeyProblem(Reason.KEY_MALFORMED, f"RSA exponent of {exp_len} octets is too long")
    exponent = key[offset : offset + exp_len]
    modulus = key[offset + exp_len :]
    if exponent[0] == 0 or modulus[0] == 0:
        return KeyProblem(Reason.KEY_MALFORMED, "RSA exponent or modulus has a leading zero octet")
    e = int.from_bytes(exponent, "big")
    n = int.from_bytes(modulus, "big")
    if e < 3 or e % 2 == 0:
        return KeyProblem(Reason.KEY_MALFORMED, f"RSA exponent {e} is not odd and > 1")
    if n % 2 == 0:
        return KeyProblem(Reason.KEY_MALFORMED, "RSA modulus is even")
    bits = n.bit_length()
    if not policy.rsa_min_bits <= bits <= policy.rsa_max_bits:
        return KeyProblem(
            Reason.KEY_SIZE_UNSUPPORTED,
            f"RSA modulus of {bits} bits outside {policy.rsa_min_bits}..{policy.rsa_max_bits}",
        )
    return RSAPublicKey(scheme, n, e)


def _parse_ecdsa(scheme: SignatureScheme, key: bytes) -> ParsedKey:
    """RFC 6605 §4: Q = x | y, each one field width; SEC-EC-01: on the curve, not infinity."""
    width = ECDSA_FIELD_OCTETS[scheme]
    if len(key) != 2 * width:
        return KeyProblem(
            Reason.KEY_MALFORMED, f"{scheme.value} key must be {2 * width} octets, got {len(key)}"
        )
    x = int.from_bytes(key[:width], "big")
    y = int.from_bytes(key[width:], "big")
    p, b = _CURVES[scheme]
    if not (0 <= x < p and 0 <= y < p) or (y * y - (x * x * x - 3 * x + b)) % p != 0:
        return KeyProblem(Reason.KEY_MALFORMED, "ECDSA public key is not a point on the curve")
    return ECPublicKey(scheme, x, y, key)
