"""The answer cache of one Validator: finished results until their data expires (issue 5).

A result is reusable only while everything it rests on still holds (VAL-TTL-02, RFC 4035
§5.3.3): each RRset read for the question (the answer RRsets, and the NSEC/NSEC3/SOA of a
negative answer) for min(received TTL, RRSIG Original TTL), never past an RRSIG's expiration
(RFC 1982 serial arithmetic relative to ``now``, as :mod:`dnssec_core.dnssec.rrsig`), and never
past the zone key states it was validated with.  A negative answer lives at most
min(SOA TTL, SOA MINIMUM) (RFC 2308 §5); one without an SOA is not cached (RFC 2308 §5).
With the NSEC/NSEC3 records of its proof counted like any other RRset, that is the validator
rule of RFC 9077 §4 (NSEC-13): a denial is never used past min(SOA TTL, SOA MINIMUM, NSEC or
NSEC3 TTL, their RRSIGs' Original TTL), nor past those RRSIGs' expiration.  The same bound
holds for what the engine keeps from a denial besides answers — an insecure delegation's
proof of no DS, the proof that a name is not a zone cut — through :meth:`Lifetime.response`.

Bogus results are kept briefly in a map of their own, so a bogus entry can never be served as
a positive one nor the reverse; indeterminate results (transport failures, spent work bounds,
internal errors) are never cached.  Each Validator owns its cache (BR-MPIC-03).  The cache
never reads a clock: ``now`` is always passed in.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace
from typing import Generic, TypeVar

from dnssec_core.wire.message import Response, SignedRRset

#: The longest a result is reused, whatever its TTLs say (as the key cache, one day).
MAX_CACHE_SECONDS = 86_400

_SERIAL_MOD = 1 << 32
_SOA_TYPE = 6
_T = TypeVar("_T")


def aged(signed: SignedRRset, seconds: int) -> SignedRRset:
    """``signed`` as served ``seconds`` after it was received: its TTL counts down (RFC 1035
    §3.2.1), so a reused answer never grants more time than is left (BR-CAA-06 reuse)."""
    if seconds <= 0:
        return signed
    return replace(signed, rrset=replace(signed.rrset, ttl=max(0, signed.rrset.ttl - seconds)))


def soa_minimum(soa: SignedRRset) -> int | None:
    """The MINIMUM field of an SOA RRset's first record (its last 32 bits, RFC 1035 §3.3.13),
    None when unreadable."""
    if not soa.rrset.rdatas or len(soa.rrset.rdatas[0]) < 22:
        return None
    return int.from_bytes(soa.rrset.rdatas[0][-4:], "big")


class Lifetime:
    """How long one resolution's result may be reused: an absolute expiry, lowered by every
    RRset and key state the result rests on (VAL-TTL-02, RFC 2308 §5)."""

    def __init__(self, now: int) -> None:
        self.now = now
        self.until = now + MAX_CACHE_SECONDS
        self.cacheable = True

    def cap(self, until: int) -> None:
        self.until = min(self.until, until)

    def rrset(self, signed: SignedRRset) -> None:
        """min(received TTL, each RRSIG's Original TTL and time to its expiration)."""
        self.cap(self.now + signed.rrset.ttl)
        for sig in signed.rrsigs:
            self.cap(self.now + sig.original_ttl)
            self.cap(self.now + (sig.expiration - self.now) % _SERIAL_MOD)

    def negative(self, soa: SignedRRset | None) -> None:
        """RFC 2308 §5: a negative answer is cached for min(SOA TTL, SOA MINIMUM), and not at
        all without an SOA."""
        minimum = soa_minimum(soa) if soa is not None else None
        if soa is None or minimum is None:
            self.cacheable = False
            return
        self.rrset(soa)
        self.cap(self.now + minimum)

    def response(self, response: Response) -> None:
        """Every RRset of ``response`` (:meth:`rrset`); one with an SOA in its authority
        section is a negative answer and also ends at its SOA MINIMUM (:meth:`negative`).

        NSEC-13 (RFC 9077 §4, RFC 2308 §5) for the denials the engine keeps outside the
        answer cache: a proof of no DS or of no zone cut is reused no longer than
        min(SOA TTL, SOA MINIMUM, NSEC/NSEC3 TTL, RRSIG Original TTL), never past an RRSIG's
        expiration.  (A proof carried by a referral has no SOA: its NSEC/NSEC3 TTLs bound it.)
        """
        for signed in (*response.answer, *response.authority):
            self.rrset(signed)
        soa = next((s for s in response.authority if s.rdtype == _SOA_TYPE), None)
        if soa is not None:
            self.negative(soa)


class AnswerCache(Generic[_T]):
    """Bounded map of results, positive (secure/insecure) and bogus ones kept apart.

    An entry is served only when ``stored_at <= now < until``: never at or after its expiry,
    nor to a resolution at an earlier time than it was validated at.  When a map is full it
    is cleared (like the key cache): bounded memory, no eviction bookkeeping."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._good: dict[Hashable, tuple[_T, int, int]] = {}
        self._bogus: dict[Hashable, tuple[_T, int, int]] = {}

    def __len__(self) -> int:
        return len(self._good) + len(self._bogus)

    def get(self, key: Hashable, now: int) -> tuple[_T, int, int] | None:
        """The live entry for ``key``: (value, stored at, expiry), positive map first."""
        for table in (self._good, self._bogus):
            entry = table.get(key)
            if entry is not None and entry[1] <= now < entry[2]:
                return entry
        return None

    def store(self, key: Hashable, value: _T, *, now: int, until: int, bogus: bool) -> None:
        """Keep ``value`` until ``until`` (exclusive) in the bogus or the positive map; a
        newer result for the key replaces the other map's entry."""
        if until <= now:
            return
        table, other = (self._bogus, self._good) if bogus else (self._good, self._bogus)
        other.pop(key, None)
        if key not in table and len(table) >= self.entries:
            table.clear()
        table[key] = (value, now, until)


__all__ = ["MAX_CACHE_SECONDS", "AnswerCache", "Lifetime", "aged", "soa_minimum"]
