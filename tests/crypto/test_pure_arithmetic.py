"""Unit tests of the pure backend's building blocks against naive reference arithmetic.

Recodings reconstruct their scalar; tables hold the multiples they claim; the exceptional
additions (P + P, P + (-P), infinity) are right; a verification that reaches the point at
infinity rejects without raising; off-curve keys verify nothing (SEC-EC-01, defence in depth);
the per-key table budget and the verifier cache stay bounded.
"""

from __future__ import annotations

import itertools
import random

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from hypothesis import given, settings
from hypothesis import strategies as st

import dnssec_core.crypto.pure as pure_package
from dnssec_core.crypto import Backend, get_backend
from dnssec_core.crypto.base import ECPublicKey, EdPublicKey, SignatureScheme
from dnssec_core.crypto.pure import ecdsa, eddsa, field
from tests.crypto import edwards_reference

# --- field helpers --------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(k=st.integers(0, 2**384), width=st.integers(2, 9))
def test_wnaf_reconstructs_scalar(k: int, width: int) -> None:
    digits = field.wnaf(k, width)
    assert sum(d << position for position, d in digits) == k
    positions = [position for position, _ in digits]
    assert positions == sorted(positions, reverse=True)
    assert all(d % 2 == 1 and abs(d) < 1 << (width - 1) for _, d in digits)
    assert all(a - b >= width for a, b in itertools.pairwise(positions))


@settings(max_examples=200, deadline=None)
@given(bits=st.sampled_from([253, 256, 384, 446]), width=st.integers(2, 9), data=st.data())
def test_signed_windows_reconstruct_scalar(bits: int, width: int, data: st.DataObject) -> None:
    k = data.draw(st.one_of(st.integers(0, 2**bits - 1), st.just(2**bits - 1)))
    windows = field.window_count(bits, width)
    digits = field.signed_windows(k, width, windows)
    assert sum(d << (width * i) for i, d in enumerate(digits)) == k
    assert all(-(1 << (width - 1)) < d <= 1 << (width - 1) for d in digits)


def test_batch_invert() -> None:
    p = ecdsa.P256.p
    values = [1, 2, p - 1, 12345, 2**200 + 7]
    assert field.batch_invert(values, p) == [pow(v, -1, p) for v in values]


def test_table_budget_evicts_oldest() -> None:
    class Owner:
        def __init__(self) -> None:
            self.dropped = False

        def drop_table(self) -> None:
            self.dropped = True

    budget = field.TableBudget(2)
    owners = [Owner() for _ in range(3)]
    for owner in owners:
        budget.admit(owner)
    assert [o.dropped for o in owners] == [True, False, False]
    assert len(budget) == 2


# --- Weierstrass arithmetic -----------------------------------------------------------------------

CURVES = [ecdsa.P256, ecdsa.P384]


def naive_add(curve: ecdsa.Curve, p1: ecdsa.Affine | None, p2: ecdsa.Affine | None
              ) -> ecdsa.Affine | None:
    """Textbook affine addition (None = infinity)."""
    p = curve.p
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2 and (y1 + y2) % p == 0:
        return None
    if p1 == p2:
        lam = (3 * x1 * x1 - 3) * pow(2 * y1, -1, p) % p
    else:
        lam = (y2 - y1) * pow(x2 - x1, -1, p) % p
    x3 = (lam * lam - x1 - x2) % p
    return x3, (lam * (x1 - x3) - y1) % p


def naive_mul(curve: ecdsa.Curve, k: int, point: ecdsa.Affine) -> ecdsa.Affine | None:
    result: ecdsa.Affine | None = None
    addend: ecdsa.Affine | None = point
    while k:
        if k & 1:
            result = naive_add(curve, result, addend)
        addend = naive_add(curve, addend, addend)
        k >>= 1
    return result


def affine(curve: ecdsa.Curve, point: ecdsa.Jacobian) -> ecdsa.Affine | None:
    x, y, z = point
    if z == 0:
        return None
    p = curve.p
    zi = pow(z, -1, p)
    return x * zi * zi % p, y * zi * zi * zi % p


def edge_scalars(n: int) -> list[int]:
    rng = random.Random(n)
    return [0, 1, 2, 3, 15, 16, 17, n - 1, n - 2, n // 2, 2**128, n - 2**128] + [
        rng.randrange(n) for _ in range(4)
    ]


