"""Iterative resolution from the root hints (RFC 1034 §4.3.2, §5.3.3), for the validator.

``IterativeTransport.ask(Query(name, type))`` returns the response of the servers authoritative
for exactly that question, as they sent it, or a :class:`LookupFailure`:

- it starts at the deepest zone cut it knows (the root hints at first) and follows referrals —
  a response without AA whose authority section holds the NS RRset of a zone strictly below the
  current one and containing the name (RFC 1034 §4.3.2 step 3b);
- DS is the parent's data (RFC 4035 §3.1.4.1): a DS question starts above its owner, and a
  referral *to the DS owner itself* means the servers asked are the parent's, so their answer
  is final (it carries the DS RRset or the proof that there is none);
- CNAME and DNAME answers are returned as they are: the engine follows aliases itself;
- SEC-NET-02 (RFC 5452 §6, RFC 2181 §5.4.1): the answer and authority sections are cut down to
  records at or below the zone whose servers were asked, and glue is used only when its owner
  is inside that zone; a referral must point strictly down, towards the name;
- NS names without usable glue are resolved here, A first, then AAAA (bounded nesting, with a
  dependency-loop check);
- each zone's addresses are tried in turn on timeout, network error, malformed answer,
  SERVFAIL, REFUSED, FORMERR or a lame answer (an upward or sideways referral, a
  non-authoritative answer about other names, or an NXDOMAIN with neither AA nor the zone's
  SOA — RFC 1035 §4.1.1 gives NXDOMAIN meaning only from an authority); every failed
  address is retried once more (SEC-NET-06) before the question fails with the most
  frequent reason; an answer without any RRSIG from a server of a zone whose referral
  carried a signed DS RRset (a "DNSSEC-lame" server: a stale or stripped unsigned copy) sends
  the question to the other servers first, and is returned only if none signs its answer;
- a zone is expected signed when it is the root, its referral carried a signed DS, its
  referral from a parent with a signed DS carried neither a DS nor a signed no-DS proof (a
  stripped referral, RFC 4035 §3.1.4.1), or a DS answer for it carried an RRSIG (which also
  takes its servers out of the no-EDNS memory); only such zones' servers are never
  remembered as lacking EDNS (SEC-NET-04);
- a server of a zone expected signed (the root, or a referral with a signed DS) that answered
  FORMERR without OPT, and then a plain query (RFC 6891 §7, §6.2.2), is asked once more with
  EDNS before its unsigned plain answer is kept (SEC-NET-04): one forged FORMERR does not
  make the question bogus; a server that answers FORMERR again really lacks EDNS, and its
  plain answer is then DNSSEC-lame as above; the second try counts against the ask's bounds;
- an address that timed out is remembered for UNRESPONSIVE_SERVER_SECONDS and tried after the
  other addresses of its zone (never skipped; an answer from it clears the mark), so one
  dead first name server does not cost a full timeout on every question (as Unbound's infra
  cache does);
- every bound is in :mod:`dnssec_core.limits`; an exceeded one gives ``LookupFailure(LIMIT)``
  with the reason, never a hang.

Delegations (NS names with their in-bailiwick glue) and NS-name addresses are cached per
transport object — one per process in the CLI — in bounded dictionaries, with the TTL capped.
They are not trusted for validation: they only choose which servers to ask.

What a signed parent's server puts in a referral about the child's DS (RFC 4035 §3.1.4.1:
the DS RRset and its RRSIGs, or, for an unsigned child, the NSEC/NSEC3 RRs and RRSIGs proving
there is none; RFC 5155 §7.2.7) is kept in the same way and answers a later DS question for
exactly that child without a query — the parent's own data, from the parent's server, the
records the DS question would fetch (a positive answer, or a NODATA one whose authority section
holds the proof; as Unbound answers DS from the referrals it stored).  It is handed to the
engine as an answer like any other and verified with the parent's keys; nothing about it is
believed here.  Only signed records are kept (a DS RRset with an RRSIG covering it; else
NSEC/NSEC3 RRsets, each with an RRSIG); a referral with neither leaves the DS question to the
parent's servers.  TTLs count down while held (RFC 1035 §3.2.1).  A held answer is
handed out once, then forgotten (SEC-NET-02): if it was forged (one spoofed or lying
referral), only the resolution that used it is bogus, and the next DS question for that child
is sent to the parent's servers (the engine's key cache, not this one, keeps what validated).

QNAME minimisation (RFC 9156) is available and off by default: below each zone cut the next
label is asked with QTYPE A until a referral, NXDOMAIN or another unexpected answer sends the
full question to the same servers.

For tests and lab worlds every server address is contacted on ``port`` (53 in the real DNS,
where glue cannot carry a port).
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import ipaddress
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from random import Random, SystemRandom
from typing import Generic, TypeVar

import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import dns.rrset
from dns.name import Name

from dnssec_core import limits
from dnssec_core.chain.types import Answer, FailureKind, LimitKind, LookupFailure, Query
from dnssec_core.transport.roothints import RootHints, builtin_root_hints
from dnssec_core.transport.wire_io import (
    DNS_PORT,
    EdnsMemory,
    Exchange,
    Failure,
    Server,
    exchange,
    make_query,
    rcode_failure,
    summarize,
)
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.message import Rcode, Response, from_dnspython, group_section, rcode_text
from dnssec_core.wire.name import canonical_key, is_subdomain, names_equal
from dnssec_core.wire.rrset import type_text

A_TYPE = 1
NS_TYPE = 2
CNAME_TYPE = 5
SOA_TYPE = 6
AAAA_TYPE = 28
DNAME_TYPE = 39
DS_TYPE = 43
RRSIG_TYPE = 46
NSEC_TYPE = 47
NSEC3_TYPE = 50

_Key = tuple[bytes, ...]
_V = TypeVar("_V")


class _LimitExceeded(Exception):
    """A per-ask bound is spent; ends the whole ask with ``LookupFailure(LIMIT)`` naming it."""

    def __init__(self, message: str, limit: LimitKind) -> None:
        super().__init__(message)
        self.limit = limit


class _BoundedCache(Generic[_V]):
    """A dictionary with expiry times and at most ``entries`` items (oldest dropped first)."""

    def __init__(self, entries: int, clock: Callable[[], float]) -> None:
        self.entries = entries
        self.clock = clock
        self._items: dict[_Key, tuple[_V, float]] = {}

    def get(self, key: _Key) -> _V | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[1] <= self.clock():
            del self._items[key]
            return None
        return item[0]

    def put(self, key: _Key, value: _V, ttl: int) -> None:
        ttl = min(ttl, limits.TRANSPORT_CACHE_MAX_TTL_SECONDS)
        if ttl <= 0 or self.entries <= 0:
            return
        self._items.pop(key, None)
        while len(self._items) >= self.entries:
            del self._items[next(iter(self._items))]
        self._items[key] = (value, self.clock() + ttl)

    def discard(self, key: _Key) -> None:
        self._items.pop(key, None)

    def update(self, key: _Key, value: _V) -> None:
        """Replace a live entry's value, keeping its expiry (nothing if absent)."""
        item = self._items.get(key)
        if item is not None:
            self._items[key] = (value, item[1])

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class _Delegation:
    """A zone cut: the zone, its NS names and the glue addresses usable for them.

    ``signed``: the referral carried a DS RRset for the zone with its RRSIG — or came from a
    zone with a signed DS of its own, without a signed no-DS proof — so the zone's answers
    are expected to be signed (only used to choose servers and EDNS, never trusted)."""

    zone: Name
    ns_names: tuple[Name, ...]
    glue: dict[_Key, tuple[str, ...]] = field(default_factory=dict)
    signed: bool = False


