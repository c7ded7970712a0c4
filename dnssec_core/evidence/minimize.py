"""Minimal, canonical proof chains: offline re-runs of the unchanged engine (issue 9).

A proof is re-checked by running the same validating engine (:mod:`dnssec_core.chain.engine`)
offline, its questions answered only from a pool of recorded RRsets
(:class:`~dnssec_core.evidence.pool.PoolTransport`) and recorded transport failures
(:class:`OfflineTransport`).  The *outcome* of a run is what a bundle records and a verifier
must reproduce: status, rcode, reason, EDE and answer (for a zone probe: status, reason, EDE).

:func:`minimize` makes a chain minimal greedily and deterministically: in canonical order it
drops one RRset, re-runs, and keeps the drop if the outcome is unchanged; then it does the same
for each single RRSIG (a DNSKEY RRset signed by two keys needs only the one that chains to
the DS); it repeats until a whole pass drops nothing.  Each re-run uses a fresh
:class:`~dnssec_core.chain.engine.Validator` (so no key cache hides a dropped record) over a
:class:`MemoBackend`, which remembers each (key, signature, data) verification, so re-running
costs no new public-key operation.  The result: removing any one RRset or RRSIG changes the
outcome — for a secure proof, it is no longer secure.

:func:`canonical_chain` is the one order and form of a bundle's chain (checked by the
verifier): RRsets grouped by the zone that signed them (the RRSIG Signer's Name; an unsigned
RRset by its owner), zones from the root down (fewer labels first, then RFC 4034 §6.1 order),
then owner in canonical order, then type; within an RRset the RDATAs in canonical order
(RFC 4034 §6.3) without duplicates, then the RRSIGs in RDATA order.  Names — owners, the names
inside RDATA of the types RFC 4034 §6.2 lists, RRSIG Signer's Names — are in canonical (lower)
case, and a signed RRset's TTL is the smallest Original TTL of its RRSIGs: neither the case of
those names nor the TTL field is covered by a signature (RFC 4034 §3.1.4, §6.2; RFC 4035
§5.3.3), so fixing them leaves no octet of a chain that a signature does not pin down.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from dns.name import Name

from dnssec_core.caa.search import probe_steps
from dnssec_core.chain.anchors import TrustAnchors
from dnssec_core.chain.engine import Result, Validator
from dnssec_core.chain.present import rrset_texts
from dnssec_core.chain.types import Answer, FailureKind, LookupFailure, Query
from dnssec_core.crypto.base import Backend, PublicKey
from dnssec_core.dnssec.algorithms import AlgorithmPolicy
from dnssec_core.dnssec.records import RRSIG, RRSIG_TYPE
from dnssec_core.evidence.chain import rrsig_rdata
from dnssec_core.evidence.pool import PoolTransport
from dnssec_core.verdict import Status, Verdict
from dnssec_core.wire.canonical import canonical_rdata
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.message import SignedRRset, rcode_text
from dnssec_core.wire.name import canonical_key
from dnssec_core.wire.rrset import RRset

#: Passes of :func:`minimize` at most (each pass that drops nothing ends it; two suffice in
#: practice, the bound keeps a pathological pool from looping long).
MAX_PASSES: Final = 4
_T = TypeVar("_T")

Outcome = tuple[Hashable, ...]
Failures = dict[Query, LookupFailure]


class MemoBackend:
    """Remembers every verification of the wrapped backend (bounded; cleared when full).

    Still the wrapped backend's answer for every signature: only repeated calls with the very
    same key object, signature and data are answered from memory.
    """

    MAX_ENTRIES: Final = 1 << 16

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self._seen: dict[tuple[PublicKey, bytes, bytes], bool] = {}

    @property
    def name(self) -> str:
        return self.inner.name

    def verify(self, key: PublicKey, signature: bytes, data: bytes) -> bool:
        slot = (key, signature, data)
        known = self._seen.get(slot)
        if known is None:
            if len(self._seen) >= self.MAX_ENTRIES:
                self._seen.clear()
            known = self._seen[slot] = self.inner.verify(key, signature, data)
        return known


class OfflineTransport:
    """Answers from a pool of RRsets; a query recorded as a transport failure fails again,
    exactly as recorded (such a failure is replayed, never proven)."""

    def __init__(self, rrsets: Sequence[SignedRRset], failures: Failures | None = None,
                 rcodes: Mapping[Query, int] | None = None) -> None:
        self.pool = PoolTransport(rrsets, rcode_hints=rcodes)
        self.failures = failures or {}

    def ask(self, query: Query) -> Answer:
        failure = self.failures.get(query)
        if failure is not None:
            return failure
        try:
            return self.pool.ask(query)
        except Exception as exc:  # fail closed: a pool problem is a failed lookup, no crash
            return LookupFailure(FailureKind.MALFORMED, f"offline pool: {exc}", 1, ("bundle",))


@dataclass(frozen=True)
class Context:
    """What every offline run of one bundle shares: anchors, backend, policy, time, failures."""

    anchors: TrustAnchors
    backend: Backend
    policy: AlgorithmPolicy
    now: int
    failures: Failures
    #: Unsigned rcodes of negative answers, as the server gave them (PoolTransport's
    #: ``rcode_hints``): they decide only what no signed record does, never "secure".
    rcodes: Mapping[Query, int] = field(default_factory=dict)

    def transport(self, rrsets: Sequence[SignedRRset]) -> OfflineTransport:
        return OfflineTransport(rrsets, self.failures, self.rcodes)

    def validator(self) -> Validator:
        # No answer cache: every offline re-run must rest on the pool's records alone, so a
        # dropped record can never be hidden by an answer remembered from an earlier run.
        return Validator(self.anchors, backend=self.backend, policy=self.policy,
                         answer_cache=False)


def drive(steps: Generator[Query, Answer, _T], transport: OfflineTransport) -> _T:
    """Answer a sans-I/O generator's queries until it returns (no clock: runs are offline)."""
    try:
        query = next(steps)
        while True:
            query = steps.send(transport.ask(query))
    except StopIteration as stop:
        result: _T = stop.value
        return result


