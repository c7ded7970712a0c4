"""In-process DNS servers for the transport tests: UDP and TCP on 127.0.0.x, one thread each.

A server calls a *handler* with each :class:`Request` and sends what it returns:

- ``None``: nothing (a server that never answers);
- a :class:`dns.message.Message` or raw ``bytes``: one answer (raw bytes allow garbage);
- :class:`Spoof`: a datagram sent from another local address (UDP only);
- :class:`Delay`: sleep before the next item; :class:`Close`: close the TCP connection;
- a list of the above, in order (e.g. a wrong-ID answer, then the right one).

:class:`Farm` starts several servers on one common high port (Linux routes all of 127/8 to
``lo``), because the iterative transport contacts every authority on the same port.
:class:`MiniAuth` is a tiny authoritative server over zone texts (referrals with glue, CNAME,
NODATA, NXDOMAIN; no DNSSEC) for the iterative tests.
"""

from __future__ import annotations

import random
import selectors
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from dns.name import Name

TCP_READ_TIMEOUT = 2.0


@dataclass
class Request:
    transport: str  # "udp" or "tcp"
    client: tuple[str, int]
    wire: bytes
    query: dns.message.Message | None  # None when the query did not parse
    server: DnsServer

    @property
    def qname(self) -> Name:
        assert self.query is not None
        return self.query.question[0].name

    @property
    def qtype(self) -> int:
        assert self.query is not None
        return int(self.query.question[0].rdtype)


@dataclass
class Spoof:
    data: bytes | dns.message.Message
    source: str  # a 127.0.0.x address to send from


@dataclass
class Delay:
    seconds: float


@dataclass
class Close:
    """Close the TCP connection now (ignored over UDP)."""


Item = bytes | dns.message.Message | Spoof | Delay | Close
Reply = Item | list[Item] | None
Handler = Callable[[Request], Reply]


def reply_to(
    query: dns.message.Message | None,
    rcode: dns.rcode.Rcode = dns.rcode.NOERROR,
    *,
    aa: bool = True,
) -> dns.message.Message:
    """A response echoing the query's ID, question (its exact case) and EDNS.

    ``query`` is a :attr:`Request.query`: it must have parsed (asserted)."""
    assert query is not None
    response = dns.message.make_response(query)
    response.set_rcode(rcode)
    if aa:
        response.flags |= dns.flags.AA
    return response


def rrset(text: str) -> dns.rrset.RRset:
    """``"name ttl TYPE rdata..."`` → an IN RRset."""
    name, ttl, rdtype, *rdata = text.split()
    return dns.rrset.from_text(name, int(ttl), "IN", rdtype, " ".join(rdata))


def answer(request: Request, *records: str, aa: bool = True) -> dns.message.Message:
    assert request.query is not None
    response = reply_to(request.query, aa=aa)
    for text in records:
        response.answer.append(rrset(text))
    return response


