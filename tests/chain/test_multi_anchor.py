"""Trust anchors at several zones (RFC 4035 §4.4, §5), over the demo world served in-process.

Each name is validated from its closest enclosing anchor: an anchor below a broken or
unsigned part of the tree is an island of trust of its own (as with Unbound's
``trust-anchor`` lines), a name under no anchor is insecure, and a DS question about an anchor
zone itself belongs to the parent side, above that anchor.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest

from dnssec_core.auth.lab import Tamper
from dnssec_core.auth.responder import Responder
from dnssec_core.chain.anchors import TrustAnchors, parse_anchors
from dnssec_core.chain.engine import Validator
from dnssec_core.chain.types import Query
from dnssec_core.crypto import Backend
from dnssec_core.dnssec.records import DS_TYPE
from dnssec_core.verdict import Reason, Status
from tests.chain.lab import NOW, ask, lab, zones
from vectors import vector_path


def zone_ksks(zone: str) -> bytes:
    """The zone's own SEP DNSKEYs from the demo world's zone file, as anchor records."""
    text = vector_path("demo", "zones", f"{zone}zone").read_text()
    lines = [line for line in text.splitlines() if re.search(r"\sDNSKEY\s+257\s", line)]
    assert lines
    return ("\n".join(lines) + "\n").encode()


def with_anchors_text(*zones: str, root: bool = True) -> bytes:
    data = b"".join(zone_ksks(zone) for zone in zones)
    if root:
        data += vector_path("demo", "root-anchor.txt").read_bytes()
    return data


def with_anchors(*zones: str, root: bool = True) -> TrustAnchors:
    return parse_anchors(with_anchors_text(*zones, root=root), source="test anchors", now=None)


def test_child_anchor_applies_below_an_insecure_parent_side(fast: Backend) -> None:
    """unsupported.test.'s DS has only an unsupported algorithm (insecure from the root),
    but its own anchor makes it an island of trust: secure."""
    # Requirement trace: this test also proves VAL-CHAIN-05.
    plain = ask("www.unsupported.test.", "A", fast)
    assert plain.status is Status.INSECURE
    result = ask("www.unsupported.test.", "A", fast,
                 validator=Validator(with_anchors("unsupported.test."), backend=fast))
    assert result.status is Status.SECURE, result.verdict
    assert [link.zone for link in result.chain] == ["unsupported.test."]


def test_child_anchor_applies_below_a_broken_parent_side(fast: Backend) -> None:
    """dsmismatch.test.'s parent DS matches no key (bogus from the root); its own anchor is
    the closest one, so the parent's DS is never consulted."""
    assert ask("www.dsmismatch.test.", "A", fast).status is Status.BOGUS
    validator = Validator(with_anchors("dsmismatch.test."), backend=fast)
    assert ask("www.dsmismatch.test.", "A", fast, validator=validator).status is Status.SECURE
    # the other names still validate from the root anchor, with the same validator
    assert ask("www.secure.test.", "A", fast, validator=validator).status is Status.SECURE
    assert ask("www.bogus.test.", "A", fast, validator=validator).status is Status.BOGUS


def test_wrong_child_anchor_is_bogus_even_when_the_parent_chain_is_fine(fast: Backend) -> None:
    """An anchor that matches no key of its zone breaks that zone: the parent's good DS
    cannot route around a configured anchor (RFC 4035 §5: validation starts at the anchor)."""
    # Requirement trace: this test also proves VAL-KEY-05.
    anchors = parse_anchors(zone_ksks("ed.test.").replace(b"ed.test.", b"secure.test.")
                            + vector_path("demo", "root-anchor.txt").read_bytes(),
                            source="wrong", now=None)
    result = ask("www.secure.test.", "A", fast, validator=Validator(anchors, backend=fast))
    assert result.status is Status.BOGUS
    assert result.verdict.reason is Reason.DS_MISMATCH


def test_names_under_no_anchor_are_insecure_with_the_reason(fast: Backend) -> None:
    validator = Validator(with_anchors("secure.test.", "unsupported.test.", root=False),
                          backend=fast)
    assert ask("www.secure.test.", "A", fast, validator=validator).status is Status.SECURE
    outside = ask("www.bogus.test.", "A", fast, validator=validator)
    assert (outside.status, outside.verdict.reason) == (Status.INSECURE, Reason.NO_TRUST_ANCHOR)
    assert "bogus.test." in outside.verdict.detail


