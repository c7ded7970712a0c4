"""ECDSA verification on P-256 and P-384 in plain Python integers (RFC 6605, FIPS 186-5, SEC 1).

Why this exists: it is the ``pure`` backend's ECDSA — every step from the DNSSEC signature octets
to the accept/reject decision is readable Python below, so an auditor need not trust OpenSSL's
assembly (see :mod:`dnssec_core.crypto.pure`).  Requirements: VAL-ALG-07, SEC-EC-01, SEC-CT-01.

Verification follows SEC 1 v2 §4.1.4 (= FIPS 186-5 §6.4.2):

1. RFC 6605 §4 / VAL-ALG-07: the signature is ``r | s``, each exactly one field width (32 or 48
   octets); any other length is rejected.
2. SEC-EC-01: ``1 <= r, s <= n-1``.
3. ``e`` = the hash (SHA-256 / SHA-384, RFC 6605 §4) of the data, its leftmost ``bitlen(n)`` bits.
4. ``w = s⁻¹ mod n``, ``u1 = e·w mod n``, ``u2 = r·w mod n``.
5. ``X = u1·G + u2·Q``; reject if X is the point at infinity.
6. Accept iff ``x(X) mod n == r``.  X stays in Jacobian coordinates ``(X:Y:Z)``, x = X/Z², so the
   test is ``X == r·Z²`` or (when ``r + n < p``) ``X == (r+n)·Z²`` mod p — no inversion needed.

The public point is checked on the curve and not infinity again here although
:mod:`dnssec_core.dnssec.keys` already did (SEC-EC-01, defence in depth: a backend must not rely
on its caller for the property that makes its arithmetic meaningful, e.g. invalid-curve attacks).
Both curves have prime order and cofactor 1, so "on the curve" implies "in the group".

Arithmetic (variable time: SEC-CT-01 — every input is public, and the work is bounded by the fixed
curve size):

* Jacobian coordinates, a = -3 doubling "dbl-2001-b" and mixed Jacobian-affine addition
  "madd-2004-hmv" (Explicit-Formulas Database; Hankerson-Menezes-Vanstone, *Guide to ECC*,
  Alg. 3.21-3.22), with the exceptional cases (either point infinity, P = Q, P = -Q) handled
  explicitly.
* u1·G uses a fixed-base table built once per process on first use (8-bit signed windows:
  one precomputed affine multiple per window, so u1·G costs about 33/49 mixed additions and no
  doubling).  Tables are built in affine coordinates, one batch inversion per row.
* u2·Q on a key's first use: wNAF (width 5) with 256/384 doublings.  From its second use on
  (:data:`TABLE_AFTER_USES`) a key gets its own 5-bit signed-window table, so u2·Q is additions
  only; at most :data:`MAX_KEY_TABLES` such tables live at a time (:class:`field.TableBudget`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from dnssec_core.crypto.base import ECPublicKey, SignatureScheme
from dnssec_core.crypto.pure.field import (
    TableBudget,
    batch_invert,
    signed_windows,
    window_count,
    wnaf,
)

#: Signed-window width of the per-process generator tables: 33 (P-256) / 49 (P-384) windows of
#: 128 affine points each (0.75 / 1.3 MB), built on first use (about 15 / 35 ms).
GENERATOR_WINDOW_BITS = 8
#: Signed-window width of per-key tables: 52 / 77 windows of 16 points (~150 / 220 KB), built in
#: 4 / 10 ms — worth it from a key's second use (a zone's keys sign many RRsets).
KEY_WINDOW_BITS = 5
#: A key's table is built when it is used for the TABLE_AFTER_USES-th time (twice as many uses
#: after each eviction from the table budget).
TABLE_AFTER_USES = 2
#: Bound on live per-key tables, both curves together (policy; at most about 14 MB).
MAX_KEY_TABLES = 64
#: wNAF width for a point used once: odd multiples ±1, ±3, …, ±15.
WNAF_WIDTH = 5

Affine = tuple[int, int]
Jacobian = tuple[int, int, int]  # (X, Y, Z), x = X/Z², y = Y/Z³; Z == 0 is the point at infinity
INFINITY: Jacobian = (0, 1, 0)


@dataclass(frozen=True)
class Curve:
    """Short Weierstrass curve y² = x³ - 3x + b over GF(p) of prime order n (FIPS 186-5 / SEC 2)."""

    name: str
    p: int
    b: int
    n: int
    gx: int
    gy: int
    octets: int
    digest: Callable[[bytes], hashlib._Hash]


# SEC 2 v2 §2.4.2 / FIPS 186-5 (D.1.2.3): secp256r1 = P-256.
P256 = Curve(
    name="P-256",
    p=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    n=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    gx=0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    gy=0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    octets=32,
    digest=hashlib.sha256,
)
# SEC 2 v2 §2.5.1 / FIPS 186-5 (D.1.2.4): secp384r1 = P-384.
P384 = Curve(
    name="P-384",
    p=int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000"
        "FFFFFFFF",
        16,
    ),
    b=int(
        "B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8ED"
        "D3EC2AEF",
        16,
    ),
    n=int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196A"
        "CCC52973",
        16,
    ),
    gx=int(
        "AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E38"
        "72760AB7",
        16,
    ),
    gy=int(
        "3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C"
        "90EA0E5F",
        16,
    ),
    octets=48,
    digest=hashlib.sha384,
)

CURVES: dict[SignatureScheme, Curve] = {
    SignatureScheme.ECDSA_P256_SHA256: P256,
    SignatureScheme.ECDSA_P384_SHA384: P384,
}


def on_curve(curve: Curve, x: int, y: int) -> bool:
    """SEC 1 §3.2.2.1 steps 1-2: coordinates in [0, p) and y² = x³ - 3x + b (mod p)."""
    p = curve.p
    return 0 <= x < p and 0 <= y < p and (y * y - (x * x * x - 3 * x + curve.b)) % p == 0


# --- point arithmetic --------------------------------------------------------------------------


def double(point: Jacobian, p: int) -> Jacobian:
    """2·P, "dbl-2001-b" for a = -3 (3M + 5S; Z3 = 2·Y1·Z1).  Infinity (Z = 0) stays infinity."""
    x, y, z = point
    delta = z * z % p
    gamma = y * y % p
    beta = 4 * x * gamma % p
    alpha = 3 * (x - delta) * (x + delta) % p
    x3 = (alpha * alpha - 2 * beta) % p
    return x3, (alpha * (beta - x3) - 8 * gamma * gamma) % p, 2 * y * z % p


def add_affine(point: Jacobian, x2: int, y2: int, p: int) -> Jacobian:
    """P + (x2, y2) for Jacobian P and affine (x2, y2), every exceptional case handled.

    "madd-2004-hmv": 8M + 3S.  This is the readable reference of the additions inlined in the
    loops below.
    """
    x1, y1, z1 = point
    if z1 == 0:
        return x2, y2, 1
    zz = z1 * z1 % p
    h = x2 * zz % p - x1  # U2 - X1, in (-p, p): zero iff the x-coordinates agree
    r = y2 * z1 * zz % p - y1  # S2 - Y1
    if h == 0:
        return double(point, p) if r == 0 else INFINITY
    hh = h * h % p
    hhh = h * hh % p
    v = x1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    return x3, (r * (v - x3) - y1 * hhh) % p, z1 * h % p


def to_affine(points: list[Jacobian], p: int) -> list[Affine]:
    """Normalise finite Jacobian points to affine with one batch inversion."""
    inverses = batch_invert([z for _, _, z in points], p)
    out: list[Affine] = []
    for (x, y, _), zi in zip(points, inverses, strict=True):
        zi2 = zi * zi % p
        out.append((x * zi2 % p, y * zi2 * zi % p))
    return out


# --- fixed-base tables -------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """Signed-window table of one point P: ``points[i·half + j - 1] = j·2^(w·i)·P`` (affine)."""

    width: int
    windows: int
    points: list[Affine]


def build_table(curve: Curve, x: int, y: int, width: int) -> Table:
    """The :class:`Table` of the affine point (x, y), which must be a point of order n.

    Window bases ``2^(w·i)·P`` come from one doubling chain (then one batch inversion); row j of
    every window is ``(j-1)·B_i + B_i`` in affine coordinates, the whole row sharing one batch
    inversion (about 6 multiplications per table point).  None of these additions is exceptional:
    ``j·B_i`` is never ±B_i or infinity for ``2 <= j <= 2^(w-1) < n``.
    """
    p = curve.p
    windows = window_count(curve.n.bit_length(), width)
    half = 1 << (width - 1)
    chain: list[Jacobian] = []
    point: Jacobian = (x, y, 1)
    for _ in range(windows):
        chain.append(point)
        for _ in range(width):
            point = double(point, p)
    bases = to_affine(chain, p)
    rows: list[list[Affine]] = [bases]
    # Row 2: affine doubling, lambda = (3x² - 3) / 2y.
    inverses = batch_invert([2 * by for _, by in bases], p)
    row: list[Affine] = []
    for (bx, by), inv in zip(bases, inverses, strict=True):
        lam = 3 * (bx * bx - 1) * inv % p
        x3 = (lam * lam - 2 * bx) % p
        row.append((x3, (lam * (bx - x3) - by) % p))
    rows.append(row)
    # Rows 3..half: (j-1)·B + B, lambda = (y - by) / (x - bx).
    for _ in range(3, half + 1):
        previous = rows[-1]
        differences = [px - bx for (px, _), (bx, _) in zip(previous, bases, strict=True)]
        inverses = batch_invert(differences, p)
        row = []
        for (px, py), (bx, by), inv in zip(previous, bases, inverses, strict=True):
            lam = (py - by) * inv % p
            x3 = (lam * lam - px - bx) % p
            row.append((x3, (lam * (bx - x3) - by) % p))
        rows.append(row)
    points = [rows[j][i] for i in range(windows) for j in range(half)]
    return Table(width, windows, points)


def add_table_multiple(acc: Jacobian, table: Table, k: int, p: int) -> Jacobian:
    """acc + k·P using P's :class:`Table`: one mixed addition per non-zero signed digit of k."""
    x1, y1, z1 = acc
    points = table.points
    half = 1 << (table.width - 1)
    base = -1
    for d in signed_windows(k, table.width, table.windows):
        if d:
            if d > 0:
                x2, y2 = points[base + d]
            else:
                x2, y2 = points[base - d]
                y2 = p - y2
            # Inlined add_affine (it is the hot loop).
            if z1 == 0:
                x1, y1, z1 = x2, y2, 1
            else:
                zz = z1 * z1 % p
                h = x2 * zz % p - x1
                r = y2 * z1 * zz % p - y1
                if h == 0:
                    x1, y1, z1 = double((x1, y1, z1), p) if r == 0 else INFINITY
                else:
                    hh = h * h % p
                    hhh = h * hh % p
                    v = x1 * hh % p
                    x1, y1, z1 = (
                        (x3 := (r * r - hhh - 2 * v) % p),
                        (r * (v - x3) - y1 * hhh) % p,
                        z1 * h % p,
                    )
        base += half
    return x1, y1, z1


