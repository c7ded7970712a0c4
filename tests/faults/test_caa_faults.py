"""CAA under injected faults (issue 8, issue 6): BR 3.2.2.8's lookup-failure rule over real
loopback sockets, through the library API (:func:`dnssec_core.caa.check.check_caa`) and once
through the CLI (``dnssec-core caa ... --root-hints FILE --json``, a subprocess).

BR-CAA-07: a lookup failure counts as permission only if it is outside the CA, was retried
(SEC-NET-06) and the domain's zone is proven Insecure (RFC 4035 §4.3) — and only when the CA
opted in.  BR-CAA-08: a failure in a signed zone, or where the zone's status is unknown, never
does; a bogus answer never permits.  tests/caa/test_loopback.py covers a blackhole, SERVFAIL and
REFUSED in caatestsuite's signed zones and SERVFAIL under a proven-insecure delegation; here the
whole fault list meets the demo world's insecure, unsigned, signed and bogus zones, and a
failure of the parent that leaves the zone's status unknown.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dns.message
import dns.rcode
import pytest

from dnssec_core.auth.responder import Answerer
from dnssec_core.auth.server import Fault, FaultPlan
from dnssec_core.caa.check import CaaCheck, CaaRequest, check_caa
from dnssec_core.caa.decision import Decision, DecisionReason
from dnssec_core.caa.domain import parse_domain
from dnssec_core.chain.types import FailureKind
from dnssec_core.driver import Transport
from tests.faults.faults import BENIGN, EXPECTED, FAILING
from tests.faults.lab import NOW, RECURSIVE, FaultLab, bad, good, lab, validator
from vectors import vector_path

ISSUER = "ca.example"
#: The failures BR 3.2.2.8 names ("timeout, SERVFAIL, REFUSED" — NOTIMP is REFUSED here).
EXCUSABLE = [f for f in FAILING if EXPECTED[f] in
             (FailureKind.TIMEOUT, FailureKind.SERVFAIL, FailureKind.REFUSED)]
NOT_EXCUSABLE = [f for f in FAILING if f not in EXCUSABLE]
PORT_53_TRIES = 10


def caa(transport: Transport, domain: str, *, permit: bool) -> CaaCheck:
    request = CaaRequest(parse_domain(domain), (ISSUER,), permit_on_lookup_failure=permit)
    return check_caa(request, validator(), transport, now=NOW)


@pytest.fixture
def dead_insecure() -> Iterator[FaultLab]:
    """insecure.test. served only by a server that never answers."""
    dead = bad("insecure.test.")
    with lab({"insecure.test.": (dead,)}, {dead: FaultPlan(Fault.SILENT)}) as world:
        yield world


def test_fault_lists_split_as_the_BR_says() -> None:
    assert len(EXCUSABLE) == 8 and len(NOT_EXCUSABLE) == 9
    assert set(EXCUSABLE) | set(NOT_EXCUSABLE) == set(FAILING)
    assert len(CASES) == 10


#: insecure.test. (proven by an NSEC3 opt-out span) meets every excusable fault; unsigned.test.
#: (proven by NSEC3 NODATA for its DS) one timeout and one SERVFAIL — time is the cost here.
CASES = [("insecure.test.", f) for f in EXCUSABLE] + [
    ("unsigned.test.", Fault.SILENT), ("unsigned.test.", Fault.SERVFAIL)]


@pytest.mark.parametrize(("zone", "fault"), CASES, ids=lambda c: getattr(c, "value", c))
def test_excusable_failure_in_a_proven_insecure_zone_permits_only_with_opt_in_BR_CAA_07(
    zone: str, fault: Fault
) -> None:
    dead = bad(zone)
    with lab({zone: (dead,)}, {dead: FaultPlan(fault)}) as world:
        check = caa(world.iterative(), f"www.{zone}", permit=True)
        assert check.decision is Decision.PERMITTED, check.reason
        assert check.outcome.reason is DecisionReason.LOOKUP_FAILURE_PERMITTED
        assert "proven insecure" in check.reason and dead in check.reason
        _, failure = check.lookups[0].failures[0]
        assert failure.kind is EXPECTED[fault] and failure.attempts >= 2  # retried
        assert {s.split("#")[0] for s in failure.servers} == {dead}
        assert world[dead].attempts("www." + zone, 257, "udp") == 2
        if fault in (Fault.SILENT, Fault.SERVFAIL, Fault.REFUSED):  # one per kind: time
            refused = caa(world.iterative(), f"www.{zone}", permit=False)
            assert refused.decision is Decision.LOOKUP_FAILURE
            assert refused.outcome.reason is DecisionReason.LOOKUP_FAILED


@pytest.mark.parametrize("fault", NOT_EXCUSABLE, ids=lambda f: f.value)
def test_other_failures_in_an_insecure_zone_never_permit(fault: Fault) -> None:
    """FORMERR, malformed, lame and broken-TCP answers are not the timeout/SERVFAIL/REFUSED
    that BR 3.2.2.8 excuses: lookup failure even with the opt-in (fail closed)."""
    dead = bad("insecure.test.")
    with lab({"insecure.test.": (dead,)}, {dead: FaultPlan(fault)}) as world:
        check = caa(world.iterative(), "www.insecure.test", permit=True)
        assert check.decision is Decision.LOOKUP_FAILURE, check.reason
        assert "is not a timeout, SERVFAIL or REFUSED" in check.reason


@pytest.mark.parametrize("fault", [Fault.SILENT, Fault.SERVFAIL, Fault.REFUSED],
                         ids=lambda f: f.value)
def test_failure_in_a_signed_zone_never_permits_BR_CAA_08(fault: Fault) -> None:
    dead = bad("secure.test.")
    with lab({"secure.test.": (dead,)}, {dead: FaultPlan(fault)}) as world:
        check = caa(world.iterative(), "www.secure.test", permit=True)
        assert check.decision is Decision.LOOKUP_FAILURE, check.reason
        assert check.outcome.reason is DecisionReason.LOOKUP_FAILED
        assert "not proven insecure" in check.reason
        assert all(f.attempts >= 2 for _, f in check.lookups[-1].failures)


@pytest.mark.parametrize("fault", [Fault.SILENT, Fault.SERVFAIL], ids=lambda f: f.value)
def test_unknown_zone_status_never_permits_BR_CAA_08(fault: Fault) -> None:
    """test. (the parent holding insecure.test.'s no-DS proof) fails too: nothing proves
    insecure.test. unsigned, so its failure is not excusable."""
    parent, child = bad("test."), bad("insecure.test.")
    plans = {parent: FaultPlan(fault), child: FaultPlan(fault)}
    with lab({"test.": (parent,), "insecure.test.": (child,)}, plans) as world:
        check = caa(world.iterative(), "www.insecure.test", permit=True)
        assert check.decision is Decision.LOOKUP_FAILURE, check.reason
        assert check.outcome.reason is DecisionReason.LOOKUP_FAILED


@pytest.mark.parametrize("fault", [Fault.NONE, Fault.SERVFAIL], ids=lambda f: f.value)
def test_bogus_never_permits(fault: Fault) -> None:
    """bogus.test. answers (after one SERVFAIL, retried, for the second case): the bogus CAA
    answer is a validation failure, never permission, opt-in or not (BR 3.2.2.8.1)."""
    zone = "bogus.test."
    with lab({zone: (bad(zone),)}, {bad(zone): FaultPlan(fault, count=1)}) as world:
        check = caa(world.iterative(), "www.bogus.test", permit=True)
        assert check.decision is Decision.LOOKUP_FAILURE, check.reason
        assert check.outcome.reason is DecisionReason.DNSSEC_BOGUS


def test_a_good_server_left_gives_the_fault_free_decision(dead_insecure: FaultLab) -> None:
    dead, alive = bad("insecure.test."), good("insecure.test.")
    with lab({"insecure.test.": (dead, alive)}, {dead: FaultPlan(Fault.SILENT)}) as world:
        check = caa(world.iterative(), "www.insecure.test", permit=True)
        assert check.decision is Decision.PERMITTED
        assert check.outcome.reason is not DecisionReason.LOOKUP_FAILURE_PERMITTED
        assert check.relevant_domain == "insecure.test."  # its CAA RRset, climbed to
        assert world[dead].attempts() >= 1
    other = caa(dead_insecure.iterative(), "www.insecure.test", permit=False)
    assert other.decision is Decision.LOOKUP_FAILURE  # the same name without a good server


class _ServfailCaaAt:
    """The lab recursive, except that the CAA question at ``name`` gets SERVFAIL (as when the
    recursive cannot reach that zone's servers); the DS proofs still come through."""

    def __init__(self, inner: Answerer, name: str) -> None:
        self.inner, self.name = inner, name

    def answer(self, query: dns.message.Message) -> dns.message.Message:
        question = query.question[0]
        if question.rdtype == 257 and question.name.to_text() == self.name:
            response = dns.message.make_response(query)
            response.set_rcode(dns.rcode.SERVFAIL)
            return response
        answer: dns.message.Message = self.inner.answer(query)
        return answer


def test_failing_stub_upstream_never_permits() -> None:
    """Through a recursive that fails everything nothing is proven insecure."""
    with lab(faults={RECURSIVE: FaultPlan(Fault.SERVFAIL)}) as world:
        check = caa(world.stub(), "www.insecure.test", permit=True)
        assert check.decision is Decision.LOOKUP_FAILURE
        assert "is indeterminate (lookup-failed), not proven insecure" in check.reason


def test_stub_failure_at_the_cas_own_resolver_never_permits_BR_CAA_07(tmp_path: Path) -> None:
    """A SERVFAIL from the recursive for a proven-insecure zone: permission only if the caller
    has not named that recursive as its own (``ca_servers``); the CLI's ``--resolver`` always
    is the CA's own, so there it is a lookup failure."""
    with lab() as world:
        world[RECURSIVE].responder = _ServfailCaaAt(
            world[RECURSIVE].responder, "www.insecure.test.")
        outside = caa(world.stub(), "www.insecure.test", permit=True)
        assert outside.decision is Decision.PERMITTED, outside.reason
        assert outside.outcome.reason is DecisionReason.LOOKUP_FAILURE_PERMITTED
        resolver = f"{RECURSIVE}#{world.port}"
        request = CaaRequest(parse_domain("www.insecure.test"), (ISSUER,),
                             permit_on_lookup_failure=True, ca_servers=frozenset({resolver}))
        own = check_caa(request, validator(), world.stub(), now=NOW)
        assert own.decision is Decision.LOOKUP_FAILURE
        assert f"failed at the CA's own {resolver}" in own.reason
        cli = _cli(["www.insecure.test", "--issuer-domain", ISSUER,
                    "--resolver", f"{RECURSIVE}:{world.port}",
                    "--trust-anchor", str(vector_path("demo", "root-anchor.txt")),
                    "--now", str(NOW), "--json", "--permit-on-lookup-failure"])
        assert cli["decision"] == "lookup-failure"
        assert f"failed at the CA's own {resolver}" in str(cli["reason"])


# -- once through the CLI ------------------------------------------------------------------


def _cli(args: list[str]) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.run([sys.executable, "-m", "dnssec_core", "caa", *args], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 1
    got: dict[str, object] = json.loads(proc.stdout)
    return got


def test_cli_root_hints_lookup_failure_rule(tmp_path: Path) -> None:
    """``dnssec-core caa`` with ``--root-hints`` talks to port 53, so the lab is served on
    127.0.77.x:53 (the tests run as root, like CI).  insecure.test.'s server SERVFAILs."""
    dead = bad("insecure.test.")
    with contextlib.ExitStack() as stack:
        for _ in range(PORT_53_TRIES):  # another run of this test may hold port 53 briefly
            try:
                world = stack.enter_context(
                    lab({"insecure.test.": (dead,)}, {dead: FaultPlan(Fault.SERVFAIL)}, port=53))
            except RuntimeError:
                time.sleep(0.5)
                continue
            break
        else:
            pytest.fail("port 53 on 127.0.77.x stayed busy (or this is not running as root)")
        hints = tmp_path / "hints"
        (name, addresses), = world.hints.servers
        hints.write_text(f". 3600 NS {name}\n"
                         + "".join(f"{name} 3600 A {a}\n" for a in addresses))
        common = ["www.insecure.test", "--issuer-domain", ISSUER, "--root-hints", str(hints),
                  "--trust-anchor", str(vector_path("demo", "root-anchor.txt")),
                  "--now", str(NOW), "--json"]
        permitted = _cli([*common, "--permit-on-lookup-failure"])
        assert permitted["decision"] == "permitted"
        assert "proven insecure" in str(permitted["reason"]) and dead in str(permitted["reason"])
        refused = _cli(common)
        assert refused["decision"] == "lookup-failure"
        assert world[dead].attempts("www.insecure.test.", 257) == 4  # 2 runs x 2 tries


@pytest.mark.parametrize("formerr_first", [True, False])
def test_mixed_failures_give_the_same_decision_in_any_server_order(formerr_first: bool) -> None:
    """Bug fixed here: with one server answering FORMERR and one SERVFAIL (two tries each) the
    failure kind was whichever server was asked last, so the BR-CAA-07 decision depended on
    the transport's shuffle — permitted one way, lookup-failure the other.  A tie now goes to
    the kind that says more against the servers (FORMERR), in both orders."""
    zone = "insecure.test."
    formerr, servfail = bad(zone), good(zone)
    order = (formerr, servfail) if formerr_first else (servfail, formerr)
    plans = {formerr: FaultPlan(Fault.FORMERR), servfail: FaultPlan(Fault.SERVFAIL)}
    with lab({zone: order}, plans) as world:
        check = caa(world.iterative(), "www.insecure.test", permit=True)
        assert check.decision is Decision.LOOKUP_FAILURE, check.reason
        _, failure = check.lookups[0].failures[0]
        assert failure.kind is FailureKind.FORMERR and failure.attempts == 4
        assert "formerr is not a timeout, SERVFAIL or REFUSED" in check.reason


@pytest.mark.parametrize("fault", BENIGN, ids=lambda f: f.value)
def test_survivable_fault_gives_the_fault_free_decision(fault: Fault) -> None:
    """A fault the transport gets past (TC=1 then TCP — with or without the question in the
    truncated answer, RFC 7766 §5 —, a stray wrong-ID datagram, an answer above the EDNS
    payload) on secure.test.'s only server: the CAA decision is the fault-free one."""
    zone = "secure.test."
    with lab() as world:
        expected = caa(world.iterative(), "www.secure.test", permit=False)
    assert expected.decision is Decision.PERMITTED
    with lab({zone: (bad(zone),)}, {bad(zone): FaultPlan(fault)}) as world:
        check = caa(world.iterative(), "www.secure.test", permit=False)
        assert (check.decision, check.outcome.reason, check.relevant_domain) == (
            expected.decision, expected.outcome.reason, expected.relevant_domain), check.reason
        assert world[bad(zone)].attempts(qtype=257) >= 1
