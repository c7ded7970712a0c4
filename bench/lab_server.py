"""``python -m bench.lab_server``: serve the demo world on loopback for the latency bench.

Runs the world's authoritative servers (:mod:`dnssec_core.auth.server`, one per 127.0.0.x
address, one free high port, as :func:`dnssec_core.demo.serve` does) in their own process, so
that neither resolver under test shares a Python interpreter (and its GIL) with them.  Prints
the port on one line, then serves until its standard input is closed (the bench closes it, or
dies).  Each line read on standard input is answered with one line: the number of queries (UDP
and TCP) the servers received since the previous such line — how the bench counts the messages
each resolver sends for one question.
"""

from __future__ import annotations

import contextlib
import sys

import dns.name

from dnssec_core.auth.responder import Responder
from dnssec_core.auth.server import LoopbackServer, serving_on_a_free_port
from dnssec_core.auth.zone import AuthZone
from dnssec_core.demo import World, find_world, load_world


def _responders(world: World) -> dict[str, Responder]:
    by_origin = {zone.origin: zone for zone in world.zones}
    by_address: dict[str, list[AuthZone]] = {}
    for entry in world.manifest["zones"]:
        for address in entry["servers"]:
            by_address.setdefault(address, []).append(by_origin[dns.name.from_text(entry["zone"])])
    return {address: Responder(zones) for address, zones in by_address.items()}


def _take_count(servers: dict[str, LoopbackServer]) -> int:
    """Queries received since the last call (and forget them, so memory stays bounded)."""
    total = 0
    for server in servers.values():
        seen = len(server.seen)
        del server.seen[:seen]
        total += seen
    return total


def main() -> int:
    world = load_world(find_world(sys.argv[1] if len(sys.argv) > 1 else None))
    responders = _responders(world)
    with contextlib.ExitStack() as stack:
        try:
            port, servers = stack.enter_context(serving_on_a_free_port(responders))
        except OSError:
            print("no free port", flush=True)
            return 1
        print(port, flush=True)
        for _line in sys.stdin:  # until the bench closes the pipe
            print(_take_count(servers), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
