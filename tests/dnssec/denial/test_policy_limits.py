"""RFC 9276 iteration policy and the denial work limits (NSEC3-15, NSEC3-16, SEC-LIM-03,
SEC-LIM-07: every bound is tested at its value and one past it), and hostile input:
2^16-1 iterations, a 255-octet salt, 1,000 NSEC3 records — bounded work, reasoned verdicts."""

from __future__ import annotations

import os
from typing import TypedDict

import pytest

from dnssec_core import limits
from dnssec_core.dnssec.denial import (
    Denial,
    DenialPolicy,
    Nsec3Hasher,
    Proof,
    prove_nodata,
    prove_nxdomain,
)
from dnssec_core.verdict import EDE, Reason, Status, Verdict, secure
from dnssec_core.wire.message import SignedRRset
from dnssec_core.wire.rrset import RRset
from tests.dnssec.denial.build import (
    APEX,
    A,
    ZoneModel,
    name,
    nsec3,
    nsec3_chain,
)

MODEL = ZoneModel.of(APEX, {"@": {6, 2}, "www": {A}, "a.b": {A}})


DEFAULT = DenialPolicy()


def nxdomain(chain: list[RRset], policy: DenialPolicy = DEFAULT,
             hasher: Nsec3Hasher | None = None, qname: str = "nx.www.example.") -> Denial:
    return prove_nxdomain(name(qname), chain, signer=APEX, verify=None, policy=policy,
                          hasher=hasher)


def test_defaults_NSEC3_15_SEC_LIM_03() -> None:
    policy = DenialPolicy()
    assert (policy.insecure_above, policy.bogus_above) == (150, 2500)
    assert (limits.NSEC3_ITERATIONS_INSECURE, limits.NSEC3_ITERATIONS_BOGUS) == (150, 2500)
    assert (limits.NSEC3_HASHES_PER_RESPONSE, limits.MAX_DENIAL_RECORDS_PER_RESPONSE) == (128, 32)
    assert policy.over_cap is Status.INSECURE


def test_nsec3_iterations_at_cap_secure_NSEC3_15() -> None:
    denial = nxdomain(nsec3_chain(MODEL, iterations=150, salt=b"\xab"))
    assert (denial.status, denial.proof) == (Status.SECURE, Proof.NAME_ERROR)


def test_nsec3_iterations_over_cap_insecure_NSEC3_15() -> None:
    hasher = Nsec3Hasher()
    denial = nxdomain(nsec3_chain(MODEL, iterations=151), hasher=hasher)
    assert (denial.status, denial.verdict.reason, denial.proof) == (
        Status.INSECURE, Reason.NSEC3_ITERATIONS_INSECURE, Proof.ITERATIONS)
    assert denial.verdict.ede == EDE.UNSUPPORTED_NSEC3_ITERATIONS
    assert int(EDE.UNSUPPORTED_NSEC3_ITERATIONS) == 27
    assert hasher.computed == 0  # decided before any hash


def test_nsec3_iterations_configurable_cap_NSEC3_15() -> None:
    strict = DenialPolicy(insecure_above=0)
    assert nxdomain(nsec3_chain(MODEL), strict).status is Status.SECURE
    assert nxdomain(nsec3_chain(MODEL, iterations=1), strict).verdict.reason is (
        Reason.NSEC3_ITERATIONS_INSECURE)


def test_nsec3_iterations_over_cap_policy_bogus_NSEC3_16() -> None:
    policy = DenialPolicy(over_cap=Status.BOGUS)
    denial = nxdomain(nsec3_chain(MODEL, iterations=151), policy)
    assert (denial.status, denial.verdict.reason, denial.verdict.ede) == (
        Status.BOGUS, Reason.NSEC3_ITERATIONS_INSECURE, 27)


def _fake_chain(iterations: int, salt: bytes = b"", count: int = 3) -> list[RRset]:
    """Records that claim ``iterations`` without their hashes being computed (never needed)."""
    hashes = sorted(os.urandom(20) for _ in range(count))
    return [nsec3(APEX, h, hashes[(i + 1) % count], {A}, iterations=iterations, salt=salt)
            for i, h in enumerate(hashes)]


@pytest.mark.parametrize("iterations,status,reason", [
    (2500, Status.INSECURE, Reason.NSEC3_ITERATIONS_INSECURE),
    (2501, Status.BOGUS, Reason.NSEC3_ITERATIONS_BOGUS),
    (65535, Status.BOGUS, Reason.NSEC3_ITERATIONS_BOGUS),
])
def test_nsec3_iterations_hard_limit_bogus_NSEC3_15(iterations: int, status: Status,
                                                   reason: Reason) -> None:
    hasher = Nsec3Hasher()
    denial = nxdomain(_fake_chain(iterations), hasher=hasher)
    assert (denial.status, denial.verdict.reason, denial.verdict.ede) == (status, reason, 27)
    assert hasher.computed == 0


