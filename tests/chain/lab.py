"""Test helpers: the demo world (vectors/demo) served in-process, and a validator for it."""

from __future__ import annotations

import io
import json
from functools import cache
from typing import Any

import dns.name

from dnssec_core.auth.lab import LabTransport, Tamper
from dnssec_core.auth.responder import Responder
from dnssec_core.auth.zone import AuthZone
from dnssec_core.chain.anchors import TrustAnchors, parse_anchors
from dnssec_core.chain.engine import Result, Validator
from dnssec_core.crypto import Backend
from dnssec_core.driver import resolve
from dnssec_core.timeutil import parse_time
from dnssec_core.transport import RootHints
from dnssec_core.zone.reader import parse_records, read_text
from vectors import vector_path

NOW = parse_time("20261201000000")


@cache
def world() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(vector_path("demo", "world.json").read_text())
    return data


@cache
def zones() -> tuple[AuthZone, ...]:
    out = []
    for zone in world()["zones"]:
        origin = dns.name.from_text(zone["zone"])
        text = read_text(vector_path("demo", zone["file"]))
        out.append(AuthZone.from_records(origin, parse_records(io.StringIO(text), origin)))
    return tuple(out)


def anchors() -> TrustAnchors:
    data = vector_path("demo", world()["anchor"]).read_bytes()
    return parse_anchors(data, source="demo root anchor", now=None)


def lab(tamper: Tamper | None = None) -> LabTransport:
    return LabTransport(Responder(zones()), tamper)


def ask(name: str, rdtype: str, backend: Backend, *, transport: LabTransport | None = None,
        validator: Validator | None = None, now: int = NOW) -> Result:
    validator = validator or Validator(anchors(), backend=backend)
    return resolve(validator, transport or lab(), dns.name.from_text(name),
                   dns.rdatatype.from_text(rdtype), now=now)


def socket_world() -> tuple[dict[str, Responder], RootHints]:
    """The demo world for real sockets: one responder per server address (the zones it
    serves), and root hints naming the world's root servers."""
    by_address: dict[str, list[AuthZone]] = {}
    served = {z.origin: z for z in zones()}
    for entry in world()["zones"]:
        for address in entry["servers"]:
            by_address.setdefault(address, []).append(served[dns.name.from_text(entry["zone"])])
    responders = {address: Responder(found) for address, found in by_address.items()}
    root_servers = next(z["servers"] for z in world()["zones"] if z["zone"] == ".")
    hints = RootHints(((dns.name.from_text("a.root-servers.test."), tuple(root_servers)),), "demo")
    return responders, hints
