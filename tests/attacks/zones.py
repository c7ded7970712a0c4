"""The attack world: a signed root and the zones the attacks of issue 8 play in.

Every delegation has a loopback address (127.0.3.x) so the same world can be served over real
sockets (tests/attacks/test_sockets.py) as well as in process.  Zones:

* ``good.`` — an ordinary NSEC-signed zone (ECDSA P-256) holding the victim's names and CAA
  records, a signed CNAME loop, a CNAME chain one link over ``MAX_CNAME_HOPS``, a DNAME loop,
  a self-expanding DNAME, a plain DNAME, a wildcard CAA beside a specific one, a huge RRset
  and ``sub.good.`` delegated to an out-of-bailiwick name server;
* ``keytrap.`` — RSA/SHA-256, its DNSKEY RRset padded with made-up keys whose key tags collide
  (CVE-2023-50387): three share the ZSK's tag and come before it (every RRSIG costs
  ``MAX_KEYS_PER_KEY_TAG`` verifications), twenty share a tag no real key has;
* ``hashtrap.`` — NSEC3-signed; the attacker answers with NSEC3 records of its choosing
  (CVE-2023-50868), signed by the zone's own key;
* ``mixed.`` — its parent publishes a DS for the real key and one of an unsupported algorithm
  (RFC 6840 §5.11);
* ``cram.`` — its parent publishes a DS for each of thirty made-up key-signing keys that
  share the real KSK's key tag, all in its DNSKEY RRset before the real one;
* ``other.`` and ``sub.good.`` — the servers named by ``sub.good.``'s out-of-bailiwick NS;
* ``loop.`` and ``deep.`` — served only over sockets, by misbehaving servers.
"""

from __future__ import annotations

from functools import cache

import dns.name

from dnssec_core import limits
from dnssec_core.dnssec.ds import make_ds
from dnssec_core.dnssec.records import DNSKEY
from tests.attacks.world import World, ZoneSpec, build, forged_dnskey, zone_text
from tests.support.signer import SigningKey, make_key

ADDRESS = {".": "127.0.3.1", "good.": "127.0.3.2", "keytrap.": "127.0.3.3",
           "hashtrap.": "127.0.3.4", "mixed.": "127.0.3.5", "other.": "127.0.3.6",
           "sub.good.": "127.0.3.6", "loop.": "127.0.3.8", "deep.": "127.0.3.9",
           "cram.": "127.0.3.10"}
#: Where the out-of-bailiwick glue for ``ns.other.`` points: nothing may ever be sent there.
TRAP = "127.0.3.99"

#: Links of the over-long CNAME chain c0 → c1 → … (one more than the engine follows).
CHAIN_LINKS = limits.MAX_CNAME_HOPS + 1
#: Records in the huge RRset (fits one 64 KB message, far beyond any real RRset).
HUGE_RRSET = 2500
#: Made-up keys sharing the ZSK's key tag, placed before it in keytrap.'s DNSKEY RRset.
DECOYS_BEFORE_ZSK = limits.MAX_KEYS_PER_KEY_TAG - 1
#: Made-up keys sharing :data:`TRAP_TAG` (no real key has it).
TRAP_DECOYS = 20
#: An unsupported-algorithm DS published beside mixed.'s real one (algorithm 12, ECC-GOST:
#: MUST NOT validate, RFC 8624 §3.1).
UNSUPPORTED_DS = "4711 12 2 " + "5A" * 32


def _root() -> str:
    lines = [f"ns 3600 IN A {ADDRESS['.']}"]
    for zone in ("good", "keytrap", "hashtrap", "mixed", "other", "loop", "deep", "cram"):
        lines += [f"{zone} 3600 IN NS ns.{zone}.", f"ns.{zone} 3600 IN A {ADDRESS[zone + '.']}"]
    return "\n".join(lines) + "\n"


