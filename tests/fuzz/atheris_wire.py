"""Optional atheris (libFuzzer) target: wire messages and DNSSEC RDATA from raw octets.

Not collected by pytest (no ``test_`` prefix).  Run, for as long as you like::

    pip install atheris
    python tests/fuzz/atheris_wire.py -max_total_time=3600 -rss_limit_mb=2048

Only :class:`WireError` may escape the parser (SEC-PARSE-01); anything else is a crash that
libFuzzer saves as ``crash-*`` for a regression test.
"""

from __future__ import annotations

import sys

from dnssec_core.dnssec.records import DNSKEY, DS, RRSIG
from dnssec_core.wire.canonical import canonical_rdata
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.message import from_wire

RDATA_TYPES = (RRSIG, DNSKEY, DS)
CANONICAL_TYPES = (1, 2, 5, 6, 12, 15, 33, 39, 43, 46, 47, 48, 50, 257)


def one_input(data: bytes) -> None:
    if not data:
        return
    selector, body = data[0], data[1:]
    try:
        if selector < 64:
            from_wire(body)
        elif selector < 128:
            RDATA_TYPES[selector % len(RDATA_TYPES)].from_wire(body)
        else:
            rdtype = CANONICAL_TYPES[selector % len(CANONICAL_TYPES)]
            once = canonical_rdata(rdtype, body)
            assert canonical_rdata(rdtype, once) == once
    except WireError:
        pass


def main() -> None:
    import atheris

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
