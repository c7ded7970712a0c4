"""Iterative resolution against a small hierarchy of loopback servers (SEC-NET-02/03/06,
SEC-LIM-05): referrals, glue and bailiwick, DS from the parent, failover and retries, loops,
limits, QNAME minimisation."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from typing import Unpack

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import pytest

from dnssec_core import limits
from dnssec_core.chain.types import Answer, FailureKind, LimitKind, LookupFailure, Query
from dnssec_core.transport import IterativeTransport, RootHints, builtin_root_hints
from dnssec_core.transport import iterative as iterative_module
from dnssec_core.wire.message import Response
from tests.support.transport_options import IterativeOptions
from tests.transport.dnsserver import Farm, Handler, MiniAuth, Reply, Request, reply_to, rrset

ROOT = "127.0.0.40"
NS1 = "127.0.0.41"  # test.
NS2 = "127.0.0.42"  # test.
LEAF = "127.0.0.43"  # example.test., insecure.test., oob.test., other.test.
ELSEWHERE = "127.0.0.44"  # elsewhere.example.
EVIL = "127.0.0.45"  # evil.
TRAP = "127.0.0.99"  # only out-of-bailiwick glue points here: must never be asked
DS_HEX = "AA" * 32

A, NS, DS, AAAA = 1, 2, 43, 28


def n(text: str) -> dns.name.Name:
    return dns.name.from_text(text)


ROOT_ZONE = f"""
. 3600 SOA ns.root.lab. admin.root.lab. 1 3600 600 86400 300
. 3600 NS ns.root.lab.
test. 3600 NS ns1.test.
test. 3600 NS ns2.test.
ns1.test. 3600 A {NS1}
ns2.test. 3600 A {NS2}
test. 3600 DS 1111 13 2 {DS_HEX}
example. 3600 NS ns.example.
ns.example. 3600 A {ELSEWHERE}
evil. 3600 NS ns.evil.
ns.evil. 3600 A {EVIL}
"""

TEST_ZONE = f"""
test. 3600 SOA ns1.test. admin.test. 1 3600 600 86400 300
test. 3600 NS ns1.test.
test. 3600 NS ns2.test.
ns1.test. 3600 A {NS1}
ns2.test. 3600 A {NS2}
example.test. 3600 NS ns.example.test.
ns.example.test. 3600 A {LEAF}
example.test. 3600 DS 2222 13 2 {DS_HEX}
insecure.test. 3600 NS ns.insecure.test.
ns.insecure.test. 3600 A {LEAF}
oob.test. 3600 NS ns.evil.
ns.evil. 3600 A {TRAP}
other.test. 3600 NS ns.elsewhere.example.
"""

LEAF_ZONES = (
    (
        "example.test.",
        """
example.test. 3600 SOA ns.example.test. admin.example.test. 1 3600 600 86400 300
example.test. 3600 NS ns.example.test.
ns.example.test. 3600 A 127.0.0.43
www.example.test. 300 A 192.0.2.1
deep.b.example.test. 300 A 192.0.2.2
alias.example.test. 300 CNAME www.other.test.
""",
    ),
    (
        "insecure.test.",
        """
insecure.test. 3600 SOA ns.insecure.test. admin.insecure.test. 1 3600 600 86400 300
insecure.test. 3600 NS ns.insecure.test.
www.insecure.test. 300 A 192.0.2.3
""",
    ),
    (
        "oob.test.",
        """
oob.test. 3600 SOA ns.evil. admin.oob.test. 1 3600 600 86400 300
oob.test. 3600 NS ns.evil.
www.oob.test. 300 A 192.0.2.4
""",
    ),
    (
        "other.test.",
        """
