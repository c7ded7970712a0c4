"""NSEC records and the NSEC denial proofs (RFC 4035 §3.1.3, §5.4; RFC 6840 §4.1, §4.3, §4.4).

The proofs take NSEC records that are already authenticated and belong to one zone (the caller,
:mod:`dnssec_core.dnssec.denial`, filters and verifies them) and return a
:class:`~.result.Denial`.  They never raise on hostile data.

Rules implemented, by requirement ID:

* NSEC-02 — "covers": owner < name < next in canonical order; the last NSEC of the zone (next
  name ≤ owner, normally the apex) covers every name after its owner (wrap-around).
* NSEC-03 / VAL-CNAME-03 — NODATA: the NSEC at QNAME lacks QTYPE and CNAME.
* NSEC-04 / NSEC-05 — NXDOMAIN: an NSEC covers QNAME and one covers ``*.<closest encloser>``,
  the closest encloser being the longest common ancestor of QNAME with the covering NSEC's
  owner or next name.
* NSEC-06 — wildcard answer: an NSEC covers QNAME and its closest encloser is the wildcard's.
* NSEC-07 — wildcard NODATA: an NSEC covers QNAME and the NSEC at the wildcard lacks QTYPE.
* NSEC-09 — a covering NSEC whose next name is below QNAME shows QNAME is an empty
  non-terminal: NODATA, never NXDOMAIN.
* NSEC-10 — an NSEC at a delegation (NS set, SOA clear) says nothing about names below it
  nor about types other than DS at it; the same holds for an NSEC with DNAME.  When its DS bit
  is clear the delegation is proven unsigned and the outcome is insecure, else bogus.
* NSEC-11 — an NSEC with SOA set (the child's apex) cannot deny DS at that name.
* NSEC-12 — DS absence at a delegation: NS set, DS and SOA clear → insecure delegation.
* NSEC-14 — RFC 9824 compact denial: an NSEC at QNAME whose bitmap holds NXNAME proves the
  name does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dns.name import Name

from dnssec_core.dnssec.denial.bitmap import decode_bitmap
from dnssec_core.dnssec.denial.names import (
    ancestor,
    common_ancestor,
    is_strict_subdomain,
    label_count,
    wildcard_at,
)
from dnssec_core.dnssec.denial.result import (
    DNAME_TYPE,
    DS_TYPE,
    NS_TYPE,
    NSEC_TYPE,
    NXNAME_TYPE,
    RRSIG_TYPE,
    SOA_TYPE,
    Denial,
    Proof,
    bitmap_contradicts,
    failed,
    proven,
    unsigned,
)
from dnssec_core.verdict import Reason
from dnssec_core.wire.name import canonical_key, is_subdomain, names_equal, read_name

#: Types an RFC 9824 compact-denial NXNAME NSEC may carry besides NXNAME itself (§3).
COMPACT_DENIAL_TYPES = frozenset({NSEC_TYPE, RRSIG_TYPE, NXNAME_TYPE})


@dataclass(frozen=True, slots=True)
class NSEC:
    """One NSEC record (RFC 4034 §4.1): owner, Next Domain Name and the types at the owner."""

    owner: Name
    next: Name
    types: frozenset[int]

    @classmethod
    def from_rdata(cls, owner: Name, rdata: bytes) -> NSEC:
        """Decode NSEC RDATA: an uncompressed name, then a type bitmap (NSEC-08).

        Raises :class:`WireError` when malformed.
        """
        next_name, end = read_name(rdata, 0)
        return cls(owner, next_name, decode_bitmap(rdata[end:]))

    def has(self, rdtype: int) -> bool:
        return rdtype in self.types

    @property
    def is_delegation(self) -> bool:
        """NS set and SOA clear: the parent's NSEC at a zone cut (RFC 6840 §4.1)."""
        return NS_TYPE in self.types and SOA_TYPE not in self.types


def covers(nsec: NSEC, name: Name) -> bool:
    """NSEC-02: ``name`` lies strictly between owner and next name in canonical order.

    When the next name does not sort after the owner the NSEC is the last of the zone and
    covers every name after its owner (RFC 4034 §4.1.1: its next name is the apex).
    """
    owner, nxt, key = canonical_key(nsec.owner), canonical_key(nsec.next), canonical_key(name)
    if owner < nxt:
        return owner < key < nxt
    return key > owner


