"""RFC 7958 validity windows applied at each resolution's ``now``, not only at load (TA-03).

A long-lived validator (a CA's service) loads root-anchors.xml once; an anchor whose validUntil
passes while it runs must stop being used then, and nothing validated from it may be reused
past that moment.
"""

from __future__ import annotations

from dnssec_core.chain.anchors import parse_anchors
from dnssec_core.timeutil import parse_time
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
