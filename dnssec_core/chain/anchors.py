"""Trust anchors: the IANA root KSKs built in, or loaded from a file (TA-01..TA-08).

Accepted formats: DS or DNSKEY presentation records (as in ``data/root-anchors.txt``), and
IANA's ``root-anchors.xml`` (RFC 7958 §2, as updated by RFC 9718: optional ``PublicKey`` and
``Flags`` in a ``KeyDigest``), whose ``validFrom``/``validUntil`` are honoured at ``now``
(TA-03).  DNSKEYs with the REVOKE bit are never anchors (TA-07, VAL-KEY-02).  An anchor set
that ends up empty is an error (TA-08), never "insecure".  The file's SHA-256 is kept so that
every verdict can name the anchors it used (TA-05).

A file may hold anchors for several zones (RFC 4035 §4.4: a resolver may be configured with
more than one trust anchor; Unbound's ``trust-anchor`` lines work the same way): the records
are grouped by owner into one :class:`ZoneAnchor` per zone.  A name is validated from its
closest enclosing anchor (:meth:`TrustAnchors.closest`); a name under none is insecure.  The
built-in default is the root alone (TA-01, VAL-CHAIN-05); other anchors come only from a file
the operator (or a test) supplies.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib import resources

import dns.name
from dns.name import Name

from dnssec_core.dnssec.records import DNSKEY, DNSKEY_TYPE, DS, DS_TYPE
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.name import canonical_key, is_subdomain
from dnssec_core.zone.reader import ZoneError, parse_records, rdata_wire

#: Largest anchor file we read (policy: root-anchors.xml is about 1.5 KB).
MAX_ANCHOR_FILE_OCTETS = 1 << 20
BUILTIN_SOURCE = "dnssec_core/data/root-anchors.txt (IANA root-anchors.xml, KSK-2017 and KSK-2024)"


class AnchorError(ValueError):
    """An unusable trust anchor file; the message is one line (exit 2 at the CLI, TA-08)."""


@dataclass(frozen=True)
class ZoneAnchor:
    """The anchors configured for one zone, as DS records and/or DNSKEYs (RFC 4035 §4.4)."""

    zone: Name
    ds: tuple[DS, ...]
    dnskeys: tuple[DNSKEY, ...]
    #: RFC 7958 §2 validity window (validFrom, validUntil or None) of each DS, aligned with
    #: ``ds``; empty when the anchors carry no windows (presentation records, TA-03).  Loading
    #: keeps only the DS valid at the load time; :meth:`ds_at` applies the windows again at each
    #: resolution's ``now``, so a long-lived validator stops using an anchor at its validUntil.
    windows: tuple[tuple[int, int | None], ...] = ()

    def ds_at(self, now: int) -> tuple[DS, ...]:
        """TA-03: the DS anchors usable at ``now`` (validFrom ≤ now < validUntil)."""
        if not self.windows:
            return self.ds
        return tuple(
            ds
            for ds, (start, end) in zip(self.ds, self.windows, strict=True)
            if start <= now and (end is None or now < end)
        )

    def next_change(self, now: int) -> int | None:
        """The first validFrom or validUntil after ``now``: what was validated from these
        anchors may be reused only until then (None: no window ends or starts later)."""
        edges = [t for window in self.windows for t in window if t is not None and t > now]
        return min(edges) if edges else None

    @property
    def key_tags(self) -> list[int]:
        return sorted({d.key_tag for d in self.ds} | {k.key_tag for k in self.dnskeys})


@dataclass(frozen=True)
class TrustAnchors:
    """Every configured anchor, one :class:`ZoneAnchor` per zone, highest zones first.

    ``zone``, ``ds`` and ``dnskeys`` describe the first (highest) anchor zone — the root for
    the built-in set, which is the only one most callers ever see.
    """

    zones: tuple[ZoneAnchor, ...]
    source: str
    sha256: str

    @property
    def zone(self) -> Name:
        return self.zones[0].zone

    @property
    def ds(self) -> tuple[DS, ...]:
        return self.zones[0].ds

    @property
    def dnskeys(self) -> tuple[DNSKEY, ...]:
        return self.zones[0].dnskeys

    @property
    def key_tags(self) -> list[int]:
        return sorted({tag for anchor in self.zones for tag in anchor.key_tags})

    def closest(self, name: Name) -> ZoneAnchor | None:
        """The deepest anchor zone at or above ``name`` (RFC 4035 §4.4, §5), or None."""
        best: ZoneAnchor | None = None
        for anchor in self.zones:
            if is_subdomain(name, anchor.zone) and (
                best is None or len(anchor.zone.labels) > len(best.zone.labels)
            ):
                best = anchor
        return best


def builtin_root_anchors() -> TrustAnchors:
    """The IANA root KSK DS records shipped with the package (TA-01)."""
    data = resources.files("dnssec_core").joinpath("data/root-anchors.txt").read_bytes()
    return parse_anchors(data, source=BUILTIN_SOURCE, now=None)


def load_anchors(path: str, now: int) -> TrustAnchors:
    """Read a trust anchor file (``--trust-anchor``).  Raises :class:`AnchorError`."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_ANCHOR_FILE_OCTETS + 1)
    except OSError as exc:
        raise AnchorError(f"{path}: {exc.strerror or exc}") from None
    if len(data) > MAX_ANCHOR_FILE_OCTETS:
        raise AnchorError(f"{path}: larger than {MAX_ANCHOR_FILE_OCTETS} octets")
    return parse_anchors(data, source=path, now=now)


