"""`verify-zone` against BIND's `dnssec-verify`, zone by zone, on deterministically broken zones.

Every signed vector zone (vectors/zones/, README there: 13 signed by BIND, 13 by ldns; algorithms
8, 10, 13, 14, 15, 16; NSEC, NSEC3, salted, opt-out) is mutated in a temporary copy by each kind
in :data:`MUTATIONS` (49) — positions picked by a ``random.Random`` seeded with the zone and
mutation names — and both verifiers judge the result: ours in-process
(:func:`dnssec_core.zone.parallel.verify_zone_text`, one job, with the zone's ``ds.txt``, the
origin taken from the SOA as ``verify-zone ZONE --ds DS`` does), BIND's as
``dnssec-verify -q -o example.com.`` (exit 0 = secure, anything else = an error found).  We
agree when we say secure exactly when BIND does (our one-line input error, CLI exit 2, counts as
not secure).

`dnssec-verify` has no time option (``dnssec-verify -h``: ``-v -q -V -o -I -c -E -x -z``, no
``-t``): it reads the wall clock.  The vectors' window (2026-01-01 .. 2086-01-01) covers it, so
ours is given the same instant, read once here (asserted to be inside the window).

Where the two disagree the case must be listed in ``verify_zone_vs_bind_differences.tsv`` with
the RFC-based reason; the test asserts exactly those differences, so a new one fails it.
BIND's tools are installed by the test command (bind9-utils): their absence is a failure.
"""

from __future__ import annotations

import base64
import collections
import csv
import functools
import io
import json
import random
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from dnssec_core.crypto import get_backend
from dnssec_core.dnssec.records import DS
from dnssec_core.timeutil import parse_time
from dnssec_core.zone.parallel import verify_zone_text
from dnssec_core.zone.reader import ZoneError, parse_records, rdata_wire
from vectors import vector_path

ORIGIN = "example.com."
VERIFY = shutil.which("dnssec-verify")
SIGNZONE = shutil.which("dnssec-signzone")
MANIFEST: dict[str, Any] = json.loads(vector_path("zones", "manifest.json").read_text())
#: Every signed vector zone: 13 signed by BIND, 13 by ldns (vectors/zones/README.md).
VARIANTS: list[dict[str, Any]] = MANIFEST["variants"]
DIFFERENCES = Path(__file__).with_name("verify_zone_vs_bind_differences.tsv")
#: One instant for both tools (BIND reads the clock itself; see the module docstring).
NOW = int(time.time())
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
LINE = re.compile(r"^(\S+)\s+(\d+)\s+IN\s+(\S+)\s+(.*?)\s*(?:;\{[^}]*\})?\s*$")


@dataclass(frozen=True)
class Record:
    """One RR line of a BIND ``-O full`` zone file (absolute owner, TTL, class IN)."""

    owner: str
    ttl: int
    rtype: str
    rdata: str

    @property
    def key(self) -> str:
        return self.owner.lower()

    @property
    def covered(self) -> str:
        """The type an RRSIG covers ('' for other records)."""
        return self.rdata.split()[0] if self.rtype == "RRSIG" else ""

    def text(self) -> str:
        return f"{self.owner} {self.ttl} IN {self.rtype} {self.rdata}"


def parse_zone(text: str) -> list[Record]:
    records = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith(";"):
            continue
        match = LINE.match(line)
        assert match, line  # BIND -O full writes one whole RR per line
        owner, ttl, rtype, rdata = match.groups()
        records.append(Record(owner, int(ttl), rtype, rdata))
    return records


def render(records: list[Record]) -> str:
    return "".join(record.text() + "\n" for record in records)


# --- what is authoritative, signed, where the cuts are (from the zone text itself) -------------

def cuts(records: list[Record]) -> set[str]:
    return {r.key for r in records if r.rtype == "NS" and r.key != ORIGIN}


def below_cut(key: str, zone_cuts: set[str]) -> bool:
    return any(key.endswith("." + cut) for cut in zone_cuts)


def signed_rrsets(records: list[Record]) -> list[tuple[str, str]]:
    """(owner key, type) of every RRset carrying an RRSIG, in file order."""
    seen: dict[tuple[str, str], None] = {}
    for r in records:
        if r.rtype == "RRSIG":
            seen[(r.key, r.covered)] = None
    return list(seen)


def pick(rng: random.Random, items: list[Any]) -> Any:
    assert items, "nothing to mutate"
    return items[rng.randrange(len(items))]


def index_of(records: list[Record], predicate: Callable[[Record], bool],
             rng: random.Random) -> int:
    return int(pick(rng, [i for i, r in enumerate(records) if predicate(r)]))


def sig_field(rdata: str) -> tuple[list[str], str]:
    """An RRSIG RDATA split into its 8 fixed fields and the base64 signature (spaces removed)."""
    parts = rdata.split()
    return parts[:8], "".join(parts[8:])


def with_sig_fields(record: Record, **changes: str) -> Record:
    fields, signature = sig_field(record.rdata)
    names = ["covered", "algorithm", "labels", "original_ttl", "expiration", "inception",
             "key_tag", "signer"]
    for name, value in changes.items():
        fields[names.index(name)] = value
    return replace(record, rdata=" ".join([*fields, signature]))


# --- the mutations ----------------------------------------------------------------------------

Mutation = Callable[[list[Record], random.Random], list[Record]]


