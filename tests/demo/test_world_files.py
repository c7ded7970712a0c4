"""The offline demo world's files (vectors/demo/, issue 5 "The offline demo world", issue 6).

These tests check the committed files, not a validator: world.json names zone files that exist
and parse, its server addresses agree with every NS and glue record, each DS in test. relates
to its child's keys exactly as the case says (match, deliberate mismatch, unsupported
algorithm), the anchor is the root KSK's DS, every signature has the fixed validity window, and
the case tables have the documented size.  Whether the expectations are right is checked by
vectors/demo/check_with_unbound.sh (NSD + Unbound) and recorded in vectors/demo/README.md.
"""

from __future__ import annotations

import ipaddress
import json
from collections import Counter
from functools import cache
from typing import Any

import dns.dnssec
import dns.name
import dns.rdatatype
import pytest
from dns.name import Name

from dnssec_core.chain.anchors import parse_anchors
from dnssec_core.dnssec.ds import DSMatch, ds_matches
from dnssec_core.dnssec.records import DNSKEY, DS
from dnssec_core.zone.reader import ZoneData, read_zone
from vectors import ROOT as VECTORS
from vectors import vector_path

WORLD: dict[str, Any] = json.loads(vector_path("demo", "world.json").read_text())
ZONES = {dns.name.from_text(z["zone"]): z for z in WORLD["zones"]}

INCEPTION = 1767225600  # 20260101000000
EXPIRATION = 3660681600  # 20860101000000
EXPIRED_WINDOW = (1735689600, 1767139200)  # 20250101000000 .. 20251231000000 (expired.test.)
NOTYET_WINDOW = (3155760000, 3471292800)  # 20700101000000 .. 20800101000000 (notyet.test.)

A, NS, DS_TYPE, DNSKEY_TYPE, CAA = (dns.rdatatype.A, dns.rdatatype.NS, dns.rdatatype.DS,
                                    dns.rdatatype.DNSKEY, dns.rdatatype.CAA)


def name(text: str) -> Name:
    return dns.name.from_text(text)


@cache
def zone_data(zone: Name) -> ZoneData:
    return read_zone(vector_path("demo", ZONES[zone]["file"]), zone)


def addresses(zone: ZoneData, owner: Name) -> set[str]:
    rrset = zone.get(owner, A)
    return {str(ipaddress.IPv4Address(r)) for r in rrset.rdatas} if rrset else set()


def ns_names(zone: ZoneData, owner: Name) -> list[Name]:
    rrset = zone.get(owner, NS)
    assert rrset is not None, f"no NS at {owner} in {zone.origin}"
    return [dns.name.from_wire(r, 0)[0] for r in rrset.rdatas]


def dnskeys(zone: Name) -> list[DNSKEY]:
    rrset = zone_data(zone).get(zone, DNSKEY_TYPE)
    return [DNSKEY.from_wire(r) for r in rrset.rdatas] if rrset else []


def ds_set(child: Name) -> list[DS]:
    rrset = zone_data(child.parent()).get(child, DS_TYPE)
    return [DS.from_wire(r) for r in rrset.rdatas] if rrset else []


def enclosing_zone(qname: Name) -> Name:
    """The deepest zone of the world at or above qname (the one that answers for it)."""
    return max((z for z in ZONES if qname.is_subdomain(z)), key=lambda z: len(z.labels))


def test_world_counts() -> None:
    assert WORLD["anchor"] == "root-anchor.txt"
    assert len(WORLD["zones"]) == 17
    assert len(WORLD["cases"]) == 43
    assert Counter(c["expect_status"] for c in WORLD["cases"]) == {
        "secure": 31, "insecure": 7, "bogus": 5}
    assert len(WORLD["caa_cases"]) == 21
    assert Counter(c["expect_decision"] for c in WORLD["caa_cases"]) == {
        "permitted": 10, "denied": 7, "lookup-failure": 4}


def test_world_addresses_one_loopback_per_zone_root_on_2() -> None:
    servers = [s for z in WORLD["zones"] for s in z["servers"]]
    assert len(servers) == len(set(servers)) == len(WORLD["zones"])
    assert all(ipaddress.IPv4Address(s).is_loopback and s != "127.0.0.1" for s in servers)
    assert ZONES[dns.name.root]["servers"] == ["127.0.0.2"]


@pytest.mark.parametrize("zone", list(ZONES), ids=lambda z: z.to_text())
def test_zone_file_exists_parses_and_matches_manifest(zone: Name) -> None:
    data = zone_data(zone)
    assert data.origin == zone
    assert not data.malformed
    assert data.get(zone, dns.rdatatype.SOA) is not None
    assert bool(dnskeys(zone)) is ZONES[zone]["signed"]
    assert bool(data.rrsigs) is ZONES[zone]["signed"]


@pytest.mark.parametrize("zone", list(ZONES), ids=lambda z: z.to_text())
def test_ns_and_glue_agree_with_server_addresses(zone: Name) -> None:
    """Each zone's NS names resolve, in the zone and as glue in its parent, to its server."""
    servers = set(ZONES[zone]["servers"])
    apex_ns = ns_names(zone_data(zone), zone)
    assert apex_ns
    for ns in apex_ns:
        holder = enclosing_zone(ns)  # a.root-servers.test. lives in test.
        assert addresses(zone_data(holder), ns) == servers, f"{ns} in {holder}"
        if ns.is_subdomain(zone):
            assert addresses(zone_data(zone), ns) == servers
    if zone != dns.name.root:
        parent = zone_data(zone.parent())
        assert ns_names(parent, zone) == apex_ns
        for ns in apex_ns:
            assert addresses(parent, ns) == servers, f"glue for {ns} in {zone.parent()}"


