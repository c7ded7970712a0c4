"""RFC 4035 Appendix B and RFC 5155 Appendix B example responses, with real signatures.

Each response is checked the way the chain engine would: the NSEC/NSEC3 RRsets are verified
with the zone's DNSKEY RRset (Appendix A) at a time inside the RFC signatures' window.

Expected results are the RFC text, read with the RFCs' own rules:

* RFC 5155 Appendix A sets the Opt-Out flag on *every* NSEC3 ("NSEC3 1 1 12 aabbccdd").  RFC 5155
  §9.2 forbids setting AD for "a closest (provable) encloser proof in which the NSEC3 RR that
  covers the 'next closer' name has the Opt-Out bit set", so B.1, B.3, B.4 and B.5 are proven
  but *insecure* (NSEC3-12) — exactly what Unbound's replays of these responses expect
  (testdata/val_nsec3_b1_nameerror.rpl, _b3_optout, _b4_wild, _b5_wcnodata: no AD).  The
  proofs themselves are complete, as the RFC text says: with the flag cleared (and signatures
  not checked, since the records then differ) they are secure.  B.2 and B.2.1 use a matching
  NSEC3 and are secure.
* RFC 5155 B.6 and RFC 4035 B.8 (DS query answered by the child) carry the child apex's own
  record (SOA bit set).  The RFC text: it is "from the apex of the child, not from the zone cut
  of the parent"; RFC 6840 §4.1 forbids using it to deny DS (NSEC-11): bogus
  ``denial-from-child-apex``.  (Unbound: val_nsec3_nods_soa.rpl → SERVFAIL.)
* Known errata: the RFC 5155 text of B.6 lacks the "(" after "RRSIG NSEC3 7 2 3600"; the
  loader restores it (rfcdata.py).  No erratum changes any record of Appendix A or B.

Negative variants follow Unbound's (…_noce, _nonc, _nowc, _wr): one record removed or replaced.
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
from dnssec_core.verdict import Reason, Status
from dnssec_core.wire.message import SignedRRset
from dnssec_core.wire.name import names_equal, rrsig_label_count
from dnssec_core.wire.rrset import RRset
from tests.dnssec.denial.rfcdata import (
    RFC4035_NOW,
    RFC5155_NOW,
    Example,
    example,
    examples,
    verifier,
    zone,
)

B4035 = "rfc4035-appendixB-example-responses.txt"
B5155 = "rfc5155-appendixB-example-responses.txt"
Z4035 = "rfc4035-appendixA-signed-zone.zone"
Z5155 = "rfc5155-appendixA-example-zone.zone"
NS_TYPE, NSEC3_TYPE = 2, 50


def test_example_counts() -> None:
    assert [e.section for e in examples(B5155)] == ["B.1", "B.2", "B.2.1", "B.3", "B.4",
                                                    "B.5", "B.6"]
    assert [e.section for e in examples(B4035)] == [f"B.{i}" for i in range(1, 9)]


def wildcard_labels(ex: Example) -> int:
    (answer,) = [s for s in ex.answer if s.rdtype == ex.qtype]
    return answer.rrsigs[0].labels


def prove(ex: Example, authority: list[SignedRRset], file: str, *, checked: bool = True
          ) -> Denial:
    """The check the chain engine makes for this response's shape."""
    data = zone(Z5155 if file == B5155 else Z4035)
    verify = verifier(data, RFC5155_NOW if file == B5155 else RFC4035_NOW) if checked else None
    apex = data.origin
    answer = [s for s in ex.answer if s.rdtype == ex.qtype]
    referral = [s.owner for s in ex.authority
                if s.rdtype == NS_TYPE and not names_equal(s.owner, apex)]
    if ex.rcode == 3:
        return prove_nxdomain(ex.qname, authority, signer=apex, verify=verify)
    if answer:
        return prove_wildcard_answer(ex.qname, answer[0].rrsigs[0].labels, authority,
                                     signer=apex, verify=verify)
    if referral:
        return prove_insecure_referral(referral[0], authority, signer=apex, verify=verify)
    if ex.qtype == 43:
        return prove_no_ds(ex.qname, authority, signer=apex, verify=verify)
    return prove_nodata(ex.qname, ex.qtype, authority, signer=apex, verify=verify)


def without_opt_out(authority: tuple[SignedRRset, ...]) -> list[SignedRRset]:
    out = []
    for signed in authority:
        if signed.rdtype == NSEC3_TYPE:
            rrset = signed.rrset
            rdatas = tuple(rd[:1] + bytes((rd[1] & ~1,)) + rd[2:] for rd in rrset.rdatas)
            signed = SignedRRset(RRset(rrset.owner, rrset.rdtype, rrset.rdclass, rrset.ttl,
                                       rdatas), signed.rrsigs)
        out.append(signed)
    return out


