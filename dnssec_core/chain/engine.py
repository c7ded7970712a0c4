"""The sans-I/O validating resolver: from the trust anchor down to the answer (RFC 4035 §5).

The engine never opens a socket and never reads a clock.  It is driven like this::

    resolution = validator.resolve(qname, qtype, now=now)
    while (query := resolution.next_query()) is not None:
        resolution.receive(query, transport.ask(query))
    result = resolution.result()

Internally each resolution is a generator that *yields* the :class:`Query` it needs and is
*sent* the :class:`Response` or :class:`LookupFailure` that answers it — the RFC logic then
reads top to bottom, like Unbound's validator states (INIT → FINDKEY → VALIDATE → FINISHED):

1. ask the question; classify the response (positive, CNAME/DNAME alias, NODATA, NXDOMAIN);
2. take the zone that signed it (the RRSIG Signer's Name; for a negative answer, its NSEC or
   NSEC3 records' signer; DS is the parent's data) and find that zone's keys by walking from
   the closest enclosing trust anchor down one label at a time (:meth:`_Run.find_keys`; names
   under no anchor are insecure, RFC 4035 §4.4): a DS RRset signed by
   the parent and a DNSKEY RRset signed by a DS-matched key make a secure zone cut
   (VAL-CHAIN-01/02, VAL-KEY-05); a signed proof that a delegation has no DS makes everything
   below it insecure (VAL-STAT-03); a proof that a name is not a delegation moves on;
3. validate the answer RRset, or the denial of existence, with those keys (VAL-RRSIG-*,
   NSEC-*, NSEC3-*); follow CNAME/DNAME links, each validated on its own (VAL-CNAME-01/02),
   reading the next link from the same response when the server already sent it.

Every bound of :mod:`dnssec_core.limits` is enforced here; an exceeded bound, a lookup
failure or any unexpected error ends the resolution as bogus or indeterminate with a reason —
never secure (fail closed).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Generator
from dataclasses import dataclass, field, replace
from typing import Any

import dns.name
from dns.name import Name

from dnssec_core import limits
from dnssec_core.chain import proofs
from dnssec_core.chain.anchors import TrustAnchors, ZoneAnchor
from dnssec_core.chain.cache import AnswerCache, Lifetime, aged
from dnssec_core.chain.types import Answer, FailureKind, LimitKind, LookupFailure, Query
from dnssec_core.crypto.base import Backend, PublicKey
from dnssec_core.dnssec.algorithms import DEFAULT_POLICY, AlgorithmPolicy
from dnssec_core.dnssec.denial.nsec3 import HashAllowance
from dnssec_core.dnssec.ds import DSMatch, ds_matches, usable_ds
from dnssec_core.dnssec.records import DNSKEY, DNSKEY_TYPE, DS, DS_TYPE
from dnssec_core.dnssec.rrsig import ZoneKeys, verify_rrset
from dnssec_core.timeutil import format_time
from dnssec_core.verdict import Reason, Status, Verdict, bogus, indeterminate, insecure, secure
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.message import Rcode, Response, SignedRRset
from dnssec_core.wire.name import canonical_key, is_subdomain, names_equal, rrsig_label_count
from dnssec_core.wire.rrset import type_text

log = logging.getLogger(__name__)

CNAME_TYPE = 5
DNAME_TYPE = 39
ANY_TYPE = 255
NSEC_TYPE = 47
NSEC3_TYPE = 50
SOA_TYPE = 6

#: VAL-RRSIG-09: a verified signature expiring sooner than this after ``now`` is flagged in
#: the trace (policy: the 8 hours of TLS BR 3.2.2.8 for which a CAA result may be reused — a
#: reused result should not rest on signatures that lapse meanwhile).  No clock-skew
#: allowance is applied (the requirement's default of 0).
EXPIRY_WARNING_SECONDS = 8 * 3600
_SERIAL_MOD = 1 << 32
_SERIAL_HALF = 1 << 31


class SignatureBudget:
    """Signature verifications shared by several resolutions, e.g. every step of one CAA
    check (SEC-LIM-01: a per-resolution budget alone lets a 126-step climb spend it 126
    times).  Pass it to :meth:`Validator.resolve`; ``spent`` tells whether it ran out."""

    def __init__(self, allowed: int, scope: str) -> None:
        self.allowed = allowed
        self.left = allowed
        self.scope = scope
        self.spent = False


class _Budget:
    """Counts signature verifications for one resolution (SEC-LIM-01), and for a shared
    :class:`SignatureBudget` when there is one."""

    def __init__(self, backend: Backend, allowed: int,
                 shared: SignatureBudget | None = None) -> None:
        self.backend = backend
        self.left = allowed
        self.name = backend.name
        self.shared = shared
        self.shared_spent = False  # this resolution was stopped by the shared budget

    def verify(self, key: PublicKey, signature: bytes, data: bytes) -> bool:
        if self.left <= 0:
            raise limits.WorkLimitExceeded(
                f"more than {limits.MAX_SIG_VALIDATIONS_PER_RESOLUTION} signature "
                "verifications for one resolution"
            )
        shared = self.shared
        if shared is not None:
            if shared.left <= 0:
                shared.spent = self.shared_spent = True
                raise limits.WorkLimitExceeded(
                    f"more than {shared.allowed} signature verifications for {shared.scope}"
                )
            shared.left -= 1
        self.left -= 1
        return self.backend.verify(key, signature, data)


@dataclass(frozen=True)
class KeyState:
    """What the walk from the trust anchor learned about one zone (RFC 4035 §5.2).

    ``status`` secure: ``keys`` is the zone's authenticated DNSKEY set.  insecure: a signed
    proof showed no DS at ``zone`` (or only unsupported algorithms), so everything at and below
    it is insecure.  bogus / indeterminate: the chain is broken or could not be fetched.
    """

    zone: Name
    verdict: Verdict
    keys: ZoneKeys | None = None
    ds: tuple[DS, ...] = ()

    @property
    def status(self) -> Status:
        return self.verdict.status


@dataclass(frozen=True)
class ChainLink:
    """One zone on the path, for the result's ``chain`` (keys = key tags, ds = DS records)."""

    zone: str
    status: str
    keys: list[int]
    ds: list[str]
    reason: str = ""