def resolve_offline(rrsets: Sequence[SignedRRset], qname: Name, qtype: int, ctx: Context
                    ) -> Result:
    """The engine's resolution of (qname, qtype) over ``rrsets`` only."""
    transport = ctx.transport(rrsets)
    resolution = ctx.validator().resolve(qname, qtype, now=ctx.now)
    while (query := resolution.next_query()) is not None:
        resolution.receive(query, transport.ask(query))
    return resolution.result()


def verdict_reason(verdict: Verdict) -> str:
    """The reason as bundles and ``query --json`` show it: empty when secure."""
    return "" if verdict.status is Status.SECURE else verdict.reason.value


def query_outcome(result: Result) -> dict[str, Any]:
    return {
        "status": result.verdict.status.value,
        "rcode": rcode_text(result.rcode),
        "reason": verdict_reason(result.verdict),
        "ede": result.verdict.ede,
        "answer": [text for signed in result.answer for text in rrset_texts(signed.rrset)],
    }


def probe_outcome(verdict: Verdict) -> dict[str, Any]:
    return {"status": verdict.status.value, "rcode": None, "reason": verdict_reason(verdict),
            "ede": verdict.ede, "answer": []}


def run_proof(rrsets: Sequence[SignedRRset], qname: Name, qtype: int | None, ctx: Context
              ) -> tuple[dict[str, Any], str]:
    """The outcome of one proof over ``rrsets`` and the verdict's detail (for reasons).

    ``qtype`` None is a zone probe: the engine's walk from the trust anchor to ``qname``
    (:func:`dnssec_core.caa.search.probe_steps`), as the CAA lookup-failure rule uses it.
    """
    if qtype is None:
        probe = drive(probe_steps(ctx.validator(), qname, now=ctx.now),
                      ctx.transport(rrsets))
        return probe_outcome(probe.verdict), probe.verdict.detail
    result = resolve_offline(rrsets, qname, qtype, ctx)
    return query_outcome(result), result.verdict.detail


def _freeze(outcome: dict[str, Any]) -> Outcome:
    return (outcome["status"], outcome["rcode"], outcome["reason"], outcome["ede"],
            tuple(outcome["answer"]))


# -- canonical form ----------------------------------------------------------------------


def _rdata_key(rdtype: int, rdata: bytes) -> bytes:
    try:
        return canonical_rdata(rdtype, rdata)
    except WireError:
        return rdata


def _sig_wire(sig: RRSIG) -> bytes:
    return sig.signed_prefix + sig.signature


def lower_name(name: Name) -> Name:
    """``name`` with ASCII letters lowercased (RFC 4034 §6.2; RFC 4343: same name)."""
    return Name(tuple(label.lower() for label in name.labels))