def flip_signature(records: list[Record], rng: random.Random) -> list[Record]:
    """One base64 digit of one RRSIG signature replaced by the next one (decoded bytes change)."""
    i = index_of(records, lambda r: r.rtype == "RRSIG", rng)
    fields, signature = sig_field(records[i].rdata)
    # Only digits in the first half: a change there always changes the decoded octets.
    at = rng.randrange(len(signature) // 2)
    flipped = signature[:at] + B64[(B64.index(signature[at]) + 1) % 64] + signature[at + 1:]
    assert base64.b64decode(flipped) != base64.b64decode(signature)
    return [*records[:i], replace(records[i], rdata=" ".join([*fields, flipped])),
            *records[i + 1:]]


def delete_rrsig(records: list[Record], rng: random.Random) -> list[Record]:
    """One RRSIG record removed (not over DNSKEY, which BIND signs twice)."""
    i = index_of(records, lambda r: r.rtype == "RRSIG" and r.covered != "DNSKEY", rng)
    return records[:i] + records[i + 1:]


def delete_denial(records: list[Record], rng: random.Random) -> list[Record]:
    """One NSEC/NSEC3 record removed with its RRSIG: the chain has a gap."""
    i = index_of(records, lambda r: r.rtype in ("NSEC", "NSEC3"), rng)
    gone = (records[i].key, records[i].rtype)
    return [r for r in records
            if (r.key, r.rtype) != gone and (r.key, r.covered) != gone]


def change_rdata(records: list[Record], rng: random.Random) -> list[Record]:
    """One signed A address or TXT string changed, not re-signed."""
    zone_cuts = cuts(records)
    signed = set(signed_rrsets(records))
    i = index_of(records, lambda r: r.rtype in ("A", "TXT") and (r.key, r.rtype) in signed
                 and not below_cut(r.key, zone_cuts), rng)
    record = records[i]
    if record.rtype == "A":
        octets = record.rdata.split(".")
        octets[3] = str((int(octets[3]) + 1 + rng.randrange(100)) % 256)
        new = ".".join(octets)
    else:
        new = record.rdata[:-1] + "x" + record.rdata[-1]  # last string, one more character
    return [*records[:i], replace(record, rdata=new), *records[i + 1:]]


def add_unsigned_existing(records: list[Record], rng: random.Random) -> list[Record]:
    """A TXT RRset without RRSIG added at an existing authoritative name that has no TXT."""
    zone_cuts = cuts(records)
    owners = {r.key: r.owner for r in records if r.rtype not in ("NSEC3", "RRSIG")
              and r.key not in zone_cuts and not below_cut(r.key, zone_cuts)}
    with_txt = {r.key for r in records if r.rtype == "TXT"}
    owner = pick(rng, sorted(owners[k] for k in owners if k not in with_txt))
    return [*records, Record(owner, 3600, "TXT", '"added, never signed"')]


def add_unsigned_new(records: list[Record], rng: random.Random) -> list[Record]:
    """An A RRset without RRSIG at a new name (no NSEC/NSEC3 for it either)."""
    label = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8))
    return [*records, Record(f"new-{label}.{ORIGIN}", 3600, "A", "192.0.2.200")]


def delete_owner(records: list[Record], rng: random.Random) -> list[Record]:
    """Every record of one ordinary (non-apex, non-cut, non-glue) owner removed; the NSEC/NSEC3
    chain still points at it (its own NSEC goes with it, an NSEC3 stays: it is at another owner)."""
    zone_cuts = cuts(records)
    owners = sorted({r.key for r in records if r.rtype in ("A", "AAAA", "TXT", "SRV", "PTR",
                                                          "CNAME", "TLSA", "NAPTR", "DNAME")
                     and r.key != ORIGIN and not below_cut(r.key, zone_cuts)})
    gone = pick(rng, owners)
    return [r for r in records if r.key != gone]


def change_next(records: list[Record], rng: random.Random) -> list[Record]:
    """One NSEC next name / NSEC3 next hash pointed at another existing name / hash."""
    i = index_of(records, lambda r: r.rtype in ("NSEC", "NSEC3"), rng)
    record = records[i]
    fields = record.rdata.split()
    if record.rtype == "NSEC":
        names = sorted({r.owner for r in records if r.rtype == "NSEC"} - {fields[0], record.owner})
        fields[0] = pick(rng, names)
    else:
        hashes = sorted({r.owner.split(".")[0] for r in records if r.rtype == "NSEC3"}
                        - {fields[4], record.owner.split(".")[0]})
        fields[4] = pick(rng, hashes)
    return [*records[:i], replace(record, rdata=" ".join(fields)), *records[i + 1:]]


def remove_bitmap_type(records: list[Record], rng: random.Random) -> list[Record]:
    """One type removed from one NSEC/NSEC3 type bitmap (not RRSIG/NSEC themselves)."""
    def bitmap_start(record: Record) -> int:
        return 1 if record.rtype == "NSEC" else 5

    def removable(record: Record) -> list[str]:
        return [t for t in record.rdata.split()[bitmap_start(record):]
                if t not in ("RRSIG", "NSEC")]

    i = index_of(records, lambda r: r.rtype in ("NSEC", "NSEC3") and bool(removable(r)), rng)
    record = records[i]
    fields = record.rdata.split()
    start = bitmap_start(record)
    types = fields[start:]
    types.remove(pick(rng, removable(record)))
    return [*records[:i], replace(record, rdata=" ".join(fields[:start] + types)),
            *records[i + 1:]]


