"""Transports: the only code that touches sockets (STYLE §1; issue 5, SEC-NET-01..07).

A transport has one method, ``ask(query) -> Response | LookupFailure``, which blocks and never
raises; :func:`dnssec_core.driver.resolve` loops it against the sans-I/O engine:

- :class:`IterativeTransport` resolves from the root hints (``--root-hints FILE``, the
  built-in IANA hints by default);
- :class:`StubTransport` forwards to one recursive resolver (``--resolver HOST[:PORT]``) with
  CD set and ignores its AD bit.
"""

from dnssec_core.transport.iterative import IterativeTransport
from dnssec_core.transport.roothints import (
    RootHints,
    RootHintsError,
    builtin_root_hints,
    load_root_hints,
    parse_root_hints,
)
from dnssec_core.transport.stub import StubTransport
from dnssec_core.transport.wire_io import Server, parse_server

__all__ = [
    "IterativeTransport",
    "RootHints",
    "RootHintsError",
    "Server",
    "StubTransport",
    "builtin_root_hints",
    "load_root_hints",
    "parse_root_hints",
    "parse_server",
]
