"""CAA RDATA and property values: RFC 8659 §4.1-4.4, RFC 8657 §3-4, RFC 9495 §3."""

from __future__ import annotations

import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest

from dnssec_core.caa.records import (
    CaaRecord,
    IssuerValue,
    Parameter,
    ParameterCheck,
    check_parameters,
    escape_text,
    parse_caa_rdata,
    parse_iodef,
    parse_issuer_value,
)


def wire(text: str) -> bytes:
    """RDATA of a CAA record in presentation form, encoded by dnspython (not by us)."""
    rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.CAA, text)
    out = rdata.to_wire()
    assert out is not None
    return out


def record(text: str) -> CaaRecord:
    return parse_caa_rdata(wire(text))


# -- RDATA (CAA-SYN-01..05) --------------------------------------------------------------------


@pytest.mark.parametrize(("text", "flags", "tag", "value"), [
    ('0 issue "ca.example.net"', 0, "issue", b"ca.example.net"),          # RFC 8659 §4.2
    ('0 iodef "mailto:security@example.com"', 0, "iodef", b"mailto:security@example.com"),
    ('128 tbs "Unknown"', 128, "tbs", b"Unknown"),                        # RFC 8659 §4.1
    ('0 issue ";"', 0, "issue", b";"),
    ('0 ISSUE "caatestsuite.com"', 0, "ISSUE", b"caatestsuite.com"),       # caatestsuite
    ('130 caatestsuitedummyproperty "test"', 130, "caatestsuitedummyproperty", b"test"),
])
def test_rdata_round_trip_CAA_SYN_01_05(text: str, flags: int, tag: str, value: bytes) -> None:
    parsed = record(text)
    assert (parsed.flags, parsed.tag, parsed.value, parsed.malformed) == (flags, tag, value, "")
    assert parsed.presentation() == text
    assert parse_caa_rdata(wire(parsed.presentation())) == parsed


def test_critical_bit_is_bit_0_others_ignored_CAA_SYN_03() -> None:
    assert record('128 tbs "x"').critical
    assert record('130 tbs "x"').critical  # caatestsuite critical2: reserved bit 1 also set
    assert not record('1 tbs "x"').critical
    assert not record('127 tbs "x"').critical


def test_tags_compare_case_insensitively_CAA_TAG_02() -> None:
    for text in ('0 issue "a"', '0 ISSUE "a"', '0 IsSuE "a"'):
        assert record(text).tag_key == "issue" and record(text).known


@pytest.mark.parametrize(("rdata", "why"), [
    (b"", "RDATA of 0 octets"),
    (b"\x00", "RDATA of 1 octets"),
    (b"\x00\x00issue", "tag length 0"),
    (b"\x00\x09iss", "runs past the RDATA"),
    (b"\x00\x05is-ueca", "letters/digits"),
    (b"\x00\x05iss\x00eca", "letters/digits"),
])
def test_malformed_rdata_is_an_unknown_property_CAA_SYN_01_02(rdata: bytes, why: str) -> None:
    parsed = parse_caa_rdata(rdata)
    assert why in parsed.malformed
    assert parsed.tag_key == "" and not parsed.known


def test_rdata_too_short_to_read_flags_is_critical() -> None:
    """Unreadable flags: treated as critical so that it can only forbid (fail closed)."""
    assert parse_caa_rdata(b"").critical and parse_caa_rdata(b"\x00").critical


def test_long_tag_is_well_formed_but_unknown() -> None:
    parsed = parse_caa_rdata(b"\x80\x20" + b"a" * 32 + b"v")
    assert parsed.malformed == "" and not parsed.known and parsed.critical


def test_value_escaping_removes_control_characters_CAA_SYN_05() -> None:
    assert escape_text(b'a"b\\c') == 'a\\"b\\\\c'
    assert escape_text(b"ca\x00\x07\x0a\x1b[31m\x7f\xff") == "ca\\000\\007\\010\\027[31m\\127\\255"
    parsed = parse_caa_rdata(b"\x00\x05issueca\x0aexample")
    assert parsed.as_json() == {"flags": 0, "tag": "issue", "value": "ca\\010example"}
    assert "\n" not in parsed.presentation()


# -- issue / issuewild / issuemail values (RFC 8659 §4.2, RFC 9495 §3) ---------------------------


@pytest.mark.parametrize(("value", "expected"), [
    (b"ca.example.net", IssuerValue("ca.example.net")),
    (b";", IssuerValue("")),                                  # RFC 8659 §4.2 nocerts example
    (b"", IssuerValue("")),
    (b"  ;  ", IssuerValue("")),
    (b"CA.Example.NET", IssuerValue("ca.example.net")),       # compared case-insensitively
    (b"ca.example.net; account=230123",                       # RFC 8659 §4.2 parameters
     IssuerValue("ca.example.net", (Parameter("account", "230123"),))),
    (b"ca.example.net;", IssuerValue("ca.example.net")),
    (b" ca.example.net ; a = b ; c-d=e ", IssuerValue(
        "ca.example.net", (Parameter("a", "b"), Parameter("c-d", "e")))),
    (b"ca.example.net;\ta=", IssuerValue("ca.example.net", (Parameter("a", ""),))),
    (b"example.net; accounturi=https://example.net/account/1234",          # RFC 8657 §5
     IssuerValue("example.net", (Parameter("accounturi", "https://example.net/account/1234"),))),
    (b"example.net; validationmethods=dns-01,xyz-01",                      # RFC 8657 §5
     IssuerValue("example.net", (Parameter("validationmethods", "dns-01,xyz-01"),))),
])
def test_issuer_value_grammar_CAA_ISS_01_02(value: bytes, expected: IssuerValue) -> None:
    assert parse_issuer_value(value) == expected


