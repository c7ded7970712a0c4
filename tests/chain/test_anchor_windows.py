"""RFC 7958 validity windows applied at each resolution's ``now``, not only at load (TA-03).

A long-lived validator (a CA's service) loads root-anchors.xml once; an anchor whose validUntil
passes while it runs must stop being used then, and nothing validated from it may be reused
past that moment.
"""

from __future__ import annotations

import time

from dnssec_core.chain.anchors import TrustAnchors, parse_anchors
from dnssec_core.chain.engine import Validator
from dnssec_core.crypto import Backend
from dnssec_core.timeutil import parse_time
from dnssec_core.verdict import EDE, Reason, Status
from tests.chain.lab import NOW, ask, lab
from tests.chain.test_anchors import XML

LOADED = parse_time("20180101000000")  # 19036 (until 2019-01-11) and 20326 are valid
KSK_2010_END = parse_time("20190111000000")


def test_windows_are_kept_for_the_anchors_valid_at_load_TA_03() -> None:
    root = parse_anchors(XML.encode(), source="root-anchors.xml", now=LOADED).zones[0]
    assert [d.key_tag for d in root.ds] == [19036, 20326]
    assert root.windows == ((parse_time("20100715000000"), KSK_2010_END),
                            (parse_time("20170202000000"), None))


def test_ds_at_drops_an_anchor_at_its_valid_until_TA_03() -> None:
    root = parse_anchors(XML.encode(), source="root-anchors.xml", now=LOADED).zones[0]
    assert [d.key_tag for d in root.ds_at(KSK_2010_END - 1)] == [19036, 20326]
    assert [d.key_tag for d in root.ds_at(KSK_2010_END)] == [20326]  # validUntil is exclusive
    assert [d.key_tag for d in root.ds_at(parse_time("20160101000000"))] == [19036]


def test_next_change_is_the_first_window_edge_after_now_TA_03() -> None:
    root = parse_anchors(XML.encode(), source="root-anchors.xml", now=LOADED).zones[0]
    assert root.next_change(LOADED) == KSK_2010_END
    assert root.next_change(KSK_2010_END) is None
    assert root.next_change(parse_time("20160101000000")) == parse_time("20170202000000")


def test_presentation_anchors_have_no_windows_TA_03() -> None:
    text = ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"
    root = parse_anchors(text.encode(), source="a.txt", now=None).zones[0]
    assert root.windows == () and root.ds_at(0) == root.ds and root.next_change(0) is None


# The demo world's root KSK (vectors/demo/root-anchor.txt) as an RFC 7958 KeyDigest.
DEMO_DS = "24F9B12C19DA0F9106105DB8B67710AC021597F8E55EF588CC66181BC853F8DD"
DEMO_END = NOW + 600


def xml_time(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(seconds))


def demo_xml_anchors(valid_until: int) -> TrustAnchors:
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<TrustAnchor id="demo" source="test"><Zone>.</Zone>
<KeyDigest id="demo" validFrom="2026-01-01T00:00:00+00:00" validUntil="{xml_time(valid_until)}">
<KeyTag>4852</KeyTag><Algorithm>13</Algorithm><DigestType>2</DigestType><Digest>{DEMO_DS}</Digest>
</KeyDigest></TrustAnchor>"""
    return parse_anchors(xml.encode(), source="demo.xml", now=NOW)


def test_a_long_lived_validator_stops_at_the_anchors_valid_until_TA_03(fast: Backend) -> None:
    validator = Validator(demo_xml_anchors(DEMO_END), backend=fast)
    transport = lab()
    before = ask("www.secure.test.", "A", fast, validator=validator, transport=transport)
    assert before.status is Status.SECURE
    # Neither the root's keys nor the answer are reused past the anchor's validUntil.
    assert validator.key_expiry(validator.anchors.zone) == DEMO_END
    assert validator.answers is not None
    cached = ask("www.secure.test.", "A", fast, validator=validator, transport=transport,
                 now=DEMO_END - 1)
    assert cached.status is Status.SECURE and cached.queries == 0
    after = ask("www.secure.test.", "A", fast, validator=validator, transport=transport,
                now=DEMO_END)
    assert (after.status, after.verdict.reason) == (Status.INDETERMINATE,
                                                    Reason.TRUST_ANCHOR_NOT_VALID)
    assert after.verdict.ede == EDE.DNSSEC_INDETERMINATE
    # Never insecure, for a signed name or an unsigned one (TA-08: no anchor is no pass).
    unsigned = ask("www.insecure.test.", "A", fast, validator=validator, transport=transport,
                   now=DEMO_END)
    assert unsigned.status is Status.INDETERMINATE


def test_an_anchor_window_that_has_not_ended_changes_nothing_TA_03(fast: Backend) -> None:
    windowed = ask("www.secure.test.", "A", fast,
                   validator=Validator(demo_xml_anchors(NOW + 86_400 * 365), backend=fast))
    plain = ask("www.secure.test.", "A", fast)
    assert (windowed.status, windowed.verdict) == (plain.status, plain.verdict)
    assert windowed.status is Status.SECURE
