"""check_batch: concurrent checks, one shared validator cache, input order kept, and no single
domain's failure stops the batch (issue 6, "Throughput")."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from dnssec_core.caa.check import BatchError, CaaCheck, CaaRequest, check_batch
from dnssec_core.chain.engine import Validator
from dnssec_core.chain.types import Answer, Query
from dnssec_core.crypto import Backend
from tests.chain.lab import NOW, anchors, lab, world


class Counting:
    """A lab transport that counts questions and how many are in flight at once."""

    lock = threading.Lock()

    def __init__(self, delay: float = 0.0) -> None:
        self.inner = lab()
        self.delay = delay
        self.asked = 0
        self.in_flight = 0
        self.most = 0
        self.threads: set[int] = set()

    def ask(self, query: Query) -> Answer:
        with self.lock:
            self.asked += 1
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            self.threads.add(threading.get_ident())
        try:
            time.sleep(self.delay)
            return self.inner.ask(query)
        finally:
            with self.lock:
                self.in_flight -= 1


def domains() -> list[str]:
    return [case["domain"] for case in world()["caa_cases"]]


def test_concurrent_in_order_and_correct(fast: Backend) -> None:
    shared = Counting(delay=0.002)
    results = list(check_batch(domains(), Validator(anchors(), backend=fast), lambda: shared,
                               now=lambda: NOW, issuer_domains=["ca.example"], jobs=4))
    assert [r.as_json()["domain"] for r in results] == domains()
    expected = {c["domain"]: c["expect_decision"] for c in world()["caa_cases"]
                if c["issuer"] == "ca.example"}
    for result in results:
        if result.as_json()["domain"] in expected:
            assert result.as_json()["decision"] == expected[result.as_json()["domain"]]
    assert shared.most > 1 and len(shared.threads) > 1  # lookups really ran concurrently


def test_one_transport_per_worker_thread(fast: Backend) -> None:
    made: list[Counting] = []

    def factory() -> Counting:
        made.append(Counting())
        return made[-1]

    list(check_batch(domains(), Validator(anchors(), backend=fast), factory, now=lambda: NOW,
                     jobs=3))
    assert 1 <= len(made) <= 3
    assert all(len(t.threads) == 1 for t in made)


def test_shared_validator_cache_saves_queries(fast: Backend) -> None:
    """Validated zone keys are fetched once per batch, not once per domain."""
    cold = Counting()
    for domain in domains():
        list(check_batch([domain], Validator(anchors(), backend=fast), lambda: cold,
                         now=lambda: NOW, jobs=1))
    warm = Counting()
    list(check_batch(domains(), Validator(anchors(), backend=fast), lambda: warm,
                     now=lambda: NOW, jobs=1))
    assert warm.asked < cold.asked * 0.6


def test_keeps_going_past_bad_lines_and_crashes(fast: Backend,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import dnssec_core.caa.check as check_module

    real = check_module.check_caa

    def sometimes_crash(request: CaaRequest, *args: Any, **kwargs: Any) -> CaaCheck:
        if request.domain.text == "crash.secure.test":
            raise RuntimeError("boom")
        return real(request, *args, **kwargs)

    monkeypatch.setattr(check_module, "check_caa", sometimes_crash)
    lines = ["www.secure.test", "a..b", "crash.secure.test", "  ", "x" * 254, "deny.secure.test"]
    results = list(check_batch(lines, Validator(anchors(), backend=fast), lab, now=lambda: NOW,
                               issuer_domains=["ca.example"], jobs=2))
    assert [type(r).__name__ for r in results] == [
        "CaaCheck", "BatchError", "BatchError", "BatchError", "CaaCheck"]
    assert [r.as_json()["decision"] for r in results] == [
        "permitted", "lookup-failure", "lookup-failure", "lookup-failure", "denied"]
    crash = results[2]
    assert isinstance(crash, BatchError) and crash.reason == "internal-error: RuntimeError: boom"


def test_each_check_reads_its_own_time(fast: Backend) -> None:
    clock = iter(range(NOW, NOW + 100))
    results = list(check_batch(["secure.test", "www.secure.test"],
                               Validator(anchors(), backend=fast), lab,
                               now=lambda: next(clock), jobs=1))
    assert [r.now for r in results if isinstance(r, CaaCheck)] == [NOW, NOW + 1]


def test_bad_arguments() -> None:
    # backend=None on purpose: the arguments are refused before anything is validated
    with pytest.raises(ValueError):
        list(check_batch([], Validator(anchors(), backend=None), lab,  # type: ignore[arg-type]
                         now=lambda: NOW, jobs=0))
    with pytest.raises(ValueError):
        list(check_batch([], Validator(anchors(), backend=None), lab,  # type: ignore[arg-type]
                         now=lambda: NOW, issuer_domains=["bad_issuer"]))
