"""The fast reader's one-match path for RRSIG records in BIND's layout (zone/lexer.py, issue 7)
reads exactly what dnspython reads, takes that path only when the whole record fits it, and a
piece of text read in place (``read_fast_chunk(start=, stop=)``) reads as the same piece copied.

Layout (dnssec-signzone): no owner, a TTL, ``RRSIG``, the covered type, algorithm, labels and
original TTL, ``(``, then on the next line expiration, inception, key tag and signer, then the
signature in base64 lines, the last one ending in ``)`` (RFC 4034 §3.2).
"""

from __future__ import annotations

import contextlib
import itertools

import dns.name
import pytest

from dnssec_core.zone import lexer
from dnssec_core.zone.lexer import Unsupported, read_fast_chunk, read_fast_records
from tests.zone.test_fast_reader import assert_same

ORIGIN = dns.name.from_text("example.")
SIG = ("\t\t\t\t\tnSDxXwvAsPUQj/CRBWIMAY3k3E3czpC+t/yo\n"
       "\t\t\t\t\t2gJSX890mUOncaAcvN2FIpz7odHpaMNFI4E+\n"
       "\t\t\t\t\t5k1uiD0zPNcDkulhiA== )\n")
HEAD = ("www.example.\t3600\tIN A\t192.0.2.1\n"
        "\t\t\t3600\tRRSIG\tA 8 2 3600 (\n"
        "\t\t\t\t\t20261229000408 20261128230408 60565 example.\n")
BIND = HEAD + SIG

VARIANTS = {
    "bind layout": BIND,
    "two records": BIND + BIND.replace("www", "mail").replace("192.0.2.1", "192.0.2.2"),
    "relative signer": BIND.replace("60565 example.", "60565 @"),
    "lowercase covered type": BIND.replace("\tA 8 2", "\ta 8 2"),
    "type in RFC 3597 form": BIND.replace("\tA 8 2", "\tTYPE1 8 2"),
    "unknown covered type": BIND.replace("\tA 8 2", "\tNOSUCH 8 2"),
    "algorithm over 255": BIND.replace("\tA 8 2", "\tA 300 2"),
    "key tag over 65535": BIND.replace("60565", "65536"),
    "original ttl in units": BIND.replace("A 8 2 3600 (", "A 8 2 1h ("),
    "expiration as seconds": BIND.replace("20261229000408", "1798502648"),
    "impossible date": BIND.replace("20261229000408", "20261399000000"),
    "comment in the signature": BIND.replace("I4E+\n", "I4E+ ; note\n"),
    "comment after the parenthesis": BIND.replace("hiA== )\n", "hiA== ) ; end\n"),
    "tokens after the parenthesis": BIND.replace("hiA== )\n", "hiA== ) AAAA\n"),
    "bad base64": BIND.replace("2gJSX890", "2gJSX8*0"),
    "base64 padding inside": BIND.replace("2gJSX890", "2gJSX8=="),
    "parenthesis not closed": HEAD + SIG.replace(" )", ""),
    "record after an open parenthesis": HEAD + SIG.replace(" )", "") + BIND,
    "no final newline": BIND.rstrip("\n"),
    "owner outside the zone": BIND.replace("www.example.", "www.example.net."),
    "an earlier owner outside the zone": "x.other.\t60\tIN A\t192.0.2.9\n"
    + BIND[BIND.index("\t\t\t3600") :],
    "spaces for tabs": BIND.replace("\t", " "),
    "TTL with ten digits": BIND.replace("\t3600\tRRSIG", "\t4294967295\tRRSIG"),
    "TTL over 2^32 - 1": BIND.replace("\t3600\tRRSIG", "\t4294967296\tRRSIG"),
}


@pytest.mark.parametrize("text", VARIANTS.values(), ids=VARIANTS.keys())
def test_variant_reads_as_dnspython_reads_it(text: str) -> None:
    assert_same(text, ORIGIN)


def count_matches(text: str) -> int:
    taken = 0
    original = lexer._Reader._bind_rrsig

    def counting(self: lexer._Reader, fields: tuple[str, ...], start: int) -> int:
        nonlocal taken
        after = original(self, fields, start)
        taken += bool(after)
        return after

    # counts the calls of a private method; restored below
    lexer._Reader._bind_rrsig = counting  # type: ignore[method-assign]
    try:
        with contextlib.suppress(Unsupported):  # the whole text goes to dnspython: fine too
            read_fast_records(text, ORIGIN)
    finally:
        lexer._Reader._bind_rrsig = original  # type: ignore[method-assign]
    return taken


def test_the_one_match_path_is_taken_only_for_the_whole_layout() -> None:
    assert count_matches(VARIANTS["bind layout"]) == 1
    assert count_matches(VARIANTS["two records"]) == 2
    for declined in ("comment in the signature", "comment after the parenthesis",
                     "tokens after the parenthesis", "unknown covered type",
                     "algorithm over 255", "bad base64", "owner outside the zone"):
        assert count_matches(VARIANTS[declined]) == 0, declined


def test_a_piece_read_in_place_equals_the_piece_copied() -> None:
    text = "".join(VARIANTS[name] for name in ("bind layout", "two records", "relative signer"))
    cuts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n" and text[i + 1 : i + 2] == "w"]
    cuts.append(len(text))
    assert len(cuts) >= 4
    for start, stop in itertools.pairwise(cuts):
        copied = read_fast_chunk(text[start:stop], ORIGIN, ORIGIN, 3600)
        in_place = read_fast_chunk(text, ORIGIN, ORIGIN, 3600, start, stop)
        assert in_place == copied
        assert in_place[0]  # every piece holds records
