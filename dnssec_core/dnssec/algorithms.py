"""The algorithm and digest policy in one table (RFC 8624 §3.1 and §3.3, carried into RFC 9904).

VAL-ALG-01..05 and VAL-DS-02.  Validation status per DNSSEC algorithm number:

====  ==================  ===========  ===========================================
 #    mnemonic            validate?    why
====  ==================  ===========  ===========================================
 1    RSAMD5              no           MUST NOT (RFC 8624 §3.1)
 3    DSA                 no           MUST NOT
 5    RSASHA1             yes*         MUST for validation; ``allow_sha1=False`` drops it
 6    DSA-NSEC3-SHA1      no           MUST NOT
 7    RSASHA1-NSEC3-SHA1  yes*         as 5
 8    RSASHA256           yes          MUST
10    RSASHA512           yes          MUST
12    ECC-GOST            no           MAY; not implemented
13    ECDSAP256SHA256     yes          MUST
14    ECDSAP384SHA384     yes          RECOMMENDED
15    ED25519             yes          RECOMMENDED
16    ED448               yes          RECOMMENDED
23    ECC-GOST12          no           MAY; not implemented
====  ==================  ===========  ===========================================

Anything not marked "yes" is *unsupported*: the chain engine turns a DS set of only unsupported
algorithms into ``insecure`` (RFC 4035 §5.2, RFC 6840 §5.2) — never bogus, never secure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from dnssec_core import limits
from dnssec_core.crypto.base import SignatureScheme

ALGORITHM_MNEMONICS: dict[int, str] = {
    1: "RSAMD5",
    3: "DSA",
    5: "RSASHA1",
    6: "DSA-NSEC3-SHA1",
    7: "RSASHA1-NSEC3-SHA1",
    8: "RSASHA256",
    10: "RSASHA512",
    12: "ECC-GOST",
    13: "ECDSAP256SHA256",
    14: "ECDSAP384SHA384",
    15: "ED25519",
    16: "ED448",
    23: "ECC-GOST12",
}

#: Algorithms we validate, and the signature scheme each one is (VAL-ALG-01, VAL-ALG-02).
VALIDATING_ALGORITHMS: dict[int, SignatureScheme] = {
    5: SignatureScheme.RSA_PKCS1_SHA1,
    7: SignatureScheme.RSA_PKCS1_SHA1,
    8: SignatureScheme.RSA_PKCS1_SHA256,
    10: SignatureScheme.RSA_PKCS1_SHA512,
    13: SignatureScheme.ECDSA_P256_SHA256,
    14: SignatureScheme.ECDSA_P384_SHA384,
    15: SignatureScheme.ED25519,
    16: SignatureScheme.ED448,
}

#: SHA-1 based algorithms, switchable off by policy (VAL-ALG-04).
SHA1_ALGORITHMS = frozenset({5, 7})

#: DS digest types (RFC 4034 §5.1.4, RFC 4509, RFC 6605 §2; VAL-DS-02).  0 and 3 (GOST) are
#: not implemented, so they are unsupported.
DIGEST_FUNCTIONS: dict[int, Callable[[bytes], bytes]] = {
    1: lambda data: hashlib.sha1(data).digest(),
    2: lambda data: hashlib.sha256(data).digest(),
    4: lambda data: hashlib.sha384(data).digest(),
}
DIGEST_MNEMONICS = {1: "SHA-1", 2: "SHA-256", 4: "SHA-384"}


@dataclass(frozen=True, slots=True)
class AlgorithmPolicy:
    """Local algorithm policy.

    ``allow_sha1``: validate algorithms 5 and 7 (RFC 8624 says validators MUST; a CA may choose
    to treat them as unsupported, which makes such zones insecure, never bogus — VAL-ALG-04).
    ``rsa_min_bits``: smallest RSA modulus accepted (SEC-RSA-01; RFC 3110 allows 512).
    """

    allow_sha1: bool = True
    rsa_min_bits: int = limits.RSA_MIN_BITS
    rsa_max_bits: int = limits.RSA_MAX_BITS

    def scheme(self, algorithm: int) -> SignatureScheme | None:
        """The signature scheme of ``algorithm``, or None when it is unsupported here."""
        if algorithm in SHA1_ALGORITHMS and not self.allow_sha1:
            return None
        return VALIDATING_ALGORITHMS.get(algorithm)

    def supports(self, algorithm: int) -> bool:
        return self.scheme(algorithm) is not None


DEFAULT_POLICY = AlgorithmPolicy()


def algorithm_name(algorithm: int) -> str:
    return ALGORITHM_MNEMONICS.get(algorithm, f"ALG{algorithm}")
