"""Re-verifying an evidence bundle offline: does it prove exactly what it claims?  (issue 9)

:func:`verify_bundle` takes a parsed :class:`~dnssec_core.evidence.bundle.Bundle`, the trust
anchors the *verifier* trusts (never simply the ones the bundle names), a backend and a time
(the recorded ``now`` unless overridden), and for every proof:

1. decodes its RFC 9102 chain strictly (:func:`~dnssec_core.evidence.chain.decode_chain`);
2. checks the chain is in the bundle's canonical form and order
   (:func:`~dnssec_core.evidence.minimize.canonical_chain`): re-encoding it must give the very
   same octets, so re-ordered RRs or RRsets, and a changed TTL (not covered by signatures,
   RFC 4034 §3.1.4), are refused;
3. re-runs the unchanged engine over that chain alone (plus the recorded transport failures,
   which are replayed and reported as unprovable) and compares status, rcode, reason, EDE and
   answer with the recorded ones.

For a CAA bundle it then re-runs the whole check (:func:`dnssec_core.caa.check.check_steps`:
the RFC 8659 §3 climb, the zone probes and the BR 3.2.2.8 decision of
:mod:`dnssec_core.caa.decision`) over the union of the proofs' chains from the recorded
request, and compares the decision, its reason, the status, the relevant domain, the records
and the sequence of lookups with the recorded ones.

The report says ``reproduced`` only if everything matched; otherwise ``reason`` names the
first proof or field that did not, precisely (BR-LOG-03).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import dns.name
import dns.rdatatype

from dnssec_core.caa.check import CaaCheck, CaaRequest, check_steps
from dnssec_core.caa.domain import DomainError, parse_domain
from dnssec_core.chain.anchors import TrustAnchors
from dnssec_core.crypto.base import Backend
from dnssec_core.dnssec.algorithms import DEFAULT_POLICY, AlgorithmPolicy
from dnssec_core.evidence.bundle import Bundle, BundleError, Proof
from dnssec_core.evidence.chain import ChainError, decode_chain, encode_chain
from dnssec_core.evidence.minimize import (
    Context,
    canonical_chain,
    drive,
    order_key,
    run_proof,
)
from dnssec_core.evidence.record import replayed_failures, replayed_rcodes
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.message import SignedRRset
from dnssec_core.wire.name import read_name
from dnssec_core.wire.rrset import type_text


@dataclass
class ProofCheck:
    """One proof re-verified: the recorded and re-derived outcomes, and what differs."""

    index: int
    proof: Proof
    verified: dict[str, Any] | None
    problem: str = ""
    detail: str = ""

    @property
    def match(self) -> bool:
        return not self.problem

    def as_json(self) -> dict[str, Any]:
        recorded = self.proof.outcome()
        return {
            "role": self.proof.role,
            "qname": self.proof.qname,
            "qtype": self.proof.qtype,
            "recorded": {k: recorded[k] for k in ("status", "rcode", "reason", "ede")},
            "verified": (
                {k: self.verified[k] for k in ("status", "rcode", "reason", "ede")}
                if self.verified is not None else None
            ),
            "match": self.match,
            "problem": self.problem,
        }


@dataclass
class Report:
    """The outcome of :func:`verify_bundle` (the ``verify-evidence --json`` object's core)."""

    bundle: Bundle
    now: int
    backend: str
    proofs: list[ProofCheck]
    decision: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def reproduced(self) -> bool:
        return not self.problems

    @property
    def reason(self) -> str:
        return self.problems[0] if self.problems else ""


def policy_from_name(name: str) -> AlgorithmPolicy:
    return AlgorithmPolicy(allow_sha1=False) if name == "no-sha1" else DEFAULT_POLICY


def verify_bundle(
    bundle: Bundle, *, anchors: TrustAnchors, backend: Backend, now: int | None = None
) -> Report:
    """Re-verify every proof of ``bundle`` (and a CAA decision) offline; see the docstring.

    Raises :class:`BundleError` only for envelope content that cannot be interpreted at all
    (a recorded failure or CAA request that does not parse); everything else is a report.
    """
    at = bundle.now if now is None else now
    try:
        failures = replayed_failures(bundle.failures)
        rcodes = replayed_rcodes(bundle.rcodes)
    except ValueError as exc:
        raise BundleError(str(exc)) from None
    ctx = Context(anchors, backend, policy_from_name(bundle.algorithm_policy), at, failures,
                  rcodes)
    report = Report(bundle, at, backend.name, [])
    chains: list[tuple[SignedRRset, ...]] = []
    for index, proof in enumerate(bundle.proofs):
        check, chain = _check_proof(index, proof, ctx)
        report.proofs.append(check)
        if chain is not None:
            chains.append(chain)
        if check.problem:
            report.problems.append(f"proof {index} ({proof.label}): {check.problem}")
    for failure in bundle.failures:
        report.notes.append(
            f"{failure.qname} {failure.qtype}: {failure.kind} after {failure.attempts} "
            f"attempt(s) at {', '.join(failure.servers) or 'no server'} ({failure.detail}) — a "
            "transport failure is replayed as recorded; it cannot be proven offline"
        )
    if bundle.kind == "caa":
        report.decision = _check_caa(bundle, chains, ctx, report)
    return report


def _check_proof(index: int, proof: Proof, ctx: Context
                 ) -> tuple[ProofCheck, tuple[SignedRRset, ...] | None]:
    try:
        chain = decode_chain(proof.chain)
    except ChainError as exc:
        return ProofCheck(index, proof, None, f"chain rejected: {exc}"), None
    try:
        problem = canonical_problem(proof.chain, chain)
    except (ChainError, WireError, ValueError) as exc:  # fail closed, with the reason
        problem = f"chain cannot be put in canonical form: {exc}"
    if problem:
        return ProofCheck(index, proof, None, problem), None
    try:
        qname = dns.name.from_text(proof.qname)
        qtype = (None if proof.qtype is None
                 else int(dns.rdatatype.from_text(proof.qtype)))
    except Exception as exc:
        raise BundleError(f"proof {index}: question {proof.qname} {proof.qtype}: {exc}"
                          ) from None
    verified, detail = run_proof(chain, qname, qtype, ctx)
    recorded = proof.outcome()
    diffs = [
        f"{key} {_show(recorded[key])} recorded, {_show(verified[key])} re-verified"
        for key in ("status", "rcode", "reason", "ede", "answer")
        if recorded[key] != verified[key]
    ]
    problem = ""
    if diffs:
        why = f" — {detail}" if detail and verified["status"] != "secure" else ""
        problem = "; ".join(diffs) + why
    return ProofCheck(index, proof, verified, problem, detail), chain


def canonical_problem(data: bytes, chain: Sequence[SignedRRset]) -> str:
    """Why ``data`` is not the canonical encoding of ``chain`` ("" when it is)."""
    canonical = canonical_chain(chain)
    again = encode_chain(canonical)
    if again == data:
        return ""
    keys = [order_key(s) for s in chain]
    for position in range(1, len(keys)):
        if keys[position] < keys[position - 1]:
            return (f"chain not in canonical order: {_name(chain[position])} comes after "
                    f"{_name(chain[position - 1])}")
    for given, wanted in zip(chain, canonical, strict=True):
        if given.owner.labels != wanted.owner.labels:
            return (f"owner name {given.owner} is not in canonical (lower) case: case is not "
                    "signed (RFC 4034 §6.2), so bundles fix it")
        if given.rrset.ttl != wanted.rrset.ttl:
            return (f"{_name(given)} has TTL {given.rrset.ttl}, not its RRSIG Original TTL "
                    f"{wanted.rrset.ttl} (the TTL is not signed, RFC 4034 §3.1.4; bundles fix it)")
        if given.rrset.rdatas != wanted.rrset.rdatas:
            if sorted(given.rrset.rdatas) == sorted(wanted.rrset.rdatas):
                return f"{_name(given)}: RRs not in canonical RDATA order (RFC 4034 §6.3)"
            return (f"{_name(given)}: a name in RDATA is not in canonical (lower) case "
                    "(RFC 4034 §6.2)")
        if given.rrsigs != wanted.rrsigs:
            if len(given.rrsigs) == len(wanted.rrsigs) and {
                s.signer.to_text() for s in given.rrsigs
            } != {s.signer.to_text() for s in wanted.rrsigs}:
                return f"{_name(given)}: an RRSIG Signer's Name is not in canonical (lower) case"
            return f"{_name(given)}: RRSIGs not in canonical order"
    offset = next((i for i, (a, b) in enumerate(zip(data, again, strict=False)) if a != b),
                  min(len(data), len(again)))
    return f"chain is not in canonical form at octet {offset}: {_locate(data, offset)}"


def _locate(data: bytes, offset: int) -> str:
    """What the octet at ``offset`` of a (decodable) chain belongs to, for a reason."""
    start = 0
    while start < len(data):
        cursor = start
        while cursor < len(data) and data[cursor]:
            cursor += 1 + data[cursor]
        header = cursor + 1
        if header + 10 > len(data):
            break
        rdtype, _, _, rdlength = struct.unpack_from("!HHIH", data, header)
        end = header + 10 + rdlength
        if offset < end:
            owner = read_name(data, start)[0]
            what = f"{owner} {type_text(rdtype)}"
            if offset < header:
                return (f"the owner name of an RR {what} is not in canonical (lower) case "
                        "(RFC 4034 §6.2: case is not signed, bundles fix it)")
            if header + 4 <= offset < header + 8:
                return (f"the TTL of an RR {what} is not its RRset's (the TTL is not signed, "
                        "RFC 4034 §3.1.4; bundles fix it)")
            return f"the RR {what} is out of place (each RRset's RRs, then its RRSIGs)"
        start = end
    return "the chain does not re-encode to the same octets"


def _name(signed: SignedRRset) -> str:
    return f"{signed.owner} {type_text(signed.rdtype)}"


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + "; ".join(value) + "]"
    return "null" if value is None else repr(value) if value == "" else str(value)


def _check_caa(bundle: Bundle, chains: list[tuple[SignedRRset, ...]], ctx: Context,
               report: Report) -> dict[str, Any]:
    """Recompute the whole CAA check over the union of the chains from the recorded request."""
    assert bundle.caa is not None
    recorded_caa = bundle.caa
    recorded = {"decision": recorded_caa.decision, "reason": recorded_caa.reason,
                "status": recorded_caa.status, "relevant_domain": recorded_caa.relevant_domain,
                "records": list(recorded_caa.records)}
    req = recorded_caa.request
    try:
        request = CaaRequest(
            parse_domain(req.domain, email=req.email), req.issuer_domains, req.account_uri,
            req.validation_method, req.permit_on_lookup_failure, frozenset(req.ca_servers),
        )
    except (DomainError, ValueError) as exc:
        raise BundleError(f"caa request does not parse: {exc}") from None
    if len(chains) != len(bundle.proofs):
        report.problems.append("caa decision not recomputed: a proof's chain was rejected")
        return {"recorded": recorded, "verified": None, "match": False}
    pool = [signed for chain in chains for signed in chain]
    transport = ctx.transport(pool)
    check: CaaCheck = drive(check_steps(request, ctx.validator(), now=ctx.now), transport)
    verified = {"decision": check.decision.value if check.decision is not None else None,
                "reason": check.reason, "status": check.status.value,
                "relevant_domain": check.relevant_domain,
                "records": [r.presentation() for r in check.records]}
    diffs = [f"{key} {_show(recorded[key])} recorded, {_show(verified[key])} recomputed"
             for key in recorded if recorded[key] != verified[key]]
    lookups = [p for p in bundle.proofs if p.role == "lookup"]
    probes = [p for p in bundle.proofs if p.role == "probe"]
    climbed = [lookup.qname.to_text() for lookup in check.lookups]
    if climbed != [p.qname for p in lookups]:
        diffs.append(f"the climb queries {climbed}, the bundle proves {[p.qname for p in lookups]}")
    probed = [probe.name.to_text() for probe in check.search.probes]
    if probed != [p.qname for p in probes]:
        diffs.append(f"the check probes zones of {probed}, the bundle proves "
                     f"{[p.qname for p in probes]}")
    if diffs:
        report.problems.append("caa decision: " + "; ".join(diffs))
    return {"recorded": recorded, "verified": verified, "match": not diffs}


__all__ = ["ProofCheck", "Report", "canonical_problem", "policy_from_name", "verify_bundle"]
