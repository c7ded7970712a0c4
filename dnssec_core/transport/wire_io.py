"""One DNS query to one server and its answer: UDP, then TCP when the answer is truncated.

This module and its siblings in :mod:`dnssec_core.transport` are the only code that opens
sockets (STYLE §1).  dnspython parses the answers; the queries are encoded by
:mod:`dnssec_core.transport.query_wire`; sending, matching, timeouts and retries are ours.

- SEC-NET-01: every query gets a fresh random 16-bit ID (:mod:`secrets`) and a fresh UDP socket
  bound to port 0, so the kernel picks a random ephemeral source port per query (RFC 5452 §9.2,
  §10).  A datagram counts as the answer only if its source address and port are the server's,
  its ID is ours, QR is set and its question is ours (class IN, same type, same name —
  case-insensitively, or exactly when 0x20 is on, SEC-NET-07); anything else is ignored and we
  keep listening until the attempt's deadline.
- SEC-NET-03: TC=1 → the same question over TCP with the two-octet length prefix (RFC 7766 §5,
  §8; RFC 1035 §4.2.2).  Every socket operation has a timeout; every attempt has a deadline.
- SEC-NET-03: a TC=1 answer that dropped its question section (some servers truncate
  everything) is still the truncated answer to our query when its ID, source and QR match:
  it sends the question over TCP too, and the TCP answer must carry our question.
- SEC-NET-04: EDNS0 with the DO bit and a 1232-octet payload on every query; CD is set too
  (SEC-NET-05: we validate ourselves).  A server without EDNS answers such a query FORMERR
  with no OPT record (RFC 6891 §7); then the same question is asked once more without OPT
  (RFC 6891 §6.2.2 fallback), and :class:`EdnsMemory` remembers the server for a while so the
  next questions go plain at once.  A plain answer carries no DNSSEC records (no DO bit, RFC
  3225 §3): the engine proves the name insecure or calls it bogus, never secure.  Where
  signatures are expected (a recursive; the root or a zone with a signed DS) the transports
  then ask once more with EDNS and no second fallback (``fall_back=False``), so one forged
  FORMERR costs two messages, not the answer.  A FORMERR *with* OPT is a real format error
  and is not retried without EDNS (RFC 6891 §7).
- SEC-PARSE-01: bytes that claim to be our answer but do not parse give a
  ``Failure(MALFORMED)``; nothing here raises on hostile input.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from random import Random

import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rdataclass
from dns.name import Name

from dnssec_core import limits
from dnssec_core.chain.types import FailureKind, LookupFailure
from dnssec_core.transport.query_wire import OutgoingQuery, build_query
from dnssec_core.wire.message import Rcode, rcode_text
from dnssec_core.wire.name import names_equal

DNS_PORT = 53
HEADER_OCTETS = 12  # RFC 1035 §4.1.1
TCP_LENGTH_OCTETS = 2  # RFC 1035 §4.2.2
MAX_REASONS_SHOWN = 8  # distinct failure reasons quoted in one LookupFailure detail


@dataclass(frozen=True, slots=True)
class Server:
    """One server address: an IPv4 or IPv6 literal and a port (no host names: nothing here
    may depend on a system resolver)."""

    address: str
    port: int = DNS_PORT

    def __post_init__(self) -> None:
        try:
            ip = ipaddress.ip_address(self.address)
        except ValueError:
            raise ValueError(f"{self.address!r} is not an IPv4 or IPv6 address") from None
        if not 0 < self.port < 65536:
            raise ValueError(f"port {self.port} is outside 1..65535")
        object.__setattr__(self, "address", ip.compressed)

    @property
    def family(self) -> socket.AddressFamily:
        return socket.AF_INET6 if ":" in self.address else socket.AF_INET

    def __str__(self) -> str:
        if self.port == DNS_PORT:
            return self.address
        return f"{self.address}#{self.port}"


def parse_server(text: str, default_port: int = DNS_PORT) -> Server:
    """Parse ``--resolver HOST[:PORT]``: ``192.0.2.1``, ``192.0.2.1:5353``, ``2001:db8::1``,
    ``[2001:db8::1]:5353``.  Raises :class:`ValueError` with a one-line message."""
    spec = text.strip()
    host, port_text = spec, None
    if spec.startswith("["):
        close = spec.find("]")
        if close < 0:
            raise ValueError(f"{text!r}: missing ']' after an IPv6 address")
        host, rest = spec[1:close], spec[close + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"{text!r}: expected ':PORT' after ']'")
            port_text = rest[1:]
    elif spec.count(":") == 1:
        host, port_text = spec.split(":")
    port = default_port
    if port_text is not None:
        if not port_text.isdigit() or len(port_text) > 5:
            raise ValueError(f"{text!r}: port {port_text!r} is not a number")
        port = int(port_text)
    try:
        return Server(host, port)
    except ValueError as exc:
        raise ValueError(f"{text!r}: {exc}") from None


@dataclass(frozen=True, slots=True)
class Failure:
    """Why one exchange with one server produced no usable message."""

    kind: FailureKind
    detail: str


@dataclass(slots=True)
class Exchange:
    """The outcome of :func:`exchange`: a matched, parsed message or a failure, and the number
    of messages sent to get it (1, 2 after a truncated UDP answer or a FORMERR without OPT, up
    to 4 when both happen).  ``edns``: the message that got the outcome carried an OPT record;
    ``fallback``: the server answered FORMERR without OPT and was asked again without EDNS
    (RFC 6891 §6.2.2); ``no_edns``: it answered FORMERR without OPT and, with
    ``fall_back=False``, was not asked again."""

    outcome: dns.message.Message | Failure
    sent: int = 1
    via_tcp: bool = False
    ignored: list[str] = field(default_factory=list)
    edns: bool = True
    fallback: bool = False
    no_edns: bool = False


class EdnsMemory:
    """Servers that answered an EDNS query FORMERR without OPT (RFC 6891 §7): asked without
    OPT for ``seconds`` (RFC 6891 §6.2.2: "MAY cache this knowledge for a brief time"), then
    probed with EDNS again.  Bounded like the iterative transport's memory of unresponsive
    servers: at most ``entries`` servers, the oldest forgotten first (SEC-LIM-05).

    One per transport object; ``clock`` is a monotonic clock (tests pass their own)."""

    def __init__(
        self,
        *,
        seconds: float = limits.NO_EDNS_SERVER_SECONDS,
        entries: int = limits.NO_EDNS_SERVER_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.entries = entries
        self.clock = clock
        self._until: dict[Server, float] = {}

    def lacks_edns(self, server: Server) -> bool:
        """Was ``server`` seen answering FORMERR without OPT less than ``seconds`` ago?"""
        until = self._until.get(server)
        if until is None:
            return False
        if until <= self.clock():
            del self._until[server]
            return False
        return True

    def remember(self, server: Server) -> None:
        if self.entries <= 0 or self.seconds <= 0:
            return
        self._until.pop(server, None)
        while len(self._until) >= self.entries:
            del self._until[next(iter(self._until))]
        self._until[server] = self.clock() + self.seconds

    def forget(self, server: Server) -> None:
        self._until.pop(server, None)

    def servers(self) -> list[str]:
        """The servers currently remembered (for tests and --trace), sorted."""
        return sorted(str(s) for s in list(self._until) if self.lacks_edns(s))


def make_query(
    name: Name,
    rdtype: int,
    *,
    recursion_desired: bool,
    randomize_case: Random | None = None,
) -> OutgoingQuery:
    """A class-IN query with EDNS0, DO and CD set (SEC-NET-04/05); RD only for a stub.

    ``randomize_case`` turns on 0x20 (SEC-NET-07): each letter of the name is upper- or
    lower-cased at random.  The ID is set per attempt by :func:`exchange`; the rest of the
    message is encoded once, by :mod:`dnssec_core.transport.query_wire`.
    """
    qname = _mix_case(name, randomize_case) if randomize_case is not None else name
    return build_query(qname, rdtype, recursion_desired=recursion_desired)


def _mix_case(name: Name, rng: Random) -> Name:
    labels = []
    for label in name.labels:
        octets = bytearray(label)
        for i, octet in enumerate(octets):
            if 0x41 <= octet <= 0x5A or 0x61 <= octet <= 0x7A:
                octets[i] = octet | 0x20 if rng.getrandbits(1) else octet & ~0x20
        labels.append(bytes(octets))
    return dns.name.Name(labels)


def rcode_failure(rcode: int) -> FailureKind | None:
    """The failure an rcode means for the transport, or None for NOERROR and NXDOMAIN."""
    if rcode in (Rcode.NOERROR, Rcode.NXDOMAIN):
        return None
    if rcode == Rcode.SERVFAIL:
        return FailureKind.SERVFAIL
    if rcode in (Rcode.REFUSED, Rcode.NOTIMP):
        return FailureKind.REFUSED
    if rcode == Rcode.FORMERR:
        return FailureKind.FORMERR
    return FailureKind.SERVFAIL  # BADVERS and the other extended codes: the server failed us


def exchange(
    query: OutgoingQuery,
    server: Server,
    *,
    udp_timeout: float = limits.UDP_TIMEOUT_SECONDS,
    tcp_timeout: float = limits.TCP_TIMEOUT_SECONDS,
    exact_case: bool = False,
    edns_memory: EdnsMemory | None = None,
    fall_back: bool = True,
) -> Exchange:
    """Send ``query`` to ``server`` over UDP (TCP if the answer is truncated) and return the
    matching answer, parsed, or a :class:`Failure`.  Never raises for network or data errors.

    ``exact_case`` requires the answer's question name to repeat ours octet for octet (0x20).

    A FORMERR without OPT to a query with OPT (RFC 6891 §7: the server does not implement
    EDNS) sends the question again without OPT, within what is left of the time the first
    try could have taken (``udp_timeout + tcp_timeout``: the exchange stays bounded as
    before).  ``edns_memory`` (if given) remembers the server once the plain query got a
    real answer (NOERROR or NXDOMAIN), and a remembered server is asked without OPT from the
    start.  Callers pass it only where no DNSSEC is expected (as Unbound caches "no EDNS"
    only for domains without DNSSEC): one forged FORMERR must not switch a signed zone's
    servers to plain DNS for minutes.  A FORMERR to the plain query too is a FORMERR
    failure, and the server is forgotten.

    ``fall_back=False`` (the iterative transport's second EDNS try at a server of a zone
    expected signed) asks with OPT only: a FORMERR without OPT is then a FORMERR failure
    (``no_edns`` set), with no plain query after it."""
    if edns_memory is not None and query.edns >= 0 and edns_memory.lacks_edns(server):
        plain = query.without_edns()
        result = _attempt(plain, server, udp_timeout, tcp_timeout, exact_case)
        result.edns = False
        return _plain_formerr(result, server, edns_memory)
    deadline = time.monotonic() + udp_timeout + tcp_timeout
    first = _attempt(query, server, udp_timeout, tcp_timeout, exact_case)
    if first.outcome is not _NO_EDNS:
        return first
    if not fall_back:
        first.no_edns = True
        return first
    left = max(deadline - time.monotonic(), 0.001)
    second = _attempt(
        query.without_edns(), server, min(udp_timeout, left), min(tcp_timeout, left), exact_case
    )
    if (
        edns_memory is not None
        and isinstance(second.outcome, dns.message.Message)
        and rcode_failure(int(second.outcome.rcode())) is None
    ):  # remembered only once plain DNS gave a real answer (NOERROR or NXDOMAIN)
        edns_memory.remember(server)
    second.sent += first.sent
    second.ignored[:0] = first.ignored
    second.via_tcp = second.via_tcp or first.via_tcp
    second.edns = False
    second.fallback = True
    return _plain_formerr(second, server, edns_memory)


def _attempt(
    query: OutgoingQuery,
    server: Server,
    udp_timeout: float,
    tcp_timeout: float,
    exact_case: bool,
) -> Exchange:
    """One try with one query: UDP, then TCP after TC=1 (SEC-NET-03); a fresh ID each."""
    query.id = secrets.randbits(16)
    first = _udp(query, server, udp_timeout, exact_case)
    if isinstance(first, Exchange):
        return first
    query.id = secrets.randbits(16)
    second = _tcp(query, server, tcp_timeout, exact_case)
    second.sent += 1
    second.ignored[:0] = first.ignored
    return second


def _plain_formerr(result: Exchange, server: Server, memory: EdnsMemory | None) -> Exchange:
    """The outcome of a query without OPT: a FORMERR to it says the server fails plain DNS
    too (no reason left to blame EDNS, so it is forgotten)."""
    outcome = result.outcome
    if (isinstance(outcome, Failure) and outcome.kind is FailureKind.FORMERR) or (
        isinstance(outcome, dns.message.Message) and int(outcome.rcode()) == Rcode.FORMERR
    ):  # also the FORMERR without a question (and _NO_EDNS, which cannot happen here)
        if memory is not None:
            memory.forget(server)
        outcome = Failure(
            FailureKind.FORMERR,
            "rcode FORMERR to the query without EDNS as well as with it (RFC 6891 §7)"
            if result.fallback else "rcode FORMERR to a query without EDNS",
        )
    result.outcome = outcome
    return result


#: How :func:`summarize` breaks a tie between failure kinds: earlier wins.
TIE_ORDER: tuple[FailureKind, ...] = (
    FailureKind.LIMIT,
    FailureKind.MALFORMED,
    FailureKind.LAME,
    FailureKind.FORMERR,
    FailureKind.NETWORK,
    FailureKind.REFUSED,
    FailureKind.SERVFAIL,
    FailureKind.TIMEOUT,
)


def summarize(
    failures: Sequence[Failure], servers: Sequence[Server], *, prefix: str
) -> LookupFailure:
    """One LookupFailure for a list of failed attempts: the most frequent kind, every distinct
    reason in order, the number of attempts and the servers.

    A tie goes to the kind that says the most against the servers (:data:`TIE_ORDER`: a
    malformed or lame answer before an error rcode before silence), never to whichever server
    happened to be asked last — the iterative transport shuffles servers, and BR-CAA-07's
    decision reads the kind, so the same failures must always give the same kind."""
    if not failures:
        return LookupFailure(FailureKind.LAME, f"{prefix}: no server to ask", 0, ())
    counts = Counter(f.kind for f in failures)
    best = max(counts.values())
    kind = min((k for k, n in counts.items() if n == best), key=TIE_ORDER.index)
    reasons: list[str] = []
    for failure in failures:
        if failure.detail not in reasons:
            reasons.append(failure.detail)
    shown = "; ".join(reasons[:MAX_REASONS_SHOWN])
    if len(reasons) > MAX_REASONS_SHOWN:
        shown += f"; and {len(reasons) - MAX_REASONS_SHOWN} more"
    return LookupFailure(
        kind,
        f"{prefix}: {shown}",
        len(failures),
        tuple(dict.fromkeys(str(s) for s in servers)),
    )


# -- matching (RFC 5452 §9.2) -------------------------------------------------------------------


class _Truncated:
    """The matched UDP answer had TC=1: ask again over TCP."""

    def __init__(self) -> None:
        self.ignored: list[str] = []


class _Ignore:
    def __init__(self, why: str) -> None:
        self.why = why


#: What :func:`_match` gives for a FORMERR without OPT to a query with OPT: the server does
#: not implement EDNS (RFC 6891 §7).  :func:`exchange` tells it apart by identity and asks
#: again without OPT; were it ever to leak out, it is an honest FORMERR failure.
_NO_EDNS = Failure(FailureKind.FORMERR, "rcode FORMERR without OPT: the server does not do EDNS")


def _match(
    wire: bytes, query: OutgoingQuery, exact_case: bool
) -> dns.message.Message | Failure | _Truncated | _Ignore:
    """Decide what one received message is: our answer, a failure, or someone else's."""
    if len(wire) < HEADER_OCTETS:
        return _Ignore(f"{len(wire)}-octet datagram")
    if int.from_bytes(wire[:2], "big") != query.id:
        return _Ignore("wrong ID")
    if not wire[2] & 0x80:  # QR, RFC 1035 §4.1.1
        return _Ignore("not a response (QR=0)")
    try:
        head = dns.message.from_wire(wire, question_only=True)
    except Exception as exc:  # SEC-PARSE-01: hostile octets, any parser complaint
        return Failure(FailureKind.MALFORMED, f"unparsable answer header: {_short(exc)}")
    if head.opcode() != dns.opcode.QUERY:
        return _Ignore("opcode is not QUERY")
    if not head.question:
        if head.flags & dns.flags.TC:
            # RFC 7766 §5 (SEC-NET-03): some servers truncate the question away too; ID,
            # source and QR matched, so it is our truncated answer — the TCP answer must
            # then carry our question (checked there like any other)
            return _Truncated()
        if _lacks_edns(wire, query):
            return _NO_EDNS
        kind = rcode_failure(head.rcode())
        if kind is not None:  # some servers drop the question in FORMERR/REFUSED answers
            return Failure(kind, f"rcode {rcode_text(head.rcode())} without a question")
        return _Ignore("answer without a question")
    if not _same_question(head, query, exact_case):
        return _Ignore("answer for another question")
    if head.flags & dns.flags.TC:
        return _Truncated()
    if _lacks_edns(wire, query):
        return _NO_EDNS
    try:
        return dns.message.from_wire(wire)
    except Exception as exc:  # SEC-PARSE-01
        return Failure(FailureKind.MALFORMED, f"unparsable answer: {_short(exc)}")


