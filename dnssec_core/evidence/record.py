"""Recording what a resolution saw, for an evidence bundle (issue 9, BR-LOG-03).

:class:`RecordingTransport` wraps any transport (iterative, stub, the in-process lab) and keeps
every RRset, with its RRSIGs, of the answer and authority sections of every response, and every
:class:`~dnssec_core.chain.types.LookupFailure`.  It changes nothing it passes on, so the
engine runs exactly as without it.  The recorded RRsets are the *pool* from which
:mod:`dnssec_core.evidence.minimize` extracts the minimal chain of each proof.

Pooling rule: RRsets are keyed by owner (canonical form, RFC 4034 §6.1), type, class and the
set of their RDATAs.  RRSIGs of a later identical RRset are added to the first (a response may
carry a different subset of signatures).  Two different RRsets with one owner and type — the
parent's NSEC at a zone cut and the child's apex NSEC — are both kept; minimisation keeps
whichever the proof needs.  (An RFC 9102 chain cannot carry both in one proof: a decoder
groups them into one RRset, RFC 2181 §5; a proof that needed both would fail verification.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from dns.name import Name

from dnssec_core.chain.anchors import TrustAnchors
from dnssec_core.chain.engine import Result
from dnssec_core.chain.types import Answer, FailureKind, LimitKind, LookupFailure, Query
from dnssec_core.crypto.base import Backend
from dnssec_core.dnssec.algorithms import DEFAULT_POLICY, AlgorithmPolicy
from dnssec_core.dnssec.records import RRSIG
from dnssec_core.driver import Transport, ask_within
from dnssec_core.evidence.bundle import (
    Bundle,
    CaaOutcome,
    CaaRequestRecord,
    Proof,
    RecordedFailure,
    RecordedRcode,
)
from dnssec_core.evidence.chain import encode_chain
from dnssec_core.evidence.minimize import (
    Context,
    MemoBackend,
    canonical_chain,
    minimize,
    minimize_rcodes,
    probe_outcome,
    query_outcome,
    run_proof,
    verdict_reason,
)
from dnssec_core.wire.message import Response, SignedRRset, rcode_text
from dnssec_core.wire.name import canonical_key
from dnssec_core.wire.rrset import RRset

if TYPE_CHECKING:
    from dnssec_core.caa.check import CaaCheck

_Key = tuple[tuple[bytes, ...], int, int, frozenset[bytes]]


class RecordingTransport:
    """``ask`` like the wrapped transport; remembers every RRset and failure on the way."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self._rrsets: dict[_Key, SignedRRset] = {}
        self._failures: dict[Query, LookupFailure] = {}
        self._negative: dict[Query, int] = {}

    @property
    def supports_time_left(self) -> bool:
        """Pass a caller's remaining wall-clock budget on (SEC-LIM-05, driver.ask_within)."""
        return bool(getattr(self.inner, "supports_time_left", False))

    def ask(self, query: Query, time_left: float | None = None) -> Answer:
        if time_left is not None:
            answer = ask_within(self.inner, query, time_left)
        else:
            answer = self.inner.ask(query)
        self.record(query, answer)
        return answer

    def record(self, query: Query, answer: Answer) -> None:
        """Remember ``answer`` (also usable without :meth:`ask`, e.g. by a replay)."""
        if isinstance(answer, LookupFailure):
            self._failures.setdefault(query, answer)
            return
        if isinstance(answer, Response):
            if not answer.answer:
                self._negative.setdefault(query, answer.rcode)
            for signed in (*answer.answer, *answer.authority):
                self._add(signed)

    def _add(self, signed: SignedRRset) -> None:
        rrset = signed.rrset
        key = (canonical_key(rrset.owner), rrset.rdtype, rrset.rdclass, frozenset(rrset.rdatas))
        old = self._rrsets.get(key)
        if old is None:
            self._rrsets[key] = signed
            return
        seen = {_sig_id(s) for s in old.rrsigs}
        extra = tuple(s for s in signed.rrsigs if _sig_id(s) not in seen)
        if extra:
            merged = RRset(old.rrset.owner, old.rrset.rdtype, old.rrset.rdclass,
                           min(old.rrset.ttl, rrset.ttl), old.rrset.rdatas)
            self._rrsets[key] = SignedRRset(merged, old.rrsigs + extra)

    @property
    def rrsets(self) -> tuple[SignedRRset, ...]:
        """Every distinct RRset seen, in the order first seen."""
        return tuple(self._rrsets.values())

    @property
    def negative_rcodes(self) -> dict[Query, int]:
        """The rcode of each response with an empty answer section (NXDOMAIN or NODATA, as
        the server said; unsigned, so it only matters where no signed record decides)."""
        return dict(self._negative)

    @property
    def failures(self) -> dict[Query, LookupFailure]:
        """Each query the transport could not answer, with the (first) failure."""
        return dict(self._failures)


