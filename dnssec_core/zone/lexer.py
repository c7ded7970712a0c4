"""A fast, strict reader for the master-file subset that signed zones use (RFC 1035 §5.1).

Why it exists: dnspython's zone-file parser builds an rdata object per record and costs about
70 % of a whole-zone check (issue 7).  This module turns the text straight into uncompressed
wire RDATA for the handful of record types that make up almost every signed zone (A, AAAA, NS,
CNAME, PTR, DNAME, MX, TXT, DS, DNSKEY, RRSIG, NSEC, NSEC3), several times faster.

Correctness never depends on it.  It handles a deliberately small subset, and
:func:`dnssec_core.zone.reader.load_zone` (its only caller) falls back to dnspython's parser:

* per record, when the RDATA of that record is not in the subset — another type (SOA,
  NSEC3PARAM, CAA, …), a non-canonical number or time spelling, an escape (``\\``), the RFC
  3597 ``\\#`` form: that record's RDATA is parsed by :func:`dns.rdata.from_text`, exactly as
  dnspython's zone reader would parse it;
* for the whole file (:class:`Unsupported`), when anything about the file itself is unusual —
  characters outside printable ASCII, a class other than IN, a directive other than ``$ORIGIN``
  and ``$TTL``, unbalanced parentheses, a TTL that does not parse, any record dnspython would
  reject.  The caller then re-reads the file with dnspython, which also produces the error
  message, so errors are dnspython's, word for word.

It follows dnspython's :class:`dns.zonefile.Reader` where the master-file format leaves room:
an omitted owner is the previous record's owner; an omitted TTL is the current ``$TTL`` (the
reader's default otherwise); records whose owner is outside the zone origin are dropped; names
keep the case they were written in.  ``tests/zone/test_fast_reader.py`` checks that both readers
give identical zones on every vector zone, on BIND-signed zones and on generated text.

Bounded: every name, label, string and number is range-checked as it is read; memo tables are
cleared when they reach :data:`MEMO_SIZE` entries.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import ipaddress
import re
import struct
from collections.abc import Callable
from typing import Any

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.ttl
from dns.name import Name

from dnssec_core.wire.name import MAX_LABEL_OCTETS, MAX_NAME_OCTETS, canonical_key

NameKey = tuple[bytes, ...]
#: One record: owner, its canonical key, TTL, type, class (always IN here), uncompressed RDATA;
#: the shape of :data:`dnssec_core.zone.reader.WireRecord`.
FastRecord = tuple[Name, NameKey, int, int, int, bytes]

#: Entries kept in each memo table before it is cleared (policy: bounds memory on hostile input).
MEMO_SIZE = 65536

CLASS_IN = 1
MAX_U8, MAX_U16, MAX_U32 = 0xFF, 0xFFFF, 0xFFFF_FFFF
_DIGITS = frozenset("0123456789")

# Anything but printable ASCII, space, tab and newline sends the whole file to dnspython
# (carriage returns, form feeds, non-ASCII text and IDNA all included).
_UNUSUAL_CHARACTER = re.compile(r"[^\t\n\x20-\x7e]")
_USUAL_OCTETS = b"\t\n" + bytes(range(0x20, 0x7F))


def has_unusual_character(text: str, start: int = 0, stop: int | None = None) -> bool:
    """Whether ``text[start:stop]`` holds anything but printable ASCII, space, tab, newline.

    For ASCII text (``str.isascii`` is a flag lookup) by deleting the usual octets from its
    encoding, one C loop five times faster than the regular-expression search used otherwise
    (issue 7)."""
    stop = len(text) if stop is None else stop
    if not text.isascii():
        return _UNUSUAL_CHARACTER.search(text, start, stop) is not None
    whole = start == 0 and stop >= len(text)
    octets = (text if whole else text[start:stop]).encode("ascii")
    return bool(octets.translate(None, _USUAL_OCTETS))
# Tokens of a line holding a quote or a backslash: a quoted string, a comment, a parenthesis,
# or a run of anything else where a backslash escapes the next character (as in dnspython).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|;.*|[()]|(?:[^\s()";\\]|\\.)+|\S')
#: Spellings of class IN, and of the other classes, that dnspython's ``rdataclass.from_text``
#: accepts (besides ``CLASSnnn``).
_IN_CLASS = frozenset({"IN", "INTERNET", "CLASS1"})
_OTHER_CLASSES = frozenset({"RESERVED0", "CH", "CHAOS", "HS", "HESIOD", "NONE", "ANY"})
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_DS_DIGEST_OCTETS = {1: 20, 2: 32, 4: 48}  # RFC 4034 §5.1.4, RFC 4509, RFC 6605
_HEX_COLON = frozenset("0123456789abcdef:")
#: An RRSIG record laid out as BIND's dnssec-signzone writes it: no owner (the previous one),
#: a TTL, no class, the fixed fields on the first two lines inside one pair of parentheses,
#: then the signature in base64 lines.  Matched in one go (issue 7: half of a signed zone's
#: records, a third of reading time); the fields are then converted by the same helpers as
#: token by token, and a record this does not match is read token by token.
_BIND_RRSIG = re.compile(
    r"[ \t]+(\d{1,9})[ \t]+RRSIG[ \t]+([A-Z][A-Z0-9]*) (\d+) (\d+) (\d+) \(\n"
    r"[ \t]+(\d+) (\d+) (\d+) ([-A-Za-z0-9.]+)\n"
)
_RRSIG_HEAD = struct.Struct("!HBBIIIH")
_U16 = struct.Struct("!H")
_DNSKEY_HEAD = struct.Struct("!HBB")
_NSEC3_HEAD = struct.Struct("!BBHB")

A, NS, CNAME, PTR, MX, TXT, AAAA, DNAME = 1, 2, 5, 12, 15, 16, 28, 39
DS, RRSIG, NSEC, DNSKEY, NSEC3 = 43, 46, 47, 48, 50


class Unsupported(Exception):
    """The text is outside the fast reader's subset; read it with dnspython instead."""


