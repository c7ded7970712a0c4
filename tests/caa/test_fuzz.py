"""Hypothesis properties for the CAA input boundary: hostile RDATA, values and request names
give a reasoned result, never an exception other than DomainError, and never a permission the
records do not grant.  Derandomised and bounded (as tests/fuzz); HYPOTHESIS_PROFILE=fuzz-long
explores further."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnssec_core.caa.decision import Decision, decide_records
from dnssec_core.caa.domain import DomainError, DomainKind, parse_domain
from dnssec_core.caa.records import (
    check_parameters,
    escape_text,
    parse_caa_rdata,
    parse_iodef,
    parse_issuer_value,
)

settings.register_profile("caa-ci", derandomize=True, max_examples=500, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz-long", max_examples=20000, deadline=None,
                          suppress_health_check=list(HealthCheck))
PROFILE = settings.get_profile(
    "fuzz-long" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz-long" else "caa-ci")

VALUE_BYTES = st.one_of(
    st.binary(max_size=80),
    st.text(alphabet="ab.-;= \t\x00\x7f;0123456789ABCxn", max_size=60).map(str.encode),
)


@settings(PROFILE)
@given(rdata=st.binary(max_size=300))
def test_rdata_never_raises(rdata: bytes) -> None:
    record = parse_caa_rdata(rdata)
    text = record.presentation()
    assert text.isprintable() and "\n" not in text
    assert record.as_json()["value"].isprintable()


@settings(PROFILE)
@given(value=VALUE_BYTES, account=st.none() | st.text(max_size=20),
       method=st.none() | st.text(max_size=10))
def test_issuer_value_never_raises(value: bytes, account: str | None, method: str | None) -> None:
    parsed = parse_issuer_value(value)
    if parsed.malformed:
        assert parsed.issuer_domain == "" and not parsed.authorizes_someone
    else:
        assert all(0x20 <= b < 0x7F or b == 9 for b in value)
    check_parameters(parsed, account_uri=account, validation_method=method)
    parse_iodef(value)
    assert "\n" not in escape_text(value)


@settings(PROFILE)
@given(values=st.lists(VALUE_BYTES, max_size=6), flags=st.lists(st.integers(0, 255), max_size=6),
       tags=st.lists(st.sampled_from(["issue", "ISSUE", "issuewild", "issuemail", "iodef",
                                      "tbs", "x-y"]), max_size=6),
       kind=st.sampled_from(list(DomainKind)))
def test_decision_only_permits_what_a_record_grants(values: list[bytes], flags: list[int],
                                                    tags: list[str], kind: DomainKind) -> None:
    records = [parse_caa_rdata(bytes((f, len(t))) + t.encode() + v)
               for f, t, v in zip(flags, tags, values, strict=False)]
    outcome = decide_records(records, kind, {"ca.example"})
    if not records:
        return
    if any(r.critical and not r.known for r in records):
        assert outcome.decision is Decision.DENIED
    if outcome.decision is Decision.PERMITTED and outcome.reason.value == "issuer-authorized":
        assert any(parse_issuer_value(r.value).issuer_domain == "ca.example" for r in records)


@settings(PROFILE)
@given(text=st.text(max_size=300), email=st.booleans())
def test_domain_parse_only_raises_domain_error(text: str, email: bool) -> None:
    try:
        domain = parse_domain(text, email=email)
    except DomainError as exc:
        assert "\n" not in str(exc) or "\n" in text
        return
    assert len(domain.name.to_text()) <= 254 and domain.text.isascii()
    assert all(c.isalnum() or c in "-.*" for c in domain.text)
