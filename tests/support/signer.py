"""A test-only DNSSEC signer: makes keys with pyca/cryptography and signs RRsets.

It reuses the package's signature-input code, so it cannot by itself prove that code right —
the BIND/ldns-signed zones and the RFC vectors do that.  It exists to build the cases that
real signers will not produce: long-form RSA exponents, key-tag collisions, odd labels fields.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import TypedDict

import dns.name
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from dnssec_core.dnssec.records import DNSKEY, RRSIG
from dnssec_core.wire.canonical import signature_input
from dnssec_core.wire.name import canonical_wire, rrsig_label_count
from dnssec_core.wire.rrset import CLASS_IN, RRset

INCEPTION = 1767225600  # 2026-01-01T00:00:00Z
EXPIRATION = 3660681600  # 2086-01-01T00:00:00Z
NOW = 1796083200  # 2026-12-01T00:00:00Z

_HASH: dict[int, type[hashes.SHA1 | hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    5: hashes.SHA1, 7: hashes.SHA1, 8: hashes.SHA256, 10: hashes.SHA512,
    13: hashes.SHA256, 14: hashes.SHA384}


def name(text: str) -> dns.name.Name:
    return dns.name.from_text(text)


def rsa_public_field(public: rsa.RSAPublicKey, long_form: bool = False) -> bytes:
    """RFC 3110 §2 encoding; ``long_form`` uses the 0 + 2-octet exponent length."""
    numbers = public.public_numbers()
    e = numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")
    n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
    prefix = b"\x00" + struct.pack("!H", len(e)) if long_form else bytes((len(e),))
    return prefix + e + n


#: The private keys :func:`make_key` generates (RSA, ECDSA P-256/P-384, Ed25519, Ed448).
PrivateKey = (rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
              | ed448.Ed448PrivateKey)


@dataclass
class SigningKey:
    algorithm: int
    private: PrivateKey
    public_field: bytes
    flags: int = 256

    def dnskey(self) -> DNSKEY:
        return DNSKEY.from_wire(struct.pack("!HBB", self.flags, 3, self.algorithm)
                                + self.public_field)

    def sign(self, data: bytes) -> bytes:
        key = self.private
        if self.algorithm in (5, 7, 8, 10):
            assert isinstance(key, rsa.RSAPrivateKey)
            return key.sign(data, padding.PKCS1v15(), _HASH[self.algorithm]())
        if self.algorithm in (13, 14):
            assert isinstance(key, ec.EllipticCurvePrivateKey)
            r, s = decode_dss_signature(key.sign(data, ec.ECDSA(_HASH[self.algorithm]())))
            width = 32 if self.algorithm == 13 else 48
            return r.to_bytes(width, "big") + s.to_bytes(width, "big")
        assert isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey)
        return key.sign(data)


def make_key(algorithm: int, *, flags: int = 256, bits: int = 2048, exponent: int = 65537,
             long_form: bool = False) -> SigningKey:
    private: PrivateKey
    if algorithm in (5, 7, 8, 10):
        private = rsa.generate_private_key(exponent, bits)
        field = rsa_public_field(private.public_key(), long_form)
    elif algorithm in (13, 14):
        private = ec.generate_private_key(ec.SECP256R1() if algorithm == 13 else ec.SECP384R1())
        nums = private.public_key().public_numbers()
        width = 32 if algorithm == 13 else 48
        field = nums.x.to_bytes(width, "big") + nums.y.to_bytes(width, "big")
    elif algorithm == 15:
        private = ed25519.Ed25519PrivateKey.generate()
        field = private.public_key().public_bytes_raw()
    elif algorithm == 16:
        private = ed448.Ed448PrivateKey.generate()
        field = private.public_key().public_bytes_raw()
    else:
        raise ValueError(algorithm)
    return SigningKey(algorithm, private, field, flags)


class RrsigHeader(TypedDict):
    """The RRSIG RDATA fields before the signature (RFC 4034 §3.1): :func:`rrsig_wire`'s
    keyword arguments but ``signature``."""

    covered: int
    algorithm: int
    labels: int
    original_ttl: int
    expiration: int
    inception: int
    key_tag: int
    signer: dns.name.Name


class RrsigFields(RrsigHeader):
    """All of :func:`rrsig_wire`'s keyword arguments."""

    signature: bytes


def rrsig_wire(*, covered: int, algorithm: int, labels: int, original_ttl: int, expiration: int,
               inception: int, key_tag: int, signer: dns.name.Name, signature: bytes) -> bytes:
    return (struct.pack("!HBBIIIH", covered, algorithm, labels, original_ttl, expiration,
                        inception, key_tag) + canonical_wire(signer) + signature)


def sign_rrset(rrset: RRset, key: SigningKey, signer: dns.name.Name, *,
               labels: int | None = None, inception: int = INCEPTION,
               expiration: int = EXPIRATION, key_tag: int | None = None) -> RRSIG:
    """An RRSIG over ``rrset`` by ``key`` (test-only, see module docstring)."""
    dnskey = key.dnskey()
    fields = RrsigHeader(covered=rrset.rdtype, algorithm=key.algorithm,
                         labels=rrsig_label_count(rrset.owner) if labels is None else labels,
                         original_ttl=rrset.ttl, expiration=expiration, inception=inception,
                         key_tag=dnskey.key_tag if key_tag is None else key_tag, signer=signer)
    unsigned = RRSIG.from_wire(rrsig_wire(**fields, signature=b"\x00"))
    signature = key.sign(signature_input(unsigned, rrset))
    return RRSIG.from_wire(rrsig_wire(**fields, signature=signature))


def a_rrset(owner: str = "www.example.com.", *addresses: str, ttl: int = 3600) -> RRset:
    addrs = addresses or ("192.0.2.1",)
    return RRset(name(owner), 1, CLASS_IN, ttl,
                 tuple(bytes(int(p) for p in a.split(".")) for a in addrs))
