"""The chain engine against tampered, failing and hostile answers (fail closed, SEC-LIM-*)."""

from __future__ import annotations

from collections.abc import Callable

import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest

from dnssec_core import limits
from dnssec_core.auth.lab import Tamper
from dnssec_core.chain.engine import Validator
from dnssec_core.chain.types import FailureKind, LimitKind, LookupFailure, Query
from dnssec_core.crypto import Backend
from dnssec_core.verdict import Reason, Status
from tests.chain.lab import NOW, anchors, ask, lab

#: Changes a response in place, or replaces it with a lookup failure.
Edit = Callable[[dns.message.Message], LookupFailure | None]


def rewrite(match: str, qtype: str, edit: Edit) -> Tamper:
    """A tamper hook: ``edit(message)`` applied to responses for (match, qtype)."""
    wanted = (dns.name.from_text(match), dns.rdatatype.from_text(qtype))

    def tamper(query: Query, wire: bytes) -> bytes | LookupFailure:
        if (query.name, query.rdtype) != wanted:
            return wire
        message = dns.message.from_wire(wire)
        result = edit(message)
        return result if isinstance(result, LookupFailure) else message.to_wire(max_size=65535)

    return tamper


def strip(section_name: str, rdtype: int) -> Callable[[dns.message.Message], None]:
    def edit(message: dns.message.Message) -> None:
        section = getattr(message, section_name)
        section[:] = [r for r in section if r.rdtype != rdtype and r.covers != rdtype]

    return edit


def test_stripped_rrsigs_are_bogus_not_insecure_VAL_STAT_04(fast: Backend) -> None:
    """Proves VAL-STAT-02 (requirement trace)."""
    result = ask("www.secure.test.", "A", fast,
                 transport=lab(rewrite("www.secure.test.", "A", strip("answer", 46))))
    assert (result.status, result.verdict.reason, result.verdict.ede) == (
        Status.BOGUS, Reason.RRSIGS_MISSING, 10)


def test_stripped_ds_is_not_a_downgrade_VAL_ALG_05(fast: Backend) -> None:
    """Removing the DS RRset from the parent's answer leaves a NODATA without proof."""
    # Requirement trace: this test also proves VAL-DS-04, VAL-STAT-03.
    result = ask("www.secure.test.", "A", fast,
                 transport=lab(rewrite("secure.test.", "DS", strip("answer", 43))))
    assert result.status is Status.BOGUS


def test_forged_answer_data_is_bogus(fast: Backend) -> None:
    """Proves VAL-STAT-02 (requirement trace)."""
    def edit(message: dns.message.Message) -> None:
        for rrset in message.answer:
            if rrset.rdtype == dns.rdatatype.A:
                forged = dns.rrset.from_text(rrset.name, rrset.ttl, "IN", "A", "203.0.113.66")
                message.answer[message.answer.index(rrset)] = forged

    result = ask("www.secure.test.", "A", fast,
                 transport=lab(rewrite("www.secure.test.", "A", edit)))
    assert (result.status, result.verdict.reason) == (Status.BOGUS, Reason.SIG_INVALID)


def test_stripped_nsec_proof_is_bogus_NSEC_04(fast: Backend) -> None:
    result = ask("nosuch.secure.test.", "A", fast,
                 transport=lab(rewrite("nosuch.secure.test.", "A", strip("authority", 47))))
    assert result.status is Status.BOGUS


def test_lookup_failure_is_indeterminate_VAL_STAT_05(fast: Backend) -> None:
    def fail(message: dns.message.Message) -> LookupFailure:
        return LookupFailure(FailureKind.TIMEOUT, "no answer", 2, ("127.0.0.9",))

    result = ask("www.secure.test.", "A", fast,
                 transport=lab(rewrite("secure.test.", "DNSKEY", fail)))
    assert (result.status, result.verdict.reason, result.verdict.ede) == (
        Status.INDETERMINATE, Reason.LOOKUP_FAILED, 22)
    assert result.rcode == 2


