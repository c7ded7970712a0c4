"""A transport failure that ended on a named bound keeps that bound through a bundle
(SEC-LIM-05): recorded, written, read back and replayed, it is still the same LimitKind, so the
re-verified verdict names the same ``limit-*`` reason.  And the recording transport passes a
caller's remaining time on to a transport that honours it (driver.ask_within)."""

from __future__ import annotations

import dataclasses

import dns.name
import pytest

from dnssec_core.chain.types import Answer, FailureKind, LimitKind, LookupFailure, Query
from dnssec_core.evidence.bundle import BundleError, RecordedFailure, _failure
from dnssec_core.evidence.record import RecordingTransport, failure_records, replayed_failures

QUERY = Query(dns.name.from_text("www.example."), 1)


@pytest.mark.parametrize("limit", [None, *LimitKind])
def test_limit_survives_record_and_replay(limit: LimitKind | None) -> None:
    kind = FailureKind.LIMIT if limit is not None else FailureKind.TIMEOUT
    failure = LookupFailure(kind, "spent", 2, ("192.0.2.1",), limit=limit)
    (record,) = failure_records({QUERY: failure})
    again = _failure(record.as_json())
    assert again == record
    assert replayed_failures([again])[QUERY].limit is limit


def test_unknown_limit_is_refused() -> None:
    record = dataclasses.replace(
        failure_records({QUERY: LookupFailure(FailureKind.LIMIT, "x", 1, (),
                                              limit=LimitKind.REFERRALS)})[0],
        limit="forever")
    with pytest.raises(ValueError, match="unknown limit"):
        replayed_failures([record])


def test_failure_without_limit_key_is_unreadable() -> None:
    raw = failure_records({QUERY: LookupFailure(FailureKind.TIMEOUT, "t", 2, ())})[0].as_json()
    del raw["limit"]
    with pytest.raises(BundleError):
        _failure(raw)


class _Timed:
    supports_time_left = True

    def __init__(self) -> None:
        self.given: list[float | None] = []

    def ask(self, query: Query, time_left: float | None = None) -> Answer:
        self.given.append(time_left)
        return LookupFailure(FailureKind.TIMEOUT, "silent", 2, ("192.0.2.1",))


def test_recording_transport_passes_the_time_left_on() -> None:
    inner = _Timed()
    recording = RecordingTransport(inner)
    assert recording.supports_time_left
    recording.ask(QUERY, time_left=1.5)
    recording.ask(QUERY)
    assert inner.given == [1.5, None]
    # deliberately a "transport" without supports_time_left: the wrapper must say False
    assert isinstance(RecordingTransport(object()).supports_time_left, bool)  # type: ignore[arg-type]
    assert not RecordingTransport(object()).supports_time_left  # type: ignore[arg-type]


def test_failure_record_type() -> None:
    (record,) = failure_records({QUERY: LookupFailure(FailureKind.LIMIT, "x", 1, (),
                                                      limit=LimitKind.WALL_CLOCK)})
    assert isinstance(record, RecordedFailure) and record.limit == "wall-clock"
