"""DS digests and DS-to-DNSKEY matching (RFC 4034 §5.1.4, RFC 4509, RFC 6605 §2; RFC 4035 §5.2)."""

from __future__ import annotations

import enum

from dns.name import Name

from dnssec_core.dnssec.algorithms import DEFAULT_POLICY, DIGEST_FUNCTIONS, AlgorithmPolicy
from dnssec_core.dnssec.records import DNSKEY, DS
from dnssec_core.wire.name import canonical_wire


def ds_digest(owner: Name, dnskey_rdata: bytes, digest_type: int) -> bytes | None:
    """digest(canonical owner name | DNSKEY RDATA) — VAL-DS-01 (RFC 4034 §5.1.4).

    Returns None for a digest type we do not implement (VAL-DS-02: 1, 2 and 4 are).
    """
    digest = DIGEST_FUNCTIONS.get(digest_type)
    if digest is None:
        return None
    return digest(canonical_wire(owner) + dnskey_rdata)


def make_ds(owner: Name, dnskey: DNSKEY, digest_type: int) -> DS:
    """The DS record for ``dnskey`` at ``owner``.  Raises ValueError for an unknown digest type."""
    digest = ds_digest(owner, dnskey.rdata, digest_type)
    if digest is None:
        raise ValueError(f"unsupported DS digest type {digest_type}")
    return DS(dnskey.key_tag, dnskey.algorithm, digest_type, digest)


class DSMatch(enum.Enum):
    MATCH = "match"
    NO_MATCH = "no-match"
    UNSUPPORTED = "unsupported"  # unknown digest type or unsupported algorithm (VAL-DS-04)


def ds_matches(
    ds: DS, owner: Name, dnskey: DNSKEY, policy: AlgorithmPolicy = DEFAULT_POLICY
) -> DSMatch:
    """Does ``ds`` authenticate ``dnskey`` at ``owner``?  VAL-DS-03: tag, algorithm AND digest.

    A DS whose digest type or algorithm we cannot use is ``UNSUPPORTED`` (VAL-DS-04), which the
    chain engine treats as absent; if every DS is unsupported the child is insecure.
    """
    if ds.digest_type not in DIGEST_FUNCTIONS or not policy.supports(ds.algorithm):
        return DSMatch.UNSUPPORTED
    if ds.key_tag != dnskey.key_tag or ds.algorithm != dnskey.algorithm:
        return DSMatch.NO_MATCH
    if ds_digest(owner, dnskey.rdata, ds.digest_type) == ds.digest:
        return DSMatch.MATCH
    return DSMatch.NO_MATCH


def usable_ds(ds_set: list[DS], policy: AlgorithmPolicy = DEFAULT_POLICY) -> list[DS]:
    """The DS records a validator should try, in order (VAL-DS-04, VAL-DS-06).

    Drops DS records with an unsupported digest type or algorithm, and drops a SHA-1 DS when a
    SHA-256 or SHA-384 DS names the same key (RFC 4509 §3), so SHA-1 cannot be used as a
    downgrade.  An empty result with a non-empty input means "all unsupported" → insecure.
    """
    supported = [
        ds for ds in ds_set if ds.digest_type in DIGEST_FUNCTIONS and policy.supports(ds.algorithm)
    ]
    stronger = {(ds.key_tag, ds.algorithm) for ds in supported if ds.digest_type != 1}
    return [
        ds for ds in supported if ds.digest_type != 1 or (ds.key_tag, ds.algorithm) not in stronger
    ]
