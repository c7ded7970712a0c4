"""The RFC 8659 §3 climb, end to end over signed in-memory worlds (tests/caa/world.py):
examples of the RFC, alias rules, failures, the lookup-failure exception, limits."""

from __future__ import annotations

from functools import cache
from typing import TypedDict, Unpack

import dns.name
import pytest

from dnssec_core.auth.lab import Tamper
from dnssec_core.caa.check import CaaCheck, CaaRequest, check_caa
from dnssec_core.caa.decision import Decision, DecisionReason
from dnssec_core.caa.domain import parse_domain
from dnssec_core.caa.search import MAX_QUERIES_PER_CAA_CHECK, climb
from dnssec_core.chain.types import Answer, FailureKind, LookupFailure, Query
from tests.caa.world import NOW, World, build, zone_text

ROOT = """ns 3600 IN A 192.0.2.1
z 3600 IN NS ns.z.
ns.z 3600 IN A 192.0.2.10
c 3600 IN NS ns.c.
ns.c 3600 IN A 192.0.2.11
unsigned 3600 IN NS ns.unsigned.
ns.unsigned 3600 IN A 192.0.2.12
"""
Z = """ns 3600 IN A 192.0.2.10
y 3600 IN CAA 0 issue "ca.example"
"""
C = """ns 3600 IN A 192.0.2.11
b 3600 IN CAA 0 issue "example.com"
alias.b 3600 IN CNAME x.y.z.
toplain 3600 IN CNAME www.y.z.
tocaa 3600 IN CNAME y.z.
loop1 3600 IN CNAME loop2.c.
loop2 3600 IN CNAME loop1.c.
mail 3600 IN CAA 0 issuemail "mail.example"
mail 3600 IN CAA 0 issue ";"
acct 3600 IN CAA 0 issue "ca.example; accounturi=https://ca.example/acct/1"
"""
UNSIGNED = """ns 3600 IN A 192.0.2.12
x 3600 IN CAA 0 issue "other.example"
"""


@cache
def world() -> World:
    return build({".": zone_text(".", ROOT), "z.": zone_text("z.", Z),
                  "c.": zone_text("c.", C), "unsigned.": zone_text("unsigned.", UNSIGNED)},
                 signed={".", "z.", "c."})


class RequestOptions(TypedDict, total=False):
    """:class:`CaaRequest`'s optional fields, as :func:`check` passes them on."""

    account_uri: str | None
    validation_method: str | None
    permit_on_lookup_failure: bool
    ca_servers: frozenset[str]


def check(domain: str, *issuers: str, email: bool = False, tamper: Tamper | None = None,
          **kw: Unpack[RequestOptions]) -> CaaCheck:
    w = world()
    request = CaaRequest(parse_domain(domain, email=email), issuers, **kw)
    return check_caa(request, w.validator(), w.transport(tamper), now=NOW)


def qnames(result: CaaCheck) -> list[str]:
    return [lookup.qname.to_text() for lookup in result.lookups]


def test_climb_never_queries_the_root_CAA_TREE_01() -> None:
    assert [n.to_text() for n in climb(dns.name.from_text("x.y.z."))] == ["x.y.z.", "y.z.", "z."]
    assert [n.to_text() for n in climb(dns.name.from_text("com."))] == ["com."]


def test_rfc8659_3_example_no_records_anywhere() -> None:
    """RFC 8659 §3: "X.Y.Z" with no CAA anywhere: CAA(X.Y.Z.), CAA(Y.Z.), CAA(Z.), Empty."""
    assert qnames(check("x.c", "ca.example")) == ["x.c.", "c."]
    bare = check("x.q.c", "ca.example")
    assert qnames(bare) == ["x.q.c.", "q.c.", "c."]
    assert bare.decision is Decision.PERMITTED
    assert bare.outcome.reason is DecisionReason.NO_CAA_RECORDS and bare.status.value == "secure"


def test_rfc8659_3_example_early_stop() -> None:
    """RFC 8659 §3: "A.B.C" with "issue example.com" at "B.C" stops there."""
    result = check("a.b.c", "example.com")
    assert qnames(result) == ["a.b.c.", "b.c."]
    assert result.relevant_domain == "b.c." and result.decision is Decision.PERMITTED


def test_alias_followed_and_climb_continues_from_the_original_name_CAA_TREE_03_04() -> None:
    """alias.b.c CNAME x.y.z: CAA(x.y.z) is empty; the climb goes on at b.c (RFC 8659 §3),
    not at y.z where the alias target's parent has "issue ca.example" (RFC 6844's rule)."""
    result = check("alias.b.c", "ca.example")
    assert qnames(result) == ["alias.b.c.", "b.c."]
    assert result.decision is Decision.DENIED and result.relevant_domain == "b.c."
    assert result.lookups[0].aliases == ("alias.b.c. 3600 IN CNAME x.y.z.",)


