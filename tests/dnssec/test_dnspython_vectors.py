"""dnspython's DNSSEC test data (vectors/dnspython/, ISC licence): 20 signature cases, 5 DS.

Algorithms 1 (RSAMD5), 3 (DSA), 12 (GOST) and 100 are unsupported here (VAL-ALG-03), so their
cases must come out bogus with reason unsupported-algorithm whatever dnspython's permissive
policy said; every other case must match dnspython's result.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import dns.rdatatype as T
import pytest

from dnssec_core.crypto import Backend
from dnssec_core.dnssec.ds import ds_digest
from dnssec_core.dnssec.records import DNSKEY, DS, RRSIG
from dnssec_core.dnssec.rrsig import ZoneKeys, verify_rrset
from dnssec_core.verdict import Reason, Status
from dnssec_core.wire.rrset import RRset
from dnssec_core.zone.reader import parse_records, rdata_wire
from vectors import vector_path

UNSUPPORTED = {1, 3, 12, 100}


@dataclass
class Case:
    title: str
    when: int | None
    valid: bool | None
    text: str


def load() -> list[Case]:
    text = vector_path("dnspython", "test_dnssec_vectors.txt").read_text()
    out = []
    for chunk in text.split(";; ====")[1:]:
        title = chunk.splitlines()[0].strip()
        when = re.search(r"T = (\d+)", chunk)
        result = re.search(r"result: (VALID|INVALID)", chunk)
        out.append(Case(title, int(when.group(1)) if when else None,
                        None if result is None else result.group(1) == "VALID", ";" + chunk))
    return out


CASES = load()
SIG_CASES = [c for c in CASES if c.when is not None]
DS_TEXT = next(c for c in CASES if c.title.startswith("DS digests")).text


def test_counts() -> None:
    assert len(SIG_CASES) == 20
    assert len(re.findall(r" IN C?DS ", DS_TEXT)) == 5


@pytest.mark.parametrize("case", SIG_CASES, ids=lambda c: c.title)
def test_dnspython_signature_case(case: Case, backend: Backend) -> None:
    records = parse_records(io.StringIO(case.text))
    keys = [DNSKEY.from_wire(rdata_wire(rd)) for _, _, rd in records if rd.rdtype == T.DNSKEY]
    sigs = [RRSIG.from_wire(rdata_wire(rd)) for _, _, rd in records if rd.rdtype == T.RRSIG]
    data = [(n, ttl, rd) for n, ttl, rd in records if rd.rdtype not in (T.DNSKEY, T.RRSIG)]
    owner, ttl, first = data[0]
    rrset = RRset(owner, int(first.rdtype), 1, ttl, tuple(rdata_wire(rd) for _, _, rd in data))
    zone_keys = ZoneKeys.from_dnskeys(sigs[0].signer, keys)
    assert case.when is not None
    verdict = verify_rrset(rrset, sigs, zone_keys, now=case.when, backend=backend)
    if sigs[0].algorithm in UNSUPPORTED:
        assert (verdict.status, verdict.reason) == (Status.BOGUS, Reason.UNSUPPORTED_ALGORITHM)
    elif case.valid:
        assert verdict.status is Status.SECURE
    else:
        assert (verdict.status, verdict.reason) == (Status.BOGUS, Reason.SIG_INVALID)


def test_dnspython_ds_digests_VAL_DS_01() -> None:
    """Proves BR-DNSSEC-04, VAL-DS-02 (requirement trace)."""
    matched = 0
    for block in DS_TEXT.split("\n\n"):
        records = parse_records(io.StringIO(block))
        keys = [(n, rd) for n, _, rd in records if rd.rdtype == T.DNSKEY]
        dss = [rd for _, _, rd in records if rd.rdtype in (T.DS, T.CDS)]
        if not keys:
            continue
        (owner, key_rd), (ds_rd,) = keys[0], dss
        ds = DS.from_wire(rdata_wire(ds_rd))
        dnskey = DNSKEY.from_wire(rdata_wire(key_rd))
        assert ds.key_tag == dnskey.key_tag
        assert ds_digest(owner, dnskey.rdata, ds.digest_type) == ds.digest
        matched += 1
    assert matched == 5
