"""The relevant RRset search of RFC 8659 §3, every query validated by the chain engine.

Sans-I/O, like the engine it drives (STYLE §4): :func:`search_steps` is a generator that yields
each :class:`~dnssec_core.chain.types.Query` the engine needs and is sent the transport's
answer; whoever does I/O (:mod:`dnssec_core.caa.check`, a test, a CA's own event loop) runs it.

The climb (CAA-TREE-01..08)::

    X = the FQDN (for *.Y: Y, CAA-TREE-02)
    loop:
        CAA(X) = the CAA RRset at X, aliases followed and every hop validated (CAA-TREE-03/05)
        bogus / indeterminate / insecure-without-proof  -> stop: failed (CAA-TREE-06)
        non-empty                                       -> stop: X holds the relevant RRset
        X is a TLD                                      -> stop: no CAA records (never ".")
        X = Parent(X) of the original name, not of an alias target (CAA-TREE-04)

"Insecure" counts as a usable answer only when it rests on a signed proof of an unsigned
delegation or an authenticated DS set of only unsupported algorithms (RFC 4035 §4.3, §5.2):
:data:`PROVEN_INSECURE`.  An answer insecure merely by local policy — NSEC3 iterations over
the cap (RFC 9276 §3.2, EDE 27), or no trust anchor above the name — proves nothing: an
attacker could replay any signed NSEC3 of a high-iteration zone to hide a CAA RRset, so the
search fails there (issue 6), never returning "no CAA records".

Every lookup is kept, with its verdict, rcode, EDE, the alias chain, the servers that answered
and the transport failures (BR-LOG-02).  For the lookup-failure rule of BR 3.2.2.8
(BR-CAA-07) the search can also *probe* the zone of each failed query: the engine's own walk
from the trust anchor (RFC 4035 §5.2) tells whether that zone lies below a proven unsigned
delegation; :mod:`dnssec_core.caa.decision` decides what that permits.
"""

from __future__ import annotations

import enum
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

import dns.name
from dns.name import Name

from dnssec_core import limits
from dnssec_core.caa.records import CAA_TYPE, CaaRecord, parse_caa_rdata
from dnssec_core.chain import engine
from dnssec_core.chain.engine import ChainLink, SignatureBudget, Validator
from dnssec_core.chain.present import rrset_texts
from dnssec_core.chain.types import Answer, FailureKind, LimitKind, LookupFailure, Query
from dnssec_core.verdict import Reason, Status, Verdict, indeterminate
from dnssec_core.wire.message import SignedRRset, rcode_text

DS_TYPE: Final = 43
#: SEC-LIM-05: queries for one whole CAA check (every climb step, alias hop, key fetch and
#: zone probe).  A 127-label name climbs 126 steps; with warm key caches a step costs one
#: query, so this leaves room for the chain walks without letting one check run away.
MAX_QUERIES_PER_CAA_CHECK: Final = 1024

#: RFC 4035 §4.3 "Insecure" means a signed proof that a delegation has no DS (or, RFC 4035
#: §5.2, an authenticated DS RRset naming only algorithms/digests we do not implement, which
#: the RFC says to treat the same way).  Only these reasons make an insecure answer usable for
#: CAA and make a zone "confirmed Insecure" for BR-CAA-07.  Not in the set, on purpose:
#: NSEC3_ITERATIONS_INSECURE (policy, RFC 9276 §3.2: the denial was never checked) and
#: NO_TRUST_ANCHOR (no chain from an anchor at all: RFC 4033 calls that indeterminate).
PROVEN_INSECURE: Final = frozenset(
    {
        Reason.INSECURE_DELEGATION,
        Reason.DENIAL_OPT_OUT,
        Reason.UNSUPPORTED_ALGORITHM,
        Reason.UNSUPPORTED_DIGEST,
        Reason.KEY_SIZE_UNSUPPORTED,
    }
)

_STATUS_RANK: Final = {
    Status.SECURE: 0,
    Status.INSECURE: 1,
    Status.INDETERMINATE: 2,
    Status.BOGUS: 3,
}


def climb(start: Name) -> Iterator[Name]:
    """X, Parent(X), ... down to and including the TLD; never the root (CAA-TREE-01)."""
    name = start
    while name != dns.name.root and len(name.labels) > 1:
        yield name
        name = name.parent()


