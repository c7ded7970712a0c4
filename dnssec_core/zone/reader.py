"""Read presentation-format records (zone files, key files, DS files) into validator types.

dnspython parses the text (RFC 1035 §5 master file format); this module only converts its
output into :class:`~dnssec_core.wire.rrset.RRset` and :class:`~dnssec_core.dnssec.records.RRSIG`
objects keyed by owner and type.  Any syntax problem becomes one :class:`ZoneError` with a
one-line message (SEC-PARSE-01).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
from dns.name import Name

from dnssec_core.dnssec.records import RRSIG, RRSIG_TYPE
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.name import canonical_key
from dnssec_core.wire.rrset import RRset

SOA_TYPE = 6
ALLOWED_DIRECTIVES = frozenset({"$ORIGIN", "$TTL"})
DEFAULT_TTL = 3600  # for key and DS files that carry no TTL
NameKey = tuple[bytes, ...]


class ZoneError(ValueError):
    """A zone or record file that cannot be read; the message is one line."""


@dataclass
class ZoneData:
    """The records of one zone, grouped the way RRSIGs cover them.

    ``rrsets`` maps (canonical owner key, type) to the RRset; ``rrsigs`` maps (canonical owner
    key, type covered) to the RRSIGs at that owner for that type (RFC 4034 §3).  RRSIG RDATA
    that cannot be decoded is kept in ``malformed`` as (owner, message).
    """

    origin: Name
    rrsets: dict[tuple[NameKey, int], RRset] = field(default_factory=dict)
    rrsigs: dict[tuple[NameKey, int], list[RRSIG]] = field(default_factory=dict)
    malformed: list[tuple[Name, str]] = field(default_factory=list)

    def get(self, owner: Name, rdtype: int) -> RRset | None:
        return self.rrsets.get((canonical_key(owner), rdtype))

    def signatures(self, owner: Name, rdtype: int) -> list[RRSIG]:
        return self.rrsigs.get((canonical_key(owner), rdtype), [])


class _Collector:
    """The few methods dnspython's zone-file :class:`dns.zonefile.Reader` calls on its sink.

    We take the parsed records straight from the reader instead of going through dnspython's
    transaction machinery, which insists on knowing the origin before it has seen ``$ORIGIN``.
    """

    def __init__(self, origin: Name | None) -> None:
        self.manager = self
        self.origin = origin
        self.records: list[tuple[Name, int, dns.rdata.Rdata]] = []

    def origin_information(self) -> tuple[Name | None, bool, Name | None]:
        return self.origin, False, self.origin

    def add(self, name: Name, ttl: int, rdata: dns.rdata.Rdata) -> None:
        self.records.append((name, ttl, rdata))

    def _set_origin(self, origin: Name) -> None:
        pass

    def check_put_rdataset(self, check: object) -> None:
        pass


def parse_records(
    text: str | TextIO,
    origin: Name | None = None,
    source: str = "<input>",
) -> list[tuple[Name, int, dns.rdata.Rdata]]:
    """Parse presentation-format records into (owner, TTL, rdata) triples in file order.

    Relative names are completed with ``$ORIGIN``, else ``origin``, else the root.
    ``$INCLUDE`` and ``$GENERATE`` are refused (a zone file must not make us read other
    files).  Raises :class:`ZoneError` with a one-line message naming ``source`` on any
    syntax error.
    """
    import dns.tokenizer  # here: the fast reader (zone.lexer) usually does without them
    import dns.zonefile

    sink = _Collector(origin or dns.name.root)
    try:
        tokenizer = dns.tokenizer.Tokenizer(text, source)
        reader = dns.zonefile.Reader(
            tokenizer,
            dns.rdataclass.IN,
            sink,  # type: ignore[arg-type]  # duck-typed sink, see _Collector
            allow_directives=ALLOWED_DIRECTIVES,
            default_ttl=DEFAULT_TTL,
        )
        reader.read()
    except (dns.exception.DNSException, ValueError, UnicodeError, AttributeError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise ZoneError(message if message.startswith(source) else f"{source}: {message}") from None
    return sink.records


def read_text(path: str | Path) -> str:
    """Read a text file; a missing or undecodable file becomes a one-line :class:`ZoneError`."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise ZoneError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ZoneError(f"{path}: not a text file ({exc.reason} at byte {exc.start})") from None


