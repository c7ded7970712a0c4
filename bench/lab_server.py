"""``python -m bench.lab_server``: serve the demo world on loopback for the latency bench.

Runs the world's authoritative servers (:func:`dnssec_core.demo.serve`, one per 127.0.0.x
address, one free high port) in their own process, so that neither resolver under test shares
a Python interpreter (and its GIL) with them.  Prints the port on one line, then serves until
its standard input is closed (the bench closes it, or dies).
"""

from __future__ import annotations

import sys

from dnssec_core.demo import find_world, load_world, serve


def main() -> int:
    world = load_world(find_world(sys.argv[1] if len(sys.argv) > 1 else None))
    with serve(world) as transport:
        print(transport.port, flush=True)
        sys.stdin.read()  # until the bench closes the pipe
    return 0


if __name__ == "__main__":
    sys.exit(main())
