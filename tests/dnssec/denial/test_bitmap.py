"""Type bitmaps (RFC 4034 §4.1.2): the RFC 4034 §4.3 example, strict decoding (NSEC-08),
round trips, and Hypothesis: no exception but WireError escapes the decoder."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnssec_core.dnssec.denial.bitmap import decode_bitmap, encode_bitmap
from dnssec_core.wire.errors import WireError

#: RFC 4034 §4.3: "alfa.example.com. 86400 IN NSEC host.example.com. ( A MX RRSIG NSEC
#: TYPE1234 )" — the bitmap octets after the next domain name, as printed in the RFC.
RFC4034_EXAMPLE = bytes.fromhex(
    "0006400100000003"
    "041b000000000000"
    "0000000000000000"
    "0000000000000000"
    "0000000020"
)


def test_rfc4034_section_4_3_example_NSEC_08() -> None:
    assert decode_bitmap(RFC4034_EXAMPLE) == {1, 15, 46, 47, 1234}
    assert encode_bitmap({1, 15, 46, 47, 1234}) == RFC4034_EXAMPLE


def test_empty_bitmap_is_no_types_NSEC_08() -> None:
    """RFC 5155 §7.1: an empty non-terminal's NSEC3 has an empty bitmap."""
    assert decode_bitmap(b"") == frozenset()
    assert encode_bitmap(()) == b""


@pytest.mark.parametrize("data,why", [
    (bytes.fromhex("0001"), "header only, no octets"),
    (bytes.fromhex("00"), "truncated header"),
    (bytes.fromhex("000140000140"), "window 0 twice"),
    (bytes.fromhex("010140000140"), "window 1 before window 0"),
    (bytes.fromhex("0000"), "length 0"),
    (bytes.fromhex("0021") + bytes(32) + b"\x01", "length 33"),
    (bytes.fromhex("000240"), "length 2 with 1 octet"),
    (bytes.fromhex("00024000"), "trailing zero octet"),
    (bytes.fromhex("000100"), "all-zero window"),
    (bytes.fromhex("00014000"), "trailing data after the last window"),
])
def test_malformed_bitmaps_rejected_NSEC_08(data: bytes, why: str) -> None:
    with pytest.raises(WireError):
        decode_bitmap(data)


def test_window_32_octets_and_high_windows_NSEC_08() -> None:
    types = {0, 255, 256, 65535, 32768, 1234}
    assert decode_bitmap(encode_bitmap(types)) == types
    full = bytes((0, 32)) + b"\xff" * 32
    assert decode_bitmap(full) == set(range(256))


def test_encode_rejects_out_of_range_type() -> None:
    with pytest.raises(ValueError):
        encode_bitmap({65536})


@settings(max_examples=300, deadline=None)
@given(st.frozensets(st.integers(0, 65535), max_size=64))
def test_round_trip_property_NSEC_08(types: frozenset[int]) -> None:
    assert decode_bitmap(encode_bitmap(types)) == types


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=600))
def test_decoder_only_raises_wire_error_property_NSEC_08(data: bytes) -> None:
    try:
        types = decode_bitmap(data)
    except WireError:
        return
    # Whatever decodes is canonical: re-encoding gives the same octets.
    assert encode_bitmap(types) == data
