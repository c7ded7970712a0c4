"""dnssec-core agrees with Unbound on every case of the demo world (issue 5, "Tests").

vectors/demo/check_with_unbound.sh serves the world with NSD (one server per zone address) and
asks a validating Unbound anchored at the world's root; the same world is resolved by
dnssec-core (in-process here: tests/chain and tests/transport cover the sockets).  Unbound's
answer maps to a status as RFC 4035 / the issue say: AD → secure, SERVFAIL → bogus, no AD →
insecure.  NSD, Unbound and dig are installed by the test command; their absence is a failure.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dnssec_core.crypto import get_backend
from tests.chain.lab import ask, world
from vectors import vector_path

SCRIPT = vector_path("demo", "check_with_unbound.sh")
TOOLS = ("nsd", "unbound", "dig")


@pytest.fixture(scope="module")
def unbound_results(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], str]:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, f"missing {missing}: apt-get install -y nsd unbound bind9-dnsutils"
    tsv = tmp_path_factory.mktemp("unbound") / "results.tsv"
    proc = subprocess.run(["bash", str(SCRIPT), "--port", "5453", "--unbound", "127.0.0.1@5499",
                           "--tsv", str(tsv)], capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stdout[-2000:] + proc.stderr[-2000:]
    results = {}
    for line in Path(tsv).read_text().splitlines():
        fields = line.split("\t")
        if len(fields) < 9 or fields[0] == "qname":
            continue
        results[(fields[0], fields[1])] = fields[5]
    return results


def test_unbound_answered_every_case(unbound_results: dict[tuple[str, str], str]) -> None:
    assert len(unbound_results) == len(world()["cases"]) == 43


@pytest.mark.parametrize("case", world()["cases"], ids=lambda c: f"{c['qname']}/{c['qtype']}")
def test_same_status_as_unbound(case: dict[str, str],
                                unbound_results: dict[tuple[str, str], str]) -> None:
    ours = ask(case["qname"], case["qtype"], get_backend("fast")).status.value
    assert ours == unbound_results[(case["qname"], case["qtype"])]
