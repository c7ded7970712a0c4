"""generate.sh's helper: the demo world's deliberate edits, and an independent signature check.

Each edit works on the one-record-per-line zone files that ``dnssec-signzone -O full`` and
``ldns-signzone`` write, changes only the lines it names, and refuses (exit 2) when what it
expects is not there, so generate.sh fails loudly instead of producing a silently wrong world.

    python3 worldtool.py corrupt-rrsig ZONEFILE OWNER TYPE
        Change one byte (the middle one, XOR 0x01) of the signature of every RRSIG at OWNER
        covering TYPE.  The record stays well-formed; only the signature check fails.
    python3 worldtool.py optout-hide ZONEFILE DELEGATION ZSK_BASE
        Remove the NSEC3 (and its RRSIG) that matches the insecure DELEGATION, so that the
        delegation falls inside the opt-out span of its predecessor; point the predecessor's
        "next hashed owner" past it and re-sign the predecessor with the zone's ZSK (ECDSA
        P-256, deterministic RFC 6979 signatures, same validity window as before).
        ldns-signzone -p gives every insecure delegation its own NSEC3 and dnssec-signzone -A
        gives none; this edit makes one zone with both kinds.
    python3 worldtool.py ds-flip-digest DSFILE
        Change the last hex digit of the digest of every DS record (key tag and algorithm stay).
    python3 worldtool.py ds-algorithm DSFILE ALG
        Replace the algorithm field of every DS record with ALG.
    python3 worldtool.py check ZONEFILE ORIGIN NOW
        Verify every RRSIG in the zone over the RRset it covers with the apex DNSKEY RRset, at
        time NOW (YYYYMMDDHHMMSS), using dnspython's DNSSEC code (independent of dnssec-core).
        Prints "owner TYPE" for each RRSIG that fails; exit 1 if any does, 0 otherwise.
        The second opinion beside dnssec-verify (which refuses NSEC3 iterations over 150).

Needs dnspython and cryptography (both already dependencies of dnssec-core).  Test keys only.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable
from pathlib import Path

import dns._features
from cryptography.hazmat.primitives.asymmetric import ec

# dnspython 2.9 enables its DNSSEC code only with cryptography>=50; the project may have an older
# pyca/cryptography (>=42), whose API is sufficient here (as in vectors/zones/zonetool.py).
dns._features.force("dnssec", True)

import dns.dnssec  # noqa: E402  (must follow the force above)
import dns.exception  # noqa: E402
import dns.name  # noqa: E402
import dns.rdata  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.rrset  # noqa: E402
import dns.zone  # noqa: E402


class EditError(Exception):
    pass


def _records(lines: list[str]) -> list[tuple[int, list[str]]]:
    """(line index, whitespace-split fields) of every record line; comments and blanks skipped."""
    out = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith(";") or stripped.startswith("$"):
            continue
        fields = stripped.split()
        if len(fields) < 4 or fields[2].upper() != "IN":
            raise EditError(f"line {i + 1}: not 'owner ttl IN type rdata': {stripped[:60]}")
        out.append((i, fields))
    return out


def _same_name(a: str, b: str) -> bool:
    return dns.name.from_text(a) == dns.name.from_text(b)


def _line(fields: list[str]) -> str:
    """A record line: owner, TTL, class and type tab-separated, the RDATA fields space-separated."""
    return "\t".join(fields[:4]) + "\t" + " ".join(fields[4:])


def _is(fields: list[str], rdtype: str) -> bool:
    return fields[3].upper() == rdtype


def corrupt_rrsig(path: Path, owner: str, rdtype: str) -> None:
    lines = path.read_text().splitlines()
    changed = 0
    for i, f in _records(lines):
        if not _is(f, "RRSIG") or not _same_name(f[0], owner) or f[4].upper() != rdtype.upper():
            continue
        # owner ttl IN RRSIG covered alg labels origttl expiration inception keytag signer sig...
        signature = bytearray(base64.b64decode("".join(f[12:])))
        signature[len(signature) // 2] ^= 0x01
        lines[i] = _line([*f[:12], base64.b64encode(signature).decode()])
        changed += 1
    if changed == 0:
        raise EditError(f"{path}: no RRSIG at {owner} covering {rdtype}")
    path.write_text("\n".join(lines) + "\n")


def _load_p256_key(base: str) -> tuple[ec.EllipticCurvePrivateKey, dns.rdata.Rdata]:
    private = Path(base + ".private").read_text()
    fields = dict(line.split(": ", 1) for line in private.splitlines() if ": " in line)
    if not fields.get("Algorithm", "").startswith("13 "):
        raise EditError(f"{base}: optout-hide re-signs with ECDSA P-256 keys only")
    scalar = int.from_bytes(base64.b64decode(fields["PrivateKey"]), "big")
    key = ec.derive_private_key(scalar, ec.SECP256R1())
    text = Path(base + ".key").read_text().splitlines()
    parts = [ln for ln in text if ln and not ln.startswith(";")][-1].split()
    rdata = " ".join(parts[[p.upper() for p in parts].index("DNSKEY") + 1 :])
    return key, dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DNSKEY, rdata)


def optout_hide(path: Path, delegation: str, zsk_base: str) -> None:
    lines = path.read_text().splitlines()
    records = _records(lines)
    params = [f for _, f in records if _is(f, "NSEC3PARAM")]
    if len(params) != 1:
        raise EditError(f"{path}: expected one NSEC3PARAM")
    origin = dns.name.from_text(params[0][0])
    alg, _flags, iterations, salt = params[0][4:8]
    digest = dns.dnssec.nsec3_hash(
        delegation, None if salt == "-" else salt, int(iterations), int(alg)
    ).upper()
    hashed_owner = dns.name.from_text(digest, origin)
    nsec3s = [(i, f) for i, f in records if _is(f, "NSEC3")]

    # The NSEC3 of the delegation goes: it must be an insecure delegation's (bitmap: NS only).
    target = [(i, f) for i, f in nsec3s if dns.name.from_text(f[0]) == hashed_owner]
    if len(target) != 1:
        raise EditError(f"{path}: no NSEC3 matches {delegation} ({digest})")
    t_index, t_fields = target[0]
    if [x.upper() for x in t_fields[9:]] != ["NS"]:
        raise EditError(f"{path}: {delegation} is not an insecure delegation ({t_fields[9:]})")

    # Its predecessor (opt-out flag set) now points past it and spans the delegation.
    preds = [(i, f) for i, f in nsec3s if f[8].upper() == digest]
    if len(preds) != 1:
        raise EditError(f"{path}: no NSEC3 points to {digest}")
    p_index, p_fields = preds[0]
    if int(p_fields[5]) & 1 != 1:
        raise EditError(f"{path}: the NSEC3 before {delegation} has no opt-out flag")
    p_fields = [*p_fields[:8], t_fields[8], *p_fields[9:]]
    lines[p_index] = _line(p_fields)

    # Re-sign the predecessor with the same key and validity window as its old RRSIG.
    old_sigs = [(i, f) for i, f in records
                if _is(f, "RRSIG") and f[4].upper() == "NSEC3" and _same_name(f[0], p_fields[0])]
    if len(old_sigs) != 1:
        raise EditError(f"{path}: expected one RRSIG over the NSEC3 at {p_fields[0]}")
    s_index, s_fields = old_sigs[0]
    expiration, inception = s_fields[8], s_fields[9]
    key, dnskey = _load_p256_key(zsk_base)
    rdata = " ".join(p_fields[4:])
    rrset = dns.rrset.from_text(p_fields[0], int(p_fields[1]), "IN", "NSEC3", rdata)
    rrsig = dns.dnssec.sign(rrset, key, origin, dnskey, inception=inception, expiration=expiration)
    dns.dnssec.validate_rrsig(rrset, rrsig, {origin: [dnskey]})
    lines[s_index] = _line([p_fields[0], p_fields[1], "IN", "RRSIG", rrsig.to_text()])

    drop = {t_index} | {i for i, f in records
                        if _is(f, "RRSIG") and dns.name.from_text(f[0]) == hashed_owner}
    path.write_text("\n".join(ln for i, ln in enumerate(lines) if i not in drop) + "\n")


def _edit_ds(path: Path, edit: Callable[[list[str]], list[str]]) -> None:
    """Apply ``edit`` to [key tag, algorithm, digest type, digest] of every DS record."""
    lines = path.read_text().splitlines()
    records = [(i, f) for i, f in _records(lines) if _is(f, "DS")]
    if not records:
        raise EditError(f"{path}: no DS record")
    for i, f in records:
        lines[i] = _line([*f[:4], *edit([*f[4:7], "".join(f[7:])])])
    path.write_text("\n".join(lines) + "\n")


def ds_flip_digest(path: Path) -> None:
    def flip(rdata: list[str]) -> list[str]:
        digest = rdata[3]
        return [*rdata[:3], digest[:-1] + f"{int(digest[-1], 16) ^ 0x1:X}"]

    _edit_ds(path, flip)


def ds_algorithm(path: Path, algorithm: int) -> None:
    _edit_ds(path, lambda rdata: [rdata[0], str(algorithm), *rdata[2:]])


def check(path: Path, origin: str, now: str) -> int:
    when = dns.dnssec.to_timestamp(now)
    zone = dns.zone.from_file(str(path), origin, relativize=False, check_origin=True)
    apex = zone.origin
    assert apex is not None
    keys = {apex: zone.get_rdataset(apex, dns.rdatatype.DNSKEY)}
    if keys[apex] is None:
        raise EditError(f"{path}: no DNSKEY RRset at the apex")
    failures = []
    checked = 0
    for owner, node in sorted(zone.nodes.items()):
        for rdataset in node.rdatasets:
            if rdataset.rdtype != dns.rdatatype.RRSIG:
                continue
            for rrsig in rdataset:
                covered = node.get_rdataset(dns.rdataclass.IN, rrsig.type_covered)
                rrset = (owner, covered) if covered is not None else None
                checked += 1
                try:
                    if rrset is None:
                        raise dns.dnssec.ValidationFailure("no RRset")
                    dns.dnssec.validate_rrsig(rrset, rrsig, keys, now=when)
                except dns.dnssec.ValidationFailure:
                    failures.append(f"{owner} {dns.rdatatype.to_text(rrsig.type_covered)}")
    for failure in failures:
        print(failure)
    if checked == 0:
        raise EditError(f"{path}: no RRSIG at all")
    return 1 if failures else 0


def main(argv: list[str]) -> int:
    try:
        match argv:
            case ["corrupt-rrsig", zonefile, owner, rdtype]:
                corrupt_rrsig(Path(zonefile), owner, rdtype)
            case ["optout-hide", zonefile, delegation, zsk_base]:
                optout_hide(Path(zonefile), delegation, zsk_base)
            case ["ds-flip-digest", dsfile]:
                ds_flip_digest(Path(dsfile))
            case ["ds-algorithm", dsfile, alg]:
                ds_algorithm(Path(dsfile), int(alg))
            case ["check", zonefile, origin, now]:
                return check(Path(zonefile), origin, now)
            case _:
                print(__doc__, file=sys.stderr)
                return 2
    except (EditError, OSError, ValueError, KeyError, dns.exception.DNSException) as exc:
        print(f"worldtool.py: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
