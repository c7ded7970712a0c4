"""One test per proof rule, on synthetic records (verify=None: as if validated).

NSEC-02/-09/-10/-11/-12/-14/-15, VAL-CNAME-03, NSEC3-02/-03/-04/-13/-14, the verify callback
contract (NSEC-01) and fail-closed behaviour.
"""

from __future__ import annotations

import pytest

from dnssec_core.dnssec.denial import (
    Denial,
    Proof,
    prove_insecure_referral,
    prove_no_ds,
    prove_nodata,
    prove_nxdomain,
    prove_wildcard_answer,
)
from dnssec_core.dnssec.denial.nsec3 import b32hex_encode
from dnssec_core.dnssec.records import RRSIG
from dnssec_core.verdict import Reason, Status, Verdict, bogus, insecure, secure
from dnssec_core.wire.message import SignedRRset
from dnssec_core.wire.name import canonical_wire
from dnssec_core.wire.rrset import RRset
from tests.dnssec.denial.build import (
    APEX,
    CNAME,
    DNAME,
    DS,
    MX,
    NS,
    NSEC,
    NSEC3,
    NXNAME,
    SOA,
    TXT,
    A,
    ZoneModel,
    name,
    nsec,
    nsec3,
    nsec3_chain,
    nsec3_rdata,
    nsec_chain,
    owner_hash,
)
from tests.dnssec.denial.build import (
    RRSIG as RRSIG_T,
)

ZONE = ZoneModel.of(APEX, {"@": {SOA, NS, MX}, "a": {A}, "x.y": {A, TXT}, "*.w": {A},
                           "alias": {CNAME}, "sub": {NS}, "signed": {NS, DS}, "z": {A}})
CHAIN = nsec_chain(ZONE)
CHAIN3 = nsec3_chain(ZONE)


def status(denial: Denial) -> tuple[Status, Reason, Proof]:
    return denial.status, denial.verdict.reason, denial.proof


# -- NSEC ------------------------------------------------------------------------------------


def test_nsec_wrap_around_at_zone_end_NSEC_02() -> None:
    """The last NSEC (z.example. → example.) covers names sorting after it."""
    last = nsec("z.example.", "example.", {A, RRSIG_T, NSEC})
    apex = nsec("example.", "a.example.", {SOA, NS, RRSIG_T, NSEC})
    for q in ("zz.example.", "a.z.example.", "~.example."):
        denial = prove_nxdomain(name(q), [last, apex], signer=APEX, verify=None)
        assert status(denial) == (Status.SECURE, Reason.OK, Proof.NAME_ERROR), q


def test_nsec_single_record_zone_covers_everything_NSEC_02() -> None:
    only = nsec("example.", "example.", {SOA, NS, RRSIG_T, NSEC})
    assert prove_nxdomain(name("q.example."), [only], signer=APEX, verify=None).status is (
        Status.SECURE)
    assert prove_nodata(APEX, A, [only], signer=APEX, verify=None).status is Status.SECURE


def test_nsec_nxdomain_full_chain_NSEC_04_05() -> None:
    denial = prove_nxdomain(name("b.example."), CHAIN, signer=APEX, verify=None)
    assert status(denial) == (Status.SECURE, Reason.OK, Proof.NAME_ERROR)
    assert denial.closest_encloser == APEX


def test_nsec_nxdomain_with_wildcard_is_bogus_NSEC_04() -> None:
    denial = prove_nxdomain(name("q.w.example."), CHAIN, signer=APEX, verify=None)
    assert status(denial)[:2] == (Status.BOGUS, Reason.DENIAL_WILDCARD_EXISTS)


