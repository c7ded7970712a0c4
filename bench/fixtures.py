"""Keys and signed RRsets for the per-RRset benchmarks, one set per algorithm.

dnspython signs (bench only: dnssec_core itself never uses dns.dnssec); dnssec-core, dnspython
and the raw primitive then verify the very same RRsets.  Each fixture is checked before it is
timed: every verifier must accept every RRSIG.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dns.name
import dns.rrset
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import (
    ec,
    ed448,
    ed25519,
    padding,
    rsa,
)
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from bench.peers import dnssec
from dnssec_core.dnssec.records import DNSKEY, RRSIG
from dnssec_core.dnssec.rrsig import ZoneKeys
from dnssec_core.wire.canonical import signature_input
from dnssec_core.wire.rrset import RRset

INCEPTION = 1767225600  # 2026-01-01
EXPIRATION = 3660595200  # 2086-01-01
NOW = 1796083200  # 2026-12-01
ZONE = dns.name.from_text("example.com.")

#: The RRsets each algorithm signs: a two-address A RRset, an MX whose target needs lowercasing
#: for the canonical form, a TXT.  Costs below are per RRset, averaged over these.
RRSET_TEXT = [
    ("www.example.com.", "A", ["192.0.2.1", "192.0.2.2"]),
    ("example.com.", "MX", ["10 Mail.Example.COM."]),
    ("example.com.", "TXT", ['"v=spf1 -all"']),
]


@dataclass(frozen=True)
class Case:
    label: str  # e.g. "8 RSA-2048"
    algorithm: int
    private: Any
    dnskey: Any  # dnspython DNSKEY rdata
    keyset: Any  # dnspython DNSKEY rrset
    rrsets: list[Any]  # dnspython rrsets
    sigsets: list[Any]  # dnspython RRSIG rrsets
    core_rrsets: list[RRset]
    core_rrsigs: list[list[RRSIG]]
    core_keys: ZoneKeys
    data: list[bytes]  # signature input per RRset
    signatures: list[bytes]  # DNSSEC wire-format signature per RRset


CASES: list[tuple[str, int, Any]] = [
    ("8 RSA-2048", 8, lambda: rsa.generate_private_key(65537, 2048)),
    ("8 RSA-4096", 8, lambda: rsa.generate_private_key(65537, 4096)),
    ("10 RSA-2048", 10, lambda: rsa.generate_private_key(65537, 2048)),
    ("13 P-256", 13, lambda: ec.generate_private_key(ec.SECP256R1())),
    ("14 P-384", 14, lambda: ec.generate_private_key(ec.SECP384R1())),
    ("15 Ed25519", 15, lambda: ed25519.Ed25519PrivateKey.generate()),
    ("16 Ed448", 16, lambda: ed448.Ed448PrivateKey.generate()),
]


def make_case(label: str, algorithm: int, generate: Any) -> Case:
    private = generate()
    dnskey = dnssec.make_dnskey(private.public_key(), algorithm, flags=257)
    keyset = dns.rrset.from_rdata(ZONE, 3600, dnskey)
    rrsets, sigsets, core_rrsets, core_rrsigs, data, signatures = [], [], [], [], [], []
    for owner, rdtype, rdatas in RRSET_TEXT:
        rrset = dns.rrset.from_text(owner, 3600, "IN", rdtype, *rdatas)
        rrsig = dnssec.sign(
            rrset, private, ZONE, dnskey, inception=INCEPTION, expiration=EXPIRATION
        )
        sigset = dns.rrset.from_rdata(owner, 3600, rrsig)
        core_rrset = RRset(
            rrset.name, int(rrset.rdtype), 1, rrset.ttl, tuple(rd.to_wire() for rd in rrset)
        )
        rrsig_wire = rrsig.to_wire()
        assert rrsig_wire is not None  # to_wire() without a file returns the octets
        core_rrsig = RRSIG.from_wire(rrsig_wire)
        rrsets.append(rrset)
        sigsets.append(sigset)
        core_rrsets.append(core_rrset)
        core_rrsigs.append([core_rrsig])
        data.append(signature_input(core_rrsig, core_rrset))
        signatures.append(core_rrsig.signature)
    dnskey_wire = dnskey.to_wire()
    assert dnskey_wire is not None  # to_wire() without a file returns the octets
    keys = ZoneKeys.from_dnskeys(ZONE, [DNSKEY.from_wire(dnskey_wire)])
    case = Case(label, algorithm, private, dnskey, keyset, rrsets, sigsets, core_rrsets,
                core_rrsigs, keys, data, signatures)
    for rrset, sigset in zip(rrsets, sigsets, strict=True):
        dnssec.validate(rrset, sigset, {ZONE: keyset}, now=NOW)  # raises if not valid
    return case


def raw_verifier(case: Case) -> Any:
    """The primitive alone: a pre-built key, the library's own signature encoding, the data.

    This is the floor: no parsing, no canonical form, no checks — RSA and ECDSA through
    pyca/cryptography (OpenSSL), Ed25519 through pynacl (libsodium), Ed448 through cryptography.
    """
    public = case.private.public_key()
    jobs = list(zip(case.signatures, case.data, strict=True))
    if case.algorithm in (8, 10):
        pkcs1 = padding.PKCS1v15()
        digest = hashes.SHA256() if case.algorithm == 8 else hashes.SHA512()

        def verify_rsa() -> None:
            for signature, data in jobs:
                public.verify(signature, data, pkcs1, digest)

        return verify_rsa
    if case.algorithm in (13, 14):
        width = 32 if case.algorithm == 13 else 48
        ecdsa = ec.ECDSA(hashes.SHA256() if case.algorithm == 13 else hashes.SHA384())
        der = [
            (encode_dss_signature(int.from_bytes(s[:width], "big"),
                                  int.from_bytes(s[width:], "big")), d)
            for s, d in jobs
        ]

        def verify_ecdsa() -> None:
            for signature, data in der:
                public.verify(signature, data, ecdsa)

        return verify_ecdsa
    if case.algorithm == 15:
        import nacl.signing

        nacl_key = nacl.signing.VerifyKey(case.dnskey.key)

        def verify_ed25519() -> None:
            for signature, data in jobs:
                nacl_key.verify(data, signature)

        return verify_ed25519

    def verify_ed448() -> None:
        for signature, data in jobs:
            public.verify(signature, data)

    return verify_ed448


def all_cases() -> list[Case]:
    return [make_case(*spec) for spec in CASES]
