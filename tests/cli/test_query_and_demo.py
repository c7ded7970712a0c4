"""`query` and `demo` on the command line: the JSON contract of issue 5, exit codes, errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from typing import Any

import pytest

from dnssec_core import cli
from tests.chain.lab import lab, world
from vectors import vector_path

KEYS = ["status", "rcode", "qname", "qtype", "answer", "reason", "ede", "chain", "queries"]
ANCHOR = str(vector_path("demo", "root-anchor.txt"))


def run(*argv: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.setattr(cli, "transport_from_args", lambda args: lab())
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("name", "rdtype", "status"), [
    ("www.secure.test.", "A", "secure"), ("www.bogus.test.", "A", "bogus"),
    ("www.insecure.test.", "A", "insecure"), ("nosuch.secure.test.", "A", "secure"),
])
def test_query_json_contract(name: str, rdtype: str, status: str,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run("query", name, rdtype, "--trust-anchor", ANCHOR, "--now",
                         "20261201000000", "--json", monkeypatch=monkeypatch)
    assert code == 0 and err == ""  # a verdict was reached, bogus included
    got: dict[str, Any] = json.loads(out)
    assert list(got) == KEYS
    assert got["status"] == status and got["qname"] == name and got["qtype"] == rdtype
    assert isinstance(got["queries"], int) and got["queries"] > 0
    for link in got["chain"]:
        assert set(link) >= {"zone", "status", "keys", "ds"}
    if status == "secure":
        assert got["reason"] == "" and got["ede"] is None
    else:
        assert got["reason"] != ""


def test_query_human_output_and_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run("query", "www.secure.test", "A", "--trust-anchor", ANCHOR, "--now",
                       "20261201000000", "--trace", monkeypatch=monkeypatch)
    assert code == 0
    assert out.startswith("www.secure.test. A: secure, NOERROR\n")
    assert "zone secure.test.: secure" in out and "? secure.test. DS" in out


@pytest.mark.parametrize("argv", [
    ["query", "a..b", "A"], ["query", "example.", "NOSUCHTYPE"],
    ["query", "example.", "A", "--trust-anchor", "/nonexistent"],
    ["query", "example.", "A", "--resolver", "not-an-ip"],
    ["query", "example.", "A", "--root-hints", "/nonexistent"],
    ["query", "example.", "A", "--resolver", "127.0.0.1", "--root-hints", "x"],
])
def test_query_usage_errors(argv: list[str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(argv, out=out, err=err) == 2
    assert out.getvalue() == "" and err.getvalue().count("\n") == 1


def test_demo_command_agrees_on_every_case() -> None:
    proc = subprocess.run([sys.executable, "-m", "dnssec_core", "demo", "--json", "--now",
                           "20261201000000"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["total"] == len(world()["cases"]) == got["agreed"]
