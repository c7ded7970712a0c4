"""Rules the traceability matrix found implemented but not asserted by any test (audit gaps).

VAL-DS-06 (RFC 4509 §3): when a SHA-256 (or SHA-384) DS names the same key as a SHA-1 DS, the
SHA-1 DS is not used, so a forged SHA-1 DS cannot stand in for the stronger one.
"""

from __future__ import annotations

import dataclasses

from dnssec_core.dnssec.ds import DSMatch, ds_matches, make_ds, usable_ds
from tests.support.signer import make_key, name

ZONE = name("example.com.")


def test_sha1_ds_dropped_when_sha256_names_the_same_key_VAL_DS_06() -> None:
    key = make_key(13, flags=257).dnskey()
    other = make_key(8, flags=257, bits=1024).dnskey()
    sha1, sha256, sha384 = (make_ds(ZONE, key, t) for t in (1, 2, 4))
    other_sha1 = make_ds(ZONE, other, 1)
    assert all(ds_matches(ds, ZONE, key) is DSMatch.MATCH for ds in (sha1, sha256, sha384))
    # SHA-1 is dropped only for the key that also has a stronger digest
    assert usable_ds([sha1, sha256, other_sha1]) == [sha256, other_sha1]
    assert usable_ds([sha384, sha1]) == [sha384]
    # alone, SHA-1 stays usable (it is MUST-implement for validation, VAL-DS-02)
    assert usable_ds([sha1]) == [sha1]
    # a SHA-1 DS with a forged digest cannot replace the SHA-256 one
    forged = dataclasses.replace(sha1, digest=bytes(20))
    assert usable_ds([forged, sha256]) == [sha256]


def test_nsec3param_has_no_say_in_denial_NSEC3_17() -> None:
    """NSEC3-17 (RFC 5155 §4): NSEC3PARAM is for authoritative servers; a conflicting one
    (other salt and iterations) beside a valid NSEC3 chain changes no denial verdict."""
    from dnssec_core.dnssec.denial import Proof, prove_no_ds, prove_nodata, prove_nxdomain
    from dnssec_core.verdict import Reason, Status
    from dnssec_core.wire.rrset import RRset
    from tests.dnssec.denial.build import APEX, NS, SOA, ZoneModel, nsec3_chain
    from tests.dnssec.denial.build import A as TYPE_A

    nsec3param = 51
    zone = ZoneModel.of(APEX, {"@": {SOA, NS}, "a": {TYPE_A}, "sub": {NS}})
    chain = nsec3_chain(zone)
    conflicting = RRset(APEX, nsec3param, 1, 0, (bytes((1, 0, 0, 12, 2)) + b"\xaa\xbb",))
    for records in (chain, [*chain, conflicting], [conflicting, *chain]):
        nx = prove_nxdomain(name("b.example."), records, signer=APEX, verify=None)
        nodata = prove_nodata(name("a.example."), 16, records, signer=APEX, verify=None)
        no_ds = prove_no_ds(name("sub.example."), records, signer=APEX, verify=None)
        assert (nx.status, nx.verdict.reason, nx.proof) == (
            Status.SECURE, Reason.OK, Proof.NAME_ERROR)
        assert (nodata.status, nodata.proof) == (Status.SECURE, Proof.NO_DATA)
        assert (no_ds.status, no_ds.proof) == (Status.INSECURE, Proof.INSECURE_DELEGATION)
    # an NSEC3PARAM alone proves nothing
    alone = prove_nxdomain(name("b.example."), [conflicting], signer=APEX, verify=None)
    assert alone.status is Status.BOGUS


def test_mailbox_lookup_failure_follows_the_tls_rules_BR_SMIME_03() -> None:
    """BR-SMIME-03 (SBR 4.2.2.1): for a mailbox address the lookup-failure exception needs
    the same three conditions as TLS, and the result carries the same reuse window."""
    from dnssec_core.caa.decision import Decision, DecisionReason
    from dnssec_core.chain.types import FailureKind
    from tests.caa.test_search import check, failing
    from tests.caa.world import NOW

    tamper = failing("unsigned.", FailureKind.TIMEOUT)
    permitted = check("bob@www.unsigned", "mail.example", email=True, tamper=tamper,
                      permit_on_lookup_failure=True)
    assert permitted.decision is Decision.PERMITTED
    assert permitted.outcome.reason is DecisionReason.LOOKUP_FAILURE_PERMITTED
    assert permitted.search.probes[0].proven_insecure
    plain = check("bob@www.unsigned", "mail.example", email=True, tamper=tamper)
    assert plain.decision is Decision.LOOKUP_FAILURE
    signed = check("bob@www.c", "mail.example", email=True,
                   tamper=failing("c.", FailureKind.TIMEOUT), permit_on_lookup_failure=True)
    assert signed.decision is Decision.LOOKUP_FAILURE
    ok = check("bob@mail.c", "mail.example", email=True)
    assert ok.decision is Decision.PERMITTED
    assert ok.reuse_until == NOW + max(ok.ttl or 0, 8 * 3600)  # BR-CAA-06 window


def test_extra_tags_never_override_issue_BR_CAA_04_CAA_TAG_01() -> None:
    """BR-CAA-04 / CAA-TAG-01 (TLS BR 3.2.2.8, App. A.1): contactemail, contactphone and
    issuevmc may sit in the RRset but neither grant nor widen what issue/issuemail decide."""
    from dnssec_core.caa.decision import Decision
    from tests.caa.test_decision import DNS, rrset, verdict_of

    extras = ['0 contactemail "a@b.example"', '0 contactphone "+1 555 0100"',
              '0 issuevmc "ca"']
    for extra in extras:
        assert verdict_of(rrset('0 issue "other"', extra), DNS, "ca") is Decision.DENIED
        assert verdict_of(rrset('0 issue "ca"', extra), DNS, "ca") is Decision.PERMITTED
        assert verdict_of(rrset(extra), DNS, "ca") is Decision.PERMITTED  # restricts nothing
