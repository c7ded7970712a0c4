"""verify-zone over several processes gives exactly the serial report (issue 7).

The reference is the plainest path: dnspython's parser (``load_zone(fast=False)``) and
``verify_zone`` in one process.  The parallel path must produce the same JSON report — same
counts, same failures in the same order — on every zone under vectors/zones/, on a zone laid
out to stress the split (RRsets and their RRSIGs in different pieces, glue below a cut in
another piece, malformed and out-of-zone records), and must fall back when a cut is unsafe.
"""

from __future__ import annotations

import io
import json
import random
import struct
from pathlib import Path
from typing import Any

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest

from dnssec_core.cli import main
from dnssec_core.crypto import Backend, get_backend
from dnssec_core.dnssec.algorithms import DEFAULT_POLICY
from dnssec_core.dnssec.ds import make_ds
from dnssec_core.dnssec.records import DS
from dnssec_core.wire.rrset import RRset
from dnssec_core.zone.parallel import _Coordinator, verify_zone_text
from dnssec_core.zone.reader import ZoneError, load_zone
from dnssec_core.zone.verify import verify_zone
from tests.support.signer import EXPIRATION, INCEPTION, NOW, make_key, sign_rrset
from vectors import ROOT as VECTORS

TIMES = (NOW, INCEPTION - 86400, EXPIRATION + 86400)


def serial(text: str, now: int, origin: dns.name.Name | None = None,
           ds: list[DS] | None = None) -> Any:
    try:
        zone = load_zone(text, origin, "z", fast=False)
    except ZoneError as exc:
        return ("error", str(exc))
    return verify_zone(zone, now=now, backend=get_backend("fast"), ds=ds).as_json()


def parallel(text: str, now: int, jobs: int, origin: dns.name.Name | None = None,
             ds: list[DS] | None = None) -> Any:
    try:
        report = verify_zone_text(text, origin=origin, source="z", now=now,
                                  backend=get_backend("fast"), ds=(lambda _: ds) if ds else None,
                                  jobs=jobs, min_parallel_chars=0)
    except ZoneError as exc:
        return ("error", str(exc))
    return report.as_json()


def took_parallel_path(text: str, jobs: int, origin: dns.name.Name | None = None) -> bool:
    job = _Coordinator(text, origin, "z", NOW, get_backend("fast"), None, DEFAULT_POLICY)
    return job.run(jobs) is not None


# --- committed vector zones -----------------------------------------------------------------

VECTOR_ZONES = sorted(
    p for p in (VECTORS / "zones").rglob("*") if p.is_file() and p.suffix in (".signed", ".zone")
) if (VECTORS / "zones").is_dir() else []


@pytest.mark.parametrize("path", VECTOR_ZONES, ids=lambda p: str(p.relative_to(VECTORS)))
def test_vector_zone_report_is_identical(path: Path) -> None:
    text = path.read_text()
    assert took_parallel_path(text, 2)
    for now in TIMES:
        expected = serial(text, now)
        for jobs in (2, 3):
            assert parallel(text, now, jobs) == expected, (now, jobs)


# --- a zone laid out to stress the split ------------------------------------------------------

ORIGIN = dns.name.from_text("example.")
KSK = make_key(13, flags=257)
ZSK = make_key(13)


def presentation(owner: str, ttl: int, rdtype: int, wire: bytes) -> str:
    rdata = dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.RdataType.make(rdtype), wire, 0,
                                len(wire))
    return f"{owner} {ttl} IN {dns.rdatatype.RdataType.to_text(rdtype)} {rdata.to_text()}"


def rrset(owner: str, rdtype: int, *rdatas: bytes, ttl: int = 300) -> RRset:
    return RRset(dns.name.from_text(owner), rdtype, 1, ttl, tuple(rdatas))


def wire_name(text: str) -> bytes:
    return dns.name.from_text(text).to_wire() or b""


