"""Helpers shared by the pure curves: batch inversion, scalar recodings, the table budget.

Everything here is plain Python integer arithmetic (see :mod:`dnssec_core.crypto.pure`).  Field
elements are ints in ``[0, p)``; points are tuples of such ints.  Two scalar recodings serve the
two ways a verifier multiplies a point (SEC-CT-01: the work is bounded by the curve size alone):

* :func:`signed_windows` — fixed-width signed digits for *fixed-base* tables, where window ``i``
  has its own precomputed multiples ``1..2^(w-1)`` of ``2^(w·i)·P``; the product is then a sum of
  at most one table point per window — additions only, no doublings (Brickell-Gordon-McCurley-
  Wilson style, as in libsecp256k1's ecmult_gen and OpenSSL's fixed-base P-256 code).
* :func:`wnaf` — the width-w non-adjacent form (Solinas 2000; Hankerson-Menezes-Vanstone,
  *Guide to ECC*, Alg. 3.35) for a point seen once: one doubling per bit and one addition of an
  odd multiple per w+1 bits on average.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol


def batch_invert(values: Sequence[int], p: int) -> list[int]:
    """The inverses mod ``p`` of non-zero ``values`` with one inversion (Montgomery's trick).

    Costs one ``pow(·, -1, p)`` and three multiplications per value.  The caller guarantees every
    value is non-zero mod ``p`` (a zero would make ``pow`` raise, a programming error).
    """
    count = len(values)
    prefix = [0] * count
    acc = 1
    for i, value in enumerate(values):
        prefix[i] = acc
        acc = acc * value % p
    inv = pow(acc, -1, p)
    result = [0] * count
    for i in range(count - 1, -1, -1):
        result[i] = inv * prefix[i] % p
        inv = inv * values[i] % p
    return result


def window_count(scalar_bits: int, width: int) -> int:
    """Windows of ``width`` bits needed for signed digits of any scalar below ``2^scalar_bits``.

    Signed digits lie in ``(-2^(w-1), 2^(w-1)]``, so ``m`` windows represent every integer below
    ``2^(w·m - 1)``; a borrow out of the top window is then impossible.
    """
    return (scalar_bits + width) // width


def signed_windows(k: int, width: int, windows: int) -> list[int]:
    """Digits ``d_i`` in ``(-2^(w-1), 2^(w-1)]`` with ``k = Σ d_i·2^(w·i)``, lowest first.

    ``k`` must be ``0 <= k < 2^(w·windows - 1)`` (see :func:`window_count`); this is asserted
    because every caller reduces its scalar below the group order first.
    """
    half = 1 << (width - 1)
    full = 1 << width
    mask = full - 1
    digits = [0] * windows
    for i in range(windows):
        d = k & mask
        k >>= width
        if d > half:
            d -= full
            k += 1
        digits[i] = d
    assert k == 0, "scalar too large for the table"
    return digits


def wnaf(k: int, width: int) -> list[tuple[int, int]]:
    """The width-``width`` NAF of ``k >= 0`` as ``(bit position, odd digit)`` pairs, highest first.

    Digits are odd and in ``(-2^(w-1), 2^(w-1))``; any two non-zero digits are at least ``w`` bits
    apart.  Runs of zero bits are skipped with one shift each.
    """
    full = 1 << width
    half = full >> 1
    mask = full - 1
    digits: list[tuple[int, int]] = []
    position = 0
    while k:
        zeros = (k & -k).bit_length() - 1
        k >>= zeros
        position += zeros
        d = k & mask
        if d >= half:
            d -= full
        digits.append((position, d))
        k -= d
        # k - d is divisible by 2^w: skip those w zero bits at once.
        k >>= width
        position += width
    digits.reverse()
    return digits


class TableOwner(Protocol):
    """Something holding a per-key precomputed table that :class:`TableBudget` may drop."""

    def drop_table(self) -> None: ...


class TableBudget:
    """Bounds how many per-key tables are alive at once (memory: ~0.1-0.5 MB each).

    A new table evicts the oldest one, whose owner falls back to the table-free path (and may
    build again later).  The lock only guards the bookkeeping; table building happens outside it.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._owners: dict[TableOwner, None] = {}
        self._lock = threading.Lock()

    def admit(self, owner: TableOwner) -> None:
        with self._lock:
            while len(self._owners) >= self.limit:
                oldest = next(iter(self._owners))
                del self._owners[oldest]
                oldest.drop_table()
            self._owners[owner] = None

    def __len__(self) -> int:
        return len(self._owners)