other.test. 3600 SOA ns.elsewhere.example. admin.other.test. 1 3600 600 86400 300
other.test. 3600 NS ns.elsewhere.example.
www.other.test. 300 A 192.0.2.5
""",
    ),
)

ELSEWHERE_ZONE = f"""
example. 3600 SOA ns.example. admin.example. 1 3600 600 86400 300
example. 3600 NS ns.example.
ns.example. 3600 A {ELSEWHERE}
ns.elsewhere.example. 3600 A {LEAF}
"""

EVIL_ZONE = f"""
evil. 3600 SOA ns.evil. admin.evil. 1 3600 600 86400 300
evil. 3600 NS ns.evil.
ns.evil. 3600 A {EVIL}
ns.evil. 3600 A {LEAF}
"""

HINTS = RootHints(((n("ns.root.lab."), (ROOT,)),), "test hints")


def world(**override: Handler) -> dict[str, Handler]:
    handlers: dict[str, Handler] = {
        ROOT: MiniAuth((".", ROOT_ZONE)),
        NS1: MiniAuth(("test.", TEST_ZONE)),
        NS2: MiniAuth(("test.", TEST_ZONE)),
        LEAF: MiniAuth(*LEAF_ZONES),
        ELSEWHERE: MiniAuth(("example.", ELSEWHERE_ZONE)),
        EVIL: MiniAuth(("evil.", EVIL_ZONE)),
        TRAP: lambda r: None,
    }
    handlers.update(override)
    return handlers


@pytest.fixture
def farm() -> Iterator[Farm]:
    with Farm(world()) as running:
        yield running
    assert running.errors == []


def make(farm: Farm, **options: Unpack[IterativeOptions]) -> IterativeTransport:
    settings: IterativeOptions = {
        "port": farm.port,
        "udp_timeout": 0.3,
        "tcp_timeout": 0.6,
        "rng": random.Random(0),
    }
    settings.update(options)
    return IterativeTransport(HINTS, **settings)


def response(result: Answer) -> Response:
    assert isinstance(result, Response), result
    return result


def failure(result: Answer, kind: FailureKind) -> LookupFailure:
    assert isinstance(result, LookupFailure), result
    assert result.kind is kind, result
    return result


def asked(farm: Farm, address: str) -> list[tuple[str, str]]:
    return farm[address].asked()


def a_records(result: Response) -> list[str]:
    return [
        ".".join(str(b) for b in rd)
        for s in result.answer
        if s.rdtype == A
        for rd in s.rrset.rdatas
    ]


# -- following referrals ------------------------------------------------------------------------


def test_resolves_from_the_root_through_referrals(farm: Farm) -> None:
    """Proves VAL-CHAIN-04 (requirement trace)."""
    transport = make(farm)
    result = response(transport.ask(Query(n("www.example.test."), A)))
    assert a_records(result) == ["192.0.2.1"]
    assert result.rcode == 0 and result.authoritative
    assert result.server == f"{LEAF}#{farm.port}"
    assert asked(farm, ROOT) == [("www.example.test.", "A")]
    assert len(asked(farm, NS1)) + len(asked(farm, NS2)) == 1
    assert asked(farm, LEAF) == [("www.example.test.", "A")]
    assert transport.queries_sent == 3


def test_delegations_are_cached_per_transport(farm: Farm) -> None:
    transport = make(farm)
    response(transport.ask(Query(n("www.example.test."), A)))
    response(transport.ask(Query(n("deep.b.example.test."), A)))
    response(transport.ask(Query(n("www.insecure.test."), A)))
    assert len(asked(farm, ROOT)) == 1  # test. is cached after the first question
    assert len(asked(farm, NS1)) + len(asked(farm, NS2)) == 2  # example.test. was cached
    fresh = make(farm)
    response(fresh.ask(Query(n("www.example.test."), A)))
    assert len(asked(farm, ROOT)) == 2


def test_cache_is_bounded(farm: Farm) -> None:
    transport = make(farm, cache_entries=1)
    response(transport.ask(Query(n("www.example.test."), A)))
    response(transport.ask(Query(n("www.other.test."), A)))
    assert len(transport._delegations) <= 1 and len(transport._addresses) <= 1


def test_cname_is_returned_not_chased(farm: Farm) -> None:
    result = response(make(farm).ask(Query(n("alias.example.test."), A)))
    assert [s.rdtype for s in result.answer] == [5]
    assert asked(farm, ELSEWHERE) == []  # www.other.test. was not looked up


def test_nxdomain_and_nodata_are_final(farm: Farm) -> None:
    transport = make(farm)
    result = response(transport.ask(Query(n("nothere.example.test."), A)))
    assert result.rcode == dns.rcode.NXDOMAIN
    assert [s.rdtype for s in result.authority] == [6]
    result = response(transport.ask(Query(n("www.example.test."), AAAA)))
    assert result.rcode == 0 and result.answer == () and result.authoritative


def test_empty_non_terminal_is_nodata(farm: Farm) -> None:
    result = response(make(farm).ask(Query(n("b.example.test."), A)))
    assert result.rcode == 0 and result.answer == ()


def test_dnskey_at_a_zone_apex_comes_from_the_child(farm: Farm) -> None:
    result = response(make(farm).ask(Query(n("example.test."), 48)))
    assert result.server == f"{LEAF}#{farm.port}"


def test_query_name_case_is_kept(farm: Farm) -> None:
    result = response(make(farm, use_0x20=True).ask(Query(n("WWW.Example.TEST."), A)))
    assert result.qname.to_text() == "WWW.Example.TEST."
    assert a_records(result) == ["192.0.2.1"]


# -- DS from the parent side (RFC 4035 §3.1.4.1) -------------------------------------------------


def test_ds_is_asked_of_the_parent(farm: Farm) -> None:
    """Proves VAL-CHAIN-02 (requirement trace)."""
    result = response(make(farm).ask(Query(n("example.test."), DS)))
    assert [s.rdtype for s in result.answer] == [DS]
    assert result.server in (f"{NS1}#{farm.port}", f"{NS2}#{farm.port}")
    assert asked(farm, LEAF) == []


def test_ds_is_asked_of_the_parent_even_when_the_child_is_cached(farm: Farm) -> None:
    transport = make(farm)
    response(transport.ask(Query(n("www.example.test."), A)))
    result = response(transport.ask(Query(n("example.test."), DS)))
    assert [s.rdtype for s in result.answer] == [DS]
    assert asked(farm, LEAF) == [("www.example.test.", "A")]


def test_no_ds_nodata_from_the_parent(farm: Farm) -> None:
    result = response(make(farm).ask(Query(n("insecure.test."), DS)))
    assert result.answer == () and result.authoritative
    assert asked(farm, LEAF) == []


def test_referral_to_the_ds_owner_is_the_parents_final_answer() -> None:
    inner = MiniAuth(("test.", TEST_ZONE))

    # a parent that answers DS questions with referrals
    def refers_for_ds(request: Request) -> Reply:
        if request.qtype == DS and request.query is not None:
            request.query.question[0].rdtype = dns.rdatatype.A
            reply = inner(request)
            assert isinstance(reply, dns.message.Message)
            reply.question[0].rdtype = dns.rdatatype.DS
            return reply
        return inner(request)

    with Farm(world(**{NS1: refers_for_ds, NS2: refers_for_ds})) as farm:
        result = response(make(farm).ask(Query(n("insecure.test."), DS)))
    assert result.answer == () and not result.authoritative
    assert [s.rdtype for s in result.authority] == [NS]
    assert asked(farm, LEAF) == []


def test_root_ds_question_starts_at_the_root(farm: Farm) -> None:
    result = response(make(farm).ask(Query(dns.name.root, DS)))
    assert result.server == f"{ROOT}#{farm.port}"


# -- bailiwick (SEC-NET-02) --------------------------------------------------------------------


def test_out_of_bailiwick_glue_is_not_used_SEC_NET_02(farm: Farm) -> None:
    result = response(make(farm).ask(Query(n("www.oob.test."), A)))
    assert a_records(result) == ["192.0.2.4"]
    assert farm[TRAP].requests == []
    assert ("ns.evil.", "A") in asked(farm, EVIL)  # resolved from its own zone instead


def test_out_of_bailiwick_records_are_dropped_SEC_NET_02() -> None:
    inner = MiniAuth(*LEAF_ZONES)

    def polluting(request: Request) -> dns.message.Message:
        reply = inner(request)
        assert isinstance(reply, dns.message.Message)
        reply.answer.append(rrset("www.bank.lab. 300 A 192.0.2.66"))
        reply.authority.append(rrset("bank.lab. 300 NS ns.evil."))
        return reply

    with Farm(world(**{LEAF: polluting})) as farm:
        result = response(make(farm).ask(Query(n("www.example.test."), A)))
    owners = {s.owner.to_text() for s in result.answer + result.authority}
    assert owners == {"www.example.test."}
    assert a_records(result) == ["192.0.2.1"]


def test_glueless_ns_name_is_resolved(farm: Farm) -> None:
    result = response(make(farm).ask(Query(n("www.other.test."), A)))
    assert a_records(result) == ["192.0.2.5"]
    assert ("ns.elsewhere.example.", "A") in asked(farm, ELSEWHERE)


# -- failover and retries (SEC-NET-06) ---------------------------------------------------------


def servfail(request: Request) -> dns.message.Message:
    return reply_to(request.query, dns.rcode.SERVFAIL, aa=False)


@pytest.mark.parametrize(
    "bad",
    [
        servfail,
        lambda r: reply_to(r.query, dns.rcode.REFUSED, aa=False),
        lambda r: reply_to(r.query, dns.rcode.FORMERR, aa=False),
        lambda r: None,  # timeout
        lambda r: r.query.id.to_bytes(2, "big") + b"\x84\x00\x00\x01" + b"\xff" * 30,  # garbage
        lambda r: reply_to(r.query, aa=False),  # lame: no answer, no referral, no AA
    ],
    ids=["servfail", "refused", "formerr", "timeout", "garbage", "lame"],
)
def test_a_failing_server_is_skipped(bad: Handler) -> None:
    with Farm(world(**{NS1: bad})) as farm:
        result = response(make(farm).ask(Query(n("www.example.test."), A)))
    assert a_records(result) == ["192.0.2.1"]
    assert len(asked(farm, NS2)) == 1


def test_a_failed_server_is_retried_once_SEC_NET_06() -> None:
    inner = MiniAuth(*LEAF_ZONES)

    def flaky(request: Request) -> Reply:
        return servfail(request) if len(request.server.requests) == 1 else inner(request)

    with Farm(world(**{LEAF: flaky})) as farm:
        result = response(make(farm).ask(Query(n("www.example.test."), A)))
    assert a_records(result) == ["192.0.2.1"]
    assert len(asked(farm, LEAF)) == 2


def test_all_servers_failing_gives_a_reasoned_failure_SEC_NET_06() -> None:
    with Farm(world(**{NS1: servfail, NS2: servfail})) as farm:
        result = failure(make(farm).ask(Query(n("www.example.test."), A)), FailureKind.SERVFAIL)
    assert result.attempts == 4  # two servers, each retried once
    assert set(result.servers) == {f"{NS1}#{farm.port}", f"{NS2}#{farm.port}"}
    assert "at zone test." in result.detail and "rcode SERVFAIL" in result.detail
    assert len(asked(farm, NS1)) == len(asked(farm, NS2)) == 2


def test_silent_world_fails_in_bounded_time() -> None:
    silent: dict[str, Handler] = {address: (lambda r: None) for address in world()}
    started = time.monotonic()
    with Farm(silent) as farm:
        result = failure(make(farm).ask(Query(n("www.example.test."), A)), FailureKind.TIMEOUT)
    assert time.monotonic() - started < 2 * 0.3 + 1.0
    assert result.attempts == 2 and result.servers == (f"{ROOT}#{farm.port}",)


def test_truncated_answer_is_asked_over_tcp_SEC_NET_03() -> None:
    inner = MiniAuth(*LEAF_ZONES)

    def truncating(request: Request) -> Reply:
        if request.transport == "udp":
            reply = reply_to(request.query)
            reply.flags |= dns.flags.TC
            return reply
        return inner(request)

    with Farm(world(**{LEAF: truncating})) as farm:
        transport = make(farm)
        result = response(transport.ask(Query(n("www.example.test."), A)))
    assert a_records(result) == ["192.0.2.1"]
    assert [r.transport for r in farm[LEAF].requests] == ["udp", "tcp"]
    assert transport.queries_sent == 4


# -- lame delegations and loops ----------------------------------------------------------------


def test_upward_referral_is_lame() -> None:
    inner = MiniAuth(("test.", TEST_ZONE))

    def upward(request: Request) -> Reply:  # refers back to the root's servers
        reply = reply_to(request.query, aa=False)
        reply.authority.append(rrset("test. 3600 NS ns1.test."))
        reply.additional.append(rrset(f"ns1.test. 3600 A {NS1}"))
        return reply if request.qname.is_subdomain(n("example.test.")) else inner(request)

    with Farm(world(**{NS1: upward, NS2: upward})) as farm:
        result = failure(make(farm).ask(Query(n("www.example.test."), A)), FailureKind.LAME)
    assert "lame referral to test." in result.detail


def test_referral_back_up_the_tree_is_a_loop_that_fails() -> None:
    # example.test.'s server refers to test. again
    def back_to_root(request: Request) -> dns.message.Message:
        reply = reply_to(request.query, aa=False)
        reply.authority.append(rrset("test. 3600 NS ns1.test."))
        return reply

    with Farm(world(**{LEAF: back_to_root})) as farm:
        result = failure(make(farm).ask(Query(n("www.example.test."), A)), FailureKind.LAME)
    assert "lame referral" in result.detail
    assert len(asked(farm, LEAF)) == 2  # the single server, retried once


def test_sideways_referral_is_lame() -> None:
    inner = MiniAuth(("test.", TEST_ZONE))

    def sideways(request: Request) -> Reply:  # answers example.test. questions with insecure.test.
        if request.qname.is_subdomain(n("example.test.")):
            reply = reply_to(request.query, aa=False)
            reply.authority.append(rrset("insecure.test. 3600 NS ns.insecure.test."))
            return reply
        return inner(request)

    with Farm(world(**{NS1: sideways, NS2: sideways})) as farm:
        failure(make(farm).ask(Query(n("www.example.test."), A)), FailureKind.LAME)


def test_ns_dependency_loop_fails_quickly() -> None:
    loop_zone = f"""