@pytest.mark.parametrize(("limit", "reason", "ede"), [
    (None, Reason.LIMIT_QUERIES, 5),  # VAL-EDE-02: indeterminate carries 5
    (LimitKind.QUERIES, Reason.LIMIT_QUERIES, 5),
    (LimitKind.EXCHANGES, Reason.LIMIT_EXCHANGES, 5),
    (LimitKind.REFERRALS, Reason.LIMIT_REFERRALS, 5),
    (LimitKind.NS_DEPTH, Reason.LIMIT_NS_DEPTH, 5),
    (LimitKind.WALL_CLOCK, Reason.LIMIT_WALL_CLOCK, 22),
])
def test_transport_limit_is_named_in_the_verdict_SEC_LIM_05(
        fast: Backend, limit: LimitKind | None, reason: Reason, ede: int) -> None:
    """Each transport bound gives its own limit-* reason, not a generic query limit."""
    def spent(message: dns.message.Message) -> LookupFailure:
        return LookupFailure(FailureKind.LIMIT, "bound spent", 3, ("127.0.0.9",), limit)

    for question in (("www.secure.test.", "A"), ("secure.test.", "DNSKEY")):
        result = ask("www.secure.test.", "A", fast, transport=lab(rewrite(*question, spent)))
        assert (result.status, result.verdict.reason, result.verdict.ede) == (
            Status.INDETERMINATE, reason, ede)
        assert result.verdict.reason.value.startswith("limit-")


def test_servfail_is_indeterminate(fast: Backend) -> None:
    def servfail(message: dns.message.Message) -> None:
        message.set_rcode(dns.rcode.SERVFAIL)
        message.answer.clear()

    result = ask("www.secure.test.", "A", fast,
                 transport=lab(rewrite("www.secure.test.", "A", servfail)))
    assert (result.status, result.verdict.reason) == (Status.INDETERMINATE, Reason.LOOKUP_FAILED)


def test_answer_for_another_question_is_refused_SEC_NET_01(fast: Backend) -> None:
    def other(message: dns.message.Message) -> None:
        message.question[0] = dns.rrset.RRset(dns.name.from_text("evil.test."),
                                              dns.rdataclass.IN, dns.rdatatype.A)

    result = ask("www.secure.test.", "A", fast,
                 transport=lab(rewrite("www.secure.test.", "A", other)))
    assert (result.status, result.verdict.reason) == (Status.INDETERMINATE, Reason.LOOKUP_FAILED)


def test_garbage_response_is_indeterminate_SEC_PARSE_01(fast: Backend) -> None:
    def garbage(query: Query, wire: bytes) -> bytes:
        return wire[:7] + b"\xff" * 3 if query.rdtype == 1 else wire

    result = ask("www.secure.test.", "A", fast, transport=lab(garbage))
    assert result.status is Status.INDETERMINATE


def _alias(target: str) -> Callable[[dns.message.Message], None]:
    def edit(message: dns.message.Message) -> None:
        name = message.question[0].name
        message.set_rcode(dns.rcode.NOERROR)
        message.answer[:] = [dns.rrset.from_text(name, 300, "IN", "CNAME", target)]
        message.authority.clear()

    return edit


def test_cname_loop_is_indeterminate_SEC_LIM_06(fast: Backend) -> None:
    hooks = [rewrite("a.insecure.test.", "A", _alias("b.insecure.test.")),
             rewrite("b.insecure.test.", "A", _alias("a.insecure.test."))]

    def both(query: Query, wire: bytes) -> bytes | LookupFailure:
        for hook in hooks:
            result = hook(query, wire)
            if isinstance(result, LookupFailure):
                return result
            wire = result
        return wire

    result = ask("a.insecure.test.", "A", fast, transport=lab(both))
    assert (result.status, result.verdict.reason) == (Status.INDETERMINATE, Reason.CNAME_LOOP)


@pytest.mark.parametrize(("links", "status"), [
    (limits.MAX_CNAME_HOPS, Status.INSECURE), (limits.MAX_CNAME_HOPS + 1, Status.INDETERMINATE)])
def test_cname_chain_limit_value_and_plus_one_SEC_LIM_06(links: int, status: Status,
                                                          fast: Backend) -> None:
    hooks = {f"c{i}.insecure.test.": f"c{i + 1}.insecure.test." for i in range(links)}

    def chain(query: Query, wire: bytes) -> bytes | LookupFailure:
        target = hooks.get(query.name.to_text())
        if target is None or query.rdtype != 1:
            return wire
        return rewrite(query.name.to_text(), "A", _alias(target))(query, wire)

    result = ask("c0.insecure.test.", "A", fast, transport=lab(chain))
    assert result.status is status
    if status is Status.INDETERMINATE:
        assert result.verdict.reason is Reason.LIMIT_CNAME_CHAIN


