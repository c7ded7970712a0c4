"""The loop between a sans-I/O resolution and a transport, with the wall-clock budget.

This is I/O-side code (it reads a monotonic clock); the engine in :mod:`dnssec_core.chain`
never does.  SEC-LIM-05: a resolution that runs past its budget ends indeterminate.
"""

from __future__ import annotations

import time
from typing import Protocol

from dns.name import Name

from dnssec_core import limits
from dnssec_core.chain.engine import Result, Validator
from dnssec_core.chain.types import Answer, FailureKind, LimitKind, LookupFailure, Query


class Transport(Protocol):
    def ask(self, query: Query) -> Answer: ...


def resolve(
    validator: Validator,
    transport: Transport,
    qname: Name,
    qtype: int,
    *,
    now: int,
    budget_seconds: float = limits.RESOLUTION_WALL_CLOCK_SECONDS,
) -> Result:
    """Resolve and validate (qname, qtype); queries after the budget get a LIMIT failure."""
    deadline = time.monotonic() + budget_seconds
    resolution = validator.resolve(qname, qtype, now=now)
    while (query := resolution.next_query()) is not None:
        if time.monotonic() > deadline:
            answer: Answer = LookupFailure(
                FailureKind.LIMIT, f"wall-clock budget of {budget_seconds:g} s spent",
                limit=LimitKind.WALL_CLOCK,
            )
        else:
            answer = transport.ask(query)
        resolution.receive(query, answer)
    return resolution.result()
