"""The CAA test suite of caatestsuite.com (SSLMate, vectors/caatestsuite) rebuilt offline:
upstream's zones, re-signed by vectors/caatestsuite/generate.sh under a lab root, answered by
the in-process responder; every test of the website checked (issue 6)."""

from __future__ import annotations

import io
import json
from collections import Counter
from functools import cache
from typing import Any

import dns.name
import pytest

from dnssec_core.auth.lab import LabTransport
from dnssec_core.auth.responder import Responder
from dnssec_core.auth.zone import AuthZone
from dnssec_core.caa.check import CaaCheck, CaaRequest, check_caa
from dnssec_core.caa.decision import Decision, DecisionReason
from dnssec_core.caa.domain import parse_domain
from dnssec_core.chain.anchors import TrustAnchors, parse_anchors
from dnssec_core.chain.engine import Validator
from dnssec_core.chain.types import Answer, FailureKind, LookupFailure, Query
from dnssec_core.crypto import Backend
from dnssec_core.zone.reader import parse_records, read_text
from vectors import vector_path

NOW = 1796083200  # 2026-12-01T00:00:00Z, inside the lab's signature window
CAA = 257
DS = 43


@cache
def lab_world() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(vector_path("caatestsuite", "lab", "world.json").read_text())
    return data


@cache
def cases() -> list[dict[str, Any]]:
    data = json.loads(vector_path("caatestsuite", "cases.json").read_text())
    found: list[dict[str, Any]] = data["cases"]
    return found


@cache
def zones() -> tuple[AuthZone, ...]:
    out = []
    for entry in lab_world()["zones"]:
        origin = dns.name.from_text(entry["zone"])
        text = read_text(vector_path("caatestsuite", entry["file"]))
        out.append(AuthZone.from_records(origin, parse_records(io.StringIO(text), origin)))
    return tuple(out)


def anchors() -> TrustAnchors:
    data = vector_path("caatestsuite", lab_world()["anchor"]).read_bytes()
    return parse_anchors(data, source="caatestsuite lab anchor", now=None)


KINDS = {"timeout": FailureKind.TIMEOUT, "servfail": FailureKind.SERVFAIL,
         "refused": FailureKind.REFUSED}


def failing_servers(query: Query, wire: bytes) -> bytes | LookupFailure:
    """What the transport reports for the zones whose servers fail (lab/world.json): every
    question to them fails after 2 attempts; the DS at their apex comes from the parent."""
    for entry in lab_world()["failing"]:
        apex = dns.name.from_text(entry["zone"])
        if query.name.is_subdomain(apex) and not (query.rdtype == DS and query.name == apex):
            kind = KINDS[entry["kind"]]
            return LookupFailure(kind, f"{kind.value} from {entry['servers'][0]} (lab)", 2,
                                 tuple(entry["servers"]))
    return wire


def transport() -> LabTransport:
    return LabTransport(Responder(zones()), failing_servers)


def run(fqdn: str, issuer: str, backend: Backend, *, validator: Validator | None = None,
        permit: bool = False) -> CaaCheck:
    request = CaaRequest(parse_domain(fqdn), (issuer,), permit_on_lookup_failure=permit)
    return check_caa(request, validator or Validator(anchors(), backend=backend), transport(),
                     now=NOW)


def test_case_counts() -> None:
    sections = Counter(case["section"] for case in cases())
    assert sections == {"deny": 24, "special": 4, "ours": 3}


@pytest.mark.parametrize("case", cases(), ids=lambda c: f"{c['section']}:{c['fqdn']}")
def test_caatestsuite_ca_example(case: dict[str, Any], fast: Backend) -> None:
    """The website's expectation, for a CA that is not caatestsuite.com."""
    # Requirement trace: this test also proves BR-CAA-01.
    check = run(case["fqdn"], "ca.example", fast)
    assert check.as_json()["decision"] == case["expect_decision"], check.reason


@pytest.mark.parametrize("case", cases(), ids=lambda c: f"{c['section']}:{c['fqdn']}")
def test_caatestsuite_as_the_named_issuer(case: dict[str, Any], fast: Backend) -> None:
    """The same zones for the issuer the records name (caatestsuite.com)."""
    check = run(case["fqdn"], "caatestsuite.com", fast)
    assert check.as_json()["decision"] == case["expect_decision_caatestsuite"], check.reason


def test_whole_suite_with_one_shared_validator(fast: Backend) -> None:
    validator = Validator(anchors(), backend=fast)
    got = [run(c["fqdn"], "ca.example", fast, validator=validator).as_json()["decision"]
           for c in cases()]
    assert got == [c["expect_decision"] for c in cases()]