RFC5155_EXPECTED = [
    # section, status, reason, proof, closest encloser
    ("B.1", Status.INSECURE, Reason.DENIAL_OPT_OUT, Proof.OPT_OUT, "x.w.example."),
    ("B.2", Status.SECURE, Reason.OK, Proof.NO_DATA, None),
    ("B.2.1", Status.SECURE, Reason.OK, Proof.NO_DATA, None),
    ("B.3", Status.INSECURE, Reason.DENIAL_OPT_OUT, Proof.OPT_OUT, "example."),
    ("B.4", Status.INSECURE, Reason.DENIAL_OPT_OUT, Proof.OPT_OUT, "w.example."),
    ("B.5", Status.INSECURE, Reason.DENIAL_OPT_OUT, Proof.OPT_OUT, "w.example."),
    ("B.6", Status.BOGUS, Reason.DENIAL_CHILD_APEX, Proof.NO_DATA, None),
]


@pytest.mark.parametrize("case", RFC5155_EXPECTED, ids=lambda c: c[0])
def test_rfc5155_appendix_b_NSEC3_05_to_12(case: tuple[str, Status, Reason, Proof, str | None]
                                            ) -> None:
    section, status, reason, proof, ce = case
    ex = example(B5155, section)
    denial = prove(ex, list(ex.authority), B5155)
    assert (denial.verdict.status, denial.verdict.reason, denial.proof) == (status, reason,
                                                                            proof)
    assert (denial.closest_encloser.to_text() if denial.closest_encloser else None) == ce
    if status is Status.INSECURE:
        assert denial.verdict.ede is None  # RFC 8914 has no code for Opt-Out


@pytest.mark.parametrize("section,proof", [("B.1", Proof.NAME_ERROR),
                                           ("B.4", Proof.WILDCARD_ANSWER),
                                           ("B.5", Proof.WILDCARD_NO_DATA)])
def test_rfc5155_appendix_b_proofs_complete_without_opt_out_NSEC3_06_09_10(
        section: str, proof: Proof) -> None:
    ex = example(B5155, section)
    denial = prove(ex, without_opt_out(ex.authority), B5155, checked=False)
    assert (denial.verdict.status, denial.proof) == (Status.SECURE, proof)


def test_rfc5155_b3_referral_is_insecure_NSEC3_11() -> None:
    ex = example(B5155, "B.3")
    denial = prove(ex, without_opt_out(ex.authority), B5155, checked=False)
    # Without Opt-Out the same records prove c.example does not exist: no referral possible.
    assert denial.verdict.status is Status.BOGUS


RFC5155_BROKEN = [
    # section, owner hash prefix of the record removed, reason (Unbound's variant)
    ("B.1", "b4um86eg", Reason.DENIAL_NOT_COVERED),  # _noce: example. becomes the encloser
    ("B.1", "0p9mhave", Reason.DENIAL_NOT_COVERED),  # _nonc
    ("B.1", "35mthgpg", Reason.DENIAL_WILDCARD_NOT_DENIED),  # _nowc
    ("B.2", "2t7b4g4v", Reason.NSEC_PROOF_MISSING),  # _nons
    ("B.3", "0p9mhave", Reason.DENIAL_NO_CLOSEST_ENCLOSER),  # _noce
    ("B.3", "35mthgpg", Reason.DENIAL_NOT_COVERED),  # _nonc
    ("B.4", "q04jkcev", Reason.NSEC_PROOF_MISSING),
    ("B.5", "k8udemvp", Reason.DENIAL_NO_CLOSEST_ENCLOSER),  # _noce
    ("B.5", "q04jkcev", Reason.DENIAL_NOT_COVERED),  # _nonc
    ("B.6", "0p9mhave", Reason.NSEC_PROOF_MISSING),
]


@pytest.mark.parametrize("case", RFC5155_BROKEN, ids=lambda c: f"{c[0]}-no-{c[1]}")
def test_rfc5155_appendix_b_record_removed_bogus_NSEC3_05(case: tuple[str, str, Reason]
                                                          ) -> None:
    section, prefix, reason = case
    ex = example(B5155, section)
    kept = [s for s in ex.authority if not s.owner.to_text().startswith(prefix)]
    assert len(kept) == len(ex.authority) - 1
    denial = prove(ex, kept, B5155)
    assert (denial.verdict.status, denial.verdict.reason) == (Status.BOGUS, reason)


def test_rfc5155_b5_without_wildcard_stays_insecure_NSEC3_12() -> None:
    """Unbound's val_nsec3_b5_wcnodata_nowc: the next closer name is in an Opt-Out span, so
    without the wildcard record the answer is still insecure, never secure."""
    ex = example(B5155, "B.5")
    kept = [s for s in ex.authority if not s.owner.to_text().startswith("r53bq7cc")]
    denial = prove(ex, kept, B5155)
    assert (denial.verdict.status, denial.proof) == (Status.INSECURE, Proof.OPT_OUT)


