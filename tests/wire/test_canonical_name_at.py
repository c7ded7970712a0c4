"""canonical_name_at (the hot path's name canonicaliser) agrees with read_name + canonical_wire."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dnssec_core.wire.canonical import canonical_name_at
from dnssec_core.wire.errors import WireError
from dnssec_core.wire.name import canonical_wire, read_name

LABEL = st.binary(min_size=1, max_size=70)
WIRE_NAME = st.lists(LABEL, max_size=6).map(
    lambda labels: b"".join(bytes((len(x) % 256,)) + x for x in labels) + b"\x00"
)


def reference(buf: bytes, offset: int) -> tuple[bytes, int] | str:
    try:
        name, end = read_name(buf, offset)
    except WireError as exc:
        return str(exc)
    return canonical_wire(name), end


def ours(buf: bytes, offset: int) -> tuple[bytes, int] | str:
    try:
        return canonical_name_at(buf, offset)
    except WireError as exc:
        return str(exc)


@given(st.binary(max_size=2), WIRE_NAME, st.binary(max_size=4), st.integers(0, 3))
def test_same_result_or_same_error_on_names(prefix: bytes, name: bytes, suffix: bytes,
                                            cut: int) -> None:
    buf = (prefix + name + suffix)[: len(prefix + name + suffix) - cut]
    assert ours(buf, len(prefix)) == reference(buf, len(prefix))


@given(st.binary(max_size=300), st.integers(0, 10))
def test_same_result_or_same_error_on_any_octets(buf: bytes, offset: int) -> None:
    assert ours(buf, offset) == reference(buf, offset)


def test_mixed_case_is_lowercased() -> None:
    assert canonical_name_at(b"\x01X\x03WwW\x07ExAmPlE\x00tail", 2) == (
        b"\x03www\x07example\x00", 15
    )
