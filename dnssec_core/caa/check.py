"""The library API for CAs: one CAA check, or a batch, from request to decision.

::

    from dnssec_core.caa import CaaRequest, check_caa, parse_domain

    request = CaaRequest(parse_domain("www.example.com"), issuer_domains=("ca.example",))
    check = check_caa(request, validator, transport, now=now)
    if check.decision is Decision.PERMITTED: ...      # anything else: do not issue
    log.write(json.dumps(decision_record(check, ...)))  # dnssec_core.caa.record

:func:`check_steps` is the same check as a sans-I/O generator (yield a Query, get an Answer)
for callers with their own I/O; :func:`check_caa` runs it against a transport (anything with
``ask(query) -> Response | LookupFailure``) under a wall-clock budget (SEC-LIM-05);
:func:`check_batch` runs many checks concurrently with one shared validator (and so one shared
cache of validated zone keys), each worker thread with its own transport, and never stops at
a single domain's failure.
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from dnssec_core.caa.decision import (
    Decision,
    DecisionReason,
    DecisionResult,
    decide,
    normalise_issuer_domain,
)
from dnssec_core.caa.domain import CaaDomain, DomainError, parse_domain
from dnssec_core.caa.records import CaaRecord, Iodef, Tag, parse_iodef
from dnssec_core.caa.search import Lookup, SearchResult, search_steps
from dnssec_core.chain.engine import Validator
from dnssec_core.chain.types import Answer, FailureKind, LimitKind, LookupFailure, Query
from dnssec_core.driver import Transport, ask_within
from dnssec_core.verdict import Status

#: SEC-LIM-05: wall-clock seconds for one whole CAA check (every climb step); queries asked
#: after it get a LIMIT failure, which is a lookup failure that never counts as permission.
CHECK_WALL_CLOCK_SECONDS: Final = 60.0
#: BR 3.2.2.8: issuance within max(CAA TTL, 8 hours) of the check (BR-CAA-06).
BR_MIN_REUSE_SECONDS: Final = 8 * 3600
#: Concurrent checks in a batch when the caller does not say.
DEFAULT_JOBS: Final = 8

_T = TypeVar("_T")


@dataclass(frozen=True)
class CaaRequest:
    """One question: may a CA with these issuer domain names issue for ``domain``?

    ``issuer_domains`` are the CA's Issuer Domain Names from its CP/CPS (BR-CAA-05), checked
    and put in lower case here; empty means "only search, decide nothing".
    ``permit_on_lookup_failure`` is the CA's opt-in to BR 3.2.2.8's lookup-failure exception;
    ``ca_servers`` lists addresses that belong to the CA (its recursive resolvers), where a
    failure can never be "outside the CA's infrastructure".
    """

    domain: CaaDomain
    issuer_domains: tuple[str, ...] = ()
    account_uri: str | None = None
    validation_method: str | None = None
    permit_on_lookup_failure: bool = False
    ca_servers: frozenset[str] = field(default=frozenset())

    def __post_init__(self) -> None:
        normalised = tuple(dict.fromkeys(normalise_issuer_domain(d) for d in self.issuer_domains))
        object.__setattr__(self, "issuer_domains", normalised)
        object.__setattr__(self, "ca_servers", frozenset(self.ca_servers))
        if self.account_uri is not None and not self.account_uri:
            raise ValueError("empty account URI")
        if self.validation_method is not None and not self.validation_method:
            raise ValueError("empty validation method")

    def audit_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain.given,
            "normalized": self.domain.text,
            "kind": self.domain.kind.value,
            "issuer_domains": list(self.issuer_domains),
            "account_uri": self.account_uri,
            "validation_method": self.validation_method,
            "permit_on_lookup_failure": self.permit_on_lookup_failure,
            "ca_servers": sorted(self.ca_servers),
        }


@dataclass(frozen=True)
class CaaCheck:
    """The typed result of one check: the search with every lookup, and the decision."""

    request: CaaRequest
    now: int
    search: SearchResult
    outcome: DecisionResult

    @property
    def decision(self) -> Decision | None:
        return self.outcome.decision

    @property
    def reason(self) -> str:
        return self.outcome.reason_text

    @property
    def status(self) -> Status:
        return self.search.status

    @property
    def relevant_domain(self) -> str | None:
        name = self.search.relevant_domain
        return name.to_text() if name is not None else None

    @property
    def records(self) -> tuple[CaaRecord, ...]:
        return self.search.records

    @property
    def lookups(self) -> tuple[Lookup, ...]:
        return self.search.lookups

    @property
    def iodef(self) -> tuple[Iodef, ...]:
        """The relevant RRset's iodef URLs, for reporting a refused request (BR-CAA-10)."""
        return tuple(parse_iodef(r.value) for r in self.records if r.tag_key == Tag.IODEF.value)

    @property
    def ttl(self) -> int | None:
        return self.search.ttl

    @property
    def reuse_until(self) -> int:
        """BR-CAA-06: issue no later than this (check time + max(TTL, 8 hours))."""
        return self.now + max(self.ttl or 0, BR_MIN_REUSE_SECONDS)

    def as_json(self) -> dict[str, Any]:
        """The CLI's JSON object, with exactly the keys of issue 6."""
        return {
            "domain": self.request.domain.text,
            "status": self.status.value,
            "relevant_domain": self.relevant_domain,
            "records": [r.as_json() for r in self.records],
            "decision": self.decision.value if self.decision is not None else None,
            "reason": self.reason,
            "lookups": [lookup.as_json() for lookup in self.lookups],
        }