@dataclass
class Result:
    """The outcome of one resolution (the ``query --json`` object, issue 5)."""

    qname: Name
    qtype: int
    verdict: Verdict
    rcode: int
    answer: list[SignedRRset] = field(default_factory=list)
    chain: list[ChainLink] = field(default_factory=list)
    queries: int = 0
    trace: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        return self.verdict.status

    def as_json(self) -> dict[str, Any]:
        from dnssec_core.chain.present import rrset_texts
        from dnssec_core.wire.message import rcode_text

        return {
            "status": self.verdict.status.value,
            "rcode": rcode_text(self.rcode),
            "qname": self.qname.to_text(),
            "qtype": type_text(self.qtype),
            "answer": [text for signed in self.answer for text in rrset_texts(signed.rrset)],
            "reason": "" if self.verdict.status is Status.SECURE else self.verdict.reason.value,
            "ede": self.verdict.ede,
            "chain": [link.__dict__ for link in self.chain],
            "queries": self.queries,
        }


class _Kind(enum.Enum):
    POSITIVE = "positive"
    ALIAS = "alias"
    NODATA = "nodata"
    NXDOMAIN = "nxdomain"


class Validator:
    """A validating resolver core for one process: trust anchors, backend, policy and caches.

    Caches hold validated zone keys (and the "not a zone cut" facts learned on the way) until
    the earliest of their TTLs and signature expirations; bogus key states are cached for
    ``BOGUS_CACHE_SECONDS`` only.  With ``answer_cache`` (the default) finished results are
    reused too, until the data they rest on expires (:mod:`dnssec_core.chain.cache`; bogus
    ones for ``BOGUS_CACHE_SECONDS``, indeterminate ones never).  One Validator per network
    perspective (BR-MPIC-03).
    """

    BOGUS_CACHE_SECONDS = 60

    def __init__(
        self, anchors: TrustAnchors, *, backend: Backend, policy: AlgorithmPolicy = DEFAULT_POLICY,
        answer_cache: bool = True,
    ) -> None:
        self.anchors = anchors
        self.backend = backend
        self.policy = policy
        # (state, stored at, until) and (stored at, until): an entry serves only a ``now`` in
        # [stored at, until) — a resolution at an earlier time must not use keys or proofs
        # validated at a later one (their signatures may not be valid yet at that time).
        self._keys: dict[tuple[bytes, ...], tuple[KeyState, int, int]] = {}
        self._not_cuts: dict[tuple[bytes, ...], tuple[int, int]] = {}
        self.answers: AnswerCache[Result] | None = (
            AnswerCache(limits.ANSWER_CACHE_ENTRIES) if answer_cache else None)

    def resolve(self, qname: Name, qtype: int, *, now: int,
                signatures: SignatureBudget | None = None) -> Resolution:
        """Start resolving (qname, qtype).  ``signatures``: a verification budget shared with
        other resolutions (e.g. one CAA check's, SEC-LIM-01) on top of the per-resolution
        one; when it is what ran out the verdict is indeterminate
        ``limit-signature-validations-per-check``."""
        return Resolution(self, qname, qtype, now, signatures)

    # Cache of KeyState per zone name (and "not a cut" markers), expiring at an absolute time.
    def cached_keys(self, zone: Name, now: int) -> KeyState | None:
        entry = self._keys.get(canonical_key(zone))
        if entry is None or not entry[1] <= now < entry[2]:
            return None
        return entry[0]

    def key_expiry(self, zone: Name) -> int | None:
        """When the cached key state of ``zone`` expires (None: not cached)."""
        entry = self._keys.get(canonical_key(zone))
        return None if entry is None else entry[2]

    # The answer cache (issue 5): finished results per (qname, qtype), never read by the engine
    # itself — a hit replaces a whole resolution.
    def cached_answer(self, qname: Name, qtype: int, now: int) -> Result | None:
        """A copy of a live cached result, with ``queries`` 0, a trace line saying so, and
        its answer TTLs reduced by the time spent in the cache."""
        if self.answers is None:
            return None
        hit = self.answers.get((canonical_key(qname), qtype), now)
        if hit is None:
            return None
        result, stored_at, until = hit
        return replace(result, answer=[aged(a, now - stored_at) for a in result.answer],
                       chain=list(result.chain), queries=0,
                       trace=[f"= {qname} answered from the answer cache ({result.status.value},"
                              f" cached until {format_time(until)})"])

    def store_answer(self, result: Result, lifetime: Lifetime, now: int) -> None:
        """Cache ``result``: secure/insecure until ``lifetime`` ends, bogus for
        ``BOGUS_CACHE_SECONDS``; indeterminate results and spent work bounds never."""
        if self.answers is None or result.status is Status.INDETERMINATE:
            return
        if result.verdict.reason.value.startswith("limit-"):
            return
        bogus_result = result.status is Status.BOGUS
        if not bogus_result and not lifetime.cacheable:
            return
        until = now + self.BOGUS_CACHE_SECONDS if bogus_result else lifetime.until
        kept = replace(result, answer=list(result.answer), chain=list(result.chain), trace=[])
        self.answers.store((canonical_key(result.qname), result.qtype), kept, now=now,
                           until=until, bogus=bogus_result)

    def store_keys(self, state: KeyState, until: int, *, now: int) -> None:
        if len(self._keys) >= limits.KEY_CACHE_ENTRIES:
            self._keys.clear()
        self._keys[canonical_key(state.zone)] = (state, now, until)

    def not_a_cut_until(self, name: Name, now: int) -> int | None:
        """When the remembered proof that ``name`` is not a zone cut (a signed denial) expires;
        None when there is no live one."""
        entry = self._not_cuts.get(canonical_key(name))
        return entry[1] if entry is not None and entry[0] <= now < entry[1] else None

    def store_not_a_cut(self, name: Name, until: int, *, now: int) -> None:
        if len(self._not_cuts) >= limits.KEY_CACHE_ENTRIES:
            self._not_cuts.clear()
        self._not_cuts[canonical_key(name)] = (now, until)


class Resolution:
    """One question being resolved and validated; see the module docstring for the loop."""

    def __init__(self, validator: Validator, qname: Name, qtype: int, now: int,
                 signatures: SignatureBudget | None = None) -> None:
        self._run = _Run(validator, qname, qtype, now, signatures)
        self._steps = self._run.resolve()
        self._pending: Query | None = None
        self._result: Result | None = validator.cached_answer(qname, qtype, now)
        if self._result is None:
            self._advance(None)

    def next_query(self) -> Query | None:
        """The query the engine needs answered next, or None when the result is ready."""
        return self._pending

    def receive(self, query: Query, answer: Answer) -> None:
        """Hand over the answer to :meth:`next_query`'s query."""
        if self._pending is None or query != self._pending:
            raise ValueError(f"receive() for {query}, but the engine asked for {self._pending}")
        self._advance(answer)

    def result(self) -> Result:
        if self._result is None:
            raise ValueError("result() before the resolution finished")
        return self._result

    def _advance(self, answer: Answer | None) -> None:
        try:
            self._pending = self._steps.send(answer) if answer is not None else next(self._steps)
        except StopIteration as stop:
            self._pending = None
            self._result = stop.value
            self._run.v.store_answer(stop.value, self._run.lifetime, self._run.now)
        except Exception as exc:  # fail closed: an engine bug is indeterminate, never secure
            log.exception("internal error resolving %s", self._run.qname)
            self._pending = None
            self._result = self._run.finish(
                indeterminate(Reason.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}"),
                Rcode.SERVFAIL,
            )