def rrsig_field(field: str) -> Mutation:
    def mutate(records: list[Record], rng: random.Random) -> list[Record]:
        i = index_of(records, lambda r: r.rtype == "RRSIG" and r.covered != "DNSKEY", rng)
        fields, _ = sig_field(records[i].rdata)
        if field == "key_tag":
            value = str((int(fields[6]) + 1 + rng.randrange(1000)) % 65536)
        elif field == "signer":
            value = "example.net."
        elif field == "labels":
            value = str(int(fields[2]) + 1)
        else:
            value = str(int(fields[3]) + 1 + rng.randrange(3600))
        return [*records[:i], with_sig_fields(records[i], **{field: value}), *records[i + 1:]]
    mutate.__doc__ = f"One RRSIG's {field} changed, its signature kept."
    return mutate


def dnskey_flags(flags: str) -> Mutation:
    def mutate(records: list[Record], rng: random.Random) -> list[Record]:
        i = index_of(records, lambda r: r.rtype == "DNSKEY" and r.rdata.split()[0] == flags, rng)
        return records[:i] + records[i + 1:]
    mutate.__doc__ = f"The DNSKEY with flags {flags} removed (signatures kept)."
    return mutate


def dnskey_signed_by_zsk_only(records: list[Record], rng: random.Random) -> list[Record]:
    """The KSK's RRSIG over the DNSKEY RRset removed; the ZSK's stays."""
    ksk_tags = {str(tag) for tag in _variant_of(records)["ksk_tags"]}
    return [r for r in records
            if not (r.covered == "DNSKEY" and r.rdata.split()[6] in ksk_tags)]


def _variant_of(records: list[Record]) -> dict[str, Any]:
    tags = {int(r.rdata.split()[6]) for r in records if r.covered == "DNSKEY"}
    (variant,) = [v for v in VARIANTS if set(v["ksk_tags"]) <= tags]
    return variant


def change_ttl(lower: bool) -> Mutation:
    def mutate(records: list[Record], rng: random.Random) -> list[Record]:
        zone_cuts = cuts(records)
        slot = pick(rng, [s for s in signed_rrsets(records)
                          if s[1] not in ("DNSKEY", "NSEC3PARAM") and s[0] not in zone_cuts])
        ttl = 300 if lower else 86400
        return [replace(r, ttl=ttl) if (r.key, r.rtype) == slot else r for r in records]
    change = "lowered to 300" if lower else "raised to 86400"
    mutate.__doc__ = f"The TTL of one signed RRset {change} (RRSIG original TTL 3600 kept)."
    return mutate


def change_glue(records: list[Record], rng: random.Random) -> list[Record]:
    """One glue address below a zone cut changed (not authoritative, RFC 4035 §2.2)."""
    zone_cuts = cuts(records)
    i = index_of(records, lambda r: r.rtype == "A" and below_cut(r.key, zone_cuts), rng)
    return [*records[:i], replace(records[i], rdata="198.51.100.7"), *records[i + 1:]]


def change_delegation_ns(records: list[Record], rng: random.Random) -> list[Record]:
    """One delegation NS target changed (the parent's NS at a cut is not signed, RFC 4035 §2.2)."""
    zone_cuts = cuts(records)
    i = index_of(records, lambda r: r.rtype == "NS" and r.key in zone_cuts, rng)
    return [*records[:i], replace(records[i], rdata="ns9.example.net."), *records[i + 1:]]


def delete_ds(records: list[Record], rng: random.Random) -> list[Record]:
    """The secure delegation's DS RRset removed with its RRSIG; its NSEC/NSEC3 still lists DS."""
    return [r for r in records if r.rtype != "DS" and r.covered != "DS"]


def add_below_cut(records: list[Record], rng: random.Random) -> list[Record]:
    """An unsigned A at a new name below a zone cut: glue, not authoritative (RFC 4035 §2.2)."""
    cut = pick(rng, sorted(cuts(records)))
    return [*records, Record(f"ns7.{cut}", 3600, "A", "192.0.2.77")]


def add_at_cut(records: list[Record], rng: random.Random) -> list[Record]:
    """An unsigned TXT at a delegation point: only NS/DS/NSEC there belong to the parent."""
    cut = pick(rng, sorted(cuts(records)))
    return [*records, Record(cut, 3600, "TXT", '"child data at the cut"')]


def delete_zsk_dnskey_rrsig(records: list[Record], rng: random.Random) -> list[Record]:
    """The ZSK's RRSIG over the DNSKEY RRset removed; the KSK's stays (still secure)."""
    ksk_tags = {str(tag) for tag in _variant_of(records)["ksk_tags"]}
    return [r for r in records
            if not (r.covered == "DNSKEY" and r.rdata.split()[6] not in ksk_tags)]


def duplicate_record(records: list[Record], rng: random.Random) -> list[Record]:
    """One signed record written twice: RFC 2181 §5 duplicates are one RR (still secure)."""
    i = index_of(records, lambda r: r.rtype in ("A", "AAAA", "TXT", "MX"), rng)
    return [*records[: i + 1], records[i], *records[i + 1:]]


def change_owner_case(records: list[Record], rng: random.Random) -> list[Record]:
    """One owner name upper-cased on every record: names compare case-insensitively and signed
    data uses the canonical (lower-case) owner, RFC 4034 §6.2 (still secure)."""
    owner = pick(rng, sorted({r.key for r in records if r.rtype == "A" and r.key != ORIGIN}))
    return [replace(r, owner=r.owner.upper()) if r.key == owner else r for r in records]


def reorder_records(records: list[Record], rng: random.Random) -> list[Record]:
    """The records shuffled: a zone file's order carries no meaning (still secure)."""
    shuffled = list(records)
    rng.shuffle(shuffled)
    return shuffled