def _sig_id(sig: RRSIG) -> tuple[bytes, bytes]:
    return sig.signed_prefix, sig.signature


# -- from a recorded resolution to a bundle ----------------------------------------------


def anchor_texts(anchors: TrustAnchors) -> tuple[str, ...]:
    """Every trust anchor as a presentation record (``. DS ...`` / ``zone. DNSKEY ...``),
    for every anchor zone, sorted."""
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype

    lines = []
    for anchor in anchors.zones:
        zone = anchor.zone.to_text()
        lines += [
            f"{zone} DS {d.key_tag} {d.algorithm} {d.digest_type} {d.digest.hex().upper()}"
            for d in anchor.ds
        ]
        for key in anchor.dnskeys:
            text = dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.DNSKEY, key.rdata, 0,
                                       len(key.rdata)).to_text()
            lines.append(f"{zone} DNSKEY {text}")
    return tuple(sorted(lines))


def failure_records(failures: Mapping[Query, LookupFailure]) -> tuple[RecordedFailure, ...]:
    """The envelope's ``failures``, in canonical (name, type) order."""
    ordered = sorted(failures.items(), key=lambda kv: (canonical_key(kv[0].name), kv[0].rdtype))
    return tuple(
        RecordedFailure(query.name.to_text(), _type_text(query.rdtype), failure.kind.value,
                        failure.attempts, tuple(failure.servers), failure.detail,
                        failure.limit.value if failure.limit is not None else None)
        for query, failure in ordered
    )


def rcode_records(rcodes: Mapping[Query, int]) -> tuple[RecordedRcode, ...]:
    """The envelope's ``rcodes``, in canonical (name, type) order."""
    ordered = sorted(rcodes.items(), key=lambda kv: (canonical_key(kv[0].name), kv[0].rdtype))
    return tuple(RecordedRcode(query.name.to_text(), _type_text(query.rdtype), rcode_text(rcode))
                 for query, rcode in ordered)


def replayed_rcodes(records: Sequence[RecordedRcode]) -> dict[Query, int]:
    """The envelope's ``rcodes`` as PoolTransport hints.  ValueError if one does not parse."""
    import dns.name
    import dns.rdatatype

    from dnssec_core.wire.message import Rcode

    out: dict[Query, int] = {}
    for rec in records:
        try:
            name = dns.name.from_text(rec.qname)
            rdtype = int(dns.rdatatype.from_text(rec.qtype))
            rcode = int(Rcode[rec.rcode])
        except Exception as exc:
            raise ValueError(f"rcode {rec.qname} {rec.qtype} {rec.rcode}: {exc}") from None
        out[Query(name, rdtype)] = rcode
    return out


