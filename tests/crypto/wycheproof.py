"""Loading Wycheproof signature-verification vectors as (key, signature, message, expected) cases.

Keys are built directly from the numbers in each test group (``publicKey``), bypassing
:mod:`dnssec_core.dnssec.keys`: the 3072/4096-bit RSA keys and the raw curve points are fine for a
backend even where DNSSEC policy would say otherwise.

``acceptable`` results are decided by flag in :data:`ACCEPTABLE`; a flag without a decision makes
loading fail, so a new kind of acceptable case cannot slip through undecided.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from dnssec_core.crypto.base import (
    ECDSA_FIELD_OCTETS,
    ECPublicKey,
    EdPublicKey,
    PublicKey,
    RSAPublicKey,
    SignatureScheme,
)
from vectors import vector_path

#: Decisions for ``"result": "acceptable"`` cases, by flag.
#:
#: * ``MissingNull`` — the DigestInfo's AlgorithmIdentifier omits the NULL parameters.  RFC 8017
#:   §9.2 note 1 lets verifiers accept it, but RFC 5702 §3 and RFC 3110 §3 give the exact prefix
#:   *with* NULL and SEC-RSA-03 demands comparing the full expected encoding: rejected (OpenSSL,
#:   behind ``fast``, rejects it too).
ACCEPTABLE: dict[str, bool] = {"MissingNull": False}

RSA_FILES = tuple(
    f"rsa_signature_{bits}_{sha}_test.json"
    for bits in (2048, 3072, 4096)
    for sha in ("sha256", "sha512")
)
ECDSA_P1363_FILES = (
    "ecdsa_secp256r1_sha256_p1363_test.json",
    "ecdsa_secp384r1_sha384_p1363_test.json",
)
ECDSA_DER_FILES = ("ecdsa_secp256r1_sha256_test.json", "ecdsa_secp384r1_sha384_test.json")
EDDSA_FILES = ("ed25519_test.json", "ed448_test.json")
ALL_FILES = RSA_FILES + ECDSA_P1363_FILES + ECDSA_DER_FILES + EDDSA_FILES

_RSA_SCHEMES = {
    "SHA-256": SignatureScheme.RSA_PKCS1_SHA256,
    "SHA-512": SignatureScheme.RSA_PKCS1_SHA512,
}
_EC_SCHEMES = {
    ("secp256r1", "SHA-256"): SignatureScheme.ECDSA_P256_SHA256,
    ("secp384r1", "SHA-384"): SignatureScheme.ECDSA_P384_SHA384,
}
_ED_SCHEMES = {"edwards25519": SignatureScheme.ED25519, "edwards448": SignatureScheme.ED448}


@dataclass(frozen=True)
class Case:
    """One Wycheproof test, ready for ``backend.verify(key, signature, message)``.

    ``signature`` is None when a DER signature does not parse as strict DER or its r or s does not
    fit the field width: the test then only checks that Wycheproof does not call it valid (a
    parse failure counts as a rejection).
    """

    file: str
    tc_id: int
    comment: str
    flags: tuple[str, ...]
    result: str
    key: PublicKey
    signature: bytes | None
    message: bytes

    @property
    def expected(self) -> bool:
        if self.result == "valid":
            return True
        if self.result == "invalid":
            return False
        assert self.result == "acceptable", self.result
        decisions = {ACCEPTABLE[flag] for flag in self.flags if flag in ACCEPTABLE}
        undecided = [flag for flag in self.flags if flag not in ACCEPTABLE]
        assert len(decisions) == 1 and not undecided, f"undecided acceptable case: {self.flags}"
        return decisions.pop()

    def __str__(self) -> str:
        return f"{self.file.removesuffix('_test.json')}-tc{self.tc_id}"


def load(file: str) -> tuple[list[Case], int]:
    """All cases of ``file`` and the file's ``numberOfTests``."""
    data: dict[str, Any] = json.loads(vector_path("wycheproof", file).read_text())
    cases: list[Case] = []
    for group in data["testGroups"]:
        key = _group_key(group)
        der = group["type"] == "EcdsaVerify"
        for test in group["tests"]:
            raw = bytes.fromhex(test["sig"])
            signature = _der_to_p1363(raw, key) if der else raw
            cases.append(
                Case(
                    file=file,
                    tc_id=test["tcId"],
                    comment=test["comment"],
                    flags=tuple(test["flags"]),
                    result=test["result"],
                    key=key,
                    signature=signature,
                    message=bytes.fromhex(test["msg"]),
                )
            )
    return cases, data["numberOfTests"]


def _group_key(group: dict[str, Any]) -> PublicKey:
    public = group["publicKey"]
    kind = group["type"]
    if kind == "RsassaPkcs1Verify":
        n, e = int(public["modulus"], 16), int(public["publicExponent"], 16)
        return RSAPublicKey(_RSA_SCHEMES[group["sha"]], n, e)
    if kind in ("EcdsaVerify", "EcdsaP1363Verify"):
        scheme = _EC_SCHEMES[(public["curve"], group["sha"])]
        width = ECDSA_FIELD_OCTETS[scheme]
        x, y = int(public["wx"], 16), int(public["wy"], 16)
        return ECPublicKey(scheme, x, y, x.to_bytes(width, "big") + y.to_bytes(width, "big"))
    assert kind == "EddsaVerify", kind
    return EdPublicKey(_ED_SCHEMES[public["curve"]], bytes.fromhex(public["pk"]))


# --- strict DER (X.690 §8.3, §10.1) for ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } ---


def _der_to_p1363(der: bytes, key: PublicKey) -> bytes | None:
    assert isinstance(key, ECPublicKey)
    parsed = parse_der_signature(der)
    if parsed is None:
        return None
    width = ECDSA_FIELD_OCTETS[key.scheme]
    r, s = parsed
    if r.bit_length() > 8 * width or s.bit_length() > 8 * width:
        return None
    return r.to_bytes(width, "big") + s.to_bytes(width, "big")


def parse_der_signature(der: bytes) -> tuple[int, int] | None:
    """(r, s) from a strict-DER ECDSA signature, or None (BER forms, trailing data, negatives…)."""
    header = _tag_length(der, 0, 0x30)
    if header is None:
        return None
    start, end = header
    if end != len(der):
        return None
    r_parsed = _integer(der, start)
    if r_parsed is None:
        return None
    r, offset = r_parsed
    s_parsed = _integer(der, offset)
    if s_parsed is None:
        return None
    s, offset = s_parsed
    if offset != end:
        return None
    return r, s


def _tag_length(buf: bytes, offset: int, tag: int) -> tuple[int, int] | None:
    """(content start, end) of the TLV at ``offset`` with ``tag``; definite, minimal length."""
    if offset + 2 > len(buf) or buf[offset] != tag:
        return None
    first = buf[offset + 1]
    offset += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or offset + count > len(buf) or buf[offset] == 0:
            return None  # indefinite length, absurd length, or leading zero octet
        length = int.from_bytes(buf[offset : offset + count], "big")
        offset += count
        if length < 0x80:
            return None  # long form where the short form fits
    end = offset + length
    if end > len(buf):
        return None
    return offset, end


def _integer(buf: bytes, offset: int) -> tuple[int, int] | None:
    parsed = _tag_length(buf, offset, 0x02)
    if parsed is None:
        return None
    start, end = parsed
    content = buf[start:end]
    if not content or content[0] & 0x80:
        return None  # empty or negative
    if len(content) > 1 and content[0] == 0 and not content[1] & 0x80:
        return None  # non-minimal: superfluous leading zero
    return int.from_bytes(content, "big"), end
