"""The RFC example vectors: RFC 4034 §5.4, RFC 5702 §6, RFC 6605 §6, RFC 8080 §6 (+ Errata 4935).

Every case in each file runs, and the number of cases is asserted.
"""

from __future__ import annotations

import dns.rdatatype as T
import pytest

from dnssec_core.crypto import Backend
from dnssec_core.dnssec.algorithms import AlgorithmPolicy
from dnssec_core.dnssec.ds import DSMatch, ds_matches
from dnssec_core.dnssec.records import DNSKEY, DS, RRSIG
from dnssec_core.dnssec.rrsig import ZoneKeys, verify_rrset
from dnssec_core.timeutil import parse_time
from dnssec_core.verdict import Reason, Status
from dnssec_core.wire.rrset import RRset
from dnssec_core.zone.reader import rdata_wire
from tests.support.rfctext import Case, cases
from vectors import vector_path


def load(name: str) -> list[Case]:
    return cases(vector_path("rfc", name).read_text())


def parts(case: Case) -> tuple[DNSKEY, list[DS], RRset, RRSIG]:
    (_owner, _, key_rd), = case.of_type(T.DNSKEY)
    dnskey = DNSKEY.from_wire(rdata_wire(key_rd))
    ds = [DS.from_wire(rdata_wire(rd)) for _, _, rd in case.of_type(T.DS)]
    data = [r for r in case.records if r[2].rdtype not in (T.DNSKEY, T.DS, T.RRSIG)]
    rrset = RRset(data[0][0], int(data[0][2].rdtype), 1, data[0][1],
                  tuple(rdata_wire(rd) for _, _, rd in data))
    (_, _, sig_rd), = case.of_type(T.RRSIG)
    return dnskey, ds, rrset, RRSIG.from_wire(rdata_wire(sig_rd))


RFC5702 = load("rfc5702-section6-rsasha2-examples.txt")
RFC6605 = load("rfc6605-section6-ecdsa-examples.txt")
RFC8080 = load("rfc8080-section6-eddsa-examples.txt")
RFC8080_ORIGINAL, RFC8080_ERRATUM = RFC8080[:4], RFC8080[4:]
# The RFC 5702 example keys are 512 and 1024 bits, below our default floor for the first.
SMALL_RSA = AlgorithmPolicy(rsa_min_bits=512)


def test_vector_counts() -> None:
    assert (len(RFC5702), len(RFC6605), len(RFC8080_ORIGINAL), len(RFC8080_ERRATUM)) == (2, 2, 4, 4)


def test_rfc4034_ds_example_VAL_DS_01_VAL_KEY_04() -> None:
    (case,) = load("rfc4034-section5.4-ds-example.txt")
    (owner, _, key_rd), = case.of_type(T.DNSKEY)
    (_, _, ds_rd), = case.of_type(T.DS)
    dnskey, ds = DNSKEY.from_wire(rdata_wire(key_rd)), DS.from_wire(rdata_wire(ds_rd))
    assert dnskey.key_tag == 60485 == ds.key_tag
    assert ds_matches(ds, owner, dnskey) is DSMatch.MATCH


@pytest.mark.parametrize("index", range(2))
def test_rfc5702_rsasha2_VAL_ALG_06(index: int, backend: Backend) -> None:
    dnskey, _, rrset, rrsig = parts(RFC5702[index])
    assert dnskey.key_tag == rrsig.key_tag == (9033, 3740)[index]
    keys = ZoneKeys.from_dnskeys(rrsig.signer, [dnskey])
    now = parse_time("20150101000000")
    verdict = verify_rrset(rrset, [rrsig], keys, now=now, backend=backend, policy=SMALL_RSA)
    assert verdict.status is Status.SECURE


def test_rfc5702_512_bit_key_unsupported_by_default_SEC_RSA_01(fast: Backend) -> None:
    dnskey, _, rrset, rrsig = parts(RFC5702[0])
    keys = ZoneKeys.from_dnskeys(rrsig.signer, [dnskey])
    verdict = verify_rrset(rrset, [rrsig], keys, now=parse_time("20150101000000"), backend=fast)
    assert (verdict.status, verdict.reason, verdict.ede) == (
        Status.BOGUS, Reason.KEY_SIZE_UNSUPPORTED, 6)  # VAL-EDE-02: bogus carries 6-12


@pytest.mark.parametrize("index", range(2))
def test_rfc6605_ecdsa_VAL_ALG_07(index: int, backend: Backend) -> None:
    dnskey, ds, rrset, rrsig = parts(RFC6605[index])
    assert dnskey.key_tag == (55648, 10771)[index]
    assert [d.digest_type for d in ds] == [(2, 4)[index]]
    assert ds_matches(ds[0], rrsig.signer, dnskey) is DSMatch.MATCH
    keys = ZoneKeys.from_dnskeys(rrsig.signer, [dnskey])
    verdict = verify_rrset(rrset, [rrsig], keys, now=parse_time("20100820000000"), backend=backend)
    assert verdict.status is Status.SECURE and verdict.key_tag == dnskey.key_tag


@pytest.mark.parametrize("index", range(4))
def test_rfc8080_erratum_4935_eddsa_VAL_ALG_08(index: int, backend: Backend) -> None:
    dnskey, ds, rrset, rrsig = parts(RFC8080_ERRATUM[index])
    assert dnskey.key_tag == (3613, 35217, 9713, 38353)[index]
    assert ds_matches(ds[0], rrsig.signer, dnskey) is DSMatch.MATCH
    keys = ZoneKeys.from_dnskeys(rrsig.signer, [dnskey])
    verdict = verify_rrset(rrset, [rrsig], keys, now=parse_time("20150801000000"), backend=backend)
    assert verdict.status is Status.SECURE


@pytest.mark.parametrize("index", range(4))
def test_rfc8080_original_rrsigs_are_broken(index: int) -> None:
    """The published RRSIGs lack the algorithm field (hence Errata 4935); they must not parse."""
    case = RFC8080_ORIGINAL[index]
    assert not case.of_type(T.RRSIG) and len(case.unparsable) == 1
    # The keys and DS records of the original text are right.
    dnskey = DNSKEY.from_wire(rdata_wire(case.of_type(T.DNSKEY)[0][2]))
    ds = DS.from_wire(rdata_wire(case.of_type(T.DS)[0][2]))
    assert ds_matches(ds, case.of_type(T.DNSKEY)[0][0], dnskey) is DSMatch.MATCH