# The DS each delegation of test. (and the root's of test.) must carry: "match" (a DS matches a
# key of the child), "none" (no DS: unsigned child), or the deliberate breakages.
DS_EXPECT = {
    "test.": "match", "secure.test.": "match", "hashed.test.": "match", "hashed0.test.": "match",
    "iter200.test.": "match", "ed.test.": "match", "ed448.test.": "match", "bogus.test.": "match",
    "expired.test.": "match", "insecure.test.": "none", "unsigned.test.": "none",
    "dsmismatch.test.": "mismatch", "unsupported.test.": "unsupported",
    "rsasha512.test.": "match", "p384.test.": "match", "notyet.test.": "match",
}


@pytest.mark.parametrize("child", sorted(DS_EXPECT), ids=str)
def test_delegation_ds(child: str) -> None:
    zone = name(child)
    ds = ds_set(zone)
    keys = dnskeys(zone)
    results = {ds_matches(d, zone, k) for d in ds for k in keys}
    match DS_EXPECT[child]:
        case "match":
            assert DSMatch.MATCH in results
        case "none":
            assert ds == [] and keys == []
        case "mismatch":
            assert results == {DSMatch.NO_MATCH}
            assert {d.key_tag for d in ds} <= {k.key_tag for k in keys}  # right tag, wrong digest
        case "unsupported":
            assert [d.algorithm for d in ds] == [253] and results == {DSMatch.UNSUPPORTED}


def test_ds_expectations_cover_every_delegation() -> None:
    assert set(DS_EXPECT) == {z.to_text() for z in ZONES if z != dns.name.root}


def test_anchor_is_the_root_ksk_ds() -> None:
    path = vector_path("demo", WORLD["anchor"])
    anchors = parse_anchors(path.read_bytes(), source=str(path), now=None)
    assert anchors.zone == dns.name.root
    assert anchors.ds and not anchors.dnskeys
    root_ksks = [k for k in dnskeys(dns.name.root) if k.is_sep]
    for ds in anchors.ds:
        assert any(ds_matches(ds, dns.name.root, k) is DSMatch.MATCH for k in root_ksks)


SIGNED = [z for z in ZONES if ZONES[z]["signed"]]


@pytest.mark.parametrize("zone", SIGNED, ids=lambda z: z.to_text())
def test_fixed_validity_window(zone: Name) -> None:
    window = {name("expired.test."): EXPIRED_WINDOW, name("notyet.test."): NOTYET_WINDOW}.get(
        zone, (INCEPTION, EXPIRATION))
    sigs = [s for group in zone_data(zone).rrsigs.values() for s in group]
    assert sigs
    assert {(s.inception, s.expiration) for s in sigs} == {window}


def test_opt_out_and_matching_insecure_delegations() -> None:
    """unsigned.test. has a matching NSEC3 in test. (NS, no DS); insecure.test. has none and
    falls in an opt-out span (RFC 5155 §6)."""
    test = zone_data(name("test."))
    assert test.get(name("test."), dns.rdatatype.NSEC3PARAM) is not None

    def nsec3_at(owner: str) -> bool:
        hashed = dns.dnssec.nsec3_hash(owner, None, 0, 1)  # NSEC3PARAM 1 0 0 -
        return test.get(name(f"{hashed}.test."), dns.rdatatype.NSEC3) is not None

    assert nsec3_at("unsigned.test.")
    assert not nsec3_at("insecure.test.")
    assert nsec3_at("secure.test.")


@pytest.mark.parametrize("case", WORLD["cases"], ids=lambda c: f"{c['qname']}/{c['qtype']}")
def test_case_well_formed_and_its_zone_in_world(case: dict[str, Any]) -> None:
    assert case["expect_status"] in ("secure", "insecure", "bogus")
    assert case["expect_rcode"] in ("NOERROR", "NXDOMAIN", "SERVFAIL")
    assert (case["expect_rcode"] == "SERVFAIL") is (case["expect_status"] == "bogus")
    assert case["expect_ede"] is None or isinstance(case["expect_ede"], int)
    assert case["why"]
    dns.rdatatype.from_text(case["qtype"])
    qname = name(case["qname"])
    under_test = qname.relativize(name("test.")).labels if qname.is_subdomain(name("test.")) else ()
    if len(under_test) >= 2 or (len(under_test) == 1 and qname in ZONES):
        # a name inside a second-level zone: that zone must be in the world
        assert enclosing_zone(qname) == name(under_test[-1].decode() + ".test.")


@pytest.mark.parametrize("case", WORLD["caa_cases"], ids=lambda c: f"{c['domain']}/{c['issuer']}")
def test_caa_case_well_formed_and_its_zone_in_world(case: dict[str, Any]) -> None:
    assert case["expect_decision"] in ("permitted", "denied", "lookup-failure")
    assert case["why"]
    domain = name(case["domain"].removeprefix("*."))
    zone = enclosing_zone(domain)
    assert len(zone.labels) == 3, f"{case['domain']} is not inside a second-level zone"


@pytest.mark.parametrize("owner", ["secure.test.", "deny.secure.test.", "critical.secure.test.",
                                   "wildonly.secure.test."])
def test_caa_records_present(owner: str) -> None:
    assert zone_data(name("secure.test.")).get(name(owner), CAA) is not None


def test_tree_is_small() -> None:
    total = sum(p.stat().st_size for p in (VECTORS / "demo").rglob("*") if p.is_file())
    assert total < 1_000_000
