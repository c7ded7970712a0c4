"""Wall-clock budgets are honoured within one exchange (SEC-LIM-05): the driver and the CAA
check hand the transport the time left, and every per-server timeout is clamped to it.

No sockets and no real waiting: the transports' ``exchange`` is replaced by a server that
never answers, which advances a fake clock by the timeout it was given.  The assertions are
on the timeouts handed down and the fake time spent, never on elapsed real time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dns.message
import dns.name
import pytest

from dnssec_core.caa import CaaRequest, parse_domain
from dnssec_core.caa.check import check_steps, run_steps
from dnssec_core.caa.decision import Decision
from dnssec_core.chain.anchors import builtin_root_anchors
from dnssec_core.chain.engine import Validator
from dnssec_core.chain.types import FailureKind, LimitKind, LookupFailure, Query
from dnssec_core.crypto import get_backend
from dnssec_core.driver import resolve
from dnssec_core.transport import iterative, stub
from dnssec_core.transport.iterative import IterativeTransport
from dnssec_core.transport.stub import StubTransport
from dnssec_core.transport.wire_io import EdnsMemory, Exchange, Failure, Server
from dnssec_core.verdict import Reason

NOW = 1_796_083_200
A = 1


@dataclass
class Silent:
    """A fake clock and a server that never answers: each exchange costs its UDP timeout."""

    now: float = 0.0
    timeouts: list[tuple[float, float]] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def exchange(self, message: dns.message.Message, server: Server, *, udp_timeout: float,
                 tcp_timeout: float, exact_case: bool = False,
                 edns_memory: EdnsMemory | None = None, fall_back: bool = True) -> Exchange:
        self.timeouts.append((udp_timeout, tcp_timeout))
        self.now += udp_timeout
        return Exchange(Failure(FailureKind.TIMEOUT, f"{server}: no answer"))


@pytest.fixture
def silent(monkeypatch: pytest.MonkeyPatch) -> Silent:
    fake = Silent()
    monkeypatch.setattr(iterative, "exchange", fake.exchange)
    monkeypatch.setattr(stub, "exchange", fake.exchange)
    return fake


def validator() -> Validator:
    return Validator(builtin_root_anchors(), backend=get_backend("fast"))


def test_resolution_budget_clamps_the_ask_SEC_LIM_05(silent: Silent) -> None:
    """A 5 s resolution budget against unreachable roots ends at 5 s (2 + 2 + 1), not after
    the ask's own 20 s; the last timeout is cut to the time left."""
    transport = IterativeTransport(clock=silent, udp_timeout=2.0, tcp_timeout=4.0)
    result = resolve(validator(), transport, dns.name.from_text("www.example.com."), A,
                     now=NOW, budget_seconds=5.0, clock=silent)
    assert (result.verdict.reason, result.verdict.ede) == (Reason.LIMIT_WALL_CLOCK, 22)
    assert silent.timeouts == [(2.0, 4.0), (2.0, 3.0), (1.0, 1.0)]  # TCP clamped too
    assert silent.now == 5.0
    assert result.queries == 1


def test_without_a_budget_the_ask_keeps_its_own_SEC_LIM_05(silent: Silent) -> None:
    transport = IterativeTransport(clock=silent, udp_timeout=2.0, ask_seconds=7.0)
    answer = transport.ask(Query(dns.name.from_text("www.example.com."), A))
    assert isinstance(answer, LookupFailure) and answer.limit is LimitKind.WALL_CLOCK
    assert [udp for udp, _ in silent.timeouts] == [2.0, 2.0, 2.0, 1.0]
    assert silent.now == 7.0
    spent = transport.ask(Query(dns.name.from_text("www.example.com."), A), time_left=0.0)
    assert isinstance(spent, LookupFailure) and spent.limit is LimitKind.WALL_CLOCK
    assert len(silent.timeouts) == 4  # nothing sent once the time is spent


def test_caa_check_budget_clamps_the_ask_BR_CAA_07(silent: Silent) -> None:
    """The CAA check's budget reaches the transport too; the outcome is a lookup failure
    (never permission, even with the lookup-failure exception asked for)."""
    transport = IterativeTransport(clock=silent, udp_timeout=2.0)
    request = CaaRequest(parse_domain("www.example.com"), ("ca.example",),
                         permit_on_lookup_failure=True)
    check = run_steps(check_steps(request, validator(), now=NOW), transport,
                      budget_seconds=3.0, clock=silent)
    assert check.decision is Decision.LOOKUP_FAILURE
    assert check.lookups[0].verdict.reason is Reason.LIMIT_WALL_CLOCK
    assert [udp for udp, _ in silent.timeouts] == [2.0, 1.0]
    assert silent.now == 3.0


def test_stub_attempts_are_clamped_to_the_time_left_SEC_NET_06(silent: Silent) -> None:
    transport = StubTransport("127.0.0.1", 53, udp_timeout=2.0, tcp_timeout=4.0, clock=silent)
    question = Query(dns.name.from_text("www.example.com."), A)
    plain = transport.ask(question)
    assert isinstance(plain, LookupFailure) and plain.kind is FailureKind.TIMEOUT
    assert silent.timeouts == [(2.0, 4.0), (2.0, 4.0)] and plain.attempts == 2
    silent.timeouts.clear()
    cut = transport.ask(question, time_left=3.0)
    assert isinstance(cut, LookupFailure) and cut.kind is FailureKind.TIMEOUT
    assert silent.timeouts == [(2.0, 3.0), (1.0, 1.0)]
    silent.timeouts.clear()
    short = transport.ask(question, time_left=1.5)  # the retry does not fit: one attempt
    assert isinstance(short, LookupFailure) and short.attempts == 1
    assert silent.timeouts == [(1.5, 1.5)]
    spent = transport.ask(question, time_left=0.0)
    assert isinstance(spent, LookupFailure) and spent.limit is LimitKind.WALL_CLOCK
    assert spent.attempts == 0 and len(silent.timeouts) == 1
