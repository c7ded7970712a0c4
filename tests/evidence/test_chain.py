"""The RFC 9102 §3 chain codec (issue 9): round trips, every decode error, bounds.

``decode_chain`` is the parser of untrusted evidence (SEC-PARSE-01): each defect must be a
:class:`ChainError` naming the offset and the fault, never another exception, and the input is
bounded (SEC-LIM-04; the bound and bound+1 are both tested, SEC-LIM-07).
"""

from __future__ import annotations

import contextlib
import struct

import dns.name
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnssec_core.dnssec.records import RRSIG
from dnssec_core.evidence.chain import (
    MAX_CHAIN_OCTETS,
    MAX_CHAIN_RRS,
    ChainError,
    decode_chain,
    encode_chain,
    rrsig_rdata,
)
from dnssec_core.wire.message import SignedRRset
from dnssec_core.wire.rrset import RRset
from tests.support.fuzzprofile import PROFILE

A, NS, CNAME, MX, TXT, DS, RRSIG_T, NSEC, DNSKEY, PRIVATE = 1, 2, 5, 15, 16, 43, 46, 47, 48, 65280
ROOT = b"\x00"


def name(text: str) -> dns.name.Name:
    return dns.name.from_text(text)


def wire_name(text: str) -> bytes:
    return b"".join(bytes((len(label),)) + label for label in name(text).labels)


def rr(owner: bytes, rdtype: int, rdata: bytes, *, ttl: int = 3600, rdclass: int = 1) -> bytes:
    return owner + struct.pack("!HHIH", rdtype, rdclass, ttl, len(rdata)) + rdata


def rrsig(covered: int, signer: str = "Example.COM.", labels: int = 2, sig: bytes = b"\x01" * 64,
          ) -> bytes:
    fixed = struct.pack("!HBBIIIH", covered, 13, labels, 3600, 2_000_000_000, 1_000_000_000, 4242)
    return fixed + wire_name(signer) + sig


WWW = wire_name("WWW.Example.com.")
A_RR = rr(WWW, A, bytes([192, 0, 2, 1]))
A_SIG = rr(WWW, RRSIG_T, rrsig(A, labels=3))


# -- fixed cases ------------------------------------------------------------------------------


