"""RRSIG validation of one RRset against an authenticated DNSKEY set (RFC 4035 §5.3).

This is the hot path of the whole validator.  :func:`verify_rrset` applies every check of
RFC 4035 §5.3.1 to each RRSIG, builds the signature input (RFC 4035 §5.3.2) and asks the backend
to verify, stopping at the first good signature (RFC 4035 §5.3.3, VAL-RRSIG-07).  It returns a
:class:`~dnssec_core.verdict.Verdict`; it never raises for bad data and never returns ``secure``
unless the backend verified a signature.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from dns.name import Name

from dnssec_core import limits
from dnssec_core.crypto.base import Backend, BackendDisagreement, PublicKey, SignatureScheme
from dnssec_core.dnssec.algorithms import DEFAULT_POLICY, AlgorithmPolicy
from dnssec_core.dnssec.keys import KeyProblem, parse_public_key
from dnssec_core.dnssec.records import DNSKEY, DNSSEC_PROTOCOL, REVOKE_FLAG, RRSIG, ZONE_KEY_FLAG
from dnssec_core.verdict import Reason, Verdict, bogus, indeterminate, secure
from dnssec_core.wire.canonical import owner_wire as canonical_owner_wire
from dnssec_core.wire.canonical import signature_input, signature_input_owner
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.name import canonical_key, canonical_wire, rrsig_label_count
from dnssec_core.wire.rrset import RRset

log = logging.getLogger(__name__)

_SERIAL_HALF = 1 << 31
_SERIAL_MOD = 1 << 32


def serial_lt(a: int, b: int) -> bool:
    """RFC 1982 §3.2 "a < b" for 32-bit serial numbers (RRSIG times, RFC 4034 §3.1.5)."""
    a %= _SERIAL_MOD
    b %= _SERIAL_MOD
    return a != b and ((a < b and b - a < _SERIAL_HALF) or (a > b and a - b > _SERIAL_HALF))


@dataclass(frozen=True)
class ZoneKeys:
    """The authenticated DNSKEY RRset of one zone, indexed by (algorithm, key tag).

    Build it once per zone (:meth:`from_dnskeys`); lookups are then a dict access.  Only the
    first ``MAX_DNSKEYS_PER_RRSET`` keys are indexed (SEC-LIM-04).
    """

    zone: Name
    keys: tuple[DNSKEY, ...]
    _index: dict[tuple[int, int], tuple[DNSKEY, ...]] = field(repr=False, compare=False)
    #: canonical_key(zone), computed once: the signer check of every RRSIG compares against it.
    zone_key: tuple[bytes, ...] = field(repr=False, compare=False)
    #: canonical_wire(zone): compared with the canonical Signer's Name already in each RRSIG's
    #: ``signed_prefix``, and with the tail of the owner's canonical wire form (hot path).
    zone_wire: bytes = field(repr=False, compare=False)
    #: (algorithm, key tag) → (policy, ((DNSKEY, parsed key),)) when exactly one DNSKEY of this
    #: set has that algorithm and tag, it is a usable zone key and its key parses under that
    #: policy: the outcome of the key-selection steps below (:func:`_usable_keys`), remembered
    #: for the next RRSIG in the form the verification step takes (hot path).  Bounded by the
    #: number of keys; holds only this set's own DNSKEYs.
    _ready: dict[tuple[int, int], tuple[AlgorithmPolicy, tuple[tuple[DNSKEY, PublicKey]]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def from_dnskeys(cls, zone: Name, keys: Iterable[DNSKEY]) -> ZoneKeys:
        kept = tuple(keys)[: limits.MAX_DNSKEYS_PER_RRSET]
        index: dict[tuple[int, int], list[DNSKEY]] = {}
        for key in kept:
            index.setdefault((key.algorithm, key.key_tag), []).append(key)
        frozen = {k: tuple(v) for k, v in index.items()}
        return cls(zone, kept, frozen, canonical_key(zone), canonical_wire(zone))

    def matching(self, algorithm: int, key_tag: int) -> tuple[DNSKEY, ...]:
        return self._index.get((algorithm, key_tag), ())


# When no RRSIG verifies, the verdict reports the most telling failure.  Lower rank wins: a
# signature that failed the crypto says more than one whose key could not be found.
_RANK = {
    reason: rank
    for rank, reason in enumerate(
        (
            Reason.SIG_INVALID,
            Reason.SIG_EXPIRED,
            Reason.SIG_NOT_YET_VALID,
            Reason.SIG_EXPIRED_BEFORE_VALID,
            Reason.KEY_MALFORMED,
            Reason.SIG_MALFORMED,
            Reason.KEY_REVOKED,
            Reason.NO_ZONE_KEY_BIT,
            Reason.DNSKEY_MISSING,
            Reason.LABELS_MISMATCH,
            Reason.SIGNER_MISMATCH,
            Reason.TYPE_COVERED_MISMATCH,
            Reason.KEY_SIZE_UNSUPPORTED,
            Reason.UNSUPPORTED_ALGORITHM,
            Reason.LIMIT_KEY_TAG_COLLISIONS,
            Reason.LIMIT_RRSIGS,
        )
    )
}


def check_rrsig(rrsig: RRSIG, rrset: RRset, zone: Name, now: int) -> Verdict | None:
    """The non-cryptographic checks of RFC 4035 §5.3.1 for one RRSIG; None when all pass.

    * VAL-RRSIG-01: Type Covered equals the RRset type (owner and class are the caller's
      grouping: an RRSIG is only ever offered for the RRset at its own owner and class).
    * VAL-RRSIG-03: Labels ≤ the owner's label count.
    * VAL-RRSIG-02: the Signer's Name is the zone apex and the owner is at or below it.
    * VAL-RRSIG-04: inception ≤ now ≤ expiration in RFC 1982 serial arithmetic; an RRSIG whose
      inception is after its expiration is reported as such (RFC 8914 code 25).
    """
    owner = rrset.owner
    return _check_rrsig(
        rrsig,
        rrset,
        zone,
        canonical_key(zone),
        canonical_key(owner),
        rrsig_label_count(owner),
        now,
    )


def _check_rrsig(
    rrsig: RRSIG,
    rrset: RRset,
    zone: Name,
    zone_key: tuple[bytes, ...],
    owner_key: tuple[bytes, ...],
    owner_labels: int,
    now: int,
) -> Verdict | None:
    """:func:`check_rrsig` given canonical_key(zone), canonical_key(owner) and the owner's label
    count, which the hot path computes once per RRset and zone rather than once per RRSIG."""
    if rrsig.type_covered != rrset.rdtype:
        return bogus(
            Reason.TYPE_COVERED_MISMATCH,
            f"RRSIG covers type {rrsig.type_covered}, RRset is type {rrset.rdtype}",
            rrsig.key_tag,
        )
    if rrsig.labels > owner_labels:
        return bogus(
            Reason.LABELS_MISMATCH,
            f"RRSIG labels {rrsig.labels} exceed the owner's {owner_labels}",
            rrsig.key_tag,
        )
    # The signer is the zone apex, and the owner is at or below it (is_subdomain on the keys).
    if canonical_key(rrsig.signer) != zone_key or owner_key[: len(zone_key)] != zone_key:
        return bogus(
            Reason.SIGNER_MISMATCH,
            f"signer {rrsig.signer} is not the zone apex {zone} above {rrset.owner}",
            rrsig.key_tag,
        )
    if serial_lt(rrsig.expiration, rrsig.inception):
        return bogus(
            Reason.SIG_EXPIRED_BEFORE_VALID,
            f"inception {rrsig.inception} is after expiration {rrsig.expiration}",
            rrsig.key_tag,
        )
    if serial_lt(rrsig.expiration, now):
        return bogus(Reason.SIG_EXPIRED, f"expired at {rrsig.expiration}, now {now}", rrsig.key_tag)
    if serial_lt(now, rrsig.inception):
        return bogus(
            Reason.SIG_NOT_YET_VALID, f"valid from {rrsig.inception}, now {now}", rrsig.key_tag
        )
    return None


def _most_telling(failures: list[Verdict]) -> Verdict:
    """The failure of lowest ``_RANK``; the first one among equals."""
    return min(failures, key=lambda verdict: _RANK[verdict.reason])


def verify_rrset(
    rrset: RRset,
    rrsigs: Sequence[RRSIG],
    keys: ZoneKeys,
    *,
    now: int,
    backend: Backend,
    policy: AlgorithmPolicy = DEFAULT_POLICY,
) -> Verdict:
    """Validate ``rrset`` with its ``rrsigs`` against the zone's authenticated ``keys``.

    Implements RFC 4035 §5.3 (VAL-RRSIG-01..08, VAL-CANON-06/07, VAL-TTL-01, VAL-KEY-01/02)
    with the work limits of SEC-LIM-01/02/04.  Outcomes:

    * ``secure`` — some RRSIG passed every check and the backend verified it with a zone key
      (protocol 3, Zone Key bit, not revoked) of matching algorithm and key tag;
      ``key_tag`` names that key.
    * ``bogus`` — no RRSIG did; the reason is the most telling failure (see ``_RANK``), e.g.
      ``rrsigs-missing`` (EDE 10), ``signature-expired`` (EDE 7), ``dnskey-missing`` (EDE 9),
      ``unsupported-algorithm`` (EDE 1) or ``backend-disagreement``.
    * ``indeterminate`` — an unexpected internal error (fail closed).
    """
    try:
        return _verify_rrset(rrset, rrsigs, keys, now, backend, policy)
    except limits.WorkLimitExceeded as exc:
        return bogus(Reason.LIMIT_SIG_VALIDATIONS, str(exc))
    except BackendDisagreement as exc:
        log.error("crypto backends disagree on %s/%d: %s", rrset.owner, rrset.rdtype, exc)
        return bogus(Reason.BACKEND_DISAGREEMENT, str(exc))
    except Exception as exc:  # fail closed: no stray exception may escape or pass as secure
        log.exception("internal error validating %s/%d", rrset.owner, rrset.rdtype)
        return indeterminate(Reason.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}")


#: RRSIG RDATA octets before the Signer's Name (RFC 4034 §3.1): ``signed_prefix[18:]`` is the
#: canonical Signer's Name.
_SIGNER_OFFSET = 18

#: Secure verdicts are immutable and differ only by key tag: one shared object per tag saves
#: building a frozen dataclass per validated RRset (issue 7 hot path).  At most 65,536 entries.
_SECURE: dict[int, Verdict] = {}


def _secure(key_tag: int) -> Verdict:
    verdict = _SECURE.get(key_tag)
    if verdict is None:
        verdict = _SECURE[key_tag] = secure(key_tag)
    return verdict


#: A usable zone key (VAL-KEY-01/02): Zone Key bit set, REVOKE bit clear (and protocol 3).
_ZONE_OR_REVOKED = ZONE_KEY_FLAG | REVOKE_FLAG


def _key_unusable(dnskey: DNSKEY, rrsig_key_tag: int) -> Verdict:
    """Why ``dnskey`` may not verify: no Zone Key bit or protocol 3 (VAL-KEY-01), else revoked
    (VAL-KEY-02)."""
    if not dnskey.is_zone_key:
        return bogus(
            Reason.NO_ZONE_KEY_BIT,
            f"DNSKEY {dnskey.key_tag} lacks the Zone Key bit or protocol 3",
            rrsig_key_tag,
        )
    return bogus(Reason.KEY_REVOKED, f"DNSKEY {dnskey.key_tag} is revoked", rrsig_key_tag)


def _owner_under_zone(owner: Name, owner_wire: bytes, keys: ZoneKeys) -> bool:
    """``canonical_key(owner)`` starts with ``keys.zone_key`` (owner at or below the apex),
    decided on the canonical wire forms: the owner's wire form ends with the zone's, and the
    zone's part starts on a label boundary of the owner (so it is whole labels)."""
    zone_wire = keys.zone_wire
    if not owner_wire.endswith(zone_wire):
        return False
    extra = len(owner.labels) - (len(keys.zone_key) + 1)
    if extra < 0:
        return False
    offset = 0
    for label in owner.labels[:extra]:
        offset += 1 + len(label)
    return offset == len(owner_wire) - len(zone_wire)