def test_nsec_empty_non_terminal_NSEC_09() -> None:
    ent = name("y.example.")
    assert status(prove_nxdomain(ent, CHAIN, signer=APEX, verify=None))[:2] == (
        Status.BOGUS, Reason.DENIAL_NAME_EXISTS)
    assert status(prove_nodata(ent, A, CHAIN, signer=APEX, verify=None)) == (
        Status.SECURE, Reason.OK, Proof.EMPTY_NON_TERMINAL)
    no_ds = prove_no_ds(ent, CHAIN, signer=APEX, verify=None)
    assert no_ds.status is Status.SECURE and no_ds.not_a_cut


def test_nsec_nodata_type_and_cname_VAL_CNAME_03() -> None:
    """Proves BR-DNSSEC-05 (requirement trace)."""
    assert status(prove_nodata(name("a.example."), A, CHAIN, signer=APEX, verify=None))[:2] == (
        Status.BOGUS, Reason.DENIAL_TYPE_PRESENT)
    assert status(prove_nodata(name("alias.example."), A, CHAIN, signer=APEX,
                               verify=None))[:2] == (Status.BOGUS, Reason.DENIAL_CNAME_PRESENT)
    assert status(prove_nodata(name("a.example."), MX, CHAIN, signer=APEX, verify=None)) == (
        Status.SECURE, Reason.OK, Proof.NO_DATA)


def test_nsec_wildcard_nodata_and_answer_NSEC_06_07() -> None:
    """Proves VAL-WILD-02 (requirement trace)."""
    q = name("q.w.example.")
    assert status(prove_nodata(q, MX, CHAIN, signer=APEX, verify=None)) == (
        Status.SECURE, Reason.OK, Proof.WILDCARD_NO_DATA)
    assert status(prove_nodata(q, A, CHAIN, signer=APEX, verify=None))[:2] == (
        Status.BOGUS, Reason.DENIAL_TYPE_PRESENT)
    assert status(prove_wildcard_answer(q, 2, CHAIN, signer=APEX, verify=None)) == (
        Status.SECURE, Reason.OK, Proof.WILDCARD_ANSWER)
    # Claimed synthesis from *.example. although w.example. exists: a closer match.
    assert status(prove_wildcard_answer(q, 1, CHAIN, signer=APEX, verify=None))[:2] == (
        Status.BOGUS, Reason.DENIAL_CLOSER_MATCH)
    with pytest.raises(ValueError):
        prove_wildcard_answer(q, 3, CHAIN, signer=APEX, verify=None)


def test_nsec_ancestor_delegation_NSEC_10() -> None:
    """An NSEC at sub.example. (NS, no SOA) says nothing about names below it."""
    # Requirement trace: this test also proves BR-DNSSEC-05.
    below = name("www.sub.example.")
    unsigned = prove_nxdomain(below, CHAIN, signer=APEX, verify=None)
    assert status(unsigned) == (Status.INSECURE, Reason.INSECURE_DELEGATION,
                                Proof.INSECURE_DELEGATION)
    signed = prove_nxdomain(name("www.signed.example."), CHAIN, signer=APEX, verify=None)
    assert status(signed)[:2] == (Status.BOGUS, Reason.DENIAL_ANCESTOR_DELEGATION)
    at_cut = prove_nodata(name("signed.example."), A, CHAIN, signer=APEX, verify=None)
    assert status(at_cut)[:2] == (Status.BOGUS, Reason.DENIAL_ANCESTOR_DELEGATION)


def test_nsec_dname_above_cannot_deny_NSEC_10() -> None:
    chain = [nsec("example.", "d.example.", {SOA, NS, RRSIG_T, NSEC}),
             nsec("d.example.", "example.", {DNAME, RRSIG_T, NSEC})]
    denial = prove_nxdomain(name("q.d.example."), chain, signer=APEX, verify=None)
    assert status(denial)[:2] == (Status.BOGUS, Reason.DENIAL_ANCESTOR_DELEGATION)