def _ancestor_rule(nsec: NSEC, name: Name, apex: Name, records: tuple[Name, ...]
                   ) -> Denial | None:
    """NSEC-10: an NSEC owned by a delegation point or a DNAME above ``name`` cannot deny it.

    Returns the outcome when the rule applies: insecure when the delegation is proven unsigned
    (DS bit clear), bogus otherwise.  None when the NSEC may be used for ``name``.
    """
    if not is_strict_subdomain(name, nsec.owner):
        return None
    if nsec.has(DNAME_TYPE):
        return failed(Reason.DENIAL_ANCESTOR_DELEGATION, Proof.NONE,
                      f"NSEC at {nsec.owner} has DNAME: names below it are redirected", None,
                      records)
    if nsec.is_delegation and not names_equal(nsec.owner, apex):
        if nsec.has(DS_TYPE):
            return failed(Reason.DENIAL_ANCESTOR_DELEGATION, Proof.NONE,
                          f"NSEC at delegation {nsec.owner} cannot deny {name} below it", None,
                          records)
        return unsigned(Reason.INSECURE_DELEGATION, Proof.INSECURE_DELEGATION,
                        f"{name} is below the unsigned delegation {nsec.owner}", nsec.owner,
                        records)
    return None


class NsecProofs:
    """The NSEC records of one zone in one response, and the proofs over them."""

    def __init__(self, apex: Name, nsecs: Sequence[NSEC]) -> None:
        self.apex = apex
        self.nsecs = tuple(nsecs)

    # -- lookups -----------------------------------------------------------------------------

    def matching(self, name: Name) -> NSEC | None:
        key = canonical_key(name)
        for nsec in self.nsecs:
            if canonical_key(nsec.owner) == key:
                return nsec
        return None

    def covering(self, name: Name) -> NSEC | None:
        for nsec in self.nsecs:
            if covers(nsec, name):
                return nsec
        return None

    def closest_encloser(self, qname: Name, cover: NSEC) -> Name:
        """NSEC-05: the longer common ancestor of QNAME with the covering owner or next name,
        never above the apex."""
        ce = max(common_ancestor(qname, cover.owner), common_ancestor(qname, cover.next),
                 key=label_count)
        return ce if is_subdomain(ce, self.apex) else self.apex

    def _usable_cover(self, qname: Name, missing: Reason, proof: Proof, detail: str,
                      ce: Name | None = None) -> tuple[NSEC, tuple[Name, ...]] | Denial:
        """The first step of every proof for a QNAME no NSEC matches (RFC 4035 §5.4): the NSEC
        covering it (NSEC-02), which must not be owned by a delegation or DNAME above it
        (NSEC-10).  Returns that NSEC with the owners used so far, else the outcome: ``missing``
        (with ``detail`` and ``ce``) when nothing covers QNAME, or the NSEC-10 outcome."""
        cover = self.covering(qname)
        if cover is None:
            return failed(missing, proof, detail, ce)
        used = (cover.owner,)
        ruled = _ancestor_rule(cover, qname, self.apex, used)
        if ruled is not None:
            return ruled
        return cover, used

    # -- proofs ------------------------------------------------------------------------------

    def name_error(self, qname: Name) -> Denial:
        """NXDOMAIN (NSEC-04, NSEC-09, NSEC-10, NSEC-14; RFC 4035 §5.4)."""
        match = self.matching(qname)
        if match is not None:
            return self._compact(match, qname) or failed(
                Reason.DENIAL_NAME_EXISTS, Proof.NAME_ERROR,
                f"an NSEC exists at {qname}, so the name exists", None, (match.owner,))
        covered = self._usable_cover(qname, Reason.DENIAL_NOT_COVERED, Proof.NAME_ERROR,
                                     f"no NSEC covers {qname}")
        if isinstance(covered, Denial):
            return covered
        cover, used = covered
        if is_strict_subdomain(cover.next, qname):
            return failed(Reason.DENIAL_NAME_EXISTS, Proof.NAME_ERROR,
                          f"{qname} is an empty non-terminal above {cover.next}", None, used)
        ce = self.closest_encloser(qname, cover)
        return self._no_wildcard(qname, ce, used, Proof.NAME_ERROR)

    def _no_wildcard(self, qname: Name, ce: Name, used: tuple[Name, ...], proof: Proof
                     ) -> Denial:
        """The second half of NSEC-04: ``*.<ce>`` is covered, not matched."""
        wildcard = wildcard_at(ce)
        exact = self.matching(wildcard)
        if exact is not None:
            return failed(Reason.DENIAL_WILDCARD_EXISTS, proof,
                          f"the wildcard {wildcard} exists and should have answered {qname}",
                          ce, (*used, exact.owner))
        cover = self.covering(wildcard)
        if cover is None:
            return failed(Reason.DENIAL_WILDCARD_NOT_DENIED, proof,
                          f"no NSEC proves that {wildcard} does not exist", ce, used)
        used = used if cover.owner in used else (*used, cover.owner)
        ruled = _ancestor_rule(cover, wildcard, self.apex, used)
        if ruled is not None:
            return ruled
        if is_strict_subdomain(cover.next, wildcard):
            # RFC 4592, "Empty Non-terminal Wildcard Domain Name": *.<ce> exists without data,
            # so the answer is NODATA, not NXDOMAIN (NSEC-09 applied to the wildcard).
            return failed(Reason.DENIAL_WILDCARD_EXISTS, proof,
                          f"the wildcard {wildcard} exists as an empty non-terminal above "
                          f"{cover.next}", ce, used)
        return proven(proof, f"{qname} does not exist; no wildcard at {ce}", ce, used)

    def _compact(self, match: NSEC, qname: Name) -> Denial | None:
        """NSEC-14, RFC 9824 §3: an NXNAME bit at QNAME proves non-existence."""
        if not match.has(NXNAME_TYPE):
            return None
        if not match.types <= COMPACT_DENIAL_TYPES:
            return failed(Reason.DENIAL_NAME_EXISTS, Proof.COMPACT_NXNAME,
                          f"NSEC at {qname} has NXNAME and other types "
                          f"{sorted(match.types - COMPACT_DENIAL_TYPES)}", None, (match.owner,))
        return proven(Proof.COMPACT_NXNAME, f"compact denial (NXNAME) at {qname}", None,
                      (match.owner,))

    def no_data(self, qname: Name, qtype: int, *, accept_name_error: bool = False) -> Denial:
        """NODATA (NSEC-03, NSEC-07, NSEC-09..12, VAL-CNAME-03; RFC 4035 §5.4, RFC 6840 §4.3).

        For QTYPE DS the outcome may be insecure (an unsigned delegation, NSEC-12).  With
        ``accept_name_error`` a full NXDOMAIN proof also counts (used for DS absence: a name
        that does not exist is not a delegation).
        """
        match = self.matching(qname)
        if match is not None:
            return self._types_absent(match, qname, qtype, Proof.NO_DATA)
        covered = self._usable_cover(qname, Reason.DENIAL_NO_MATCH, Proof.NO_DATA,
                                     f"no NSEC matches or covers {qname}")
        if isinstance(covered, Denial):
            return covered
        cover, used = covered
        if is_strict_subdomain(cover.next, qname):
            return proven(Proof.EMPTY_NON_TERMINAL,
                          f"{qname} is an empty non-terminal (next name {cover.next})", None,
                          used)
        ce = self.closest_encloser(qname, cover)
        wildcard = wildcard_at(ce)
        wild = self.matching(wildcard)
        if wild is not None:
            return self._types_absent(wild, qname, qtype, Proof.WILDCARD_NO_DATA, ce,
                                      (*used, wild.owner))
        wild_cover = self.covering(wildcard)
        if wild_cover is not None and is_strict_subdomain(wild_cover.next, wildcard):
            # The wildcard is an empty non-terminal: it matches, with no types at all.
            used = used if wild_cover.owner in used else (*used, wild_cover.owner)
            ruled = _ancestor_rule(wild_cover, wildcard, self.apex, used)
            return ruled or proven(Proof.WILDCARD_NO_DATA,
                                   f"the wildcard {wildcard} that applies to {qname} is an "
                                   "empty non-terminal", ce, used)
        if accept_name_error:
            return self._no_wildcard(qname, ce, used, Proof.NAME_ERROR)
        return failed(Reason.DENIAL_NO_MATCH, Proof.NO_DATA,
                      f"{qname} does not exist and no NSEC matches the wildcard {wildcard}", ce,
                      used)

    def _types_absent(self, nsec: NSEC, qname: Name, qtype: int, proof: Proof,
                      ce: Name | None = None, used: tuple[Name, ...] | None = None) -> Denial:
        """The bitmap checks of a matching NSEC (NSEC-03, -10, -11, -12, VAL-CNAME-03)."""
        used = used if used is not None else (nsec.owner,)
        compact = self._compact(nsec, qname)
        if compact is not None:
            return compact
        listed = bitmap_contradicts("NSEC at", nsec.owner, nsec.types, qtype, proof, ce, used)
        if listed is not None:
            return listed
        at_cut = nsec.is_delegation and not names_equal(nsec.owner, self.apex)
        if qtype == DS_TYPE:
            if nsec.has(SOA_TYPE) and label_count(nsec.owner) > 0:
                return failed(Reason.DENIAL_CHILD_APEX, proof,
                              f"NSEC at {nsec.owner} is the child zone's apex (SOA set); DS "
                              "lives in the parent (RFC 6840 §4.1)", ce, used)
            if at_cut:
                return unsigned(Reason.INSECURE_DELEGATION, Proof.INSECURE_DELEGATION,
                                f"{nsec.owner} is a delegation without DS", ce, used)
            if proof is Proof.NO_DATA:
                proof = Proof.NO_DS
        elif at_cut:
            if nsec.has(DS_TYPE):
                return failed(Reason.DENIAL_ANCESTOR_DELEGATION, proof,
                              f"NSEC at delegation {nsec.owner} cannot deny type {qtype}", ce,
                              used)
            return unsigned(Reason.INSECURE_DELEGATION, Proof.INSECURE_DELEGATION,
                            f"{nsec.owner} is an unsigned delegation", nsec.owner, used)
        return proven(proof, f"no type {qtype} at {qname}", ce, used)

    def wildcard_answer(self, qname: Name, labels: int) -> Denial:
        """NSEC-06 / VAL-WILD-02: the answer at QNAME came from ``*.<ce>`` (ce = the rightmost
        ``labels`` labels) and an NSEC proves that no closer name exists (RFC 4035 §5.3.4)."""
        wildcard_ce = _wildcard_parent(qname, labels)
        match = self.matching(qname)
        if match is not None:
            return failed(Reason.DENIAL_NAME_EXISTS, Proof.WILDCARD_ANSWER,
                          f"{qname} exists, so no wildcard could have answered", wildcard_ce,
                          (match.owner,))
        covered = self._usable_cover(qname, Reason.DENIAL_NOT_COVERED, Proof.WILDCARD_ANSWER,
                                     f"no NSEC covers {qname}", wildcard_ce)
        if isinstance(covered, Denial):
            return covered
        cover, used = covered
        if is_strict_subdomain(cover.next, qname):
            return failed(Reason.DENIAL_CLOSER_MATCH, Proof.WILDCARD_ANSWER,
                          f"{qname} is an empty non-terminal, so no wildcard applies",
                          wildcard_ce, used)
        ce = self.closest_encloser(qname, cover)
        if canonical_key(ce) != canonical_key(wildcard_ce):
            return failed(Reason.DENIAL_CLOSER_MATCH, Proof.WILDCARD_ANSWER,
                          f"the closest encloser of {qname} is {ce}, not the wildcard's "
                          f"{wildcard_ce}", ce, used)
        return proven(Proof.WILDCARD_ANSWER, f"no closer match than *.{wildcard_ce}", ce, used)


def _wildcard_parent(qname: Name, labels: int) -> Name:
    """The closest encloser implied by an RRSIG Labels field (VAL-WILD-01)."""
    if not 0 <= labels < label_count(qname):
        raise ValueError(f"RRSIG labels {labels} do not show a wildcard expansion of {qname}")
    return ancestor(qname, labels)