def usable(verdict: Verdict) -> bool:
    """Secure, or insecure by a signed proof (:data:`PROVEN_INSECURE`)."""
    return verdict.status is Status.SECURE or (
        verdict.status is Status.INSECURE and verdict.reason in PROVEN_INSECURE
    )


@dataclass(frozen=True)
class Lookup:
    """One CAA query of the climb, validated end to end by the engine.

    ``records`` is the CAA RRset at the end of the alias chain (empty for NODATA/NXDOMAIN or
    when the verdict is not usable); ``aliases`` the CNAME/DNAME records followed; ``servers``
    the addresses that answered; ``failures`` every query the transport could not answer.
    """

    qname: Name
    verdict: Verdict
    rcode: int
    records: tuple[CaaRecord, ...] = ()
    owner: Name | None = None
    aliases: tuple[str, ...] = ()
    chain: tuple[ChainLink, ...] = ()
    queries: int = 0
    failures: tuple[tuple[Query, LookupFailure], ...] = ()
    servers: tuple[str, ...] = ()
    ttl: int | None = None
    trace: tuple[str, ...] = field(default=(), repr=False)

    @property
    def status(self) -> Status:
        return self.verdict.status

    @property
    def ede(self) -> int | None:
        return self.verdict.ede

    @property
    def usable(self) -> bool:
        return usable(self.verdict)

    def bad_zone(self) -> str:
        """The zone where validation broke: the first chain link that is not secure, else the
        last zone the engine walked to (whose data then failed), else the query name."""
        for link in self.chain:
            if link.status in (Status.BOGUS.value, Status.INDETERMINATE.value):
                return link.zone
        return self.chain[-1].zone if self.chain else self.qname.to_text()

    def as_json(self) -> dict[str, Any]:
        """The ``lookups`` entry of the CLI's JSON: exactly ``qname``, ``status``, ``rcode``,
        ``ede`` (issue 6)."""
        return {
            "qname": self.qname.to_text(),
            "status": self.status.value,
            "rcode": rcode_text(self.rcode),
            "ede": self.ede,
        }

    def audit_json(self) -> dict[str, Any]:
        """Everything kept about this lookup for the decision record (BR-LOG-02)."""
        return {
            **self.as_json(),
            "reason": self.verdict.reason.value,
            "detail": self.verdict.detail,
            "owner": self.owner.to_text() if self.owner is not None else None,
            "records": [r.presentation() for r in self.records],
            "aliases": list(self.aliases),
            "ttl": self.ttl,
            "chain": [link.__dict__ for link in self.chain],
            "queries": self.queries,
            "servers": list(self.servers),
            "failures": [
                {
                    "query": str(query),
                    "kind": failure.kind.value,
                    "attempts": failure.attempts,
                    "servers": list(failure.servers),
                    "detail": failure.detail,
                }
                for query, failure in self.failures
            ],
        }


@dataclass(frozen=True)
class ZoneProbe:
    """The status of the zone holding ``name``, from a walk down from the trust anchor.

    ``proven_insecure`` is RFC 4035 §4.3 "Insecure": the walk met a signed proof of an
    unsigned delegation at or above ``name`` (BR-CAA-07's third condition).
    """

    name: Name
    verdict: Verdict
    zone: Name
    chain: tuple[ChainLink, ...] = ()
    queries: int = 0

    @property
    def proven_insecure(self) -> bool:
        return self.verdict.status is Status.INSECURE and self.verdict.reason in PROVEN_INSECURE

    def audit_json(self) -> dict[str, Any]:
        return {
            "name": self.name.to_text(),
            "zone": self.zone.to_text(),
            "status": self.verdict.status.value,
            "reason": self.verdict.reason.value,
            "ede": self.verdict.ede,
            "detail": self.verdict.detail,
            "proven_insecure": self.proven_insecure,
            "chain": [link.__dict__ for link in self.chain],
            "queries": self.queries,
        }


class Outcome(enum.Enum):
    FOUND = "found"  # a non-empty CAA RRset: the relevant RRset
    NONE = "none"  # every name up to the TLD proven to have no CAA RRset
    FAILED = "failed"  # a lookup that cannot be relied on (bogus, indeterminate, policy)


