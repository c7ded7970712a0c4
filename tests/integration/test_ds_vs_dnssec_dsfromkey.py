"""`dnssec-core ds` prints byte-identical lines to BIND's dnssec-dsfromkey (issue 2).

BIND's tool is installed by the test command (apt-get install bind9-utils); its absence is a
failure, not a skip.  Every key file under vectors/zones is compared for digest types 1, 2, 4,
and every signed zone file through `dnssec-dsfromkey -f`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vectors import vector_path

ZONES = vector_path("zones")
KEY_FILES = sorted(ZONES.rglob("K*.key"))
DIGESTS = {1: "SHA-1", 2: "SHA-256", 4: "SHA-384"}
DSFROMKEY = shutil.which("dnssec-dsfromkey")


def ours(*argv: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "dnssec_core", "ds", *argv],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def bind(*argv: str) -> str:
    assert DSFROMKEY is not None, "dnssec-dsfromkey missing: apt-get install -y bind9-utils"
    proc = subprocess.run([DSFROMKEY, *argv], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_tool_present_and_keys_found() -> None:
    assert DSFROMKEY is not None, "dnssec-dsfromkey missing: apt-get install -y bind9-utils"
    assert len(KEY_FILES) >= 24  # KSK + ZSK for six algorithms, two signers


@pytest.mark.parametrize("digest", sorted(DIGESTS))
@pytest.mark.parametrize("key_file", KEY_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_key_file_ds_identical(key_file: Path, digest: int) -> None:
    expected = bind("-a", DIGESTS[digest], str(key_file))
    assert expected.count("\n") == 1
    assert ours("--all", "--digest", str(digest), str(key_file)) == expected


@pytest.mark.parametrize("zone", sorted(ZONES.rglob("zone.signed")),
                         ids=lambda p: p.parent.name)
def test_zone_file_ds_identical(zone: Path) -> None:
    origin = "example.com."
    expected = bind("-a", "SHA-256", "-a", "SHA-384", "-f", str(zone), origin)
    assert expected
    assert ours("--digest", "2", "--digest", "4", str(zone)) == expected
