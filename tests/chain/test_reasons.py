"""Every reason has its RFC 8914 code, and every bound is named by a ``limit-*`` reason
(SEC-LIM-01..07: a spent limit is reported as that limit)."""

from __future__ import annotations

from dnssec_core.verdict import EDE, REASON_EDE, Reason, Status, Verdict


def test_reason_ede_is_complete() -> None:
    """Proves VAL-EDE-01, VAL-EDE-02, VAL-EDE-03, VAL-STAT-01 (requirement trace)."""
    assert set(REASON_EDE) == set(Reason)
    assert len({r.value for r in Reason}) == len(Reason)
    for reason in Reason:
        verdict = Verdict(Status.INDETERMINATE, reason)
        assert verdict.ede == (None if REASON_EDE[reason] is None else int(REASON_EDE[reason]))


def test_limit_reasons_SEC_LIM_04_05() -> None:
    limit = {r for r in Reason if r.value.startswith("limit-")}
    assert {Reason.LIMIT_DNSKEYS, Reason.LIMIT_DS, Reason.LIMIT_REFERRALS,
            Reason.LIMIT_EXCHANGES, Reason.LIMIT_NS_DEPTH, Reason.LIMIT_WALL_CLOCK} <= limit
    assert all(REASON_EDE[r] is not None for r in limit)  # a spent bound is never "insecure"
    assert REASON_EDE[Reason.LIMIT_WALL_CLOCK] is EDE.NO_REACHABLE_AUTHORITY
    assert REASON_EDE[Reason.LIMIT_DNSKEYS] is REASON_EDE[Reason.LIMIT_DS] is EDE.DNSSEC_BOGUS
