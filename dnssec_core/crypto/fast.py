"""The ``fast`` backend: pyca/cryptography (OpenSSL) for RSA, ECDSA and Ed448, pynacl for Ed25519.

Native key objects are built once per :class:`~dnssec_core.crypto.base.PublicKey` and cached,
because building one costs 1-23 µs and OpenSSL's first use of a key another 7-34 % (issue 7).
Ed25519 goes to pynacl (libsodium), about 1.8× faster than cryptography's Ed25519; pynacl is
imported when the first Ed25519 key is built, not at start-up (~4 ms a process, issue 7).
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, padding, rsa

from dnssec_core.crypto.base import (
    ECDSA_FIELD_OCTETS,
    EDDSA_KEY_OCTETS,
    EDDSA_SIG_OCTETS,
    CachingBackend,
    ECPublicKey,
    EdPublicKey,
    PublicKey,
    RSAPublicKey,
    SignatureScheme,
    Verifier,
)

_RSA_HASH: dict[SignatureScheme, type[hashes.HashAlgorithm]] = {
    SignatureScheme.RSA_PKCS1_SHA1: hashes.SHA1,
    SignatureScheme.RSA_PKCS1_SHA256: hashes.SHA256,
    SignatureScheme.RSA_PKCS1_SHA512: hashes.SHA512,
}
_EC_CURVE: dict[SignatureScheme, tuple[ec.EllipticCurve, hashes.HashAlgorithm]] = {
    SignatureScheme.ECDSA_P256_SHA256: (ec.SECP256R1(), hashes.SHA256()),
    SignatureScheme.ECDSA_P384_SHA384: (ec.SECP384R1(), hashes.SHA384()),
}

def _reject(signature: bytes, data: bytes) -> bool:
    return False


class FastBackend(CachingBackend):
    """Verification through OpenSSL and libsodium (see module docstring)."""

    name = "fast"

    def make_verifier(self, key: PublicKey) -> Verifier:
        return _make_verifier(key)


def _make_verifier(key: PublicKey) -> Verifier:
    """Build the native key once and close over it.  A key the library rejects verifies nothing."""
    try:
        if isinstance(key, RSAPublicKey):
            return _rsa_verifier(key)
        if isinstance(key, ECPublicKey):
            return _ecdsa_verifier(key)
        return _eddsa_verifier(key)
    except (ValueError, TypeError, ArithmeticError):
        # The library refuses the numbers (cryptography 50 raises OverflowError for a
        # negative exponent where 48 raised ValueError): such a key verifies nothing.
        return _reject


def _rsa_verifier(key: RSAPublicKey) -> Verifier:
    native = rsa.RSAPublicNumbers(key.e, key.n).public_key()
    algorithm = _RSA_HASH[key.scheme]()
    pkcs1 = padding.PKCS1v15()
    size = key.modulus_octets

    def verify(signature: bytes, data: bytes) -> bool:
        # RFC 3110 §3 / RFC 8017 §8.2.2 step 1: the signature is exactly as long as the modulus.
        if len(signature) != size:
            return False
        try:
            native.verify(signature, data, pkcs1, algorithm)
        except InvalidSignature:
            return False
        return True

    return verify


_LENGTH_OCTET = [bytes((n,)) for n in range(256)]


def ecdsa_der(signature: bytes, width: int) -> bytes | None:
    """RFC 6605 §4 ``r | s`` (each ``width`` octets) as the DER ``Ecdsa-Sig-Value`` OpenSSL
    takes (RFC 3279 §2.2.3), or None when r or s is zero (never a valid signature).

    The same octets as ``encode_dss_signature(int(r), int(s))`` — minimal big-endian INTEGERs,
    a zero octet before a set high bit — built from the octets directly: twice as fast as going
    through Python integers (issue 7 hot path).  With ``width`` ≤ 48 every length fits one
    octet (short form).
    """
    r = signature[:width].lstrip(b"\0")
    s = signature[width:].lstrip(b"\0")
    if not r or not s:
        return None
    if r[0] & 0x80:
        r = b"\0" + r
    if s[0] & 0x80:
        s = b"\0" + s
    lengths = _LENGTH_OCTET
    return b"".join(
        (b"\x30", lengths[len(r) + len(s) + 4], b"\x02", lengths[len(r)], r, b"\x02",
         lengths[len(s)], s)
    )


def _ecdsa_verifier(key: ECPublicKey) -> Verifier:
    curve, digest = _EC_CURVE[key.scheme]
    native = ec.EllipticCurvePublicNumbers(key.x, key.y, curve).public_key()
    signature_algorithm = ec.ECDSA(digest)
    width = ECDSA_FIELD_OCTETS[key.scheme]

    def verify(signature: bytes, data: bytes) -> bool:
        # RFC 6605 §4: the signature is r | s, each exactly one field width.
        if len(signature) != 2 * width:
            return False
        der = ecdsa_der(signature, width)
        if der is None:  # r or s is zero
            return False
        try:
            native.verify(der, data, signature_algorithm)
        except InvalidSignature:
            return False
        return True

    return verify


def _eddsa_verifier(key: EdPublicKey) -> Verifier:
    if len(key.raw) != EDDSA_KEY_OCTETS[key.scheme]:
        return _reject
    sig_octets = EDDSA_SIG_OCTETS[key.scheme]
    if key.scheme is SignatureScheme.ED25519:
        return _ed25519_verifier(key.raw, sig_octets)

    native = ed448.Ed448PublicKey.from_public_bytes(key.raw)

    def verify_ed448(signature: bytes, data: bytes) -> bool:
        if len(signature) != sig_octets:
            return False
        try:
            native.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    return verify_ed448


def _ed25519_verifier(raw: bytes, sig_octets: int) -> Verifier:
    """pynacl's Ed25519 (RFC 8080), imported here: only a zone or answer with an Ed25519 key
    pays for loading libsodium.  A key pynacl refuses verifies nothing."""
    import nacl.exceptions
    import nacl.signing

    try:
        nacl_key = nacl.signing.VerifyKey(raw)
    except (ValueError, TypeError, nacl.exceptions.CryptoError):
        return _reject

    def verify_ed25519(signature: bytes, data: bytes) -> bool:
        if len(signature) != sig_octets:
            return False
        try:
            nacl_key.verify(data, signature)
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.CryptoError, ValueError):
            return False
        return True

    return verify_ed25519
