"""Stub mode (``--resolver HOST[:PORT]``): every question goes to one recursive resolver.

Queries carry RD (we want recursion), CD (SEC-NET-05: "give us the data, we validate it
ourselves") and EDNS0 DO with a 1232-octet payload (SEC-NET-04).  The upstream's AD bit is
ignored entirely: :class:`~dnssec_core.wire.message.Response` does not even carry it, so no
verdict can depend on it (RFC 4035 §3.2.2, RFC 6840 §5.9).  The upstream is trusted for
nothing but delivery; its answers are validated like any other.

A FORMERR without OPT (RFC 6891 §7) is followed by the question without OPT and then, since
that plain answer can prove nothing, by the question with EDNS once more: one forged FORMERR
does not make the question bogus, and a resolver that really lacks EDNS answers FORMERR
again, so its plain answer stays (and is judged bogus, never secure).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from random import SystemRandom

import dns.message
import dns.rdatatype
from dns.name import Name

from dnssec_core import limits
from dnssec_core.chain.types import Answer, FailureKind, LimitKind, LookupFailure, Query
from dnssec_core.transport.query_wire import OutgoingQuery
from dnssec_core.transport.wire_io import (
    DNS_PORT,
    Exchange,
    Failure,
    Server,
    exchange,
    make_query,
    parse_server,
    rcode_failure,
    summarize,
)
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.message import from_dnspython, rcode_text


class StubTransport:
    """Ask one recursive resolver; ``ask`` never raises.

    ``host`` is an IPv4 or IPv6 literal (no host names: resolving the resolver's name would
    need a resolver).  Each question is tried ``attempts`` times (SEC-NET-06: at least twice)
    while the answers are timeouts, network errors, malformed, SERVFAIL, REFUSED or FORMERR;
    then a :class:`LookupFailure` says which.  A referral instead of an answer (RFC 2308 §2.2:
    no answer, no SOA, NS records in the authority section) means the upstream did not recurse
    — a lame upstream, tried again like a failure, never handed to the engine as a NODATA
    (which would be judged bogus for want of a denial proof).  Other NOERROR and NXDOMAIN
    answers are returned as they are.
    """

    def __init__(
        self,
        host: str,
        port: int = DNS_PORT,
        *,
        udp_timeout: float = limits.UDP_TIMEOUT_SECONDS,
        tcp_timeout: float = limits.TCP_TIMEOUT_SECONDS,
        attempts: int = limits.ATTEMPTS_PER_SERVER,
        use_0x20: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.server = Server(host, port)
        self.udp_timeout = udp_timeout
        self.tcp_timeout = tcp_timeout
        self.attempts = attempts
        self.use_0x20 = use_0x20
        self.clock = clock
        self._rng = SystemRandom()
        #: Messages sent so far (UDP and TCP), for the CLI's statistics.
        self.queries_sent = 0

    @classmethod
    def from_spec(
        cls,
        spec: str,
        *,
        udp_timeout: float = limits.UDP_TIMEOUT_SECONDS,
        tcp_timeout: float = limits.TCP_TIMEOUT_SECONDS,
        attempts: int = limits.ATTEMPTS_PER_SERVER,
        use_0x20: bool = False,
    ) -> StubTransport:
        """``--resolver HOST[:PORT]``; raises :class:`ValueError` with a one-line message."""
        server = parse_server(spec)
        return cls(
            server.address,
            server.port,
            udp_timeout=udp_timeout,
            tcp_timeout=tcp_timeout,
            attempts=attempts,
            use_0x20=use_0x20,
        )

    #: :func:`dnssec_core.driver.ask_within` may pass ``time_left`` (SEC-LIM-05).
    supports_time_left = True

    def ask(self, query: Query, *, time_left: float | None = None) -> Answer:
        """The upstream's answer, or why not.  ``time_left``: seconds the caller's budget
        still allows; each attempt's timeouts are clamped to it and no attempt starts after
        it (SEC-LIM-05)."""
        try:
            return self._ask(query, None if time_left is None else self.clock() + time_left)
        except Exception as exc:  # fail closed: a bug here is a failed lookup, not a crash
            return LookupFailure(
                FailureKind.NETWORK,
                f"internal transport error: {type(exc).__name__}: {exc}",
                1,
                (str(self.server),),
            )

    def _query(self, query: Query) -> OutgoingQuery:
        """The question as sent to the resolver: RD and CD set, EDNS with DO, the name's case
        randomised when 0x20 is on (SEC-NET-04/05)."""
        return make_query(
            query.name,
            query.rdtype,
            recursion_desired=True,
            randomize_case=self._rng if self.use_0x20 else None,
        )

    def _second_edns_try(self, query: Query, deadline: float | None) -> Exchange | None:
        """After a FORMERR without OPT and a plain answer, the same question once more with
        EDNS and no second fallback (SEC-NET-04, RFC 6891 §7).  Through a resolver every
        answer needs its DNSSEC records (even an insecure one needs the no-DS proof), and a
        plain answer has none: one forged FORMERR would make the question bogus.  None if
        the resolver answers FORMERR without OPT again (it really lacks EDNS: the plain
        answer stays, and is judged bogus) or the caller's budget has no time left."""
        udp_timeout, tcp_timeout = self.udp_timeout, self.tcp_timeout
        if deadline is not None:
            left = deadline - self.clock()
            if left <= 0:
                return None
            udp_timeout, tcp_timeout = min(udp_timeout, left), min(tcp_timeout, left)
        again = exchange(self._query(query), self.server, udp_timeout=udp_timeout,
                         tcp_timeout=tcp_timeout, exact_case=self.use_0x20, fall_back=False)
        self.queries_sent += again.sent
        return None if again.no_edns else again

    def _ask(self, query: Query, deadline: float | None) -> Answer:
        failures: list[Failure] = []
        for _ in range(self.attempts):
            udp_timeout, tcp_timeout = self.udp_timeout, self.tcp_timeout
            if deadline is not None:
                left = deadline - self.clock()
                if left <= 0:
                    if failures:
                        break  # what was tried is reported; a retry did not fit
                    return LookupFailure(
                        FailureKind.LIMIT, f"{query}: wall-clock budget spent (SEC-LIM-05)",
                        0, (str(self.server),), LimitKind.WALL_CLOCK)
                udp_timeout, tcp_timeout = min(udp_timeout, left), min(tcp_timeout, left)
            result = exchange(
                self._query(query),
                self.server,
                udp_timeout=udp_timeout,
                tcp_timeout=tcp_timeout,
                exact_case=self.use_0x20,
                # a FORMERR without OPT is retried without EDNS, but never remembered: every
                # answer through a resolver may need DNSSEC (RFC 6891 §6.2.2; as Unbound)
            )
            self.queries_sent += result.sent
            if result.fallback and isinstance(result.outcome, dns.message.Message):
                result = self._second_edns_try(query, deadline) or result
            outcome = result.outcome
            if isinstance(outcome, Failure):
                failures.append(outcome)
                continue
            kind = rcode_failure(outcome.rcode())
            if kind is not None:
                failures.append(Failure(kind, f"rcode {rcode_text(outcome.rcode())}"))
                continue
            referral = _referral_to(outcome)
            if referral is not None:
                failures.append(Failure(
                    FailureKind.LAME,
                    f"a referral to {referral} instead of an answer: the upstream does not "
                    "recurse",
                ))
                continue
            try:
                response = from_dnspython(outcome, server=str(self.server))
            except WireError as exc:
                failures.append(Failure(FailureKind.MALFORMED, str(exc)))
                continue
            return dataclasses.replace(response, qname=query.name)
        return summarize(failures, (self.server,), prefix=f"resolver {self.server}")



def _referral_to(message: dns.message.Message) -> Name | None:
    """The zone a NOERROR response refers to, if it is a referral rather than an answer:
    nothing in the answer section, no SOA and an NS RRset in the authority section (RFC 2308
    §2.2 tells NODATA from a referral that way; RFC 1034 §4.3.1: a recursive resolver answers,
    it does not refer)."""
    if message.rcode() != 0 or message.answer:
        return None
    if any(r.rdtype == dns.rdatatype.SOA for r in message.authority):
        return None
    for rrset in message.authority:
        if rrset.rdtype == dns.rdatatype.NS:
            name: Name = rrset.name
            return name
    return None
