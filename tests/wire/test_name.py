"""Canonical names: form, order, label counts, wildcard source (RFC 4034 §6.1-6.2, §3.1.3)."""

from __future__ import annotations

import itertools
import random

import dns.name
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnssec_core.wire.errors import WireError
from dnssec_core.wire.name import (
    canonical_compare,
    canonical_key,
    canonical_wire,
    is_subdomain,
    read_name,
    rrsig_label_count,
    wildcard_source,
)

N = dns.name.from_text

# RFC 4034 §6.1: "the following names are sorted in canonical DNS name order".
RFC4034_ORDER = [
    "example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.",
    "z.example.", "\\001.z.example.", "*.z.example.", "\\200.z.example.",
]


def test_rfc4034_section_6_1_order_VAL_CANON_04() -> None:
    names = [N(t) for t in RFC4034_ORDER]
    shuffled = names[:]
    random.Random(4034).shuffle(shuffled)
    assert [n.to_text() for n in sorted(shuffled, key=canonical_key)] == RFC4034_ORDER
    for a, b in itertools.pairwise(names):
        assert canonical_compare(a, b) == -1 and canonical_compare(b, a) == 1


def test_canonical_wire_lowercases_only_letters_VAL_CANON_01() -> None:
    assert canonical_wire(N("WwW.ExAmPlE.")) == b"\x03www\x07example\x00"
    # Octets outside A-Z (here 0xC4 and '\\065' which is 'A') — only ASCII letters fold.
    assert canonical_wire(N("\\196B.")) == b"\x02\xc4b\x00"
    assert canonical_wire(dns.name.root) == b"\x00"


def test_length_octets_never_fold() -> None:
    # A 65-octet label would have length 'A'; labels are at most 63, so lowercasing the whole
    # encoding can never touch a length octet.
    label = b"Q" * 63
    assert canonical_wire(dns.name.Name((label, b""))) == b"\x3f" + b"q" * 63 + b"\x00"


@pytest.mark.parametrize(("text", "count"), [
    (".", 0), ("example.", 1), ("www.example.com.", 3), ("*.example.com.", 2), ("*.", 0),
    ("a.*.example.", 3),
])
def test_rrsig_label_count_VAL_RRSIG_03(text: str, count: int) -> None:
    assert rrsig_label_count(N(text)) == count


def test_wildcard_source_VAL_CANON_07() -> None:
    assert wildcard_source(N("a.b.w.example."), 2).to_text() == "*.w.example."
    assert wildcard_source(N("x.example."), 1).to_text() == "*.example."
    assert wildcard_source(N("x.example."), 0).to_text() == "*."


def test_is_subdomain_case_insensitive() -> None:
    assert is_subdomain(N("A.Example.COM."), N("example.com."))
    assert is_subdomain(N("example.com."), N("EXAMPLE.com."))
    assert not is_subdomain(N("badexample.com."), N("example.com."))
    assert is_subdomain(N("anything."), dns.name.root)


def test_read_name_roundtrip_and_offset() -> None:
    wire = b"\x03www\x07Example\x00rest"
    name, end = read_name(wire, 0)
    assert name.to_text() == "www.Example." and wire[end:] == b"rest"


@pytest.mark.parametrize("wire", [
    b"\xc0\x0c",  # compression pointer
    b"\x40" + b"a" * 64 + b"\x00",  # label of 64 octets
    b"\x05abc",  # truncated label
    b"\x03abc",  # no terminating root label
    b"",
    (b"\x3f" + b"a" * 63) * 4 + b"\x00",  # 257 octets
])
def test_read_name_rejects_malformed_SEC_PARSE_01(wire: bytes) -> None:
    with pytest.raises(WireError):
        read_name(wire, 0)


@given(st.binary(max_size=300))
def test_read_name_never_raises_other_errors(data: bytes) -> None:
    try:
        name, end = read_name(data, 0)
    except WireError:
        return
    assert 0 < end <= len(data) and len(canonical_wire(name)) == end