def _good() -> str:
    chain = "".join(f"c{i} 3600 IN CNAME c{i + 1}\n" for i in range(CHAIN_LINKS))
    huge = "".join(f"huge 3600 IN A 10.{i // 65536}.{i // 256 % 256}.{i % 256}\n"
                   for i in range(HUGE_RRSET))
    return (f"ns 3600 IN A {ADDRESS['good.']}\n"
            "www 3600 IN A 192.0.2.10\n"
            'deny 3600 IN CAA 0 issue "other.example"\n'
            "loop1 3600 IN CNAME loop2\n"
            "loop2 3600 IN CNAME loop1\n"
            + chain + f"c{CHAIN_LINKS} 3600 IN A 192.0.2.11\n"
            + "d1 3600 IN DNAME d2.good.\n"
            "d2 3600 IN DNAME d1.good.\n"
            "grow 3600 IN DNAME a.grow.good.\n"
            "dn 3600 IN DNAME good.\n"
            '*.w 3600 IN CAA 0 issue "ca.example"\n'
            'deny.w 3600 IN CAA 0 issue "other.example"\n'
            + huge
            + "sub 3600 IN NS ns.other.\n")


@cache
def trap_tag() -> int:
    """A key tag that keytrap.'s real keys do not have (the tag of its trap RRSIGs)."""
    world()
    return _TRAP_TAG[0]


_TRAP_TAG: list[int] = []


def _keytrap_dnskeys(ksk: SigningKey, zsk: SigningKey) -> list[bytes]:
    real = {ksk.dnskey().key_tag, zsk.dnskey().key_tag}
    tag = next(t for t in range(0x5A5A, 0x10000) if t not in real)
    _TRAP_TAG[:] = [tag]
    zsk_tag = zsk.dnskey().key_tag
    return ([forged_dnskey(zsk_tag) for _ in range(DECOYS_BEFORE_ZSK)]
            + [zsk.dnskey().rdata, ksk.dnskey().rdata]
            + [forged_dnskey(tag) for _ in range(TRAP_DECOYS)])


#: Made-up key-signing keys sharing cram.'s KSK tag, each with its own DS in the root: the
#: zone's owner can publish them (KeyTrap on the DNSKEY RRset itself).
CRAM_DECOYS = 30


def _cram() -> ZoneSpec:
    ksk = make_key(8, flags=257)
    tag = ksk.dnskey().key_tag
    decoys = [forged_dnskey(tag, flags=257) for _ in range(CRAM_DECOYS)]
    ds = [make_ds(dns.name.from_text("cram."), DNSKEY.from_wire(d), 2) for d in decoys]
    return ZoneSpec(zone_text("cram.", f"ns 3600 IN A {ADDRESS['cram.']}\n"
                                       "www 3600 IN A 192.0.2.60\n"),
                    algorithm=8, ksk=ksk,
                    dnskeys=lambda ksk, zsk: [*decoys, zsk.dnskey().rdata, ksk.dnskey().rdata],
                    extra_ds=tuple(f"{d.key_tag} 8 2 {d.digest.hex()}" for d in ds))


@cache
def world() -> World:
    return build({
        "cram.": _cram(),
        ".": ZoneSpec(zone_text(".", _root())),
        "good.": ZoneSpec(zone_text("good.", _good())),
        "sub.good.": ZoneSpec(zone_text("sub.good.", "www 3600 IN A 192.0.2.12\n")
                              .replace("@ 3600 IN NS ns.sub.good.", "@ 3600 IN NS ns.other.")),
        "other.": ZoneSpec(zone_text("other.", f"ns 3600 IN A {ADDRESS['other.']}\n")),
        "keytrap.": ZoneSpec(zone_text("keytrap.", (
            f"ns 3600 IN A {ADDRESS['keytrap.']}\n"
            "www 3600 IN A 192.0.2.20\n"
            "trap 3600 IN A 192.0.2.66\n"
            'trap 3600 IN CAA 0 issue "other.example"\n')),
            algorithm=8, dnskeys=_keytrap_dnskeys),
        "hashtrap.": ZoneSpec(zone_text("hashtrap.", (
            f"ns 3600 IN A {ADDRESS['hashtrap.']}\n"
            "www 3600 IN A 192.0.2.30\n")), nsec3=(0, b"")),
        "mixed.": ZoneSpec(zone_text("mixed.", (
            f"ns 3600 IN A {ADDRESS['mixed.']}\n"
            "www 3600 IN A 192.0.2.40\n")), extra_ds=(UNSUPPORTED_DS,)),
        "loop.": ZoneSpec(zone_text("loop.", (
            f"ns 3600 IN A {ADDRESS['loop.']}\n"
            "www 3600 IN A 192.0.2.50\n"))),
        "deep.": ZoneSpec(zone_text("deep.", f"ns 3600 IN A {ADDRESS['deep.']}\n")),
    })