@dataclass
class _Run:
    """Bookkeeping for one ``ask``: the exchange budget, the deadline, what was tried."""

    deadline: float
    max_exchanges: int
    clock: Callable[[], float]
    exchanges: int = 0
    messages: int = 0
    servers: list[str] = field(default_factory=list)
    in_progress: set[_Key] = field(default_factory=set)

    def charge(self, server: Server) -> float:
        """Count one exchange with ``server``; returns the seconds left in the ask."""
        if self.exchanges >= self.max_exchanges:
            raise _LimitExceeded(
                f"more than {self.max_exchanges} queries for one question (SEC-LIM-05)",
                LimitKind.EXCHANGES,
            )
        remaining = self.deadline - self.clock()
        if remaining <= 0:
            raise _LimitExceeded("wall-clock budget for one question spent (SEC-LIM-05)",
                                 LimitKind.WALL_CLOCK)
        self.exchanges += 1
        if str(server) not in self.servers:
            self.servers.append(str(server))
        return remaining


@dataclass
class _Notes:
    """Why NS names of one zone gave no address; ``limited``: the bound that was the cause."""

    lines: list[str] = field(default_factory=list)
    limited: LimitKind | None = None


@dataclass(frozen=True)
class _ReferralDS:
    """What a referral said about the child's DS (RFC 4035 §3.1.4.1): the DS RRset and its
    RRSIG RRset(s), or (``negative``) the NSEC/NSEC3 RRsets and their RRSIGs proving none;
    the server that sent them, and when they were stored (transport clock), for the TTL
    count-down."""

    rrsets: tuple[dns.rrset.RRset, ...]
    server: str
    stored: float
    negative: bool = False


class _Kind(enum.Enum):
    FINAL = "final"
    REFERRAL = "referral"


@dataclass
class _Step:
    kind: _Kind
    message: dns.message.Message
    server: Server
    delegation: _Delegation | None = None