def delete_nsec3param(records: list[Record], rng: random.Random) -> list[Record]:
    """The NSEC3PARAM RRset removed with its RRSIG (NSEC zones: one NSEC removed instead)."""
    if not any(r.rtype == "NSEC3PARAM" for r in records):
        return delete_denial(records, rng)
    return [r for r in records if r.rtype != "NSEC3PARAM" and r.covered != "NSEC3PARAM"]


def orphan_rrsig(records: list[Record], rng: random.Random) -> list[Record]:
    """One NSEC/NSEC3 record removed but its RRSIG kept (an RRSIG covering nothing)."""
    i = index_of(records, lambda r: r.rtype in ("NSEC", "NSEC3"), rng)
    return records[:i] + records[i + 1:]


def change_ttl_with_rrsig(records: list[Record], rng: random.Random) -> list[Record]:
    """One signed RRset and its RRSIGs given TTL 300; the RRSIG original TTL (3600) kept."""
    zone_cuts = cuts(records)
    slot = pick(rng, [s for s in signed_rrsets(records)
                      if s[1] not in ("DNSKEY", "NSEC3PARAM") and s[0] not in zone_cuts])
    return [replace(r, ttl=300) if slot in ((r.key, r.rtype), (r.key, r.covered)) else r
            for r in records]


def rrsig_algorithm(records: list[Record], rng: random.Random) -> list[Record]:
    """One RRSIG's algorithm number changed (to another supported one), signature kept."""
    i = index_of(records, lambda r: r.rtype == "RRSIG" and r.covered != "DNSKEY", rng)
    fields, _ = sig_field(records[i].rdata)
    algorithm = "13" if fields[1] != "13" else "8"
    return [*records[:i], with_sig_fields(records[i], algorithm=algorithm), *records[i + 1:]]


def add_insecure_delegation(records: list[Record], rng: random.Random) -> list[Record]:
    """A new unsigned delegation (NS only, out-of-zone target), with no NSEC/NSEC3 of its own:
    fine only where an Opt-Out NSEC3 covers it (RFC 5155 §7.1, §6; NSEC3-11)."""
    label = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8))
    return [*records, Record(f"deleg-{label}.{ORIGIN}", 3600, "NS", "ns1.example.net.")]


def delete_insecure_delegation(records: list[Record], rng: random.Random) -> list[Record]:
    """One unsigned delegation (NS and glue) removed; its NSEC/NSEC3, if it had one, stays."""
    unsigned = sorted(cuts(records) - {r.key for r in records if r.rtype == "DS"})
    gone = pick(rng, unsigned)
    return [r for r in records
            if not ((r.key == gone and r.rtype == "NS") or r.key.endswith("." + gone))]


def delete_delegation_ns(records: list[Record], rng: random.Random) -> list[Record]:
    """The NS RRset of the secure delegation removed: its DS and glue are left at a name that
    is no longer a cut (the glue becomes unsigned authoritative data)."""
    signed_cuts = sorted({r.key for r in records if r.rtype == "DS"})
    gone = pick(rng, signed_cuts)
    return [r for r in records if not (r.key == gone and r.rtype == "NS")]


def add_out_of_zone(records: list[Record], rng: random.Random) -> list[Record]:
    """A record whose owner is outside the zone."""
    return [*records, Record("stray.example.net.", 3600, "A", "192.0.2.99")]


def delete_soa(records: list[Record], rng: random.Random) -> list[Record]:
    """The apex SOA removed with its RRSIG (the apex NSEC/NSEC3 still lists SOA)."""
    return [r for r in records if r.rtype != "SOA" and r.covered != "SOA"]


def add_below_existing(records: list[Record], rng: random.Random) -> list[Record]:
    """An unsigned A two labels below an existing ordinary name (a new empty non-terminal)."""
    zone_cuts = cuts(records)
    owner = pick(rng, sorted({r.key for r in records if r.rtype == "A" and r.key != ORIGIN
                              and not r.key.startswith("*") and r.key not in zone_cuts
                              and not below_cut(r.key, zone_cuts)}))
    return [*records, Record(f"x.y.{owner}", 3600, "A", "192.0.2.98")]


def add_dnskey(records: list[Record], rng: random.Random) -> list[Record]:
    """A copy of the ZSK with flags 384 (REVOKE) added to the DNSKEY RRset, unsigned."""
    i = index_of(records, lambda r: r.rtype == "DNSKEY" and r.rdata.split()[0] == "256", rng)
    fields = records[i].rdata.split()
    return [*records[: i + 1], replace(records[i], rdata=" ".join(["384", *fields[1:]])),
            *records[i + 1:]]


def rrsig_on_glue(records: list[Record], rng: random.Random) -> list[Record]:
    """A (valid, foreign) RRSIG copied onto one glue A RRset: glue is not authoritative, its
    signatures are not checked (RFC 4035 §2.2; VAL-CHAIN-03) — still secure."""
    zone_cuts = cuts(records)
    glue = records[index_of(records, lambda r: r.rtype == "A" and below_cut(r.key, zone_cuts),
                            rng)]
    signature = pick(rng, [r for r in records if r.covered == "A" and r.key != ORIGIN
                           and not below_cut(r.key, zone_cuts)])
    return [*records, replace(signature, owner=glue.owner)]


def add_below_dname(records: list[Record], rng: random.Random) -> list[Record]:
    """An unsigned A below the DNAME owner (RFC 6672 §2.4: no records may exist there)."""
    dname = pick(rng, sorted({r.owner for r in records if r.rtype == "DNAME"}))
    return [*records, Record(f"x.{dname}", 3600, "A", "192.0.2.55")]


