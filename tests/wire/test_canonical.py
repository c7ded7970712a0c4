"""Canonical RR form and signature input (RFC 4034 §6.2-6.3 as corrected by RFC 6840 §5.1)."""

from __future__ import annotations

import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest

from dnssec_core.wire.canonical import (
    LOWERCASED_RDATA_LAYOUT,
    canonical_rdata,
    canonical_rrset,
)
from dnssec_core.wire.errors import WireError

# One example per type whose embedded names RFC 4034 §6.2 (3) lowercases: (as received,
# canonical).  Types dnspython cannot parse (MD, MF, MB, MG, MR, MINFO, NXT, A6) are checked
# from raw wire below.
PRESENTATION = {
    "NS": ("NS1.Example.COM.", "ns1.example.com."),
    "CNAME": ("Target.Example.", "target.example."),
    "SOA": ("NS.Example. Host.Example. 1 2 3 4 5", "ns.example. host.example. 1 2 3 4 5"),
    "PTR": ("Host.Example.", "host.example."),
    "MX": ("10 Mail.Example.", "10 mail.example."),
    "RP": ("Mbox.Example. Txt.Example.", "mbox.example. txt.example."),
    "AFSDB": ("1 Db.Example.", "1 db.example."),
    "RT": ("5 Relay.Example.", "5 relay.example."),
    "PX": ("10 Map822.Example. MapX400.Example.", "10 map822.example. mapx400.example."),
    "NAPTR": ('100 10 "S" "SIP+D2U" "" _Sip._Udp.Example.',
              '100 10 "S" "SIP+D2U" "" _sip._udp.example.'),
    "KX": ("10 Kx.Example.", "10 kx.example."),
    "SRV": ("0 5 5060 SipServer.Example.", "0 5 5060 sipserver.example."),
    "DNAME": ("Other.Example.", "other.example."),
    "RRSIG": ("A 13 2 3600 20300101000000 20000101000000 12345 Example. AAAA",
              "A 13 2 3600 20300101000000 20000101000000 12345 example. AAAA"),
    "SIG": ("A 13 2 3600 20300101000000 20000101000000 12345 Example. AAAA",
            "A 13 2 3600 20300101000000 20000101000000 12345 example. AAAA"),
}


def wire_of(rdtype: str, text: str) -> bytes:
    rd = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype), text)
    out = rd.to_wire()
    assert out is not None
    return out


@pytest.mark.parametrize("rdtype", sorted(PRESENTATION))
def test_names_in_listed_types_are_lowercased_VAL_CANON_02(rdtype: str) -> None:
    received, canonical = PRESENTATION[rdtype]
    wire, expected = wire_of(rdtype, received), wire_of(rdtype, canonical)
    assert wire != expected
    assert canonical_rdata(dns.rdatatype.from_text(rdtype), wire) == expected


def test_naptr_strings_are_not_lowercased() -> None:
    wire = wire_of("NAPTR", '100 10 "S" "SIP+D2U" "!^.*$!Sip:X@Y!" Sip.Example.')
    out = canonical_rdata(35, wire)
    assert b"SIP+D2U" in out and b"!^.*$!Sip:X@Y!" in out and b"\x03sip\x07example\x00" in out


@pytest.mark.parametrize("number", [3, 4, 7, 8, 9])  # MD MF MB MG MR: one name each
def test_obsolete_single_name_types_are_lowercased(number: int) -> None:
    assert canonical_rdata(number, b"\x04Host\x07EXAMPLE\x00") == b"\x04host\x07example\x00"


def test_minfo_both_names_lowercased() -> None:
    assert canonical_rdata(14, b"\x01A\x00\x01B\x00") == b"\x01a\x00\x01b\x00"


def test_nxt_and_a6() -> None:
    assert canonical_rdata(30, b"\x01B\x00\x40\x01") == b"\x01b\x00\x40\x01"
    a6 = bytes([64]) + bytes(8) + b"\x03NET\x00"
    assert canonical_rdata(38, a6) == bytes([64]) + bytes(8) + b"\x03net\x00"
    assert canonical_rdata(38, bytes([0]) + bytes(16)) == bytes([0]) + bytes(16)


def test_all_23_types_of_rfc4034_are_covered() -> None:
    # NS MD MF CNAME SOA MB MG MR PTR MINFO MX RP AFSDB RT SIG PX NXT NAPTR KX SRV DNAME A6 RRSIG
    assert set(LOWERCASED_RDATA_LAYOUT) | {38} == {
        2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 15, 17, 18, 21, 24, 26, 30, 35, 36, 33, 39, 38, 46}


@pytest.mark.parametrize(("rdtype", "text"), [
    ("NSEC", "Next.Example. A RRSIG NSEC"),  # removed from the list by RFC 6840 §5.1
    ("HINFO", '"PC-Intel" "Linux"'),  # no names at all
    ("TXT", '"Mixed Case"'),
    ("CAA", '0 issue "CA.Example.NET"'),
])
def test_other_types_are_left_byte_for_byte_VAL_CANON_03(rdtype: str, text: str) -> None:
    wire = wire_of(rdtype, text)
    assert canonical_rdata(dns.rdatatype.from_text(rdtype), wire) == wire


def test_unknown_type_untouched() -> None:
    data = b"\x03ABC\x00"
    assert canonical_rdata(65280, data) == data


def test_rrset_order_and_duplicates_VAL_CANON_05() -> None:
    rdatas = [b"\x00\x0a\x04Mail\x00", b"\x00\x0a\x04mail\x00", b"\x00\x05\x01b\x00",
              b"\x00\x0a\x04mail\x00"]
    assert canonical_rrset(15, rdatas) == [b"\x00\x05\x01b\x00", b"\x00\x0a\x04mail\x00"]
    # Shorter sorts first when one is a prefix of the other (left-justified octet strings).
    assert canonical_rrset(16, [b"\x02ab", b"\x01a", b"\x02a"]) == [b"\x01a", b"\x02a", b"\x02ab"]


@pytest.mark.parametrize(("rdtype", "rdata"), [
    (2, b"\x03abc"), (15, b"\x00"), (6, b"\x01a\x00"), (2, b"\x01a\x00extra"),
    (35, b"\x00\x01\x00\x01\x05ab"), (38, b"\xff"), (38, bytes([64]) + bytes(3)),
])
def test_malformed_rdata_raises_wire_error_SEC_PARSE_01(rdtype: int, rdata: bytes) -> None:
    with pytest.raises(WireError):
        canonical_rdata(rdtype, rdata)