#: The owner facts of the last RRset verified: (owner, keys, label count, canonical wire form,
#: owner at or below the apex).  RRsets of one owner come one after another in a zone (A, AAAA,
#: NSEC, ... at each name) and share their owner's Name object, so the next RRset at the same
#: Name, checked against the same ZoneKeys, reuses them (issue 7).  Compared by identity: the
#: entry holds both objects, so an identical object is the same immutable name and key set.
#: One entry; replaced as a whole (a tuple), so concurrent callers read a consistent one.
_LAST_OWNER: list[tuple[Name | None, ZoneKeys | None, int, bytes, bool]] = [
    (None, None, 0, b"", False)
]


def _signed_data(rrsig: RRSIG, rrset: RRset, owner_labels: int, owner_wire: bytes) -> bytes:
    """The signature input (RFC 4034 §3.1.8.1), the owner replaced by its wildcard source when
    the RRSIG's Labels is below the owner's count (RFC 4035 §5.3.2).  Raises WireError."""
    if rrsig.labels < owner_labels:
        return signature_input(rrsig, rrset)
    return signature_input_owner(rrsig, rrset, owner_wire)


def _usable_keys(
    rrsig: RRSIG,
    candidates: tuple[DNSKEY, ...],
    scheme: SignatureScheme,
    keys: ZoneKeys,
    policy: AlgorithmPolicy,
    failures: list[Verdict],
    limit_hits: list[Verdict],
) -> Iterator[tuple[DNSKEY, PublicKey]]:
    """The DNSKEYs of matching algorithm and key tag that may verify ``rrsig``, parsed, in order
    and lazily (a key after the one that verifies is never parsed).

    Keys without the Zone Key bit or protocol 3 (VAL-KEY-01), revoked keys (VAL-KEY-02) and keys
    that do not parse are recorded in ``failures``; more than ``MAX_KEYS_PER_KEY_TAG`` candidates
    (SEC-LIM-02, KeyTrap) stop the search with a verdict in ``limit_hits``, since a key not tried
    might have verified.  A lone usable candidate is remembered in ``keys._ready``.
    """
    for tried, dnskey in enumerate(candidates):
        if dnskey.flags & _ZONE_OR_REVOKED != ZONE_KEY_FLAG or dnskey.protocol != DNSSEC_PROTOCOL:
            failures.append(_key_unusable(dnskey, rrsig.key_tag))
            continue
        if tried >= limits.MAX_KEYS_PER_KEY_TAG:
            limit_hits.append(
                bogus(
                    Reason.LIMIT_KEY_TAG_COLLISIONS,
                    f"more than {limits.MAX_KEYS_PER_KEY_TAG} keys share tag {rrsig.key_tag}",
                    rrsig.key_tag,
                )
            )
            return
        public_key = parse_public_key(scheme, dnskey.public_key, policy)
        if isinstance(public_key, KeyProblem):
            failures.append(bogus(public_key.reason, public_key.detail, rrsig.key_tag))
            continue
        if len(candidates) == 1 and limits.MAX_KEYS_PER_KEY_TAG >= 1:
            keys._ready[(rrsig.algorithm, rrsig.key_tag)] = (policy, ((dnskey, public_key),))
        yield dnskey, public_key