class _Fallback(Exception):
    """This record's RDATA is outside the subset; parse it with dnspython."""


def _uint(token: str, maximum: int) -> int:
    """A plain decimal number in 0..maximum (dnspython's ``get_uint*``), else _Fallback."""
    if not token.isdigit():
        raise _Fallback
    value = int(token)
    if value > maximum:
        raise _Fallback
    return value


def _sigtime(token: str) -> int:
    """RRSIG time (RFC 4034 §3.2): YYYYMMDDHHMMSS in UTC, or up to 10 decimal digits."""
    if not token.isdigit():
        raise _Fallback
    if len(token) <= 10:
        value = int(token)
    elif len(token) == 14:
        try:
            when = datetime.datetime(
                int(token[0:4]),
                int(token[4:6]),
                int(token[6:8]),
                int(token[8:10]),
                int(token[10:12]),
                int(token[12:14]),
                tzinfo=datetime.UTC,
            )
        except ValueError:
            raise _Fallback from None
        value = (when - _EPOCH) // datetime.timedelta(seconds=1)
    else:
        raise _Fallback
    if not 0 <= value <= MAX_U32:
        raise _Fallback
    return value


def _base64(tokens: list[str]) -> bytes:
    try:
        return base64.b64decode("".join(tokens), validate=True)
    except (binascii.Error, ValueError):
        raise _Fallback from None


def _base32hex(text: str) -> bytes:
    """RFC 4648 §7 "base32hex" without padding, as NSEC3 writes the next hashed owner.

    Its alphabet 0-9 A-V is exactly Python's base-32 digits, so ``int(text, 32)`` decodes it.
    Only canonical text is accepted (RFC 4648 §3.5: the unused low bits are zero; lengths
    1, 3 and 6 mod 8 do not occur), 1 to 255 octets, as dnspython requires.
    """
    if not text.isalnum() or len(text) % 8 in (1, 3, 6):  # isalnum: no sign, space or "_"
        raise _Fallback
    try:
        value = int(text, 32)
    except ValueError:  # letters W-Z
        raise _Fallback from None
    octets, unused = divmod(5 * len(text), 8)
    if value & ((1 << unused) - 1) or not 0 < octets <= MAX_U8:
        raise _Fallback
    return (value >> unused).to_bytes(octets, "big")