def _lower_signer(sig: RRSIG) -> RRSIG:
    if sig.signer.labels == lower_name(sig.signer).labels:
        return sig
    return RRSIG.from_wire(canonical_rdata(RRSIG_TYPE, rrsig_rdata(sig)))


def canonical_rrset(signed: SignedRRset) -> SignedRRset:
    """One RRset in bundle form (module docstring): owner name and the names inside RDATA in
    RFC 4034 §6.2 canonical (lower) case — the form that is signed, so case carries nothing
    unsigned — RDATAs in canonical order without duplicates, RRSIGs sorted and de-duplicated,
    and the TTL of a signed RRset its RRSIGs' smallest Original TTL."""
    rrset = signed.rrset
    forms = sorted({_rdata_key(rrset.rdtype, rd) for rd in rrset.rdatas})
    sigs: dict[bytes, RRSIG] = {}
    for sig in sorted((_lower_signer(s) for s in signed.rrsigs), key=_sig_wire):
        sigs.setdefault(_sig_wire(sig), sig)
    ttl = min((s.original_ttl for s in sigs.values()), default=rrset.ttl)
    return SignedRRset(
        RRset(lower_name(rrset.owner), rrset.rdtype, rrset.rdclass, ttl, tuple(forms)),
        tuple(sigs.values()),
    )


def zone_of(signed: SignedRRset) -> Name:
    """The zone an RRset belongs to for ordering: its (smallest) signer, else its owner."""
    signers = sorted((s.signer for s in signed.rrsigs), key=canonical_key)
    return signers[0] if signers else signed.owner


def order_key(signed: SignedRRset) -> tuple[Any, ...]:
    zone = canonical_key(zone_of(signed))
    return (len(zone), zone, canonical_key(signed.owner), signed.rdtype, signed.rrset.rdclass)


def canonical_chain(rrsets: Sequence[SignedRRset]) -> tuple[SignedRRset, ...]:
    """The bundle form and order of a chain (module docstring)."""
    return tuple(sorted((canonical_rrset(s) for s in rrsets), key=order_key))


# -- minimisation ------------------------------------------------------------------------


def minimize(
    rrsets: Sequence[SignedRRset],
    outcome_of: Callable[[Sequence[SignedRRset]], dict[str, Any]],
) -> tuple[SignedRRset, ...]:
    """The smallest chain (greedy, deterministic) with the same outcome as ``rrsets``."""
    current = list(canonical_chain(rrsets))
    target = _freeze(outcome_of(current))

    def same(trial: list[SignedRRset]) -> bool:
        return _freeze(outcome_of(canonical_chain(trial))) == target

    for _ in range(MAX_PASSES):
        changed = False
        index = 0
        while index < len(current):
            trial = current[:index] + current[index + 1 :]
            if same(trial):
                current, changed = trial, True
            else:
                index += 1
        for index in range(len(current)):
            sig = 0
            while sig < len(current[index].rrsigs):
                signed = current[index]
                fewer = SignedRRset(signed.rrset, signed.rrsigs[:sig] + signed.rrsigs[sig + 1 :])
                trial = [*current[:index], fewer, *current[index + 1:]]
                if same(trial):
                    current, changed = trial, True
                else:
                    sig += 1
        current = list(canonical_chain(current))
        if not changed:
            break
    return tuple(current)


def minimize_rcodes(
    rcodes: Mapping[Query, int],
    outcome_with: Callable[[Mapping[Query, int]], dict[str, Any]],
) -> dict[Query, int]:
    """The fewest recorded rcodes (greedy, in canonical name/type order) that keep the
    outcome: only those a proof cannot derive from its signed records remain."""
    target = _freeze(outcome_with(rcodes))
    kept = dict(sorted(rcodes.items(), key=lambda kv: (canonical_key(kv[0].name), kv[0].rdtype)))
    for query in list(kept):
        trial = {q: r for q, r in kept.items() if q != query}
        if _freeze(outcome_with(trial)) == target:
            kept = trial
    return kept


__all__ = [
    "Context",
    "MemoBackend",
    "OfflineTransport",
    "canonical_chain",
    "drive",
    "minimize",
    "minimize_rcodes",
    "probe_outcome",
    "query_outcome",
    "resolve_offline",
    "run_proof",
    "verdict_reason",
]