class _Run:
    """The resolution algorithm, written as generators (yield a Query, get an Answer)."""

    def __init__(self, validator: Validator, qname: Name, qtype: int, now: int,
                 signatures: SignatureBudget | None = None) -> None:
        self.v = validator
        self.qname = qname
        self.qtype = qtype
        self.now = now
        self.backend = _Budget(validator.backend, limits.MAX_SIG_VALIDATIONS_PER_RESOLUTION,
                               signatures)
        # SEC-LIM-03: NSEC3 hashes for the whole resolution; each proof draws a per-response
        # hasher from it (response budget NSEC3_HASHES_PER_RESPONSE, memo shared)
        self.hashes = HashAllowance(limits.NSEC3_HASHES_PER_RESOLUTION)
        self.queries = 0
        self.answer: list[SignedRRset] = []
        self.chain: dict[tuple[bytes, ...], ChainLink] = {}
        self.trace: list[str] = []
        self.nodata_not_nxdomain = False  # set by validate_denial: NXDOMAIN header, NODATA proof
        self.lifetime = Lifetime(now)  # how long the result may be cached (chain.cache)

    # -- plumbing ------------------------------------------------------------------------------

    def ask(self, query: Query) -> Generator[Query, Answer, Answer]:
        if self.queries >= limits.MAX_QUERIES_PER_RESOLUTION:
            return LookupFailure(
                FailureKind.LIMIT, f"more than {limits.MAX_QUERIES_PER_RESOLUTION} queries",
                limit=LimitKind.QUERIES,
            )
        self.queries += 1
        answer = yield query
        if isinstance(answer, Response) and (
            answer.qtype != query.rdtype or not names_equal(answer.qname, query.name)
        ):  # SEC-NET-01: an answer to another question is no answer
            answer = LookupFailure(
                FailureKind.MALFORMED,
                f"response is for {answer.qname}/{answer.qtype}, not {query}",
            )
        self.trace.append(f"? {query} → {_describe(answer)}")
        return answer

    def verify(self, signed: SignedRRset, keys: ZoneKeys) -> Verdict:
        verdict = verify_rrset(
            signed.rrset,
            signed.rrsigs,
            keys,
            now=self.now,
            backend=self.backend,
            policy=self.v.policy,
        )
        if verdict.status is Status.SECURE and verdict.key_tag is not None:
            self.flag_expiry(signed, verdict.key_tag)
        return verdict

    def flag_expiry(self, signed: SignedRRset, key_tag: int) -> None:
        """VAL-RRSIG-09: a trace line when the signature that made ``signed`` secure expires
        within :data:`EXPIRY_WARNING_SECONDS`.  Of several unexpired RRSIGs by that key, the
        one lasting longest is taken (it may be the one that verified); RFC 1982 serial
        arithmetic relative to ``now``, as the RRSIG checks (RFC 4034 §3.1.5)."""
        left = max(
            (
                remaining
                for sig in signed.rrsigs
                if sig.key_tag == key_tag
                and (remaining := (sig.expiration - self.now) % _SERIAL_MOD) < _SERIAL_HALF
            ),
            default=None,
        )
        if left is not None and left < EXPIRY_WARNING_SECONDS:
            self.trace.append(
                f"! {signed.owner} {type_text(signed.rdtype)}: the signature by key {key_tag} "
                f"expires in {left} s, at {format_time(self.now + left)} (VAL-RRSIG-09)"
            )

    def finish(self, verdict: Verdict, rcode: int) -> Result:
        if self.backend.shared_spent and verdict.reason is Reason.LIMIT_SIG_VALIDATIONS:
            # the shared budget (not this resolution's data) ran out: nothing was shown to
            # be bogus, the answer is unknown (SEC-LIM-01)
            verdict = indeterminate(Reason.LIMIT_CHECK_SIG_VALIDATIONS, verdict.detail)
        return Result(
            self.qname,
            self.qtype,
            verdict,
            rcode,
            self.answer,
            list(self.chain.values()),
            self.queries,
            self.trace,
        )

    def link(self, state: KeyState) -> None:
        until = self.v.key_expiry(state.zone)
        if until is not None and until > self.now:  # the result rests on these cached keys
            self.lifetime.cap(until)
        keys = sorted({k.key_tag for k in state.keys.keys}) if state.keys else []
        self.chain[canonical_key(state.zone)] = ChainLink(
            state.zone.to_text(),
            state.status.value,
            keys,
            [
                f"{d.key_tag} {d.algorithm} {d.digest_type} {d.digest.hex().upper()}"
                for d in state.ds
            ],
            "" if state.status is Status.SECURE else state.verdict.reason.value,
        )

    # -- the question and its CNAME/DNAME chain (VAL-CNAME-01/02, SEC-LIM-06) ------------------

    def resolve(self) -> Generator[Query, Answer, Result]:
        name = self.qname
        seen: set[tuple[bytes, ...]] = set()
        overall = secure()
        rcode = int(Rcode.NOERROR)
        carried: Response | None = None
        for _hop in range(limits.MAX_CNAME_HOPS + 1):
            if canonical_key(name) in seen:
                return self.finish(
                    indeterminate(Reason.CNAME_LOOP, f"alias loop at {name}"), Rcode.SERVFAIL
                )
            seen.add(canonical_key(name))
            if carried is not None:  # the previous response already holds this link's answer
                answer: Answer = carried
                self.trace.append(f"  {name}: answered in the same response")
            else:
                answer = yield from self.ask(Query(name, self.qtype))
            if isinstance(answer, LookupFailure):
                return self.finish(_lookup_failed(answer, name), Rcode.SERVFAIL)
            if answer.rcode not in (Rcode.NOERROR, Rcode.NXDOMAIN):
                return self.finish(
                    indeterminate(
                        Reason.LOOKUP_FAILED, f"{name}: server answered rcode {answer.rcode}"
                    ),
                    answer.rcode,
                )
            # The rcode reported is the one the proof supports, not the unsigned header's: a
            # validated answer is NOERROR even if the header said NXDOMAIN (RFC 6604 §3).
            kind, _ = _classify(name, self.qtype, answer)
            rcode = int(Rcode.NXDOMAIN if kind is _Kind.NXDOMAIN else Rcode.NOERROR)
            for signed in (*answer.answer, *answer.authority):
                self.lifetime.rrset(signed)
            if kind in (_Kind.NODATA, _Kind.NXDOMAIN):  # RFC 2308 §5
                self.lifetime.negative(
                    next((s for s in answer.authority if s.rdtype == SOA_TYPE), None))
            self.nodata_not_nxdomain = False
            verdict, next_name = yield from self.validate_response(name, answer)
            if self.nodata_not_nxdomain:
                rcode = int(Rcode.NOERROR)
            overall = _combine(overall, verdict)
            if verdict.status in (Status.BOGUS, Status.INDETERMINATE):
                return self.finish(verdict, Rcode.SERVFAIL)
            if next_name is None and self.qtype == CNAME_TYPE and kind is not _Kind.NXDOMAIN:
                target = _alias_target(name, answer)
                if (target is not None and answer.rcode == Rcode.NXDOMAIN
                        and _denial_signer(target, answer) is not None):
                    # asked for the CNAME itself, the server went on to its target: an
                    # NXDOMAIN header is believed only with a proof for the target (RFC 6604)
                    proven = yield from self.validate_denial(target, _Kind.NXDOMAIN, answer)
                    if proven.status in (Status.BOGUS, Status.INDETERMINATE):
                        return self.finish(proven, Rcode.SERVFAIL)
                    overall = _combine(overall, proven)
                    rcode = int(Rcode.NXDOMAIN)
            if next_name is None:
                return self.finish(overall, rcode)
            name = next_name
            carried = answer if _answers_for(name, self.qtype, answer) else None
        return self.finish(
            indeterminate(
                Reason.LIMIT_CNAME_CHAIN, f"more than {limits.MAX_CNAME_HOPS} CNAME/DNAME links"
            ),
            Rcode.SERVFAIL,
        )

    def validate_response(
        self, name: Name, response: Response
    ) -> Generator[Query, Answer, tuple[Verdict, Name | None]]:
        """Classify one response (RFC 4035 §5, STYLE §4) and validate it by class."""
        kind, target = _classify(name, self.qtype, response)
        if kind is _Kind.POSITIVE:
            assert target is not None
            rrsets = [target]
            if self.qtype == ANY_TYPE:  # every RRset at the name, each validated on its own
                rrsets = [rr for rr in response.answer if names_equal(rr.owner, name)]
            overall = secure()
            for rrset in rrsets:
                verdict = yield from self.validate_answer(rrset, response)
                overall = _combine(overall, verdict)
                if verdict.status not in (Status.SECURE, Status.INSECURE):
                    return verdict, None
                self.answer.append(rrset)
            return overall, None
        if kind is _Kind.ALIAS:
            assert target is not None
            return (yield from self.validate_alias(name, target, response))
        verdict = yield from self.validate_denial(name, kind, response)
        return verdict, None

    # -- positive answers --------------------------------------------------------------------

    def validate_answer(
        self, signed: SignedRRset, response: Response
    ) -> Generator[Query, Answer, Verdict]:
        """An RRset: secure with a verified RRSIG by its zone's keys, insecure below an
        insecure delegation, bogus otherwise.  Wildcard expansions also need the proof that
        no closer name exists (VAL-WILD-02; NSEC-06 / NSEC3-10)."""
        verdict, state = yield from self.validate_rrset(signed)
        if verdict.status is not Status.SECURE or state is None or state.keys is None:
            return verdict
        owner_labels = rrsig_label_count(signed.owner)
        wildcard = [sig for sig in signed.rrsigs if sig.labels < owner_labels]
        if wildcard:
            proof = proofs.wildcard_answer(
                signed.owner, wildcard[0].labels, response, state.keys, self.verify,
                self.hashes.response(),
            )
            if proof.status is not Status.SECURE:
                return proof
        return verdict

    def validate_rrset(
        self, signed: SignedRRset
    ) -> Generator[Query, Answer, tuple[Verdict, KeyState | None]]:
        """Validate one RRset wherever it lives: find its zone's keys, then verify."""
        if not signed.rrsigs:
            state = yield from self.find_keys(_home(signed.owner, signed.rdtype))
            if state.status is Status.SECURE:
                return bogus(
                    Reason.RRSIGS_MISSING,
                    f"{signed.owner} is in signed zone {state.zone} but unsigned",
                ), state
            return state.verdict, state
        signer = _signer(signed)
        if signer is None:
            return bogus(
                Reason.SIGNER_MISMATCH, f"no RRSIG of {signed.owner} names an enclosing zone"
            ), None
        if signed.rdtype == DS_TYPE and not is_subdomain(_home(signed.owner, DS_TYPE), signer):
            # RFC 4035 §5.3.1: the signer is the zone holding the RRset; DS is the parent's
            return bogus(
                Reason.SIGNER_MISMATCH,
                f"DS at {signed.owner} signed by {signer}, not by the parent side "
                "(RFC 4034 §5, RFC 4035 §5.3.1)",
            ), None
        state = yield from self.find_keys(signer, apex=True)
        if state.status is not Status.SECURE:
            return state.verdict, state
        if not names_equal(state.zone, signer):
            return bogus(
                Reason.SIGNER_MISMATCH,
                f"signer {signer} is not a zone apex (its zone is {state.zone})",
            ), state
        assert state.keys is not None
        return self.verify(signed, state.keys), state

    def validate_alias(
        self, name: Name, alias: SignedRRset, response: Response
    ) -> Generator[Query, Answer, tuple[Verdict, Name | None]]:
        """A CNAME (validated like any RRset) or a DNAME whose synthesised CNAME must equal the
        substitution (VAL-CNAME-02, RFC 6672 §3.4); returns the next name to ask."""
        if alias.rdtype == CNAME_TYPE:
            verdict = yield from self.validate_answer(alias, response)
            if verdict.status in (Status.SECURE, Status.INSECURE):
                self.answer.append(alias)
            try:
                target, _ = _read_target(alias)
            except WireError as exc:
                return bogus(Reason.MALFORMED_DATA, f"CNAME at {name}: {exc}"), None
            return verdict, target
        if any(sig.labels < rrsig_label_count(alias.owner) for sig in alias.rrsigs):
            # RFC 4592 §4.4: a DNAME owned by a wildcard is to be avoided or rejected; as
            # Unbound does, a wildcard-expanded DNAME is bogus.
            return bogus(
                Reason.DNAME_MISMATCH,
                f"DNAME at {alias.owner} was expanded from a wildcard (RFC 4592 §4.4)",
            ), None
        verdict = yield from self.validate_answer(alias, response)
        try:
            dname_target, _ = _read_target(alias)
            synthesized = name.relativize(alias.owner).concatenate(dname_target)
        except (WireError, dns.name.NameTooLong) as exc:
            return bogus(Reason.DNAME_MISMATCH, f"DNAME at {alias.owner}: {exc}"), None
        cname = response.answer_rrset(name, CNAME_TYPE)
        if cname is not None:
            try:
                claimed, _ = _read_target(cname)
            except WireError:
                claimed = None
            if claimed is None or not names_equal(claimed, synthesized):
                return bogus(
                    Reason.DNAME_MISMATCH,
                    f"CNAME {name} → {claimed} is not the DNAME substitution {synthesized}",
                ), None
        if verdict.status in (Status.SECURE, Status.INSECURE):
            self.answer.append(alias)
            if self.qtype == CNAME_TYPE:
                # asked for CNAME: the synthesised CNAME is the answer, not followed
                if cname is not None:
                    self.answer.append(cname)
                return verdict, None
        return verdict, synthesized

    # -- denial of existence ---------------------------------------------------------------

    def validate_denial(
        self, name: Name, kind: _Kind, response: Response
    ) -> Generator[Query, Answer, Verdict]:
        """NODATA / NXDOMAIN: proven by NSEC/NSEC3 signed by the zone (NSEC-*, NSEC3-*);
        insecure when the zone is below an insecure delegation; bogus when the zone is signed
        and the proof is missing or wrong."""
        signer = _denial_signer(name, response)
        if signer is None:
            state = yield from self.find_keys(_home(name, self.qtype))
            if state.status is Status.SECURE:
                return bogus(
                    Reason.NSEC_PROOF_MISSING,
                    f"{state.zone} is signed but the {kind.value} answer is not",
                )
            return state.verdict
        if self.qtype == DS_TYPE and not is_subdomain(_home(name, DS_TYPE), signer):
            return _child_side_answer(name, signer)
        state = yield from self.find_keys(signer, apex=True)
        if state.status is not Status.SECURE:
            return state.verdict
        if not names_equal(state.zone, signer):
            return bogus(Reason.SIGNER_MISMATCH, f"signer {signer} is not a zone apex")
        assert state.keys is not None
        soa = next((s for s in response.authority if s.rdtype == SOA_TYPE), None)
        if soa is not None:
            soa_verdict = self.verify(soa, state.keys)
            if soa_verdict.status is not Status.SECURE:
                return soa_verdict
        hasher = self.hashes.response()
        if kind is _Kind.NXDOMAIN:
            verdict = proofs.nxdomain(name, response, state.keys, self.verify, hasher)
            if verdict.reason is Reason.DENIAL_NAME_EXISTS:
                # The signed records show the name exists (an empty non-terminal, say): the
                # unsigned NXDOMAIN header is wrong, and what they do prove is NODATA — the
                # answer reported is the one the validated records support (as Unbound does).
                nodata = proofs.nodata(name, self.qtype, response, state.keys, self.verify,
                                       hasher)
                if nodata.status is Status.SECURE:
                    self.nodata_not_nxdomain = True
                    return nodata
            return verdict
        return proofs.nodata(name, self.qtype, response, state.keys, self.verify, hasher)

    # -- FINDKEY: the walk from the trust anchor (VAL-CHAIN-01..04, TA-04) --------------------

    def anchor_keys(self, anchor: ZoneAnchor) -> Generator[Query, Answer, KeyState]:
        """The anchor zone's DNSKEY RRset, validated against its trust anchors (TA-04)."""
        cached = self.v.cached_keys(anchor.zone, self.now)
        if cached is not None:
            self.link(cached)
            return cached
        valid_ds = anchor.ds_at(self.now)  # TA-03: RFC 7958 windows at this resolution's time
        if not valid_ds and not anchor.dnskeys:
            state = KeyState(anchor.zone, indeterminate(
                Reason.TRUST_ANCHOR_NOT_VALID,
                f"no trust anchor for {anchor.zone} is valid at {format_time(self.now)}"))
            self.link(state)
            return state
        usable = tuple(usable_ds(list(valid_ds), self.v.policy))
        if not usable and not anchor.dnskeys:  # RFC 4035 §5.2, VAL-ALG-05: nothing to check
            state = KeyState(anchor.zone, insecure(Reason.UNSUPPORTED_ALGORITHM,
                                                   "every trust anchor is unsupported"))
            self.link(state)
            return state
        answer = yield from self.ask(Query(anchor.zone, DNSKEY_TYPE))
        state = self.check_dnskeys(anchor.zone, answer, usable, anchor.dnskeys)
        # Keys validated from an anchor serve no longer than the anchor's window (TA-03).
        self.remember(state, answer, not_after=anchor.next_change(self.now))
        return state

    def check_dnskeys(
        self,
        zone: Name,
        answer: Answer,
        ds_set: tuple[DS, ...],
        anchor_keys: tuple[DNSKEY, ...] = (),
        ds_overflow: int = 0,
    ) -> KeyState:
        """RFC 4035 §5.2 / VAL-KEY-05: the DNSKEY RRset is signed by a key that matches a DS
        (or equals an anchor DNSKEY); then every zone key in it is trusted.

        ``ds_overflow``: the DS RRset's size when it had more than MAX_DS_PER_RRSET records
        (0 otherwise).  With no match and either RRset cut short, the verdict names the
        SEC-LIM-04 bound (``limit-dnskeys-per-rrset`` / ``limit-ds-per-rrset``)."""
        if isinstance(answer, LookupFailure):
            return KeyState(zone, _lookup_failed(answer, zone), None, ds_set)
        signed = answer.answer_rrset(zone, DNSKEY_TYPE)
        if signed is None:
            return KeyState(
                zone, bogus(Reason.DNSKEY_MISSING, f"no DNSKEY RRset at {zone}"), None, ds_set
            )
        keys: list[DNSKEY] = []
        for rdata in signed.rrset.rdatas[: limits.MAX_DNSKEYS_PER_RRSET]:
            try:
                keys.append(DNSKEY.from_wire(rdata))
            except WireError:
                continue
        anchored = {k.rdata for k in anchor_keys}
        trusted = [
            key
            for key in keys
            if key.rdata in anchored
            or any(ds_matches(ds, zone, key, self.v.policy) is DSMatch.MATCH for ds in ds_set)
        ]
        if not trusted:
            if len(signed.rrset.rdatas) > limits.MAX_DNSKEYS_PER_RRSET or ds_overflow:
                # SEC-LIM-04: the matching key (or DS) may lie past the records considered;
                # name the bound rather than claim a mismatch
                what, count, bound = (
                    ("DNSKEY", len(signed.rrset.rdatas), limits.MAX_DNSKEYS_PER_RRSET)
                    if len(signed.rrset.rdatas) > limits.MAX_DNSKEYS_PER_RRSET
                    else ("DS", ds_overflow, limits.MAX_DS_PER_RRSET))
                return KeyState(
                    zone,
                    bogus(Reason.LIMIT_DNSKEYS if what == "DNSKEY" else Reason.LIMIT_DS,
                          f"no DNSKEY at {zone} matches its DS among the first {bound} of "
                          f"{count} {what} records considered (SEC-LIM-04)"),
                    None,
                    ds_set,
                )
            return KeyState(
                zone,
                bogus(Reason.DS_MISMATCH, f"no DNSKEY at {zone} matches its DS or anchor"),
                None,
                ds_set,
            )
        verdict = self.verify(signed, ZoneKeys.from_dnskeys(zone, trusted))
        if verdict.status is not Status.SECURE:
            return KeyState(zone, verdict, None, ds_set)
        return KeyState(zone, verdict, ZoneKeys.from_dnskeys(zone, keys), ds_set)

    def remember(self, state: KeyState, *answers: Answer, not_after: int | None = None) -> None:
        """Cache a key state until its data's TTL or signature expiry (bogus: briefly), and
        never past ``not_after`` (a trust anchor's validity window, TA-03).  A proof of no DS
        counts as the negative answer it is: never past its SOA MINIMUM either (NSEC-13,
        RFC 9077 §4, :meth:`Lifetime.response`)."""
        self.link(state)
        if state.status is Status.INDETERMINATE or state.verdict.reason.value.startswith("limit-"):
            # a spent work bound says nothing about the zone's data: never cached, so that
            # one expensive resolution cannot make an honest zone bogus for later ones
            return
        if state.status is Status.BOGUS:
            until = self.now + Validator.BOGUS_CACHE_SECONDS
            if not_after is not None:
                until = min(until, not_after)
            self.v.store_keys(state, until, now=self.now)
            return
        life = Lifetime(self.now)  # at most one day (MAX_CACHE_SECONDS)
        if not_after is not None:
            life.cap(not_after)
        for answer in answers:
            if isinstance(answer, Response):  # VAL-TTL-02: TTLs, Original TTLs, expirations
                life.response(answer)
        until = life.until if life.cacheable else self.now
        self.v.store_keys(state, until, now=self.now)
        self.lifetime.cap(until)

    def find_keys(self, target: Name, *, apex: bool = False) -> Generator[Query, Answer, KeyState]:
        """Walk from the anchor zone down to ``target``, one label at a time.

        The walk starts at the closest trust anchor enclosing ``target`` (RFC 4035 §4.4, §5):
        an anchor below an insecure or broken part of the tree is an island of trust of its
        own, and a name under no anchor is insecure.

        Returns the state of the deepest zone at or above ``target``: secure with its keys,
        insecure from a proven unsigned delegation (RFC 4035 §5.2, RFC 6840 §4.4), or
        bogus/indeterminate where the chain breaks.  A name proven not to be a zone cut is
        passed over (VAL-CHAIN-04: cuts come from signed DS data or proofs, never guesses).
        """
        anchor = self.v.anchors.closest(target)
        if anchor is None:
            state = KeyState(
                target, insecure(Reason.NO_TRUST_ANCHOR, f"no trust anchor at or above {target}")
            )
            self.link(state)
            return state
        current = yield from self.anchor_keys(anchor)
        if current.status is not Status.SECURE:
            return current
        if apex and not names_equal(target, current.zone):
            jumped = yield from self.jump(current, target)
            if jumped is not None:
                return jumped
        depth = len(anchor.zone.labels)
        if len(target.labels) - depth > limits.MAX_ZONE_DEPTH:
            return KeyState(target, indeterminate(Reason.LIMIT_ZONE_DEPTH, "name too deep"))
        for size in range(depth + 1, len(target.labels) + 1):
            child = Name(target.labels[len(target.labels) - size :])
            not_a_cut_until = self.v.not_a_cut_until(child, self.now)
            if not_a_cut_until is not None:
                self.lifetime.cap(not_a_cut_until)  # the result rests on that proof too
                continue
            cached = self.v.cached_keys(child, self.now)
            if cached is not None:
                self.link(cached)
                if cached.status is not Status.SECURE:
                    return cached
                current = cached
                continue
            step = yield from self.descend(current, child)
            if step is _NO_SUCH_NAME:  # nothing exists below: the zone is the current one
                return current
            if step is None:  # proven (and remembered by descend): child is not a zone cut
                continue
            if step.status is not Status.SECURE or step.keys is None:
                return step
            current = step
        return current

    def zone_from_ds(
        self, parent: KeyState, child: Name, ds_signed: SignedRRset, answer: Response
    ) -> Generator[Query, Answer, KeyState]:
        """A DS RRset for ``child`` from ``parent``: verify it with the parent's keys, then the
        child's DNSKEY RRset against it (RFC 4035 §5.2, VAL-DS-03..05, VAL-KEY-05)."""
        assert parent.keys is not None
        verdict = self.verify(ds_signed, parent.keys)
        if verdict.status is not Status.SECURE:
            state = KeyState(child, verdict)
            self.remember(state)
            return state
        try:
            ds_set = tuple(
                DS.from_wire(rd) for rd in ds_signed.rrset.rdatas[: limits.MAX_DS_PER_RRSET]
            )
        except WireError as exc:
            return KeyState(child, bogus(Reason.MALFORMED_DATA, f"DS at {child}: {exc}"))
        usable = tuple(usable_ds(list(ds_set), self.v.policy))
        total_ds = len(ds_signed.rrset.rdatas)
        overflow = total_ds if total_ds > limits.MAX_DS_PER_RRSET else 0
        if not usable and overflow:
            # SEC-LIM-04: a supported DS may lie past the records considered; never insecure
            # on a truncated view (RFC 4035 §5.2: any supported DS must validate)
            state = KeyState(child, bogus(
                Reason.LIMIT_DS,
                f"the first {limits.MAX_DS_PER_RRSET} of {total_ds} DS records at {child} are "
                "all unsupported; the rest are not considered (SEC-LIM-04)"), None, ds_set)
            self.remember(state)
            return state
        if not usable:  # VAL-DS-04 / VAL-ALG-05: only unsupported algorithms or digests
            reason = (
                Reason.UNSUPPORTED_DIGEST
                if all(self.v.policy.supports(d.algorithm) for d in ds_set)
                else Reason.UNSUPPORTED_ALGORITHM
            )
            state = KeyState(
                child,
                Verdict(Status.INSECURE, reason, f"DS at {child} is all unsupported"),
                None,
                ds_set,
            )
            self.remember(state, answer)
            return state
        key_answer = yield from self.ask(Query(child, DNSKEY_TYPE))
        state = self.check_dnskeys(child, key_answer, usable, ds_overflow=overflow)
        self.remember(state, answer, key_answer)
        return state

    def not_a_cut(self, child: Name, proof: Response) -> None:
        """Remember that ``child`` was proven not to be a zone cut: for at most
        ``NOT_A_CUT_CACHE_SECONDS`` and never longer than the proof may be used — a denial
        ends at min(SOA TTL, SOA MINIMUM, NSEC/NSEC3 TTL, RRSIG Original TTL) and its RRSIGs'
        expiration (NSEC-13, RFC 9077 §4; :meth:`Lifetime.response`)."""
        life = Lifetime(self.now)
        life.cap(self.now + limits.NOT_A_CUT_CACHE_SECONDS)
        life.response(proof)
        if life.cacheable:
            self.v.store_not_a_cut(child, life.until, now=self.now)

    def jump(self, current: KeyState, apex: Name) -> Generator[Query, Answer, KeyState | None]:
        """Straight to a claimed zone apex: ask its DS and accept it if a zone on the path
        with authenticated keys signed it (RFC 4035 §5.2 asks for the child's DS, not for a
        DS at every label).  Only the signer of that DS needs keys first; the labels between
        are that zone's own names, which its keys could sign anyway.

        None when the shortcut does not apply (no DS RRset, a lookup problem, a signer off
        the path): the caller then walks label by label, which also finds insecure
        delegations.  Never returns secure without verified signatures.
        """
        cached = self.v.cached_keys(apex, self.now)
        if cached is not None:
            self.link(cached)
            return cached
        answer = yield from self.ask(Query(apex, DS_TYPE))
        if isinstance(answer, LookupFailure) or answer.rcode != Rcode.NOERROR:
            return None
        ds_signed = answer.answer_rrset(apex, DS_TYPE)
        signer = _signer(ds_signed) if ds_signed is not None else None
        if ds_signed is None or signer is None or names_equal(signer, apex):
            return None
        if not is_subdomain(signer, current.zone):
            return None
        parent = current
        if not names_equal(signer, current.zone):
            parent = yield from self.find_keys(signer, apex=True)
            if parent.status is not Status.SECURE or not names_equal(parent.zone, signer):
                return None if parent.status is Status.SECURE else parent
        return (yield from self.zone_from_ds(parent, apex, ds_signed, answer))

    def descend(self, parent: KeyState, child: Name) -> Generator[Query, Answer, KeyState | None]:
        """One step down: DS at ``child`` from ``parent`` (RFC 4035 §5.2).

        Returns the child's KeyState for a zone cut, or None when ``child`` is proven not to be
        a cut (no DS and no delegation: an empty non-terminal or a name inside ``parent``).
        """
        assert parent.keys is not None
        answer = yield from self.ask(Query(child, DS_TYPE))
        if isinstance(answer, LookupFailure):
            return KeyState(child, _lookup_failed(answer, child))
        if answer.rcode not in (Rcode.NOERROR, Rcode.NXDOMAIN):
            return KeyState(
                child, indeterminate(Reason.LOOKUP_FAILED, f"DS {child}: rcode {answer.rcode}")
            )
        ds_signed = answer.answer_rrset(child, DS_TYPE)
        if ds_signed is not None:
            return (yield from self.zone_from_ds(parent, child, ds_signed, answer))
        cname = answer.answer_rrset(child, CNAME_TYPE)
        if cname is not None:  # an alias is never a delegation (RFC 2181 §10.1)
            verdict = self.verify(cname, parent.keys)
            if verdict.status is not Status.SECURE:
                return KeyState(child, verdict)
            self.not_a_cut(child, answer)
            return None
        signer = _denial_signer(child, answer)
        if signer is not None and is_subdomain(signer, child):
            return KeyState(child, _child_side_answer(child, signer))
        outcome = proofs.ds_absence(child, answer, parent.keys, self.verify,
                                    self.hashes.response())
        if outcome.name_error:
            return _NO_SUCH_NAME
        if outcome.not_a_cut:
            self.not_a_cut(child, answer)
            return None
        state = KeyState(child, outcome.verdict)
        if outcome.verdict.status is Status.INSECURE:
            self.remember(state, answer)
        return state