def test_nsec_ds_absence_NSEC_11_12() -> None:
    assert status(prove_no_ds(name("sub.example."), CHAIN, signer=APEX, verify=None)) == (
        Status.INSECURE, Reason.INSECURE_DELEGATION, Proof.INSECURE_DELEGATION)
    assert status(prove_no_ds(name("signed.example."), CHAIN, signer=APEX, verify=None))[:2] == (
        Status.BOGUS, Reason.DENIAL_TYPE_PRESENT)
    plain = prove_no_ds(name("a.example."), CHAIN, signer=APEX, verify=None)
    assert status(plain) == (Status.SECURE, Reason.OK, Proof.NO_DS) and plain.not_a_cut
    missing = prove_no_ds(name("b.example."), CHAIN, signer=APEX, verify=None)
    assert status(missing) == (Status.SECURE, Reason.OK, Proof.NAME_ERROR) and missing.not_a_cut
    # The child's own apex NSEC (SOA set) cannot deny its DS (RFC 6840 §4.1).
    assert status(prove_no_ds(APEX, CHAIN, signer=APEX, verify=None))[:2] == (
        Status.BOGUS, Reason.DENIAL_CHILD_APEX)


def test_root_apex_may_deny_its_own_ds_NSEC_11() -> None:
    import dns.name

    root_nsec = nsec(".", "com.", {SOA, NS, RRSIG_T, NSEC})
    denial = prove_no_ds(dns.name.root, [root_nsec], signer=dns.name.root, verify=None)
    assert status(denial) == (Status.SECURE, Reason.OK, Proof.NO_DS)


def test_insecure_referral_needs_a_delegation_NSEC_12() -> None:
    """Proves BR-DNSSEC-05 (requirement trace)."""
    assert prove_insecure_referral(name("sub.example."), CHAIN, signer=APEX,
                                   verify=None).status is Status.INSECURE
    assert status(prove_insecure_referral(name("a.example."), CHAIN, signer=APEX,
                                          verify=None))[:2] == (
        Status.BOGUS, Reason.DENIAL_NOT_DELEGATION)


def test_compact_denial_nxname_NSEC_14() -> None:
    q = name("nx.example.")
    lie = nsec(q, name("\\000.nx.example."), {RRSIG_T, NSEC, NXNAME})
    assert status(prove_nxdomain(q, [lie], signer=APEX, verify=None)) == (
        Status.SECURE, Reason.OK, Proof.COMPACT_NXNAME)
    assert status(prove_nodata(q, A, [lie], signer=APEX, verify=None)) == (
        Status.SECURE, Reason.OK, Proof.COMPACT_NXNAME)
    mixed = nsec(q, name("\\000.nx.example."), {A, RRSIG_T, NSEC, NXNAME})
    assert status(prove_nxdomain(q, [mixed], signer=APEX, verify=None))[:2] == (
        Status.BOGUS, Reason.DENIAL_NAME_EXISTS)
    # Black lies without NXNAME are plain NODATA and never NXDOMAIN.
    black = nsec(q, name("\\000.nx.example."), {RRSIG_T, NSEC})
    assert prove_nodata(q, A, [black], signer=APEX, verify=None).proof is Proof.NO_DATA
    assert prove_nxdomain(q, [black], signer=APEX, verify=None).status is Status.BOGUS


def test_records_of_other_zones_ignored_NSEC_15() -> None:
    foreign = nsec("a.other.", "z.other.", {A, RRSIG_T, NSEC})
    assert status(prove_nxdomain(name("b.example."), [foreign], signer=APEX, verify=None))[:2] == (
        Status.BOGUS, Reason.NSEC_PROOF_MISSING)
    # An NSEC of example. whose RRSIG names another signer is not example.'s.
    sig = RRSIG(NSEC, 13, 2, 3600, 0, 0, 1, name("sub.example."), b"x", b"")
    signed_elsewhere = [SignedRRset(r, (sig,)) for r in CHAIN]
    assert status(prove_nxdomain(name("b.example."), signed_elsewhere, signer=APEX,
                                 verify=None))[:2] == (Status.BOGUS, Reason.NSEC_PROOF_MISSING)