def _lacks_edns(wire: bytes, query: OutgoingQuery) -> bool:
    """RFC 6891 §7: a FORMERR without an OPT record to a query that had one — the server does
    not implement EDNS.  (A FORMERR *with* OPT is a real format error: no fallback.)"""
    if query.edns < 0 or wire[3] & 0x0F != Rcode.FORMERR:
        return False
    if int.from_bytes(wire[10:12], "big") == 0:  # ARCOUNT 0: no OPT anywhere
        return True
    try:
        answer = dns.message.from_wire(wire)
    except Exception:  # SEC-PARSE-01: unparsable; not evidence of anything
        return False
    return answer.edns < 0


def _same_question(
    answer: dns.message.Message, query: OutgoingQuery, exact: bool
) -> bool:
    if len(answer.question) != 1:
        return False
    got = answer.question[0]
    if got.rdtype != query.rdtype or got.rdclass != dns.rdataclass.IN:
        return False
    if exact:
        return bool(got.name.labels == query.name.labels)
    return names_equal(got.name, query.name)


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _same_source(source: tuple[object, ...], server: Server) -> bool:
    try:
        address = ipaddress.ip_address(str(source[0]).split("%")[0]).compressed
    except ValueError:
        return False
    return address == server.address and source[1] == server.port


# -- UDP -------------------------------------------------------------------------------------