# -- helpers --------------------------------------------------------------------------------

#: :meth:`_Run.descend`'s answer when the name is proven not to exist (so nothing below does).
_NO_SUCH_NAME = KeyState(dns.name.empty, indeterminate(Reason.INTERNAL_ERROR, "sentinel"))


#: The reason for each bound a lookup can hit (SEC-LIM-05): the verdict names the bound spent.
_LIMIT_REASONS: dict[LimitKind | None, Reason] = {
    None: Reason.LIMIT_QUERIES,
    LimitKind.QUERIES: Reason.LIMIT_QUERIES,
    LimitKind.EXCHANGES: Reason.LIMIT_EXCHANGES,
    LimitKind.REFERRALS: Reason.LIMIT_REFERRALS,
    LimitKind.NS_DEPTH: Reason.LIMIT_NS_DEPTH,
    LimitKind.WALL_CLOCK: Reason.LIMIT_WALL_CLOCK,
}


def _lookup_failed(failure: LookupFailure, name: Name) -> Verdict:
    if failure.kind is FailureKind.LIMIT:
        return indeterminate(_LIMIT_REASONS[failure.limit], f"{name}: {failure.detail}")
    return indeterminate(
        Reason.LOOKUP_FAILED,
        f"{name}: {failure.kind.value} after {failure.attempts} attempt(s): {failure.detail}",
    )


