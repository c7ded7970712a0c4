"""Request names: bad input gets a reason, never a crash (issue 6, "Bad input")."""

from __future__ import annotations

import pytest

from dnssec_core.caa.domain import DomainError, DomainKind, parse_domain


@pytest.mark.parametrize(("given", "text", "search", "kind"), [
    ("example.com", "example.com", "example.com.", DomainKind.DNS),
    ("Example.COM.", "example.com", "example.com.", DomainKind.DNS),
    ("  www.example.com\n".rstrip("\n"), "www.example.com", "www.example.com.", DomainKind.DNS),
    ("*.example.com", "*.example.com", "example.com.", DomainKind.WILDCARD),  # CAA-TREE-02
    ("com", "com", "com.", DomainKind.DNS),
    ("xn--bcher-kva.example", "xn--bcher-kva.example", "xn--bcher-kva.example.", DomainKind.DNS),
    ("bücher.example", "xn--bcher-kva.example", "xn--bcher-kva.example.", DomainKind.DNS),
    ("BÜCHER.example", "xn--bcher-kva.example", "xn--bcher-kva.example.", DomainKind.DNS),
    ("*.münchen.de", "*.xn--mnchen-3ya.de", "xn--mnchen-3ya.de.", DomainKind.WILDCARD),
    ("straße.de", "xn--strae-oqa.de", "xn--strae-oqa.de.", DomainKind.DNS),  # IDNA2008, not 2003
    ("a-b.example", "a-b.example", "a-b.example.", DomainKind.DNS),
    ("1a.example", "1a.example", "1a.example.", DomainKind.DNS),
])
def test_accepted(given: str, text: str, search: str, kind: DomainKind) -> None:
    domain = parse_domain(given)
    assert (domain.text, domain.name.to_text(), domain.kind, domain.given) == (
        text, search, kind, given)


@pytest.mark.parametrize(("given", "text"), [
    ("alice@example.com", "example.com"),
    ("Alice@Bücher.Example", "xn--bcher-kva.example"),
    ("a@b@example.com", "example.com"),           # the domain is after the last @
    ("example.com", "example.com"),               # a bare domain is accepted too
])
def test_mailbox_domain_BR_SMIME_01(given: str, text: str) -> None:
    domain = parse_domain(given, email=True)
    assert domain.kind is DomainKind.EMAIL and domain.text == text


LONG_LABEL = "a" * 64
LABEL63 = "a" * 63


@pytest.mark.parametrize(("given", "why"), [
    ("", "empty"),
    ("   ", "empty"),
    (".", "root"),
    ("a..example", "empty label"),
    (".example", "empty label"),
    ("-a.example", "letter-digit-hyphen"),
    ("a-.example", "letter-digit-hyphen"),
    ("a_b.example", "letter-digit-hyphen"),
    ("a b.example", "white space"),
    ("a\\.b.example", "backslash"),
    ("a\x00.example", "control character U+0000"),
    ("a\x1b[31m.example", "control character U+001B"),
    ("a\x7f.example", "control character U+007F"),
    ("exa\nmple.com", "control character U+000A"),
    (f"{LONG_LABEL}.example", "over 63"),
    (".".join([LABEL63] * 4), "over 253"),                  # 255 characters
    (".".join([LABEL63] * 3 + ["a" * 62]), "over 253"),      # 254 characters
    ("*.*.example", "'*'"),
    ("a.*.example", "'*'"),
    ("*", "'*'"),
    ("*.", "root"),
    ("*example.com", "letter-digit-hyphen"),
    ("ab--cd.example", "Reserved LDH"),
    ("xn--zz.example", "not a valid A-label"),
    ("xn--bcher-KVA.example".lower().replace("kva", "kv4"), "A-label"),
    ("192.0.2.1", "IP address"),
    ("2001:db8::1", "IP address"),
    ("example.123", "all-numeric"),
    ("\u200d.example", "not a valid IDNA2008"),             # ZWJ alone
    ("ex\u00adample.com", "IDNA2008"),                       # soft hyphen
    ("☃.example", "IDNA2008"),                              # not a PVALID code point
    ("ü" * 70 + ".example", "IDNA2008"),                     # too long once encoded
    ("cafe\u0301.example", "IDNA2008"),                     # not NFC
    ("a" * 2000, "longer than 1024"),
])
def test_refused_with_reason(given: str, why: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_domain(given)
    assert why in str(caught.value)
    assert "\n" not in str(caught.value)


def test_253_characters_is_the_limit() -> None:
    longest = ".".join([LABEL63] * 3 + ["a" * 61])
    assert len(longest) == 253
    assert parse_domain(longest).name.to_text() == longest + "."
    assert parse_domain(longest + ".").text == longest


def test_wildcard_mailbox_refused() -> None:
    with pytest.raises(DomainError, match="wildcard"):
        parse_domain("*.example.com", email=True)
    with pytest.raises(DomainError, match="local part"):
        parse_domain("@example.com", email=True)