def _udp(
    query: OutgoingQuery, server: Server, timeout: float, exact: bool
) -> Exchange | _Truncated:
    deadline = time.monotonic() + timeout
    ignored: list[str] = []
    wire = query.to_wire()
    try:
        with socket.socket(server.family, socket.SOCK_DGRAM) as sock:
            sock.settimeout(timeout)
            # Port 0: a fresh random ephemeral port for this query (SEC-NET-01).
            sock.bind(("::" if server.family == socket.AF_INET6 else "0.0.0.0", 0))
            sock.connect((server.address, server.port))
            sock.send(wire)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                sock.settimeout(remaining)
                data, source = sock.recvfrom(limits.MAX_MESSAGE_OCTETS)
                if not _same_source(source, server):
                    ignored.append(f"datagram from {source[0]}#{source[1]}")
                    continue
                verdict = _match(data, query, exact)
                if isinstance(verdict, _Ignore):
                    ignored.append(verdict.why)
                    continue
                if isinstance(verdict, _Truncated):
                    verdict.ignored = ignored
                    return verdict
                return Exchange(verdict, ignored=ignored)
    except TimeoutError:
        detail = f"no answer within {timeout:g} s over UDP"
        if ignored:
            detail += f" ({len(ignored)} unrelated message(s) ignored: {ignored[-1]})"
        return Exchange(Failure(FailureKind.TIMEOUT, detail), ignored=ignored)
    except OSError as exc:
        return Exchange(Failure(FailureKind.NETWORK, f"UDP: {_os_error(exc)}"), ignored=ignored)


