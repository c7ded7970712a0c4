"""Type bitmaps of NSEC and NSEC3 records (RFC 4034 §4.1.2, RFC 5155 §3.2.1).

The Type Bit Maps field is a sequence of windows: window number (1 octet), bitmap length
(1 octet, 1..32), then the bitmap, where bit ``i`` of the window (most significant bit of the
first octet first) stands for type ``window * 256 + i``.

Decoding is strict (NSEC-08): windows must appear in increasing order without repeats, the
length must be 1..32 and present in full, and — as RFC 4034 §4.1.2 requires of every signer,
"Trailing zero octets in the bitmap MUST be omitted" — the last octet of a window must not be
zero (BIND rejects such bitmaps too).  Anything else raises :class:`WireError`; the caller turns
it into a ``denial-record-malformed`` verdict.  Decoding is linear in the input and the input is
at most 65535 octets, so hostile data costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from dnssec_core.wire.errors import WireError

MAX_WINDOW_OCTETS = 32  # RFC 4034 §4.1.2: 256 types per window, 8 per octet
TYPES_PER_WINDOW = 256


def decode_bitmap(data: bytes) -> frozenset[int]:
    """The set of RR types in a Type Bit Maps field (NSEC-08).  Raises :class:`WireError`.

    An empty field is valid and means "no types" (an NSEC3 for an empty non-terminal,
    RFC 5155 §7.1).
    """
    types: list[int] = []
    offset = 0
    end = len(data)
    last_window = -1
    while offset < end:
        if offset + 2 > end:
            raise WireError("type bitmap window header truncated")
        window, length = data[offset], data[offset + 1]
        offset += 2
        if window <= last_window:
            raise WireError(f"type bitmap window {window} after window {last_window}")
        if not 1 <= length <= MAX_WINDOW_OCTETS:
            raise WireError(f"type bitmap window {window} has length {length}")
        if offset + length > end:
            raise WireError(f"type bitmap window {window} truncated")
        octets = data[offset : offset + length]
        if octets[-1] == 0:
            raise WireError(f"type bitmap window {window} has trailing zero octets")
        base = window * TYPES_PER_WINDOW
        for index, octet in enumerate(octets):
            if not octet:
                continue
            for bit in range(8):
                if octet & (0x80 >> bit):
                    types.append(base + index * 8 + bit)
        offset += length
        last_window = window
    return frozenset(types)


def encode_bitmap(types: Iterable[int]) -> bytes:
    """The canonical Type Bit Maps encoding of ``types`` (RFC 4034 §4.1.2).

    Used by the zone-chain checks to compare a bitmap with the RRsets present, and by tests.
    Raises :class:`ValueError` for a type outside 0..65535.
    """
    windows: dict[int, bytearray] = {}
    for rdtype in sorted(set(types)):
        if not 0 <= rdtype <= 0xFFFF:
            raise ValueError(f"RR type {rdtype} out of range")
        window, low = divmod(rdtype, TYPES_PER_WINDOW)
        octets = windows.setdefault(window, bytearray())
        index = low // 8
        if len(octets) <= index:
            octets.extend(bytes(index + 1 - len(octets)))
        octets[index] |= 0x80 >> (low % 8)
    return b"".join(
        bytes((window, len(octets))) + bytes(octets) for window, octets in sorted(windows.items())
    )
