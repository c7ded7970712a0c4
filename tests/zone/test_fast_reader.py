"""The fast zone reader (dnssec_core.zone.lexer) gives exactly what dnspython's parser gives.

Property: for any zone text, ``load_zone(fast=True)`` and ``load_zone(fast=False)`` either both
raise the same one-line ZoneError or return the same zone — owners with their case, TTLs,
classes, RDATA octets, RRSIGs and malformed entries, in the same order.  Checked on every zone
under vectors/zones/, on zones BIND signs here, and on generated text that exercises the
master-file syntax (RFC 1035 §5.1) inside and outside the fast subset.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import dns.name
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnssec_core.zone.lexer import Unsupported, read_fast_records
from dnssec_core.zone.reader import ZoneData, ZoneError, load_zone, read_text
from vectors import ROOT as VECTORS

ORIGIN = dns.name.from_text("example.")


def snapshot(zone: ZoneData) -> Any:
    """Everything a reader decides, with exact name case (Name equality ignores case)."""
    return (
        zone.origin.labels,
        [(k, t, r.owner.labels, r.rdclass, r.ttl, r.rdatas) for (k, t), r in zone.rrsets.items()],
        [
            (k, t, [(s.signed_prefix, s.signature, s.signer.labels) for s in sigs])
            for (k, t), sigs in zone.rrsigs.items()
        ],
        [(owner.labels, message) for owner, message in zone.malformed],
    )


def outcome(text: str, origin: dns.name.Name | None, fast: bool) -> Any:
    try:
        return snapshot(load_zone(text, origin, "zone.txt", fast=fast))
    except ZoneError as exc:
        return ("error", str(exc))


def assert_same(text: str, origin: dns.name.Name | None = None) -> Any:
    fast = outcome(text, origin, True)
    assert fast == outcome(text, origin, False)
    return fast


def fast_path_taken(text: str, origin: dns.name.Name | None = None) -> bool:
    try:
        read_fast_records(text, origin)
    except Unsupported:
        return False
    return True


# --- committed and freshly signed zones -----------------------------------------------------

VECTOR_ZONES = sorted(
    p for p in (VECTORS / "zones").rglob("*") if p.is_file() and p.suffix in (".signed", ".zone")
) if (VECTORS / "zones").is_dir() else []


@pytest.mark.parametrize("path", VECTOR_ZONES, ids=lambda p: str(p.relative_to(VECTORS)))
def test_vector_zone_reads_identically(path: Path) -> None:
    assert_same(read_text(path))


def test_vector_zones_of_bind_and_ldns_take_the_fast_path() -> None:
    signed = [p for p in VECTOR_ZONES if p.name == "zone.signed"]
    assert all(fast_path_taken(read_text(p)) for p in signed), signed


@pytest.mark.skipif(shutil.which("dnssec-signzone") is None, reason="BIND tools not installed")
@pytest.mark.parametrize("algorithm", ["RSASHA256", "ECDSAP256SHA256", "ED25519"])
@pytest.mark.parametrize("denial", ["nsec", "nsec3"])
def test_bind_signed_zone_reads_identically(tmp_path: Path, algorithm: str, denial: str) -> None:
    lines = ["$TTL 300", "@ SOA ns hostmaster 1 2 3 4 5", "@ NS ns", "ns A 192.0.2.1",
             "sub NS ns.sub", "ns.sub A 192.0.2.2", "sub DS 1 13 2 " + "ab" * 32,
             '*.w TXT "wild; card" ( "(x)" )', "caa CAA 0 issue \"ca.example\"",
             "srv._tcp SRV 0 1 443 ns", "Mixed.Case 1h30m IN AAAA 2001:db8::1"]
    lines += [f"h{i} A 10.0.{i // 250}.{i % 250}" for i in range(300)]
    (tmp_path / "zone.db").write_text("\n".join(lines) + "\n")
    for ksk in (["-f", "KSK"], []):
        subprocess.run(["dnssec-keygen", "-q", "-K", ".", "-a", algorithm, *ksk, "example."],
                       cwd=tmp_path, check=True, capture_output=True)
    nsec3 = ["-3", "-", "-H", "0"] if denial == "nsec3" else []
    subprocess.run(["dnssec-signzone", "-q", "-P", "-S", "-K", ".", "-o", "example.", "-f",
                    "zone.signed", *nsec3, "zone.db"], cwd=tmp_path, check=True,
                   capture_output=True)
    text = (tmp_path / "zone.signed").read_text()
    assert fast_path_taken(text)
    zone = assert_same(text)
    assert zone[0] == ORIGIN.labels and len(zone[1]) > 600


# --- hand-written edge cases ----------------------------------------------------------------

EDGE_CASES = {
    "relative, absolute, @ and blank owners": "$ORIGIN example.\n@ 60 IN A 192.0.2.1\n"
    "www A 192.0.2.2\n  AAAA 2001:db8::2\nWWW.example. IN 30 A 192.0.2.3\n",
    "ttl units and class before ttl": "a.example. IN 1W2d A 192.0.2.1\nb.example. 1h IN NS a\n",
    "$ttl and $origin in lower case, relative origin": "$ttl 99\n$origin example.\n"
    "a A 192.0.2.1\n$ORIGIN sub\nb A 192.0.2.2\n",
    "parentheses and comments": "a.example. 3600 IN RRSIG A 13 2 3600 ( ; c\n 20260101000000"
    " 20250101000000 1 example. ; c2\n AAAA\n BBBB== )\n",
    "comment and blank lines": "; only a comment\n\n   \n  ; indented\na.example. A 192.0.2.1\n",
    "outside the origin dropped": "a.other. A 192.0.2.1\na.example. A 192.0.2.2\n",
    "quoted strings": 'a.example. TXT "semi;colon" "(paren" "esc\\"aped" plain\n',
    "ipv4 leading zero": "a.example. A 192.0.2.01\n",
    "ipv6 non-canonical": "a.example. AAAA 2001:DB8:0:0::1\na.example. AAAA ::ffff:1.2.3.4\n",
    "class other than IN": "a.example. CH A 192.0.2.1\n",
    "unknown type": "a.example. FOO 1\n",
    "rfc 3597": "a.example. TYPE65280 \\# 2 abcd\na.example. TYPE1 \\# 4 c0000201\n",
    "unbalanced": "a.example. A ( 192.0.2.1\n",
    "closing first": "a.example. A ) 192.0.2.1 (\n",
    "include refused": "$INCLUDE /etc/passwd\n",
    "generate refused": "$GENERATE 1-3 h$ A 192.0.2.$\n",
    "non-ascii": "a.example. TXT \"caf\u00e9\"\n",
    "crlf": "a.example. A 192.0.2.1\r\n",
    "escaped names": "a\\.b.example. NS c\\032d.example.\nx.example. CNAME \\065.example.\n",
    "nsec bit maps": "a.example. NSEC b.example. A NS SOA RRSIG NSEC DNSKEY TYPE65534 CAA\n"
    "b.example. NSEC a.example.\nc.example. NSEC a.example. TYPE0\n",
    "nsec3 forms": "x.example. NSEC3 1 1 10 AABB 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR A RRSIG\n"
    "y.example. NSEC3 1 0 0 - 2t7b4g4vsa5smi47k61mv5bv1a22bojr\n"
    "z.example. NSEC3 1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJS\n",
    "ds digest lengths": "a.example. DS 1 8 2 " + "AB" * 32 + "\nb.example. DS 1 8 1 abcd\n",
    "dnskey and rrsig mnemonics": "a.example. DNSKEY 257 3 ECDSAP256SHA256 AQAB\n"
    "a.example. RRSIG A ECDSAP256SHA256 2 1h 20260101000000 20250101000000 1 . AAAA\n",
    "rrsig times": "a.example. RRSIG A 8 2 60 1 2 3 a AAAA\n"
    "b.example. RRSIG A 8 2 60 20261399000000 20250101000000 1 a AAAA\n"
    "c.example. RRSIG A 8 2 60 4294967296 0 1 a AAAA\n",
    "malformed rrsig kept as malformed": "a.example. RRSIG A 8 2 60 1 2 3 . AAAA\n",
    "label too long": "a.example. NS " + "x" * 64 + ".example.\n",
    "name too long": "a.example. NS " + "abcdefghi." * 26 + "\n",
    "txt too long": 'a.example. TXT "' + "x" * 256 + '"\n',
    "directive with two arguments": "$TTL 1 2\n",
    "bad ttl": "a.example. 1x A 192.0.2.1\n",
    "missing rdata": "a.example. A\n",
    "extra rdata": "a.example. A 192.0.2.1 192.0.2.2\n",
    "soa and nsec3param by dnspython": "@ SOA ns hm 1 1h 2 3 4\n@ NSEC3PARAM 1 0 0 -\n",
    "parentheses over record-like lines": "a.example. TXT ( x\nb.example. y )\n"
    "c.example. A 1.2.3.4\n",
    "tokens after the closing parenthesis": "a.example. MX ( 10\n ) mail.example. ; c\n",
    "quotes inside parentheses": 'a.example. TXT ( "x"\n "y" )\n',
    "comment inside parentheses": "a.example. NSEC ( b.example.\n ; A\n NS )\n",
    "nested parentheses": "a.example. NSEC ( b.example. ( A\n ) NS )\n",
    "parenthesis never closed": "a.example. NSEC ( b.example. A\n",
}


@pytest.mark.parametrize("text", EDGE_CASES.values(), ids=EDGE_CASES.keys())
def test_edge_case_reads_identically(text: str) -> None:
    assert_same(text, ORIGIN)


def test_fast_path_handles_the_signed_zone_subset() -> None:
    assert fast_path_taken(EDGE_CASES["parentheses and comments"], ORIGIN)
    assert fast_path_taken(EDGE_CASES["quoted strings"], ORIGIN)
    assert not fast_path_taken(EDGE_CASES["crlf"], ORIGIN)
    assert not fast_path_taken(EDGE_CASES["class other than IN"], ORIGIN)


def test_errors_are_dnspythons() -> None:
    kind, message = assert_same("a.example. A ( 192.0.2.1\n", ORIGIN)
    assert kind == "error" and message.startswith("zone.txt")


# --- generated zone text --------------------------------------------------------------------

LABEL = st.text("abcXYZ019-_*", min_size=1, max_size=8)
NAME = st.one_of(
    st.just("@"),
    st.lists(LABEL, min_size=1, max_size=3).map(".".join),
    st.lists(LABEL, min_size=1, max_size=3).map(lambda ls: ".".join(ls) + ".example."),
    st.sampled_from(["example.", "EXAMPLE.", ".", "other.test.", "a..b", "x" * 64, "a\\.b"]),
)
VALID_NUMBER = st.integers(0, 255).map(str)
NUMBER = st.one_of(VALID_NUMBER, VALID_NUMBER, VALID_NUMBER, st.integers(0, 70000).map(str),
                   st.sampled_from(["007", "1h", "-1", "x", "4294967296"]))
B64 = st.sampled_from(["AQAB", "AwEAAc==", "aGVsbG8=", "AAAA BBBB", "not*b64", "===="])
HEX = st.sampled_from(["-", "ab", "ABCD", "abc", "zz", "00" * 20, "11" * 32, "22" * 48])
B32 = st.sampled_from(["2T7B4G4VSA5SMI47K61MV5BV1A22BOJR", "2t7b4g4vsa5smi47k61mv5bv1a22bojr",
                       "CPNMU", "CPNMUOG", "ZZZZ", "2T7B4G4VSA5SMI47K61MV5BV1A22BOJS", "ab="])
TYPES = st.lists(st.sampled_from(["A", "NS", "SOA", "RRSIG", "NSEC", "DNSKEY", "TYPE0", "CAA",
                                  "TYPE65534", "aaaa", "BOGUS"]), max_size=5).map(" ".join)
TIME = st.sampled_from(["20260101000000", "20860101000000", "19691231235959", "20261301000000",
                        "4294967295", "4294967296", "1", "2026010100000"])
QUOTED = st.text('ab ;()\\"x', max_size=6).map(lambda s: '"' + s.replace('"', "") + '"')
IPV4 = st.one_of(
    st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t))),
    st.tuples(*[st.integers(0, 300)] * 4).map(lambda t: ".".join(map(str, t))),
    st.sampled_from(["1.2.3", "01.2.3.4", "1.2.3.4.5", "a.b.c.d"]),
)
IPV6 = st.sampled_from(["2001:db8::1", "::", "::1", "2001:DB8::1", "1:2:3:4:5:6:7:8",
                        "1::2::3", "::ffff:1.2.3.4", "fe80::1%eth0", "2001:db8:0:0:0:0:0:1"])


def rdata_for(rtype: str) -> st.SearchStrategy[str]:
    words = {
        "A": IPV4,
        "AAAA": IPV6,
        "NS": NAME,
        "CNAME": NAME,
        "PTR": NAME,
        "DNAME": NAME,
        "MX": st.tuples(NUMBER, NAME).map(" ".join),
        "TXT": st.lists(st.one_of(QUOTED, LABEL), min_size=1, max_size=3).map(" ".join),
        "DS": st.tuples(NUMBER, st.sampled_from(["8", "13", "RSASHA256"]),
                        st.sampled_from(["1", "2", "4", "3", "0"]), HEX).map(" ".join),
        "DNSKEY": st.tuples(NUMBER, st.sampled_from(["3", "2"]), NUMBER, B64).map(" ".join),
        "RRSIG": st.tuples(st.sampled_from(["A", "NSEC", "TYPE0", "TYPE65535", "nope"]), NUMBER,
                           NUMBER, NUMBER, TIME, TIME, NUMBER, NAME, B64).map(" ".join),
        "NSEC": st.tuples(NAME, TYPES).map(" ".join),
        "NSEC3": st.tuples(NUMBER, NUMBER, NUMBER, HEX, B32, TYPES).map(" ".join),
        "SOA": st.tuples(NAME, NAME, NUMBER, NUMBER, NUMBER, NUMBER, NUMBER).map(" ".join),
        "CAA": st.just('0 issue "ca.example"'),
    }
    return words[rtype]


@st.composite
def record(draw: st.DrawFn) -> str:
    rtype = draw(st.sampled_from(["A", "AAAA", "NS", "CNAME", "PTR", "DNAME", "MX", "TXT", "DS",
                                  "DNSKEY", "RRSIG", "NSEC", "NSEC3", "SOA", "CAA"]))
    owner = draw(st.one_of(NAME, st.just(" ")))
    ttl = draw(st.sampled_from(["", "60", "1h", "0"]))
    cls = draw(st.sampled_from(["", "IN", "in", "CLASS1"]))
    head = [owner, cls, ttl] if draw(st.booleans()) else [owner, ttl, cls]
    rdata = draw(rdata_for(draw(st.sampled_from([rtype] * 9 + ["A"]))))
    if draw(st.booleans()):  # parenthesise the RDATA across lines, with comments
        words = rdata.split(" ")
        cut = draw(st.integers(0, len(words)))
        rdata = "( " + " ".join(words[:cut]) + " ; note\n\t" + " ".join(words[cut:]) + " )"
    text = " ".join(part for part in [*head, draw(st.sampled_from([rtype, rtype.lower()])), rdata]
                    if part)
    return text if owner != " " else " " + text


LINE = st.one_of(
    record(), record(), record(), record(),
    st.sampled_from(["", "; comment", "   ", "$TTL 120", "$ORIGIN sub.example.",
                     "$ORIGIN example.", "$origin sub", "$TTL 1d"]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, max_size=12), st.sampled_from([ORIGIN, None]))
def test_generated_text_reads_identically(lines: list[str], origin: dns.name.Name | None) -> None:
    text = "@ SOA ns hostmaster 1 2 3 4 5\n" if origin is None else ""
    assert_same(text + "\n".join(lines) + "\n", origin)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(record(), min_size=1, max_size=2))
def test_generated_records_read_identically(lines: list[str]) -> None:
    assert_same("\n".join(lines) + "\n", ORIGIN)
