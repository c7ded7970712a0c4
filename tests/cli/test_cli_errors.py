"""Bad input to the CLI: one line on stderr, exit 2, never a traceback (SEC-PARSE-01)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from dnssec_core.cli import main
from dnssec_core.dnssec.keytag import key_tag


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, text: str | bytes, name: str = "input.zone") -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return str(path)


def assert_usage_error(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("dnssec-core: error: "), err
    for fragment in fragments:
        assert fragment in err


@pytest.mark.parametrize("argv", [
    [], ["no-such-command"], ["verify-zone"], ["verify-zone", "x", "--crypto", "slow"],
    ["ds", "x", "--digest", "3"], ["verify-zone", "x", "--bogus-flag"],
])
def test_usage_errors_are_one_line(argv: list[str]) -> None:
    assert_usage_error(*run(*argv))


@pytest.mark.parametrize("now", ["yesterday", "20261340000000", "-5", "1e9", ""])
def test_bad_now(tmp_path: Path, now: str) -> None:
    path = write(tmp_path, "example. 300 IN SOA a. b. 1 2 3 4 5\n")
    assert_usage_error(*run("verify-zone", path, "--now", now), "time")


def test_missing_file() -> None:
    assert_usage_error(*run("verify-zone", "/nonexistent/zone"), "No such file")


@pytest.mark.parametrize(("content", "fragment"), [
    (b"\x00\xff\xfe binary", "not a text file"),
    ("example. 300 IN A 300.1.1.1\n", "input.zone"),
    ("example. 300 IN SOA a. b. (1 2 3\n", "input.zone"),  # unbalanced parenthesis
    ("example. 300 IN RRSIG A 13 1 300 20261340000000 2025 1 example. AAAA\n", "input.zone"),
    ("$INCLUDE /etc/passwd\n", "input.zone"),  # directives that read files are refused
    ("", "origin"),  # no SOA, no --origin
    ("example. 300 IN SOA a. b. 1 2 3 4 5\nother. 300 IN SOA a. b. 1 2 3 4 5\n", "origin"),
    ("example. 300 IN DNSKEY 257 3 13\n", "input.zone"),  # zero-length key: dnspython refuses
])
def test_garbage_zone_files(tmp_path: Path, content: str | bytes, fragment: str) -> None:
    assert_usage_error(*run("verify-zone", write(tmp_path, content)), fragment)


def test_truncated_zone_file(tmp_path: Path) -> None:
    text = "example. 300 IN SOA a. b. 1 2 3 4 5\nexample. 300 IN DNSKEY 257 3 13 AAAA"
    for cut in (10, 20, 30):
        assert_usage_error(*run("verify-zone", write(tmp_path, text[:-cut]), "--now", "1796083200"))


def test_zone_without_dnskey_is_bogus_not_error(tmp_path: Path) -> None:
    path = write(tmp_path, "example. 300 IN SOA a. b. 1 2 3 4 5\n")
    code, out, err = run("verify-zone", path, "--json", "--now", "1796083200")
    assert code == 1 and '"dnskey-missing"' in out and err == ""


def test_rsa_exponent_overflow_key_is_a_reason(tmp_path: Path) -> None:
    # Exponent length 255 in a 4-octet key: fine as text, unusable as a key (VAL-ALG-09).
    tag = key_tag(bytes.fromhex("01010308") + b"\xff\x01\x00\x01")
    text = ("example. 300 IN SOA a. b. 1 2 3 4 5\n"
            "example. 300 IN DNSKEY 257 3 8 /wEAAQ==\n"
            "example. 300 IN RRSIG DNSKEY 8 1 300 20860101000000 20260101000000 "
            f"{tag} example. AAAA\n")
    code, out, err = run("verify-zone", write(tmp_path, text), "--json", "--now", "1796083200")
    assert code == 1 and '"reason": "key-malformed"' in out and err == ""


def test_ds_file_without_sep_key(tmp_path: Path) -> None:
    path = write(tmp_path, "example. 300 IN DNSKEY 256 3 13 " + "A" * 86 + "==\n")
    assert_usage_error(*run("ds", path), "SEP")


def test_ds_file_with_unknown_digest_in_ds_option(tmp_path: Path) -> None:
    zone = write(tmp_path, "example. 300 IN SOA a. b. 1 2 3 4 5\n")
    ds = write(tmp_path, "other. 300 IN DS 1 13 2 " + "00" * 32 + "\n", "ds.txt")
    assert_usage_error(*run("verify-zone", zone, "--ds", ds), "no DS record for example.")


def test_no_traceback_from_the_real_process(tmp_path: Path) -> None:
    path = write(tmp_path, b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    proc = subprocess.run([sys.executable, "-m", "dnssec_core", "verify-zone", path, "--json"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_version() -> None:
    proc = subprocess.run([sys.executable, "-m", "dnssec_core", "--version"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("dnssec-core ")