def _type_bitmap(types: list[int]) -> bytes:
    """The NSEC/NSEC3 type bit maps field (RFC 4034 §4.1.2): windows in order, no empty octets."""
    out = bytearray()
    window_octets: dict[int, bytearray] = {}
    for rdtype in sorted(set(types)):
        octets = window_octets.setdefault(rdtype >> 8, bytearray())
        index = (rdtype & 0xFF) >> 3
        if len(octets) <= index:
            octets.extend(bytes(index + 1 - len(octets)))
        octets[index] |= 0x80 >> (rdtype & 7)
    for window, octets in sorted(window_octets.items()):
        out.append(window)
        out.append(len(octets))
        out += octets
    return bytes(out)


class _Reader:
    """One pass over one zone text; see the module docstring for the subset."""

    def __init__(
        self, text: str, origin: Name | None, default_ttl: int, start: int = 0,
        stop: int | None = None,
    ) -> None:
        self.text = text
        self.interned: dict[bytes, bytes] = {}
        # The part of ``text`` to read: a parallel worker reads its piece in place, uncopied.
        self.start = start
        self.stop = len(text) if stop is None else stop
        self.zone_origin = origin or dns.name.root
        self.zone_key = canonical_key(self.zone_origin)
        self.default_ttl = default_ttl
        self.records: list[FastRecord] = []
        self._set_origin(self.zone_origin)
        # The owner of a record that omits it; dnspython starts with the zone origin.
        self.last_owner = self._owner(self.zone_origin.to_text())
        self.rdtypes: dict[str, tuple[int, bool]] = {}
        self.sigtimes: dict[str, int] = {}
        self.ttls: dict[str, int] = {}
        self.bitmaps: dict[tuple[str, ...], bytes] = {}
        self.encoders: dict[int, Callable[[list[str]], bytes]] = {
            A: self._a,
            AAAA: self._aaaa,
            NS: self._one_name,
            CNAME: self._one_name,
            PTR: self._one_name,
            DNAME: self._one_name,
            MX: self._mx,
            TXT: self._txt,
            DS: self._ds,
            DNSKEY: self._dnskey,
            RRSIG: self._rrsig,
            NSEC: self._nsec,
            NSEC3: self._nsec3,
        }

    def _set_origin(self, origin: Name) -> None:
        self.origin = origin
        self.origin_wire = b"".join(bytes((len(label),)) + label for label in origin.labels)
        self.owners: dict[str, tuple[Name, NameKey, bool]] = {}
        self.names: dict[str, bytes] = {}

    # --- lines and tokens -------------------------------------------------------------------

    def run(self) -> list[FastRecord]:
        text = self.text
        pos = self.start
        end = self.stop
        if has_unusual_character(text, pos, end):
            raise Unsupported("characters outside printable ASCII")
        depth = 0  # open parentheses: a record continues over lines while depth > 0
        record: list[str] = []
        blank_owner = False
        bind_rrsig = _BIND_RRSIG.match
        while pos <= end:
            if depth == 0 and text[pos : pos + 1] in (" ", "\t"):
                match = bind_rrsig(text, pos, end)
                if match is not None:
                    after = self._bind_rrsig(match.groups(), match.end())
                    if after:
                        pos = after
                        continue
            eol = text.find("\n", pos, end)
            if eol < 0:
                eol = end
            line = text[pos:eol]
            pos = eol + 1
            if '"' in line or "\\" in line:
                tokens = [t for t in _TOKEN.findall(line) if t[0] != ";"]
                if '"' in tokens or "\\" in tokens:
                    raise Unsupported("unterminated quoted string or escape")
            else:
                cut = line.find(";")
                if cut >= 0:
                    line = line[:cut]
                opens = line.count("(")
                closes = line.count(")")
                if not opens and not closes:  # the common case
                    if depth:
                        record += line.split()
                    else:
                        tokens = line.split()
                        if tokens:
                            self._record(line[0] in " \t", tokens)
                    continue
                if closes <= depth:  # depth cannot drop below 0 on this line: order is moot
                    tokens = line.replace("(", " ").replace(")", " ").split()
                    if depth == 0:
                        blank_owner = line[0] in " \t"
                        if line[0] in "($":
                            raise Unsupported("parenthesis or directive at the start of a line")
                        if opens == 1 and closes == 0:
                            rest = self._plain_parenthesis(pos)
                            if rest is not None:  # the whole "( ... )" read at once
                                pos, more = rest
                                self._record(blank_owner, tokens + more)
                                continue
                        record = tokens
                    else:
                        record += tokens
                    depth += opens - closes
                    if depth == 0 and record:
                        self._record(blank_owner, record)
                    continue
                tokens = line.replace("(", " ( ").replace(")", " ) ").split()
            # Quoted strings, escapes, or a ")" that may come before a "(": token by token.
            if depth == 0:
                if not tokens:
                    continue
                blank_owner = line[0] in " \t"
                if not blank_owner and tokens[0][0] in '($"':
                    raise Unsupported("parenthesis, quote or directive at the start of a line")
                record = []
            for token in tokens:
                if token == "(":
                    depth += 1
                elif token == ")":
                    depth -= 1
                    if depth < 0:
                        raise Unsupported("unbalanced parentheses")
                else:
                    record.append(token)
            if depth == 0 and record:
                self._record(blank_owner, record)
        if depth != 0:
            raise Unsupported("unbalanced parentheses")
        return self.records

    def _plain_parenthesis(self, pos: int) -> tuple[int, list[str]] | None:
        """Tokens from ``pos`` (just after a line that opened one parenthesis) to the end of
        the line that closes it, and the position after that line — when the text in between
        holds no parenthesis, comment, quote or escape, so that splitting it at white space is
        what reading it line by line would give.  None otherwise: read line by line."""
        text = self.text
        close = text.find(")", pos, self.stop)
        if close < 0:
            return None
        inner = text[pos:close]
        if "(" in inner or ";" in inner or '"' in inner or "\\" in inner:
            return None
        eol = text.find("\n", close, self.stop)
        if eol < 0:
            eol = self.stop
        after = text[close + 1 : eol].split(";", 1)[0]
        if "(" in after or ")" in after or '"' in after or "\\" in after:
            return None
        return eol + 1, inner.split() + after.split()

    # --- one record -------------------------------------------------------------------------

    def _record(self, blank_owner: bool, tokens: list[str]) -> None:
        if blank_owner:
            index = 0
        else:
            first = tokens[0]
            if first[0] == "$":
                self._directive(tokens)
                return
            self.last_owner = self.owners.get(first) or self._owner(first)
            index = 1
        owner, key, in_zone = self.last_owner
        if not in_zone:
            return  # dnspython's reader drops records outside the zone origin
        count = len(tokens)
        ttl: int | None = None
        if index < count and tokens[index][0] in _DIGITS:
            ttl = self._ttl(tokens[index])
            index += 1
        if index < count:
            token = tokens[index]
            if token == "IN":
                index += 1
            else:
                upper = token.upper()
                if upper in _IN_CLASS:
                    index += 1
                elif upper in _OTHER_CLASSES or upper.startswith("CLASS"):
                    raise Unsupported("class other than IN")
        if ttl is None:
            if index < count and tokens[index][0] in _DIGITS:
                ttl = self._ttl(tokens[index])
                index += 1
            else:
                ttl = self.default_ttl
        if index >= count or tokens[index][0] == '"':
            raise Unsupported("no record type")
        rdtype, generic = self.rdtypes.get(tokens[index]) or self._rdtype(tokens[index])
        rdata = tokens[index + 1 :]
        encoder = self.encoders.get(rdtype)
        try:
            if encoder is None or generic:
                raise _Fallback
            wire = encoder(rdata)
        except _Fallback:
            wire = self._dnspython_rdata(rdtype, rdata)
        self.records.append((owner, key, ttl, rdtype, CLASS_IN, wire))

    def _directive(self, tokens: list[str]) -> None:
        """``$TTL`` and ``$ORIGIN`` (RFC 1035 §5.1, RFC 2308 §4); anything else is dnspython's."""
        directive = tokens[0].upper()
        if len(tokens) != 2 or tokens[1][0] == '"':
            raise Unsupported(f"{directive} with other than one argument")
        if directive == "$TTL":
            self.default_ttl = self._ttl(tokens[1])
        elif directive == "$ORIGIN":
            self._set_origin(self._owner(tokens[1])[0])
        else:
            raise Unsupported(f"directive {directive}")

    def _ttl(self, token: str) -> int:
        value = self.ttls.get(token)
        if value is not None:  # one int object per distinct TTL, not one per record
            return value
        value = self._ttl_value(token)
        if len(self.ttls) >= MEMO_SIZE:
            self.ttls.clear()
        self.ttls[token] = value
        return value

    @staticmethod
    def _ttl_value(token: str) -> int:
        if token.isdigit() and len(token) < 10:  # below 2**32 - 1 for sure
            return int(token)
        if token.isdigit():
            value = int(token)
            if value <= MAX_U32:
                return value
        try:
            return dns.ttl.from_text(token)
        except dns.exception.DNSException:
            raise Unsupported(f"bad TTL {token!r}") from None

    def _rdtype(self, token: str) -> tuple[int, bool]:
        """The type a mnemonic or ``TYPEnnn`` names, and whether it was the RFC 3597 §5 form."""
        entry = self.rdtypes.get(token)
        if entry is None:
            try:
                rdtype = int(dns.rdatatype.from_text(token))
            except (dns.exception.DNSException, ValueError):
                raise Unsupported(f"unknown type {token!r}") from None
            if len(self.rdtypes) >= MEMO_SIZE:
                self.rdtypes.clear()
            entry = self.rdtypes[token] = (rdtype, token.upper().startswith("TYPE"))
        return entry

    def _dnspython_rdata(self, rdtype: int, rdata: list[str]) -> bytes:
        """Parse one record's RDATA exactly as dnspython's zone reader does."""
        try:
            parsed = dns.rdata.from_text(
                dns.rdataclass.IN,
                dns.rdatatype.RdataType.make(rdtype),
                " ".join(rdata),
                self.origin,
                False,
                self.zone_origin,
            )
            wire = parsed.to_wire()
        except Exception as exc:  # dnspython's reader turns any of these into a syntax error
            raise Unsupported(f"RDATA: {exc}") from None
        assert wire is not None
        return wire

    # --- names ------------------------------------------------------------------------------

    def _owner(self, text: str) -> tuple[Name, NameKey, bool]:
        entry = self.owners.get(text)
        if entry is None:
            entry = self._child_owner(text) or self._new_owner(text)
            if len(self.owners) >= MEMO_SIZE:
                self.owners.clear()
            self.owners[text] = entry
        return entry

    def _child_owner(self, text: str) -> tuple[Name, NameKey, bool] | None:
        """The owner one plain label below an owner already read — most owners of a zone —
        from that owner's labels and key: what :meth:`_new_owner` gives, for less work.  None
        when ``text`` is not of that form."""
        first, dot, rest = text.partition(".")
        if not dot or "\\" in text or not 0 < len(first) <= MAX_LABEL_OCTETS or first[0] == '"':
            return None
        parent = self.owners.get(rest)
        if parent is None or rest in ("@", "."):
            return None
        label = self._label(first.encode())
        try:
            name = Name((label, *parent[0].labels))
        except dns.exception.DNSException as exc:  # too long: as _new_owner would say
            raise Unsupported(f"owner name: {exc}") from None
        key = (*parent[1], self._label(label.lower()))
        return name, key, key[: len(self.zone_key)] == self.zone_key

    def _new_owner(self, text: str) -> tuple[Name, NameKey, bool]:
        """A name read from its text (RFC 1035 §5.1); see :meth:`_owner`."""
        if text[0] == '"':
            raise Unsupported("quoted owner name")
        try:
            if "\\" in text or text in ("@", "."):
                name = dns.name.from_text(text, self.origin)
            else:
                # What dns.name.from_text does for plain ASCII text, without its per-character
                # loop: split at dots, keep the case; Name() checks the RFC 1035 lengths.
                absolute = text[-1] == "."
                labels = (text[:-1] if absolute else text).split(".")
                if not all(0 < len(label) <= MAX_LABEL_OCTETS for label in labels):
                    raise Unsupported(f"owner name {text!r}: empty or long label")
                suffix = (b"",) if absolute else self.origin.labels
                name = Name([self._label(label.encode()) for label in labels] + list(suffix))
        except dns.exception.DNSException as exc:
            raise Unsupported(f"owner name: {exc}") from None
        # canonical_key(name), its labels shared with the names' (memory, issue 7)
        key = tuple([self._label(label.lower()) for label in reversed(name.labels[:-1])])
        return name, key, key[: len(self.zone_key)] == self.zone_key

    def _label(self, label: bytes) -> bytes:
        """One object per distinct label: every owner name repeats the apex's labels, and its
        canonical key repeats them lowercased (memory, and less to pickle, issue 7)."""
        known = self.interned.get(label)
        if known is None:
            if len(self.interned) >= MEMO_SIZE:
                self.interned.clear()
            known = self.interned[label] = label
        return known

    def _name(self, text: str) -> bytes:
        """Uncompressed wire form, case kept, of a domain name in RDATA (RFC 1035 §3.1)."""
        wire = self.names.get(text)
        if wire is not None:
            return wire
        if text == "@":
            wire = self.origin_wire
        elif text == ".":
            wire = b"\x00"
        else:
            if "\\" in text or text[0] == '"':
                raise _Fallback
            absolute = text[-1] == "."
            labels = (text[:-1] if absolute else text).split(".")
            for label in labels:
                if not 0 < len(label) <= MAX_LABEL_OCTETS:
                    raise _Fallback
            wire = b"".join([bytes((len(label),)) + label.encode() for label in labels])
            wire += b"\x00" if absolute else self.origin_wire
            if len(wire) > MAX_NAME_OCTETS:
                raise _Fallback
        if len(self.names) >= MEMO_SIZE:
            self.names.clear()
        self.names[text] = wire
        return wire

    # --- RDATA encoders: each returns the wire form or raises _Fallback ---------------------

    def _a(self, rdata: list[str]) -> bytes:
        # Four decimal octets without leading zeros (dnspython's dns.ipv4.inet_aton rules).
        if len(rdata) != 1:
            raise _Fallback
        parts = rdata[0].split(".")
        if len(parts) != 4:
            raise _Fallback
        for part in parts:
            if not part.isdigit() or (part[0] == "0" and len(part) > 1):
                raise _Fallback
        try:
            return bytes([int(part) for part in parts])
        except ValueError:  # an octet over 255
            raise _Fallback from None

    def _aaaa(self, rdata: list[str]) -> bytes:
        # Only the canonical RFC 5952 spelling, which every parser agrees on.
        if len(rdata) != 1 or not _HEX_COLON.issuperset(rdata[0]):
            raise _Fallback
        try:
            address = ipaddress.IPv6Address(rdata[0])
        except ValueError:
            raise _Fallback from None
        if address.compressed != rdata[0] or address.ipv4_mapped is not None:
            raise _Fallback
        return address.packed

    def _one_name(self, rdata: list[str]) -> bytes:
        if len(rdata) != 1:
            raise _Fallback
        return self._name(rdata[0])

    def _mx(self, rdata: list[str]) -> bytes:
        if len(rdata) != 2:
            raise _Fallback
        return _U16.pack(_uint(rdata[0], MAX_U16)) + self._name(rdata[1])

    def _txt(self, rdata: list[str]) -> bytes:
        if not rdata:
            raise _Fallback
        out = bytearray()
        for token in rdata:
            if token[0] == '"':
                token = token[1:-1]
            if "\\" in token or len(token) > MAX_U8:
                raise _Fallback
            out.append(len(token))
            out += token.encode()
        return bytes(out)

    def _ds(self, rdata: list[str]) -> bytes:
        if len(rdata) < 4:
            raise _Fallback
        digest_type = _uint(rdata[2], MAX_U8)
        try:
            digest = binascii.unhexlify("".join(rdata[3:]))
        except (binascii.Error, ValueError):
            raise _Fallback from None
        if _DS_DIGEST_OCTETS.get(digest_type) != len(digest):
            raise _Fallback
        return (
            _U16.pack(_uint(rdata[0], MAX_U16))
            + bytes((_uint(rdata[1], MAX_U8), digest_type))
            + digest
        )

    def _dnskey(self, rdata: list[str]) -> bytes:
        if len(rdata) < 4:
            raise _Fallback
        flags = _uint(rdata[0], MAX_U16)
        protocol = _uint(rdata[1], MAX_U8)
        algorithm = _uint(rdata[2], MAX_U8)
        return _DNSKEY_HEAD.pack(flags, protocol, algorithm) + _base64(rdata[3:])

    def _rrsig(self, rdata: list[str]) -> bytes:
        if len(rdata) < 9:
            raise _Fallback
        covered = self._rdtype_in_rdata(rdata[0])
        times = self.sigtimes
        expiration = times.get(rdata[4])
        if expiration is None:
            expiration = self._memo_sigtime(rdata[4])
        inception = times.get(rdata[5])
        if inception is None:
            inception = self._memo_sigtime(rdata[5])
        head = _RRSIG_HEAD.pack(
            covered,
            _uint(rdata[1], MAX_U8),
            _uint(rdata[2], MAX_U8),
            _uint(rdata[3], MAX_U32),
            expiration,
            inception,
            _uint(rdata[6], MAX_U16),
        )
        return head + self._name(rdata[7]) + _base64(rdata[8:])

    def _bind_rrsig(self, fields: tuple[str | Any, ...], start: int) -> int:
        """Add the RRSIG record whose first two lines :data:`_BIND_RRSIG` matched, its
        signature running from ``start`` to a ``)`` that ends its line, as :meth:`_record`
        would add it; return the position after it.  Add nothing and return 0 when anything is
        outside the subset: the caller then reads the record token by token, which also
        decides any fallback.  (Anything but base64 and white space before the ``)`` — another
        parenthesis, a comment, a quote — fails the strict base64 decoding.)"""
        owner, key, in_zone = self.last_owner
        ttl, covered, algorithm, labels, original_ttl, expiration, inception, tag, signer = fields
        text = self.text
        close = text.find(")", start, self.stop)
        if close < 0 or close + 1 >= self.stop or text[close + 1] != "\n":
            return 0
        try:
            rdtype, generic = self.rdtypes.get("RRSIG") or self._rdtype("RRSIG")
            if not in_zone or generic:
                return 0
            times = self.sigtimes
            expires = times.get(expiration)
            if expires is None:
                expires = self._memo_sigtime(expiration)
            incepted = times.get(inception)
            if incepted is None:
                incepted = self._memo_sigtime(inception)
            head = _RRSIG_HEAD.pack(
                self._rdtype_in_rdata(covered),
                _uint(algorithm, MAX_U8),
                _uint(labels, MAX_U8),
                _uint(original_ttl, MAX_U32),
                expires,
                incepted,
                _uint(tag, MAX_U16),
            )
            wire = head + self._name(signer) + _base64(text[start:close].split())
        except _Fallback:
            return 0
        self.records.append((owner, key, self._ttl(ttl), rdtype, CLASS_IN, wire))
        return close + 2

    def _memo_sigtime(self, token: str) -> int:
        value = _sigtime(token)
        if len(self.sigtimes) >= MEMO_SIZE:
            self.sigtimes.clear()
        self.sigtimes[token] = value
        return value

    def _rdtype_in_rdata(self, token: str) -> int:
        if token[0] == '"' or "\\" in token:
            raise _Fallback
        try:
            return self._rdtype(token)[0]
        except Unsupported:
            raise _Fallback from None

    def _types(self, tokens: list[str]) -> bytes:
        key = tuple(tokens)  # zones repeat a few type sets over and over
        bitmap = self.bitmaps.get(key)
        if bitmap is None:
            types = [self._rdtype_in_rdata(token) for token in tokens]
            if 0 in types:
                raise _Fallback  # type 0 may not appear in a bit map (dnspython rejects it)
            bitmap = _type_bitmap(types)
            if len(self.bitmaps) >= MEMO_SIZE:
                self.bitmaps.clear()
            self.bitmaps[key] = bitmap
        return bitmap

    def _nsec(self, rdata: list[str]) -> bytes:
        if not rdata:
            raise _Fallback
        return self._name(rdata[0]) + self._types(rdata[1:])

    def _nsec3(self, rdata: list[str]) -> bytes:
        if len(rdata) < 5:
            raise _Fallback
        algorithm = _uint(rdata[0], MAX_U8)
        flags = _uint(rdata[1], MAX_U8)
        iterations = _uint(rdata[2], MAX_U16)
        if rdata[3] == "-":
            salt = b""
        else:
            try:
                salt = binascii.unhexlify(rdata[3])
            except (binascii.Error, ValueError):
                raise _Fallback from None
            if len(salt) > MAX_U8:
                raise _Fallback
        next_hashed = _base32hex(rdata[4])
        return (
            _NSEC3_HEAD.pack(algorithm, flags, iterations, len(salt))
            + salt
            + bytes((len(next_hashed),))
            + next_hashed
            + self._types(rdata[5:])
        )


