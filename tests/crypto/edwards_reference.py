"""A deliberately naive EdDSA toolkit for *crafting* test inputs (test-only, slow, affine).

It shares no code with :mod:`dnssec_core.crypto.pure.eddsa`: textbook affine addition with
modular inversion (RFC 8032 §5.1.4 / §5.2.4 formulas), double-and-add, and signing from a known
secret scalar, so tests can build signatures honest signers never make — R or A with a
small-order component, small-order or identity points, non-canonical encodings — and check that
``pure`` answers exactly as ``fast`` (libsodium / OpenSSL) does.
"""

from __future__ import annotations

import functools
import hashlib
import random
from dataclasses import dataclass

Point = tuple[int, int]


@dataclass(frozen=True)
class Curve:
    """a·x² + y² = 1 + d·x²·y² over GF(p); base point B of prime order L; encoded in ``octets``."""

    name: str
    p: int
    a: int
    d: int
    order: int
    base: Point
    octets: int
    cofactor: int

    def add(self, p1: Point, p2: Point) -> Point:
        p = self.p
        (x1, y1), (x2, y2) = p1, p2
        t = self.d * x1 * x2 * y1 * y2 % p
        x3 = (x1 * y2 + y1 * x2) * pow(1 + t, -1, p) % p
        y3 = (y1 * y2 - self.a * x1 * x2) * pow(1 - t, -1, p) % p
        return x3, y3

    def neg(self, point: Point) -> Point:
        return (-point[0]) % self.p, point[1]

    def mul(self, k: int, point: Point) -> Point:
        result: Point = (0, 1)
        while k:
            if k & 1:
                result = self.add(result, point)
            point = self.add(point, point)
            k >>= 1
        return result

    def encode(self, point: Point, *, sign: int | None = None, y_offset: int = 0) -> bytes:
        """RFC 8032 encoding; ``sign``/``y_offset`` forge non-canonical variants."""
        x, y = point
        bit = x & 1 if sign is None else sign
        return ((y + y_offset) | bit << (8 * self.octets - 1)).to_bytes(self.octets, "little")

    def x_for(self, y: int) -> int | None:
        """An x with (x, y) on the curve (any sign), or None."""
        p = self.p
        u = (y * y - 1) % p
        v = (self.d * y * y - self.a) % p
        if v == 0:
            return None
        xx = u * pow(v, -1, p) % p
        if xx == 0:
            return 0
        if pow(xx, (p - 1) // 2, p) != 1:
            return None
        if p % 4 == 3:
            return pow(xx, (p + 1) // 4, p)
        x = pow(xx, (p + 3) // 8, p)  # p = 5 mod 8 (Ed25519)
        if x * x % p != xx:
            x = x * pow(2, (p - 1) // 4, p) % p
        return x

    @functools.cache  # noqa: B019 (a handful of module-level curves, kept for the session)
    def torsion(self) -> list[Point]:
        """All points of order dividing the cofactor (found from random points, multiplied by L)."""
        rng = random.Random(8032)
        found: set[Point] = {(0, 1)}
        while len(found) < self.cofactor:
            y = rng.randrange(self.p)
            x = self.x_for(y)
            if x is None:
                continue
            point = self.mul(self.order, (x, y))
            multiple = point
            while multiple != (0, 1):
                found.add(multiple)
                multiple = self.add(multiple, point)
        return sorted(found)

    def order_of(self, point: Point) -> int:
        n, multiple = 1, point
        while multiple != (0, 1):
            multiple = self.add(multiple, point)
            n += 1
        return n

    def challenge(self, r_octets: bytes, a_octets: bytes, message: bytes) -> int:
        """k of RFC 8032 §5.1.7 / §5.2.7 step 2, reduced mod L."""
        data = r_octets + a_octets + message
        if self.name == "Ed25519":
            digest = hashlib.sha512(data).digest()
        else:
            digest = hashlib.shake_256(b"SigEd448\x00\x00" + data).digest(114)
        return int.from_bytes(digest, "little") % self.order

    def secret_scalar(self, seed: bytes) -> int:
        """The clamped secret scalar ``s`` of RFC 8032 §5.1.5 / §5.2.5 (public key = [s]B)."""
        if self.name == "Ed25519":
            h = bytearray(hashlib.sha512(seed).digest()[:32])
            h[0] &= 248
            h[31] &= 127
            h[31] |= 64
        else:
            h = bytearray(hashlib.shake_256(seed).digest(114)[:57])
            h[0] &= 252
            h[55] |= 128
            h[56] = 0
        return int.from_bytes(h, "little")

    def sign_with(
        self, scalar: int, a_octets: bytes, r_octets: bytes, r_log: int, message: bytes
    ) -> bytes:
        """S = r + k·s for a chosen R encoding whose "discrete log" part is ``r_log``.

        With R = [r_log]B + T and A = [scalar]B + T', [S]B - [k]A = R - T - k·T'.
        """
        k = self.challenge(r_octets, a_octets, message)
        s = (r_log + k * scalar) % self.order
        return r_octets + s.to_bytes(self.octets, "little")


_P25519 = 2**255 - 19
_D25519 = -121665 * pow(121666, -1, _P25519) % _P25519
ED25519 = Curve(
    name="Ed25519",
    p=_P25519,
    a=-1,
    d=_D25519,
    order=2**252 + 27742317777372353535851937790883648493,
    base=(
        15112221349535400772501151409588531511454012693041857206046113283949847762202,
        46316835694926478169428394003475163141307993866256225615783033603165251855960,
    ),
    octets=32,
    cofactor=8,
)
_P448 = 2**448 - 2**224 - 1
ED448 = Curve(
    name="Ed448",
    p=_P448,
    a=1,
    d=-39081 % _P448,
    order=2**446 - 13818066809895115352007386748515426880336692474882178609894547503885,
    base=(
        int(
            "224580040295924300187604334099896036246789641632564134246125461686950415467406032909"
            "029192869357953282578032075146446173674602635247710"
        ),
        int(
            "298819210078481492676017930443930673437544040154080242095928241372331506189835876003"
            "536878655418784733982303233503462500531545062832660"
        ),
    ),
    octets=57,
    cofactor=4,
)