def replayed_failures(records: Sequence[RecordedFailure]) -> dict[Query, LookupFailure]:
    """The envelope's ``failures`` as the offline transport replays them.  ValueError if
    a name, type or kind does not parse."""
    import dns.name
    import dns.rdatatype

    out: dict[Query, LookupFailure] = {}
    for rec in records:
        try:
            name = dns.name.from_text(rec.qname)
            rdtype = int(dns.rdatatype.from_text(rec.qtype))
        except Exception as exc:
            raise ValueError(f"failure {rec.qname} {rec.qtype}: {exc}") from None
        try:
            kind = FailureKind(rec.kind)
        except ValueError:
            raise ValueError(f"failure {rec.qname} {rec.qtype}: unknown kind {rec.kind!r}"
                             ) from None
        try:
            limit = LimitKind(rec.limit) if rec.limit is not None else None
        except ValueError:
            raise ValueError(f"failure {rec.qname} {rec.qtype}: unknown limit {rec.limit!r}"
                             ) from None
        out[Query(name, rdtype)] = LookupFailure(kind, rec.detail, rec.attempts, rec.servers,
                                                 limit=limit)
    return out


def _type_text(rdtype: int) -> str:
    import dns.rdatatype

    return dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rdtype))


def _core(outcome: dict[str, Any]) -> tuple[Any, ...]:
    """What the online run and the offline re-run must share exactly (answers: see below)."""
    return outcome["status"], outcome["rcode"], outcome["reason"], outcome["ede"]


def _without_ttl(lines: Sequence[str]) -> list[str]:
    """Answer lines without their TTL and case: a bundle fixes signed TTLs to the Original
    TTL and names to lower case (both unsigned; :func:`canonical_chain`)."""
    out = []
    for line in lines:
        parts = line.lower().split(" ", 2)
        out.append(f"{parts[0]} {parts[2]}" if len(parts) == 3 else line.lower())
    return sorted(out)


def build_proof(
    role: str,
    qname: Name,
    qtype: int | None,
    online: dict[str, Any],
    pool: Sequence[SignedRRset],
    ctx: Context,
    warnings: list[str],
    rcodes: dict[Query, int],
) -> Proof:
    """One proof: the minimal chain over ``pool`` that reproduces the ``online`` outcome.

    If the pool does not reproduce it offline (it should: the engine is deterministic) the
    whole pool is kept, the online outcome is recorded and a warning says why — the bundle
    is then honest and fails verification instead of claiming what it cannot prove.  The
    unsigned rcodes the proof needs are added to ``rcodes``.
    """

    def outcome_of(rrsets: Sequence[SignedRRset]) -> dict[str, Any]:
        return run_proof(rrsets, qname, qtype, ctx)[0]

    full = canonical_chain(pool)
    offline = outcome_of(full)
    agrees = _core(offline) == _core(online) and (
        "answer" not in online or _without_ttl(offline["answer"]) == _without_ttl(online["answer"])
    )
    label = f"{qname.to_text()} {_type_text(qtype) if qtype is not None else 'zone status'}"
    if agrees:
        chain = minimize(full, outcome_of)
        recorded = offline

        def outcome_with(hints: Mapping[Query, int]) -> dict[str, Any]:
            return run_proof(chain, qname, qtype, replace(ctx, rcodes=hints))[0]

        rcodes.update(minimize_rcodes(ctx.rcodes, outcome_with))
    else:
        rcodes.update(ctx.rcodes)
        warnings.append(f"{label}: the recorded responses give {_core(offline)} offline, not "
                        f"the online {_core(online)}; bundle kept unminimised and will not verify")
        chain = full
        recorded = {**offline, **{k: v for k, v in online.items() if k in offline}}
    return Proof(
        role=role,
        qname=qname.to_text(),
        qtype=_type_text(qtype) if qtype is not None else None,
        status=recorded["status"],
        rcode=recorded["rcode"],
        reason=recorded["reason"],
        ede=recorded["ede"],
        answer=tuple(recorded["answer"]),
        chain=encode_chain(chain),
    )


def _context(anchors: TrustAnchors, backend: Backend, policy: AlgorithmPolicy, now: int,
             recorder: RecordingTransport) -> Context:
    return Context(anchors, MemoBackend(backend), policy, now, recorder.failures,
                   recorder.negative_rcodes)


