"""Serve a :class:`~dnssec_core.auth.responder.Responder` over UDP and TCP on loopback.

Used by ``dnssec-core demo`` and the integration tests: one server thread pair per address,
answering like an authoritative server (RFC 1035 §4.2; RFC 7766 for TCP; EDNS0 payload and
truncation per RFC 6891 §6.2.3-6.2.5).  This module serves; it is not the resolver's
transport, which lives in :mod:`dnssec_core.transport`.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator

import dns.exception
import dns.flags
import dns.message
import dns.rcode

from dnssec_core.auth.responder import Responder

UDP_DEFAULT_PAYLOAD = 512  # RFC 1035 §4.2.1, without EDNS0
MAX_PAYLOAD = 65535


def respond(responder: Responder, wire: bytes, *, udp: bool) -> bytes | None:
    """One query in, one response out (None: drop, e.g. unparsable or not a query)."""
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
        return response.to_wire(max_size=limit)
    except dns.exception.TooBig:  # RFC 2181 §9: set TC and send what fits (here: nothing)
        truncated = dns.message.make_response(query)
        truncated.flags |= dns.flags.TC | (response.flags & dns.flags.AA)
        truncated.set_rcode(response.rcode())
        return truncated.to_wire(max_size=limit)


class LoopbackServer:
    """UDP and TCP listeners on one (address, port), each in a daemon thread."""

    def __init__(self, responder: Responder, address: str, port: int) -> None:
        self.responder = responder
        self.address = address
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

    def close(self) -> None:
        self._stop.set()
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
            reply = respond(self.responder, wire, udp=True)
            if reply is not None:
                with contextlib.suppress(OSError):
                    self.udp.sendto(reply, peer)

    def _serve_tcp(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.tcp.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(2)
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
        reply = respond(self.responder, wire, udp=False)
        if reply is not None:
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
def serving(responders: dict[str, Responder], port: int) -> Iterator[dict[str, LoopbackServer]]:
    """Start one LoopbackServer per address (all on ``port``); stop them all on exit."""
    servers: dict[str, LoopbackServer] = {}
    try:
        for address, responder in responders.items():
            servers[address] = LoopbackServer(responder, address, port).start()
        yield servers
    finally:
        for server in servers.values():
            server.close()
