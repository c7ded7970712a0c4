"""RFC 9102 chains of other implementations, read and re-written (issue 9, "Interoperability").

vectors/dnssec-prover holds dnssec-prover's test chains (MIT/Apache-2.0): real records signed
by the IANA root and below, and RFC 9102's own AuthenticationChain example as its original hex
octets.  Each chain is decoded with ``decode_chain`` and validated by ``validate_pool`` — the
unchanged engine over those records only — at the chain's recorded time against its root
anchor; the expected outcome of each is dnssec-prover's (vectors/dnssec-prover/README.md,
parsed by tests/chain/test_real_chains.py, with the two documented RFC-over-prover cases).

Writer compatibility: ``encode_chain(decode_chain(data)) == data`` for every chain, as
dnssec-prover serialises it (every RR with TTL 1, its ``write_rr`` order: each RRset's RRs,
then its RRSIGs) and with the records' own TTLs, and for RFC 9102's hex example byte for byte.
And the other way: vectors/dnssec-prover/written holds 16 demo-world chains written by
``encode_chain`` that dnssec-prover parsed and re-wrote octet for octet (its README); each
decodes, re-encodes identically and validates to the verdict recorded with it.
"""

from __future__ import annotations

import io
import json
import re
import struct
from pathlib import Path
from typing import Any

import dns.name
import dns.rdatatype
import pytest

from dnssec_core.chain.anchors import TrustAnchors, builtin_root_anchors, parse_anchors
from dnssec_core.chain.engine import Validator
from dnssec_core.crypto import Backend
from dnssec_core.evidence.chain import decode_chain, encode_chain
from dnssec_core.evidence.pool import validate_pool
from dnssec_core.verdict import Status
from dnssec_core.wire.name import names_equal
from dnssec_core.zone.reader import parse_records, rdata_wire
from tests.chain.test_real_chains import CASES, CHAINS, RFC_OVERRIDES
from vectors import vector_path

HEX = CHAINS / "rfc9102_test_vector_tlsa.hex"


def stream(path: Path, *, ttl: int | None) -> bytes:
    """The chain as RRs back to back in the file's order (uncompressed, class IN); every TTL
    set to ``ttl`` (dnssec-prover writes 1) or, with None, the record's own."""
    out = []
    for name, own_ttl, rdata in parse_records(io.StringIO(path.read_text())):
        wire = rdata_wire(rdata)
        rr_ttl = own_ttl if ttl is None else ttl
        owner = name.to_wire()
        assert owner is not None  # no file given: dnspython returns the octets
        out.append(owner + struct.pack("!HHIH", rdata.rdtype, 1, rr_ttl, len(wire))
                   + wire)
    return b"".join(out)


def anchors_for(file: str) -> TrustAnchors:
    if not file.startswith("rfc9102"):
        return builtin_root_anchors()
    found = re.search(r"(\. IN DS 47005 13 2 [0-9a-f]{64})", (CHAINS / file).read_text())
    assert found is not None
    return parse_anchors(found.group(1).encode() + b"\n", source="rfc9102", now=None)


def test_every_chain_is_counted() -> None:
    assert len(CASES) == 22
    assert sum(valid or file in RFC_OVERRIDES for file, *_, valid in CASES) == 12


@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
@pytest.mark.parametrize("ttl", [1, None], ids=["ttl-1", "own-ttl"])
def test_chain_decodes_validates_and_re_encodes_identically_VAL_CHAIN_01(
        case: tuple[str, int, str, str, bool], ttl: int | None, fast: Backend) -> None:
    file, when, qname, qtype, valid = case
    data = stream(CHAINS / file, ttl=ttl)
    rrsets = decode_chain(data)
    assert encode_chain(rrsets) == data
    name, rdtype = dns.name.from_text(qname), dns.rdatatype.from_text(qtype)
    result = validate_pool(rrsets, name, rdtype, validator=Validator(anchors_for(file),
                                                                     backend=fast), now=when)
    if valid or file in RFC_OVERRIDES:
        assert result.status is Status.SECURE, result.verdict
        assert any(s.rdtype == rdtype for s in result.answer)
        assert names_equal(result.answer[-1].owner, name)
    else:
        assert result.status is Status.BOGUS, result.verdict


def test_rfc9102_example_octets_round_trip_and_validate(backend: Backend) -> None:
    data = bytes.fromhex(re.sub(r"\s", "", HEX.read_text()))
    assert len(data) == 1566
    rrsets = decode_chain(data)
    assert [(s.owner.to_text(), s.rdtype) for s in rrsets] == [
        ("_443._tcp.www.example.com.", 52), ("example.com.", 48), ("example.com.", 43),
        ("com.", 48), ("com.", 43), (".", 48)]
    assert encode_chain(rrsets) == data
    assert data == stream(CHAINS / "rfc9102_test_vector_tlsa.zone", ttl=None)
    result = validate_pool(rrsets, dns.name.from_text("_443._tcp.www.example.com."), 52,
                           validator=Validator(anchors_for(HEX.with_suffix(".zone").name),
                                               backend=backend),
                           now=1543366800)
    assert result.status is Status.SECURE, result.verdict
    (tlsa,) = result.answer
    assert tlsa.rrset.rdatas[0][:3] == b"\x03\x01\x01"


def test_a_chain_outside_its_validity_window_is_bogus(fast: Backend) -> None:
    rrsets = decode_chain(stream(CHAINS / "single_txt_proof.zone", ttl=1))
    name = dns.name.from_text("matt.user._bitcoin-payment.mattcorallo.com.")
    for now, ede in ((1709050850 + 30 * 86400, 7), (1709050850 - 30 * 86400, 8)):
        result = validate_pool(rrsets, name, 16, validator=Validator(builtin_root_anchors(),
                                                                     backend=fast), now=now)
        assert result.status is Status.BOGUS
        assert result.verdict.ede == ede


# -- chains we wrote, as dnssec-prover re-wrote them (vectors/dnssec-prover/written) ----------

WRITTEN = json.loads(vector_path("dnssec-prover", "written", "chains.json").read_text())


def test_every_written_chain_is_counted() -> None:
    assert len(WRITTEN["chains"]) == 16
    assert sum(c["rrs"] for c in WRITTEN["chains"]) == 240
    assert {c["expect_status"] for c in WRITTEN["chains"]} == {"secure", "insecure", "bogus"}


@pytest.mark.parametrize("entry", WRITTEN["chains"], ids=lambda c: f"{c['qname']}/{c['qtype']}")
def test_chain_as_dnssec_prover_writes_it_decodes_and_validates(entry: dict[str, Any],
                                                                fast: Backend) -> None:
    data = bytes.fromhex(entry["chain"])
    rrsets = decode_chain(data)
    assert sum(len(s.rrset.rdatas) + len(s.rrsigs) for s in rrsets) == entry["rrs"]
    assert encode_chain(rrsets) == data
    anchors = parse_anchors(WRITTEN["anchor"].encode() + b"\n", source="demo", now=None)
    result = validate_pool(rrsets, dns.name.from_text(entry["qname"]),
                           dns.rdatatype.from_text(entry["qtype"]),
                           validator=Validator(anchors, backend=fast), now=WRITTEN["now"])
    got = result.as_json()
    assert (got["status"], got["rcode"], got["reason"], got["ede"]) == (
        entry["expect_status"], entry["expect_rcode"], entry["expect_reason"],
        entry["expect_ede"])
