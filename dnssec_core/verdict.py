"""Validation statuses, machine-readable reasons and their RFC 8914 Extended DNS Error codes.

Implements VAL-STAT-01: every answer gets exactly one of the four RFC 4033 §5 / RFC 4035 §4.3
statuses, one :class:`Reason` and the RFC 8914 EDE code that goes with that reason.
"Bogus" is a return value, never an exception.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Status(enum.Enum):
    """RFC 4035 §4.3 security status of an answer."""

    SECURE = "secure"
    INSECURE = "insecure"
    BOGUS = "bogus"
    INDETERMINATE = "indeterminate"


class EDE(enum.IntEnum):
    """RFC 8914 §4 Extended DNS Error codes used by dnssec-core."""

    OTHER = 0
    UNSUPPORTED_DNSKEY_ALGORITHM = 1
    UNSUPPORTED_DS_DIGEST_TYPE = 2
    DNSSEC_INDETERMINATE = 5
    DNSSEC_BOGUS = 6
    SIGNATURE_EXPIRED = 7
    SIGNATURE_NOT_YET_VALID = 8
    DNSKEY_MISSING = 9
    RRSIGS_MISSING = 10
    NO_ZONE_KEY_BIT_SET = 11
    NSEC_MISSING = 12
    NO_REACHABLE_AUTHORITY = 22
    INVALID_DATA = 24
    SIGNATURE_EXPIRED_BEFORE_VALID = 25
    UNSUPPORTED_NSEC3_ITERATIONS = 27


class Reason(enum.Enum):
    """Why a verdict is what it is.  The value is the stable machine-readable string.

    Each member maps to exactly one EDE code (:data:`REASON_EDE`).
    """

    OK = "ok"
    # RRSIG checks, RFC 4035 §5.3.1 (VAL-RRSIG-01..05)
    RRSIGS_MISSING = "rrsigs-missing"
    TYPE_COVERED_MISMATCH = "type-covered-mismatch"
    LABELS_MISMATCH = "labels-exceed-owner"
    SIGNER_MISMATCH = "signer-not-zone-apex"
    SIG_EXPIRED = "signature-expired"
    SIG_NOT_YET_VALID = "signature-not-yet-valid"
    SIG_EXPIRED_BEFORE_VALID = "signature-expired-before-valid"
    SIG_INVALID = "signature-invalid"
    SIG_MALFORMED = "signature-malformed"
    DNSKEY_MISSING = "dnskey-missing"
    NO_ZONE_KEY_BIT = "no-zone-key-bit"
    KEY_REVOKED = "key-revoked"
    KEY_MALFORMED = "key-malformed"
    # Algorithms and DS (VAL-ALG-*, VAL-DS-*)
    UNSUPPORTED_ALGORITHM = "unsupported-algorithm"
    UNSUPPORTED_DIGEST = "unsupported-digest"
    KEY_SIZE_UNSUPPORTED = "key-size-unsupported"
    DS_MISMATCH = "no-dnskey-matches-ds"
    NO_SEP_SIGNATURE = "dnskey-not-signed-by-sep-key"
    # Cross-checking and limits (SEC-XB-01, SEC-LIM-*)
    BACKEND_DISAGREEMENT = "backend-disagreement"
    LIMIT_SIG_VALIDATIONS = "limit-signature-validations"
    LIMIT_CHECK_SIG_VALIDATIONS = "limit-signature-validations-per-check"
    LIMIT_KEY_TAG_COLLISIONS = "limit-key-tag-collisions"
    LIMIT_RRSIGS = "limit-rrsigs-per-rrset"
    # Zone data problems (verify-zone)
    MALFORMED_DATA = "malformed-data"
    INTERNAL_ERROR = "internal-error"
    # The chain engine (VAL-CHAIN-*, VAL-CNAME-*, SEC-LIM-05/06, TA-*)
    LOOKUP_FAILED = "lookup-failed"
    NO_TRUST_ANCHOR = "no-trust-anchor"
    TRUST_ANCHOR_NOT_VALID = "trust-anchor-not-valid-now"
    INSECURE_DELEGATION = "insecure-delegation"
    NSEC_PROOF_MISSING = "denial-proof-missing"
    DNAME_MISMATCH = "dname-synthesis-mismatch"
    CNAME_LOOP = "cname-loop"
    LIMIT_CNAME_CHAIN = "limit-cname-chain"
    LIMIT_QUERIES = "limit-queries"
    LIMIT_ZONE_DEPTH = "limit-zone-depth"
    LIMIT_DNSKEYS = "limit-dnskeys-per-rrset"
    LIMIT_DS = "limit-ds-per-rrset"
    LIMIT_REFERRALS = "limit-referrals"
    LIMIT_EXCHANGES = "limit-exchanges"
    LIMIT_NS_DEPTH = "limit-ns-lookup-depth"
    LIMIT_WALL_CLOCK = "limit-wall-clock"
    DENIAL_FROM_WILDCARD = "denial-record-from-wildcard"
    DENIAL_NEXT_OUTSIDE_ZONE = "denial-next-name-outside-zone"
    # Denial of existence (NSEC-*, NSEC3-*)
    DENIAL_OUTSIDE_ZONE = "denial-name-outside-zone"
    DENIAL_MALFORMED = "denial-record-malformed"
    DENIAL_NOT_COVERED = "denial-name-not-covered"
    DENIAL_NO_MATCH = "denial-name-not-matched"
    DENIAL_NAME_EXISTS = "denial-name-exists"
    DENIAL_TYPE_PRESENT = "denial-type-present"
    DENIAL_CNAME_PRESENT = "denial-cname-present"
    DENIAL_WILDCARD_NOT_DENIED = "denial-wildcard-not-denied"
    DENIAL_WILDCARD_EXISTS = "denial-wildcard-exists"
    DENIAL_CLOSER_MATCH = "denial-wildcard-closer-match"
    DENIAL_NO_CLOSEST_ENCLOSER = "denial-no-closest-encloser"
    DENIAL_ANCESTOR_DELEGATION = "denial-ancestor-delegation"
    DENIAL_CHILD_APEX = "denial-from-child-apex"
    DENIAL_NOT_DELEGATION = "denial-not-a-delegation"
    DENIAL_OPT_OUT = "nsec3-opt-out"
    NSEC3_NO_USABLE = "nsec3-no-usable-records"
    NSEC3_ITERATIONS_INSECURE = "nsec3-iterations-over-cap"
    NSEC3_ITERATIONS_BOGUS = "nsec3-iterations-over-hard-limit"
    LIMIT_NSEC3_HASHES = "limit-nsec3-hashes"
    LIMIT_DENIAL_RECORDS = "limit-denial-records"
    # Zone-level NSEC/NSEC3 chain checks (verify-zone; NSEC-02, NSEC3-04, NSEC3-17)
    CHAIN_BROKEN = "denial-chain-broken"
    CHAIN_NAME_MISSING = "denial-chain-name-missing"
    CHAIN_NAME_EXTRA = "denial-chain-name-extra"
    CHAIN_BITMAP_MISMATCH = "denial-chain-bitmap-mismatch"
    CHAIN_PARAMS_MISMATCH = "nsec3param-mismatch"
    CHAIN_OPT_OUT_MISMATCH = "nsec3-opt-out-mismatch"


#: RFC 8914 code for each reason.  Choices follow Unbound's ``reason_bogus`` where it has one.
REASON_EDE: dict[Reason, EDE | None] = {
    Reason.OK: None,
    Reason.RRSIGS_MISSING: EDE.RRSIGS_MISSING,
    Reason.TYPE_COVERED_MISMATCH: EDE.DNSSEC_BOGUS,
    Reason.LABELS_MISMATCH: EDE.DNSSEC_BOGUS,
    Reason.SIGNER_MISMATCH: EDE.DNSSEC_BOGUS,
    Reason.SIG_EXPIRED: EDE.SIGNATURE_EXPIRED,
    Reason.SIG_NOT_YET_VALID: EDE.SIGNATURE_NOT_YET_VALID,
    Reason.SIG_EXPIRED_BEFORE_VALID: EDE.SIGNATURE_EXPIRED_BEFORE_VALID,
    Reason.SIG_INVALID: EDE.DNSSEC_BOGUS,
    Reason.SIG_MALFORMED: EDE.DNSSEC_BOGUS,
    Reason.DNSKEY_MISSING: EDE.DNSKEY_MISSING,
    Reason.NO_ZONE_KEY_BIT: EDE.NO_ZONE_KEY_BIT_SET,
    Reason.KEY_REVOKED: EDE.DNSKEY_MISSING,
    Reason.KEY_MALFORMED: EDE.DNSSEC_BOGUS,
    Reason.UNSUPPORTED_ALGORITHM: EDE.UNSUPPORTED_DNSKEY_ALGORITHM,
    Reason.UNSUPPORTED_DIGEST: EDE.UNSUPPORTED_DS_DIGEST_TYPE,
    Reason.KEY_SIZE_UNSUPPORTED: EDE.UNSUPPORTED_DNSKEY_ALGORITHM,
    Reason.DS_MISMATCH: EDE.DNSKEY_MISSING,
    Reason.NO_SEP_SIGNATURE: EDE.DNSKEY_MISSING,
    Reason.BACKEND_DISAGREEMENT: EDE.DNSSEC_BOGUS,
    Reason.LIMIT_SIG_VALIDATIONS: EDE.DNSSEC_BOGUS,
    Reason.LIMIT_CHECK_SIG_VALIDATIONS: EDE.DNSSEC_INDETERMINATE,  # shared budget: unknown
    Reason.LIMIT_KEY_TAG_COLLISIONS: EDE.DNSSEC_BOGUS,
    Reason.LIMIT_RRSIGS: EDE.DNSSEC_BOGUS,
    Reason.MALFORMED_DATA: EDE.INVALID_DATA,
    Reason.INTERNAL_ERROR: EDE.DNSSEC_INDETERMINATE,
    Reason.LOOKUP_FAILED: EDE.NO_REACHABLE_AUTHORITY,
    Reason.NO_TRUST_ANCHOR: None,  # insecure: RFC 8914 has no code for "not signed"
    # every configured anchor of the zone is outside its RFC 7958 window at ``now`` (TA-03):
    # nothing can be proven, and nothing may pass as insecure either (TA-08)
    Reason.TRUST_ANCHOR_NOT_VALID: EDE.DNSSEC_INDETERMINATE,
    Reason.INSECURE_DELEGATION: None,
    Reason.NSEC_PROOF_MISSING: EDE.NSEC_MISSING,
    Reason.DNAME_MISMATCH: EDE.DNSSEC_BOGUS,
    Reason.CNAME_LOOP: EDE.OTHER,
    Reason.LIMIT_CNAME_CHAIN: EDE.OTHER,
    Reason.LIMIT_QUERIES: EDE.OTHER,
    Reason.LIMIT_ZONE_DEPTH: EDE.OTHER,
    # the DS-matched key or the matching DS lies past the records considered (SEC-LIM-04):
    # the chain cannot be proven, as with the other signature-work limits
    Reason.LIMIT_DNSKEYS: EDE.DNSSEC_BOGUS,
    Reason.LIMIT_DS: EDE.DNSSEC_BOGUS,
    # transport bounds (SEC-LIM-05): like limit-queries, RFC 8914 has no closer code; the
    # EXTRA-TEXT (our detail) names the bound
    Reason.LIMIT_REFERRALS: EDE.OTHER,
    Reason.LIMIT_EXCHANGES: EDE.OTHER,
    Reason.LIMIT_NS_DEPTH: EDE.OTHER,
    Reason.LIMIT_WALL_CLOCK: EDE.NO_REACHABLE_AUTHORITY,
    Reason.DENIAL_FROM_WILDCARD: EDE.DNSSEC_BOGUS,
    Reason.DENIAL_NEXT_OUTSIDE_ZONE: EDE.DNSSEC_BOGUS,
    # Denial of existence (NSEC-*, NSEC3-*)
    Reason.DENIAL_OUTSIDE_ZONE: EDE.DNSSEC_BOGUS,
    Reason.DENIAL_MALFORMED: EDE.INVALID_DATA,
    Reason.DENIAL_NOT_COVERED: EDE.NSEC_MISSING,
    Reason.DENIAL_NO_MATCH: EDE.NSEC_MISSING,
    Reason.DENIAL_NAME_EXISTS: EDE.DNSSEC_BOGUS,
    Reason.DENIAL_TYPE_PRESENT: EDE.DNSSEC_BOGUS,
    Reason.DENIAL_CNAME_PRESENT: EDE.DNSSEC_BOGUS,
    Reason.DENIAL_WILDCARD_NOT_DENIED: EDE.NSEC_MISSING,
    Reason.DENIAL_WILDCARD_EXISTS: EDE.DNSSEC_BOGUS,
    Reason.DENIAL_CLOSER_MATCH: EDE.DNSSEC_BOGUS,
    Reason.DENIAL_NO_CLOSEST_ENCLOSER: EDE.NSEC_MISSING,
    Reason.DENIAL_ANCESTOR_DELEGATION: EDE.DNSSEC_BOGUS,
    Reason.DENIAL_CHILD_APEX: EDE.DNSSEC_BOGUS,
    Reason.DENIAL_NOT_DELEGATION: EDE.DNSSEC_BOGUS,
    Reason.DENIAL_OPT_OUT: None,  # insecure (RFC 5155 §9.2): RFC 8914 has no code for it
    Reason.NSEC3_NO_USABLE: EDE.DNSSEC_BOGUS,
    Reason.NSEC3_ITERATIONS_INSECURE: EDE.UNSUPPORTED_NSEC3_ITERATIONS,
    Reason.NSEC3_ITERATIONS_BOGUS: EDE.UNSUPPORTED_NSEC3_ITERATIONS,
    Reason.LIMIT_NSEC3_HASHES: EDE.DNSSEC_INDETERMINATE,
    Reason.LIMIT_DENIAL_RECORDS: EDE.DNSSEC_INDETERMINATE,
    # Zone-level NSEC/NSEC3 chain checks (verify-zone)
    Reason.CHAIN_BROKEN: EDE.DNSSEC_BOGUS,
    Reason.CHAIN_NAME_MISSING: EDE.NSEC_MISSING,
    Reason.CHAIN_NAME_EXTRA: EDE.DNSSEC_BOGUS,
    Reason.CHAIN_BITMAP_MISMATCH: EDE.DNSSEC_BOGUS,
    Reason.CHAIN_PARAMS_MISMATCH: EDE.DNSSEC_BOGUS,
    Reason.CHAIN_OPT_OUT_MISMATCH: EDE.DNSSEC_BOGUS,
}


#: VAL-EDE-02: the codes each status carries, and the general code it falls back to.  One
#: reason can end in more than one status — an unsupported algorithm makes a delegation
#: insecure (RFC 4035 §5.2) but an RRset signed only with it, in a zone signed with a
#: supported one, bogus — so the code is chosen per (status, reason).  Bogus may also carry 27:
#: RFC 9276 §3.2 pairs SERVFAIL with "Unsupported NSEC3 Iterations Value" above the hard limit.
STATUS_EDE: dict[Status, tuple[frozenset[EDE], EDE | None]] = {
    Status.SECURE: (frozenset(), None),
    Status.INSECURE: (
        frozenset({EDE.UNSUPPORTED_DNSKEY_ALGORITHM, EDE.UNSUPPORTED_DS_DIGEST_TYPE,
                   EDE.UNSUPPORTED_NSEC3_ITERATIONS}),
        None,
    ),
    Status.BOGUS: (
        frozenset({EDE.DNSSEC_BOGUS, EDE.SIGNATURE_EXPIRED, EDE.SIGNATURE_NOT_YET_VALID,
                   EDE.DNSKEY_MISSING, EDE.RRSIGS_MISSING, EDE.NO_ZONE_KEY_BIT_SET,
                   EDE.NSEC_MISSING, EDE.SIGNATURE_EXPIRED_BEFORE_VALID,
                   EDE.UNSUPPORTED_NSEC3_ITERATIONS}),
        EDE.DNSSEC_BOGUS,
    ),
    Status.INDETERMINATE: (
        frozenset({EDE.DNSSEC_INDETERMINATE, EDE.NO_REACHABLE_AUTHORITY}),
        EDE.DNSSEC_INDETERMINATE,
    ),
}


@dataclass(frozen=True, slots=True)
class Verdict:
    """One status with its reason and EDE code (VAL-STAT-01).

    ``key_tag`` names the key that verified (secure) or the RRSIG key tag that the reason
    is about (bogus), when there is one.
    """

    status: Status
    reason: Reason
    detail: str = ""
    key_tag: int | None = None

    @property
    def ede(self) -> int | None:
        """The RFC 8914 INFO-CODE for :attr:`reason` at this :attr:`status` (VAL-EDE-01/02):
        the reason's code when the status may carry it, else the status's general code
        (:data:`STATUS_EDE`); None when secure, and for an insecure verdict whose reason has
        no code of its own (RFC 8914 has none for "not signed")."""
        code = REASON_EDE[self.reason]
        allowed, general = STATUS_EDE[self.status]
        if code is not None and code in allowed:
            return int(code)
        return None if general is None else int(general)

    @property
    def secure(self) -> bool:
        return self.status is Status.SECURE


def secure(key_tag: int | None = None, detail: str = "") -> Verdict:
    """A secure verdict; only :mod:`dnssec_core.dnssec.rrsig` creates these after a verification."""
    return Verdict(Status.SECURE, Reason.OK, detail, key_tag)


def bogus(reason: Reason, detail: str = "", key_tag: int | None = None) -> Verdict:
    return Verdict(Status.BOGUS, reason, detail, key_tag)


def insecure(reason: Reason, detail: str = "", key_tag: int | None = None) -> Verdict:
    return Verdict(Status.INSECURE, reason, detail, key_tag)


def indeterminate(reason: Reason, detail: str = "") -> Verdict:
    return Verdict(Status.INDETERMINATE, reason, detail)