def _verify_rrset(
    rrset: RRset,
    rrsigs: Sequence[RRSIG],
    keys: ZoneKeys,
    now: int,
    backend: Backend,
    policy: AlgorithmPolicy,
) -> Verdict:
    if not rrsigs:
        return bogus(Reason.RRSIGS_MISSING, f"no RRSIG for {rrset.owner} type {rrset.rdtype}")
    failures: list[Verdict] = []  # every failure; the most telling is reported
    limit_hits: list[Verdict] = []  # key-tag collisions beyond the limit (SEC-LIM-02)
    validations = 0
    owner = rrset.owner
    # Once per owner (see _LAST_OWNER): the owner's label count, its canonical wire form
    # (signature input, owner-below-apex check) and whether it is at or below the apex.
    last = _LAST_OWNER[0]
    if last[0] is owner and last[1] is keys:
        owner_labels, owner_wire, owner_below_apex = last[2], last[3], last[4]
    else:
        owner_labels = rrsig_label_count(owner)
        owner_wire = canonical_owner_wire(owner)
        owner_below_apex = _owner_under_zone(owner, owner_wire, keys)
        _LAST_OWNER[0] = (owner, keys, owner_labels, owner_wire, owner_below_apex)
    now_serial = now % _SERIAL_MOD
    zone_wire = keys.zone_wire
    rdtype = rrset.rdtype
    max_rrsigs = limits.MAX_RRSIGS_PER_RRSET
    max_validations = limits.MAX_SIG_VALIDATIONS_PER_RRSET
    for rrsig in rrsigs if len(rrsigs) <= max_rrsigs else rrsigs[:max_rrsigs]:
        # RFC 4035 §5.3.1, as _check_rrsig: the common all-pass case decided cheaply, any
        # doubt handed to _check_rrsig for the exact checks and the reason.
        inception = rrsig.inception
        expiration = rrsig.expiration
        if not (
            rrsig.type_covered == rdtype
            and rrsig.labels <= owner_labels
            and owner_below_apex
            and rrsig.signed_prefix[_SIGNER_OFFSET:] == zone_wire
            # Serial arithmetic (RFC 1982) agrees with plain order when all three fall within
            # half the serial space: inception <= now <= expiration < inception + 2^31.
            and inception <= now_serial <= expiration
            and expiration - inception < _SERIAL_HALF
        ):
            problem = _check_rrsig(
                rrsig, rrset, keys.zone, keys.zone_key, canonical_key(owner), owner_labels, now
            )
            if problem is not None:
                failures.append(problem)
                continue
        ready = keys._ready.get((rrsig.algorithm, rrsig.key_tag))
        pairs: Iterable[tuple[DNSKEY, PublicKey]]
        if ready is not None and ready[0] is policy:
            # The one candidate key, already found usable and parsed (hot path).
            pairs = ready[1]
        else:
            scheme = policy.scheme(rrsig.algorithm)
            if scheme is None:
                failures.append(
                    bogus(
                        Reason.UNSUPPORTED_ALGORITHM,
                        f"algorithm {rrsig.algorithm} is not supported",
                        rrsig.key_tag,
                    )
                )
                continue
            candidates = keys.matching(rrsig.algorithm, rrsig.key_tag)
            if not candidates:
                failures.append(
                    bogus(
                        Reason.DNSKEY_MISSING,
                        f"no DNSKEY with algorithm {rrsig.algorithm} and tag {rrsig.key_tag}",
                        rrsig.key_tag,
                    )
                )
                continue
            pairs = _usable_keys(rrsig, candidates, scheme, keys, policy, failures, limit_hits)
        # One verification step for both ways of finding the keys (RFC 4035 §5.3.3).
        data: bytes | None = None
        for dnskey, public_key in pairs:
            if validations >= max_validations:
                return bogus(
                    Reason.LIMIT_SIG_VALIDATIONS,
                    f"gave up after {validations} signature verifications",
                    rrsig.key_tag,
                )
            validations += 1
            if data is None:
                try:
                    data = _signed_data(rrsig, rrset, owner_labels, owner_wire)
                except WireError as exc:
                    failures.append(
                        bogus(
                            Reason.SIG_MALFORMED, f"cannot canonicalise RRset: {exc}", rrsig.key_tag
                        )
                    )
                    break
            if backend.verify(public_key, rrsig.signature, data):
                return _secure(dnskey.key_tag)
            failures.append(
                bogus(
                    Reason.SIG_INVALID,
                    f"signature by key {dnskey.key_tag} does not verify",
                    rrsig.key_tag,
                )
            )
    if len(rrsigs) > limits.MAX_RRSIGS_PER_RRSET:
        # The RRSIGs we did not look at might have verified: say so rather than "invalid".
        return bogus(
            Reason.LIMIT_RRSIGS,
            f"none of the first {limits.MAX_RRSIGS_PER_RRSET} of {len(rrsigs)} RRSIGs verified",
        )
    if limit_hits:
        return limit_hits[0]
    assert failures  # every path through the loop recorded a failure
    return _most_telling(failures)


def effective_ttl(rrset: RRset, rrsig: RRSIG, now: int) -> int:
    """VAL-TTL-02/03: min(received TTL, Original TTL, seconds until the RRSIG expires)."""
    until_expiry = (rrsig.expiration - now) % _SERIAL_MOD
    return max(0, min(rrset.ttl, rrsig.original_ttl, until_expiry))
