"""`caa --perspective ID`: each decision record names the network perspective that ran the
check, beside the domain and the result (BR-LOG-01; TLS BR 5.4.1 and 3.2.2.9 — with
Multi-Perspective Issuance Corroboration every perspective's attempt is logged)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dnssec_core.caa.check import BatchError
from dnssec_core.caa.record import MAX_PERSPECTIVE_CHARS, check_perspective, decision_record
from dnssec_core.chain.anchors import builtin_root_anchors
from tests.caa.test_command import BASE, run


def test_record_names_the_perspective_domain_and_result_BR_LOG_01(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "caa.log"
    for perspective, domain in (("primary", "www.secure.test"), ("rir-ripe-2", "www.bogus.test")):
        code, _, err = run("caa", domain, "--issuer-domain", "ca.example", *BASE, "--log",
                           str(log), "--perspective", perspective, monkeypatch=monkeypatch)
        assert code == 0 and err == ""
    first, second = (json.loads(line) for line in log.read_text().splitlines())
    assert (first["perspective"], first["domain"], first["decision"]) == (
        "primary", "www.secure.test", "permitted")
    assert (second["perspective"], second["domain"], second["decision"]) == (
        "rir-ripe-2", "www.bogus.test", "lookup-failure")


def test_every_batch_record_names_the_perspective_BR_LOG_01(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "caa.log"
    code, out, _ = run("caa", "--batch", "-", "--issuer-domain", "ca.example", *BASE, "--log",
                       str(log), "--perspective", "eu-west-3", monkeypatch=monkeypatch,
                       stdin="www.secure.test\nx..\nwww.insecure.test\n")
    assert code == 0 and len(out.splitlines()) == 3
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["domain"] for r in records] == ["www.secure.test", "x..", "www.insecure.test"]
    assert all(r["perspective"] == "eu-west-3" for r in records)


def test_without_the_option_the_record_says_null_BR_LOG_01(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "caa.log"
    code, _, _ = run("caa", "www.secure.test", *BASE, "--log", str(log),
                     monkeypatch=monkeypatch)
    assert code == 0
    record = json.loads(log.read_text())
    assert "perspective" in record and record["perspective"] is None


def test_library_record_carries_the_perspective_BR_LOG_01() -> None:
    record = decision_record(BatchError("x..", "bad name", True), written_at=0,
                             time_source="--now", crypto_backend="fast",
                             anchors=builtin_root_anchors(), transport="test",
                             perspective="primary")
    assert record["perspective"] == "primary" and record["domain"] == "x.."


@pytest.mark.parametrize("text", [
    "", "two words", "tab\there", "line\nbreak", "nul\0", "caf\u00e9",
    "x" * (MAX_PERSPECTIVE_CHARS + 1),
])
def test_bad_perspective_is_a_usage_error_BR_LOG_01(
        text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "caa.log"
    code, out, err = run("caa", "www.secure.test", *BASE, "--log", str(log), "--perspective",
                         text, monkeypatch=monkeypatch)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("dnssec-core: error: --perspective: ")
    assert not log.exists() or log.read_text() == ""  # nothing logged for a refused call


def test_perspective_without_a_log_is_a_usage_error_BR_LOG_01(
        monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run("caa", "www.secure.test", *BASE, "--perspective", "primary",
                         monkeypatch=monkeypatch)
    assert code == 2 and out == "" and "give --log FILE too" in err and err.count("\n") == 1


def test_check_perspective_bounds_BR_LOG_01() -> None:
    longest = "p" * MAX_PERSPECTIVE_CHARS
    assert check_perspective(longest) == longest
    assert check_perspective("!~") == "!~"  # the ends of printable ASCII
    for text in ("", longest + "p", " ", "a\x7f"):
        with pytest.raises(ValueError):
            check_perspective(text)