@pytest.mark.parametrize(("fqdn", "status", "ede"), [
    ("expired.caatestsuite-dnssec.com", "bogus", 7),      # Signature Expired
    ("missing.caatestsuite-dnssec.com", "bogus", 10),     # RRSIGs Missing
    ("blackhole.caatestsuite-dnssec.com", "indeterminate", 22),  # No Reachable Authority
    ("servfail.caatestsuite-dnssec.com", "indeterminate", 22),
    ("refused.caatestsuite-dnssec.com", "indeterminate", 22),
])
def test_dnssec_cases_never_permit_BR_CAA_08(fqdn: str, status: str, ede: int,
                                             fast: Backend) -> None:
    """Even with the CA's lookup-failure policy on: each of these zones has a DS in a signed
    parent, so it is not proven insecure (RFC 4035 §4.3) and nothing counts as permission."""
    # Requirement trace: this test also proves CAA-TREE-05.
    check = run(fqdn, "ca.example", fast, permit=True)
    assert check.decision is Decision.LOOKUP_FAILURE
    assert check.status.value == status
    assert check.lookups[-1].as_json()["ede"] == ede
    if status == "bogus":
        assert check.outcome.reason is DecisionReason.DNSSEC_BOGUS
        assert f"zone {fqdn}." in check.reason
    else:
        assert check.outcome.reason is DecisionReason.LOOKUP_FAILED
        assert "not treated as permission" in check.reason
        assert [p.zone.to_text() for p in check.search.probes] == [fqdn + "."]


def test_insecure_zone_failure_would_be_permitted_by_policy_BR_CAA_07(fast: Backend) -> None:
    """The contrast: a SERVFAIL (retried) inside caatestsuite.com, proven insecure by com.'s
    NSEC, may count as permission when the CA opted in."""
    inner = transport()

    class Failing:
        def ask(self, query: Query) -> Answer:
            if query.name == dns.name.from_text("gone.basic.caatestsuite.com.") \
                    and query.rdtype == CAA:
                return LookupFailure(FailureKind.SERVFAIL, "lab", 2, ("127.0.1.3",))
            return inner.ask(query)

    request = CaaRequest(parse_domain("gone.basic.caatestsuite.com"), ("ca.example",),
                         permit_on_lookup_failure=True)
    check = check_caa(request, Validator(anchors(), backend=fast), Failing(), now=NOW)
    assert check.decision is Decision.PERMITTED
    assert check.outcome.reason is DecisionReason.LOOKUP_FAILURE_PERMITTED
    assert "caatestsuite.com. (insecure-delegation)" in check.reason


def test_relevant_rrsets_and_lookups(fast: Backend) -> None:
    """Proves BR-CAA-10 (requirement trace)."""
    big = run("big.basic.caatestsuite.com", "ca.example", fast)
    assert len(big.records) == 1001 and big.status.value == "insecure"
    cname = run("sub1.cname-deny.basic.caatestsuite.com", "ca.example", fast)
    assert [lk.qname.to_text() for lk in cname.lookups] == [
        "sub1.cname-deny.basic.caatestsuite.com.", "cname-deny.basic.caatestsuite.com."]
    assert cname.relevant_domain == "cname-deny.basic.caatestsuite.com."
    assert cname.lookups[-1].owner == dns.name.from_text("deny.basic.caatestsuite.com.")
    dname = run("dname-permit.deny.basic.caatestsuite.com", "ca.example", fast)
    assert dname.relevant_domain == "deny.basic.caatestsuite.com."  # RFC 8659: not the target
    xss = run("xss.caatestsuite.com", "ca.example", fast)
    assert xss.outcome.reason is DecisionReason.EMPTY_ISSUER
    assert xss.as_json()["records"] == [
        {"flags": 0, "tag": "issue", "value": "<script>alert('Wheeeeee')</script>"}]
    none = run("auto-www-san.caatestsuite.com", "ca.example", fast)
    assert [lk.qname.to_text() for lk in none.lookups] == [
        "auto-www-san.caatestsuite.com.", "caatestsuite.com.", "com."]
    assert [lk.status.value for lk in none.lookups] == ["insecure", "insecure", "secure"]


def test_lab_copy_keeps_upstreams_caa_records() -> None:
    """generate.sh changes addresses and keys only: every CAA RRset of upstream's
    caatestsuite.com zone file is in the served copy, record for record."""
    origin = dns.name.from_text("caatestsuite.com.")

    def caa_of(text: str) -> Counter[tuple[str, str]]:
        return Counter((n.to_text(), r.to_text()) for n, _, r in
                       parse_records(io.StringIO(text), origin) if int(r.rdtype) == CAA)

    upstream = caa_of(read_text(vector_path("caatestsuite", "zones", "caatestsuite.com.")))
    served = caa_of(read_text(vector_path("caatestsuite", "lab", "zones",
                                          "caatestsuite.com.zone")))
    assert upstream == served and sum(upstream.values()) == 1001 + 13