def _child_side_answer(name: Name, signer: Name) -> Verdict:
    """A DS question answered by the child zone itself (its SOA/NSEC, signed by ``signer`` at
    or below ``name``): a server authoritative for both sides answered from the wrong one.
    DS is the parent's data (RFC 4035 §3.1.4.1, RFC 6840 §4.1), so this answer proves
    nothing either way; the parent's answer is missing, which is indeterminate — never
    secure nor insecure (Unbound re-asks the parent's servers; the transport already sends
    DS questions to the parent side, so nothing better can be asked here)."""
    return indeterminate(
        Reason.LOOKUP_FAILED,
        f"the DS answer for {name} came from the child zone {signer}, not from the parent "
        "that holds DS (RFC 4035 §3.1.4.1)",
    )


def _combine(overall: Verdict, step: Verdict) -> Verdict:
    """A chain is as strong as its weakest link: secure < insecure < bogus/indeterminate."""
    order = {Status.SECURE: 0, Status.INSECURE: 1, Status.BOGUS: 2, Status.INDETERMINATE: 2}
    return step if order[step.status] > order[overall.status] else overall


def _classify(name: Name, qtype: int, response: Response) -> tuple[_Kind, SignedRRset | None]:
    """RFC 4035 §5 / STYLE §4: positive, alias (CNAME/DNAME), NODATA or NXDOMAIN.

    QTYPE ANY matches every RRset at the name, a CNAME included, so nothing is chased
    (RFC 1034 §3.6.2, §4.3.2 step 3a; RFC 8482 allows a server to send just a subset).
    Asked for CNAME below a DNAME, the DNAME is the answer and the CNAME beside it is its
    unsigned synthesis (RFC 6672 §3.4)."""
    if qtype == ANY_TYPE:
        first = next((rr for rr in response.answer if names_equal(rr.owner, name)), None)
        if first is not None:
            return _Kind.POSITIVE, first
    exact = response.answer_rrset(name, qtype)
    if exact is not None and not (qtype == CNAME_TYPE and _dname_above(name, response)):
        return _Kind.POSITIVE, exact
    for signed in response.answer:  # a DNAME above the name, before the CNAME beside it
        if (  # (its unsigned synthesis); also asked for DNAME, one above the name is an alias
            signed.rdtype == DNAME_TYPE
            and is_subdomain(name, signed.owner)
            and not names_equal(name, signed.owner)
        ):
            return _Kind.ALIAS, signed
    if qtype != CNAME_TYPE:
        cname = response.answer_rrset(name, CNAME_TYPE)
        if cname is not None:
            return _Kind.ALIAS, cname
    if response.rcode == Rcode.NXDOMAIN:
        return _Kind.NXDOMAIN, None
    return _Kind.NODATA, None


