"""Authenticated denial of existence: NSEC and NSEC3 proofs (RFC 4035 §5.4, RFC 5155 §8).

Sans-I/O, like the rest of the core.  Every entry point takes

* the name (and type) the proof is about and the zone apex ``signer`` the records must come
  from (NSEC-15: each NSEC/NSEC3 is trusted only for its own zone);
* ``authority``: the response's authority-section RRsets, as
  :class:`~dnssec_core.wire.message.SignedRRset` (an RRset with its RRSIGs) or plain
  :class:`~dnssec_core.wire.rrset.RRset`.  Everything that is not NSEC/NSEC3 of ``signer`` is
  ignored: other types, owners outside the zone, RRsets whose RRSIGs name another signer,
  NSEC3 owners not directly below the apex (NSEC3-04);
* ``verify`` (keyword, required): a callback that validates one NSEC/NSEC3 RRset with the zone's
  keys and returns its :class:`~dnssec_core.verdict.Verdict` — the chain engine passes
  ``lambda s: engine.verify(s, keys)``.  Every NSEC/NSEC3 RRset of the zone is verified before
  any proof (NSEC-01) and the first that is not secure decides the outcome (its own verdict is
  returned).  Pass ``verify=None`` only when the caller has already validated every RRset it
  hands over; the argument has no default so that this choice is always written down;
* ``policy``: :class:`~.policy.DenialPolicy` (RFC 9276 iteration cap, work limits);
* ``hasher``: an :class:`~.nsec3.Nsec3Hasher` shared by all proofs about one response, so the
  NSEC3 hash budget (SEC-LIM-03) counts the whole response; a fresh one when omitted.  The
  chain engine passes ``HashAllowance.response()`` hashers, which also count against one
  budget for the whole resolution (NSEC3_HASHES_PER_RESOLUTION).

and returns a :class:`~.result.Denial`: a verdict plus the proof established.  Outcomes:

* ``secure`` — the denial is proven by authenticated records;
* ``insecure`` — an Opt-Out span (NSEC3-12), a proven unsigned delegation (NSEC-12,
  NSEC3-11) or NSEC3 iterations over the cap (NSEC3-15, EDE 27);
* ``bogus`` — proof missing, incomplete or contradictory, with a ``denial-*``/``nsec3-*``
  reason; or a record that failed verification, with the verifier's reason;
* ``indeterminate`` — a work limit (``limit-nsec3-hashes``, ``limit-denial-records``).

Nothing here raises on hostile data; a stray exception becomes ``indeterminate`` /
``internal-error`` (fail closed).  Exceptions are raised only for programmer errors (e.g. a
wildcard ``labels`` value that does not show an expansion).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dns.name import Name

from dnssec_core.dnssec.denial.names import label_count
from dnssec_core.dnssec.denial.nsec3 import (
    NSEC3,
    HashAllowance,
    HashBudgetExceeded,
    Nsec3Hasher,
    Nsec3Proofs,
    Params,
    budget_spent,
)
from dnssec_core.dnssec.denial.policy import DEFAULT_POLICY, DenialPolicy
from dnssec_core.dnssec.denial.result import (
    DS_TYPE,
    NSEC3_TYPE,
    NSEC_TYPE,
    Denial,
    Proof,
    best,
    failed,
)
from dnssec_core.verdict import Reason, Status, Verdict, indeterminate
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.name import canonical_key, is_subdomain
from dnssec_core.wire.rrset import RRset

# At run time these are imported where they are used (start-up, issue 7): SignedRRset loads
# dns.message, and verify-zone's chain check loads this package for NSEC3 hashing and bitmaps
# but never makes an NSEC proof.
if TYPE_CHECKING:
    from dnssec_core.dnssec.denial.nsec import NSEC, NsecProofs
    from dnssec_core.wire.message import SignedRRset

log = logging.getLogger(__name__)

Verifier = Callable[["SignedRRset"], Verdict]

__all__ = [
    "DEFAULT_POLICY",
    "Denial",
    "DenialPolicy",
    "HashAllowance",
    "Nsec3Hasher",
    "Proof",
    "Verifier",
    "prove_insecure_referral",
    "prove_no_ds",
    "prove_nodata",
    "prove_nxdomain",
    "prove_wildcard_answer",
]


@dataclass(frozen=True, slots=True)
class _Records:
    nsecs: tuple[NSEC, ...]
    nsec3s: tuple[NSEC3, ...]


def prove_nxdomain(qname: Name, authority: Iterable[SignedRRset | RRset], *, signer: Name,
                   verify: Verifier | None, policy: DenialPolicy = DEFAULT_POLICY,
                   hasher: Nsec3Hasher | None = None) -> Denial:
    """Prove that ``qname`` does not exist (NXDOMAIN).

    NSEC-04, -05, -09, -10, -14 (RFC 4035 §5.4, RFC 6840 §4.1, RFC 9824); NSEC3-05, -06, -12,
    -13 (RFC 5155 §8.3, §8.4, §9.2).
    """
    return _run(qname, authority, signer, verify, policy, hasher,
                lambda p: p.name_error(qname), lambda p: p.name_error(qname))


def prove_nodata(qname: Name, qtype: int, authority: Iterable[SignedRRset | RRset], *,
                 signer: Name, verify: Verifier | None, policy: DenialPolicy = DEFAULT_POLICY,
                 hasher: Nsec3Hasher | None = None) -> Denial:
    """Prove that ``qname`` has no RRset of ``qtype`` (NODATA), empty non-terminals and
    wildcard NODATA included.

    NSEC-03, -07, -09..-12, VAL-CNAME-03 (RFC 4035 §3.1.3, §5.4; RFC 6840 §4.1, §4.3);
    NSEC3-07..-09, -12, -13 (RFC 5155 §8.5-§8.7).  For ``qtype`` DS the outcome is insecure
    when the name is a delegation without DS; use :func:`prove_no_ds` for the chain engine's
    DS step, which also accepts a proof that the name does not exist.
    """
    return _run(qname, authority, signer, verify, policy, hasher,
                lambda p: p.no_data(qname, qtype), lambda p: p.no_data(qname, qtype))


def prove_wildcard_answer(qname: Name, labels: int, authority: Iterable[SignedRRset | RRset], *,
                          signer: Name, verify: Verifier | None,
                          policy: DenialPolicy = DEFAULT_POLICY,
                          hasher: Nsec3Hasher | None = None) -> Denial:
    """Prove that a positive answer at ``qname`` whose RRSIG has ``labels`` labels (fewer than
    ``qname``'s: a wildcard expansion) had no closer match (VAL-WILD-02).

    NSEC-06 (RFC 4035 §5.3.4), NSEC3-10 (RFC 5155 §8.8; Opt-Out → insecure).  Raises
    :class:`ValueError` when ``labels`` is not below ``qname``'s label count.
    """
    if not 0 <= labels < label_count(qname):
        raise ValueError(f"RRSIG labels {labels} do not show a wildcard expansion of {qname}")
    return _run(qname, authority, signer, verify, policy, hasher,
                lambda p: p.wildcard_answer(qname, labels),
                lambda p: p.wildcard_answer(qname, labels))


def prove_no_ds(child: Name, authority: Iterable[SignedRRset | RRset], *, signer: Name,
                verify: Verifier | None, policy: DenialPolicy = DEFAULT_POLICY,
                hasher: Nsec3Hasher | None = None) -> Denial:
    """Prove that there is no DS RRset at ``child`` in the parent zone ``signer`` — the chain
    engine's step down (RFC 4035 §5.2, RFC 6840 §4.4).

    * ``secure`` with :attr:`Denial.not_a_cut` — ``child`` is not a delegation: a name without
      NS (NSEC3-08 NODATA), an empty non-terminal, or a name that does not exist;
    * ``insecure`` — ``child`` is a delegation without DS (NSEC-12, NSEC3-11) or lies in an
      Opt-Out span (NSEC3-08, -12), or NSEC3 iterations are over the cap;
    * ``bogus`` — e.g. ``denial-from-child-apex`` when the NSEC/NSEC3 has SOA set (the child's
      own apex record, NSEC-11), ``denial-type-present`` when DS is in the bitmap.
    """
    return _run(child, authority, signer, verify, policy, hasher,
                lambda p: p.no_data(child, DS_TYPE, accept_name_error=True),
                lambda p: p.no_data(child, DS_TYPE, accept_name_error=True))


def prove_insecure_referral(delegation: Name, authority: Iterable[SignedRRset | RRset], *,
                            signer: Name, verify: Verifier | None,
                            policy: DenialPolicy = DEFAULT_POLICY,
                            hasher: Nsec3Hasher | None = None) -> Denial:
    """Prove that a referral to ``delegation`` leads to an unsigned zone (RFC 4035 §5.2,
    RFC 5155 §8.9, RFC 6840 §4.4: NSEC-12, NSEC3-11).

    ``insecure`` when proven; ``bogus`` with ``denial-not-a-delegation`` when the records show
    the name is not a delegation at all, or with the reason of :func:`prove_no_ds`.  Never
    ``secure``: a referral without DS is at best an insecure delegation.
    """
    denial = prove_no_ds(delegation, authority, signer=signer, verify=verify, policy=policy,
                         hasher=hasher)
    if denial.verdict.status is Status.SECURE:
        return failed(Reason.DENIAL_NOT_DELEGATION, denial.proof,
                      f"the records prove {delegation} is not a delegation "
                      f"({denial.proof.value})", denial.closest_encloser, denial.records)
    return denial


# -- the common driver ------------------------------------------------------------------------


def _run(name: Name, authority: Iterable[SignedRRset | RRset], signer: Name,
         verify: Verifier | None, policy: DenialPolicy, hasher: Nsec3Hasher | None,
         with_nsec: Callable[[NsecProofs], Denial],
         with_nsec3: Callable[[Nsec3Proofs], Denial]) -> Denial:
    if not is_subdomain(name, signer):
        return failed(Reason.DENIAL_OUTSIDE_ZONE, Proof.NONE,
                      f"{name} is not in the zone {signer}")
    try:
        records = _collect(authority, signer, verify, policy)
        if isinstance(records, Denial):
            return records
        outcomes: list[Denial] = []
        if records.nsecs:
            from dnssec_core.dnssec.denial.nsec import NsecProofs

            outcomes.append(with_nsec(NsecProofs(signer, records.nsecs)))
            if outcomes[0].verdict.secure or not records.nsec3s:
                return outcomes[0]
        if records.nsec3s:
            outcomes.append(_nsec3(records.nsec3s, signer, policy,
                                   hasher if hasher is not None else Nsec3Hasher(
                                       policy.max_hashes), with_nsec3))
        if not outcomes:
            return failed(Reason.NSEC_PROOF_MISSING, Proof.NONE,
                          f"no NSEC or NSEC3 records of {signer} in the response")
        return best(outcomes)
    except Exception as exc:  # fail closed: no stray exception may escape or pass as secure
        log.exception("internal error proving denial for %s", name)
        return Denial(indeterminate(Reason.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}"))


def _nsec3(records: tuple[NSEC3, ...], signer: Name, policy: DenialPolicy, hasher: Nsec3Hasher,
           prove: Callable[[Nsec3Proofs], Denial]) -> Denial:
    """NSEC3-02/-03/-14/-15: drop unusable records, then try each parameter set."""
    usable = [r for r in records if r.usable]
    if not usable:
        return failed(Reason.NSEC3_NO_USABLE, Proof.NONE,
                      f"{len(records)} NSEC3 record(s), none with hash algorithm 1 and flags "
                      "0 or 1 (RFC 5155 §8.1-§8.2)")
    sets: dict[Params, None] = {}
    for record in usable:
        sets.setdefault(record.params, None)
    outcomes: list[Denial] = []
    for params in sets:
        over = policy.check_iterations(params[1])
        if over is not None:
            outcomes.append(Denial(over, Proof.ITERATIONS))
            continue
        try:
            outcomes.append(prove(Nsec3Proofs(signer, params, usable, hasher)))
        except HashBudgetExceeded as exc:
            outcomes.append(budget_spent(exc))
        if outcomes[-1].verdict.secure:
            break
    return best(outcomes)


def _collect(authority: Iterable[SignedRRset | RRset], signer: Name, verify: Verifier | None,
             policy: DenialPolicy) -> _Records | Denial:
    """The zone's NSEC/NSEC3 records: filtered (NSEC-15, NSEC3-04), counted against
    ``policy.max_records`` before anything is verified, verified (NSEC-01), decoded."""
    from dnssec_core.dnssec.denial.nsec import NSEC
    from dnssec_core.wire.message import SignedRRset

    apex_key = canonical_key(signer)
    mine: list[SignedRRset] = []
    count = 0
    for item in authority:
        signed = item if isinstance(item, SignedRRset) else SignedRRset(item)
        rdtype = signed.rrset.rdtype
        if rdtype not in (NSEC_TYPE, NSEC3_TYPE):
            continue
        owner_key = canonical_key(signed.owner)
        if owner_key[: len(apex_key)] != apex_key:
            continue
        if rdtype == NSEC3_TYPE and len(owner_key) != len(apex_key) + 1:
            continue  # NSEC3-04: the owner is one hash label directly below the apex
        if signed.rrsigs and all(canonical_key(s.signer) != apex_key for s in signed.rrsigs):
            continue  # signed by another zone (NSEC-15)
        count += len(signed.rrset.rdatas)
        if count > policy.max_records:
            return Denial(indeterminate(
                Reason.LIMIT_DENIAL_RECORDS,
                f"more than {policy.max_records} NSEC/NSEC3 records of {signer} in one "
                "response"))
        mine.append(signed)
    if verify is not None:
        for signed in mine:
            verdict = verify(signed)
            if verdict.status is not Status.SECURE:
                return Denial(verdict, Proof.NONE, None, (signed.owner,))
    nsecs: list[NSEC] = []
    nsec3s: list[NSEC3] = []
    for signed in mine:
        for rdata in signed.rrset.rdatas:
            try:
                if signed.rrset.rdtype == NSEC_TYPE:
                    nsecs.append(NSEC.from_rdata(signed.owner, rdata))
                else:
                    nsec3s.append(NSEC3.from_rdata(signed.owner, rdata))
            except WireError as exc:
                return failed(Reason.DENIAL_MALFORMED, Proof.NONE,
                              f"{signed.owner}: {exc}", None, (signed.owner,))
    return _Records(tuple(nsecs), tuple(nsec3s))