def read_fast_records(
    text: str, origin: Name | None = None, default_ttl: int = 3600
) -> list[FastRecord]:
    """Records of a zone text in file order, or :class:`Unsupported` (see module docstring).

    ``origin`` is the zone origin (dnspython's default: the root); relative names are completed
    with ``$ORIGIN``, else ``origin``; ``default_ttl`` applies until a ``$TTL`` line.
    """
    return _Reader(text, origin, default_ttl).run()


def read_fast_chunk(
    text: str, origin: Name | None, current_origin: Name, default_ttl: int, start: int = 0,
    stop: int | None = None,
) -> tuple[list[FastRecord], Name, int]:
    """Records of a piece of zone text that starts at an owner line, read from a given state.

    The piece is ``text[start:stop]`` (default: all of it), read in place.

    The state is what the directives before the piece set: ``current_origin`` (``$ORIGIN``) and
    ``default_ttl`` (``$TTL``).  Returns the records and the state at the end of the piece, so
    that :mod:`dnssec_core.zone.parallel` can check that the pieces chain up exactly.  Raises
    :class:`Unsupported` as :func:`read_fast_records` does, and when the piece ends inside
    parentheses.
    """
    reader = _Reader(text, origin, default_ttl, start, stop)
    reader._set_origin(current_origin)
    records = reader.run()
    return records, reader.origin, reader.default_ttl


def directive_state(
    lines: list[str], origin: Name | None, default_ttl: int
) -> tuple[Name, int]:
    """The ``$ORIGIN`` and ``$TTL`` in force after the directive ``lines`` (comments allowed)."""
    reader = _Reader("", origin, default_ttl)
    for line in lines:
        tokens = line.split(";", 1)[0].split()
        if tokens:
            reader._directive(tokens)
    return reader.origin, reader.default_ttl