def _answers_for(name: Name, qtype: int, response: Response) -> bool:
    """Whether ``response`` already answers (name, qtype), the next link of an alias chain:
    an RRset of that type or a CNAME at the name, a DNAME above it, or — for a negative
    answer — NSEC/NSEC3 records signed by a zone enclosing the name.  A server that follows
    the chain inside its own zones sends all of it (RFC 1034 §4.3.2, RFC 6604 §2); each link
    is still validated on its own, so reading it here trusts nothing more than asking."""
    if any(names_equal(rr.owner, name) and rr.rdtype in (qtype, CNAME_TYPE)
           for rr in response.answer):
        return True
    if _dname_above(name, response):
        return True
    return response.rcode == Rcode.NXDOMAIN and _denial_signer(name, response) is not None


def _alias_target(name: Name, response: Response) -> Name | None:
    """The name a CNAME at ``name`` (or a DNAME above it) points to, if readable."""
    try:
        cname = response.answer_rrset(name, CNAME_TYPE)
        if cname is not None:
            return _read_target(cname)[0]
        for rr in response.answer:
            if (rr.rdtype == DNAME_TYPE and is_subdomain(name, rr.owner)
                    and not names_equal(name, rr.owner)):
                return name.relativize(rr.owner).concatenate(_read_target(rr)[0])
    except (WireError, dns.name.NameTooLong):
        return None
    return None


