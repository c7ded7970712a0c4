"""Servers without EDNS over real loopback sockets (RFC 6891 §7, §6.2.2; SEC-NET-04), through
the iterative and stub transports and through ``caa`` (library and CLI).

A ``no-edns`` server answers FORMERR without OPT to any query carrying OPT and plain DNS to a
query without: no DO bit, so no RRSIG, NSEC or NSEC3 (RFC 3225 §3).  The transport asks again
without OPT; what comes back is then judged by the engine:

- a name in a zone proven unsigned by its parent (insecure.test., whose no-DS proof comes
  from test.) gets exactly the fault-free verdict, and the CAA check its fault-free decision:
  an answer, not a lookup failure;
- a name in a signed zone never comes out secure (bogus: its RRSIGs are missing), and a CAA
  check there is a DNSSEC failure, never permission;
- through a recursive without EDNS nothing can be proven at all (the no-DS proofs are DNSSEC
  records too): every name is bogus, none secure or insecure.

The iterative transport remembers such a server (``edns_memory``) only for a zone not expected
signed, and only after the plain query was answered; ``formerr-no-opt`` (FORMERR without OPT
even to plain queries) stays a FORMERR failure, which BR 3.2.2.8 never excuses.

In a zone expected signed (the root, or a referral with a signed DS) the plain answer after a
fallback is not kept at once: the server is asked once more with EDNS (within the ask's
exchange budget and deadline).  So one forged FORMERR (``no-edns`` with ``count=1``) costs
two messages, not the question's security, while a server that really lacks EDNS answers
FORMERR again and its plain answer stays: bogus, never secure (SEC-NET-04).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dnssec_core import limits
from dnssec_core.auth.server import Fault, FaultPlan
from dnssec_core.caa.decision import Decision, DecisionReason
from dnssec_core.chain.types import FailureKind
from dnssec_core.verdict import Reason, Status
from tests.faults.faults import EDNS_FAULTS, comparable
from tests.faults.lab import NOW, RECURSIVE, bad, good, lab, query
from tests.faults.test_caa_faults import ISSUER, caa
from vectors import vector_path

INSECURE, SECURE = "insecure.test.", "secure.test."
CAA = 257


@pytest.fixture(scope="module")
def clean() -> Iterator[dict[tuple[str, str], dict[str, Any]]]:
    """Fault-free verdicts over the same sockets."""
    with lab() as world:
        transport = world.iterative()
        asked = [("www.insecure.test.", "A"), ("nosuch.insecure.test.", "A"),
                 ("www.insecure.test.", "CAA"), ("www.secure.test.", "A")]
        yield {q: comparable(query(transport, *q)) for q in asked}


def test_the_edns_faults_are_the_two_left_out_of_the_generic_tables() -> None:
    assert {Fault.NO_EDNS, Fault.FORMERR_NO_OPT} == EDNS_FAULTS


# -- iterative --------------------------------------------------------------------------------


def test_unsigned_zone_without_edns_gets_the_fault_free_verdict_RFC6891_7(
    clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    dead = bad(INSECURE)
    with lab({INSECURE: (dead,)}, {dead: FaultPlan(Fault.NO_EDNS)}) as world:
        transport = world.iterative()
        for question in [("www.insecure.test.", "A"), ("nosuch.insecure.test.", "A")]:
            result = query(transport, *question)
            assert comparable(result) == clean[question], result.verdict
        assert clean[("www.insecure.test.", "A")]["status"] == "insecure"
        assert clean[("nosuch.insecure.test.", "A")]["rcode"] == "NXDOMAIN"
        # remembered after the first plain answer: the first question cost a FORMERR and a
        # plain query, the second went plain at once (RFC 6891 §6.2.2)
        assert transport.edns_memory.servers() == [f"{dead}#{world.port}"]
        assert world[dead].attempts("www.insecure.test.", 1, "udp") == 2
        assert world[dead].attempts("nosuch.insecure.test.", 1, "udp") == 1


def test_signed_zone_without_edns_is_bogus_never_secure() -> None:
    dead = bad(SECURE)
    with lab({SECURE: (dead,)}, {dead: FaultPlan(Fault.NO_EDNS)}) as world:
        transport = world.iterative()
        result = query(transport, "www.secure.test.", "A")
        assert result.status is Status.BOGUS, result.verdict
        assert result.verdict.reason is Reason.RRSIGS_MISSING
        # secure.test.'s referral carries a signed DS: DNSSEC is expected, nothing remembered
        assert transport.edns_memory.servers() == []
        # with OPT (FORMERR), without, and with OPT once more (FORMERR again: the server
        # really lacks EDNS, so its plain answer is what the engine judges)
        assert world[dead].attempts("www.secure.test.", 1, "udp") == 3
        assert world[dead].attempts("www.secure.test.", 1) == 3


def test_signed_zone_with_one_server_without_edns_takes_the_signed_answer(
    clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """The plain answer of the server without EDNS is DNSSEC-lame (no RRSIG where the
    referral promised signatures): the good server's signed answer wins."""
    dead, alive = bad(SECURE), good(SECURE)
    with lab({SECURE: (dead, alive)}, {dead: FaultPlan(Fault.NO_EDNS)}) as world:
        question = ("www.secure.test.", "A")
        assert comparable(query(world.iterative(), *question)) == clean[question]
        # with OPT, without, with OPT again (FORMERR: it lacks EDNS); then the good server
        assert world[dead].attempts("www.secure.test.", 1) == 3
        assert world[alive].attempts("www.secure.test.", 1) == 1


