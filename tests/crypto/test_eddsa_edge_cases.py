"""EdDSA inputs honest signers never produce: ``pure`` must answer exactly as ``fast`` (SEC-ED-01).

The verification equations of :mod:`dnssec_core.crypto.pure.eddsa` were chosen to match the
libraries behind ``fast`` — libsodium (cofactorless, small-order R and A rejected) for Ed25519
and OpenSSL (cofactored, x = 0 points rejected) for Ed448.  Each test crafts one kind of edge
case with :mod:`tests.crypto.edwards_reference`, asserts the answer we documented, and asserts
that ``pure``, ``fast`` and therefore ``cross`` give it.
"""

from __future__ import annotations

import hashlib
import random

import pytest

from dnssec_core.crypto import get_backend
from dnssec_core.crypto.base import EdPublicKey, SignatureScheme
from dnssec_core.crypto.pure import eddsa
from tests.crypto.edwards_reference import ED448, ED25519, Curve, Point

SCHEMES = {"Ed25519": SignatureScheme.ED25519, "Ed448": SignatureScheme.ED448}
MESSAGE = b"edge case"


def answers(curve: Curve, public: bytes, signature: bytes, message: bytes = MESSAGE) -> bool:
    """The common answer of pure, fast and cross (a fresh key object: no per-key state shared)."""
    key = EdPublicKey(SCHEMES[curve.name], public)
    pure = get_backend("pure").verify(key, signature, message)
    fast = get_backend("fast").verify(key, signature, message)
    assert pure is fast, f"pure says {pure}, fast says {fast}"
    assert get_backend("cross").verify(key, signature, message) is pure
    return pure


def keypair(curve: Curve, label: bytes) -> tuple[int, Point]:
    scalar = curve.secret_scalar(hashlib.sha256(label).digest())
    return scalar, curve.mul(scalar, curve.base)


def honest(curve: Curve, scalar: int, public: bytes, message: bytes = MESSAGE) -> bytes:
    r = random.Random(message).randrange(1, curve.order)
    return curve.sign_with(scalar, public, curve.encode(curve.mul(r, curve.base)), r, message)


def nontrivial_torsion(curve: Curve) -> list[Point]:
    return [t for t in curve.torsion() if t != (0, 1)]


@pytest.mark.parametrize("curve", [ED25519, ED448], ids=lambda c: c.name)
def test_reference_signatures_verify(curve: Curve) -> None:
    scalar, a = keypair(curve, b"reference")
    public = curve.encode(a)
    assert answers(curve, public, honest(curve, scalar, public)) is True


def test_ed25519_small_order_set_matches_libsodium_blacklist_SEC_ED_01() -> None:
    torsion = ED25519.torsion()
    assert len(torsion) == 8 and {ED25519.order_of(t) for t in torsion} == {1, 2, 4, 8}
    canonical = {y for _, y in torsion}
    assert eddsa.ED25519.small_order_y == canonical | {y + ED25519.p for y in canonical if y < 19}


# --- Ed25519: libsodium's rules ------------------------------------------------------------------


@pytest.mark.parametrize("torsion", nontrivial_torsion(ED25519), ids=str)
def test_ed25519_torsion_in_r_is_rejected_cofactorless_SEC_ED_01(torsion: Point) -> None:
    scalar, a = keypair(ED25519, b"r-torsion")
    public = ED25519.encode(a)
    r = 12345
    r_point = ED25519.add(ED25519.mul(r, ED25519.base), torsion)
    signature = ED25519.sign_with(scalar, public, ED25519.encode(r_point), r, MESSAGE)
    # [8]-cofactored verification would accept; libsodium (and pure) do not.
    assert answers(ED25519, public, signature) is False


@pytest.mark.parametrize("torsion", nontrivial_torsion(ED25519), ids=str)
def test_ed25519_mixed_order_key_accepted_iff_k_kills_torsion_SEC_ED_01(torsion: Point) -> None:
    scalar, a = keypair(ED25519, b"a-torsion")
    public = ED25519.encode(ED25519.add(a, torsion))
    order = ED25519.order_of(torsion)
    seen = set()
    for i in range(24):
        message = b"mixed order %d" % i
        r = 1000 + i
        r_octets = ED25519.encode(ED25519.mul(r, ED25519.base))
        signature = ED25519.sign_with(scalar, public, r_octets, r, message)
        # [S]B - [k]A = R - k·T: the cofactorless equation holds iff k·T is the identity.
        kills = ED25519.challenge(r_octets, public, message) % order == 0
        assert answers(ED25519, public, signature, message) is kills
        seen.add(kills)
    assert False in seen


@pytest.mark.parametrize("torsion", ED25519.torsion(), ids=str)
def test_ed25519_small_order_key_rejected_even_with_forgery_SEC_ED_01(torsion: Point) -> None:
    public = ED25519.encode(torsion)
    order = ED25519.order_of(torsion)
    # Anyone can forge for a small-order key: R = [S]B - k·T, trying each k mod order.
    forged = []
    for j in range(order):
        s = 777 + j
        r_point = ED25519.add(ED25519.mul(s, ED25519.base), ED25519.neg(ED25519.mul(j, torsion)))
        r_octets = ED25519.encode(r_point)
        if ED25519.challenge(r_octets, public, MESSAGE) % order == j:
            forged.append(r_octets + s.to_bytes(32, "little"))
    for signature in forged:
        assert answers(ED25519, public, signature) is False


