"""The ``fast`` backend's RFC 6605 §4 → DER conversion gives exactly cryptography's encoding.

:func:`dnssec_core.crypto.fast.ecdsa_der` builds the DER ``Ecdsa-Sig-Value`` (RFC 3279
§2.2.3) from the octets of ``r | s`` instead of through integers (issue 7 hot path); here it is
compared with cryptography's ``encode_dss_signature`` on the edge cases (leading zero octets,
high bit set, all-zero halves, maximal values) and on random signatures of both widths, and a
real P-256/P-384 signature still verifies through the backend (VAL-ALG-02, SEC-EC-01).
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from dnssec_core.crypto.base import ECPublicKey, SignatureScheme
from dnssec_core.crypto.fast import FastBackend, ecdsa_der

WIDTHS = (32, 48)


def reference(signature: bytes, width: int) -> bytes | None:
    r = int.from_bytes(signature[:width], "big")
    s = int.from_bytes(signature[width:], "big")
    return None if r == 0 or s == 0 else encode_dss_signature(r, s)


def edge_halves(width: int) -> list[bytes]:
    return [
        bytes(width),  # zero: no signature
        bytes(width - 1) + b"\x01",
        bytes(width - 1) + b"\x80",  # one octet, high bit: needs a 0x00 pad
        b"\x00\x80" + bytes(width - 2),
        b"\x00\x7f" + b"\xff" * (width - 2),
        b"\x7f" + b"\xff" * (width - 1),
        b"\x80" + bytes(width - 1),
        b"\xff" * width,
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_edge_cases_match_cryptography(width: int) -> None:
    halves = edge_halves(width)
    checked = 0
    for r in halves:
        for s in halves:
            assert ecdsa_der(r + s, width) == reference(r + s, width), (r + s).hex()
            checked += 1
    assert checked == len(halves) ** 2


@settings(max_examples=300, deadline=None)
@given(
    width=st.sampled_from(WIDTHS),
    data=st.data(),
)
def test_random_signatures_match_cryptography(width: int, data: st.DataObject) -> None:
    zeros_r = data.draw(st.integers(0, width))
    zeros_s = data.draw(st.integers(0, width))
    r = bytes(zeros_r) + data.draw(st.binary(min_size=width - zeros_r, max_size=width - zeros_r))
    s = bytes(zeros_s) + data.draw(st.binary(min_size=width - zeros_s, max_size=width - zeros_s))
    assert ecdsa_der(r + s, width) == reference(r + s, width)


@pytest.mark.parametrize(
    ("scheme", "curve", "digest"),
    [
        (SignatureScheme.ECDSA_P256_SHA256, ec.SECP256R1(), hashes.SHA256()),
        (SignatureScheme.ECDSA_P384_SHA384, ec.SECP384R1(), hashes.SHA384()),
    ],
)
def test_backend_verifies_real_signatures(
    scheme: SignatureScheme, curve: ec.EllipticCurve, digest: hashes.HashAlgorithm
) -> None:
    private = ec.generate_private_key(curve)
    numbers = private.public_key().public_numbers()
    width = (curve.key_size + 7) // 8
    raw = numbers.x.to_bytes(width, "big") + numbers.y.to_bytes(width, "big")
    key = ECPublicKey(scheme, numbers.x, numbers.y, raw)
    backend = FastBackend()
    results = []
    for message in (b"", b"x", b"dnssec" * 50):
        r, s = decode_dss_signature(private.sign(message, ec.ECDSA(digest)))
        wire = r.to_bytes(width, "big") + s.to_bytes(width, "big")
        results.append(backend.verify(key, wire, message))
        results.append(backend.verify(key, wire, message + b"!"))
    assert results == [True, False] * 3
