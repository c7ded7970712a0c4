"""verify_bundle (issue 9): a bundle is accepted only if it proves exactly what it claims.

Recorded outcomes edited, CAA decisions and requests edited, the wrong trust anchor, a time
outside the signatures' validity (EDE 7 / 8), and the BR 3.2.2.8 lookup-failure path whose
transport failures are replayed (and reported as unprovable) while its zone probe re-proves.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypedDict, Unpack

import dns.name
import pytest

from dnssec_core.caa.check import CaaRequest
from dnssec_core.caa.domain import parse_domain
from dnssec_core.chain.anchors import builtin_root_anchors
from dnssec_core.chain.types import FailureKind, LookupFailure, Query
from dnssec_core.crypto import get_backend
from dnssec_core.evidence.bundle import Bundle, BundleError, RecordedFailure, dumps, loads
from dnssec_core.evidence.chain import decode_chain
from dnssec_core.evidence.verify import verify_bundle
from dnssec_core.wire.name import is_subdomain
from tests.chain.lab import anchors, lab
from tests.evidence.test_bundle import make_caa, make_query, query_bytes

FAST = get_backend("fast")
UNSIGNED = dns.name.from_text("unsigned.test.")
CAA = 257


def _query(qname: str = "www.secure.test.", qtype: str = "A") -> Bundle:
    return loads(query_bytes(qname, qtype))


class ProofChanges(TypedDict, total=False):
    """Fields of the first :class:`~dnssec_core.evidence.bundle.Proof` a test rewrites."""

    role: str
    qname: str
    qtype: str | None
    status: str
    rcode: str | None
    reason: str
    ede: int | None
    answer: tuple[str, ...]
    chain: bytes


def _with_proof(bundle: Bundle, **changes: Unpack[ProofChanges]) -> Bundle:
    return replace(bundle, proofs=(replace(bundle.proofs[0], **changes),))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"status": "insecure"}, "status insecure recorded, secure re-verified"),
        ({"rcode": "NXDOMAIN"}, "rcode NXDOMAIN recorded, NOERROR re-verified"),
        ({"reason": "signature-invalid"}, "reason signature-invalid recorded, '' re-verified"),
        ({"ede": 6}, "ede 6 recorded, null re-verified"),
        ({"answer": ("www.secure.test. 3600 IN A 192.0.2.99",)},
         "answer [www.secure.test. 3600 IN A 192.0.2.99] recorded, "
         "[www.secure.test. 3600 IN A 192.0.2.10] re-verified"),
    ],
)
def test_edited_recorded_outcome_does_not_reproduce(changes: ProofChanges,
                                                     expected: str) -> None:
    report = verify_bundle(_with_proof(_query(), **changes), anchors=anchors(), backend=FAST)
    assert not report.reproduced
    assert report.reason == f"proof 0 (query www.secure.test. A): {expected}"


def test_untouched_bundle_reproduces_with_no_notes() -> None:
    report = verify_bundle(_query(), anchors=anchors(), backend=FAST)
    assert report.reproduced and report.reason == "" and report.notes == []
    assert report.proofs[0].match and report.decision is None


def test_another_question_for_the_same_chain_does_not_reproduce() -> None:
    report = verify_bundle(_with_proof(_query(), qname="mail.secure.test."),
                           anchors=anchors(), backend=FAST)
    assert not report.reproduced
    assert "status secure recorded" in report.reason


def test_wrong_trust_anchor_does_not_reproduce() -> None:
    """The IANA root anchors do not validate the demo world's root: the bundle's anchor is
    not trusted just because the bundle names it."""
    report = verify_bundle(_query(), anchors=builtin_root_anchors(), backend=FAST)
    assert not report.reproduced
    assert "bogus re-verified" in report.reason and "no-dnskey-matches-ds" in report.reason


def _validity(bundle: Bundle) -> tuple[int, int]:
    sigs = [s for signed in decode_chain(bundle.proofs[0].chain) for s in signed.rrsigs]
    return max(s.inception for s in sigs), min(s.expiration for s in sigs)


def test_after_expiration_is_bogus_EDE_7() -> None:
    bundle = _query()
    _, expiration = _validity(bundle)
    report = verify_bundle(bundle, anchors=anchors(), backend=FAST, now=expiration + 1)
    assert not report.reproduced
    verified = report.proofs[0].verified
    assert verified is not None
    assert (verified["status"], verified["ede"]) == ("bogus", 7)
    assert "ede null recorded, 7 re-verified" in report.reason
    assert report.now == expiration + 1


def test_before_inception_is_bogus_EDE_8() -> None:
    bundle = _query()
    inception, _ = _validity(bundle)
    report = verify_bundle(bundle, anchors=anchors(), backend=FAST, now=inception - 1)
    verified = report.proofs[0].verified
    assert verified is not None and (verified["status"], verified["ede"]) == ("bogus", 8)
    assert not report.reproduced


def test_recorded_time_inside_validity_reproduces_at_its_edges() -> None:
    bundle = _query()
    inception, expiration = _validity(bundle)
    for at in (inception, expiration):
        assert verify_bundle(bundle, anchors=anchors(), backend=FAST, now=at).reproduced


def test_bogus_and_insecure_proofs_reproduce_their_reason_and_ede() -> None:
    for qname, status, ede in (("www.bogus.test.", "bogus", 6), ("www.expired.test.", "bogus", 7),
                               ("www.notyet.test.", "bogus", 8),
                               ("www.unsigned.test.", "insecure", None)):
        bundle = _query(qname)
        assert (bundle.proofs[0].status, bundle.proofs[0].ede) == (status, ede)
        report = verify_bundle(bundle, anchors=anchors(), backend=FAST)
        assert report.reproduced, (qname, report.reason)
        tampered = _with_proof(bundle, status="secure", reason="", ede=None)
        assert not verify_bundle(tampered, anchors=anchors(), backend=FAST).reproduced


# -- CAA ------------------------------------------------------------------------------------


def _caa(domain: str = "www.secure.test", issuer: str = "ca.example") -> Bundle:
    return loads(dumps(make_caa(CaaRequest(parse_domain(domain), (issuer,)))[1]))


def test_caa_edited_decision_does_not_reproduce() -> None:
    bundle = _caa()
    assert bundle.caa is not None
    edited = replace(bundle, caa=replace(bundle.caa, decision="denied"))
    report = verify_bundle(edited, anchors=anchors(), backend=FAST)
    assert not report.reproduced
    assert report.reason == "caa decision: decision denied recorded, permitted recomputed"
    assert report.decision is not None and not report.decision["match"]


def test_caa_edited_request_does_not_reproduce() -> None:
    """Another issuer domain: the recorded 'permitted' no longer follows from the records."""
    bundle = _caa()
    assert bundle.caa is not None
    request = replace(bundle.caa.request, issuer_domains=("other.example",))
    report = verify_bundle(replace(bundle, caa=replace(bundle.caa, request=request)),
                           anchors=anchors(), backend=FAST)
    assert not report.reproduced
    assert "decision permitted recorded, denied recomputed" in report.reason


def test_caa_missing_lookup_proof_does_not_reproduce() -> None:
    """Dropping the relevant RRset's lookup: the climb can no longer be re-proved."""
    bundle = _caa()
    assert [p.qname for p in bundle.proofs] == ["www.secure.test.", "secure.test."]
    report = verify_bundle(replace(bundle, proofs=bundle.proofs[:1]), anchors=anchors(),
                           backend=FAST)
    assert not report.reproduced
    assert report.reason.startswith("caa decision: ")
    assert "the climb queries ['www.secure.test.', 'secure.test.']" in report.reason


