"""Keyword options of the two transports, typed, for the test helpers that build them.

Helpers such as ``make(farm, max_queries=3)`` take the transport's keyword arguments, fill in
their own defaults and pass the lot on.  With these TypedDicts (``**options:
Unpack[IterativeOptions]``) mypy checks every option name and value against the constructors
of :class:`~dnssec_core.transport.IterativeTransport` and
:class:`~dnssec_core.transport.StubTransport`; a renamed or retyped parameter there fails
``mypy --strict tests`` instead of hiding behind ``**options: object``.
"""

from __future__ import annotations

from collections.abc import Callable
from random import Random
from typing import TypedDict


class IterativeOptions(TypedDict, total=False):
    """The keyword-only parameters of ``IterativeTransport(root_hints, ...)``."""

    port: int
    udp_timeout: float
    tcp_timeout: float
    attempts: int
    qname_minimisation: bool
    use_0x20: bool
    ipv4: bool
    ipv6: bool
    max_queries: int
    max_referrals: int
    max_ns_depth: int
    ask_seconds: float
    cache_entries: int
    rng: Random | None
    clock: Callable[[], float]


class StubOptions(TypedDict, total=False):
    """The keyword-only parameters of ``StubTransport(host, port, ...)``."""

    udp_timeout: float
    tcp_timeout: float
    attempts: int
    use_0x20: bool
    clock: Callable[[], float]
