"""Bundles are minimal and canonical (issue 9): every RR of a proof's chain is needed.

For every demo-world question: removing any one RR (an RDATA of an RRset, or one RRSIG) from
a secure proof's chain makes it fail verification; removing any one whole RRset changes the
outcome of every proof, whatever its status; chains are in the canonical order the verifier
requires; and a minimal chain is (much) smaller than what the resolution recorded.
"""

from __future__ import annotations

import struct
from dataclasses import replace
from typing import Any

import dns.name
import dns.rdatatype
import pytest

from dnssec_core.chain.engine import Validator
from dnssec_core.crypto import get_backend
from dnssec_core.driver import resolve
from dnssec_core.evidence.bundle import Bundle, loads
from dnssec_core.evidence.chain import decode_chain, encode_chain
from dnssec_core.evidence.minimize import MemoBackend, canonical_chain, order_key
from dnssec_core.evidence.record import RecordingTransport
from dnssec_core.evidence.verify import verify_bundle
from dnssec_core.verdict import Status
from tests.chain.lab import NOW, anchors, lab
from tests.evidence.test_bundle import CASES, make_query, query_bytes


def rr_spans(chain: bytes) -> list[tuple[int, int]]:
    """(start, end) of every RR in an RFC 9102 chain (uncompressed names, RFC 1035 §4.1.3)."""
    spans = []
    offset = 0
    while offset < len(chain):
        start = offset
        while chain[offset]:
            offset += 1 + chain[offset]
        offset += 1
        (rdlength,) = struct.unpack_from("!H", chain, offset + 8)
        offset += 10 + rdlength
        spans.append((start, offset))
    return spans


def with_chain(bundle: Bundle, chain: bytes) -> Bundle:
    return replace(bundle, proofs=(replace(bundle.proofs[0], chain=chain),))


def _bundle(case: dict[str, Any]) -> Bundle:
    return loads(query_bytes(case["qname"], case["qtype"]))


SECURE = [c for c in CASES if c["expect_status"] == Status.SECURE.value]


def test_secure_case_count() -> None:
    assert len(SECURE) == 31


@pytest.mark.parametrize("case", SECURE, ids=lambda c: f"{c['qname']}-{c['qtype']}")
def test_removing_any_rr_breaks_a_secure_proof(case: dict[str, Any]) -> None:
    bundle = _bundle(case)
    chain = bundle.proofs[0].chain
    spans = rr_spans(chain)
    assert len(spans) >= 4  # at least the anchor's DNSKEY + RRSIG and the answer + RRSIG
    backend = get_backend("fast")
    for start, end in spans:
        cut = chain[:start] + chain[end:]
        report = verify_bundle(with_chain(bundle, cut), anchors=anchors(), backend=backend)
        assert not report.reproduced, (case, start)
        verified = report.proofs[0].verified
        assert verified is None or verified["status"] != "secure", (case, start)
        assert report.reason.startswith("proof 0 (query ")


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['qname']}-{c['qtype']}")
def test_removing_any_rrset_changes_every_proof(case: dict[str, Any]) -> None:
    """Minimal for every status: each RRset the chain holds is needed for its outcome."""
    bundle = _bundle(case)
    rrsets = decode_chain(bundle.proofs[0].chain)
    backend = MemoBackend(get_backend("fast"))
    for index in range(len(rrsets)):
        fewer = encode_chain(rrsets[:index] + rrsets[index + 1 :])
        report = verify_bundle(with_chain(bundle, fewer), anchors=anchors(), backend=backend)
        assert not report.reproduced, (case, index, rrsets[index].owner)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['qname']}-{c['qtype']}")
def test_chain_is_in_canonical_order(case: dict[str, Any]) -> None:
    chain = decode_chain(_bundle(case).proofs[0].chain)
    keys = [order_key(signed) for signed in chain]
    assert keys == sorted(keys)
    assert canonical_chain(chain) == chain
    assert all(signed.owner.to_text() == signed.owner.to_text().lower() for signed in chain)


def test_minimal_chain_of_a_positive_answer() -> None:
    """www.secure.test. A: the root's keys, the DS and keys of each zone down, the answer —
    and nothing else (no NS, no glue, no SOA, a single RRSIG per RRset)."""
    result, bundle, _ = make_query("www.secure.test.", "A")
    chain = decode_chain(bundle.proofs[0].chain)
    assert [(s.owner.to_text(), s.rdtype) for s in chain] == [
        (".", 48), ("test.", 43), ("test.", 48), ("secure.test.", 43),
        ("secure.test.", 48), ("www.secure.test.", 1),
    ]
    assert all(len(s.rrsigs) == 1 for s in chain)
    assert result.queries == 6


def test_minimal_chain_is_smaller_than_what_was_recorded() -> None:
    smaller = []
    for case in CASES:
        recorder = RecordingTransport(lab())
        resolve(Validator(anchors(), backend=get_backend("fast")), recorder,
                dns.name.from_text(case["qname"]), dns.rdatatype.from_text(case["qtype"]),
                now=NOW)
        recorded = sum(len(s.rrset.rdatas) + len(s.rrsigs) for s in recorder.rrsets)
        kept = len(rr_spans(_bundle(case).proofs[0].chain))
        assert kept <= recorded, case
        if kept < recorded:
            smaller.append(case["qname"])
    # The synthesised CNAME beside a DNAME is unsigned and not needed (RFC 6672 §3.3, the
    # engine follows the DNAME); the responses also carry SOA/NS RRsets no proof needs.
    assert "www.dname.secure.test." in smaller
    assert len(smaller) > len(CASES) // 3
