"""Trust anchors: built-in IANA root KSKs, presentation files, RFC 7958 XML (TA-01..TA-08)."""

from __future__ import annotations

import dns.name
import pytest

from dnssec_core.chain.anchors import AnchorError, builtin_root_anchors, parse_anchors
from dnssec_core.dnssec.ds import DSMatch, ds_matches
from dnssec_core.timeutil import parse_time
from dnssec_core.zone.reader import parse_records, rdata_wire

# KSK-2017 as published in the root zone (also in vectors/dnssec-prover chains).
KSK_2017 = (
    ". 172800 IN DNSKEY 257 3 8 AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq"
    "7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3E"
    "gVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7"
    "LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1"
    "AkUTV74bU=\n"
)

XML = """<?xml version="1.0" encoding="UTF-8"?>
<TrustAnchor id="test" source="https://data.iana.org/root-anchors/root-anchors.xml">
<Zone>.</Zone>
<KeyDigest id="Kjqmt7v" validFrom="2010-07-15T00:00:00+00:00"
 validUntil="2019-01-11T00:00:00+00:00">
<KeyTag>19036</KeyTag><Algorithm>8</Algorithm><DigestType>2</DigestType>
<Digest>49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5</Digest>
</KeyDigest>
<KeyDigest id="Klajeyz" validFrom="2017-02-02T00:00:00+00:00">
<KeyTag>20326</KeyTag><Algorithm>8</Algorithm><DigestType>2</DigestType>
<Digest>E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D</Digest>
</KeyDigest>
<KeyDigest id="Kmyv6jo" validFrom="2024-07-18T00:00:00+00:00">
<KeyTag>38696</KeyTag><Algorithm>8</Algorithm><DigestType>2</DigestType>
<Digest>683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16</Digest>
</KeyDigest>
</TrustAnchor>
"""


def test_builtin_anchors_are_ksk_2017_and_2024_TA_01() -> None:
    """Proves VAL-CHAIN-05 (requirement trace)."""
    anchors = builtin_root_anchors()
    assert anchors.key_tags == [20326, 38696]
    assert anchors.zone.to_text() == "." and len(anchors.sha256) == 64


def test_builtin_ksk_2017_digest_matches_the_published_key_TA_04() -> None:
    (name, _, rdata), = parse_records(KSK_2017)
    from dnssec_core.dnssec.records import DNSKEY

    key = DNSKEY.from_wire(rdata_wire(rdata))
    ds_2017 = next(d for d in builtin_root_anchors().ds if d.key_tag == 20326)
    assert key.key_tag == 20326 and ds_matches(ds_2017, name, key) is DSMatch.MATCH


@pytest.mark.parametrize(("when", "tags"), [
    ("20150101000000", [19036]),
    ("20180101000000", [19036, 20326]),
    ("20190111000000", [20326]),  # validUntil is exclusive
    ("20240717235959", [20326]),
    ("20261201000000", [20326, 38696]),
])
def test_xml_validity_windows_TA_02_TA_03(when: str, tags: list[int]) -> None:
    anchors = parse_anchors(XML.encode(), source="root-anchors.xml", now=parse_time(when))
    assert anchors.key_tags == tags


def test_xml_before_any_anchor_is_empty_error_TA_08() -> None:
    with pytest.raises(AnchorError, match="no usable trust anchor"):
        parse_anchors(XML.encode(), source="x.xml", now=parse_time("20000101000000"))


@pytest.mark.parametrize("bad", [
    b"", b"; only a comment\n", b"<TrustAnchor><Zone>.</Zone></TrustAnchor>",
    b"<TrustAnchor><Zone>example.</Zone></TrustAnchor>", b"<Other/>", b"<TrustAnchor>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><TrustAnchor/>',
    b"\xff\xfe", b". IN DS 20326 8 2 nothex\n",
])
def test_unusable_anchor_files_are_errors_TA_08(bad: bytes) -> None:
    with pytest.raises(AnchorError):
        parse_anchors(bad, source="bad", now=parse_time("20261201000000"))


def test_dnskey_anchor_and_revoked_key_TA_07() -> None:
    anchors = parse_anchors(KSK_2017.encode(), source="k", now=None)
    assert anchors.key_tags == [20326] and not anchors.ds
    revoked = KSK_2017.replace("DNSKEY 257", "DNSKEY 385")
    with pytest.raises(AnchorError):
        parse_anchors(revoked.encode(), source="k", now=None)


def test_anchors_for_several_zones_are_grouped_by_zone_TA_02() -> None:
    """RFC 4035 §4.4: several anchors; one ZoneAnchor per zone, highest first."""
    text = (b"b.example. IN DS 2 13 2 " + b"22" * 32 + b"\n"
            b"example. IN DS 1 13 2 " + b"11" * 32 + b"\n"
            b"EXAMPLE. IN DS 3 13 2 " + b"33" * 32 + b"\n"
            + KSK_2017.encode())
    anchors = parse_anchors(text, source="multi", now=None)
    assert [a.zone.to_text() for a in anchors.zones] == [".", "example.", "b.example."]
    assert [a.key_tags for a in anchors.zones] == [[20326], [1, 3], [2]]
    assert anchors.zone.to_text() == "." and anchors.key_tags == [1, 2, 3, 20326]


@pytest.mark.parametrize(("name", "closest"), [
    ("example.", "example."), ("a.example.", "example."), ("x.b.example.", "b.example."),
    ("b.example.", "b.example."), ("ab.example.", "example."), ("example.net.", None),
    (".", None),
])
def test_closest_enclosing_anchor_RFC_4035_4_4(name: str, closest: str | None) -> None:
    text = (b"b.example. IN DS 2 13 2 " + b"22" * 32 + b"\n"
            b"example. IN DS 1 13 2 " + b"11" * 32 + b"\n")
    found = parse_anchors(text, source="multi", now=None).closest(dns.name.from_text(name))
    assert (found.zone.to_text() if found else None) == closest


def test_zone_with_only_revoked_keys_is_dropped_TA_07() -> None:
    revoked = KSK_2017.replace("DNSKEY 257", "DNSKEY 385")
    anchors = parse_anchors(revoked.encode() + b"example. IN DS 1 13 2 " + b"11" * 32 + b"\n",
                            source="k", now=None)
    assert [a.zone.to_text() for a in anchors.zones] == ["example."]


def test_xml_anchor_for_another_zone_TA_02() -> None:
    """RFC 7958 §2.1: the TrustAnchor's Zone names the zone; not only the root."""
    text = XML.replace("<Zone>.</Zone>", "<Zone>example.</Zone>")
    anchors = parse_anchors(text.encode(), source="x.xml", now=parse_time("20261201000000"))
    assert [a.zone.to_text() for a in anchors.zones] == ["example."]
    assert anchors.key_tags == [20326, 38696]
