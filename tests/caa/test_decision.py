"""The decision on a relevant RRset (RFC 8659 §4, RFC 8657, RFC 9495 §4) and on a failed
search (TLS BR 3.2.2.8: bogus, lookup failure, the lookup-failure exception)."""

from __future__ import annotations

import dns.name
import pytest

from dnssec_core.caa.decision import (
    Decision,
    DecisionReason,
    decide,
    decide_records,
    lookup_failure_exception,
    normalise_issuer_domain,
)
from dnssec_core.caa.domain import DomainKind
from dnssec_core.caa.records import CaaRecord, parse_caa_rdata
from dnssec_core.caa.search import Lookup, Outcome, SearchResult, ZoneProbe
from dnssec_core.chain.types import FailureKind, LookupFailure, Query
from dnssec_core.verdict import Reason, Verdict, bogus, indeterminate, insecure, secure
from tests.caa.test_records import wire

DNS, WILD, MAIL = DomainKind.DNS, DomainKind.WILDCARD, DomainKind.EMAIL


def rrset(*texts: str) -> list[CaaRecord]:
    return [parse_caa_rdata(wire(t)) for t in texts]


def verdict_of(records: list[CaaRecord], kind: DomainKind, *issuers: str,
               account: str | None = None, method: str | None = None) -> Decision:
    return decide_records(records, kind, set(issuers), account_uri=account,
                          validation_method=method).decision


P, D = Decision.PERMITTED, Decision.DENIED


# -- RFC 8659 examples -------------------------------------------------------------------------


def test_rfc8659_4_2_certs_example_CAA_ISS_03_05() -> None:
    certs = rrset('0 issue "ca1.example.net"')
    assert verdict_of(certs, DNS, "ca1.example.net") is P
    assert verdict_of(certs, DNS, "CA1.example.NET".lower()) is P
    assert verdict_of(certs, DNS, "ca2.example.org") is D
    assert verdict_of(certs, DNS, "example.net") is D  # exact, no suffix match
    assert verdict_of(certs, DNS, "x.ca1.example.net") is D


def test_rfc8659_4_2_nocerts_example_CAA_ISS_02() -> None:
    outcome = decide_records(rrset('0 issue ";"'), DNS, {"ca1.example.net"})
    assert outcome.decision is D and outcome.reason is DecisionReason.EMPTY_ISSUER


def test_authorisations_are_additive_RFC_8659_4_2() -> None:
    both = rrset('0 issue ";"', '0 issue "ca.example.net"')
    assert verdict_of(both, DNS, "ca.example.net") is P
    assert verdict_of(both, DNS, "other.example") is D


def test_rfc8659_4_1_critical_unknown_property_CAA_SYN_04_BR_CAA_03() -> None:
    records = rrset('0 issue "ca.example.net"', '128 tbs "Unknown"')
    outcome = decide_records(records, DNS, {"ca.example.net"})
    assert outcome.decision is D and outcome.reason is DecisionReason.CRITICAL_UNKNOWN_PROPERTY
    assert "'tbs'" in outcome.detail
    # not critical: ignored
    assert verdict_of(rrset('0 issue "ca.example.net"', '0 tbs "Unknown"'), DNS,
                      "ca.example.net") is P
    # critical and known: no effect
    assert verdict_of(rrset('128 issue "ca.example.net"', '128 iodef "mailto:a@b.example"'),
                      DNS, "ca.example.net") is P


def test_critical_unknown_forbids_every_kind_of_request() -> None:
    records = rrset('0 issue "ca"', '0 issuewild "ca"', '0 issuemail "ca"', '130 x "y"')
    for kind in (DNS, WILD, MAIL):
        assert verdict_of(records, kind, "ca") is D


def test_critical_malformed_record_forbids() -> None:
    records = [*rrset('0 issue "ca"'), parse_caa_rdata(b"\x80\x05is-ueca")]
    assert verdict_of(records, DNS, "ca") is D
    assert verdict_of([*rrset('0 issue "ca"'), parse_caa_rdata(b"\x00\x05is-ueca")], DNS,
                      "ca") is P


