"""Tampering with a bundle's chain never goes unnoticed (issue 9).

One representative secure bundle — nosuch.hashed.test. A: a signed NXDOMAIN with its NSEC3
closest-encloser proof and the DS/DNSKEY chain from the root — is changed one octet at a time,
at every octet of its chain (bounded: one bundle, fast backend, memoised verifications):

* every octet XOR 0x01 (owner names, TYPE, CLASS, TTL, RDLENGTH, RDATA, RRSIG RDATA) and, for
  every ASCII letter, XOR 0x20 (the case of a name: not signed, RFC 4034 §6.2, so the bundle's
  canonical form fixes it) — each must fail verification with a precise, one-line reason;
* the TTL field is not covered by a signature (RFC 4034 §3.1.4, RFC 4035 §5.3.3), so a changed
  TTL is refused by the canonical-form check, never accepted;
* truncation anywhere, re-ordering of RRsets, of RRs in an RRset or of an RRSIG, fail.
"""

from __future__ import annotations

import io
import json
import random
import struct
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from dnssec_core import cli
from dnssec_core.crypto import get_backend
from dnssec_core.evidence.bundle import Bundle, loads
from dnssec_core.evidence.chain import decode_chain, encode_chain
from dnssec_core.evidence.minimize import MemoBackend
from dnssec_core.evidence.verify import Report, verify_bundle
from tests.chain.lab import anchors
from tests.evidence.test_bundle import query_bytes
from tests.evidence.test_minimal import rr_spans
from vectors import vector_path

QNAME = "nosuch.hashed.test."
ANCHOR = str(vector_path("demo", "root-anchor.txt"))
#: Envelope fields describing the producer, not re-checked: the software string, the backend
#: it used, and the anchors it names (the verifier uses its own and reports a difference).
INFORMATIONAL = {"software", "crypto", "trust_anchor"}
PREFIX = f"proof 0 (query {QNAME} A): "


def _bundle() -> Bundle:
    return loads(query_bytes(QNAME, "A"))


def _verify(bundle: Bundle, chain: bytes, backend: MemoBackend) -> Report:
    changed = replace(bundle, proofs=(replace(bundle.proofs[0], chain=chain),))
    return verify_bundle(changed, anchors=anchors(), backend=backend)


def _fields(chain: bytes) -> dict[int, str]:
    """The RR field of every octet: owner, type, class, ttl, rdlength, rdata, rrsig."""
    where: dict[int, str] = {}
    for start, end in rr_spans(chain):
        offset = start
        while chain[offset]:
            offset += 1 + chain[offset]
        offset += 1
        for i in range(start, offset):
            where[i] = "owner"
        (rdtype,) = struct.unpack_from("!H", chain, offset)
        for i, name in zip(range(offset, offset + 10), ["type"] * 2 + ["class"] * 2 +
                           ["ttl"] * 4 + ["rdlength"] * 2, strict=True):
            where[i] = name
        for i in range(offset + 10, end):
            where[i] = "rrsig" if rdtype == 46 else "rdata"
    return where


def test_the_representative_bundle_is_secure_and_reproduces() -> None:
    bundle = _bundle()
    assert (bundle.proofs[0].status, bundle.proofs[0].rcode) == ("secure", "NXDOMAIN")
    types = {s.rdtype for s in decode_chain(bundle.proofs[0].chain)}
    assert {43, 48, 50} <= types  # DS, DNSKEY, NSEC3
    assert 6 not in types  # the engine checks an SOA if present but needs none: minimised
    assert verify_bundle(bundle, anchors=anchors(), backend=get_backend("fast")).reproduced


def test_every_single_octet_change_fails_with_a_precise_reason_VAL_CANON_01() -> None:
    bundle = _bundle()
    chain = bundle.proofs[0].chain
    fields = _fields(chain)
    assert len(fields) == len(chain)
    backend = MemoBackend(get_backend("fast"))
    tried: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for offset, octet in enumerate(chain):
        flips = [0x01] + ([0x20] if chr(octet).isalpha() else [])
        for flip in flips:
            tampered = chain[:offset] + bytes((octet ^ flip,)) + chain[offset + 1 :]
            report = _verify(bundle, tampered, backend)
            field = fields[offset]
            assert not report.reproduced, (offset, field, flip)
            reason = report.reason
            assert reason.startswith(PREFIX) and "\n" not in reason, (offset, reason)
            assert len(reason) > len(PREFIX) + 10
            verified = report.proofs[0].verified
            assert verified is None or verified["status"] != "secure", (offset, field)
            tried[field] += 1
            if field == "ttl":
                assert "TTL" in reason, reason  # RRset TTLs differ, or not the Original TTL
            if field == "class":
                assert "is not IN" in reason, reason
            if flip == 0x20 and field == "owner":
                assert "canonical (lower) case" in reason, reason
            reasons[reason[len(PREFIX):].split(":")[0].split(" ")[0]] += 1
    assert set(tried) == {"owner", "type", "class", "ttl", "rdlength", "rdata", "rrsig"}
    assert sum(tried.values()) >= len(chain)
    # the kinds of reason seen: decoding, canonical form, and re-validation mismatches
    assert reasons["chain"] > 0 and reasons["status"] > 0