def test_caa_relevant_records_edited_does_not_reproduce() -> None:
    bundle = _caa()
    assert bundle.caa is not None
    edited = replace(bundle, caa=replace(bundle.caa, records=('0 issue "ca.example"',)))
    report = verify_bundle(edited, anchors=anchors(), backend=FAST)
    assert not report.reproduced and "records [" in report.reason


def _timeout_at_unsigned(query: Query, wire: bytes) -> bytes | LookupFailure:
    if query.rdtype == CAA and is_subdomain(query.name, UNSIGNED):
        return LookupFailure(FailureKind.TIMEOUT, "no answer", 2, ("127.0.0.99",))
    return wire


def _failed_caa() -> tuple[object, Bundle]:
    request = CaaRequest(parse_domain("www.unsigned.test"), ("ca.example",),
                         permit_on_lookup_failure=True)
    check, bundle, warnings = make_caa(request, transport=lab(_timeout_at_unsigned))
    assert warnings == []
    return check, loads(dumps(bundle))


def test_lookup_failure_permitted_BR_CAA_07_reproduces_and_says_what_is_unprovable() -> None:
    _, bundle = _failed_caa()
    assert bundle.caa is not None
    assert bundle.caa.decision == "permitted"
    assert bundle.caa.reason.startswith("lookup-failure-permitted: ")
    assert [p.role for p in bundle.proofs] == ["lookup", "probe"]
    probe = bundle.proofs[1]
    assert (probe.qname, probe.qtype, probe.rcode, probe.status) == (
        "www.unsigned.test.", None, None, "insecure")
    assert bundle.failures == (RecordedFailure("www.unsigned.test.", "CAA", "timeout", 2,
                                               ("127.0.0.99",), "no answer"),)
    report = verify_bundle(bundle, anchors=anchors(), backend=FAST)
    assert report.reproduced, report.reason
    assert report.notes == [
        "www.unsigned.test. CAA: timeout after 2 attempt(s) at 127.0.0.99 (no answer) — a "
        "transport failure is replayed as recorded; it cannot be proven offline"
    ]


