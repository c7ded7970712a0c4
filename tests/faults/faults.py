"""The fault list shared by the fault-injection tests, with what each must turn into.

``EXPECTED[fault]`` is the :class:`~dnssec_core.chain.types.FailureKind` a server with that
fault must produce (SEC-NET-01/03/06, SEC-PARSE-01), or None for a fault the transport must get
past on its own (TC=1 then a good TCP answer, a stray wrong-ID datagram before the real answer,
a valid answer larger than the advertised EDNS0 payload).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from dnssec_core.auth.server import Fault, LoopbackServer
from dnssec_core.chain.engine import Result
from dnssec_core.chain.types import FailureKind

EXPECTED: dict[Fault, FailureKind | None] = {
    Fault.SILENT: FailureKind.TIMEOUT,
    Fault.SERVFAIL: FailureKind.SERVFAIL,
    Fault.REFUSED: FailureKind.REFUSED,
    Fault.FORMERR: FailureKind.FORMERR,
    Fault.NOTIMP: FailureKind.REFUSED,
    Fault.WRONG_ID: FailureKind.TIMEOUT,  # RFC 5452 §9.2: never accepted
    Fault.WRONG_QUESTION: FailureKind.TIMEOUT,  # RFC 5452 §9.2: never accepted
    Fault.WRONG_ID_THEN_ANSWER: None,
    Fault.GARBAGE: FailureKind.TIMEOUT,  # not a response: ignored until the deadline
    Fault.GARBAGE_WITH_ID: FailureKind.MALFORMED,
    Fault.OVERSIZE: FailureKind.MALFORMED,  # 60 000 octets: our answer, then junk
    Fault.PADDED: None,
    Fault.LAME: FailureKind.LAME,
    Fault.TRUNCATE: None,
    Fault.TRUNCATE_TCP_CLOSE: FailureKind.NETWORK,
    Fault.TRUNCATE_TCP_GARBAGE: FailureKind.MALFORMED,
    Fault.TRUNCATE_TCP_PARTIAL: FailureKind.NETWORK,
    Fault.TRUNCATE_TCP_STALL: FailureKind.TIMEOUT,
    # RFC 7766 §5: TC=1 without a question is still our truncated answer (its ID matched)
    Fault.TRUNCATE_NO_QUESTION: None,
    # ... and the TCP answer must carry our question: one that does not is ignored, and the
    # server then closes the connection
    Fault.TRUNCATE_NO_QUESTION_TCP_WRONG_QUESTION: FailureKind.NETWORK,
    Fault.TRUNCATE_NO_QUESTION_TCP_NO_QUESTION: FailureKind.NETWORK,
}

#: The EDNS faults (RFC 6891 §7) change what a *good* answer is (a plain one, without DNSSEC
#: records) and how many queries a try costs (with OPT, then without): tested on their own
#: in test_edns_faults.py rather than through the tables above.
EDNS_FAULTS = frozenset({Fault.NO_EDNS, Fault.FORMERR_NO_OPT})

FAULTS = sorted(EXPECTED, key=lambda f: f.value)
FAILING = [f for f in FAULTS if EXPECTED[f] is not None]
BENIGN = [f for f in FAULTS if EXPECTED[f] is None]
#: Faults that go through TCP (the server set TC=1 over UDP first).
VIA_TCP = {f for f in FAULTS if f.value.startswith("truncate")}


def comparable(result: Result) -> dict[str, Any]:
    """The ``query --json`` object without the query count (faults cost extra queries)."""
    got = result.as_json()
    del got["queries"]
    return got


def questions(server: LoopbackServer, transport: str) -> Counter[tuple[str | None, int | None]]:
    """How often ``server`` received each (name, type) over ``transport``."""
    return Counter((s.qname, s.qtype) for s in server.seen if s.transport == transport)
