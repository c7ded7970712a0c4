"""The ``pure`` backend: DNSSEC signature verification in plain Python integers.

Why it exists: a Certificate Authority must be able to show *why* a CAA answer was judged
secure.  With ``fast`` the answer rests on OpenSSL and libsodium, tens of thousands of lines of C
and assembly.  With ``pure`` every step from the signature octets to the decision is the readable
Python of this package — about a thousand lines citing the RFC/FIPS section each step implements —
on top of Python's integers and :mod:`hashlib` (SHA-1/2 and SHAKE256 only).  No module here
imports cryptography, pynacl or any other crypto library; ``tests/crypto/test_pure_imports.py``
checks this both by reading the source and by importing the package with those libraries blocked.
``cross`` (:mod:`dnssec_core.crypto.cross`) runs this backend beside ``fast`` and turns any
disagreement into a bogus verdict (SEC-XB-01).

Modules:

* :mod:`.rsa` — RSASSA-PKCS1-v1_5, RFC 8017 §8.2.2 with the full encoded message compared
  (VAL-ALG-06, SEC-RSA-03).
* :mod:`.ecdsa` — P-256/SHA-256 and P-384/SHA-384, SEC 1 §4.1.4 / FIPS 186-5 §6.4.2, RFC 6605
  (VAL-ALG-07, SEC-EC-01).
* :mod:`.eddsa` — Ed25519 and Ed448, RFC 8032 §5.1.7 and §5.2.7, RFC 8080 (VAL-ALG-08,
  SEC-ED-01); the module docstring records which verification equation each curve uses and why.
* :mod:`.field` — batch inversion, scalar recodings, the bound on per-key tables.

Contract (:class:`~dnssec_core.crypto.base.Backend`): :meth:`PureBackend.verify` returns True
only for a valid signature and False — never an exception — for any malformed signature, key or
length.  Timing is variable (SEC-CT-01: all inputs are public) but bounded by the fixed curve sizes
and the RSA modulus/exponent limits.  Speed comes from precomputed tables (per process for the
generators, per key from a key's second use), not from leaving out checks.
"""

from __future__ import annotations

from dnssec_core.crypto.base import (
    CachingBackend,
    ECPublicKey,
    EdPublicKey,
    PublicKey,
    RSAPublicKey,
    Verifier,
)
from dnssec_core.crypto.pure import ecdsa, eddsa, rsa


class PureBackend(CachingBackend):
    """Verification in plain Python (see module docstring); per-key verifiers cached by the
    base class, the memory-heavy per-key tables bounded separately (``MAX_KEY_TABLES``)."""

    name = "pure"

    def make_verifier(self, key: PublicKey) -> Verifier:
        return _make_verifier(key)


def _make_verifier(key: PublicKey) -> Verifier:
    if isinstance(key, RSAPublicKey):
        return rsa.make_verifier(key)
    if isinstance(key, ECPublicKey):
        return ecdsa.make_verifier(key)
    if isinstance(key, EdPublicKey):
        return eddsa.make_verifier(key)
    raise TypeError(f"not a public key: {type(key).__name__}")


__all__ = ["PureBackend"]
