"""What the sans-I/O engine asks for and what the transport hands back (issue 5).

The engine emits :class:`Query` objects; whoever does I/O (a transport, a replay of recorded
responses, a test) answers each with a :class:`~dnssec_core.wire.message.Response` or a
:class:`LookupFailure`.  These are the only types crossing the I/O boundary.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dns.name import Name

from dnssec_core.wire.message import Response
from dnssec_core.wire.rrset import type_text


@dataclass(frozen=True, slots=True)
class Query:
    """One question the engine needs answered: (name, type), class IN, DO bit set."""

    name: Name
    rdtype: int

    def __str__(self) -> str:
        return f"{self.name} {type_text(self.rdtype)}"


class FailureKind(enum.Enum):
    """Why no usable response came back (feeds BR-CAA-07's lookup-failure rule)."""

    TIMEOUT = "timeout"
    SERVFAIL = "servfail"
    REFUSED = "refused"
    FORMERR = "formerr"
    NETWORK = "network-error"
    MALFORMED = "malformed-response"
    LAME = "lame-delegation"
    LIMIT = "resolution-limit"


class LimitKind(enum.Enum):
    """Which bound ended a lookup (a ``FailureKind.LIMIT`` failure), SEC-LIM-05.

    The engine reports each with its own ``limit-*`` reason, so that a verdict names the
    bound that was spent rather than a generic query limit."""

    QUERIES = "queries"  # engine's per-resolution or the CAA check's query budget
    EXCHANGES = "exchanges"  # MAX_QUERIES_PER_ASK: exchanges for one transport ask
    REFERRALS = "referrals"  # MAX_REFERRALS for one transport ask
    NS_DEPTH = "ns-depth"  # MAX_NS_RESOLUTION_DEPTH: nested NS-name address lookups
    WALL_CLOCK = "wall-clock"  # a wall-clock budget (ask, resolution or CAA check)


@dataclass(frozen=True, slots=True)
class LookupFailure:
    """No usable response for a query after ``attempts`` tries (SEC-NET-06: at least 2).

    ``servers`` lists the authorities tried, so BR-CAA-07's "outside the CA's infrastructure"
    and "retried" conditions can be judged by the caller.  ``limit`` names the bound spent
    when ``kind`` is ``LIMIT`` (None: unknown, reported as the query limit).
    """

    kind: FailureKind
    detail: str
    attempts: int = 1
    servers: tuple[str, ...] = ()
    limit: LimitKind | None = None


Answer = Response | LookupFailure