@dataclass(frozen=True)
class SearchResult:
    """The outcome of one relevant RRset search, with every lookup in climb order."""

    start: Name
    outcome: Outcome
    lookups: tuple[Lookup, ...]
    probes: tuple[ZoneProbe, ...] = ()

    @property
    def last(self) -> Lookup | None:
        return self.lookups[-1] if self.lookups else None

    @property
    def relevant(self) -> Lookup | None:
        """The lookup that found the relevant RRset (outcome FOUND)."""
        return self.last if self.outcome is Outcome.FOUND else None

    @property
    def failed(self) -> Lookup | None:
        """The lookup that stopped the search (outcome FAILED)."""
        return self.last if self.outcome is Outcome.FAILED else None

    @property
    def relevant_domain(self) -> Name | None:
        """X of RFC 8659 §3: the climb name at which CAA(X) was not empty."""
        found = self.relevant
        return found.qname if found is not None else None

    @property
    def records(self) -> tuple[CaaRecord, ...]:
        found = self.relevant
        return found.records if found is not None else ()

    @property
    def status(self) -> Status:
        """The DNSSEC status of the relevant RRset or of the proof that none exists: the
        weakest lookup of the climb (a chain is as strong as its weakest link)."""
        worst = Status.SECURE
        for lookup in self.lookups:
            if _STATUS_RANK[lookup.status] > _STATUS_RANK[worst]:
                worst = lookup.status
        return worst

    @property
    def ttl(self) -> int | None:
        """VAL-TTL-04 / BR-CAA-06: the effective TTL of the relevant RRset (None when the
        search found none: the BRs' 8-hour floor then applies)."""
        found = self.relevant
        return found.ttl if found is not None else None


# -- the generators ---------------------------------------------------------------------------


class _Counter:
    def __init__(self, allowed: int) -> None:
        self.left = allowed


def search_steps(
    validator: Validator, start: Name, *, now: int, probe_failures: bool = False
) -> Generator[Query, Answer, SearchResult]:
    """The RFC 8659 §3 climb from ``start`` (already the wildcard's base name).

    With ``probe_failures``, a lookup that failed because the transport got no answer is
    followed by a :class:`ZoneProbe` of each unanswered query's zone (for BR-CAA-07).
    """
    budget = _Counter(MAX_QUERIES_PER_CAA_CHECK)
    signatures = _check_signatures()
    lookups: list[Lookup] = []
    for name in climb(start):
        lookup = yield from lookup_steps(validator, name, now=now, budget=budget,
                                         signatures=signatures)
        lookups.append(lookup)
        if not lookup.usable:
            probes: list[ZoneProbe] = []
            if probe_failures and lookup.failures:
                for probe_name in _probe_names(lookup):
                    probe = yield from probe_steps(validator, probe_name, now=now,
                                                   budget=budget, signatures=signatures)
                    probes.append(probe)
            return SearchResult(start, Outcome.FAILED, tuple(lookups), tuple(probes))
        if lookup.records:
            return SearchResult(start, Outcome.FOUND, tuple(lookups))
    return SearchResult(start, Outcome.NONE, tuple(lookups))


def _check_signatures() -> SignatureBudget:
    """The signature budget of one CAA check (SEC-LIM-01), shared by all its resolutions."""
    return SignatureBudget(limits.MAX_SIG_VALIDATIONS_PER_CAA_CHECK, "one CAA check")