def _os_error(exc: OSError) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "port unreachable (connection refused)"
    return exc.strerror or _short(exc)


# -- TCP (RFC 7766) --------------------------------------------------------------------------


class _Closed(Exception):
    pass


def _tcp(query: OutgoingQuery, server: Server, timeout: float, exact: bool) -> Exchange:
    """One query on a new TCP connection; answers to other IDs on it are skipped (RFC 7766
    §7 lets a server answer pipelined queries in any order)."""
    deadline = time.monotonic() + timeout
    ignored: list[str] = []
    wire = query.to_wire()
    try:
        with socket.socket(server.family, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect((server.address, server.port))
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            sock.sendall(len(wire).to_bytes(TCP_LENGTH_OCTETS, "big") + wire)
            while True:
                length = int.from_bytes(_read(sock, TCP_LENGTH_OCTETS, deadline), "big")
                data = _read(sock, length, deadline)
                verdict = _match(data, query, exact)
                if isinstance(verdict, _Ignore):
                    ignored.append(verdict.why)
                    continue
                if isinstance(verdict, _Truncated):
                    verdict = Failure(FailureKind.MALFORMED, "TC=1 in an answer over TCP")
                return Exchange(verdict, via_tcp=True, ignored=ignored)
    except TimeoutError:
        detail = f"no answer within {timeout:g} s over TCP{_ignored_note(ignored)}"
        return Exchange(Failure(FailureKind.TIMEOUT, detail), via_tcp=True, ignored=ignored)
    except _Closed as exc:
        detail = f"TCP: {exc}{_ignored_note(ignored)}"
        return Exchange(Failure(FailureKind.NETWORK, detail), via_tcp=True, ignored=ignored)
    except OSError as exc:
        return Exchange(
            Failure(FailureKind.NETWORK, f"TCP: {_os_error(exc)}"), via_tcp=True, ignored=ignored
        )


def _ignored_note(ignored: list[str]) -> str:
    """Why a TCP answer did not count, for the failure's detail (e.g. another question)."""
    if not ignored:
        return ""
    return f" ({len(ignored)} unrelated message(s) ignored: {ignored[-1]})"


def _read(sock: socket.socket, count: int, deadline: float) -> bytes:
    buffer = bytearray()
    while len(buffer) < count:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        sock.settimeout(remaining)
        chunk = sock.recv(count - len(buffer))
        if not chunk:
            raise _Closed(f"connection closed after {len(buffer)} of {count} octets")
        buffer += chunk
    return bytes(buffer)
