"""The demo world (vectors/demo) moved to 127.0.77.x, with faulty servers beside the good ones.

Every zone of the demo world is served at ``127.0.77.N`` (N from its 127.0.0.N in world.json)
by a :class:`~dnssec_core.auth.server.LoopbackServer`; each zone also has a second server at
``127.0.77.(100+N)`` (:func:`bad`) that serves the same zone through a
:class:`~dnssec_core.auth.server.FaultPlan`.  Which addresses the parent lists for a zone — and
in which order the transport meets them — is chosen per test by ``listed``: only the glue
(unsigned, RFC 4035 §2.3) and the root hints change, never a signed record, so every verdict
stays the demo world's.  A "recursive" for the stub transport (:data:`RECURSIVE`) answers every
question from all zones at once, as a CD-honouring resolver would (SEC-NET-05); it does not
iterate over sockets itself — the faults sit in front of it, on its own UDP/TCP listener.
Responses keep the zone's RRset order (``shuffle=False``) so a listed failing address is met
first.
"""

from __future__ import annotations

import contextlib
import io
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Unpack, cast

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.IN.A
from dns.name import Name
from dns.rdtypes.ANY.NS import NS

from dnssec_core.auth.responder import Responder
from dnssec_core.auth.server import FaultPlan, LoopbackServer, serving_on_a_free_port
from dnssec_core.auth.zone import AuthZone
from dnssec_core.chain.engine import Result, Validator
from dnssec_core.crypto import get_backend
from dnssec_core.driver import Transport, resolve
from dnssec_core.transport import IterativeTransport, RootHints, StubTransport
from dnssec_core.zone.reader import parse_records, read_text
from tests.chain.lab import NOW, anchors, world
from tests.support.transport_options import IterativeOptions, StubOptions
from vectors import vector_path

PREFIX = "127.0.77."
RECURSIVE = PREFIX + "200"
ROOT_NAME = dns.name.from_text("a.root-servers.test.")
UDP_TIMEOUT = 0.25
TCP_TIMEOUT = 0.5
PORT_TRIES = 30

__all__ = ["NOW", "FaultLab", "bad", "good", "lab", "query", "validator"]

Record = tuple[Name, int, dns.rdata.Rdata]


def good(zone: str) -> str:
    """The good server of ``zone`` (e.g. ``"secure.test."``)."""
    return PREFIX + _octet(zone)


def bad(zone: str) -> str:
    """The server of ``zone`` that runs the test's fault plan."""
    return PREFIX + str(100 + int(_octet(zone)))


def _octet(zone: str) -> str:
    entry = next(z for z in world()["zones"] if z["zone"] == zone)
    return str(entry["servers"][0]).rsplit(".", 1)[1]


@cache
def _records() -> dict[Name, tuple[Record, ...]]:
    out = {}
    for entry in world()["zones"]:
        origin = dns.name.from_text(entry["zone"])
        text = read_text(vector_path("demo", entry["file"]))
        out[origin] = tuple(parse_records(io.StringIO(text), origin))
    return out


def _zones(listed: Mapping[str, Sequence[str]]) -> dict[Name, AuthZone]:
    """Every zone, with the glue for each child zone set to its listed addresses (in order)."""
    zones = {}
    for origin, records in _records().items():
        cuts = {
            name: [cast(NS, rd).target for (n, _, rd) in records if n == name and rd.rdtype == 2]
            for (name, _, rdata) in records
            if rdata.rdtype == dns.rdatatype.NS and name != origin
        }
        glue_of = {target: cut for cut, targets in cuts.items() for target in targets}
        kept: list[Record] = []
        for name, ttl, rdata in records:
            below_cut = any(name.is_subdomain(cut) for cut in cuts)
            if below_cut and rdata.rdtype == dns.rdatatype.A and name in glue_of:
                continue  # replaced below
            kept.append((name, ttl, rdata))
        for target, cut in glue_of.items():
            if not any(target.is_subdomain(c) for c in cuts):
                continue  # out-of-zone NS name: no glue here
            for address in _addresses(cut.to_text(), listed):
                # dnspython's A constructor is unannotated
                kept.append((target, 3600, dns.rdtypes.IN.A.A(  # type: ignore[no-untyped-call]
                    dns.rdataclass.IN, dns.rdatatype.A, address)))
        zones[origin] = AuthZone.from_records(origin, kept)
    return zones


def _addresses(zone: str, listed: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    return tuple(listed.get(zone, (good(zone),)))


@dataclass
class FaultLab:
    """The running lab: its servers by address, the common port and the root hints."""

    port: int
    servers: dict[str, LoopbackServer]
    hints: RootHints

    def iterative(self, **options: Unpack[IterativeOptions]) -> IterativeTransport:
        settings: IterativeOptions = {
            "port": self.port, "udp_timeout": UDP_TIMEOUT, "tcp_timeout": TCP_TIMEOUT,
            "ipv6": False, "rng": random.Random(0),
        }
        settings.update(options)
        return IterativeTransport(self.hints, **settings)

    def stub(self, **options: Unpack[StubOptions]) -> StubTransport:
        settings: StubOptions = {"udp_timeout": UDP_TIMEOUT, "tcp_timeout": TCP_TIMEOUT}
        settings.update(options)
        return StubTransport(RECURSIVE, self.port, **settings)

    def __getitem__(self, address: str) -> LoopbackServer:
        return self.servers[address]


@contextlib.contextmanager
def lab(listed: Mapping[str, Sequence[str]] | None = None,
        faults: Mapping[str, FaultPlan] | None = None,
        serve_as: Mapping[str, str] | None = None,
        port: int | None = None) -> Iterator[FaultLab]:
    """Serve the relocated demo world; ``listed`` maps a zone to the addresses its parent
    lists (``"."``: the root hints), ``faults`` maps an address to its fault plan,
    ``serve_as`` makes an address serve another zone than its own (a lame delegation), and
    ``port`` fixes the common port (default: a free high one)."""
    listed = dict(listed or {})
    zones = _zones(listed)
    responders: dict[str, Responder] = {}
    for entry in world()["zones"]:
        zone = zones[dns.name.from_text(entry["zone"])]
        responders[good(entry["zone"])] = Responder([zone])
        responders[bad(entry["zone"])] = Responder([zone])
    for address, other in (serve_as or {}).items():
        responders[address] = Responder([zones[dns.name.from_text(other)]])
    responders[RECURSIVE] = Responder(zones.values())
    hints = RootHints(((ROOT_NAME, _addresses(".", listed)),), "fault lab")
    with contextlib.ExitStack() as stack:
        try:
            chosen, servers = stack.enter_context(serving_on_a_free_port(
                responders, dict(faults or {}), shuffle=False, tries=PORT_TRIES, port=port))
        except OSError:
            raise RuntimeError(f"no common free port on {PREFIX}x for the fault lab") from None
        yield FaultLab(chosen, servers, hints)


def validator() -> Validator:
    return Validator(anchors(), backend=get_backend("fast"))


def query(transport: Transport, name: str, rdtype: str) -> Result:
    """Resolve and validate one question with a fresh validator (no cache between runs)."""
    return resolve(validator(), transport, dns.name.from_text(name),
                   dns.rdatatype.from_text(rdtype), now=NOW)
