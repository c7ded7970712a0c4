"""Ed25519 and Ed448 verification in plain Python integers (RFC 8032 §5.1.7, §5.2.7; RFC 8080).

Why this exists: it is the ``pure`` backend's EdDSA — point decoding, hashing into a scalar and
the group equation are all readable Python below (see :mod:`dnssec_core.crypto.pure`); only
SHA-512 and SHAKE256 come from :mod:`hashlib`.  Requirements: VAL-ALG-08 (32/57-octet keys,
64/114-octet signatures, PureEdDSA), SEC-ED-01 (canonical S and point encodings; ``pure`` and
``fast`` agree on Wycheproof and on crafted edge cases), SEC-CT-01 (fixed-size work).

**Which verification equation.**  RFC 8032 allows the cofactored check ``[c][S]B = [c]R +
[c][k]A`` or the cofactorless ``[S]B = R + [k]A``; they differ only on signatures whose R or A
carries a small-order component, which honest signers never produce.  ``cross`` must never
disagree with ``fast`` on any input, so each curve implements exactly the rules of the library
``fast`` uses for it (established by reading their source and by crafted tests,
``tests/crypto/test_eddsa_edge_cases.py``):

* **Ed25519 — cofactorless, as libsodium** (``crypto_sign_ed25519_verify_detached``, through
  pynacl): reject ``S >= L``; reject an R encoding of a small-order point (y of one of the eight
  points of order dividing 8, sign bit ignored, including the non-canonical y = p, p+1 —
  libsodium's blacklist); reject a public key whose y is non-canonical (>= p) or of small order,
  or that does not decode (RFC 8032 §5.1.3); ``k = SHA-512(R || A || M) mod L``; accept iff the
  encoding of ``[S]B - [k]A`` equals the 32 R octets.  The octet comparison makes any
  non-canonical R fail, and x = 0 with sign bit 1 only occurs for small-order points.
* **Ed448 — cofactored, as OpenSSL** (``ossl_c448_ed448_verify``): reject ``S >= L``; decode A
  and R per RFC 8032 §5.2.3 (y < p, so the seven bits above y are zero; x recovered) and, as
  OpenSSL's decoder does, also reject x = 0 (the identity and the point of order 2, whatever the
  sign bit — stricter than RFC 8032, which rejects only x = 0 with sign bit 1);
  ``k = SHAKE256(dom4(0, "") || R || A || M, 114) mod L``; accept iff ``[4]([S]B - [k]A - R)``
  is the identity.  Small-order public keys are *not* rejected (neither RFC 8032 nor OpenSSL do;
  such a key is a zone's own choice, pinned by its DS).

The cofactored Ed448 check runs fast on honest signatures: ``R' = [S]B - [k]A`` is encoded and
compared with R first (equal encodings make the equation hold); only when they differ is R
decoded (a square root) and ``[4](R' - R)`` computed.

One verification routine serves both curves (:meth:`EdDSAVerifier.verify`); each curve states
its own rules above as :meth:`~EdwardsCurve.key_rejected`, :meth:`~EdwardsCurve.r_rejected`,
:meth:`~EdwardsCurve.challenge` (hash and dom prefix) and :attr:`~EdwardsCurve.cofactored`.

Arithmetic: extended twisted Edwards coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z (Hisil,
Wong, Carter, Dawson 2008); "madd-2008-hwcd-3" (Ed25519, a = -1, table points as (y+x, y-x,
2dxy)) and "madd-2008-hwcd" (Ed448, a = 1, table points as (x, y, dxy)); "dbl-2008-hwcd".  These
formulas are complete for both curves (a square, d non-square), so no exceptional cases exist.
[S]B uses a per-process 8-bit signed-window table of B; [k](-A) uses wNAF on a key's first use
and a per-key 5-bit table from its second use, as in :mod:`dnssec_core.crypto.pure.ecdsa`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from dnssec_core.crypto.base import (
    EDDSA_KEY_OCTETS,
    EDDSA_SIG_OCTETS,
    EdPublicKey,
    SignatureScheme,
)
from dnssec_core.crypto.pure.field import (
    TableBudget,
    batch_invert,
    signed_windows,
    window_count,
    wnaf,
)

#: Width of the per-process base point tables: 32 (Ed25519) / 56 (Ed448) windows of 128 points
#: (1.3 / 2.3 MB, built on first use in about 30 / 100 ms).
BASE_WINDOW_BITS = 8
#: Width of per-key tables: 51 / 90 windows of 16 points (~200 / 410 KB; 7 / 20 ms to build).
KEY_WINDOW_BITS = 5
#: A key's table is built when it is used for the TABLE_AFTER_USES-th time (twice as many uses
#: after each eviction from the table budget).
TABLE_AFTER_USES = 2
#: Bound on live per-key tables, both curves together (policy; at most about 26 MB).
MAX_KEY_TABLES = 64
#: wNAF width for a point used once: odd multiples ±1, ±3, …, ±15.
WNAF_WIDTH = 5

Extended = tuple[int, int, int, int]  # (X, Y, Z, T)
Entry = tuple[int, int, int]  # a table point, in the curve's addition-friendly affine form


@dataclass(frozen=True)
class Table:
    """Signed-window table: ``entries[i·half + j - 1]`` is ``j·2^(w·i)·P`` (see ``ecdsa.Table``)."""

    width: int
    windows: int
    entries: list[Entry]


class EdwardsCurve:
    """What both curves share: decoding helpers, tables, the wNAF driver, the encodings.

    Subclasses supply the field, the formulas (:meth:`double_run`, :meth:`add`, and
    :meth:`add_table_multiple`, whose loop inlines :meth:`add`), the table-point form
    (:meth:`entry`, :meth:`negate`), :meth:`recover_x`, and the verification rules the curve
    follows (:meth:`key_rejected`, :meth:`r_rejected`, :meth:`challenge`, :attr:`cofactored`),
    which :meth:`EdDSAVerifier.verify` applies in one routine (RFC 8032 §5.1.7, §5.2.7).
    """

    name: str
    p: int
    d: int
    order: int  # L, the prime order of the base point
    bx: int
    by: int
    octets: int  # encoding length of a point (and of S)
    cofactor: int

    def __init__(self) -> None:
        self._base_table: Table | None = None

    # -- to be provided per curve: the formulas --
    def double_run(self, point: Extended, times: int) -> Extended:
        raise NotImplementedError

    def add(self, point: Extended, entry: Entry) -> Extended:
        raise NotImplementedError

    def entry(self, x: int, y: int) -> Entry:
        raise NotImplementedError

    def negate(self, entry: Entry) -> Entry:
        raise NotImplementedError

    def recover_x(self, y: int, sign: int) -> int | None:
        raise NotImplementedError

    def add_table_multiple(self, acc: Extended, table: Table, k: int) -> Extended:
        """acc + k·P from P's signed-window table.  Per curve, with :meth:`add` written out in
        the loop: calling :meth:`add` per digit measured 3-7 % slower (SEC-CT-01 keeps the
        work fixed-size either way)."""
        raise NotImplementedError

    # -- to be provided per curve: the RFC 8032 verification rules (§5.1.7 / §5.2.7) --
    def key_rejected(self, y: int) -> bool:
        """True when a decoded public key with this y verifies nothing (library rule)."""
        raise NotImplementedError

    def r_rejected(self, r_y: int) -> bool:
        """True when R, by its y bits alone (sign bit dropped), makes the signature invalid."""
        raise NotImplementedError

    def challenge(self, r_octets: bytes, a_octets: bytes, message: bytes) -> int:
        """k = H(dom || R || A || M) mod L with the curve's hash and dom prefix."""
        raise NotImplementedError

    #: True: accept iff [c]([S]B - [k]A - R) = O; False: iff [S]B - [k]A encodes to R.
    cofactored: bool

    # -- shared --
    @property
    def identity(self) -> Extended:
        return (0, 1, 1, 0)

    def double(self, point: Extended) -> Extended:
        """[2]point: one step of the curve's :meth:`double_run`."""
        return self.double_run(point, 1)

    def multiply_wnaf(self, x: int, y: int, k: int) -> Extended:
        """k·(x, y) with the width-5 NAF: a :meth:`double_run` between digits, one :meth:`add`
        per digit (a point used once: no table is worth building)."""
        digits = wnaf(k, WNAF_WIDTH)
        if not digits:
            return self.identity
        multiples = self.odd_multiples(x, y)
        negated = [self.negate(entry) for entry in multiples]
        double_run, add = self.double_run, self.add
        acc = self.identity
        position = digits[0][0]
        for next_position, digit in digits:
            acc = double_run(acc, position - next_position)
            position = next_position
            acc = add(acc, multiples[digit >> 1] if digit > 0 else negated[-digit >> 1])
        return double_run(acc, position)

    def is_identity(self, point: Extended) -> bool:
        x, y, z, _ = point
        return x % self.p == 0 and (y - z) % self.p == 0

    def to_affine(self, points: list[Extended]) -> list[tuple[int, int]]:
        p = self.p
        inverses = batch_invert([z for _, _, z, _ in points], p)
        return [
            (x * zi % p, y * zi % p) for (x, y, _, _), zi in zip(points, inverses, strict=True)
        ]

    def encode(self, point: Extended) -> int:
        """RFC 8032 §5.1.2 / §5.2.2 as an integer: y with the low bit of x as the top bit."""
        x, y, z, _ = point
        p = self.p
        zi = pow(z, -1, p)
        return (y * zi % p) | ((x * zi % p) & 1) << (8 * self.octets - 1)

    def decode(self, octets: bytes) -> tuple[int, int] | None:
        """RFC 8032 §5.1.3 / §5.2.3 point decoding; None when the octets encode no point.

        Rejects y >= p (non-canonical; for Ed448 this includes any of the 7 unused bits set),
        a y with no x on the curve, and x = 0 with the sign bit set.
        """
        if len(octets) != self.octets:
            return None
        value = int.from_bytes(octets, "little")
        sign_bit = 8 * self.octets - 1
        sign = value >> sign_bit
        y = value & ((1 << sign_bit) - 1)
        if y >= self.p:
            return None
        x = self.recover_x(y, sign)
        return None if x is None else (x, y)

    def point(self, x: int, y: int) -> Extended:
        return (x, y, 1, x * y % self.p)

    def build_table(self, x: int, y: int, width: int) -> Table:
        """The signed-window :class:`Table` of (x, y): bases by doubling, rows by addition.

        All points are computed in extended coordinates (complete formulas: no special cases)
        and converted to table form with two batch inversions.
        """
        windows = window_count(self.order.bit_length(), width)
        half = 1 << (width - 1)
        chain: list[Extended] = []
        point = self.point(x, y)
        for _ in range(windows):
            chain.append(point)
            point = self.double_run(point, width)
        bases = [self.entry(bx, by) for bx, by in self.to_affine(chain)]
        points: list[Extended] = []
        for base_point, base_entry in zip(chain, bases, strict=True):
            multiple = base_point
            points.append(multiple)
            for _ in range(2, half + 1):
                multiple = self.add(multiple, base_entry)
                points.append(multiple)
        return Table(width, windows, [self.entry(ax, ay) for ax, ay in self.to_affine(points)])

    def odd_multiples(self, x: int, y: int) -> list[Entry]:
        """P, 3P, …, (2^(w-1) - 1)P for the wNAF of width :data:`WNAF_WIDTH`, in table form."""
        start = self.point(x, y)
        twice = self.entry(*self.to_affine([self.double(start)])[0])
        points = [start]
        for _ in range((1 << (WNAF_WIDTH - 2)) - 1):
            points.append(self.add(points[-1], twice))
        return [self.entry(ax, ay) for ax, ay in self.to_affine(points)]

    def base_table(self) -> Table:
        """The table of B, built on first use and kept for the life of the process."""
        if self._base_table is None:
            self._base_table = self.build_table(self.bx, self.by, BASE_WINDOW_BITS)
        return self._base_table