def test_query_limit_value_and_minus_one_SEC_LIM_05(fast: Backend,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    needed = ask("www.secure.test.", "A", fast).queries
    monkeypatch.setattr(limits, "MAX_QUERIES_PER_RESOLUTION", needed)
    assert ask("www.secure.test.", "A", fast).status is Status.SECURE
    monkeypatch.setattr(limits, "MAX_QUERIES_PER_RESOLUTION", needed - 1)
    result = ask("www.secure.test.", "A", fast)
    assert (result.status, result.verdict.reason) == (Status.INDETERMINATE, Reason.LIMIT_QUERIES)


def test_spent_budget_is_not_cached_as_bogus_SEC_LIM_01(fast: Backend,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A resolution stopped by a work bound says nothing about the zones it was walking: the
    next resolution with the same Validator (and its key cache) is secure."""
    validator = Validator(anchors(), backend=fast)
    monkeypatch.setattr(limits, "MAX_SIG_VALIDATIONS_PER_RESOLUTION", 2)
    spent = ask("www.secure.test.", "A", fast, validator=validator)
    assert spent.verdict.reason is Reason.LIMIT_SIG_VALIDATIONS
    monkeypatch.undo()
    assert ask("www.secure.test.", "A", fast, validator=validator).status is Status.SECURE


def test_shared_signature_budget_is_indeterminate_SEC_LIM_01(fast: Backend) -> None:
    """A budget shared by several resolutions (one CAA check's) that runs out makes the
    resolution indeterminate, not bogus: nothing was shown wrong with the data."""
    from dnssec_core.chain.engine import SignatureBudget
    from dnssec_core.driver import resolve

    validator = Validator(anchors(), backend=fast)
    needed = ask("www.secure.test.", "A", fast).verdict  # a fresh validator: the whole chain
    assert needed.status is Status.SECURE
    shared = SignatureBudget(2, "the test")
    resolution = validator.resolve(dns.name.from_text("www.secure.test."), 1, now=NOW,
                                   signatures=shared)
    transport = lab()
    while (query := resolution.next_query()) is not None:
        resolution.receive(query, transport.ask(query))
    result = resolution.result()
    assert (result.status, result.verdict.reason, result.verdict.ede) == (
        Status.INDETERMINATE, Reason.LIMIT_CHECK_SIG_VALIDATIONS, 5)
    assert shared.spent and shared.left == 0
    assert "for the test" in result.verdict.detail
    # nothing cached from the stopped walk: without the shared budget it is secure
    plain = resolve(validator, lab(), dns.name.from_text("www.secure.test."), 1, now=NOW)
    assert plain.status is Status.SECURE


def test_signature_budget_per_resolution_SEC_LIM_01(fast: Backend,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SIG_VALIDATIONS_PER_RESOLUTION", 2)
    result = ask("www.secure.test.", "A", fast)
    assert (result.status, result.verdict.reason) == (
        Status.BOGUS, Reason.LIMIT_SIG_VALIDATIONS)


def test_key_cache_is_reused_and_expires(fast: Backend) -> None:
    validator = Validator(anchors(), backend=fast)
    first = ask("www.secure.test.", "A", fast, validator=validator)
    second = ask("www.secure.test.", "AAAA", fast, validator=validator)
    assert first.status is second.status is Status.SECURE
    assert second.queries == 1 < first.queries
    later = ask("www.secure.test.", "AAAA", fast, validator=validator, now=NOW + 10 * 86400)
    assert later.queries == first.queries


def test_protocol_misuse_raises() -> None:
    from dnssec_core.crypto import get_backend

    resolution = Validator(anchors(), backend=get_backend("fast")).resolve(
        dns.name.from_text("www.secure.test."), 1, now=NOW)
    with pytest.raises(ValueError):
        resolution.result()
    with pytest.raises(ValueError):
        resolution.receive(Query(dns.name.from_text("other."), 1),
                           LookupFailure(FailureKind.TIMEOUT, "x"))


def test_name_outside_the_anchor_is_insecure(fast: Backend) -> None:
    from dnssec_core.chain.anchors import parse_anchors

    ds_for_test = parse_anchors(b"secure.test. IN DS 1 13 2 " + b"00" * 32 + b"\n",
                                source="t", now=None)
    result = ask("www.hashed.test.", "A", fast, validator=Validator(ds_for_test, backend=fast))
    assert (result.status, result.verdict.reason) == (Status.INSECURE, Reason.NO_TRUST_ANCHOR)


def test_unsigned_rcode_cannot_turn_a_proven_answer_into_nxdomain(fast: Backend) -> None:
    """Found by tests/fuzz: the header's rcode is not signed; the reported rcode is the one the
    validated records support (a positive answer is NOERROR, RFC 6604 §3)."""
    def nxdomain(message: dns.message.Message) -> None:
        message.set_rcode(dns.rcode.NXDOMAIN)

    result = ask("www.secure.test.", "A", fast,
                 transport=lab(rewrite("www.secure.test.", "A", nxdomain)))
    assert (result.status, result.rcode) == (Status.SECURE, 0)
