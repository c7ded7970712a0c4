"""Helper of generate.sh (vectors/zones/): template DS block, mutations, checks, manifest.

Not part of dnssec-core and deliberately independent of it: it uses dnspython only, so the
vectors never depend on the code they test.  Run by generate.sh; CI never runs it.

    zonetool.py set-ds TEMPLATE DSFILE          replace the DS block of secure.example.com.
    zonetool.py drop-rrsig IN OUT OWNER TYPE    copy IN without the RRSIG(s) covering OWNER/TYPE
    zonetool.py flip-sig IN OUT OWNER TYPE      copy IN with one base64 character of that RRSIG's
                                                signature changed
    zonetool.py check ZONE NOW [--expect R]     validate every RRSIG with dnspython at NOW;
                                                without --expect all must verify, with it every
                                                failure must be of kind R and there must be one
    zonetool.py manifest VARIANTS BROKEN OUT SHA  write manifest.json (VARIANTS/BROKEN: TSV files,
                                                SHA: SHA-256 of the template the zones came from)
"""

from __future__ import annotations

import calendar
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dns._features

# dnspython 2.9 enables its DNSSEC code only with cryptography>=50; the project (and this machine)
# may have an older pyca/cryptography (>=42), whose API is sufficient for RSA/ECDSA/EdDSA checks.
dns._features.force("dnssec", True)

import dns.dnssec  # noqa: E402  (must follow the force above)
import dns.exception  # noqa: E402
import dns.name  # noqa: E402
import dns.node  # noqa: E402
import dns.rdataset  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.rrset  # noqa: E402
import dns.zone  # noqa: E402
from dns.rdtypes.ANY.DNSKEY import DNSKEY  # noqa: E402
from dns.rdtypes.ANY.NSEC3 import NSEC3  # noqa: E402
from dns.rdtypes.ANY.NSEC3PARAM import NSEC3PARAM  # noqa: E402
from dns.rdtypes.ANY.RRSIG import RRSIG  # noqa: E402

ORIGIN = dns.name.from_text("example.com.")
BEGIN, END = "; BEGIN DS secure.example.com.", "; END DS secure.example.com."
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def load(path: str) -> dns.zone.Zone:
    return dns.zone.from_file(path, ORIGIN, relativize=False, check_origin=True)


def stamp(text: str) -> int:
    return calendar.timegm(time.strptime(text, "%Y%m%d%H%M%S"))


def text_stamp(value: int) -> str:
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(value))


def apex_rdataset(zone: dns.zone.Zone, rdtype: dns.rdatatype.RdataType) -> dns.rdataset.Rdataset:
    rds = zone.find_node(ORIGIN).get_rdataset(zone.rdclass, rdtype)
    if rds is None:
        raise SystemExit(f"no {dns.rdatatype.to_text(rdtype)} at the apex")
    return rds


def signed_rrsets(zone: dns.zone.Zone) -> Iterator[tuple[dns.name.Name, dns.rdataset.Rdataset,
                                                           dns.rdataset.Rdataset]]:
    """(owner, covered RRset, its RRSIG rdataset) for every RRset that carries an RRSIG."""
    for name, node in zone.nodes.items():
        for sigs in node.rdatasets:
            if sigs.rdtype == dns.rdatatype.RRSIG:
                covered = node.get_rdataset(zone.rdclass, sigs.covers)
                if covered is None:
                    raise SystemExit(f"{name} RRSIG covers {sigs.covers!r} but there is no RRset")
                yield name, covered, sigs


# --- template -------------------------------------------------------------------------------

def set_ds(template: str, ds_file: str) -> None:
    lines = Path(template).read_text().splitlines()
    first, last = lines.index(next(x for x in lines if x.startswith(BEGIN))), lines.index(END)
    ds = [" ".join(x.split()).replace("secure.example.com. IN DS", "secure.example.com. 3600 IN DS")
          for x in Path(ds_file).read_text().splitlines() if x.strip()]
    new = [*lines[: first + 1], *ds, *lines[last:]]
    if new != lines:
        Path(template).write_text("\n".join(new) + "\n")
        print(f"{template}: DS block rewritten ({len(ds)} DS)")


# --- mutations (line based: the BIND -O full output has one record per line) -----------------

