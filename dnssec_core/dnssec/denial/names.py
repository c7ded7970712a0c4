"""Name arithmetic shared by the NSEC and NSEC3 proofs (RFC 4034 §6.1 canonical order).

Everything works on :func:`~dnssec_core.wire.name.canonical_key` tuples, never on dnspython's
own name comparison.
"""

from __future__ import annotations

from dns.name import Name

from dnssec_core.wire.name import WILDCARD_LABEL, canonical_key


def label_count(name: Name) -> int:
    """Labels below the root (the root itself has 0)."""
    return len(canonical_key(name))


def is_strict_subdomain(name: Name, ancestor: Name) -> bool:
    """True when ``name`` is below ``ancestor`` and not equal to it (case-insensitive)."""
    kn, ka = canonical_key(name), canonical_key(ancestor)
    return len(kn) > len(ka) and kn[: len(ka)] == ka


def ancestor(name: Name, labels: int) -> Name:
    """The ancestor of ``name`` with ``labels`` labels below the root (keeps ``name``'s case)."""
    total = label_count(name)
    if not 0 <= labels <= total:
        raise ValueError(f"{name} has no ancestor with {labels} labels")
    return Name(name.labels[total - labels :])


def common_ancestor(a: Name, b: Name) -> Name:
    """The longest name that is an ancestor of (or equal to) both ``a`` and ``b``; in ``a``'s
    case.  NSEC-05 builds the closest encloser from it (RFC 4035 §5.4)."""
    ka, kb = canonical_key(a), canonical_key(b)
    shared = 0
    for la, lb in zip(ka, kb, strict=False):
        if la != lb:
            break
        shared += 1
    return ancestor(a, shared)


def wildcard_at(closest_encloser: Name) -> Name:
    """``*.<closest encloser>``: the wildcard that could have matched (RFC 4592 §2.2.1)."""
    return Name((WILDCARD_LABEL, *closest_encloser.labels))


def next_closer(qname: Name, closest_encloser: Name) -> Name:
    """The name one label longer than the closest encloser on the way to ``qname``
    (RFC 5155 §1.3 "next closer name").  ``qname`` must be strictly below it."""
    return ancestor(qname, label_count(closest_encloser) + 1)