def test_name_outside_zone_bogus() -> None:
    assert status(prove_nxdomain(name("q.other."), CHAIN, signer=APEX, verify=None))[:2] == (
        Status.BOGUS, Reason.DENIAL_OUTSIDE_ZONE)


def test_malformed_records_bogus_NSEC_08() -> None:
    bad_bitmap = RRset(name("a.example."), NSEC, 1, 3600,
                       (canonical_wire(name("b.example.")) + b"\x00\x00",))
    bad_name = RRset(name("a.example."), NSEC, 1, 3600, (b"\x05ab",))
    for record in (bad_bitmap, bad_name):
        assert status(prove_nxdomain(name("aa.example."), [record], signer=APEX,
                                     verify=None))[:2] == (Status.BOGUS,
                                                           Reason.DENIAL_MALFORMED)


# -- NSEC3 -----------------------------------------------------------------------------------


def test_nsec3_full_chain_shapes_NSEC3_05_to_09() -> None:
    """Proves BR-DNSSEC-03 (requirement trace)."""
    assert status(prove_nxdomain(name("b.example."), CHAIN3, signer=APEX, verify=None)) == (
        Status.SECURE, Reason.OK, Proof.NAME_ERROR)
    assert status(prove_nodata(name("y.example."), A, CHAIN3, signer=APEX, verify=None)) == (
        Status.SECURE, Reason.OK, Proof.NO_DATA)
    assert status(prove_nodata(name("q.w.example."), MX, CHAIN3, signer=APEX, verify=None)) == (
        Status.SECURE, Reason.OK, Proof.WILDCARD_NO_DATA)
    assert status(prove_nodata(name("alias.example."), A, CHAIN3, signer=APEX,
                               verify=None))[:2] == (Status.BOGUS, Reason.DENIAL_CNAME_PRESENT)
    assert status(prove_wildcard_answer(name("q.w.example."), 2, CHAIN3, signer=APEX,
                                        verify=None)) == (
        Status.SECURE, Reason.OK, Proof.WILDCARD_ANSWER)
    assert status(prove_nxdomain(name("q.w.example."), CHAIN3, signer=APEX, verify=None))[:2] == (
        Status.BOGUS, Reason.DENIAL_WILDCARD_EXISTS)
    assert status(prove_nxdomain(name("a.example."), CHAIN3, signer=APEX, verify=None))[:2] == (
        Status.BOGUS, Reason.DENIAL_NAME_EXISTS)


def test_nsec3_ds_and_referrals_NSEC3_08_11() -> None:
    assert status(prove_no_ds(name("sub.example."), CHAIN3, signer=APEX, verify=None)) == (
        Status.INSECURE, Reason.INSECURE_DELEGATION, Proof.INSECURE_DELEGATION)
    assert status(prove_no_ds(APEX, CHAIN3, signer=APEX, verify=None))[:2] == (
        Status.BOGUS, Reason.DENIAL_CHILD_APEX)
    opt_out = nsec3_chain(ZONE, flags=1, skip=["sub"])
    referral = prove_insecure_referral(name("sub.example."), opt_out, signer=APEX, verify=None)
    assert status(referral) == (Status.INSECURE, Reason.DENIAL_OPT_OUT, Proof.OPT_OUT)
    # Without the Opt-Out flag the same gap proves that sub.example. does not exist.
    no_opt_out = nsec3_chain(ZONE, skip=["sub"])
    assert status(prove_insecure_referral(name("sub.example."), no_opt_out, signer=APEX,
                                          verify=None))[:2] == (
        Status.BOGUS, Reason.DENIAL_NOT_DELEGATION)