def test_ds_of_an_anchor_zone_is_above_the_anchor(fast: Backend) -> None:
    """A DS RRset lives in the parent zone (RFC 4034 §5, RFC 4035 §3.1.4.1): with the only
    anchor at secure.test., "secure.test. DS" is above every anchor, so insecure; with the
    root anchor too, it is secure (the parent test. signs it)."""
    only_child = Validator(with_anchors("secure.test.", root=False), backend=fast)
    result = ask("secure.test.", "DS", fast, validator=only_child)
    assert (result.status, result.verdict.reason) == (Status.INSECURE, Reason.NO_TRUST_ANCHOR)
    both = Validator(with_anchors("secure.test."), backend=fast)
    assert ask("secure.test.", "DS", fast, validator=both).status is Status.SECURE


def test_cli_trust_anchor_file_with_several_zones(tmp_path: Path) -> None:
    """``query --trust-anchor FILE`` takes records for several zones (issue 5, issue 8)."""
    anchor_file = tmp_path / "anchors.txt"
    anchor_file.write_bytes(with_anchors_text("unsupported.test."))
    out = subprocess.run(
        [sys.executable, "-m", "dnssec_core", "query", "www.unsupported.test", "A", "--demo",
         "--trust-anchor", str(anchor_file), "--now", "20261201000000", "--json"],
        capture_output=True, text=True, check=True,
    )
    data = json.loads(out.stdout)
    assert (data["status"], data["answer"]) == (
        "secure", ["www.unsupported.test. 3600 IN A 192.0.2.120"])
    assert [link["zone"] for link in data["chain"]] == ["unsupported.test."]


def child_side_ds_answer(zone: str) -> Tamper:
    """A server authoritative for both sides answering "zone DS" from the child: the child's
    own NODATA (its SOA and NSEC/NSEC3, signed by the child), as for a type it lacks."""
    wanted = dns.name.from_text(zone)
    responder = Responder(zones())

    def tamper(query: Query, wire: bytes) -> bytes:
        if (query.name, query.rdtype) != (wanted, DS_TYPE):
            return wire
        child = responder.answer(dns.message.make_query(wanted, "NAPTR", want_dnssec=True))
        child.question[0] = dns.rrset.RRset(wanted, dns.rdataclass.IN, dns.rdatatype.DS)
        assert child.authority and not child.answer
        return child.to_wire(max_size=65535)

    return tamper


@pytest.mark.parametrize("question", ["secure.test. DS", "www.secure.test. A"])
def test_ds_answered_by_the_child_zone_is_never_trusted(fast: Backend, question: str) -> None:
    """The child's NODATA for its own DS proves nothing about DS (RFC 4035 §3.1.4.1, RFC 6840
    §4.1): neither secure nor insecure — the parent's answer is missing (indeterminate)."""
    # Requirement trace: this test also proves VAL-CHAIN-02.
    name, rdtype = question.split()
    result = ask(name, rdtype, fast, transport=lab(child_side_ds_answer("secure.test.")))
    assert result.status is Status.INDETERMINATE, result.verdict
    assert "came from the child zone secure.test." in result.verdict.detail
    assert ask(name, rdtype, fast).status is Status.SECURE  # untampered, the same question


def test_ds_signed_by_the_child_itself_is_bogus(fast: Backend) -> None:
    """RFC 4035 §5.3.1: the RRSIG's signer is the zone holding the RRset — the parent for DS.
    A DS RRset signed by the child's own (authenticated) key is not the parent's word."""
    from dnssec_core.wire.message import Response, SignedRRset

    validator = Validator(with_anchors("secure.test.", root=False), backend=fast)
    good = ask("secure.test.", "DS", fast, validator=Validator(with_anchors(), backend=fast))
    ds = good.answer[0]
    dnskey = ask("secure.test.", "DNSKEY", fast, validator=validator).answer[0]
    forged = SignedRRset(ds.rrset, tuple(s for s in dnskey.rrsigs))  # child's signer name
    resolution = validator.resolve(dns.name.from_text("secure.test."), DS_TYPE, now=NOW)
    query = resolution.next_query()
    assert query is not None
    resolution.receive(query, Response(query.name, DS_TYPE, 0, (forged,)))
    transport = lab()
    while (query := resolution.next_query()) is not None:
        resolution.receive(query, transport.ask(query))
    result = resolution.result()
    assert (result.status, result.verdict.reason) == (Status.BOGUS, Reason.SIGNER_MISMATCH)