def test_rfc8659_4_3_wildcard_examples_CAA_ISS_06_07() -> None:
    """Proves BR-CAA-02, BR-CAA-12 (requirement trace)."""
    wild = rrset('0 issue "ca1.example.net"', '0 issuewild "ca2.example.org"')
    assert verdict_of(wild, DNS, "ca1.example.net") is P
    assert verdict_of(wild, DNS, "ca2.example.org") is D     # issuewild: not for plain names
    assert verdict_of(wild, WILD, "ca2.example.org") is P
    assert verdict_of(wild, WILD, "ca1.example.net") is D    # issuewild present: issue ignored
    nowild = rrset('0 issue "ca1.example.net"', '0 issuewild ";"')
    assert verdict_of(nowild, DNS, "ca1.example.net") is P
    assert verdict_of(nowild, WILD, "ca1.example.net") is D


def test_wildcard_without_issuewild_uses_issue_CAA_ISS_06() -> None:
    assert verdict_of(rrset('0 issue "ca"'), WILD, "ca") is P
    assert verdict_of(rrset('0 issue "ca"'), WILD, "other") is D


def test_no_governing_property_does_not_restrict_CAA_TREE_07() -> None:
    """Proves BR-CAA-04, CAA-TAG-01 (requirement trace)."""
    only_iodef = rrset('0 iodef "mailto:security@example.com"')
    outcome = decide_records(only_iodef, DNS, {"ca"})
    assert outcome.decision is P and outcome.reason is DecisionReason.NOT_RESTRICTED
    assert verdict_of(rrset('0 issuewild "other"'), DNS, "ca") is P       # demo case 8
    assert verdict_of(rrset('0 dummy "dummy"'), DNS, "ca") is P           # caatestsuite permit
    assert verdict_of(rrset('0 contactemail "a@b.example"'), DNS, "ca") is P


def test_malformed_issue_value_authorises_nobody_CAA_ISS_04() -> None:
    xss = rrset('''0 issue "<script>alert('Wheeeeee')</script>"''')
    outcome = decide_records(xss, DNS, {"ca"})
    assert outcome.decision is D and outcome.reason is DecisionReason.EMPTY_ISSUER
    assert verdict_of(rrset('0 issue "ca foo"', '0 issue "ca"'), DNS, "ca") is P


# -- RFC 8657 (CAA-PAR-01..03) -----------------------------------------------------------------

U1, U2 = "https://example.net/account/1234", "https://example.net/account/2345"


def test_rfc8657_two_accounts_example_CAA_PAR_01_03() -> None:
    records = rrset(f'0 issue "example.net; accounturi={U1}"',
                    f'0 issue "example.net; accounturi={U2}"')
    assert verdict_of(records, DNS, "example.net", account=U1) is P
    assert verdict_of(records, DNS, "example.net", account=U2) is P
    outcome = decide_records(records, DNS, {"example.net"},
                             account_uri="https://example.net/account/9")
    assert outcome.decision is D and outcome.reason is DecisionReason.PARAMETERS_NOT_SATISFIED
    assert verdict_of(records, DNS, "example.net") is D


def test_rfc8657_methods_examples_CAA_PAR_02() -> None:
    one = rrset('0 issue "example.net; validationmethods=dns-01,xyz-01"')
    split = rrset('0 issue "example.net; validationmethods=dns-01"',
                  '0 issue "example.net; validationmethods=xyz-01"')
    for records in (one, split):
        assert verdict_of(records, DNS, "example.net", method="dns-01") is P
        assert verdict_of(records, DNS, "example.net", method="xyz-01") is P
        assert verdict_of(records, DNS, "example.net", method="http-01") is D
    ca_foo = rrset('0 issue "example.net; validationmethods=dns-01,ca-foo"')
    assert verdict_of(ca_foo, DNS, "example.net", method="ca-foo") is P


def test_rfc8657_account_and_method_pairs_CAA_PAR_03() -> None:
    records = rrset(f'0 issue "example.net; accounturi={U1}; validationmethods=dns-01"',
                    f'0 issue "example.net; accounturi={U2}; validationmethods=http-01"')
    assert verdict_of(records, DNS, "example.net", account=U1, method="dns-01") is P
    assert verdict_of(records, DNS, "example.net", account=U2, method="http-01") is P
    assert verdict_of(records, DNS, "example.net", account=U1, method="http-01") is D
    assert verdict_of(records, DNS, "example.net", account=U2, method="dns-01") is D


