"""The decision record names every configured trust anchor zone (TA-05, BR-LOG-02; RFC 4035
§4.4: anchors for several zones may be configured)."""

from __future__ import annotations

from dnssec_core.caa.check import BatchError
from dnssec_core.caa.record import decision_record
from dnssec_core.chain.anchors import builtin_root_anchors, parse_anchors

TWO_ZONES = b"""\
. 3600 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
example. 3600 IN DS 31589 13 2 CDE0D742D6998AA554A92D890F8184C698CFAC8A26FA59875A990C03E576343C
"""


def record_for(anchors_data: bytes | None) -> dict[str, object]:
    anchors = (builtin_root_anchors() if anchors_data is None
               else parse_anchors(anchors_data, source="test-anchors", now=None))
    return decision_record(BatchError("x..", "bad name", True), written_at=0,
                           time_source="--now", crypto_backend="fast", anchors=anchors,
                           transport="test")


def test_every_anchor_zone_is_recorded_TA_05() -> None:
    anchor = record_for(TWO_ZONES)["trust_anchor"]
    assert isinstance(anchor, dict)
    assert anchor["zone"] == "."
    assert anchor["zones"] == [{"zone": ".", "key_tags": [20326]},
                               {"zone": "example.", "key_tags": [31589]}]
    assert anchor["key_tags"] == [20326, 31589]
    assert anchor["source"] == "test-anchors"


def test_builtin_root_anchor_is_one_zone() -> None:
    anchor = record_for(None)["trust_anchor"]
    assert isinstance(anchor, dict)
    assert [z["zone"] for z in anchor["zones"]] == ["."]
    assert anchor["zones"][0]["key_tags"] == anchor["key_tags"]