@pytest.mark.parametrize("torsion", ED25519.torsion(), ids=str)
def test_ed25519_small_order_r_rejected_SEC_ED_01(torsion: Point) -> None:
    scalar, a = keypair(ED25519, b"small r")
    public = ED25519.encode(a)
    # The identity as R with S = k·s satisfies the equation; libsodium still rejects it.  For the
    # other small-order R only the blacklist check is exercised (the equation fails anyway).
    for sign in (0, 1):
        r_octets = ED25519.encode(torsion, sign=sign)
        signature = ED25519.sign_with(scalar, public, r_octets, 0, MESSAGE)
        assert answers(ED25519, public, signature) is False


def test_ed25519_noncanonical_encodings_rejected_SEC_ED_01() -> None:
    scalar, a = keypair(ED25519, b"noncanonical")
    public = ED25519.encode(a)
    good = honest(ED25519, scalar, public)
    s = int.from_bytes(good[32:], "little")
    assert answers(ED25519, public, good[:32] + (s + ED25519.order).to_bytes(32, "little")) is False
    for y in range(19):  # y + p < 2^255: the non-canonical y encodings
        x = ED25519.x_for(y)
        if x is None:
            continue
        for sign in (0, 1):
            encoded = ED25519.encode((x, y), sign=sign, y_offset=ED25519.p)
            assert answers(ED25519, encoded, good) is False
            assert answers(ED25519, public, encoded + good[32:]) is False


# --- Ed448: OpenSSL's rules ----------------------------------------------------------------------


@pytest.mark.parametrize("torsion", nontrivial_torsion(ED448), ids=str)
def test_ed448_torsion_in_r_is_accepted_cofactored_SEC_ED_01(torsion: Point) -> None:
    scalar, a = keypair(ED448, b"r-torsion")
    public = ED448.encode(a)
    r = 54321
    r_point = ED448.add(ED448.mul(r, ED448.base), torsion)
    signature = ED448.sign_with(scalar, public, ED448.encode(r_point), r, MESSAGE)
    assert answers(ED448, public, signature) is True


@pytest.mark.parametrize("torsion", nontrivial_torsion(ED448), ids=str)
def test_ed448_mixed_order_key_accepted_for_every_k_SEC_ED_01(torsion: Point) -> None:
    scalar, a = keypair(ED448, b"a-torsion")
    public = ED448.encode(ED448.add(a, torsion))
    for i in range(6):
        message = b"mixed order %d" % i
        r = 2000 + i
        r_octets = ED448.encode(ED448.mul(r, ED448.base))
        signature = ED448.sign_with(scalar, public, r_octets, r, message)
        assert answers(ED448, public, signature, message) is True


@pytest.mark.parametrize("torsion", nontrivial_torsion(ED448), ids=str)
def test_ed448_torsion_as_r_with_valid_equation_SEC_ED_01(torsion: Point) -> None:
    """R a small-order point and S = k·s: [4]([S]B - [k]A - R) = 0 holds.

    OpenSSL (hence ``pure``) accepts R of order 4 and rejects the order-2 point (0, -1), which
    its decoder refuses because x = 0.
    """
    scalar, a = keypair(ED448, b"torsion r")
    public = ED448.encode(a)
    signature = ED448.sign_with(scalar, public, ED448.encode(torsion), 0, MESSAGE)
    assert answers(ED448, public, signature) is (torsion[0] != 0)


@pytest.mark.parametrize("torsion", nontrivial_torsion(ED448), ids=str)
def test_ed448_small_order_key_decides_like_openssl_SEC_ED_01(torsion: Point) -> None:
    """A key of order 4 verifies forgeries (RFC 8032 and OpenSSL do not reject it); x = 0 not."""
    public = ED448.encode(torsion)
    s = 99
    signature = ED448.encode(ED448.mul(s, ED448.base)) + s.to_bytes(57, "little")
    assert answers(ED448, public, signature) is (torsion[0] != 0)


@pytest.mark.parametrize("y", [1, ED448.p - 1], ids=["identity", "order-2"])
def test_ed448_x_zero_points_never_decode_SEC_ED_01(y: int) -> None:
    scalar, a = keypair(ED448, b"x zero")
    public = ED448.encode(a)
    for sign in (0, 1):  # RFC 8032 rejects only sign 1; OpenSSL (and pure) both
        encoded = ED448.encode((0, y), sign=sign)
        s = 5
        assert answers(ED448, encoded, ED448.encode(ED448.mul(s, ED448.base)) + bytes(57)) is False
        signature = ED448.sign_with(scalar, public, encoded, 0, MESSAGE)
        assert answers(ED448, public, signature) is False


def test_ed448_noncanonical_encodings_rejected_SEC_ED_01() -> None:
    scalar, a = keypair(ED448, b"noncanonical")
    public = ED448.encode(a)
    good = honest(ED448, scalar, public)
    s = int.from_bytes(good[57:], "little")
    assert answers(ED448, public, good[:57] + (s + ED448.order).to_bytes(57, "little")) is False
    for bit in range(448, 455):  # the seven bits between y and the sign bit
        flipped = (int.from_bytes(public, "little") | 1 << bit).to_bytes(57, "little")
        assert answers(ED448, flipped, good) is False
        r_flipped = (int.from_bytes(good[:57], "little") | 1 << bit).to_bytes(57, "little")
        assert answers(ED448, public, r_flipped + good[57:]) is False
    for y in range(40):  # y + p < 2^448 for y <= 2^224: the small ones of those
        x = ED448.x_for(y)
        if x is None:
            continue
        for sign in (0, 1):
            encoded = ED448.encode((x, y), sign=sign, y_offset=ED448.p)
            assert answers(ED448, encoded, good) is False
            assert answers(ED448, public, encoded + good[57:]) is False