def add_apex_ds(records: list[Record], rng: random.Random) -> list[Record]:
    """An unsigned DS RRset at the apex (a DS belongs to the parent side of a cut)."""
    ds = pick(rng, [r for r in records if r.rtype == "DS"])
    return [*records, replace(ds, owner=ORIGIN)]


def add_denial_below_cut(records: list[Record], rng: random.Random) -> list[Record]:
    """An unsigned NSEC (NSEC zones) or NSEC3 (NSEC3 zones) record at a glue name."""
    zone_cuts = cuts(records)
    glue = records[index_of(records, lambda r: r.rtype == "A" and below_cut(r.key, zone_cuts),
                            rng)]
    if any(r.rtype == "NSEC" for r in records):
        return [*records, Record(glue.owner, 3600, "NSEC", f"sip.{ORIGIN} A RRSIG NSEC")]
    nsec3 = pick(rng, [r for r in records if r.rtype == "NSEC3"])
    return [*records, replace(nsec3, owner=glue.owner)]


def change_next_case(records: list[Record], rng: random.Random) -> list[Record]:
    """One NSEC next name upper-cased (signed as written, RFC 6840 §5.1: the signature breaks)
    or one NSEC3 next hash case-swapped (base32hex is case-insensitive, RFC 5155 §3.3: the
    RDATA is unchanged, still secure)."""
    i = index_of(records, lambda r: r.rtype in ("NSEC", "NSEC3"), rng)
    fields = records[i].rdata.split()
    at = 0 if records[i].rtype == "NSEC" else 4
    fields[at] = fields[at].upper() if at == 0 else fields[at].swapcase()
    return [*records[:i], replace(records[i], rdata=" ".join(fields)), *records[i + 1:]]


def add_nsec3param(records: list[Record], rng: random.Random) -> list[Record]:
    """A second, unsigned NSEC3PARAM naming parameters no NSEC3 chain uses."""
    return [*records, Record(ORIGIN, 0, "NSEC3PARAM", f"1 0 {1 + rng.randrange(9)} ABCD")]


def delete_glue(records: list[Record], rng: random.Random) -> list[Record]:
    """Every glue address removed (not authoritative, RFC 4035 §2.2) — still secure."""
    zone_cuts = cuts(records)
    return [r for r in records if not (r.rtype in ("A", "AAAA") and below_cut(r.key, zone_cuts))]


def add_beside_cname(records: list[Record], rng: random.Random) -> list[Record]:
    """An unsigned TXT at the CNAME owner (CNAME and other data, RFC 2181 §10.1)."""
    owner = pick(rng, sorted({r.owner for r in records if r.rtype == "CNAME"}))
    return [*records, Record(owner, 3600, "TXT", '"beside the cname"')]


def delete_apex_ns(records: list[Record], rng: random.Random) -> list[Record]:
    """The apex NS RRset removed with its RRSIG (the apex NSEC/NSEC3 bitmap still lists NS)."""
    return [r for r in records if not (r.key == ORIGIN and "NS" in (r.rtype, r.covered))]


def add_at_empty_non_terminal(records: list[Record], rng: random.Random) -> list[Record]:
    """An unsigned TXT at an empty non-terminal (b.ent / ent)."""
    owners = sorted({r.key.split(".", 1)[1] for r in records if r.key.startswith("a.b.ent.")}
                    | {r.key.split(".", 2)[2] for r in records if r.key.startswith("a.b.ent.")})
    return [*records, Record(pick(rng, owners), 3600, "TXT", '"no longer empty"')]


def wildcard_labels(records: list[Record], rng: random.Random) -> list[Record]:
    """The wildcard's RRSIG Labels field set to the owner's full count (the '*' counted):
    the signature no longer covers the signed name (RFC 4034 §3.1.3, §3.1.8.1)."""
    i = index_of(records, lambda r: r.rtype == "RRSIG" and r.key.startswith("*."), rng)
    fields, _ = sig_field(records[i].rdata)
    return [*records[:i], with_sig_fields(records[i], labels=str(int(fields[2]) + 1)),
            *records[i + 1:]]


MUTATIONS: dict[str, Mutation] = {
    "flip-signature": flip_signature,
    "delete-rrsig": delete_rrsig,
    "delete-denial": delete_denial,
    "change-rdata": change_rdata,
    "add-unsigned-existing": add_unsigned_existing,
    "add-unsigned-new": add_unsigned_new,
    "delete-owner": delete_owner,
    "change-next": change_next,
    "remove-bitmap-type": remove_bitmap_type,
    "rrsig-key-tag": rrsig_field("key_tag"),
    "rrsig-signer": rrsig_field("signer"),
    "rrsig-labels": rrsig_field("labels"),
    "rrsig-original-ttl": rrsig_field("original_ttl"),
    "remove-zsk": dnskey_flags("256"),
    "remove-ksk": dnskey_flags("257"),
    "dnskey-zsk-only": dnskey_signed_by_zsk_only,
    "ttl-lower": change_ttl(lower=True),
    "ttl-raise": change_ttl(lower=False),
    "glue-change": change_glue,
    "delegation-ns-change": change_delegation_ns,
    "delete-ds": delete_ds,
    "add-below-cut": add_below_cut,
    "add-at-cut": add_at_cut,
    "delete-zsk-dnskey-rrsig": delete_zsk_dnskey_rrsig,
    "duplicate-record": duplicate_record,
    "owner-case": change_owner_case,
    "reorder": reorder_records,
    "delete-nsec3param": delete_nsec3param,
    "orphan-rrsig": orphan_rrsig,
    "ttl-lower-with-rrsig": change_ttl_with_rrsig,
    "rrsig-algorithm": rrsig_algorithm,
    "add-insecure-delegation": add_insecure_delegation,
    "delete-insecure-delegation": delete_insecure_delegation,
    "delete-delegation-ns": delete_delegation_ns,
    "add-out-of-zone": add_out_of_zone,
    "delete-soa": delete_soa,
    "add-below-existing": add_below_existing,
    "add-dnskey": add_dnskey,
    "rrsig-on-glue": rrsig_on_glue,
    "add-below-dname": add_below_dname,
    "add-apex-ds": add_apex_ds,
    "add-denial-below-cut": add_denial_below_cut,
    "change-next-case": change_next_case,
    "add-nsec3param": add_nsec3param,
    "delete-glue": delete_glue,
    "add-beside-cname": add_beside_cname,
    "delete-apex-ns": delete_apex_ns,
    "add-at-empty-non-terminal": add_at_empty_non_terminal,
    "wildcard-labels": wildcard_labels,
}