# --- variable-base multiplication for a point seen once -----------------------------------------


def multiply_wnaf(curve: Curve, x: int, y: int, k: int) -> Jacobian:
    """k·(x, y) with the width-5 NAF: a doubling per bit, a mixed addition per non-zero digit."""
    p = curve.p
    digits = wnaf(k, WNAF_WIDTH)
    if not digits:
        return INFINITY
    # Odd multiples P, 3P, …, 15P: 2P in affine, then repeated mixed additions, then affine.
    twice = to_affine([double((x, y, 1), p)], p)[0]
    odd: list[Jacobian] = [(x, y, 1)]
    for _ in range((1 << (WNAF_WIDTH - 2)) - 1):
        odd.append(add_affine(odd[-1], twice[0], twice[1], p))
    multiples = to_affine(odd, p)
    position, d = digits[0]
    x1, y1 = multiples[abs(d) >> 1]
    z1 = 1
    if d < 0:
        y1 = p - y1
    for next_position, d in digits[1:]:
        for _ in range(position - next_position):
            # Inlined double().
            delta = z1 * z1 % p
            gamma = y1 * y1 % p
            beta = 4 * x1 * gamma % p
            alpha = 3 * (x1 - delta) * (x1 + delta) % p
            z1 = 2 * y1 * z1 % p
            x1 = (alpha * alpha - 2 * beta) % p
            y1 = (alpha * (beta - x1) - 8 * gamma * gamma) % p
        position = next_position
        x2, y2 = multiples[abs(d) >> 1]
        if d < 0:
            y2 = p - y2
        x1, y1, z1 = add_affine((x1, y1, z1), x2, y2, p)
    acc: Jacobian = (x1, y1, z1)
    for _ in range(position):
        acc = double(acc, p)
    return acc


