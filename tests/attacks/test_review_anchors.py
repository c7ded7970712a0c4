"""Review of the RFC 7958 anchor windows (TA-03, TA-08): an anchor is never used outside its
window, neither directly nor through the key cache or the answer cache, and a hostile
anchor file gives a one-line error, never a traceback.

* Time going backwards (a CA's clock corrected, or ``--now`` earlier than a cached run): keys
  and answers validated at ``NOW`` from an anchor valid since ``NOW - 60`` are not reused at
  ``NOW - 120`` — the anchor is not valid then, so the verdict is indeterminate
  (trust-anchor-not-valid), not the cached ``secure``.
* A KeyDigest whose ``Flags`` (RFC 9718 §2) is not a 16-bit number: an :class:`AnchorError`
  (exit 2 at the CLI), where it used to be an uncaught ``ValueError``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dnssec_core.chain.anchors import AnchorError, TrustAnchors, parse_anchors
from dnssec_core.chain.engine import Validator
from dnssec_core.crypto import get_backend
from dnssec_core.verdict import Reason, Status
from tests.chain.lab import NOW, ask, lab
from tests.chain.test_anchor_windows import DEMO_DS, xml_time

VALID_FROM = NOW - 60


def anchor_xml(*, valid_from: int, flags: str | None = None) -> bytes:
    flag_element = "" if flags is None else f"<Flags>{flags}</Flags>"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<TrustAnchor id="review" source="test"><Zone>.</Zone>
<KeyDigest id="review" validFrom="{xml_time(valid_from)}">
<KeyTag>4852</KeyTag><Algorithm>13</Algorithm><DigestType>2</DigestType>
<Digest>{DEMO_DS}</Digest>{flag_element}
</KeyDigest></TrustAnchor>""".encode()


def windowed() -> TrustAnchors:
    return parse_anchors(anchor_xml(valid_from=VALID_FROM), source="review.xml", now=NOW)


def test_cached_keys_and_answers_are_not_used_before_valid_from_TA_03() -> None:
    fast = get_backend("fast")
    validator = Validator(windowed(), backend=fast)
    transport = lab()
    now = ask("www.secure.test.", "A", fast, validator=validator, transport=transport)
    assert now.status is Status.SECURE
    cached = ask("www.secure.test.", "A", fast, validator=validator, transport=transport)
    assert cached.status is Status.SECURE and cached.queries == 0  # the answer cache works
    for name in ("www.secure.test.", "www.insecure.test."):
        earlier = ask(name, "A", fast, validator=validator, transport=transport,
                      now=VALID_FROM - 60)
        assert (earlier.status, earlier.verdict.reason) == (
            Status.INDETERMINATE, Reason.TRUST_ANCHOR_NOT_VALID), (name, earlier.verdict)
        assert earlier.answer == []


@pytest.mark.parametrize("flags", ["abc", "-1", "65536", "0x80", ""])
def test_malformed_flags_is_a_one_line_error_TA_08(flags: str) -> None:
    with pytest.raises(AnchorError, match="malformed KeyDigest 'review'"):
        parse_anchors(anchor_xml(valid_from=VALID_FROM, flags=flags), source="review.xml",
                      now=NOW)


@pytest.mark.parametrize("flags", ["257", "256"])
def test_well_formed_flags_keep_the_anchor_TA_02(flags: str) -> None:
    anchors = parse_anchors(anchor_xml(valid_from=VALID_FROM, flags=flags),
                            source="review.xml", now=NOW)
    assert [d.key_tag for d in anchors.ds] == [4852]


def test_revoked_flag_drops_the_anchor_TA_07() -> None:
    with pytest.raises(AnchorError, match="no usable trust anchor"):
        parse_anchors(anchor_xml(valid_from=VALID_FROM, flags="385"), source="review.xml",
                      now=NOW)


def test_cli_malformed_flags_exits_2_with_one_line_TA_08(tmp_path: Path) -> None:
    path = tmp_path / "anchors.xml"
    path.write_bytes(anchor_xml(valid_from=VALID_FROM, flags="abc"))
    proc = subprocess.run(
        [sys.executable, "-m", "dnssec_core", "query", "--trust-anchor", str(path),
         "--resolver", "127.0.0.1:9", "--now", str(NOW), "example.", "A"],
        capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0
    assert "malformed KeyDigest 'review'" in proc.stderr
    assert "Traceback" not in proc.stderr
