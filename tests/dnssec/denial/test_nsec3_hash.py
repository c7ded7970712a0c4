"""The NSEC3 hash (NSEC3-01) against RFC 5155 Appendix A, base32hex (RFC 4648 §7/§10),
and NSEC3 RDATA decoding (NSEC3-04)."""

from __future__ import annotations

import contextlib
import re

import dns.name
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnssec_core.dnssec.denial.nsec3 import (
    NSEC3,
    Nsec3Hasher,
    b32hex_decode,
    b32hex_encode,
    iterated_hash,
)
from dnssec_core.wire.errors import WireError
from tests.dnssec.denial.rfcdata import zone
from vectors import vector_path

SALT, ITERATIONS = bytes.fromhex("aabbccdd"), 12  # RFC 5155 Appendix A NSEC3PARAM


def appendix_a_hashes() -> list[tuple[str, str]]:
    text = vector_path("rfc", "rfc5155-appendixA-example-zone.txt").read_text()
    return re.findall(r"H\(([^)]+)\)[\s;]*=\s*([0-9a-v]{32})", text)


HASHES = appendix_a_hashes()
#: Hashes printed in RFC 5155 Appendix B (also listed in vectors/rfc/README.md).
APPENDIX_B_HASHES = [("c.x.w.example", "0va5bpr2ou0vk0lbqeeljri88laipsfh"),
                     ("*.x.w.example", "92pqneegtaue7pjatc3l3qnk738c6v5m"),
                     ("c.example", "4g6p9u5gvfshp30pqecj98b3maqbn1ck"),
                     ("z.w.example", "qlu7gtfaeh0ek0c05ksfhdpbcgglbe03")]


def test_appendix_a_hash_count() -> None:
    assert len(HASHES) == 12


@pytest.mark.parametrize("owner,expected", HASHES + APPENDIX_B_HASHES, ids=lambda v: str(v))
def test_rfc5155_hash_vectors_NSEC3_01(owner: str, expected: str) -> None:
    name = dns.name.from_text(owner)
    assert b32hex_encode(iterated_hash(name, SALT, ITERATIONS)) == expected
    # Case-insensitive (canonical form is lower case): the same hash for upper case.
    assert iterated_hash(dns.name.from_text(owner.upper()), SALT, ITERATIONS) == (
        b32hex_decode(expected))


def test_appendix_a_nsec3_records_decode_NSEC3_04() -> None:
    data = zone("rfc5155-appendixA-example-zone.zone")
    records = [NSEC3.from_rdata(rrset.owner, rd) for (_, t), rrset in data.rrsets.items()
               if t == 50 for rd in rrset.rdatas]
    assert len(records) == 12
    owners = {r.owner_hash for r in records}
    for record in records:
        assert (record.algorithm, record.flags, record.iterations, record.salt) == (
            1, 1, 12, SALT)
        assert record.opt_out and record.usable
        assert record.next_hash in owners  # the chain closes
    expected = {b32hex_decode(h) for _, h in HASHES[:11]}
    assert expected <= owners


# RFC 4648 §10 test vectors for base32hex, written unpadded and in lower case.
RFC4648 = [(b"", ""), (b"f", "co"), (b"fo", "cpng"), (b"foo", "cpnmu"), (b"foob", "cpnmuog"),
           (b"fooba", "cpnmuoj1"), (b"foobar", "cpnmuoj1e8")]


@pytest.mark.parametrize("data,text", RFC4648)
def test_base32hex_rfc4648_vectors(data: bytes, text: str) -> None:
    assert b32hex_encode(data) == text
    assert b32hex_decode(text) == data
    assert b32hex_decode(text.upper().encode()) == data


@pytest.mark.parametrize("text", ["w", "c", "cpn", "cpnmuo", "cp=g", "co\u00e9", "cp"])
def test_base32hex_rejects_invalid_NSEC3_04(text: str) -> None:
    """Bad alphabet, impossible lengths (1, 3, 6 mod 8) and non-zero pad bits ("cp")."""
    with pytest.raises(WireError):
        b32hex_decode(text)


def test_base32hex_rejects_non_ascii_label() -> None:
    with pytest.raises(WireError):
        b32hex_decode(b"\xff\xfe")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_base32hex_round_trip_property(data: bytes) -> None:
    assert b32hex_decode(b32hex_encode(data)) == data


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=70))
def test_base32hex_decoder_only_raises_wire_error_property(text: str) -> None:
    with contextlib.suppress(WireError):
        b32hex_decode(text)


def test_hash_rejects_unknown_algorithm_and_range() -> None:
    root = dns.name.root
    with pytest.raises(ValueError):
        iterated_hash(root, b"", 0, algorithm=2)
    with pytest.raises(ValueError):
        iterated_hash(root, b"", 65536)


def test_hasher_memoises_per_name_and_parameters_SEC_LIM_03() -> None:
    hasher = Nsec3Hasher(2)
    www = dns.name.from_text("www.example.")
    first = hasher.hash(www, (1, 12, SALT))
    assert hasher.hash(dns.name.from_text("WWW.Example."), (1, 12, SALT)) == first
    assert hasher.computed == 1
    hasher.hash(www, (1, 0, b""))
    assert hasher.computed == 2


def test_resolution_allowance_bounds_hashes_across_responses_SEC_LIM_03() -> None:
    """NSEC3_HASHES_PER_RESOLUTION: hashers drawn from one allowance share its total (and its
    memo), each keeping its own per-response budget."""
    from dnssec_core import limits
    from dnssec_core.dnssec.denial.nsec3 import HashAllowance, HashBudgetExceeded

    assert limits.NSEC3_HASHES_PER_RESPONSE < limits.NSEC3_HASHES_PER_RESOLUTION
    allowance = HashAllowance(5)
    names = [dns.name.from_text(f"n{i}.example.") for i in range(8)]
    first = allowance.response(3)
    for name in names[:3]:
        first.hash(name, (1, 0, b""))
    with pytest.raises(HashBudgetExceeded, match="one response"):
        first.hash(names[3], (1, 0, b""))
    second = allowance.response(3)
    assert second.hash(names[0], (1, 0, b"")) == first.hash(names[0], (1, 0, b""))  # memo
    assert (second.computed, allowance.computed) == (0, 3)
    second.hash(names[3], (1, 0, b""))
    second.hash(names[4], (1, 0, b""))
    with pytest.raises(HashBudgetExceeded, match="one resolution"):
        second.hash(names[5], (1, 0, b""))
    assert allowance.computed == 5
    with pytest.raises(ValueError):
        HashAllowance(-1)