def parse_anchors(data: bytes, *, source: str, now: int | None) -> TrustAnchors:
    """Parse anchor file contents; XML when it starts with ``<``, else presentation records.

    ``now`` is needed for XML validity windows; None means "presentation format only".
    """
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise AnchorError(f"{source}: not a text file") from None
    if text.lstrip().startswith("<"):
        if now is None:
            raise AnchorError(f"{source}: XML anchors need a validation time")
        zone, ds, windows = _parse_xml(text, source, now)
        zones: tuple[ZoneAnchor, ...] = (ZoneAnchor(zone, ds, (), windows),) if ds else ()
    else:
        zones = _parse_records(text, source)
    if not zones:
        raise AnchorError(f"{source}: no usable trust anchor (TA-08)")
    return TrustAnchors(zones, source, digest)


def _parse_records(text: str, source: str) -> tuple[ZoneAnchor, ...]:
    """DS and DNSKEY records grouped by owner: one :class:`ZoneAnchor` per zone, highest
    first.  A zone left with nothing usable (only revoked keys, say) is dropped (TA-07)."""
    try:
        records = parse_records(io.StringIO(text), dns.name.root, source)
    except ZoneError as exc:
        raise AnchorError(str(exc)) from None
    found: dict[tuple[bytes, ...], tuple[Name, list[DS], list[DNSKEY]]] = {}
    for name, _, rdata in records:
        if rdata.rdtype not in (DS_TYPE, DNSKEY_TYPE):
            continue
        _, ds, keys = found.setdefault(canonical_key(name), (name, [], []))
        try:
            if rdata.rdtype == DS_TYPE:
                ds.append(DS.from_wire(rdata_wire(rdata)))
            else:
                key = DNSKEY.from_wire(rdata_wire(rdata))
                if key.is_zone_key and not key.is_revoked:  # TA-07
                    keys.append(key)
        except WireError as exc:
            raise AnchorError(f"{source}: {exc}") from None
    zones = [ZoneAnchor(name, tuple(ds), tuple(keys)) for name, ds, keys in found.values()
             if ds or keys]
    zones.sort(key=lambda anchor: (len(anchor.zone.labels), canonical_key(anchor.zone)))
    return tuple(zones)


_XML_TIME = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)?$")


def _xml_time(value: str, source: str) -> int:
    """RFC 7958 §2.1 dateTime (XML Schema) → Unix seconds."""
    match = _XML_TIME.match(value.strip())
    if not match:
        raise AnchorError(f"{source}: bad dateTime {value!r}")
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    zone = match.group(7)
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return seconds


def _parse_xml(
    text: str, source: str, now: int
) -> tuple[Name, tuple[DS, ...], tuple[tuple[int, int | None], ...]]:
    """RFC 7958 §2: TrustAnchor/Zone + KeyDigest(id, validFrom, validUntil?)/KeyTag, Algorithm,
    DigestType, Digest.  Only KeyDigests valid at ``now`` are kept (TA-02, TA-03), each with
    its (validFrom, validUntil) window."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise AnchorError(f"{source}: DTDs and entities are not accepted in anchor files")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise AnchorError(f"{source}: not well-formed XML ({exc})") from None
    if root.tag != "TrustAnchor":
        raise AnchorError(f"{source}: root element is {root.tag!r}, not TrustAnchor")
    zone_text = (root.findtext("Zone") or "").strip()
    try:
        zone = dns.name.from_text(zone_text)
    except (dns.exception.DNSException, ValueError):
        raise AnchorError(f"{source}: bad Zone {zone_text!r}") from None
    found: list[DS] = []
    windows: list[tuple[int, int | None]] = []
    for digest in root.findall("KeyDigest"):
        valid_from = digest.get("validFrom")
        if valid_from is None:
            raise AnchorError(f"{source}: KeyDigest without validFrom")
        start = _xml_time(valid_from, source)
        valid_until = digest.get("validUntil")
        end = None if valid_until is None else _xml_time(valid_until, source)
        if now < start or (end is not None and now >= end):
            continue
        flags_text = digest.findtext("Flags")
        try:
            key_tag = int(digest.findtext("KeyTag") or "")
            algorithm = int(digest.findtext("Algorithm") or "")
            digest_type = int(digest.findtext("DigestType") or "")
            value = bytes.fromhex((digest.findtext("Digest") or "").strip())
            # RFC 9718 §2: Flags is the DNSKEY flags field (16 bits); TA-08: a bad one is a
            # one-line error, never a traceback
            flags = 0 if flags_text is None else int(flags_text)
        except ValueError:
            raise AnchorError(f"{source}: malformed KeyDigest {digest.get('id')!r}") from None
        if not (
            0 <= key_tag <= 0xFFFF and 0 <= algorithm <= 255 and 0 <= digest_type <= 255 and value
            and 0 <= flags <= 0xFFFF
        ):
            raise AnchorError(f"{source}: malformed KeyDigest {digest.get('id')!r}")
        if flags & 0x0080:  # RFC 9718: a revoked key is no anchor
            continue
        found.append(DS(key_tag, algorithm, digest_type, value))
        windows.append((start, end))
    return zone, tuple(found), tuple(windows)


def describe(anchors: TrustAnchors) -> str:
    """One line for logs and verdicts: source, SHA-256 and key tags (TA-05)."""
    zones = " ".join(anchor.zone.to_text() for anchor in anchors.zones)
    return f"{anchors.source} sha256={anchors.sha256[:16]}… zones={zones} tags={anchors.key_tags}"
