"""CLI start-up cost (issue 7): each command imports only what it needs.

No timing here (speed lives in bench/): a fresh interpreter runs the command and the test
inspects ``sys.modules`` — building the parser, ``ds`` and ``verify-zone`` must not load the
chain engine, the CAA front end, the evidence package or dnspython's message module.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TypedDict

from dnssec_core import cli_args
from dnssec_core.caa import check as caa_check
from dnssec_core.caa import command as caa_command
from dnssec_core.evidence import command as evidence_command

ZONE = (Path(__file__).resolve().parents[2] / "vectors" / "zones" / "bind-alg13-nsec3"
        / "zone.signed")
HEAVY = (
    "dnssec_core.chain.engine",
    "dnssec_core.caa.check",
    "dnssec_core.evidence",
    "dnssec_core.driver",
    "dns.message",
)


class Loaded(TypedDict):
    """What the child interpreter of :func:`loaded_after` prints (one JSON object)."""

    code: int | str | None  # SystemExit.code, or what ``body`` assigned
    out: str
    loaded: list[str]


def loaded_after(body: str, heavy: tuple[str, ...] = HEAVY) -> Loaded:
    """Run ``body`` in a fresh interpreter; report the exit code and which ``heavy`` modules
    ended up in ``sys.modules``."""
    script = textwrap.dedent("""
        import io, json, sys
        from dnssec_core import cli
        out, err = io.StringIO(), io.StringIO()
        code = None
        try:
        {body}
        except SystemExit as exc:
            code = exc.code
        heavy = {heavy!r}
        print(json.dumps({{"code": code, "out": out.getvalue(),
                          "loaded": [m for m in heavy if m in sys.modules]}}))
    """).format(body=textwrap.indent(textwrap.dedent(body).strip(), "    "), heavy=heavy)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)
    result: Loaded = json.loads(done.stdout.splitlines()[-1])
    return result


def test_building_the_parser_loads_no_engine() -> None:
    got = loaded_after("cli._build_parser()")
    assert got["loaded"] == []


def test_ds_loads_no_engine() -> None:
    got = loaded_after(f"code = cli.main(['ds', {str(ZONE)!r}], out=out, err=err)")
    assert got["code"] == 0
    assert " IN DS " in str(got["out"])
    assert got["loaded"] == []


def test_verify_zone_loads_no_engine() -> None:
    got = loaded_after(f"code = cli.main(['verify-zone', {str(ZONE)!r}, '--now', "
                       f"'20260101000000', '--jobs', '1'], out=out, err=err)")
    assert got["code"] in (0, 1)  # a verdict was reached either way
    assert str(got["out"]).startswith("zone example.com.: ")
    assert got["loaded"] == []


def test_verify_zone_help_loads_no_engine() -> None:
    got = loaded_after("cli.main(['verify-zone', '--help'], out=out, err=err)")
    assert got["code"] == 0
    assert got["loaded"] == []


def test_caa_still_loads_what_it_needs() -> None:
    """The counter-check: the lazy import really happens when ``caa`` runs (usage error
    after the front end was imported: neither DOMAIN nor --batch)."""
    got = loaded_after("code = cli.main(['caa'], out=out, err=err)")
    assert got["code"] == 2
    assert "dnssec_core.caa.check" in got["loaded"]
    assert "dnssec_core.chain.engine" in got["loaded"]


def test_light_parsers_are_the_commands_parsers() -> None:
    assert caa_command.add_parser is cli_args.add_caa_parser
    assert evidence_command.add_parser is cli_args.add_evidence_parser
    assert cli_args.CAA_DEFAULT_JOBS == caa_check.DEFAULT_JOBS


#: What only a verify-zone over several processes needs (zone/parallel.py imports it then).
WORKERS = ("multiprocessing", "multiprocessing.connection", "multiprocessing.context")


def test_verify_zone_in_one_process_loads_no_multiprocessing() -> None:
    """One job, or a zone text below MIN_PARALLEL_CHARS: no worker machinery is imported."""
    for jobs in (["--jobs", "1"], []):
        got = loaded_after(f"code = cli.main(['verify-zone', {str(ZONE)!r}, '--now', "
                           f"'20260101000000', *{jobs!r}], out=out, err=err)", WORKERS)
        assert str(got["out"]).startswith("zone example.com.: ")
        assert got["loaded"] == [], jobs


def test_verify_zone_over_workers_loads_multiprocessing() -> None:
    """The counter-check: with two jobs and no size floor the workers really run."""
    body = f"""
        from dnssec_core.crypto import get_backend
        from dnssec_core.zone.parallel import verify_zone_text
        text = open({str(ZONE)!r}).read()
        report = verify_zone_text(text, origin=None, source="z", now=1767225600,
                                  backend=get_backend("fast"), jobs=2, min_parallel_chars=0)
        out.write(str(report.rrsets))
    """
    got = loaded_after(body, WORKERS)
    assert int(str(got["out"])) > 0
    assert "multiprocessing" in got["loaded"]


#: Loaded only when the data asks for them (issue 7 start-up): pynacl for the first Ed25519
#: key, the NSEC proofs for a denial proof.  verify-zone's chain check needs neither.
ON_DEMAND = ("nacl", "nacl.signing", "dnssec_core.dnssec.denial.nsec")


def test_verify_zone_loads_no_pynacl_or_nsec_proofs() -> None:
    """An Ed25519-free zone of each chain kind (NSEC3 here, NSEC next)."""
    for zone in (ZONE, ZONE.parents[1] / "bind-alg8-nsec" / "zone.signed"):
        got = loaded_after(f"code = cli.main(['verify-zone', {str(zone)!r}, '--now', "
                           f"'20260101000000', '--jobs', '1'], out=out, err=err)", ON_DEMAND)
        assert str(got["out"]).startswith("zone example.com.: "), zone
        assert got["loaded"] == [], zone


def test_ed25519_key_and_nsec_proof_load_them() -> None:
    """The counter-check: an Ed25519 verification imports pynacl, an NSEC proof the NSEC
    module, and both still give their answers."""
    body = """
        import dns.name
        from dnssec_core.crypto import get_backend
        from dnssec_core.crypto.base import EdPublicKey, SignatureScheme
        from dnssec_core.dnssec.denial import prove_nxdomain
        backend = get_backend("fast")
        key = EdPublicKey(SignatureScheme.ED25519, bytes(32))
        ok = backend.verify(key, bytes(64), b"data")
        denial = prove_nxdomain(dns.name.from_text("a.example."), [],
                                signer=dns.name.from_text("example."), verify=None)
        out.write(json.dumps([ok, denial.verdict.status.value]))
    """
    got = loaded_after(body, ON_DEMAND)
    assert json.loads(str(got["out"])) == [False, "bogus"]
    assert got["loaded"] == list(ON_DEMAND)