def test_parameters_of_other_issuers_do_not_matter() -> None:
    records = rrset(f'0 issue "other.example; accounturi={U1}"', '0 issue "example.net"')
    assert verdict_of(records, DNS, "example.net") is P


# -- S/MIME: issuemail (RFC 9495 §4, CAA-MAIL-01..04, BR-SMIME-02) ------------------------------


def test_issuemail_governs_smime_and_issue_does_not_CAA_MAIL_03() -> None:
    assert verdict_of(rrset('0 issuemail "authority.example"'), MAIL, "authority.example") is P
    assert verdict_of(rrset('0 issuemail "authority.example"'), MAIL, "other.example") is D
    # issue alone: no restriction on S/MIME ...
    assert verdict_of(rrset('0 issue ";"'), MAIL, "authority.example") is P
    # ... and issue naming the CA does not authorise it when issuemail names someone else
    both = rrset('0 issue "authority.example"', '0 issuemail "other.example"')
    assert verdict_of(both, MAIL, "authority.example") is D
    # issuemail never authorises TLS issuance
    assert verdict_of(rrset('0 issuemail "ca"', '0 issue "other"'), DNS, "ca") is D


def test_issuemail_empty_forbids_all_smime_CAA_MAIL_04() -> None:
    outcome = decide_records(rrset('0 issuemail ";"'), MAIL, {"authority.example"})
    assert outcome.decision is D and outcome.reason is DecisionReason.EMPTY_ISSUER


def test_issuemail_parameters_CAA_MAIL_01() -> None:
    records = rrset(f'0 ISSUEMAIL "authority.example; accounturi={U1}"')
    assert verdict_of(records, MAIL, "authority.example", account=U1) is P
    assert verdict_of(records, MAIL, "authority.example", account=U2) is D


def test_ten_thousand_record_rrset_decides() -> None:
    """A 10,000-record RRset (larger than any DNS message could carry): linear, reasoned."""
    records = [parse_caa_rdata(wire(f'0 t{i} "test"')) for i in range(10_000)]
    assert verdict_of(records, DNS, "ca") is P  # nothing restricts
    records.append(parse_caa_rdata(wire('0 issue "caatestsuite.com"')))
    assert verdict_of(records, DNS, "ca") is D  # caatestsuite big.basic
    records.append(parse_caa_rdata(wire('128 t10000 "x"')))
    assert verdict_of(records, DNS, "caatestsuite.com") is D


@pytest.mark.parametrize(("given", "expected"), [
    ("ca.example", "ca.example"), ("CA.Example.", "ca.example"), (" ca.example ", "ca.example"),
])
def test_issuer_domain_normalised_BR_CAA_05(given: str, expected: str) -> None:
    assert normalise_issuer_domain(given) == expected


@pytest.mark.parametrize("bad", ["", ".", "ca..example", "ca_x.example", "-ca.example", "a b"])
def test_bad_issuer_domain_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        normalise_issuer_domain(bad)


# -- failed searches and BR-CAA-07 -----------------------------------------------------------

X = dns.name.from_text("www.example.")
Z = dns.name.from_text("example.")
TIMEOUT = LookupFailure(FailureKind.TIMEOUT, "no answer", 2, ("192.0.2.53",))


def failed(verdict: Verdict, failures: tuple[tuple[Query, LookupFailure], ...] = (),
           probes: tuple[ZoneProbe, ...] = ()) -> SearchResult:
    lookup = Lookup(X, verdict, 2, failures=failures)
    return SearchResult(X, Outcome.FAILED, (lookup,), probes)


def probe(verdict: Verdict) -> ZoneProbe:
    return ZoneProbe(X, verdict, Z)


UNANSWERED = ((Query(X, 257), TIMEOUT),)
LOST = indeterminate(Reason.LOOKUP_FAILED, "www.example.: timeout after 2 attempt(s)")
PROVEN = probe(insecure(Reason.INSECURE_DELEGATION, "no DS"))