def rdata_wire(rdata: dns.rdata.Rdata) -> bytes:
    """Uncompressed wire form of one parsed RDATA (dnspython's encoder, no canonicalisation)."""
    wire = rdata.to_wire()
    assert wire is not None  # to_wire() without a file always returns the octets
    return wire


def build_zone(
    records: Iterable[tuple[Name, int, dns.rdata.Rdata]],
    origin: Name | None = None,
    source: str = "<input>",
) -> ZoneData:
    """Group records parsed by :func:`parse_records` into a :class:`ZoneData` (see below)."""
    wire_records = (
        (name, canonical_key(name), ttl, int(rd.rdtype), int(rd.rdclass), rdata_wire(rd))
        for name, ttl, rd in records
    )
    return build_zone_from_wire(wire_records, origin, source)


#: One record in wire form: owner, its canonical key, TTL, type, class, uncompressed RDATA.
WireRecord = tuple[Name, NameKey, int, int, int, bytes]


def build_zone_from_wire(
    records: Iterable[WireRecord],
    origin: Name | None = None,
    source: str = "<input>",
    *,
    consume: bool = False,
) -> ZoneData:
    """Group records into a :class:`ZoneData`.

    The origin is ``origin`` when given, else the owner of the (single) SOA record.  Records
    with the same owner (compared case-insensitively, RFC 4343), class and type form one RRset
    whose TTL is the smallest seen.  Raises :class:`ZoneError` when there is no origin.

    With ``consume`` and a list, the list is emptied as it is read, so that each RRSIG's RDATA
    is freed once decoded rather than held until the end (memory, issue 7).
    """
    pending = records if consume and isinstance(records, list) else list(records)
    if origin is None:
        soas = {key: name for name, key, _, rdtype, _, _ in pending if rdtype == SOA_TYPE}
        if len(soas) != 1:
            raise ZoneError(
                f"{source}: cannot tell the zone origin: give --origin or exactly one SOA record"
            )
        origin = next(iter(soas.values()))
    zone = ZoneData(origin)
    grouped: dict[tuple[NameKey, int, int], tuple[Name, int, list[bytes]]] = {}
    rrsigs = zone.rrsigs
    pending.reverse()  # then popped from the end: file order, each record released when read
    pop = pending.pop
    while pending:
        name, key, ttl, rdtype, rdclass, wire = pop()
        if rdtype == RRSIG_TYPE:
            try:
                rrsig = RRSIG.from_wire(wire)
            except WireError as exc:
                zone.malformed.append((name, f"RRSIG: {exc}"))
                continue
            covered = (key, rrsig.type_covered)
            sigs = rrsigs.get(covered)
            if sigs is None:
                rrsigs[covered] = [rrsig]
            else:
                sigs.append(rrsig)
            continue
        slot = (key, rdtype, rdclass)
        entry = grouped.get(slot)
        if entry is None:
            grouped[slot] = (name, ttl, [wire])
        else:
            entry[2].append(wire)
            if ttl < entry[1]:
                grouped[slot] = (entry[0], ttl, entry[2])
    for (key, rdtype, rdclass), (name, ttl, wires) in grouped.items():
        zone.rrsets[(key, rdtype)] = RRset(name, rdtype, rdclass, ttl, tuple(wires))
    return zone


def load_zone(
    text: str, origin: Name | None = None, source: str = "<input>", *, fast: bool = True
) -> ZoneData:
    """Read a zone from its text: :mod:`dnssec_core.zone.lexer` when it handles the text.

    Otherwise — or with ``fast=False`` — dnspython's parser reads it (:func:`parse_records`).
    Both give the same :class:`ZoneData` (tests/zone/test_fast_reader.py); errors always come
    from dnspython's parser.
    """
    if fast:
        from dnssec_core.zone.lexer import Unsupported, read_fast_records

        try:
            records = read_fast_records(text, origin, DEFAULT_TTL)
        except Unsupported:
            pass
        else:
            return build_zone_from_wire(records, origin, source, consume=True)
    return build_zone(parse_records(io.StringIO(text), origin, source), origin, source)


def read_zone(path: str | Path, origin: Name | None = None) -> ZoneData:
    """Read a zone file (``-`` is not accepted here; the CLI reads stdin itself)."""
    return load_zone(read_text(path), origin, str(path))
