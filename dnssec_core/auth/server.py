"""Serve a :class:`~dnssec_core.auth.responder.Responder` over UDP and TCP on loopback.

Used by ``dnssec-core demo`` and the integration tests: one server thread pair per address,
answering like an authoritative server (RFC 1035 §4.2; RFC 7766 for TCP; EDNS0 payload and
truncation per RFC 6891 §6.2.3-6.2.5).  This module serves; it is not the resolver's
transport, which lives in :mod:`dnssec_core.transport`.

Fault injection (issue 8; SEC-NET-01/03/06, RFC 5452, RFC 7766): a server may be given a
:class:`FaultPlan` — never answer, answer SERVFAIL/REFUSED/FORMERR/NOTIMP, answer with a wrong
ID or for another question, send garbage or an oversize datagram, give a lame upward referral,
or truncate over UDP and then misbehave over TCP (close, garbage, a length prefix and half a
message, a stall).  Follow-ups: a server without EDNS (FORMERR without OPT to any query with
OPT, plain DNS without it — RFC 6891 §7), a broken one answering FORMERR without OPT to
everything, and a server that truncates its question away too (TC=1, QDCOUNT 0), then over
TCP answers well, for another name, or again without a question (RFC 7766 §5).  Every query
a server receives is recorded in :attr:`LoopbackServer.seen` so tests can count the attempts
each authority saw.
"""

from __future__ import annotations

import contextlib
import enum
import random
import socket
import struct
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from dnssec_core.auth.responder import Answerer

UDP_DEFAULT_PAYLOAD = 512  # RFC 1035 §4.2.1, without EDNS0
MAX_PAYLOAD = 65535
OVERSIZE_OCTETS = 60_000  # a datagram far above any advertised EDNS0 payload (RFC 6891 §6.2.5)
PADDING_OCTETS = 4_000  # RFC 7830 padding that makes a valid answer exceed 1232 octets
TCP_CONN_TIMEOUT = 2.0


def respond(responder: Answerer, wire: bytes, *, udp: bool, shuffle: bool = True
            ) -> bytes | None:
    """One query in, one response out (None: drop, e.g. unparsable or not a query).

    ``shuffle`` lets dnspython rotate the records of each RRset like a round-robin server;
    off, they keep the zone's order (the fault tests list a failing address first)."""
    try:
        query = dns.message.from_wire(wire)
    except (dns.exception.DNSException, ValueError, IndexError):
        return None
    if query.flags & dns.flags.QR:
        return None
    response = responder.answer(query)
    limit = MAX_PAYLOAD
    if udp:
        limit = max(UDP_DEFAULT_PAYLOAD, query.payload) if query.edns >= 0 else UDP_DEFAULT_PAYLOAD
    try:
        return response.to_wire(max_size=limit, want_shuffle=shuffle)
    except dns.exception.TooBig:  # RFC 2181 §9: set TC and send what fits (here: nothing)
        truncated = dns.message.make_response(query)
        truncated.flags |= dns.flags.TC | (response.flags & dns.flags.AA)
        truncated.set_rcode(response.rcode())
        return truncated.to_wire(max_size=limit)