def test_nsec3_255_octet_salt_bounded_SEC_LIM_03() -> None:
    salt = bytes(range(255))
    hasher = Nsec3Hasher()
    denial = nxdomain(nsec3_chain(MODEL, iterations=150, salt=salt), hasher=hasher)
    assert denial.status is Status.SECURE
    assert 0 < hasher.computed <= limits.NSEC3_HASHES_PER_RESPONSE


def test_thousand_nsec3_records_limit_denial_records_SEC_LIM_03() -> None:
    calls = []

    def verify(signed: SignedRRset) -> Verdict:
        calls.append(signed)
        return secure()

    hasher = Nsec3Hasher()
    chain = _fake_chain(0, count=1000)
    denial = prove_nxdomain(name("nx.example."), chain, signer=APEX, verify=verify,
                            hasher=hasher)
    assert (denial.status, denial.verdict.reason) == (Status.INDETERMINATE,
                                                      Reason.LIMIT_DENIAL_RECORDS)
    assert denial.verdict.ede == 5
    assert calls == [] and hasher.computed == 0  # refused before any signature or hash


@pytest.mark.parametrize("count,limited", [(32, False), (33, True)])
def test_denial_records_limit_value_and_value_plus_one_SEC_LIM_07(count: int, limited: bool
                                                                 ) -> None:
    denial = nxdomain(_fake_chain(0, count=count))
    assert (denial.verdict.reason is Reason.LIMIT_DENIAL_RECORDS) is limited
    assert denial.status is not Status.SECURE  # random hashes prove nothing


def test_hash_budget_value_and_value_plus_one_SEC_LIM_07() -> None:
    chain = nsec3_chain(MODEL, iterations=5)
    qname = "a.b.c.d.e.f.g.h.www.example."
    unbounded = Nsec3Hasher(10_000)
    assert nxdomain(chain, hasher=unbounded, qname=qname).status is Status.SECURE
    needed = unbounded.computed
    assert needed == 10  # qname up to www (9 names) + the wildcard *.www
    assert nxdomain(chain, hasher=Nsec3Hasher(needed), qname=qname).status is Status.SECURE
    spent = nxdomain(chain, hasher=Nsec3Hasher(needed - 1), qname=qname)
    assert (spent.status, spent.verdict.reason, spent.verdict.ede) == (
        Status.INDETERMINATE, Reason.LIMIT_NSEC3_HASHES, EDE.DNSSEC_INDETERMINATE)


def test_hash_budget_is_per_response_and_memoised_SEC_LIM_03() -> None:
    """One hasher for one response: the second proof reuses the first one's hashes."""
    chain = nsec3_chain(MODEL)
    hasher = Nsec3Hasher()
    assert nxdomain(chain, hasher=hasher).status is Status.SECURE
    first = hasher.computed
    assert nxdomain(chain, hasher=hasher).status is Status.SECURE
    assert hasher.computed == first
    nodata = prove_nodata(name("www.example."), 15, chain, signer=APEX, verify=None,
                          hasher=hasher)
    assert nodata.status is Status.SECURE and hasher.computed == first


def test_deepest_name_fits_default_budget_SEC_LIM_03() -> None:
    """A 255-octet name with 123 labels below the root still gets its answer with the
    default budget (121 + 1 hashes for the closest encloser search, 1 for the wildcard)."""
    qname = "x." * 121 + "www.example."
    wire = name(qname).to_wire()
    assert wire is not None and len(wire) == 255
    assert nxdomain(nsec3_chain(MODEL), qname=qname).status is Status.SECURE


class PolicyArgs(TypedDict, total=False):
    """:class:`DenialPolicy`'s fields, any of them given."""

    insecure_above: int
    bogus_above: int
    over_cap: Status
    max_hashes: int
    max_records: int


@pytest.mark.parametrize("kwargs", [
    {"insecure_above": 200, "bogus_above": 100},
    {"insecure_above": -1},
    {"bogus_above": 70000},
    {"over_cap": Status.SECURE},
    {"max_hashes": 0},
    {"max_records": 0},
])
def test_policy_rejects_nonsense_NSEC3_15(kwargs: PolicyArgs) -> None:
    with pytest.raises(ValueError):
        DenialPolicy(**kwargs)


def test_hasher_rejects_negative_budget() -> None:
    with pytest.raises(ValueError):
        Nsec3Hasher(-1)