def test_alias_to_a_name_holding_caa_CAA_TREE_03() -> None:
    """tocaa.c CNAME y.z: CAA(tocaa.c) is y.z's RRset, found at the climb name tocaa.c."""
    result = check("tocaa.c", "other.example")
    assert qnames(result) == ["tocaa.c."]
    assert result.relevant_domain == "tocaa.c." and result.decision is Decision.DENIED
    assert result.lookups[0].owner == dns.name.from_text("y.z.")
    assert check("tocaa.c", "ca.example").decision is Decision.PERMITTED
    # toplain.c CNAME www.y.z (no such name): empty, climb on at c. (empty): no CAA records
    plain = check("toplain.c", "other.example")
    assert qnames(plain) == ["toplain.c.", "c."] and plain.decision is Decision.PERMITTED


def test_alias_loop_is_a_failure_never_permission_CAA_TREE_08() -> None:
    result = check("loop1.c", "ca.example")
    assert result.decision is Decision.LOOKUP_FAILURE
    assert "cname-loop" in result.reason


def test_wildcard_search_starts_below_the_star_CAA_TREE_02() -> None:
    """Proves BR-CAA-12 (requirement trace)."""
    assert qnames(check("*.a.b.c", "example.com"))[0] == "a.b.c."


def test_email_uses_issuemail_BR_SMIME_01_02() -> None:
    """Proves BR-SMIME-03, BR-SMIME-04, CAA-MAIL-02 (requirement trace)."""
    assert check("bob@mail.c", "mail.example", email=True).decision is Decision.PERMITTED
    assert check("bob@mail.c", "ca.example", email=True).decision is Decision.DENIED
    assert check("mail.c", "mail.example").decision is Decision.DENIED  # TLS: issue ";"
    assert check("bob@x.b.c", "mail.example", email=True).outcome.reason \
        is DecisionReason.NOT_RESTRICTED  # relevant RRset at b.c has no issuemail


def test_account_uri_end_to_end_RFC_8657() -> None:
    assert check("acct.c", "ca.example", account_uri="https://ca.example/acct/1").decision \
        is Decision.PERMITTED
    assert check("acct.c", "ca.example", account_uri="https://ca.example/acct/2").decision \
        is Decision.DENIED


def test_insecure_zone_records_used_as_they_are() -> None:
    assert check("x.unsigned", "other.example").decision is Decision.PERMITTED
    assert check("x.unsigned", "ca.example").decision is Decision.DENIED
    assert check("x.unsigned", "ca.example").status.value == "insecure"


# -- failures and BR-CAA-07 ----------------------------------------------------------------------


def failing(zone: str, kind: FailureKind, attempts: int = 2, server: str = "192.0.2.99"
            ) -> Tamper:
    """Every question the servers of ``zone`` would answer fails (DS goes to the parent)."""
    apex = dns.name.from_text(zone)

    def tamper(query: Query, wire: bytes) -> bytes | LookupFailure:
        asks_child = query.name.is_subdomain(apex) and not (
            query.rdtype == 43 and query.name == apex)
        if asks_child:
            return LookupFailure(kind, f"{kind.value} from {server}", attempts, (server,))
        return wire
    return tamper


@pytest.mark.parametrize("kind", [FailureKind.TIMEOUT, FailureKind.SERVFAIL, FailureKind.REFUSED])
def test_failure_in_proven_insecure_zone_permitted_by_policy_BR_CAA_07(kind: FailureKind) -> None:
    tamper = failing("unsigned.", kind)
    result = check("www.unsigned", "ca.example", tamper=tamper, permit_on_lookup_failure=True)
    assert result.decision is Decision.PERMITTED
    assert result.outcome.reason is DecisionReason.LOOKUP_FAILURE_PERMITTED
    assert [p.zone.to_text() for p in result.search.probes] == ["unsigned."]
    assert result.search.probes[0].proven_insecure
    assert result.status.value == "indeterminate"
    assert "proven insecure: unsigned." in result.reason
    # without the CA's opt-in: no issuance
    plain = check("www.unsigned", "ca.example", tamper=tamper)
    assert plain.decision is Decision.LOOKUP_FAILURE and not plain.search.probes


def test_failure_in_signed_zone_never_permitted_BR_CAA_08() -> None:
    """Proves BR-DNSSEC-01, CAA-TREE-05 (requirement trace)."""
    result = check("www.c", "ca.example", tamper=failing("c.", FailureKind.TIMEOUT),
                   permit_on_lookup_failure=True)
    assert result.decision is Decision.LOOKUP_FAILURE
    assert "not proven insecure" in result.reason
    assert result.search.probes and result.search.probes[0].verdict.status.value != "insecure"


def test_failure_not_retried_never_permitted_SEC_NET_06() -> None:
    result = check("www.unsigned", "ca.example", permit_on_lookup_failure=True,
                   tamper=failing("unsigned.", FailureKind.TIMEOUT, attempts=1))
    assert result.decision is Decision.LOOKUP_FAILURE and "not retried" in result.reason