@pytest.mark.parametrize("curve", CURVES, ids=lambda c: c.name)
def test_add_affine_exceptional_cases(curve: ecdsa.Curve) -> None:
    g = (curve.gx, curve.gy)
    g_jacobian = (curve.gx, curve.gy, 1)
    assert affine(curve, ecdsa.add_affine(ecdsa.INFINITY, *g, curve.p)) == g
    assert affine(curve, ecdsa.add_affine(g_jacobian, *g, curve.p)) == naive_add(curve, g, g)
    assert ecdsa.add_affine(g_jacobian, curve.gx, curve.p - curve.gy, curve.p)[2] == 0
    # The same, with a non-trivial Z.
    two_g = ecdsa.double(g_jacobian, curve.p)
    two_g_affine = affine(curve, two_g)
    assert two_g_affine is not None
    assert affine(curve, ecdsa.add_affine(two_g, *two_g_affine, curve.p)) == naive_mul(curve, 4, g)
    neg = (two_g_affine[0], curve.p - two_g_affine[1])
    assert ecdsa.add_affine(two_g, *neg, curve.p)[2] == 0
    assert ecdsa.double(ecdsa.INFINITY, curve.p)[2] == 0


@pytest.mark.parametrize("curve", CURVES, ids=lambda c: c.name)
def test_scalar_multiplication_matches_naive(curve: ecdsa.Curve) -> None:
    g = (curve.gx, curve.gy)
    q = naive_mul(curve, 0xC0FFEE, g)
    assert q is not None
    q_table = ecdsa.build_table(curve, *q, ecdsa.KEY_WINDOW_BITS)
    for k in edge_scalars(curve.n):
        expected = naive_mul(curve, k, q)
        assert affine(curve, ecdsa.multiply_wnaf(curve, *q, k)) == expected
        assert affine(curve, ecdsa.add_table_multiple(ecdsa.INFINITY, q_table, k, curve.p)) == (
            expected
        )
        generator = ecdsa.add_table_multiple(ecdsa.INFINITY, ecdsa.generator_table(curve), k,
                                             curve.p)
        assert affine(curve, generator) == naive_mul(curve, k, g)
    # n·Q is infinity on both paths (the last addition is P + (-P)).
    assert ecdsa.multiply_wnaf(curve, *q, curve.n)[2] == 0


@pytest.mark.parametrize("curve", CURVES, ids=lambda c: c.name)
def test_generator_table_entries(curve: ecdsa.Curve) -> None:
    table = ecdsa.generator_table(curve)
    half = 1 << (table.width - 1)
    assert table.windows == field.window_count(curve.n.bit_length(), table.width)
    assert len(table.points) == table.windows * half
    g = (curve.gx, curve.gy)
    for i in (0, 1, table.windows - 1):
        for j in (1, 2, 3, half):
            assert table.points[i * half + j - 1] == naive_mul(curve, j << (table.width * i), g)


@pytest.mark.parametrize("scheme", list(ecdsa.CURVES), ids=lambda s: s.value)
def test_verification_reaching_infinity_rejects_SEC_EC_01(
    scheme: SignatureScheme, backend: Backend
) -> None:
    """u1·G + u2·Q = O when r = -e/d (mod n): SEC 1 §4.1.4 step 5 says reject."""
    curve = ecdsa.CURVES[scheme]
    d = 0x1234567
    q = naive_mul(curve, d, (curve.gx, curve.gy))
    assert q is not None
    width = curve.octets
    key = ECPublicKey(scheme, *q, q[0].to_bytes(width, "big") + q[1].to_bytes(width, "big"))
    message = b"infinity"
    e = int.from_bytes(curve.digest(message).digest(), "big") % curve.n
    r = -e * pow(d, -1, curve.n) % curve.n
    for s in (1, 2, curve.n - 1):
        signature = r.to_bytes(width, "big") + s.to_bytes(width, "big")
        assert backend.verify(key, signature, message) is False
        for uses in (0, 10):  # first use and table path
            verifier = ecdsa.ECDSAVerifier(key)
            verifier.uses = uses
            assert verifier.verify(signature, message) is False


@pytest.mark.parametrize("scheme", list(ecdsa.CURVES), ids=lambda s: s.value)
def test_off_curve_and_out_of_range_keys_verify_nothing_SEC_EC_01(
    scheme: SignatureScheme, backend: Backend
) -> None:
    curve = ecdsa.CURVES[scheme]
    private = ec.derive_private_key(777, ec.SECP256R1() if curve is ecdsa.P256 else ec.SECP384R1())
    digest = hashes.SHA256() if curve is ecdsa.P256 else hashes.SHA384()
    r, s = decode_dss_signature(private.sign(b"m", ec.ECDSA(digest)))
    width = curve.octets
    signature = r.to_bytes(width, "big") + s.to_bytes(width, "big")
    point = private.public_key().public_numbers()
    good = ECPublicKey(scheme, point.x, point.y, b"")
    assert backend.verify(good, signature, b"m") is True
    for x, y in ((point.x, point.y + 1), (point.x, point.y + curve.p), (point.x + curve.p, point.y),
                 (0, 0), (curve.gx, curve.gy + 1)):
        key = ECPublicKey(scheme, x, y, b"")
        assert pure_package.PureBackend().verify(key, signature, b"m") is False
        if x < curve.p and y < curve.p:
            assert backend.verify(key, signature, b"m") is False