class IterativeTransport:
    """Resolve each question iteratively from the root; ``ask`` never raises.

    One object per process: it keeps the caches.  Not thread-safe (one ``ask`` at a time).

    Parameters (all keyword-only except ``root_hints``; defaults from :mod:`dnssec_core.limits`):

    - ``root_hints``: where to start (default: the built-in IANA hints);
    - ``port``: destination port for every authority (53; tests serve on a high port);
    - ``udp_timeout`` / ``tcp_timeout``: seconds per attempt (SEC-NET-03);
    - ``attempts``: tries per server address, at least 2 by default (SEC-NET-06);
    - ``qname_minimisation``: RFC 9156, off by default; ``use_0x20``: SEC-NET-07, off;
    - ``ipv4`` / ``ipv6``: address families to use;
    - ``max_queries``, ``max_referrals``, ``max_ns_depth``, ``ask_seconds``: per-ask bounds;
    - ``cache_entries``: size of each cache; ``rng``: orders the servers (default
      :class:`random.SystemRandom`; query IDs always come from :mod:`secrets`);
      ``clock``: a monotonic clock for deadlines and cache expiry.
    """

    def __init__(
        self,
        root_hints: RootHints | None = None,
        *,
        port: int = DNS_PORT,
        udp_timeout: float = limits.UDP_TIMEOUT_SECONDS,
        tcp_timeout: float = limits.TCP_TIMEOUT_SECONDS,
        attempts: int = limits.ATTEMPTS_PER_SERVER,
        qname_minimisation: bool = False,
        use_0x20: bool = False,
        ipv4: bool = True,
        ipv6: bool = True,
        max_queries: int = limits.MAX_QUERIES_PER_ASK,
        max_referrals: int = limits.MAX_REFERRALS,
        max_ns_depth: int = limits.MAX_NS_RESOLUTION_DEPTH,
        ask_seconds: float = limits.ASK_WALL_CLOCK_SECONDS,
        cache_entries: int = limits.TRANSPORT_CACHE_ENTRIES,
        rng: Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        if not (ipv4 or ipv6):
            raise ValueError("at least one of ipv4 and ipv6 must be enabled")
        if not 0 < port < 65536:
            raise ValueError(f"port {port} is outside 1..65535")
        self.root_hints = root_hints if root_hints is not None else builtin_root_hints()
        self.port = port
        self.udp_timeout = udp_timeout
        self.tcp_timeout = tcp_timeout
        self.attempts = attempts
        self.qname_minimisation = qname_minimisation
        self.use_0x20 = use_0x20
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.max_queries = max_queries
        self.max_referrals = max_referrals
        self.max_ns_depth = max_ns_depth
        self.ask_seconds = ask_seconds
        self.rng = rng if rng is not None else SystemRandom()
        self.clock = clock
        self._root = _Delegation(
            dns.name.root,
            tuple(name for name, _ in self.root_hints.servers),
            {canonical_key(name): addrs for name, addrs in self.root_hints.servers},
        )
        self._delegations: _BoundedCache[_Delegation] = _BoundedCache(cache_entries, clock)
        self._addresses: _BoundedCache[tuple[str, ...]] = _BoundedCache(cache_entries, clock)
        #: What referrals said about their child's DS (the signed DS RRset, or the signed
        #: NSEC/NSEC3 proof of none), by the child's name (see the module docstring).
        self._referral_ds: _BoundedCache[_ReferralDS] = _BoundedCache(cache_entries, clock)
        #: Server addresses that timed out recently: tried after the others of their zone.
        self._unresponsive: _BoundedCache[bool] = _BoundedCache(
            limits.UNRESPONSIVE_SERVER_ENTRIES, clock)
        #: Servers of zones not expected signed (no signed DS in their referral; never the
        #: root) that answered FORMERR without OPT and then plainly: asked without EDNS for a
        #: while (RFC 6891 §6.2.2, §7; see :func:`~dnssec_core.transport.wire_io.exchange`).
        self.edns_memory = EdnsMemory(clock=clock)
        #: Messages sent so far (UDP and TCP), for the CLI's statistics.
        self.queries_sent = 0

    # -- the boundary -------------------------------------------------------------------------

    #: :func:`dnssec_core.driver.ask_within` may pass ``time_left`` (SEC-LIM-05).
    supports_time_left = True

    def ask(self, query: Query, *, time_left: float | None = None) -> Answer:
        """The authoritative response to ``query`` (see the module docstring), or why not.

        ``time_left``: seconds the caller's own budget (a resolution's or a CAA check's) still
        allows; the ask's deadline, and so every per-server timeout, is clamped to it."""
        if query.rdtype == DS_TYPE:
            key = canonical_key(query.name)
            held = self._referral_ds.get(key)
            if held is not None:
                # Used once (SEC-NET-02): one forged referral must not decide every later
                # resolution below the child while its TTL lasts; the next DS question for
                # it goes to the parent's servers (the engine's key cache keeps what held).
                self._referral_ds.discard(key)
                return self._ds_from_referral(query, held)
        seconds = self.ask_seconds if time_left is None else min(self.ask_seconds, time_left)
        run = _Run(self.clock() + seconds, self.max_queries, self.clock)
        try:
            step = self._resolve(query.name, query.rdtype, run, depth=0)
            if isinstance(step, LookupFailure):
                return step
            try:
                response = from_dnspython(step.message, server=str(step.server))
            except WireError as exc:
                return LookupFailure(
                    FailureKind.MALFORMED, str(exc), run.exchanges, tuple(run.servers)
                )
            if query.rdtype == DS_TYPE:
                self._learn_signed(query.name, response)
            return dataclasses.replace(response, qname=query.name)
        except _LimitExceeded as exc:
            return LookupFailure(
                FailureKind.LIMIT, f"{query}: {exc}", run.exchanges, tuple(run.servers),
                exc.limit,
            )
        except Exception as exc:  # fail closed: a bug here is a failed lookup, not a crash
            return LookupFailure(
                FailureKind.NETWORK,
                f"{query}: internal transport error: {type(exc).__name__}: {exc}",
                run.exchanges,
                tuple(run.servers),
            )
        finally:
            self.queries_sent += run.messages

    def _learn_signed(self, child: Name, response: Response) -> None:
        """A DS answer with an RRSIG over the child's DS RRset: the child is expected signed
        from now on, even if its referral did not say so (stripped on the path), and its
        servers leave the no-EDNS memory (SEC-NET-04, RFC 6891 §6.2.2: "no EDNS" is kept only
        for zones without DNSSEC).  Steers queries only; nothing here is trusted."""
        signed = response.answer_rrset(child, DS_TYPE)
        key = canonical_key(child)
        delegation = self._delegations.get(key)
        if signed is None or not signed.rrsigs or delegation is None or delegation.signed:
            return
        self._delegations.update(key, dataclasses.replace(delegation, signed=True))
        for name in delegation.ns_names:
            found = delegation.glue.get(canonical_key(name)) or self._addresses.get(
                canonical_key(name)) or ()
            for address in found:
                with contextlib.suppress(ValueError):
                    self.edns_memory.forget(Server(address, self.port))

    def _ds_from_referral(self, query: Query, held: _ReferralDS) -> Answer:
        """The answer to a DS question from what a referral carried (RFC 4035 §3.1.4.1): the
        signed DS RRset as the answer section, or a NODATA answer whose authority section is
        the signed NSEC/NSEC3 proof; TTLs reduced by the time held (RFC 1035 §3.2.1).  The
        referral had no AA bit, so neither has this answer; the engine reads only its
        records."""
        try:
            records, problems = group_section(held.rrsets)
            held_for = max(int(self.clock() - held.stored), 0)
            aged = tuple(
                dataclasses.replace(signed, rrset=dataclasses.replace(
                    signed.rrset, ttl=max(signed.rrset.ttl - held_for, 0)))
                for signed in records
            )
        except Exception as exc:  # fail closed, as ask() does: a failed lookup, not a crash
            return LookupFailure(
                FailureKind.NETWORK,
                f"{query}: internal transport error: {type(exc).__name__}: {exc}",
            )
        answer, authority = ((), aged) if held.negative else (aged, ())
        return Response(query.name, DS_TYPE, int(Rcode.NOERROR), answer, authority, False,
                        held.server, tuple(problems), from_referral=True)

    # -- one question, zone cut by zone cut ------------------------------------------------------

    def _resolve(self, qname: Name, qtype: int, run: _Run, depth: int) -> _Step | LookupFailure:
        start = qname.parent() if qtype == DS_TYPE and qname != dns.name.root else qname
        delegation = self._closest(start)
        referrals = 0
        minimise = self.qname_minimisation
        minimised = 0
        last_asked: Name | None = None  # the last minimised name asked at this delegation
        while True:
            ask_name, ask_type = qname, qtype
            if minimise and minimised < limits.MAX_MINIMISE_COUNT:
                below = _next_name(delegation.zone, last_asked, qname)
                if below is not None:
                    ask_name, ask_type = below, A_TYPE
            is_minimised = ask_name is not qname
            step = self._ask_zone(delegation, ask_name, ask_type, run, depth)
            if isinstance(step, LookupFailure):
                if is_minimised:  # RFC 9156 §3: fall back to the full question
                    minimise = False
                    continue
                return step
            if step.kind is _Kind.REFERRAL:
                referrals += 1
                if referrals > self.max_referrals:
                    raise _LimitExceeded(
                        f"more than {self.max_referrals} referrals for {qname} (SEC-LIM-05)",
                        LimitKind.REFERRALS,
                    )
                assert step.delegation is not None
                delegation = step.delegation
                last_asked = None
                continue
            if is_minimised:
                if int(step.message.rcode()) == Rcode.NOERROR and not _has_alias(step.message):
                    minimised += 1  # an empty non-terminal or a name in this zone: go deeper
                    last_asked = ask_name
                    continue
                minimise = False  # NXDOMAIN, an alias, ...: ask the real question here
                continue
            return step

    def _closest(self, name: Name) -> _Delegation:
        """The deepest cached zone cut at or above ``name`` (the root hints at worst)."""
        key = canonical_key(name)
        for size in range(len(key), 0, -1):
            found = self._delegations.get(key[:size])
            if found is not None:
                return found
        return self._root

    # -- one zone's servers ------------------------------------------------------------------

    def _ask_zone(
        self, delegation: _Delegation, qname: Name, qtype: int, run: _Run, depth: int
    ) -> _Step | LookupFailure:
        """Ask ``delegation``'s servers until one gives a usable answer (SEC-NET-06)."""
        names = list(delegation.ns_names)
        self.rng.shuffle(names)
        candidates: list[Server] = []
        unresolved: list[Name] = []
        known: list[str] = []
        for name in names:
            addresses = delegation.glue.get(canonical_key(name)) or self._addresses.get(
                canonical_key(name)
            )
            if addresses:
                known.extend(addresses)
            else:
                unresolved.append(name)
        skipped = self._add(candidates, known)
        names_skipped = max(len(unresolved) - limits.MAX_NS_NAMES_RESOLVED_PER_ZONE, 0)
        unresolved = unresolved[: limits.MAX_NS_NAMES_RESOLVED_PER_ZONE]
        notes = _Notes()
        failures: list[Failure] = []
        failed: list[Server] = []
        unsigned: _Step | None = None  # a DNSSEC-lame answer, kept in case none is better
        index = 0
        while True:  # first round: each address once, resolving glueless NS names as needed
            if index == len(candidates):
                if not unresolved or len(candidates) >= limits.MAX_ADDRESSES_PER_ZONE:
                    break
                found = self._ns_addresses(unresolved.pop(0), run, depth, notes)
                skipped += self._add(candidates, found)
                continue
            server = candidates[index]
            index += 1
            step = self._try(server, delegation, qname, qtype, run)
            if isinstance(step, _Step):
                if not _dnssec_lame(step, delegation):
                    return step
                unsigned = unsigned or step
                continue
            failures.append(step)
            failed.append(server)
        for _ in range(1, self.attempts):  # SEC-NET-06: every failed authority once more
            for server in failed:
                step = self._try(server, delegation, qname, qtype, run)
                if isinstance(step, _Step):
                    if not _dnssec_lame(step, delegation):
                        return step
                    unsigned = unsigned or step
                    continue
                failures.append(step)
        if unsigned is not None:
            return unsigned  # every server answered unsigned: the engine judges that answer
        where = f"{qname} {type_text(qtype)} at zone {delegation.zone}"
        if candidates:
            result = summarize(failures, candidates, prefix=where)
        else:
            result = LookupFailure(
                FailureKind.LIMIT if notes.limited else FailureKind.LAME,
                f"{where}: no usable address for its {len(names)} name server(s)"
                + (": " + "; ".join(notes.lines) if notes.lines else ""),
                0,
                (),
                notes.limited,
            )
        untried = []
        if skipped or unresolved:
            untried.append(
                f"{skipped + len(unresolved)} address(es) or NS name(s) not tried: at most "
                f"{limits.MAX_ADDRESSES_PER_ZONE} addresses per zone (SEC-LIM-05)"
            )
        if names_skipped:
            untried.append(
                f"{names_skipped} glueless NS name(s) not looked up: at most "
                f"{limits.MAX_NS_NAMES_RESOLVED_PER_ZONE} per zone (NXNSAttack, SEC-LIM-05)"
            )
        if untried:
            result = dataclasses.replace(result, detail=f"{result.detail} ({'; '.join(untried)})")
        return result

    def _add(self, candidates: list[Server], addresses: Sequence[str]) -> int:
        """Append usable addresses (IPv4 before IPv6), up to MAX_ADDRESSES_PER_ZONE; returns
        how many usable ones the bound left out."""
        have = {s.address for s in candidates}
        ordered = [a for a in addresses if ":" not in a] + [a for a in addresses if ":" in a]
        # servers that timed out recently go last (stable: otherwise the order is kept)
        ordered.sort(key=lambda a: self._unresponsive.get(_server_key(a, self.port)) is True)
        left_out = 0
        for address in ordered:
            try:
                server = Server(address, self.port)
            except ValueError:
                continue
            v6 = ":" in server.address
            if server.address in have or (v6 and not self.ipv6) or (not v6 and not self.ipv4):
                continue
            if len(candidates) >= limits.MAX_ADDRESSES_PER_ZONE:
                left_out += 1
                continue
            have.add(server.address)
            candidates.append(server)
        return left_out

    def _try(
        self, server: Server, delegation: _Delegation, qname: Name, qtype: int, run: _Run
    ) -> _Step | Failure:
        expect_signed = _expects_signatures(delegation)
        result = self._exchange(server, delegation, qname, qtype, run, fall_back=True)
        if result.fallback and expect_signed and isinstance(result.outcome, dns.message.Message):
            # SEC-NET-04, RFC 6891 §7: the server answered FORMERR without OPT, and its plain
            # answer can hold no RRSIG, yet the zone is expected signed.  One forged FORMERR
            # must not cost the question: ask once more with EDNS (no second fallback).  A
            # server that again answers FORMERR without OPT really lacks EDNS: its plain
            # answer stays (DNSSEC-lame, so the other servers are asked first); any other
            # failure of the second try is that server's failure, retried like any other.
            again = self._second_edns_try(server, delegation, qname, qtype, run)
            if again is not None and not again.no_edns:
                result = again
        key = _server_key(server.address, server.port)
        if isinstance(result.outcome, Failure):
            if result.outcome.kind is FailureKind.TIMEOUT:
                self._unresponsive.put(key, True, limits.UNRESPONSIVE_SERVER_SECONDS)
            return Failure(result.outcome.kind, f"{server}: {result.outcome.detail}")
        self._unresponsive.discard(key)
        return self._classify(result.outcome, delegation, qname, qtype, server)

    def _exchange(
        self, server: Server, delegation: _Delegation, qname: Name, qtype: int, run: _Run, *,
        fall_back: bool,
    ) -> Exchange:
        """One exchange with ``server``, charged to the ask's budget (SEC-LIM-05)."""
        remaining = run.charge(server)
        mix = self.rng if self.use_0x20 else None
        message = make_query(qname, qtype, recursion_desired=False, randomize_case=mix)
        result = exchange(
            message,
            server,
            udp_timeout=min(self.udp_timeout, remaining),
            tcp_timeout=min(self.tcp_timeout, remaining),
            exact_case=self.use_0x20,
            # "no EDNS" is remembered only for zones not expected signed (RFC 6891 §6.2.2)
            edns_memory=None if _expects_signatures(delegation) else self.edns_memory,
            fall_back=fall_back,
        )
        run.messages += result.sent
        return result

    def _second_edns_try(
        self, server: Server, delegation: _Delegation, qname: Name, qtype: int, run: _Run
    ) -> Exchange | None:
        """The EDNS query again after a fallback in a zone expected signed, if the ask's
        exchange budget and deadline still allow one (else None: the plain answer stays)."""
        try:
            return self._exchange(server, delegation, qname, qtype, run, fall_back=False)
        except _LimitExceeded:
            return None

    def unresponsive(self) -> list[str]:
        """The server addresses currently remembered as unresponsive (for tests, --trace)."""
        return sorted(
            key[0].decode() for key in list(self._unresponsive._items)
            if self._unresponsive.get(key) is True
        )

    # -- what a response means (RFC 1034 §5.3.3, RFC 5452 §6) ----------------------------------

    def _classify(
        self,
        message: dns.message.Message,
        delegation: _Delegation,
        qname: Name,
        qtype: int,
        server: Server,
    ) -> _Step | Failure:
        zone = delegation.zone
        rcode = int(message.rcode())
        kind = rcode_failure(rcode)
        if kind is not None:
            return Failure(kind, f"{server}: rcode {rcode_text(rcode)}")
        upward = [
            r.name
            for r in message.authority
            if r.rdtype == NS_TYPE and not message.answer and not is_subdomain(r.name, zone)
        ]
        _scrub(message, zone)
        if (
            rcode == Rcode.NXDOMAIN
            and not message.flags & dns.flags.AA
            and not any(r.rdtype == SOA_TYPE for r in message.authority)
        ):  # RFC 1035 §4.1.1: only an authority's NXDOMAIN means anything; RFC 2308 §2.1
            return Failure(
                FailureKind.LAME,
                f"{server}: NXDOMAIN without AA or an SOA of {zone} (asked {qname}): not an "
                "answer from an authority for the zone",
            )
        if rcode == Rcode.NXDOMAIN or _answers(message, qname, qtype):
            return _Step(_Kind.FINAL, message, server)
        if message.flags & dns.flags.AA:
            return _Step(_Kind.FINAL, message, server)  # NODATA, or data the engine will judge
        if message.answer:
            return Failure(
                FailureKind.LAME, f"{server}: non-authoritative answer about other names"
            )
        referral = _referral_rrset(message, zone, qname)
        if referral is not None:
            if qtype == DS_TYPE and names_equal(referral.name, qname):
                return _Step(_Kind.FINAL, message, server)  # the parent side holds DS
            child = self._remember(message, referral, zone, server,
                                   parent_signed=delegation.signed)
            return _Step(_Kind.REFERRAL, message, server, child)
        if any(r.rdtype == SOA_TYPE for r in message.authority):
            return _Step(_Kind.FINAL, message, server)  # a negative answer without AA
        ns_here = [r.name for r in message.authority if r.rdtype == NS_TYPE]
        if upward or ns_here:
            return Failure(
                FailureKind.LAME,
                f"{server}: lame referral to {(upward or ns_here)[0]} from a server for {zone}"
                f" (asked {qname})",
            )
        return Failure(
            FailureKind.LAME,
            f"{server}: neither an answer nor a referral for {qname} from a server for {zone}",
        )

    def _remember(
        self, message: dns.message.Message, ns_rrset: dns.rrset.RRset, zone: Name,
        server: Server, *, parent_signed: bool = False,
    ) -> _Delegation:
        """The delegation a referral describes, with glue from inside ``zone`` only; a signed
        DS RRset in it is kept for the child's DS question (module docstring).

        The child is expected signed when the referral carries a signed DS RRset, and also
        when ``parent_signed`` (the parent's own referral had a signed DS) and the referral
        has neither that nor a signed no-DS proof: RFC 4035 §3.1.4.1 requires one of the two
        from a signed parent, so a referral stripped of its DS (on-path) must not make the
        child's servers eligible for the no-EDNS memory (SEC-NET-04).  (The root's referrals
        cannot be judged so: a lab's root may be unsigned, and nothing here tells.)"""
        names: list[Name] = []
        for rdata in ns_rrset:
            target = rdata.target
            if all(not names_equal(target, n) for n in names):
                names.append(target)
        names = names[: limits.MAX_NS_NAMES_PER_ZONE]
        wanted = {canonical_key(n) for n in names}
        glue: dict[_Key, list[str]] = {}
        for rrset in message.additional:
            key = canonical_key(rrset.name)
            if rrset.rdtype not in (A_TYPE, AAAA_TYPE) or key not in wanted:
                continue
            if not is_subdomain(rrset.name, zone):  # SEC-NET-02: out-of-bailiwick glue
                continue
            glue.setdefault(key, []).extend(rdata.address for rdata in rrset)
        ds_records = [
            r for r in message.authority
            if names_equal(r.name, ns_rrset.name)
            and (r.rdtype == DS_TYPE or (r.rdtype == RRSIG_TYPE and r.covers == DS_TYPE))
        ]
        signed = {r.rdtype for r in ds_records} == {DS_TYPE, RRSIG_TYPE}
        if signed:
            self._hold_ds(ns_rrset.name, ds_records, server, negative=False)
        else:
            proof = [] if any(r.rdtype == DS_TYPE for r in ds_records) else _signed_denial(
                message.authority)
            if proof:
                self._hold_ds(ns_rrset.name, proof, server, negative=True)
            signed = parent_signed and not proof  # no signed word either way: expect signed
        delegation = _Delegation(
            ns_rrset.name,
            tuple(names),
            {key: tuple(found) for key, found in glue.items()},
            signed,
        )
        self._delegations.put(canonical_key(ns_rrset.name), delegation, ns_rrset.ttl)
        return delegation

    def _hold_ds(self, child: Name, records: Sequence[dns.rrset.RRset], server: Server, *,
                 negative: bool) -> None:
        """Keep a referral's DS answer for ``child`` until its shortest TTL ends."""
        self._referral_ds.put(
            canonical_key(child),
            _ReferralDS(tuple(records), str(server), self.clock(), negative),
            min(r.ttl for r in records),
        )

    # -- addresses of NS names without glue ----------------------------------------------------

    def _ns_addresses(self, name: Name, run: _Run, depth: int, notes: _Notes) -> tuple[str, ...]:
        key = canonical_key(name)
        cached = self._addresses.get(key)
        if cached:
            return cached
        if depth + 1 > self.max_ns_depth:
            notes.limited = notes.limited or LimitKind.NS_DEPTH
            notes.lines.append(
                f"{name}: NS-name lookups nested deeper than {self.max_ns_depth} (SEC-LIM-05)"
            )
            return ()
        if key in run.in_progress:
            notes.lines.append(f"{name}: dependency loop (needed to reach its own servers)")
            return ()
        run.in_progress.add(key)
        try:
            found: list[str] = []
            ttl = limits.TRANSPORT_CACHE_MAX_TTL_SECONDS
            for rdtype in [t for t, on in ((A_TYPE, self.ipv4), (AAAA_TYPE, self.ipv6)) if on]:
                step = self._resolve(name, rdtype, run, depth + 1)
                if isinstance(step, LookupFailure):
                    notes.lines.append(f"{name} {type_text(rdtype)}: {step.detail}")
                    if step.kind is FailureKind.LIMIT and notes.limited is None:
                        notes.limited = step.limit or LimitKind.QUERIES
                    continue
                for rrset in step.message.answer:
                    if rrset.rdtype == rdtype and names_equal(rrset.name, name):
                        found.extend(rdata.address for rdata in rrset)
                        ttl = min(ttl, rrset.ttl)
                if found or int(step.message.rcode()) == Rcode.NXDOMAIN:
                    break  # an address, or no such name at all (then no AAAA either)
            if not found:
                notes.lines.append(f"{name}: no address")
                return ()
            self._addresses.put(key, tuple(found), ttl)
            return tuple(found)
        finally:
            run.in_progress.discard(key)


# -- helpers ------------------------------------------------------------------------------------


def _server_key(address: str, port: int) -> _Key:
    """The unresponsive-server memory's key: the address in its canonical text and the port."""
    with contextlib.suppress(ValueError):
        address = ipaddress.ip_address(address).compressed
    return (address.encode(), str(port).encode())


def _scrub(message: dns.message.Message, zone: Name) -> None:
    """SEC-NET-02: keep only answer and authority records at or below ``zone``."""
    message.answer = [r for r in message.answer if is_subdomain(r.name, zone)]
    message.authority = [r for r in message.authority if is_subdomain(r.name, zone)]


def _answers(message: dns.message.Message, qname: Name, qtype: int) -> bool:
    """Does the answer section answer (qname, qtype): the RRset, a CNAME, or a DNAME above?"""
    for rrset in message.answer:
        if names_equal(rrset.name, qname) and rrset.rdtype in (qtype, CNAME_TYPE):
            return True
        if (
            rrset.rdtype == DNAME_TYPE
            and is_subdomain(qname, rrset.name)
            and not names_equal(qname, rrset.name)
        ):
            return True
    return False


def _expects_signatures(delegation: _Delegation) -> bool:
    """Are the zone's answers expected signed: the root (its keys are the trust anchor), or a
    zone whose referral carried a signed DS RRset.  Only steers which queries are sent."""
    return delegation.signed or delegation.zone == dns.name.root


def _dnssec_lame(step: _Step, delegation: _Delegation) -> bool:
    """A final answer without a single RRSIG from a server of a zone whose referral carried a
    signed DS RRset: a stale, unsigned or stripped copy of a signed zone ("DNSSEC-lame").  The
    other servers are asked first; this answer is used only if none of them signs its answer
    (RFC 4035 §4.3 and §5: validation needs the signatures; which server gives them is the
    transport's choice)."""
    if not delegation.signed or step.kind is not _Kind.FINAL:
        return False
    sections = (step.message.answer, step.message.authority)
    return not any(r.rdtype == RRSIG_TYPE for section in sections for r in section)


def _signed_denial(authority: Sequence[dns.rrset.RRset]) -> list[dns.rrset.RRset]:
    """A referral's NSEC/NSEC3 RRsets with their RRSIGs, if every one of them has an RRSIG
    (RFC 4035 §3.1.4.1, RFC 5155 §7.2.7: the proof that the child has no DS); else none."""
    denial_types = (NSEC_TYPE, NSEC3_TYPE)
    records = [r for r in authority if r.rdtype in denial_types]
    sigs = [r for r in authority if r.rdtype == RRSIG_TYPE and r.covers in denial_types]
    covered = {(canonical_key(r.name), int(r.covers)) for r in sigs}
    if not records or any((canonical_key(r.name), int(r.rdtype)) not in covered
                          for r in records):
        return []
    return records + sigs


def _has_alias(message: dns.message.Message) -> bool:
    return any(r.rdtype in (CNAME_TYPE, DNAME_TYPE) for r in message.answer)


def _referral_rrset(
    message: dns.message.Message, zone: Name, qname: Name
) -> dns.rrset.RRset | None:
    """The NS RRset of a zone strictly below ``zone`` that contains ``qname``, if any."""
    best = None
    for rrset in message.authority:
        if rrset.rdtype != NS_TYPE or names_equal(rrset.name, zone):
            continue
        if not is_subdomain(qname, rrset.name):
            continue
        if best is None or len(rrset.name) > len(best.name):
            best = rrset
    return best


def _next_name(zone: Name, last: Name | None, qname: Name) -> Name | None:
    """RFC 9156: the ancestor of ``qname`` one label below ``last`` (or below ``zone``); None
    when that would be ``qname`` itself, which is then asked in full."""
    base = len(last) if last is not None else len(zone)
    if len(qname) <= base + 1:
        return None
    return qname.split(base + 1)[1]