def build_zone_lines(seed: int) -> tuple[list[str], list[str]]:
    """(record lines, RRSIG lines) of a signed zone with awkward content."""
    rrsets = [
        rrset("example.", 6, wire_name("ns.example.") + wire_name("hm.example.")
              + struct.pack("!IIIII", 1, 2, 3, 4, 5)),
        rrset("example.", 2, wire_name("ns.example.")),
        rrset("example.", 48, KSK.dnskey().rdata, ZSK.dnskey().rdata),
        rrset("ns.example.", 1, bytes([192, 0, 2, 1])),
        rrset("sub.example.", 2, wire_name("ns.sub.example.")),
        rrset("sub.example.", 43, struct.pack("!HBB", 1, 13, 2) + bytes(32)),
        rrset("ns.sub.example.", 1, bytes([192, 0, 2, 2])),  # glue: not authoritative
        rrset("deep.ns.sub.example.", 16, b"\x03abc"),  # below the cut
        rrset("*.wild.example.", 16, b"\x04wild"),
        rrset("Mixed.Case.example.", 15, b"\x00\x0a" + wire_name("MAIL.example.")),
    ]
    rrsets += [rrset(f"h{i}.example.", 1, bytes([10, 0, i // 256, i % 256])) for i in range(60)]
    lines, sig_lines = [], []
    for index, rr in enumerate(rrsets):
        owner = rr.owner.to_text()
        for wire in rr.rdatas:
            lines.append(presentation(owner, rr.ttl, rr.rdtype, wire))
        signers = [KSK, ZSK] if rr.rdtype == 48 else [ZSK]
        for key in signers:
            sig = sign_rrset(rr, key, ORIGIN)
            wire = sig.signed_prefix[:18] + wire_name("example.") + sig.signature
            if index % 17 == 5:  # a broken signature
                wire = wire[:-1] + bytes([wire[-1] ^ 1])
            sig_lines.append(presentation(owner, rr.ttl, 46, wire))
    lines.append("outside.test. 300 IN A 192.0.2.9")
    sig_lines.append("bad.example. 300 IN RRSIG A 13 2 300 20860101000000 20260101000000 1 "
                     "example. AAAA")  # verifies nothing: RRSIG without RRset
    random.Random(seed).shuffle(lines)
    return lines, sig_lines


def layouts(seed: int) -> dict[str, str]:
    lines, sig_lines = build_zone_lines(seed)
    half = len(lines) // 2
    # An RRset split over pieces: its first address early, more at the very end, one of them
    # with another TTL and owner case (the first piece's owner and the smallest TTL win).
    split = ["h7.example. 300 IN A 10.0.9.9", "H7.Example. 60 IN A 10.0.9.8"]
    return {
        "rrsigs after everything": "\n".join(lines + sig_lines + split) + "\n",
        "rrsigs first": "\n".join(sig_lines + lines + split) + "\n",
        "interleaved": "\n".join(
            x for pair in zip(lines, sig_lines[: len(lines)], strict=False) for x in pair
        ) + "\n" + "\n".join(sig_lines[len(lines):] + lines[half:] + split) + "\n",
        "$ORIGIN and $TTL midway": "$TTL 600\n" + "\n".join(lines[:half])
        + "\n$ORIGIN sub.example.\nx A 192.0.2.7\n$ORIGIN example.\n$TTL 60\n"
        + "\n".join(lines[half:] + sig_lines) + "\n",
    }


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("layout", ["rrsigs after everything", "rrsigs first", "interleaved",
                                    "$ORIGIN and $TTL midway"])
def test_stress_layout_report_is_identical(seed: int, layout: str) -> None:
    text = layouts(seed)[layout]
    assert took_parallel_path(text, 3)
    for now in TIMES:
        expected = serial(text, now)
        assert isinstance(expected, dict) and expected["failures"]
        for jobs in (2, 3, 5):
            assert parallel(text, now, jobs) == expected, (now, jobs)


def test_with_origin_and_ds() -> None:
    text = layouts(3)["rrsigs after everything"]
    ds = [make_ds(ORIGIN, KSK.dnskey(), 2)]
    expected = serial(text, NOW, ORIGIN, ds)
    assert parallel(text, NOW, 3, ORIGIN, ds) == expected
    wrong = [DS(ds[0].key_tag, 13, 2, bytes(32))]
    assert parallel(text, NOW, 2, None, wrong) == serial(text, NOW, None, wrong)


def test_without_dnskey_or_origin() -> None:
    lines, sig_lines = build_zone_lines(4)
    no_dnskey = "\n".join(x for x in lines + sig_lines if " DNSKEY " not in x) + "\n"
    assert parallel(no_dnskey, NOW, 2) == serial(no_dnskey, NOW)
    no_soa = "\n".join(x for x in lines + sig_lines if " SOA " not in x) + "\n"
    assert parallel(no_soa, NOW, 2) == serial(no_soa, NOW)
    assert serial(no_soa, NOW)[0] == "error"


def test_a_cut_inside_parentheses_falls_back() -> None:
    lines, sig_lines = build_zone_lines(5)
    # A record whose parenthesised RDATA continues on unindented lines: any cut may land inside.
    body = "\n".join(lines + sig_lines)
    text = "x.example. 300 IN TXT (\n" + "\n".join(f'"{i}"' for i in range(400)) + " )\n" + body
    assert parallel(text, NOW, 4) == serial(text, NOW)


def test_text_the_fast_reader_declines_falls_back() -> None:
    lines, sig_lines = build_zone_lines(6)
    text = "\n".join(lines + sig_lines) + "\nx.example. 300 IN TXT \"caf\u00e9\"\n"
    assert not took_parallel_path(text, 2)
    assert parallel(text, NOW, 2) == serial(text, NOW)


def test_cli_jobs_give_the_same_json(tmp_path: Path, fast: Backend) -> None:
    path = tmp_path / "zone.txt"
    path.write_text(layouts(7)["interleaved"])
    outputs = []
    for jobs in ("1", "2"):
        out, err = io.StringIO(), io.StringIO()
        code = main(["verify-zone", str(path), "--now", str(NOW), "--json", "--jobs", jobs,
                     "--crypto", fast.name], out=out, err=err)
        outputs.append((code, json.loads(out.getvalue()), err.getvalue()))
    assert outputs[0] == outputs[1] and outputs[0][0] == 1


def test_jobs_must_be_positive() -> None:
    err = io.StringIO()
    assert main(["verify-zone", "x", "--jobs", "0"], out=io.StringIO(), err=err) == 2
    assert "--jobs" in err.getvalue()
