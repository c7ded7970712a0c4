"""Signed zones for the whole-zone benchmark, made by BIND's dnssec-keygen and dnssec-signzone.

Zones are generated in a cache directory outside the repository (never committed) and reused
while their signatures stay valid.  A zone of nominal size N has about N authoritative RRsets
(owners with A, some AAAA/TXT/MX, a few delegations with DS and glue, plus one NSEC or NSEC3
RRset per owner); the exact count is what ``verify-zone`` reports.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ORIGIN = "bench.example."
CACHE = Path(os.environ.get("DNSSEC_CORE_BENCH_ZONES", Path(tempfile.gettempdir()) / "dnssec-core-bench-zones"))
GENERATOR_VERSION = 1
#: Signatures are valid from an hour ago for 30 days; a cached zone is re-made with < 1 day left.
VALIDITY = 30 * 86400
MIN_REMAINING = 86400
ALGORITHMS = {8: ("RSASHA256", 2048), 13: ("ECDSAP256SHA256", None)}
#: Authoritative RRsets per generated owner: 1 + 0.1 AAAA + 1/7 TXT + 1/13 MX + 1 NSEC(3),
#: and every 50th owner a delegation (DS + NSEC(3) only).
_RRSETS_PER_OWNER = 2.3


@dataclass(frozen=True)
class SignedZone:
    path: Path
    algorithm: int
    denial: str
    nominal: int
    ds_path: Path


def tools_missing() -> list[str]:
    return [tool for tool in ("dnssec-keygen", "dnssec-signzone") if shutil.which(tool) is None]


def _unsigned(owners: int) -> str:
    lines = [
        "$TTL 3600",
        f"$ORIGIN {ORIGIN}",
        "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 3600",
        "@ NS ns1",
        "@ NS ns2",
        "ns1 A 192.0.2.1",
        "ns2 AAAA 2001:db8::53",
    ]
    for i in range(owners):
        host = f"h{i}"
        if i % 50 == 49:  # a delegation: NS + DS authoritative here, glue not
            lines.append(f"{host} NS ns.{host}")
            lines.append(f"ns.{host} A 198.51.100.{i % 250 + 1}")
            lines.append(f"{host} DS {i % 65536} 13 2 {(i * 7919).to_bytes(32, 'big').hex()}")
            continue
        lines.append(f"{host} A 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}")
        if i % 10 == 0:
            lines.append(f"{host} AAAA 2001:db8::{i & 0xFFFF:x}")
        if i % 7 == 0:
            lines.append(f'{host} TXT "v=spf1 -all" "owner {i}"')
        if i % 13 == 0:
            lines.append(f"{host} MX 10 mail.{host}")
    return "\n".join(lines) + "\n"


def _run(argv: list[str], cwd: Path) -> str:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def signed_zone(
    nominal: int, algorithm: int, denial: str, *, log: Callable[[str], object] = print
) -> SignedZone:
    """The cached signed zone for (size, algorithm, nsec|nsec3), generating it if needed."""
    name = f"v{GENERATOR_VERSION}-{nominal}-alg{algorithm}-{denial}"
    directory = CACHE / name
    meta_path = directory / "meta.json"
    zone = SignedZone(directory / "zone.signed", algorithm, denial, nominal, directory / "ds.txt")
    if meta_path.exists() and zone.path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("expires", 0) - time.time() > MIN_REMAINING:
            return zone
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    mnemonic, bits = ALGORITHMS[algorithm]
    owners = max(1, round(nominal / _RRSETS_PER_OWNER))
    (directory / "zone.db").write_text(_unsigned(owners))
    started = time.monotonic()
    size = ["-b", str(bits)] if bits else []
    _run(["dnssec-keygen", "-q", "-K", ".", "-a", mnemonic, *size, "-f", "KSK", ORIGIN], directory)
    _run(["dnssec-keygen", "-q", "-K", ".", "-a", mnemonic, *size, ORIGIN], directory)
    now = int(time.time())
    nsec3 = ["-3", "-", "-H", "0"] if denial == "nsec3" else []
    _run(
        [
            "dnssec-signzone", "-q", "-P", "-S", "-K", ".", "-o", ORIGIN, "-f", "zone.signed",
            "-s", str(now - 3600), "-e", str(now + VALIDITY), *nsec3, "zone.db",
        ],
        directory,
    )
    shutil.copy(directory / f"dsset-{ORIGIN}", zone.ds_path)
    meta_path.write_text(json.dumps({"expires": now + VALIDITY, "owners": owners}))
    log(f"  generated {name} in {time.monotonic() - started:.1f} s")
    return zone
