"""The signed zones the generated-proof tests run over: RFC 4035/5155 Appendix A and every
variant of vectors/zones/manifest.json (BIND and ldns; NSEC, NSEC3, salted, Opt-Out)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import dns.name
from dns.name import Name

from dnssec_core.crypto import get_backend
from dnssec_core.dnssec.algorithms import DEFAULT_POLICY
from dnssec_core.dnssec.denial import (
    Denial,
    Verifier,
    prove_insecure_referral,
    prove_no_ds,
    prove_nodata,
    prove_nxdomain,
    prove_wildcard_answer,
)
from dnssec_core.dnssec.rrsig import verify_rrset
from dnssec_core.timeutil import parse_time
from dnssec_core.verdict import Verdict
from dnssec_core.wire.message import SignedRRset
from dnssec_core.wire.rrset import RRset
from dnssec_core.zone.reader import ZoneData, load_zone
from tests.dnssec.denial.authority import Authority, Reply
from tests.dnssec.denial.rfcdata import RFC4035_NOW, RFC5155_NOW, SMALL_RSA, zone, zone_keys
from vectors import vector_path

ZONES_NOW = parse_time("20261201000000")


@dataclass(frozen=True)
class SignedZone:
    name: str
    denial: str  # nsec | nsec3 | nsec3-salted | nsec3-optout
    now: int
    rfc: bool

    @property
    def data(self) -> ZoneData:
        return _load(self.name)

    @property
    def authority(self) -> Authority:
        return _authority(self.name)

    def verifier(self) -> Verifier:
        return _verifier(self.name)


def manifest() -> dict[str, object]:
    loaded: dict[str, object] = json.loads(vector_path("zones", "manifest.json").read_text())
    return loaded


def variants() -> list[dict[str, object]]:
    found = manifest()["variants"]
    assert isinstance(found, list)
    return found


def all_zones() -> list[SignedZone]:
    zones = [SignedZone("rfc4035-appendixA", "nsec", RFC4035_NOW, True),
             SignedZone("rfc5155-appendixA", "nsec3-optout", RFC5155_NOW, True)]
    zones += [SignedZone(str(v["name"]), str(v["denial"]), ZONES_NOW, False) for v in variants()]
    return zones


@cache
def _load(name: str) -> ZoneData:
    if name == "rfc4035-appendixA":
        return zone("rfc4035-appendixA-signed-zone.zone")
    if name == "rfc5155-appendixA":
        return zone("rfc5155-appendixA-example-zone.zone")
    (entry,) = [v for v in variants() if v["name"] == name]
    text = vector_path("zones", str(entry["zone_file"])).read_text()
    return load_zone(text, dns.name.from_text(str(entry["origin"])))


@cache
def _authority(name: str) -> Authority:
    return Authority(_load(name))


@cache
def _verifier(name: str) -> Verifier:
    """Real RRSIG verification with the zone's DNSKEY RRset, memoised per RRset content."""
    data = _load(name)
    keys = zone_keys(data)
    now = RFC4035_NOW if name == "rfc4035-appendixA" else (
        RFC5155_NOW if name == "rfc5155-appendixA" else ZONES_NOW)
    policy = SMALL_RSA if name.startswith("rfc") else DEFAULT_POLICY
    backend = get_backend("fast")
    memo: dict[tuple[RRset, tuple[object, ...]], Verdict] = {}

    def verify(signed: SignedRRset) -> Verdict:
        key = (signed.rrset, signed.rrsigs)
        if key not in memo:
            memo[key] = verify_rrset(signed.rrset, signed.rrsigs, keys, now=now,
                                     backend=backend, policy=policy)
        return memo[key]

    return verify


def check(reply: Reply, authority: list[SignedRRset], apex: Name, verify: Verifier | None
          ) -> Denial:
    """Run the checker the way the chain engine would for this kind of response."""
    prove: dict[str, Callable[[], Denial]] = {
        "nxdomain": lambda: prove_nxdomain(reply.qname, authority, signer=apex, verify=verify),
        "nodata": lambda: prove_nodata(reply.qname, reply.qtype, authority, signer=apex,
                                       verify=verify),
        "ds": lambda: prove_no_ds(reply.qname, authority, signer=apex, verify=verify),
        "wildcard-answer": lambda: prove_wildcard_answer(
            reply.qname, reply.labels or 0, authority, signer=apex, verify=verify),
        "referral": lambda: prove_insecure_referral(
            reply.delegation or reply.qname, authority, signer=apex, verify=verify),
    }
    return prove[reply.kind]()


QTYPES = (1, 15, 43)  # A, MX, DS: positive, NODATA and DS-absence shapes in every zone
