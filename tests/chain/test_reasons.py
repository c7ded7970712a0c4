"""Every reason has its RFC 8914 code, and every bound is named by a ``limit-*`` reason
(SEC-LIM-01..07: a spent limit is reported as that limit)."""

from __future__ import annotations

from dnssec_core.verdict import (
    EDE,
    REASON_EDE,
    STATUS_EDE,
    Reason,
    Status,
    Verdict,
    bogus,
    indeterminate,
    insecure,
)


def test_reason_ede_is_complete() -> None:
    """Proves VAL-EDE-01, VAL-EDE-02, VAL-EDE-03, VAL-STAT-01 (requirement trace)."""
    assert set(REASON_EDE) == set(Reason)
    assert len({r.value for r in Reason}) == len(Reason)
    assert set(STATUS_EDE) == set(Status)
    # VAL-EDE-02: 1/2/27 with insecure; 6-12, 25 with bogus (and 27: RFC 9276 §3.2 pairs it
    # with SERVFAIL); 5/22 with indeterminate; never a code with secure.
    assert {int(c) for c in STATUS_EDE[Status.INSECURE][0]} == {1, 2, 27}
    assert {int(c) for c in STATUS_EDE[Status.BOGUS][0]} == {6, 7, 8, 9, 10, 11, 12, 25, 27}
    assert {int(c) for c in STATUS_EDE[Status.INDETERMINATE][0]} == {5, 22}
    for reason in Reason:
        code = REASON_EDE[reason]
        for status in Status:
            ede = Verdict(status, reason).ede
            allowed, general = STATUS_EDE[status]
            if status is Status.SECURE:
                assert ede is None
            elif code is not None and code in allowed:
                assert ede == int(code)  # the reason's own code when the status may carry it
            else:
                assert ede == (None if general is None else int(general))
            if status in (Status.BOGUS, Status.INDETERMINATE):
                assert ede is not None  # VAL-STAT-01: every failure carries a code


def test_an_unsupported_algorithm_code_follows_the_status_VAL_EDE_02() -> None:
    assert insecure(Reason.UNSUPPORTED_ALGORITHM).ede == 1
    assert bogus(Reason.UNSUPPORTED_ALGORITHM).ede == 6
    assert indeterminate(Reason.LIMIT_QUERIES).ede == 5
    assert indeterminate(Reason.LIMIT_WALL_CLOCK).ede == 22
    assert bogus(Reason.NSEC3_ITERATIONS_BOGUS).ede == 27
    assert bogus(Reason.MALFORMED_DATA).ede == 6


def test_limit_reasons_SEC_LIM_04_05() -> None:
    limit = {r for r in Reason if r.value.startswith("limit-")}
    assert {Reason.LIMIT_DNSKEYS, Reason.LIMIT_DS, Reason.LIMIT_REFERRALS,
            Reason.LIMIT_EXCHANGES, Reason.LIMIT_NS_DEPTH, Reason.LIMIT_WALL_CLOCK} <= limit
    assert all(REASON_EDE[r] is not None for r in limit)  # a spent bound is never "insecure"
    assert REASON_EDE[Reason.LIMIT_WALL_CLOCK] is EDE.NO_REACHABLE_AUTHORITY
    assert REASON_EDE[Reason.LIMIT_DNSKEYS] is REASON_EDE[Reason.LIMIT_DS] is EDE.DNSSEC_BOGUS
