"""Hypothesis properties: the engine fed random and mutated responses (issue 8, fuzzing).

Properties: no exception escapes (an internal error would surface as INTERNAL_ERROR, which is
also asserted absent), a mutated signed answer is never ``secure`` unless the mutation left
the signed data unchanged, and every resolution stays within the query budget.

Example counts are bounded for CI (each test well under 20 s).  A longer run:
``HYPOTHESIS_PROFILE=fuzz-long python -m pytest -q tests/fuzz`` (profile registered below).
"""

from __future__ import annotations

import dns.message
import dns.name
import dns.rdatatype
import dns.rrset
from hypothesis import given
from hypothesis import strategies as st

from dnssec_core import limits
from dnssec_core.auth.lab import Tamper
from dnssec_core.chain.engine import Result
from dnssec_core.chain.types import LookupFailure, Query
from dnssec_core.crypto import get_backend
from dnssec_core.verdict import Reason, Status
from tests.chain.lab import ask, lab
from tests.support.fuzzprofile import PROFILE

FAST = get_backend("fast")
QNAME = "www.secure.test."
WANTED = (dns.name.from_text(QNAME), dns.rdatatype.A)


def _answer_texts(result: Result) -> list[tuple[str, int, bytes]]:
    """The validated answer data, case-folded owner (RFC 4034 §6.2 canonical form)."""
    return sorted(
        (signed.rrset.owner.to_text().lower(), signed.rrset.rdtype, rdata)
        for signed in result.answer
        for rdata in signed.rrset.rdatas
    )


def _baseline() -> list[tuple[str, int, bytes]]:
    result = ask(QNAME, "A", FAST)
    assert result.status is Status.SECURE
    return _answer_texts(result)


def _check(result: Result) -> None:
    assert result.verdict.reason is not Reason.INTERNAL_ERROR, result.verdict.detail
    assert result.queries <= limits.MAX_QUERIES_PER_RESOLUTION


@PROFILE
@given(
    flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 255)), min_size=1, max_size=4)
)
def test_flipped_wire_bytes_never_forge_secure(flips: list[tuple[int, int]]) -> None:
    """Byte flips in the signed answer: the engine fails closed or the signed data is intact."""

    def tamper(query: Query, wire: bytes) -> bytes | LookupFailure:
        if (query.name, query.rdtype) != WANTED:
            return wire
        data = bytearray(wire)
        for offset, mask in flips:
            data[offset % len(data)] ^= mask
        return bytes(data)

    result = ask(QNAME, "A", FAST, transport=lab(tamper))
    _check(result)
    if result.status is Status.SECURE:
        assert _answer_texts(result) == BASELINE


@PROFILE
@given(address=st.binary(min_size=4, max_size=4))
def test_forged_rdata_is_never_secure(address: bytes) -> None:
    forged_text = ".".join(str(b) for b in address)

    def tamper(query: Query, wire: bytes) -> bytes | LookupFailure:
        if (query.name, query.rdtype) != WANTED:
            return wire
        message = dns.message.from_wire(wire)
        for index, rrset in enumerate(message.answer):
            if rrset.rdtype == dns.rdatatype.A:
                message.answer[index] = dns.rrset.from_text(
                    rrset.name, rrset.ttl, "IN", "A", forged_text
                )
        return message.to_wire(max_size=65535)

    result = ask(QNAME, "A", FAST, transport=lab(tamper))
    _check(result)
    if [(QNAME, 1, address)] != BASELINE:
        assert result.status is not Status.SECURE


@PROFILE
@given(
    noise=st.binary(max_size=600),
    target=st.sampled_from(
        [(QNAME, "A"), ("secure.test.", "DNSKEY"), ("secure.test.", "DS"), (".", "DNSKEY")]
    ),
)
def test_random_response_fails_closed(noise: bytes, target: tuple[str, str]) -> None:
    wanted = (dns.name.from_text(target[0]), dns.rdatatype.from_text(target[1]))

    def tamper(query: Query, wire: bytes) -> bytes | LookupFailure:
        if (query.name, query.rdtype) != wanted:
            return wire
        return wire[:12] + noise  # keep the header (ID, flags) so the noise reaches the parser

    result = ask(QNAME, "A", FAST, transport=lab(tamper))
    _check(result)
    assert (
        result.status is not Status.SECURE
        or wanted not in {(dns.name.from_text(QNAME), dns.rdatatype.A)}
        or _answer_texts(result) == BASELINE
    )


BASELINE = _baseline()


DENIALS = [
    ("nope.secure.test.", "A"),  # NSEC name error
    ("secure.test.", "TXT"),  # NSEC nodata
    ("nope.hashed.test.", "A"),  # NSEC3 name error
    ("a.b.nope.hashed.test.", "AAAA"),  # NSEC3 name error, closest encloser two labels up
    ("hashed.test.", "TXT"),  # NSEC3 nodata
]


def _outcome(name: str, rdtype: str, tamper: Tamper | None = None
             ) -> tuple[Result, tuple[int, list[tuple[str, int, bytes]]]]:
    result = ask(name, rdtype, FAST, transport=lab(tamper) if tamper else None)
    return result, (result.rcode, _answer_texts(result))


DENIAL_BASELINES = {case: _outcome(*case)[1] for case in DENIALS}


@PROFILE
@given(
    case=st.sampled_from(DENIALS),
    flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 255)), min_size=1, max_size=3),
)
def test_flipped_denials_never_forge_secure(
    case: tuple[str, str], flips: list[tuple[int, int]]
) -> None:
    """NSEC/NSEC3 proofs with flipped bytes (rcode, owners, bitmaps, hashes, signatures):
    secure only if the proven outcome (rcode and answer) is the original one."""
    wanted = (dns.name.from_text(case[0]), dns.rdatatype.from_text(case[1]))

    def tamper(query: Query, wire: bytes) -> bytes | LookupFailure:
        if (query.name, query.rdtype) != wanted:
            return wire
        data = bytearray(wire)
        for offset, mask in flips:
            data[offset % len(data)] ^= mask
        return bytes(data)

    result, outcome = _outcome(*case, tamper)
    _check(result)
    if result.status is Status.SECURE:
        assert outcome == DENIAL_BASELINES[case]
