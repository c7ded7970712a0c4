"""Evidence bundles (issue 9, BR-LOG-03): round trips over every demo-world case, determinism,
the envelope's strict parsing and atomic writing.

Also the helpers the other ``tests/evidence/test_*`` modules of bundles use: a bundle of one
``query`` or CAA check made through the in-process lab (no sockets).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import dns.name
import dns.rdatatype
import pytest

from dnssec_core.caa.check import CaaCheck, CaaRequest, check_caa
from dnssec_core.caa.domain import parse_domain
from dnssec_core.chain.engine import Result, Validator
from dnssec_core.crypto import Backend, get_backend
from dnssec_core.driver import Transport, resolve
from dnssec_core.evidence.bundle import (
    FORMAT,
    Bundle,
    BundleError,
    bundle_digest,
    dumps,
    loads,
    write_atomic,
)
from dnssec_core.evidence.record import RecordingTransport, caa_bundle, query_bundle
from dnssec_core.evidence.verify import verify_bundle
from dnssec_core.timeutil import format_time
from tests.chain.lab import NOW, anchors, lab, world

CASES: list[dict[str, Any]] = world()["cases"]
CAA_CASES: list[dict[str, Any]] = world()["caa_cases"]


def make_query(qname: str, qtype: str, backend: Backend | None = None, *, now: int = NOW,
               transport: Transport | None = None) -> tuple[Result, Bundle, list[str]]:
    """Resolve through the lab with a recording transport and bundle the result."""
    backend = backend or get_backend("fast")
    recorder = RecordingTransport(transport or lab())
    result = resolve(Validator(anchors(), backend=backend), recorder,
                     dns.name.from_text(qname), dns.rdatatype.from_text(qtype), now=now)
    bundle, warnings = query_bundle(result, recorder, anchors=anchors(), backend=backend,
                                    now=now)
    return result, bundle, warnings


def make_caa(request: CaaRequest, backend: Backend | None = None, *, now: int = NOW,
             transport: Transport | None = None) -> tuple[CaaCheck, Bundle, list[str]]:
    backend = backend or get_backend("fast")
    recorder = RecordingTransport(transport or lab())
    check = check_caa(request, Validator(anchors(), backend=backend), recorder, now=now)
    bundle, warnings = caa_bundle(check, recorder, anchors=anchors(), backend=backend, now=now)
    return check, bundle, warnings


@cache
def query_bytes(qname: str, qtype: str) -> bytes:
    """The bundle file bytes of one demo question (fast backend, at NOW), cached."""
    return dumps(make_query(qname, qtype)[1])


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['qname']}-{case['qtype']}"


# -- round trips (issue 9: every lab and demo case, fast, pure and cross) -------------------


def test_demo_case_counts() -> None:
    assert len(CASES) == 43
    assert len(CAA_CASES) == 21


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_query_bundle_round_trip_every_backend_BR_LOG_03(case: dict[str, Any]) -> None:
    """Bundled with fast, re-verified offline with fast, pure and cross: same verdict."""
    result, bundle, warnings = make_query(case["qname"], case["qtype"])
    assert warnings == []
    parsed = loads(dumps(bundle))
    assert parsed == bundle
    proof = parsed.proofs[0]
    assert (proof.status, proof.rcode) == (case["expect_status"], case["expect_rcode"])
    assert proof.status == result.verdict.status.value
    for name in ("fast", "pure", "cross"):
        report = verify_bundle(parsed, anchors=anchors(), backend=get_backend(name))
        assert report.reproduced, (name, report.reason)
        assert report.proofs[0].verified == proof.outcome()


def test_query_bundles_made_with_pure_and_cross_are_identical_to_fast() -> None:
    """The backend only verifies: the chain and outcome do not depend on it (counted subset:
    one case per algorithm and denial kind)."""
    subset = ["www.secure.test.", "nosuch.hashed.test.", "www.ed448.test.",
              "www.rsasha512.test.", "www.p384.test.", "www.bogus.test."]
    ran = 0
    for qname in subset:
        fast = make_query(qname, "A")[1]
        for name in ("pure", "cross"):
            other = make_query(qname, "A", get_backend(name))[1]
            assert other.crypto == name
            assert replace(other, crypto="fast") == fast, (qname, name)
            ran += 1
    assert ran == 12


@pytest.mark.parametrize(
    "case", CAA_CASES, ids=lambda c: f"{c['domain']}-{c['issuer']}-{c['expect_decision']}"
)
def test_caa_bundle_round_trip(case: dict[str, Any]) -> None:
    request = CaaRequest(parse_domain(case["domain"]), (case["issuer"],))
    check, bundle, warnings = make_caa(request)
    assert warnings == []
    assert check.as_json()["decision"] == case["expect_decision"]
    parsed = loads(dumps(bundle))
    assert parsed.caa is not None and parsed.caa.decision == case["expect_decision"]
    assert [p.qname for p in parsed.proofs if p.role == "lookup"] == [
        lookup.qname.to_text() for lookup in check.lookups
    ]
    for name in ("fast", "pure", "cross"):
        report = verify_bundle(parsed, anchors=anchors(), backend=get_backend(name))
        assert report.reproduced, (name, report.reason)
        assert report.decision is not None and report.decision["match"]
        assert report.decision["verified"]["decision"] == case["expect_decision"]


# -- determinism --------------------------------------------------------------------------


def test_same_inputs_give_byte_identical_bundles_SEC_TIME_01() -> None:
    """Proves VAL-STAT-06 (requirement trace)."""
    first = dumps(make_query("nosuch.hashed.test.", "A")[1])
    second = dumps(make_query("nosuch.hashed.test.", "A")[1])
    assert first == second
    request = CaaRequest(parse_domain("www.secure.test"), ("ca.example",))
    assert dumps(make_caa(request)[1]) == dumps(make_caa(request)[1])


def test_serialisation_is_sorted_compact_with_newline() -> None:
    data = query_bytes("www.secure.test.", "A")
    assert data.endswith(b"}\n") and data.count(b"\n") == 1
    obj = json.loads(data)
    assert data == (json.dumps(obj, sort_keys=True, separators=(",", ":")) + "\n").encode()
    assert obj["format"] == FORMAT and obj["kind"] == "query" and obj["now"] == NOW
    assert obj["validated_at"] == format_time(NOW) == "2026-12-01T00:00:00Z"
    assert obj["software"].startswith("dnssec-core ") and obj["crypto"] == "fast"
    assert obj["trust_anchor"] == [a for a in obj["trust_anchor"] if " DS " in a]
    assert obj["caa"] is None and obj["failures"] == [] and len(obj["proofs"]) == 1


def test_digest_is_sha256_of_file_bytes() -> None:
    import hashlib

    data = query_bytes("www.secure.test.", "A")
    assert bundle_digest(data) == hashlib.sha256(data).hexdigest()


# -- strict envelope parsing --------------------------------------------------------------


def _edited(change: Callable[[dict[str, Any]], object]) -> bytes:
    obj = json.loads(query_bytes("www.secure.test.", "A"))
    change(obj)
    return json.dumps(obj).encode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda o: o.update(format="dnssec-core-evidence/2"), "format is"),
        (lambda o: o.update(extra=1), "unknown key(s) extra"),
        (lambda o: o.pop("now"), "missing key(s) now"),
        (lambda o: o.update(now="1796083200"), "now is not an integer"),
        (lambda o: o.update(now=True), "now is not an integer"),
        (lambda o: o.update(validated_at="2026-12-01T00:00:01Z"), "validated_at"),
        (lambda o: o.update(kind="zone"), "kind is 'zone'"),
        (lambda o: o.update(proofs=[]), "no proofs"),
        (lambda o: o.update(trust_anchor=[]), "trust_anchor is empty"),
        (lambda o: o["proofs"][0].update(chain="not base64!"), "chain is not base64"),
        (lambda o: o["proofs"][0].update(chain="AAF="), "chain is not in canonical base64"),
        (lambda o: o["proofs"][0].update(chain="AAE"), "chain is not base64"),
        (lambda o: o["proofs"][0].update(status="fine"), "status is 'fine'"),
        (lambda o: o["proofs"][0].update(ede="7"), "ede is not an integer"),
        (lambda o: o["proofs"][0].update(role="probe"), "a probe has qtype and rcode null"),
        (lambda o: o["proofs"][0].pop("answer"), "missing key(s) answer"),
        (lambda o: o.update(caa={}), "caa null"),
        (lambda o: o.update(failures=[{"qname": "x."}]), "failure: missing key(s)"),
        (lambda o: o.update(rcodes=[{"qname": "x.", "qtype": "A", "rcode": "SERVFAIL"}]),
         "rcode is 'SERVFAIL'"),
    ],
)
def test_envelope_is_parsed_strictly_SEC_PARSE_01(change: Callable[[dict[str, Any]], object],
                                                  message: str) -> None:
    with pytest.raises(BundleError) as info:
        loads(_edited(change))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[]", "bundle is not a JSON object"),
        (b'{"format": 1, "format": 2}', "duplicate key 'format'"),
        (b'{"now": NaN}', "NaN is not a JSON number"),
    ],
)
def test_unreadable_bytes(data: bytes, message: str) -> None:
    with pytest.raises(BundleError) as info:
        loads(data)
    assert message in str(info.value)


def test_truncated_file_is_unreadable() -> None:
    data = query_bytes("www.secure.test.", "A")
    for cut in (1, len(data) // 3, len(data) // 2, len(data) - 3):
        with pytest.raises(BundleError, match="not JSON"):
            loads(data[:cut])


# -- atomic writing -----------------------------------------------------------------------


def test_write_atomic_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "bundle.json"
    target.write_bytes(b"old")
    data = query_bytes("www.secure.test.", "A")
    write_atomic(str(target), data)
    assert target.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.json"]


def test_write_atomic_failure_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "bundle.json"
    target.write_bytes(b"old")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space"):
        write_atomic(str(target), b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.json"]