class Fault(enum.Enum):
    """How a faulty server misbehaves (issue 8's fault injection)."""

    NONE = "none"  # answers normally
    SILENT = "silent"  # reads every query over UDP and TCP, never answers
    SERVFAIL = "servfail"
    REFUSED = "refused"
    FORMERR = "formerr"
    NOTIMP = "notimp"
    WRONG_ID = "wrong-id"  # the right answer under another ID (RFC 5452 §9.2: ignore it)
    WRONG_QUESTION = "wrong-question"  # an answer for another name, with our ID
    WRONG_ID_THEN_ANSWER = "wrong-id-then-answer"  # a forged-looking datagram, then the answer
    GARBAGE = "garbage"  # random-looking octets
    GARBAGE_WITH_ID = "garbage-with-id"  # our ID and QR, then octets that do not parse
    OVERSIZE = "oversize"  # our answer followed by junk up to OVERSIZE_OCTETS
    PADDED = "padded"  # a valid answer padded (RFC 7830) above the advertised 1232 octets
    LAME = "lame"  # not authoritative: an upward referral to the root, without AA
    TRUNCATE = "truncate"  # TC=1 over UDP, then the good answer over TCP
    TRUNCATE_TCP_CLOSE = "truncate-tcp-close"  # TC=1, then TCP closed without a reply
    TRUNCATE_TCP_GARBAGE = "truncate-tcp-garbage"  # TC=1, then a length-prefixed garbage
    TRUNCATE_TCP_PARTIAL = "truncate-tcp-partial"  # TC=1, then length + half, then close
    TRUNCATE_TCP_STALL = "truncate-tcp-stall"  # TC=1, then length + half, then silence
    TRUNCATE_NO_QUESTION = "truncate-no-question"  # TC=1 and QDCOUNT 0, then the good answer
    TRUNCATE_NO_QUESTION_TCP_WRONG_QUESTION = "truncate-no-question-tcp-wrong-question"
    TRUNCATE_NO_QUESTION_TCP_NO_QUESTION = "truncate-no-question-tcp-no-question"
    NO_EDNS = "no-edns"  # FORMERR without OPT to a query with OPT, plain DNS without it
    FORMERR_NO_OPT = "formerr-no-opt"  # FORMERR without OPT to every query, EDNS or not


#: Faults that make a server fail over TCP after it truncated over UDP.
TCP_FAULTS = frozenset({Fault.SILENT, Fault.TRUNCATE_TCP_CLOSE, Fault.TRUNCATE_TCP_GARBAGE,
                        Fault.TRUNCATE_TCP_PARTIAL, Fault.TRUNCATE_TCP_STALL,
                        Fault.TRUNCATE_NO_QUESTION_TCP_WRONG_QUESTION,
                        Fault.TRUNCATE_NO_QUESTION_TCP_NO_QUESTION})
#: Faults whose UDP answer is TC=1 without a question section.
_NO_QUESTION = frozenset({Fault.TRUNCATE_NO_QUESTION, Fault.TRUNCATE_NO_QUESTION_TCP_WRONG_QUESTION,
                          Fault.TRUNCATE_NO_QUESTION_TCP_NO_QUESTION})
_TRUNCATING = frozenset({Fault.TRUNCATE, Fault.TRUNCATE_TCP_CLOSE, Fault.TRUNCATE_TCP_GARBAGE,
                         Fault.TRUNCATE_TCP_PARTIAL, Fault.TRUNCATE_TCP_STALL}) | _NO_QUESTION
#: Faults about EDNS itself, the same over UDP and TCP.
_EDNS_FAULTS = frozenset({Fault.NO_EDNS, Fault.FORMERR_NO_OPT})
_RCODES = {Fault.SERVFAIL: dns.rcode.SERVFAIL, Fault.REFUSED: dns.rcode.REFUSED,
           Fault.FORMERR: dns.rcode.FORMERR, Fault.NOTIMP: dns.rcode.NOTIMP}


@dataclass
class FaultPlan:
    """A fault and how many queries it spoils: ``count`` None means every query; otherwise the
    first ``count`` UDP queries misbehave (with the TCP connections that follow their TC=1) and
    later ones are answered normally — a flaky server that a retry gets past (SEC-NET-06)."""

    fault: Fault = Fault.NONE
    count: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _tcp_owed: int = 0

    def take_udp(self) -> Fault:
        """The fault for the next UDP query (NONE once ``count`` is spent)."""
        with self._lock:
            if self.count is not None:
                if self.count <= 0:
                    return Fault.NONE
                self.count -= 1
            if self.fault in _TRUNCATING:
                self._tcp_owed += 1
            return self.fault

    def take_tcp(self) -> Fault:
        """The fault for the next TCP query: the one its UDP truncation promised, if any."""
        with self._lock:
            if self.fault in _TRUNCATING:
                if self.count is None or self._tcp_owed > 0:
                    self._tcp_owed = max(self._tcp_owed - 1, 0)
                    return self.fault
                return Fault.NONE
            if self.count is not None:
                if self.count <= 0:
                    return Fault.NONE
                self.count -= 1
            return self.fault