def check_steps(
    request: CaaRequest, validator: Validator, *, now: int
) -> Generator[Query, Answer, CaaCheck]:
    """One CAA check, sans-I/O: the RFC 8659 §3 search, then the decision."""
    probe = request.permit_on_lookup_failure and bool(request.issuer_domains)
    search = yield from search_steps(validator, request.domain.name, now=now, probe_failures=probe)
    outcome = decide(
        search,
        request.domain.kind,
        request.issuer_domains,
        account_uri=request.account_uri,
        validation_method=request.validation_method,
        permit_on_lookup_failure=request.permit_on_lookup_failure,
        ca_servers=request.ca_servers,
    )
    return CaaCheck(request, now, search, outcome)


def run_steps(
    steps: Generator[Query, Answer, _T],
    transport: Transport,
    *,
    budget_seconds: float = CHECK_WALL_CLOCK_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> _T:
    """Answer each query of a sans-I/O generator with ``transport`` until it returns.

    After ``budget_seconds`` every query gets a LIMIT failure, and each ask is told the time
    left (SEC-LIM-05, :func:`~dnssec_core.driver.ask_within`); a transport that raises (they
    promise not to) gives a NETWORK failure — fail closed, never a crash mid-check.
    """
    deadline = clock() + budget_seconds
    try:
        query = next(steps)
        while True:
            answer: Answer
            left = deadline - clock()
            if left <= 0:
                answer = LookupFailure(
                    FailureKind.LIMIT, f"CAA check budget of {budget_seconds:g} s spent",
                    limit=LimitKind.WALL_CLOCK,
                )
            else:
                try:
                    answer = ask_within(transport, query, left)
                except Exception as exc:
                    answer = LookupFailure(
                        FailureKind.NETWORK, f"transport error: {type(exc).__name__}: {exc}"
                    )
            query = steps.send(answer)
    except StopIteration as stop:
        result: _T = stop.value
        return result


def check_caa(
    request: CaaRequest,
    validator: Validator,
    transport: Transport,
    *,
    now: int,
    budget_seconds: float = CHECK_WALL_CLOCK_SECONDS,
) -> CaaCheck:
    """Run one CAA check against ``transport`` (see the module docstring)."""
    return run_steps(
        check_steps(request, validator, now=now), transport, budget_seconds=budget_seconds
    )


@dataclass(frozen=True)
class BatchError:
    """A batch line that got no check: the input was refused, or the check itself crashed.

    Its JSON has the same keys as a check's; the decision is ``lookup-failure`` (no issuance)
    when issuer domains were given.
    """

    given: str
    reason: str
    asked: bool

    @property
    def decision(self) -> Decision | None:
        return Decision.LOOKUP_FAILURE if self.asked else None

    def as_json(self) -> dict[str, Any]:
        return {
            "domain": self.given,
            "status": None,
            "relevant_domain": None,
            "records": [],
            "decision": self.decision.value if self.decision is not None else None,
            "reason": self.reason,
            "lookups": [],
        }


def check_batch(
    lines: Iterable[str],
    validator: Validator,
    transport_factory: Callable[[], Transport],
    *,
    now: Callable[[], int],
    email: bool = False,
    issuer_domains: Iterable[str] = (),
    account_uri: str | None = None,
    validation_method: str | None = None,
    permit_on_lookup_failure: bool = False,
    ca_servers: Iterable[str] = (),
    jobs: int = DEFAULT_JOBS,
    budget_seconds: float = CHECK_WALL_CLOCK_SECONDS,
) -> Iterator[CaaCheck | BatchError]:
    """Check every non-blank line not starting with ``#``; results come in input order.

    Each line is one domain (or mailbox, with ``email``); the other arguments are those of
    :class:`CaaRequest`, the same for every line.  A line that is not a valid name becomes a
    :class:`BatchError` and the batch goes on.  Up to ``jobs`` checks run at a time in threads
    sharing ``validator`` (so validated zone keys are fetched once for the whole batch); each
    thread makes its own transport once (transports are not thread-safe).  ``now`` is read as
    each check starts: each domain's check time is its own (BR-CAA-06).
    """
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    issuers = tuple(dict.fromkeys(normalise_issuer_domain(d) for d in issuer_domains))
    servers = frozenset(ca_servers)
    local = threading.local()

    def one(line: str) -> CaaCheck | BatchError:
        try:
            request = CaaRequest(
                parse_domain(line, email=email),
                issuers,
                account_uri,
                validation_method,
                permit_on_lookup_failure,
                servers,
            )
        except (DomainError, ValueError) as exc:
            return BatchError(line, f"invalid-domain: {exc}", bool(issuers))
        try:
            transport = getattr(local, "transport", None)
            if transport is None:
                transport = local.transport = transport_factory()
            return check_caa(
                request, validator, transport, now=now(), budget_seconds=budget_seconds
            )
        except Exception as exc:  # keep going: one domain's crash is that domain's failure
            return BatchError(
                request.domain.text, f"internal-error: {type(exc).__name__}: {exc}", bool(issuers)
            )

    wanted = (line.strip() for line in lines)
    todo = (line for line in wanted if line and not line.startswith("#"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        window: deque[concurrent.futures.Future[CaaCheck | BatchError]] = deque()
        for line in todo:
            window.append(pool.submit(one, line))
            if len(window) >= jobs * 4:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


__all__ = [
    "BR_MIN_REUSE_SECONDS",
    "CHECK_WALL_CLOCK_SECONDS",
    "BatchError",
    "CaaCheck",
    "CaaRequest",
    "DecisionReason",
    "check_batch",
    "check_caa",
    "check_steps",
    "run_steps",
]
