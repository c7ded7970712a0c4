"""Our query octets equal dnspython's encoding of the same query (issue 7 item 6; SEC-NET-01,
-04, -05, -07): many names (0x20 case, odd octets, long names), types, RD on and off, with
and without EDNS; the ID is the sender's, fresh per attempt."""

from __future__ import annotations

import random
from typing import TypedDict

import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import pytest

from dnssec_core import limits
from dnssec_core.transport.query_wire import (
    OutgoingQuery,
    build_query,
    name_wire,
)
from dnssec_core.transport.wire_io import make_query

CASES = 600


def random_name(rng: random.Random) -> dns.name.Name:
    """A name of 0 to 8 labels: letters in both cases, digits, hyphens, sometimes any octet
    (dots, zero, 0xff), sometimes labels of 63 octets up to the 255-octet limit."""
    labels: list[bytes] = []
    size = 1
    for _ in range(rng.randrange(0, 9)):
        if rng.random() < 0.1:
            label = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
        elif rng.random() < 0.1:
            label = b"x" * 63
        else:
            alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_*"
            label = bytes(rng.choice(alphabet) for _ in range(rng.randrange(1, 20)))
        if size + len(label) + 1 > 255:
            break
        labels.append(label)
        size += len(label) + 1
    return dns.name.Name([*labels, b""])


def dnspython_wire(name: dns.name.Name, rdtype: int, rd: bool, edns: bool, ident: int) -> bytes:
    """What wire_io sent before: dnspython's message builder with our flags."""
    message = dns.message.make_query(
        name, dns.rdatatype.RdataType.make(rdtype), want_dnssec=True,
        payload=limits.EDNS_UDP_PAYLOAD,
    )
    message.flags = dns.flags.CD | (dns.flags.RD if rd else 0)
    if not edns:
        message.use_edns(False)
    message.id = ident
    return message.to_wire()


def test_our_octets_are_dnspythons_for_many_queries_SEC_NET_04_05() -> None:
    rng = random.Random(20261129)
    common = [1, 2, 5, 6, 15, 16, 28, 33, 39, 43, 46, 47, 48, 50, 52, 64, 65, 255, 257]
    compared = set()
    for case in range(CASES):
        name = random_name(rng)
        rdtype = rng.choice(common) if case % 2 else rng.randrange(0, 65536)
        rd = rng.random() < 0.5
        ident = rng.randrange(65536)
        query = build_query(name, rdtype, recursion_desired=rd)
        query.id = ident
        assert query.to_wire() == dnspython_wire(name, rdtype, rd, True, ident), (name, rdtype)
        plain = query.without_edns()
        plain.id = ident
        assert plain.to_wire() == dnspython_wire(name, rdtype, rd, False, ident), (name, rdtype)
        compared.add((len(name), rdtype in common, rd))
    assert len(compared) >= 30  # the cases really varied: lengths, kinds of type, RD


def test_0x20_names_are_sent_in_the_case_chosen_SEC_NET_07() -> None:
    rng = random.Random(7)
    for _ in range(200):
        name = random_name(rng)
        query = make_query(name, 1, recursion_desired=False, randomize_case=rng)
        assert query.name == name  # the same name, case aside
        query.id = 4660
        assert query.to_wire() == dnspython_wire(query.name, 1, False, True, 4660)
        assert name_wire(query.name).lower() == name_wire(name).lower()


def test_only_the_id_changes_between_attempts_SEC_NET_01() -> None:
    query = make_query(dns.name.from_text("www.example.test."), 1, recursion_desired=False)
    query.id = 0x0102
    first = query.to_wire()
    query.id = 0xFEDC
    second = query.to_wire()
    assert first[:2] == b"\x01\x02" and second[:2] == b"\xfe\xdc"
    assert first[2:] == second[2:]
    parsed = dns.message.from_wire(second)
    assert parsed.id == 0xFEDC
    assert parsed.flags & dns.flags.CD and not parsed.flags & dns.flags.RD
    assert parsed.ednsflags & dns.flags.DO and parsed.payload == limits.EDNS_UDP_PAYLOAD


def test_without_edns_keeps_question_flags_and_case_RFC6891_6_2_2() -> None:
    name = dns.name.from_text("WwW.ExAmPlE.TeSt.")
    query = make_query(name, 28, recursion_desired=True)
    plain = query.without_edns()
    assert (plain.name.labels, plain.rdtype, plain.flags, plain.edns) == (
        name.labels, 28, query.flags, -1)
    plain.id = 9
    parsed = dns.message.from_wire(plain.to_wire())
    assert parsed.edns < 0 and parsed.question[0].name.labels == name.labels


class QueryFields(TypedDict, total=False):
    """:class:`OutgoingQuery`'s fields a test sets (values may be out of range)."""

    name: dns.name.Name
    rdtype: int
    flags: int
    edns: int
    payload: int


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rdtype": 65536}, "16-bit"),
        ({"rdtype": -1}, "16-bit"),
        ({"flags": 1 << 16}, "16-bit"),
        ({"edns": 1}, "edns is 0"),
        ({"payload": 100}, "payload"),
        ({"name": dns.name.Name([b"www"])}, "not an absolute name"),
    ],
)
def test_out_of_range_fields_are_refused(fields: QueryFields, message: str) -> None:
    args: QueryFields = {"name": dns.name.root, "rdtype": 1, "flags": 0}
    args.update(fields)
    with pytest.raises(ValueError, match=message):
        OutgoingQuery(**args)