def test_memory_expires_and_the_server_is_probed_with_edns_again() -> None:
    now = [0.0]
    dead = bad(INSECURE)
    with lab({INSECURE: (dead,)}, {dead: FaultPlan(Fault.NO_EDNS)}) as world:
        transport = world.iterative(clock=lambda: now[0])
        assert query(transport, "www.insecure.test.", "A").status is Status.INSECURE
        assert transport.edns_memory.servers() != []
        world[dead].seen.clear()
        now[0] += limits.NO_EDNS_SERVER_SECONDS + 1
        assert transport.edns_memory.servers() == []
        assert query(transport, "www.insecure.test.", "A").status is Status.INSECURE
        assert world[dead].attempts("www.insecure.test.", 1, "udp") == 2  # FORMERR again


def test_formerr_without_opt_to_everything_is_a_formerr_failure() -> None:
    dead = bad(INSECURE)
    with lab({INSECURE: (dead,)}, {dead: FaultPlan(Fault.FORMERR_NO_OPT)}) as world:
        transport = world.iterative()
        result = query(transport, "www.insecure.test.", "A")
        assert result.status is Status.INDETERMINATE
        assert result.verdict.reason is Reason.LOOKUP_FAILED
        assert "formerr after 2 attempt(s)" in result.verdict.detail, result.verdict
        assert "without EDNS as well as with it" in result.verdict.detail
        # two attempts (SEC-NET-06), each with OPT and then without
        assert world[dead].attempts("www.insecure.test.", 1, "udp") == 4
        assert transport.edns_memory.servers() == []


