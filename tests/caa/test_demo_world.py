"""The demo world's 21 CAA cases (vectors/demo/world.json ``caa_cases``), offline through the
in-process LabTransport: every decision must match (issue 6)."""

from __future__ import annotations

from typing import Any

import pytest

from dnssec_core.caa.check import CaaRequest, check_caa
from dnssec_core.caa.decision import Decision, DecisionReason
from dnssec_core.caa.domain import parse_domain
from dnssec_core.chain.engine import Validator
from dnssec_core.crypto import Backend
from tests.chain.lab import NOW, anchors, lab, world

CASES: list[dict[str, Any]] = world()["caa_cases"]


def test_caa_case_count() -> None:
    assert len(CASES) == 21


@pytest.mark.parametrize(
    "case", CASES, ids=lambda c: f"{c['domain']}-{c['issuer']}-{c['expect_decision']}"
)
def test_demo_caa_case(case: dict[str, Any], fast: Backend) -> None:
    validator = Validator(anchors(), backend=fast)
    request = CaaRequest(parse_domain(case["domain"]), (case["issuer"],))
    check = check_caa(request, validator, lab(), now=NOW)
    assert check.as_json()["decision"] == case["expect_decision"], check.reason


def test_demo_cases_share_one_validator_cache(fast: Backend) -> None:
    """The same answers with one validator for all cases (warm key cache), as a batch runs."""
    validator = Validator(anchors(), backend=fast)
    transport = lab()
    for case in CASES:
        request = CaaRequest(parse_domain(case["domain"]), (case["issuer"],))
        check = check_caa(request, validator, transport, now=NOW)
        assert check.as_json()["decision"] == case["expect_decision"], case


def test_bogus_reason_names_zone_and_ede_BR_DNSSEC_07(fast: Backend) -> None:
    validator = Validator(anchors(), backend=fast)
    check = check_caa(
        CaaRequest(parse_domain("www.bogus.test"), ("ca.example",)), validator, lab(), now=NOW
    )
    assert check.decision is Decision.LOOKUP_FAILURE
    assert check.outcome.reason is DecisionReason.DNSSEC_BOGUS
    assert "zone bogus.test." in check.reason and "EDE 6" in check.reason
    assert [lk.as_json() for lk in check.lookups] == [
        {"qname": "www.bogus.test.", "status": "secure", "rcode": "NOERROR", "ede": None},
        {"qname": "bogus.test.", "status": "bogus", "rcode": "SERVFAIL", "ede": 6},
    ]


def test_nsec3_iterations_is_lookup_failure_not_empty_NSEC3_16(fast: Backend) -> None:
    """EDE 27: insecure only by policy is never "no CAA records" (issue 6)."""
    validator = Validator(anchors(), backend=fast)
    request = CaaRequest(
        parse_domain("www.iter200.test"), ("ca.example",), permit_on_lookup_failure=True
    )
    check = check_caa(request, validator, lab(), now=NOW)
    assert check.decision is Decision.LOOKUP_FAILURE
    assert check.outcome.reason is DecisionReason.NSEC3_ITERATIONS
    assert check.lookups[-1].as_json()["ede"] == 27
    assert check.relevant_domain is None


def test_search_only_without_issuer(fast: Backend) -> None:
    validator = Validator(anchors(), backend=fast)
    check = check_caa(CaaRequest(parse_domain("www.secure.test")), validator, lab(), now=NOW)
    got = check.as_json()
    assert got["decision"] is None
    assert got["relevant_domain"] == "secure.test."
    assert got["status"] == "secure"
    assert sorted(got["records"], key=lambda r: r["tag"]) == [
        {"flags": 0, "tag": "iodef", "value": "mailto:caa@secure.test"},
        {"flags": 0, "tag": "issue", "value": "ca.example"},
    ]
    assert set(got) == {"domain", "status", "relevant_domain", "records", "decision", "reason",
                        "lookups"}
    assert [i.url for i in check.iodef] == ["mailto:caa@secure.test"]
