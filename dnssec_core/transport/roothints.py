"""Root hints: where iterative resolution starts (``--root-hints FILE``, RFC 8109 §2).

The built-in hints are IANA's ``named.root`` (``dnssec_core/data/root.hints``, source cited in
the file).  The format is the subset of zone-file syntax that file uses: one record per line,
``owner [TTL] [IN] NS|A|AAAA rdata``, ``;`` comments, absolute names.  Root NS records name the
servers; A and AAAA records give their addresses.  Anything else is an error with its line
number — a hints file is configuration, and a typo must not silently drop servers.

Hints are not trusted data: they only choose the first servers to ask.  Every answer is
validated from the trust anchor (TA-01), whatever server it came from.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from importlib import resources

import dns.exception
import dns.name
from dns.name import Name

from dnssec_core import limits
from dnssec_core.wire.name import canonical_key

BUILTIN_SOURCE = "dnssec_core/data/root.hints (IANA named.root, version 2024110501)"


class RootHintsError(ValueError):
    """An unusable root hints file; the message is one line (exit 2 at the CLI)."""


@dataclass(frozen=True, slots=True)
class RootHints:
    """The root's name servers: (NS name, its IPv4 and IPv6 addresses), in file order."""

    servers: tuple[tuple[Name, tuple[str, ...]], ...]
    source: str

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(address for _, addresses in self.servers for address in addresses)


def builtin_root_hints() -> RootHints:
    """IANA's root hints as shipped with the package."""
    data = resources.files("dnssec_core").joinpath("data/root.hints").read_bytes()
    return parse_root_hints(data, source=BUILTIN_SOURCE)


def load_root_hints(path: str) -> RootHints:
    """Read a root hints file (``--root-hints``).  Raises :class:`RootHintsError`."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(limits.MAX_ROOT_HINTS_OCTETS + 1)
    except OSError as exc:
        raise RootHintsError(f"{path}: {exc.strerror or exc}") from None
    if len(data) > limits.MAX_ROOT_HINTS_OCTETS:
        raise RootHintsError(f"{path}: larger than {limits.MAX_ROOT_HINTS_OCTETS} octets")
    return parse_root_hints(data, source=path)


def parse_root_hints(data: bytes, *, source: str) -> RootHints:
    """Parse hints file contents.  Raises :class:`RootHintsError` naming ``source`` and line."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise RootHintsError(f"{source}: not an ASCII text file") from None
    ns_names: list[Name] = []
    addresses: dict[tuple[bytes, ...], list[str]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split(";", 1)[0].split()
        if not fields:
            continue
        where = f"{source}:{number}"
        owner, rdtype, rdata = _fields(fields, where)
        if rdtype == "NS":
            if owner != dns.name.root:
                raise RootHintsError(f"{where}: NS record for {owner}, expected the root '.'")
            target = _name(rdata, where)
            if all(canonical_key(target) != canonical_key(n) for n in ns_names):
                ns_names.append(target)
            continue
        try:
            ip = ipaddress.ip_address(rdata)
        except ValueError:
            raise RootHintsError(f"{where}: {rdata!r} is not an address") from None
        if (ip.version == 4) != (rdtype == "A"):
            raise RootHintsError(f"{where}: {rdata!r} is not an {rdtype} address")
        slot = addresses.setdefault(canonical_key(owner), [])
        if ip.compressed not in slot:
            slot.append(ip.compressed)
    if not ns_names:
        raise RootHintsError(f"{source}: no root NS records")
    servers = tuple((name, tuple(addresses.get(canonical_key(name), ()))) for name in ns_names)
    if not any(found for _, found in servers):
        raise RootHintsError(f"{source}: no address for any root name server")
    return RootHints(servers, source)


def _fields(fields: list[str], where: str) -> tuple[Name, str, str]:
    """Split ``owner [TTL] [IN] TYPE rdata`` (TTL and class in either order, RFC 1035 §5.1)."""
    if len(fields) < 3 or len(fields) > 5:
        raise RootHintsError(f"{where}: expected 'owner [TTL] [IN] TYPE rdata'")
    owner = _name(fields[0], where)
    middle = fields[1:-2]
    rdtype, rdata = fields[-2].upper(), fields[-1]
    for item in middle:
        if item.upper() != "IN" and not item.isdigit():
            raise RootHintsError(f"{where}: unexpected {item!r} (TTL or class IN expected)")
    if rdtype not in ("NS", "A", "AAAA"):
        raise RootHintsError(f"{where}: record type {fields[-2]!r}; only NS, A and AAAA")
    return owner, rdtype, rdata


def _name(text: str, where: str) -> Name:
    if not text.endswith("."):
        raise RootHintsError(f"{where}: {text!r} is not an absolute name (no final '.')")
    try:
        return dns.name.from_text(text)
    except dns.exception.DNSException as exc:
        raise RootHintsError(f"{where}: bad name {text!r}: {exc}") from None