def test_one_forged_formerr_in_a_signed_zone_still_gives_secure_SEC_NET_04(
    clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """One FORMERR without OPT (forged, or a server restarting) at the only server of a signed
    zone: the plain answer it provokes holds no RRSIG, so it is dropped and the server asked
    once more with EDNS; the signed answer gives the fault-free (secure) verdict.  Nothing
    is remembered, so the next question is asked with EDNS at once."""
    dead = bad(SECURE)
    with lab({SECURE: (dead,)}, {dead: FaultPlan(Fault.NO_EDNS, count=1)}) as world:
        transport = world.iterative()
        question = ("www.secure.test.", "A")
        assert clean[question]["status"] == "secure"
        result = query(transport, *question)
        assert comparable(result) == clean[question], result.verdict
        # with OPT (forged FORMERR), without OPT (the plain answer), with OPT again
        assert world[dead].attempts("www.secure.test.", 1, "udp") == 3
        assert transport.edns_memory.servers() == []
        world[dead].seen.clear()
        again = query(transport, *question)  # a fresh validator: asked again, with EDNS
        assert comparable(again) == clean[question]
        assert world[dead].attempts("www.secure.test.", 1, "udp") == 1


def test_one_forged_formerr_at_the_root_still_gives_secure_SEC_NET_04(
    clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """The root's answers are expected signed too (its keys are the trust anchor): the first
    question it gets is forged FORMERR, asked plainly and then once more with EDNS."""
    dead = bad(".")
    with lab({".": (dead,)}, {dead: FaultPlan(Fault.NO_EDNS, count=1)}) as world:
        transport = world.iterative()
        question = ("www.secure.test.", "A")
        result = query(transport, *question)
        assert comparable(result) == clean[question], result.verdict
        assert transport.edns_memory.servers() == []
        seen = world[dead].seen
        assert len(seen) - len({(s.qname, s.qtype) for s in seen}) == 2
        assert seen[0] == seen[1] == seen[2]  # one question: OPT, plain, OPT


def test_unsigned_zone_after_one_formerr_keeps_the_plain_answer_RFC6891_6_2_2(
    clean: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """No second EDNS try where no signature is expected (the no-DS proof of insecure.test.):
    the plain answer is the answer, as before."""
    dead = bad(INSECURE)
    with lab({INSECURE: (dead,)}, {dead: FaultPlan(Fault.NO_EDNS, count=1)}) as world:
        transport = world.iterative()
        question = ("www.insecure.test.", "A")
        assert comparable(query(transport, *question)) == clean[question]
        assert world[dead].attempts("www.insecure.test.", 1, "udp") == 2


def test_second_edns_try_is_bounded_by_the_exchange_budget_SEC_LIM_05() -> None:
    """With no exchange left in the ask for the second EDNS try the plain answer stays:
    bogus (its RRSIGs are missing), never secure, and the budget is not exceeded."""
    dead = bad(SECURE)
    with lab({SECURE: (dead,)}, {dead: FaultPlan(Fault.NO_EDNS, count=1)}) as world:
        # root, test., secure.test.: the third exchange is the fallback, none is left after it
        transport = world.iterative(max_queries=3)
        result = query(transport, "www.secure.test.", "A")
        assert result.status is Status.BOGUS, result.verdict
        assert result.verdict.reason is Reason.RRSIGS_MISSING
        assert world[dead].attempts("www.secure.test.", 1, "udp") == 2
    with lab({SECURE: (dead,)}, {dead: FaultPlan(Fault.NO_EDNS, count=1)}) as world:
        # one exchange more: the second EDNS try fits, and the answer is secure
        result = query(world.iterative(max_queries=4), "www.secure.test.", "A")
        assert result.status is Status.SECURE, result.verdict
        assert world[dead].attempts("www.secure.test.", 1, "udp") == 3


# -- stub -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["www.secure.test.", "www.insecure.test.", "www.bogus.test."])
def test_recursive_without_edns_proves_nothing(name: str) -> None:
    with lab(faults={RECURSIVE: FaultPlan(Fault.NO_EDNS)}) as world:
        result = query(world.stub(), name, "A")
        assert result.status is Status.BOGUS, result.verdict
        udp = world[RECURSIVE].attempts(transport="udp")
        tcp = world[RECURSIVE].attempts(transport="tcp")
        # every question three times (with OPT, without, with OPT again: FORMERR, so it
        # really lacks EDNS): the stub never remembers
        assert udp + tcp == 3 * result.queries


@pytest.mark.parametrize("name", ["www.secure.test.", "www.insecure.test.", "nosuch.hashed.test."])
def test_one_forged_formerr_at_the_recursive_changes_nothing_SEC_NET_04(name: str) -> None:
    """Through a resolver even an insecure answer needs DNSSEC records (the no-DS proof), so
    after one FORMERR without OPT and a plain answer the question is asked with EDNS again."""
    with lab() as world:
        expected = comparable(query(world.stub(), name, "A"))
    with lab(faults={RECURSIVE: FaultPlan(Fault.NO_EDNS, count=1)}) as world:
        result = query(world.stub(), name, "A")
        assert comparable(result) == expected, result.verdict
        assert expected["status"] in ("secure", "insecure")
        # one extra plain query and one extra EDNS query for the first question only
        assert world[RECURSIVE].attempts(transport="udp") == result.queries + 2


def test_recursive_formerr_without_opt_to_everything_is_a_formerr_failure() -> None:
    with lab(faults={RECURSIVE: FaultPlan(Fault.FORMERR_NO_OPT)}) as world:
        result = query(world.stub(), "www.secure.test.", "A")
        assert result.status is Status.INDETERMINATE
        assert "formerr after 2 attempt(s)" in result.verdict.detail, result.verdict
        assert world[RECURSIVE].attempts("www.secure.test.", 1, "udp") == 4


# -- caa --------------------------------------------------------------------------------------


def test_caa_in_an_unsigned_zone_without_edns_is_an_answer_not_a_failure_BR_CAA_07() -> None:
    """Before the fallback this was a FORMERR lookup failure (never excused); now the plain
    answer from a proven-unsigned zone decides, exactly as without the fault."""
    with lab() as world:
        expected = caa(world.iterative(), "www.insecure.test", permit=False)
    assert expected.decision is Decision.PERMITTED
    dead = bad(INSECURE)
    with lab({INSECURE: (dead,)}, {dead: FaultPlan(Fault.NO_EDNS)}) as world:
        check = caa(world.iterative(), "www.insecure.test", permit=False)
        assert check.decision is expected.decision, check.reason
        assert check.outcome.reason is expected.outcome.reason
        assert check.outcome.reason is not DecisionReason.LOOKUP_FAILURE_PERMITTED
        assert check.relevant_domain == expected.relevant_domain == INSECURE
        assert [(lk.qname, lk.status) for lk in check.lookups] == [
            (lk.qname, lk.status) for lk in expected.lookups]
        assert world[dead].attempts(qtype=CAA) >= 2


@pytest.mark.parametrize("permit", [False, True])
def test_caa_in_a_signed_zone_without_edns_never_permits_BR_CAA_08(permit: bool) -> None:
    dead = bad(SECURE)
    with lab({SECURE: (dead,)}, {dead: FaultPlan(Fault.NO_EDNS)}) as world:
        check = caa(world.iterative(), "www.secure.test", permit=permit)
        assert check.decision is Decision.LOOKUP_FAILURE, check.reason
        assert check.outcome.reason is DecisionReason.DNSSEC_BOGUS


def test_caa_formerr_without_opt_to_everything_never_permits() -> None:
    dead = bad(INSECURE)
    with lab({INSECURE: (dead,)}, {dead: FaultPlan(Fault.FORMERR_NO_OPT)}) as world:
        check = caa(world.iterative(), "www.insecure.test", permit=True)
        assert check.decision is Decision.LOOKUP_FAILURE, check.reason
        _, failure = check.lookups[0].failures[0]
        assert failure.kind is FailureKind.FORMERR
        assert "formerr is not a timeout, SERVFAIL or REFUSED" in check.reason


def test_caa_cli_through_a_recursive_without_edns_is_a_dnssec_failure() -> None:
    """``dnssec-core caa --resolver``: through a recursive without EDNS even the unsigned
    zone cannot be proven unsigned, so the check fails closed (dnssec-bogus), opt-in or not."""
    with lab(faults={RECURSIVE: FaultPlan(Fault.NO_EDNS)}) as world:
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
        args = ["www.insecure.test", "--issuer-domain", ISSUER,
                "--resolver", f"{RECURSIVE}:{world.port}",
                "--trust-anchor", str(vector_path("demo", "root-anchor.txt")),
                "--now", str(NOW), "--json", "--permit-on-lookup-failure"]
        proc = subprocess.run([sys.executable, "-m", "dnssec_core", "caa", *args], env=env,
                              capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["decision"] == "lookup-failure"
    assert str(got["reason"]).startswith("dnssec-bogus"), got["reason"]
    assert got["status"] == "bogus"