@pytest.mark.parametrize("value", [
    b"ca.example.net foo",                         # junk after the issuer
    b"<script>alert('Wheeeeee')</script>",         # caatestsuite xss
    b"ca.example.net.",                            # trailing dot: not in the grammar
    b"ca..example",
    b"-ca.example",
    b"ca_1.example",
    b"ca.example; a=b;",                           # ';' must be followed by a parameter
    b"ca.example; =b",
    b"ca.example; a",
    b"ca.example; a b=c",
    b"ca.example; a=b c=d",                        # parameters are separated by ';'
    b"ca.example\x00",
    b"ca.example\x0a",
    b"ca.\xc3\xa9xample",                          # non-ASCII (a U-label is not LDH)
])
def test_malformed_issuer_value_authorises_nobody_CAA_ISS_04(value: bytes) -> None:
    parsed = parse_issuer_value(value)
    assert parsed.malformed != ""
    assert not parsed.authorizes_someone and parsed.issuer_domain == ""


# -- RFC 8657 parameters (CAA-PAR-01..04) ----------------------------------------------------------


def params(value: bytes, account: str | None = None, method: str | None = None) -> ParameterCheck:
    return check_parameters(parse_issuer_value(value), account_uri=account,
                            validation_method=method).check


ACCT = b"example.net; accounturi=https://example.net/account/1234"


def test_accounturi_CAA_PAR_01() -> None:
    assert params(ACCT, "https://example.net/account/1234") is ParameterCheck.SATISFIED
    assert params(ACCT, "https://example.net/account/2345") is ParameterCheck.ACCOUNT_URI
    assert params(ACCT, "HTTPS://example.net/account/1234") is ParameterCheck.ACCOUNT_URI
    assert params(ACCT, None) is ParameterCheck.ACCOUNT_URI  # no account: unsatisfiable
    assert params(b"example.net", None) is ParameterCheck.SATISFIED  # matches any account


def test_accounturi_several_or_not_a_uri_is_unsatisfiable_RFC_8657_3() -> None:
    two = ACCT + b"; accounturi=https://example.net/account/1234"
    assert params(two, "https://example.net/account/1234") is ParameterCheck.ACCOUNT_URI
    assert params(b"example.net; accounturi=1234", "1234") is ParameterCheck.ACCOUNT_URI


def test_parameter_names_case_insensitive_CAA_PAR_04() -> None:
    value = b"example.net; AccountURI=https://example.net/account/1234"
    assert params(value, "https://example.net/account/2345") is ParameterCheck.ACCOUNT_URI


def test_validationmethods_CAA_PAR_02() -> None:
    value = b"example.net; validationmethods=dns-01,xyz-01"
    assert params(value, method="dns-01") is ParameterCheck.SATISFIED
    assert params(value, method="xyz-01") is ParameterCheck.SATISFIED
    assert params(value, method="http-01") is ParameterCheck.VALIDATION_METHOD
    assert params(value, method=None) is ParameterCheck.VALIDATION_METHOD
    assert params(b"example.net; validationmethods=dns-01,,x", method="dns-01") \
        is ParameterCheck.VALIDATION_METHOD
    twice = b"example.net; validationmethods=dns-01; validationmethods=http-01"
    assert params(twice, method="dns-01") is ParameterCheck.VALIDATION_METHOD


def test_both_parameters_must_hold_RFC_8657_5() -> None:
    value = b"example.net; accounturi=https://example.net/account/1234; validationmethods=dns-01"
    assert params(value, "https://example.net/account/1234", "dns-01") is ParameterCheck.SATISFIED
    assert params(value, "https://example.net/account/1234", "http-01") \
        is ParameterCheck.VALIDATION_METHOD
    assert params(value, "https://example.net/account/2345", "dns-01") is ParameterCheck.ACCOUNT_URI


def test_unknown_parameters_ignored_and_reported_CAA_ISS_08() -> None:
    outcome = check_parameters(parse_issuer_value(b"ca.example; account=230123; x=y"),
                               account_uri=None, validation_method=None)
    assert outcome.satisfied and outcome.ignored == ("account", "x")


# -- iodef (CAA-IODEF-01) ----------------------------------------------------------------------


def test_iodef_CAA_IODEF_01() -> None:
    """Proves BR-CAA-02 (requirement trace)."""
    assert parse_iodef(b"mailto:security@example.com").supported
    assert parse_iodef(b"https://iodef.example.com/").supported
    assert not parse_iodef(b"ftp://iodef.example.com/").supported
    bad = parse_iodef(b"https://x\x0a.example/")
    assert not bad.supported and "\n" not in bad.url


def test_ten_thousand_records_parse_linearly() -> None:
    rdatas = [wire(f'0 t{i} "test"') for i in range(10_000)] + [wire('0 issue "ca.example"')]
    parsed = [parse_caa_rdata(r) for r in rdatas]
    assert len(parsed) == 10_001 and parsed[-1].tag_key == "issue"