def rrsig_lines(lines: list[str], owner: str, rdtype: str) -> list[int]:
    found = []
    for i, line in enumerate(lines):
        f = line.split()
        if len(f) > 5 and f[0].lower() == owner.lower() and f[3] == "RRSIG" and f[4] == rdtype:
            found.append(i)
    if not found:
        raise SystemExit(f"no RRSIG {rdtype} at {owner}")
    return found


def drop_rrsig(src: str, dst: str, owner: str, rdtype: str) -> None:
    lines = Path(src).read_text().splitlines()
    hits = rrsig_lines(lines, owner, rdtype)
    if len(hits) != 1:
        raise SystemExit(f"{owner} {rdtype}: expected one RRSIG, found {len(hits)}")
    print(f"{dst}: removed line {hits[0] + 1}: {lines[hits[0]][:90]}...")
    Path(dst).write_text("\n".join(x for i, x in enumerate(lines) if i not in hits) + "\n")


def flip_sig(src: str, dst: str, owner: str, rdtype: str) -> None:
    lines = Path(src).read_text().splitlines()
    (i,) = rrsig_lines(lines, owner, rdtype)
    fields = lines[i].split()
    # fields: owner ttl class RRSIG covered alg labels ottl exp inc tag signer sig...
    sig_start = lines[i].index(fields[12], lines[i].index(fields[11]) + len(fields[11]))
    pos = sig_start + 10  # the 11th base64 character: far from any '=' padding
    old = lines[i][pos]
    new = B64[(B64.index(old) + 1) % 64]
    lines[i] = lines[i][:pos] + new + lines[i][pos + 1:]
    print(f"{dst}: RRSIG {rdtype} at {owner}: signature character 11 changed {old!r} -> {new!r}")
    Path(dst).write_text("\n".join(lines) + "\n")


# --- independent check with dnspython ---------------------------------------------------------

def check(path: str, now_text: str, expect: str | None) -> None:
    zone = load(path)
    now = stamp(now_text)
    keys: dict[dns.name.Name, dns.node.Node | dns.rdataset.Rdataset] = {
        ORIGIN: apex_rdataset(zone, dns.rdatatype.DNSKEY)}
    ok, failures = 0, []
    for name, covered, sigs in signed_rrsets(zone):
        rrset = dns.rrset.from_rdata_list(name, covered.ttl, list(covered))
        for sig in sigs:
            try:
                dns.dnssec.validate_rrsig(rrset, sig, keys, ORIGIN, now)
                ok += 1
            except dns.exception.ValidationFailure as exc:
                failures.append((name.to_text(), dns.rdatatype.to_text(covered.rdtype), str(exc)))
    # RRsets that should be signed but are not (authoritative data only: skip delegations/glue)
    cuts = {n for n, node in zone.nodes.items() if n != ORIGIN
            and node.get_rdataset(zone.rdclass, dns.rdatatype.NS) is not None}
    for name, node in zone.nodes.items():
        below_cut = any(name != c and name.is_subdomain(c) for c in cuts)
        for rds in node.rdatasets:
            if rds.rdtype == dns.rdatatype.RRSIG or below_cut:
                continue
            if name in cuts and rds.rdtype == dns.rdatatype.NS:
                continue
            if node.get_rdataset(zone.rdclass, dns.rdatatype.RRSIG, rds.rdtype) is None:
                failures.append((name.to_text(), dns.rdatatype.to_text(rds.rdtype),
                                 "no RRSIG"))
    if expect is None:
        for f in failures:
            print("FAIL", *f)
        print(f"dnspython {dns.version.version}: {ok} RRSIGs verified at {now_text}, "
              f"{len(failures)} failures")
        sys.exit(1 if failures or ok == 0 else 0)
    bad = [f for f in failures if expect not in f[2]]
    for f in failures:
        print("expected failure:" if f not in bad else "UNEXPECTED:", *f)
    print(f"dnspython {dns.version.version}: {ok} RRSIGs verified, {len(failures)} failures "
          f"(expected: {expect!r})")
    sys.exit(1 if bad or not failures else 0)


# --- manifest ---------------------------------------------------------------------------------

def tsv(path: str) -> list[list[str]]:
    return [x.split("\t") for x in Path(path).read_text().splitlines() if x.strip()]