# --- per-process and per-key state ---------------------------------------------------------------

_generator_tables: dict[str, Table] = {}
_budget = TableBudget(MAX_KEY_TABLES)


def generator_table(curve: Curve) -> Table:
    """The generator's table, built on first use and then kept for the life of the process."""
    table = _generator_tables.get(curve.name)
    if table is None:
        table = _generator_tables[curve.name] = build_table(
            curve, curve.gx, curve.gy, GENERATOR_WINDOW_BITS
        )
    return table


class ECDSAVerifier:
    """Verifies signatures by one public key; holds the key's use count and table (if any)."""

    def __init__(self, key: ECPublicKey) -> None:
        self.curve = CURVES[key.scheme]
        self.x = key.x
        self.y = key.y
        # SEC-EC-01, defence in depth (see module docstring): affine coordinates cannot encode
        # infinity, so "on the curve" covers both checks.
        self.valid = on_curve(self.curve, key.x, key.y)
        self.uses = 0
        #: Uses before a table is built; doubled at each eviction so that more hot keys than
        #: MAX_KEY_TABLES cannot make every other verification rebuild one.
        self.build_after = TABLE_AFTER_USES
        self.table: Table | None = None

    def drop_table(self) -> None:
        self.table = None
        self.uses = 0
        self.build_after *= 2

    def verify(self, signature: bytes, data: bytes) -> bool:
        """SEC 1 §4.1.4 on ``signature`` = r | s over ``data`` (see module docstring)."""
        curve = self.curve
        width = curve.octets
        # 1. RFC 6605 §4: r | s, each exactly one field width.
        if not self.valid or len(signature) != 2 * width:
            return False
        n = curve.n
        r = int.from_bytes(signature[:width], "big")
        s = int.from_bytes(signature[width:], "big")
        # 2. SEC 1 §4.1.4 step 1 (SEC-EC-01): r and s in [1, n-1].
        if not (1 <= r < n and 1 <= s < n):
            return False
        # 3. Steps 2-3: e = the leftmost bitlen(n) bits of the hash (all of it on P-256/P-384).
        digest = curve.digest(data).digest()
        e = int.from_bytes(digest, "big")
        excess = 8 * len(digest) - n.bit_length()
        if excess > 0:
            e >>= excess
        # 4. Step 4: u1 = e/s, u2 = r/s mod n.
        w = pow(s, -1, n)
        u1 = e * w % n
        u2 = r * w % n
        # 5. Step 5: X = u2·Q + u1·G (Jacobian); infinity is rejected.
        p = curve.p
        self.uses += 1
        table = self.table  # one read: the budget may drop it meanwhile (threads)
        if table is None and self.uses >= self.build_after:
            table = self.table = build_table(curve, self.x, self.y, KEY_WINDOW_BITS)
            _budget.admit(self)
        if table is not None:
            acc = add_table_multiple(INFINITY, table, u2, p)
        else:
            acc = multiply_wnaf(curve, self.x, self.y, u2)
        x1, _, z1 = add_table_multiple(acc, generator_table(curve), u1, p)
        if z1 == 0:
            return False
        # 6. Steps 6-8: x(X) mod n == r, i.e. x(X) = X/Z² is r or r + n (x < p < 2n).
        zz = z1 * z1 % p
        if x1 == r * zz % p:
            return True
        return r + n < p and x1 == (r + n) * zz % p


def make_verifier(key: ECPublicKey) -> Callable[[bytes, bytes], bool]:
    """A verifier for ``key``; a key of another scheme verifies nothing."""
    if key.scheme not in CURVES:
        return _reject
    return ECDSAVerifier(key).verify


def _reject(signature: bytes, data: bytes) -> bool:
    return False
