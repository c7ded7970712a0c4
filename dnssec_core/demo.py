"""The offline demo world: a signed hierarchy with its own root, served on loopback.

``dnssec-core demo`` loads ``vectors/demo`` (zones, keys and expectations made by
``vectors/demo/generate.sh`` and checked against Unbound), starts one authoritative server per
127.0.0.x address (:mod:`dnssec_core.auth.server`), and resolves every case of ``world.json``
iteratively from the world's own root with the world's own trust anchor — the same engine and
transport as ``dnssec-core query``, pointed at the lab instead of the Internet.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dns.name
import dns.rdatatype

from dnssec_core.auth.responder import Responder
from dnssec_core.auth.server import serving_on_a_free_port
from dnssec_core.auth.zone import AuthZone
from dnssec_core.caa.check import CaaCheck, CaaRequest, check_caa
from dnssec_core.caa.domain import parse_domain
from dnssec_core.chain.anchors import TrustAnchors, parse_anchors
from dnssec_core.chain.engine import Result, Validator
from dnssec_core.crypto.base import Backend
from dnssec_core.driver import resolve
from dnssec_core.transport import IterativeTransport, RootHints
from dnssec_core.zone.reader import parse_records, read_text

#: Where the world is looked for: ./vectors/demo, then beside the package's source tree.
WORLD_DIRS = (Path("vectors/demo"), Path(__file__).resolve().parent.parent / "vectors" / "demo")


class DemoError(ValueError):
    """The demo world cannot be loaded or served (one-line message)."""


@dataclass(frozen=True)
class World:
    directory: Path
    manifest: dict[str, Any]
    zones: tuple[AuthZone, ...]
    anchors: TrustAnchors

    @property
    def cases(self) -> list[dict[str, Any]]:
        cases: list[dict[str, Any]] = self.manifest["cases"]
        return cases

    @property
    def caa_cases(self) -> list[dict[str, Any]]:
        cases: list[dict[str, Any]] = self.manifest.get("caa_cases", [])
        return cases


def find_world(directory: str | None = None) -> Path:
    candidates = [Path(directory)] if directory else list(WORLD_DIRS)
    for candidate in candidates:
        if (candidate / "world.json").is_file():
            return candidate
    raise DemoError(f"no demo world (world.json) in {', '.join(map(str, candidates))}")


def load_world(directory: Path) -> World:
    try:
        manifest = json.loads((directory / "world.json").read_text())
        zones = []
        for entry in manifest["zones"]:
            origin = dns.name.from_text(entry["zone"])
            text = read_text(directory / entry["file"])
            zones.append(AuthZone.from_records(origin, parse_records(io.StringIO(text), origin)))
        data = (directory / manifest["anchor"]).read_bytes()
    except (OSError, KeyError, ValueError) as exc:
        raise DemoError(f"{directory}: {exc}") from None
    anchors = parse_anchors(data, source=str(directory / manifest["anchor"]), now=None)
    return World(directory, manifest, tuple(zones), anchors)


@contextlib.contextmanager
def serve(world: World) -> Iterator[IterativeTransport]:
    """Serve every zone on its 127.0.0.x address(es) on one free high port; yield a transport
    that resolves iteratively from the world's root servers on that port."""
    by_origin = {z.origin: z for z in world.zones}
    by_address: dict[str, list[AuthZone]] = {}
    root: tuple[str, ...] = ()
    for entry in world.manifest["zones"]:
        for address in entry["servers"]:
            by_address.setdefault(address, []).append(by_origin[dns.name.from_text(entry["zone"])])
        if entry["zone"] == ".":
            root = tuple(entry["servers"])
    responders = {address: Responder(zones) for address, zones in by_address.items()}
    hints = RootHints(((dns.name.from_text("root-servers.demo."), root),), "demo world")
    with contextlib.ExitStack() as stack:
        try:
            port, _ = stack.enter_context(serving_on_a_free_port(responders))
        except OSError:
            raise DemoError("could not bind the demo servers to a free loopback port") from None
        yield IterativeTransport(hints, port=port, udp_timeout=1.0, tcp_timeout=2.0)


def run_cases(world: World, transport: IterativeTransport, backend: Backend, now: int
              ) -> list[tuple[dict[str, Any], Result]]:
    validator = Validator(world.anchors, backend=backend)
    results = []
    for case in world.cases:
        result = resolve(validator, transport, dns.name.from_text(case["qname"]),
                         dns.rdatatype.from_text(case["qtype"]), now=now)
        results.append((case, result))
    return results


def run_caa_cases(world: World, transport: IterativeTransport, backend: Backend, now: int
                  ) -> list[tuple[dict[str, Any], CaaCheck]]:
    """Every CAA case of the world (issue 6): the RFC 8659 §3 climb and the BR 3.2.2.8
    decision for one issuer, over the same served world, with one shared validator cache."""
    validator = Validator(world.anchors, backend=backend)
    results = []
    for case in world.caa_cases:
        request = CaaRequest(parse_domain(case["domain"]), (case["issuer"],))
        results.append((case, check_caa(request, validator, transport, now=now)))
    return results


def caa_agrees(case: dict[str, Any], check: CaaCheck) -> bool:
    return bool(check.as_json()["decision"] == case["expect_decision"])


def agrees(case: dict[str, Any], result: Result) -> bool:
    got = result.as_json()
    ede = case.get("expect_ede")
    return (got["status"] == case["expect_status"] and got["rcode"] == case["expect_rcode"]
            and (ede is None or got["ede"] == ede))
