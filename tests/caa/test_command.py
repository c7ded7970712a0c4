"""`dnssec-core caa`: the CLI contract of issue 6 (flags, JSON keys, exit codes), the decision
log (append-only) and batch mode (keeps going past failures)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from dnssec_core import cli
from dnssec_core.auth.lab import LabTransport
from dnssec_core.chain.types import Answer, FailureKind, LookupFailure, Query
from dnssec_core.driver import Transport
from tests.chain.lab import lab
from vectors import vector_path

KEYS = ["domain", "status", "relevant_domain", "records", "decision", "reason", "lookups"]
LOOKUP_KEYS = ["qname", "status", "rcode", "ede"]
ANCHOR = str(vector_path("demo", "root-anchor.txt"))
BASE = ["--trust-anchor", ANCHOR, "--now", "20261201000000"]


def run(*argv: str, monkeypatch: pytest.MonkeyPatch, stdin: str = "",
        transport: Transport | None = None) -> tuple[int, str, str]:
    monkeypatch.setattr(cli, "transport_from_args", lambda args: transport or lab())
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out=out, err=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("domain", "issuer", "decision", "status"), [
    ("www.secure.test", "ca.example", "permitted", "secure"),
    ("www.secure.test", "other.example", "denied", "secure"),
    ("critical.secure.test", "ca.example", "denied", "secure"),
    ("www.bogus.test", "ca.example", "lookup-failure", "bogus"),
    ("www.iter200.test", "ca.example", "lookup-failure", "insecure"),
    ("www.insecure.test", "ca.example", "permitted", "insecure"),
])
def test_json_contract(domain: str, issuer: str, decision: str, status: str,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run("caa", domain, "--issuer-domain", issuer, *BASE, "--json",
                         monkeypatch=monkeypatch)
    assert code == 0 and err == ""  # a decision was reached, lookup-failure included
    got = json.loads(out)
    assert list(got) == KEYS
    assert got["domain"] == domain and got["decision"] == decision and got["status"] == status
    assert got["reason"] and got["lookups"]
    for lookup in got["lookups"]:
        assert list(lookup) == LOOKUP_KEYS
    for record in got["records"]:
        assert list(record) == ["flags", "tag", "value"]


def test_search_only_without_issuer(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run("caa", "*.wildonly.secure.test", *BASE, "--json", monkeypatch=monkeypatch)
    got = json.loads(out)
    assert code == 0 and got["decision"] is None
    assert got["relevant_domain"] == "wildonly.secure.test."
    assert got["records"] == [{"flags": 0, "tag": "issuewild", "value": "ca.example"}]
    assert got["reason"].startswith("relevant-rrset-found")


def test_several_issuer_domains(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run("caa", "secure.test", "--issuer-domain", "other.example",
                       "--issuer-domain", "CA.Example.", *BASE, "--json", monkeypatch=monkeypatch)
    assert code == 0 and json.loads(out)["decision"] == "permitted"


def test_human_output(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run("caa", "www.secure.test", "--issuer-domain", "ca.example", *BASE,
                       monkeypatch=monkeypatch)
    assert code == 0
    assert out.startswith("www.secure.test: permitted — issuer-authorized: ")
    assert '  record 0 issue "ca.example"\n' in out
    assert "  lookup www.secure.test. CAA: secure, NOERROR\n" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["caa"], "DOMAIN or --batch"),
    (["caa", "a.example", "--batch", "-"], "DOMAIN or --batch"),
    (["caa", "a..example"], "refused: empty label"),
    (["caa", "x" * 300 + ".example"], "refused"),
    (["caa", "a\x07b.example"], "control character"),
    (["caa", "a.example", "--issuer-domain", "bad_name"], "--issuer-domain"),
    (["caa", "a.example", "--account-uri", ""], "--account-uri"),
    (["caa", "a.example", "--now", "yesterday"], "invalid time"),
    (["caa", "a.example", "--crypto", "fastest"], "invalid choice"),
    (["caa", "a.example", "--root-hints", "x", "--resolver", "127.0.0.1"], "not allowed"),
    (["caa", "a.example", "--trust-anchor", "/nonexistent"], "/nonexistent"),
    (["caa", "--batch", "/nonexistent/list", "--trust-anchor", ANCHOR], "/nonexistent/list"),
    (["caa", "a.example", "--jobs", "0"], "whole number"),
    (["caa", "a.example", "--log", "/nonexistent/dir/log"], "decision log"),
])
def test_usage_errors_exit_2_one_line(argv: list[str], message: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(*argv, monkeypatch=monkeypatch)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("dnssec-core: error: ") and message in err


# -- the decision log (--log) ------------------------------------------------------------------


def test_log_appends_one_record_per_check_and_never_truncates(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves BR-CAA-06, BR-DNSSEC-09, BR-LOG-01, BR-SMIME-05, VAL-TTL-04 (requirement trace)."""
    log = tmp_path / "caa.log"
    log.write_text("earlier line, kept as it is\n")
    for domain in ("www.secure.test", "www.bogus.test"):
        code, _, _ = run("caa", domain, "--issuer-domain", "ca.example", *BASE, "--log",
                         str(log), monkeypatch=monkeypatch)
        assert code == 0
    lines = log.read_text().splitlines()
    assert lines[0] == "earlier line, kept as it is" and len(lines) == 3
    first, second = json.loads(lines[1]), json.loads(lines[2])
    assert first["decision"] == "permitted" and first["prevented"] is False
    assert second["decision"] == "lookup-failure" and second["prevented"] is True
    for record in (first, second):
        assert record["format"] == "dnssec-core/caa-decision-record/1"
        assert record["software"]["name"] == "dnssec-core" and record["software"]["version"]
        assert record["crypto_backend"] == "fast"
        assert record["trust_anchor"]["key_tags"] and len(record["trust_anchor"]["sha256"]) == 64
        assert record["now"] == 1796083200 and record["time_source"] == "--now"
        assert record["request"]["issuer_domains"] == ["ca.example"]
        assert set(KEYS) <= set(record)
        assert record["reuse_until"] and record["written_at"]
        for detail in record["lookup_details"]:  # BR-LOG-02: verdict, reason, EDE, zones
            assert {"qname", "status", "reason", "ede", "chain", "servers"} <= set(detail)
    assert first["ttl"] == 3600 and first["reuse_until"] == "2026-12-01T08:00:00Z"
    assert second["lookup_details"][-1]["ede"] == 6