def test_failure_at_the_cas_own_server_never_permitted() -> None:
    result = check("www.unsigned", "ca.example", permit_on_lookup_failure=True,
                   ca_servers=frozenset({"10.1.1.1"}),
                   tamper=failing("unsigned.", FailureKind.SERVFAIL, server="10.1.1.1"))
    assert result.decision is Decision.LOOKUP_FAILURE and "CA's own" in result.reason


def test_network_error_is_not_a_listed_failure() -> None:
    result = check("www.unsigned", "ca.example", permit_on_lookup_failure=True,
                   tamper=failing("unsigned.", FailureKind.NETWORK))
    assert result.decision is Decision.LOOKUP_FAILURE


def test_failure_of_a_parent_step_is_reported() -> None:
    """The climb stops at the first failed step (CAA-TREE-06), it does not skip it."""
    def tamper(query: Query, wire: bytes) -> bytes | LookupFailure:
        if query.name.to_text() == "b.c." and query.rdtype == 257:
            return LookupFailure(FailureKind.TIMEOUT, "x", 2, ("192.0.2.11",))
        return wire
    result = check("a.b.c", "example.com", tamper=tamper)
    assert qnames(result) == ["a.b.c.", "b.c."]
    assert result.decision is Decision.LOOKUP_FAILURE
    assert [lk.as_json()["status"] for lk in result.lookups] == ["secure", "indeterminate"]


def test_query_budget_is_enforced_SEC_LIM_05() -> None:
    assert MAX_QUERIES_PER_CAA_CHECK >= 127 * 2
    deep = ".".join(["a"] * 120) + ".c"
    result = check(deep, "ca.example")
    assert result.decision is Decision.PERMITTED  # 121 steps of secure NXDOMAIN/NODATA
    assert len(result.lookups) == 121


def test_response_too_big_for_a_message_is_a_lookup_failure() -> None:
    """A 10,000-record CAA RRset cannot travel in one DNS message (65,535 octets); the lab
    transport raises, the check turns that into a failed lookup, not a crash."""
    body = "".join(f'big 3600 IN CAA 0 t{i} "test"\n' for i in range(10_000))
    w = build({".": zone_text(".", "ns 3600 IN A 192.0.2.1\nbig 3600 IN CAA 0 issue \"x\"\n"
                                   + body)}, signed={"."})
    request = CaaRequest(parse_domain("www.big"), ("ca.example",))
    result = check_caa(request, w.validator(), w.transport(), now=NOW)
    assert result.decision is Decision.LOOKUP_FAILURE
    assert "transport error" in result.reason


def test_thousand_record_rrset_over_the_wire() -> None:
    """caatestsuite big.basic: 1001 records incl. 0 issue "caatestsuite.com", signed."""
    body = "".join(f'big 3600 IN CAA 0 t{i} "test"\n' for i in range(1000))
    w = build({".": zone_text(".", "ns 3600 IN A 192.0.2.1\n" + body
                              + 'big 3600 IN CAA 0 issue "caatestsuite.com"\n')}, signed={"."})
    request = CaaRequest(parse_domain("big"), ("ca.example",))
    result = check_caa(request, w.validator(), w.transport(), now=NOW)
    assert result.decision is Decision.DENIED and len(result.records) == 1001
    assert result.status.value == "secure"


def test_query_budget_exceeded_fails_closed_SEC_LIM_07(monkeypatch: pytest.MonkeyPatch) -> None:
    import dnssec_core.caa.search as search_module

    monkeypatch.setattr(search_module, "MAX_QUERIES_PER_CAA_CHECK", 3)
    w = world()
    lab = w.transport()
    sent: list[Query] = []

    class Counting:
        def ask(self, query: Query) -> Answer:
            sent.append(query)
            return lab.ask(query)

    request = CaaRequest(parse_domain("x.q.c"), ("ca.example",))
    result = check_caa(request, w.validator(), Counting(), now=NOW)
    assert result.decision is Decision.LOOKUP_FAILURE
    assert result.outcome.reason is DecisionReason.DNSSEC_INDETERMINATE
    assert "limit-queries" in result.reason
    assert len(sent) == 3  # the fourth question is refused before it reaches the wire


def test_wall_clock_budget_exceeded_fails_closed_SEC_LIM_07() -> None:
    from dnssec_core.caa.check import check_steps, run_steps

    ticks = iter(range(1000))
    w = world()
    request = CaaRequest(parse_domain("x.q.c"), ("ca.example",),
                         permit_on_lookup_failure=True)
    result = run_steps(check_steps(request, w.validator(), now=NOW), w.transport(),
                       budget_seconds=2.5, clock=lambda: float(next(ticks)))
    assert result.decision is Decision.LOOKUP_FAILURE  # LIMIT never counts as permission
    assert "budget of 2.5 s spent" in result.reason
