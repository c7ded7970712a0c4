"""Test-only: small signed DNS worlds built in memory, for CAA cases the committed worlds lack.

Zones are given as zone-file text; the ones named in ``signed`` get an Ed25519 key and are
signed by dnspython's own signer (``dns.dnssec.sign_zone``, NSEC), children first so that each
parent carries its children's DS.  Signing with dnspython keeps the signer independent of the
code under test.  The world answers through :class:`~dnssec_core.auth.lab.LabTransport`; its
trust anchor is the DS of the root key.  Keys are made fresh per world: nothing is committed.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import dns._features

dns._features.force("dnssec", True)

import dns.dnssec  # noqa: E402  (after the force above: cryptography here is older than 50)
import dns.name  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.zone  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: E402
from dns.dnssectypes import Algorithm  # noqa: E402
from dns.rdtypes.ANY.DNSKEY import DNSKEY  # noqa: E402

from dnssec_core.auth.lab import LabTransport, Tamper  # noqa: E402
from dnssec_core.auth.responder import Responder  # noqa: E402
from dnssec_core.auth.zone import AuthZone  # noqa: E402
from dnssec_core.chain.anchors import TrustAnchors, parse_anchors  # noqa: E402
from dnssec_core.chain.engine import Validator  # noqa: E402
from dnssec_core.crypto import get_backend  # noqa: E402
from dnssec_core.zone.reader import parse_records  # noqa: E402

INCEPTION = 1767225600  # 2026-01-01T00:00:00Z
EXPIRATION = 3660681600  # 2086-01-01T00:00:00Z
NOW = 1796083200  # 2026-12-01T00:00:00Z

SOA = "@ 3600 IN SOA ns.{o} hostmaster.{o} 1 7200 3600 1209600 300"


@dataclass
class World:
    zones: tuple[AuthZone, ...]
    anchors: TrustAnchors

    def transport(self, tamper: Tamper | None = None) -> LabTransport:
        return LabTransport(Responder(self.zones), tamper)

    def validator(self) -> Validator:
        return Validator(self.anchors, backend=get_backend("fast"))


def zone_text(origin: str, body: str) -> str:
    """A zone with an SOA and an NS at the apex added (``body`` in relative or full names)."""
    o = origin if origin != "." else ""
    return (f"$ORIGIN {origin}\n" + SOA.format(o=o) + "\n"
            f"@ 3600 IN NS ns.{o}\n" + body)


def build(zones: dict[str, str], signed: Iterable[str],
          edit: Callable[[str, list[str]], list[str]] | None = None) -> World:
    """``zones``: origin -> zone text; ``signed``: origins to sign (the root must be one).

    ``edit(origin, lines)`` may change a signed zone's presentation lines after signing (to
    break something on purpose)."""
    signed = set(signed)
    parsed = {o: dns.zone.from_text(t, origin=o, relativize=False) for o, t in zones.items()}
    keys: dict[str, tuple[ed25519.Ed25519PrivateKey, DNSKEY]] = {}
    for origin in signed:
        private = ed25519.Ed25519PrivateKey.generate()
        keys[origin] = (private, dns.dnssec.make_dnskey(private.public_key(),
                                                        Algorithm.ED25519, flags=257))
    by_depth = sorted(parsed, key=lambda o: -len(dns.name.from_text(o).labels))
    texts: dict[str, str] = {}
    for origin in by_depth:
        zone = parsed[origin]
        oname = dns.name.from_text(origin)
        for child in parsed:
            cname = dns.name.from_text(child)
            if child in signed and cname != dns.name.root and cname.parent() == oname:
                ds = dns.dnssec.make_ds(cname, keys[child][1], "SHA256")
                with zone.writer() as txn:
                    txn.add(cname, 3600, ds)
        if origin in signed:
            with zone.writer() as txn:
                dns.dnssec.sign_zone(zone, txn, keys=[keys[origin]], inception=INCEPTION,
                                     expiration=EXPIRATION, dnskey_ttl=3600)
        lines = zone.to_text(relativize=False).splitlines()
        if edit is not None:
            lines = edit(origin, lines)
        texts[origin] = "\n".join(lines) + "\n"
    auth = tuple(
        AuthZone.from_records(dns.name.from_text(o), parse_records(io.StringIO(t), None))
        for o, t in texts.items()
    )
    root_ds = dns.dnssec.make_ds(dns.name.root, keys["."][1], "SHA256")
    anchors = parse_anchors(f". 3600 IN DS {root_ds.to_text()}\n".encode(),
                            source="test world", now=None)
    return World(auth, anchors)
