"""The sample bundles in vectors/evidence stay true (issue 9): re-made by the real CLI over the
demo world served on loopback they are the same bytes (bundles are deterministic), and they
re-verify offline with every backend.  README's verify-evidence example reads them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vectors import vector_path

ANCHOR = str(vector_path("demo", "root-anchor.txt"))
NOW = "20261201000000"
SAMPLES = {
    "www.secure.test-A.json": ["query", "www.secure.test", "A"],
    "www.bogus.test-caa.json": ["caa", "www.bogus.test", "--issuer-domain", "ca.example"],
}


def cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dnssec_core", *argv], capture_output=True,
                          text=True, timeout=120)


def test_every_sample_is_listed() -> None:
    on_disk = sorted(p.name for p in vector_path("evidence").glob("*.json"))
    assert on_disk == sorted(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_is_what_the_cli_writes_today_BR_LOG_03(name: str, tmp_path: Path) -> None:
    out = tmp_path / name
    proc = cli(*SAMPLES[name], "--demo", "--now", NOW, "--evidence", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == vector_path("evidence", name).read_bytes()


@pytest.mark.parametrize("crypto", ["fast", "pure", "cross"])
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_reverifies_offline(name: str, crypto: str) -> None:
    proc = cli("verify-evidence", str(vector_path("evidence", name)), "--trust-anchor", ANCHOR,
               "--crypto", crypto)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " bundle reproduced at 2026-12-01T00:00:00Z" in proc.stdout