# --- the two verifiers ------------------------------------------------------------------------

def read_ds(path: Path) -> list[DS]:
    return [DS.from_wire(rdata_wire(rdata))
            for _, _, rdata in parse_records(io.StringIO(path.read_text()), None, str(path))]


def ours(text: str, ds: list[DS]) -> tuple[str, str]:
    """Our verdict as ``verify-zone ZONE --ds ds.txt`` gives it (origin from the SOA); a zone
    it cannot read is ``error`` (the CLI's one-line message, exit 2)."""
    try:
        report = verify_zone_text(text, origin=None, source="mutated", now=NOW,
                                  backend=get_backend("fast"), ds=lambda _: ds, jobs=1)
    except ZoneError as exc:
        return "error", str(exc)
    return report.status.value, "; ".join(f"{f.owner} {f.type} {f.reason}"
                                          for f in report.failures)


def bind(path: Path) -> tuple[str, str]:
    """``dnssec-verify -q -o example.com. ZONE``: exit 0 is secure, anything else an error."""
    assert VERIFY is not None, "dnssec-verify missing: apt-get install -y bind9-utils"
    proc = subprocess.run([VERIFY, "-q", "-o", ORIGIN, str(path)],
                          capture_output=True, text=True, timeout=60)
    return ("secure" if proc.returncode == 0 else "bogus"), proc.stderr.strip()


def recorded_differences() -> dict[tuple[str, str], tuple[str, str]]:
    with DIFFERENCES.open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {(row["kind"], row["zone"]): (row["ours"], row["bind"]) for row in rows}


#: The rule each mutation exercises (REQUIREMENTS.md IDs), shown in the test ids.
REQUIREMENT: dict[str, str] = {
    "flip-signature": "VAL-RRSIG-05",
    "delete-rrsig": "VAL-RRSIG-05",
    "delete-denial": "NSEC-02",
    "change-rdata": "VAL-CANON-06",
    "add-unsigned-existing": "NSEC-03",
    "add-unsigned-new": "NSEC-02",
    "delete-owner": "NSEC-02",
    "change-next": "NSEC-02",
    "remove-bitmap-type": "NSEC-03",
    "rrsig-key-tag": "VAL-RRSIG-05",
    "rrsig-signer": "VAL-RRSIG-02",
    "rrsig-labels": "VAL-RRSIG-03",
    "rrsig-original-ttl": "VAL-TTL-01",
    "remove-zsk": "VAL-RRSIG-05",
    "remove-ksk": "VAL-KEY-05",
    "dnskey-zsk-only": "VAL-KEY-05",
    "ttl-lower": "VAL-TTL-02",
    "ttl-raise": "VAL-TTL-03",
    "glue-change": "VAL-CHAIN-03",
    "delegation-ns-change": "VAL-CHAIN-03",
    "delete-ds": "NSEC-12",
    "add-below-cut": "VAL-CHAIN-03",
    "add-at-cut": "NSEC-12",
    "delete-zsk-dnskey-rrsig": "VAL-RRSIG-07",
    "duplicate-record": "VAL-CANON-05",
    "owner-case": "VAL-CANON-01",
    "reorder": "VAL-CANON-05",
    "delete-nsec3param": "NSEC3-17",
    "orphan-rrsig": "NSEC-02",
    "ttl-lower-with-rrsig": "VAL-TTL-01",
    "rrsig-algorithm": "VAL-RRSIG-05",
    "add-insecure-delegation": "NSEC3-11",
    "delete-insecure-delegation": "NSEC-02",
    "delete-delegation-ns": "VAL-CHAIN-04",
    "add-out-of-zone": "VAL-RRSIG-02",
    "delete-soa": "NSEC-03",
    "add-below-existing": "NSEC-09",
    "add-dnskey": "VAL-KEY-05",
    "rrsig-on-glue": "VAL-CHAIN-03",
    "add-below-dname": "VAL-RRSIG-05",
    "add-apex-ds": "NSEC-11",
    "add-denial-below-cut": "NSEC-10",
    "change-next-case": "NSEC3-04",
    "add-nsec3param": "NSEC3-17",
    "delete-glue": "VAL-CHAIN-03",
    "add-beside-cname": "NSEC-03",
    "delete-apex-ns": "NSEC-03",
    "add-at-empty-non-terminal": "NSEC-09",
    "wildcard-labels": "VAL-RRSIG-03",
}


def applies(variant: dict[str, Any], kind: str) -> bool:
    """ldns signs the DNSKEY RRset with the KSK only: it has no ZSK signature there to drop."""
    return not (kind == "delete-zsk-dnskey-rrsig" and variant["signer"] == "ldns")