@pytest.mark.parametrize("section,replacement", [("B.2.1", "B.2"), ("B.4", "B.2")])
def test_rfc5155_appendix_b_wrong_record_bogus_NSEC3_07_10(section: str, replacement: str
                                                          ) -> None:
    """Unbound's …_wr variants: the NSEC3 swapped for another validly signed one."""
    ex = example(B5155, section)
    other = [s for s in example(B5155, replacement).authority if s.rdtype == NSEC3_TYPE]
    swapped = [s for s in ex.authority if s.rdtype != NSEC3_TYPE] + other
    denial = prove(ex, swapped, B5155)
    assert denial.verdict.status is Status.BOGUS
    assert denial.verdict.reason in (Reason.DENIAL_NO_CLOSEST_ENCLOSER,
                                     Reason.DENIAL_NOT_COVERED)


RFC4035_EXPECTED = [
    ("B.2", Status.SECURE, Reason.OK, Proof.NAME_ERROR, "example."),
    ("B.3", Status.SECURE, Reason.OK, Proof.NO_DATA, None),
    ("B.4", Status.BOGUS, Reason.NSEC_PROOF_MISSING, Proof.NONE, None),
    ("B.5", Status.INSECURE, Reason.INSECURE_DELEGATION, Proof.INSECURE_DELEGATION, None),
    ("B.6", Status.SECURE, Reason.OK, Proof.WILDCARD_ANSWER, "w.example."),
    ("B.7", Status.SECURE, Reason.OK, Proof.WILDCARD_NO_DATA, "w.example."),
    ("B.8", Status.BOGUS, Reason.DENIAL_CHILD_APEX, Proof.NO_DATA, None),
]


@pytest.mark.parametrize("case", RFC4035_EXPECTED, ids=lambda c: c[0])
def test_rfc4035_appendix_b_NSEC_03_to_12(case: tuple[str, Status, Reason, Proof, str | None]
                                          ) -> None:
    """B.4 is a referral to a *signed* zone (DS present): it cannot be proven insecure."""
    section, status, reason, proof, ce = case
    ex = example(B4035, section)
    denial = prove(ex, list(ex.authority), B4035)
    assert (denial.verdict.status, denial.verdict.reason, denial.proof) == (status, reason,
                                                                            proof)
    assert (denial.closest_encloser.to_text() if denial.closest_encloser else None) == ce


def test_rfc4035_b1_answer_is_not_a_wildcard_expansion_VAL_WILD_01() -> None:
    ex = example(B4035, "B.1")
    (answer,) = [s for s in ex.answer if s.rdtype == ex.qtype]
    assert answer.rrsigs[0].labels == rrsig_label_count(answer.owner)
    with pytest.raises(ValueError):
        prove(ex, list(ex.authority), B4035)


RFC4035_BROKEN = [
    ("B.2", "b.example.", Reason.DENIAL_NOT_COVERED),
    ("B.2", "example.", Reason.DENIAL_WILDCARD_NOT_DENIED),
    ("B.3", "ns1.example.", Reason.NSEC_PROOF_MISSING),
    ("B.5", "b.example.", Reason.NSEC_PROOF_MISSING),
    ("B.6", "x.y.w.example.", Reason.NSEC_PROOF_MISSING),
    ("B.7", "x.y.w.example.", Reason.DENIAL_NO_MATCH),
    ("B.7", "*.w.example.", Reason.DENIAL_NO_MATCH),
]


@pytest.mark.parametrize("case", RFC4035_BROKEN, ids=lambda c: f"{c[0]}-no-{c[1]}")
def test_rfc4035_appendix_b_record_removed_bogus_NSEC_04(case: tuple[str, str, Reason]) -> None:
    section, owner, reason = case
    ex = example(B4035, section)
    kept = [s for s in ex.authority if not (s.rdtype == 47 and s.owner.to_text() == owner)]
    assert len(kept) == len(ex.authority) - 1
    denial = prove(ex, kept, B4035)
    assert (denial.verdict.status, denial.verdict.reason) == (Status.BOGUS, reason)


def test_appendix_b_signatures_are_checked_NSEC_01() -> None:
    """A record from the response with its RRSIG stripped is not trusted."""
    ex = example(B4035, "B.2")
    stripped = [SignedRRset(s.rrset) if s.rdtype == 47 else s for s in ex.authority]
    denial = prove(ex, stripped, B4035)
    assert (denial.verdict.status, denial.verdict.reason) == (Status.BOGUS,
                                                              Reason.RRSIGS_MISSING)


def test_wildcard_examples_carry_labels_2_VAL_WILD_01() -> None:
    """RFC 4035 B.6 and RFC 5155 B.4: "a.z.w.example" (4 labels) signed with Labels 2."""
    assert wildcard_labels(example(B4035, "B.6")) == 2
    assert wildcard_labels(example(B5155, "B.4")) == 2