def test_changing_the_ttl_is_refused_explicitly_VAL_TTL_01() -> None:
    bundle = _bundle()
    rrsets = list(decode_chain(bundle.proofs[0].chain))
    first = rrsets[0]
    rrsets[0] = replace(first, rrset=replace(first.rrset, ttl=first.rrset.ttl - 1))
    report = verify_bundle(replace(bundle, proofs=(replace(bundle.proofs[0],
                                                           chain=encode_chain(rrsets)),)),
                           anchors=anchors(), backend=get_backend("fast"))
    assert not report.reproduced
    assert report.reason == (
        f"{PREFIX}. DNSKEY has TTL {first.rrset.ttl - 1}, not its RRSIG Original TTL "
        f"{first.rrset.ttl} (the TTL is not signed, RFC 4034 §3.1.4; bundles fix it)"
    )


def test_truncation_fails_everywhere() -> None:
    bundle = _bundle()
    chain = bundle.proofs[0].chain
    backend = MemoBackend(get_backend("fast"))
    cuts = sorted({end for _, end in rr_spans(chain)[:-1]} | set(range(0, len(chain), 7)))
    for cut in cuts:
        report = _verify(bundle, chain[:cut], backend)
        assert not report.reproduced, cut
        assert report.reason.startswith(PREFIX)
    assert len(cuts) > len(chain) // 7


def test_reordered_rrsets_fail() -> None:
    bundle = _bundle()
    rrsets = list(decode_chain(bundle.proofs[0].chain))
    backend = MemoBackend(get_backend("fast"))
    for index in range(len(rrsets) - 1):
        swapped = [*rrsets[:index], rrsets[index + 1], rrsets[index], *rrsets[index + 2:]]
        report = _verify(bundle, encode_chain(swapped), backend)
        assert not report.reproduced
        assert report.reason.startswith(f"{PREFIX}chain not in canonical order: ")


def test_reordered_rrs_in_an_rrset_fail() -> None:
    bundle = _bundle()
    rrsets = list(decode_chain(bundle.proofs[0].chain))
    index = next(i for i, s in enumerate(rrsets) if len(s.rrset.rdatas) > 1)
    signed = rrsets[index]
    rrsets[index] = replace(signed, rrset=replace(signed.rrset,
                                                  rdatas=signed.rrset.rdatas[::-1]))
    report = _verify(bundle, encode_chain(rrsets), MemoBackend(get_backend("fast")))
    assert not report.reproduced
    assert report.reason.endswith("RRs not in canonical RDATA order (RFC 4034 §6.3)")


def test_rrsig_moved_before_its_rrset_fails() -> None:
    bundle = _bundle()
    chain = bundle.proofs[0].chain
    spans = rr_spans(chain)
    (a_start, a_end), (s_start, s_end) = spans[-2], spans[-1]  # the last RR and its RRSIG
    moved = chain[:a_start] + chain[s_start:s_end] + chain[a_start:a_end]
    assert len(moved) == len(chain) and moved != chain
    report = _verify(bundle, moved, MemoBackend(get_backend("fast")))
    assert not report.reproduced
    assert "not in canonical form" in report.reason


@pytest.mark.parametrize("extra", [b"\x00", b"\x00\x00\x01\x00\x01\x00\x00\x00\x00\x00\x00"])
def test_trailing_octets_fail(extra: bytes) -> None:
    bundle = _bundle()
    report = _verify(bundle, bundle.proofs[0].chain + extra, MemoBackend(get_backend("fast")))
    assert not report.reproduced and report.reason.startswith(f"{PREFIX}chain ")


def test_random_edits_of_the_file_never_crash_the_cli(tmp_path: Path) -> None:
    """Seeded random octet edits anywhere in the bundle file (JSON, base64, strings): always
    exit 1 or 2 with a reason, never a traceback, never 'reproduced' (SEC-PARSE-01)."""
    data = query_bytes(QNAME, "A")
    rng = random.Random(9102)
    path = tmp_path / "b.json"
    exits: Counter[int] = Counter()
    for _ in range(300):
        edited = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            edited[rng.randrange(len(edited))] = rng.randrange(256)
        if bytes(edited) == data:
            continue
        path.write_bytes(bytes(edited))
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(["verify-evidence", str(path), "--trust-anchor", ANCHOR, "--json"],
                        out=out, err=err)
        exits[code] += 1
        if code == 0:  # only edits of what the proofs do not rest on may reproduce
            before, after = json.loads(data), json.loads(bytes(edited))
            changed = {key for key in before if before[key] != after[key]}
            assert changed <= INFORMATIONAL, changed
            continue
        assert code in (1, 2)
        if code == 1:
            got = json.loads(out.getvalue())
            assert got["reproduced"] is False and got["reason"]
        else:
            assert out.getvalue() == "" and err.getvalue().count("\n") == 1
    assert exits[1] > 0 and exits[2] > 0
