"""May this CA issue for this name?  TLS BR 3.2.2.8, S/MIME BR 4.2.2.1 and RFC 8659 §4.

Pure functions: the search result (:mod:`dnssec_core.caa.search`) and the request in, one
:class:`DecisionResult` out.  The outcomes are those BR-CAA-09 asks to keep apart:

==================  ==============================================================  ==========
decision            when                                                            may issue
==================  ==============================================================  ==========
``permitted``       the relevant RRset authorises an issuer domain of the CA, or     yes
                    restricts nothing for this kind of name, or there is none
``permitted``       reason ``lookup-failure-permitted``: BR-CAA-07's three          yes
                    conditions hold and the CA opted in (``permit_on_lookup_
                    failure``)
``denied``          the relevant RRset does not authorise the CA (or a critical     no
                    unknown property forbids everyone)
``lookup-failure``  DNSSEC validation failed (bogus, BR 3.2.2.8.1), the lookup      no
                    failed and the exception does not apply, or the answer was
                    insecure only by policy (NSEC3 iterations, EDE 27)
==================  ==============================================================  ==========

The ``reason`` is a stable code (:class:`DecisionReason`) and a one-line detail naming the
property, zone or EDE code it rests on.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final

from dnssec_core.caa.domain import DomainKind
from dnssec_core.caa.records import (
    CaaRecord,
    Tag,
    check_parameters,
    issuer_domain_problem,
    parse_issuer_value,
)
from dnssec_core.caa.search import Lookup, Outcome, SearchResult
from dnssec_core.chain.types import FailureKind
from dnssec_core.verdict import Reason, Status


class Decision(enum.Enum):
    PERMITTED = "permitted"
    DENIED = "denied"
    LOOKUP_FAILURE = "lookup-failure"


class DecisionReason(enum.Enum):
    """Why: the first part of the ``reason`` string (stable, machine-readable)."""

    # permitted
    NO_CAA_RECORDS = "no-caa-records"  # RFC 8659 §3: the search found no RRset
    NOT_RESTRICTED = "not-restricted"  # the relevant RRset has no property for this kind
    ISSUER_AUTHORIZED = "issuer-authorized"  # a property names one of the CA's issuer domains
    LOOKUP_FAILURE_PERMITTED = "lookup-failure-permitted"  # BR 3.2.2.8 exception (BR-CAA-07)
    # denied
    CRITICAL_UNKNOWN_PROPERTY = "critical-unknown-property"  # RFC 8659 §4.1, BR-CAA-03
    EMPTY_ISSUER = "no-issuer-authorized"  # only ";" (or unparseable) values: nobody may issue
    ISSUER_NOT_AUTHORIZED = "issuer-not-authorized"  # other issuers only
    PARAMETERS_NOT_SATISFIED = "parameters-not-satisfied"  # RFC 8657 accounturi/methods
    # lookup-failure
    DNSSEC_BOGUS = "dnssec-bogus"  # BR 3.2.2.8.1, BR-DNSSEC-07
    LOOKUP_FAILED = "lookup-failed"  # no answer (timeout, SERVFAIL, REFUSED...)
    DNSSEC_INDETERMINATE = "dnssec-indeterminate"  # limits, internal errors
    NSEC3_ITERATIONS = "nsec3-iterations-over-cap"  # insecure by policy only (EDE 27)
    NO_TRUST_ANCHOR = "no-trust-anchor"  # no chain from a trust anchor
    # no --issuer-domain: the search outcome only
    RELEVANT_RRSET_FOUND = "relevant-rrset-found"


#: Failure kinds BR 3.2.2.8 lists as lookup failures that may count as permission.
EXCEPTION_FAILURE_KINDS: Final = frozenset(
    {FailureKind.TIMEOUT, FailureKind.SERVFAIL, FailureKind.REFUSED}
)
#: "the lookup has been retried at least once" (BR 3.2.2.8): two attempts or more.
MIN_ATTEMPTS: Final = 2


@dataclass(frozen=True, slots=True)
class DecisionResult:
    """``decision`` is None when no issuer domain was given (only the search was asked)."""

    decision: Decision | None
    reason: DecisionReason
    detail: str

    @property
    def reason_text(self) -> str:
        return f"{self.reason.value}: {self.detail}" if self.detail else self.reason.value

    @property
    def may_issue(self) -> bool:
        return self.decision is Decision.PERMITTED


@dataclass(frozen=True, slots=True)
class RecordsDecision:
    decision: Decision
    reason: DecisionReason
    detail: str


def decide_records(
    records: Sequence[CaaRecord],
    kind: DomainKind,
    issuer_domains: Collection[str],
    *,
    account_uri: str | None = None,
    validation_method: str | None = None,
) -> RecordsDecision:
    """RFC 8659 §4 (and RFC 8657, RFC 9495 §4) on a non-empty relevant RRset.

    1. A critical property with a tag we do not know forbids issuance to everyone
       (RFC 8659 §4.1, CAA-SYN-04, BR-CAA-03) — checked first, whatever else the set says.
    2. The properties that govern this kind of name: ``issuemail`` for a mailbox domain
       (RFC 9495 §4, CAA-MAIL-03; ``issue``/``issuewild`` do not), ``issuewild`` for a wildcard
       if the set has any, else ``issue`` (RFC 8659 §4.3, CAA-ISS-06), ``issue`` otherwise
       (``issuewild`` never authorises a non-wildcard name, CAA-ISS-07).  None of them: the set
       does not restrict this issuance (CAA-ISS-05, CAA-TREE-07).
    3. Authorised iff one of them parses, names one of the CA's issuer domains (case-insensitive,
       exact: CAA-ISS-03) and has its RFC 8657 parameters satisfied (CAA-PAR-03).
    ``issuer_domains`` are expected in lower case without a final dot
    (:func:`normalise_issuer_domain`).
    """
    critical = [r for r in records if r.critical and not r.known]
    if critical:
        first = critical[0]
        why = f" ({first.malformed})" if first.malformed else ""
        return RecordsDecision(
            Decision.DENIED,
            DecisionReason.CRITICAL_UNKNOWN_PROPERTY,
            f"critical property with unknown tag {first.tag!r}{why}: nobody may issue "
            "(RFC 8659 §4.1)",
        )
    if kind is DomainKind.EMAIL:
        governing = [r for r in records if r.tag_key == Tag.ISSUEMAIL.value]
        tag = Tag.ISSUEMAIL.value
    elif kind is DomainKind.WILDCARD and any(r.tag_key == Tag.ISSUEWILD.value for r in records):
        governing = [r for r in records if r.tag_key == Tag.ISSUEWILD.value]
        tag = Tag.ISSUEWILD.value
    else:
        governing = [r for r in records if r.tag_key == Tag.ISSUE.value]
        tag = Tag.ISSUE.value
    if not governing:
        return RecordsDecision(
            Decision.PERMITTED,
            DecisionReason.NOT_RESTRICTED,
            f"the relevant RRset has no {tag} property, so it does not restrict this issuance",
        )
    named: list[str] = []
    unmet: list[str] = []
    for record in governing:
        value = parse_issuer_value(record.value)
        if not value.authorizes_someone:
            continue
        named.append(value.issuer_domain)
        if value.issuer_domain not in issuer_domains:
            continue
        outcome = check_parameters(
            value, account_uri=account_uri, validation_method=validation_method
        )
        if outcome.satisfied:
            ignored = ""
            if outcome.ignored:
                ignored = f"; ignored parameters {', '.join(outcome.ignored)}"
            return RecordsDecision(
                Decision.PERMITTED,
                DecisionReason.ISSUER_AUTHORIZED,
                f'{record.presentation()} authorises {value.issuer_domain}{ignored}',
            )
        unmet.append(f"{record.presentation()}: {outcome.detail}")
    if unmet:
        return RecordsDecision(
            Decision.DENIED, DecisionReason.PARAMETERS_NOT_SATISFIED, "; ".join(unmet)
        )
    if not named:
        return RecordsDecision(
            Decision.DENIED,
            DecisionReason.EMPTY_ISSUER,
            f"every {tag} property names no issuer (or cannot be parsed): nobody may issue "
            "(RFC 8659 §4.2)",
        )
    return RecordsDecision(
        Decision.DENIED,
        DecisionReason.ISSUER_NOT_AUTHORIZED,
        f"{tag} authorises only {', '.join(sorted(set(named)))}",
    )


def normalise_issuer_domain(text: str) -> str:
    """An issuer domain name as configured by the CA (BR-CAA-05): lower case, no final dot.

    Raises ValueError unless it is a non-empty LDH name (the grammar of RFC 8659 §4.2), since
    a name that can never match would silently deny everything.
    """
    name = text.strip().rstrip(".").lower()
    if not name:
        raise ValueError("empty issuer domain name")
    problem = issuer_domain_problem(name)
    if problem:
        raise ValueError(problem)
    return name


def decide(
    search: SearchResult,
    kind: DomainKind,
    issuer_domains: Collection[str],
    *,
    account_uri: str | None = None,
    validation_method: str | None = None,
    permit_on_lookup_failure: bool = False,
    ca_servers: Collection[str] = (),
) -> DecisionResult:
    """The decision for one request from its search result (BR 3.2.2.8, SBR 4.2.2.1).

    With no ``issuer_domains`` the decision is None and the reason describes the search.
    """
    asked = bool(issuer_domains)
    if search.outcome is Outcome.FAILED:
        failed = search.failed
        assert failed is not None
        reason, detail = _failure_reason(failed)
        if asked and permit_on_lookup_failure and reason is DecisionReason.LOOKUP_FAILED:
            allowed, why = lookup_failure_exception(search, ca_servers)
            if allowed:
                return DecisionResult(
                    Decision.PERMITTED, DecisionReason.LOOKUP_FAILURE_PERMITTED, why
                )
            detail = f"{detail}; not treated as permission: {why}"
        return DecisionResult(Decision.LOOKUP_FAILURE if asked else None, reason, detail)
    if search.outcome is Outcome.NONE:
        return DecisionResult(
            Decision.PERMITTED if asked else None,
            DecisionReason.NO_CAA_RECORDS,
            f"no CAA RRset at {search.start.to_text()} or any parent up to the TLD "
            f"({search.status.value})",
        )
    found = search.relevant
    assert found is not None
    where = f"relevant RRset at {found.qname.to_text()} ({found.status.value})"
    if not asked:
        return DecisionResult(None, DecisionReason.RELEVANT_RRSET_FOUND, where)
    outcome = decide_records(
        found.records,
        kind,
        issuer_domains,
        account_uri=account_uri,
        validation_method=validation_method,
    )
    return DecisionResult(outcome.decision, outcome.reason, f"{where}: {outcome.detail}")


def _failure_reason(failed: Lookup) -> tuple[DecisionReason, str]:
    verdict = failed.verdict
    ede = f", EDE {verdict.ede}" if verdict.ede is not None else ""
    what = f"CAA lookup at {failed.qname.to_text()}"
    if verdict.status is Status.BOGUS:
        return DecisionReason.DNSSEC_BOGUS, (
            f"{what}: DNSSEC validation failed in zone {failed.bad_zone()} "
            f"({verdict.reason.value}{ede}): {verdict.detail}; a validation failure never "
            "counts as permission (BR 3.2.2.8.1)"
        )
    if verdict.status is Status.INSECURE:
        if verdict.reason is Reason.NSEC3_ITERATIONS_INSECURE:
            return DecisionReason.NSEC3_ITERATIONS, (
                f"{what}: insecure only because {verdict.detail}{ede}; the denial could not "
                "be checked, so this is not proof of an unsigned zone or of no CAA records"
            )
        return DecisionReason.NO_TRUST_ANCHOR, (
            f"{what}: insecure without a proven unsigned delegation ({verdict.reason.value}"
            f"{ede}): {verdict.detail}"
        )
    if verdict.reason is Reason.LOOKUP_FAILED:
        return DecisionReason.LOOKUP_FAILED, f"{what}: {verdict.detail}{ede}"
    return DecisionReason.DNSSEC_INDETERMINATE, (
        f"{what}: indeterminate ({verdict.reason.value}{ede}): {verdict.detail}"
    )


def lookup_failure_exception(
    search: SearchResult, ca_servers: Collection[str] = ()
) -> tuple[bool, str]:
    """BR 3.2.2.8's exception: may this failed lookup be treated as permission?

    All must hold (BR-CAA-07), else the answer is no with the first condition that failed:

    1. every query left unanswered failed with a timeout, SERVFAIL or REFUSED at servers that
       are not the CA's own (``ca_servers``: e.g. the CA's recursive resolver) — "the failure is
       outside the CA's infrastructure";
    2. each was tried at least twice — "the lookup has been retried at least once";
    3. the zone of each unanswered query is proven Insecure (RFC 4035 §4.3): a signed proof of
       an unsigned delegation above it, never an unknown, indeterminate or policy-insecure
       status (:class:`~dnssec_core.caa.search.ZoneProbe`).
    """
    failed = search.failed
    if failed is None or not failed.failures:
        return False, "no transport failure was recorded for the failed lookup"
    own = set(ca_servers)
    for query, failure in failed.failures:
        if failure.kind not in EXCEPTION_FAILURE_KINDS:
            return False, f"{query}: {failure.kind.value} is not a timeout, SERVFAIL or REFUSED"
        if failure.attempts < MIN_ATTEMPTS:
            return False, f"{query}: tried {failure.attempts} time(s), not retried"
        if not failure.servers:
            return False, f"{query}: no server recorded, so not shown to be outside the CA"
        inside = own.intersection(failure.servers)
        if inside:
            return False, f"{query}: failed at the CA's own {', '.join(sorted(inside))}"
    if not search.probes:
        return False, "the failed lookup's zone was not checked for a proven insecure delegation"
    for probe in search.probes:
        if not probe.proven_insecure:
            status = probe.verdict.status.value
            return False, (
                f"zone {probe.zone.to_text()} of {probe.name.to_text()} is {status} "
                f"({probe.verdict.reason.value}), not proven insecure (RFC 4035 §4.3)"
            )
    failures = "; ".join(
        f"{query}: {failure.kind.value} after {failure.attempts} attempts at "
        f"{', '.join(failure.servers)}"
        for query, failure in failed.failures
    )
    zones = ", ".join(
        f"{p.zone.to_text()} ({p.verdict.reason.value})" for p in search.probes
    )
    return True, (
        f"{failures}; proven insecure: {zones}; treated as permission by the CA's policy "
        "(BR 3.2.2.8)"
    )
