"""``query/caa --evidence FILE`` and ``verify-evidence`` on the command line (issue 9).

Contract: verify-evidence exits 0 when the bundle reproduced exactly, 1 for a readable bundle
that does not (with the reason), 2 for an unreadable bundle or a usage error (one line on
stderr); ``--json`` prints exactly one object.  Most tests run in-process over the lab
transport; one runs the real CLI end to end over the demo world served on loopback.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dnssec_core import cli
from tests.chain.lab import lab
from vectors import vector_path

ANCHOR = str(vector_path("demo", "root-anchor.txt"))
NOW = "20261201000000"
VERIFY_KEYS = ["file", "kind", "reproduced", "reason", "now", "crypto", "trust_anchor",
               "proofs", "decision", "notes"]


def run(*argv: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.setattr(cli, "transport_from_args", lambda args: lab())
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def query_evidence(path: Path, name: str, monkeypatch: pytest.MonkeyPatch,
                   *extra: str) -> None:
    code, _, err = run("query", name, "A", "--trust-anchor", ANCHOR, "--now", NOW,
                       "--evidence", str(path), *extra, monkeypatch=monkeypatch)
    assert (code, err) == (0, "")


def verify(path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str,
           anchor: bool = True) -> tuple[int, dict[str, Any]]:
    args = ["verify-evidence", str(path), "--json", *extra]
    if anchor:
        args += ["--trust-anchor", ANCHOR]
    code, out, err = run(*args, monkeypatch=monkeypatch)
    assert err == "" and out.count("\n") == 1
    got: dict[str, Any] = json.loads(out)
    assert list(got) == VERIFY_KEYS
    return code, got


def test_end_to_end_over_the_demo_world(tmp_path: Path) -> None:
    """The real CLI: `query --demo --evidence F`, then `verify-evidence F --json`."""
    bundle = tmp_path / "www.json"
    cmd = [sys.executable, "-m", "dnssec_core"]
    made = subprocess.run([*cmd, "query", "www.secure.test", "A", "--demo", "--now", NOW,
                           "--evidence", str(bundle), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["status"] == "secure"
    checked = subprocess.run([*cmd, "verify-evidence", str(bundle), "--trust-anchor", ANCHOR,
                              "--json"], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    got = json.loads(checked.stdout)
    assert list(got) == VERIFY_KEYS
    assert got["reproduced"] is True and got["kind"] == "query" and got["decision"] is None
    assert got["proofs"] == [{
        "role": "query", "qname": "www.secure.test.", "qtype": "A",
        "recorded": {"status": "secure", "rcode": "NOERROR", "reason": "", "ede": None},
        "verified": {"status": "secure", "rcode": "NOERROR", "reason": "", "ede": None},
        "match": True, "problem": "",
    }]
    assert got["trust_anchor"]["same"] is True


def test_query_bundle_is_byte_identical_across_runs(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    query_evidence(first, "nosuch.hashed.test.", monkeypatch)
    query_evidence(second, "nosuch.hashed.test.", monkeypatch)
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1.json", "2.json"]  # no temp left


@pytest.mark.parametrize("crypto", ["fast", "pure", "cross"])
def test_verify_exit_0_with_every_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          crypto: str) -> None:
    path = tmp_path / "b.json"
    query_evidence(path, "www.ed448.test.", monkeypatch)
    code, got = verify(path, monkeypatch, "--crypto", crypto)
    assert code == 0 and got["reproduced"] and got["crypto"] == crypto


def test_verify_text_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "b.json"
    query_evidence(path, "www.bogus.test.", monkeypatch)
    code, out, err = run("verify-evidence", str(path), "--trust-anchor", ANCHOR,
                         monkeypatch=monkeypatch)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{path}: query bundle reproduced at 2026-12-01T00:00:00Z (fast backend)",
        "  ok query www.bogus.test. A: bogus, SERVFAIL — signature-invalid (EDE 6)",
    ]


def test_builtin_anchor_is_used_not_the_bundles(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --trust-anchor the IANA root anchors are used: a demo bundle is not trusted
    because it names its own anchor (exit 1, and the report says which anchors)."""
    path = tmp_path / "b.json"
    query_evidence(path, "www.secure.test.", monkeypatch)
    code, got = verify(path, monkeypatch, anchor=False)
    assert code == 1 and got["reproduced"] is False
    assert "no-dnskey-matches-ds" in got["reason"]
    assert got["trust_anchor"]["same"] is False
    assert got["trust_anchor"]["bundle_key_tags"] == [4852]
    assert got["notes"][0].startswith("the bundle names trust anchor(s) [4852] but was checked "
                                      "against [20326, 38696]")


