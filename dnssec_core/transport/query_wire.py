"""The octets of the queries we send, built here instead of through dnspython's message builder.

A query is one RFC 1035 §4.1.1 header, one question (§4.1.2: the name uncompressed — it is the
first name of the message — then QTYPE and QCLASS IN) and, with EDNS, one OPT pseudo-RR
(RFC 6891 §6.1.2: owner root, TYPE 41, CLASS = the UDP payload size, TTL = extended RCODE 0,
VERSION 0 and the DO bit of RFC 3225 §3, RDLENGTH 0).  These are exactly the octets
``dns.message.make_query(name, type, want_dnssec=True, payload=...)`` produced with our flags
(tests/transport/test_query_wire.py compares the two over many names, types and flags); only
the ID differs, since each attempt draws a fresh one (SEC-NET-01).

Everything after the ID is fixed for one question, so it is encoded once per
:class:`OutgoingQuery` and each attempt prefixes a new ID (:meth:`OutgoingQuery.to_wire`).
Building and encoding a dnspython message cost about 100 µs per query; this costs a few
(issue 7 item 6).  Nothing here parses: answers are still parsed by dnspython in
:mod:`dnssec_core.transport.wire_io`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from dns.name import Name

from dnssec_core import limits

CLASS_IN = 1  # RFC 1035 §3.2.4
OPT_TYPE = 41  # RFC 6891 §6.1.1
DO_BIT = 0x8000  # RFC 3225 §3, in the OPT TTL's low 16 bits
RD_FLAG = 0x0100  # RFC 1035 §4.1.1
CD_FLAG = 0x0010  # RFC 4035 §3.2.2
MAX_NAME_OCTETS = 255  # RFC 1035 §3.1
MAX_LABEL_OCTETS = 63  # RFC 1035 §2.3.4

_HEADER_AFTER_ID = struct.Struct("!HHHHH")  # flags, QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT
_QUESTION_TAIL = struct.Struct("!HH")  # QTYPE, QCLASS
_OPT = struct.Struct("!BHHHHH")  # root owner, TYPE, CLASS (payload), TTL (2 x 16), RDLENGTH


def name_wire(name: Name) -> bytes:
    """``name`` in uncompressed wire form (RFC 1035 §3.1), octets and case as given.

    Raises :class:`ValueError` for a relative name or one over the RFC 1035 limits (dnspython's
    :class:`~dns.name.Name` already refuses those; this keeps the encoder honest on its own)."""
    labels = name.labels
    if not labels or labels[-1] != b"":
        raise ValueError(f"{name} is not an absolute name")
    out = bytearray()
    for label in labels:
        if len(label) > MAX_LABEL_OCTETS:
            raise ValueError(f"a label of {len(label)} octets in {name}")
        out.append(len(label))
        out += label
    if len(out) > MAX_NAME_OCTETS:
        raise ValueError(f"{name} is {len(out)} octets long")
    return bytes(out)


@dataclass(slots=True)
class OutgoingQuery:
    """One question as we send it: ``name`` (with the case it is sent in, 0x20 included),
    ``rdtype``, the header ``flags`` word (opcode QUERY, RD and CD as chosen), and with
    ``edns`` 0 an OPT record with DO and ``payload``; ``edns`` -1 means no OPT (the name and
    value follow dnspython's ``Message.edns``).  ``id`` is set by the sender before each
    attempt (SEC-NET-01); :meth:`to_wire` puts it in front of the prebuilt rest."""

    name: Name
    rdtype: int
    flags: int
    edns: int = 0
    payload: int = limits.EDNS_UDP_PAYLOAD
    id: int = 0
    _rest: bytes = field(default=b"", repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.rdtype <= 0xFFFF or not 0 <= self.flags <= 0xFFFF:
            raise ValueError("QTYPE and flags are 16-bit fields")
        if self.edns not in (-1, 0):
            raise ValueError("edns is 0 (an OPT record, version 0) or -1 (none)")
        if not 512 <= self.payload <= 0xFFFF:  # RFC 6891 §6.2.5: below 512 counts as 512
            raise ValueError(f"EDNS payload {self.payload} is outside 512..65535")
        with_opt = self.edns >= 0
        parts = [
            _HEADER_AFTER_ID.pack(self.flags, 1, 0, 0, 1 if with_opt else 0),
            name_wire(self.name),
            _QUESTION_TAIL.pack(self.rdtype, CLASS_IN),
        ]
        if with_opt:
            parts.append(_OPT.pack(0, OPT_TYPE, self.payload, 0, DO_BIT, 0))
        self._rest = b"".join(parts)

    def to_wire(self) -> bytes:
        """The whole message with the current ``id`` (RFC 1035 §4.1.1)."""
        return self.id.to_bytes(2, "big") + self._rest

    def without_edns(self) -> OutgoingQuery:
        """The same question, flags and name case without OPT (so without DO; RFC 6891
        §6.2.2 fallback)."""
        return OutgoingQuery(self.name, self.rdtype, self.flags, -1, self.payload)


def build_query(name: Name, rdtype: int, *, recursion_desired: bool) -> OutgoingQuery:
    """A class-IN query with EDNS0, DO and CD (SEC-NET-04/05), RD only for a stub."""
    flags = CD_FLAG | (RD_FLAG if recursion_desired else 0)
    return OutgoingQuery(name, rdtype, flags)
