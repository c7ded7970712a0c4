"""An in-process "network" of authoritative zones: a transport without sockets.

``LabTransport(responder).ask(query)`` builds the query message a real transport would send
(DO bit, EDNS0 1232), lets the :class:`~dnssec_core.auth.responder.Responder` answer it, and
decodes the wire response with the same parser the real transports use — so tests, the demo
and the hardening harness exercise the engine exactly as the network would, minus sockets.
"""

from __future__ import annotations

from collections.abc import Callable

import dns.flags
import dns.message
import dns.rdatatype

from dnssec_core import limits
from dnssec_core.auth.responder import Responder
from dnssec_core.chain.types import Answer, FailureKind, LookupFailure, Query
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.message import from_wire

#: A hook that may replace the wire response (fault and attack injection in tests).
Tamper = Callable[[Query, bytes], bytes | LookupFailure]


class LabTransport:
    """Answers queries from a Responder; ``tamper`` may rewrite or drop each response."""

    def __init__(self, responder: Responder, tamper: Tamper | None = None) -> None:
        self.responder = responder
        self.tamper = tamper
        self.asked: list[Query] = []

    def ask(self, query: Query) -> Answer:
        self.asked.append(query)
        message = dns.message.make_query(
            query.name,
            dns.rdatatype.RdataType.make(query.rdtype),
            want_dnssec=True,
            payload=limits.EDNS_UDP_PAYLOAD,
        )
        message.flags |= dns.flags.CD
        wire = self.responder.answer(message).to_wire(max_size=65535)
        if self.tamper is not None:
            tampered = self.tamper(query, wire)
            if isinstance(tampered, LookupFailure):
                return tampered
            wire = tampered
        try:
            return from_wire(wire, server="lab")
        except WireError as exc:
            return LookupFailure(FailureKind.MALFORMED, str(exc), 1, ("lab",))