@dataclass(frozen=True)
class Seen:
    """One query a server received: ``udp``/``tcp``, its question (None if unparsable)."""

    transport: str
    qname: str | None
    qtype: int | None


def _garbage(query_id: int | None, size: int) -> bytes:
    """Deterministic junk of ``size`` octets (at least 13).  Without ``query_id``: QR clear, so
    never anyone's answer.  With it: that ID, QR and AA, one question whose name starts with
    the reserved label type 0x40 (RFC 6891 §5) — SEC-PARSE-01: the receiver must say
    "malformed"."""
    size = max(size, 13)
    if query_id is None:
        return bytes([0x5A, 0xA5, 0x00]) + bytes((i * 97 + 13) % 256 for i in range(size - 3))
    return struct.pack("!HHHHHH", query_id, 0x8400, 1, 0, 0, 0) + b"\x40" * (size - 12)


def _lame(query: dns.message.Message) -> dns.message.Message:
    """RFC 1034 §4.3.2 gone wrong: no AA, a referral up to the root (a lame delegation)."""
    response = dns.message.make_response(query)
    response.flags &= ~dns.flags.AA
    response.authority.append(dns.rrset.from_text(
        dns.name.root, 3600, dns.rdataclass.IN, dns.rdatatype.NS, "a.root-servers.lame."))
    return response


def _without_edns(responder: Answerer, wire: bytes, fault: Fault, *, udp: bool,
                  shuffle: bool) -> bytes | None:
    """A server without EDNS (RFC 6891 §7): FORMERR and no OPT to a query carrying OPT; a
    plain answer (the Responder sends no DNSSEC records without DO, RFC 3225 §3) to one
    without, unless ``fault`` is FORMERR_NO_OPT, which answers FORMERR to that too."""
    try:
        query = dns.message.from_wire(wire)
    except (dns.exception.DNSException, ValueError, IndexError):
        return None
    if query.edns >= 0 or fault is Fault.FORMERR_NO_OPT:
        response = dns.message.make_response(query)
        response.use_edns(False)  # make_response copies the query's EDNS: take it away
        response.set_rcode(dns.rcode.FORMERR)
        return response.to_wire()
    return respond(responder, wire, udp=udp, shuffle=shuffle)


def _no_question(wire: bytes) -> bytes:
    """The same message with its question section removed (QDCOUNT 0)."""
    message = dns.message.from_wire(wire)
    message.question = []
    return message.to_wire(max_size=MAX_PAYLOAD)


def faulty_udp(responder: Answerer, wire: bytes, fault: Fault, *, shuffle: bool = True
               ) -> list[bytes]:
    """The datagrams a server with ``fault`` sends for one UDP query (possibly none)."""
    if fault is Fault.NONE:
        reply = respond(responder, wire, udp=True, shuffle=shuffle)
        return [reply] if reply is not None else []
    if fault is Fault.SILENT:
        return []
    if fault in _EDNS_FAULTS:
        reply = _without_edns(responder, wire, fault, udp=True, shuffle=shuffle)
        return [reply] if reply is not None else []
    try:
        query = dns.message.from_wire(wire)
    except (dns.exception.DNSException, ValueError, IndexError):
        return []
    if fault in _RCODES:
        response = dns.message.make_response(query)
        response.set_rcode(_RCODES[fault])
        return [response.to_wire()]
    if fault in _TRUNCATING:
        truncated = dns.message.make_response(query)
        truncated.flags |= dns.flags.TC | dns.flags.AA
        if fault in _NO_QUESTION:
            truncated.question = []
        return [truncated.to_wire()]
    if fault is Fault.LAME:
        return [_lame(query).to_wire()]
    if fault is Fault.GARBAGE:
        return [_garbage(None, 300)]
    if fault is Fault.GARBAGE_WITH_ID:
        return [_garbage(query.id, 300)]
    good = respond(responder, wire, udp=False, shuffle=shuffle) or b""
    if fault is Fault.OVERSIZE:
        return [good + _garbage(None, OVERSIZE_OCTETS - len(good))]
    if fault is Fault.PADDED:
        response = dns.message.from_wire(good)
        response.use_edns(0, dns.flags.DO, 1232, options=[
            dns.edns.GenericOption(dns.edns.OptionType.PADDING, bytes(PADDING_OCTETS))])
        return [response.to_wire(max_size=MAX_PAYLOAD)]
    if fault is Fault.WRONG_ID:
        return [struct.pack("!H", query.id ^ 0x5A5A) + good[2:]]
    if fault is Fault.WRONG_ID_THEN_ANSWER:
        return [struct.pack("!H", query.id ^ 0x5A5A) + good[2:], good]
    if fault is Fault.WRONG_QUESTION:
        return [_wrong_question(responder, wire)]
    raise AssertionError(f"unhandled fault {fault}")


