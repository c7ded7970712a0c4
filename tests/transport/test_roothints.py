"""Root hints: the built-in IANA file and ``--root-hints FILE`` parsing."""

from __future__ import annotations

from pathlib import Path

import dns.name
import pytest

from dnssec_core import limits
from dnssec_core.transport import (
    RootHintsError,
    builtin_root_hints,
    load_root_hints,
    parse_root_hints,
)


def test_builtin_hints_are_the_13_iana_root_servers() -> None:
    hints = builtin_root_hints()
    names = [name.to_text().lower() for name, _ in hints.servers]
    assert names == [f"{letter}.root-servers.net." for letter in "abcdefghijklm"]
    assert all(len(addresses) == 2 for _, addresses in hints.servers)
    assert len(hints.addresses) == 26
    assert hints.servers[0][1] == ("198.41.0.4", "2001:503:ba3e::2:30")
    assert hints.servers[1][1] == ("170.247.170.2", "2801:1b8:10::b")  # renumbered 2023
    assert hints.servers[12][1] == ("202.12.27.33", "2001:dc3::35")
    assert "named.root" in hints.source


def test_builtin_file_cites_its_source() -> None:
    import dnssec_core

    text = (Path(dnssec_core.__file__).parent / "data" / "root.hints").read_text()
    assert "https://www.internic.net/domain/named.root" in text
    assert "2024110501" in text


def test_minimal_file_without_ttl_or_class() -> None:
    hints = parse_root_hints(
        b". NS ns1.lab.\nns1.lab. A 127.0.0.10\n; comment\n\nns1.lab. IN 60 AAAA ::1\n",
        source="x",
    )
    assert hints.servers == ((dns.name.from_text("ns1.lab."), ("127.0.0.10", "::1")),)


def test_server_without_address_is_kept_if_another_has_one() -> None:
    hints = parse_root_hints(b". NS a.lab.\n. NS b.lab.\nb.lab. A 127.0.0.11\n", source="x")
    assert [addrs for _, addrs in hints.servers] == [(), ("127.0.0.11",)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"", "no root NS records"),
        (b". NS a.lab.\n", "no address"),
        (b"lab. NS a.lab.\na.lab. A 127.0.0.1\n", "expected the root"),
        (b". NS a.lab\n", "not an absolute name"),
        (b". NS a.lab.\na.lab. A ::1\n", "not an A address"),
        (b". NS a.lab.\na.lab. AAAA 127.0.0.1\n", "not an AAAA address"),
        (b". NS a.lab.\na.lab. A 127.0.0.300\n", "not an address"),
        (b". NS a.lab.\na.lab. TXT hello\n", "only NS, A and AAAA"),
        (b". NS a.lab.\na.lab. MX 10 b.lab.\n", "unexpected 'MX'"),
        (b". NS a.lab.\na.lab. CH A 127.0.0.1\n", "unexpected 'CH'"),
        (b". NS\n", "expected 'owner"),
        (b"\xff\xfe", "not an ASCII text file"),
    ],
)
def test_bad_files_are_rejected_with_line_numbers(text: bytes, message: str) -> None:
    with pytest.raises(RootHintsError) as info:
        parse_root_hints(text, source="hints.txt")
    assert message in str(info.value)
    assert str(info.value).startswith("hints.txt")
    assert "\n" not in str(info.value)


def test_load_root_hints(tmp_path: Path) -> None:
    path = tmp_path / "root.hints"
    path.write_text(". 3600 NS a.lab.\na.lab. 3600 A 127.0.0.10\n")
    assert load_root_hints(str(path)).addresses == ("127.0.0.10",)
    with pytest.raises(RootHintsError, match="No such file"):
        load_root_hints(str(tmp_path / "missing"))
    path.write_bytes(b";" * (limits.MAX_ROOT_HINTS_OCTETS + 1))
    with pytest.raises(RootHintsError, match="larger than"):
        load_root_hints(str(path))
    path.write_bytes(b";" * limits.MAX_ROOT_HINTS_OCTETS)  # at the limit: read, then no NS
    with pytest.raises(RootHintsError, match="no root NS"):
        load_root_hints(str(path))
