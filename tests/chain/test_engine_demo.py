"""The chain engine over the demo world (vectors/demo), served in-process without sockets.

world.json's expectations were checked against Unbound serving the same zones from NSD
(vectors/demo/check_with_unbound.sh); here every case must come out the same.
"""

from __future__ import annotations

from typing import Any

import dns.rdatatype
import pytest

from dnssec_core.crypto import Backend
from tests.chain.lab import ask, world

CASES: list[dict[str, Any]] = world()["cases"]


def test_case_count() -> None:
    assert len(CASES) == 43


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['qname']}/{c['qtype']}")
def test_demo_case_matches_expectation_VAL_CHAIN_01(case: dict[str, Any], backend: Backend) -> None:
    """Proves BR-DNSSEC-01, BR-DNSSEC-02, BR-DNSSEC-10 (requirement trace)."""
    result = ask(case["qname"], case["qtype"], backend)
    got = result.as_json()
    assert (got["status"], got["rcode"]) == (case["expect_status"], case["expect_rcode"]), (
        result.verdict)
    if case.get("expect_ede") is not None:
        assert got["ede"] == case["expect_ede"]
    if got["status"] == "secure":
        assert got["reason"] == "" and got["chain"][0]["zone"] == "."
        assert all(link["status"] == "secure" for link in got["chain"])
    qtype = f" {dns.rdatatype.to_text(dns.rdatatype.from_text(case['qtype']))} "
    has_answer = any(qtype in line for line in got["answer"])
    if got["status"] in ("secure", "insecure") and got["rcode"] == "NOERROR":
        assert has_answer is ("NODATA" not in case["why"])
    else:
        assert not has_answer