test. 3600 SOA ns1.test. admin.test. 1 3600 600 86400 300
test. 3600 NS ns1.test.
ns1.test. 3600 A {NS1}
x.test. 3600 NS ns.y.test.
y.test. 3600 NS ns.x.test.
"""
    handler = MiniAuth(("test.", loop_zone))
    started = time.monotonic()
    with Farm(world(**{NS1: handler, NS2: handler})) as farm:
        result = make(farm).ask(Query(n("www.x.test."), A))
    assert isinstance(result, LookupFailure)
    assert "dependency loop" in result.detail
    assert time.monotonic() - started < 2.0


# -- limits (SEC-LIM-05): at the bound it works, one past it is a LIMIT failure ----------------


def chain_world(levels: int) -> tuple[dict[str, Handler], str]:
    """test. delegates l1.test. (served at 127.0.0.51), which delegates l2.l1.test. (at .52),
    and so on: each zone on its own server, so each level is one referral."""
    handlers = world()
    parent, parent_text = "test.", TEST_ZONE
    for level in range(1, levels + 1):
        child = f"l{level}.{parent}"
        cut = f"{child} 3600 NS ns.{child}\nns.{child} 3600 A 127.0.0.{50 + level}\n"
        if level == 1:
            handlers[NS1] = handlers[NS2] = MiniAuth((parent, parent_text + cut))
        else:
            handlers[f"127.0.0.{49 + level}"] = MiniAuth((parent, parent_text + cut))
        parent, parent_text = child, ""
    handlers[f"127.0.0.{50 + levels}"] = MiniAuth((parent, f"www.{parent} 300 A 192.0.2.9"))
    return handlers, f"www.{parent}"


def test_referral_limit_SEC_LIM_05() -> None:
    handlers, qname = chain_world(3)  # root → test. → l1 → l2 → l3: four referrals
    with Farm(handlers) as farm:
        response(make(farm, max_referrals=4).ask(Query(n(qname), A)))
        result = failure(make(farm, max_referrals=3).ask(Query(n(qname), A)), FailureKind.LIMIT)
    assert "more than 3 referrals" in result.detail
    assert result.limit is LimitKind.REFERRALS


def test_query_limit_SEC_LIM_05(farm: Farm) -> None:
    response(make(farm, max_queries=3).ask(Query(n("www.example.test."), A)))
    result = failure(
        make(farm, max_queries=2).ask(Query(n("www.example.test."), A)), FailureKind.LIMIT
    )
    assert "more than 2 queries" in result.detail and result.attempts == 2
    assert result.limit is LimitKind.EXCHANGES


def test_ns_resolution_depth_limit_SEC_LIM_05() -> None:
    # www.a.test.'s server is ns.b.test., whose server is ns.c.test. (glue in test.)
    zone = f"""