def test_decode_groups_rrsets_and_attaches_rrsigs_in_first_appearance_order() -> None:
    second_a = rr(wire_name("www.example.com."), A, bytes([192, 0, 2, 2]))
    mx = rr(wire_name("example.com."), MX, b"\x00\x0a" + wire_name("Mail.Example.com."))
    mx_sig = rr(wire_name("example.com."), RRSIG_T, rrsig(MX))
    chain = decode_chain(A_SIG + mx + A_RR + mx_sig + second_a)
    assert [(s.owner.to_text(), s.rdtype) for s in chain] == [
        ("WWW.Example.com.", A), ("example.com.", MX)]
    www, mail = chain
    assert www.rrset.rdatas == (bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    assert [s.type_covered for s in www.rrsigs] == [A]
    assert www.rrsigs[0].signer.labels == (b"Example", b"COM", b"")  # case kept
    assert mail.rrset.rdatas == (b"\x00\x0a" + wire_name("Mail.Example.com."),)  # not lowercased
    # re-encoded contiguously: each RRset's RRs, then its RRSIGs, the owner spelled as the
    # RRset's first RR spells it (owner case is not signed, RFC 4034 §6.2)
    second_a_as_written = rr(WWW, A, bytes([192, 0, 2, 2]))
    assert encode_chain(chain) == A_RR + second_a_as_written + A_SIG + mx + mx_sig


def test_encode_writes_uncompressed_records_in_the_given_order() -> None:
    rrset = RRset(name("WWW.Example.com."), A, 1, 3600, (bytes([192, 0, 2, 1]),))
    signed = SignedRRset(rrset, (RRSIG.from_wire(rrsig(A, labels=3)),))
    assert encode_chain([signed]) == A_RR + A_SIG
    assert decode_chain(encode_chain([signed])) == (signed,)
    assert encode_chain([]) == b"" and decode_chain(b"") == ()


def test_rrsig_rdata_is_the_received_rdata() -> None:
    data = rrsig(A, signer="eXaMpLe.CoM.")
    assert rrsig_rdata(RRSIG.from_wire(data)) == data


# -- every decode error path ------------------------------------------------------------------

LONG_OWNER = b"".join(b"\x3f" + b"a" * 63 for _ in range(4)) + ROOT  # 257 octets

DECODE_ERRORS = {
    "owner-truncated": (b"\x03www\x07exam", "offset 0: owner name runs past the end"),
    "owner-label-past-end": (b"\x05ab", "offset 0: owner name runs past the end"),
    "owner-unterminated": (b"\x03www", "offset 0: owner name runs past the end"),
    "compression-pointer": (b"\x03www\xc0\x0c" + A_RR[len(WWW):],
                            "offset 4: compression pointer in an owner name"),
    "extended-label": (b"\x41" + b"x" * 65 + ROOT, "offset 0: label type 0x41"),
    "owner-too-long": (LONG_OWNER, "owner name longer than 255 octets"),
    "header-truncated": (WWW + b"\x00\x01\x00", "RR header truncated"),
    "stray-octet": (A_RR + b"\x00", f"offset {len(A_RR) + 1}: RR header truncated"),
    "class-chaos": (rr(WWW, A, b"\x01\x02\x03\x04", rdclass=3), "class 3 is not IN"),
    "class-any": (rr(WWW, A, b"\x01\x02\x03\x04", rdclass=255), "class 255 is not IN"),
    "type-0": (rr(WWW, 0, b""), "type 0 is not allowed"),
    "type-opt": (rr(ROOT, 41, b""), "type 41 is not allowed"),
    "type-any": (rr(WWW, 255, b""), "type 255 is not allowed"),
    "type-tsig": (rr(WWW, 250, b""), "type 250 is not allowed"),
    "rdlength-past-end": (A_RR[:-1], "RDLENGTH 4 runs past the end"),
    "a-too-long": (rr(WWW, A, b"\x01\x02\x03\x04\x05"), "malformed RDATA"),
    "rrsig-too-short": (rr(WWW, RRSIG_T, b"\x00\x01\x0d"),
                        "malformed RDATA: RRSIG RDATA too short"),
    "rrsig-no-signature": (rr(WWW, RRSIG_T, rrsig(A, sig=b"")), "RRSIG has an empty signature"),
    "rrsig-compressed-signer": (rr(WWW, RRSIG_T, rrsig(A)[:18] + b"\xc0\x00" + b"\x01" * 8),
                                "compression pointer"),
    "dnskey-no-key": (rr(WWW, DNSKEY, b"\x01\x01\x03\x0d"), "DNSKEY RDATA has no public key"),
    "ds-no-digest": (rr(WWW, DS, b"\x10\x92\x0d\x02"), "DS RDATA has no digest"),
    "nsec-compressed-next": (rr(WWW, NSEC, b"\x03www\xc0\x00\x00\x01\x40"), "compression pointer"),
    "nsec-trailing-zero-bitmap": (rr(WWW, NSEC, wire_name("x.") + b"\x00\x02\x40\x00"),
                                  "malformed RDATA"),
    "cname-compressed": (rr(WWW, CNAME, b"\x04mail\xc0\x04"), "compression pointer"),
    "svcb-compressed-target": (rr(WWW, 64, b"\x00\x01\xc0\x00"), "compression pointer"),
    "nsec-window-order": (rr(WWW, NSEC, ROOT + b"\x01\x01\x01\x00\x01\x40"),
                          "bad NSEC window order"),
    "mx-trailing": (rr(WWW, MX, b"\x00\x0a" + ROOT + b"\x00"), "trailing octets"),
    "txt-overrun": (rr(WWW, TXT, b"\x05abc"), "malformed RDATA"),
    "duplicate-rr": (A_RR + A_RR, f"offset {len(A_RR)}: WWW.Example.com. type 1: duplicate RR"),
    "duplicate-rr-other-case": (
        rr(WWW, CNAME, wire_name("Mail.example.com."))
        + rr(WWW, CNAME, wire_name("mail.EXAMPLE.com.")),
        "duplicate RR"),
    "duplicate-rrsig": (A_RR + A_SIG + A_SIG, "type 46: duplicate RR"),
    "ttl-differs": (A_RR + rr(WWW, A, b"\x01\x02\x03\x04", ttl=60),
                    "TTL 60 differs from the RRset's TTL 3600"),
    "orphan-rrsig": (A_SIG, "RRSIG at WWW.Example.com. covering type 1 without that RRset"),
    "orphan-rrsig-other-type": (A_RR + rr(WWW, RRSIG_T, rrsig(TXT)),
                                "covering type 16 without that RRset"),
}


@pytest.mark.parametrize("case", sorted(DECODE_ERRORS), ids=str)
def test_every_decode_error_is_a_precise_chain_error_SEC_PARSE_01(case: str) -> None:
    data, message = DECODE_ERRORS[case]
    with pytest.raises(ChainError) as caught:
        decode_chain(data)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_error_table_is_complete() -> None:
    assert len(DECODE_ERRORS) == 34


def test_the_chain_octet_bound_and_bound_plus_one_SEC_LIM_04() -> None:
    overhead = 1 + 10  # root owner + fixed RR fields
    sizes = [65_535] * 15
    sizes.append(MAX_CHAIN_OCTETS - sum(s + overhead for s in sizes) - overhead)
    data = b"".join(rr(ROOT, PRIVATE, bytes([i]) * size) for i, size in enumerate(sizes))
    assert len(data) == MAX_CHAIN_OCTETS
    (decoded,) = decode_chain(data)
    assert len(decoded.rrset.rdatas) == 16
    with pytest.raises(ChainError, match=f"exceeds the limit of {MAX_CHAIN_OCTETS}"):
        decode_chain(data + b"\x00")


def test_the_rr_count_bound_and_bound_plus_one_SEC_LIM_04() -> None:
    records = [rr(ROOT, PRIVATE, i.to_bytes(2, "big")) for i in range(MAX_CHAIN_RRS + 1)]
    (decoded,) = decode_chain(b"".join(records[:MAX_CHAIN_RRS]))
    assert len(decoded.rrset.rdatas) == MAX_CHAIN_RRS
    with pytest.raises(ChainError, match=f"more than {MAX_CHAIN_RRS} RRs"):
        decode_chain(b"".join(records))


# -- encode errors ----------------------------------------------------------------------------


WWW_NAME = name("www.example.com.")
ENCODE_ERRORS = {
    "class 3 is not IN": SignedRRset(RRset(WWW_NAME, A, 3, 60, (b"\x01\x02\x03\x04",))),
    "TTL 4294967296 out of range": SignedRRset(RRset(WWW_NAME, A, 1, 1 << 32, (b"\x01" * 4,))),
    "is not absolute": SignedRRset(RRset(dns.name.from_text("www", None), A, 1, 60, (b"\1" * 4,))),
    "does not fit RDLENGTH": SignedRRset(RRset(WWW_NAME, PRIVATE, 1, 60, (b"\x00" * 65_536,))),
    "RRSIG covering type 1 attached to": SignedRRset(
        RRset(WWW_NAME, TXT, 1, 60, (b"\x01a",)), (RRSIG.from_wire(rrsig(A)),)),
}


@pytest.mark.parametrize("message", sorted(ENCODE_ERRORS))
def test_encode_refuses_what_it_cannot_write(message: str) -> None:
    with pytest.raises(ChainError, match=message):
        encode_chain([ENCODE_ERRORS[message]])


# -- properties -------------------------------------------------------------------------------

LABEL = st.binary(min_size=1, max_size=12).filter(lambda b: b != b"*")
NAMES = st.lists(LABEL, min_size=0, max_size=4).map(lambda ls: dns.name.Name((*ls, b"")))


@st.composite
def signed_rrsets(draw: st.DrawFn) -> list[SignedRRset]:
    out: list[SignedRRset] = []
    slots: set[tuple[tuple[bytes, ...], int]] = set()
    for _ in range(draw(st.integers(0, 5))):
        owner = draw(NAMES)
        rdtype = draw(st.sampled_from([A, TXT, MX, CNAME, PRIVATE]))
        key = (tuple(label.lower() for label in owner.labels), rdtype)
        if key in slots:
            continue
        slots.add(key)
        if rdtype == A:
            rdatas = draw(st.lists(st.binary(min_size=4, max_size=4), min_size=1, max_size=4,
                                   unique=True))
        elif rdtype == TXT:
            rdatas = draw(st.lists(st.binary(max_size=40).map(lambda b: bytes((len(b),)) + b),
                                   min_size=1, max_size=3, unique=True))
        elif rdtype == MX:
            target = draw(NAMES)
            rdatas = [b"\x00\x05" + b"".join(bytes((len(x),)) + x for x in target.labels)]
        elif rdtype == CNAME:
            target = draw(NAMES)
            rdatas = [b"".join(bytes((len(x),)) + x for x in target.labels)]
        else:
            rdatas = draw(st.lists(st.binary(max_size=30), min_size=1, max_size=3, unique=True))
        sigs = tuple(
            RRSIG.from_wire(rrsig(rdtype, signer="example.", labels=draw(st.integers(0, 4)),
                                  sig=draw(st.binary(min_size=1, max_size=40))))
            for _ in range(draw(st.integers(0, 2)))
        )
        if len({s.signature for s in sigs}) != len(sigs):
            sigs = sigs[:1]
        ttl = draw(st.integers(0, 0xFFFFFFFF))
        out.append(SignedRRset(RRset(owner, rdtype, 1, ttl, tuple(rdatas)), sigs))
    return out


@settings(PROFILE)
@given(rrsets=signed_rrsets())
def test_round_trip_keeps_every_octet_and_the_order(rrsets: list[SignedRRset]) -> None:
    data = encode_chain(rrsets)
    decoded = decode_chain(data)
    assert decoded == tuple(rrsets)
    assert [s.owner.labels for s in decoded] == [s.owner.labels for s in rrsets]  # case kept
    assert encode_chain(decoded) == data


@settings(PROFILE)
@given(data=st.binary(max_size=400))
def test_random_octets_raise_only_chain_error(data: bytes) -> None:
    with contextlib.suppress(ChainError):
        decode_chain(data)


_TTL = slice(len(WWW) + 4, len(WWW) + 8)  # after owner, TYPE, CLASS


def as_rewritten(data: bytes) -> bytes:
    """``data`` (an A RR then its RRSIG) as encode_chain writes it back, documented in
    chain.py: the RRSIG RR spelled with the RRset's owner and given the RRset's TTL."""
    out = bytearray(data)
    sig = len(A_RR)
    out[sig : sig + len(WWW)] = data[: len(WWW)]
    out[sig + _TTL.start : sig + _TTL.stop] = data[_TTL]
    return bytes(out)


@settings(PROFILE)
@given(position=st.integers(0, len(A_RR + A_SIG) - 1), value=st.integers(0, 255))
def test_any_single_octet_change_decodes_or_is_refused(position: int, value: int) -> None:
    data = bytearray(A_RR + A_SIG)
    data[position] = value
    try:
        decoded = decode_chain(bytes(data))
    except ChainError:
        return
    assert decode_chain(encode_chain(decoded)) == decoded
    assert encode_chain(decoded) == as_rewritten(bytes(data))  # every other octet kept
