"""The loop between a sans-I/O resolution and a transport, with the wall-clock budget.

This is I/O-side code (it reads a monotonic clock); the engine in :mod:`dnssec_core.chain`
never does.  SEC-LIM-05: a resolution that runs past its budget ends indeterminate
(``limit-wall-clock``); the transport is handed the time left so that one slow ask cannot
carry the resolution past it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from dns.name import Name

from dnssec_core import limits
from dnssec_core.chain.engine import Result, Validator
from dnssec_core.chain.types import Answer, FailureKind, LimitKind, LookupFailure, Query


class Transport(Protocol):
    def ask(self, query: Query) -> Answer: ...


def ask_within(transport: Transport, query: Query, time_left: float) -> Answer:
    """``transport.ask(query)``, telling a transport that can honour it how many seconds the
    caller's wall-clock budget still allows (SEC-LIM-05).

    The transports of :mod:`dnssec_core.transport` declare ``supports_time_left`` and clamp
    every per-server timeout to it, so a budget is overrun by at most one exchange's rounding
    instead of a whole ask (ASK_WALL_CLOCK_SECONDS).  Other transports (recorded answers,
    tests) answer without it, as before.
    """
    if getattr(transport, "supports_time_left", False):
        answer: Answer = transport.ask(query, time_left=time_left)  # type: ignore[call-arg]
        return answer
    return transport.ask(query)


def resolve(
    validator: Validator,
    transport: Transport,
    qname: Name,
    qtype: int,
    *,
    now: int,
    budget_seconds: float = limits.RESOLUTION_WALL_CLOCK_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> Result:
    """Resolve and validate (qname, qtype); queries after the budget get a LIMIT failure, and
    the transport is told the time left (:func:`ask_within`)."""
    deadline = clock() + budget_seconds
    resolution = validator.resolve(qname, qtype, now=now)
    while (query := resolution.next_query()) is not None:
        left = deadline - clock()
        if left <= 0:
            answer: Answer = LookupFailure(
                FailureKind.LIMIT, f"wall-clock budget of {budget_seconds:g} s spent",
                limit=LimitKind.WALL_CLOCK,
            )
        else:
            answer = ask_within(transport, query, left)
        resolution.receive(query, answer)
    return resolution.result()