def lookup_steps(
    validator: Validator, qname: Name, *, now: int, budget: _Counter | None = None,
    signatures: SignatureBudget | None = None,
) -> Generator[Query, Answer, Lookup]:
    """CAA(qname): one engine resolution (aliases followed and validated), as a Lookup.

    ``budget`` (queries) and ``signatures`` (verifications) are the CAA check's, shared
    across the climb (SEC-LIM-01/05); fresh ones when called alone."""
    budget = budget or _Counter(MAX_QUERIES_PER_CAA_CHECK)
    signatures = signatures or _check_signatures()
    resolution = validator.resolve(qname, CAA_TYPE, now=now, signatures=signatures)
    failures: list[tuple[Query, LookupFailure]] = []
    servers: list[str] = []
    while (query := resolution.next_query()) is not None:
        answer = yield from _ask(query, budget)
        if isinstance(answer, LookupFailure):
            failures.append((query, answer))
        elif answer.server and answer.server not in servers:
            servers.append(answer.server)
        resolution.receive(query, answer)
    result = resolution.result()
    records: tuple[CaaRecord, ...] = ()
    owner: Name | None = None
    ttl: int | None = None
    aliases: list[str] = []
    if usable(result.verdict):
        for signed in result.answer:
            if signed.rdtype == CAA_TYPE:
                # An RRset is a set: shown in canonical RDATA order (RFC 4034 §6.3; CAA RDATA
                # holds no names, so its wire form is canonical) for reproducible output.
                records = tuple(parse_caa_rdata(rdata) for rdata in sorted(signed.rrset.rdatas))
                owner = signed.owner
            else:
                aliases.extend(rrset_texts(signed.rrset))
            ttl = _min(ttl, effective_ttl(signed, now))
    else:
        for signed in result.answer:
            if signed.rdtype != CAA_TYPE:
                aliases.extend(rrset_texts(signed.rrset))
    return Lookup(
        qname,
        result.verdict,
        result.rcode,
        records,
        owner,
        tuple(aliases),
        tuple(result.chain),
        result.queries,
        tuple(failures),
        tuple(servers),
        ttl if records else None,
        tuple(result.trace),
    )


def probe_steps(
    validator: Validator, name: Name, *, now: int, budget: _Counter | None = None,
    signatures: SignatureBudget | None = None,
) -> Generator[Query, Answer, ZoneProbe]:
    """The status of the zone holding ``name``: the engine's walk from the trust anchor down
    to ``name`` (RFC 4035 §5.2), asking only DS and DNSKEY questions of each parent.

    This drives the engine's own key walk (``_Run.find_keys``) — the code every validation
    uses to find a zone's keys — because the engine has no public call for "the status of the
    zone at this name" yet.  Any error in it is indeterminate (fail closed).
    """
    budget = budget or _Counter(MAX_QUERIES_PER_CAA_CHECK)
    run = engine._Run(validator, name, DS_TYPE, now, signatures or _check_signatures())
    walk = run.find_keys(name)
    try:
        query = next(walk)
        while True:
            answer = yield from _ask(query, budget)
            query = walk.send(answer)
    except StopIteration as stop:
        state: engine.KeyState = stop.value
        return ZoneProbe(name, state.verdict, state.zone, tuple(run.chain.values()), run.queries)
    except Exception as exc:  # fail closed: never "insecure" by accident
        verdict = indeterminate(Reason.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}")
        return ZoneProbe(name, verdict, name, tuple(run.chain.values()), run.queries)


def _ask(query: Query, budget: _Counter) -> Generator[Query, Answer, Answer]:
    if budget.left <= 0:
        return LookupFailure(
            FailureKind.LIMIT, f"more than {MAX_QUERIES_PER_CAA_CHECK} queries for one CAA check",
            limit=LimitKind.QUERIES,
        )
    budget.left -= 1
    answer = yield query
    return answer


def _probe_names(lookup: Lookup) -> list[Name]:
    """The zone to probe for each unanswered query: a DS question is answered by the parent
    zone (RFC 4035 §3.1.4.1), every other question by the zone holding its name."""
    names: list[Name] = []
    for query, _ in lookup.failures:
        name = query.name
        if query.rdtype == DS_TYPE and name != dns.name.root:
            name = name.parent()
        if name not in names:
            names.append(name)
    return names


def effective_ttl(signed: SignedRRset, now: int) -> int:
    """VAL-TTL-02: min(received TTL, RRSIG Original TTL, seconds until RRSIG expiration)."""
    ttl = signed.rrset.ttl
    for sig in signed.rrsigs:
        ttl = min(ttl, sig.original_ttl, (sig.expiration - now) % (1 << 32))
    return ttl


def _min(a: int | None, b: int) -> int:
    return b if a is None else min(a, b)


__all__ = [
    "MAX_QUERIES_PER_CAA_CHECK",
    "PROVEN_INSECURE",
    "Lookup",
    "Outcome",
    "SearchResult",
    "ZoneProbe",
    "climb",
    "effective_ttl",
    "lookup_steps",
    "probe_steps",
    "search_steps",
    "usable",
]
