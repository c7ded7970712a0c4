"""verify-zone's NSEC/NSEC3 chain checks (dnssec_core/zone/chain.py).

Every signed zone in vectors (28) has a clean chain; zones signed and then edited — a record
removed, an NSEC3 hash edited, a next name changed, the Opt-Out flag cleared, NSEC3PARAM
changed or removed, a name added — are flagged with the precise reason at the precise owner.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import dns.name
import pytest

from dnssec_core.dnssec.denial.nsec3 import b32hex_decode, b32hex_encode, iterated_hash
from dnssec_core.verdict import Reason
from dnssec_core.wire.name import canonical_key
from dnssec_core.wire.rrset import RRset
from dnssec_core.zone.chain import check_chain, check_chain_records
from dnssec_core.zone.reader import load_zone
from dnssec_core.zone.verify import Failure
from tests.dnssec.denial.build import (
    APEX,
    NS,
    NSEC3PARAM,
    SOA,
    A,
    ZoneModel,
    nsec3_chain,
)
from tests.dnssec.denial.zones import SignedZone, all_zones
from vectors import vector_path

ORIGIN = dns.name.from_text("example.com.")
WWW = r"^www\.example\.com\.\s+\d+\s+IN\s+"  # the start of a www.example.com. record line


@pytest.mark.parametrize("zone", all_zones(), ids=lambda z: z.name)
def test_signed_zones_have_clean_chains(zone: SignedZone) -> None:
    assert check_chain(zone.data) == []


def edited(variant: str, edit: Callable[[list[str]], list[str]]) -> list[Failure]:
    lines = vector_path("zones", variant, "zone.signed").read_text().splitlines()
    changed = edit(lines)
    assert changed != lines
    return check_chain(load_zone("\n".join(changed) + "\n", ORIGIN))


def drop(pattern: str) -> Callable[[list[str]], list[str]]:
    regex = re.compile(pattern)
    return lambda lines: [line for line in lines if not regex.search(line)]


def summary(failures: list[Failure]) -> list[tuple[str, str, str]]:
    return [(f.owner, f.type, f.reason) for f in failures]


def test_record_removed_leaves_extra_nsec_CHAIN() -> None:
    failures = edited("bind-alg13-nsec", drop(r"^mx2\.example\.com\.\s+\d+\s+IN\s+(A|RRSIG\s+A)\s"))
    assert summary(failures) == [("mx2.example.com.", "NSEC", Reason.CHAIN_NAME_EXTRA.value)]


def test_rrset_removed_bitmap_mismatch_CHAIN() -> None:
    failures = edited("bind-alg13-nsec", drop(WWW + r"(AAAA|RRSIG\s+AAAA)\s"))
    assert summary(failures) == [("www.example.com.", "NSEC",
                                  Reason.CHAIN_BITMAP_MISMATCH.value)]
    assert "[28]" in failures[0].detail and failures[0].ede == 6


def test_nsec_removed_breaks_chain_CHAIN() -> None:
    failures = edited("bind-alg13-nsec", drop(WWW + r"(NSEC|RRSIG\s+NSEC)\s"))
    reasons = {(f.owner, f.reason) for f in failures}
    assert ("www.example.com.", Reason.CHAIN_NAME_MISSING.value) in reasons
    assert any(r == Reason.CHAIN_BROKEN.value for _, r in reasons)
    assert len(failures) == 2


def test_nsec_next_name_changed_breaks_chain_NSEC_02() -> None:
    def edit(lines: list[str]) -> list[str]:
        return [re.sub(r"(\sNSEC\s+)mx2\.example\.com\.", r"\1www.example.com.", line)
                for line in lines]

    failures = edited("bind-alg13-nsec", edit)
    assert [f.reason for f in failures] == [Reason.CHAIN_BROKEN.value]


def _nsec3_line(lines: list[str], name: str) -> int:
    digest = b32hex_encode(iterated_hash(dns.name.from_text(name), b"", 0)).upper()
    return next(i for i, line in enumerate(lines)
                if line.startswith(digest) and " NSEC3\t" in line.replace(" IN NSEC3", " NSEC3\t"))


def test_nsec3_hash_edited_CHAIN() -> None:
    """The NSEC3 owner of www.example.com. edited (one base32hex digit changed)."""
    def edit(lines: list[str]) -> list[str]:
        digest = b32hex_encode(iterated_hash(dns.name.from_text("www.example.com."), b"", 0))
        wrong = digest[:-1] + ("0" if digest[-1] != "0" else "1")
        return [line.replace(digest.upper(), wrong.upper(), 1) if line.startswith(
            digest.upper()) else line for line in lines]

    failures = edited("bind-alg13-nsec3", edit)
    reasons = {f.reason for f in failures}
    assert {Reason.CHAIN_NAME_MISSING.value, Reason.CHAIN_NAME_EXTRA.value} <= reasons
    missing = [f for f in failures if f.reason == Reason.CHAIN_NAME_MISSING.value]
    assert [f.owner for f in missing] == ["www.example.com."]


def test_nsec3_next_hash_edited_breaks_chain_CHAIN() -> None:
    def edit(lines: list[str]) -> list[str]:
        index = _nsec3_line(lines, "www.example.com.")
        fields = lines[index].split()
        at = fields.index("NSEC3") + 5
        fields[at] = fields[at][:-1] + ("0" if fields[at][-1] != "0" else "1")
        return [*lines[:index], " ".join(fields), *lines[index + 1 :]]

    failures = edited("bind-alg13-nsec3", edit)
    assert [f.reason for f in failures] == [Reason.CHAIN_BROKEN.value]


def test_opt_out_flag_cleared_over_unsigned_delegation_CHAIN() -> None:
    """bind-*-nsec3-optout leaves insecure.example.com. out; the NSEC3 covering it loses its
    Opt-Out flag."""
    lines = vector_path("zones", "bind-alg13-nsec3-optout", "zone.signed").read_text()
    data = load_zone(lines, ORIGIN)
    target = iterated_hash(dns.name.from_text("insecure.example.com."), b"", 0)
    owners = sorted((bytes.fromhex(_hex(rr.owner.labels[0])), rr.owner)
                    for (_, t), rr in data.rrsets.items() if t == 50)
    cover = [o for h, o in owners if h < target][-1]

    def edit(text_lines: list[str]) -> list[str]:
        label = cover.labels[0].decode()
        return [re.sub(r"NSEC3\s+1\s+1\s", "NSEC3\t1 0 ", line) if line.startswith(label)
                else line for line in text_lines]

    failures = edited("bind-alg13-nsec3-optout", edit)
    assert ("insecure.example.com.", "NSEC3", Reason.CHAIN_OPT_OUT_MISMATCH.value) in (
        summary(failures))
    assert {f.reason for f in failures} == {Reason.CHAIN_OPT_OUT_MISMATCH.value}


def _hex(label: bytes) -> str:
    return b32hex_decode(label).hex()


def test_nsec3param_changed_CHAIN_NSEC3_17() -> None:
    def edit(lines: list[str]) -> list[str]:
        return [line.replace("NSEC3PARAM\t1 0 0 -", "NSEC3PARAM\t1 0 0 AABB") for line in lines]

    failures = edited("bind-alg13-nsec3", edit)
    mismatched = [f for f in failures if f.reason == Reason.CHAIN_PARAMS_MISMATCH.value]
    assert len(mismatched) == 28  # every NSEC3 of the chain matches no NSEC3PARAM
    # ... and no name has an NSEC3 with the new parameters.
    assert {f.reason for f in failures} == {Reason.CHAIN_PARAMS_MISMATCH.value,
                                            Reason.CHAIN_NAME_MISSING.value}


def test_nsec3param_removed_CHAIN() -> None:
    failures = edited("bind-alg13-nsec3", drop(r"\s(NSEC3PARAM|RRSIG\s+NSEC3PARAM)\s"))
    assert summary(failures) == [("example.com.", "NSEC3PARAM",
                                  Reason.CHAIN_PARAMS_MISMATCH.value)]


def test_name_added_without_nsec3_CHAIN() -> None:
    failures = edited("bind-alg13-nsec3",
                      lambda lines: [*lines, "new.example.com. 3600 IN A 192.0.2.9"])
    assert summary(failures) == [("new.example.com.", "NSEC3",
                                  Reason.CHAIN_NAME_MISSING.value)]


def test_zone_without_any_chain_CHAIN() -> None:
    failures = edited("bind-alg13-nsec", drop(r"\s(NSEC|RRSIG\s+NSEC)\s"))
    assert failures and {f.reason for f in failures} == {Reason.CHAIN_NAME_MISSING.value}


def _slim(model: ZoneModel) -> dict[tuple[bytes, ...], tuple[dns.name.Name, frozenset[int]]]:
    owners = {key: (owner, types) for key, (owner, types) in model.data.items()}
    owners[canonical_key(model.apex)] = (model.apex, model.data[canonical_key(model.apex)][1]
                                         | {NSEC3PARAM})
    return owners


@pytest.mark.parametrize("iterations,reason", [
    (150, None),
    (151, Reason.NSEC3_ITERATIONS_INSECURE),
    (2501, Reason.NSEC3_ITERATIONS_BOGUS),
])
def test_chain_iterations_policy_NSEC3_15(iterations: int, reason: Reason | None) -> None:
    model = ZoneModel.of(APEX, {"@": {SOA, NS}, "www": {A}})
    chain = nsec3_chain(model, iterations=min(iterations, 151))
    if iterations > 151:  # the records claim more than they were hashed with: never hashed
        chain = [RRset(r.owner, r.rdtype, 1, 3600, (r.rdatas[0][:2] + iterations.to_bytes(
            2, "big") + r.rdatas[0][4:],)) for r in chain]
    param = RRset(APEX, NSEC3PARAM, 1, 0, (bytes((1, 0)) + iterations.to_bytes(2, "big")
                                           + b"\x00",))
    failures = check_chain_records(APEX, _slim(model), [*chain, param])
    assert [f.reason for f in failures] == ([reason.value] if reason else [])
    if reason:
        assert failures[0].ede == 27


def test_malformed_nsec3param_CHAIN() -> None:
    model = ZoneModel.of(APEX, {"@": {SOA, NS}})
    chain = nsec3_chain(model)
    bad = RRset(APEX, NSEC3PARAM, 1, 0, (b"\x01\x00\x00\x00\x04ab",))
    failures = check_chain_records(APEX, _slim(model), [*chain, bad])
    assert [f.reason for f in failures] == [Reason.DENIAL_MALFORMED.value]
