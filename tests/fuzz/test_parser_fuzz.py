"""Hypothesis properties over the wire parser boundary and canonical form (issue 8).

Hostile octets only ever raise :class:`WireError` (SEC-PARSE-01), never anything else, and
canonical RDATA is idempotent.  Bounded example counts; see test_engine_fuzz.py for the
long-run profile.
"""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnssec_core.dnssec.records import DNSKEY, DS, RRSIG
from dnssec_core.wire.canonical import canonical_rdata
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.message import from_wire
from tests.support.fuzzprofile import PROFILE

FAST_EXAMPLES = settings(PROFILE, max_examples=max(PROFILE.max_examples, 1000))

# a syntactically valid response header + question for www.secure.test. A, to prefix noise
HEADER = bytes.fromhex("123484000001000000000000037777770673656375726504746573740000010001")


@FAST_EXAMPLES
@given(data=st.binary(max_size=512))
def test_random_messages_raise_only_wire_error(data: bytes) -> None:
    for wire in (data, HEADER + data):
        with contextlib.suppress(WireError):
            from_wire(wire)


@FAST_EXAMPLES
@given(rdata=st.binary(max_size=300))
@pytest.mark.parametrize("record", [RRSIG, DNSKEY, DS])
def test_random_rdata_raises_only_wire_error(
    record: type[RRSIG | DNSKEY | DS], rdata: bytes
) -> None:
    with contextlib.suppress(WireError):
        record.from_wire(rdata)


@FAST_EXAMPLES
@given(
    rdtype=st.sampled_from([1, 2, 5, 6, 12, 15, 33, 39, 43, 46, 47, 48, 50, 257]),
    rdata=st.binary(max_size=200),
)
def test_canonical_rdata_is_idempotent_or_wire_error(rdtype: int, rdata: bytes) -> None:
    try:
        once = canonical_rdata(rdtype, rdata)
    except WireError:
        return
    assert canonical_rdata(rdtype, once) == once
