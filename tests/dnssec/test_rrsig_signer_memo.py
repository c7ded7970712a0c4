"""RRSIG.from_wire's last-signer shortcut (issue 7) decodes exactly what the full path does.

The shortcut trusts RDATA that repeats the previous RRSIG's Signer's Name octets; these tests
mix signers (case, length, a name that begins like another) and compare every decoded field
with a decoding made after the memo was reset, and check malformed RDATA still fails.
"""

from __future__ import annotations

import random
import struct

import dns.name
import pytest

from dnssec_core.dnssec import records
from dnssec_core.dnssec.records import RRSIG
from dnssec_core.wire.errors import WireError

SIGNERS = [b"\x07example\x00", b"\x07EXAMPLE\x00", b"\x07example\x03com\x00", b"\x00",
           b"\x06exampl\x00", b"\x03a-b\x07example\x00"]


def _rdata(signer: bytes, rng: random.Random) -> bytes:
    head = struct.pack("!HBBIIIH", rng.choice((1, 2, 28, 47)), rng.choice((8, 13)),
                       rng.randrange(4), 3600, 2_000_000_000, 1_900_000_000,
                       rng.randrange(65536))
    return head + signer + rng.randbytes(rng.randrange(1, 80))


def _fresh(rdata: bytes) -> RRSIG:
    records._LAST_SIGNER[0] = (b"\0", dns.name.root, b"\0")
    records._SIGNERS.clear()
    return RRSIG.from_wire(rdata)


def test_memo_gives_the_fields_of_a_fresh_decoding() -> None:
    rng = random.Random(7)
    samples = [_rdata(rng.choice(SIGNERS), rng) for _ in range(400)]
    expected = [_fresh(rdata) for rdata in samples]
    expected_text = [r.signer.to_text() for r in expected]
    shortcut = 0
    for rdata, want, text in zip(samples, expected, expected_text, strict=True):
        shortcut += rdata.startswith(records._LAST_SIGNER[0][0], 18)
        got = RRSIG.from_wire(rdata)
        assert got == want
        assert got.signer.to_text() == text  # Name equality ignores case; the text does not
        assert got.signed_prefix == rdata[:18] + rdata[18:18 + len(got.signed_prefix) - 18].lower()
    assert shortcut > 50  # the shortcut really ran


@pytest.mark.parametrize("signer", SIGNERS)
def test_memo_still_rejects_an_empty_signature(signer: bytes) -> None:
    rng = random.Random(1)
    RRSIG.from_wire(_rdata(signer, rng))  # now the memo holds this signer
    with pytest.raises(WireError):
        RRSIG.from_wire(_rdata(signer, rng)[: 18 + len(signer)])