class Ed25519Curve(EdwardsCurve):
    """edwards25519, -x² + y² = 1 + d·x²·y² over GF(2^255 - 19) (RFC 8032 §5.1)."""

    name = "Ed25519"
    p = 2**255 - 19
    d = 37095705934669439343138083508754565189542113879843219016388785533085940283555
    order = 2**252 + 27742317777372353535851937790883648493
    bx = 15112221349535400772501151409588531511454012693041857206046113283949847762202
    by = 46316835694926478169428394003475163141307993866256225615783033603165251855960
    octets = 32
    cofactor = 8
    #: 2^((p-1)/4), a square root of -1 (RFC 8032 §5.1.3 step 3).
    sqrt_m1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752
    #: y-coordinates of the 8 points of order dividing 8 (1: identity; p-1: order 2; 0: order 4;
    #: the other two: order 8), plus p and p+1 (non-canonical 0 and 1) — libsodium's blacklist
    #: in ``ge25519_has_small_order``.  tests/crypto/test_eddsa_edge_cases.py derives the set.
    small_order_y = frozenset(
        {
            0,
            1,
            2707385501144840649318225287225658788936804267575313519463743609750303402022,
            55188659117513257062467267217118295137698188065244968500265048394206261417927,
            2**255 - 20,
            2**255 - 19,
            2**255 - 18,
        }
    )

    cofactored = False  # libsodium: [S]B - [k]A must encode to the R octets exactly

    def key_rejected(self, y: int) -> bool:
        """libsodium: a small-order public key verifies nothing."""
        return y in self.small_order_y

    def r_rejected(self, r_y: int) -> bool:
        """libsodium: an R of small order (its y in the blacklist) fails."""
        return r_y in self.small_order_y

    def challenge(self, r_octets: bytes, a_octets: bytes, message: bytes) -> int:
        """RFC 8032 §5.1.7 step 2: k = SHA-512(R || A || M) mod L (dom2 is empty for Ed25519)."""
        digest = hashlib.sha512(r_octets + a_octets + message).digest()
        return int.from_bytes(digest, "little") % self.order

    def entry(self, x: int, y: int) -> Entry:
        """(y + x, y - x, 2d·x·y): the precomputed form of "madd-2008-hwcd-3"."""
        p = self.p
        return ((y + x) % p, (y - x) % p, 2 * self.d * x * y % p)

    def negate(self, entry: Entry) -> Entry:
        plus, minus, t2d = entry
        return (minus, plus, (-t2d) % self.p)

    def double_run(self, point: Extended, times: int) -> Extended:
        """[2^times]point by "dbl-2008-hwcd" with a = -1, signs folded (4M + 4S a doubling).

        Doubling does not read T, so T is computed after the last doubling only.
        """
        if times <= 0:
            return point
        x1, y1, z1, _ = point
        p = self.p
        for _ in range(times):
            a = x1 * x1 % p
            b = y1 * y1 % p
            c = 2 * z1 * z1 % p
            h = a + b
            s = x1 + y1
            e = h - s * s % p
            g = a - b
            f = g + c
            x1 = e * f % p
            y1 = g * h % p
            z1 = f * g % p
        return x1, y1, z1, e * h % p

    def add(self, point: Extended, entry: Entry) -> Extended:
        """ "madd-2008-hwcd-3" with a = -1, k = 2d: point + table point (7M)."""
        x1, y1, z1, t1 = point
        plus, minus, t2d = entry
        p = self.p
        a = (y1 - x1) * minus % p
        b = (y1 + x1) * plus % p
        c = t1 * t2d % p
        d = 2 * z1
        e = b - a
        f = d - c
        g = d + c
        h = b + a
        return e * f % p, g * h % p, f * g % p, e * h % p

    def recover_x(self, y: int, sign: int) -> int | None:
        """RFC 8032 §5.1.3 steps 2-4."""
        p = self.p
        u = y * y - 1
        v = self.d * y * y + 1
        v3 = v * v * v % p
        x = u * v3 * pow(u * v3 * v3 * v % p, (p - 5) // 8, p) % p
        vxx = v * x * x % p
        if vxx != u % p:
            if vxx != (-u) % p:
                return None
            x = x * self.sqrt_m1 % p
        if x == 0 and sign:
            return None
        return p - x if x & 1 != sign else x

    def add_table_multiple(self, acc: Extended, table: Table, k: int) -> Extended:
        """acc + k·P using P's table: one inlined :meth:`add` per non-zero signed digit."""
        x1, y1, z1, t1 = acc
        p = self.p
        entries = table.entries
        half = 1 << (table.width - 1)
        base = -1
        for digit in signed_windows(k, table.width, table.windows):
            if digit:
                if digit > 0:
                    plus, minus, t2d = entries[base + digit]
                else:
                    minus, plus, t2d = entries[base - digit]
                    t2d = p - t2d
                a = (y1 - x1) * minus % p
                b = (y1 + x1) * plus % p
                c = t1 * t2d % p
                d = 2 * z1
                e = b - a
                f = d - c
                g = d + c
                h = b + a
                x1 = e * f % p
                y1 = g * h % p
                z1 = f * g % p
                t1 = e * h % p
            base += half
        return x1, y1, z1, t1


#: RFC 8032 §5.2: dom4(phflag = 0, context = "") for PureEdDSA Ed448 (RFC 8080 §4: no context).
ED448_DOM4 = b"SigEd448\x00\x00"
#: SHAKE256 output length for Ed448's k (RFC 8032 §5.2.7 step 2).
ED448_HASH_OCTETS = 114


class Ed448Curve(EdwardsCurve):
    """edwards448, x² + y² = 1 + d·x²·y² over GF(2^448 - 2^224 - 1) (RFC 8032 §5.2)."""

    name = "Ed448"
    p = 2**448 - 2**224 - 1
    d = 2**448 - 2**224 - 1 - 39081
    order = 2**446 - 13818066809895115352007386748515426880336692474882178609894547503885
    bx = int(
        "224580040295924300187604334099896036246789641632564134246125461686950415467406032909"
        "029192869357953282578032075146446173674602635247710"
    )
    by = int(
        "298819210078481492676017930443930673437544040154080242095928241372331506189835876003"
        "536878655418784733982303233503462500531545062832660"
    )
    octets = 57
    cofactor = 4

    cofactored = True  # OpenSSL: [4]([S]B - [k]A - R) = O

    def key_rejected(self, y: int) -> bool:
        """Neither RFC 8032 nor OpenSSL rejects a decodable key of small order."""
        return False

    def r_rejected(self, r_y: int) -> bool:
        """OpenSSL: R does not decode — y >= p (the unused bits included), or y = ±1 (x = 0)."""
        return r_y >= self.p or r_y == 1 or r_y == self.p - 1

    def challenge(self, r_octets: bytes, a_octets: bytes, message: bytes) -> int:
        """RFC 8032 §5.2.7 step 2: k = SHAKE256(dom4(0, "") || R || A || M, 114) mod L."""
        digest = hashlib.shake_256(ED448_DOM4 + r_octets + a_octets + message).digest(
            ED448_HASH_OCTETS
        )
        return int.from_bytes(digest, "little") % self.order

    def entry(self, x: int, y: int) -> Entry:
        """(x, y, d·x·y): the precomputed form of "madd-2008-hwcd" (a = 1)."""
        return (x, y, self.d * x * y % self.p)

    def negate(self, entry: Entry) -> Entry:
        x, y, dxy = entry
        return ((-x) % self.p, y, (-dxy) % self.p)

    def double_run(self, point: Extended, times: int) -> Extended:
        """[2^times]point by "dbl-2008-hwcd" with a = 1 (4M + 4S a doubling).

        Doubling does not read T, so T is computed after the last doubling only.
        """
        if times <= 0:
            return point
        x1, y1, z1, _ = point
        p = self.p
        for _ in range(times):
            a = x1 * x1 % p
            b = y1 * y1 % p
            c = 2 * z1 * z1 % p
            s = x1 + y1
            e = s * s % p - a - b
            g = a + b
            f = g - c
            h = a - b
            x1 = e * f % p
            y1 = g * h % p
            z1 = f * g % p
        return x1, y1, z1, e * h % p

    def add(self, point: Extended, entry: Entry) -> Extended:
        """ "madd-2008-hwcd" with a = 1: point + table point (8M)."""
        x1, y1, z1, t1 = point
        x2, y2, dxy = entry
        p = self.p
        a = x1 * x2 % p
        b = y1 * y2 % p
        c = t1 * dxy % p
        e = ((x1 + y1) * (x2 + y2) - a - b) % p
        f = z1 - c
        g = z1 + c
        h = b - a
        return e * f % p, g * h % p, f * g % p, e * h % p

    def recover_x(self, y: int, sign: int) -> int | None:
        """RFC 8032 §5.2.3 steps 2-4, and OpenSSL's extra rule: x = 0 does not decode."""
        p = self.p
        u = y * y - 1
        v = self.d * y * y - 1
        x = u**3 * v * pow(u**5 * v**3 % p, (p - 3) // 4, p) % p
        if (v * x * x - u) % p != 0:
            return None
        if x == 0:
            # RFC 8032: fail if the sign bit is set.  OpenSSL's decoder (gf_isr of 0 fails)
            # also rejects x = 0 with the sign bit clear; SEC-ED-01 wants us to agree with it.
            return None
        return p - x if x & 1 != sign else x

    def add_table_multiple(self, acc: Extended, table: Table, k: int) -> Extended:
        """acc + k·P using P's table: one inlined :meth:`add` per non-zero signed digit."""
        x1, y1, z1, t1 = acc
        p = self.p
        entries = table.entries
        half = 1 << (table.width - 1)
        base = -1
        for digit in signed_windows(k, table.width, table.windows):
            if digit:
                if digit > 0:
                    x2, y2, dxy = entries[base + digit]
                else:
                    x2, y2, dxy = entries[base - digit]
                    x2 = p - x2
                    dxy = p - dxy
                a = x1 * x2 % p
                b = y1 * y2 % p
                c = t1 * dxy % p
                e = ((x1 + y1) * (x2 + y2) - a - b) % p
                f = z1 - c
                g = z1 + c
                h = b - a
                x1 = e * f % p
                y1 = g * h % p
                z1 = f * g % p
                t1 = e * h % p
            base += half
        return x1, y1, z1, t1


ED25519 = Ed25519Curve()
ED448 = Ed448Curve()
CURVES: dict[SignatureScheme, EdwardsCurve] = {
    SignatureScheme.ED25519: ED25519,
    SignatureScheme.ED448: ED448,
}

_budget = TableBudget(MAX_KEY_TABLES)


class EdDSAVerifier:
    """Verifies signatures by one public key; holds -A, the use count and the table (if any)."""

    def __init__(self, key: EdPublicKey) -> None:
        self.curve = CURVES[key.scheme]
        self.scheme = key.scheme
        self.raw = key.raw
        self.uses = 0
        #: Uses before a table is built; doubled at each eviction (see ``ecdsa.ECDSAVerifier``).
        self.build_after = TABLE_AFTER_USES
        self.table: Table | None = None
        self.neg_a: tuple[int, int] | None = None
        if len(key.raw) != EDDSA_KEY_OCTETS[key.scheme]:
            return
        decoded = self.curve.decode(key.raw)
        if decoded is None:
            return
        x, y = decoded
        if self.curve.key_rejected(y):
            return
        self.neg_a = ((-x) % self.curve.p, y)

    def drop_table(self) -> None:
        self.table = None
        self.uses = 0
        self.build_after *= 2

    def verify(self, signature: bytes, data: bytes) -> bool:
        """RFC 8032 §5.1.7 / §5.2.7 with the library rules of the module docstring.

        One routine for both curves; what differs is asked of the curve (its field, encoding,
        hash and dom prefix, and which library rules it follows).  1. Lengths (VAL-ALG-08);
        S < L.  2. R not rejected by its octets alone (:meth:`EdwardsCurve.r_rejected`).
        3. k = H(dom || R || A || M) mod L.  4. R' = [S]B - [k]A; accept if its encoding is R;
        on a cofactored curve otherwise accept iff [c](R - R') = O.
        """
        curve = self.curve
        octets = curve.octets
        if self.neg_a is None or len(signature) != EDDSA_SIG_OCTETS[self.scheme]:
            return False
        r_octets = signature[:octets]
        s = int.from_bytes(signature[octets:], "little")
        if s >= curve.order:  # RFC 8032 §5.1.7 / §5.2.7 step 1: S must be canonical
            return False
        r_value = int.from_bytes(r_octets, "little")
        if curve.r_rejected(r_value & ((1 << (8 * octets - 1)) - 1)):
            return False
        k = curve.challenge(r_octets, self.raw, data)
        r_computed = self._s_b_minus_k_a(s, k)
        if curve.encode(r_computed) == r_value:
            return True
        return curve.cofactored and self._equal_up_to_torsion(r_computed, r_octets)

    def _s_b_minus_k_a(self, s: int, k: int) -> Extended:
        """[S]B + [k](-A): the key's table if it has one (built at the second use), else wNAF."""
        curve = self.curve
        assert self.neg_a is not None
        self.uses += 1
        table = self.table  # one read: the budget may drop it meanwhile (threads)
        if table is None and self.uses >= self.build_after:
            table = self.table = curve.build_table(*self.neg_a, KEY_WINDOW_BITS)
            _budget.admit(self)
        if table is not None:
            acc = curve.add_table_multiple(curve.identity, table, k)
        else:
            acc = curve.multiply_wnaf(*self.neg_a, k)
        return curve.add_table_multiple(acc, curve.base_table(), s)

    def _equal_up_to_torsion(self, r_computed: Extended, r_octets: bytes) -> bool:
        """The cofactored equation (Ed448) when R' and R differ: is [c](R - R') the identity?"""
        curve = self.curve
        decoded = curve.decode(r_octets)
        if decoded is None:
            return False
        x, y, z, t = r_computed
        p = curve.p
        difference = curve.add((-x % p, y, z, -t % p), curve.entry(*decoded))
        for _ in range(curve.cofactor.bit_length() - 1):
            difference = curve.double(difference)
        return curve.is_identity(difference)


def make_verifier(key: EdPublicKey) -> Callable[[bytes, bytes], bool]:
    """A verifier for ``key``; a key of another scheme, or not decoding, verifies nothing."""
    if key.scheme not in CURVES:
        return _reject
    verifier = EdDSAVerifier(key)
    if verifier.neg_a is None:
        return _reject
    return verifier.verify


def _reject(signature: bytes, data: bytes) -> bool:
    return False