CASES = [(variant, kind) for variant in VARIANTS for kind in MUTATIONS if applies(variant, kind)]
Verdict = tuple[str, str]


def case_id(case: tuple[dict[str, Any], str]) -> str:
    variant, kind = case
    return f"{REQUIREMENT[kind]}-{kind}-{variant['name']}"


@functools.cache
def base_records(name: str) -> tuple[Record, ...]:
    (variant,) = [v for v in VARIANTS if v["name"] == name]
    return tuple(parse_zone(vector_path("zones", variant["zone_file"]).read_text()))


@functools.cache
def ds_records(name: str) -> tuple[DS, ...]:
    (variant,) = [v for v in VARIANTS if v["name"] == name]
    return tuple(read_ds(vector_path("zones", variant["ds_file"])))


def mutated_zone(variant: dict[str, Any], kind: str) -> tuple[str, str]:
    """The base text (as re-rendered) and the text after ``kind``, both deterministic."""
    base = list(base_records(variant["name"]))
    mutated = MUTATIONS[kind](list(base), random.Random(f"{variant['name']}/{kind}"))
    return render(base), render(mutated)


def judge(text: str, variant: dict[str, Any], path: Path) -> tuple[Verdict, Verdict]:
    path.write_text(text)
    return ours(text, list(ds_records(variant["name"]))), bind(path)


def test_dnssec_verify_present_and_clock_inside_the_window() -> None:
    assert VERIFY is not None, "dnssec-verify missing: apt-get install -y bind9-utils"
    for variant in VARIANTS:
        assert parse_time(variant["inception"]) < NOW < parse_time(variant["expiration"])


def test_case_count() -> None:
    """26 signed zones x 49 mutation kinds, less 13 that do not apply; each kind names its rule."""
    assert len(VARIANTS) == 26
    assert {(v["signer"], v["algorithm"]) for v in VARIANTS} == {
        (signer, alg) for signer in ("bind", "ldns") for alg in (8, 10, 13, 14, 15, 16)}
    assert {v["denial"] for v in VARIANTS} == {"nsec", "nsec3", "nsec3-salted", "nsec3-optout"}
    assert set(REQUIREMENT) == set(MUTATIONS)
    assert len(MUTATIONS) == 49
    assert len(CASES) == 26 * 49 - 13 == 1261


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v["name"])
def test_unmutated_zone_secure_for_both(variant: dict[str, Any], tmp_path: Path) -> None:
    text, _ = mutated_zone(variant, "reorder")
    (our_status, our_detail), (bind_status, bind_detail) = judge(text, variant,
                                                                 tmp_path / "zone")
    assert (our_status, our_detail, bind_status) == ("secure", "", "secure"), bind_detail


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_mutated_zone_matches_bind(case: tuple[dict[str, Any], str], tmp_path: Path) -> None:
    """Secure for us exactly when secure for dnssec-verify, except where the differences file
    says otherwise (and then both statuses are as recorded)."""
    variant, kind = case
    base, mutated = mutated_zone(variant, kind)
    assert mutated != base
    (our_status, our_detail), (bind_status, bind_detail) = judge(mutated, variant,
                                                                 tmp_path / "zone")
    assert our_status in ("secure", "bogus", "error"), our_detail
    assert (our_status == "secure") == (our_detail == "")
    if our_status == "error":  # the CLI's one-line input error (exit 2), never a traceback
        assert "\n" not in our_detail and our_detail.startswith("mutated: "), our_detail
    expected = recorded_differences().get((kind, variant["name"]))
    if expected is None:
        assert (our_status == "secure") == (bind_status == "secure"), (our_detail, bind_detail)
    else:
        assert (our_status, bind_status) == expected, (our_detail, bind_detail)


def test_differences_file_names_real_cases_with_reasons() -> None:
    with DIFFERENCES.open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert rows and list(rows[0]) == ["kind", "zone", "ours", "bind", "reason"]
    cases = {(kind, variant["name"]) for variant, kind in CASES} | {DUAL}
    for row in rows:
        assert (row["kind"], row["zone"]) in cases, row
        assert {row["ours"], row["bind"]} == {"secure", "bogus"}, row
        assert "RFC" in row["reason"], row
    assert len({(row["kind"], row["zone"]) for row in rows}) == len(rows)
    counts = collections.Counter(row["kind"] for row in rows)
    assert counts == {"ttl-lower": 26, "ttl-raise": 26, "ttl-lower-with-rrsig": 26,
                      "add-out-of-zone": 26, "add-insecure-delegation": 10,
                      "add-below-dname": 26, DUAL[0]: 1}


def variant_named(name: str) -> dict[str, Any]:
    (variant,) = [v for v in VARIANTS if v["name"] == name]
    return variant


def test_VAL_TTL_03_ttl_above_original_is_clamped_not_bogus(tmp_path: Path) -> None:
    """RFC 4035 §5.3.3: a TTL above the RRSIG Original TTL is clamped; the data stays secure
    for a validator (dnssec-verify, a signer-side consistency check, rejects it)."""
    variant = variant_named("bind-alg13-nsec")
    raised = [replace(r, ttl=86400) if (r.key, r.rtype) == ("www.example.com.", "A") else r
              for r in base_records(variant["name"])]
    (our_status, _), (bind_status, bind_detail) = judge(render(raised), variant,
                                                        tmp_path / "zone")
    assert (our_status, bind_status) == ("secure", "bogus")
    assert "TTL mismatch for www.example.com A" in bind_detail