def test_lookup_failure_permitted_needs_its_zone_probe_to_re_prove() -> None:
    """The probe proving the zone insecure (BR-CAA-07's third condition) must re-verify: a
    probe chain with one RR missing, or no probe, and the decision does not reproduce."""
    _, bundle = _failed_caa()
    lookup, probe = bundle.proofs
    cut = replace(probe, chain=probe.chain[: len(probe.chain) // 2])
    report = verify_bundle(replace(bundle, proofs=(lookup, cut)), anchors=anchors(),
                           backend=FAST)
    assert not report.reproduced
    assert report.reason.startswith("proof 1 (probe www.unsigned.test. zone status): chain ")
    no_probe = verify_bundle(replace(bundle, proofs=(lookup,)), anchors=anchors(), backend=FAST)
    assert not no_probe.reproduced
    assert "lookup-failure-permitted" in no_probe.reason
    assert "recomputed" in no_probe.reason


def test_forged_failure_kind_does_not_permit() -> None:
    """Editing the recorded failure into one BR 3.2.2.8 does not list changes the decision."""
    _, bundle = _failed_caa()
    failure = replace(bundle.failures[0], kind="network-error")
    report = verify_bundle(replace(bundle, failures=(failure,)), anchors=anchors(),
                           backend=FAST)
    assert not report.reproduced
    assert "decision permitted recorded, lookup-failure recomputed" in report.reason


def test_unparseable_recorded_failure_is_a_bundle_error() -> None:
    _, bundle = _failed_caa()
    failure = replace(bundle.failures[0], kind="eaten-by-grue")
    with pytest.raises(BundleError, match="unknown kind 'eaten-by-grue'"):
        verify_bundle(replace(bundle, failures=(failure,)), anchors=anchors(), backend=FAST)


def test_query_with_transport_failure_reproduces_as_indeterminate() -> None:
    result, bundle, warnings = make_query("www.unsigned.test.", "CAA",
                                          transport=lab(_timeout_at_unsigned))
    assert warnings == []
    assert result.verdict.status.value == "indeterminate"
    parsed = loads(dumps(bundle))
    assert (parsed.proofs[0].status, parsed.proofs[0].reason) == ("indeterminate",
                                                                    "lookup-failed")
    report = verify_bundle(parsed, anchors=anchors(), backend=FAST)
    assert report.reproduced and len(report.notes) == 1
    # Without the recorded failure the evidence simply lacks that answer: offline it is a
    # lookup failure too (kind lame-delegation, which never permits: see the CAA tests).
    dropped = verify_bundle(replace(parsed, failures=()), anchors=anchors(), backend=FAST)
    assert dropped.reproduced and dropped.notes == []
    assert dropped.proofs[0].detail.startswith("www.unsigned.test.: lame-delegation")