def test_log_record_of_control_characters_is_one_line(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "caa.log"
    code, out, _ = run("caa", "--batch", "-", "--issuer-domain", "ca.example", *BASE, "--log",
                       str(log), stdin="bad\u2028name.example\nwww.secure.test\n",
                       monkeypatch=monkeypatch)
    assert code == 0 and len(out.splitlines()) == 2
    assert len(log.read_bytes().splitlines()) == 2 and log.read_bytes().isascii()


# -- batch -------------------------------------------------------------------------------------


def test_batch_keeps_going_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ["www.secure.test", "", "# a comment", "a..b", "www.bogus.test", "x" * 300,
             "*.wildonly.secure.test", "bücher.secure.test", "www.expired.test", "secure.test"]
    code, out, err = run("caa", "--batch", "-", "--issuer-domain", "ca.example", *BASE,
                         "--jobs", "3", stdin="\n".join(lines) + "\n", monkeypatch=monkeypatch)
    assert code == 0 and err == ""
    got = [json.loads(line) for line in out.splitlines()]
    assert [g["decision"] for g in got] == [
        "permitted", "lookup-failure", "lookup-failure", "lookup-failure", "permitted",
        "permitted", "lookup-failure", "permitted"]
    assert [list(g) for g in got] == [KEYS] * 8
    assert got[1]["reason"].startswith("invalid-domain: ") and got[1]["status"] is None
    assert got[5]["domain"] == "xn--bcher-kva.secure.test"


def test_batch_survives_a_transport_that_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    inner = lab()

    class Flaky:
        def ask(self, query: Query) -> Answer:
            if "bogus" in query.name.to_text() or "flaky" in query.name.to_text():
                raise RuntimeError("socket exploded")
            return inner.ask(query)

    code, out, _ = run("caa", "--batch", "-", "--issuer-domain", "ca.example", *BASE,
                       stdin="flaky.secure.test\nwww.secure.test\n", transport=Flaky(),
                       monkeypatch=monkeypatch)
    got = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [g["decision"] for g in got] == ["lookup-failure", "permitted"]
    assert "network-error" in got[0]["reason"] or "socket exploded" in got[0]["reason"]


def test_batch_from_file_without_issuer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_bytes(b"www.secure.test\n\xff\xfe.example\ndeny.secure.test\n")
    code, out, _ = run("caa", "--batch", str(listing), *BASE, monkeypatch=monkeypatch)
    got = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [g["decision"] for g in got] == [None, None, None]
    assert got[1]["reason"].startswith("invalid-domain")
    assert got[2]["records"] == [{"flags": 0, "tag": "issue", "value": ";"}]


def test_resolver_failures_are_inside_the_ca(monkeypatch: pytest.MonkeyPatch) -> None:
    """With --resolver, failures come from the CA's own resolver: never permission."""
    def fail(query: Query, wire: bytes) -> bytes | LookupFailure:
        if query.name.to_text().endswith("insecure.test.") and query.rdtype == 257:
            return LookupFailure(FailureKind.SERVFAIL, "x", 2, ("127.0.0.1",))
        return wire

    transport = LabTransport(lab().responder, fail)
    code, out, _ = run("caa", "www.insecure.test", "--issuer-domain", "ca.example",
                       "--permit-on-lookup-failure", "--resolver", "127.0.0.1", *BASE, "--json",
                       transport=transport, monkeypatch=monkeypatch)
    got = json.loads(out)
    assert code == 0 and got["decision"] == "lookup-failure"
    assert "CA's own 127.0.0.1" in got["reason"]