# --- Edwards arithmetic ---------------------------------------------------------------------------

ED_CURVES = [(eddsa.ED25519, edwards_reference.ED25519), (eddsa.ED448, edwards_reference.ED448)]


def ed_affine(curve: eddsa.EdwardsCurve, point: eddsa.Extended) -> tuple[int, int]:
    return curve.to_affine([point])[0]


@pytest.mark.parametrize(("curve", "reference"), ED_CURVES, ids=["Ed25519", "Ed448"])
def test_edwards_multiplication_matches_reference(
    curve: eddsa.EdwardsCurve, reference: edwards_reference.Curve
) -> None:
    base = (curve.bx, curve.by)
    q = reference.mul(0xBADC0DE, base)
    # A point with a torsion component, as a mixed-order key would have.
    q_mixed = reference.add(q, reference.torsion()[-1])
    for point in (q, q_mixed):
        table = curve.build_table(*point, eddsa.KEY_WINDOW_BITS)
        for k in edge_scalars(curve.order):
            expected = reference.mul(k, point)
            assert ed_affine(curve, curve.multiply_wnaf(*point, k)) == expected
            assert ed_affine(curve, curve.add_table_multiple(curve.identity, table, k)) == expected
    for k in edge_scalars(curve.order)[:6]:
        product = curve.add_table_multiple(curve.identity, curve.base_table(), k)
        assert ed_affine(curve, product) == reference.mul(k, base)


@pytest.mark.parametrize(("curve", "reference"), ED_CURVES, ids=["Ed25519", "Ed448"])
def test_edwards_decode_encode_round_trip(
    curve: eddsa.EdwardsCurve, reference: edwards_reference.Curve
) -> None:
    for k in (1, 2, 3, 2**100 + 1, curve.order - 1):
        point = reference.mul(k, (curve.bx, curve.by))
        octets = reference.encode(point)
        assert curve.decode(octets) == point
        assert curve.encode(curve.point(*point)) == int.from_bytes(octets, "little")
    assert curve.decode(b"\x00" * (curve.octets - 1)) is None


def test_ed25519_decode_x_zero_sign_rules_RFC_8032_5_1_3() -> None:
    identity = (1).to_bytes(32, "little")
    assert eddsa.ED25519.decode(identity) == (0, 1)
    assert eddsa.ED25519.decode((1 | 1 << 255).to_bytes(32, "little")) is None


def test_key_tables_are_bounded_and_evicted(monkeypatch: pytest.MonkeyPatch) -> None:
    budget = field.TableBudget(2)
    monkeypatch.setattr(eddsa, "_budget", budget)
    private = [edwards_reference.ED25519.secret_scalar(bytes([i]) * 32) for i in range(3)]
    verifiers = []
    for scalar in private:
        point = edwards_reference.ED25519.mul(scalar, edwards_reference.ED25519.base)
        public = edwards_reference.ED25519.encode(point)
        verifier = eddsa.EdDSAVerifier(EdPublicKey(SignatureScheme.ED25519, public))
        r_octets = edwards_reference.ED25519.encode(edwards_reference.ED25519.base)
        signature = edwards_reference.ED25519.sign_with(scalar, public, r_octets, 1, b"m")
        for _ in range(eddsa.TABLE_AFTER_USES):
            assert verifier.verify(signature, b"m") is True
        verifiers.append((verifier, signature))
    assert [v.table is not None for v, _ in verifiers] == [False, True, True]
    first, signature = verifiers[0]
    assert (first.uses, first.build_after) == (0, 2 * eddsa.TABLE_AFTER_USES)
    # Back on the first-use path, still correct; the table returns after twice as many uses.
    for use in range(1, 2 * eddsa.TABLE_AFTER_USES + 1):
        assert first.verify(signature, b"m") is True
        assert (first.table is not None) is (use == 2 * eddsa.TABLE_AFTER_USES)
    assert verifiers[1][0].table is None  # the oldest table made room


def test_pure_key_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pure_package.PureBackend, "cache_size", 2)
    backend = pure_package.PureBackend()
    keys = [EdPublicKey(SignatureScheme.ED25519, bytes([i]) * 32) for i in range(5)]
    for key in keys:
        assert backend.verify(key, bytes(64), b"") is False
        assert len(backend._verifiers) <= 2


def test_get_backend_pure_is_shared() -> None:
    assert get_backend("pure") is get_backend("pure")
    assert isinstance(get_backend("pure"), pure_package.PureBackend)
