"""What a denial check returns: a verdict plus what exactly was proven (for the evidence trail).

Kept apart from the checkers so that :mod:`.nsec` and :mod:`.nsec3` share it without importing
each other.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dns.name import Name

from dnssec_core.verdict import Reason, Status, Verdict, bogus, insecure, secure

# RR types the proofs look at (IANA "Resource Record (RR) TYPEs").
NS_TYPE = 2
SOA_TYPE = 6
CNAME_TYPE = 5
DNAME_TYPE = 39
DS_TYPE = 43
RRSIG_TYPE = 46
NSEC_TYPE = 47
NSEC3_TYPE = 50
NSEC3PARAM_TYPE = 51
NXNAME_TYPE = 128  # RFC 9824 §3 (compact denial's "NXNAME" meta type)
ANY_TYPE = 255  # QTYPE * (RFC 1035 §3.2.3)

#: Types in a bitmap that are no data of the name (the denial records themselves): a NODATA
#: answer to QTYPE ANY stands only if the bitmap lists nothing else (RFC 4035 §3.1.3.1:
#: NODATA means no RRset at all of the asked type, and ANY asks for every type).
NO_DATA_TYPES = frozenset({RRSIG_TYPE, NSEC_TYPE, NSEC3_TYPE, NXNAME_TYPE})


class Proof(enum.Enum):
    """Which denial was established (or attempted).  The value is stable for evidence files."""

    NONE = "none"
    NAME_ERROR = "name-error"  # NSEC-04 / NSEC3-06
    NO_DATA = "no-data"  # NSEC-03 / NSEC3-07
    EMPTY_NON_TERMINAL = "empty-non-terminal"  # NSEC-09 (NSEC3: same as NO_DATA)
    WILDCARD_NO_DATA = "wildcard-no-data"  # NSEC-07 / NSEC3-09
    WILDCARD_ANSWER = "wildcard-answer"  # NSEC-06 / NSEC3-10
    NO_DS = "no-ds"  # DS NODATA at a name that is not a delegation (NSEC3-08)
    INSECURE_DELEGATION = "insecure-delegation"  # NSEC-12 / NSEC3-11: NS set, DS and SOA clear
    OPT_OUT = "opt-out"  # NSEC3-12: the next closer name lies in an Opt-Out span
    COMPACT_NXNAME = "compact-nxname"  # NSEC-14 (RFC 9824): NXDOMAIN-equivalent
    ITERATIONS = "nsec3-iterations"  # NSEC3-15: not checked, iterations over the cap


@dataclass(frozen=True, slots=True)
class Denial:
    """The outcome of one denial check.

    ``verdict`` is the status with its reason and EDE code.  ``proof`` says which denial was
    established (secure/insecure) or which one was attempted (bogus).  ``closest_encloser`` is
    set when the proof needed one; ``records`` names the owners of the NSEC/NSEC3 records the
    proof rests on, for the evidence trail (BR-LOG-02).
    """

    verdict: Verdict
    proof: Proof = Proof.NONE
    closest_encloser: Name | None = None
    records: tuple[Name, ...] = ()

    @property
    def status(self) -> Status:
        return self.verdict.status

    @property
    def not_a_cut(self) -> bool:
        """For :func:`~dnssec_core.dnssec.denial.prove_no_ds`: proven (secure) that the name is
        not a delegation point, so the chain engine passes over it (VAL-CHAIN-04)."""
        return self.verdict.status is Status.SECURE and self.proof in (
            Proof.NO_DS,
            Proof.NAME_ERROR,
            Proof.EMPTY_NON_TERMINAL,
            Proof.WILDCARD_NO_DATA,
            Proof.COMPACT_NXNAME,
        )


def proven(proof: Proof, detail: str, ce: Name | None = None, records: tuple[Name, ...] = ()
           ) -> Denial:
    """A complete proof over records the caller (or the verify callback) authenticated."""
    return Denial(secure(detail=detail), proof, ce, records)


def unsigned(reason: Reason, proof: Proof, detail: str, ce: Name | None = None,
             records: tuple[Name, ...] = ()) -> Denial:
    return Denial(insecure(reason, detail), proof, ce, records)


def failed(reason: Reason, proof: Proof, detail: str, ce: Name | None = None,
           records: tuple[Name, ...] = ()) -> Denial:
    return Denial(bogus(reason, detail), proof, ce, records)


def bitmap_contradicts(kind: str, owner: Name, types: frozenset[int], qtype: int, proof: Proof,
                       ce: Name | None, used: tuple[Name, ...]) -> Denial | None:
    """The bitmap test both NODATA proofs share: the matching record lists neither QTYPE nor
    CNAME (NSEC-03 / NSEC3-07, VAL-CNAME-03; RFC 4035 §5.4, RFC 5155 §8.5, §8.7, RFC 6840
    §4.3).  For QTYPE ANY (RFC 4035 §3.1.3.1) any type besides :data:`NO_DATA_TYPES` counts.

    Returns the failure, or None when the bitmap allows the denial; ``kind`` and ``owner``
    name the record in the detail (``NSEC at <owner>``, ``NSEC3 <owner>``).  What follows
    the test differs on purpose between NSEC and NSEC3 and stays with each proof.
    """
    if qtype in types or (qtype == ANY_TYPE and types - NO_DATA_TYPES):
        listed = qtype if qtype != ANY_TYPE else sorted(types - NO_DATA_TYPES)
        return failed(Reason.DENIAL_TYPE_PRESENT, proof,
                      f"{kind} {owner} lists type {listed} (asked {qtype})", ce, used)
    if CNAME_TYPE in types:
        return failed(Reason.DENIAL_CNAME_PRESENT, proof,
                      f"{kind} {owner} lists CNAME (RFC 6840 §4.3)", ce, used)
    return None


#: When several attempts fail (NSEC then NSEC3, or several NSEC3 parameter sets), the one
#: reported is the best outcome: secure, then insecure, then the most telling failure.
_STATUS_RANK = {Status.SECURE: 0, Status.INSECURE: 1, Status.INDETERMINATE: 2, Status.BOGUS: 3}


def best(outcomes: list[Denial]) -> Denial:
    """The strongest of several outcomes (secure > insecure > indeterminate > bogus); ties go
    to the first, so callers order attempts from most to least specific."""
    return min(outcomes, key=lambda d: _STATUS_RANK[d.verdict.status])