class DnsServer:
    """One address, UDP and (optionally) TCP, served by a thread until :meth:`stop`."""

    def __init__(self, address: str, port: int, handler: Handler, *, tcp: bool = True) -> None:
        self.address = address
        self.handler = handler
        self.requests: list[Request] = []
        self.errors: list[BaseException] = []
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        self.udp = socket.socket(family, socket.SOCK_DGRAM)
        self.tcp: socket.socket | None = None
        try:
            self.udp.bind((address, port))
            self.port = self.udp.getsockname()[1]
            if tcp:
                self.tcp = socket.socket(family, socket.SOCK_STREAM)
                self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                self.tcp.bind((address, self.port))
                self.tcp.listen(16)
        except OSError:
            self.close()
            raise
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name=f"dns-{address}")

    def start(self) -> DnsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
        self.close()

    def close(self) -> None:
        self.udp.close()
        if self.tcp is not None:
            self.tcp.close()

    def __enter__(self) -> DnsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what the server saw -----------------------------------------------------------------

    def asked(self, transport: str | None = None) -> list[tuple[str, str]]:
        """(name, type) of each parsed query, lowercased, optionally for one transport."""
        return [
            (r.qname.to_text().lower(), dns.rdatatype.to_text(r.query.question[0].rdtype))
            for r in self.requests
            if r.query is not None and (transport is None or r.transport == transport)
        ]

    # -- serving ------------------------------------------------------------------------------

    def _serve(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self.udp, selectors.EVENT_READ)
        if self.tcp is not None:
            selector.register(self.tcp, selectors.EVENT_READ)
        with selector:
            while not self._stop.is_set():
                for key, _ in selector.select(0.05):
                    try:
                        if key.fileobj is self.udp:
                            self._udp_one()
                        else:
                            self._tcp_one()
                    except OSError:
                        if self._stop.is_set():
                            return
                    except Exception as exc:  # reported to the test through .errors
                        self.errors.append(exc)

    def _request(self, transport: str, client: tuple[str, int], wire: bytes) -> Reply:
        try:
            query: dns.message.Message | None = dns.message.from_wire(wire)
        except Exception:
            query = None
        request = Request(transport, client, wire, query, self)
        self.requests.append(request)
        return self.handler(request)

    def _udp_one(self) -> None:
        wire, client = self.udp.recvfrom(65535)
        for item in _items(self._request("udp", client[:2], wire)):
            if isinstance(item, Delay):
                time.sleep(item.seconds)
            elif isinstance(item, Close):
                continue
            elif isinstance(item, Spoof):
                family = socket.AF_INET6 if ":" in item.source else socket.AF_INET
                with socket.socket(family, socket.SOCK_DGRAM) as other:
                    other.bind((item.source, 0))
                    other.sendto(_wire(item.data), client)
            else:
                self.udp.sendto(_wire(item), client)

    def _tcp_one(self) -> None:
        assert self.tcp is not None
        conn, client = self.tcp.accept()
        with conn:
            conn.settimeout(TCP_READ_TIMEOUT)
            while True:
                try:
                    length = _recv_exact(conn, 2)
                    if length is None:
                        return
                    wire = _recv_exact(conn, int.from_bytes(length, "big"))
                    if wire is None:
                        return
                except OSError:
                    return
                for item in _items(self._request("tcp", client[:2], wire)):
                    if isinstance(item, Delay):
                        time.sleep(item.seconds)
                    elif isinstance(item, Close):
                        return
                    elif isinstance(item, Spoof):
                        continue
                    else:
                        data = _wire(item)
                        conn.sendall(len(data).to_bytes(2, "big") + data)


def _items(reply: Reply) -> list[Item]:
    if reply is None:
        return []
    return list(reply) if isinstance(reply, list) else [reply]


def _wire(data: bytes | dns.message.Message) -> bytes:
    return data if isinstance(data, bytes) else data.to_wire()


def _recv_exact(conn: socket.socket, count: int) -> bytes | None:
    buffer = b""
    while len(buffer) < count:
        chunk = conn.recv(count - len(buffer))
        if not chunk:
            return None
        buffer += chunk
    return buffer


class Farm:
    """Several servers on one common high port: ``with Farm({addr: handler}) as farm``."""

    def __init__(self, handlers: dict[str, Handler], *, tcp: bool = True) -> None:
        self.handlers = handlers
        self.tcp = tcp
        self.servers: dict[str, DnsServer] = {}
        self.port = 0

    def __enter__(self) -> Farm:
        rng = random.Random()
        for _ in range(50):
            port = rng.randrange(20000, 60000)
            servers: list[DnsServer] = []
            try:
                for address, handler in self.handlers.items():
                    servers.append(DnsServer(address, port, handler, tcp=self.tcp))
            except OSError:
                for server in servers:
                    server.close()
                continue
            self.port = port
            self.servers = {s.address: s.start() for s in servers}
            return self
        raise RuntimeError("no common free port for the test servers")

    def __exit__(self, *exc: object) -> None:
        for server in self.servers.values():
            server.stop()

    def __getitem__(self, address: str) -> DnsServer:
        return self.servers[address]

    @property
    def errors(self) -> list[BaseException]:
        return [e for s in self.servers.values() for e in s.errors]

    def total(self) -> int:
        return sum(len(s.requests) for s in self.servers.values())


