"""The engine's view of denial of existence: one call per kind of negative answer.

Thin adapter over :mod:`dnssec_core.dnssec.denial` (issue 4): it hands the response's
authority section to the proof checkers with the zone apex and a verifier bound to the zone's
authenticated keys, so that every NSEC/NSEC3 RRset is signature-checked before it is believed
(NSEC-01, NSEC-15).  ``hasher`` (optional) is the response's NSEC3 hasher; the engine passes
one drawn from its per-resolution allowance (SEC-LIM-03).  The SOA of a negative answer is
checked by the engine itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dns.name import Name

from dnssec_core.dnssec import denial
from dnssec_core.dnssec.denial.nsec3 import Nsec3Hasher
from dnssec_core.dnssec.denial.result import Proof
from dnssec_core.dnssec.rrsig import ZoneKeys
from dnssec_core.verdict import Reason, Status, Verdict, bogus, secure
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.message import Response, SignedRRset
from dnssec_core.wire.name import is_subdomain, read_name, rrsig_label_count

NSEC_TYPE = 47
DS_TYPE = 43

Verify = Callable[[SignedRRset, ZoneKeys], Verdict]


@dataclass(frozen=True)
class DSAbsence:
    """Outcome of the DS step: the verdict, and whether the name is proven not to be a cut
    (``not_a_cut``) or not to exist at all (``name_error``: nothing below it exists either)."""

    verdict: Verdict
    not_a_cut: bool = False
    name_error: bool = False


def _bound(keys: ZoneKeys, verify: Verify) -> Callable[[SignedRRset], Verdict]:
    """The verifier handed to the proof checkers: structural checks, then the signatures."""

    def check(signed: SignedRRset) -> Verdict:
        # CVE-2017-15105: an NSEC/NSEC3 whose RRSIG Labels is below its owner's label count
        # was synthesised from a wildcard; its real owner is the wildcard (RFC 4035 §5.3.4,
        # RFC 4592 §4.5), so under the expanded name it denies nothing.
        owner_labels = rrsig_label_count(signed.owner)
        if any(sig.labels < owner_labels for sig in signed.rrsigs):
            return bogus(Reason.DENIAL_FROM_WILDCARD,
                         f"{signed.owner} {signed.rdtype}: RRSIG shows a wildcard expansion")
        if signed.rdtype == NSEC_TYPE:  # RFC 4034 §4.1.1: the Next Domain Name is in the zone
            for rdata in signed.rrset.rdatas:
                try:
                    next_name, _ = read_name(rdata, 0)
                except WireError:
                    continue  # malformed: the proof checker reports it
                if not is_subdomain(next_name, keys.zone):
                    return bogus(Reason.DENIAL_NEXT_OUTSIDE_ZONE,
                                 f"NSEC {signed.owner} -> {next_name} leaves {keys.zone}")
        return verify(signed, keys)

    return check


def ds_absence(child: Name, response: Response, keys: ZoneKeys, verify: Verify,
               hasher: Nsec3Hasher | None = None) -> DSAbsence:
    """No DS at ``child`` in the zone of ``keys`` (RFC 4035 §5.2, RFC 6840 §4.4)."""
    result = denial.prove_no_ds(child, response.authority, signer=keys.zone,
                                verify=_bound(keys, verify), hasher=hasher)
    return DSAbsence(result.verdict, result.not_a_cut,
                     result.not_a_cut and result.proof is Proof.NAME_ERROR)


def nodata(name: Name, qtype: int, response: Response, keys: ZoneKeys,
           verify: Verify, hasher: Nsec3Hasher | None = None) -> Verdict:
    """NODATA at ``name`` for ``qtype`` (NSEC-03/07/09, NSEC3-07..09, VAL-CNAME-03).

    Asked for DS itself, a delegation proven to have no DS is a *secure* answer: the parent's
    signed records prove the absence (RFC 4035 §3.1.4.1, §5.4) — only names below it are
    insecure.  An Opt-Out span proves nothing either way and stays insecure (NSEC3-12).
    """
    result = denial.prove_nodata(name, qtype, response.authority, signer=keys.zone,
                                 verify=_bound(keys, verify), hasher=hasher)
    if (qtype == DS_TYPE and result.verdict.status is Status.INSECURE
            and result.proof is Proof.INSECURE_DELEGATION):
        return secure(detail=f"no DS at {name}: proven by {keys.zone}")
    return result.verdict


def nxdomain(name: Name, response: Response, keys: ZoneKeys, verify: Verify,
             hasher: Nsec3Hasher | None = None) -> Verdict:
    """NXDOMAIN for ``name`` (NSEC-04/05, NSEC3-05/06)."""
    return denial.prove_nxdomain(name, response.authority, signer=keys.zone,
                                 verify=_bound(keys, verify), hasher=hasher).verdict


def wildcard_answer(owner: Name, labels: int, response: Response, keys: ZoneKeys,
                    verify: Verify, hasher: Nsec3Hasher | None = None) -> Verdict:
    """A wildcard-expanded answer had no closer match (VAL-WILD-02, NSEC-06, NSEC3-10)."""
    return denial.prove_wildcard_answer(owner, labels, response.authority, signer=keys.zone,
                                        verify=_bound(keys, verify), hasher=hasher).verdict