def _dname_above(name: Name, response: Response) -> bool:
    return any(
        rr.rdtype == DNAME_TYPE and is_subdomain(name, rr.owner) and not names_equal(name, rr.owner)
        for rr in response.answer
    )


def _signer(signed: SignedRRset) -> Name | None:
    """The Signer's Name to follow: the first RRSIG whose signer encloses the owner (for DS,
    preferably one above it: DS is the parent's data, RFC 4034 §5)."""
    home = _home(signed.owner, signed.rdtype)
    candidates = [sig.signer for sig in signed.rrsigs if is_subdomain(signed.owner, sig.signer)]
    return next((s for s in candidates if is_subdomain(home, s)), next(iter(candidates), None))


def _home(name: Name, rdtype: int) -> Name:
    """Where the data for (name, rdtype) lives: DS at a zone cut is in the parent zone
    (RFC 4034 §5, RFC 4035 §3.1.4.1), so its keys and trust anchor are the parent side's —
    a DS question about an anchor zone is above that anchor (as Unbound looks it up)."""
    if rdtype == DS_TYPE and len(name.labels) > 1:
        return name.parent()
    return name


def _denial_signer(name: Name, response: Response) -> Name | None:
    """The zone that signed a negative answer's proof: the signer of its NSEC/NSEC3 records.

    The SOA does not choose the zone (as in Unbound): without any signed NSEC/NSEC3 the
    caller walks from the trust anchor to the name itself, which tells a signed zone (the
    proof is missing: bogus) from a proven unsigned one (insecure, RFC 4035 §5.2) — e.g. a
    CNAME target below an insecure delegation whose server added its parent's signed SOA.
    The SOA, when present, is still verified with the proof's keys."""
    for signed in response.authority:
        if signed.rdtype not in (NSEC_TYPE, NSEC3_TYPE):
            continue
        for sig in signed.rrsigs:
            if is_subdomain(name, sig.signer) and is_subdomain(signed.owner, sig.signer):
                return sig.signer
    return None


def _read_target(signed: SignedRRset) -> tuple[Name, int]:
    """The target name of a CNAME or DNAME RRset (exactly one RR, RFC 2181 §10.1)."""
    from dnssec_core.wire.name import read_name

    if len(set(signed.rrset.rdatas)) != 1:
        raise WireError(f"{len(signed.rrset.rdatas)} records in a singleton RRset")
    return read_name(signed.rrset.rdatas[0], 0)


def _describe(answer: Answer) -> str:
    if isinstance(answer, LookupFailure):
        return f"{answer.kind.value} ({answer.detail})"
    from dnssec_core.wire.message import rcode_text

    held = f" (held from a referral by {answer.server}; no query)" if answer.from_referral else ""
    return (
        f"{rcode_text(answer.rcode)}, {len(answer.answer)} answer / "
        f"{len(answer.authority)} authority RRsets{held}"
    )


__all__ = ["ChainLink", "KeyState", "Resolution", "Result", "SignatureBudget", "Validator"]
