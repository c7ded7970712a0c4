"""Domain names in canonical form and canonical order (RFC 4034 §6.1-6.2).

Names are carried as :class:`dns.name.Name` (dnspython's parsed label tuple); everything that
DNSSEC defines on names — canonical wire form, canonical ordering, label counting for RRSIGs,
wildcard source reconstruction — is implemented here, not taken from dnspython.
"""

from __future__ import annotations

from dns.name import Name

from dnssec_core.wire.errors import WireError

MAX_LABEL_OCTETS = 63  # RFC 1035 §2.3.4
MAX_NAME_OCTETS = 255  # RFC 1035 §2.3.4
WILDCARD_LABEL = b"*"


def canonical_wire(name: Name) -> bytes:
    """The canonical wire form of ``name``: uncompressed, ASCII letters lowercased.

    Implements VAL-CANON-01 (RFC 4034 §6.2).  Lowercasing the whole encoding is safe because
    label length octets are at most 63 and so never fall in the ASCII range 'A'..'Z' (65..90);
    :meth:`bytes.lower` touches only those octets.
    """
    return b"".join([bytes((len(label),)) + label for label in name.labels]).lower()


def canonical_key(name: Name) -> tuple[bytes, ...]:
    """A sort key giving RFC 4034 §6.1 canonical name order (VAL-CANON-04).

    Labels are compared right to left as lowercased octet strings; Python compares bytes as
    unsigned octets with "absent sorts before 0x00", and shorter tuples sort first — exactly the
    RFC's rules.  The root label is dropped; it is common to every absolute name.
    """
    return tuple(label.lower() for label in reversed(name.labels[:-1] if name.labels else ()))


def canonical_compare(a: Name, b: Name) -> int:
    """-1, 0 or 1 as ``a`` sorts before, equal to, or after ``b`` in canonical order."""
    ka, kb = canonical_key(a), canonical_key(b)
    return (ka > kb) - (ka < kb)


def names_equal(a: Name, b: Name) -> bool:
    """Case-insensitive equality of two names (RFC 4343)."""
    return canonical_key(a) == canonical_key(b)


def is_subdomain(name: Name, ancestor: Name) -> bool:
    """True when ``name`` is ``ancestor`` or below it (case-insensitive)."""
    kn, ka = canonical_key(name), canonical_key(ancestor)
    return kn[: len(ka)] == ka


def rrsig_label_count(name: Name) -> int:
    """Number of labels as the RRSIG Labels field counts them (RFC 4034 §3.1.3).

    The root label is not counted, nor is a leading wildcard label ``*``.  Used by
    VAL-RRSIG-03 and VAL-CANON-07.
    """
    labels = name.labels
    count = len(labels) - 1 if labels and labels[-1] == b"" else len(labels)
    if labels and labels[0] == WILDCARD_LABEL:
        count -= 1
    return max(count, 0)


def wildcard_source(owner: Name, labels: int) -> Name:
    """The wildcard name that an expanded RRset was synthesised from (RFC 4035 §5.3.2).

    Implements VAL-CANON-07 / VAL-WILD-01: ``*.`` followed by the rightmost ``labels`` labels
    of ``owner``.  The caller checks ``labels`` < owner label count beforehand.
    """
    kept = owner.labels[len(owner.labels) - 1 - labels :]
    return Name((WILDCARD_LABEL, *kept))


def name_end(buf: bytes, offset: int) -> int:
    """The offset just past the uncompressed wire-format name at ``offset`` in ``buf``.

    The one place that checks a name in RDATA (SEC-PARSE-01): names handed to us are always
    uncompressed (dnspython expands compression when it parses a message), so a compression
    pointer is malformed data, as are labels over 63 octets, names over 255 octets and
    truncation; each raises :class:`WireError`.
    """
    start = offset
    end = len(buf)
    while True:
        if offset >= end:
            raise WireError("name runs past the end of the data")
        length = buf[offset]
        if length > MAX_LABEL_OCTETS:
            raise WireError("compression pointer or oversized label in a name")
        offset += 1 + length
        if offset - start > MAX_NAME_OCTETS:
            raise WireError("name longer than 255 octets")
        if length == 0:
            return offset
        if offset > end:
            raise WireError("label runs past the end of the data")


def read_name(buf: bytes, offset: int) -> tuple[Name, int]:
    """Decode the uncompressed name at ``offset``; returns it and the offset past it.

    Checked by :func:`name_end` (raises :class:`WireError`); then split into labels.
    """
    end = name_end(buf, offset)
    labels: list[bytes] = []
    while True:
        length = buf[offset]
        labels.append(buf[offset + 1 : offset + 1 + length])
        offset += 1 + length
        if length == 0:
            return Name(labels), end
