"""The backend interface and the parsed public-key types every backend consumes.

DNSKEY RDATA is decoded into these types by :mod:`dnssec_core.dnssec.keys` (RFC 3110,
RFC 6605, RFC 8080), so every backend sees the same, already bounds-checked numbers and octets.
A backend only answers "does this signature verify over these octets with this key?".
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Protocol


class SignatureScheme(enum.Enum):
    """The signature schemes DNSSEC algorithms map to (RFC 5702, RFC 6605, RFC 8080)."""

    RSA_PKCS1_SHA1 = "rsa-pkcs1v15-sha1"  # algorithms 5, 7 (RFC 3110)
    RSA_PKCS1_SHA256 = "rsa-pkcs1v15-sha256"  # algorithm 8 (RFC 5702)
    RSA_PKCS1_SHA512 = "rsa-pkcs1v15-sha512"  # algorithm 10 (RFC 5702)
    ECDSA_P256_SHA256 = "ecdsa-p256-sha256"  # algorithm 13 (RFC 6605)
    ECDSA_P384_SHA384 = "ecdsa-p384-sha384"  # algorithm 14 (RFC 6605)
    ED25519 = "ed25519"  # algorithm 15 (RFC 8080)
    ED448 = "ed448"  # algorithm 16 (RFC 8080)


RSA_SCHEMES = frozenset(
    {
        SignatureScheme.RSA_PKCS1_SHA1,
        SignatureScheme.RSA_PKCS1_SHA256,
        SignatureScheme.RSA_PKCS1_SHA512,
    }
)
ECDSA_SCHEMES = frozenset({SignatureScheme.ECDSA_P256_SHA256, SignatureScheme.ECDSA_P384_SHA384})
EDDSA_SCHEMES = frozenset({SignatureScheme.ED25519, SignatureScheme.ED448})

#: Octets of one ECDSA coordinate / scalar: RFC 6605 §4.
ECDSA_FIELD_OCTETS = {SignatureScheme.ECDSA_P256_SHA256: 32, SignatureScheme.ECDSA_P384_SHA384: 48}
#: EdDSA public key and signature lengths: RFC 8080 §3-4, RFC 8032 §5.1.5 / §5.2.5.
EDDSA_KEY_OCTETS = {SignatureScheme.ED25519: 32, SignatureScheme.ED448: 57}
EDDSA_SIG_OCTETS = {SignatureScheme.ED25519: 64, SignatureScheme.ED448: 114}


# eq=False: keys compare and hash by identity.  dnssec.keys interns one object per
# (algorithm, key octets), so backends can cache their native key objects keyed on it cheaply.
@dataclass(frozen=True, slots=True, eq=False)
class RSAPublicKey:
    """RSA public key (RFC 3110 §2): modulus ``n`` and exponent ``e``, bounds already checked."""

    scheme: SignatureScheme
    n: int
    e: int

    @property
    def modulus_octets(self) -> int:
        return (self.n.bit_length() + 7) // 8


@dataclass(frozen=True, slots=True, eq=False)
class ECPublicKey:
    """ECDSA public point Q = (x, y) (RFC 6605 §4), checked to lie on the curve."""

    scheme: SignatureScheme
    x: int
    y: int
    raw: bytes  # the DNSKEY public key field, x | y


@dataclass(frozen=True, slots=True, eq=False)
class EdPublicKey:
    """EdDSA public key octets (RFC 8080 §3); point decoding is the backend's job."""

    scheme: SignatureScheme
    raw: bytes


PublicKey = RSAPublicKey | ECPublicKey | EdPublicKey


class BackendDisagreement(Exception):
    """Raised by the ``cross`` backend when its two implementations disagree (SEC-XB-01).

    Two correct implementations cannot disagree, so this is a broken invariant, not a verdict;
    :func:`dnssec_core.dnssec.rrsig.verify_rrset` turns it into a bogus verdict with reason
    ``backend-disagreement``.
    """


class Backend(Protocol):
    """Signature verification.  ``verify`` returns True only for a valid signature.

    Implementations must return False — never raise — for any malformed signature or a key the
    implementation rejects, and must be safe to call with hostile input.
    """

    @property
    def name(self) -> str: ...

    def verify(self, key: PublicKey, signature: bytes, data: bytes) -> bool: ...


Verifier = Callable[[bytes, bytes], bool]


class CachingBackend:
    """Shared machinery of ``fast`` and ``pure``: one verifier closure per key, cached.

    A subclass gives :meth:`make_verifier`, which builds whatever the key needs once (a native
    key object, precomputed tables) and returns ``verify(signature, data) -> bool``.  Keys are
    interned by :mod:`dnssec_core.dnssec.keys`, so the cache is keyed on identity; it holds at
    most ``cache_size`` verifiers and is cleared when full (bounded memory).
    """

    name: ClassVar[str] = "caching"
    cache_size: ClassVar[int] = 4096

    def __init__(self) -> None:
        self._verifiers: dict[PublicKey, Verifier] = {}

    def make_verifier(self, key: PublicKey) -> Verifier:
        raise NotImplementedError

    def verify(self, key: PublicKey, signature: bytes, data: bytes) -> bool:
        verifier = self._verifiers.get(key)
        if verifier is None:
            if len(self._verifiers) >= self.cache_size:
                self._verifiers.clear()
            verifier = self._verifiers[key] = self.make_verifier(key)
        return verifier(signature, data)
