"""Measuring instruments for the attack tests: what the engine spent, counted from outside.

* :class:`CountingBackend` wraps the real backend and counts signature verifications (the
  engine's own per-resolution budget sits in front of it, so the count is exactly the number
  of crypto operations the budget let through);
* :class:`HashCounter` counts NSEC3 hash computations and their SHA-1 rounds by wrapping
  ``iterated_hash`` as the validator's denial code calls it (the lab's authoritative side has
  its own reference to the function and is not counted);
* :func:`resolve_counted` runs one resolution and returns everything in one :class:`Outcome`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import dns.name
import dns.rdatatype
from dns.name import Name

from dnssec_core.chain.engine import Result, Validator
from dnssec_core.chain.types import Answer, Query
from dnssec_core.crypto import get_backend
from dnssec_core.crypto.base import Backend, PublicKey
from dnssec_core.dnssec.denial import nsec3 as nsec3_module
from dnssec_core.driver import Transport, resolve
from tests.attacks.world import NOW, World


class CountingBackend:
    """A backend that counts ``verify`` calls and delegates them (SEC-LIM-01 evidence)."""

    def __init__(self, inner: Backend | None = None) -> None:
        self.inner = inner or get_backend("fast")
        self.calls = 0

    @property
    def name(self) -> str:
        return self.inner.name

    def verify(self, key: PublicKey, signature: bytes, data: bytes) -> bool:
        self.calls += 1
        return self.inner.verify(key, signature, data)


class HashCounter:
    """Counts NSEC3 hashes computed by the validator (SEC-LIM-03 evidence)."""

    def __init__(self) -> None:
        self.hashes = 0
        self.rounds = 0  # SHA-1 compressions: 1 + iterations per hash (RFC 5155 §5)


@contextmanager
def counting_hashes() -> Iterator[HashCounter]:
    counter = HashCounter()
    original = nsec3_module.iterated_hash

    def counted(name: Name, salt: bytes, iterations: int, algorithm: int = 1) -> bytes:
        counter.hashes += 1
        counter.rounds += 1 + iterations
        return original(name, salt, iterations, algorithm)

    nsec3_module.iterated_hash = counted
    try:
        yield counter
    finally:
        nsec3_module.iterated_hash = original


class CountingTransport:
    """Counts the questions the engine put to the transport (SEC-LIM-05 evidence)."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.asked: list[Query] = []

    def ask(self, query: Query) -> Answer:
        self.asked.append(query)
        return self.inner.ask(query)


@dataclass
class Outcome:
    result: Result
    verifications: int
    hashes: int
    rounds: int
    questions: int


def resolve_counted(world: World, transport: Transport, qname: str, qtype: str,
                    *, now: int = NOW) -> Outcome:
    """One resolution with a fresh validator (no cached keys), every cost counted."""
    backend = CountingBackend()
    counted = CountingTransport(transport)
    validator = Validator(world.anchors, backend=backend)
    with counting_hashes() as hashes:
        result = resolve(validator, counted, dns.name.from_text(qname),
                         dns.rdatatype.from_text(qtype), now=now)
    return Outcome(result, backend.calls, hashes.hashes, hashes.rounds, len(counted.asked))