def test_VAL_RRSIG_05_flipped_signature_names_the_rrset(tmp_path: Path) -> None:
    """Both verifiers blame the very RRset whose signature was flipped."""
    variant = variant_named("bind-alg8-nsec3")
    base = list(base_records(variant["name"]))
    mutated = flip_signature(list(base), random.Random(f"{variant['name']}/flip-signature"))
    (changed,) = [m for b, m in zip(base, mutated, strict=True) if b != m]
    (our_status, our_detail), (bind_status, bind_detail) = judge(render(mutated), variant,
                                                                 tmp_path / "zone")
    assert (our_status, bind_status) == ("bogus", "bogus")
    assert f"{changed.owner} {changed.covered} signature-invalid" in our_detail
    assert f"{changed.owner.rstrip('.')} {changed.covered}" in bind_detail


def test_NSEC3_11_unsigned_delegation_needs_its_nsec3_without_opt_out(tmp_path: Path) -> None:
    """RFC 5155 §7.1: an unsigned delegation without an NSEC3 of its own must be covered by an
    Opt-Out NSEC3.  Without Opt-Out we report it; dnssec-verify accepts it (it checks only
    delegations with DS); with Opt-Out both accept it."""
    verdicts = {}
    for name in ("bind-alg13-nsec3", "bind-alg13-nsec3-optout"):
        variant = variant_named(name)
        mutated = add_insecure_delegation(list(base_records(name)), random.Random(1))
        (our_status, our_detail), (bind_status, _) = judge(render(mutated), variant,
                                                           tmp_path / name)
        verdicts[name] = (our_status, our_detail.split(" ")[-1], bind_status)
    assert verdicts == {"bind-alg13-nsec3": ("bogus", "nsec3-opt-out-mismatch", "secure"),
                        "bind-alg13-nsec3-optout": ("secure", "", "secure")}


def test_out_of_zone_record_is_reported_not_dropped(tmp_path: Path) -> None:
    """RFC 1035 §5.2: data outside the zone, other than glue, is an origin error.  Read with the
    origin taken from the SOA we name it (malformed-data, EDE 24); dnssec-verify drops it."""
    variant = variant_named("ldns-alg15-nsec")
    mutated = add_out_of_zone(list(base_records(variant["name"])), random.Random(1))
    (our_status, our_detail), (bind_status, _) = judge(render(mutated), variant,
                                                       tmp_path / "zone")
    assert (our_status, our_detail, bind_status) == (
        "bogus", "stray.example.net. A malformed-data", "secure")


def test_NSEC3_04_next_hash_case_is_not_data_but_nsec_next_name_case_is(tmp_path: Path) -> None:
    """RFC 5155 §3.3: the NSEC3 next hash is base32hex, case-insensitive — swapping its case
    changes nothing; RFC 6840 §5.1: an NSEC next name is signed as written, not down-cased —
    upper-casing it breaks the signature.  Both verifiers agree on both."""
    verdicts = {}
    for name in ("bind-alg15-nsec", "bind-alg15-nsec3"):
        mutated = change_next_case(list(base_records(name)), random.Random(name))
        (our_status, _), (bind_status, _) = judge(render(mutated), variant_named(name),
                                                  tmp_path / name)
        verdicts[name] = (our_status, bind_status)
    assert verdicts == {"bind-alg15-nsec": ("bogus", "bogus"),
                        "bind-alg15-nsec3": ("secure", "secure")}


#: A case outside the per-zone mutations: two algorithms' keys, one signing the data.
DUAL = ("dual-algorithm-one-signs", "bind-alg13-nsec+bind-alg15-nsec")


def test_VAL_RRSIG_07_second_algorithm_that_signs_only_the_dnskey_rrset(tmp_path: Path) -> None:
    """The template signed by dnssec-signzone with the keys of bind-alg13-nsec and
    bind-alg15-nsec, then every Ed25519 RRSIG removed except the DNSKEY RRset's.  RFC 4035 §2.2
    asks a zone to sign each RRset with every algorithm of its DNSKEY RRset; RFC 6840 §5.11
    tells validators not to insist (one valid signature suffices, VAL-RRSIG-07), and verify-zone
    answers as a validator would; dnssec-verify enforces the signer rule."""
    assert SIGNZONE is not None, "dnssec-signzone missing: apt-get install -y bind9-utils"
    names = DUAL[1].split("+")
    for name in names:
        for key in vector_path("zones", name).glob("K*"):
            shutil.copy(key, tmp_path / key.name)
    signed = tmp_path / "signed.zone"
    subprocess.run([SIGNZONE, "-S", "-K", str(tmp_path), "-o", ORIGIN, "-N", "keep", "-O", "full",
                    "-s", "20260101000000", "-e", "20860101000000", "-f", str(signed),
                    str(vector_path("zones", "src", "example.zone"))],
                   check=True, capture_output=True, timeout=60,
                   cwd=tmp_path)  # its dsset- file goes here, not into the working directory
    both = parse_zone(signed.read_text())
    assert {r.rdata.split()[1] for r in both if r.rtype == "RRSIG"} == {"13", "15"}
    one = [r for r in both if not (r.rtype == "RRSIG" and r.rdata.split()[1] == "15"
                                   and r.covered != "DNSKEY")]
    ds = [d for name in names for d in ds_records(name)]
    verdicts = {}
    for label, records in (("both", both), ("one", one)):
        path = tmp_path / f"{label}.zone"
        path.write_text(render(records))
        verdicts[label] = (ours(path.read_text(), ds)[0], bind(path)[0])
    assert verdicts["both"] == ("secure", "secure")
    assert verdicts["one"] == recorded_differences()[DUAL] == ("secure", "bogus")