def _wrong_question(responder: Answerer, wire: bytes) -> bytes:
    """An answer with the query's ID for another name (RFC 5452 §9.2: never ours)."""
    query = dns.message.from_wire(wire)
    other = dns.message.make_query(dns.name.from_text("wrong-question.invalid."),
                                   query.question[0].rdtype)
    other.id = query.id
    return respond(responder, other.to_wire(), udp=False) or _lame(other).to_wire()


class LoopbackServer:
    """UDP and TCP listeners on one (address, port), each in a daemon thread.

    ``plan`` injects a fault (default: none); :attr:`seen` records every query received.
    Over TCP only SILENT, the rcode faults, the EDNS faults and the truncation faults misbehave
    (the others are datagram faults; a TCP query reaches a server only after its TC=1).
    """

    def __init__(self, responder: Answerer, address: str, port: int,
                 plan: FaultPlan | None = None, *, shuffle: bool = True) -> None:
        self.responder = responder
        self.shuffle = shuffle
        self.address = address
        self.plan = plan if plan is not None else FaultPlan()
        self.seen: list[Seen] = []
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.udp.bind((address, port))
        self.tcp.bind((address, self.udp.getsockname()[1]))
        self.port: int = self.udp.getsockname()[1]
        self.tcp.listen(16)
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._serve_udp, daemon=True),
                         threading.Thread(target=self._serve_tcp, daemon=True)]

    def start(self) -> LoopbackServer:
        self.udp.settimeout(0.2)
        self.tcp.settimeout(0.2)
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """Ask both threads to finish, and wake them with an empty datagram and a connection
        instead of waiting for their 0.2 s poll."""
        self._stop.set()
        with contextlib.suppress(OSError):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as wake:
                wake.sendto(b"", (self.address, self.port))
            with socket.create_connection((self.address, self.port), timeout=0.2):
                pass

    def close(self) -> None:
        if not self._stop.is_set():
            self.stop()
        for thread in self._threads:
            thread.join(timeout=2)
        self.udp.close()
        self.tcp.close()

    def _serve_udp(self) -> None:
        while not self._stop.is_set():
            try:
                wire, peer = self.udp.recvfrom(MAX_PAYLOAD)
            except (TimeoutError, OSError):
                continue
            if self._stop.is_set():  # the wake-up datagram of stop()
                return
            self._note("udp", wire)
            fault = self.plan.take_udp()
            for reply in faulty_udp(self.responder, wire, fault, shuffle=self.shuffle):
                with contextlib.suppress(OSError):
                    self.udp.sendto(reply, peer)

    def _note(self, transport: str, wire: bytes) -> None:
        try:
            question = dns.message.from_wire(wire).question[0]
            self.seen.append(Seen(transport, question.name.to_text().lower(),
                                  int(question.rdtype)))
        except Exception:  # lab equipment: record what could not be parsed too
            self.seen.append(Seen(transport, None, None))

    def attempts(self, qname: str | None = None, qtype: int | None = None,
                 transport: str | None = None) -> int:
        """How many queries (optionally for one name/type/transport) this server received."""
        return sum(1 for s in self.seen
                   if (qname is None or s.qname == qname.lower())
                   and (qtype is None or s.qtype == qtype)
                   and (transport is None or s.transport == transport))

    def _serve_tcp(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.tcp.accept()
            except (TimeoutError, OSError):
                continue
            if self._stop.is_set():  # the wake-up connection of stop()
                conn.close()
                return
            with conn:
                conn.settimeout(TCP_CONN_TIMEOUT)
                with contextlib.suppress(OSError, TimeoutError):
                    self._one_tcp(conn)

    def _one_tcp(self, conn: socket.socket) -> None:
        header = _read_exactly(conn, 2)
        if header is None:
            return
        (length,) = struct.unpack("!H", header)
        wire = _read_exactly(conn, length)
        if wire is None:
            return
        self._note("tcp", wire)
        fault = self.plan.take_tcp()
        if fault in _EDNS_FAULTS:
            edns_reply = _without_edns(self.responder, wire, fault, udp=False,
                                       shuffle=self.shuffle)
            if edns_reply is not None:
                conn.sendall(struct.pack("!H", len(edns_reply)) + edns_reply)
            return
        if fault in _RCODES:
            for rcode_reply in faulty_udp(self.responder, wire, fault):
                conn.sendall(struct.pack("!H", len(rcode_reply)) + rcode_reply)
            return
        if fault is Fault.TRUNCATE_TCP_CLOSE:
            return
        reply = respond(self.responder, wire, udp=False, shuffle=self.shuffle) or b""
        if fault is Fault.TRUNCATE_TCP_GARBAGE:
            reply = _garbage(int.from_bytes(wire[:2], "big"), len(reply))
        if fault is Fault.TRUNCATE_NO_QUESTION_TCP_NO_QUESTION and reply:
            reply = _no_question(reply)
        if fault is Fault.TRUNCATE_NO_QUESTION_TCP_WRONG_QUESTION:
            reply = _wrong_question(self.responder, wire)
        if fault in (Fault.SILENT, Fault.TRUNCATE_TCP_PARTIAL, Fault.TRUNCATE_TCP_STALL):
            if fault is not Fault.SILENT:  # the length prefix, then half the message
                conn.sendall(struct.pack("!H", len(reply)) + reply[: len(reply) // 2])
            if fault is not Fault.TRUNCATE_TCP_PARTIAL:
                _read_exactly(conn, 1)  # hold the connection until the client gives up
            return
        if reply:
            conn.sendall(struct.pack("!H", len(reply)) + reply)


def _read_exactly(conn: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


@contextlib.contextmanager
def serving(
    responders: Mapping[str, Answerer],
    port: int,
    faults: dict[str, FaultPlan] | None = None,
    *,
    shuffle: bool = True,
) -> Iterator[dict[str, LoopbackServer]]:
    """Start one LoopbackServer per address (all on ``port``), with the fault plans given per
    address (and RRset shuffling, see :func:`respond`); stop them all on exit."""
    servers: dict[str, LoopbackServer] = {}
    plans = faults or {}
    try:
        for address, responder in responders.items():
            servers[address] = LoopbackServer(
                responder, address, port, plans.get(address), shuffle=shuffle
            ).start()
        yield servers
    finally:
        for server in servers.values():  # all threads stop together, then each is joined
            server.stop()
        for server in servers.values():
            server.close()


#: Random high ports tried before :func:`serving_on_a_free_port` gives up (policy).
FREE_PORT_TRIES = 20


@contextlib.contextmanager
def serving_on_a_free_port(
    responders: Mapping[str, Answerer],
    faults: dict[str, FaultPlan] | None = None,
    *,
    shuffle: bool = True,
    tries: int = FREE_PORT_TRIES,
    port: int | None = None,
) -> Iterator[tuple[int, dict[str, LoopbackServer]]]:
    """:func:`serving` on one port that is free on every address (the lab's servers share a
    port, as an iterative resolver expects), tried among random high ports (or only ``port``
    when given); yields that port and the servers.  Raises OSError when none binds."""
    rng = random.SystemRandom()
    with contextlib.ExitStack() as stack:
        for _ in range(1 if port is not None else tries):
            chosen = port if port is not None else rng.randrange(20000, 60000)
            try:
                servers = stack.enter_context(serving(responders, chosen, faults,
                                                      shuffle=shuffle))
            except OSError:  # taken on one of the addresses: try another port
                continue
            break
        else:
            raise OSError("no loopback port free on every lab address")
        yield chosen, servers