def run(search: SearchResult, *, permit: bool = True, ca_servers: tuple[str, ...] = ()
        ) -> tuple[Decision | None, DecisionReason]:
    result = decide(search, DNS, {"ca"}, permit_on_lookup_failure=permit, ca_servers=ca_servers)
    return result.decision, result.reason


def test_bogus_never_permits_BR_DNSSEC_07() -> None:
    search = failed(bogus(Reason.SIG_INVALID, "bad"), UNANSWERED, (PROVEN,))
    assert run(search) == (Decision.LOOKUP_FAILURE, DecisionReason.DNSSEC_BOGUS)


def test_lookup_failure_exception_all_conditions_BR_CAA_07() -> None:
    search = failed(LOST, UNANSWERED, (PROVEN,))
    assert run(search) == (Decision.PERMITTED, DecisionReason.LOOKUP_FAILURE_PERMITTED)
    assert run(search, permit=False) == (Decision.LOOKUP_FAILURE, DecisionReason.LOOKUP_FAILED)


@pytest.mark.parametrize(("failure", "proof", "why"), [
    (LookupFailure(FailureKind.TIMEOUT, "x", 1, ("192.0.2.53",)), PROVEN, "not retried"),
    (LookupFailure(FailureKind.NETWORK, "x", 2, ("192.0.2.53",)), PROVEN, "network-error"),
    (LookupFailure(FailureKind.LIMIT, "x", 2, ("192.0.2.53",)), PROVEN, "resolution-limit"),
    (LookupFailure(FailureKind.TIMEOUT, "x", 2, ()), PROVEN, "no server recorded"),
    (LookupFailure(FailureKind.SERVFAIL, "x", 2, ("10.0.0.53",)), PROVEN, "CA's own"),
    (TIMEOUT, probe(secure()), "not proven insecure"),
    (TIMEOUT, probe(indeterminate(Reason.LOOKUP_FAILED, "x")), "not proven insecure"),
    (TIMEOUT, probe(insecure(Reason.NSEC3_ITERATIONS_INSECURE, "200 > 150")),
     "not proven insecure"),
    (TIMEOUT, probe(insecure(Reason.NO_TRUST_ANCHOR, "x")), "not proven insecure"),
    (TIMEOUT, None, "not checked"),
])
def test_lookup_failure_exception_each_condition_BR_CAA_07_08(
        failure: LookupFailure, proof: ZoneProbe | None, why: str) -> None:
    """Proves BR-CAA-09 (requirement trace)."""
    search = failed(LOST, ((Query(X, 257), failure),), (proof,) if proof else ())
    allowed, detail = lookup_failure_exception(search, ("10.0.0.53",))
    assert not allowed and why in detail
    decision, reason = run(search, ca_servers=("10.0.0.53",))
    assert decision is Decision.LOOKUP_FAILURE and reason is DecisionReason.LOOKUP_FAILED


def test_opt_out_and_unsupported_algorithm_count_as_proven_insecure() -> None:
    for reason in (Reason.DENIAL_OPT_OUT, Reason.UNSUPPORTED_ALGORITHM):
        search = failed(LOST, UNANSWERED, (probe(insecure(reason, "x")),))
        assert run(search)[0] is Decision.PERMITTED


def test_policy_insecure_answer_is_lookup_failure_never_permission_NSEC3_16() -> None:
    search = failed(insecure(Reason.NSEC3_ITERATIONS_INSECURE, "NSEC3 iterations 200 > cap 150"),
                    UNANSWERED, (PROVEN,))
    assert run(search) == (Decision.LOOKUP_FAILURE, DecisionReason.NSEC3_ITERATIONS)


def test_without_issuer_no_decision() -> None:
    result = decide(failed(bogus(Reason.SIG_INVALID, "x")), DNS, ())
    assert result.decision is None and result.reason is DecisionReason.DNSSEC_BOGUS
    none = decide(SearchResult(X, Outcome.NONE, ()), DNS, ())
    assert none.decision is None and none.reason is DecisionReason.NO_CAA_RECORDS
