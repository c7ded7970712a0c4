"""Check every signature of a signed zone file offline (the ``verify-zone`` command).

The zone's own DNSKEY RRset must be self-signed by a key that matches a given DS (RFC 4035
§5.2, VAL-KEY-05) or, without DS records, by a key with the SEP bit; then every authoritative
RRset must carry an RRSIG that verifies with the zone's keys (RFC 4035 §5.3, via
:func:`~dnssec_core.dnssec.rrsig.verify_rrset`).  Authoritative means: at or below the apex and
not below a zone cut, where at a cut only DS and NSEC are authoritative (RFC 4035 §2.2).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from dns.name import Name

from dnssec_core.crypto.base import Backend
from dnssec_core.dnssec.algorithms import DEFAULT_POLICY, AlgorithmPolicy
from dnssec_core.dnssec.ds import DSMatch, ds_matches, usable_ds
from dnssec_core.dnssec.records import DNSKEY, DNSKEY_TYPE, DS, DS_TYPE, RRSIG_TYPE
from dnssec_core.dnssec.rrsig import ZoneKeys, verify_rrset
from dnssec_core.verdict import Reason, Status, Verdict, bogus
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.name import canonical_key
from dnssec_core.wire.rrset import RRset, type_text
from dnssec_core.zone.reader import NameKey, ZoneData

NS_TYPE = 2
NSEC_TYPE = 47
#: Types that are authoritative at a zone cut, in the parent (RFC 4035 §2.2, §2.4).
AUTHORITATIVE_AT_CUT = frozenset({DS_TYPE, NSEC_TYPE})


@dataclass(frozen=True, slots=True)
class Failure:
    """One RRset that did not validate, with the reason and its RFC 8914 code."""

    owner: str
    type: str
    reason: str
    ede: int | None
    key_tag: int | None = None
    detail: str = ""

    @classmethod
    def from_verdict(cls, rrset_owner: Name, rdtype: int, verdict: Verdict) -> Failure:
        return cls(
            rrset_owner.to_text(),
            type_text(rdtype),
            verdict.reason.value,
            verdict.ede,
            verdict.key_tag,
            verdict.detail,
        )


@dataclass
class ZoneReport:
    """The result of :func:`verify_zone`; ``status`` is secure only with no failures."""

    zone: str
    rrsets: int = 0
    signatures_verified: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def status(self) -> Status:
        return Status.SECURE if not self.failures else Status.BOGUS

    def as_json(self) -> dict[str, object]:
        """The ``verify-zone --json`` object (keys fixed by issue 2)."""
        return {
            "status": self.status.value,
            "zone": self.zone,
            "rrsets": self.rrsets,
            "signatures_verified": self.signatures_verified,
            "failures": [
                {
                    "owner": f.owner,
                    "type": f.type,
                    "reason": f.reason,
                    "ede": f.ede,
                    "key_tag": f.key_tag,
                    "detail": f.detail,
                }
                for f in self.failures
            ],
        }


def zone_cuts(zone: ZoneData) -> set[NameKey]:
    """Owners below the apex that hold an NS RRset: the delegation points (RFC 1034 §4.2)."""
    apex = canonical_key(zone.origin)
    return {key for (key, rdtype) in zone.rrsets if rdtype == NS_TYPE and key != apex}


def is_authoritative(key: NameKey, rdtype: int, apex: NameKey, cuts: set[NameKey]) -> bool:
    """RFC 4035 §2.2: data at a cut is authoritative only for DS/NSEC; below a cut, never."""
    if key[: len(apex)] != apex:
        return False
    for depth in range(len(apex) + 1, len(key) + 1):
        if key[:depth] in cuts:
            return depth == len(key) and rdtype in AUTHORITATIVE_AT_CUT
    return True


def _dnskeys(rrset: RRset, report: ZoneReport) -> list[DNSKEY]:
    keys = []
    for rdata in rrset.rdatas:
        try:
            keys.append(DNSKEY.from_wire(rdata))
        except WireError as exc:
            report.failures.append(
                Failure(
                    rrset.owner.to_text(), "DNSKEY", Reason.KEY_MALFORMED.value, 6, None, str(exc)
                )
            )
    return keys


def _trusted_keys(
    zone: ZoneData, keys: list[DNSKEY], ds_set: Sequence[DS] | None, policy: AlgorithmPolicy
) -> tuple[list[DNSKEY], Verdict | None]:
    """Keys allowed to sign the DNSKEY RRset: DS-matched ones, or SEP keys without DS."""
    if ds_set is None:
        sep = [key for key in keys if key.is_sep]
        if not sep:
            return [], bogus(Reason.NO_SEP_SIGNATURE, "no DNSKEY has the SEP bit; give --ds")
        return sep, None
    usable = usable_ds(list(ds_set), policy)
    if not usable:
        return [], bogus(
            Reason.UNSUPPORTED_DIGEST, "no DS record has a supported digest type and algorithm"
        )
    matched = [
        key
        for key in keys
        if any(ds_matches(ds, zone.origin, key, policy) is DSMatch.MATCH for ds in usable)
    ]
    if not matched:
        return [], bogus(Reason.DS_MISMATCH, "no DNSKEY matches any DS record")
    return matched, None


def verify_zone(
    zone: ZoneData,
    *,
    now: int,
    backend: Backend,
    ds: Sequence[DS] | None = None,
    policy: AlgorithmPolicy = DEFAULT_POLICY,
    progress: Callable[[int, int], None] | None = None,
) -> ZoneReport:
    """Verify every authoritative RRset of ``zone`` at time ``now``.

    Implements the zone-level use of VAL-KEY-05 (DNSKEY RRset signed by a DS-matched or SEP
    key) and VAL-RRSIG-01..08 for each RRset.  ``progress(done, total)`` is called now and then.
    :mod:`dnssec_core.zone.parallel` runs the same steps over several processes.
    """
    report = ZoneReport(zone.origin.to_text())
    report_malformed(zone, report)
    all_keys = verify_apex_dnskeys(zone, report, now=now, backend=backend, ds=ds, policy=policy)
    if all_keys is None:
        return report

    # 2. Every other authoritative RRset, with any key of the zone.
    cuts = zone_cuts(zone)
    apex = canonical_key(zone.origin)
    todo = [
        (key, rdtype, rrset)
        for (key, rdtype), rrset in zone.rrsets.items()
        if rdtype not in (RRSIG_TYPE, DNSKEY_TYPE) or key != apex
    ]
    total = len(todo)
    for done, (key, rdtype, rrset) in enumerate(todo, 1):
        if progress is not None and done % 1000 == 0:
            progress(done, total)
        verify_zone_rrset(
            zone,
            key,
            rdtype,
            rrset,
            all_keys,
            cuts,
            report,
            now=now,
            backend=backend,
            policy=policy,
        )
    if progress is not None:
        progress(total, total)
    from dnssec_core.zone.chain import check_chain  # here: chain.py imports Failure from us

    report.failures += check_chain(zone)  # NSEC/NSEC3 chain (issue 4)
    return report


def report_malformed(zone: ZoneData, report: ZoneReport) -> None:
    """Report the RRSIG records whose RDATA could not be decoded (RFC 8914 code 24)."""
    for owner, message in zone.malformed:
        report.failures.append(
            Failure(owner.to_text(), "RRSIG", Reason.MALFORMED_DATA.value, 24, None, message)
        )


def verify_apex_dnskeys(
    zone: ZoneData,
    report: ZoneReport,
    *,
    now: int,
    backend: Backend,
    ds: Sequence[DS] | None,
    policy: AlgorithmPolicy,
) -> ZoneKeys | None:
    """Step 1: the apex DNSKEY RRset, signed by a trusted key (VAL-KEY-05).

    Returns all the zone's keys for step 2, or None when the apex has no DNSKEY RRset.
    """
    dnskey_rrset = zone.get(zone.origin, DNSKEY_TYPE)
    if dnskey_rrset is None:
        report.failures.append(
            Failure(
                zone.origin.to_text(),
                "DNSKEY",
                Reason.DNSKEY_MISSING.value,
                9,
                None,
                "the zone apex has no DNSKEY RRset",
            )
        )
        return None
    keys = _dnskeys(dnskey_rrset, report)
    all_keys = ZoneKeys.from_dnskeys(zone.origin, keys)

    report.rrsets += 1
    trusted, problem = _trusted_keys(zone, keys, ds, policy)
    if problem is None:
        verdict = verify_rrset(
            dnskey_rrset,
            zone.signatures(zone.origin, DNSKEY_TYPE),
            ZoneKeys.from_dnskeys(zone.origin, trusted),
            now=now,
            backend=backend,
            policy=policy,
        )
    else:
        verdict = problem
    if verdict.status is Status.SECURE:
        report.signatures_verified += 1
    else:
        report.failures.append(Failure.from_verdict(zone.origin, DNSKEY_TYPE, verdict))
    return all_keys


def verify_zone_rrset(
    zone: ZoneData,
    key: NameKey,
    rdtype: int,
    rrset: RRset,
    all_keys: ZoneKeys,
    cuts: set[NameKey],
    report: ZoneReport,
    *,
    now: int,
    backend: Backend,
    policy: AlgorithmPolicy,
) -> None:
    """Step 2 for one RRset: skip it unless authoritative, else verify it with the zone's keys.

    ``key`` is the canonical key of the RRset's owner (its key in ``zone.rrsets``).
    """
    apex = all_keys.zone_key
    if key[: len(apex)] != apex:  # is_subdomain(rrset.owner, zone.origin), key precomputed
        report.failures.append(
            Failure(
                rrset.owner.to_text(),
                type_text(rdtype),
                Reason.MALFORMED_DATA.value,
                24,
                None,
                f"owner is outside the zone {zone.origin}",
            )
        )
        return
    if not is_authoritative(key, rdtype, apex, cuts):
        return
    report.rrsets += 1
    verdict = verify_rrset(
        rrset,
        zone.rrsigs.get((key, rdtype), []),  # zone.signatures(rrset.owner, rdtype)
        all_keys,
        now=now,
        backend=backend,
        policy=policy,
    )
    if verdict.status is Status.SECURE:
        report.signatures_verified += 1
    else:
        report.failures.append(Failure.from_verdict(rrset.owner, rdtype, verdict))