def test_tampered_bundle_exit_1_with_reason(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "b.json"
    query_evidence(path, "www.bogus.test.", monkeypatch)
    obj = json.loads(path.read_bytes())
    obj["proofs"][0].update(status="secure", rcode="NOERROR", reason="", ede=None)
    path.write_text(json.dumps(obj))
    code, got = verify(path, monkeypatch)
    assert code == 1
    assert got["reason"].startswith("proof 0 (query www.bogus.test. A): status secure recorded, "
                                    "bogus re-verified")
    assert got["proofs"][0]["match"] is False and got["proofs"][0]["verified"]["ede"] == 6


@pytest.mark.parametrize(("when", "ede"), [("20870101000000", 7), ("20250101000000", 8)])
def test_verify_outside_validity_exit_1_with_EDE(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 when: str, ede: int) -> None:
    path = tmp_path / "b.json"
    query_evidence(path, "www.secure.test.", monkeypatch)
    code, got = verify(path, monkeypatch, "--now", when)
    assert code == 1
    assert got["proofs"][0]["verified"]["status"] == "bogus"
    assert got["proofs"][0]["verified"]["ede"] == ede


@pytest.mark.parametrize("content", [b"", b"{}", b"not json", b'{"format": "x"}'])
def test_unreadable_bundle_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  content: bytes) -> None:
    path = tmp_path / "b.json"
    path.write_bytes(content)
    code, out, err = run("verify-evidence", str(path), "--json", monkeypatch=monkeypatch)
    assert code == 2 and out == ""
    assert err.startswith(f"dnssec-core: error: {path}: not a readable evidence bundle: ")
    assert err.count("\n") == 1


def test_missing_bundle_and_bad_options_exit_2(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run("verify-evidence", str(tmp_path / "nope.json"), monkeypatch=monkeypatch)
    assert code == 2 and "No such file" in err and err.count("\n") == 1
    path = tmp_path / "b.json"
    query_evidence(path, "www.secure.test.", monkeypatch)
    for argv in (["--now", "yesterday"], ["--crypto", "rot13"],
                 ["--trust-anchor", str(tmp_path / "none.txt")]):
        code, out, err = run("verify-evidence", str(path), *argv, monkeypatch=monkeypatch)
        assert code == 2 and out == "" and err.count("\n") == 1, argv


def test_evidence_into_a_missing_directory_exit_2(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "no" / "such" / "b.json"
    code, out, err = run("query", "www.secure.test.", "A", "--trust-anchor", ANCHOR, "--now",
                         NOW, "--evidence", str(target), monkeypatch=monkeypatch)
    assert code == 2 and out == "" and "no such directory" in err
    assert not target.exists()


def test_caa_evidence_digest_in_the_decision_record_BR_LOG_02(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    bundle, log = tmp_path / "caa.json", tmp_path / "decisions.jsonl"
    code, out, err = run("caa", "www.secure.test", "--issuer-domain", "ca.example",
                         "--trust-anchor", ANCHOR, "--now", NOW, "--evidence", str(bundle),
                         "--log", str(log), "--json", monkeypatch=monkeypatch)
    assert (code, err) == (0, "")
    assert json.loads(out)["decision"] == "permitted"
    record = json.loads(log.read_text())
    assert record["evidence_sha256"] == hashlib.sha256(bundle.read_bytes()).hexdigest()
    code, got = verify(bundle, monkeypatch)
    assert code == 0 and got["kind"] == "caa"
    assert [p["qname"] for p in got["proofs"]] == ["www.secure.test.", "secure.test."]
    assert got["decision"]["match"] is True
    assert got["decision"]["verified"]["decision"] == "permitted"


def test_caa_log_without_evidence_has_no_digest(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "decisions.jsonl"
    code, _, _ = run("caa", "www.secure.test", "--issuer-domain", "ca.example",
                     "--trust-anchor", ANCHOR, "--now", NOW, "--log", str(log),
                     monkeypatch=monkeypatch)
    assert code == 0 and "evidence_sha256" not in json.loads(log.read_text())


def test_caa_evidence_refuses_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = tmp_path / "names.txt"
    names.write_text("www.secure.test\n")
    code, out, err = run("caa", "--batch", str(names), "--issuer-domain", "ca.example",
                         "--trust-anchor", ANCHOR, "--now", NOW, "--evidence",
                         str(tmp_path / "b.json"), monkeypatch=monkeypatch)
    assert code == 2 and out == "" and "not --batch" in err and err.count("\n") == 1


def test_help_text_via_subprocess() -> None:
    proc = subprocess.run([sys.executable, "-m", "dnssec_core", "verify-evidence", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    assert "Exit 0: reproduced; 1: a readable bundle that does not reproduce" in text
    assert "2: unreadable bundle or usage error" in text
