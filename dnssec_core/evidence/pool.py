"""Answer the engine from a fixed pool of records: offline re-validation of evidence (issue 9,
BR-LOG-03: a verdict re-derived offline with the same ``now``).

An evidence bundle holds RRsets and RRSIGs only (RFC 9102 §3), no DNS messages.  To re-run the
*unchanged* engine (:mod:`dnssec_core.chain.engine`) over them, :class:`PoolTransport` plays an
authoritative server that holds exactly those records and nothing else (RFC 1034 §4.3.2,
RFC 4035 §3.1, RFC 5155 §7.2, RFC 6672 §3).  For a question (name, type) it answers:

1. a DNAME at an ancestor of the name (the highest one, as a server walking down from the apex
   meets it first): the DNAME with its RRSIGs and the CNAME it synthesises (RFC 6672 §3.3),
   or YXDOMAIN with the DNAME alone when the substitution is too long (RFC 6672 §2.2);
2. the RRset at (name, type) with its RRSIGs — NOERROR; if its RRSIG Labels field shows a
   wildcard expansion (RFC 4035 §5.3.4), with the NSEC or NSEC3 of its zone that proves no closer
   name exists (RFC 4035 §3.1.3.3, RFC 5155 §7.2.6); for QTYPE ANY every RRset at the name
   (RFC 1034 §3.6.2), each expansion with its proof;
3. a CNAME at the name (for any other type) with its RRSIGs.  Asked for the CNAME (or a name
   below a DNAME) with an NXDOMAIN hint, the answer also carries the target's denial and
   NXDOMAIN, as a server that followed the alias sends it (RFC 6604 §2, §3);
4. otherwise a negative answer from the zone that would hold the name: the deepest zone apex in
   the pool (an owner of a DNSKEY or SOA RRset) at or above the name — for a DS question the
   parent side, i.e. strictly above a zone apex (RFC 4035 §3.1.4.1); the engine's DS step
   reads only the NSEC/NSEC3 of a no-DS proof (``proofs.ds_absence``), so an insecure
   delegation needs no NS RRset in the evidence.  It carries that zone's SOA
   if the pool has it and the zone's NSEC/NSEC3 RRsets that match or cover the name, the closest
   encloser, the next closer name and the wildcard (RFC 4035 §3.1.3, RFC 5155 §7.2), at most
   :data:`~dnssec_core.limits.MAX_DENIAL_RECORDS_PER_RESPONSE`.  The rcode is the one given for
   the question in ``rcode_hints`` (what the original server said, as a bundle records it);
   without a hint, what the records show: NOERROR (NODATA) when an NSEC is owned by the name,
   an NSEC's next name is below it (empty non-terminal), an NSEC3 hash matches it, or the
   wildcard exists (wildcard NODATA); NXDOMAIN when they deny the name.  Where no signed record
   decides — a zone without NSEC/NSEC3 in the pool (unsigned), a name below a delegation the
   NSEC/NSEC3 shows, a next closer name in an Opt-Out span — NOERROR in an unsigned zone
   (NODATA, the weaker claim), else NOERROR when the pool holds a record at or below the name,
   else NXDOMAIN.  The rcode is unsigned header data in any response: the engine checks it
   against the records, so a wrong hint can make a proof fail, never succeed — where the
   records decide, the wrong rcode is bogus; where they do not, the answer is insecure anyway.
5. nothing relevant — no zone apex above the name, or a signed zone none of whose NSEC/NSEC3
   records in the pool concerns the name, and no SOA — a :class:`LookupFailure` of kind
   ``LAME`` ("lame-delegation": the authority asked does not hold the data) whose detail starts
   with "not in the evidence".  LAME is not one of the failure kinds BR 3.2.2.8 lets a CA treat
   as permission (:mod:`dnssec_core.caa.decision`), so missing evidence can never permit.

The pool only *selects* records: it never checks a signature, never drops a record for being
wrong and never builds a signed record.  Every check stays in the engine, so a pool can make
a verdict fail (missing records → indeterminate or bogus) but never more secure than its
records prove.  It may prove *more* than an original response did: records kept from other
responses (a parent's NSEC seen on the DS step, say) can prove what one bad response did not,
and then a verdict that was bogus online re-validates secure — the records prove it.  No
sockets, no clock: :func:`validate_pool` is pure given ``now``.

A pool may hold two different RRsets with the same owner and type (e.g. the parent's NSEC at a
zone cut and the child's apex NSEC); answers prefer the one signed by the deepest signer, and
denial records are taken from the zone that signed them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import dns.name
from dns.name import Name

from dnssec_core import limits
from dnssec_core.chain.engine import Result, Validator
from dnssec_core.chain.types import Answer, FailureKind, LookupFailure, Query
from dnssec_core.dnssec.denial.names import (
    common_ancestor,
    is_strict_subdomain,
    label_count,
    next_closer,
    wildcard_at,
)
from dnssec_core.dnssec.denial.nsec import NSEC, covers
from dnssec_core.dnssec.denial.nsec3 import NSEC3, iterated_hash
from dnssec_core.dnssec.records import DNSKEY_TYPE, DS_TYPE
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.message import Rcode, Response, SignedRRset
from dnssec_core.wire.name import canonical_key, is_subdomain, read_name, rrsig_label_count
from dnssec_core.wire.rrset import CLASS_IN, RRset

NS_TYPE = 2
CNAME_TYPE = 5
DNAME_TYPE = 39
ANY_TYPE = 255
YXDOMAIN = 6  # RFC 6672 §2.2, RFC 2136 §2.2
SOA_TYPE = 6
NSEC_TYPE = 47
NSEC3_TYPE = 50

#: Most distinct NSEC3 parameter sets hashed per zone per question (policy; a zone has one,
#: RFC 5155 §7.1).  Bounds the pool's own hashing work (SEC-LIM-03).
MAX_NSEC3_PARAMS_PER_ZONE = 4

#: Hashes kept by one pool (policy: bounds memory; cleared when full).
MAX_CACHED_HASHES = 4096

Key = tuple[bytes, ...]


class _HashBudget(Exception):
    """More NSEC3 hashes than one question may cost (SEC-LIM-03)."""


def _not_in_evidence(query: Query, why: str) -> LookupFailure:
    return LookupFailure(FailureKind.LAME, f"not in the evidence: {query}: {why}")


@dataclass(frozen=True)
class _Nsec:
    signed: SignedRRset
    record: NSEC


@dataclass(frozen=True)
class _Nsec3:
    signed: SignedRRset
    record: NSEC3


class _Zone:
    """The NSEC and NSEC3 RRsets of one zone in the pool (RFC 4035 §5.4, RFC 5155 §8)."""

    def __init__(self) -> None:
        self.nsecs: list[_Nsec] = []
        self.nsec3s: list[_Nsec3] = []


class PoolTransport:
    """A transport that answers the engine from ``rrsets`` only (see the module docstring)."""

    def __init__(
        self, rrsets: Sequence[SignedRRset], *, rcode_hints: Mapping[Query, int] | None = None
    ) -> None:
        self.rcode_hints = dict(rcode_hints or {})
        self._slots: dict[tuple[Key, int], list[SignedRRset]] = {}
        self._apexes: set[Key] = set()
        self._existing: set[Key] = set()
        seen: set[tuple[Key, int, tuple[bytes, ...], tuple[bytes, ...]]] = set()
        for signed in rrsets:
            key = canonical_key(signed.owner)
            identity = (
                key,
                signed.rdtype,
                tuple(sorted(signed.rrset.rdatas)),
                tuple(sorted(s.signed_prefix + s.signature for s in signed.rrsigs)),
            )
            if identity in seen:
                continue
            seen.add(identity)
            self._slots.setdefault((key, signed.rdtype), []).append(signed)
            if signed.rdtype in (DNSKEY_TYPE, SOA_TYPE):
                self._apexes.add(key)
            if signed.rdtype != NSEC3_TYPE:
                self._existing.update(key[:size] for size in range(len(key) + 1))
        self._hashes: dict[tuple[Key, tuple[int, int, bytes]], bytes] = {}
        self._hash_budget = limits.NSEC3_HASHES_PER_RESPONSE
        self._zones: dict[Key, _Zone] = {}
        for (key, rdtype), entries in self._slots.items():
            if rdtype not in (NSEC_TYPE, NSEC3_TYPE):
                continue
            for signed in entries:
                self._file_denial(key, signed)

    # -- indexing ------------------------------------------------------------------------------

    def _zone_of_owner(self, key: Key, *, strict: bool) -> Key | None:
        """The deepest apex in the pool at (or, with ``strict``, strictly) above ``key``."""
        top = len(key) - 1 if strict else len(key)
        for size in range(top, -1, -1):
            if key[:size] in self._apexes:
                return key[:size]
        return None

    def _file_denial(self, key: Key, signed: SignedRRset) -> None:
        """File an NSEC/NSEC3 RRset under the zone that signed it (its first RRSIG's signer
        that encloses it), else under the zone its owner lies in (NSEC3: the hash label's
        parent, RFC 5155 §7.1)."""
        zone: Key | None = None
        for sig in signed.rrsigs:
            if is_subdomain(signed.owner, sig.signer):
                zone = canonical_key(sig.signer)
                break
        if zone is None:
            zone = key[:-1] if signed.rdtype == NSEC3_TYPE and key else self._zone_of_owner(
                key, strict=False
            )
        if zone is None:
            return
        entry = self._zones.setdefault(zone, _Zone())
        for rdata in signed.rrset.rdatas:
            try:
                if signed.rdtype == NSEC_TYPE:
                    entry.nsecs.append(_Nsec(signed, NSEC.from_rdata(signed.owner, rdata)))
                else:
                    entry.nsec3s.append(_Nsec3(signed, NSEC3.from_rdata(signed.owner, rdata)))
            except WireError:  # unreadable: the pool cannot tell what it proves; not offered
                continue

    def _pick(self, name: Name, rdtype: int) -> SignedRRset | None:
        """The RRset at (name, type); of several, the one signed by the deepest signer — for
        DS the deepest signer strictly above the name (DS is the parent's, RFC 4034 §5)."""
        key = canonical_key(name)
        entries = self._slots.get((key, rdtype))
        if not entries:
            return None

        def depth(signed: SignedRRset) -> int:
            return max((label_count(sig.signer) for sig in signed.rrsigs
                        if rdtype != DS_TYPE or label_count(sig.signer) < len(key)), default=-1)

        return max(entries, key=depth)

    def _hash(self, name: Name, params: tuple[int, int, bytes]) -> bytes:
        """H(name) for one NSEC3 parameter set (RFC 5155 §5), cached for the pool; at most
        NSEC3_HASHES_PER_RESPONSE new hashes per question (SEC-LIM-03), then
        :class:`_HashBudget` — the question is answered as "not in the evidence"."""
        slot = (canonical_key(name), params)
        digest = self._hashes.get(slot)
        if digest is None:
            if self._hash_budget <= 0:
                raise _HashBudget
            self._hash_budget -= 1
            digest = iterated_hash(name, params[2], params[1], params[0])
            if len(self._hashes) >= MAX_CACHED_HASHES:
                self._hashes.clear()
            self._hashes[slot] = digest
        return digest

    def _exists(self, name: Name) -> bool:
        return canonical_key(name) in self._existing

    # -- answering -----------------------------------------------------------------------------

    def ask(self, query: Query) -> Answer:
        """Answer ``query`` as an authoritative server holding the pool would (module doc).

        Never raises: a pool that cannot be answered from (e.g. a name that would grow past
        255 octets) is a ``MALFORMED`` lookup failure, which the engine reports (fail closed).
        """
        self._hash_budget = limits.NSEC3_HASHES_PER_RESPONSE
        try:
            return self._answer(query)
        except _HashBudget:
            return _not_in_evidence(
                query, f"selecting its NSEC3 records needs more than "
                f"{limits.NSEC3_HASHES_PER_RESPONSE} hashes")
        except Exception as exc:  # fail closed: never a traceback, never a verdict
            return LookupFailure(
                FailureKind.MALFORMED, f"evidence pool cannot answer {query}: "
                f"{type(exc).__name__}: {exc}")

    def _answer(self, query: Query) -> Answer:
        name, qtype = query.name, query.rdtype
        dname = self._dname_above(name)
        if dname is not None:
            return self._dname_answer(query, dname)
        if qtype == ANY_TYPE:  # RFC 1034 §3.6.2: every RRset at the name
            key = canonical_key(name)
            every = [picked for (owner, rdtype) in self._slots
                     if owner == key and (picked := self._pick(name, rdtype)) is not None]
            if every:
                proofs = [p for signed in every for p in self._no_closer_match(signed)]
                return Response(name, qtype, Rcode.NOERROR, tuple(every),
                                tuple(_unique(proofs)))
        found = self._pick(name, qtype)
        if found is None and qtype != CNAME_TYPE:
            found = self._pick(name, CNAME_TYPE)
        if found is not None:
            response = Response(name, qtype, Rcode.NOERROR, (found,),
                                self._no_closer_match(found))
            if found.rdtype == CNAME_TYPE:
                try:
                    target, _ = read_name(found.rrset.rdatas[0], 0)
                except (WireError, IndexError):
                    return response
                return self._target_missing(query, target, response)
            return response
        return self._negative(query)

    def _target_missing(self, query: Query, target: Name, response: Response) -> Response:
        """Asked for the CNAME itself and told NXDOMAIN (``rcode_hints``): the server followed
        the alias and its target does not exist (RFC 6604 §2, §3), so the answer carries the
        target's denial, as such a server's would; the engine checks that proof.  Otherwise
        ``response`` unchanged."""
        if query.rdtype != CNAME_TYPE or self.rcode_hints.get(query) != Rcode.NXDOMAIN:
            return response
        tail = self._negative(Query(target, query.rdtype))
        if not isinstance(tail, Response):
            return response
        authority = tuple(_unique([*response.authority, *tail.authority]))
        return Response(response.qname, response.qtype, Rcode.NXDOMAIN, response.answer,
                        authority)

    def _dname_above(self, name: Name) -> SignedRRset | None:
        key = canonical_key(name)
        for size in range(len(key)):  # strict ancestors, highest first
            entries = self._slots.get((key[:size], DNAME_TYPE))
            if entries:
                return self._pick(entries[0].owner, DNAME_TYPE)
        return None

    def _dname_answer(self, query: Query, dname: SignedRRset) -> Answer:
        """RFC 6672 §3.3: the DNAME and the CNAME synthesised from it (unsigned, TTL of the
        DNAME).  A DNAME whose target cannot be read is returned alone: the engine reports it."""
        answer: tuple[SignedRRset, ...] = (dname,)
        try:
            target, _ = read_name(dname.rrset.rdatas[0], 0)
            synthesized = query.name.relativize(dname.owner).concatenate(target)
        except dns.name.NameTooLong:  # RFC 6672 §2.2: YXDOMAIN, the DNAME alone
            return Response(query.name, query.rdtype, YXDOMAIN, answer)
        except (WireError, IndexError):
            return Response(query.name, query.rdtype, Rcode.NOERROR, answer)
        wire = b"".join(bytes((len(label),)) + label for label in synthesized.labels)
        cname = RRset(query.name, CNAME_TYPE, CLASS_IN, dname.rrset.ttl, (wire,))
        response = Response(query.name, query.rdtype, Rcode.NOERROR,
                            (dname, SignedRRset(cname)))
        return self._target_missing(query, synthesized, response)

    def _no_closer_match(self, found: SignedRRset) -> tuple[SignedRRset, ...]:
        """For a wildcard expansion: the NSEC covering the name or the NSEC3 covering the next
        closer name below the wildcard's parent (RFC 4035 §3.1.3.3, RFC 5155 §7.2.6)."""
        owner_labels = rrsig_label_count(found.owner)
        expanded = [s for s in found.rrsigs if s.labels < owner_labels]
        if not expanded:
            return ()
        zone = self._zones.get(canonical_key(expanded[0].signer))
        if zone is None:
            return ()
        name = found.owner
        picked: list[SignedRRset] = []
        for entry in zone.nsecs:
            if covers(entry.record, name):
                picked.append(entry.signed)
        encloser = Name(name.labels[len(name.labels) - 1 - expanded[0].labels :])
        closer = next_closer(name, encloser)
        for params in self._nsec3_params(zone):
            digest = self._hash(closer, params)
            picked += [e.signed for e in zone.nsec3s if e.record.params == params
                       and e.record.covers(digest)]
        return tuple(_unique(picked))

    @staticmethod
    def _nsec3_params(zone: _Zone) -> list[tuple[int, int, bytes]]:
        """Distinct hashable NSEC3 parameter sets of a zone (bounded, SEC-LIM-03)."""
        out: list[tuple[int, int, bytes]] = []
        for entry in zone.nsec3s:
            params = entry.record.params
            if (params in out or not entry.record.usable
                    or params[1] > limits.NSEC3_ITERATIONS_BOGUS):
                continue
            out.append(params)
            if len(out) >= MAX_NSEC3_PARAMS_PER_ZONE:
                break
        return out

    def _negative(self, query: Query) -> Answer:
        name, qtype = query.name, query.rdtype
        key = canonical_key(name)
        apex = self._zone_of_owner(key, strict=qtype == DS_TYPE and key in self._apexes)
        if apex is None:
            return _not_in_evidence(query, "no zone above the name")
        soa_entries = self._slots.get((apex, SOA_TYPE))
        soa = self._pick(soa_entries[0].owner, SOA_TYPE) if soa_entries else None
        head: list[SignedRRset] = [soa] if soa is not None else []
        zone = self._zones.get(apex)
        if zone is None or not (zone.nsecs or zone.nsec3s):
            if not head:
                return _not_in_evidence(query, "no SOA, NSEC or NSEC3 of its zone")
            return Response(name, qtype, self._unproven_rcode(query, unsigned=True), (),
                            tuple(head))
        records, rcode = self._nsec_proof(name, zone) if zone.nsecs else ([], None)
        if rcode is None and zone.nsec3s:
            records, rcode = self._nsec3_proof(query, zone, len(apex))
        if not records:
            if not head:
                return _not_in_evidence(query, "no NSEC or NSEC3 of its zone concerns the name")
            return Response(name, qtype, self._unproven_rcode(query), (), tuple(head))
        rcode = self._unproven_rcode(query) if rcode is None else self.rcode_hints.get(query, rcode)
        authority = tuple(_unique(head + records)[: limits.MAX_DENIAL_RECORDS_PER_RESPONSE + 1])
        return Response(name, qtype, rcode, (), authority)

    def _unproven_rcode(self, query: Query, *, unsigned: bool = False) -> int:
        """The rcode no signed record decides: the hint, else NODATA for a zone without
        NSEC/NSEC3 (the weaker claim), else NOERROR when the pool holds a record at or below
        the name (in an Opt-Out span typically an unsigned delegation), else NXDOMAIN."""
        hint = self.rcode_hints.get(query)
        if hint is not None:
            return hint
        if unsigned or self._exists(query.name):
            return int(Rcode.NOERROR)
        return int(Rcode.NXDOMAIN)

    def _nsec_proof(self, name: Name, zone: _Zone) -> tuple[list[SignedRRset], int | None]:
        """RFC 4035 §3.1.3: the NSEC owned by the name (NODATA); else the one covering it and,
        unless it shows an empty non-terminal, the one matching or covering the wildcard at
        the closest encloser (wildcard NODATA, or NXDOMAIN)."""
        key = canonical_key(name)
        for entry in zone.nsecs:
            if canonical_key(entry.record.owner) == key:
                return [entry.signed], int(Rcode.NOERROR)
        cover = next((e for e in zone.nsecs if covers(e.record, name)), None)
        if cover is None:
            return [], None
        if cover.record.is_delegation and is_strict_subdomain(name, cover.record.owner):
            return [cover.signed], None  # below a zone cut: the child holds the name
        if is_strict_subdomain(cover.record.next, name):  # empty non-terminal
            return [cover.signed], int(Rcode.NOERROR)
        encloser = max(
            (common_ancestor(name, cover.record.owner), common_ancestor(name, cover.record.next)),
            key=label_count,
        )
        wildcard = wildcard_at(encloser)
        wkey = canonical_key(wildcard)
        for entry in zone.nsecs:
            if canonical_key(entry.record.owner) == wkey:
                return [cover.signed, entry.signed], int(Rcode.NOERROR)
        wild_cover = next((e for e in zone.nsecs if covers(e.record, wildcard)), None)
        picked = [cover.signed] + ([wild_cover.signed] if wild_cover is not None else [])
        return picked, int(Rcode.NXDOMAIN)

    def _nsec3_proof(self, query: Query, zone: _Zone, apex_labels: int
                     ) -> tuple[list[SignedRRset], int | None]:
        """RFC 5155 §7.2: the NSEC3 matching the name (NODATA), else the closest encloser
        proof (matching NSEC3 of the closest provable encloser, covering NSEC3 of the next
        closer name) and the NSEC3 matching (wildcard NODATA) or covering the wildcard."""
        name = query.name
        for params in self._nsec3_params(zone):
            chain = [e for e in zone.nsec3s if e.record.params == params]

            def matching(target: Name, chain: list[_Nsec3] = chain,
                         params: tuple[int, int, bytes] = params) -> _Nsec3 | None:
                digest = self._hash(target, params)
                return next((e for e in chain if e.record.matches(digest)), None)

            def covering(target: Name, chain: list[_Nsec3] = chain,
                         params: tuple[int, int, bytes] = params) -> _Nsec3 | None:
                digest = self._hash(target, params)
                return next((e for e in chain if e.record.covers(digest)), None)

            exact = matching(name)
            if exact is not None:
                return [exact.signed], int(Rcode.NOERROR)
            for size in range(label_count(name) - 1, apex_labels - 1, -1):
                encloser = Name(name.labels[len(name.labels) - 1 - size :])
                found = matching(encloser)
                if found is None:
                    continue
                picked = [found.signed]
                if found.record.has(NS_TYPE) and not found.record.has(SOA_TYPE):
                    return picked, None  # below a zone cut: the child holds the name
                closer = covering(next_closer(name, encloser))
                if closer is None:
                    return picked, None
                picked.append(closer.signed)
                if closer.record.opt_out:  # RFC 5155 §6: existence unknown, unsigned below
                    wild = covering(wildcard_at(encloser))
                    return picked + ([wild.signed] if wild is not None else []), None
                wild_match = matching(wildcard_at(encloser))
                if wild_match is not None:
                    return [*picked, wild_match.signed], int(Rcode.NOERROR)
                wild = covering(wildcard_at(encloser))
                return picked + ([wild.signed] if wild is not None else []), int(Rcode.NXDOMAIN)
        unhashed = [e.signed for e in zone.nsec3s if e.record.params[1]
                    > limits.NSEC3_ITERATIONS_BOGUS]
        if unhashed:  # too costly to select: offer them all, the engine's policy decides
            return _unique(unhashed)[: limits.MAX_DENIAL_RECORDS_PER_RESPONSE], None
        return [], None


def _unique(rrsets: Sequence[SignedRRset]) -> list[SignedRRset]:
    out: list[SignedRRset] = []
    for signed in rrsets:
        if all(signed is not kept for kept in out):
            out.append(signed)
    return out


def validate_pool(
    rrsets: Sequence[SignedRRset],
    qname: Name,
    qtype: int,
    *,
    validator: Validator,
    now: int,
    rcode_hints: Mapping[Query, int] | None = None,
) -> Result:
    """Validate (qname, qtype) from ``rrsets`` alone with the unchanged engine (issue 9).

    Runs ``validator.resolve`` → ``next_query``/``receive`` over a :class:`PoolTransport`
    (no sockets, no clock); ``now`` is the validation time to reproduce.  ``rcode_hints`` is
    passed to the transport (see its docstring).
    """
    transport = PoolTransport(rrsets, rcode_hints=rcode_hints)
    resolution = validator.resolve(qname, qtype, now=now)
    while (query := resolution.next_query()) is not None:
        resolution.receive(query, transport.ask(query))
    return resolution.result()


__all__ = ["PoolTransport", "validate_pool"]