def test_nsec3_ancestor_delegation_NSEC3_13() -> None:
    assert status(prove_nxdomain(name("www.sub.example."), CHAIN3, signer=APEX,
                                 verify=None)) == (Status.INSECURE, Reason.INSECURE_DELEGATION,
                                                   Proof.INSECURE_DELEGATION)
    assert status(prove_nxdomain(name("www.signed.example."), CHAIN3, signer=APEX,
                                 verify=None))[:2] == (Status.BOGUS,
                                                       Reason.DENIAL_ANCESTOR_DELEGATION)
    assert status(prove_nodata(name("signed.example."), A, CHAIN3, signer=APEX,
                               verify=None))[:2] == (Status.BOGUS,
                                                     Reason.DENIAL_ANCESTOR_DELEGATION)
    dname_zone = ZoneModel.of(APEX, {"d": {DNAME}})
    assert status(prove_nxdomain(name("q.d.example."), nsec3_chain(dname_zone), signer=APEX,
                                 verify=None))[:2] == (Status.BOGUS,
                                                       Reason.DENIAL_ANCESTOR_DELEGATION)


def test_nsec3_unknown_hash_algorithm_ignored_NSEC3_02() -> None:
    unknown = nsec3_chain(ZONE, algorithm=2)
    assert status(prove_nxdomain(name("b.example."), unknown, signer=APEX, verify=None))[:2] == (
        Status.BOGUS, Reason.NSEC3_NO_USABLE)
    both = prove_nxdomain(name("b.example."), CHAIN3 + unknown[:3], signer=APEX, verify=None)
    assert both.status is Status.SECURE


def test_nsec3_unknown_flags_ignored_NSEC3_03() -> None:
    flagged = nsec3_chain(ZONE, flags=0x02)
    assert status(prove_nxdomain(name("b.example."), flagged, signer=APEX, verify=None))[:2] == (
        Status.BOGUS, Reason.NSEC3_NO_USABLE)
    assert prove_nxdomain(name("b.example."), nsec3_chain(ZONE, flags=0x01), signer=APEX,
                          verify=None).status is Status.INSECURE  # Opt-Out is known


def test_nsec3_owner_must_be_directly_below_apex_NSEC3_04() -> None:
    deep = [RRset(name(f"x.{r.owner.to_text()}"), NSEC3, 1, 3600, r.rdatas) for r in CHAIN3]
    assert status(prove_nxdomain(name("b.example."), deep, signer=APEX, verify=None))[:2] == (
        Status.BOGUS, Reason.NSEC_PROOF_MISSING)
    not_b32 = RRset(name("zzzz.example."), NSEC3, 1, 3600, CHAIN3[0].rdatas)
    assert status(prove_nxdomain(name("b.example."), [not_b32], signer=APEX,
                                 verify=None))[:2] == (Status.BOGUS, Reason.DENIAL_MALFORMED)


@pytest.mark.parametrize("rdata", [
    b"\x01\x00\x00",  # too short
    b"\x01\x00\x00\x00\x04ab",  # salt truncated
    b"\x01\x00\x00\x00\x00\x00",  # hash length 0
    b"\x01\x00\x00\x00\x00\x14" + b"\x00" * 10,  # next hash truncated
    b"\x01\x00\x00\x00\x00\x05" + b"\x00" * 5,  # SHA-1 hash must be 20 octets
    nsec3_rdata(b"\x00" * 20, ()) + b"\x00",  # bitmap header truncated
])
def test_nsec3_malformed_rdata_NSEC3_04(rdata: bytes) -> None:
    owner = CHAIN3[0].owner
    record = RRset(owner, NSEC3, 1, 3600, (rdata,))
    assert status(prove_nxdomain(name("b.example."), [record], signer=APEX,
                                 verify=None))[:2] == (Status.BOGUS, Reason.DENIAL_MALFORMED)