def _policy_name(policy: AlgorithmPolicy) -> str:
    return "default" if policy == DEFAULT_POLICY else "no-sha1"


def _envelope(
    kind: str,
    proofs: tuple[Proof, ...],
    rcodes: Mapping[Query, int],
    recorder: RecordingTransport,
    anchors: TrustAnchors,
    backend: Backend,
    policy: AlgorithmPolicy,
    now: int,
    caa: CaaOutcome | None = None,
) -> Bundle:
    """The bundle around ``proofs``: what every kind records besides them (the time, backend,
    trust anchor, algorithm policy, the lookup failures and negative rcodes replay needs)."""
    return Bundle(kind=kind, now=now, crypto=backend.name, trust_anchor=anchor_texts(anchors),
                  proofs=proofs, failures=failure_records(recorder.failures), caa=caa,
                  rcodes=rcode_records(rcodes), algorithm_policy=_policy_name(policy))


def query_bundle(
    result: Result,
    recorder: RecordingTransport,
    *,
    anchors: TrustAnchors,
    backend: Backend,
    policy: AlgorithmPolicy = DEFAULT_POLICY,
    now: int,
) -> tuple[Bundle, list[str]]:
    """The bundle of one ``query`` (its resolution recorded by ``recorder``) and warnings."""
    warnings: list[str] = []
    ctx = _context(anchors, backend, policy, now, recorder)
    rcodes: dict[Query, int] = {}
    proof = build_proof("query", result.qname, result.qtype, query_outcome(result),
                        recorder.rrsets, ctx, warnings, rcodes)
    return _envelope("query", (proof,), rcodes, recorder, anchors, backend, policy, now), warnings


def caa_bundle(
    check: CaaCheck,
    recorder: RecordingTransport,
    *,
    anchors: TrustAnchors,
    backend: Backend,
    policy: AlgorithmPolicy = DEFAULT_POLICY,
    now: int,
) -> tuple[Bundle, list[str]]:
    """The bundle of one CAA check: one proof per lookup of the climb, one per zone probe."""
    from dnssec_core.caa.domain import DomainKind
    from dnssec_core.caa.records import CAA_TYPE

    warnings: list[str] = []
    ctx = _context(anchors, backend, policy, now, recorder)
    pool = recorder.rrsets
    rcodes: dict[Query, int] = {}
    proofs = []
    for lookup in check.lookups:
        online = {"status": lookup.status.value, "rcode": rcode_text(lookup.rcode),
                  "reason": verdict_reason(lookup.verdict), "ede": lookup.ede}
        proofs.append(build_proof("lookup", lookup.qname, CAA_TYPE, online, pool, ctx, warnings,
                                  rcodes))
    for probe in check.search.probes:
        proofs.append(build_proof("probe", probe.name, None, probe_outcome(probe.verdict),
                                  pool, ctx, warnings, rcodes))
    request = check.request
    caa = CaaOutcome(
        request=CaaRequestRecord(
            domain=request.domain.given,
            email=request.domain.kind is DomainKind.EMAIL,
            issuer_domains=request.issuer_domains,
            account_uri=request.account_uri,
            validation_method=request.validation_method,
            permit_on_lookup_failure=request.permit_on_lookup_failure,
            ca_servers=tuple(sorted(request.ca_servers)),
        ),
        decision=check.decision.value if check.decision is not None else None,
        reason=check.reason,
        status=check.status.value,
        relevant_domain=check.relevant_domain,
        records=tuple(r.presentation() for r in check.records),
    )
    bundle = _envelope("caa", tuple(proofs), rcodes, recorder, anchors, backend, policy, now,
                       caa=caa)
    return bundle, warnings


__all__ = [
    "RecordingTransport",
    "anchor_texts",
    "caa_bundle",
    "failure_records",
    "query_bundle",
    "rcode_records",
    "replayed_failures",
    "replayed_rcodes",
]