# -- a tiny authoritative server ------------------------------------------------------------


@dataclass
class MiniZone:
    origin: Name
    records: dict[tuple[Name, int], dns.rrset.RRset] = field(default_factory=dict)

    def names(self) -> Iterable[Name]:
        return {name for name, _ in self.records}

    def get(self, name: Name, rdtype: int) -> dns.rrset.RRset | None:
        return self.records.get((name, rdtype))


class MiniAuth:
    """Authoritative answers from zone texts: ``MiniAuth(("test.", "lines..."), ...)``.

    Each line is ``name ttl TYPE rdata`` with absolute names.  Records whose owner is outside
    the zone are served only as additional data (that is how tests offer out-of-bailiwick
    glue).  A DS question at a zone apex is answered from the parent when it is served here.
    """

    def __init__(self, *zones: tuple[str, str]) -> None:
        self.zones: list[MiniZone] = []
        for origin, text in zones:
            zone = MiniZone(dns.name.from_text(origin))
            for line in text.strip().splitlines():
                if line.strip():
                    rr = rrset(line.strip())
                    key = (rr.name, int(rr.rdtype))
                    if key in zone.records:
                        # dnspython's Rdataset.union_update is unannotated
                        zone.records[key].union_update(rr)  # type: ignore[no-untyped-call]
                    else:
                        zone.records[key] = rr
            self.zones.append(zone)

    def zone_for(self, qname: Name, qtype: int) -> MiniZone | None:
        candidates = [z for z in self.zones if qname.is_subdomain(z.origin)]
        candidates.sort(key=lambda z: len(z.origin), reverse=True)
        if qtype == dns.rdatatype.DS and candidates and qname == candidates[0].origin:
            candidates = candidates[1:] or candidates
        return candidates[0] if candidates else None

    def __call__(self, request: Request) -> Reply:
        if request.query is None:
            return None
        query = request.query
        qname, qtype = request.qname, request.qtype
        zone = self.zone_for(qname, qtype)
        if zone is None:
            return reply_to(query, dns.rcode.REFUSED, aa=False)
        response = reply_to(query)
        # the first zone cut on the way down from the origin
        depth = len(zone.origin)
        while depth < len(qname):
            depth += 1
            cut = qname.split(depth)[1]
            ns = zone.get(cut, dns.rdatatype.NS)
            if ns is None:
                continue
            if qtype == dns.rdatatype.DS and cut == qname:
                break  # the parent side answers DS
            response.flags &= ~dns.flags.AA
            response.authority.append(ns)
            ds = zone.get(cut, dns.rdatatype.DS)
            if ds is not None:
                response.authority.append(ds)
            for rdata in ns:
                for glue_type in (dns.rdatatype.A, dns.rdatatype.AAAA):
                    glue = zone.get(rdata.target, glue_type)
                    if glue is not None:
                        response.additional.append(glue)
            return response
        found = zone.get(qname, qtype)
        if found is not None and qname.is_subdomain(zone.origin):
            response.answer.append(found)
            return response
        cname = zone.get(qname, dns.rdatatype.CNAME)
        if cname is not None:
            response.answer.append(cname)
            return response
        soa = zone.get(zone.origin, dns.rdatatype.SOA)
        if soa is not None:
            response.authority.append(soa)
        exists = any(
            name.is_subdomain(qname) for name in zone.names() if name.is_subdomain(zone.origin)
        )
        if not exists:
            response.set_rcode(dns.rcode.NXDOMAIN)
        return response