def test_nsec3_mixed_parameter_sets_NSEC3_14() -> None:
    """Unbound's val_nx_nsec3_params: encloser from one set, next closer from another."""
    q = name("b.example.")
    set_a, set_b = nsec3_chain(ZONE, salt=b"\x01"), nsec3_chain(ZONE, salt=b"\x02")
    ce_a = [r for r in set_a if r.owner.labels[0].decode().lower() ==
            _b32(owner_hash(APEX, b"\x01"))]
    rest_b = [r for r in set_b if r.owner.labels[0].decode().lower() !=
              _b32(owner_hash(APEX, b"\x02"))]
    denial = prove_nxdomain(q, ce_a + rest_b, signer=APEX, verify=None)
    assert denial.status is Status.BOGUS
    # A complete chain beside part of another (an NSEC3PARAM change in progress) proves it.
    assert prove_nxdomain(q, set_a + set_b[:5], signer=APEX, verify=None).status is (
        Status.SECURE)


def _b32(data: bytes) -> str:
    return b32hex_encode(data)


def test_nsec_preferred_nsec3_fallback() -> None:
    """A response with both kinds: NSEC decides when it proves, else NSEC3 is tried."""
    q = name("b.example.")
    assert prove_nxdomain(q, CHAIN + CHAIN3[:3], signer=APEX, verify=None).status is (
        Status.SECURE)
    assert prove_nxdomain(q, [CHAIN[0], *CHAIN3], signer=APEX, verify=None).status is (
        Status.SECURE)


# -- the verify callback and fail-closed behaviour (NSEC-01) -----------------------------------


def test_verify_callback_decides_NSEC_01() -> None:
    seen: list[SignedRRset] = []

    def verify(signed: SignedRRset) -> Verdict:
        seen.append(signed)
        return secure()

    q = name("b.example.")
    assert prove_nxdomain(q, CHAIN, signer=APEX, verify=verify).status is Status.SECURE
    assert len(seen) == len(CHAIN)  # every NSEC of the zone, each once

    def reject(signed: SignedRRset) -> Verdict:
        return bogus(Reason.SIG_EXPIRED, "expired")

    denial = prove_nxdomain(q, CHAIN, signer=APEX, verify=reject)
    assert (denial.status, denial.verdict.reason, denial.verdict.ede) == (
        Status.BOGUS, Reason.SIG_EXPIRED, 7)

    def unsigned(signed: SignedRRset) -> Verdict:
        return insecure(Reason.INSECURE_DELEGATION, "zone is unsigned")

    assert prove_nxdomain(q, CHAIN, signer=APEX, verify=unsigned).status is Status.INSECURE


def test_internal_error_fails_closed() -> None:
    def broken(signed: SignedRRset) -> Verdict:
        raise RuntimeError("boom")

    denial = prove_nxdomain(name("b.example."), CHAIN, signer=APEX, verify=broken)
    assert (denial.status, denial.verdict.reason) == (Status.INDETERMINATE,
                                                      Reason.INTERNAL_ERROR)


def test_no_records_at_all_NSEC_04() -> None:
    denial = prove_nxdomain(name("b.example."), [], signer=APEX, verify=None)
    assert (denial.status, denial.verdict.reason, denial.verdict.ede) == (
        Status.BOGUS, Reason.NSEC_PROOF_MISSING, 12)


def test_nsec3_record_helper_sanity() -> None:
    record = nsec3(APEX, b"\x00" * 20, b"\xff" * 20, {A})
    assert record.owner.to_text() == "0" * 32 + ".example."


def test_nodata_for_qtype_any_needs_an_empty_bitmap() -> None:
    """QTYPE ANY asks for every type: a NODATA stands only where the matching NSEC/NSEC3
    lists nothing but the denial records themselves (an empty non-terminal)."""
    # Requirement trace: this test also proves VAL-ANY-01.
    any_type = 255
    for chain in (CHAIN, CHAIN3):
        assert status(prove_nodata(name("a.example."), any_type, chain, signer=APEX,
                                   verify=None))[:2] == (Status.BOGUS, Reason.DENIAL_TYPE_PRESENT)
        ent = prove_nodata(name("y.example."), any_type, chain, signer=APEX, verify=None)
        assert ent.status is Status.SECURE, ent.verdict