test. 3600 SOA ns1.test. admin.test. 1 3600 600 86400 300
test. 3600 NS ns1.test.
ns1.test. 3600 A {NS1}
a.test. 3600 NS ns.b.test.
b.test. 3600 NS ns.c.test.
c.test. 3600 NS ns.c.test.
ns.c.test. 3600 A {LEAF}
"""
    leaf = MiniAuth(
        ("c.test.", "ns.c.test. 300 A 127.0.0.43"),
        ("b.test.", "ns.b.test. 300 A 127.0.0.43"),
        ("a.test.", "www.a.test. 300 A 192.0.2.7"),
    )
    handlers = world(**{NS1: MiniAuth(("test.", zone)), NS2: MiniAuth(("test.", zone))})
    handlers[LEAF] = leaf
    with Farm(handlers) as farm:
        response(make(farm, max_ns_depth=1).ask(Query(n("www.a.test."), A)))
        result = failure(
            make(farm, max_ns_depth=0).ask(Query(n("www.a.test."), A)), FailureKind.LIMIT
        )
    assert "nested deeper than 0" in result.detail
    assert result.limit is LimitKind.NS_DEPTH


@pytest.mark.parametrize("bound", [2, 3])
def test_addresses_per_zone_bound_SEC_LIM_05(monkeypatch: pytest.MonkeyPatch, bound: int) -> None:
    monkeypatch.setattr(limits, "MAX_ADDRESSES_PER_ZONE", bound)
    three = ROOT_ZONE + "test. 3600 NS ns3.test.\nns3.test. 3600 A 127.0.0.46\n"
    override: dict[str, Handler] = {ROOT: MiniAuth((".", three)), NS1: servfail, NS2: servfail,
                                    "127.0.0.46": servfail}
    with Farm(world(**override)) as farm:
        result = failure(make(farm).ask(Query(n("www.example.test."), A)), FailureKind.SERVFAIL)
    assert len(result.servers) == bound
    assert ("1 address(es) or NS name(s) not tried" in result.detail) is (bound == 2)


def test_glueless_ns_names_resolved_per_zone_bound_NXNSAttack() -> None:
    names = "".join(f"test. 3600 NS ns{i}.nowhere.example.\n" for i in range(6))
    zone = ROOT_ZONE.replace("test. 3600 NS ns1.test.\ntest. 3600 NS ns2.test.\n", names)
    with Farm(world(**{ROOT: MiniAuth((".", zone))})) as farm:
        result = failure(make(farm).ask(Query(n("www.example.test."), A)), FailureKind.LAME)
    lookups = [q for q in asked(farm, ELSEWHERE) if "nowhere" in q[0]]
    assert len(lookups) == limits.MAX_NS_NAMES_RESOLVED_PER_ZONE == 4
    assert "2 glueless NS name(s) not looked up" in result.detail


def test_wall_clock_limit_SEC_LIM_05() -> None:
    with Farm(world(**{ROOT: lambda r: None})) as farm:
        started = time.monotonic()
        result = failure(
            make(farm, udp_timeout=5.0, ask_seconds=0.5).ask(Query(n("www.example.test."), A)),
            FailureKind.LIMIT,
        )
    assert "wall-clock" in result.detail
    assert result.limit is LimitKind.WALL_CLOCK
    assert time.monotonic() - started < 1.5


def test_default_bounds_are_the_named_constants() -> None:
    transport = IterativeTransport()
    assert transport.root_hints.servers == builtin_root_hints().servers
    assert transport.port == 53
    assert (transport.udp_timeout, transport.tcp_timeout) == (
        limits.UDP_TIMEOUT_SECONDS,
        limits.TCP_TIMEOUT_SECONDS,
    )
    assert transport.attempts == limits.ATTEMPTS_PER_SERVER >= 2
    assert transport.max_queries == limits.MAX_QUERIES_PER_ASK
    assert transport.max_referrals == limits.MAX_REFERRALS
    assert transport.max_ns_depth == limits.MAX_NS_RESOLUTION_DEPTH
    assert transport.ask_seconds == limits.ASK_WALL_CLOCK_SECONDS
    assert transport.ask_seconds < limits.RESOLUTION_WALL_CLOCK_SECONDS
    assert not transport.qname_minimisation and not transport.use_0x20


# -- QNAME minimisation (RFC 9156), off by default -----------------------------------------------


def test_qname_minimisation_sends_one_more_label_at_a_time(farm: Farm) -> None:
    result = response(make(farm, qname_minimisation=True).ask(Query(n("deep.b.example.test."), A)))
    assert a_records(result) == ["192.0.2.2"]
    assert asked(farm, ROOT) == [("test.", "A")]
    assert asked(farm, NS1) + asked(farm, NS2) == [("example.test.", "A")]
    assert asked(farm, LEAF) == [("b.example.test.", "A"), ("deep.b.example.test.", "A")]


def test_qname_minimisation_nxdomain_asks_the_full_question(farm: Farm) -> None:
    transport = make(farm, qname_minimisation=True)
    result = response(transport.ask(Query(n("x.nothere.example.test."), DS)))
    assert result.rcode == dns.rcode.NXDOMAIN
    assert result.qname == n("x.nothere.example.test.") and result.qtype == DS
    assert asked(farm, LEAF) == [("nothere.example.test.", "A"), ("x.nothere.example.test.", "DS")]


def test_qname_minimisation_for_ds_stops_at_the_parent(farm: Farm) -> None:
    result = response(make(farm, qname_minimisation=True).ask(Query(n("example.test."), DS)))
    assert [s.rdtype for s in result.answer] == [DS]
    assert asked(farm, NS1) + asked(farm, NS2) == [("example.test.", "DS")]


def test_next_name() -> None:
    qname = n("a.b.c.example.")
    assert iterative_module._next_name(n("example."), None, qname) == n("c.example.")
    assert iterative_module._next_name(n("example."), n("c.example."), qname) == n("b.c.example.")
    assert iterative_module._next_name(n("example."), n("b.c.example."), qname) is None
    assert iterative_module._next_name(n("b.c.example."), None, qname) is None


# -- robustness ---------------------------------------------------------------------------------


def test_ipv6_only() -> None:
    everything = MiniAuth((".", ROOT_ZONE), ("test.", TEST_ZONE), *LEAF_ZONES)
    hints = RootHints(((n("ns.root.lab."), ("::1", "127.0.0.1")),), "v6")
    with Farm({"::1": everything}) as farm:
        transport = IterativeTransport(hints, port=farm.port, ipv4=False, udp_timeout=0.3)
        result = response(transport.ask(Query(n("www.example.test."), A)))
    assert result.server == f"::1#{farm.port}"


def test_no_exception_escapes_ask(farm: Farm, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(iterative_module, "exchange", boom)
    result = make(farm).ask(Query(n("www.example.test."), A))
    assert isinstance(result, LookupFailure) and "internal transport error" in result.detail


def test_bad_parameters() -> None:
    with pytest.raises(ValueError):
        IterativeTransport(HINTS, attempts=0)
    with pytest.raises(ValueError):
        IterativeTransport(HINTS, ipv4=False, ipv6=False)
    with pytest.raises(ValueError):
        IterativeTransport(HINTS, port=0)