def describe(zone_path: Path) -> dict[str, Any]:
    zone = load(str(zone_path))
    apex = zone.find_node(ORIGIN)
    ksk: list[int] = []
    zsk: list[int] = []
    for key in apex_rdataset(zone, dns.rdatatype.DNSKEY):
        assert isinstance(key, DNSKEY)
        (ksk if key.flags & 1 else zsk).append(dns.dnssec.key_id(key))
    windows, rrsigs, signed = set(), 0, 0
    for _name, _covered, sigs in signed_rrsets(zone):
        signed += 1
        for sig in sigs:
            assert isinstance(sig, RRSIG)
            rrsigs += 1
            windows.add((text_stamp(sig.inception), text_stamp(sig.expiration)))
    if len(windows) != 1:
        raise SystemExit(f"{zone_path}: several validity windows {sorted(windows)}")
    ((inception, expiration),) = windows
    nsec3 = None
    param = apex.get_rdataset(zone.rdclass, dns.rdatatype.NSEC3PARAM)
    if param is not None:
        (p,) = list(param)
        assert isinstance(p, NSEC3PARAM)
        flags = set()
        count = 0
        for node in zone.nodes.values():
            for rds in node.rdatasets:
                if rds.rdtype == dns.rdatatype.NSEC3:
                    for n3 in rds:
                        assert isinstance(n3, NSEC3)
                        flags.add(n3.flags)
                        count += 1
        if len(flags) != 1:
            raise SystemExit(f"{zone_path}: NSEC3 flags differ {flags}")
        nsec3 = {"hash_algorithm": p.algorithm, "salt": p.salt.hex(),
                 "iterations": p.iterations, "optout": bool(flags.pop() & 1),
                 "nsec3param_ttl": param.ttl, "nsec3_records": count}
    return {"ksk_tags": sorted(ksk), "zsk_tags": sorted(zsk), "nsec3": nsec3,
            "inception": inception, "expiration": expiration,
            "rrsets_signed": signed, "rrsigs": rrsigs, "names": len(zone.nodes)}


def manifest(variants_tsv: str, broken_tsv: str, out: str, template_sha: str) -> None:
    here = Path(out).parent
    variants = []
    for name, signer, version, alg, alg_name, denial in tsv(variants_tsv):
        info = describe(here / name / "zone.signed")
        variants.append({
            "name": name, "signer": signer, "signer_version": version,
            "algorithm": int(alg), "algorithm_name": alg_name, "denial": denial,
            "origin": ORIGIN.to_text(), "zone_file": f"{name}/zone.signed",
            "ds_file": f"{name}/ds.txt", **info,
        })
    broken = []
    for name, base, owner, rdtype, reason, what in tsv(broken_tsv):
        info = describe(here / "broken" / f"{name}.signed")
        broken.append({
            "name": name, "zone_file": f"broken/{name}.signed", "based_on": base,
            "ds_file": f"{base}/ds.txt", "origin": ORIGIN.to_text(),
            "broken_owner": owner, "broken_type": rdtype, "expected_reason": reason,
            "description": what, "ksk_tags": info["ksk_tags"], "zsk_tags": info["zsk_tags"],
            "inception": info["inception"], "expiration": info["expiration"],
            "rrsets_signed": info["rrsets_signed"],
        })
    doc = {
        "about": "Signed test zones made by vectors/zones/generate.sh; see vectors/zones/README.md",
        "template": "src/example.zone",
        "template_sha256": template_sha,
        "validity": {"inception": "20260101000000", "expiration": "20860101000000",
                     "suggested_now": "20261201000000"},
        "variants": variants,
        "broken": broken,
    }
    Path(out).write_text(json.dumps(doc, indent=1) + "\n")
    print(f"{out}: {len(variants)} variants, {len(broken)} broken zones")


def main(argv: list[str]) -> None:
    match argv:
        case ["set-ds", template, ds_file]:
            set_ds(template, ds_file)
        case ["drop-rrsig", src, dst, owner, rdtype]:
            drop_rrsig(src, dst, owner, rdtype)
        case ["flip-sig", src, dst, owner, rdtype]:
            flip_sig(src, dst, owner, rdtype)
        case ["check", path, now]:
            check(path, now, None)
        case ["check", path, now, "--expect", reason]:
            check(path, now, reason)
        case ["manifest", variants_tsv, broken_tsv, out, template_sha]:
            manifest(variants_tsv, broken_tsv, out, template_sha)
        case _:
            raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
